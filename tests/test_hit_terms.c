/* test_hit_terms.c — the query terms a hit holds, copied out of the
 * binding (searcher/hit_terms.c). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "hit_terms.h"

static char *dir;

static void setup(void) { dir = th_mkdtemp("hit_terms"); }
static void teardown(void) {
  th_rmtree(dir);
  free(dir);
}

TestSuite(hit_terms, .init = setup, .fini = teardown);

/* Three articles as their terms: the id term, then words at positions. */
static const char *const articles[][2] = {
    {"Qa", "guerr ucrain russ"},
    {"Qb", "russ gas prezz"},
    {"Qc", "costa cesar cost"},
};

static void build(void) {
  cr_error err;
  cr_wdb *db = cr_wdb_open(dir, CR_WDB_CREATE_OR_OVERWRITE, &err);
  cr_assert_not_null(db, "%s", err.message);
  cr_doc *doc = cr_doc_new(NULL);
  for (size_t i = 0; i < sizeof articles / sizeof *articles; i++) {
    cr_doc_clear(doc, NULL);
    char words[64];
    snprintf(words, sizeof words, "%s", articles[i][1]);
    uint32_t pos = 1;
    for (char *w = strtok(words, " "); w; w = strtok(NULL, " "))
      cr_assert_eq(cr_doc_add_posting(doc, w, strlen(w), pos++, 1, NULL), 0);
    const char *id = articles[i][0];
    cr_doc_add_term(doc, id, strlen(id), 0, NULL);
    cr_doc_set_data(doc, id + 1, 1, NULL);
    cr_assert_eq(cr_wdb_replace(db, id, doc, &err), 0, "%s", err.message);
  }
  cr_doc_free(doc);
  cr_assert_eq(cr_wdb_close(db, &err), 0, "%s", err.message);
}

static cr_rdb *build_and_open(void) {
  build();
  const char *paths[] = {dir};
  cr_error err;
  cr_rdb *r = cr_rdb_open(paths, 1, &err);
  cr_assert_not_null(r, "%s", err.message);
  return r;
}

/* "id=term,term;" for each hit of the OR of words, in docid order. */
static void read_all(cr_rdb *r, const char *words, bool local, char *out,
                     size_t size) {
  cr_query *subs[4];
  size_t n = 0;
  char buf[64];
  snprintf(buf, sizeof buf, "%s", words);
  for (char *w = strtok(buf, " "); w && n < 4; w = strtok(NULL, " ")) {
    subs[n] = cr_query_term(w, 1, (uint32_t)n + 1, NULL);
    n++;
  }
  cr_query *q = cr_query_combine(CR_OP_OR, subs, n, 0, NULL);
  for (size_t k = 0; k < n; k++)
    cr_query_free(subs[k]);
  cr_search_opts o = cr_search_opts_default();
  o.local = local;
  o.sort_slot = -1;
  cr_error err;
  cr_mset *m = cr_search(r, q, &o, &err);
  cr_assert_not_null(m, "%s", err.message);
  /* Hits by id, so ties in weight do not move the expected text. */
  char lines[8][64] = {{0}};
  for (uint32_t i = 0; i < cr_mset_size(m); i++) {
    sr_hit_terms t = {0};
    cr_assert_eq(sr_hit_terms_read(m, i, &t, &err), 0, "%s", err.message);
    size_t len;
    const char *id = th_mset_data(m, i, &len);
    size_t slot = (size_t)(id[0] - 'a');
    cr_assert(slot < 8);
    snprintf(lines[slot], sizeof lines[slot], "%c=", id[0]);
    for (size_t k = 0; k < t.n; k++) {
      strcat(lines[slot], t.terms[k]);
      strcat(lines[slot], k + 1 < t.n ? "," : "");
    }
    strcat(lines[slot], ";");
    sr_hit_terms_free(&t);
    cr_expect_eq(t.n, 0);
    cr_expect_null(t.terms);
  }
  out[0] = '\0';
  for (size_t k = 0; k < 8; k++)
    strncat(out, lines[k], size - strlen(out) - 1);
  cr_mset_free(m);
  cr_query_free(q);
}

Test(hit_terms, each_hit_holds_the_query_terms_it_has_in_query_order) {
  cr_rdb *r = build_and_open();
  static const struct {
    const char *query, *want;
  } cases[] = {
      {"russ", "a=russ;b=russ;"},
      {"russ guerr", "a=russ,guerr;b=russ;"},
      {"guerr russ", "a=guerr,russ;b=russ;"},
      {"costa cost", "c=costa,cost;"},
      {"gas costa Qa", "a=Qa;b=gas;c=costa;"},
      {"russ russ", "a=russ;b=russ;"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    for (int local = 0; local < 2; local++) {
      char got[256];
      read_all(r, cases[i].query, local, got, sizeof got);
      cr_expect_str_eq(got, cases[i].want, "%s (local %d)", cases[i].query,
                       local);
    }
  cr_rdb_close(r);
}

Test(hit_terms, a_hit_past_the_page_fails_and_leaves_nothing) {
  cr_rdb *r = build_and_open();
  cr_error err;
  cr_query *q = cr_query_term("russ", 1, 1, NULL);
  for (int local = 0; local < 2; local++) {
    cr_search_opts o = cr_search_opts_default();
    o.local = local;
    cr_mset *m = cr_search(r, q, &o, &err);
    cr_assert_not_null(m, "%s", err.message);
    cr_assert_eq(cr_mset_size(m), 2);
    sr_hit_terms t = {0};
    cr_error_clear(&err);
    cr_expect_eq(sr_hit_terms_read(m, 2, &t, &err), -1, "local %d", local);
    cr_expect_neq(err.code, 0);
    cr_expect_eq(t.n, 0);
    cr_expect_null(t.terms);
    cr_mset_free(m);
  }
  cr_query_free(q);
  cr_rdb_close(r);
}
