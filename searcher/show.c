/* show.c — reading one whole article (--show ID); see show.h. */
#include "show.h"

#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "hit_terms.h"
#include "output.h"
#include "schema.h"
#include "snippet.h"
#include "utf8.h"

/* s[0..len) with each line highlighted on its own, so paragraphs stay
 * (cr_snippet turns a newline into a space). NULL if memory ran out. */
static char *mark_lines(cr_analyzer *an, const char *s, size_t len,
                        const sr_hit_terms *t, const cr_snippet_opts *base) {
  size_t cap = len * 2 + 64, n = 0;
  char *out = malloc(cap);
  if (!out) return NULL;
  for (size_t i = 0; i <= len;) {
    const char *nl = memchr(s + i, '\n', len - i);
    size_t end = nl ? (size_t)(nl - s) : len;
    cr_snippet_opts so = *base;
    so.max_bytes = end - i + 1;
    char *line = end > i ? cr_snippet(an, s + i, end - i,
                                      (const char *const *)t->terms, t->n, &so)
                         : strdup("");
    if (!line) {
      free(out);
      return NULL;
    }
    size_t ll = strlen(line);
    if (n + ll + 2 > cap) {
      cap = (n + ll + 2) * 2;
      char *more = realloc(out, cap);
      if (!more) {
        free(line);
        free(out);
        return NULL;
      }
      out = more;
    }
    memcpy(out + n, line, ll);
    n += ll;
    free(line);
    if (!nl) break;
    out[n++] = '\n';
    i = end + 1;
  }
  out[n] = '\0';
  return out;
}

/* Runs the query on the article alone and highlights what matched. */
static int highlight(sr_engine *e, const char *id, const char *query,
                     size_t len, const sr_params *p, sr_article *a,
                     cr_error *err) {
  sr_params q = *p;
  q.only_id = id;
  q.like = NULL;
  q.search.count = 1;
  q.search.offset = 0;
  q.search.sort_slot = -1;
  q.rerank.depth = 0;
  q.snippets = false;
  q.suggest = false;
  q.collapse = false;
  q.n_facets = 0;
  sr_page page;
  if (sr_run(e, query, len, &q, &page, err) != 0) {
    sr_page_free(&page);
    return -1;
  }
  a->queried = true;
  a->matched = page.result.n_hits == 1 && page.mset;
  int rc = 0;
  if (a->matched) {
    sr_hit_terms t = {0};
    if (sr_hit_terms_read(page.mset, 0, &t, err) != 0) {
      sr_page_free(&page);
      return -1;
    }
    cr_snippet_opts so = p->snippet;
    so.patterns = page.patterns;
    so.n_patterns = page.n_patterns;
    cr_analyzer *an = sr_engine_analyzer(e);
    a->marked = mark_lines(an, a->text, strlen(a->text), &t, &so);
    if (a->title)
      a->marked_title = mark_lines(an, a->title, strlen(a->title), &t, &so);
    if (!a->marked || (a->title && !a->marked_title)) {
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      rc = -1;
    }
    sr_hit_terms_free(&t);
  }
  sr_page_free(&page);
  return rc;
}

int sr_show(sr_engine *e, const char *id, const char *query, size_t len,
            const sr_params *p, sr_article *a, cr_error *err) {
  memset(a, 0, sizeof *a);
  cr_rdb *db = sr_engine_db(e);
  char id_term[CR_ID_TERM_SIZE];
  cr_schema_id_term(id, id_term);
  cr_docid doc;
  if (cr_rdb_docid_of(db, id_term, &doc, err) != 0) return -1;
  if (!doc) {
    cr_error_set(
        err, CR_E_NOT_FOUND,
        "--show: no article with id '%s' in this index (ids are in "
        "the results: searcher -d INDEX --format tsv --fields id WORDS)",
        id);
    return -1;
  }
  size_t card_len = 0, packed_len = 0;
  char *card = NULL, *packed = NULL;
  if (cr_rdb_doc_value(db, doc, CR_SLOT_CARD, &card, &card_len, err) != 0 ||
      cr_rdb_doc_value(db, doc, CR_SLOT_TEXT, &packed, &packed_len, err) != 0) {
    free(card);
    return -1;
  }
  int rc = 0;
  if (!card || cr_stored_parse(card, card_len, &a->stored, err) != 0) {
    cr_error_set(err, CR_E_CORRUPT,
                 "--show: article '%s' has no readable card (check the index "
                 "with xapian-check)",
                 id);
    rc = -1;
  }
  const char *text = NULL;
  size_t text_len = 0;
  if (rc == 0 && packed) {
    cr_error uerr;
    text = cr_text_unpack(sr_engine_textpack(e), packed, packed_len, &text_len,
                          &uerr);
  }
  if (rc == 0) {
    a->text = strndup(text ? text : "", text ? text_len : 0);
    if (!a->text ||
        (a->stored.title_derived &&
         cr_stored_derive_title(&a->stored, a->text, strlen(a->text)) != 0)) {
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      rc = -1;
    }
  }
  free(card);
  free(packed);
  if (rc != 0) {
    sr_article_free(a);
    return -1;
  }
  a->id = a->stored.id ? a->stored.id : id;
  a->title = a->stored.title;
  a->date = a->stored.date;
  a->author = a->stored.author;
  a->source = a->stored.source;
  a->url = a->stored.url;
  if (query && len > 0 && highlight(e, id, query, len, p, a, err) != 0) {
    sr_article_free(a);
    return -1;
  }
  return 0;
}

void sr_article_free(sr_article *a) {
  if (!a) return;
  free(a->text);
  free(a->marked);
  free(a->marked_title);
  cr_stored_free(&a->stored);
  memset(a, 0, sizeof *a);
}

/* s made safe for a terminal, line by line (newlines kept). */
static void put_lines(FILE *f, const char *s, bool already_clean) {
  while (s) {
    const char *nl = strchr(s, '\n');
    size_t n = nl ? (size_t)(nl - s) : strlen(s);
    char *clean =
        already_clean ? strndup(s, n) : cr_sanitize_for_terminal(s, n);
    char *shown = clean ? out_strip_invisible(clean) : NULL;
    if (shown) fputs(shown, f);
    free(shown);
    free(clean);
    fputc('\n', f);
    s = nl ? nl + 1 : NULL;
  }
}

int sr_article_text(FILE *f, const sr_article *a, bool bold) {
  if (bold) fputs(OUT_BOLD_START, f);
  if (a->marked_title)
    put_lines(f, a->marked_title, true);
  else
    put_lines(f, a->title ? a->title : a->id, false);
  if (bold) fputs(OUT_BOLD_END, f);
  const char *facts[] = {a->date, a->author, a->source, a->id};
  bool first = true;
  char line[4096] = "";
  size_t n = 0;
  for (size_t k = 0; k < sizeof facts / sizeof *facts; k++) {
    if (!facts[k] || !*facts[k]) continue;
    n += (size_t)snprintf(line + n, n < sizeof line ? sizeof line - n : 0,
                          "%s%s", first ? "" : " \xc2\xb7 ", facts[k]);
    if (n >= sizeof line) n = sizeof line - 1;
    first = false;
  }
  put_lines(f, line, false);
  if (a->url && *a->url) put_lines(f, a->url, false);
  fputc('\n', f);
  if (a->marked)
    put_lines(f, a->marked, true);
  else
    put_lines(f, a->text, false);
  return ferror(f) ? -1 : 0;
}

static int set_str(json_t *o, const char *key, const char *s, size_t len) {
  if (!s) return 0;
  char *clean = out_utf8_clean(s, len);
  if (!clean) return -1;
  int rc = json_object_set_new_nocheck(o, key, json_string_nocheck(clean));
  free(clean);
  return rc;
}

static int set_c(json_t *o, const char *key, const char *s) {
  return set_str(o, key, s, s ? strlen(s) : 0);
}

char *sr_article_json(const sr_article *a, const char *query, size_t len) {
  json_t *o = json_object();
  if (!o) return NULL;
  int rc = 0;
  rc |= set_c(o, "id", a->id);
  rc |= set_c(o, "title", a->title);
  rc |= set_c(o, "date", a->date);
  rc |= set_c(o, "author", a->author);
  rc |= set_c(o, "source", a->source);
  rc |= set_c(o, "url", a->url);
  rc |= set_c(o, "text", a->text);
  if (a->queried) {
    rc |= set_str(o, "query", query, len);
    rc |= json_object_set_new_nocheck(o, "matched", json_boolean(a->matched));
    rc |= set_c(o, "marked_title", a->marked_title);
    rc |= set_c(o, "marked", a->marked);
  }
  char *out = rc ? NULL : out_dump_json(o, JSON_PRESERVE_ORDER);
  json_decref(o);
  return out;
}
