/* test_faults.c — missing, unreadable, read-only, damaged and locked
 * indexes, and a full disk. Each fault must give a clear message on
 * stderr and a non-zero exit, and lose nothing already committed.
 *
 * Permissions do not bind root, and CI runs as root: there the programs
 * under test run as the user nobody (uid 65534), so an unreadable or
 * read-only index means the same as for anyone else. A full disk is a
 * file size limit (RLIMIT_FSIZE): writes fail with EFBIG, as they would
 * with ENOSPC. */
#include <criterion/criterion.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "helpers.h"
#include "xapian_c.h"

#define NOBODY 65534
#define ARTICLES 3000
#define BATCH 100

static char *tmp;
static char idx[4096], archive[4096];
static long base_count; /* documents of the sample corpus */

static void write_archive(const char *path, int n) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  for (int i = 0; i < n; i++)
    fprintf(f,
            "{\"id\":\"f%d\",\"title\":\"Guasto %d\",\"text\":\"Articolo %d "
            "sulla cronaca di Modena: carabinieri, furti, processi e un "
            "consiglio comunale sulla sicurezza del centro storico.\"}\n",
            i, i, i);
  fclose(f);
}

static long doccount(const char *index) {
  cr_error err;
  const char *paths[] = {index};
  cr_rdb *db = cr_rdb_open(paths, 1, &err);
  if (!db) return -1;
  long n = th_doccount(db);
  cr_rdb_close(db);
  return n;
}

static th_run run(const th_limits *lim, const char *a0, const char *a1,
                  const char *a2, const char *a3, const char *a4) {
  char *const argv[] = {(char *)a0, (char *)a1, (char *)a2,
                        (char *)a3, (char *)a4, NULL};
  return th_exec_limited(argv, NULL, lim);
}

/* The sample corpus indexed, readable by the user the programs run as. */
static void setup(void) {
  tmp = th_mkdtemp("faults");
  chmod(tmp, 0755);
  snprintf(idx, sizeof idx, "%s/index", tmp);
  snprintf(archive, sizeof archive, "%s/archive.jsonl", tmp);
  write_archive(archive, ARTICLES);
  th_run r = run(NULL, INDEXER_BIN, "-q", "-d", idx, CORPUS_DIR);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  base_count = doccount(idx);
  cr_assert_gt(base_count, 0);
}

static void teardown(void) {
  char *const argv[] = {"/bin/chmod", "-R", "u+rwX", tmp, NULL};
  th_run r = th_exec(argv, NULL);
  th_run_free(&r);
  th_rmtree(tmp);
  free(tmp);
}

TestSuite(faults, .init = setup, .fini = teardown, .timeout = 120);

/* Nothing committed was lost: the corpus is all there, and whole. */
static void expect_intact(const char *what) {
  cr_expect_eq(doccount(idx), base_count, "%s: documents lost or added", what);
  cr_expect_eq(th_xapian_check(idx), 0, "%s: xapian-check failed", what);
  th_run r =
      run(NULL, SEARCHER_BIN, "-d", idx, "Corea del Nord armi Russia", NULL);
  cr_expect_eq(r.status, 0, "%s: %s", what, r.err);
  cr_expect(strstr(r.out, "1. "), "%s: no results: %s", what, r.out);
  th_run_free(&r);
}

/* Who the programs run as for permission faults. */
static th_limits as_user(void) {
  th_limits lim = {0};
  if (geteuid() == 0) lim.uid = NOBODY;
  return lim;
}

static void chmod_tree(const char *mode) {
  char *const argv[] = {"/bin/chmod", "-R", (char *)mode, idx, NULL};
  th_run r = th_exec(argv, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
}

typedef struct fault_case {
  const char *what;
  const char *argv[6];
  int status;
  const char *message; /* must appear on stderr */
} fault_case;

/* Paths that are not there: %s is the scratch directory. */
Test(faults, missing_paths) {
  char missing[4200], deep[4200], input[4200];
  snprintf(missing, sizeof missing, "%s/no-index", tmp);
  snprintf(deep, sizeof deep, "%s/no/such/dir/index", tmp);
  snprintf(input, sizeof input, "%s/no-input.jsonl", tmp);
  fault_case cases[] = {
      {"searcher, missing index",
       {SEARCHER_BIN, "-d", missing, "Modena"},
       2,
       "create it with: indexer -d"},
      {"indexer, index in a missing directory",
       {INDEXER_BIN, "-q", "-d", deep, CORPUS_DIR},
       2,
       "No such file"},
      /* A path that is not there is a usage error, as for grep. */
      {"indexer, missing input",
       {INDEXER_BIN, "-q", "-d", idx, input},
       2,
       "no-input.jsonl: No such file or directory"},
      {"searcher, missing batch file",
       {SEARCHER_BIN, "-d", idx, "--batch", input},
       2,
       "no-input.jsonl"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const fault_case *c = &cases[i];
    th_run r =
        run(NULL, c->argv[0], c->argv[1], c->argv[2], c->argv[3], c->argv[4]);
    cr_expect_eq(r.status, c->status, "%s: status %d: %s", c->what, r.status,
                 r.err);
    cr_expect(strstr(r.err, c->message), "%s: unclear message: %s", c->what,
              r.err);
    th_run_free(&r);
  }
  cr_expect(!th_exists(missing) && !th_exists(deep),
            "a failed run created the index anyway");
  expect_intact("after missing paths");
  /* The other paths are indexed all the same, and the missing one is not
   * a bad record. */
  char other[4200];
  snprintf(other, sizeof other, "%s/other-index", tmp);
  th_run r = run(NULL, INDEXER_BIN, "-d", other, input, CORPUS_DIR);
  cr_expect_eq(r.status, 2, "status %d: %s", r.status, r.err);
  cr_expect(strstr(r.err, "0 bad records skipped"), "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(doccount(other), base_count, "the rest was not indexed");
}

/* A file the indexer may not read is reported and not recorded as
 * indexed: once readable (chmod changes neither its size nor its time),
 * the next run reads it. */
Test(faults, an_unreadable_file_is_read_once_it_is_readable) {
  th_limits lim = as_user();
  char dir[4200], own_idx[4300], ok[4300], secret[4300];
  snprintf(dir, sizeof dir, "%s/permissions", tmp);
  snprintf(own_idx, sizeof own_idx, "%s/index", dir);
  snprintf(ok, sizeof ok, "%s/ok.jsonl", dir);
  snprintf(secret, sizeof secret, "%s/secret.jsonl", dir);
  cr_assert_eq(mkdir(dir, 0777), 0);
  cr_assert_eq(chmod(dir, 0777), 0);
  const char *a = "{\"id\":\"ok\",\"text\":\"Si legge.\"}\n";
  /* The first round builds the index; the second updates it, the file
   * changed (a new size) and unreadable again. */
  const char *rounds[] = {"{\"id\":\"secret\",\"text\":\"Prima no.\"}\n",
                          "{\"id\":\"secret\",\"text\":\"Poi "
                          "aggiornato.\"}\n"};
  const char *word[] = {"prim", "aggiorn"};
  th_write_file(ok, a, strlen(a));
  for (int round = 0; round < 2; round++) {
    th_write_file(secret, rounds[round], strlen(rounds[round]));
    cr_assert_eq(chmod(secret, 0), 0);
    th_run r = run(&lim, INDEXER_BIN, "-d", own_idx, ok, secret);
    cr_expect_eq(r.status, 1, "round %d: status %d: %s", round, r.status,
                 r.err);
    cr_expect(strstr(r.err, "secret.jsonl") && strstr(r.err, strerror(EACCES)),
              "round %d: %s", round, r.err);
    th_run_free(&r);
    cr_assert_eq(chmod(secret, 0644), 0);
    r = run(&lim, INDEXER_BIN, "-d", own_idx, ok, secret);
    cr_expect_eq(r.status, 0, "round %d: status %d: %s", round, r.status,
                 r.err);
    cr_expect_null(strstr(r.err, "2 unchanged"),
                   "round %d: the file was skipped as unchanged: %s", round,
                   r.err);
    th_run_free(&r);
    cr_expect_eq(doccount(own_idx), 2, "round %d", round);
    const char *p[] = {own_idx};
    cr_error err;
    cr_rdb *db = cr_rdb_open(p, 1, &err);
    cr_assert_not_null(db, "%s", err.message);
    cr_expect_eq(th_termfreq(db, word[round]), 1, "round %d: no %s", round,
                 word[round]);
    cr_rdb_close(db);
  }
}

Test(faults, unreadable_index) {
  th_limits lim = as_user();
  chmod_tree("a-rwx");
  th_run r = run(&lim, SEARCHER_BIN, "-d", idx, "Modena", NULL);
  cr_expect_eq(r.status, 2, "searcher: status %d", r.status);
  cr_expect(strstr(r.err, "cannot read index") &&
                strstr(r.err, strerror(EACCES)),
            "searcher: unclear message: %s", r.err);
  cr_expect_eq(r.out_len, 0);
  th_run_free(&r);
  r = run(&lim, INDEXER_BIN, "-q", "-d", idx, archive);
  cr_expect_eq(r.status, 2, "indexer: status %d", r.status);
  cr_expect(strstr(r.err, idx) && strstr(r.err, strerror(EACCES)),
            "indexer: unclear message: %s", r.err);
  th_run_free(&r);
  chmod_tree("u+rwX,go+rX");
  expect_intact("after an unreadable index");
}

Test(faults, read_only_index) {
  th_limits lim = as_user();
  chmod_tree("a-w");
  th_run r = run(&lim, INDEXER_BIN, "-q", "-d", idx, archive);
  cr_expect_eq(r.status, 2, "indexer: status %d", r.status);
  cr_expect(strstr(r.err, "cannot write to index") &&
                strstr(r.err, strerror(EACCES)) &&
                !strstr(r.err, "another indexer"),
            "indexer: unclear message: %s", r.err);
  th_run_free(&r);
  /* Reading needs no write access. */
  r = run(&lim, SEARCHER_BIN, "-d", idx, "Modena", NULL);
  cr_expect_eq(r.status, 0, "searcher on a read-only index: %s", r.err);
  th_run_free(&r);
  chmod_tree("u+w");
  expect_intact("after a read-only index");
}

/* A damaged revision file: both programs refuse it, and the indexer does
 * not replace it with a new, empty index. */
Test(faults, damaged_index_is_refused_not_overwritten) {
  char rev[4200], postlist[4200];
  snprintf(rev, sizeof rev, "%s/iamglass", idx);
  snprintf(postlist, sizeof postlist, "%s/postlist.glass", idx);
  size_t before_len;
  char *before = th_read_file(postlist, &before_len);
  cr_assert_not_null(before);
  cr_assert_eq(truncate(rev, 50), 0);
  th_run r = run(NULL, SEARCHER_BIN, "-d", idx, "Modena", NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "xapian-check"), "searcher: %s", r.err);
  th_run_free(&r);
  r = run(NULL, INDEXER_BIN, "-q", "-d", idx, archive);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "Corrupt"), "indexer: %s", r.err);
  th_run_free(&r);
  size_t after_len;
  char *after = th_read_file(postlist, &after_len);
  cr_expect(after && after_len == before_len &&
                memcmp(before, after, before_len) == 0,
            "the indexer rewrote a damaged index");
  free(before);
  free(after);
}

/* Rerun without the fault: everything, exactly once. */
static void rerun_completes(void) {
  th_run r = run(NULL, INDEXER_BIN, "-q", "-d", idx, archive);
  cr_expect_eq(r.status, 0, "rerun: %s", r.err);
  th_run_free(&r);
  cr_expect_eq(doccount(idx), base_count + ARTICLES);
  cr_expect_eq(th_xapian_check(idx), 0);
}

Test(faults, full_disk_while_updating) {
  /* Room for the index as it is, not for the archive on top of it. */
  th_limits lim = {.max_file = 300 * 1024};
  char *const argv[] = {INDEXER_BIN,      "-q",  "-d",    idx,
                        "--commit-every", "100", archive, NULL};
  th_run r = th_exec_limited(argv, NULL, &lim);
  cr_expect_eq(r.status, 2, "status %d: %s", r.status, r.err);
  cr_expect(strstr(r.err, "indexer: ") && strstr(r.err, strerror(EFBIG)),
            "unclear message: %s", r.err);
  th_run_free(&r);
  long n = doccount(idx);
  cr_expect_geq(n, base_count, "committed documents lost");
  cr_expect_eq((n - base_count) % BATCH, 0, "%ld: not a committed count", n);
  cr_expect_eq(th_xapian_check(idx), 0);
  rerun_completes();
}

Test(faults, full_disk_while_building) {
  th_rmtree(idx);
  th_limits lim = {.max_file = 300 * 1024};
  char *const argv[] = {INDEXER_BIN, "-q", "-d", idx, archive, NULL};
  th_run r = th_exec_limited(argv, NULL, &lim);
  cr_expect_eq(r.status, 2, "status %d: %s", r.status, r.err);
  cr_expect(strstr(r.err, "is the disk full"), "unclear message: %s", r.err);
  cr_expect(!strstr(r.err, "DB_DANGEROUS") && !strstr(r.err, "cancel()"),
            "a library's internals in the message: %s", r.err);
  th_run_free(&r);
  cr_expect_eq(doccount(idx), 0, "a failed build is all or nothing");
  base_count = 0;
  rerun_completes();
}

/* A real full disk (a small tmpfs, when the tests may mount one): the
 * message says so in plain words, the failed build is removed, and the
 * next run, with the space back, succeeds. */
Test(faults, a_full_disk_is_named_and_its_leftovers_removed) {
  if (geteuid() != 0) cr_skip_test("mounting a small tmpfs needs root");
  char disk[4200], small_idx[4300], building[4400], one[4200];
  snprintf(disk, sizeof disk, "%s/small-disk", tmp);
  snprintf(small_idx, sizeof small_idx, "%s/index", disk);
  snprintf(building, sizeof building, "%s.building", small_idx);
  snprintf(one, sizeof one, "%s/one.jsonl", tmp);
  cr_assert_eq(mkdir(disk, 0777), 0);
  char *const mount_argv[] = {"/usr/bin/mount", "-t",    "tmpfs", "-o",
                              "size=512k",      "tmpfs", disk,    NULL};
  th_run r = th_exec(mount_argv, NULL);
  int mounted = r.status;
  th_run_free(&r);
  if (mounted != 0) cr_skip_test("cannot mount a tmpfs here");
  /* Xapian's commit leaks a few of its own buffers when a write fails
   * with ENOSPC (its stack, no cronaca frame): under LeakSanitizer, that
   * one run ignores leaks from libxapian. */
  char supp[4300];
  snprintf(supp, sizeof supp, "%s/lsan.supp", tmp);
  th_write_file(supp, "leak:libxapian.so\n", 18);
  char lsan[4400];
  snprintf(lsan, sizeof lsan, "suppressions=%s", supp);
  setenv("LSAN_OPTIONS", lsan, 1);
  r = run(NULL, INDEXER_BIN, "-q", "-d", small_idx, archive);
  unsetenv("LSAN_OPTIONS");
  cr_expect_eq(r.status, 2, "status %d: %s", r.status, r.err);
  cr_expect(strstr(r.err, "the disk is full") && strstr(r.err, "ENOSPC"),
            "unclear message: %s", r.err);
  cr_expect(!strstr(r.err, "DB_DANGEROUS") && !strstr(r.err, "cancel()"),
            "a library's internals in the message: %s", r.err);
  th_run_free(&r);
  cr_expect_not(th_exists(building), "the failed build was left behind");
  const char *text = "{\"id\":\"uno\",\"text\":\"Un articolo solo.\"}\n";
  th_write_file(one, text, strlen(text));
  r = run(NULL, INDEXER_BIN, "-q", "-d", small_idx, one);
  cr_expect_eq(r.status, 0, "the next run: %s", r.err);
  th_run_free(&r);
  cr_expect_eq(doccount(small_idx), 1);
  char *const umount_argv[] = {"/usr/bin/umount", disk, NULL};
  r = th_exec(umount_argv, NULL);
  th_run_free(&r);
}

/* Two indexers at once: the second is refused, the first finishes. */
Test(faults, two_indexers_at_once) {
  char big[4200], errlog[4200];
  snprintf(big, sizeof big, "%s/big.jsonl", tmp);
  snprintf(errlog, sizeof errlog, "%s/first.err", tmp);
  write_archive(big, 30000);
  char *const first[] = {INDEXER_BIN, "-q", "-j1", "-d", idx, big, NULL};
  int pid = th_spawn(first, errlog);
  usleep(200 * 1000); /* it holds the lock by now */
  th_run r = run(NULL, INDEXER_BIN, "-q", "-d", idx, archive);
  cr_expect_eq(r.status, 2, "second indexer: status %d: %s", r.status, r.err);
  cr_expect(strstr(r.err, "being written by another indexer"),
            "second indexer: unclear message: %s", r.err);
  th_run_free(&r);
  int status = th_wait(pid);
  char *err = th_read_file(errlog, NULL);
  cr_expect_eq(status, 0, "first indexer: status %d: %s", status, err);
  free(err);
  cr_expect_eq(doccount(idx), base_count + 30000);
  cr_expect_eq(th_xapian_check(idx), 0);
}
