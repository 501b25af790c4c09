/* test_sources.c — what one read of an input file says about the
 * signatures recorded for it (indexer/sources.c): the same bytes, or
 * those bytes with lines appended, in today's hash or an older index's. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "helpers.h"
#include "sources.h"

static char *dir;
static char path[4096];

static void setup(void) {
  dir = th_mkdtemp("sources");
  snprintf(path, sizeof path, "%s/dump.jsonl", dir);
}
static void teardown(void) {
  th_rmtree(dir);
  free(dir);
}

TestSuite(sources, .init = setup, .fini = teardown);

/* The signature a run would have recorded for text: today's hash (the
 * file's own read), or an older index's FNV-1a. */
static void signature_of(const char *text, bool fnv, char *sig, size_t size) {
  char hash[SRC_HASH_SIZE];
  if (fnv) {
    snprintf(hash, sizeof hash, "%016" PRIx64, cr_fnv1a64(text, strlen(text)));
  } else {
    th_write_file(path, text, strlen(text));
    cr_assert(src_read_file(path, hash, NULL, 0));
  }
  src_signature(sig, size, (int64_t)strlen(text), 1700000000000000000LL, hash);
}

Test(sources, a_read_tells_the_same_bytes_from_bytes_grown_or_changed) {
  static const struct {
    const char *before, *now;
    bool fnv, same, grown;
    uint64_t lines; /* with grown */
  } cases[] = {
      {"{\"id\":1}\n", "{\"id\":1}\n", false, true, false, 0},
      {"{\"id\":1}\n", "{\"id\":1}\n", true, true, false, 0},
      {"{\"id\":1}\n", "{\"id\":1}\n{\"id\":2}\n", false, false, true, 1},
      {"{\"id\":1}\n", "{\"id\":1}\n{\"id\":2}\n", true, false, true, 1},
      {"a\nb\nc\n", "a\nb\nc\nd\ne\n", false, false, true, 3},
      /* The old bytes changed, or the old end was half a line. */
      {"{\"id\":1}\n", "{\"id\":9}\n{\"id\":2}\n", false, false, false, 0},
      {"{\"id\":1}\n", "{\"id\":9}\n{\"id\":2}\n", true, false, false, 0},
      {"{\"id\":1}", "{\"id\":1}\n{\"id\":2}\n", false, false, false, 0},
      /* Cut short: neither. */
      {"a\nb\n", "a\n", false, false, false, 0},
      {"a\nb\n", "", false, false, false, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char sig[96];
    signature_of(cases[i].before, cases[i].fnv, sig, sizeof sig);
    th_write_file(path, cases[i].now, strlen(cases[i].now));
    src_prior p = {.signature = sig};
    char hash[SRC_HASH_SIZE];
    cr_assert(src_read_file(path, hash, &p, 1), "case %zu", i);
    cr_expect_eq(p.size, (int64_t)strlen(cases[i].before), "case %zu", i);
    cr_expect_eq(p.same, cases[i].same, "case %zu", i);
    cr_expect_eq(p.grown, cases[i].grown, "case %zu", i);
    cr_expect_eq(p.lines, cases[i].lines, "case %zu", i);
    /* Today's hash, whatever the prior's kind: "x" and 16 hex digits. */
    cr_expect_eq(strlen(hash), 17, "case %zu: %s", i, hash);
    cr_expect_eq(hash[0], 'x', "case %zu", i);
  }
}

Test(sources, two_priors_at_different_sizes_in_one_read) {
  char recorded[96], marked[96];
  signature_of("a\n", false, recorded, sizeof recorded);
  signature_of("a\nb\nc\n", true, marked, sizeof marked);
  th_write_file(path, "a\nb\nc\nd\n", 8);
  src_prior p[SRC_MAX_PRIORS] = {{.signature = recorded},
                                 {.signature = marked}};
  char hash[SRC_HASH_SIZE];
  cr_assert(src_read_file(path, hash, p, SRC_MAX_PRIORS));
  cr_expect(p[0].grown && p[0].lines == 1 && p[0].size == 2);
  cr_expect(p[1].grown && p[1].lines == 3 && p[1].size == 6);
  /* A resume mark made on the second: read on from its offset. */
  char mark[160];
  src_resume_mark(mark, sizeof mark, 4, 2, marked);
  cr_expect_str_eq(src_mark_signature(mark), marked);
  int64_t from = 0;
  uint64_t line = 0;
  cr_expect(src_resume_point(mark, &p[1], "", &from, &line));
  cr_expect_eq(from, 4);
  cr_expect_eq(line, 2);
  /* Another run's options, or a mark past its signature's bytes: no. */
  cr_expect_not(src_resume_point(mark, &p[1], "enc", &from, &line));
  src_resume_mark(mark, sizeof mark, 7, 3, marked);
  cr_expect_not(src_resume_point(mark, &p[1], "", &from, &line));
  cr_expect_null(src_mark_signature("not a mark"));
}

Test(sources, cuts_across_the_read_buffer_and_signatures_without_a_hash) {
  /* 64 KB reads: an old end on a buffer's boundary, and past the first. */
  size_t n = 200000;
  char *text = malloc(n + 1);
  cr_assert_not_null(text);
  for (size_t i = 0; i < n; i++)
    text[i] = i % 100 == 99 ? '\n' : 'a' + (char)(i % 26);
  text[n] = '\0';
  const size_t cuts[] = {65500, 65536, 131072, 150000};
  for (size_t c = 0; c < sizeof cuts / sizeof *cuts; c++) {
    size_t cut = cuts[c] - cuts[c] % 100; /* after a line break */
    char saved = text[cut];
    text[cut] = '\0';
    char sig[96];
    signature_of(text, c % 2 == 1, sig, sizeof sig);
    text[cut] = saved;
    th_write_file(path, text, n);
    src_prior p = {.signature = sig};
    char hash[SRC_HASH_SIZE];
    cr_assert(src_read_file(path, hash, &p, 1));
    cr_expect(p.grown, "cut %zu", cut);
    cr_expect_eq(p.lines, cut / 100, "cut %zu", cut);
  }
  free(text);
  /* "<size>:<mtime>", from before the hash: the size alone. */
  src_prior old = {.signature = "12:1700000000000000000"};
  char hash[SRC_HASH_SIZE];
  cr_assert(src_read_file(path, hash, &old, 1));
  cr_expect(old.size == 12 && !old.same && !old.grown);
  char missing[4096];
  snprintf(missing, sizeof missing, "%s/none.jsonl", dir);
  cr_expect_not(src_read_file(missing, hash, &old, 1));
}
