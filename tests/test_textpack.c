/* test_textpack.c — the stored text: zstd frames with and without the
 * archive's dictionary, and damaged data refused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input.h"
#include "textpack.h"

/* Real texts: the seed article's opening, accents and quotes, a NUL-free
 * line of the corpus, nothing at all, one character. */
static const char *const texts[] = {
    "Secondo l’intelligence Usa, la Russia sta comprando armi dalla Corea "
    "del Nord. Milioni di razzi e proiettili d’artiglieria.",
    "Città, perché, «virgolette» e — lineette: l’Italia dell’OPEC.",
    "MODENA. Il sindaco presenta il bilancio. Poi altro.",
    "",
    "a",
};

/* Every text comes back byte for byte through packer p. */
static void round_trip(cr_textpack *p, const char *what) {
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    size_t plen = 0, ulen = 0;
    const char *packed = cr_text_pack(p, texts[i], strlen(texts[i]), &plen);
    cr_assert_not_null(packed, "%s, case %zu", what, i);
    char *copy = malloc(plen + 1);
    memcpy(copy, packed, plen); /* the packer's buffer is reused */
    cr_error err;
    const char *text = cr_text_unpack(p, copy, plen, &ulen, &err);
    cr_assert_not_null(text, "%s, case %zu: %s", what, i, err.message);
    cr_expect_eq(ulen, strlen(texts[i]), "%s, case %zu", what, i);
    cr_expect_str_eq(text, texts[i], "%s, case %zu", what, i);
    free(copy);
  }
}

Test(textpack, texts_round_trip_without_a_dictionary) {
  cr_textpack *p = cr_textpack_new(NULL);
  cr_assert_not_null(p);
  round_trip(p, "no dictionary");
  cr_textpack_free(p);
}

/* The DICE articles, read by the indexer's own readers: the archive a
 * dictionary is trained on in real use. */
typedef struct sample {
  char **texts;
  size_t *lens;
  size_t n, cap, bytes;
} sample;

static int collect(const cr_article *a, const in_where *w, void *ctx) {
  (void)w;
  sample *s = ctx;
  if (s->n == s->cap) {
    s->cap = s->cap ? 2 * s->cap : 256;
    s->texts = realloc(s->texts, s->cap * sizeof *s->texts);
    s->lens = realloc(s->lens, s->cap * sizeof *s->lens);
  }
  s->texts[s->n] = strndup(a->text, a->text_len);
  s->lens[s->n++] = a->text_len;
  s->bytes += a->text_len;
  return s->bytes >= CR_TEXTDICT_SAMPLE ? 1 : 0;
}

static int read_file(const in_file *f, void *ctx) {
  in_read(f, collect, NULL, ctx);
  return 1;
}

static void sample_free(sample *s) {
  for (size_t i = 0; i < s->n; i++)
    free(s->texts[i]);
  free(s->texts);
  free(s->lens);
}

Test(textpack, a_dictionary_trained_on_the_archive_shrinks_its_texts) {
  const char *dice =
      SHARED_DATA_DIR "/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz";
  FILE *f = fopen(dice, "rb");
  if (!f) cr_skip_test("DICE absent (%s)", dice);
  fclose(f);
  sample s = {0};
  in_walk(dice, read_file, NULL, &s);
  cr_assert_geq(s.bytes, CR_TEXTDICT_SAMPLE);

  size_t len = 0;
  void *bytes =
      cr_textdict_train((const char *const *)s.texts, s.lens, s.n, &len);
  cr_assert_not_null(bytes, "2 MB of news trains a dictionary");
  cr_error err;
  cr_textdict *d = cr_textdict_load(bytes, len, CR_TEXTDICT_PACK, &err);
  cr_assert_not_null(d, "%s", err.message);
  size_t back = 0;
  cr_expect_eq(memcmp(cr_textdict_bytes(d, &back), bytes, len), 0);
  cr_expect_eq(back, len);

  cr_textpack *with = cr_textpack_new(d), *without = cr_textpack_new(NULL);
  round_trip(with, "dictionary");
  /* The sample itself packs at least a fifth smaller with the dictionary
   * (on DICE: about a third). */
  size_t sum_with = 0, sum_without = 0, n = 0;
  for (size_t i = 0; i < s.n; i++) {
    cr_text_pack(with, s.texts[i], s.lens[i], &n);
    sum_with += n;
    cr_text_pack(without, s.texts[i], s.lens[i], &n);
    sum_without += n;
  }
  cr_expect_lt(sum_with * 5, sum_without * 4, "%zu vs %zu", sum_with,
               sum_without);

  /* A frame that names the dictionary cannot be read without it. */
  const char *packed = cr_text_pack(with, texts[0], strlen(texts[0]), &n);
  size_t packed_len = n;
  char *copy = malloc(packed_len);
  memcpy(copy, packed, packed_len);
  cr_expect_null(cr_text_unpack(without, copy, packed_len, &n, &err));
  cr_expect_eq(err.code, CR_E_CORRUPT);

  /* The searcher's load, for unpacking only: it reads what the indexer's
   * packed, and refuses to pack. */
  cr_textdict *reader = cr_textdict_load(bytes, len, CR_TEXTDICT_UNPACK, &err);
  cr_assert_not_null(reader, "%s", err.message);
  cr_textpack *rp = cr_textpack_new(reader);
  size_t out = 0;
  const char *text = cr_text_unpack(rp, copy, packed_len, &out, &err);
  cr_assert_not_null(text, "%s", err.message);
  cr_expect_eq(out, strlen(texts[0]));
  cr_expect_eq(memcmp(text, texts[0], out), 0);
  cr_expect_null(cr_text_pack(rp, texts[0], strlen(texts[0]), &out));
  cr_textpack_free(rp);

  /* A reader of several shards: frames without a dictionary and frames
   * of any dictionary it was also given. */
  cr_textpack *shelf = cr_textpack_new(NULL);
  cr_expect_null(cr_text_unpack(shelf, copy, packed_len, &out, &err));
  cr_assert_eq(cr_textpack_also(shelf, reader), 0);
  cr_expect_eq(cr_textdict_id(reader), cr_textdict_id(d));
  text = cr_text_unpack(shelf, copy, packed_len, &out, &err);
  cr_assert_not_null(text, "%s", err.message);
  cr_expect_eq(memcmp(text, texts[0], out), 0);
  const char *plain = cr_text_pack(without, texts[1], strlen(texts[1]), &n);
  text = cr_text_unpack(shelf, plain, n, &out, &err);
  cr_assert_not_null(text, "%s", err.message);
  cr_expect_str_eq(text, texts[1]);
  cr_textpack_free(shelf);
  cr_textdict_free(reader);
  free(copy);

  cr_textpack_free(with);
  cr_textpack_free(without);
  cr_textdict_free(d);
  free(bytes);
  sample_free(&s);
}

Test(textpack, too_little_text_gives_no_dictionary) {
  size_t lens[sizeof texts / sizeof *texts], len = 99;
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
    lens[i] = strlen(texts[i]);
  cr_expect_null(
      cr_textdict_train(texts, lens, sizeof texts / sizeof *texts, &len));
  cr_expect_eq(len, 0);
}

/* Damaged data: refused with CR_E_CORRUPT, never read past its end. */
Test(textpack, damaged_data_is_refused) {
  cr_textpack *p = cr_textpack_new(NULL);
  size_t n = 0;
  const char *packed = cr_text_pack(p, texts[0], strlen(texts[0]), &n);
  char good[512];
  cr_assert_lt(n, sizeof good);
  memcpy(good, packed, n);
  char flipped[512];
  memcpy(flipped, good, n);
  flipped[n / 2] ^= 0x5A;
  static const char plain[] = "testo non compresso";
  const struct {
    const char *data;
    size_t len;
  } cases[] = {
      {plain, sizeof plain - 1}, /* schema 2 data: plain text */
      {good, 3},                 /* cut inside the header */
      {good, n - 1},             /* cut inside the block */
      {flipped, n},              /* a byte changed */
      {"", 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cr_error err = {0};
    size_t len = 0;
    const char *text =
        cr_text_unpack(p, cases[i].data, cases[i].len, &len, &err);
    /* A flipped byte may land in a literal and still decode: then the
     * length must still be right, never more. */
    if (text) {
      cr_expect_eq(i, 3, "case %zu decoded", i);
      cr_expect_eq(len, strlen(texts[0]));
    } else {
      cr_expect_eq(err.code, CR_E_CORRUPT, "case %zu", i);
    }
  }
  cr_textpack_free(p);
}

Test(textpack, a_damaged_dictionary_is_refused) {
  cr_error err;
  cr_expect_null(
      cr_textdict_load("not a dictionary", 16, CR_TEXTDICT_UNPACK, &err));
  cr_expect_eq(err.code, CR_E_CORRUPT);
}
