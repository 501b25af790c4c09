/* pipeline.h — reading inputs and writing the index, in parallel.
 *
 * One reader (the calling thread) walks and parses the inputs and deals
 * each article to a worker chosen by a hash of its id, so the same id
 * always meets the same writer. Workers analyse articles into Xapian
 * documents and write them, in one of two modes:
 *
 *   build   the index is new or empty: each worker writes its own
 *           throw-away shard (no fsync), and the shards are compacted
 *           into a fresh index that then replaces the empty one. Writers
 *           run side by side; a crash leaves the old (empty) index intact.
 *   update  the index has documents: workers analyse in parallel and take
 *           turns writing to the index itself, committing every
 *           commit_every articles, so a crash loses at most one batch and
 *           a rerun finishes the job.
 *
 * A file's signature (size and modification time) is recorded in the
 * index's metadata in the same commit as its last article, so an
 * unchanged file is skipped next time.
 *
 * The pieces have their own headers: queue.h (reader to workers),
 * build.h (build mode's directories and swap), meta.h (stamp, language,
 * text dictionary) and prune.h (what --prune removes, in which order).
 */
#ifndef CRONACA_PIPELINE_H
#define CRONACA_PIPELINE_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "input.h"

typedef struct pl_options {
  const char *index;        /* index directory */
  const char *const *paths; /* inputs as named by the user */
  size_t n_paths;
  unsigned jobs;               /* worker threads */
  const char *language;        /* Snowball stemmer; NULL: the index's,
                                  italian for a new one */
  unsigned commit_every;       /* update mode: articles per commit */
  bool bm25_given;             /* a new index's BM25 k1 and b: */
  double bm25_k1, bm25_b;      /* (an index keeps its own: impacts.h) */
  bool prune;                  /* remove articles of vanished files, and
                                  those a changed file no longer holds */
  bool dry_run;                /* write nothing: count what would be
                                  added and replaced, and list on stdout
                                  what --prune would remove */
  bool quiet;                  /* no progress bar */
  const in_options *input;     /* --encoding, --field, --id-prefix (NULL:
                                  defaults) */
  volatile sig_atomic_t *stop; /* set by a signal handler: wind down */
  /* Sharded runs (shards.h) read the input once per shard: keep says
   * which articles belong to this pass (NULL: all), and quiet_problems
   * stops the later passes reporting the same bad records again. */
  bool (*keep)(const char *id, void *ctx);
  void *keep_ctx;
  bool quiet_problems;
} pl_options;

typedef struct pl_stats {
  uint64_t added;            /* new articles */
  uint64_t replaced;         /* articles whose id was already indexed */
  uint64_t unchanged_files;  /* files skipped as unchanged since last run */
  uint64_t appended_files;   /* JSON Lines files read from their old end */
  uint64_t skipped;          /* bad records and unreadable files */
  uint64_t missing_paths;    /* paths named that are not there */
  uint64_t pruned_files;     /* vanished files whose articles were removed */
  uint64_t pruned_articles;  /* articles removed (of vanished files, or no
                                longer in their changed file) */
  uint64_t text_bytes;       /* article text analysed */
  uint32_t duplicate_groups; /* near-duplicate groups in the whole index */
  uint32_t duplicate_docs;   /* articles in those groups (when recomputed) */
  double seconds;            /* wall time */
  bool interrupted;          /* stopped early by a signal */
  bool build_mode;           /* built from scratch (shards + compaction) */
} pl_stats;

/* Runs the whole job. Returns 0 when the index holds everything that was
 * read (check stats->skipped and stats->interrupted), -1 with err filled
 * on a fatal error (the index is left at its last commit). */
int pl_run(const pl_options *opts, pl_stats *stats, cr_error *err);

#endif
