/* shards.h — an index split into N shards, searched as one.
 *
 * Layout of a sharded index directory DIR:
 *   DIR/shard-00 ... DIR/shard-NN   ordinary cronaca indexes (glass), each
 *                                   with its own schema stamp and file
 *                                   signatures
 *   DIR/XAPIANDB                    a Xapian stub file, one `auto shard-KK`
 *                                   line per shard; Xapian opens a directory
 *                                   holding XAPIANDB as that stub, so
 *                                   `searcher -d DIR` searches every shard
 *   DIR/XAPIANDB.pending            the stub of a first build, renamed to
 *                                   XAPIANDB once every shard is complete
 *
 * An article lives in shard sh_shard_of(id, N): re-indexing it replaces it
 * in the same shard, never duplicates it in another. A sharded run reads
 * the input once per shard and keeps that shard's articles, so every
 * shard is an ordinary pipeline run (incremental, --prune, crash-safe).
 */
#ifndef CRONACA_SHARDS_H
#define CRONACA_SHARDS_H

#include <stddef.h>

#include "error.h"
#include "pipeline.h"

#define SH_STUB_NAME "XAPIANDB" /* the name Xapian looks for in a dir */
/* The stub of a first build, until every shard it names is complete. */
#define SH_PENDING_NAME "XAPIANDB.pending"
#define SH_MAX_SHARDS 256

/* The shard (0..n-1) of an article id. Part of the on-disk format: an
 * existing sharded index relies on it, so it must never change. */
unsigned sh_shard_of(const char *id, unsigned n);

/* Writes DIR/shard-KK (k from 0) into buf. */
void sh_shard_path(char *buf, size_t size, const char *dir, unsigned k);

typedef enum sh_kind {
  SH_NONE,    /* no index there yet */
  SH_SINGLE,  /* one ordinary index */
  SH_SHARDED, /* shards and the stub this module writes */
} sh_kind;

/* Says what dir holds; *n is the shard count when SH_SHARDED. -1 with
 * err filled when dir has a stub this indexer did not write (remote
 * shards, say: those are indexed on their own machines), or files that
 * are not an index's (never overwritten). */
int sh_detect(const char *dir, sh_kind *kind, unsigned *n, cr_error *err);

/* Writes the stub DIR/NAME (SH_STUB_NAME, SH_PENDING_NAME) for n shards,
 * atomically (temporary file, rename). */
int sh_write_stub(const char *dir, const char *name, unsigned n, cr_error *err);

/* Indexes opts->paths into n shards of the directory opts->index (created
 * if missing): one pipeline run per shard, in turn, each keeping its own
 * articles. stats add up the shards' (bad records are reported and
 * counted by the first pass only). Stops after the current shard when
 * *opts->stop is set. Returns 0 or -1 with err filled. */
int sh_run(const pl_options *opts, unsigned n, pl_stats *stats, cr_error *err);

#endif
