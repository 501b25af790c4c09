/* duplicates.h — grouping near-duplicate articles after indexing.
 *
 * Every article long enough carries a MinHash signature of its body
 * (CR_SLOT_MINHASH, see minhash.h). After each run that changed the
 * index, this pass reads all signatures, pairs articles whose estimated
 * Jaccard similarity reaches the threshold (candidates come from identical
 * signature bands, so the cost grows with the number of articles, not its
 * square), joins pairs into groups (a reprint of a reprint belongs with the
 * original), and stores each group's key in CR_SLOT_CLUSTER: the article
 * id of its first member. An article with no near duplicate has no
 * key, which is what Xapian's collapsing expects. Only articles whose key
 * changed are rewritten.
 */
#ifndef CRONACA_DUPLICATES_H
#define CRONACA_DUPLICATES_H

#include <stdint.h>

#include "error.h"
#include "xapian_c.h"

/* Estimated Jaccard similarity of the body's word sets from which two
 * articles count as near duplicates (bench/RESULTS.md measures others). */
#define DUP_DEFAULT_THRESHOLD 0.5

typedef struct dup_stats {
  uint32_t signed_docs;  /* articles with a signature */
  uint32_t groups;       /* groups of two or more articles */
  uint32_t grouped_docs; /* articles in those groups */
  uint32_t rewritten;    /* articles whose key changed */
} dup_stats;

/* A pair of signed articles (indexes into the order signatures were read)
 * at or above the threshold. */
typedef int (*dup_pair_fn)(uint32_t a, uint32_t b, double similarity,
                           void *ctx);

/* The candidate pairs of n signatures (sigs: n * CR_MINHASH_K bytes) whose
 * similarity is at least threshold, each reported once. Returns 0, fn's
 * non-zero return, or -1 if memory ran out. */
int dup_find_pairs(const uint8_t *sigs, uint32_t n, double threshold,
                   dup_pair_fn fn, void *ctx);

/* The whole pass over an index made of n_dbs shards (one, or the
 * per-worker shards before they are merged): groups may span shards.
 * Nothing is committed: the caller commits. */
int dup_assign_groups(cr_wdb *const *dbs, size_t n_dbs, double threshold,
                      dup_stats *stats, cr_error *err);

#endif
