/* termbag.c — see termbag.h. */
#include "termbag.h"

#include <stdlib.h>
#include <string.h>

struct cr_bag_term {
  uint32_t off, len;   /* its bytes: bytes[off, off + len) */
  uint32_t wdf;        /* the sum of its wdf_inc */
  uint32_t n_position; /* positions kept for it */
  bool marked;         /* cr_termbag_mark_last */
};

/* The key cr_termbag_add looks for, for the table's `same`. */
typedef struct bag_key {
  const cr_termbag *bag;
  const char *term;
  size_t len;
} bag_key;

static bool same_term(const void *value, const void *ctx) {
  const bag_key *k = ctx;
  const cr_bag_term *t = &k->bag->terms[*(const uint32_t *)value];
  return t->len == k->len &&
         memcmp(k->bag->bytes + t->off, k->term, k->len) == 0;
}

/* The table's hash of a term, 8 bytes at a time: every token's terms are
 * hashed, and the hash is never stored, so it need not be FNV-1a. */
static uint64_t bag_hash(const char *s, size_t len) {
  uint64_t h = 0x9e3779b97f4a7c15ULL ^ len;
  for (; len >= 8; s += 8, len -= 8) {
    uint64_t v;
    memcpy(&v, s, sizeof v);
    h = (h ^ v) * 0xff51afd7ed558ccdULL;
    h ^= h >> 32;
  }
  uint64_t tail = 0;
  for (size_t i = 0; i < len; i++)
    tail |= (uint64_t)(unsigned char)s[i] << (8 * i);
  h = (h ^ tail) * 0xc4ceb9fe1a85ec53ULL;
  return h ^ (h >> 29);
}

/* Room for n more items of size bytes in *array (holding *used of *cap). */
static bool reserve(void **array, size_t *cap, size_t used, size_t n,
                    size_t size) {
  if (used + n <= *cap) return true;
  size_t want = *cap ? *cap : 256;
  while (want < used + n)
    want *= 2;
  void *bigger = realloc(*array, want * size);
  if (!bigger) return false;
  *array = bigger;
  *cap = want;
  return true;
}

void cr_termbag_init(cr_termbag *b) {
  memset(b, 0, sizeof *b);
  cr_hmap_init(&b->index, sizeof(uint32_t), 1024);
}

void cr_termbag_free(cr_termbag *b) {
  cr_hmap_free(&b->index);
  free(b->bytes);
  free(b->terms);
  free(b->hits);
  free(b->scratch);
  memset(b, 0, sizeof *b);
}

void cr_termbag_clear(cr_termbag *b) {
  cr_hmap_clear(&b->index);
  b->n_bytes = b->n_terms = b->n_hits = 0;
  b->failed = false;
  b->sealed = false;
}

/* *array cut to n items of size bytes (kept as it is if realloc fails:
 * it was only spare room). */
static void fit(void **array, size_t *cap, size_t n, size_t size) {
  if (n == 0 || n == *cap) return;
  void *smaller = realloc(*array, n * size);
  if (!smaller) return;
  *array = smaller;
  *cap = n;
}

void cr_termbag_seal(cr_termbag *b) {
  cr_hmap_free(&b->index);
  fit((void **)&b->bytes, &b->cap_bytes, b->n_bytes, 1);
  fit((void **)&b->terms, &b->cap_terms, b->n_terms, sizeof *b->terms);
  fit((void **)&b->hits, &b->cap_hits, b->n_hits, sizeof *b->hits);
  b->sealed = true;
}

int cr_termbag_add(cr_termbag *b, const char *term, size_t len,
                   uint32_t wdf_inc, uint32_t position, bool *added) {
  *added = false;
  if (b->failed || b->sealed) return -1;
  /* Room first, so that a failure leaves the table as it was. */
  if (!reserve((void **)&b->terms, &b->cap_terms, b->n_terms, 1,
               sizeof *b->terms) ||
      !reserve((void **)&b->bytes, &b->cap_bytes, b->n_bytes, len, 1) ||
      (position != CR_TERMBAG_NO_POSITION &&
       !reserve((void **)&b->hits, &b->cap_hits, b->n_hits, 2,
                sizeof *b->hits))) {
    b->failed = true;
    return -1;
  }
  bag_key key = {b, term, len};
  uint32_t *number =
      cr_hmap_put(&b->index, bag_hash(term, len), same_term, &key, added);
  if (!number) {
    b->failed = true;
    return -1;
  }
  if (*added) {
    *number = (uint32_t)b->n_terms;
    b->terms[b->n_terms++] =
        (cr_bag_term){.off = (uint32_t)b->n_bytes, .len = (uint32_t)len};
    memcpy(b->bytes + b->n_bytes, term, len);
    b->n_bytes += len;
  }
  b->last = *number;
  cr_bag_term *t = &b->terms[*number];
  t->wdf += wdf_inc;
  if (position != CR_TERMBAG_NO_POSITION) {
    t->n_position++;
    b->hits[b->n_hits++] = *number;
    b->hits[b->n_hits++] = position;
  }
  return 0;
}

bool cr_termbag_mark_last(cr_termbag *b) {
  cr_bag_term *t = &b->terms[b->last];
  bool was = t->marked;
  t->marked = true;
  return !was;
}

int cr_termbag_each(cr_termbag *b, cr_bag_term_fn fn, void *ctx) {
  if (b->failed) return -1;
  size_t n_positions = b->n_hits / 2;
  /* Positions gathered by term (a counting sort, stable: each term's stay
   * in the order added). first[i]: where term i's start in scratch. */
  if (!reserve((void **)&b->scratch, &b->cap_scratch, 0,
               n_positions + b->n_terms, sizeof *b->scratch))
    return -1;
  uint32_t *first = b->scratch + n_positions, at = 0;
  for (size_t i = 0; i < b->n_terms; i++) {
    first[i] = at;
    at += b->terms[i].n_position;
  }
  for (size_t h = 0; h < b->n_hits; h += 2)
    b->scratch[first[b->hits[h]]++] = b->hits[h + 1];
  at = 0;
  for (size_t i = 0; i < b->n_terms; i++) {
    const cr_bag_term *t = &b->terms[i];
    int rc = fn(b->bytes + t->off, t->len, t->wdf, b->scratch + at,
                t->n_position, ctx);
    if (rc != 0) return rc;
    at += t->n_position;
  }
  return 0;
}
