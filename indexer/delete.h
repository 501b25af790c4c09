/* delete.h — indexer --delete: removing articles by id.
 *
 * Each id is looked up by its id term in the index (or, in a sharded
 * index, in the shard sh_shard_of puts it in) and its article deleted;
 * near-duplicate groups are then recomputed, and everything is committed
 * at once. The file an article came from is not forgotten: left
 * unchanged, it is skipped by later runs (the article stays deleted);
 * changed, it is read again and gives the article back. */
#ifndef CRONACA_DELETE_H
#define CRONACA_DELETE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

typedef struct dl_stats {
  uint64_t removed; /* articles deleted (or that would be, dry run) */
  uint64_t missing; /* ids the index does not hold (each reported) */
} dl_stats;

/* Deletes the articles ids[0..n) from the index at dir (single or
 * sharded). dry_run: deletes nothing, prints "remove ID" on stdout for
 * each id held. An id the index lacks is reported on stderr. Returns 0,
 * or -1 with err filled (the index is left as it was). */
int dl_run(const char *dir, const char *const *ids, size_t n, bool dry_run,
           dl_stats *stats, cr_error *err);

/* Reads ids from path ("-": standard input), one a line (blank lines and
 * surrounding blanks ignored), appending to *ids (malloc'd strings).
 * Returns 0, or -1 with err filled. */
int dl_read_ids(const char *path, char ***ids, size_t *n, size_t *cap,
                cr_error *err);

#endif
