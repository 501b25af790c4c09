/* test_exact.c — exact words, phrases and prefixes in a text, case by case.
 *
 * Each row is a pattern as a person would quote it (its words analysed
 * the way the query parser does), a text, and whether the text holds it.
 * Every row is checked three ways: cr_exact_find with and without its
 * scratch buffers, and cr_exact_scan over the whole text, which must
 * agree (the folded-letters shortcut may never change an answer). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "exact.h"

static cr_analyzer *an;

static void setup(void) { an = cr_analyzer_new("italian", NULL); }
static void teardown(void) { cr_analyzer_free(an); }

TestSuite(exact, .init = setup, .fini = teardown);

/* The pattern of quoted text as the parser builds it: every word, its
 * form, and whether an elided article came before it. A trailing '*'
 * makes a one-word prefix pattern. */
static int add_word(const cr_token *t, void *ctx) {
  cr_exact *x = ctx;
  cr_exact_add(x, t->word, t->word_len, false, t->elided);
  return 0;
}

static cr_exact pattern_of(const char *quoted) {
  cr_exact x = {0};
  size_t n = strlen(quoted);
  if (n && quoted[n - 1] == '*') {
    char norm[CR_MAX_TERM_BYTES + 1];
    size_t k = cr_analyzer_normalize(an, quoted, n - 1, norm, sizeof norm);
    cr_exact_add(&x, norm, k, true, false);
    return x;
  }
  cr_analyze(an, quoted, n, 0, add_word, &x);
  return x;
}

static int found_one(const cr_exact *x, cr_exact_span span, void *ctx) {
  (void)x;
  *(cr_exact_span *)ctx = span;
  return 1;
}

typedef struct xcase {
  const char *pattern;
  const char *text;
  bool holds;
} xcase;

static const xcase cases[] = {
    /* Stop words count, in their place. */
    {"Polizia di Stato", "Gli agenti della Polizia di Stato di Modena", true},
    {"Polizia di Stato", "la polizia è stata chiamata", false},
    /* Only a sentence's end breaks a phrase, as in every engine. */
    {"Polizia di Stato", "la polizia, di stato in stato", true},
    {"polizia stato", "arriva la polizia. Stato di agitazione", false},
    {"polizia stato", "la polizia stato", true},
    /* Word forms, not stems; case and accents do not count. */
    {"costi", "il costo medio", false},
    {"costi", "i COSTI salgono", true},
    {"Costa", "Cesare Costa ha detto", true},
    {"Costa", "i costi e il costo", false},
    {"città", "la citta di Modena", true},
    {"citta", "la città di Modena", true},
    {"perché", "ecco perche", true},
    {"Müller", "Thomas Müller segna", true},
    {"Müller", "Thomas Muller segna", true},
    /* A line break or a full stop ends a sentence; a comma does not. */
    {"Modena Carpi", "tra Modena, Carpi e Sassuolo", true},
    {"Modena Carpi", "resta a Modena\nCarpi intanto", false},
    /* Elision: the article goes, but c'è is not è. */
    {"Non è", "Non è stato facile", true},
    {"Non è", "non c'è motivo", false},
    {"non c'è", "non c'è motivo", true},
    {"dell'Iran", "il petrolio dell'Iran", true},
    {"l'Iran", "il petrolio dell'Iran", true},
    /* Sant' stays a word. */
    {"Sant'Agostino", "la chiesa di Sant'Agostino", true},
    {"Sant'Agostino", "la chiesa di Agostino", false},
    /* Numbers are compared as the analyzer writes them. */
    {"3.000 euro", "una multa di 3000 euro", true},
    {"3000 euro", "una multa di 3.000 euro", true},
    /* Hyphenated names. */
    {"Jong-un", "Kim Jong-un visita", true},
    {"Jong un", "Kim Jong-un visita", true},
    /* Prefixes. */
    {"furto*", "tentato furto aggravato", true},
    {"furto*", "i furti in casa", false},
    {"furt*", "i furti in casa", true},
    {"ucrain*", "un cittadino ucraino", true},
    {"Sassuolo*", "SASSUOLO. Pomeriggio", true},
    {"carabinieri*", "la stazione dei carabinieri", true},
    {"carabinieri*", "un carabiniere", false},
    /* Words inside other words are not words. */
    {"costa", "la Costanza", false},
    {"stato", "lo statale", false},
    /* Quotes, guillemets and other punctuation between words. */
    {"Corea del Nord", "«Corea del Nord»", true},
    {"Corea del Nord", "la Corea – del Nord", true},
};

Test(exact, the_table_three_ways) {
  cr_exact_scratch scratch = {0};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cr_exact x = pattern_of(cases[i].pattern);
    const char *text = cases[i].text;
    size_t len = strlen(text);
    cr_expect_eq(cr_exact_find(an, &x, text, len, &scratch), cases[i].holds,
                 "\"%s\" in \"%s\"", cases[i].pattern, text);
    cr_expect_eq(cr_exact_find(an, &x, text, len, NULL), cases[i].holds,
                 "\"%s\" in \"%s\" (no scratch)", cases[i].pattern, text);
    const cr_exact *one[1] = {&x};
    cr_exact_span span = {0, 0};
    int rc = cr_exact_scan(an, one, 1, text, len, found_one, &span);
    cr_expect_eq(rc == 1, cases[i].holds, "scan: \"%s\" in \"%s\"",
                 cases[i].pattern, text);
    if (rc == 1)
      cr_expect(span.start < span.end && span.end <= len,
                "span of \"%s\" in \"%s\"", cases[i].pattern, text);
  }
  cr_exact_scratch_free(&scratch);
}

typedef struct spans {
  cr_exact_span s[4];
  size_t n;
} spans;

static int collect_span(const cr_exact *x, cr_exact_span span, void *ctx) {
  (void)x;
  spans *sp = ctx;
  if (sp->n < 4) sp->s[sp->n++] = span;
  return 0;
}

/* The span covers the phrase from its first word's start to its last
 * word's end, and every occurrence is reported. */
Test(exact, spans_and_every_occurrence) {
  static const char text[] = "La Polizia di Stato e la polizia di stato.";
  cr_exact x = pattern_of("polizia di stato");
  const cr_exact *one[1] = {&x};
  spans got = {0};
  cr_expect_eq(
      cr_exact_scan(an, one, 1, text, strlen(text), collect_span, &got), 0);
  cr_assert_eq(got.n, 2);
  cr_expect_eq(got.s[0].start, 3);
  cr_expect_eq(got.s[0].end, 19);
  cr_expect_eq(got.s[1].start, 25);
  cr_expect_eq(got.s[1].end, 41);
}

/* A pattern too long is cut, and words too long are refused. */
Test(exact, limits) {
  cr_exact x = {0};
  for (int i = 0; i < CR_EXACT_MAX_WORDS; i++)
    cr_expect(cr_exact_add(&x, "parola", 6, false, false));
  cr_expect_not(cr_exact_add(&x, "parola", 6, false, false));
  cr_exact y = {0};
  char longword[CR_MAX_TERM_BYTES + 2];
  memset(longword, 'a', sizeof longword - 1);
  longword[sizeof longword - 1] = '\0';
  cr_expect_not(cr_exact_add(&y, longword, strlen(longword), false, false));
  cr_expect_not(cr_exact_add(&y, "", 0, false, false));
  cr_expect_eq(cr_exact_find(an, &y, "testo", 5, NULL), 0);
}
