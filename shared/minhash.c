/* minhash.c — b-bit MinHash signatures (see minhash.h). */
#include "minhash.h"

#include <string.h>

#include "hash.h"

/* splitmix64's finaliser: turns h + i * step into K independent-looking
 * hash functions from one term hash. */
static uint64_t mix(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

void cr_minhash_init(cr_minhash *m) {
  memset(m->min, 0xff, sizeof m->min);
  m->n_terms = 0;
}

/* Sanitized builds take the plain loop: the clone's resolver runs while
 * the program is being relocated, before ThreadSanitizer's runtime is up
 * (indexer_tsan crashed there). */
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define NO_CLONES 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer)
#define NO_CLONES 1
#endif
#endif

/* The K minima updated with one term's hash. Every distinct term of a
 * body comes here (4% of the indexer's instructions as plain x86-64): a
 * loop without branches, which the compiler turns into four lanes at a
 * time where the CPU has AVX2 (the clone is chosen when the program
 * loads; the result is the same bit for bit). */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(NO_CLONES)
__attribute__((target_clones("avx2", "default")))
#endif
static void
add_hash(uint64_t *min, uint64_t h) {
  for (unsigned i = 0; i < CR_MINHASH_K; i++) {
    uint64_t v = mix(h + (uint64_t)i * 0x9e3779b97f4a7c15ULL);
    min[i] = v < min[i] ? v : min[i];
  }
}

void cr_minhash_add(cr_minhash *m, const char *term, size_t len) {
  add_hash(m->min, cr_fnv1a64(term, len));
  m->n_terms++;
}

bool cr_minhash_signature(const cr_minhash *m, size_t min_terms,
                          uint8_t sig[CR_MINHASH_K]) {
  if (m->n_terms < min_terms) return false;
  for (unsigned i = 0; i < CR_MINHASH_K; i++)
    sig[i] = (uint8_t)(m->min[i] & 0xff);
  return true;
}

double cr_minhash_similarity(const uint8_t a[CR_MINHASH_K],
                             const uint8_t b[CR_MINHASH_K]) {
  unsigned same = 0;
  for (unsigned i = 0; i < CR_MINHASH_K; i++)
    same += a[i] == b[i];
  /* Unrelated texts still agree on 1 byte in 256: take that out. */
  double p = (double)same / CR_MINHASH_K;
  double j = (p - 1.0 / 256) / (1.0 - 1.0 / 256);
  return j < 0 ? 0 : j;
}

uint32_t cr_minhash_band(const uint8_t sig[CR_MINHASH_K], unsigned b) {
  const uint8_t *p = sig + (size_t)b * CR_MINHASH_BAND_BYTES;
  return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 |
         (uint32_t)p[3] << 24;
}
