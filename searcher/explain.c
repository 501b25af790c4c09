/* explain.c — per-term BM25 weights of one hit; see explain.h. */
#include "explain.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

void sr_explain_term_name(const char *term, char *out, size_t size) {
  static const struct {
    const char *prefix, *field;
  } names[] = {
      {CR_PREFIX_SOURCE, "source:"}, {CR_PREFIX_FILE, "file:"},
      {CR_PREFIX_TITLE, "title:"},   {CR_PREFIX_AUTHOR, "author:"},
      {CR_PREFIX_ID, "id:"},         {CR_PREFIX_NAME, "name:"},
      {CR_PREFIX_STOP, "stop:"},     {CR_PREFIX_YEAR, "year:"},
      {CR_PREFIX_MONTH, "month:"},   {CR_PREFIX_DAY, "day:"},
  };
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    size_t n = strlen(names[i].prefix);
    if (strncmp(term, names[i].prefix, n) == 0) {
      snprintf(out, size, "%s%s", names[i].field, term + n);
      return;
    }
  }
  snprintf(out, size, "%s", term);
}

/* The weight the term alone gives the article (0 if it lacks it). */
static int term_weight(cr_rdb *db, const cr_bm25 *bm25, const char *id_term,
                       const char *term, double *w, cr_error *err) {
  cr_query *both[2] = {cr_query_term(term, 1, 0, err), NULL};
  if (both[0]) both[1] = cr_query_term(id_term, 1, 0, err);
  cr_query *q = both[0] && both[1]
                    ? cr_query_combine(CR_OP_FILTER, both, 2, 0, err)
                    : NULL;
  cr_query_free(both[0]);
  cr_query_free(both[1]);
  if (!q) return -1; /* the binding said why */
  cr_search_opts so = cr_search_opts_default();
  so.bm25 = *bm25;
  so.count = 1;
  cr_mset *m = cr_search(db, q, &so, err);
  cr_query_free(q);
  if (!m) return -1;
  *w = cr_mset_size(m) ? cr_mset_weight(m, 0) : 0;
  cr_mset_free(m);
  return 0;
}

static int by_weight(const void *a, const void *b) {
  const out_explain_term *x = a, *y = b;
  return (x->weight < y->weight) - (x->weight > y->weight);
}

int sr_explain_terms(cr_rdb *db, const cr_bm25 *bm25, const char *id,
                     const char *const *terms, size_t n_terms,
                     out_explain_term **parts, size_t *n, cr_error *err) {
  *parts = NULL;
  *n = 0;
  if (n_terms == 0) return 0;
  out_explain_term *p = calloc(n_terms, sizeof *p);
  if (!p) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  char id_term[CR_ID_TERM_SIZE];
  cr_schema_id_term(id, id_term);
  for (size_t i = 0; i < n_terms; i++) {
    double w = 0;
    char name[512];
    if (term_weight(db, bm25, id_term, terms[i], &w, err) != 0) {
      sr_explain_free(p, i);
      return -1;
    }
    sr_explain_term_name(terms[i], name, sizeof name);
    p[i].term = strdup(name);
    p[i].weight = w;
    if (!p[i].term) {
      sr_explain_free(p, i + 1);
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      return -1;
    }
  }
  qsort(p, n_terms, sizeof *p, by_weight);
  *parts = p;
  *n = n_terms;
  return 0;
}

void sr_explain_free(out_explain_term *parts, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(parts[i].term);
  free(parts);
}
