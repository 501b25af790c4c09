/* output.c — text and JSON rendering of one page of results. */
#include "output.h"

#include <math.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "buffer.h"
#include "error.h"
#include "utf8.h"

char *out_utf8_clean(const char *s, size_t len) {
  return cr_utf8_clean(s, s ? len : 0, CR_UTF8_NUL_SPACE, NULL);
}

/* Sets key to a cleaned copy of s, or leaves it out when s is NULL.
 * Returns -1 if memory ran out. */
static int set_string(json_t *obj, const char *key, const char *s, size_t len) {
  if (!s) return 0;
  char *clean = out_utf8_clean(s, len);
  if (!clean) return -1;
  json_t *v = json_string_nocheck(clean); /* clean is valid UTF-8 */
  free(clean);
  if (!v || json_object_set_new_nocheck(obj, key, v) != 0) return -1;
  return 0;
}

static int set_cstring(json_t *obj, const char *key, const char *s) {
  return set_string(obj, key, s, s ? strlen(s) : 0);
}

/* Rounded so the JSON says 0.812, not 0.81200000000000006. */
static double round_to(double x, double unit) {
  if (!isfinite(x)) return 0;
  return round(x / unit) * unit;
}

static int put_safe(FILE *f, const char *s);

/* "explain": [{"what": "term", "term": "russ", "weight": 4.1}, ...,
 * {"what": "scaling", "weight": -0.3}, {"what": "proximity", "weight": 1.2}]:
 * the parts add up to the hit's score. */
static json_t *explain_json(const out_hit *h) {
  json_t *list = json_array();
  int rc = list ? 0 : -1;
  double sum = 0;
  for (size_t i = 0; i < h->n_why && !rc; i++) {
    json_t *t = json_object();
    rc |= t ? 0 : -1;
    if (!rc) {
      rc |= json_object_set_new_nocheck(t, "what", json_string("term"));
      rc |= set_cstring(t, "term", h->why[i].term);
      rc |= json_object_set_new_nocheck(
          t, "weight", json_real(round_to(h->why[i].weight, 1e-4)));
    }
    rc |= json_array_append_new(list, t);
    sum += h->why[i].weight;
  }
  const struct {
    const char *what;
    double w;
  } extra[] = {{"scaling", h->bm25 > 0 ? h->bm25 - sum : 0},
               {"proximity", h->bonus}};
  for (size_t i = 0; i < 2 && !rc; i++) {
    if (round_to(extra[i].w, 1e-4) == 0) continue;
    json_t *t = json_object();
    rc |= t ? 0 : -1;
    if (!rc) {
      rc |= json_object_set_new_nocheck(t, "what", json_string(extra[i].what));
      rc |= json_object_set_new_nocheck(t, "weight",
                                        json_real(round_to(extra[i].w, 1e-4)));
    }
    rc |= json_array_append_new(list, t);
  }
  if (rc) {
    json_decref(list);
    return NULL;
  }
  return list;
}

/* "   why: russ 1.65 + name:russia 1.81 - scaling 1.27 + proximity 3.61 = 5.80"
 */
static int explain_line(FILE *f, const out_hit *h) {
  fputs("   why:", f);
  int rc = 0;
  double sum = 0;
  for (size_t i = 0; i < h->n_why; i++) {
    fputs(i ? " + " : " ", f);
    rc |= put_safe(f, h->why[i].term);
    fprintf(f, " %.2f", h->why[i].weight);
    sum += h->why[i].weight;
  }
  if (h->n_why == 0) fputs(" no term weighs (a filter alone)", f);
  double scaling = h->bm25 > 0 ? h->bm25 - sum : 0;
  if (scaling >= 0.005 || scaling <= -0.005)
    fprintf(f, " %s scaling %.2f", scaling < 0 ? "-" : "+",
            scaling < 0 ? -scaling : scaling);
  if (h->bonus >= 0.005) fprintf(f, " + proximity %.2f", h->bonus);
  fprintf(f, " = %.2f\n", h->score);
  return rc;
}

static json_t *hit_json(const out_hit *h) {
  json_t *o = json_object();
  if (!o) return NULL;
  int rc = 0;
  rc |= json_object_set_new_nocheck(o, "rank", json_integer(h->rank));
  rc |= set_cstring(o, "id", h->id ? h->id : "");
  rc |= json_object_set_new_nocheck(o, "score",
                                    json_real(round_to(h->score, 1e-4)));
  rc |= set_cstring(o, "title", h->title);
  rc |= set_cstring(o, "date", h->date);
  rc |= set_cstring(o, "author", h->author);
  rc |= set_cstring(o, "source", h->source);
  rc |= set_cstring(o, "url", h->url);
  rc |= set_cstring(o, "snippet", h->snippet);
  if (h->similar)
    rc |= json_object_set_new_nocheck(o, "similar", json_integer(h->similar));
  if (h->explained)
    rc |= json_object_set_new_nocheck(o, "explain", explain_json(h));
  if (rc) {
    json_decref(o);
    return NULL;
  }
  return o;
}

/* "facets": {"year": [{"value": "2022", "count": 12}, ...], ...} */
static json_t *facets_json(const out_result *r) {
  json_t *all = json_object();
  int rc = all ? 0 : -1;
  for (size_t f = 0; f < r->n_facets && !rc; f++) {
    const out_facet *fa = &r->facets[f];
    json_t *list = json_array();
    rc |= list ? 0 : -1;
    size_t n = fa->n_values;
    if (r->facet_limit && n > r->facet_limit) n = r->facet_limit;
    for (size_t i = 0; i < n && !rc; i++) {
      json_t *v = json_object();
      rc |= v ? 0 : -1;
      if (!rc) {
        rc |= set_cstring(v, "value", fa->values[i].value);
        rc |= json_object_set_new_nocheck(v, "count",
                                          json_integer(fa->values[i].count));
      }
      rc |= json_array_append_new(list, v);
    }
    rc |= json_object_set_new_nocheck(all, fa->name, list);
  }
  if (rc) {
    json_decref(all);
    return NULL;
  }
  return all;
}

static int dump_to_buf(const char *s, size_t n, void *ctx) {
  cr_buf *b = ctx;
  cr_buf_append(b, s, n);
  return b->rc ? -1 : 0;
}

/* Not json_dumps: jansson goes on after a failed append of an object key,
 * and json_dumps then returns JSON with a byte missing. A cr_buf's error
 * is sticky, so nothing is kept after a failure. */
char *out_dump_json(const json_t *o, size_t flags) {
  cr_buf b = {0};
  if (!o || json_dump_callback(o, dump_to_buf, &b, flags) != 0)
    b.rc = b.rc ? b.rc : CR_E_NOMEM;
  return cr_buf_finish(&b, NULL);
}

char *out_json(const out_result *r) {
  json_t *o = json_object();
  json_t *hits = json_array();
  int rc = (!o || !hits) ? -1 : 0;
  if (!rc) {
    rc |= set_string(o, "query", r->query ? r->query : "",
                     r->query ? r->query_len : 0);
    rc |= json_object_set_new_nocheck(o, "estimated_matches",
                                      json_integer(r->estimated));
    rc |= json_object_set_new_nocheck(o, "exact", json_boolean(r->exact));
    rc |= json_object_set_new_nocheck(o, "took_ms",
                                      json_real(round_to(r->took_ms, 1e-3)));
    rc |= set_cstring(o, "note", r->note);
    rc |= set_cstring(o, "error", r->error);
    rc |= set_cstring(o, "suggestion", r->suggestion);
    if (r->n_synonyms) {
      json_t *syn = json_array();
      rc |= syn ? 0 : -1;
      for (size_t i = 0; i < r->n_synonyms && !rc; i++) {
        json_t *one = json_object();
        rc |= one ? 0 : -1;
        if (!rc) {
          rc |= set_cstring(one, "from", r->synonyms[i].from);
          rc |= set_cstring(one, "to", r->synonyms[i].to);
          rc |= json_array_append_new(syn, one);
        }
      }
      if (syn) rc |= json_object_set_new_nocheck(o, "synonyms", syn);
    }
    for (size_t i = 0; i < r->n_hits && !rc; i++)
      rc |= json_array_append_new(hits, hit_json(&r->hits[i]));
    rc |= json_object_set_nocheck(o, "hits", hits);
    if (r->n_facets)
      rc |= json_object_set_new_nocheck(o, "facets", facets_json(r));
  }
  /* No JSON_INDENT: one line with ", " and ": " separators, as DESIGN.md
   * shows; JSON_PRESERVE_ORDER keeps the fields in that order. */
  char *out =
      rc ? NULL
         : out_dump_json(o, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
  json_decref(hits);
  json_decref(o);
  return out;
}

char *out_count_json(const out_result *r) {
  json_t *o = json_object();
  int rc = o ? 0 : -1;
  if (!rc) {
    rc |= set_string(o, "query", r->query ? r->query : "",
                     r->query ? r->query_len : 0);
    rc |= json_object_set_new_nocheck(o, "matches", json_integer(r->estimated));
    rc |= json_object_set_new_nocheck(o, "exact", json_boolean(r->exact));
    rc |= json_object_set_new_nocheck(o, "took_ms",
                                      json_real(round_to(r->took_ms, 1e-3)));
    rc |= set_cstring(o, "note", r->note);
    rc |= set_cstring(o, "error", r->error);
  }
  char *out =
      rc ? NULL
         : out_dump_json(o, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
  json_decref(o);
  return out;
}

char *out_strip_invisible(const char *s) {
  cr_buf b = {0};
  size_t len = strlen(s);
  for (size_t i = 0; i < len && !b.rc;) {
    size_t n = 1;
    cr_utf8_class c = (unsigned char)s[i] >= 0xc0
                          ? cr_utf8_classify(s + i, len - i, &n)
                          : CR_UTF8_TEXT;
    if (c == CR_UTF8_INVISIBLE || c == CR_UTF8_SEPARATOR) {
      if (c == CR_UTF8_SEPARATOR) cr_buf_putc(&b, ' ');
    } else {
      n = 1; /* anything else passes byte by byte, as it is */
      cr_buf_putc(&b, s[i]);
    }
    i += n;
  }
  return cr_buf_finish(&b, NULL);
}

/* Writes s sanitised for a terminal; nothing if s is NULL. Returns -1 if
 * memory ran out (nothing written). */
static int put_safe(FILE *f, const char *s) {
  if (!s) return 0;
  cr_buf b = {0};
  cr_utf8_terminal_into(&b, s, strlen(s), CR_UTF8_STRIP_INVISIBLE);
  char *shown = cr_buf_finish(&b, NULL);
  if (!shown) return -1;
  fputs(shown, f);
  free(shown);
  return 0;
}

void out_say(const char *fmt, ...) {
  char msg[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  /* Control bytes an argument carried show as \xNN: the user sees what
   * was typed, the terminal sees no escape sequence. */
  char shown[4 * sizeof msg];
  size_t o = 0;
  for (const unsigned char *u = (const unsigned char *)msg; *u; u++) {
    if (*u < 0x20 || *u == 0x7f)
      o += (size_t)snprintf(shown + o, sizeof shown - o, "\\x%02x", *u);
    else
      shown[o++] = (char)*u;
  }
  shown[o] = '\0';
  fputs("searcher: ", stderr);
  if (put_safe(stderr, shown) != 0) fputs("(out of memory)", stderr);
  fputc('\n', stderr);
}

/* "year: 2023 (3) · 2022 (12)", the first OUT_FACET_TEXT_MAX values. */
static int facet_line(FILE *f, const out_facet *fa, size_t limit) {
  int rc = 0;
  fprintf(f, "%s:", fa->name);
  if (!limit) limit = OUT_FACET_TEXT_MAX;
  size_t n = fa->n_values < limit ? fa->n_values : limit;
  for (size_t i = 0; i < n; i++) {
    fputs(i ? " \xc2\xb7 " : " ", f);
    rc |= put_safe(f, fa->values[i].value);
    fprintf(f, " (%u)", fa->values[i].count);
  }
  if (fa->n_values > n) fprintf(f, " \xc2\xb7 %zu more", fa->n_values - n);
  if (fa->n_values == 0) fputs(" -", f);
  fputc('\n', f);
  return rc;
}

int out_text(FILE *f, const out_result *r, const out_style *style) {
  bool bold = style && style->bold;
  int rc = 0; /* -1 once memory ran out */
  if (r->suggestion) {
    fputs("Forse cercavi: ", f);
    if (bold) fputs(OUT_BOLD_START, f);
    rc |= put_safe(f, r->suggestion);
    if (bold) fputs(OUT_BOLD_END, f);
    fputs("\n\n", f);
  }
  if (r->n_synonyms) {
    fputs("synonyms: ", f);
    for (size_t i = 0; i < r->n_synonyms; i++) {
      if (i) fputs(" · ", f);
      rc |= put_safe(f, r->synonyms[i].from);
      fputs(" = ", f);
      rc |= put_safe(f, r->synonyms[i].to);
    }
    fputs("\n\n", f);
  }
  for (size_t i = 0; i < r->n_hits; i++) {
    const out_hit *h = &r->hits[i];
    fprintf(f, "%s%u. ", i ? "\n" : "", h->rank);
    if (bold) fputs(OUT_BOLD_START, f);
    rc |= put_safe(f, h->title ? h->title : h->id);
    if (bold) fputs(OUT_BOLD_END, f);
    if (h->similar) fprintf(f, " (+%u similar)", h->similar);
    fputc('\n', f);
    /* The facts line: date · author · source · id, those the article has. */
    const char *facts[] = {h->date, h->author, h->source, h->id};
    bool first = true;
    fputs("   ", f);
    for (size_t k = 0; k < sizeof facts / sizeof *facts; k++) {
      if (!facts[k] || !*facts[k]) continue;
      if (!first) fputs(" \xc2\xb7 ", f);
      rc |= put_safe(f, facts[k]);
      first = false;
    }
    fputc('\n', f);
    /* The snippet was sanitised when it was made, markers included: only
     * its invisible characters go. */
    if (h->url && *h->url) {
      fputs("   ", f);
      rc |= put_safe(f, h->url);
      fputc('\n', f);
    }
    if (h->snippet && *h->snippet) {
      char *shown = out_strip_invisible(h->snippet);
      if (shown)
        fprintf(f, "   %s\n", shown);
      else
        rc = -1;
      free(shown);
    }
    if (h->explained) rc |= explain_line(f, h);
  }
  if (r->n_hits > 0) fputc('\n', f);
  uint32_t first_rank = r->n_hits ? r->hits[0].rank : 0;
  uint32_t last_rank = r->n_hits ? r->hits[r->n_hits - 1].rank : 0;
  /* "about" only when the count is Xapian's estimate. */
  const char *about = r->exact ? "" : "about ";
  const char *matches = r->estimated == 1 && r->exact ? "match" : "matches";
  if (r->n_hits == 0 && r->estimated == 0)
    fprintf(f, "No matches, %.1f ms\n", r->took_ms);
  else if (r->n_hits == 0) /* --offset beyond the last result */
    fprintf(f, "No results on this page, of %s%u %s, %.1f ms\n", about,
            r->estimated, matches, r->took_ms);
  else if (first_rank == 1)
    fprintf(f, "%u of %s%u %s, %.1f ms\n", last_rank, about, r->estimated,
            matches, r->took_ms);
  else
    fprintf(f, "%u-%u of %s%u %s, %.1f ms\n", first_rank, last_rank, about,
            r->estimated, matches, r->took_ms);
  for (size_t i = 0; i < r->n_facets; i++)
    rc |= facet_line(f, &r->facets[i], r->facet_limit);
  return rc || ferror(f) ? -1 : 0;
}
