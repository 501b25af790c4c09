/* test_query_parser.c — queries as typed, and the Xapian query each
 * becomes (Xapian's own description of it). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "query_parser.h"

static cr_analyzer *an;

static void setup(void) { an = cr_analyzer_new("italian", NULL); }
static void teardown(void) { cr_analyzer_free(an); }

TestSuite(query_parser, .init = setup, .fini = teardown);

/* Parses text; returns the description ("" for no query) in buf and the
 * note, if any, in note. */
static void parse(const char *text, size_t len, const cr_qp_opts *o, char *buf,
                  size_t size, char *note, size_t note_size) {
  cr_parsed_query pq;
  cr_error err;
  cr_assert_eq(cr_parse_query(an, text, len, o, &pq, &err), 0, "%s",
               err.message);
  buf[0] = '\0';
  if (pq.query) {
    char *d = cr_query_describe(pq.query, NULL);
    snprintf(buf, size, "%s", d);
    free(d);
  }
  if (note) snprintf(note, note_size, "%s", pq.note ? pq.note : "");
  cr_parsed_query_free(&pq);
}

typedef struct qcase {
  const char *text;
  const char *query;
} qcase;

static void run_table(const qcase *cases, size_t n, const cr_qp_opts *o) {
  for (size_t i = 0; i < n; i++) {
    char got[2048];
    parse(cases[i].text, strlen(cases[i].text), o, got, sizeof got, NULL, 0);
    cr_expect_str_eq(got, cases[i].query, "for «%s»: got %s", cases[i].text,
                     got);
  }
}

Test(query_parser, the_query_language) {
  static const qcase cases[] = {
      {"Corea del Nord armi Russia",
       "Query(((core@1 AND_MAYBE 0.2999999999999999889 * Ccorea) OR (nord@3 "
       "AND_MAYBE 0.2999999999999999889 * Cnord) OR armi@4 OR (russ@5 "
       "AND_MAYBE 0.2999999999999999889 * Crussia)))"},
      {"\"Corea del Nord\"", "Query((core@1 PHRASE 3 nord@3))"},
      {"«Corea del Nord»", "Query((core@1 PHRASE 3 nord@3))"},
      {"+Pyongyang armi", "Query(((pyongyang@1 AND_MAYBE 0.2999999999999999889 "
                          "* Cpyongyang) AND_MAYBE armi@2))"},
      {"Russia -Ucraina",
       "Query(((russ@1 AND_MAYBE 2 * Crussia) AND_NOT ucrain@2))"},
      {"Russia -\"Casa Bianca\"", "Query(((russ@1 AND_MAYBE 2 * Crussia) "
                                  "AND_NOT (cas@2 PHRASE 2 bianc@3)))"},
      {"Putin AND (Kim OR Pyongyang) NOT Cina",
       "Query(((putin@1 AND_MAYBE 2 * Cputin) AND (((kim@2 AND_MAYBE 2 * Ckim) "
       "OR (pyongyang@3 AND_MAYBE 2 * Cpyongyang)) AND_NOT (cin@4 AND_MAYBE 2 "
       "* Ccina))))"},
      {"guerra OR pace", "Query((guerr@1 OR pac@2))"},
      {"title:Corea", "Query(Score@1)"},
      {"author:Grasso", "Query(Agrass@1)"},
      {"source:gazzetta", "Query(XOgazzett@1)"},
      {"title:\"Corea del Nord\"", "Query((Score@1 PHRASE 3 Snord@3))"},
      {"ucrain*", "Query(WILDCARD SYNONYM ucrain)"},
      {"dell'Iran", "Query((iran@1 AND_MAYBE 2 * Ciran))"},
      {"città", "Query(citt@1)"},
      {"citta", "Query(citt@1)"},
      {"Kim Jong-un", "Query(((kim@1 AND_MAYBE 0.2999999999999999889 * Ckim) "
                      "OR (jong@2 PHRASE 2 un@3)))"},
      {"-Ucraina", "Query((<alldocuments> AND_NOT ucrain@1))"},
      {"Russia NOT NOT Cina", "Query(((russ@1 AND_MAYBE 2 * Crussia) AND_NOT "
                              "(cin@2 AND_MAYBE 2 * Ccina)))"},
  };
  cr_qp_opts o = cr_qp_opts_default();
  run_table(cases, sizeof cases / sizeof *cases, &o);
}

Test(query_parser, all_words_required) {
  static const qcase cases[] = {
      {"Corea armi Russia",
       "Query(((core@1 AND_MAYBE 0.2999999999999999889 * Ccorea) AND armi@2 "
       "AND (russ@3 AND_MAYBE 0.2999999999999999889 * Crussia)))"},
      {"Corea -Sud", "Query(((core@1 AND_MAYBE 2 * Ccorea) AND_NOT sud@2))"},
  };
  cr_qp_opts o = cr_qp_opts_default();
  o.all_required = true;
  run_table(cases, sizeof cases / sizeof *cases, &o);
}

Test(query_parser, dates_become_filters) {
  static const qcase cases[] = {
      {"date:2022", "Query((<alldocuments> FILTER VALUE_RANGE 0 20220101 "
                    "20221231))"},
      {"Russia date:2022-09", "Query(((russ@1 AND_MAYBE 2 * Crussia) FILTER "
                              "VALUE_RANGE 0 20220901 20220930))"},
      {"date:2022-09-01..2022-09-30",
       "Query((<alldocuments> FILTER VALUE_RANGE 0 20220901 20220930))"},
      {"date:09/2022", "Query((<alldocuments> FILTER VALUE_RANGE 0 "
                       "20220901 20220930))"},
      {"date:2022..", "Query((<alldocuments> FILTER VALUE_GE 0 20220101))"},
  };
  cr_qp_opts o = cr_qp_opts_default();
  run_table(cases, sizeof cases / sizeof *cases, &o);

  char got[512];
  o.since = "2022-09-01";
  o.until = "30/09/2022";
  parse("Russia", 6, &o, got, sizeof got, NULL, 0);
  cr_expect_str_eq(got,
                   "Query(((russ@1 AND_MAYBE 2 * Crussia) FILTER VALUE_RANGE 0 "
                   "20220901 20220930))");
  cr_parsed_query pq;
  cr_error err;
  o.since = "domani";
  cr_expect_eq(cr_parse_query(an, "x", 1, &o, &pq, &err), -1);
  cr_expect_eq(err.code, CR_E_INVALID);
}

Test(query_parser, stop_words_and_notes) {
  char got[512], note[512];
  cr_qp_opts o = cr_qp_opts_default();
  parse("il la di", 8, &o, got, sizeof got, note, sizeof note);
  cr_expect_str_eq(got, "Query((Wil OR Wla OR Wdi))");
  cr_expect(strstr(note, "stop words") != NULL, "%s", note);
  parse("\"Corea del", 10, &o, got, sizeof got, note, sizeof note);
  cr_expect_str_eq(got, "Query(core@1)");
  cr_expect(strstr(note, "quote") != NULL, "%s", note);
  parse("date:domani", 11, &o, got, sizeof got, note, sizeof note);
  cr_expect(strstr(note, "date") != NULL, "%s", note);
  parse("date:2023..2021", 15, &o, got, sizeof got, note, sizeof note);
  cr_expect(strstr(note, "ends before it starts") != NULL, "%s", note);
  cr_qp_opts backwards = o;
  backwards.since = "2023-01-01";
  backwards.until = "2022-12-31";
  parse("Russia", 6, &backwards, got, sizeof got, note, sizeof note);
  cr_expect(strstr(note, "ends before it starts") != NULL, "%s", note);
}

/* Whatever is typed, parsing succeeds: a query or nothing, never a crash. */
Test(query_parser, anything_typed_parses) {
  static const char *const odd[] = {
      "\"",
      "(",
      ")",
      "AND",
      "OR OR",
      "NOT",
      "-",
      "+",
      "*",
      "title:",
      "date:",
      "((((",
      "))))",
      "a AND",
      "OR b",
      "\"\"",
      "-\"\"",
      "+-+-",
      "\x01\x02\x1b[31m",
      "\xff\xfe\xfd",
      "guerra\x00pace",
      "title:date:author:",
      "(a OR (b AND",
      "«",
      "“",
      "”Corea“",
      "a* b** ***",
      "x:y:z",
      "date:..",
      "date:2022..2021",
  };
  cr_qp_opts o = cr_qp_opts_default();
  for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
    char got[1024];
    size_t len = strlen(odd[i]);
    if (strcmp(odd[i], "guerra") == 0) len = 11;
    parse(odd[i], len, &o, got, sizeof got, NULL, 0);
  }
}

Test(query_parser, ten_thousand_words_and_deep_nesting, .timeout = 20) {
  size_t n = 10000;
  char *text = malloc(n * 8 + 1);
  char *p = text;
  for (size_t i = 0; i < n; i++)
    p += sprintf(p, "armi%zu ", i % 97);
  cr_parsed_query pq;
  cr_error err;
  cr_qp_opts o = cr_qp_opts_default();
  cr_assert_eq(cr_parse_query(an, text, strlen(text), &o, &pq, &err), 0);
  cr_expect_not_null(pq.query);
  cr_expect(pq.note && strstr(pq.note, "cut"), "a note says it was cut");
  cr_parsed_query_free(&pq);
  memset(text, '(', n);
  strcpy(text + n, "guerra");
  cr_assert_eq(cr_parse_query(an, text, strlen(text), &o, &pq, &err), 0);
  cr_expect_not_null(pq.query);
  /* Issue 17: the note names the limit, not "unbalanced" alone. */
  cr_expect(pq.note && strstr(pq.note, "nested deeper than 64"), "%s",
            pq.note ? pq.note : "(no note)");
  cr_parsed_query_free(&pq);
  free(text);
}

/* The limits hold inside phrases and for wildcards: a 150,000-word phrase
 * once took 1.4 GB, 200 copies of co* 21 s. */
Test(query_parser, phrases_and_wildcards_are_bounded, .timeout = 20) {
  static const struct {
    const char *word; /* repeated */
    size_t times;
    bool quoted;          /* the whole thing as one phrase */
    const char *describe; /* what the query must be, NULL: not checked */
    const char *note;     /* a part of the note, NULL: no note */
  } cases[] = {
      {"corea", 150000, true, NULL, "cut to its first 1024 words"},
      {"co*", 1000, false, "Query(WILDCARD SYNONYM co)", NULL},
      {"ucrain* ucrain*", 2, false, "Query(WILDCARD SYNONYM ucrain)", NULL},
  };
  cr_qp_opts o = cr_qp_opts_default();
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    size_t w = strlen(cases[i].word) + 1;
    char *text = malloc(cases[i].times * w + 3), *p = text;
    if (cases[i].quoted) *p++ = '"';
    for (size_t k = 0; k < cases[i].times; k++)
      p += sprintf(p, "%s ", cases[i].word);
    if (cases[i].quoted) *p++ = '"';
    *p = '\0';
    char got[4096], note[512];
    parse(text, strlen(text), &o, got, sizeof got, note, sizeof note);
    if (cases[i].describe)
      cr_expect_str_eq(got, cases[i].describe, "case %zu", i);
    if (cases[i].note)
      cr_expect(strstr(note, cases[i].note), "case %zu: %s", i, note);
    else
      cr_expect_str_eq(note, "", "case %zu", i);
    free(text);
  }
  /* 40 different wildcards: the first 32 are expanded, with a note. */
  char text[512] = "", *p = text, got[8192], note[512];
  for (int k = 0; k < 40; k++)
    p += sprintf(p, "a%c%c* ", 'a' + k / 26, 'a' + k % 26);
  parse(text, strlen(text), &o, got, sizeof got, note, sizeof note);
  cr_expect(strstr(note, "first 32 wildcards"), "%s", note);
  cr_expect_not_null(strstr(got, "abf"), "%s", got);
  cr_expect_null(strstr(got, "abg"), "the 33rd is dropped: %s", got);
  /* Only a repeat that changes nothing is dropped: not one in another
   * group, nor one with another sign. */
  static const qcase kept[] = {
      {"gov* AND roma OR gov* AND milano",
       "Query(((WILDCARD SYNONYM gov AND rom@2) OR (WILDCARD SYNONYM gov AND "
       "mil@4)))"},
      {"rom* -rom*", "Query((WILDCARD SYNONYM rom AND_NOT WILDCARD SYNONYM "
                     "rom))"},
      {"rom* NOT rom*", "Query((WILDCARD SYNONYM rom AND_NOT WILDCARD SYNONYM "
                        "rom))"},
      {"rom* (rom* OR x) rom*",
       "Query((WILDCARD SYNONYM rom OR (WILDCARD SYNONYM rom OR x@3)))"},
  };
  run_table(kept, sizeof kept / sizeof *kept, &o);
}

/* A long run of NOTs is one exclusion, at any length. The parser used to
 * recurse once per NOT: "NOT " 7,073 times and a word overflowed an 8 MB
 * stack under ASan, about 25,000 times in a release build. */
Test(query_parser, a_long_run_of_nots, .timeout = 20) {
  size_t n = 200000;
  char *text = malloc(4 * n + sizeof "guerra");
  for (size_t i = 0; i < n; i++)
    memcpy(text + 4 * i, "NOT ", 4);
  strcpy(text + 4 * n, "guerra");
  char got[512];
  cr_qp_opts o = cr_qp_opts_default();
  parse(text, strlen(text), &o, got, sizeof got, NULL, 0);
  cr_expect_str_eq(got, "Query((<alldocuments> AND_NOT guerr@1))");
  text[4 * n] = '\0'; /* only NOTs: nothing searchable */
  parse(text, strlen(text), &o, got, sizeof got, NULL, 0);
  cr_expect_str_eq(got, "");
  free(text);
}

/* Names: a capitalised word asks for its name term beside its stem, most
 * in a query of names alone; NEAR; fields before parentheses; stop words
 * as their own terms; wildcards over the stems a word can have. */
Test(query_parser, names_near_fields_and_wildcards) {
  static const qcase cases[] = {
      {"Costa", "Query((cost@1 AND_MAYBE 2 * Ccosta))"},
      {"Cesare Costa",
       "Query((((ces@1 AND_MAYBE 2 * Ccesare) OR (cost@2 AND_MAYBE 2 * "
       "Ccosta)) OR 2 * (ces PHRASE 2 cost)))"},
      /* Matteo Messina Denaro: each neighbouring pair. */
      {"Matteo Messina Denaro",
       "Query((((matte@1 AND_MAYBE 2 * Cmatteo) OR (messin@2 AND_MAYBE 2 * "
       "Cmessina) OR (denar@3 AND_MAYBE 2 * Cdenaro)) OR (2 * (matte PHRASE "
       "2 messin) OR 2 * (messin PHRASE 2 denar))))"},
      /* A keyword among names: the name is context, weighed less. */
      {"Costa furto",
       "Query(((cost@1 AND_MAYBE 0.2999999999999999889 * Ccosta) OR "
       "furt@2))"},
      {"costa", "Query(cost@1)"},
      {"title:Costa", "Query(Scost@1)"},
      {"Kim NEAR Putin", "Query((kim@1 NEAR 12 putin@2))"},
      {"Kim NEAR/3 Putin NEAR armi",
       "Query((kim@1 NEAR 6 putin@2 NEAR 6 armi@3))"},
      {"title:(Corea OR Pyongyang)", "Query((Score@1 OR Spyongyang@2))"},
      {"author:(\"Fabrizio Grasso\" OR Neri)",
       "Query(((Afabriz@1 PHRASE 2 Agrass@2) OR Aner@3))"},
      {"\"Non è\"", "Query((Wnon AND We))"},
      {"non", "Query(Wnon)"},
      {"furto*", "Query((WILDCARD SYNONYM furto SYNONYM furt))"},
      {"title:terremoto*",
       "Query((WILDCARD SYNONYM Sterremoto SYNONYM Sterremot))"},
  };
  cr_qp_opts o = cr_qp_opts_default();
  run_table(cases, sizeof cases / sizeof *cases, &o);
}

/* The index's counts decide whether a question's first capitalised word
 * is a name: Quando, capitalised almost nowhere inside a sentence, is
 * not; Costa, capitalised in a third of its stem's articles, is. */
static long fake_termfreq(const char *term, void *ctx) {
  (void)ctx;
  static const struct {
    const char *term;
    long n;
  } counts[] = {{"", 10000},     {"quand", 5000}, {"Cquando", 3},
                {"cost", 900},   {"Ccosta", 300}, {"nat", 800},
                {"Cnato", 1},    {"stat", 8000},  {"anno", 6000},
                {"terremot", 40}};
  for (size_t i = 0; i < sizeof counts / sizeof *counts; i++)
    if (strcmp(counts[i].term, term) == 0) return counts[i].n;
  return 0;
}

static int never_called(const char *t, size_t tl, const char *c, size_t cl,
                        void *ctx) {
  (void)t, (void)tl, (void)c, (void)cl, (void)ctx;
  return 1;
}

Test(query_parser, first_words_and_exact_tests) {
  cr_qp_opts o = cr_qp_opts_default();
  o.termfreq = fake_termfreq;
  static const qcase first[] = {
      {"Quando è nato", "Query((quand@1 OR nat@3))"},
      {"Costa ha detto",
       "Query(((cost@1 AND_MAYBE 0.2999999999999999889 * Ccosta) OR "
       "dett@3))"},
  };
  run_table(first, sizeof first / sizeof *first, &o);

  /* In a question of three words or more, words in more than 5% of the
   * articles only add weight to what the rarer ones find; not when no
   * rarer word is in the index, nor in a short query. */
  static const qcase common[] = {
      {"terremoto stato anno",
       "Query((terremot@1 AND_MAYBE (stat@2 OR anno@3)))"},
      {"sisma stato anno", "Query((sism@1 OR stat@2 OR anno@3))"},
      {"terremoto stato", "Query((terremot@1 OR stat@2))"},
      {"+terremoto stato anno",
       "Query((terremot@1 AND_MAYBE (stat@2 OR anno@3)))"},
  };
  run_table(common, sizeof common / sizeof *common, &o);

  /* With a test to run, quoted phrases, quoted words and wildcards each
   * get one pattern, excluded ones unwanted (snippets skip them). */
  o.check = never_called;
  static const struct {
    const char *text;
    size_t checks, wanted;
    const char *first_pattern; /* words of checks[0], '|' between */
  } cases[] = {
      {"\"Polizia di Stato\"", 1, 1, "polizia|di|stato"},
      {"\"costi\" furto*", 2, 2, "costi"},
      {"Russia -\"Casa Bianca\"", 1, 0, "casa|bianca"},
      {"NOT furto*", 1, 0, "furto"},
      {"author:\"Fabrizio Grasso\"", 0, 0, NULL},
      {"Polizia di Stato", 0, 0, NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cr_parsed_query pq;
    cr_error err;
    cr_assert_eq(
        cr_parse_query(an, cases[i].text, strlen(cases[i].text), &o, &pq, &err),
        0);
    cr_expect_eq(pq.n_checks, cases[i].checks, "%s", cases[i].text);
    size_t wanted = 0;
    for (size_t k = 0; k < pq.n_checks; k++)
      wanted += pq.checks[k]->wanted;
    cr_expect_eq(wanted, cases[i].wanted, "%s", cases[i].text);
    if (cases[i].first_pattern && pq.n_checks) {
      char words[256] = "";
      const cr_exact *x = &pq.checks[0]->pattern;
      for (size_t k = 0; k < x->n; k++)
        snprintf(words + strlen(words), sizeof words - strlen(words), "%s%s",
                 k ? "|" : "", x->words[k].form);
      cr_expect_str_eq(words, cases[i].first_pattern, "%s", cases[i].text);
    }
    char *d = pq.query ? cr_query_describe(pq.query, NULL) : NULL;
    cr_expect(d && (cases[i].checks == 0) ==
                       (strstr(d, "PostingSource") == NULL),
              "%s: %s", cases[i].text, d ? d : "");
    free(d);
    cr_parsed_query_free(&pq);
  }
}

/* Relative dates (today fixed) and id:, as the query trees they make. */
Test(query_parser, relative_dates_and_ids) {
  setenv("CRONACA_TODAY", "2024-02-20", 1);
  static const struct {
    const char *in, *want;
  } cases[] = {
      {"date:oggi", "Query((<alldocuments> FILTER VALUE_RANGE 0 20240220 "
                    "20240220))"},
      {"date:ieri", "Query((<alldocuments> FILTER VALUE_RANGE 0 20240219 "
                    "20240219))"},
      {"data:7d", "Query((<alldocuments> FILTER VALUE_RANGE 0 20240213 "
                  "20240220))"},
      {"date:\"ultimi 7 giorni\"", "Query((<alldocuments> FILTER "
                                   "VALUE_RANGE 0 20240213 20240220))"},
      {"date:1m..ieri", "Query((<alldocuments> FILTER VALUE_RANGE 0 "
                        "20240120 20240219))"},
      {"id:ansa-2022-0907", "Query(Qansa-2022-0907)"},
      {"id:articles/a.txt", "Query(Qarticles/a.txt)"},
      {"ID:Abc", "Query(QAbc)"}, /* ids as written, not folded */
  };
  cr_qp_opts o = cr_qp_opts_default();
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char got[512];
    parse(cases[i].in, strlen(cases[i].in), &o, got, sizeof got, NULL, 0);
    cr_expect_str_eq(got, cases[i].want, "%s", cases[i].in);
  }
  unsetenv("CRONACA_TODAY");
}

/* Where each wanted quote outside a field lies in the text (the searcher
 * loosens those no article holds: searcher/quotes.h): the quotes' bytes
 * (from, to) and the text between them (at, len). */
Test(query_parser, quotes_and_where_they_stand) {
  static const struct {
    const char *text;
    size_t n;
    cr_qquote q[2];
  } cases[] = {
      {"Chi ha scritto \"Camminare a Fresno\"?", 1, {{15, 35, 16, 18}}},
      {"\"a b\" \"c\"", 2, {{0, 5, 1, 3}, {6, 9, 7, 1}}},
      /* Typographic quotes are several bytes each. */
      {"«Corea del Nord» armi", 1, {{0, 18, 2, 14}}},
      {"“Non è” x", 1, {{0, 12, 3, 6}}},
      /* Unclosed: runs to the end. */
      {"armi \"Corea del", 1, {{5, 15, 6, 9}}},
      {"+\"Corea del Nord\"", 1, {{1, 17, 2, 14}}},
      /* Excluded, negated or in a field: never loosened. */
      {"armi -\"Corea del Nord\"", 0, {{0}}},
      {"armi NOT \"Corea del Nord\"", 0, {{0}}},
      {"armi AND NOT (\"Corea del Nord\" x)", 0, {{0}}},
      {"title:\"Corea del Nord\" author:\"Fabrizio Grasso\"", 0, {{0}}},
      {"title:(\"Corea del Nord\" OR Kim)", 0, {{0}}},
      {"Corea del Nord", 0, {{0}}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cr_parsed_query pq;
    cr_error err;
    const char *t = cases[i].text;
    cr_assert_eq(cr_parse_query(an, t, strlen(t), NULL, &pq, &err), 0);
    cr_expect_eq(pq.n_quotes, cases[i].n, "%s: %zu quotes", t, pq.n_quotes);
    for (size_t k = 0; k < pq.n_quotes && k < cases[i].n; k++) {
      const cr_qquote *g = &pq.quotes[k], *w = &cases[i].q[k];
      cr_expect(g->from == w->from && g->to == w->to && g->at == w->at &&
                    g->len == w->len,
                "%s: quote %zu at %zu-%zu (%zu+%zu), not %zu-%zu (%zu+%zu)", t,
                k, g->from, g->to, g->at, g->len, w->from, w->to, w->at,
                w->len);
    }
    cr_parsed_query_free(&pq);
  }
}
