/* hmap.c — see hmap.h. */
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

static uint64_t key_of(uint64_t h) { return h ? h : 1; }

/* The first slot to probe for h in a table of mask + 1 slots. */
static size_t start_of(uint64_t h, size_t mask) {
  return (size_t)((h * 0x9e3779b97f4a7c15ULL) >> 32) & mask;
}

static uint64_t *slot_at(const cr_hmap *m, size_t i) {
  return (uint64_t *)(m->slots + i * m->slot_size);
}

void cr_hmap_init(cr_hmap *m, size_t value_size, size_t first_cap) {
  size_t cap = 2;
  while (cap < first_cap)
    cap *= 2;
  *m = (cr_hmap){.value_size = value_size,
                 .slot_size = sizeof(uint64_t) + (value_size + 7) / 8 * 8,
                 .first_cap = cap};
}

void cr_hmap_free(cr_hmap *m) {
  free(m->slots);
  m->slots = NULL;
  m->cap = m->n = 0;
}

void cr_hmap_clear(cr_hmap *m) {
  if (m->slots) memset(m->slots, 0, m->cap * m->slot_size);
  m->n = 0;
}

/* The slot of key (and same, ctx), or the empty slot where it would go. */
static uint64_t *probe(const cr_hmap *m, uint64_t key, cr_hmap_same same,
                       const void *ctx) {
  size_t mask = m->cap - 1;
  for (size_t i = start_of(key, mask);; i = (i + 1) & mask) {
    uint64_t *s = slot_at(m, i);
    if (!*s || (*s == key && (!same || same(s + 1, ctx)))) return s;
  }
}

static bool grow(cr_hmap *m) {
  size_t cap = m->cap ? 2 * m->cap : m->first_cap;
  unsigned char *slots = calloc(cap, m->slot_size);
  if (!slots) return false;
  cr_hmap bigger = *m;
  bigger.slots = slots;
  bigger.cap = cap;
  for (size_t i = 0; i < m->cap; i++) {
    uint64_t *s = slot_at(m, i);
    if (!*s) continue;
    size_t mask = cap - 1, k = start_of(*s, mask);
    while (*slot_at(&bigger, k))
      k = (k + 1) & mask;
    memcpy(slot_at(&bigger, k), s, m->slot_size);
  }
  free(m->slots);
  m->slots = slots;
  m->cap = cap;
  return true;
}

void *cr_hmap_get(const cr_hmap *m, uint64_t h, cr_hmap_same same,
                  const void *ctx) {
  if (!m->n) return NULL;
  uint64_t *s = probe(m, key_of(h), same, ctx);
  return *s ? s + 1 : NULL;
}

void *cr_hmap_put(cr_hmap *m, uint64_t h, cr_hmap_same same, const void *ctx,
                  bool *added) {
  uint64_t key = key_of(h);
  *added = false;
  uint64_t *s = m->cap ? probe(m, key, same, ctx) : NULL;
  if (s && *s) return s + 1;
  if (2 * (m->n + 1) > m->cap) {
    if (!grow(m)) return NULL;
    s = probe(m, key, same, ctx); /* where it goes in the bigger table */
  }
  *s = key;
  m->n++;
  *added = true;
  return s + 1;
}

bool cr_hmap_next(const cr_hmap *m, size_t *cursor, uint64_t *h, void **value) {
  for (; *cursor < m->cap; ++*cursor) {
    uint64_t *s = slot_at(m, *cursor);
    if (!*s) continue;
    if (h) *h = *s;
    if (value) *value = s + 1;
    ++*cursor;
    return true;
  }
  return false;
}
