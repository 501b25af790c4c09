/* test_e2e_newsroom.c — the searcher's newsroom features end to end
 * (issue 20): --show and id:, --count, --format and --fields,
 * --highlight, --sort both ways, --facet-limit, relative dates and
 * CRONACA_INDEX.
 *
 * Before any test runs, two indexes are built with the real indexer:
 *   corpus  corpus/ (its JSON Lines articles carry urls)
 *   news    the articles below, dated around CRONACA_TODAY=2024-02-20,
 *           one with a comma, a quote and a line break for CSV */
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define ENV_DIR "CRONACA_TEST_E2E_NEWSROOM_DIR"
#define TODAY "2024-02-20"
static char *tmp_dir;
static char corpus_idx[4096], news_idx[4096];

static void set_paths(const char *dir) {
  snprintf(corpus_idx, sizeof corpus_idx, "%s/corpus", dir);
  snprintf(news_idx, sizeof news_idx, "%s/news", dir);
}

static const char news_jsonl[] =
    "{\"id\":\"r1\",\"title\":\"Furto in centro, \\\"colpo\\\" da mille "
    "euro\",\"text\":\"Un furto di rame a Modena.\\nIl secondo paragrafo "
    "parla ancora del furto.\",\"date\":\"2024-02-20\",\"author\":\"Anna "
    "Neri\",\"source\":\"Gazzetta\",\"url\":\"https://example.org/r1\"}\n"
    "{\"id\":\"r2\",\"title\":\"Furto a Carpi\",\"text\":\"Ancora un furto "
    "di rame.\",\"date\":\"2024-02-19\",\"source\":\"Gazzetta\"}\n"
    "{\"id\":\"r3\",\"title\":\"Furto a Sassuolo\",\"text\":\"Furto in una "
    "villa.\",\"date\":\"2024-02-14\",\"source\":\"Resto\"}\n"
    "{\"id\":\"r4\",\"title\":\"Furto a Mirandola\",\"text\":\"Furto in un "
    "negozio.\",\"date\":\"2024-01-25\",\"source\":\"Altro\"}\n"
    "{\"id\":\"r5\",\"title\":\"Furto a Vignola\",\"text\":\"Furto in "
    "farmacia.\",\"date\":\"2023-03-01\",\"source\":\"Quarto\"}\n"
    "{\"id\":\"r6\",\"title\":\"Rapina a Pavullo\",\"text\":\"Una rapina in "
    "banca.\",\"date\":\"2024-02-20\",\"source\":\"Quinto\"}\n";

static bool index_into(const char *idx, const char *path) {
  return th_setup_index(tmp_dir, idx, path, NULL);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set) {
  (void)set;
  tmp_dir = th_setup_begin("e2e-newsroom", ENV_DIR);
  set_paths(tmp_dir);
  char jsonl[4096];
  snprintf(jsonl, sizeof jsonl, "%s/in/news.jsonl", tmp_dir);
  th_write_file(jsonl, news_jsonl, sizeof news_jsonl - 1);
  if (index_into(corpus_idx, CORPUS_DIR)) index_into(news_idx, jsonl);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats) {
  (void)stats;
  th_setup_end(&tmp_dir);
}

static void need_indexes(void) {
  free(tmp_dir);
  tmp_dir = th_setup_enter(ENV_DIR);
  set_paths(tmp_dir);
  setenv("CRONACA_TODAY", TODAY, 1);
  unsetenv("CRONACA_INDEX");
  unsetenv("NO_COLOR");
}

TestSuite(newsroom, .init = need_indexes, .timeout = 300);

static const char *str_of(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "(absent)";
}

/* ---- --show and id: ---------------------------------------------------- */

Test(newsroom, show_prints_the_whole_article) {
  th_run r = th_run_searcher(NULL, "-d", news_idx, "--show", "r1", NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_expect_str_eq(r.out, "Furto in centro, \"colpo\" da mille euro\n"
                          "2024-02-20 \xc2\xb7 Anna Neri \xc2\xb7 Gazzetta "
                          "\xc2\xb7 r1\n"
                          "https://example.org/r1\n"
                          "\n"
                          "Un furto di rame a Modena.\n"
                          "Il secondo paragrafo parla ancora del furto.\n");
  th_run_free(&r);
}

Test(newsroom, show_highlights_the_query) {
  th_run r =
      th_run_searcher(NULL, "-d", news_idx, "--show", "r1", "furti", NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.out, "**Furto** in centro"), "%s", r.out);
  cr_expect(strstr(r.out, "Un **furto** di rame a Modena.\nIl secondo"), "%s",
            r.out);
  cr_expect(strstr(r.out, "ancora del **furto**."), "%s", r.out);
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", news_idx, "--show", "r1", "--highlight",
                      "html", "rame", NULL);
  cr_expect(strstr(r.out, "Un furto di <mark>rame</mark> a"), "%s", r.out);
  th_run_free(&r);
  /* A query the article does not match: shown plain, with a word. */
  r = th_run_searcher(NULL, "-d", news_idx, "--show", "r1", "rapina", NULL);
  cr_expect_eq(r.status, 0);
  cr_expect(!strstr(r.out, "**"), "%s", r.out);
  cr_expect(strstr(r.err, "does not match"), "%s", r.err);
  th_run_free(&r);
}

Test(newsroom, show_as_json) {
  th_run r = th_run_searcher(NULL, "-d", news_idx, "--json", "--show", "r1",
                             "rame", NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  json_t *o = th_json(r.out);
  cr_expect_str_eq(str_of(o, "id"), "r1");
  cr_expect_str_eq(str_of(o, "title"),
                   "Furto in centro, \"colpo\" da mille euro");
  cr_expect_str_eq(str_of(o, "date"), "2024-02-20");
  cr_expect_str_eq(str_of(o, "author"), "Anna Neri");
  cr_expect_str_eq(str_of(o, "source"), "Gazzetta");
  cr_expect_str_eq(str_of(o, "url"), "https://example.org/r1");
  cr_expect_str_eq(str_of(o, "text"), "Un furto di rame a Modena.\nIl "
                                      "secondo paragrafo parla ancora del "
                                      "furto.");
  cr_expect(json_is_true(json_object_get(o, "matched")));
  cr_expect(strstr(str_of(o, "marked"), "**rame**"), "%s", r.out);
  json_decref(o);
  th_run_free(&r);
}

Test(newsroom, show_unknown_id_exits_2) {
  th_run r = th_run_searcher(NULL, "-d", news_idx, "--show", "r99", NULL);
  cr_expect_eq(r.status, 2);
  cr_expect_str_eq(r.out, "");
  cr_expect(strstr(r.err, "no article with id 'r99'"), "%s", r.err);
  th_run_free(&r);
}

Test(newsroom, id_in_a_query) {
  th_run r = th_run_searcher(NULL, "-d", news_idx, "--format", "csv",
                             "--fields", "id", "id:r3", NULL);
  cr_expect_str_eq(r.out, "id\nr3\n");
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", news_idx, "--count", "furto -id:r3", NULL);
  cr_expect_str_eq(r.out, "4\n");
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", corpus_idx, "--count",
                      "id:articles/maltempo-modena.txt", NULL);
  cr_expect_str_eq(r.out, "1\n");
  th_run_free(&r);
}

Test(newsroom, url_in_results) {
  th_run r =
      th_run_searcher(NULL, "-d", corpus_idx, "-n", "20", "Pyongyang", NULL);
  cr_expect(strstr(r.out, "   https://example.org/ansa-2022-0907\n"), "%s",
            r.out);
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", corpus_idx, "--json", "id:ansa-2022-0907",
                      NULL);
  json_t *o = th_json(r.out);
  json_t *hit = json_array_get(json_object_get(o, "hits"), 0);
  cr_expect_str_eq(str_of(hit, "url"), "https://example.org/ansa-2022-0907");
  json_decref(o);
  th_run_free(&r);
}

/* ---- --count ------------------------------------------------------------ */

/* The number of hits a full --json run lists. */
static long hits_listed(const char *idx, const char *query) {
  th_run r =
      th_run_searcher(NULL, "-d", idx, "--json", "-n", "100000", query, NULL);
  json_t *o = th_json(r.out);
  long n = (long)json_array_size(json_object_get(o, "hits"));
  json_decref(o);
  th_run_free(&r);
  return n;
}

Test(newsroom, count_is_exact) {
  static const char *const queries[] = {
      "Pyongyang",  "\"Corea del Nord\"", "guerra OR missili",  "date:2022",
      "Corea -Sud", "title:Pyongyang",    "Modena date:2023..", "nessunacosa",
  };
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
    long want = hits_listed(corpus_idx, queries[i]);
    th_run r =
        th_run_searcher(NULL, "-d", corpus_idx, "--count", queries[i], NULL);
    cr_expect_eq(r.status, 0, "%s: %s", queries[i], r.err);
    char buf[32];
    snprintf(buf, sizeof buf, "%ld\n", want);
    cr_expect_str_eq(r.out, buf, "%s", queries[i]);
    th_run_free(&r);
    r = th_run_searcher(NULL, "-d", corpus_idx, "--count", "--json", queries[i],
                        NULL);
    json_t *o = th_json(r.out);
    cr_expect_eq(json_integer_value(json_object_get(o, "matches")), want, "%s",
                 queries[i]);
    cr_expect(json_is_true(json_object_get(o, "exact")));
    json_decref(o);
    th_run_free(&r);
  }
  /* Filters count too. */
  th_run r = th_run_searcher(NULL, "-d", news_idx, "--count", "--since",
                             "2024-02-01", "furto", NULL);
  cr_expect_str_eq(r.out, "3\n");
  th_run_free(&r);
}

/* ---- --format, --fields, --highlight ------------------------------------ */

Test(newsroom, csv_quotes_what_needs_it) {
  th_run r =
      th_run_searcher(NULL, "-d", news_idx, "--format", "csv", "--fields",
                      "id,date,title,url", "--sort", "date", "furto", NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_expect_str_eq(r.out,
                   "id,date,title,url\n"
                   "r1,2024-02-20,\"Furto in centro, \"\"colpo\"\" da mille "
                   "euro\",https://example.org/r1\n"
                   "r2,2024-02-19,Furto a Carpi,\n"
                   "r3,2024-02-14,Furto a Sassuolo,\n"
                   "r4,2024-01-25,Furto a Mirandola,\n"
                   "r5,2023-03-01,Furto a Vignola,\n");
  th_run_free(&r);
}

Test(newsroom, tsv_and_jsonl) {
  th_run r = th_run_searcher(NULL, "-d", news_idx, "--format", "tsv",
                             "--fields", "id,source,snippet", "--highlight",
                             "none", "-n", "1", "id:r2", NULL);
  cr_expect_str_eq(r.out, "id\tsource\tsnippet\n"
                          "r2\tGazzetta\tAncora un furto di rame.\n");
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", news_idx, "--format", "jsonl", "--fields",
                      "rank,id,date", "--sort", "oldest", "furto", NULL);
  cr_expect_str_eq(r.out, "{\"rank\": 1, \"id\": \"r5\", \"date\": "
                          "\"2023-03-01\"}\n"
                          "{\"rank\": 2, \"id\": \"r4\", \"date\": "
                          "\"2024-01-25\"}\n"
                          "{\"rank\": 3, \"id\": \"r3\", \"date\": "
                          "\"2024-02-14\"}\n"
                          "{\"rank\": 4, \"id\": \"r2\", \"date\": "
                          "\"2024-02-19\"}\n"
                          "{\"rank\": 5, \"id\": \"r1\", \"date\": "
                          "\"2024-02-20\"}\n");
  th_run_free(&r);
}

Test(newsroom, highlight_markups) {
  static const struct {
    const char *markup, *want;
  } cases[] = {
      {"markdown", "di **rame**."},
      {"html", "di <mark>rame</mark>."},
      {"ansi", "di \x1b[1mrame\x1b[0m."},
      {"none", "Ancora un furto di rame."},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_run r = th_run_searcher(NULL, "-d", news_idx, "--highlight",
                               cases[i].markup, "rame id:r2", "--all", NULL);
    cr_expect(strstr(r.out, cases[i].want), "%s: %s", cases[i].markup, r.out);
    th_run_free(&r);
  }
}

Test(newsroom, usage_errors) {
  static const char *const bad[][3] = {
      {"--format", "xml", "Pyongyang"},
      {"--fields", "id,nope", "Pyongyang"},
      {"--highlight", "blink", "Pyongyang"},
      {"--sort", "size", "Pyongyang"},
      {"--facet-limit", "-1", "Pyongyang"},
      {"--since", "domani", "Pyongyang"},
      {"--reverse", "Pyongyang", NULL}, /* without --sort date */
      {"--fields", "id", "Pyongyang"},  /* without a row format */
      {"--show", "r1", "--format=csv"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    th_run r = th_run_searcher(NULL, "-d", news_idx, bad[i][0], bad[i][1],
                               bad[i][2], NULL);
    cr_expect_eq(r.status, 2, "%s %s: %d", bad[i][0], bad[i][1], r.status);
    cr_expect(strstr(r.err, "searcher: "), "%s", r.err);
    cr_expect_str_eq(r.out, "");
    th_run_free(&r);
  }
}

/* ---- Order and facets --------------------------------------------------- */

static char *ids(const char *a, const char *b, const char *c, const char *d) {
  th_run r = th_run_searcher(NULL, "-d", news_idx, "--format", "tsv",
                             "--fields", "id", a, b, c, d, NULL);
  cr_expect_eq(r.status, 0, "%s %s %s: %s", a, b, c ? c : "", r.err);
  static char buf[256];
  snprintf(buf, sizeof buf, "%s", r.out + (strncmp(r.out, "id\n", 3) ? 0 : 3));
  for (char *p = buf; *p; p++)
    if (*p == '\n') *p = ' ';
  th_run_free(&r);
  return buf;
}

Test(newsroom, sort_both_ways) {
  cr_expect_str_eq(ids("--sort", "date", "furto", NULL), "r1 r2 r3 r4 r5 ");
  cr_expect_str_eq(ids("--sort", "-date", "furto", NULL), "r5 r4 r3 r2 r1 ");
  cr_expect_str_eq(ids("--sort", "oldest", "furto", NULL), "r5 r4 r3 r2 r1 ");
  cr_expect_str_eq(ids("--sort", "date", "--reverse", "furto"),
                   "r5 r4 r3 r2 r1 ");
  cr_expect_str_eq(ids("--reverse", "--sort", "-date", "furto"),
                   "r1 r2 r3 r4 r5 ");
}

Test(newsroom, facet_limit) {
  th_run r = th_run_searcher(NULL, "-d", news_idx, "--facet", "source",
                             "--facet-limit", "2", "furto", NULL);
  cr_expect(strstr(r.out, "source: Gazzetta (2) \xc2\xb7 "), "%s", r.out);
  cr_expect(strstr(r.out, " \xc2\xb7 2 more\n"), "%s", r.out);
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", news_idx, "--json", "--facet", "source",
                      "--facet-limit", "1", "furto", NULL);
  json_t *o = th_json(r.out);
  json_t *src = json_object_get(json_object_get(o, "facets"), "source");
  cr_expect_eq(json_array_size(src), 1);
  json_decref(o);
  th_run_free(&r);
}

/* ---- Relative dates (today is TODAY) ------------------------------------ */

Test(newsroom, relative_dates) {
  static const struct {
    const char *opt, *val, *query, *want;
  } cases[] = {
      {"--since", "oggi", "furto", "r1 "},
      {"--since", "ieri", "furto", "r1 r2 "},
      {"--since", "7d", "furto", "r1 r2 r3 "},
      {"--since", "ultimi 7 giorni", "furto", "r1 r2 r3 "},
      {"--since", "2w", "furto", "r1 r2 r3 "},
      {"--since", "1m", "furto", "r1 r2 r3 r4 "},
      {"--since", "1y", "furto", "r1 r2 r3 r4 r5 "},
      {"--until", "ieri", "furto", "r2 r3 r4 r5 "},
      {"--sort", "date", "date:oggi", "r1 r6 "},
      {"--sort", "date", "furto date:ieri", "r2 "},
      {"--sort", "date", "furto date:7d", "r1 r2 r3 "},
      {"--sort", "date", "furto date:\"ultimi 7 giorni\"", "r1 r2 r3 "},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    th_run r = th_run_searcher(NULL, "-d", news_idx, "--format", "tsv",
                               "--fields", "id", "--sort", "date", cases[i].opt,
                               cases[i].val, cases[i].query, NULL);
    cr_expect_eq(r.status, 0, "%s %s: %s", cases[i].opt, cases[i].val, r.err);
    char buf[256];
    snprintf(buf, sizeof buf, "%s", r.out + 3);
    for (char *p = buf; *p; p++)
      if (*p == '\n') *p = ' ';
    cr_expect_str_eq(buf, cases[i].want, "%s %s %s", cases[i].opt, cases[i].val,
                     cases[i].query);
    th_run_free(&r);
  }
}

/* ---- CRONACA_INDEX ------------------------------------------------------ */

Test(newsroom, default_index_from_environment) {
  setenv("CRONACA_INDEX", news_idx, 1);
  char *const argv[] = {SEARCHER_BIN, "--count", "furto", NULL};
  th_run r = th_exec(argv, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect_str_eq(r.out, "5\n");
  th_run_free(&r);
  /* -d wins over it. */
  char *const argv2[] = {SEARCHER_BIN, "-d",    corpus_idx,
                         "--count",    "furto", NULL};
  r = th_exec(argv2, NULL);
  cr_expect_neq(strcmp(r.out, "5\n"), 0, "%s", r.out);
  th_run_free(&r);
  unsetenv("CRONACA_INDEX");
  char *const argv3[] = {SEARCHER_BIN, "furto", NULL};
  r = th_exec(argv3, NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "CRONACA_INDEX"), "%s", r.err);
  th_run_free(&r);
}

/* ---- --explain ---------------------------------------------------------- */

/* Every hit's parts add up to its score; the terms are those it holds. */
Test(newsroom, explain_parts_add_up) {
  static const char *const queries[] = {
      "Corea del Nord armi Russia", "Russia armi",       "Pyongyang", "armi",
      "\"Corea del Nord\"",         "guerra OR missili",
  };
  for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
    th_run r = th_run_searcher(NULL, "-d", corpus_idx, "--json", "--explain",
                               "-n", "5", queries[q], NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    json_t *o = th_json(r.out);
    size_t i;
    json_t *hit;
    json_array_foreach(json_object_get(o, "hits"), i, hit) {
      json_t *parts = json_object_get(hit, "explain");
      cr_assert(json_is_array(parts), "%s: no explain", queries[q]);
      double sum = 0;
      size_t k;
      json_t *part;
      size_t terms = 0;
      json_array_foreach(parts, k, part) {
        sum += json_number_value(json_object_get(part, "weight"));
        terms += strcmp(str_of(part, "what"), "term") == 0;
      }
      double score = json_number_value(json_object_get(hit, "score"));
      cr_expect(sum > score - 0.002 && sum < score + 0.002,
                "%s, hit %zu: parts %f, score %f", queries[q], i, sum, score);
      cr_expect_gt(terms, 0, "%s, hit %zu", queries[q], i);
    }
    json_decref(o);
    th_run_free(&r);
  }
}

Test(newsroom, explain_single_term_and_text) {
  /* One word, no name, no rerank: its weight is the score. */
  th_run r = th_run_searcher(NULL, "-d", corpus_idx, "--json", "--explain",
                             "-n", "1", "armi", NULL);
  json_t *o = th_json(r.out);
  json_t *hit = json_array_get(json_object_get(o, "hits"), 0);
  json_t *parts = json_object_get(hit, "explain");
  cr_expect_eq(json_array_size(parts), 1);
  json_t *p0 = json_array_get(parts, 0);
  cr_expect_str_eq(str_of(p0, "term"), "armi");
  cr_expect(json_number_value(json_object_get(p0, "weight")) ==
            json_number_value(json_object_get(hit, "score")));
  json_decref(o);
  th_run_free(&r);
  /* Two words near each other: the proximity bonus is a part. */
  r = th_run_searcher(NULL, "-d", corpus_idx, "--json", "--explain", "-n", "1",
                      "Corea del Nord armi Russia", NULL);
  cr_expect(strstr(r.out, "{\"what\": \"proximity\""), "%s", r.out);
  cr_expect(strstr(r.out, "\"term\": \"name:corea\""), "%s", r.out);
  th_run_free(&r);
  r = th_run_searcher(NULL, "-d", corpus_idx, "--explain", "-n", "1",
                      "--no-snippets", "armi", NULL);
  cr_expect(strstr(r.out, "\n   why: armi "), "%s", r.out);
  th_run_free(&r);
}

/* --batch --count: one {"matches": N} line per query, in order. */
Test(newsroom, batch_counts) {
  char *const argv[] = {SEARCHER_BIN, "-d",      news_idx, "--batch",
                        "-",          "--count", NULL};
  th_run r = th_exec(argv, "furto\nrapina\nid:r2\nnessunacosa\n");
  cr_expect_eq(r.status, 0, "%s", r.err);
  static const long want[] = {5, 1, 1, 0};
  char *line = r.out;
  for (size_t i = 0; i < 4; i++) {
    cr_assert(line && *line, "line %zu missing: %s", i, r.out);
    char *nl = strchr(line, '\n');
    cr_assert(nl);
    *nl = '\0';
    json_t *o = th_json(line);
    cr_expect_eq(json_integer_value(json_object_get(o, "matches")), want[i],
                 "%s", line);
    json_decref(o);
    line = nl + 1;
  }
  cr_expect_str_eq(line, "");
  th_run_free(&r);
}
