/* like.c — the query for articles similar to one (see like.h). */
#include "like.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

typedef struct terms {
  cr_query *q[SR_LIKE_TERMS];
  size_t n;
  bool failed; /* a query could not be made: err says why */
  cr_error *err;
} terms;

static int add_term(const char *term, size_t len, double weight, void *ctx) {
  (void)weight; /* BM25 weighs them again against each candidate */
  terms *t = ctx;
  if (t->n == SR_LIKE_TERMS) return 1;
  char buf[CR_MAX_TERM_BYTES + 1];
  if (len > CR_MAX_TERM_BYTES) return 0;
  memcpy(buf, term, len);
  buf[len] = '\0';
  if (!(t->q[t->n] = cr_query_term(buf, 1, 0, t->err))) {
    t->failed = true;
    return 1;
  }
  t->n++;
  return 0;
}

/* The terms similar articles are found by: the words of titles and
 * bodies, not the fields'. */
static bool is_word(const char *term, size_t len) {
  return len > 0 && !cr_schema_is_prefixed(term);
}

/* q AND NOT not, taking ownership of both; NULL with err filled when
 * either is NULL (its maker filled err) or they cannot be combined. */
static cr_query *and_not(cr_query *q, cr_query * not, cr_error *err) {
  cr_query *both[2] = {q, not };
  cr_query *r =
      q && not ? cr_query_combine(CR_OP_AND_NOT, both, 2, 0, err) : NULL;
  cr_query_free(q);
  cr_query_free(not );
  return r;
}

cr_query *sr_like_query(cr_rdb *db, const char *id, bool exclude_group,
                        cr_error *err) {
  char id_term[CR_ID_TERM_SIZE];
  cr_schema_id_term(id, id_term);
  cr_docid doc;
  if (cr_rdb_docid_of(db, id_term, &doc, err) != 0) return NULL;
  if (!doc) {
    cr_error_set(err, CR_E_NOT_FOUND, "--like: no article with id '%s' here",
                 id);
    return NULL;
  }
  terms t = {.err = err};
  if (cr_rdb_expand(db, &doc, 1, SR_LIKE_TERMS, is_word, add_term, &t, err) < 0)
    return NULL;
  cr_query *q = t.failed ? NULL : cr_query_combine(CR_OP_OR, t.q, t.n, 0, err);
  for (size_t i = 0; i < t.n; i++)
    cr_query_free(t.q[i]);
  if (q) q = and_not(q, cr_query_term(id_term, 1, 0, err), err);
  if (q && exclude_group) {
    size_t len = 0;
    char *key;
    if (cr_rdb_doc_value(db, doc, CR_SLOT_CLUSTER, &key, &len, err) != 0) {
      cr_query_free(q);
      return NULL;
    }
    if (key)
      q = and_not(q, cr_query_value_range(CR_SLOT_CLUSTER, key, key, err), err);
    free(key);
  }
  return q; /* NULL: err was filled where it failed */
}
