/* test_search_threads.c — a sharded search in threads gives one search's
 * answers.
 *
 * Before the tests (in Criterion's runner process) the same articles are
 * indexed twice with the real indexer: as one index, and with --shards 3.
 * The input is corpus/, plus the DICE articles when ../shared has them
 * (not under ThreadSanitizer, whose indexer is too slow for them). Then,
 * for a table of queries (phrases, quoted words, wildcards, date filters,
 * --sort date, --collapse, facets, offsets, names such as Costa):
 *   - in process (sr_run), the shards searched in 2 and 3 threads give
 *     what one thread gives: the same ids in the same order, bit-identical
 *     scores, the same facet counts and folded reprints, and the same
 *     match count wherever one thread's count is exact;
 *   - the shards in threads give the one index's scores, bit for bit, and
 *     its ids (ties, whose order follows docids, as sets), and its counts
 *     when they are exact;
 *   - the searcher program (its ThreadSanitizer build under
 *     scripts/tsan.sh), with --threads 3, 2 and 1, prints the same JSON
 *     but for the time taken.
 * Synonyms are on, as in the program: each thread reads the table on its
 * own handle.
 */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "schema.h"
#include "search.h"

#define ENV_DIR "CRONACA_TEST_SEARCH_THREADS_DIR"
#define DICE SHARED_DATA_DIR "/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz"

#ifndef SEARCHER_THREADS_BIN
#define SEARCHER_THREADS_BIN SEARCHER_BIN
#endif

static char *tmp_dir;
static char single_idx[4096], sharded_idx[4096];

static void set_paths(const char *dir) {
  snprintf(single_idx, sizeof single_idx, "%s/single", dir);
  snprintf(sharded_idx, sizeof sharded_idx, "%s/sharded", dir);
}

static void build(const char *shards, const char *dest, bool dice) {
  char *argv[10];
  size_t n = 0;
  argv[n++] = INDEXER_BIN;
  argv[n++] = "-q";
  if (shards) {
    argv[n++] = "--shards";
    argv[n++] = (char *)shards;
  }
  argv[n++] = "-d";
  argv[n++] = (char *)dest;
  if (dice) argv[n++] = DICE;
  argv[n++] = CORPUS_DIR;
  argv[n] = NULL;
  th_run r = th_exec(argv, NULL);
  if (r.status != 0) {
    char file[4096];
    snprintf(file, sizeof file, "%s/setup-error", tmp_dir);
    th_write_file(file, r.err, strlen(r.err));
  }
  th_run_free(&r);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set) {
  (void)set;
  tmp_dir = th_setup_begin("search-threads", ENV_DIR);
  set_paths(tmp_dir);
#ifdef CRONACA_TSAN_BUILD
  bool dice = false;
#else
  bool dice = th_exists(DICE);
#endif
  build(NULL, single_idx, dice);
  build("3", sharded_idx, dice);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats) {
  (void)stats;
  th_setup_end(&tmp_dir);
}

static void need_indexes(void) {
  free(tmp_dir);
  tmp_dir = th_setup_enter(ENV_DIR);
  set_paths(tmp_dir);
}

/* ---- The table ---------------------------------------------------------- */

typedef struct qcase {
  const char *query;
  int sort;      /* 0 relevance, 1 newest first, -1 oldest first */
  bool collapse; /* --collapse */
  bool facets;   /* --facet year --facet source --facet author */
  bool all;      /* --all */
  bool count;    /* --count: every match counted */
  bool wildcard; /* expanded shard by shard: scores differ from one index's */
  uint32_t offset, n;
} qcase;

static const qcase cases[] = {
    {"Russia", .n = 10},
    {"Corea del Nord armi Russia", .n = 10},
    {"\"Corea del Nord\"", .n = 10},
    {"\"Polizia di Stato\"", .n = 10},
    {"\"Non è\"", .n = 10},
    {"\"costi\"", .n = 10},
    {"furto*", .wildcard = true, .n = 10},
    {"ucrain* guerra", .wildcard = true, .n = 10},
    {"Costa", .n = 10},
    {"Cesare Costa", .n = 10},
    {"Kim NEAR Putin", .n = 10},
    {"carabinieri furto Carpi", .n = 10},
    {"title:Carpi", .n = 10},
    {"incidente -auto", .n = 10},
    {"sindaco AND (Modena OR Carpi) NOT Sassuolo", .n = 10},
    {"date:2022 Russia", .n = 10},
    {"date:2022-09-01..2022-09-30", .n = 10},
    {"guerra date:2022..", .n = 20},
    {"Kim OR Putin", .sort = 1, .n = 10},
    {"sindaco", .sort = -1, .n = 10},
    {"Modena", .sort = 1, .offset = 5, .n = 10},
    {"terremoto scossa", .collapse = true, .n = 10},
    {"Modena sindaco", .collapse = true, .n = 20},
    {"Rossi", .facets = true, .n = 5},
    {"date:2019..2030", .facets = true, .n = 0},
    {"scuola bambini genitori", .all = true, .n = 10},
    {"Modena", .offset = 10, .n = 10},
    {"ospedale medici", .offset = 3, .n = 30},
    {"Modena calcio", .count = true, .n = 10},
    {"CC furto", .n = 10},
    {"Guardia di Finanza Modena", .n = 10},
    {"Carpi -GdF", .n = 10},
};

static sr_params params_of(const qcase *q, unsigned threads) {
  sr_params p = sr_params_default();
  p.threads = threads;
  p.synonyms = true; /* as the program: each thread reads the table */
  p.snippets = false;
  p.suggest = false;
  p.search.offset = q->offset;
  p.search.count = q->n;
  p.collapse = q->collapse;
  p.qp.all_required = q->all;
  p.exact_count = q->count;
  if (q->sort) {
    p.search.sort_slot = CR_SLOT_DATE;
    p.search.sort_descending = q->sort > 0;
  }
  if (q->facets) {
    p.facets[p.n_facets++] = SR_FACET_YEAR;
    p.facets[p.n_facets++] = SR_FACET_SOURCE;
    p.facets[p.n_facets++] = SR_FACET_AUTHOR;
  }
  return p;
}

/* One query's page, in a form that outlives the engine. */
typedef struct answer {
  size_t n;
  char *ids[64];
  double scores[64];
  uint32_t ranks[64], similar[64];
  uint32_t estimated;
  bool exact;
  char facets[8192]; /* "name: value=count ..." */
} answer;

static void answer_free(answer *a) {
  for (size_t i = 0; i < a->n; i++)
    free(a->ids[i]);
}

static void ask(sr_engine *e, const qcase *q, unsigned threads, answer *a) {
  sr_params p = params_of(q, threads);
  sr_page page;
  cr_error err;
  cr_error_clear(&err);
  cr_assert_eq(sr_run(e, q->query, strlen(q->query), &p, &page, &err), 0,
               "'%s' (%u threads): %s", q->query, threads, err.message);
  memset(a, 0, sizeof *a);
  const out_result *r = &page.result;
  cr_assert_leq(r->n_hits, 64);
  a->n = r->n_hits;
  for (size_t i = 0; i < r->n_hits; i++) {
    a->ids[i] = strdup(r->hits[i].id);
    a->scores[i] = r->hits[i].score;
    a->ranks[i] = r->hits[i].rank;
    a->similar[i] = r->hits[i].similar;
  }
  a->estimated = r->estimated;
  a->exact = r->exact;
  size_t used = 0;
  for (size_t f = 0; f < r->n_facets; f++) {
    used += (size_t)snprintf(a->facets + used, sizeof a->facets - used,
                             "%s:", r->facets[f].name);
    for (size_t v = 0; v < r->facets[f].n_values && used < sizeof a->facets;
         v++)
      used += (size_t)snprintf(a->facets + used, sizeof a->facets - used,
                               " %s=%u", r->facets[f].values[v].value,
                               r->facets[f].values[v].count);
    if (used < sizeof a->facets)
      used += (size_t)snprintf(a->facets + used, sizeof a->facets - used, "\n");
    cr_assert_lt(used, sizeof a->facets);
  }
  sr_page_free(&page);
}

static sr_engine *open_index(const char *path) {
  cr_error err;
  const char *paths[1] = {path};
  sr_engine *e = sr_open(paths, 1, NULL, &err);
  cr_assert(e, "cannot open %s: %s", path, err.message);
  return e;
}

/* got (threads) is want (one thread, same shards): the very same page. */
static void same_page(const qcase *q, unsigned threads, const answer *want,
                      const answer *got) {
  cr_assert_eq(got->n, want->n, "'%s' in %u threads: %zu hits, want %zu",
               q->query, threads, got->n, want->n);
  for (size_t i = 0; i < want->n; i++) {
    cr_assert_str_eq(got->ids[i], want->ids[i],
                     "'%s' in %u threads: hit %zu is %s, want %s", q->query,
                     threads, i + 1, got->ids[i], want->ids[i]);
    cr_assert(got->scores[i] == want->scores[i],
              "'%s' in %u threads: hit %zu scores %.17g, want %.17g", q->query,
              threads, i + 1, got->scores[i], want->scores[i]);
    cr_assert_eq(got->ranks[i], want->ranks[i]);
    cr_assert_eq(got->similar[i], want->similar[i],
                 "'%s' in %u threads: hit %zu folds %u, want %u", q->query,
                 threads, i + 1, got->similar[i], want->similar[i]);
  }
  cr_assert_str_eq(got->facets, want->facets, "'%s' in %u threads: facets",
                   q->query, threads);
  cr_assert_eq(got->exact, want->exact, "'%s' in %u threads: exact %d, want %d",
               q->query, threads, got->exact, want->exact);
  if (want->exact) {
    cr_assert(got->exact, "'%s' in %u threads: count not exact", q->query,
              threads);
    cr_assert_eq(got->estimated, want->estimated,
                 "'%s' in %u threads: %u matches, want %u", q->query, threads,
                 got->estimated, want->estimated);
  } else {
    /* An estimate: each thread's own (Xapian's estimate depends on the
     * order the matcher met the documents in). Never below what was
     * seen. */
    cr_assert_geq(got->estimated, got->n + q->offset);
  }
}

static bool holds(const answer *a, size_t from, size_t to, const char *id) {
  for (size_t i = from; i < to; i++)
    if (!strcmp(a->ids[i], id)) return true;
  return false;
}

/* got (shards in threads) is want (one index): the same scores bit for
 * bit, the same ids within each run of equal scores (docids, which break
 * ties, differ between one index and shards) except a run the page cuts. */
static void same_as_one_index(const qcase *q, const answer *want,
                              const answer *got) {
  if (q->wildcard) return; /* README: expanded and weighted per shard */
  cr_assert_eq(got->n, want->n, "'%s': %zu hits, want one index's %zu",
               q->query, got->n, want->n);
  for (size_t s = 0; s < want->n;) {
    size_t e = s;
    while (e < want->n && want->scores[e] == want->scores[s])
      e++;
    for (size_t i = s; i < e; i++) {
      cr_assert(got->scores[i] == want->scores[i],
                "'%s': hit %zu scores %.17g, one index %.17g", q->query, i + 1,
                got->scores[i], want->scores[i]);
      bool cut = e == want->n || (s == 0 && q->offset > 0);
      if (!cut && !q->sort)
        cr_assert(holds(want, s, e, got->ids[i]),
                  "'%s': hit %zu is %s, not one of one index's", q->query,
                  i + 1, got->ids[i]);
    }
    s = e;
  }
  if (!q->collapse) cr_assert_str_eq(got->facets, want->facets);
  if (want->exact && !q->collapse)
    cr_assert_eq(got->estimated, want->estimated,
                 "'%s': %u matches, one index %u", q->query, got->estimated,
                 want->estimated);
}

Test(threads, shards_in_threads_answer_as_one_thread, .timeout = 300) {
  need_indexes();
  sr_engine *e = open_index(sharded_idx);
  size_t nonempty = 0;
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    answer one, two, three;
    ask(e, &cases[c], 1, &one);
    ask(e, &cases[c], 2, &two);
    ask(e, &cases[c], 3, &three);
    same_page(&cases[c], 2, &one, &two);
    same_page(&cases[c], 3, &one, &three);
    if (one.n) nonempty++;
    answer_free(&one);
    answer_free(&two);
    answer_free(&three);
  }
  cr_assert_geq(nonempty, 15, "too few queries matched (%zu)", nonempty);
  sr_close(e);
}

Test(threads, shards_in_threads_answer_as_one_index, .timeout = 300) {
  need_indexes();
  sr_engine *one = open_index(single_idx), *sh = open_index(sharded_idx);
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    answer want, got;
    ask(one, &cases[c], 1, &want);
    ask(sh, &cases[c], 2, &got);
    same_as_one_index(&cases[c], &want, &got);
    answer_free(&want);
    answer_free(&got);
  }
  sr_close(one);
  sr_close(sh);
}

/* The same engine, many queries in a row, threads and not in turn (2,
 * then 3 with two beside this one): the threads' readers are reused, and
 * stay right. */
Test(threads, readers_are_reused_across_queries, .timeout = 300) {
  need_indexes();
  sr_engine *e = open_index(sharded_idx);
  for (int round = 0; round < 4; round++)
    for (size_t c = 0; c < sizeof cases / sizeof *cases; c += 3) {
      unsigned threads = round % 2 ? 3 : 2;
      answer a, b;
      ask(e, &cases[c], threads, &a);
      ask(e, &cases[c], 1, &b);
      same_page(&cases[c], threads, &b, &a);
      answer_free(&a);
      answer_free(&b);
    }
  sr_close(e);
}

/* ---- The program ----------------------------------------------------------
 */

/* Its --json output without "took_ms" (the one thing that may differ). */
static char *program_json(const char *threads, const char *batch) {
  char *const argv[] = {SEARCHER_THREADS_BIN,
                        "-d",
                        sharded_idx,
                        "--json",
                        "--threads",
                        (char *)threads,
                        "--facet",
                        "year",
                        "--batch",
                        "-",
                        NULL};
  th_run r = th_exec(argv, batch);
  cr_assert_eq(r.status, 0, "searcher --threads %s: status %d: %s", threads,
               r.status, r.err);
  cr_assert_str_empty(r.err, "searcher --threads %s said: %s", threads, r.err);
  json_t *out = json_array();
  char *line = r.out, *next;
  for (; line && *line; line = next) {
    next = strchr(line, '\n');
    if (next) *next++ = '\0';
    json_error_t jerr;
    json_t *js = json_loads(line, 0, &jerr);
    cr_assert(js, "not JSON (%s): %s", jerr.text, line);
    json_object_del(js, "took_ms");
    /* An estimate is each search's own (Xapian's depends on the order
     * the matcher met the documents in); an exact count is the same. */
    if (!json_is_true(json_object_get(js, "exact")))
      json_object_del(js, "estimated_matches");
    json_array_append_new(out, js);
  }
  th_run_free(&r);
  char *text = json_dumps(out, JSON_SORT_KEYS | JSON_REAL_PRECISION(17));
  json_decref(out);
  return text;
}

Test(threads, the_program_prints_the_same_in_threads, .timeout = 300) {
  need_indexes();
  char batch[8192];
  size_t used = 0;
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++)
    used += (size_t)snprintf(batch + used, sizeof batch - used, "%s\n",
                             cases[c].query);
  cr_assert_lt(used, sizeof batch);
  /* Three: two threads besides the main one parse at once. */
  char *one = program_json("1", batch), *two = program_json("2", batch),
       *three = program_json("3", batch);
  cr_assert_str_eq(two, one, "--threads 2 and --threads 1 differ");
  cr_assert_str_eq(three, one, "--threads 3 and --threads 1 differ");
  free(one);
  free(two);
  free(three);
}

/* A bad --threads is refused with a word on what it wants. */
Test(threads, a_bad_thread_count_is_refused) {
  char *const argv[] = {SEARCHER_BIN, "-d", "/nonexistent", "--threads", "0",
                        "x",          NULL};
  th_run r = th_exec(argv, NULL);
  cr_assert_eq(r.status, 2);
  cr_assert(strstr(r.err, "--threads wants"), "%s", r.err);
  th_run_free(&r);
}
