/* test_textpack.c — the stored text: zstd frames with and without the
 * archive's dictionary, and damaged data refused. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <zstd.h>

#include "input.h"
#include "schema.h"
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

/* The first CR_TEXTDICT_SAMPLE bytes of DICE's articles, or the test
 * skipped when ../shared lacks DICE. */
static void dice_sample(sample *s) {
  const char *dice =
      SHARED_DATA_DIR "/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz";
  FILE *f = fopen(dice, "rb");
  if (!f) cr_skip_test("DICE absent (%s)", dice);
  fclose(f);
  in_walk(dice, read_file, NULL, s);
}

Test(textpack, a_dictionary_trained_on_the_archive_shrinks_its_texts) {
  sample s = {0};
  dice_sample(&s);
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

/* The first frame of data as its own copy (free it), its length in *n. */
static char *first_frame(const char *data, size_t len, size_t *n) {
  *n = ZSTD_findFrameCompressedSize(data, len);
  cr_assert(!ZSTD_isError(*n));
  char *copy = malloc(*n);
  memcpy(copy, data, *n);
  return copy;
}

/* Packs text with p and checks what comes back: the whole text, and a
 * head of CR_TEXT_HEAD_BYTES (less a cut character's start) for a long
 * one, all of it for a short one. */
static void check_head(cr_textpack *p, const char *text, size_t len,
                       const char *what) {
  size_t n = 0;
  const char *packed = cr_text_pack(p, text, len, &n);
  cr_assert_not_null(packed, "%s", what);
  char *copy = malloc(n);
  memcpy(copy, packed, n);
  cr_error err;
  size_t out = 0;
  const char *back = cr_text_unpack(p, copy, n, &out, &err);
  cr_assert_not_null(back, "%s: %s", what, err.message);
  cr_expect_eq(out, len, "%s", what);
  cr_expect_eq(memcmp(back, text, len), 0, "%s", what);
  bool whole = false;
  const char *head = cr_text_unpack_head(p, copy, n, &out, &whole, &err);
  cr_assert_not_null(head, "%s: %s", what, err.message);
  cr_expect_eq(memcmp(head, text, out), 0, "%s: a prefix", what);
  if (len <= CR_TEXT_HEAD_BYTES) {
    cr_expect(whole, "%s: one frame", what);
    cr_expect_eq(out, len, "%s", what);
  } else {
    cr_expect_not(whole, "%s: two frames", what);
    cr_expect_leq(out, CR_TEXT_HEAD_BYTES, "%s", what);
    cr_expect_geq(out, CR_TEXT_HEAD_BYTES - 3, "%s", what);
    cr_expect_neq((unsigned char)text[out] & 0xC0, 0x80,
                  "%s: the rest starts a character", what);
  }
  free(copy);
}

Test(textpack, long_texts_pack_as_a_head_and_the_rest) {
  /* Around the head's end: plain letters, a two-byte and a three-byte
   * character across it, the text ending there or just after. */
  char text[1024];
  cr_textpack *p = cr_textpack_new(NULL);
  static const char *const ends[] = {"", "è", "…", "è e poi il resto."};
  for (size_t pad = CR_TEXT_HEAD_BYTES - 3; pad <= CR_TEXT_HEAD_BYTES + 1;
       pad++)
    for (size_t e = 0; e < sizeof ends / sizeof *ends; e++) {
      memset(text, 'a', pad);
      strcpy(text + pad, ends[e]);
      char what[64];
      snprintf(what, sizeof what, "%zu letters + \"%s\"", pad, ends[e]);
      check_head(p, text, strlen(text), what);
    }
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++)
    check_head(p, texts[i], strlen(texts[i]), texts[i]);

  /* An index written before heads holds long texts in one frame: read
   * whole, and as their own head. */
  memset(text, 'b', 600);
  text[600] = '\0';
  char old[1024];
  size_t n = ZSTD_compress(old, sizeof old, text, 600, 3);
  cr_assert(!ZSTD_isError(n));
  cr_error err;
  size_t out = 0;
  bool whole = false;
  const char *back = cr_text_unpack(p, old, n, &out, &err);
  cr_assert_not_null(back, "%s", err.message);
  cr_expect_eq(out, 600);
  back = cr_text_unpack_head(p, old, n, &out, &whole, &err);
  cr_assert_not_null(back, "%s", err.message);
  cr_expect(whole);
  cr_expect_eq(out, 600);
  cr_expect_eq(memcmp(back, text, 600), 0);

  /* A head followed by anything but its rest's frame is damaged. */
  const char *packed = cr_text_pack(p, text, 600, &n);
  size_t head_n;
  char *head = first_frame(packed, n, &head_n);
  char bad[2048];
  memcpy(bad, head, head_n);
  memcpy(bad + head_n, "junk", 4);
  cr_expect_null(cr_text_unpack(p, bad, head_n + 4, &out, &err));
  cr_expect_eq(err.code, CR_E_CORRUPT);
  free(head);
  cr_textpack_free(p);
}

/* Every DICE article comes back whole, and its head gives the title the
 * whole text gives whenever it is long enough to decide it (the searcher's
 * page without snippets). */
Test(textpack, dice_heads_give_the_whole_texts_titles) {
  sample s = {0};
  dice_sample(&s);
  size_t len = 0;
  void *bytes =
      cr_textdict_train((const char *const *)s.texts, s.lens, s.n, &len);
  cr_assert_not_null(bytes);
  cr_error err;
  cr_textdict *d = cr_textdict_load(bytes, len, CR_TEXTDICT_PACK, &err);
  cr_assert_not_null(d, "%s", err.message);
  cr_textpack *p = cr_textpack_new(d);
  size_t decided = 0, two_frames = 0;
  for (size_t i = 0; i < s.n; i++) {
    check_head(p, s.texts[i], s.lens[i], "a DICE article");
    size_t n = 0, out = 0;
    const char *packed = cr_text_pack(p, s.texts[i], s.lens[i], &n);
    char *copy = malloc(n);
    memcpy(copy, packed, n);
    bool whole;
    const char *head = cr_text_unpack_head(p, copy, n, &out, &whole, &err);
    cr_assert_not_null(head, "%s", err.message);
    two_frames += !whole;
    if (cr_schema_title_within(head, out, CR_DERIVED_TITLE_MAX)) {
      decided += !whole;
      char *from_head = cr_schema_derive_title(head, out, CR_DERIVED_TITLE_MAX);
      char *from_all =
          cr_schema_derive_title(s.texts[i], s.lens[i], CR_DERIVED_TITLE_MAX);
      cr_expect_str_eq(from_head, from_all, "article %zu", i);
      free(from_head);
      free(from_all);
    }
    free(copy);
  }
  /* Nearly every article is longer than a head, and each head decides. */
  cr_expect_gt(two_frames * 10, s.n * 9, "%zu of %zu", two_frames, s.n);
  cr_expect_eq(decided, two_frames, "%zu of %zu", decided, two_frames);
  cr_textpack_free(p);
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
