/* test_e2e_synonyms.c — synonyms and abbreviations end to end: corpus/
 * indexed with the default list (corpus/sinonimi.jsonl holds articles
 * that name a force or an office only by its abbreviation, or only in
 * full), queries that find them by the other form, --synonyms files that
 * add and remove, --no-default-synonyms, shards, an English index. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static char *dir;
static char idx[4096];

static th_run run_argv(char *const *argv) { return th_exec(argv, NULL); }

static void build(void) {
  dir = th_mkdtemp("e2e-synonyms");
  snprintf(idx, sizeof idx, "%s/index", dir);
  char *const argv[] = {INDEXER_BIN, "-q", "-d", idx, CORPUS_DIR, NULL};
  th_run r = run_argv(argv);
  cr_assert_eq(r.status, 0, "indexer: %s", r.err);
  th_run_free(&r);
}

static void teardown(void) {
  th_rmtree(dir);
  free(dir);
}

TestSuite(synonyms, .init = build, .fini = teardown, .timeout = 300);

/* The ids (space-separated, in order) the searcher gives for query over
 * index, with extra (NULL or one option). */
static void ids_of(const char *index, const char *extra, const char *query,
                   char *out, size_t size) {
  char *argv[12];
  size_t n = 0;
  argv[n++] = SEARCHER_BIN;
  argv[n++] = "-d";
  argv[n++] = (char *)index;
  argv[n++] = "--json";
  argv[n++] = "-n";
  argv[n++] = "20";
  argv[n++] = "--no-snippets";
  argv[n++] = "--no-suggest";
  if (extra) argv[n++] = (char *)extra;
  argv[n++] = (char *)query;
  argv[n] = NULL;
  th_run r = th_exec(argv, NULL);
  cr_assert_eq(r.status, 0, "searcher %s: %s", query, r.err);
  json_t *o = json_loads(r.out, 0, NULL);
  cr_assert_not_null(o, "%s: %s", query, r.out);
  out[0] = '\0';
  json_t *hits = json_object_get(o, "hits");
  for (size_t i = 0; i < json_array_size(hits); i++)
    snprintf(out + strlen(out), size - strlen(out), "%s%s", i ? " " : "",
             json_string_value(json_object_get(json_array_get(hits, i), "id")));
  json_decref(o);
  th_run_free(&r);
}

/* Whether the space-separated list holds id. */
static bool has(const char *list, const char *id) {
  size_t n = strlen(id);
  for (const char *p = list; (p = strstr(p, id)) != NULL; p += n)
    if ((p == list || p[-1] == ' ') && (p[n] == ' ' || p[n] == '\0'))
      return true;
  return false;
}

typedef struct scase {
  const char *query;
  const char *must[3];   /* ids it finds */
  const char *mustnt[2]; /* ids it does not */
} scase;

/* corpus/EXPECTED.md, "Synonyms". */
static const scase cases[] = {
    {"carabinieri", {"sinonimi-cc", "1003", NULL}, {NULL}},
    {"CC",
     {"sinonimi-cc", "articles/carabinieri-furto-rame.txt", NULL},
     {NULL}},
    {"carabiniere", {"sinonimi-cc", NULL}, {NULL}},
    {"Guardia di Finanza",
     {"sinonimi-gdf", "sinonimi-fiamme-gialle", NULL},
     {NULL}},
    {"guardia finanza", {"sinonimi-gdf", NULL}, {NULL}},
    {"GdF", {"sinonimi-gdf", "sinonimi-fiamme-gialle", NULL}, {NULL}},
    {"pubblico ministero", {"sinonimi-pm", NULL}, {NULL}},
    {"pubblici ministeri", {"sinonimi-pm", NULL}, {NULL}},
    {"Polizia stradale", {"sinonimi-polstrada", NULL}, {NULL}},
    {"\"CC\"", {"sinonimi-cc", NULL}, {"1003", NULL}},
    /* Fields are as typed. */
    {"title:GdF", {"sinonimi-gdf", NULL}, {"sinonimi-fiamme-gialle", NULL}},
    /* An excluded word takes its synonyms with it. */
    {"Carpi -GdF", {NULL}, {"sinonimi-gdf", NULL}},
};

Test(synonyms, abbreviations_find_the_full_form_and_back) {
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char got[2048];
    ids_of(idx, NULL, cases[i].query, got, sizeof got);
    for (size_t k = 0; k < 3 && cases[i].must[k]; k++)
      cr_expect(has(got, cases[i].must[k]), "%s: %s missing from %s",
                cases[i].query, cases[i].must[k], got);
    for (size_t k = 0; k < 2 && cases[i].mustnt[k]; k++)
      cr_expect(!has(got, cases[i].mustnt[k]), "%s: %s found in %s",
                cases[i].query, cases[i].mustnt[k], got);
  }
  /* --no-synonyms: as typed. */
  char got[2048];
  ids_of(idx, "--no-synonyms", "GdF", got, sizeof got);
  cr_expect_str_eq(got, "sinonimi-gdf");
  /* A quoted phrase is the phrase as typed: no synonyms. No article
   * holds this one, so only --strict-quotes keeps it a quote (else its
   * words are searched, and they have synonyms). */
  ids_of(idx, "--strict-quotes", "\"Guardia di Finanza\"", got, sizeof got);
  cr_expect_str_eq(got, "");
  ids_of(idx, NULL, "\"Guardia di Finanza\"", got, sizeof got);
  cr_expect(has(got, "sinonimi-gdf"), "loosened: %s", got);
}

/* What --analyze and --explain say of the expansion. */
Test(synonyms, analyze_and_explain_show_them) {
  char *const a[] = {SEARCHER_BIN, "-d", idx, "--analyze", "GdF naso", NULL};
  th_run r = run_argv(a);
  cr_expect_str_eq(r.out,
                   "gdf\nnas\nsynonym: gdf = fiamme gialle\n"
                   "synonym: gdf = guardia di finanza\n",
                   "naso's stem is nas, but only the abbreviation Nas has "
                   "synonyms: %s",
                   r.out);
  th_run_free(&r);
  char *const e[] = {SEARCHER_BIN, "-d", idx,  "--explain", "--no-snippets",
                     "-n",         "1",  "CC", NULL};
  r = run_argv(e);
  cr_expect(strstr(r.out, "synonyms: cc = carabiniere · cc = carabinieri\n"),
            "%s", r.out);
  th_run_free(&r);
  char *const j[] = {SEARCHER_BIN, "-d", idx,  "--explain", "--json",
                     "-n",         "0",  "CC", NULL};
  r = run_argv(j);
  cr_expect(strstr(r.out, "\"synonyms\": [{\"from\": \"cc\", \"to\": "
                          "\"carabiniere\"}, {\"from\": \"cc\", \"to\": "
                          "\"carabinieri\"}]"),
            "%s", r.out);
  th_run_free(&r);
}

/* A file of one's own: groups added, bad lines named and skipped (exit
 * 1), a ! line removing. */
Test(synonyms, a_file_adds_and_a_bang_removes) {
  char file[4200];
  snprintf(file, sizeof file, "%s/mie.txt", dir);
  const char *text = "# my newsroom's words\n"
                     "tamponamento, incidente stradale\n"
                     "solo una parola\n"
                     "\"Polizia\", vigili\n";
  th_write_file(file, text, strlen(text));
  char *const add[] = {INDEXER_BIN, "-d", idx, "--synonyms", file, NULL};
  th_run r = run_argv(add);
  cr_expect_eq(r.status, 1, "bad lines skipped: %s", r.err);
  char want[4400];
  snprintf(want, sizeof want,
           "indexer: %s:3: a group needs two members or more, separated by "
           "commas (skipped)\n",
           file);
  cr_expect(strstr(r.err, want), "%s", r.err);
  snprintf(want, sizeof want, "indexer: %s:4: query syntax", file);
  cr_expect(strstr(r.err, want), "%s", r.err);
  snprintf(want, sizeof want,
           "indexer: synonyms from %s: 1 line read, 2 bad lines skipped", file);
  cr_expect(strstr(r.err, want), "%s", r.err);
  th_run_free(&r);
  char got[2048];
  ids_of(idx, NULL, "incidente stradale", got, sizeof got);
  cr_expect(has(got, "sinonimi-polstrada"), "%s", got);
  /* The defaults are still there: a file adds. */
  ids_of(idx, NULL, "GdF", got, sizeof got);
  cr_expect(has(got, "sinonimi-fiamme-gialle"), "%s", got);
  const char *bang = "!tamponamento\n";
  th_write_file(file, bang, strlen(bang));
  r = run_argv(add);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  ids_of(idx, NULL, "incidente stradale", got, sizeof got);
  cr_expect(!has(got, "sinonimi-polstrada"), "%s", got);
}

/* --no-default-synonyms: a new index without them, for good. */
Test(synonyms, no_default_synonyms) {
  char bare[4200];
  snprintf(bare, sizeof bare, "%s/bare", dir);
  char *const argv[] = {INDEXER_BIN, "-q", "-d", bare, "--no-default-synonyms",
                        CORPUS_DIR,  NULL};
  th_run r = run_argv(argv);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  char got[2048];
  ids_of(bare, NULL, "GdF", got, sizeof got);
  cr_expect_str_eq(got, "sinonimi-gdf");
  /* A later run without the option does not bring them. */
  char *const again[] = {INDEXER_BIN, "-q", "-d", bare, CORPUS_DIR, NULL};
  r = run_argv(again);
  th_run_free(&r);
  ids_of(bare, NULL, "GdF", got, sizeof got);
  cr_expect_str_eq(got, "sinonimi-gdf");
}

/* Shards: each holds the table, the search finds as over one index. */
Test(synonyms, over_shards_as_over_one_index) {
  char sharded[4200];
  snprintf(sharded, sizeof sharded, "%s/sharded", dir);
  char *const argv[] = {INDEXER_BIN, "-q",    "--shards", "2",
                        "-d",        sharded, CORPUS_DIR, NULL};
  th_run r = run_argv(argv);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char one[2048], two[2048];
    ids_of(idx, NULL, cases[i].query, one, sizeof one);
    ids_of(sharded, NULL, cases[i].query, two, sizeof two);
    cr_expect_str_eq(two, one, "%s", cases[i].query);
  }
}

/* An English index: no default list; a file's members are English words
 * and stems. */
Test(synonyms, an_english_index) {
  char en[4200], docs[4200], file[4200];
  snprintf(en, sizeof en, "%s/en", dir);
  snprintf(docs, sizeof docs, "%s/en.jsonl", dir);
  snprintf(file, sizeof file, "%s/en.txt", dir);
  const char *d =
      "{\"id\": \"e1\", \"text\": \"Agents of the Federal Bureau of "
      "Investigation searched the offices.\"}\n"
      "{\"id\": \"e2\", \"text\": \"The carabinieri arrived at dawn.\"}\n";
  th_write_file(docs, d, strlen(d));
  const char *s = "FBI, Federal Bureau of Investigation\n";
  th_write_file(file, s, strlen(s));
  char *const argv[] = {INDEXER_BIN, "-q",         "-d", en,   "--language",
                        "english",   "--synonyms", file, docs, NULL};
  th_run r = run_argv(argv);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  char got[2048];
  ids_of(en, NULL, "FBI", got, sizeof got);
  cr_expect_str_eq(got, "e1");
  ids_of(en, NULL, "CC", got, sizeof got);
  cr_expect_str_eq(got, "", "no Italian defaults in an English index");
}
