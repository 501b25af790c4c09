/* test_prune.c — what --prune removes (indexer/prune.h), on a small
 * index built in the test's own process: each case marks, collects and
 * deletes through the prune module's functions and looks at what the
 * index holds after. The last case runs the whole pipeline, stopped half
 * way, to see that an interrupted run removes nothing. */
#include <criterion/criterion.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "pipeline.h"
#include "prune.h"
#include "schema.h"
#include "sources.h"
#include "strset.h"
#include "xapian_c.h"

static char *dir;            /* scratch, removed after each test */
static char index_dir[4096]; /* the index, in dir */
static char gone[4096];      /* a file key whose file does not exist */
static char kept[4096];      /* a file key whose file exists */
static cr_wdb *db;
static cr_analyzer *an;
static cr_textpack *tp;

static void setup(void) {
  dir = th_mkdtemp("prune");
  snprintf(index_dir, sizeof index_dir, "%s/index", dir);
  snprintf(gone, sizeof gone, "%s/gone.jsonl", dir);
  snprintf(kept, sizeof kept, "%s/kept.jsonl", dir);
  th_write_file(kept, "{}\n", 3);
  cr_error err;
  db = cr_wdb_open(index_dir, CR_WDB_CREATE_OR_OPEN, &err);
  cr_assert_not_null(db, "%s", err.message);
  an = cr_analyzer_new("italian", &err);
  cr_assert_not_null(an, "%s", err.message);
  tp = cr_textpack_new(NULL);
  cr_assert_not_null(tp);
}

static void teardown(void) {
  if (db) cr_wdb_close(db, NULL);
  cr_textpack_free(tp);
  cr_analyzer_free(an);
  th_rmtree(dir);
  free(dir);
}

TestSuite(prune, .init = setup, .fini = teardown);

/* ---- Building the index ------------------------------------------------- */

/* Indexes (or replaces) article id as read from the file key, and
 * records key's signature as an indexer run would. */
static void put(const char *id, const char *key) {
  cr_article art = {.id = id,
                    .title = "Titolo",
                    .text = "Un testo breve.",
                    .text_len = strlen("Un testo breve."),
                    .origin = key};
  cr_doc *doc = cr_doc_new(NULL);
  cr_assert_not_null(doc);
  char id_term[CR_ID_TERM_SIZE];
  cr_error err;
  cr_assert_eq(cr_schema_build(an, tp, th_impacts(), &art, doc, id_term,
                               sizeof id_term, &err),
               0, "%s", err.message);
  cr_assert_eq(cr_wdb_replace(db, id_term, doc, &err), 0, "%s", err.message);
  cr_doc_free(doc);
  char meta[4200];
  snprintf(meta, sizeof meta, "%s%s", SRC_META_PREFIX, key);
  cr_assert_eq(cr_wdb_set_metadata(db, meta, "3:1", 3, &err), 0, "%s",
               err.message);
  cr_assert_eq(cr_wdb_commit(db, &err), 0, "%s", err.message);
}

/* Whether the index holds article id. */
static bool holds(const char *id) {
  char term[CR_ID_TERM_SIZE];
  cr_schema_id_term(id, term);
  return th_wdb_termfreq(db, term) > 0;
}

/* Copies a document's XF term into ctx (a char[CR_FILE_TERM_SIZE]). */
static int copy_file_term(cr_docid id, const char *term, size_t len,
                          void *ctx) {
  (void)id;
  snprintf(ctx, CR_FILE_TERM_SIZE, "%.*s", (int)len, term);
  return 0;
}

/* Whether article id is in the index as read from the file key. */
static bool from(const char *id, const char *key) {
  char id_term[CR_ID_TERM_SIZE], want[CR_FILE_TERM_SIZE];
  char have[CR_FILE_TERM_SIZE] = "";
  cr_schema_id_term(id, id_term);
  cr_schema_file_term(key, want);
  cr_error err;
  cr_assert_eq(
      cr_wdb_docs_with(db, id_term, CR_PREFIX_FILE, copy_file_term, have, &err),
      0, "%s", err.message);
  return strcmp(have, want) == 0;
}

/* An id term set, sorted, from a list of ids. */
static strset ids(const char *const *list, size_t n) {
  strset s = {0};
  for (size_t i = 0; i < n; i++) {
    char term[CR_ID_TERM_SIZE];
    cr_schema_id_term(list[i], term);
    cr_assert_eq(ss_add(&s, term, strlen(term)), 0);
  }
  ss_sort(&s);
  return s;
}

/* Whether key's signature is still recorded. */
static bool signed_file(const char *key) {
  char meta[4200];
  snprintf(meta, sizeof meta, "%s%s", SRC_META_PREFIX, key);
  size_t len = 0;
  char *v = th_wdb_metadata(db, meta, &len);
  free(v);
  return v != NULL;
}

/* ---- The prune module ---------------------------------------------------- */

/* A file that has gone takes its articles with it, and its signature;
 * the articles of a file still there stay. */
Test(prune, a_file_gone_takes_its_articles) {
  put("g1", gone);
  put("g2", gone);
  put("k1", kept);
  src_table known = {0};
  cr_assert_eq(src_table_load(&known, db, NULL), 0);
  prune_set ps = {0};
  cr_error err;
  cr_assert_eq(prune_doom_vanished(&ps, db, &known, &err), 0, "%s",
               err.message);
  cr_expect_eq(ps.n_doomed, 2);
  cr_expect_eq(ps.vanished.n, 1);
  for (size_t i = 0; i < ps.n_doomed; i++)
    cr_expect(ps.doomed[i].vanished);
  cr_assert_eq(prune_collect_removed(&ps, db, NULL, &err), 0, "%s",
               err.message);
  cr_expect_eq(ps.removed.n, 2);
  strset unpruned = {0};
  uint64_t articles = 0, files = 0;
  cr_assert_eq(prune_delete(&ps, db, &unpruned, &articles, &files, &err), 0,
               "%s", err.message);
  cr_assert_eq(cr_wdb_commit(db, &err), 0, "%s", err.message);
  cr_expect_eq(articles, 2);
  cr_expect_eq(files, 1);
  cr_expect(!holds("g1") && !holds("g2"));
  cr_expect(holds("k1"));
  cr_expect(!signed_file(gone), "the gone file's signature is forgotten");
  cr_expect(signed_file(kept));
  prune_free(&ps);
  src_table_free(&known);
}

/* A changed file read again in full: the record it no longer holds goes,
 * the ones it holds stay. */
Test(prune, a_record_dropped_from_a_changed_file_goes) {
  put("a", kept);
  put("b", kept);
  put("c", kept);
  const char *still[] = {"a", "c"};
  strset keep = ids(still, 2);
  prune_set ps = {0};
  cr_error err;
  cr_assert_eq(prune_doom_file(&ps, db, kept, &keep, &err), 0, "%s",
               err.message);
  cr_assert_eq(ps.n_doomed, 1);
  cr_expect_str_eq(ps.doomed[0].id_term, "Qb");
  cr_expect(!ps.doomed[0].vanished);
  cr_assert_eq(prune_collect_removed(&ps, db, NULL, &err), 0, "%s",
               err.message);
  strset unpruned = {0};
  uint64_t articles = 0, files = 0;
  cr_assert_eq(prune_delete(&ps, db, &unpruned, &articles, &files, &err), 0,
               "%s", err.message);
  cr_expect_eq(articles, 1);
  cr_expect_eq(files, 0);
  cr_expect(holds("a") && !holds("b") && holds("c"));
  cr_expect(signed_file(kept), "the file is still there: still signed");
  prune_free(&ps);
  ss_free(&keep);
}

/* An id held by two files: when the gone file's copy is doomed and the
 * other file writes the id again (the restoring walk), the article stays,
 * now from the other file. */
Test(prune, an_id_held_by_two_files_stays_with_the_other) {
  put("shared", gone);
  put("only-gone", gone);
  src_table known = {0};
  cr_assert_eq(src_table_load(&known, db, NULL), 0);
  prune_set ps = {0};
  cr_error err;
  cr_assert_eq(prune_doom_vanished(&ps, db, &known, &err), 0, "%s",
               err.message);
  cr_assert_eq(prune_collect_removed(&ps, db, NULL, &err), 0, "%s",
               err.message);
  /* Both are removed ids: the restoring walk reads the other files for
   * them, and finds "shared" in kept. */
  cr_expect_eq(ps.removed.n, 2);
  put("shared", kept);
  strset unpruned = {0};
  uint64_t articles = 0, files = 0;
  cr_assert_eq(prune_delete(&ps, db, &unpruned, &articles, &files, &err), 0,
               "%s", err.message);
  cr_expect_eq(articles, 1);
  cr_expect(holds("shared") && from("shared", kept));
  cr_expect(!holds("only-gone"));
  prune_free(&ps);
  src_table_free(&known);
}

/* A dry run lists what would go, one line each, and removes nothing;
 * an id read again this run (seen) or from another file (restored) is
 * not listed. */
Test(prune, a_dry_run_lists_without_removing) {
  put("g1", gone);
  put("g2", gone);
  put("g3", gone);
  put("b", kept);
  put("c", kept);
  uint32_t before = th_wdb_doccount(db);
  src_table known = {0};
  cr_assert_eq(src_table_load(&known, db, NULL), 0);
  const char *still[] = {"c"};
  strset keep = ids(still, 1);
  prune_set ps = {0};
  cr_error err;
  cr_assert_eq(prune_doom_vanished(&ps, db, &known, &err), 0, "%s",
               err.message);
  cr_assert_eq(prune_doom_file(&ps, db, kept, &keep, &err), 0, "%s",
               err.message);
  const char *read_again[] = {"c", "g2"};
  strset seen = ids(read_again, 2);
  cr_assert_eq(prune_collect_removed(&ps, db, &seen, &err), 0, "%s",
               err.message);
  cr_expect_eq(ps.removed.n, 3, "g1, g3 and b: nothing read them again");
  const char *elsewhere[] = {"g3"};
  strset restored = ids(elsewhere, 1);
  char *out = NULL;
  size_t out_len = 0;
  FILE *f = open_memstream(&out, &out_len);
  cr_assert_not_null(f);
  uint64_t articles = 0, files = 0;
  prune_list(&ps, &seen, &restored, f, &articles, &files);
  fclose(f);
  char want[9000];
  snprintf(want, sizeof want,
           "remove g1 (%s: gone)\nremove b (%s: no longer holds it)\n", gone,
           kept);
  cr_expect_str_eq(out, want);
  cr_expect_eq(articles, 2);
  cr_expect_eq(files, 1);
  cr_expect_eq(th_wdb_doccount(db), before, "a dry run removes nothing");
  cr_expect(signed_file(gone));
  free(out);
  ss_free(&seen);
  ss_free(&restored);
  ss_free(&keep);
  prune_free(&ps);
  src_table_free(&known);
}

/* Marking and collecting write nothing: a run stopped before
 * prune_delete leaves the index as it was. */
Test(prune, marking_writes_nothing) {
  put("g1", gone);
  put("k1", kept);
  src_table known = {0};
  cr_assert_eq(src_table_load(&known, db, NULL), 0);
  prune_set ps = {0};
  cr_error err;
  cr_assert_eq(prune_doom_vanished(&ps, db, &known, &err), 0, "%s",
               err.message);
  cr_assert_eq(prune_collect_removed(&ps, db, NULL, &err), 0, "%s",
               err.message);
  prune_free(&ps);
  src_table_free(&known);
  cr_assert_eq(cr_wdb_close(db, &err), 0, "%s", err.message);
  db = cr_wdb_open(index_dir, CR_WDB_OPEN, &err);
  cr_assert_not_null(db, "%s", err.message);
  cr_expect(holds("g1") && holds("k1"));
  cr_expect(signed_file(gone));
}

/* The marks of files changed without --prune: loaded sorted, cleared
 * ones left out. */
Test(prune, unpruned_marks_load_sorted) {
  cr_error err;
  cr_assert_eq(
      cr_wdb_set_metadata(db, SRC_UNPRUNED_PREFIX "/b.jsonl", "1", 1, &err), 0);
  cr_assert_eq(
      cr_wdb_set_metadata(db, SRC_UNPRUNED_PREFIX "/a.jsonl", "1", 1, &err), 0);
  cr_assert_eq(cr_wdb_commit(db, &err), 0);
  strset unpruned = {0};
  cr_assert_eq(prune_load_unpruned(db, &unpruned, NULL), 0);
  cr_assert_eq(unpruned.n, 2);
  cr_expect_str_eq(unpruned.items[0], "/a.jsonl");
  cr_expect_str_eq(unpruned.items[1], "/b.jsonl");
  ss_free(&unpruned);
}

/* ---- A whole run, interrupted ------------------------------------------ */

static volatile sig_atomic_t stop;

/* Lets the first article through, then asks the run to stop: as a
 * Ctrl-C half way through the walk would. */
static bool stop_after_first(const char *id, void *ctx) {
  (void)id;
  if (++*(int *)ctx >= 1) stop = 1;
  return true;
}

/* pl_run with --prune over dir/in, stopped after one article when
 * interrupt is set. */
static pl_stats run(bool interrupt) {
  char in[4200];
  snprintf(in, sizeof in, "%s/in", dir);
  const char *paths[] = {in};
  int seen = 0;
  stop = 0;
  pl_options o = {.index = index_dir,
                  .paths = paths,
                  .n_paths = 1,
                  .jobs = 1,
                  .commit_every = 1000,
                  .prune = true,
                  .quiet = true,
                  .quiet_problems = true,
                  .stop = &stop,
                  .keep = interrupt ? stop_after_first : NULL,
                  .keep_ctx = &seen};
  pl_stats stats;
  cr_error err;
  cr_assert_eq(pl_run(&o, &stats, &err), 0, "%s", err.message);
  return stats;
}

/* A run stopped half way removes nothing, even what it would have: the
 * next run, not stopped, does. */
Test(prune, an_interrupted_run_removes_nothing) {
  cr_wdb_close(db, NULL); /* pl_run takes the index's lock */
  db = NULL;
  char a[4200], b[4200], c[4200];
  snprintf(a, sizeof a, "%s/in/a.jsonl", dir);
  snprintf(b, sizeof b, "%s/in/b.jsonl", dir);
  snprintf(c, sizeof c, "%s/in/c.jsonl", dir);
  const char *two = "{\"id\":\"a1\",\"text\":\"uno\"}\n"
                    "{\"id\":\"a2\",\"text\":\"due\"}\n";
  th_write_file(a, two, strlen(two));
  th_write_file(b, "{\"id\":\"b1\",\"text\":\"tre\"}\n", 25);
  pl_stats s = run(false);
  cr_assert_eq(s.added, 3);
  /* a drops a2, b goes, c is new: an update with work to prune. */
  th_write_file(a, "{\"id\":\"a1\",\"text\":\"uno\"}\n", 25);
  remove(b);
  th_write_file(c, "{\"id\":\"c1\",\"text\":\"quattro\"}\n", 29);
  s = run(true);
  cr_expect(s.interrupted);
  cr_expect_eq(s.pruned_articles, 0);
  cr_expect_eq(s.pruned_files, 0);
  cr_error err;
  db = cr_wdb_open(index_dir, CR_WDB_OPEN, &err);
  cr_assert_not_null(db, "%s", err.message);
  cr_expect(holds("a2") && holds("b1"), "nothing removed");
  cr_wdb_close(db, NULL);
  db = NULL;
  s = run(false);
  cr_expect_eq(s.pruned_articles, 2, "a2 and b1");
  cr_expect_eq(s.pruned_files, 1);
  db = cr_wdb_open(index_dir, CR_WDB_OPEN, &err);
  cr_assert_not_null(db, "%s", err.message);
  cr_expect(holds("a1") && !holds("a2") && !holds("b1") && holds("c1"));
}
