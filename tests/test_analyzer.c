/* test_analyzer.c — the Italian analyzer, case by case.
 *
 * Each table row is an input and the tokens it must give, written as
 * "term@position" with stop words as "(stop)term@position". */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

static cr_analyzer *an;

static void setup(void) {
  cr_error err;
  an = cr_analyzer_new("italian", &err);
  cr_assert_not_null(an, "%s", err.message);
}

static void teardown(void) { cr_analyzer_free(an); }

TestSuite(analyzer, .init = setup, .fini = teardown);

typedef struct dump {
  char out[4096];
  size_t n_tokens;
  size_t last_start, text_len;
} dump;

static int append(const cr_token *t, void *ctx) {
  dump *d = ctx;
  char one[128];
  snprintf(one, sizeof one, "%s%s%s@%u", d->n_tokens ? " " : "",
           t->is_stop ? "(stop)" : "", t->term, t->position);
  strncat(d->out, one, sizeof d->out - strlen(d->out) - 1);
  /* Invariants every token keeps. */
  cr_assert(t->start < t->end && t->end <= d->text_len);
  cr_assert(t->start >= d->last_start);
  cr_assert_eq(strlen(t->term), t->term_len);
  d->last_start = t->start;
  d->n_tokens++;
  return 0;
}

static const char *analyze(const char *text, size_t len, dump *d) {
  memset(d, 0, sizeof *d);
  d->text_len = len;
  cr_assert_eq(cr_analyze(an, text, len, 0, append, d), 0);
  return d->out;
}

typedef struct tcase {
  const char *text;
  const char *tokens;
} tcase;

static void run_table(const tcase *cases, size_t n) {
  for (size_t i = 0; i < n; i++) {
    dump d;
    const char *got = analyze(cases[i].text, strlen(cases[i].text), &d);
    cr_expect_str_eq(got, cases[i].tokens, "for \"%s\"", cases[i].text);
  }
}

Test(analyzer, seed_sentences) {
  static const tcase cases[] = {
      {"Secondo l’intelligence Usa, la Russia sta comprando armi dalla Corea "
       "del Nord",
       "second@0 intelligenc@1 usa@2 (stop)la@3 russ@4 (stop)sta@5 compr@6 "
       "armi@7 (stop)dalla@8 core@9 (stop)del@10 nord@11"},
      {"Un'ulteriore conferma del rapporto fra il dittatore nordcoreano e "
       "Putin.",
       "ulterior@0 conferm@1 (stop)del@2 rapport@3 fra@4 (stop)il@5 "
       "dittator@6 nordcor@7 (stop)e@8 putin@9"},
      {"Kim Jong-un, Mahojer-6 e Shahed",
       "kim@0 jong@1 un@2 mahojer@3 6@4 (stop)e@5 shahed@6"},
      {"«milioni di razzi e proiettili di artiglieria»",
       "milion@0 (stop)di@1 razz@2 (stop)e@3 proiettil@4 (stop)di@5 "
       "artiglier@6"},
      {"l’import-export militare", "import@0 export@1 milit@2"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
}

Test(analyzer, the_issue_example) {
  dump d;
  const char *text = "L’intelligence dall’Iran: un'ulteriore conferma dell' "
                     "OPEC. PERCHÉ città Russia";
  analyze(text, strlen(text), &d);
  cr_assert_str_eq(d.out, "intelligenc@0 iran@1 ulterior@2 conferm@3 opec@4 "
                          "(stop)perché@5 citt@6 russ@7");
}

Test(analyzer, every_elided_form_both_apostrophes_and_a_space) {
  static const char *const elided[] = {
      "c",   "l",    "all", "dall", "dell", "nell", "sull", "coll",
      "pell", "gl",  "agl", "dagl", "degl", "negl", "sugl", "un",
      "m",   "t",    "s",   "v",    "d",    "quest", "sant"};
  static const char *const apostrophes[] = {"'", "’", "' ", "’ "};
  for (size_t i = 0; i < sizeof elided / sizeof *elided; i++) {
    for (size_t k = 0; k < 4; k++) {
      char text[64];
      snprintf(text, sizeof text, "%s%sOPEC", elided[i], apostrophes[k]);
      dump d;
      analyze(text, strlen(text), &d);
      cr_expect_str_eq(d.out, "opec@0", "for \"%s\"", text);
      /* Capitalised too: "Dell'OPEC" at the start of a sentence. */
      text[0] = (char)(text[0] - 32);
      analyze(text, strlen(text), &d);
      cr_expect_str_eq(d.out, "opec@0", "for \"%s\"", text);
    }
  }
}

Test(analyzer, apostrophes_that_are_not_elision) {
  static const tcase cases[] = {
      {"un po' di pane", "(stop)un@0 po@1 (stop)di@2 pan@3"},
      {"D'Alema", "alem@0"},
      {"L'Aquila", "aquil@0"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
}

Test(analyzer, capitals_accents_and_stems_meet) {
  static const struct {
    const char *a, *b;
  } same[] = {
      {"Russia", "russa"},      {"città", "citta"},   {"CITTÀ", "città"},
      {"Università", "universita"}, {"perché", "PERCHÉ"}, {"ARMI", "armi"},
      {"e\xCC\x80", "\xC3\xA8"}, /* è decomposed and composed (NFC) */
  };
  for (size_t i = 0; i < sizeof same / sizeof *same; i++) {
    dump a, b;
    analyze(same[i].a, strlen(same[i].a), &a);
    analyze(same[i].b, strlen(same[i].b), &b);
    cr_expect_str_eq(a.out, b.out, "%s vs %s", same[i].a, same[i].b);
  }
}

Test(analyzer, numbers) {
  static const tcase cases[] = {
      {"dal 1948", "(stop)dal@0 1948@1"},
      {"1.000 persone", "1000@0 person@1"},
      {"3,5 milioni", "3,5@0 milion@1"},
      {"06/09/2022", "06@0 09@1 2022@2"},
      {"il 19enne", "(stop)il@0 19enn@1"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
}

Test(analyzer, empty_and_punctuation_only) {
  static const tcase cases[] = {
      {"", ""}, {"   ", ""}, {"«» – … !!", ""}, {"'", ""}, {"’’", ""},
  };
  run_table(cases, sizeof cases / sizeof *cases);
}

Test(analyzer, invalid_utf8_and_nul_bytes_separate_words) {
  dump d;
  analyze("abc\xff\xfe" "def", 8, &d);
  cr_expect_str_eq(d.out, "abc@0 def@1");
  analyze("citt\xc3", 5, &d); /* truncated sequence at the end */
  cr_expect_str_eq(d.out, "citt@0");
  static const char with_nul[] = "guerra\0pace";
  analyze(with_nul, sizeof with_nul - 1, &d);
  cr_expect_str_eq(d.out, "guerr@0 pac@1");
}

typedef struct slices {
  size_t start[8], end[8], n;
} slices;

static int grab(const cr_token *t, void *ctx) {
  slices *s = ctx;
  if (s->n < 8) {
    s->start[s->n] = t->start;
    s->end[s->n] = t->end;
    s->n++;
  }
  return 0;
}

Test(analyzer, byte_offsets_cover_the_original_word) {
  static const struct {
    const char *text;
    const char *words[4];
  } cases[] = {
      {"L’intelligence dell' OPEC", {"intelligence", "OPEC"}},
      {"«Città» Jong-un", {"Città", "Jong", "un"}},
      {"1.000 perché", {"1.000", "perché"}},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    slices s = {.n = 0};
    const char *text = cases[i].text;
    cr_analyze(an, text, strlen(text), 0, grab, &s);
    for (size_t k = 0; k < s.n; k++) {
      const char *want = cases[i].words[k];
      cr_assert_not_null(want, "extra token in \"%s\"", text);
      cr_expect_eq(s.end[k] - s.start[k], strlen(want), "\"%s\" token %zu",
                   text, k);
      cr_expect(strncmp(text + s.start[k], want, strlen(want)) == 0,
                "\"%s\" token %zu", text, k);
    }
  }
}

Test(analyzer, a_one_megabyte_token_is_dropped_quickly) {
  size_t len = 1 << 20;
  char *text = malloc(len + 16);
  memset(text, 'a', len);
  memcpy(text + len, " guerra", 8);
  dump d;
  analyze(text, len + 7, &d);
  cr_expect_str_eq(d.out, "guerr@1"); /* the giant word keeps its position */
  free(text);
}

static int stop_at_first(const cr_token *t, void *ctx) {
  (void)t;
  (void)ctx;
  return 7;
}

static int first_term(const cr_token *t, void *ctx) {
  snprintf(ctx, 64, "%s", t->term);
  return 1;
}

Test(analyzer, first_position_and_early_stop) {
  dump d;
  memset(&d, 0, sizeof d);
  d.text_len = 11;
  cr_analyze(an, "guerra pace", 11, 100, append, &d);
  cr_expect_str_eq(d.out, "guerr@100 pac@101");
  cr_expect_eq(cr_analyze(an, "guerra pace", 11, 0, stop_at_first, NULL), 7);
}

Test(analyzer, normalize_folds_without_stemming) {
  char out[CR_MAX_TERM_BYTES + 1];
  cr_expect_eq(cr_analyzer_normalize(an, "Città", 6, out, sizeof out), 5);
  cr_expect_str_eq(out, "citta");
  cr_analyzer_normalize(an, "UCRAIN", 6, out, sizeof out);
  cr_expect_str_eq(out, "ucrain");
  cr_expect(cr_analyzer_is_stopword(an, "del", 3));
  cr_expect(!cr_analyzer_is_stopword(an, "guerra", 6));
}

Test(analyzer, other_languages_and_unknown_ones) {
  cr_error err;
  cr_analyzer *en = cr_analyzer_new("english", &err);
  cr_assert_not_null(en);
  cr_expect_str_eq(cr_analyzer_language(en), "english");
  char out[64] = "";
  cr_analyze(en, "running", 7, 0, first_term, out);
  cr_expect_str_eq(out, "run");
  cr_analyzer_free(en);
  cr_expect_null(cr_analyzer_new("klingon", &err));
  cr_expect_eq(err.code, CR_E_INVALID);
  cr_expect(strstr(err.message, "klingon") != NULL);
}
