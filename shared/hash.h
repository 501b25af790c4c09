/* hash.h — FNV-1a over bytes, 64 bits: the string hash behind the index's
 * file terms, the near-duplicate signatures, the shard an article goes
 * to, the files' content hashes and the indexer's per-document word sets. Fast
 * on short strings and well spread; its values are stored (XF terms) and decide
 * placement (shards), so it must never change. */
#ifndef CRONACA_HASH_H
#define CRONACA_HASH_H

#include <stddef.h>
#include <stdint.h>

#define CR_FNV1A64_INIT 0xcbf29ce484222325ULL

/* The hash h (CR_FNV1A64_INIT to start) carried on over s[0..len): a
 * text hashed piece by piece hashes as a whole. */
static inline uint64_t cr_fnv1a64_add(uint64_t h, const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  return h;
}

static inline uint64_t cr_fnv1a64(const char *s, size_t len) {
  return cr_fnv1a64_add(CR_FNV1A64_INIT, s, len);
}

/* FNV-1a, 32 bits: for in-memory hash tables (the analyzer's word cache,
 * the indexer's id locks), whose values are never stored. */
static inline uint32_t cr_fnv1a32(const char *s, size_t len) {
  uint32_t h = 2166136261u;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 16777619u;
  return h;
}

#endif
