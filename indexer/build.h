/* build.h — build mode's directories: the shards in INDEX.building, the
 * new index compacted from them and swapped in place of the empty one,
 * and the leftovers of a run that died.
 *
 *   INDEX.building/shard-N   worker N's throw-away shard (no fsync)
 *   INDEX.building/new       the shards compacted, stamped, signed
 *   INDEX.building/old       the empty index, between the two renames of
 *                            a swap where the file system cannot exchange
 *
 * The swap is one renameat2(RENAME_EXCHANGE) where it can be; where the
 * index directory cannot be renamed (it is the current directory, "-d .",
 * or a mount point) its contents are moved instead, version file last. A
 * crash at any point leaves either the old (empty) index or the new one,
 * never a mix.
 */
#ifndef CRONACA_BUILD_H
#define CRONACA_BUILD_H

#include <stdbool.h>
#include <stdint.h>

#include "duplicates.h"
#include "error.h"
#include "impacts.h"
#include "textpack.h"
#include "xapian_c.h"

/* Whether path exists (stat succeeds). */
bool build_path_exists(const char *path);

/* Removes path and everything under it (errors ignored: leftovers). */
void build_remove_tree(const char *path);

/* A swap interrupted between its two renames left the old index in
 * building/old: puts it back at index. */
void build_recover_swap(const char *index, const char *building);

/* An index Xapian was still creating when the indexer was killed (in
 * its first milliseconds): its tables and lock, perhaps a version file
 * half written (v.tmp), but no version file, so nothing was ever
 * committed there, and Xapian refuses to open it. Removes those
 * leftovers, so that the index is created again, and returns true. A
 * directory with a version file, with anything else in it, or locked by
 * a live indexer is left alone. */
bool build_clear_unfinished(const char *index);

/* Creates the building directory (it may exist). 0, or -1 with err. */
int build_make_dir(const char *building, cr_error *err);

/* Opens (empty) the shard a worker writes at path: no fsync, no rollback,
 * spelling counted at close. NULL with err filled on failure. */
cr_wdb *build_open_shard(const char *path, cr_error *err);

/* Rewrites err, a failed write in the shard (or new index) at path, in
 * words a user can act on: Xapian often reports the rollback it cannot
 * do there (DB_DANGEROUS) rather than the cause. */
void build_shard_failed(cr_error *err, const char *path);

/* What goes into the new index besides the shards' documents. */
typedef struct build_extras {
  const char *language;      /* stamped with the layout (meta.h) */
  const cr_textdict *dict;   /* the texts' dictionary, or NULL */
  const cr_impacts *impacts; /* BM25's parameters (meta.h) */
  /* Records the input files' signatures into db; 0 or -1 with err. */
  int (*record)(cr_wdb *db, void *ctx, cr_error *err);
  void *record_ctx;
  /* The terms' bounds the shards' writers gathered (cr_wdb_gather_bounds),
   * one per shard, or none (n_bounds 0): then read from the postings.
   * Emptied by build_finish. */
  cr_wdf_bounds *const *bounds;
  size_t n_bounds;
} build_extras;

/* Finishes a build: groups near duplicates across the n shards (written
 * into the shards, so the compacted index has no half-empty blocks),
 * compacts them into building/new, adds extras and the terms' bounds
 * there (cr_wdb_store_wdf_bounds, from extras->bounds: searches prune by
 * them), closes *empty (the empty index at index, whose lock the run
 * held; *empty is NULL after) and swaps the new index in its place. dups
 * gets the groups' counts.
 * 0, or -1 with err filled: the empty index is then still at index. */
int build_finish(const char *const *shards, unsigned n, const char *building,
                 const char *index, const build_extras *extras, cr_wdb **empty,
                 dup_stats *dups, cr_error *err);

/* Rewrites err in plain words when a run failed because the disk is full:
 * what had been written (in building, for a build) and what is free. To
 * be called before the build's leftovers are removed, which frees that
 * space again. input_bytes: the run's input. */
void build_explain_full_disk(cr_error *err, bool build_mode,
                             const char *building, const char *index,
                             uint64_t input_bytes);

#endif
