/* test_e2e_searcher.c — the searcher program end to end.
 *
 * Before any test runs (in Criterion's runner process, so every test's
 * fork inherits the paths), two indexes are built with the real indexer:
 *   main   corpus/ (the seed article and the team's articles)
 *   extra  a few JSON Lines articles written here, whose fields and dates
 *          are chosen so every query form has one known answer
 * Then each test runs the searcher and checks what it prints. */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <jansson.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "xapian_c.h"

/* Criterion may run each test in a re-executed copy of this program, so
 * the runner passes the scratch directory through the environment and
 * records a failed set-up in a file there. */
#define ENV_DIR "CRONACA_TEST_E2E_SEARCHER_DIR"
static char *tmp_dir; /* scratch for both indexes and inputs */
static char main_idx[4096], extra_idx[4096];
/* Issue 17's fixtures: no article with a date (and a rare word whose
 * correction fits no phrase); a phrase much rarer than its words; an
 * index built with --language english. */
static char nodate_idx[4096], phrase_idx[4096], english_idx[4096];

static void set_paths(const char *dir) {
  snprintf(main_idx, sizeof main_idx, "%s/main", dir);
  snprintf(extra_idx, sizeof extra_idx, "%s/extra", dir);
  snprintf(nodate_idx, sizeof nodate_idx, "%s/nodate", dir);
  snprintf(phrase_idx, sizeof phrase_idx, "%s/phrase", dir);
  snprintf(english_idx, sizeof english_idx, "%s/english", dir);
}

/* "Corea" is in one article, "corsa" in three: the spelling data
 * corrects one to the other, though "Corsa del Nord" is in none. */
static const char nodate_jsonl[] =
    "{\"id\":\"n1\",\"title\":\"Uno\",\"text\":\"Corea del Nord lancia "
    "missili\"}\n"
    "{\"id\":\"n2\",\"title\":\"Due\",\"text\":\"la corsa campestre\"}\n"
    "{\"id\":\"n3\",\"title\":\"Tre\",\"text\":\"una corsa lunga\"}\n"
    "{\"id\":\"n4\",\"title\":\"Quattro\",\"text\":\"nord e corsa\"}\n";

static const char english_jsonl[] =
    "{\"id\":\"e1\",\"title\":\"Running\",\"text\":\"She was running "
    "home.\",\"date\":\"2022-01-01\"}\n";

/* 60 articles with both words, 10 with the phrase: Xapian estimated 20
 * matches for "centro storico" (-n 1). */
static void write_phrase_fixture(const char *path) {
  static char buf[60 * 200];
  size_t n = 0;
  for (int i = 0; i < 60; i++)
    n += (size_t)snprintf(
        buf + n, sizeof buf - n,
        "{\"id\":\"p%d\",\"title\":\"Articolo %d\",\"text\":\"%s parola%d\"}\n",
        i, i,
        i < 10 ? "Il centro storico di Modena chiude."
               : "Il centro sportivo riapre; un evento storico per la citta.",
        i);
  th_write_file(path, buf, n);
}

/* The extra articles: ids c1..c6, with fields every query form can use. */
static const char extra_jsonl[] =
    "{\"id\":\"c1\",\"title\":\"Guerra in Ucraina\",\"text\":\"La guerra in "
    "Ucraina continua. La Casa Bianca osserva.\",\"date\":\"2022-03-01\","
    "\"author\":\"Mario Rossi\",\"source\":\"Gazzetta\"}\n"
    "{\"id\":\"c2\",\"title\":\"Elezioni a Roma\",\"text\":\"Nella "
    "citt\xc3\xa0 "
    "di Roma si vota. Nessuna guerra.\",\"date\":\"2023-05-10\",\"author\":"
    "\"Anna Bianchi\",\"source\":\"Corriere\"}\n"
    "{\"id\":\"c3\",\"title\":\"Droni dall'Iran\",\"text\":\"La Russia ha "
    "comprato droni dall\xe2\x80\x99Iran. Una nave russa.\",\"date\":"
    "\"2022-08-15\",\"author\":\"Luca Verdi\",\"source\":\"Gazzetta\"}\n"
    "{\"id\":\"c4\",\"title\":\"Notizia \\u001b[31m rossa\\u0007\",\"text\":"
    "\"Allarme \\u001b[2J Pyongyang \\u0007 \\u001b]0;pwned\\u0007 test\"}\n"
    "{\"id\":\"c5\",\"title\":\"Ucraina oggi\",\"text\":\"Ucraina e Casa "
    "Bianca: nuove sanzioni.\",\"date\":\"2021-12-31\"}\n"
    "{\"id\":\"c6\",\"title\":\"Ucraina al voto\",\"text\":\"In Ucraina si "
    "vota.\",\"date\":\"2022-10-01\"}\n";

static bool run_indexer_lang(const char *idx, const char *path,
                             const char *language) {
  return th_setup_index(tmp_dir, idx, path, language);
}

static bool run_indexer(const char *idx, const char *path) {
  return run_indexer_lang(idx, path, "italian");
}

ReportHook(PRE_ALL)(struct criterion_test_set *set) {
  (void)set;
  tmp_dir = th_setup_begin("e2e-searcher", ENV_DIR);
  set_paths(tmp_dir);
  char jsonl[4096];
  snprintf(jsonl, sizeof jsonl, "%s/in/extra.jsonl", tmp_dir);
  th_write_file(jsonl, extra_jsonl, sizeof extra_jsonl - 1);
  if (!run_indexer(main_idx, CORPUS_DIR) || !run_indexer(extra_idx, jsonl))
    return;
  snprintf(jsonl, sizeof jsonl, "%s/in/nodate.jsonl", tmp_dir);
  th_write_file(jsonl, nodate_jsonl, sizeof nodate_jsonl - 1);
  if (!run_indexer(nodate_idx, jsonl)) return;
  snprintf(jsonl, sizeof jsonl, "%s/in/phrase.jsonl", tmp_dir);
  write_phrase_fixture(jsonl);
  if (!run_indexer(phrase_idx, jsonl)) return;
  snprintf(jsonl, sizeof jsonl, "%s/in/english.jsonl", tmp_dir);
  th_write_file(jsonl, english_jsonl, sizeof english_jsonl - 1);
  run_indexer_lang(english_idx, jsonl, "english");
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

/* Generous: scripts/valgrind.sh runs every searcher under memcheck. */
TestSuite(searcher, .init = need_indexes, .timeout = 300);

/* The hits' ids of a --json run over the extra index, in rank order,
 * comma-separated ("" for none). Fails the test if the JSON is invalid. */
static char *ids_of(const char *json_text) {
  json_t *o = th_json(json_text);
  static char buf[4096];
  buf[0] = '\0';
  size_t i;
  json_t *hit;
  json_array_foreach(json_object_get(o, "hits"), i, hit) {
    if (i) strcat(buf, ",");
    strncat(buf, json_string_value(json_object_get(hit, "id")), 200);
  }
  json_decref(o);
  return buf;
}

/* Each query form against the extra index and the ids it must return,
 * in rank order when the order is defined, else sorted ("~" prefix). */
Test(searcher, query_forms) {
  static const struct {
    const char *opt1, *opt2, *query, *want;
  } cases[] = {
      {NULL, NULL, "\"Casa Bianca\"", "~c1,c5"},
      {NULL, NULL, "Ucraina -\"Casa Bianca\"", "c6"},
      {NULL, NULL, "+Russia droni", "c3"},
      {NULL, NULL, "guerra -Ucraina", "c2"},
      {NULL, NULL, "guerra AND Roma", "c2"},
      {NULL, NULL, "Roma OR Iran", "~c2,c3"},
      {NULL, NULL, "guerra NOT Roma", "c1"},
      {NULL, NULL, "(Roma OR Iran) AND guerra", "c2"},
      {NULL, NULL, "title:guerra", "c1"},
      {NULL, NULL, "author:Rossi", "c1"},
      {NULL, NULL, "source:Corriere", "c2"},
      {NULL, NULL, "ucrain*", "~c1,c5,c6"},
      {NULL, NULL, "Ucraina date:2022", "~c1,c6"},
      {NULL, NULL, "date:2022-08", "c3"},
      {NULL, NULL, "date:2022-03-01..2022-08-31", "~c1,c3"},
      {"--since", "2022-01-01", "Ucraina", "~c1,c6"},
      {"--until", "2021-12-31", "Ucraina", "c5"},
      {"--since", "1 marzo 2022", "Ucraina", "~c1,c6"},
      {"--until", "01/03/2022", "Ucraina", "~c1,c5"},
      {"--sort", "date", "Ucraina", "c6,c1,c5"},
      {"--all", NULL, "guerra Ucraina", "c1"},
      {NULL, NULL, "citta", "c2"},
      {NULL, NULL, "Russia", "c3"},
      {NULL, NULL, "russi", "c3"},
      {NULL, NULL, "dell'Iran", "c3"},
      {NULL, NULL, "Pyongyang", "c4"},
      {NULL, NULL, "\x1b[31mRussia\x1b[0m", "c3"}, /* pasted colour codes */
      {NULL, NULL, "nessunaparolacosi", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_run r =
        cases[i].opt1 == NULL ? th_run_searcher(NULL, "-d", extra_idx, "--json",
                                                cases[i].query, NULL)
        : cases[i].opt2 == NULL
            ? th_run_searcher(NULL, "-d", extra_idx, "--json", cases[i].opt1,
                              cases[i].query, NULL)
            : th_run_searcher(NULL, "-d", extra_idx, "--json", cases[i].opt1,
                              cases[i].opt2, cases[i].query, NULL);
    cr_expect_eq(r.status, 0, "case %zu (%s): status %d: %s", i, cases[i].query,
                 r.status, r.err);
    if (r.status == 0) {
      char *got = ids_of(r.out);
      const char *want = cases[i].want;
      if (*want == '~') { /* any order: compare sorted */
        want++;
        char *parts[16];
        size_t n = 0;
        for (char *t = strtok(got, ","); t && n < 16; t = strtok(NULL, ","))
          parts[n++] = t;
        for (size_t a = 1; a < n; a++)
          for (size_t b = a; b > 0 && strcmp(parts[b - 1], parts[b]) > 0; b--) {
            char *tmp = parts[b];
            parts[b] = parts[b - 1];
            parts[b - 1] = tmp;
          }
        static char sorted[4096];
        sorted[0] = '\0';
        for (size_t k = 0; k < n; k++) {
          if (k) strcat(sorted, ",");
          strcat(sorted, parts[k]);
        }
        got = sorted;
      }
      cr_expect_str_eq(got, want, "case %zu (%s %s %s)", i,
                       cases[i].opt1 ? cases[i].opt1 : "",
                       cases[i].opt2 ? cases[i].opt2 : "", cases[i].query);
    }
    th_run_free(&r);
  }
}

/* The example: the seed article first, its words highlighted. */
Test(searcher, seed_article_first) {
  th_run r =
      th_run_searcher(NULL, "-d", main_idx, "Corea del Nord armi Russia", NULL);
  cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
  static const char want[] = "1. Secondo l\xe2\x80\x99intelligence Usa, la "
                             "Russia sta comprando armi dalla Corea del Nord\n";
  cr_expect(strncmp(r.out, want, sizeof want - 1) == 0,
            "first hit is not the seed:\n%s", r.out);
  const char *second = strchr(r.out, '\n');
  cr_expect(second && strstr(second, "2022-09-06"), "no date line:\n%s", r.out);
  cr_expect(strstr(r.out, "russia-corea-del-nord-armi.txt"), "no id:\n%s",
            r.out);
  cr_expect(strstr(r.out, "**Russia**") && strstr(r.out, "**armi**") &&
                strstr(r.out, "**Corea**") && strstr(r.out, "**Nord**"),
            "words not highlighted:\n%s", r.out);
  cr_expect(strstr(r.out, " matches, "), "no summary line:\n%s", r.out);
  cr_expect(!strchr(r.out, '\x1b'), "escape codes when not a terminal");
  th_run_free(&r);
}

Test(searcher, json_fields) {
  th_run r = th_run_searcher(NULL, "-d", main_idx, "--json", "-n", "3",
                             "Corea del Nord armi Russia", NULL);
  cr_assert_eq(r.status, 0, "status %d: %s", r.status, r.err);
  cr_expect(strchr(r.out, '\n') == r.out + r.out_len - 1, "not one line");
  json_error_t jerr;
  json_t *o = json_loads(r.out, 0, &jerr);
  cr_assert(o, "invalid JSON: %s", r.out);
  cr_expect_str_eq(json_string_value(json_object_get(o, "query")),
                   "Corea del Nord armi Russia");
  cr_expect(json_is_integer(json_object_get(o, "estimated_matches")));
  cr_expect(json_is_number(json_object_get(o, "took_ms")));
  json_t *hits = json_object_get(o, "hits");
  cr_assert(json_array_size(hits) >= 1 && json_array_size(hits) <= 3);
  json_t *h = json_array_get(hits, 0);
  cr_expect_eq(json_integer_value(json_object_get(h, "rank")), 1);
  const char *id = json_string_value(json_object_get(h, "id"));
  cr_expect(id && strstr(id, "russia-corea-del-nord-armi.txt"), "id %s", id);
  cr_expect(json_is_number(json_object_get(h, "score")));
  cr_expect_str_eq(json_string_value(json_object_get(h, "date")), "2022-09-06");
  cr_expect_str_eq(json_string_value(json_object_get(h, "author")),
                   "Fabrizio Grasso");
  cr_expect(
      strstr(json_string_value(json_object_get(h, "snippet")), "**Russia**"));
  json_decref(o);
  th_run_free(&r);
}

/* Fields an article lacks are left out; control characters never show. */
Test(searcher, missing_fields_and_control_characters) {
  th_run r =
      th_run_searcher(NULL, "-d", extra_idx, "--json", "Pyongyang", NULL);
  cr_assert_eq(r.status, 0);
  json_t *o = json_loads(r.out, 0, NULL);
  cr_assert(o, "invalid JSON: %s", r.out);
  json_t *h = json_array_get(json_object_get(o, "hits"), 0);
  cr_expect(!json_object_get(h, "date") && !json_object_get(h, "author") &&
                !json_object_get(h, "source"),
            "invented fields: %s", r.out);
  const char *snip = json_string_value(json_object_get(h, "snippet"));
  cr_expect(snip && !strchr(snip, '\x1b') && !strchr(snip, '\x07'),
            "control characters in the snippet: %s", r.out);
  json_decref(o);
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", extra_idx, "Pyongyang", NULL);
  cr_assert_eq(r.status, 0);
  for (const unsigned char *p = (const unsigned char *)r.out; *p; p++)
    cr_expect(*p >= 0x20 || *p == '\n', "raw control byte 0x%02x", *p);
  th_run_free(&r);
}

/* Several -d searched as one. */
Test(searcher, several_databases) {
  th_run r = th_run_searcher(NULL, "-d", main_idx, "-d", extra_idx, "--json",
                             "-n", "50", "Pyongyang", NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  char *ids = ids_of(r.out);
  cr_expect(strstr(ids, "c4") && strstr(ids, "russia-corea-del-nord-armi"),
            "got %s", ids);
  th_run_free(&r);
}

Test(searcher, paging) {
  th_run r = th_run_searcher(NULL, "-d", extra_idx, "--json", "--sort", "date",
                             "--offset", "1", "-n", "1", "Ucraina", NULL);
  cr_assert_eq(r.status, 0);
  cr_expect_str_eq(ids_of(r.out), "c1");
  json_t *o = json_loads(r.out, 0, NULL);
  json_t *h = json_array_get(json_object_get(o, "hits"), 0);
  cr_expect_eq(json_integer_value(json_object_get(h, "rank")), 2);
  json_decref(o);
  th_run_free(&r);
}

static size_t count_lines(const char *s) {
  size_t n = 0;
  for (; *s; s++)
    n += *s == '\n';
  return n;
}

Test(searcher, batch) {
  char path[4096];
  snprintf(path, sizeof path, "%s/queries.txt", tmp_dir);
  const char queries[] = "Russia\n\nguerra -Ucraina\r\n\"\n";
  th_write_file(path, queries, sizeof queries - 1);
  for (int from_stdin = 0; from_stdin < 2; from_stdin++) {
    th_run r =
        from_stdin
            ? th_run_searcher(queries, "-d", extra_idx, "--batch", "-", NULL)
            : th_run_searcher(NULL, "-d", extra_idx, "--batch", path, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(count_lines(r.out), 4, "got:\n%s", r.out);
    char *line = strtok(r.out, "\n");
    cr_expect_str_eq(ids_of(line), "c3");
    line = strtok(NULL, "\n");
    cr_expect_str_eq(ids_of(line), "", "blank line: %s", line);
    line = strtok(NULL, "\n");
    cr_expect_str_eq(ids_of(line), "c2");
    line = strtok(NULL, "\n");
    ids_of(line); /* valid JSON is enough */
    th_run_free(&r);
  }
}

/* Whatever is typed: exit 0, valid JSON, at most a one-line note. */
Test(searcher, bad_queries) {
  static char many[10000 * 7 + 1];
  many[0] = '\0';
  for (int i = 0; i < 10000; i++)
    strcat(many, i % 2 ? "guerra " : "parola ");
  const char *cases[] = {"\"",
                         "(",
                         ")",
                         "AND",
                         "-",
                         "",
                         "+",
                         "OR OR",
                         "NOT",
                         "title:",
                         "date:",
                         "date:abc",
                         "*",
                         "a*",
                         "il la di",
                         "\"Corea del",
                         "((Roma",
                         "\x01\x1b[2J\x7f",
                         "\xff\xfe Russia \xc3",
                         "date:2022-13-45..x",
                         "author:\"",
                         many};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    for (int json = 0; json < 2; json++) {
      th_run r = json ? th_run_searcher(NULL, "-d", extra_idx, "--json",
                                        cases[i], NULL)
                      : th_run_searcher(NULL, "-d", extra_idx, cases[i], NULL);
      cr_expect_eq(r.status, 0, "case %zu json %d: status %d: %s", i, json,
                   r.status, r.err);
      cr_expect(count_lines(r.err) <= 1, "case %zu: more than one line: %s", i,
                r.err);
      if (json && r.status == 0) ids_of(r.out);
      th_run_free(&r);
    }
  }
}

Test(searcher, missing_index) {
  char path[4096];
  snprintf(path, sizeof path, "%s/no-such-index", tmp_dir);
  th_run r = th_run_searcher(NULL, "-d", path, "Russia", NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "cannot open index") && strstr(r.err, path) &&
                strstr(r.err, "indexer -d"),
            "unclear message: %s", r.err);
  cr_expect_eq(r.out_len, 0);
  th_run_free(&r);
}

Test(searcher, usage_errors) {
  const char *cases[][4] = {
      {"Russia", NULL},
      {"-d", extra_idx, NULL},
      {"-d", extra_idx, "-n", "abc"},
      {"-d", extra_idx, "--sort", "size"},
      {"-d", extra_idx, "--since", "ieri"},
      {"-d", extra_idx, "--bm25", "x"},
      {"-d", extra_idx, "--nonsense", "x"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_run r = th_run_searcher(NULL, cases[i][0], cases[i][1], cases[i][2],
                               cases[i][3], NULL);
    cr_expect_eq(r.status, 2, "case %zu: status %d", i, r.status);
    cr_expect(strncmp(r.err, "searcher: ", 10) == 0, "case %zu: %s", i, r.err);
    th_run_free(&r);
  }
}

Test(searcher, help_version_analyze) {
  th_run r = th_run_searcher(NULL, "--help", NULL);
  cr_expect_eq(r.status, 0);
  cr_expect(strstr(r.out, "usage: searcher"));
  th_run_free(&r);
  r = th_run_searcher(NULL, "--version", NULL);
  cr_expect_eq(r.status, 0);
  cr_expect(strstr(r.out, "searcher"));
  th_run_free(&r);
  r = th_run_searcher(NULL, "--analyze", "dell'Iran e la citt\xc3\xa0", NULL);
  cr_expect_eq(r.status, 0);
  cr_expect(strncmp(r.out, "iran\ncitt", 9) == 0, "got '%s'", r.out);
  cr_expect_eq(count_lines(r.out), 2, "stop words printed: '%s'", r.out);
  th_run_free(&r);
}

/* Runs the searcher on a pseudo-terminal (so it sees a terminal) with
 * NO_COLOR set or not and TERM as given, and returns what it printed. */
static char *on_terminal(bool no_color, const char *term) {
  int master;
  pid_t pid = forkpty(&master, NULL, NULL, NULL);
  cr_assert(pid >= 0, "forkpty failed");
  if (pid == 0) {
    if (no_color)
      setenv("NO_COLOR", "1", 1);
    else
      unsetenv("NO_COLOR");
    setenv("TERM", term, 1);
    execl(SEARCHER_BIN, SEARCHER_BIN, "-d", extra_idx, "Russia", (char *)NULL);
    _exit(127);
  }
  static char buf[65536];
  size_t len = 0;
  ssize_t n;
  while (len < sizeof buf - 1 &&
         (n = read(master, buf + len, sizeof buf - 1 - len)) > 0)
    len += (size_t)n;
  buf[len] = '\0';
  int status;
  waitpid(pid, &status, 0);
  close(master);
  cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  return buf;
}

Test(searcher, bold_on_terminal_unless_no_color) {
  static const struct {
    bool no_color;
    const char *term;
    bool bold;
  } cases[] = {
      {false, "xterm-256color", true},
      {true, "xterm-256color", false},
      {false, "dumb", false},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *out = on_terminal(cases[i].no_color, cases[i].term);
    if (cases[i].bold) {
      cr_expect(strstr(out, "\x1b[1m"), "case %zu: no bold: %s", i, out);
    } else {
      cr_expect(!strchr(out, '\x1b'), "case %zu: escape codes: %s", i, out);
      cr_expect(strstr(out, "**Russia**"), "case %zu: no markers: %s", i, out);
    }
  }
}

/* An index written in another document layout is refused by name, by
 * both programs, and left as it was. */
Test(searcher, an_index_in_another_layout_is_refused) {
  char old[4096];
  snprintf(old, sizeof old, "%s/old-layout", tmp_dir);
  cr_error err;
  cr_wdb *w = cr_wdb_open(old, CR_WDB_CREATE_OR_OVERWRITE, &err);
  cr_assert_not_null(w, "%s", err.message);
  cr_doc *doc = cr_doc_new(NULL);
  cr_doc_add_term(doc, "Qx", 2, 0, NULL);
  cr_doc_set_data(doc, "{\"id\":\"x\"}", 10, NULL);
  cr_assert_eq(cr_wdb_replace(w, "Qx", doc, &err), 0);
  cr_doc_free(doc);
  cr_assert_eq(cr_wdb_close(w, &err), 0);

  th_run r = th_run_searcher(NULL, "-d", old, "guerra", NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "layout 1") && strstr(r.err, old), "%s", r.err);
  th_run_free(&r);
  char *const argv[] = {INDEXER_BIN, "-q", "-d", old, CORPUS_DIR, NULL};
  r = th_exec(argv, NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "layout 1") != NULL, "%s", r.err);
  th_run_free(&r);
  const char *paths[] = {old};
  cr_rdb *db = cr_rdb_open(paths, 1, &err);
  cr_assert_not_null(db);
  cr_expect_eq(th_doccount(db), 1, "the old index is untouched");
  cr_rdb_close(db);
}

/* ---- News-archive features (issue 8) on corpus/ ------------------------ */

Test(searcher, did_you_mean) {
  /* corpus/ misspells the mayor once as "Frederico"; "Federico" is common. */
  static const struct {
    const char *query, *want; /* want NULL: no suggestion */
  } cases[] = {
      {"Frederico", "Federico"},
      {"sindaco Frederico", "sindaco Federico"},
      {"\"Frederico\" -Roma", "\"Federico\" -Roma"},
      {"Federico Rossi", NULL},
      {"Corea del Nord", NULL},
      {"author:Frederico", NULL},               /* fields are not corrected */
      {"\x1b[31mFrederico\x1b[0m", "Federico"}, /* pasted colour codes */
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_run r = th_run_searcher(NULL, "-d", main_idx, "--json", "--no-snippets",
                               cases[i].query, NULL);
    cr_assert_eq(r.status, 0, "%s: %s", cases[i].query, r.err);
    json_t *o = th_json(r.out);
    const char *got = json_string_value(json_object_get(o, "suggestion"));
    if (cases[i].want)
      cr_expect(got && !strcmp(got, cases[i].want), "%s: got %s",
                cases[i].query, got ? got : "(none)");
    else
      cr_expect(!got, "%s: unexpected suggestion %s", cases[i].query, got);
    json_decref(o);
    th_run_free(&r);
  }
  th_run r = th_run_searcher(NULL, "-d", main_idx, "Frederico", NULL);
  cr_expect(!strncmp(r.out, "Forse cercavi: Federico\n", 24), "%s", r.out);
  cr_expect(strstr(r.out, "1006"), "the misspelt article is still found");
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", main_idx, "--no-suggest", "Frederico", NULL);
  cr_expect(!strstr(r.out, "Forse cercavi"), "%s", r.out);
  th_run_free(&r);
}

#define AGENCY "articles/agenzia-scossa-terremoto.txt"
#define PAPER "articles/gazzetta-scossa-terremoto.txt"

Test(searcher, collapse_folds_near_duplicates) {
  th_run r = th_run_searcher(NULL, "-d", main_idx, "--json", "--no-snippets",
                             "-n", "2", "terremoto Mirandola", NULL);
  char *ids = ids_of(r.out);
  cr_expect(strstr(ids, AGENCY) && strstr(ids, PAPER), "both first: %s", ids);
  th_run_free(&r);

  r = th_run_searcher(NULL, "-d", main_idx, "--json", "--no-snippets",
                      "--collapse", "terremoto Mirandola", NULL);
  json_t *o = th_json(r.out);
  json_t *hits = json_object_get(o, "hits");
  size_t shown = 0, i;
  json_t *h;
  json_array_foreach(hits, i, h) {
    const char *id = json_string_value(json_object_get(h, "id"));
    if (strcmp(id, AGENCY) && strcmp(id, PAPER)) {
      cr_expect(!json_object_get(h, "similar"), "%s has no duplicate", id);
      continue;
    }
    shown++;
    cr_expect_eq(json_integer_value(json_object_get(h, "similar")), 1);
  }
  cr_expect_eq(shown, 1, "one of the pair, not %zu", shown);
  json_decref(o);
  th_run_free(&r);

  r = th_run_searcher(NULL, "-d", main_idx, "--collapse", "-n", "1",
                      "terremoto Mirandola", NULL);
  cr_expect(strstr(r.out, "(+1 similar)"), "%s", r.out);
  th_run_free(&r);
}

/* A page of a date-filtered search counts its matches exactly (on this
 * corpus: Xapian's own estimate said 2 for date:2022.., 29 match). */
Test(searcher, date_filtered_counts_are_exact) {
  static const char *const queries[] = {"date:2022..", "date:..2022",
                                        "date:2022", "Russia date:2022..",
                                        "date:2019..2030"};
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
    th_run r = th_run_searcher(NULL, "-d", main_idx, "--json", "--no-snippets",
                               "-n", "2", queries[i], NULL);
    json_t *page = th_json(r.out);
    th_run_free(&r);
    r = th_run_searcher(NULL, "-d", main_idx, "--json", "--no-snippets", "-n",
                        "1000", queries[i], NULL);
    json_t *all = th_json(r.out);
    th_run_free(&r);
    size_t n = json_array_size(json_object_get(all, "hits"));
    cr_expect_gt(n, 2, "%s matches too little to test", queries[i]);
    cr_expect_eq(json_integer_value(json_object_get(page, "estimated_matches")),
                 (json_int_t)n, "%s", queries[i]);
    json_decref(page);
    json_decref(all);
  }
}

Test(searcher, facets_count_every_match) {
  static const struct {
    const char *facet, *query, *want;
  } cases[] = {
      {"year", "date:2019", "\"year\": [{\"value\": \"2019\", \"count\": 1}]"},
      {"month", "date:2019",
       "\"month\": [{\"value\": \"2019-05\", \"count\": 1}]"},
      {"source", "source:padano",
       "\"source\": [{\"value\": \"Corriere Padano\", \"count\": 2}]"},
      {"author", "author:Romano date:2023-09",
       "\"author\": [{\"value\": \"Luca Romano\", \"count\": 1}]"},
      {"anno", "Zelensky", "\"year\": ["},
      /* no match has the field: an empty list (UBSan once caught a
       * qsort of nothing) */
      {"author", "zzzqqq", "\"author\": []"},
      {"source", "zzzqqq", "\"source\": []"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    /* -n 1: the counts cover all matches, not the page */
    th_run r = th_run_searcher(NULL, "-d", main_idx, "--json", "-n", "1",
                               "--facet", cases[i].facet, cases[i].query, NULL);
    cr_assert_eq(r.status, 0, "%s: %s", cases[i].query, r.err);
    cr_expect(strstr(r.out, cases[i].want), "%s: %s", cases[i].query, r.out);
    th_run_free(&r);
  }
  /* Over a whole query the year counts add up to the matches. */
  th_run r = th_run_searcher(NULL, "-d", main_idx, "--json", "-n", "1",
                             "--facet", "year", "date:2019..2030", NULL);
  json_t *o = th_json(r.out);
  json_int_t sum = 0;
  size_t k;
  json_t *v;
  json_array_foreach(json_object_get(json_object_get(o, "facets"), "year"), k,
                     v) sum += json_integer_value(json_object_get(v, "count"));
  cr_expect_eq(sum,
               json_integer_value(json_object_get(o, "estimated_matches")));
  cr_expect_gt(sum, 30);
  json_decref(o);
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", main_idx, "--facet", "source", "-n", "0",
                      "source:padano", NULL);
  cr_expect(strstr(r.out, "source: Corriere Padano (2)\n"), "%s", r.out);
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", main_idx, "--facet", "weekday", "x", NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "weekday"), "%s", r.err);
  th_run_free(&r);
}

Test(searcher, more_like_this) {
  th_run r = th_run_searcher(NULL, "-d", main_idx, "--json", "--no-snippets",
                             "--like", AGENCY, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  char *ids = ids_of(r.out);
  cr_expect(!strncmp(ids, PAPER ",", strlen(PAPER) + 1),
            "its reprint first: %s", ids);
  cr_expect(!strstr(ids, AGENCY), "never itself: %s", ids);
  th_run_free(&r);
  /* With --collapse its near duplicates are left out too. */
  r = th_run_searcher(NULL, "-d", main_idx, "--json", "--no-snippets",
                      "--collapse", "--like", AGENCY, NULL);
  ids = ids_of(r.out);
  cr_expect(ids[0] && !strstr(ids, PAPER) && !strstr(ids, AGENCY), "%s", ids);
  th_run_free(&r);
  /* A query only filters the similar articles. */
  r = th_run_searcher(NULL, "-d", main_idx, "--json", "--no-snippets", "--like",
                      AGENCY, "date:2022", NULL);
  json_t *o = th_json(r.out);
  size_t i;
  json_t *h;
  json_array_foreach(json_object_get(o, "hits"), i, h) {
    const char *d = json_string_value(json_object_get(h, "date"));
    cr_expect(d && !strncmp(d, "2022", 4), "date %s", d ? d : "(none)");
  }
  cr_expect_gt(json_array_size(json_object_get(o, "hits")), 0);
  json_decref(o);
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", main_idx, "--like", "no-such-article", NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "no-such-article"), "%s", r.err);
  th_run_free(&r);
}

/* ---- Issue 17: counts, suggestions, dates, messages -------------------- */

/* The matches of a --json run: estimated_matches, and whether exact. */
static json_int_t matches_of(const th_run *r, bool *exact) {
  json_t *o = th_json(r->out);
  json_int_t n = json_integer_value(json_object_get(o, "estimated_matches"));
  *exact = json_is_true(json_object_get(o, "exact"));
  json_decref(o);
  return n;
}

/* Phrase counts are exact (Xapian estimated 20 for the first, 10 match),
 * and said to be; so are the counts of small plain queries. */
Test(searcher, phrase_counts_are_exact) {
  static const struct {
    const char *query;
    json_int_t want;
  } cases[] = {
      {"\"centro storico\"", 10},
      {"\"centro storico\" Modena", 10},
      {"+\"centro storico\" parola3", 10},
      {"centro -\"centro storico\"", 50},
      {"\"evento storico\" OR \"centro storico\"", 60},
      {"title:\"Articolo 7\"", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_run r =
        th_run_searcher(NULL, "-d", phrase_idx, "--json", "--no-snippets", "-n",
                        "1", cases[i].query, NULL);
    cr_assert_eq(r.status, 0, "%s: %s", cases[i].query, r.err);
    bool exact = false;
    json_int_t got = matches_of(&r, &exact);
    cr_expect_eq(got, cases[i].want, "%s: %lld matches, not %lld",
                 cases[i].query, (long long)got, (long long)cases[i].want);
    cr_expect(exact, "%s: not said to be exact", cases[i].query);
    th_run_free(&r);
  }
  th_run r = th_run_searcher(NULL, "-d", phrase_idx, "--no-snippets", "-n", "1",
                             "\"centro storico\"", NULL);
  cr_expect(strstr(r.out, "\n1 of 10 matches, "), "%s", r.out);
  th_run_free(&r);
}

/* The same database named twice is searched once, with a warning; a
 * copy of it is searched, its articles shown and counted once: no
 * article twice, no count doubled. */
Test(searcher, a_database_given_twice_is_searched_once) {
  char stub[4200], slash[4200], dotted[4200];
  snprintf(stub, sizeof stub, "%s/main.stub", tmp_dir);
  th_write_file(stub, "auto main\n", 10);
  snprintf(slash, sizeof slash, "%s/", main_idx);
  snprintf(dotted, sizeof dotted, "%s/../main", main_idx);
  /* A copy (a backup beside the live index) is another database, whose
   * articles are the same: shown once and counted once, without a
   * warning (last in the table; its scores differ a little, the
   * collection being twice as big). */
  char copy[4200];
  snprintf(copy, sizeof copy, "%s/main-copy", tmp_dir);
  if (!th_exists(copy)) {
    char *const cp[] = {"/bin/cp", "-a", main_idx, copy, NULL};
    th_run c = th_exec(cp, NULL);
    cr_assert_eq(c.status, 0, "cp: %s", c.err);
    th_run_free(&c);
  }
  const char *seconds[] = {main_idx, stub, slash, dotted, copy};
  size_t n_seconds = sizeof seconds / sizeof *seconds;
  th_run one = th_run_searcher(NULL, "-d", main_idx, "--json", "--no-snippets",
                               "-n", "50", "--facet", "year", "Rossi", NULL);
  cr_assert_eq(one.status, 0, "%s", one.err);
  json_t *want = th_json(one.out);
  char want_ids[4096];
  snprintf(want_ids, sizeof want_ids, "%s", ids_of(one.out));
  for (size_t i = 0; i < n_seconds; i++) {
    bool is_copy = i + 1 == n_seconds;
    th_run r = th_run_searcher(NULL, "-d", main_idx, "-d", seconds[i], "--json",
                               "--no-snippets", "-n", "50", "--facet", "year",
                               "Rossi", NULL);
    cr_assert_eq(r.status, 0, "%s: %s", seconds[i], r.err);
    json_t *got = th_json(r.out);
    if (is_copy)
      cr_expect_str_eq(ids_of(r.out), want_ids, "-d %s: other hits", copy);
    else
      cr_expect(json_equal(json_object_get(got, "hits"),
                           json_object_get(want, "hits")),
                "-d %s: other hits:\n%s\n%s", seconds[i], r.out, one.out);
    cr_expect_eq(json_integer_value(json_object_get(got, "estimated_matches")),
                 json_integer_value(json_object_get(want, "estimated_matches")),
                 "-d %s: another count", seconds[i]);
    cr_expect(json_equal(json_object_get(got, "facets"),
                         json_object_get(want, "facets")),
              "-d %s: other facet counts:\n%s", seconds[i], r.out);
    if (!is_copy)
      cr_expect(strstr(r.err, "same database") &&
                    strstr(r.err, "searched once"),
                "-d %s: no warning: %s", seconds[i], r.err);
    json_decref(got);
    th_run_free(&r);
  }
  json_decref(want);
  th_run_free(&one);
}

/* A suggestion is offered only when it finds something, and at least as
 * much as the query. */
Test(searcher, a_suggestion_must_find_something) {
  static const struct {
    const char *query, *want; /* want NULL: no suggestion */
  } cases[] = {
      {"\"Corea del Nord\"", NULL}, /* "Corsa del Nord": nowhere */
      {"Corea del Nord", "Corsa del Nord"},
      {"corea", "corsa"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_run r = th_run_searcher(NULL, "-d", nodate_idx, "--json",
                               "--no-snippets", cases[i].query, NULL);
    cr_assert_eq(r.status, 0, "%s: %s", cases[i].query, r.err);
    json_t *o = th_json(r.out);
    const char *got = json_string_value(json_object_get(o, "suggestion"));
    if (cases[i].want)
      cr_expect(got && !strcmp(got, cases[i].want), "%s: got %s",
                cases[i].query, got ? got : "(none)");
    else
      cr_expect(!got, "%s: suggests %s", cases[i].query, got);
    json_decref(o);
    th_run_free(&r);
  }
}

/* --analyze with -d analyses in the index's language, as its queries. */
Test(searcher, analyze_in_the_index_language) {
  static const struct {
    const char *index, *language, *want;
  } cases[] = {
      {NULL, NULL, "running\n"},           /* Italian */
      {"english", NULL, "run\n"},          /* the index's */
      {"english", "italian", "running\n"}, /* as asked */
      {"main", NULL, "running\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const char *idx = !cases[i].index                      ? NULL
                      : !strcmp(cases[i].index, "english") ? english_idx
                                                           : main_idx;
    th_run r =
        !idx ? th_run_searcher(NULL, "--analyze", "running", NULL)
        : cases[i].language
            ? th_run_searcher(NULL, "-d", idx, "--language", cases[i].language,
                              "--analyze", "running", NULL)
            : th_run_searcher(NULL, "-d", idx, "--analyze", "running", NULL);
    cr_expect_eq(r.status, 0, "case %zu: %s", i, r.err);
    cr_expect_str_eq(r.out, cases[i].want, "case %zu", i);
    th_run_free(&r);
  }
}

/* Dates on an index where no article has one: a note says why. */
Test(searcher, dates_on_a_dateless_index_are_explained) {
  static const char *const cases[][3] = {
      {"--since", "2022-01-01", "corsa"},    {"--until", "2022-01-01", "corsa"},
      {"--sort", "date", "corsa"},           {NULL, NULL, "corsa date:2022"},
      {NULL, NULL, "date:2022-01..2022-03"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    for (int json = 0; json < 2; json++) {
      const char *q = cases[i][2];
      th_run r =
          cases[i][0]
              ? th_run_searcher(NULL, "-d", nodate_idx,
                                json ? "--json" : "--no-snippets", cases[i][0],
                                cases[i][1], q, NULL)
              : th_run_searcher(NULL, "-d", nodate_idx,
                                json ? "--json" : "--no-snippets", q, NULL);
      cr_assert_eq(r.status, 0, "case %zu: %s", i, r.err);
      const char *where = json ? r.out : r.err;
      cr_expect(strstr(where, "no article in this index has a date"),
                "case %zu (%s): no note: %s", i, json ? "json" : "text", where);
      th_run_free(&r);
    }
  }
  /* An index with dates: no such note. */
  th_run r = th_run_searcher(NULL, "-d", main_idx, "--since", "2030-01-01",
                             "Rossi", NULL);
  cr_expect(!strstr(r.err, "has a date"), "%s", r.err);
  th_run_free(&r);
}

/* Every argument a message echoes is made safe for the terminal: its
 * control bytes show as \xNN, none reaches stderr raw. */
Test(searcher, messages_echo_arguments_safely) {
  char stub[4200], missing[4200];
  snprintf(stub, sizeof stub, "%s/hostile.stub", tmp_dir);
  th_write_file(stub, "auto \x1b]0;PWNED\x07\n", 15);
  snprintf(missing, sizeof missing, "%s/no\x1b[2Jsuch", tmp_dir);
#define EVIL "\x1b]0;PWNED\x07"
  const char *cases[][6] = {
      {"-d", extra_idx, "--like", EVIL, NULL},
      {"-d", extra_idx, "--facet", EVIL, "x", NULL},
      {"-d", extra_idx, "--since", EVIL, "x", NULL},
      {"-d", extra_idx, "--until", EVIL, "x", NULL},
      {"-d", extra_idx, "--sort", EVIL, "x", NULL},
      {"-d", extra_idx, "-n", EVIL, "x", NULL},
      {"-d", extra_idx, "--offset", EVIL, "x", NULL},
      {"-d", extra_idx, "--rerank", EVIL, "x", NULL},
      {"-d", extra_idx, "--bm25", EVIL, "x", NULL},
      {"-d", extra_idx, "--language", EVIL, "x", NULL},
      {"-d", extra_idx, "--batch", EVIL, NULL},
      {"-d", extra_idx, "--" EVIL, "x", NULL},
      {"-d", extra_idx, "--rerank=" EVIL, "x", NULL},
      {"-d", missing, "x", NULL},
      {"-d", stub, "x", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_run r = th_run_searcher(NULL, cases[i][0], cases[i][1], cases[i][2],
                               cases[i][3], cases[i][4], NULL);
    cr_expect_eq(r.status, 2, "case %zu: status %d", i, r.status);
    cr_expect(r.err_len > 0, "case %zu: no message", i);
    for (size_t k = 0; k < r.err_len; k++)
      cr_expect(r.err[k] == '\n' || (unsigned char)r.err[k] >= 0x20,
                "case %zu: raw control byte 0x%02x in: %s", i,
                (unsigned char)r.err[k], r.err);
    cr_expect(strstr(r.err, "\\x1b"), "case %zu: escape not shown: %s", i,
              r.err);
    th_run_free(&r);
  }
#undef EVIL
}

/* -X=VALUE and --opt=VALUE are options, never query text. */
Test(searcher, options_with_equals) {
  static const struct {
    const char *a, *b, *want; /* want: ids, or NULL for a usage error */
  } cases[] = {
      {"-n=1", "--sort=date", "c6"},
      {"-n=2", "--sort=date", "c6,c1"},
      {"--offset=1", "--sort=date", "c1,c5"},
      {"--since=2022-01-01", "--sort=date", "c6,c1"},
      {"--until=2021-12-31", "-n=5", "c5"},
      {"-h=1", "-n=1", NULL},
      {"-n=", "--sort=date", NULL},
      {"--json=yes", "-n=1", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_run r = th_run_searcher(NULL, "-d", extra_idx, "--json", cases[i].a,
                               cases[i].b, "Ucraina", NULL);
    if (!cases[i].want) {
      cr_expect_eq(r.status, 2, "case %zu: status %d", i, r.status);
      cr_expect(strncmp(r.err, "searcher: ", 10) == 0, "case %zu: %s", i,
                r.err);
    } else {
      cr_expect_eq(r.status, 0, "case %zu: %s", i, r.err);
      if (r.status == 0) {
        json_t *o = th_json(r.out);
        cr_expect_str_eq(json_string_value(json_object_get(o, "query")),
                         "Ucraina", "case %zu: an option became query text", i);
        json_decref(o);
        cr_expect_str_eq(ids_of(r.out), cases[i].want, "case %zu", i);
      }
    }
    th_run_free(&r);
  }
  th_run r = th_run_searcher(NULL, "-d=", "x", NULL);
  cr_expect_eq(r.status, 2);
  th_run_free(&r);
  char d[4200];
  snprintf(d, sizeof d, "-d=%s", extra_idx);
  r = th_run_searcher(NULL, d, "--json", "Russia", NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  if (r.status == 0) cr_expect_str_eq(ids_of(r.out), "c3");
  th_run_free(&r);
}

/* Limits are named where they are refused, and documented in --help. */
Test(searcher, limits_are_named) {
  th_run r = th_run_searcher(NULL, "-d", extra_idx, "-n", "1000001", "x", NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "1000000"), "the limit is not named: %s", r.err);
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", extra_idx, "-n", "1000000", "--no-snippets",
                      "Ucraina", NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  r = th_run_searcher(NULL, "--help", NULL);
  cr_expect(strstr(r.out, "220 bytes") && strstr(r.out, "120 bytes") &&
                strstr(r.out, "1000000"),
            "limits not in --help:\n%s", r.out);
  th_run_free(&r);
}

/* A language Snowball does not know: one clear message, exit 2. */
Test(searcher, an_unknown_language_fails_first) {
  const char *idx[] = {main_idx, english_idx};
  for (size_t i = 0; i < 2; i++) {
    th_run r = th_run_searcher(NULL, "-d", idx[i], "--language", "klingon",
                               "Roma", NULL);
    cr_expect_eq(r.status, 2);
    cr_expect_eq(count_lines(r.err), 1, "not one line: %s", r.err);
    cr_expect(strstr(r.err, "klingon") && !strstr(r.err, "warning"), "%s",
              r.err);
    th_run_free(&r);
  }
}
