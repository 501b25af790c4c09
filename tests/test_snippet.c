/* test_snippet.c — snippets (shared/snippet.c): which passage is chosen,
 * how it is cut and highlighted, and that nothing unsafe gets through.
 *
 * Terms are written as query words and turned into index terms with the
 * analyzer itself, so the cases do not depend on what a stem looks like. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "analyzer.h"
#include "snippet.h"
#include "utf8.h"

static cr_analyzer *an;

static void setup(void) {
  cr_error err;
  an = cr_analyzer_new("italian", &err);
  cr_assert(an, "analyzer: %s", err.message);
}
static void teardown(void) { cr_analyzer_free(an); }

TestSuite(snippet, .init = setup, .fini = teardown);

/* Up to 16 terms from the words of a query. */
typedef struct terms {
  char buf[16][CR_MAX_TERM_BYTES + 8];
  const char *p[16];
  size_t n;
} terms;

static int add_term(const cr_token *t, void *ctx) {
  terms *ts = ctx;
  if (t->is_stop || ts->n == 16) return 0;
  snprintf(ts->buf[ts->n], sizeof ts->buf[ts->n], "%s", t->term);
  ts->p[ts->n] = ts->buf[ts->n];
  ts->n++;
  return 0;
}

static void make_terms(const char *words, terms *ts) {
  memset(ts, 0, sizeof *ts);
  cr_analyze(an, words, strlen(words), 0, add_term, ts);
}

static char *snip(const char *text, size_t len, const char *words,
                  size_t max_bytes) {
  terms ts;
  make_terms(words, &ts);
  cr_snippet_opts o = {
      .max_bytes = max_bytes, .hl_start = "**", .hl_end = "**"};
  char *s = cr_snippet(an, text, len, ts.p, ts.n, &o);
  cr_assert(s, "cr_snippet returned NULL");
  return s;
}

static bool valid_utf8(const char *s) {
  const utf8proc_uint8_t *u = (const utf8proc_uint8_t *)s;
  size_t len = strlen(s);
  for (size_t i = 0; i < len;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t n =
        utf8proc_iterate(u + i, (utf8proc_ssize_t)(len - i), &cp);
    if (n <= 0) return false;
    i += (size_t)n;
  }
  return true;
}

static bool has_control(const char *s) {
  for (const unsigned char *p = (const unsigned char *)s; *p; p++)
    if (*p < 0x20 || *p == 0x7f) return true;
  return false;
}

/* The exact snippet for short texts. */
Test(snippet, table) {
  static const struct {
    const char *text, *words, *want;
  } cases[] = {
      {"La Russia sta comprando armi dalla Corea del Nord.", "Russia armi",
       "La **Russia** sta comprando **armi** dalla Corea del Nord."},
      /* Stop words are never highlighted, even when typed. */
      {"La guerra della Corea", "la guerra", "La **guerra** della Corea"},
      /* Every form with the same stem: guerra, guerre. */
      {"Una guerra, due guerre.", "guerra", "Una **guerra**, due **guerre**."},
      /* Accents folded: citta finds città. */
      {"Nella città di Roma", "citta", "Nella **città** di Roma"},
      /* Elision: dell'Iran is Iran. */
      {"Droni dall\xe2\x80\x99Iran e dell'Iran", "Iran",
       "Droni dall\xe2\x80\x99**Iran** e dell'**Iran**"},
      /* No match: the start of the text. */
      {"Niente di rilevante qui.", "Pyongyang", "Niente di rilevante qui."},
      /* Whitespace runs and newlines become one space. */
      {"Titolo\n\n  Corpo   del\ttesto", "corpo", "Titolo **Corpo** del testo"},
      /* Empty text. */
      {"", "guerra", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *s = snip(cases[i].text, strlen(cases[i].text), cases[i].words, 220);
    cr_expect_str_eq(s, cases[i].want, "case %zu: got '%s'", i, s);
    free(s);
  }
}

/* Prefixed terms (title:, author:) highlight the same words. */
Test(snippet, prefixed_terms) {
  terms ts;
  make_terms("guerra", &ts);
  char pref[80];
  snprintf(pref, sizeof pref, "S%s", ts.p[0]);
  const char *t[] = {pref, "XOqualcosa"};
  cr_snippet_opts o = {.max_bytes = 200, .hl_start = "[", .hl_end = "]"};
  char *s = cr_snippet(an, "Notizie di guerra", 17, t, 2, &o);
  cr_expect_str_eq(s, "Notizie di [guerra]");
  free(s);
}

/* Filler text, then a passage with every term: that passage is chosen,
 * cut with ellipses on both sides at word boundaries. */
Test(snippet, best_window_and_ellipses) {
  char text[8192] = "";
  strcat(text, "All'inizio si parla di armi in generale. ");
  for (int i = 0; i < 30; i++)
    strcat(text, "Parole qualunque senza interesse. ");
  strcat(
      text,
      "Qui la Russia compra armi dalla Corea del Nord, dice l'intelligence. ");
  for (int i = 0; i < 30; i++)
    strcat(text, "Altre parole ancora di riempimento. ");
  char *s = snip(text, strlen(text), "Corea Nord armi Russia", 220);
  cr_expect(
      strstr(s, "**Russia** compra **armi** dalla **Corea** del **Nord**"),
      "got '%s'", s);
  cr_expect(strncmp(s, "\xe2\x80\xa6", 3) == 0, "no leading ellipsis: '%s'", s);
  size_t n = strlen(s);
  cr_expect(n > 3 && strcmp(s + n - 3, "\xe2\x80\xa6") == 0,
            "no trailing ellipsis: '%s'", s);
  /* The sentence with the hits starts the passage. */
  cr_expect(strncmp(s, "\xe2\x80\xa6Qui la", 9) == 0, "got '%s'", s);
  /* 220 bytes of text, plus 8 markers and 2 ellipses at most. */
  cr_expect(n <= 220 + 16 + 6, "too long: %zu", n);
  free(s);
}

/* A text without any matched term gives its start, cut at a word. */
Test(snippet, no_match_long_text) {
  char text[4096] = "";
  for (int i = 0; i < 60; i++)
    strcat(text, "parola ");
  char *s = snip(text, strlen(text), "Pyongyang", 100);
  cr_expect(strncmp(s, "parola parola", 13) == 0, "got '%s'", s);
  size_t n = strlen(s);
  cr_expect(n <= 103 && strcmp(s + n - 3, "\xe2\x80\xa6") == 0, "got '%s'", s);
  cr_expect(strstr(s, "parola\xe2\x80\xa6"), "cut inside a word: '%s'", s);
  free(s);
}

/* Cuts never split a UTF-8 character, even in text without spaces. */
Test(snippet, utf8_boundaries) {
  char text[4096] = "";
  for (int i = 0; i < 300; i++)
    strcat(text, "\xc3\xa0"); /* one long word */
  for (size_t max = 1; max < 40; max++) {
    char *s = snip(text, strlen(text), "Pyongyang", max);
    cr_expect(valid_utf8(s), "max %zu: invalid UTF-8", max);
    free(s);
  }
  char words[4096] = "";
  for (int i = 0; i < 100; i++)
    strcat(words, "citt\xc3\xa0 perch\xc3\xa9 ");
  for (size_t max = 5; max < 60; max++) {
    char *s = snip(words, strlen(words), "perche", max);
    cr_expect(valid_utf8(s), "max %zu: invalid UTF-8", max);
    free(s);
  }
}

/* Escape sequences and control characters never come out. */
Test(snippet, control_characters_removed) {
  const char text[] =
      "Allarme \x1b[31m Russia \x1b[0m oggi\x07\x1b]0;titolo\x07 "
      "fine\r\n\x7f\xc2\x9b"
      "2J.";
  char *s = snip(text, sizeof text - 1, "Russia", 220);
  cr_expect(!has_control(s), "control character in '%s'", s);
  cr_expect(!strstr(s, "[31m") && !strstr(s, "titolo") && !strstr(s, "2J"),
            "escape residue in '%s'", s);
  cr_expect(strstr(s, "**Russia**"), "got '%s'", s);
  cr_expect(valid_utf8(s));
  free(s);
}

/* Invalid UTF-8 in the text becomes U+FFFD; the hits still show. */
Test(snippet, invalid_utf8) {
  const char text[] = "guerra \xff\xfe caos \xc3 guerra \xed\xa0\x80";
  char *s = snip(text, sizeof text - 1, "guerra", 220);
  cr_expect(valid_utf8(s), "invalid UTF-8 in '%s'", s);
  cr_expect(strstr(s, "**guerra**"), "got '%s'", s);
  cr_expect(strstr(s, "\xef\xbf\xbd"), "no replacement character: '%s'", s);
  free(s);
}

/* A megabyte of text: bounded output, hits found in the scanned part. */
Test(snippet, long_text) {
  size_t len = 1 << 20;
  char *text = malloc(len + 1);
  for (size_t i = 0; i < len; i++)
    text[i] = "abcdefgh "[i % 9];
  memcpy(text + 5000, " Pyongyang ", 11);
  text[len] = '\0';
  char *s = snip(text, len, "Pyongyang", 200);
  cr_expect(strstr(s, "**Pyongyang**"), "got '%s'", s);
  cr_expect(strlen(s) <= 200 + 4 + 6);
  free(s);
  free(text);
}

/* No terms, NULL text: the start of the text, or empty. */
Test(snippet, degenerate_inputs) {
  cr_snippet_opts o = {.max_bytes = 50, .hl_start = "*", .hl_end = "*"};
  char *s = cr_snippet(an, NULL, 0, NULL, 0, &o);
  cr_expect_str_eq(s, "");
  free(s);
  s = cr_snippet(an, "breve", 5, NULL, 0, NULL);
  cr_expect_str_eq(s, "breve");
  free(s);
}

Test(snippet, sanitize_for_terminal) {
  static const struct {
    const char *in, *want;
  } cases[] = {
      {"plain", "plain"},
      {"a\x1b[1mb", "a b"},
      {"\x1b]0;title\x07x", " x"},
      {"\x1b]8;;http://x\x1b\\link", " link"},
      {"x\xc2\x9b"
       "31my",
       "x y"},
      {"bad\xff", "bad\xef\xbf\xbd"},
      {"tab\there\n", "tab here "},
      {"rtl\xe2\x80\xae"
       "evil",
       "rtl evil"},
      {"\x7f", " "},
      {"citt\xc3\xa0 \xe2\x80\x9cok\xe2\x80\x9d",
       "citt\xc3\xa0 \xe2\x80\x9cok\xe2\x80\x9d"},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *s = cr_sanitize_for_terminal(cases[i].in, strlen(cases[i].in));
    cr_expect_str_eq(s, cases[i].want, "case %zu: got '%s'", i, s);
    free(s);
  }
}

/* A match past the first 256 KB (issue 17: a 330 KB article showed its
 * first lines, unmarked) is found, at any depth. */
Test(snippet, a_match_deep_in_a_long_text) {
  static const size_t depths[] = {300 * 1024, 330 * 1024 - 20, 1 << 21};
  for (size_t d = 0; d < sizeof depths / sizeof *depths; d++) {
    size_t at = depths[d], len = at + 40;
    char *text = malloc(len + 1);
    cr_assert_not_null(text);
    for (size_t i = 0; i < len; i++)
      text[i] = "abcdefgh "[i % 9];
    memcpy(text + at, " Pyongyang ", 11);
    text[len] = '\0';
    for (int accented = 0; accented < 2; accented++) {
      /* an accented term takes the analyzer's slow path */
      if (accented) memcpy(text + at, " citt\xc3\xa0 ", 8);
      char *s = snip(text, len, accented ? "citt\xc3\xa0" : "Pyongyang", 200);
      cr_expect(strstr(s, accented ? "**citt\xc3\xa0**" : "**Pyongyang**"),
                "depth %zu, accented %d: got '%.80s'", at, accented, s);
      free(s);
    }
    free(text);
  }
}
