/* prune.h — what --prune removes, and what --dry-run lists.
 *
 * Only with --prune (or to be listed by --dry-run): an article goes when
 * its file has gone or, read again in full, no longer holds it (a file
 * changed by a run without --prune is read again for this, see
 * SRC_UNPRUNED_PREFIX). Such articles are first only marked doomed
 * (prune_doom_vanished before reading, prune_doom_file for each changed
 * file read in full); prune_collect_removed then keeps the doomed ids
 * nothing wrote again, and the caller reads the files left unchanged for
 * those, since one may hold the same id (its version comes back,
 * replacing the doomed article in place, as a new build would have it);
 * only then does prune_delete delete the doomed articles that still come
 * from their old file. Nothing before prune_delete writes to the index,
 * so a run stopped before it deletes nothing.
 */
#ifndef CRONACA_PRUNE_H
#define CRONACA_PRUNE_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include "error.h"
#include "schema.h"
#include "sources.h"
#include "strset.h"
#include "xapian_c.h"

/* An article marked to go. */
typedef struct prune_doomed {
  cr_docid doc;                      /* its document */
  char file_term[CR_FILE_TERM_SIZE]; /* the file it came from */
  char *id_term;                     /* its Q term (malloc'd) */
  const char *key; /* that file (owned by the caller's tables) */
  bool vanished;   /* its file has gone (else: the file dropped it) */
} prune_doomed;

/* One run's pruning: zero-initialise, free with prune_free. */
typedef struct prune_set {
  prune_doomed *doomed; /* in the order they were marked */
  size_t n_doomed, cap_doomed;
  strset vanished; /* keys of the files that have gone */
  strset removed;  /* doomed id terms nothing wrote again (sorted) */
} prune_set;

void prune_free(prune_set *ps);

/* Marks the articles of db that came from the file key (their XF term)
 * and whose id terms keep does not hold (all of them when keep is NULL:
 * the file has gone). keep must be sorted. Writes nothing. 0, or -1 with
 * err filled. */
int prune_doom_file(prune_set *ps, cr_wdb *db, const char *key,
                    const strset *keep, cr_error *err);

/* Marks the articles of every file in known that no longer exists, and
 * adds its key to ps->vanished. Writes nothing. 0, or -1 with err. */
int prune_doom_vanished(prune_set *ps, cr_wdb *db, const src_table *known,
                        cr_error *err);

/* Fills ps->removed (sorted) with the doomed id terms nothing wrote again
 * this run: those not in seen (a dry run, which wrote nothing: seen holds
 * the id terms it read, sorted), or with seen NULL those whose article
 * still has its old file's term. 0, or -1 with err filled. */
int prune_collect_removed(prune_set *ps, cr_wdb *db, const strset *seen,
                          cr_error *err);

/* Deletes the doomed articles that still come from their old file, and
 * forgets the files that have gone (their signatures, and their marks in
 * unpruned, which must be sorted). Adds what it removed to *articles and
 * *files. Not committed: the caller commits. 0, or -1 with err filled. */
int prune_delete(prune_set *ps, cr_wdb *db, const strset *unpruned,
                 uint64_t *articles, uint64_t *files, cr_error *err);

/* Dry run: writes to out what prune_delete would remove, one article a
 * line ("remove ID (FILE: gone)", "remove ID (FILE: no longer holds
 * it)"), leaving out the ids seen (read again from their file) or
 * restored (read from another), both sorted; names are made safe for a
 * terminal. Adds the articles listed to *articles and sets *files to
 * the files gone. */
void prune_list(const prune_set *ps, const strset *seen, const strset *restored,
                FILE *out, uint64_t *articles, uint64_t *files);

/* Loads into unpruned (sorted) the keys of the files changed since the
 * last --prune (SRC_UNPRUNED_PREFIX marks). 0, or -1 with err filled. */
int prune_load_unpruned(cr_wdb *db, strset *unpruned, cr_error *err);

#endif
