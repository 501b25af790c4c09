/* test_e2e_indexer.c — the indexer program, run as a user runs it. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "helpers.h"
#include "xapian_c.h"

static char *tmp;

static void setup(void) { tmp = th_mkdtemp("e2e-indexer"); }
static void teardown(void) {
  th_rmtree(tmp);
  free(tmp);
}

TestSuite(indexer, .init = setup, .fini = teardown, .timeout = 300);

static char *path_in(const char *name) { return th_path_in(tmp, name); }

Test(indexer, indexes_the_sample_corpus_in_both_formats) {
  char *index = path_in("index");
  th_run r = th_run_indexer(NULL, "-d", index, CORPUS_DIR, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_geq(th_index_count(index, NULL), 13);
  /* Text article: id from its path, title, author and date fields. */
  cr_expect_eq(
      th_index_count(index, "Qarticles/russia-corea-del-nord-armi.txt"), 1);
  cr_expect_eq(th_index_count(index, "Score"), 1, "title words under S");
  cr_expect_geq(th_index_count(index, "Agrass"), 1, "author");
  cr_expect_eq(th_index_count(index, "D20220906"), 1, "date");
  /* JSON article: numeric and string ids, source. */
  cr_expect_eq(th_index_count(index, "Q1001"), 1);
  cr_expect_eq(th_index_count(index, "Qansa-2022-0907"), 1);
  cr_expect_geq(th_index_count(index, "XOgazzett"), 1, "source");
  cr_expect_eq(th_index_count(index, "Y2019"), 1,
               "the undated article has no date");
}

Test(indexer, reindexing_replaces_skips_unchanged_and_prunes) {
  char *index = path_in("index");
  char *dir = path_in("in");
  char a[4096], b[4096];
  snprintf(a, sizeof a, "%s/a.txt", dir);
  snprintf(b, sizeof b, "%s/b.jsonl", dir);
  th_write_file(a, "Titolo\n\nCorpo dell'articolo sulla guerra.\n", 40);
  const char *jl = "{\"id\":\"x1\",\"text\":\"pace e guerra\"}\n"
                   "{\"id\":\"x2\",\"text\":\"solo pace\"}\n";
  th_write_file(b, jl, strlen(jl));
  th_run r = th_run_indexer(NULL, "-d", index, dir, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 3);

  /* Unchanged: skipped. */
  char *argv[] = {INDEXER_BIN, "-d", index, dir, NULL};
  r = th_exec(argv, NULL);
  cr_expect_eq(r.status, 0);
  cr_expect(strstr(r.err, "2 unchanged files") != NULL, "%s", r.err);
  th_run_free(&r);

  /* Changed: the same ids replaced, never duplicated. */
  sleep(1); /* a new modification time */
  const char *jl2 = "{\"id\":\"x1\",\"text\":\"pace e guerra, aggiornato\"}\n"
                    "{\"id\":\"x2\",\"text\":\"solo pace\"}\n";
  th_write_file(b, jl2, strlen(jl2));
  r = th_run_indexer(NULL, "-d", index, dir, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 3);
  cr_expect_eq(th_index_count(index, "aggiorn"), 1);

  /* A vanished file: --prune removes its articles. */
  unlink(b);
  r = th_run_indexer(NULL, "-d", index, "--prune", dir, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 1);
  cr_expect_eq(th_index_count(index, "Qx1"), 0);
}

Test(indexer, bad_records_are_reported_and_skipped) {
  char *index = path_in("index");
  char *dir = path_in("bad");
  char f[4096];
  snprintf(f, sizeof f, "%s/mixed.jsonl", dir);
  const char mixed[] = "{\"id\":\"ok1\",\"text\":\"prima notizia\"}\n"
                       "{\"id\":\"broken\",\"text\":\n"
                       "[1,2,3]\n"
                       "{\"id\":\"bad-utf8\",\"text\":\"citt\xc3\"}\n"
                       "{\"id\":\"notext\"}\n"
                       "\n"
                       "{\"id\":\"ok2\",\"text\":\"seconda notizia\"}\n";
  th_write_file(f, mixed, sizeof mixed - 1);
  snprintf(f, sizeof f, "%s/junk.txt", dir);
  th_write_file(f,
                "\x7f"
                "ELF\0\0\0\x01\x02",
                9);
  snprintf(f, sizeof f, "%s/empty.txt", dir);
  th_write_file(f, "", 0);
  /* A name with a newline and a terminal escape is reported on one line,
   * the escape neutralised. */
  snprintf(f, sizeof f, "%s/evil\n\x1b]0;pwned\x07.txt", dir);
  th_write_file(f, "", 0);
  th_run r = th_run_indexer(NULL, "-d", index, dir, NULL);
  cr_expect_eq(r.status, 1, "exit 1 when something was skipped");
  cr_expect(strstr(r.err, "mixed.jsonl:2:") != NULL, "%s", r.err);
  cr_expect(strstr(r.err, "mixed.jsonl:3: not a JSON object") != NULL, "%s",
            r.err);
  cr_expect(strstr(r.err, "mixed.jsonl:4:") != NULL, "%s", r.err);
  cr_expect(strstr(r.err, "mixed.jsonl:5:") != NULL, "%s", r.err);
  cr_expect(strstr(r.err, "junk.txt: binary") != NULL, "%s", r.err);
  cr_expect(strstr(r.err, "empty.txt: empty") != NULL, "%s", r.err);
  cr_expect(strstr(r.err, "evil ") != NULL, "%s", r.err);
  cr_expect(strchr(r.err, '\x1b') == NULL, "an escape reached stderr");
  cr_expect(strchr(r.err, '\x07') == NULL, "a bell reached stderr");
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 2);
  cr_expect_eq(th_index_count(index, "Qok1"), 1);
  cr_expect_eq(th_index_count(index, "Qok2"), 1);
}

Test(indexer, standard_input_and_compressed_files) {
  char *index = path_in("index");
  th_run r =
      th_run_indexer("{\"id\":\"s1\",\"text\":\"dallo standard input\"}\n",
                     "-d", index, "-", NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, "Qs1"), 1);
  /* Records without an id, fed in two runs: two articles, and feeding
   * one again replaces it. */
  const char *const idless[] = {"{\"title\":\"uno\",\"text\":\"primo\"}\n",
                                "{\"title\":\"due\",\"text\":\"secondo\"}\n",
                                "{\"title\":\"uno\",\"text\":\"primo\"}\n"};
  for (size_t i = 0; i < 3; i++) {
    r = th_run_indexer(idless[i], "-d", index, "-", NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    th_run_free(&r);
  }
  cr_expect_eq(th_index_count(index, NULL), 3,
               "s1 and the two id-less records");

  char *gz = path_in("c.jsonl");
  const char *jl = "{\"id\":\"g1\",\"text\":\"compresso con gzip\"}\n";
  th_write_file(gz, jl, strlen(jl));
  char *gzip_argv[] = {"/bin/gzip", "-f", gz, NULL};
  r = th_exec(gzip_argv, NULL);
  th_run_free(&r);
  char gzpath[4096];
  snprintf(gzpath, sizeof gzpath, "%s.gz", gz);
  r = th_run_indexer(NULL, "-d", index, gzpath, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, "Qg1"), 1);
}

Test(indexer, usage_errors_and_a_locked_index) {
  th_run r = th_run_indexer(NULL, CORPUS_DIR, NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "-d") != NULL);
  th_run_free(&r);
  char *help[] = {INDEXER_BIN, "--help", NULL};
  r = th_exec(help, NULL);
  cr_expect_eq(r.status, 0);
  cr_expect(strstr(r.out, "Usage: indexer") != NULL);
  th_run_free(&r);

  char *index = path_in("index");
  cr_error err;
  cr_wdb *holder = cr_wdb_open(index, CR_WDB_CREATE_OR_OPEN, &err);
  cr_assert_not_null(holder);
  r = th_run_indexer(NULL, "-d", index, CORPUS_DIR, NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "another indexer") != NULL, "%s", r.err);
  th_run_free(&r);
  cr_wdb_close(holder, &err);
}

/* Nothing is removed without --prune: a rewritten feed file keeps the
 * batch it held before. With --prune, an article a changed file no longer
 * holds goes, and when an id lives in two files, removing it from one (or
 * removing that file) brings back the other's version. */
Test(indexer, removal_only_with_prune) {
  static const struct {
    const char *name;
    const char *a, *b;      /* a.jsonl and b.jsonl; NULL: no such file */
    const char *a2, *b2;    /* then; NULL: removed */
    bool prune;             /* the second run has --prune */
    const char *ids;        /* the id terms then, comma-separated */
    const char *gone;       /* id terms then absent */
    const char *version_of; /* a word that must be indexed then */
  } cases[] = {
      {"a rewritten feed file keeps the previous batch",
       "{\"id\":\"d1-a\",\"text\":\"giorno uno\"}\n"
       "{\"id\":\"d1-b\",\"text\":\"ancora uno\"}\n",
       NULL, "{\"id\":\"d2-a\",\"text\":\"giorno due\"}\n", NULL, false,
       "Qd1-a,Qd1-b,Qd2-a", NULL, "ancor"},
      {"a record dropped from a changed file stays without --prune",
       "{\"id\":\"P\",\"text\":\"primo\"}\n{\"id\":\"R\",\"text\":\"terzo\"}\n",
       NULL, "{\"id\":\"P\",\"text\":\"primo\"}\n", NULL, false, "QP,QR", NULL,
       "terz"},
      {"a record dropped from a changed file goes with --prune",
       "{\"id\":\"P\",\"text\":\"primo\"}\n{\"id\":\"R\",\"text\":\"terzo\"}\n",
       NULL, "{\"id\":\"P\",\"text\":\"primo\"}\n", NULL, true, "QP", "QR",
       "prim"},
      {"the same id in two files: the vanished one's version goes (--prune)",
       "{\"id\":\"X\",\"text\":\"antica\"}\n",
       "{\"id\":\"X\",\"text\":\"nuova\"}\n",
       "{\"id\":\"X\",\"text\":\"antica\"}\n", NULL, true, "QX", "nuov",
       "antic"},
      {"the same id in two files: dropped from one (--prune), the other's "
       "comes back",
       "{\"id\":\"Y\",\"text\":\"antica\"}\n",
       "{\"id\":\"Y\",\"text\":\"nuova\"}\n{\"id\":\"Z\",\"text\":\"zeta\"}\n",
       "{\"id\":\"Y\",\"text\":\"antica\"}\n",
       "{\"id\":\"Z\",\"text\":\"zeta\"}\n", true, "QY", "nuov", "antic"},
      {"a vanished file without --prune keeps its articles",
       "{\"id\":\"K\",\"text\":\"resta\"}\n",
       "{\"id\":\"W\",\"text\":\"anche\"}\n",
       "{\"id\":\"K\",\"text\":\"resta\"}\n", NULL, false, "QK,QW", NULL,
       "rest"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char dir[64], idx[64];
    snprintf(dir, sizeof dir, "follow-%zu", i);
    snprintf(idx, sizeof idx, "follow-index-%zu", i);
    char *in = path_in(dir), *index = path_in(idx);
    cr_assert_eq(mkdir(in, 0777), 0);
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/a.jsonl", in);
    snprintf(b, sizeof b, "%s/b.jsonl", in);
    if (cases[i].a) th_write_file(a, cases[i].a, strlen(cases[i].a));
    if (cases[i].b) th_write_file(b, cases[i].b, strlen(cases[i].b));
    th_run r = th_run_indexer(NULL, "-d", index, in, NULL);
    cr_assert_eq(r.status, 0, "%s: %s", cases[i].name, r.err);
    th_run_free(&r);
    if (cases[i].a2)
      th_write_file(a, cases[i].a2, strlen(cases[i].a2));
    else
      remove(a);
    if (cases[i].b2)
      th_write_file(b, cases[i].b2, strlen(cases[i].b2));
    else
      remove(b);
    r = cases[i].prune ? th_run_indexer(NULL, "-d", index, "--prune", in, NULL)
                       : th_run_indexer(NULL, "-d", index, in, NULL);
    cr_assert_eq(r.status, 0, "%s: %s", cases[i].name, r.err);
    th_run_free(&r);
    char ids[128];
    snprintf(ids, sizeof ids, "%s", cases[i].ids);
    for (char *t = strtok(ids, ","); t; t = strtok(NULL, ","))
      cr_expect_eq(th_index_count(index, t), 1, "%s: %s", cases[i].name, t);
    if (cases[i].gone)
      cr_expect_eq(th_index_count(index, cases[i].gone), 0,
                   "%s: %s is still there", cases[i].name, cases[i].gone);
    cr_expect_eq(th_index_count(index, cases[i].version_of), 1, "%s: no %s",
                 cases[i].name, cases[i].version_of);
  }
}

/* What a changed file seems to lack is pruned only when the file was read
 * cleanly: a dump cut short or damaged (a copy in progress) keeps its
 * articles. And reading the unchanged files again for a removed id does
 * not report their bad records a second time. */
Test(indexer, a_damaged_file_prunes_nothing_and_old_problems_stay_quiet) {
  char *in = path_in("damaged"), *index = path_in("damaged-index");
  cr_assert_eq(mkdir(in, 0777), 0);
  char a[4200], b[4200];
  snprintf(a, sizeof a, "%s/a.jsonl", in);
  snprintf(b, sizeof b, "%s/b.jsonl", in);
  const char *two = "{\"id\":\"a1\",\"text\":\"uno\"}\n"
                    "{\"id\":\"a2\",\"text\":\"due\"}\n";
  const char *bad = "{\"id\":\"b1\",\"text\":\"bi\"}\n{\"id\":\n";
  th_write_file(a, two, strlen(two));
  th_write_file(b, bad, strlen(bad));
  char *gzip_argv[] = {"/bin/gzip", "-f", a, NULL};
  th_run r = th_exec(gzip_argv, NULL);
  cr_assert_eq(r.status, 0, "gzip: %s", r.err);
  th_run_free(&r);
  r = th_run_indexer(NULL, "-d", index, in, NULL);
  cr_expect_eq(r.status, 1, "b.jsonl:2 is bad: %s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 3);

  /* a.jsonl.gz damaged: nothing of it is pruned. */
  char gz[4300];
  snprintf(gz, sizeof gz, "%s.gz", a);
  th_write_file(gz, "\x1f\x8b\x08\x00garbage", 12);
  r = th_run_indexer(NULL, "-d", index, "--prune", in, NULL);
  cr_expect_eq(r.status, 1, "%s", r.err);
  cr_expect(strstr(r.err, "a.jsonl.gz"), "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, "Qa1"), 1);
  cr_expect_eq(th_index_count(index, "Qa2"), 1);

  /* Read cleanly with a2 dropped: a2 goes; b.jsonl, unchanged, is read
   * again for a2 but its bad line is not reported again. */
  const char *one = "{\"id\":\"a1\",\"text\":\"uno\"}\n";
  th_write_file(a, one, strlen(one));
  r = th_exec(gzip_argv, NULL);
  cr_assert_eq(r.status, 0, "gzip: %s", r.err);
  th_run_free(&r);
  r = th_run_indexer(NULL, "-d", index, "--prune", in, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect_null(strstr(r.err, "b.jsonl"), "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, "Qa2"), 0);
  cr_expect_eq(th_index_count(index, "Qb1"), 1);
}

/* One id in two files: the copy read last wins, and a file whose time
 * changed but whose bytes did not (a touch, a copy of the same file) is
 * not read again, so it never brings back a copy another file has
 * replaced since. The winner changes only when content changes. */
Test(indexer, which_copy_of_an_id_wins) {
  static const struct {
    const char *name;
    const char *a2, *b2;         /* the second run's a-2023 and b-correzioni:
                                    NULL unchanged */
    bool touch_a;                /* a-2023.jsonl gets a new time */
    bool reverse;                /* b before a on the command lines */
    bool prune;                  /* the second run has --prune */
    const char *want, *not_want; /* indexed words then */
  } cases[] = {
      {"touching the older file changes nothing", NULL, NULL, true, false,
       false, "corrett", "vecc"},
      {"the same bytes written again change nothing",
       "{\"id\":\"X\",\"text\":\"versione vecchia\"}\n", NULL, true, false,
       false, "corrett", "vecc"},
      {"named in the other order, the copy read last wins, touched or not",
       NULL, NULL, true, true, false, "vecc", "corrett"},
      {"a copy that changed wins: it is the newest",
       "{\"id\":\"X\",\"text\":\"versione vecchissima\"}\n", NULL, false, false,
       false, "vecchissim", "corrett"},
      {"dropped from the later file (--prune), the other copy comes back", NULL,
       "{\"id\":\"Z\",\"text\":\"zeta\"}\n", true, false, true, "vecc",
       "corrett"},
  };
  const char *a1 = "{\"id\":\"X\",\"text\":\"versione vecchia\"}\n";
  const char *b1 = "{\"id\":\"X\",\"text\":\"versione corretta\"}\n";
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char dir[64], idx[64];
    snprintf(dir, sizeof dir, "winner-%zu", i);
    snprintf(idx, sizeof idx, "winner-index-%zu", i);
    char *in = path_in(dir), *index = path_in(idx);
    cr_assert_eq(mkdir(in, 0777), 0);
    char a[4200], b[4200];
    snprintf(a, sizeof a, "%s/a-2023.jsonl", in);
    snprintf(b, sizeof b, "%s/b-correzioni.jsonl", in);
    th_write_file(a, a1, strlen(a1));
    th_write_file(b, b1, strlen(b1));
    for (int run_no = 0; run_no < 2; run_no++) {
      if (run_no == 1) {
        if (cases[i].a2) th_write_file(a, cases[i].a2, strlen(cases[i].a2));
        if (cases[i].b2) th_write_file(b, cases[i].b2, strlen(cases[i].b2));
        if (cases[i].touch_a) {
          struct timespec later[2] = {{time(NULL) + 60, 0},
                                      {time(NULL) + 60, 0}};
          cr_assert_eq(utimensat(AT_FDCWD, a, later, 0), 0);
        }
      }
      const char *first = cases[i].reverse ? b : a;
      const char *second = cases[i].reverse ? a : b;
      th_run r = run_no && cases[i].prune
                     ? th_run_indexer(NULL, "-d", index, "--prune", first,
                                      second, NULL)
                     : th_run_indexer(NULL, "-d", index, first, second, NULL);
      cr_assert_eq(r.status, 0, "%s: %s", cases[i].name, r.err);
      th_run_free(&r);
      if (run_no == 0)
        cr_expect_eq(
            th_index_count(index, cases[i].reverse ? "vecc" : "corrett"), 1,
            "%s: first run", cases[i].name);
    }
    cr_expect_eq(th_index_count(index, "QX"), 1, "%s", cases[i].name);
    cr_expect_eq(th_index_count(index, cases[i].want), 1, "%s: no %s",
                 cases[i].name, cases[i].want);
    cr_expect_eq(th_index_count(index, cases[i].not_want), 0, "%s: %s won",
                 cases[i].name, cases[i].not_want);
  }
}

/* What a run without --prune kept is removed by a later --prune, even
 * when the file has not changed since; --dry-run lists it first, and
 * writes nothing. */
Test(indexer, a_later_prune_and_a_dry_run) {
  char *in = path_in("later"), *index = path_in("later-index");
  cr_assert_eq(mkdir(in, 0777), 0);
  char feed[4200], gone[4200];
  snprintf(feed, sizeof feed, "%s/latest.jsonl", in);
  snprintf(gone, sizeof gone, "%s/old.jsonl", in);
  const char *day1 = "{\"id\":\"d1-a\",\"text\":\"giorno uno\"}\n"
                     "{\"id\":\"d1-b\",\"text\":\"ancora uno\"}\n";
  const char *day2 = "{\"id\":\"d2-a\",\"text\":\"giorno due\"}\n";
  const char *old = "{\"id\":\"o1\",\"text\":\"vecchio\"}\n";
  th_write_file(feed, day1, strlen(day1));
  th_write_file(gone, old, strlen(old));
  th_run r = th_run_indexer(NULL, "-d", index, in, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  th_write_file(feed, day2, strlen(day2));
  r = th_run_indexer(NULL, "-d", index, in, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 4, "day 1 is kept without --prune");
  remove(gone);

  /* A dry run, with and without --prune: the list, and nothing written. */
  for (int with_prune = 0; with_prune < 2; with_prune++) {
    char *argv[] = {INDEXER_BIN,
                    "--dry-run",
                    "-d",
                    index,
                    with_prune ? "--prune" : in,
                    with_prune ? in : NULL,
                    NULL};
    r = th_exec(argv, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.out, "remove d1-a ("), "%s", r.out);
    cr_expect(strstr(r.out, "remove d1-b ("), "%s", r.out);
    cr_expect(strstr(r.out, "remove o1 (") && strstr(r.out, "gone"), "%s",
              r.out);
    cr_expect_null(strstr(r.out, "d2-a"), "%s", r.out);
    cr_expect(strstr(r.err, "dry run, nothing written") &&
                  strstr(r.err, "3 articles to remove (1 vanished file)"),
              "%s", r.err);
    th_run_free(&r);
    cr_expect_eq(th_index_count(index, NULL), 4, "a dry run removed something");
  }
  /* A dry run on no index creates none. */
  char *none = path_in("no-index-yet");
  char *dry[] = {INDEXER_BIN, "-n", "-d", none, in, NULL};
  r = th_exec(dry, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "1 would be added"), "%s", r.err);
  th_run_free(&r);
  cr_expect_not(th_exists(none), "a dry run made an index");

  /* --prune: the feed did not change since, its day 1 goes all the same. */
  char *argv[] = {INDEXER_BIN, "-d", index, "--prune", in, NULL};
  r = th_exec(argv, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "3 articles pruned (1 vanished file)"), "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 1);
  cr_expect_eq(th_index_count(index, "Qd2-a"), 1);
  /* Pruned once: the next --prune has nothing to read again. */
  r = th_exec(argv, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "1 unchanged files skipped") &&
                strstr(r.err, "0 articles pruned"),
            "%s", r.err);
  th_run_free(&r);
}

/* The summary line: "1 group", the groups of a sharded index too. */
Test(indexer, the_summary_counts) {
  char jl[4200];
  snprintf(jl, sizeof jl, "%s/notizie.jsonl", CORPUS_DIR);
  for (int sharded = 0; sharded < 2; sharded++) {
    char *index = path_in(sharded ? "summary-shards" : "summary");
    char *argv[] = {INDEXER_BIN, "-d", index, sharded ? "--shards" : jl,
                    "2",         jl,   NULL};
    if (!sharded) argv[4] = NULL;
    th_run r = th_exec(argv, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    cr_expect(strstr(r.err, "16 added") &&
                  strstr(r.err, "; 1 group of near duplicates (2 articles)"),
              "%s: %s", sharded ? "sharded" : "single", r.err);
    th_run_free(&r);
  }
}

/* A directory with nothing the indexer reads is named, not passed over. */
Test(indexer, a_directory_without_articles_is_named) {
  char *dir = path_in("pictures"), *index = path_in("pictures-index");
  cr_assert_eq(mkdir(dir, 0777), 0);
  char f[4200];
  snprintf(f, sizeof f, "%s/foto.png", dir);
  th_write_file(f, "\x89PNG", 4);
  th_run r = th_run_indexer(NULL, "-d", index, dir, CORPUS_DIR, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "pictures: no article files in it"), "%s", r.err);
  cr_expect_null(strstr(r.err, "corpus: no article"), "%s", r.err);
  th_run_free(&r);
}

/* Two ids longer than a Xapian term that differ only at the end are two
 * articles, not one replacing the other. */
Test(indexer, long_ids_stay_distinct) {
  char *input = path_in("long-ids.jsonl"), *index = path_in("long-ids");
  FILE *f = fopen(input, "w");
  cr_assert_not_null(f);
  for (int i = 0; i < 2; i++) {
    fputs("{\"id\": \"https://example.it/", f);
    for (int k = 0; k < 300; k++)
      fputc('a', f);
    fprintf(f, "%d\", \"title\": \"Notizia %d\", \"text\": \"Testo.\"}\n", i,
            i);
  }
  fclose(f);
  th_run r = th_run_indexer(NULL, "-d", index, input, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 2);
  r = th_run_indexer(NULL, "-d", index, input, NULL);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 2,
               "a rerun replaces, never duplicates");
}

/* The stemming language is recorded: later runs keep it, another is
 * refused, an unknown one creates nothing, and the searcher stems
 * queries for it without being told. */
Test(indexer, the_language_is_recorded_and_kept) {
  char *input = path_in("english.jsonl"), *index = path_in("english");
  const char *text = "{\"id\":\"e1\",\"text\":\"The running dogs\"}\n";
  th_write_file(input, text, strlen(text));
  static const struct {
    const char *language; /* NULL: no --language */
    int status;
    const char *says;
  } runs[] = {
      {"english", 0, NULL},
      {NULL, 0, NULL},
      {"italian", 2, "built with --language english, not italian"},
  };
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    th_run r = runs[i].language
                   ? th_run_indexer(NULL, "-d", index, "--language",
                                    runs[i].language, input, NULL)
                   : th_run_indexer(NULL, "-d", index, input, NULL);
    cr_expect_eq(r.status, runs[i].status, "run %zu: %s", i, r.err);
    if (runs[i].says)
      cr_expect(strstr(r.err, runs[i].says), "run %zu: %s", i, r.err);
    th_run_free(&r);
  }
  cr_expect_eq(th_index_count(index, "dog"), 1, "English stems");
  char *const search[] = {SEARCHER_BIN, "-d", index, "--json", "dog", NULL};
  th_run r = th_exec(search, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.out, "\"e1\""), "the query is stemmed for English: %s",
            r.out);
  th_run_free(&r);

  /* A shard that got nothing yet keeps the language of its index. */
  char *sharded = path_in("english-shards");
  r = th_run_indexer(NULL, "-d", sharded, "--shards", "2", "--language",
                     "english", input, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  char *more = path_in("more.jsonl");
  const char *two = "{\"id\":\"e2\",\"text\":\"cats\"}\n"
                    "{\"id\":\"e3\",\"text\":\"birds\"}\n";
  th_write_file(more, two, strlen(two));
  r = th_run_indexer(NULL, "-d", sharded, input, more, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  for (int k = 0; k < 2; k++) {
    char shard[4200];
    snprintf(shard, sizeof shard, "%s/shard-%02d", sharded, k);
    const char *paths[] = {shard};
    cr_error err;
    cr_rdb *db = cr_rdb_open(paths, 1, &err);
    cr_assert_not_null(db, "%s", err.message);
    size_t len = 0;
    char *lang = th_rdb_metadata(db, "cronaca:language", &len);
    cr_expect(lang && !strcmp(lang, "english"), "shard %d: %s", k,
              lang ? lang : "(none)");
    free(lang);
    cr_rdb_close(db);
  }

  char *nothing = path_in("klingon");
  r = th_run_indexer(NULL, "-d", nothing, "--language", "klingon", input, NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "klingon"), "%s", r.err);
  th_run_free(&r);
  cr_expect_not(th_exists(nothing), "a failed run left an index behind");
}

/* -d naming a directory of other files (the corpus itself, by mistake)
 * must not turn it into an index: a first build replaces the directory
 * whole. */
Test(indexer, a_directory_of_other_files_is_refused_and_kept) {
  static const struct {
    const char *dir, *file; /* a file already in -d, NULL: -d is a file */
    const char *says;
  } cases[] = {
      {"notes", "precious.txt", "holds 'precious.txt'"},
      {"corpus-as-index", "article.txt", "not part of an index"},
      {"plain-file", NULL, "is a file"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *dir = path_in(cases[i].dir);
    char file[4200];
    if (cases[i].file) {
      cr_assert_eq(mkdir(dir, 0777), 0);
      snprintf(file, sizeof file, "%s/%s", dir, cases[i].file);
    } else {
      snprintf(file, sizeof file, "%s", dir);
    }
    const char *text = "Titolo\n\nNon toccare.\n";
    th_write_file(file, text, strlen(text));
    th_run r = th_run_indexer(NULL, "-d", dir, CORPUS_DIR, NULL);
    cr_expect_eq(r.status, 2, "%s: status %d", cases[i].dir, r.status);
    cr_expect(strstr(r.err, cases[i].says) != NULL, "%s: %s", cases[i].dir,
              r.err);
    th_run_free(&r);
    size_t len = 0;
    char *back = th_read_file(file, &len);
    cr_expect(back && len == strlen(text), "%s: the user's file is gone",
              cases[i].dir);
    free(back);
    char glass[4300];
    snprintf(glass, sizeof glass, "%s/iamglass", dir);
    cr_expect_not(th_exists(glass), "%s: an index was made in it",
                  cases[i].dir);
  }
  /* "DIR/" is DIR, for a first build and after. */
  char slashed[4200];
  snprintf(slashed, sizeof slashed, "%s/", path_in("slashed"));
  for (int run = 0; run < 2; run++) {
    th_run r = th_run_indexer(NULL, "-d", slashed, CORPUS_DIR, NULL);
    cr_expect_eq(r.status, 0, "run %d: %s", run, r.err);
    th_run_free(&r);
  }
  cr_expect_geq(th_index_count(slashed, NULL), 13);
  /* Through a symlink, the index is built where the link points and the
   * link stays a link. */
  char *target = path_in("real-index"), *link = path_in("linked-index");
  cr_assert_eq(mkdir(target, 0777), 0);
  cr_assert_eq(symlink(target, link), 0);
  th_run r = th_run_indexer(NULL, "-d", link, CORPUS_DIR, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  struct stat st;
  cr_expect(lstat(link, &st) == 0 && S_ISLNK(st.st_mode),
            "the symlink was replaced");
  cr_expect_geq(th_index_count(target, NULL), 13);
}

/* -d naming the current directory, as "." or as "$PWD": the index is
 * built in it (its contents swapped, not the directory), the caller stays
 * in a directory that exists, and nothing is left behind. */
Test(indexer, the_current_directory_as_index) {
  for (int form = 0; form < 2; form++) {
    char name[32];
    snprintf(name, sizeof name, "here-%d", form);
    char *dir = path_in(name);
    cr_assert_eq(mkdir(dir, 0777), 0);
    cr_assert_eq(chdir(dir), 0);
    for (int run = 0; run < 2; run++) {
      th_run r = th_run_indexer(NULL, "-d", form ? dir : ".", CORPUS_DIR, NULL);
      cr_expect_eq(r.status, 0, "%s, run %d: %s", form ? "$PWD" : ".", run,
                   r.err);
      th_run_free(&r);
    }
    struct stat here, there;
    cr_expect(stat(".", &here) == 0 && stat(dir, &there) == 0 &&
                  here.st_ino == there.st_ino && here.st_nlink > 0,
              "%s: the caller's directory was replaced", name);
    cr_expect_geq(th_index_count(".", NULL), 13, "%s", name);
    cr_expect(!th_exists("..building") &&
                  !th_exists(path_in("here-0.building")) &&
                  !th_exists(path_in("here-1.building")),
              "%s: a build directory was left behind", name);
    cr_expect_eq(th_xapian_check(dir), 0, "%s", name);
    cr_assert_eq(chdir(tmp), 0);
  }
}

/* A file of n generated articles, large enough to span several commits. */
static void write_many(const char *path, int n) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  for (int i = 0; i < n; i++)
    fprintf(f,
            "{\"id\":\"g%d\",\"text\":\"Articolo numero %d sulla cronaca "
            "di Modena, con carabinieri, furti e processi %d.\"}\n",
            i, i, i % 50);
  fclose(f);
}

static void interrupted_run(int sig) {
  char *index = path_in("index");
  char *big = path_in("big.jsonl");
  write_many(big, 60000);
  /* An existing index: the update path, committing every 2000. */
  th_run r = th_run_indexer(NULL, "-d", index, CORPUS_DIR, NULL);
  th_run_free(&r);
  uint32_t before = th_index_count(index, NULL);
  pid_t pid = fork();
  if (pid == 0) {
    int devnull = open("/dev/null", O_WRONLY);
    dup2(devnull, 2);
    execl(INDEXER_BIN, INDEXER_BIN, "-q", "-d", index, "--commit-every", "2000",
          big, (char *)NULL);
    _exit(127);
  }
  usleep(700 * 1000);
  kill(pid, sig);
  int status;
  waitpid(pid, &status, 0);
  if (sig == SIGINT && WIFEXITED(status))
    cr_expect(WEXITSTATUS(status) == 130 || WEXITSTATUS(status) == 0,
              "status %d", WEXITSTATUS(status));
  uint32_t after_stop = th_index_count(index, NULL); /* it opens */
  cr_expect_geq(after_stop, before);
  r = th_run_indexer(NULL, "-d", index, big, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL) - before, 60000,
               "every article exactly once");
  cr_expect_eq(th_index_count(index, "Qg59999"), 1);
}

Test(indexer, ctrl_c_commits_and_a_rerun_completes) { interrupted_run(SIGINT); }

Test(indexer, kill_9_leaves_a_usable_index) { interrupted_run(SIGKILL); }

Test(indexer, the_dice_corpus_gives_every_article) {
  char dice[4096];
  snprintf(dice, sizeof dice,
           "%s/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz",
           SHARED_DATA_DIR);
  if (!th_exists(dice)) cr_skip_test("%s is absent: skipped", dice);
  char *index = path_in("dice");
  th_run r = th_run_indexer(NULL, "-d", index, dice, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 10372);
}

/* The index weighs its terms for BM25's k1 and b (impacts.h): chosen
 * when it is built, kept by updates, other values refused. */
Test(indexer, bm25_parameters_are_chosen_once_and_kept) {
  char *input = path_in("lengths.jsonl"), *index = path_in("lengths");
  /* One mention of "cane" each, in a short and a long article. */
  const char *text =
      "{\"id\":\"short\",\"text\":\"Un cane.\"}\n"
      "{\"id\":\"long\",\"text\":\"Un cane nel parco, poi la strada, la "
      "piazza, il mercato, la stazione, il teatro, la scuola, il ponte.\"}\n";
  th_write_file(input, text, strlen(text));
  static const struct {
    const char *bm25; /* NULL: no --bm25 */
    int status;
    const char *says;
  } runs[] = {
      {"1", 2, "--bm25 wants K1,B"},
      {"1,2", 2, "--bm25 wants K1,B"},
      {"1.2,0", 0, NULL},
      {NULL, 0, NULL},
      {"1.2,0", 0, NULL},
      {"1,1", 2, "built with --bm25 1.2,0, not 1,1"},
  };
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    th_run r = runs[i].bm25 ? th_run_indexer(NULL, "-d", index, "--bm25",
                                             runs[i].bm25, input, NULL)
                            : th_run_indexer(NULL, "-d", index, input, NULL);
    cr_expect_eq(r.status, runs[i].status, "run %zu: %s", i, r.err);
    if (runs[i].says)
      cr_expect(strstr(r.err, runs[i].says), "run %zu: %s", i, r.err);
    th_run_free(&r);
  }
  /* b 0: length does not count, both score alike; the default b 1 puts
   * the short one first. */
  char *fresh = path_in("lengths-default");
  th_run r = th_run_indexer(NULL, "-d", fresh, input, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  const char *dirs[2] = {index, fresh};
  double scores[2][2] = {{0}};
  for (int k = 0; k < 2; k++) {
    char *const search[] = {
        SEARCHER_BIN, "-d",       (char *)dirs[k], "--format", "tsv",
        "--fields",   "id,score", "--no-suggest",  "cane",     NULL};
    r = th_exec(search, NULL);
    cr_expect_eq(r.status, 0, "%s", r.err);
    char *line = r.out;
    while (line && *line) {
      char id[16];
      double score;
      if (sscanf(line, "%15s\t%lf", id, &score) == 2)
        scores[k][strcmp(id, "short") == 0 ? 0 : 1] = score;
      line = strchr(line, '\n');
      if (line) line++;
    }
    th_run_free(&r);
  }
  cr_expect(scores[0][0] > 0 && scores[0][0] == scores[0][1], "b 0: %g and %g",
            scores[0][0], scores[0][1]);
  cr_expect(scores[1][0] > scores[1][1], "b 1: short %g, long %g", scores[1][0],
            scores[1][1]);
}

/* ---- Ctrl-C inside a dump, and the rerun that resumes it --------------- */

/* Every term of index with its frequency, one "term freq" a line, in
 * term order (allterms' order), into a malloc'd string. */
typedef struct term_list {
  cr_rdb *db;
  char *text;
  size_t len, cap;
} term_list;

static int add_term(const char *term, size_t len, void *ctx) {
  term_list *t = ctx;
  char name[512];
  snprintf(name, sizeof name, "%.*s", (int)len, term);
  char line[600];
  int n =
      snprintf(line, sizeof line, "%s %u\n", name, th_termfreq(t->db, name));
  if (t->len + (size_t)n + 1 > t->cap) {
    t->cap = 2 * (t->cap + (size_t)n + 1);
    t->text = realloc(t->text, t->cap);
    cr_assert_not_null(t->text);
  }
  memcpy(t->text + t->len, line, (size_t)n + 1);
  t->len += (size_t)n;
  return 0;
}

static char *all_terms(const char *index) {
  cr_error err;
  const char *paths[] = {index};
  term_list t = {cr_rdb_open(paths, 1, &err), NULL, 0, 0};
  cr_assert_not_null(t.db, "%s", err.message);
  cr_assert_eq(cr_rdb_allterms(t.db, "", add_term, &t, &err), 0, "%s",
               err.message);
  cr_rdb_close(t.db);
  return t.text ? t.text : strdup("");
}

/* "interrupted: K added" of a summary, or -1. */
static long added_in(const char *summary) {
  const char *p = strstr(summary, "interrupted: ");
  return p ? strtol(p + strlen("interrupted: "), NULL, 10) : -1;
}

/* A dump stopped by SIGINT part way, first while building the index and
 * then while updating it: the rerun reads it from where the stop left it
 * ("K added" for the rest only, nothing replaced), and the index then
 * holds what a clean build of the dump holds, term for term. */
Test(indexer, ctrl_c_inside_a_dump_resumes_where_it_stopped) {
  char index[4200], clean[4200], big[4200], err_path[4200];
  snprintf(index, sizeof index, "%s", path_in("index"));
  snprintf(clean, sizeof clean, "%s", path_in("clean"));
  snprintf(big, sizeof big, "%s", path_in("big.jsonl"));
  snprintf(err_path, sizeof err_path, "%s", path_in("stderr"));
  const int n = 60000;
  write_many(big, n);
  long first = -1;
  /* The stop must fall inside the dump: try shorter and longer waits. */
  static const unsigned waits_ms[] = {400, 200, 800, 100, 1600, 50, 3200};
  for (size_t w = 0; w < sizeof waits_ms / sizeof *waits_ms; w++) {
    th_rmtree(index);
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 2);
      execl(INDEXER_BIN, INDEXER_BIN, "-d", index, "-j", "2", big,
            (char *)NULL);
      _exit(127);
    }
    usleep(waits_ms[w] * 1000);
    kill(pid, SIGINT);
    int status;
    waitpid(pid, &status, 0);
    char *out = th_read_file(err_path, NULL);
    cr_assert_not_null(out);
    first = added_in(out);
    free(out);
    if (first > 0 && first < n) break;
  }
  cr_assert(first > 0 && first < n, "no stop fell inside the dump (%ld)",
            first);
  cr_expect_eq(th_index_count(index, NULL), (uint32_t)first,
               "what was added is there");
  char *argv[] = {INDEXER_BIN, "-d", index, big, NULL};
  th_run r = th_exec(argv, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  char want[128];
  snprintf(want, sizeof want, "%ld added, 0 replaced", n - first);
  cr_expect(strstr(r.err, want) && strstr(r.err, "1 file resumed"), "%s: %s",
            want, r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), (uint32_t)n,
               "every article exactly once");

  /* Updating: the dump grows by its double, stopped again part way. */
  FILE *f = fopen(big, "a");
  cr_assert_not_null(f);
  for (int i = n; i < 2 * n; i++)
    fprintf(f,
            "{\"id\":\"g%d\",\"text\":\"Articolo numero %d sulla cronaca "
            "di Modena, con carabinieri, furti e processi %d.\"}\n",
            i, i, i % 50);
  fclose(f);
  long second = -1;
  for (size_t w = 0; w < sizeof waits_ms / sizeof *waits_ms; w++) {
    pid_t pid = fork();
    if (pid == 0) {
      int fd = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
      dup2(fd, 2);
      execl(INDEXER_BIN, INDEXER_BIN, "-d", index, "--commit-every", "1000",
            big, (char *)NULL);
      _exit(127);
    }
    usleep(waits_ms[w] * 1000);
    kill(pid, SIGINT);
    waitpid(pid, NULL, 0);
    char *out = th_read_file(err_path, NULL);
    cr_assert_not_null(out);
    second = added_in(out);
    free(out);
    if (second > 0 && second < n) break;
    if (second == n) break; /* finished before the stop: nothing to resume */
  }
  r = th_exec(argv, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  if (second > 0 && second < n) {
    snprintf(want, sizeof want, "%ld added, 0 replaced", n - second);
    cr_expect(strstr(r.err, want) && strstr(r.err, "1 file resumed"), "%s: %s",
              want, r.err);
  }
  th_run_free(&r);

  char *argv_clean[] = {INDEXER_BIN, "-q", "-d", clean, big, NULL};
  r = th_exec(argv_clean, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), (uint32_t)(2 * n));
  char *resumed = all_terms(index), *built = all_terms(clean);
  cr_expect(strcmp(resumed, built) == 0,
            "the resumed index's terms differ from a clean build's");
  free(resumed);
  free(built);
  /* The mark is gone once the file is read to its end: unchanged now. */
  r = th_exec(argv, NULL);
  cr_expect(strstr(r.err, "0 added, 0 replaced, 1 unchanged"), "%s", r.err);
  th_run_free(&r);
}
