/* test_concurrency.c — searching while the indexer writes.
 *
 * Every article carries its id and an edition number in both its title
 * and its text ("Articolo a12 edizione e3"). The indexer rewrites every
 * article in new editions, and adds some, committing every few articles,
 * while searchers run in a loop: each answer must be a success, valid
 * JSON, and each hit whole: a title and a text of the same article and
 * the same edition, never a card from one commit and a text from another. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "schema.h"
#include "search.h"

#define ARTICLES 400 /* rewritten in each edition */
#define ADDED 40     /* new articles per edition */
#define EDITIONS 12

static char *tmp;
static char idx[4096];

/* Edition e: ids a0..a{ARTICLES-1} rewritten, and ADDED new ids. */
static void write_edition(const char *path, int e) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  for (int i = 0; i < ARTICLES + ADDED; i++) {
    char id[32];
    if (i < ARTICLES)
      snprintf(id, sizeof id, "a%d", i);
    else
      snprintf(id, sizeof id, "n%dx%d", e, i - ARTICLES);
    fprintf(f,
            "{\"id\":\"%s\",\"title\":\"Titolo %s edizione e%d\",\"text\":"
            "\"Articolo %s edizione e%d: cronaca di Modena con i carabinieri."
            "\"}\n",
            id, id, e, id, e);
  }
  fclose(f);
}

static char *edition_path(int e) {
  static char buf[4096];
  snprintf(buf, sizeof buf, "%s/edition-%d.jsonl", tmp, e);
  return buf;
}

static int index_edition(int e, const char *commit_every) {
  char *const argv[] = {INDEXER_BIN,
                        "-q",
                        "-j2",
                        "-d",
                        idx,
                        "--commit-every",
                        (char *)commit_every,
                        edition_path(e),
                        NULL};
  th_run r = th_exec(argv, NULL);
  int status = r.status;
  if (status) fprintf(stderr, "indexer, edition %d: %s", e, r.err);
  th_run_free(&r);
  return status;
}

static void setup(void) {
  tmp = th_mkdtemp("concurrency");
  snprintf(idx, sizeof idx, "%s/index", tmp);
  for (int e = 0; e <= EDITIONS; e++)
    write_edition(edition_path(e), e);
  cr_assert_eq(index_edition(0, "5000"), 0);
}

static void teardown(void) {
  th_rmtree(tmp);
  free(tmp);
}

TestSuite(concurrency, .init = setup, .fini = teardown, .timeout = 300);

/* The edition a title or a text names ("... edizione e7 ..."), or -1. */
static int edition_in(const char *s) {
  const char *p = s ? strstr(s, "edizione e") : NULL;
  return p ? atoi(p + strlen("edizione e")) : -1;
}

typedef struct tally {
  long answers; /* queries answered and checked */
  long hits;
  unsigned editions_seen; /* bit e: a hit of edition e was seen */
  char failure[2048];     /* the first problem seen ("" if none) */
} tally;

/* Records the first problem; the loop goes on until the writer is done,
 * so a failing test never leaves an indexer writing into a removed
 * directory. */
static bool fails(tally *t, bool bad, const char *what, const char *line) {
  if (bad && !t->failure[0])
    snprintf(t->failure, sizeof t->failure, "%s: %.1500s", what, line);
  return bad;
}

/* Checks one hit: id, title and text of one article and one edition. */
static void check_hit(const char *id, const char *title, const char *snippet,
                      tally *t, const char *line) {
  if (fails(t, !id || !title || !snippet, "a hit without id, title or snippet",
            line))
    return;
  char want[64];
  snprintf(want, sizeof want, "Titolo %s edizione", id);
  fails(t, strncmp(title, want, strlen(want)) != 0, "title of another article",
        line);
  snprintf(want, sizeof want, "Articolo %s edizione", id);
  fails(t, !strstr(snippet, want), "text of another article", line);
  int e = edition_in(title);
  if (fails(t, e < 0 || e != edition_in(snippet),
            "title and text from different editions", line))
    return;
  t->editions_seen |= 1u << e;
  t->hits++;
}

/* Checks one --json answer line. */
static void check_answer(const char *line, tally *t) {
  json_error_t jerr;
  json_t *o = json_loads(line, 0, &jerr);
  if (fails(t, !o, "invalid JSON", line)) return;
  json_t *hits = json_object_get(o, "hits");
  if (!fails(t, json_object_get(o, "error") != NULL, "query failed", line) &&
      !fails(t, json_array_size(hits) == 0, "no hits", line)) {
    size_t i;
    json_t *h;
    json_array_foreach(hits, i, h) {
      check_hit(json_string_value(json_object_get(h, "id")),
                json_string_value(json_object_get(h, "title")),
                json_string_value(json_object_get(h, "snippet")), t, line);
    }
  }
  json_decref(o);
  t->answers++;
}

/* One searcher run: a single query, or a batch of them in one process
 * (which keeps its index open across the writer's commits). */
static void search_once(bool batch, const char *queries, tally *t) {
  char *const single[] = {
      SEARCHER_BIN,          "-d", idx, "--json", "-n", "20",
      "cronaca carabinieri", NULL};
  char *const many[] = {SEARCHER_BIN, "-d", idx,  "--batch",
                        "-",          "-n", "20", NULL};
  th_run r = th_exec(batch ? many : single, batch ? queries : NULL);
  if (!fails(t, r.status != 0, "searcher failed", r.err))
    for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n"))
      check_answer(line, t);
  th_run_free(&r);
}

Test(concurrency, searchers_never_fail_nor_see_half_written_articles) {
  /* The writer: every edition in turn, committing every 20 articles. */
  pid_t writer = fork();
  cr_assert_geq(writer, 0);
  if (writer == 0) {
    for (int e = 1; e <= EDITIONS; e++)
      if (index_edition(e, "20") != 0) _exit(1);
    _exit(0);
  }
  static char queries[64 * 200];
  queries[0] = '\0';
  /* Words of the title or the text, never of "Articolo aN edizione eN",
   * which the snippet must show unmarked. */
  const char *forms[] = {"cronaca", "carabinieri Modena",
                         "\"cronaca di Modena\"", "titolo", "Modena"};
  for (int i = 0; i < 200; i++) {
    strcat(queries, forms[i % 5]);
    strcat(queries, "\n");
  }
  tally t = {0};
  int status = -1;
  for (int round = 0;; round++) {
    search_once(round % 2, queries, &t);
    if (waitpid(writer, &status, WNOHANG) == writer) break;
  }
  cr_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0,
            "the indexer failed while searchers ran");
  cr_assert_eq(t.failure[0], '\0', "%s", t.failure);
  /* Readers saw the writer at work, not only before or after it. */
  int seen = __builtin_popcount(t.editions_seen);
  cr_expect_geq(seen, 3, "only %d editions seen in %ld answers", seen,
                t.answers);
  cr_expect_geq(t.answers, 100, "only %ld answers checked", t.answers);
  /* And after the writer: the last edition, whole. */
  tally last = {0};
  search_once(false, NULL, &last);
  cr_expect_eq(last.failure[0], '\0', "%s", last.failure);
  cr_expect_eq(last.editions_seen, 1u << EDITIONS);
}

/* A reader opened before several commits: Xapian reports the revision it
 * read as gone (DatabaseModifiedError); the searcher reopens and answers
 * from the latest commit instead of failing. */
Test(concurrency, a_reader_left_behind_by_commits_reopens) {
  cr_error err;
  const char *paths[] = {idx};
  sr_engine *e = sr_open(paths, 1, NULL, &err);
  cr_assert_not_null(e, "%s", err.message);
  cr_rdb *stale = cr_rdb_open(paths, 1, &err);
  cr_assert_not_null(stale, "%s", err.message);
  for (int ed = 1; ed <= 3; ed++)
    cr_assert_eq(index_edition(ed, "10"), 0);

  /* The stale handle shows the failure the searcher must handle... */
  cr_query *q = cr_query_term("cronac", 1, 1, NULL);
  cr_search_opts so = cr_search_opts_default();
  so.count = 100;
  cr_mset *m = cr_search(stale, q, &so, &err);
  bool modified = !m && err.code == CR_E_MODIFIED;
  if (m) {
    /* ...or meets it reading the documents. */
    for (uint32_t i = 0; i < cr_mset_size(m) && !modified; i++) {
      size_t len;
      const char *text;
      modified =
          cr_mset_value(m, i, CR_SLOT_TEXT, &text, &len, NULL) != 0 || !text;
    }
    cr_mset_free(m);
  }
  cr_query_free(q);
  cr_rdb_close(stale);
  cr_expect(modified, "three commits did not invalidate the old revision");

  /* ...which the searcher gets over. */
  sr_params p = sr_params_default();
  p.search.count = 100;
  sr_page page;
  cr_assert_eq(sr_run(e, "cronaca", 7, &p, &page, &err), 0, "%s", err.message);
  cr_expect_eq(page.result.n_hits, 100);
  for (size_t i = 0; i < page.result.n_hits; i++)
    cr_expect_eq(edition_in(page.result.hits[i].title), 3, "%s",
                 page.result.hits[i].title);
  sr_page_free(&page);
  sr_close(e);
}
