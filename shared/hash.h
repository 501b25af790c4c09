/* hash.h — FNV-1a over bytes, 64 bits: the string hash behind the index's
 * file terms, the near-duplicate signatures, the shard an article goes
 * to and the indexer's per-document word sets. Fast on short strings and
 * well spread; its values are stored (XF terms) and decide placement
 * (shards), so it must never change. */
#ifndef CRONACA_HASH_H
#define CRONACA_HASH_H

#include <stddef.h>
#include <stdint.h>

static inline uint64_t cr_fnv1a64(const char *s, size_t len) {
  uint64_t h = 0xcbf29ce484222325ULL;
  for (size_t i = 0; i < len; i++)
    h = (h ^ (unsigned char)s[i]) * 0x100000001b3ULL;
  return h;
}

#endif
