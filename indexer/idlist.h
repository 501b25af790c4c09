/* idlist.h — a set of id terms, filled first and asked afterwards.
 *
 * --prune needs two such sets: the id terms a changed file still holds
 * (so the articles it no longer holds can be removed), and the id terms
 * removed (so another file still holding one can bring it back). Both are
 * filled while reading, then sorted once and searched. */
#ifndef CRONACA_IDLIST_H
#define CRONACA_IDLIST_H

#include <stdbool.h>
#include <stddef.h>

typedef struct idlist {
  char **ids;
  size_t n, cap;
  bool sorted;
} idlist;

/* Adds a copy of id. 0, or -1 if memory ran out. */
int idl_add(idlist *l, const char *id, size_t len);
/* Sorts the list (and drops repeats) for idl_has. */
void idl_sort(idlist *l);
/* Whether id is in the list, which must be sorted. */
bool idl_has(const idlist *l, const char *id);
void idl_free(idlist *l);

#endif
