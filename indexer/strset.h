/* strset.h — a set of strings, filled first and asked afterwards.
 *
 * Pruning keeps three: the id terms a changed file still holds (so the
 * articles it no longer holds can go), the id terms removed (so another
 * file still holding one can bring it back), and the keys of the files
 * that have gone; a dry run also the ids it read and those another file
 * would bring back, and every run the files changed since the last
 * --prune. Each is filled while reading, then sorted once and searched. */
#ifndef CRONACA_STRSET_H
#define CRONACA_STRSET_H

#include <stdbool.h>
#include <stddef.h>

typedef struct strset {
  char **items;
  size_t n, cap;
} strset;

/* Adds a copy of the len bytes at s. 0, or -1 if memory ran out. */
int ss_add(strset *set, const char *s, size_t len);
/* Sorts the set (and drops repeats) for ss_has. */
void ss_sort(strset *set);
/* Whether s is in the set, which must be sorted. */
bool ss_has(const strset *set, const char *s);
void ss_free(strset *set);

#endif
