/* test_maxscore.c — the binding's own MaxScore (cr_search_opts.prune)
 * against Xapian's matcher: over random small indexes with stored term
 * bounds, every top k a pruned search returns is the full ranking cut at
 * k (ids, order, scores to the last bit), the scores are Xapian's, and
 * sharded indexes and updated ones answer as one fresh index. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "xapian_c.h"

static char *dir;
static char path[4096], shard0[4096], shard1[4096];

static void setup(void) {
  dir = th_mkdtemp("maxscore");
  snprintf(path, sizeof path, "%s/db", dir);
  snprintf(shard0, sizeof shard0, "%s/s0", dir);
  snprintf(shard1, sizeof shard1, "%s/s1", dir);
}

static void teardown(void) {
  th_rmtree(dir);
  free(dir);
}

TestSuite(maxscore, .init = setup, .fini = teardown);

/* A small random generator (the same numbers on every machine). */
static uint32_t next_rand(uint32_t *s) {
  *s = *s * 1103515245u + 12345u;
  return (*s >> 8) & 0xffffff;
}

/* Terms t0..t5 with wdfs like stored impacts (1 to 200), t0 the most
 * common; n0 (a name) only in documents holding t0; a date value 0..9. */
#define N_TERMS 6

/* Document i of the index seeded by seed, into doc. */
static void random_doc(cr_doc *doc, uint32_t seed, unsigned i) {
  uint32_t s = seed * 7919u + i * 104729u;
  next_rand(&s);
  bool has_t0 = false;
  for (unsigned j = 0; j < N_TERMS; j++) {
    if (next_rand(&s) % 100 >= 70 - 10 * j) continue;
    char term[8];
    snprintf(term, sizeof term, "t%u", j);
    /* Mostly small impacts, now and then a large one. */
    uint32_t r = next_rand(&s);
    uint32_t wdf = r % 10 == 0 ? 100 + r % 101 : 1 + r % 60;
    cr_assert_eq(cr_doc_add_term(doc, term, strlen(term), wdf, NULL), 0);
    has_t0 |= j == 0;
  }
  if (has_t0 && next_rand(&s) % 3 == 0)
    cr_assert_eq(cr_doc_add_term(doc, "n0", 2, 1 + next_rand(&s) % 40, NULL),
                 0);
  char date = (char)('0' + next_rand(&s) % 10);
  cr_doc_set_value(doc, 0, &date, 1, NULL);
}

static void add_numbered(cr_wdb *db, cr_doc *doc, unsigned i) {
  char id[16];
  snprintf(id, sizeof id, "Q%u", i);
  cr_doc_add_term(doc, id, strlen(id), 0, NULL);
  cr_doc_set_data(doc, id + 1, strlen(id + 1), NULL);
  cr_error err;
  cr_assert_eq(cr_wdb_replace(db, id, doc, &err), 0, "%s", err.message);
}

/* The n documents of seed written into the databases at paths (document
 * i into paths[i % n_paths], so a sharded search numbers them as one
 * index does), each with its bounds stored when bounds is set. */
static void build_random(uint32_t seed, unsigned n, const char *const *paths,
                         size_t n_paths, bool bounds) {
  cr_error err;
  cr_wdb *dbs[2];
  for (size_t p = 0; p < n_paths; p++) {
    dbs[p] = cr_wdb_open(paths[p], CR_WDB_CREATE_OR_OVERWRITE, &err);
    cr_assert_not_null(dbs[p], "%s", err.message);
  }
  cr_doc *doc = cr_doc_new(NULL);
  for (unsigned i = 1; i <= n; i++) {
    cr_doc_clear(doc, NULL);
    random_doc(doc, seed, i);
    add_numbered(dbs[(i - 1) % n_paths], doc, i);
  }
  cr_doc_free(doc);
  for (size_t p = 0; p < n_paths; p++) {
    if (bounds)
      cr_assert_eq(cr_wdb_store_wdf_bounds(dbs[p], NULL, 0, &err), 0, "%s",
                   err.message);
    cr_assert_eq(cr_wdb_close(dbs[p], &err), 0, "%s", err.message);
  }
}

static cr_rdb *open_paths(const char *const *paths, size_t n) {
  cr_error err;
  cr_rdb *r = cr_rdb_open(paths, n, &err);
  cr_assert_not_null(r, "%s", err.message);
  return r;
}

static cr_query *t(const char *term) { return cr_query_term(term, 1, 0, NULL); }

static cr_query *op(int o, cr_query *a, cr_query *b) {
  cr_query *subs[] = {a, b};
  cr_query *q = cr_query_combine(o, subs, 2, 0, NULL);
  cr_query_free(a);
  cr_query_free(b);
  return q;
}

static cr_query *scaled(cr_query *q, double f) {
  cr_query *out = cr_query_scale(q, f, NULL);
  cr_query_free(q);
  return out;
}

/* The query shapes query_parser.c builds of plain words: ORs, the common
 * words only adding weight, a name beside its word, --all and +word,
 * with dates, an exclusion and a part of the shards around them. */
enum { N_SHAPES = 12 };
static const char *const shape_names[N_SHAPES] = {
    "OR of two",
    "OR of four",
    "one term",
    "common words adding weight",
    "a name beside its word",
    "a name beside a common word",
    "every word required (--all)",
    "a required word and optional ones",
    "dates around an OR",
    "an exclusion",
    "scaled as over impacts",
    "dates and an exclusion around names",
};

static cr_query *shape(int k) {
  cr_query *name = scaled(t("n0"), 0.3);
  cr_query *q = NULL;
  switch (k) {
  case 0:
    q = op(CR_OP_OR, t("t1"), t("t2"));
    break;
  case 1:
    q = op(CR_OP_OR, op(CR_OP_OR, t("t1"), t("t2")),
           op(CR_OP_OR, t("t3"), t("t4")));
    break;
  case 2:
    q = t("t3");
    break;
  case 3:
    q = op(CR_OP_AND_MAYBE, op(CR_OP_OR, t("t3"), t("t4")),
           op(CR_OP_OR, t("t0"), t("t1")));
    break;
  case 4:
    q = op(CR_OP_OR,
           op(CR_OP_AND_MAYBE, t("t0"), cr_query_scale(name, 1, NULL)),
           op(CR_OP_OR, t("t4"), t("t5")));
    break;
  case 5:
    q = op(CR_OP_AND_MAYBE, op(CR_OP_OR, t("t4"), t("t5")),
           op(CR_OP_OR,
              op(CR_OP_AND_MAYBE, t("t0"), cr_query_scale(name, 1, NULL)),
              t("t1")));
    break;
  case 6:
    q = op(CR_OP_AND,
           op(CR_OP_AND_MAYBE, t("t0"), cr_query_scale(name, 1, NULL)),
           op(CR_OP_AND, t("t1"), t("t2")));
    break;
  case 7:
    q = op(CR_OP_AND_MAYBE, t("t2"),
           op(CR_OP_OR, op(CR_OP_OR, t("t0"), t("t1")), t("t3")));
    break;
  case 8:
    q = op(CR_OP_FILTER, op(CR_OP_OR, op(CR_OP_OR, t("t0"), t("t2")), t("t4")),
           cr_query_value_range(0, "2", "7", NULL));
    break;
  case 9:
    q = op(CR_OP_AND_NOT, op(CR_OP_OR, op(CR_OP_OR, t("t1"), t("t2")), t("t3")),
           t("t5"));
    break;
  case 10:
    q = scaled(op(CR_OP_OR, op(CR_OP_OR, t("t0"), t("t3")), t("t5")), 0.01);
    break;
  default:
    q = op(CR_OP_FILTER,
           op(CR_OP_AND_NOT,
              op(CR_OP_OR,
                 op(CR_OP_AND_MAYBE, t("t0"), cr_query_scale(name, 1, NULL)),
                 t("t2")),
              t("t4")),
           cr_query_value_range(0, "1", "8", NULL));
    break;
  }
  cr_query_free(name);
  cr_assert_not_null(q, "shape %d", k);
  return q;
}

/* The hits as "id:weight" (every bit of the weight), space-separated,
 * and the match count with whether it is exact. */
static void list_hits(cr_rdb *r, const cr_query *q, const cr_search_opts *o,
                      char *out, size_t size, uint32_t *estimated,
                      bool *exact) {
  cr_error err;
  cr_mset *m = cr_search(r, q, o, &err);
  cr_assert_not_null(m, "%s", err.message);
  out[0] = '\0';
  for (uint32_t i = 0; i < cr_mset_size(m); i++) {
    size_t len, at = strlen(out);
    const char *data = th_mset_data(m, i, &len);
    cr_assert_not_null(data);
    snprintf(out + at, size - at, "%s%.*s:%a", i ? " " : "", (int)len, data,
             cr_mset_weight(m, i));
  }
  if (estimated) *estimated = cr_mset_matches_estimated(m);
  if (exact) *exact = cr_mset_matches_exact(m);
  cr_mset_free(m);
}

/* Options as the searcher's over impacts: BM25 at b = 0 scaled by 0.01. */
static cr_search_opts impact_opts(bool prune) {
  cr_search_opts o = cr_search_opts_default();
  o.bm25 = (cr_bm25){2e4, 0, 1, 0, 0.5, 0.01};
  o.local = true;
  o.prune = prune;
  return o;
}

/* Whether two hit lists name the same ids in the same order with weights
 * equal to within a part in 10^12 (the two sum a document's terms in
 * different orders). */
static bool same_ranking(const char *a, const char *b) {
  for (;;) {
    while (*a == ' ')
      a++;
    while (*b == ' ')
      b++;
    if (!*a || !*b) return !*a && !*b;
    const char *ca = strchr(a, ':'), *cb = strchr(b, ':');
    if (!ca || !cb || ca - a != cb - b || memcmp(a, b, (size_t)(ca - a)))
      return false;
    char *ea, *eb;
    double wa = strtod(ca + 1, &ea), wb = strtod(cb + 1, &eb);
    if (fabs(wa - wb) > 1e-12 * fabs(wb)) return false;
    a = ea;
    b = eb;
  }
}

/* Every shape, page and offset over n_seeds random indexes: a pruned
 * page is the pruned full ranking's cut, to the last bit, and the full
 * ranking is Xapian's (today's path). */
static void compare_pages(uint32_t first_seed, uint32_t n_seeds, bool bounds) {
  static const struct {
    uint32_t offset, count;
  } pages[] = {{0, 1}, {0, 3}, {0, 10}, {2, 3}, {5, 10}};
  const char *paths[] = {path};
  unsigned compared = 0;
  for (uint32_t seed = first_seed; seed < first_seed + n_seeds; seed++) {
    unsigned n = 5 + seed * 37 % 60;
    build_random(seed, n, paths, 1, bounds);
    cr_rdb *r = open_paths(paths, 1);
    for (int k = 0; k < N_SHAPES; k++) {
      cr_query *q = shape(k);
      cr_search_opts full = impact_opts(false), all = impact_opts(true);
      full.count = all.count = full.check_at_least = all.check_at_least = 1000;
      char want[16384], whole[16384];
      uint32_t est_want, est_whole;
      bool exact_want, exact_whole;
      list_hits(r, q, &full, want, sizeof want, &est_want, &exact_want);
      list_hits(r, q, &all, whole, sizeof whole, &est_whole, &exact_whole);
      cr_expect(same_ranking(whole, want),
                "seed %u, %s: pruned full ranking\n%s\nXapian's\n%s", seed,
                shape_names[k], whole, want);
      cr_expect(est_whole == est_want && exact_whole && exact_want,
                "seed %u, %s: every match counted: %u against %u", seed,
                shape_names[k], est_whole, est_want);
      for (size_t p = 0; p < sizeof pages / sizeof *pages; p++) {
        cr_search_opts cut = impact_opts(true);
        cut.offset = pages[p].offset;
        cut.count = pages[p].count;
        cut.check_at_least = cut.offset + cut.count;
        char got[4096], expect[4096];
        list_hits(r, q, &cut, got, sizeof got, NULL, NULL);
        /* The full ranking's entries offset to offset + count. */
        const char *at = whole;
        for (uint32_t skip = 0; skip < cut.offset && at; skip++)
          if ((at = strchr(at, ' '))) at++;
        expect[0] = '\0';
        for (uint32_t c = 0; at && *at && c < cut.count; c++) {
          const char *end = strchr(at, ' ');
          size_t len = end ? (size_t)(end - at) : strlen(at),
                 e = strlen(expect);
          snprintf(expect + e, sizeof expect - e, "%s%.*s", c ? " " : "",
                   (int)len, at);
          at = end ? end + 1 : NULL;
        }
        cr_expect_str_eq(got, expect, "seed %u, %s, offset %u, top %u", seed,
                         shape_names[k], cut.offset, cut.count);
        compared++;
      }
      cr_query_free(q);
    }
    cr_rdb_close(r);
  }
  cr_expect_eq(compared, n_seeds * N_SHAPES * 5);
}

Test(maxscore, a_pruned_page_is_the_full_ranking_cut) {
  compare_pages(1, 40, true);
}

/* Without stored bounds (an index from before them) it prunes by
 * Xapian's and answers the same. */
Test(maxscore, an_index_without_stored_bounds_answers_the_same) {
  compare_pages(100, 10, false);
}

/* The same documents as one index and as two shards: the same hits and
 * the same scores, to the last bit (statistics of the whole, each score
 * summed in query order). */
Test(maxscore, two_shards_score_as_one_index) {
  const char *one[] = {path}, *two[] = {shard0, shard1};
  for (uint32_t seed = 200; seed < 215; seed++) {
    unsigned n = 10 + seed * 13 % 50;
    build_random(seed, n, one, 1, true);
    build_random(seed, n, two, 2, true);
    cr_rdb *r1 = open_paths(one, 1), *r2 = open_paths(two, 2);
    for (int k = 0; k < N_SHAPES; k++) {
      cr_query *q = shape(k);
      cr_search_opts o = impact_opts(true);
      o.count = 3;
      o.check_at_least = 3;
      char a[4096], b[4096];
      list_hits(r1, q, &o, a, sizeof a, NULL, NULL);
      list_hits(r2, q, &o, b, sizeof b, NULL, NULL);
      cr_expect_str_eq(b, a, "seed %u, %s: two shards against one", seed,
                       shape_names[k]);
      cr_query_free(q);
    }
    cr_rdb_close(r1);
    cr_rdb_close(r2);
  }
}

static int bound_of(cr_rdb *r, const char *term) {
  char key[64], *v;
  size_t len;
  snprintf(key, sizeof key, "%s%s", CR_META_WDF_BOUND_PREFIX, term);
  cr_error err;
  cr_assert_eq(cr_rdb_get_metadata(r, key, &v, &len, &err), 0, "%s",
               err.message);
  int out = v ? atoi(v) : -1;
  free(v);
  return out;
}

/* The bounds a build gathers as its shards are written
 * (cr_wdb_gather_bounds) are the ones reading every posting finds, after
 * the shards are compacted into one index: for each random index, in one
 * shard or two, each term's stored bound (or its absence) is the same
 * both ways. A document replaced by one with smaller wdfs may leave a
 * gathered bound loose, never short; a table that outgrows its cap is
 * dropped, and the bounds are read. */
Test(maxscore, gathered_bounds_are_the_bounds_read) {
  const char *terms[] = {"t0", "t1", "t2", "t3", "t4", "t5", "n0"};
  enum { N = sizeof terms / sizeof *terms };
  char read_path[4096];
  snprintf(read_path, sizeof read_path, "%s/read", dir);
  cr_error err;
  for (uint32_t seed = 1; seed <= 12; seed++) {
    const char *shards[] = {shard0, shard1};
    size_t n_shards = seed % 3 == 0 ? 1 : 2;
    /* The last index's tables overflow at 3 terms. */
    size_t cap = seed == 12 ? 3 : 1000;
    cr_wdb *dbs[2];
    cr_wdf_bounds *parts[2];
    for (size_t p = 0; p < n_shards; p++) {
      dbs[p] = cr_wdb_open(shards[p], CR_WDB_CREATE_OR_OVERWRITE, &err);
      cr_assert_not_null(dbs[p], "%s", err.message);
      parts[p] = cr_wdf_bounds_new("Q", cap);
      cr_assert_not_null(parts[p]);
      cr_wdb_gather_bounds(dbs[p], parts[p]);
    }
    cr_doc *doc = cr_doc_new(NULL);
    unsigned n = 20 + seed * 7;
    for (unsigned i = 1; i <= n; i++) {
      cr_doc_clear(doc, NULL);
      random_doc(doc, seed, i);
      add_numbered(dbs[i % n_shards], doc, i);
    }
    /* Odd seeds: document 2 again, its t0 now below every bound. */
    bool replaced = seed % 2 == 1;
    if (replaced) {
      cr_doc_clear(doc, NULL);
      cr_doc_add_term(doc, "t0", 2, 1, NULL);
      add_numbered(dbs[0], doc, 2);
    }
    cr_doc_free(doc);
    for (size_t p = 0; p < n_shards; p++)
      cr_assert_eq(cr_wdb_close(dbs[p], &err), 0, "%s", err.message);
    th_rmtree(path);
    th_rmtree(read_path);
    cr_assert_eq(cr_compact(shards, n_shards, path, &err), 0, "%s",
                 err.message);
    cr_assert_eq(cr_compact(shards, n_shards, read_path, &err), 0, "%s",
                 err.message);
    const char *dests[] = {path, read_path};
    for (size_t d = 0; d < 2; d++) {
      cr_wdb *db = cr_wdb_open(dests[d], CR_WDB_OPEN, &err);
      cr_assert_not_null(db, "%s", err.message);
      cr_assert_eq(cr_wdb_store_wdf_bounds(db, d == 0 ? parts : NULL,
                                           d == 0 ? n_shards : 0, &err),
                   0, "%s", err.message);
      cr_assert_eq(cr_wdb_close(db, &err), 0, "%s", err.message);
    }
    cr_rdb *gathered = open_paths((const char *const[]){path}, 1);
    cr_rdb *read = open_paths((const char *const[]){read_path}, 1);
    size_t bounded = 0; /* terms with a bound below Xapian's */
    for (size_t k = 0; k < N; k++) {
      int g = bound_of(gathered, terms[k]), r = bound_of(read, terms[k]);
      bounded += r >= 0;
      if (replaced && r >= 0)
        cr_expect(g >= r, "seed %u, %s: gathered %d, read %d", seed, terms[k],
                  g, r);
      else
        cr_expect_eq(g, r, "seed %u, %s: gathered %d, read %d", seed, terms[k],
                     g, r);
    }
    cr_expect(bounded > 0, "seed %u: no term has a bound to compare", seed);
    cr_rdb_close(gathered);
    cr_rdb_close(read);
    for (size_t p = 0; p < n_shards; p++)
      cr_wdf_bounds_free(parts[p]);
  }
}

/* A document written after the bounds were stored raises its terms'
 * bounds in the same commit: it is not pruned away. */
Test(maxscore, an_update_keeps_the_bounds_true) {
  const char *paths[] = {path};
  cr_error err;
  cr_wdb *db = cr_wdb_open(path, CR_WDB_CREATE_OR_OVERWRITE, &err);
  cr_assert_not_null(db, "%s", err.message);
  cr_doc *doc = cr_doc_new(NULL);
  /* "a" in every 4th document (wdf 1 to 5), "b" in every 3rd, "c" once
   * with the database's largest wdf: a's bound (5) is stored. */
  for (unsigned i = 1; i <= 30; i++) {
    cr_doc_clear(doc, NULL);
    if (i % 4 == 0) cr_doc_add_term(doc, "a", 1, 1 + i % 5, NULL);
    if (i % 3 == 0) cr_doc_add_term(doc, "b", 1, 2, NULL);
    if (i == 1) cr_doc_add_term(doc, "c", 1, 60, NULL);
    add_numbered(db, doc, i);
  }
  cr_assert_eq(cr_wdb_store_wdf_bounds(db, NULL, 0, &err), 0, "%s",
               err.message);
  cr_assert_eq(cr_wdb_close(db, &err), 0, "%s", err.message);
  cr_rdb *r = open_paths(paths, 1);
  cr_expect_eq(bound_of(r, "a"), 5, "a's largest wdf");
  cr_rdb_close(r);

  db = cr_wdb_open(path, CR_WDB_OPEN, &err);
  cr_assert_not_null(db, "%s", err.message);
  cr_doc_clear(doc, NULL);
  cr_doc_add_term(doc, "a", 1, 50, NULL);
  add_numbered(db, doc, 31);
  cr_assert_eq(cr_wdb_commit(db, &err), 0, "%s", err.message);
  cr_assert_eq(cr_wdb_close(db, &err), 0, "%s", err.message);
  cr_doc_free(doc);

  r = open_paths(paths, 1);
  cr_expect_eq(bound_of(r, "a"), 50, "a's bound after the update");
  cr_query *q = op(CR_OP_OR, t("a"), t("b"));
  cr_search_opts o = impact_opts(true), full = impact_opts(false);
  o.count = o.check_at_least = 1;
  full.count = 1;
  full.check_at_least = 1000;
  char got[256], want[256];
  list_hits(r, q, &o, got, sizeof got, NULL, NULL);
  list_hits(r, q, &full, want, sizeof want, NULL, NULL);
  cr_expect_str_eq(got, want, "the top 1 after the update");
  cr_expect(strncmp(got, "31:", 3) == 0, "the new document leads: %s", got);
  cr_query_free(q);
  cr_rdb_close(r);
}

static int collect(const char *s, size_t len, void *ctx) {
  char *out = ctx;
  size_t at = strlen(out);
  snprintf(out + at, 256 - at, "%s%.*s", at ? " " : "", (int)len, s);
  return 0;
}

/* A pruned search still knows its terms: the hits' matching terms and
 * the terms' frequencies are those of Xapian's search. */
Test(maxscore, matching_terms_and_frequencies_are_kept) {
  const char *paths[] = {path};
  build_random(7, 50, paths, 1, true);
  cr_rdb *r = open_paths(paths, 1);
  cr_query *q = shape(5);
  cr_search_opts a = impact_opts(true), b = impact_opts(false);
  a.count = b.count = 5;
  b.check_at_least = 1000;
  cr_error err;
  cr_mset *ma = cr_search(r, q, &a, &err), *mb = cr_search(r, q, &b, &err);
  cr_assert(ma && mb, "%s", err.message);
  cr_assert_eq(cr_mset_size(ma), cr_mset_size(mb));
  for (uint32_t i = 0; i < cr_mset_size(ma); i++) {
    char ta[256] = "", tb[256] = "";
    cr_assert_eq(cr_mset_docid(ma, i), cr_mset_docid(mb, i));
    cr_assert_eq(cr_mset_matching_terms(ma, i, collect, ta, &err), 0);
    cr_assert_eq(cr_mset_matching_terms(mb, i, collect, tb, &err), 0);
    cr_expect_str_eq(ta, tb, "hit %u's matching terms", i);
  }
  for (int j = 0; j < N_TERMS; j++) {
    char term[8];
    snprintf(term, sizeof term, "t%d", j);
    uint32_t fa, fb;
    cr_assert_eq(cr_mset_termfreq(ma, term, &fa, &err), 0);
    cr_assert_eq(cr_mset_termfreq(mb, term, &fb, &err), 0);
    cr_expect_eq(fa, fb, "%s's frequency", term);
  }
  cr_mset_free(ma);
  cr_mset_free(mb);
  cr_query_free(q);
  cr_rdb_close(r);
}
