/* test_minhash.c — near-duplicate signatures and the pairs found from
 * them (shared/minhash.c, indexer/duplicates.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "duplicates.h"
#include "helpers.h"
#include "minhash.h"

/* Signature of the words parola<from> .. parola<to - 1>. */
static void sig_of_range(int from, int to, uint8_t sig[CR_MINHASH_K]) {
  cr_minhash m;
  cr_minhash_init(&m);
  char term[32];
  for (int i = from; i < to; i++) {
    int n = snprintf(term, sizeof term, "parola%d", i);
    cr_minhash_add(&m, term, (size_t)n);
  }
  cr_assert(cr_minhash_signature(&m, 1, sig));
}

/* Sets of words [from, to) against [0, 100): known Jaccard similarity. */
Test(minhash, similarity_estimates_jaccard) {
  static const struct {
    int from, to;
    double jaccard;
  } cases[] = {
      {0, 100, 1.0},         /* the same text */
      {10, 100, 0.9},        /* a reprint cut short */
      {25, 125, 75.0 / 125}, /* 75 words shared of 125 */
      {50, 150, 50.0 / 150}, /* 50 of 150 */
      {100, 200, 0.0},       /* nothing in common */
  };
  uint8_t base[CR_MINHASH_K], other[CR_MINHASH_K];
  sig_of_range(0, 100, base);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    sig_of_range(cases[i].from, cases[i].to, other);
    double s = cr_minhash_similarity(base, other);
    /* 64 one-byte samples: the estimate is within ~0.15 of the truth */
    cr_expect(s >= cases[i].jaccard - 0.15 && s <= cases[i].jaccard + 0.15,
              "[%d,%d): estimated %.3f, true %.3f", cases[i].from, cases[i].to,
              s, cases[i].jaccard);
  }
}

Test(minhash, too_short_a_text_has_no_signature) {
  cr_minhash m;
  cr_minhash_init(&m);
  cr_minhash_add(&m, "antiquariato", 12);
  cr_minhash_add(&m, "mostra", 6);
  uint8_t sig[CR_MINHASH_K];
  cr_expect_not(cr_minhash_signature(&m, CR_MINHASH_MIN_TERMS, sig));
  cr_expect(cr_minhash_signature(&m, 2, sig));
}

Test(minhash, the_order_of_the_words_does_not_matter) {
  cr_minhash a, b;
  cr_minhash_init(&a);
  cr_minhash_init(&b);
  const char *w[] = {"terremot", "modenes", "scoss", "magnitud", "dann"};
  for (int i = 0; i < 5; i++) {
    cr_minhash_add(&a, w[i], strlen(w[i]));
    cr_minhash_add(&b, w[4 - i], strlen(w[4 - i]));
  }
  uint8_t sa[CR_MINHASH_K], sb[CR_MINHASH_K];
  cr_assert(cr_minhash_signature(&a, 1, sa) && cr_minhash_signature(&b, 1, sb));
  cr_expect_eq(memcmp(sa, sb, CR_MINHASH_K), 0);
  for (unsigned band = 0; band < CR_MINHASH_BANDS; band++)
    cr_expect_eq(cr_minhash_band(sa, band), cr_minhash_band(sb, band));
}

/* The signatures themselves: they are stored in every index (and group
 * its duplicates), so however cr_minhash_add computes them (four lanes at
 * a time where the CPU has AVX2), they must stay these bytes. */
Test(minhash, signatures_are_the_stored_bytes) {
  static const struct {
    const char *terms[13]; /* NULL-terminated */
    const char *hex;
  } cases[] = {
      {{"terremot", NULL},
       "a8af636f82011ec28877720ea85b3ad4c438bd790b747557c34b3bc04619058a"
       "10cf3c6752bbdb5ccbe5496b1fe8c2c076b5ca022bfcfb1add9ddef33836838b"},
      {{"terremot", "modenes", "scoss", "magnitud", "dann", NULL},
       "2ccf636f9ba51ec2999ced35a84d0b72e24b58866de1756bf858e513e2ec057e"
       "1a7fb01973bbdb5c70d356e3dae8c25976b5994bd9fca0c1dd78d5253a4f563f"},
      {{"carabinier", "carp", "denunc", "person", "pakistan", "appartament",
        "donn", "cart", "assembr", "divieti", "residenti", "citt", NULL},
       "bc316d48bf66e5ba72b2980c92dbf022455d7da4b7b5f37d91ce7e6413dd6fca"
       "a453e93f9fc09ff88e004d3f5a1e41da253c9595c15b213e7fecfec1396455d9"},
      {{"a", "\xc3\xa8", "una-parola-molto-lunga-oltre-otto-byte", NULL},
       "f87fde0ee2f87852a430416865c27e1d9d9c14247f9810f87dd6b3fe6c5a9478"
       "3f34fcbf5099482e0d2d1cba1956502bc924483e1d420ae863e7f85aa3b45ea2"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cr_minhash m;
    cr_minhash_init(&m);
    for (size_t t = 0; cases[i].terms[t]; t++)
      cr_minhash_add(&m, cases[i].terms[t], strlen(cases[i].terms[t]));
    uint8_t sig[CR_MINHASH_K];
    cr_assert(cr_minhash_signature(&m, 1, sig));
    char hex[2 * CR_MINHASH_K + 1];
    for (unsigned k = 0; k < CR_MINHASH_K; k++)
      snprintf(hex + 2 * k, 3, "%02x", sig[k]);
    cr_expect_str_eq(hex, cases[i].hex, "case %zu", i);
  }
}

/* ---- Real articles: the corpus's reprinted pair and a stranger ---------- */

static int add_term(const cr_token *t, void *ctx) {
  if (!t->is_stop) cr_minhash_add(ctx, t->term, t->term_len);
  return 0;
}

static void sig_of_file(cr_analyzer *an, const char *name,
                        uint8_t sig[CR_MINHASH_K]) {
  char path[4096];
  snprintf(path, sizeof path, "%s/articles/%s", CORPUS_DIR, name);
  size_t len = 0;
  char *text = th_read_file(path, &len);
  cr_assert(text, "cannot read %s", path);
  cr_minhash m;
  cr_minhash_init(&m);
  cr_analyze(an, text, len, 0, add_term, &m);
  cr_assert(cr_minhash_signature(&m, CR_MINHASH_MIN_TERMS, sig), "%s", name);
  free(text);
}

Test(minhash, a_reprint_is_near_and_another_story_far) {
  cr_error err;
  cr_analyzer *an = cr_analyzer_new("italian", &err);
  cr_assert(an);
  uint8_t agency[CR_MINHASH_K], paper[CR_MINHASH_K], flood[CR_MINHASH_K];
  sig_of_file(an, "agenzia-scossa-terremoto.txt", agency);
  sig_of_file(an, "gazzetta-scossa-terremoto.txt", paper);
  sig_of_file(an, "maltempo-modena.txt", flood);
  double near = cr_minhash_similarity(agency, paper);
  double far = cr_minhash_similarity(agency, flood);
  cr_expect(near >= DUP_DEFAULT_THRESHOLD, "reprint: %.3f", near);
  cr_expect(far < 0.2, "another story: %.3f", far);
  cr_analyzer_free(an);
}

/* ---- Pairs from many signatures ------------------------------------------ */

typedef struct found {
  uint32_t a[16], b[16];
  size_t n;
} found;

static int collect(uint32_t a, uint32_t b, double sim, void *ctx) {
  (void)sim;
  found *f = ctx;
  if (f->n < 16) {
    f->a[f->n] = a < b ? a : b;
    f->b[f->n] = a < b ? b : a;
    f->n++;
  }
  return 0;
}

Test(duplicates, pairs_are_found_once_and_only_above_the_threshold) {
  /* 0 and 2 share 95 of 100 words; 1 and 4 share 60 of 140 (J 0.43);
   * 3 shares nothing with anyone. */
  static const int ranges[][2] = {
      {0, 100}, {200, 300}, {5, 105}, {400, 500}, {240, 340}};
  uint8_t sigs[5 * CR_MINHASH_K];
  for (int i = 0; i < 5; i++)
    sig_of_range(ranges[i][0], ranges[i][1], sigs + i * CR_MINHASH_K);
  found f = {0};
  cr_assert_eq(dup_find_pairs(sigs, 5, DUP_DEFAULT_THRESHOLD, collect, &f), 0);
  cr_assert_eq(f.n, 1, "%zu pairs", f.n);
  cr_expect(f.a[0] == 0 && f.b[0] == 2, "pair %u-%u", f.a[0], f.b[0]);
  /* Nothing is a duplicate of itself, and one signature makes no pair. */
  f.n = 0;
  cr_assert_eq(dup_find_pairs(sigs, 1, 0.0, collect, &f), 0);
  cr_expect_eq(f.n, 0);
}

static int stop(uint32_t a, uint32_t b, double s, void *c) {
  (void)a, (void)b, (void)s, (void)c;
  return 7;
}

Test(duplicates, stopping_early_returns_the_callers_value) {
  uint8_t sigs[2 * CR_MINHASH_K];
  sig_of_range(0, 100, sigs);
  sig_of_range(0, 100, sigs + CR_MINHASH_K);
  cr_expect_eq(dup_find_pairs(sigs, 2, 0.5, stop, NULL), 7);
}
