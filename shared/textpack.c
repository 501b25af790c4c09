/* textpack.c — zstd frames and dictionaries for the stored text (see
 * textpack.h). */
#include "textpack.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
/* ZDICT_trainFromBuffer_fastCover: in zstd's "experimental" section since
 * 1.4, exported by the shared library. */
#define ZDICT_STATIC_LINKING_ONLY
#include <zdict.h>
#include <zstd.h>

/* Level 3 with a dictionary. On DICE + SQuAD-it (21.9 MB) level 8 made
 * the index 0.58 MB (1.3%) smaller but cost the indexer 18% more
 * instructions: it packs at ~15 MB/s against ~100 MB/s at level 3 (`zstd
 * -b3 -e8 -D dict`). Levels 4 and 5 pack worse than 3 and slower. */
#define PACK_LEVEL 3
/* Dictionary size: ~100 KB is zstd's own default and, on DICE, within
 * 2% of a dictionary five times larger. */
#define DICT_CAPACITY (110u << 10)
/* A sample longer than this says nothing more about the archive. */
#define SAMPLE_MAX (64u << 10)
/* No stored text is larger: a frame claiming more is damaged. */
#define TEXT_MAX ((unsigned long long)1 << 30)

struct cr_textdict {
  void *bytes; /* the dictionary as trained */
  size_t len;
  unsigned id;       /* zstd's dictionary id, named in every frame */
  ZSTD_CDict *cdict; /* digested for compression */
  ZSTD_DDict *ddict; /* digested for decompression */
};

struct cr_textpack {
  const cr_textdict *dict;  /* NULL: frames without a dictionary */
  const cr_textdict **also; /* more dictionaries, for unpacking only */
  size_t n_also;
  ZSTD_CCtx *cctx; /* made on first use (readers never pack) */
  ZSTD_DCtx *dctx; /* made on first use */
  char *buf;       /* the last result */
  size_t cap;
};

void *cr_textdict_train(const char *const *texts, const size_t *lens, size_t n,
                        size_t *len) {
  *len = 0;
  size_t total = 0, used = 0;
  for (size_t i = 0; i < n; i++)
    total += lens[i] < SAMPLE_MAX ? lens[i] : SAMPLE_MAX;
  if (total < CR_TEXTDICT_MIN_SAMPLE) return NULL;
  char *all = malloc(total);
  size_t *sizes = malloc(n * sizeof *sizes);
  void *dict = malloc(DICT_CAPACITY);
  size_t got = 0;
  if (all && sizes && dict) {
    for (size_t i = 0; i < n; i++) {
      sizes[i] = lens[i] < SAMPLE_MAX ? lens[i] : SAMPLE_MAX;
      memcpy(all + used, texts[i], sizes[i]);
      used += sizes[i];
    }
    /* One fastCover pass with fixed parameters: on DICE's first 2 MB it
     * trains in 0.12 s where ZDICT_trainFromBuffer's search for them
     * takes 0.36 s (the workers wait for the dictionary), and packs the
     * archive 1.5% smaller. */
    ZDICT_fastCover_params_t fc;
    memset(&fc, 0, sizeof fc);
    fc.k = 200;
    fc.d = 8;
    fc.f = 20;
    fc.accel = 1;
    fc.zParams.compressionLevel = PACK_LEVEL;
    got = ZDICT_trainFromBuffer_fastCover(dict, DICT_CAPACITY, all, sizes,
                                          (unsigned)n, fc);
  }
  free(all);
  free(sizes);
  if (!dict || got == 0 || ZDICT_isError(got)) {
    free(dict);
    return NULL;
  }
  *len = got;
  return dict;
}

cr_textdict *cr_textdict_load(const void *bytes, size_t len,
                              cr_textdict_use use, cr_error *err) {
  unsigned id = ZDICT_getDictID(bytes, len);
  if (id == 0) {
    cr_error_set(err, CR_E_CORRUPT,
                 "the index's text dictionary is damaged: rebuild the index");
    return NULL;
  }
  cr_textdict *d = calloc(1, sizeof *d);
  if (d) d->bytes = malloc(len);
  if (!d || !d->bytes) goto nomem;
  memcpy(d->bytes, bytes, len);
  d->len = len;
  d->id = id;
  if (use == CR_TEXTDICT_PACK &&
      !(d->cdict = ZSTD_createCDict(d->bytes, len, PACK_LEVEL)))
    goto nomem;
  if (!(d->ddict = ZSTD_createDDict(d->bytes, len))) goto nomem;
  return d;
nomem:
  cr_textdict_free(d);
  cr_error_set(err, CR_E_NOMEM, "out of memory loading the text dictionary");
  return NULL;
}

void cr_textdict_free(cr_textdict *d) {
  if (!d) return;
  ZSTD_freeCDict(d->cdict);
  ZSTD_freeDDict(d->ddict);
  free(d->bytes);
  free(d);
}

const void *cr_textdict_bytes(const cr_textdict *d, size_t *len) {
  *len = d->len;
  return d->bytes;
}

cr_textpack *cr_textpack_new(const cr_textdict *dict) {
  cr_textpack *p = calloc(1, sizeof *p);
  if (p) p->dict = dict;
  return p;
}

void cr_textpack_free(cr_textpack *p) {
  if (!p) return;
  free(p->also);
  ZSTD_freeCCtx(p->cctx);
  ZSTD_freeDCtx(p->dctx);
  free(p->buf);
  free(p);
}

int cr_textpack_also(cr_textpack *p, const cr_textdict *dict) {
  const cr_textdict **more =
      realloc(p->also, (p->n_also + 1) * sizeof *p->also);
  if (!more) return -1;
  more[p->n_also++] = dict;
  p->also = more;
  return 0;
}

unsigned cr_textdict_id(const cr_textdict *d) { return d->id; }

/* The dictionary a frame names, NULL if p has none with that id. */
static const cr_textdict *dict_for(const cr_textpack *p, unsigned id) {
  if (p->dict && p->dict->id == id) return p->dict;
  for (size_t i = 0; i < p->n_also; i++)
    if (p->also[i]->id == id) return p->also[i];
  return NULL;
}

static int reserve(cr_textpack *p, size_t need) {
  if (need <= p->cap) return 0;
  size_t cap = need + need / 4 + 4096;
  char *b = realloc(p->buf, cap);
  if (!b) return -1;
  p->buf = b;
  p->cap = cap;
  return 0;
}

/* Frames carry their content size (readers size their buffer from it)
 * and their dictionary's id, but no checksum: Xapian checks its blocks. */
static ZSTD_CCtx *make_cctx(const cr_textdict *dict) {
  if (dict && !dict->cdict) return NULL; /* loaded for unpacking only */
  ZSTD_CCtx *c = ZSTD_createCCtx();
  if (!c) return NULL;
  size_t rc =
      dict ? ZSTD_CCtx_refCDict(c, dict->cdict)
           : ZSTD_CCtx_setParameter(c, ZSTD_c_compressionLevel, PACK_LEVEL);
  if (ZSTD_isError(rc) ||
      ZSTD_isError(ZSTD_CCtx_setParameter(c, ZSTD_c_checksumFlag, 0))) {
    ZSTD_freeCCtx(c);
    return NULL;
  }
  return c;
}

/* Where a text's head ends: all of a short text, else CR_TEXT_HEAD_BYTES
 * less a character's leading bytes that would be cut from the rest. */
static size_t head_len(const char *text, size_t len) {
  if (len <= CR_TEXT_HEAD_BYTES) return len;
  size_t n = CR_TEXT_HEAD_BYTES;
  while (n > 0 && ((unsigned char)text[n] & 0xC0) == 0x80)
    n--;
  return n;
}

const char *cr_text_pack(cr_textpack *p, const char *text, size_t len,
                         size_t *out_len) {
  if (!p->cctx && !(p->cctx = make_cctx(p->dict))) return NULL;
  size_t head = head_len(text, len);
  size_t bound = ZSTD_compressBound(head);
  if (head < len) bound += ZSTD_compressBound(len - head);
  if (reserve(p, bound) != 0) return NULL;
  size_t n = ZSTD_compress2(p->cctx, p->buf, p->cap, text, head);
  if (ZSTD_isError(n)) return NULL; /* only memory can fail here */
  if (head < len) {
    size_t rest = ZSTD_compress2(p->cctx, p->buf + n, p->cap - n, text + head,
                                 len - head);
    if (ZSTD_isError(rest)) return NULL;
    n += rest;
  }
  *out_len = n;
  return p->buf;
}

/* The frames data holds, one after another: their dictionary's id
 * (the same for all: cr_text_pack packs every frame with its packer's)
 * and their content size in all. -1 if they are damaged. */
static int read_frames(const char *data, size_t len, unsigned *id,
                       unsigned long long *size) {
  *size = 0;
  *id = 0;
  size_t at = 0;
  do {
    size_t frame = ZSTD_findFrameCompressedSize(data + at, len - at);
    if (ZSTD_isError(frame)) return -1;
    unsigned long long n = ZSTD_getFrameContentSize(data + at, frame);
    unsigned frame_id = ZSTD_getDictID_fromFrame(data + at, frame);
    if (n == ZSTD_CONTENTSIZE_ERROR || n == ZSTD_CONTENTSIZE_UNKNOWN ||
        n > TEXT_MAX - *size || (at > 0 && frame_id != *id))
      return -1;
    *id = frame_id;
    *size += n;
    at += frame;
  } while (at < len);
  return 0;
}

const char *cr_text_unpack(cr_textpack *p, const char *data, size_t len,
                           size_t *out_len, cr_error *err) {
  unsigned long long size;
  unsigned id;
  if (read_frames(data, len, &id, &size) != 0) {
    cr_error_set(err, CR_E_CORRUPT, "stored article text is damaged");
    return NULL;
  }
  const cr_textdict *dict = id ? dict_for(p, id) : NULL;
  if (id != 0 && !dict) {
    cr_error_set(err, CR_E_CORRUPT,
                 "stored article text needs text dictionary %u, which the "
                 "index lacks: rebuild the index",
                 id);
    return NULL;
  }
  if ((!p->dctx && !(p->dctx = ZSTD_createDCtx())) ||
      reserve(p, (size_t)size + 1) != 0) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return NULL;
  }
  /* Both calls inflate every frame of data in turn. */
  size_t n = id ? ZSTD_decompress_usingDDict(p->dctx, p->buf, p->cap, data, len,
                                             dict->ddict)
                : ZSTD_decompressDCtx(p->dctx, p->buf, p->cap, data, len);
  if (ZSTD_isError(n) || n != size) {
    cr_error_set(err, CR_E_CORRUPT, "stored article text is damaged");
    return NULL;
  }
  p->buf[n] = '\0';
  *out_len = n;
  return p->buf;
}

const char *cr_text_unpack_head(cr_textpack *p, const char *data, size_t len,
                                size_t *out_len, bool *whole, cr_error *err) {
  size_t frame = ZSTD_findFrameCompressedSize(data, len);
  if (ZSTD_isError(frame)) {
    cr_error_set(err, CR_E_CORRUPT, "stored article text is damaged");
    return NULL;
  }
  *whole = frame == len;
  return cr_text_unpack(p, data, frame, out_len, err);
}
