/* test_analyzer.c — the Italian analyzer, case by case.
 *
 * Each table row is an input and the tokens it must give, written as
 * "term@position" with stop words as "(stop)term@position". Sentences come
 * from the seed article (corpus/) and from ordinary Italian news prose.
 * Every token is also checked for the invariants the indexer and the
 * snippets rely on (offsets inside the text and increasing, positions
 * never going back, terms NUL-terminated and short enough). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "helpers.h"

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
  uint32_t last_position;
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
  cr_assert(t->term_len > 0 && t->term_len <= CR_MAX_TERM_BYTES);
  cr_assert(d->n_tokens == 0 || t->position > d->last_position);
  d->last_position = t->position;
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
    cr_expect_str_eq(got, cases[i].tokens, "for \"%s\": got \"%s\"",
                     cases[i].text, got);
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
      {"Ad affermarlo è l’intelligence statunitense",
       "(stop)ad@0 afferm@1 (stop)è@2 intelligenc@3 statunitens@4"},
      {"Russia-Corea del Nord, l’acquisto di armi viola le disposizioni Onu",
       "russ@0 core@1 (stop)del@2 nord@3 acquist@4 (stop)di@5 armi@6 "
       "viol@7 (stop)le@8 disposizion@9 onu@10"},
      {"Un’idea presto approvata da alti funzionari russi",
       "ide@0 prest@1 approv@2 (stop)da@3 alti@4 funzionar@5 russ@6"},
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
      "c",    "l",      "all",  "dall", "dell", "nell",  "sull",  "coll",
      "pell", "gl",     "agl",  "dagl", "degl", "negl",  "sugl",  "un",
      "m",    "t",      "s",    "v",    "d",    "quest", "quell", "bell",
      "tutt", "nessun", "anch", "com",  "senz", "nient", "dov"};
  static const char *const apostrophes[] = {"'", "’", "' ", "’ ", "ʼ"};
  for (size_t i = 0; i < sizeof elided / sizeof *elided; i++) {
    for (size_t k = 0; k < sizeof apostrophes / sizeof *apostrophes; k++) {
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
      /* Not in the list: the apostrophe only separates. */
      {"mezz'ora", "mezz@0 ora@1"},
      {"E' arrivato PERCHE' piove", "(stop)e@0 arriv@1 perc@2 piov@3"},
      /* Quotes around a word are not elision. */
      {"la parola 'guerra'", "(stop)la@0 parol@1 guerr@2"},
      /* Only the last word before the apostrophe is elided. */
      {"nell'ambito dell'appartamento", "ambit@0 appart@1"},
      {"l’8 settembre", "8@0 settembr@1"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
}

Test(analyzer, capitals_accents_and_stems_meet) {
  static const struct {
    const char *a, *b;
  } same[] = {
      {"Russia", "russa"},          {"città", "citta"},   {"CITTÀ", "città"},
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
      {"dal 1948", "(stop)dal@0 1948@1"},  {"1.000 persone", "1000@0 person@1"},
      {"3,5 milioni", "3,5@0 milion@1"},   {"06/09/2022", "06@0 09@1 2022@2"},
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
  analyze("abc\xff\xfe"
          "def",
          8, &d);
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

/* The issue's example, checked as properties: every non-stop term is
 * lowercase ASCII here, has no apostrophe and is none of the elided
 * articles or stop words. */
static int check_clean(const cr_token *t, void *ctx) {
  (void)ctx;
  if (t->is_stop) return 0;
  static const char *const banned[] = {"l",      "dall",   "un", "dell",
                                       "perché", "perche", "'",  "’"};
  for (size_t i = 0; i < sizeof banned / sizeof *banned; i++)
    cr_expect_str_neq(t->term, banned[i]);
  for (const char *p = t->term; *p; p++)
    cr_expect((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9'),
              "term \"%s\" is not lowercase accent-free", t->term);
  cr_expect(!cr_analyzer_is_stopword(an, t->term, t->term_len), "%s", t->term);
  return 0;
}

Test(analyzer, the_issue_example_gives_clean_terms) {
  const char *text = "L’intelligence dall’Iran: un'ulteriore conferma dell' "
                     "OPEC. PERCHÉ città Russia";
  cr_assert_eq(cr_analyze(an, text, strlen(text), 0, check_clean, NULL), 0);
}

Test(analyzer, stop_words_keep_their_positions) {
  static const tcase cases[] = {
      {"Corea del Nord", "core@0 (stop)del@1 nord@2"},
      {"la guerra in Ucraina", "(stop)la@0 guerr@1 (stop)in@2 ucrain@3"},
      {"e", "(stop)e@0"},
      {"Il Più", "(stop)il@0 (stop)più@1"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
}

Test(analyzer, hyphenated_parts_are_never_stop_words) {
  static const tcase cases[] = {
      {"Kim Jong-un", "kim@0 jong@1 un@2"},
      {"Mahojer-6", "mahojer@0 6@1"},
      {"Covid-19", "covid@0 19@1"},
      {"la Emilia-Romagna", "(stop)la@0 emil@1 romagn@2"},
      {"il botta-e-risposta", "(stop)il@0 bott@1 e@2 rispost@3"},
      /* A dash between clauses is no hyphen; a trailing one joins nothing. */
      {"Roma – Milano", "rom@0 mil@1"},
      {"pre- e post-", "pre@0 (stop)e@1 post@2"},
      /* Hyphens of other kinds: U+2010 and U+2011. */
      {"Jong‐un Jong‑un", "jong@0 un@1 jong@2 un@3"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
  /* "un" alone stays a stop word, also once cached as a compound part. */
  dump d;
  analyze("un Jong-un un", 13, &d);
  cr_expect_str_eq(d.out, "(stop)un@0 jong@1 un@2 (stop)un@3");
}

Test(analyzer, acronyms_with_dots) {
  static const tcase cases[] = {
      {"gli U.S.A. e l'U.R.S.S.", "(stop)gli@0 usa@1 (stop)e@2 urss@3"},
      {"Fiat S.p.A.", "fiat@0 spa@1"},
      {"U.S.A", "usa@0"},
      /* A.I. is an acronym, not the stop word "ai". */
      {"A.I. e ai", "ai@0 (stop)e@1 (stop)ai@2"},
      /* An initial alone is a word; so are words around a dot. */
      {"J. Biden", "j@0 biden@1"},
      {"fine.Inizio", "fin@0 iniz@1"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
  dump d;
  analyze("Usa U.S.A.", 10, &d);
  cr_expect_str_eq(d.out, "usa@0 usa@1");
}

Test(analyzer, numbers_and_their_separators) {
  static const tcase cases[] = {
      {"12.345.678 euro", "12345678@0 eur@1"},
      {"1.000,50 euro", "1000,50@0 eur@1"},
      /* Not thousands: decimals, times and versions keep their dots. */
      {"alle 10.30", "(stop)alle@0 10.30@1"},
      {"2.5 e 3.10.2", "2.5@0 (stop)e@1 3.10.2@2"},
      {"1.0000", "1.0000@0"},
      {"fine anno 2022.", "fin@0 anno@1 2022@2"},
      {"1.000enne", "1@0 000enn@1"},
      {"3, 5 e 7", "3@0 5@1 (stop)e@2 7@3"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
}

Test(analyzer, guillemets_and_other_punctuation_separate) {
  static const tcase cases[] = {
      {"«Guerra»", "guerr@0"},
      {"“pace” (armi) [razzi] {droni}", "pac@0 armi@1 razz@2 dron@3"},
      {"Mosca/Kiev;Pyongyang…Seul", "mosc@0 kiev@1 pyongyang@2 seul@3"},
      {"#Ucraina @Putin", "ucrain@0 putin@1"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
}

Test(analyzer, other_scripts_fold_too) {
  static const tcase cases[] = {
      {"Ἀθῆναι", "αθηναι@0"},
      {"STRAßE", "strass@0"},
      {"Ça va", "ca@0 va@1"},
  };
  run_table(cases, sizeof cases / sizeof *cases);
}

Test(analyzer, repeated_words_give_the_same_terms) {
  /* The word cache must not change what comes out, also for words too
   * long for it. */
  const char *text = "precipitevolissimevolmente guerra "
                     "precipitevolissimevolmente guerra Guerra GUERRA";
  dump d;
  analyze(text, strlen(text), &d);
  cr_expect_str_eq(d.out, "precipitevolissimevol@0 guerr@1 "
                          "precipitevolissimevol@2 guerr@3 guerr@4 guerr@5");
}

Test(analyzer, terms_longer_than_the_limit_are_dropped) {
  char text[2 * CR_MAX_TERM_BYTES + 8];
  memset(text, '1', CR_MAX_TERM_BYTES);
  text[CR_MAX_TERM_BYTES] = ' ';
  memset(text + CR_MAX_TERM_BYTES + 1, '2', CR_MAX_TERM_BYTES + 1);
  memcpy(text + 2 * CR_MAX_TERM_BYTES + 2, " pace", 6);
  dump d;
  analyze(text, strlen(text), &d);
  cr_expect_eq(d.n_tokens, 2);
  cr_expect(strstr(d.out, "pac@2") != NULL, "%s", d.out); /* 3rd word */
}

/* Big inputs of every shape must run in linear time: 1 MB each, with a
 * timeout far above what a linear scan needs. */
Test(analyzer, one_megabyte_of_odd_shapes, .timeout = 20) {
  static const char *const units[] = {"à",   "a-", "A.",   "1.",
                                      "1,1", "l'", "\xff", "e\xCC\x81"};
  size_t len = 1 << 20;
  char *text = malloc(len + 1);
  cr_assert_not_null(text);
  for (size_t u = 0; u < sizeof units / sizeof *units; u++) {
    size_t ul = strlen(units[u]), k = 0;
    while (k + ul <= len) {
      memcpy(text + k, units[u], ul);
      k += ul;
    }
    dump d;
    memset(&d, 0, sizeof d);
    d.text_len = k;
    cr_expect_eq(cr_analyze(an, text, k, 0, append, &d), 0, "unit %s",
                 units[u]);
  }
  free(text);
}

Test(analyzer, random_bytes_keep_the_invariants) {
  unsigned seed = 12345;
  char text[512];
  for (int round = 0; round < 2000; round++) {
    size_t len = (size_t)(seed % sizeof text);
    for (size_t i = 0; i < len; i++) {
      seed = seed * 1103515245u + 12345u;
      /* Mostly letters and punctuation that matters, some raw bytes. */
      static const char pool[] = "aeiouàèé'’-.,1 \xc3\xa0\xe2\x80\x99\xff";
      text[i] = (seed >> 16) % 4 ? pool[(seed >> 8) % (sizeof pool - 1)]
                                 : (char)(seed >> 16);
    }
    dump d;
    memset(&d, 0, sizeof d);
    d.text_len = len;
    cr_assert_eq(cr_analyze(an, text, len, 0, append, &d), 0);
    char out[CR_MAX_TERM_BYTES + 1];
    cr_assert(cr_analyzer_normalize(an, text, len, out, sizeof out) <
              sizeof out);
  }
}

Test(analyzer, normalize_edge_cases) {
  static const struct {
    const char *in, *out;
    size_t out_size;
  } cases[] = {
      {"PERCHÉ", "perche", 64},
      {"Guerr", "guerr", 64},
      {"citt\xff\xc3\xa0", "citta", 64}, /* invalid byte skipped */
      {"", "", 64},
      {"Ἀθῆναι", "α", 4}, /* truncated at a character boundary */
      {"guerra", "gue", 4},
      {"guerra", "", 1},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char out[64];
    size_t n = cr_analyzer_normalize(an, cases[i].in, strlen(cases[i].in), out,
                                     cases[i].out_size);
    cr_expect_str_eq(out, cases[i].out, "for \"%s\"", cases[i].in);
    cr_expect_eq(n, strlen(cases[i].out));
  }
}

Test(analyzer, languages_without_a_stop_list_have_no_stop_words) {
  cr_error err;
  cr_analyzer *de = cr_analyzer_new("german", &err);
  cr_assert_not_null(de, "%s", err.message);
  dump d;
  memset(&d, 0, sizeof d);
  d.text_len = 18;
  cr_analyze(de, "der laufende Tiger", 18, 0, append, &d);
  cr_expect_str_eq(d.out, "der@0 laufend@1 tig@2");
  cr_analyzer_free(de);
  cr_analyzer *def = cr_analyzer_new(NULL, &err);
  cr_assert_not_null(def);
  cr_expect_str_eq(cr_analyzer_language(def), "italian");
  cr_analyzer_free(def);
}

/* English has its own stop words and no Italian elision: an apostrophe
 * between letters stays in the word. */
Test(analyzer, english_stop_words_and_apostrophes) {
  cr_error err;
  cr_analyzer *en = cr_analyzer_new("english", &err);
  cr_assert_not_null(en, "%s", err.message);
  static const tcase cases[] = {
      {"the running Tigers", "(stop)the@0 run@1 tiger@2"},
      {"they aren't here", "(stop)they@0 (stop)aren't@1 (stop)here@2"},
      {"O'Brien's dogs", "o'brien@0 dog@1"},
      {"l'intelligence", "l'intellig@0"},
      {"rock 'n' roll", "rock@0 n@1 roll@2"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    dump d;
    memset(&d, 0, sizeof d);
    d.text_len = strlen(cases[i].text);
    cr_analyze(en, cases[i].text, d.text_len, 0, append, &d);
    cr_expect_str_eq(d.out, cases[i].tokens, "for \"%s\"", cases[i].text);
  }
  cr_analyzer_free(en);
}

/* The word itself beside its stem, and where it stood: "word" as the
 * token's unstemmed form, then C if it was capitalised and S if it
 * started a sentence. What tells the surname Costa from costo. */
static int append_form(const cr_token *t, void *ctx) {
  dump *d = ctx;
  char one[160];
  snprintf(one, sizeof one, "%s%.*s%s%s", d->n_tokens ? " " : "",
           (int)t->word_len, t->word, t->capitalised ? "/C" : "",
           t->sentence_start ? "/S" : "");
  strncat(d->out, one, sizeof d->out - strlen(d->out) - 1);
  cr_assert_eq(strlen(t->word), t->word_len);
  d->n_tokens++;
  return 0;
}

Test(analyzer, words_capitals_and_sentence_starts) {
  static const tcase cases[] = {
      {"Il sindaco Costa ha detto che i costi salgono",
       "il/C/S sindaco costa/C ha detto che i costi salgono"},
      {"Costa molto. Lo dice Mariella Lugli, a luglio",
       "costa/C/S molto lo/C/S dice mariella/C lugli/C a luglio"},
      /* An elided article leaves the sentence start to the next word. */
      {"L'Italia e dall'Iran", "italia/C/S e iran/C"},
      {"Città e CITTÀ, perché", "citta/C/S e citta/C perche"},
      {"via Cesare Costa\nNeri ha vinto", "via/S cesare/C costa/C neri/C/S ha "
                                          "vinto"},
      {"«Bianchi» disse? Sì! Setti… Grazie",
       "bianchi/C/S disse si/C/S setti/C/S grazie/C/S"},
      {"Sant'Agostino e Jong-un", "sant/C/S agostino/C e jong/C un"},
      {"3.000 euro a É", "3000/S euro a e/C"},
      {"Ärzte über Éric", "arzte/C/S uber eric/C"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    dump d;
    memset(&d, 0, sizeof d);
    cr_analyze(an, cases[i].text, strlen(cases[i].text), 0, append_form, &d);
    cr_expect_str_eq(d.out, cases[i].tokens, "for \"%s\": got \"%s\"",
                     cases[i].text, d.out);
  }
}

/* ---- Stemming only the words that may stem to wanted terms ------------ */

typedef struct kept_token {
  char term[CR_MAX_TERM_BYTES + 1], word[CR_MAX_TERM_BYTES + 1];
  uint32_t position;
  size_t start, end;
  bool is_stop;
} kept_token;

typedef struct kept {
  kept_token *t;
  size_t n, cap;
} kept;

static int keep_token(const cr_token *t, void *ctx) {
  kept *k = ctx;
  if (k->n == k->cap) {
    k->cap = k->cap ? 2 * k->cap : 1024;
    k->t = realloc(k->t, k->cap * sizeof *k->t);
    cr_assert_not_null(k->t);
  }
  kept_token *o = &k->t[k->n++];
  snprintf(o->term, sizeof o->term, "%s", t->term);
  snprintf(o->word, sizeof o->word, "%s", t->word);
  o->position = t->position;
  o->start = t->start;
  o->end = t->end;
  o->is_stop = t->is_stop;
  return 0;
}

static kept analyse_all(cr_analyzer *a, const char *text, size_t len) {
  kept k = {0};
  cr_assert_eq(cr_analyze(a, text, len, 0, keep_token, &k), 0);
  return k;
}

/* English prose with the words Porter2 treats apart (initial y, -ies,
 * -ying, -ly), for the first-letter rule. */
static const char english_text[] =
    "Yesterday the young yachtsmen were dying to sail; skies cleared early "
    "and they generously agreed. Idly, gently, only the ugly news spread: "
    "yields of yellow yarn rose, eyes on the youth, tying knots in Yorkshire.";

static char *corpus_text(size_t *len) {
  char *s = th_read_file(CORPUS_DIR "/notizie.jsonl", len);
  cr_assert_not_null(s);
  return s;
}

/* The premise of cr_analyzer_stem_only: these stemmers never change a
 * word's ASCII first letter. */
Test(analyzer, italian_and_english_stems_start_with_their_word_s_letter) {
  size_t len;
  char *it = corpus_text(&len);
  cr_error err;
  cr_analyzer *en = cr_analyzer_new("english", &err);
  cr_assert_not_null(en, "%s", err.message);
  struct {
    cr_analyzer *a;
    const char *text;
    size_t len;
  } texts[] = {{an, it, len}, {en, english_text, sizeof english_text - 1}};
  for (size_t k = 0; k < 2; k++) {
    kept all = analyse_all(texts[k].a, texts[k].text, texts[k].len);
    cr_assert_gt(all.n, 20);
    for (size_t i = 0; i < all.n; i++)
      if (!all.t[i].is_stop && (unsigned char)all.t[i].word[0] < 0x80)
        cr_expect_eq(all.t[i].term[0], all.t[i].word[0], "%s -> %s",
                     all.t[i].word, all.t[i].term);
    free(all.t);
  }
  cr_analyzer_free(en);
  free(it);
}

static bool among(const char *term, const char *const *terms, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(term, terms[i]) == 0) return true;
  return false;
}

Test(analyzer, stemming_only_what_may_be_wanted_finds_the_same_terms) {
  size_t len;
  char *text = corpus_text(&len);
  static const char *const wanted[][4] = {
      {"cost", "sindac", NULL},
      {"guerr", "ucrain", "russ", NULL},
      {"elezion", "comun", "consigl", "2022"},
      {"zon", NULL},
  };
  kept all = analyse_all(an, text, len);
  for (size_t q = 0; q < sizeof wanted / sizeof *wanted; q++) {
    size_t n = 0;
    while (n < 4 && wanted[q][n])
      n++;
    cr_assert(cr_analyzer_stem_only(an, wanted[q], n), "query %zu", q);
    kept some = analyse_all(an, text, len);
    cr_assert(cr_analyzer_stem_only(an, NULL, 0));
    cr_assert_eq(some.n, all.n, "query %zu", q);
    size_t found = 0;
    for (size_t i = 0; i < all.n; i++) {
      const kept_token *x = &all.t[i], *y = &some.t[i];
      cr_expect(x->position == y->position && x->start == y->start &&
                    x->end == y->end && strcmp(x->word, y->word) == 0,
                "query %zu, token %zu", q, i);
      /* A wanted term is found where it was, and nowhere else. */
      bool want = !x->is_stop && among(x->term, wanted[q], n);
      cr_expect_eq(!y->is_stop && among(y->term, wanted[q], n), want,
                   "query %zu: %s -> %s / %s", q, x->word, x->term, y->term);
      if (want) {
        found++;
        cr_expect_str_eq(y->term, x->term);
      }
    }
    cr_expect_gt(found, 0, "query %zu finds its words", q);
    free(some.t);
  }
  /* Off again: every word stemmed, as before. */
  kept again = analyse_all(an, text, len);
  cr_assert_eq(again.n, all.n);
  for (size_t i = 0; i < all.n; i++)
    cr_expect_str_eq(again.t[i].term, all.t[i].term);
  free(again.t);
  free(all.t);
  free(text);
}

Test(analyzer, stemming_only_some_words_is_refused_where_it_could_miss) {
  cr_error err;
  /* Irish undoes initial mutations (bhean -> bean): not a first-letter
   * stemmer. A wanted term that starts with a non-ASCII byte: any word
   * may stem to it. */
  cr_analyzer *ga = cr_analyzer_new("irish", &err);
  cr_assert_not_null(ga, "%s", err.message);
  const char *bean[] = {"bean"};
  cr_expect_not(cr_analyzer_stem_only(ga, bean, 1));
  kept k = analyse_all(ga, "bhean", 5);
  cr_assert_eq(k.n, 1);
  cr_expect_str_eq(k.t[0].term, "bean");
  free(k.t);
  cr_analyzer_free(ga);
  const char *cyrillic[] = {"cost", "\xd0\xbc\xd0\xb8\xd1\x80"};
  cr_expect_not(cr_analyzer_stem_only(an, cyrillic, 2));
  k = analyse_all(an, "costi minimi", 12);
  cr_assert_eq(k.n, 2);
  cr_expect_str_eq(k.t[0].term, "cost");
  cr_expect_str_eq(k.t[1].term, "minim"); /* stemmed though no 'm' is wanted */
  free(k.t);
}
