/* test_utf8.c — one table of cases for every policy of utf8.h: what an
 * invalid byte, a NUL, a control character, an escape sequence and an
 * invisible character become when stored, put in JSON, read, or shown on
 * a terminal. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "utf8.h"

#define FFFD "\xef\xbf\xbd"

enum policy {
  STORE,    /* cr_utf8_clean(0): schema.c */
  JSON,     /* cr_utf8_clean(CR_UTF8_NUL_SPACE): output.c */
  TERMINAL, /* cr_sanitize_for_terminal: snippets, the indexer's messages */
  SHOWN,    /* terminal with CR_UTF8_STRIP_INVISIBLE: searcher's fields */
};

static const struct {
  const char *in;
  size_t len;         /* 0: strlen(in) */
  size_t invalid_at;  /* cr_utf8_invalid_at(0); (size_t)-1: len */
  const char *out[4]; /* by policy */
} cases[] = {
    {"Città «guerra» l’intelligence",
     0,
     (size_t)-1,
     {"Città «guerra» l’intelligence", "Città «guerra» l’intelligence",
      "Città «guerra» l’intelligence", "Città «guerra» l’intelligence"}},
    {"", 0, (size_t)-1, {"", "", "", ""}},
    /* Invalid bytes: a stray continuation, a cut sequence, an overlong
     * form, a surrogate, a byte that is never UTF-8. */
    {"a\x80z", 0, 1, {"a" FFFD "z", "a" FFFD "z", "a" FFFD "z", "a" FFFD "z"}},
    {"ab\xc3", 0, 2, {"ab" FFFD, "ab" FFFD, "ab" FFFD, "ab" FFFD}},
    {"\xc0\xaf!",
     0,
     0,
     {FFFD FFFD "!", FFFD FFFD "!", FFFD FFFD "!", FFFD FFFD "!"}},
    {"x\xed\xa0\x80",
     0,
     1,
     {"x" FFFD FFFD FFFD, "x" FFFD FFFD FFFD, "x" FFFD FFFD FFFD,
      "x" FFFD FFFD FFFD}},
    {"\xff\xfe", 0, 0, {FFFD FFFD, FFFD FFFD, FFFD FFFD, FFFD FFFD}},
    /* NUL: replaced when stored, a space in JSON and on a terminal. */
    {"a\0b", 3, 1, {"a" FFFD "b", "a b", "a b", "a b"}},
    /* Controls: kept as text, spaces on a terminal. */
    {"riga\nnuova\tcampo\x7f",
     0,
     (size_t)-1,
     {"riga\nnuova\tcampo\x7f", "riga\nnuova\tcampo\x7f", "riga nuova campo ",
      "riga nuova campo "}},
    /* Escape sequences go whole: CSI, OSC up to BEL or ST, charset, C1. */
    {"\x1b[31mrosso\x1b[0m",
     0,
     (size_t)-1,
     {"\x1b[31mrosso\x1b[0m", "\x1b[31mrosso\x1b[0m", " rosso ", " rosso "}},
    {"a\x1b]0;titolo\x07z \x1b]8;;http://x\x1b\\link",
     0,
     (size_t)-1,
     {"a\x1b]0;titolo\x07z \x1b]8;;http://x\x1b\\link",
      "a\x1b]0;titolo\x07z \x1b]8;;http://x\x1b\\link", "a z  link",
      "a z  link"}},
    {"\x1b(Bx\x1b"
     "7y",
     0,
     (size_t)-1,
     {"\x1b(Bx\x1b"
      "7y",
      "\x1b(Bx\x1b"
      "7y",
      " x y", " x y"}},
    {"p\xc2\x9b"
     "2Jq\xc2\x85r",
     0,
     (size_t)-1,
     {"p\xc2\x9b"
      "2Jq\xc2\x85r",
      "p\xc2\x9b"
      "2Jq\xc2\x85r",
      "p q r", "p q r"}},
    {"fine\x1b", 0, (size_t)-1, {"fine\x1b", "fine\x1b", "fine ", "fine "}},
    /* Bidi overrides are controls; bidi marks, zero-width characters and
     * the BOM are invisible; U+2028 is a line break in disguise. */
    {"a\xe2\x80\xae"
     "b\xe2\x81\xa6"
     "c",
     0,
     (size_t)-1,
     {"a\xe2\x80\xae"
      "b\xe2\x81\xa6"
      "c",
      "a\xe2\x80\xae"
      "b\xe2\x81\xa6"
      "c",
      "a b c", "a b c"}},
    {"Fa\xe2\x80\x8b"
     "brizio\xe2\x80\x8f \xef\xbb\xbfGrasso\xd8\x9c",
     0,
     (size_t)-1,
     {"Fa\xe2\x80\x8b"
      "brizio\xe2\x80\x8f \xef\xbb\xbfGrasso\xd8\x9c",
      "Fa\xe2\x80\x8b"
      "brizio\xe2\x80\x8f \xef\xbb\xbfGrasso\xd8\x9c",
      "Fa\xe2\x80\x8b"
      "brizio\xe2\x80\x8f \xef\xbb\xbfGrasso\xd8\x9c",
      "Fabrizio Grasso"}},
    {"uno\xe2\x80\xa8"
     "due\xe2\x81\xa0",
     0,
     (size_t)-1,
     {"uno\xe2\x80\xa8"
      "due\xe2\x81\xa0",
      "uno\xe2\x80\xa8"
      "due\xe2\x81\xa0",
      "uno\xe2\x80\xa8"
      "due\xe2\x81\xa0",
      "uno due"}},
    /* Invalid bytes inside an escape sequence's reach, and after one. */
    {"\x1b[\xff"
     "m",
     0,
     2,
     {"\x1b[" FFFD "m", "\x1b[" FFFD "m", " " FFFD "m", " " FFFD "m"}},
};

static char *apply(enum policy p, const char *in, size_t len) {
  cr_buf b = {0};
  switch (p) {
  case STORE:
    return cr_utf8_clean(in, len, 0, NULL);
  case JSON:
    return cr_utf8_clean(in, len, CR_UTF8_NUL_SPACE, NULL);
  case TERMINAL:
    return cr_sanitize_for_terminal(in, len);
  case SHOWN:
    cr_utf8_terminal_into(&b, in, len, CR_UTF8_STRIP_INVISIBLE);
    return cr_buf_finish(&b, NULL);
  }
  return NULL;
}

Test(utf8, every_policy_on_every_case) {
  static const char *const names[] = {"store", "json", "terminal", "shown"};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    size_t len = cases[i].len ? cases[i].len : strlen(cases[i].in);
    size_t bad = cases[i].invalid_at == (size_t)-1 ? len : cases[i].invalid_at;
    cr_expect_eq(cr_utf8_invalid_at(cases[i].in, len, 0), bad,
                 "case %zu: invalid at", i);
    for (int p = STORE; p <= SHOWN; p++) {
      char *out = apply(p, cases[i].in, len);
      cr_assert_not_null(out);
      cr_expect_str_eq(out, cases[i].out[p], "case %zu, %s", i, names[p]);
      /* Whatever the policy, the result is valid UTF-8. */
      cr_expect_eq(cr_utf8_invalid_at(out, strlen(out), 0), strlen(out),
                   "case %zu, %s: not clean", i, names[p]);
      free(out);
    }
  }
}

Test(utf8, nul_is_valid_when_allowed) {
  cr_expect_eq(cr_utf8_invalid_at("a\0b", 3, CR_UTF8_NUL_OK), 3);
  cr_expect_eq(cr_utf8_invalid_at("a\0b", 3, 0), 1);
}

/* cr_utf8_invalid_at takes plain ASCII 8 bytes at a time: what it finds
 * on each side of and inside such runs, wherever they fall. */
Test(utf8, invalid_at_across_ascii_runs) {
  static const struct {
    const char *in;
    size_t len; /* 0: strlen(in) */
    unsigned flags;
    size_t want;
  } runs[] = {
      {"abcdefgh", 0, 0, 8},
      {"abcdefghijklmnopq", 0, 0, 17},
      {"abcdefg\x80", 0, 0, 7},
      {"abcdefgh\x80", 0, 0, 8},
      {"abcdefghi\xff", 0, 0, 9},
      {"abcdefghijklmno\xc3", 0, 0, 15},
      {"abc\0efghijkl", 13, 0, 3},
      {"abcdefgh\0", 9, 0, 8},
      {"abc\0efghijkl", 13, CR_UTF8_NUL_OK, 13},
      {"\x01\x7f\x01\x7f\x01\x7f\x01\x7f!", 0, 0, 9},
      {"citt\xc3\xa0 di Modena, provincia", 0, 0, 27},
      {"citt\xc3\xa0 di Modena, provincia\xed\xa0\x80", 0, 0, 27},
  };
  for (size_t i = 0; i < sizeof runs / sizeof *runs; i++) {
    size_t len = runs[i].len ? runs[i].len : strlen(runs[i].in);
    cr_expect_eq(cr_utf8_invalid_at(runs[i].in, len, runs[i].flags),
                 runs[i].want, "run %zu", i);
  }
}

Test(utf8, classes_and_lengths) {
  static const struct {
    const char *s;
    cr_utf8_class c;
    size_t n;
  } table[] = {
      {"a", CR_UTF8_TEXT, 1},
      {"è", CR_UTF8_TEXT, 2},
      {"\xe2\x80\x99", CR_UTF8_TEXT, 3},
      {"\x80", CR_UTF8_INVALID, 1},
      {"\x1b[1;31m!", CR_UTF8_CONTROL, 7},
      {"\t", CR_UTF8_CONTROL, 1},
      {"\xe2\x80\x8d", CR_UTF8_INVISIBLE, 3},
      {"\xe2\x80\xa9", CR_UTF8_SEPARATOR, 3},
  };
  for (size_t i = 0; i < sizeof table / sizeof *table; i++) {
    size_t n = 0;
    cr_expect_eq(cr_utf8_classify(table[i].s, strlen(table[i].s), &n),
                 table[i].c, "case %zu", i);
    cr_expect_eq(n, table[i].n, "case %zu", i);
  }
}

Test(utf8, null_and_empty_inputs) {
  char *s = cr_utf8_clean(NULL, 0, 0, NULL);
  cr_assert_str_eq(s, "");
  free(s);
  s = cr_sanitize_for_terminal(NULL, 0);
  cr_assert_str_eq(s, "");
  free(s);
}
