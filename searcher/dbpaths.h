/* dbpaths.h — which databases the -d arguments name, each searched once.
 *
 * A -d names a database directory, a directory with a stub (XAPIANDB, as
 * `indexer --shards` writes), or a stub file whose lines name more
 * (`auto PATH`, `glass PATH`, relative to the stub; `remote HOST:PORT`,
 * `remote :PROGRAM ARGS`). Each -d is resolved to the databases it opens
 * in the end: local ones by their real path, remote ones by their line.
 * Opening one database twice (`-d I -d I`, an index and its stub) would
 * return each of its articles twice and double every count, so:
 *   - a -d whose databases are all named by an earlier -d is left out,
 *     with a warning naming both;
 *   - a -d that shares only some of its databases with an earlier one is
 *     refused: no set of whole -d arguments names each database once.
 * Two copies of an index (a backup and the live index) are two databases
 * and are both searched; page.c then collapses hits on the article's
 * card, so an article whose copies are the same shows (and counts) once.
 */
#ifndef CRONACA_DBPATHS_H
#define CRONACA_DBPATHS_H

#include <stdbool.h>
#include <stddef.h>

#include "error.h"

typedef struct sr_dbpaths {
  const char **paths; /* the -d arguments kept, in their order (malloc'd
                         array; the strings are the caller's) */
  size_t n;
  bool remote; /* one of the databases is a remote shard */
} sr_dbpaths;

/* Resolves args[0..n) into out, warning on standard error about each
 * argument left out. -1 with err filled (CR_E_INVALID) on a partial
 * overlap, or CR_E_NOMEM. */
int sr_dbpaths_resolve(const char *const *args, size_t n, sr_dbpaths *out,
                       cr_error *err);
void sr_dbpaths_free(sr_dbpaths *d);

#endif
