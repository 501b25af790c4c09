/* input_jsonl.c — JSON Lines: one article per line (corpus/FORMAT.md).
 *
 * The stream is split into lines in one buffer that holds the unfinished
 * line and one read block, so memory follows the longest line, not the
 * file, and every byte is scanned once (no quadratic rescans on a 100 MB
 * line). A line longer than IN_MAX_LINE_BYTES is reported and skipped
 * without being held. Each line is parsed with jansson's json_loadb.
 */
#include <jansson.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "dates.h"
#include "hash.h"
#include "input_internal.h"

/* After a line longer than this, the buffer shrinks back to its usual
 * size, so one huge line does not keep its memory for the rest of the file. */
#define SHRINK_ABOVE (4 * IN_BLOCK)

/* Whether one of jansson's allocations failed in this thread since the
 * flag was last cleared: jansson reports most of them as a syntax error
 * ("string or '}' expected"), and a record must not be called malformed
 * because memory ran out. */
static _Thread_local bool json_oom;

static void *json_malloc(size_t n) {
  void *p = malloc(n);
  if (!p) json_oom = true;
  return p;
}

static void json_free(void *p) { free(p); }

static void json_hook(void) { json_set_alloc_funcs(json_malloc, json_free); }

void in_json_alloc_hook(void) {
  static pthread_once_t hooked = PTHREAD_ONCE_INIT;
  pthread_once(&hooked, json_hook);
}

/* A raw line of only blanks separates nothing. */
static bool blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
  return true;
}

/* Whether a decoded string holds nothing but white space of any kind:
 * line breaks, no-break and ideographic spaces, line and paragraph
 * separators, zero-width spaces. Such a text is no text, like "". */
static bool blank_text(const char *s, size_t n) {
  size_t i = 0;
  while (i < n) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(n - i), &cp);
    if (k <= 0) return false;
    i += (size_t)k;
    if ((cp >= 0x09 && cp <= 0x0d) || cp == 0x85 || cp == 0x200b ||
        cp == 0x2060 || cp == 0xfeff)
      continue;
    utf8proc_category_t c = utf8proc_category(cp);
    if (c != UTF8PROC_CATEGORY_ZS && c != UTF8PROC_CATEGORY_ZL &&
        c != UTF8PROC_CATEGORY_ZP)
      return false;
  }
  return true;
}

/* "\u0000" is valid JSON but no text: every NUL of the object's string
 * values is dropped (they would cut a C string short). -1 if memory ran
 * out. */
static int drop_nuls(json_t *obj) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    if (!json_is_string(v)) continue;
    const char *s = json_string_value(v);
    size_t n = json_string_length(v);
    if (strlen(s) == n) continue;
    char *copy = malloc(n + 1);
    if (!copy) return -1;
    size_t k = 0;
    for (size_t i = 0; i < n; i++)
      if (s[i]) copy[k++] = s[i];
    int rc = json_string_setn(v, copy, k);
    free(copy);
    if (rc != 0) return -1;
  }
  return 0;
}

static const char *json_type_name(const json_t *v) {
  switch (json_typeof(v)) {
  case JSON_ARRAY:
    return "an array";
  case JSON_STRING:
    return "a string";
  case JSON_INTEGER:
  case JSON_REAL:
    return "a number";
  case JSON_TRUE:
  case JSON_FALSE:
    return "a boolean";
  case JSON_NULL:
    return "null";
  default:
    return "an object";
  }
}

/* The first of a field's keys that holds a string, or NULL. */
static json_t *field_value(const in_options *o, json_t *obj, enum in_field f) {
  const char *keys[IN_MAX_FIELD_KEYS + 8];
  size_t n = in_field_keys(o, f, keys, sizeof keys / sizeof *keys);
  for (size_t i = 0; i < n; i++) {
    json_t *v = json_object_get(obj, keys[i]);
    if (json_is_string(v)) return v;
    if (f == IN_F_ID && v && !json_is_null(v)) return v; /* checked later */
  }
  return NULL;
}

/* Like str_field, through the field's keys. */
static const char *field_str(const in_options *o, json_t *obj,
                             enum in_field f) {
  json_t *v = field_value(o, obj, f);
  if (!json_is_string(v)) return NULL;
  const char *s = json_string_value(v);
  return blank_text(s, json_string_length(v)) ? NULL : s;
}

/* Once per file and field: a key nobody reads that looks like the title,
 * date or author this record lacks ("headline", "published", "byline"). */
static void warn_unread_keys(in_reader *r, const char *member, json_t *obj,
                             const bool have[IN_N_FIELDS], unsigned *warned) {
  const char *key;
  json_t *v;
  json_object_foreach(obj, key, v) {
    int f = in_field_looks_like(key);
    if (f < 0 || have[f] || (*warned & (1u << f)) || !json_is_string(v))
      continue;
    *warned |= 1u << f;
    in_warn(r, member,
            "key \"%s\" looks like the %s but is not read: to read it, "
            "--field %s=%s",
            key, in_field_name((enum in_field)f),
            in_field_name((enum in_field)f), key);
  }
}

int in_json_article(in_reader *r, const char *member, uint64_t line_no,
                    json_t *obj, const char *raw, size_t raw_len,
                    unsigned *warned) {
  const in_options *o = in_opts(r);
  if (!json_is_object(obj)) {
    in_report(r, member, line_no, "not a JSON object but %s",
              json_type_name(obj));
    return 0;
  }
  if (drop_nuls(obj) != 0 || json_oom) {
    in_report(r, member, line_no, "out of memory");
    return 0;
  }
  /* The body: the first of text, body, content that is a string. */
  json_t *body = field_value(o, obj, IN_F_TEXT);
  if (!body) {
    if (o->n_field_keys[IN_F_TEXT])
      in_report(r, member, line_no,
                "no \"%s\" (or \"text\", \"body\", "
                "\"content\") string",
                o->field_keys[IN_F_TEXT][0]);
    else
      in_report(r, member, line_no,
                "no \"text\" (or \"body\", \"content\") string");
    return 0;
  }
  if (blank_text(json_string_value(body), json_string_length(body))) {
    in_report(r, member, line_no, "empty text");
    return 0;
  }
  /* The id: a string or an integer; absent, the line's place names it. */
  char id_buf[4096];
  const char *id = NULL;
  json_t *idv = field_value(o, obj, IN_F_ID);
  if (json_is_string(idv) && json_string_length(idv) > 0) {
    id = json_string_value(idv);
  } else if (json_is_integer(idv)) {
    snprintf(id_buf, sizeof id_buf, "%" JSON_INTEGER_FORMAT,
             json_integer_value(idv));
    id = id_buf;
  } else if (idv && !json_is_null(idv) && !json_is_string(idv)) {
    in_report(r, member, line_no,
              "\"id\" is %s: it must be a string or an integer",
              json_type_name(idv));
    return 0;
  } else if (!r->file->key) {
    /* Standard input has no name that lasts between runs: its line
     * numbers would make the next run's records replace this run's. The
     * record's own bytes name it, so feeding it again replaces it. */
    snprintf(id_buf, sizeof id_buf, "%s:%016llx", r->file->id_base,
             (unsigned long long)cr_fnv1a64(raw, raw_len));
    id = id_buf;
  } else {
    snprintf(id_buf, sizeof id_buf, "%s%s%s:%llu", r->file->id_base,
             member ? "/" : "", member ? member : "",
             (unsigned long long)line_no);
    id = id_buf;
  }
  /* A date that cannot be read is left out, never guessed. */
  char date_buf[11];
  const char *date = NULL;
  json_t *dv = field_value(o, obj, IN_F_DATE);
  if (json_is_string(dv) &&
      cr_date_parse(json_string_value(dv), json_string_length(dv), true,
                    date_buf))
    date = date_buf;
  cr_article art = {
      .id = id,
      .title = field_str(o, obj, IN_F_TITLE),
      .text = json_string_value(body),
      .text_len = json_string_length(body),
      .date = date,
      .author = field_str(o, obj, IN_F_AUTHOR),
      .source = field_str(o, obj, IN_F_SOURCE),
      .url = field_str(o, obj, IN_F_URL),
      .origin = r->file->key,
  };
  if (warned) {
    bool have[IN_N_FIELDS] = {[IN_F_TITLE] = art.title != NULL,
                              [IN_F_DATE] = dv != NULL,
                              [IN_F_AUTHOR] = art.author != NULL};
    warn_unread_keys(r, member, obj, have, warned);
  }
  return in_emit(r, &art, member, line_no);
}

/* Parses one line into an article and hands it on. Returns what the
 * article callback returned, or 0 when the line was reported. */
static int handle_line(in_reader *r, const char *member, const char *line,
                       size_t len, uint64_t line_no, unsigned *warned) {
  if (blank(line, len)) return 0; /* blank lines separate nothing */
  /* A byte order mark some editors put before the first line. */
  if (line_no == 1 && len >= 3 && memcmp(line, "\xEF\xBB\xBF", 3) == 0) {
    line += 3;
    len -= 3;
  }
  json_error_t jerr;
  json_oom = false;
  json_t *obj = json_loadb(line, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, &jerr);
  if (!obj) {
    if (json_oom || json_error_code(&jerr) == json_error_out_of_memory)
      in_report(r, member, line_no, "out of memory");
    else if (json_error_code(&jerr) == json_error_invalid_utf8)
      in_report(r, member, line_no, "invalid UTF-8 (column %d): %s%s",
                jerr.column, jerr.text, in_encoding_hint(r));
    else
      in_report(r, member, line_no, "malformed JSON (column %d): %s",
                jerr.column, jerr.text);
    return 0;
  }
  int rc = in_json_article(r, member, line_no, obj, line, len, warned);
  json_decref(obj);
  return rc;
}

int in_read_jsonl_stream(in_reader *r, in_stream *s, const char *member) {
  in_json_alloc_hook();
  size_t cap = 2 * IN_BLOCK;
  char *buf = malloc(cap);
  if (!buf) {
    in_report(r, member, 0, "out of memory");
    return -1;
  }
  size_t have = 0;    /* bytes in buf: the unfinished line */
  size_t scanned = 0; /* bytes of it already known to hold no '\n' */
  /* An append is read from the old end: its lines go on counting. */
  uint64_t line_no =
      !member && r->file->start_offset > 0 ? r->file->start_line : 0;
  /* Where buf[0] is in the file, when the stream is the file itself. */
  bool plain = !member && !r->file->compressed && r->file->key &&
               r->file->format == IN_JSONL;
  int64_t base = plain && r->file->start_offset > 0 ? r->file->start_offset : 0;
  uint64_t total = 0;    /* bytes read, to tell an empty input */
  bool skipping = false; /* inside a line too long to hold */
  unsigned warned = 0;   /* fields warned about in this file */
  int rc = 0;
  for (;;) {
    if (cap - have < IN_BLOCK / 2) {
      if (cap >= IN_MAX_LINE_BYTES) {
        /* Drop the line's start; keep reading until its end. */
        if (!skipping)
          in_report(r, member, line_no + 1, "line too long (over %zu MB)",
                    IN_MAX_LINE_BYTES >> 20);
        skipping = true;
        base += (int64_t)have;
        have = scanned = 0;
      } else {
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) {
          in_report(r, member, line_no + 1, "out of memory for a long line");
          rc = -1;
          break;
        }
        buf = bigger;
        cap *= 2;
      }
    }
    ssize_t k = s->read(s, buf + have, cap - have);
    if (k < 0) {
      in_report(r, member, line_no + 1, "%s",
                s->error ? s->error : "read error");
      break;
    }
    total += (uint64_t)k;
    have += (size_t)k;
    bool eof = k == 0;
    size_t start = 0;
    for (;;) {
      char *nl = memchr(buf + scanned, '\n', have - scanned);
      size_t end;
      if (nl) {
        end = (size_t)(nl - buf);
      } else if (eof && have > start) {
        end = have; /* the last line, without a line break */
      } else {
        scanned = have;
        break;
      }
      line_no++;
      r->record_end = plain ? base + (int64_t)(nl ? end + 1 : have) : 0;
      if (!skipping)
        rc = handle_line(r, member, buf + start, end - start, line_no, &warned);
      skipping = false;
      start = scanned = nl ? end + 1 : have;
      if (rc != 0) break;
    }
    if (rc != 0) break;
    if (start > 0) {
      base += (int64_t)start;
      memmove(buf, buf + start, have - start);
      have -= start;
      scanned -= start;
      if (cap > SHRINK_ABOVE && have < IN_BLOCK) {
        char *smaller = realloc(buf, 2 * IN_BLOCK);
        if (smaller) {
          buf = smaller;
          cap = 2 * IN_BLOCK;
        }
      }
    }
    if (eof) break;
  }
  free(buf);
  if (rc == 0 && total == 0 && strcmp(r->file->path, "-") != 0)
    in_report(r, member, 0, "empty file");
  return rc;
}
