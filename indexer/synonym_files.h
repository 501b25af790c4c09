/* synonym_files.h — what --synonyms FILE and the default list write into
 * an index's synonym table (shared/synonyms.h: the format, the keys).
 *
 * After a run (or alone: indexer -d INDEX --synonyms FILE), each database
 * of the index (the index, or every shard of a sharded one, so that a
 * shard searched alone has them too) gets:
 * - the default list of its language (shared/synonyms-italian.txt, built
 *   into the program), once: an index that has not had it yet (new, or
 *   from before synonyms) gets it and the mark CR_META_SYNONYMS "default";
 *   --no-default-synonyms marks it "none" instead, and it never gets them
 *   unless a --synonyms file holds them;
 * - each --synonyms FILE, in order: its groups added to what the table
 *   holds (nothing is replaced), its ! lines removed.
 * Lines that cannot be read are reported as "FILE:LINE: why (skipped)"
 * and counted; the others are written. A dry run reads the files and
 * reports, and writes nothing. All of it is one commit per database. */
#ifndef CRONACA_SYNONYM_FILES_H
#define CRONACA_SYNONYM_FILES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#define SYN_MAX_FILES 16

typedef struct syn_request {
  const char *files[SYN_MAX_FILES]; /* --synonyms FILE ("-": stdin) */
  size_t n_files;
  bool no_defaults; /* --no-default-synonyms */
  bool dry_run;     /* read and report only */
  bool quiet;       /* no summary line per file */
} syn_request;

/* Applies r to the index directory index (a single index, or shards
 * with their stub). *bad counts the lines skipped. 0, or -1 with err
 * filled (an unreadable file, Xapian failed). */
int syn_update(const char *index, const syn_request *r, uint64_t *bad,
               cr_error *err);

#endif
