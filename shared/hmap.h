/* hmap.h — the one hash table: open addressing over 64-bit hashes, each
 * key's value stored inline beside it.
 *
 * The caller hashes its key (cr_fnv1a64 of a term, an id, a word: hash.h)
 * and the table keeps the hash and value_size bytes of value per key, with
 * linear probing from a Fibonacci-mixed start, grown (doubled) before it
 * is more than half full. Nothing is allocated per key. When the hash alone
 * is the key (the distinct terms of an article, the ids of a run), pass no
 * `same`; when two keys may share a hash (words kept in an arena), `same`
 * tells whether a value with the hash is the caller's key.
 *
 *   cr_hmap m;
 *   cr_hmap_init(&m, sizeof(uint32_t), 4096);
 *   bool added;
 *   uint32_t *file = cr_hmap_put(&m, cr_fnv1a64(id, len), NULL, NULL, &added);
 *   if (!file) ...out of memory: the table is unchanged...
 *   if (added) *file = this_file;
 *   cr_hmap_free(&m);
 *
 * Hash 0 marks an empty slot: a key hashing to 0 is kept as 1 (so, without
 * `same`, hashes 0 and 1 are one key). Values are zeroed when added, and
 * 8-byte aligned; a pointer to one stays valid until the next put. */
#ifndef CRONACA_HMAP_H
#define CRONACA_HMAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cr_hmap {
  unsigned char
      *slots;        /* cap slots of slot_size bytes: hash (0: empty), value */
  size_t cap;        /* slots, a power of two; 0 before the first put */
  size_t n;          /* keys held */
  size_t value_size; /* bytes of value a key */
  size_t slot_size;  /* 8 + value_size rounded up to 8 */
  size_t first_cap;  /* slots of the first allocation (a power of two) */
} cr_hmap;

/* Whether value (of a key whose hash matched) is the caller's key, ctx. */
typedef bool (*cr_hmap_same)(const void *value, const void *ctx);

/* An empty table of value_size bytes a key, whose first allocation has
 * first_cap slots (rounded up to a power of two, at least 2). */
void cr_hmap_init(cr_hmap *m, size_t value_size, size_t first_cap);
/* Frees the slots; the table is then empty (and can be used again). */
void cr_hmap_free(cr_hmap *m);
/* Removes every key, keeping the memory. */
void cr_hmap_clear(cr_hmap *m);

/* Doubles the table (the first allocation when it has none): false when
 * memory ran out, the table unchanged. For cr_hmap_put. */
bool cr_hmap_grow(cr_hmap *m);

/* The slot of key (and same, ctx), or the empty slot where it would go:
 * linear probing from a Fibonacci-mixed start. The table has slots. */
static inline uint64_t *cr_hmap_probe_(const cr_hmap *m, uint64_t key,
                                       cr_hmap_same same, const void *ctx) {
  size_t mask = m->cap - 1;
  for (size_t i = (size_t)((key * 0x9e3779b97f4a7c15ULL) >> 32) & mask;;
       i = (i + 1) & mask) {
    uint64_t *s = (uint64_t *)(m->slots + i * m->slot_size);
    if (!*s || (*s == key && (!same || same(s + 1, ctx)))) return s;
  }
}

/* Get and put are inline: an article's every term goes through a put, and
 * the probe then runs in the caller's loop. */

/* The value of the key with hash h (and, with same, same(value, ctx)):
 * NULL when absent. */
static inline void *cr_hmap_get(const cr_hmap *m, uint64_t h, cr_hmap_same same,
                                const void *ctx) {
  if (!m->n) return NULL;
  uint64_t *s = cr_hmap_probe_(m, h ? h : 1, same, ctx);
  return *s ? s + 1 : NULL;
}

/* The value of that key, added (zeroed, *added true) if absent: NULL when
 * memory ran out to add it, and the table is unchanged. */
static inline void *cr_hmap_put(cr_hmap *m, uint64_t h, cr_hmap_same same,
                                const void *ctx, bool *added) {
  uint64_t key = h ? h : 1;
  *added = false;
  uint64_t *s = m->cap ? cr_hmap_probe_(m, key, same, ctx) : NULL;
  if (s && *s) return s + 1;
  if (2 * (m->n + 1) > m->cap) {
    if (!cr_hmap_grow(m)) return NULL;
    s = cr_hmap_probe_(m, key, same, ctx); /* where it goes now */
  }
  *s = key;
  m->n++;
  *added = true;
  return s + 1;
}

/* The keys one by one, in slot order: from *cursor (0 to start), the next
 * key's hash and value; false when there is no more. No put in between. */
bool cr_hmap_next(const cr_hmap *m, size_t *cursor, uint64_t *h, void **value);

static inline size_t cr_hmap_count(const cr_hmap *m) { return m->n; }

#ifdef __cplusplus
}
#endif
#endif
