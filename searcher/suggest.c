/* suggest.c — spelling corrections of a query (see suggest.h). */
#include "suggest.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "schema.h"

/* A rare word of the query, and what replaces it. */
typedef struct candidate {
  size_t start, end;
  cr_suggest_case what; /* its counts, for the policy */
  char *replacement;
} candidate;

typedef struct scan {
  cr_rdb *db;
  const cr_mset *m; /* the query's match: its words' counts, or NULL */
  char **plain;     /* the query's unprefixed terms */
  size_t n_plain;
  candidate c[SR_SUGGEST_MAX_WORDS];
  size_t n;
  uint32_t matches; /* what the query as typed finds */
  cr_error *err;    /* filled when a step failed (failed is set) */
  bool failed;
} scan;

static int add_plain(const char *term, size_t len, void *ctx) {
  scan *s = ctx;
  if (len == 0 || cr_schema_is_prefixed(term)) return 0; /* fields */
  char **p = realloc(s->plain, (s->n_plain + 1) * sizeof *p);
  if (p) s->plain = p;
  if (!p || !(p[s->n_plain] = strndup(term, len))) {
    cr_error_set(s->err, CR_E_NOMEM, "out of memory");
    s->failed = true;
    return 1;
  }
  s->n_plain++;
  return 0;
}

static bool is_plain(const scan *s, const char *term) {
  for (size_t i = 0; i < s->n_plain; i++)
    if (strcmp(s->plain[i], term) == 0) return true;
  return false;
}

static int find_rare(const cr_token *t, void *ctx) {
  scan *s = ctx;
  if (s->n == SR_SUGGEST_MAX_WORDS) return 1;
  if (t->is_stop || t->end - t->start < CR_SPELLING_MIN_BYTES ||
      !is_plain(s, t->term))
    return 0;
  cr_suggest_case what = {s->matches, 0, 0, t->end - t->start};
  /* A word of the query: the match counted it (over remote shards a
   * lookup is a round trip to each server in turn). */
  if ((s->m ? cr_mset_termfreq(s->m, t->term, &what.word_tf, s->err)
            : cr_rdb_termfreq(s->db, t->term, &what.word_tf, s->err)) != 0) {
    s->failed = true;
    return 1;
  }
  /* Among plenty of matches, a word the archive writes as a name (a
   * rare surname) is left alone: its name term is asked only then. */
  if (what.matches > CR_SUGGEST_FEW_MATCHES && what.word_tf > 0 &&
      cr_suggest_candidate(&what)) {
    char name[CR_MAX_TERM_BYTES + 8];
    snprintf(name, sizeof name, "%s%s", CR_PREFIX_NAME, t->word);
    if (cr_rdb_termfreq(s->db, name, &what.name_tf, s->err) != 0) {
      s->failed = true;
      return 1;
    }
  }
  if (cr_suggest_candidate(&what))
    s->c[s->n++] = (candidate){t->start, t->end, what, NULL};
  return 0;
}

/* The one term the analyzer makes of a word ("" if none). */
static int first_term(const cr_token *t, void *ctx) {
  if (t->is_stop) return 0;
  snprintf(ctx, CR_MAX_TERM_BYTES + 1, "%s", t->term);
  return 1;
}

/* The suggestion with the typed word's capital initial, if it had one. */
static char *match_case(const char *typed, size_t typed_len, char *sugg) {
  utf8proc_int32_t first, upper;
  if (utf8proc_iterate((const utf8proc_uint8_t *)typed,
                       (utf8proc_ssize_t)typed_len, &first) <= 0 ||
      !utf8proc_isupper(first))
    return sugg;
  utf8proc_ssize_t n =
      utf8proc_iterate((const utf8proc_uint8_t *)sugg, -1, &upper);
  if (n <= 0) return sugg;
  utf8proc_uint8_t head[4];
  utf8proc_ssize_t hn = utf8proc_encode_char(utf8proc_toupper(upper), head);
  size_t rest = strlen(sugg) - (size_t)n;
  char *out = malloc((size_t)hn + rest + 1);
  if (!out) return sugg;
  memcpy(out, head, (size_t)hn);
  memcpy(out + hn, sugg + n, rest + 1);
  free(sugg);
  return out;
}

/* The correction of candidate c in *out, or NULL if none is clearly
 * better: 0, or -1 with err filled when a lookup failed. */
static int correct(cr_rdb *db, cr_analyzer *an, const char *text,
                   const candidate *c, char **out, cr_error *err) {
  *out = NULL;
  utf8proc_uint8_t *folded = NULL;
  utf8proc_ssize_t n =
      utf8proc_map((const utf8proc_uint8_t *)text + c->start,
                   (utf8proc_ssize_t)(c->end - c->start), &folded,
                   UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
  if (n < 0) return 0; /* a word utf8proc cannot fold has no correction */
  unsigned edits = cr_suggest_max_edits(&c->what);
  char *sugg;
  int rc =
      cr_rdb_spelling_suggestion(db, (const char *)folded, edits, &sugg, err);
  free(folded);
  if (rc != 0 || !sugg) return rc;
  char term[CR_MAX_TERM_BYTES + 1] = "";
  cr_analyze(an, sugg, strlen(sugg), 0, first_term, term);
  uint32_t tf = 0;
  if (*term && cr_rdb_termfreq(db, term, &tf, err) != 0) {
    free(sugg);
    return -1;
  }
  if (!cr_suggest_accept(&c->what, tf)) {
    free(sugg);
    return 0;
  }
  *out = match_case(text + c->start, c->end - c->start, sugg);
  return 0;
}

int sr_suggest(cr_rdb *db, cr_analyzer *an, const char *text, size_t len,
               const cr_query *q, const cr_mset *m, uint32_t matches,
               char **result, bool *rare, cr_error *err) {
  *rare = false;
  *result = NULL;
  if (!q || !text) return 0;
  scan s = {.db = db, .m = m, .matches = matches, .err = err};
  char *out = NULL;
  if (cr_query_terms(q, add_plain, &s, err) != 0) {
    s.failed = true;
    goto done;
  }
  if (s.n_plain == 0) goto done;
  if (cr_analyze(an, text, len, 0, find_rare, &s) < 0 && !s.failed) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    s.failed = true;
  }
  if (s.failed) goto done;
  *rare = s.n > 0;
  size_t extra = 0;
  bool any = false;
  for (size_t i = 0; i < s.n; i++) {
    if (correct(db, an, text, &s.c[i], &s.c[i].replacement, err) != 0) {
      s.failed = true;
      goto done;
    }
    if (s.c[i].replacement) {
      any = true;
      extra += strlen(s.c[i].replacement);
    }
  }
  if (!any) goto done;
  if (!(out = malloc(len + extra + 1))) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    s.failed = true;
    goto done;
  }
  size_t o = 0, at = 0;
  for (size_t i = 0; i < s.n; i++) { /* candidates are in text order */
    if (!s.c[i].replacement) continue;
    memcpy(out + o, text + at, s.c[i].start - at);
    o += s.c[i].start - at;
    size_t rl = strlen(s.c[i].replacement);
    memcpy(out + o, s.c[i].replacement, rl);
    o += rl;
    at = s.c[i].end;
  }
  memcpy(out + o, text + at, len - at);
  out[o + len - at] = '\0';
  *result = out;
done:
  for (size_t i = 0; i < s.n; i++)
    free(s.c[i].replacement);
  for (size_t i = 0; i < s.n_plain; i++)
    free(s.plain[i]);
  free(s.plain);
  return s.failed ? -1 : 0;
}
