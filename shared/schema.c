/* schema.c — building a Xapian document from an article, and reading its
 * stored data back (the layout is described in schema.h). */
#include "schema.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

/* State threaded through the analyzer callback while indexing a field. */
typedef struct field_sink {
  cr_doc *doc;
  const char *prefix; /* prepended to every term ("" for free text) */
  size_t prefix_len;
  uint32_t wdf;       /* within-document frequency per occurrence */
  bool positions;     /* add positional postings, or plain terms */
  uint32_t last_position;
  int failed;
  char buf[CR_MAX_TERM_BYTES + 8];
} field_sink;

static int add_token(const cr_token *t, void *ctx) {
  field_sink *s = ctx;
  s->last_position = t->position;
  if (t->is_stop) return 0; /* not indexed; the position still counts */
  memcpy(s->buf, s->prefix, s->prefix_len);
  memcpy(s->buf + s->prefix_len, t->term, t->term_len);
  size_t len = s->prefix_len + t->term_len;
  int rc = s->positions
               ? cr_doc_add_posting(s->doc, s->buf, len, t->position, s->wdf)
               : cr_doc_add_term(s->doc, s->buf, len, s->wdf);
  if (rc != 0) s->failed = 1;
  return 0;
}

/* Indexes text under prefix; returns the last position used. */
static uint32_t index_field(cr_analyzer *an, cr_doc *doc, const char *text,
                            size_t len, const char *prefix, uint32_t wdf,
                            bool positions, uint32_t first_position,
                            int *failed) {
  field_sink s = {.doc = doc, .prefix = prefix, .prefix_len = strlen(prefix),
                  .wdf = wdf, .positions = positions,
                  .last_position = first_position};
  if (cr_analyze(an, text, len, first_position, add_token, &s) != 0) *failed = 1;
  if (s.failed) *failed = 1;
  return s.last_position;
}

static void add_plain_term(cr_doc *doc, const char *prefix, const char *value,
                           size_t value_len, int *failed) {
  char buf[256];
  size_t plen = strlen(prefix);
  /* Xapian refuses terms over 245 bytes: long ids are cut. */
  if (plen + value_len > 240) value_len = 240 - plen;
  memcpy(buf, prefix, plen);
  memcpy(buf + plen, value, value_len);
  if (cr_doc_add_term(doc, buf, plen + value_len, 0) != 0) *failed = 1;
}

static void index_date(cr_doc *doc, const char *date, int *failed) {
  /* date is "YYYY-MM-DD" */
  char ymd[9] = {date[0], date[1], date[2], date[3], date[5],
                 date[6], date[8], date[9], '\0'};
  add_plain_term(doc, CR_PREFIX_YEAR, ymd, 4, failed);
  add_plain_term(doc, CR_PREFIX_MONTH, ymd, 6, failed);
  add_plain_term(doc, CR_PREFIX_DAY, ymd, 8, failed);
  if (cr_doc_set_value(doc, CR_SLOT_DATE, ymd, 8) != 0) *failed = 1;
}

static bool is_iso_date(const char *d) {
  if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-') return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) return false;
  return true;
}

/* A JSON string of s[0..len) with invalid UTF-8 and NUL bytes replaced by
 * U+FFFD (jansson accepts only valid UTF-8; readers normally hand us
 * clean text, this is the last line of defence). */
static json_t *json_text(const char *s, size_t len) {
  json_t *j = memchr(s, '\0', len) ? NULL : json_stringn(s, len);
  if (j) return j;
  char *clean = malloc(len * 3 + 1);
  if (!clean) return NULL;
  size_t k = 0;
  for (size_t i = 0; i < len;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(len - i), &cp);
    if (n <= 0 || cp == 0) {
      memcpy(clean + k, "\xEF\xBF\xBD", 3);
      k += 3;
      i += 1;
    } else {
      memcpy(clean + k, s + i, (size_t)n);
      k += (size_t)n;
      i += (size_t)n;
    }
  }
  j = json_stringn(clean, k);
  free(clean);
  return j;
}

static void set_string(json_t *obj, const char *key, const char *value) {
  if (value && *value) json_object_set_new(obj, key, json_text(value, strlen(value)));
}

/* The stored data: what the searcher prints, without the source files. */
static char *stored_data(const cr_article *art, const char *title,
                         bool derived, size_t *len) {
  json_t *obj = json_object();
  if (!obj) return NULL;
  set_string(obj, "id", art->id);
  set_string(obj, "title", title);
  if (derived) json_object_set_new(obj, "title_derived", json_true());
  set_string(obj, "date", art->date);
  set_string(obj, "author", art->author);
  set_string(obj, "source", art->source);
  set_string(obj, "url", art->url);
  json_object_set_new(obj, "text", json_text(art->text, art->text_len));
  char *out = json_dumps(obj, JSON_COMPACT);
  json_decref(obj);
  if (out) *len = strlen(out);
  return out;
}

int cr_schema_build(cr_analyzer *an, const cr_article *art, cr_doc *doc,
                    char *id_term, size_t id_term_size, cr_error *err) {
  if (!art->id || !*art->id) {
    cr_error_set(err, CR_E_INVALID, "article has no id");
    return -1;
  }
  if (!art->text) {
    cr_error_set(err, CR_E_INVALID, "article '%s' has no text", art->id);
    return -1;
  }
  int failed = 0;
  char *derived = NULL;
  const char *title = art->title;
  if (!title || !*title) {
    derived = cr_schema_derive_title(art->text, art->text_len, 120);
    title = derived;
  }

  /* Title words: first, weighted, and also under the title prefix. Only a
   * given title is indexed: a derived one repeats the body's opening. */
  uint32_t pos = 0;
  if (!derived) {
    size_t tlen = strlen(title);
    pos = index_field(an, doc, title, tlen, "", CR_TITLE_WDF, true, 0, &failed);
    index_field(an, doc, title, tlen, CR_PREFIX_TITLE, 1, true, 0, &failed);
    pos += CR_BODY_POSITION_GAP;
  }
  index_field(an, doc, art->text, art->text_len, "", 1, true, pos, &failed);
  if (art->author)
    index_field(an, doc, art->author, strlen(art->author), CR_PREFIX_AUTHOR, 1,
                false, 0, &failed);
  if (art->source)
    index_field(an, doc, art->source, strlen(art->source), CR_PREFIX_SOURCE, 1,
                false, 0, &failed);
  if (art->origin)
    add_plain_term(doc, CR_PREFIX_FILE, art->origin, strlen(art->origin),
                   &failed);
  const char *date = is_iso_date(art->date) ? art->date : NULL;
  if (date) index_date(doc, date, &failed);

  cr_article stored = *art;
  stored.date = date;
  size_t data_len = 0;
  char *data = stored_data(&stored, title, derived != NULL, &data_len);
  if (!data || cr_doc_set_data(doc, data, data_len) != 0) failed = 1;
  free(data);
  free(derived);

  snprintf(id_term, id_term_size, "%s%s", CR_PREFIX_ID, art->id);
  if (strlen(id_term) > 240) id_term[240] = '\0';
  if (cr_doc_add_term(doc, id_term, strlen(id_term), 0) != 0) failed = 1;
  if (failed) {
    cr_error_set(err, CR_E_NOMEM, "article '%s': out of memory", art->id);
    return -1;
  }
  return 0;
}

/* Length of the UTF-8 prefix of s that fits max bytes without cutting a
 * character in two. */
static size_t utf8_fit(const char *s, size_t len, size_t max) {
  if (len <= max) return len;
  size_t k = max;
  while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80) k--;
  return k;
}

char *cr_schema_derive_title(const char *text, size_t len, size_t max_bytes) {
  size_t i = 0;
  while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' ||
                     text[i] == '\t'))
    i++;
  /* The first sentence ends at ". ", "! ", "? " or a line break. A dot
   * after a one-letter word or a capitalised town name ("CARPI.") is the
   * dateline of a local story: the sentence goes on. */
  size_t end = i;
  while (end < len) {
    char c = text[end];
    if (c == '\n') break;
    if ((c == '.' || c == '!' || c == '?') &&
        (end + 1 >= len || text[end + 1] == ' ' || text[end + 1] == '\n')) {
      bool dateline = false;
      if (c == '.') {
        size_t w = end;
        bool upper = true;
        while (w > i && text[w - 1] != ' ') {
          char ch = text[w - 1];
          if (ch >= 'a' && ch <= 'z') upper = false;
          w--;
        }
        dateline = (end - w <= 1) || (upper && w == i);
      }
      if (!dateline) {
        if (c != '.') end++;
        break;
      }
    }
    end++;
  }
  size_t n = end - i;
  bool cut = false;
  if (n > max_bytes) {
    n = utf8_fit(text + i, n, max_bytes);
    while (n > 0 && text[i + n - 1] != ' ') n--; /* a word boundary */
    if (n == 0) n = utf8_fit(text + i, end - i, max_bytes);
    while (n > 0 && text[i + n - 1] == ' ') n--;
    cut = true;
  }
  char *out = malloc(n + 4);
  if (!out) return NULL;
  memcpy(out, text + i, n);
  if (cut) memcpy(out + n, "\xE2\x80\xA6", 3); /* … */
  out[n + (cut ? 3 : 0)] = '\0';
  return out;
}

static const char *get_string(json_t *obj, const char *key, size_t *len) {
  json_t *v = json_object_get(obj, key);
  if (!json_is_string(v)) return NULL;
  if (len) *len = json_string_length(v);
  return json_string_value(v);
}

int cr_stored_parse(const char *data, size_t len, cr_stored *out,
                    cr_error *err) {
  memset(out, 0, sizeof *out);
  json_error_t jerr;
  json_t *obj = json_loadb(data, len, JSON_ALLOW_NUL, &jerr);
  if (!json_is_object(obj)) {
    json_decref(obj);
    cr_error_set(err, CR_E_CORRUPT, "stored document data is not JSON: %s",
                 jerr.text);
    return -1;
  }
  out->json = obj;
  out->id = get_string(obj, "id", NULL);
  out->title = get_string(obj, "title", NULL);
  out->date = get_string(obj, "date", NULL);
  out->author = get_string(obj, "author", NULL);
  out->source = get_string(obj, "source", NULL);
  out->url = get_string(obj, "url", NULL);
  out->text = get_string(obj, "text", &out->text_len);
  out->title_derived = json_is_true(json_object_get(obj, "title_derived"));
  return 0;
}

void cr_stored_free(cr_stored *s) {
  if (!s) return;
  json_decref((json_t *)s->json);
  memset(s, 0, sizeof *s);
}
