/* hmap.c — see hmap.h. */
#include "hmap.h"

#include <stdlib.h>
#include <string.h>

/* The first slot to probe for h in a table of mask + 1 slots (as
 * cr_hmap_probe_). */
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

bool cr_hmap_grow(cr_hmap *m) {
  size_t cap = m->cap ? 2 * m->cap : m->first_cap;
  unsigned char *slots = calloc(cap, m->slot_size);
  if (!slots) return false;
  cr_hmap bigger = *m;
  bigger.slots = slots;
  bigger.cap = cap;
  size_t mask = cap - 1, words = m->slot_size / sizeof(uint64_t);
  if (words == 1) { /* a set: the hash alone (an article's terms) */
    uint64_t *from = (uint64_t *)m->slots, *to = (uint64_t *)slots;
    for (size_t i = 0; i < m->cap; i++) {
      if (!from[i]) continue;
      size_t k = start_of(from[i], mask);
      while (to[k])
        k = (k + 1) & mask;
      to[k] = from[i];
    }
  } else {
    for (size_t i = 0; i < m->cap; i++) {
      uint64_t *s = slot_at(m, i);
      if (!*s) continue;
      size_t k = start_of(*s, mask);
      while (*slot_at(&bigger, k))
        k = (k + 1) & mask;
      uint64_t *to = slot_at(&bigger, k);
      for (size_t w = 0; w < words; w++) /* no memcpy call */
        to[w] = s[w];
    }
  }
  free(m->slots);
  m->slots = slots;
  m->cap = cap;
  return true;
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
