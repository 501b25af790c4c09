/* strset.c — a sorted array of strings (see strset.h). */
#include "strset.h"

#include <stdlib.h>
#include <string.h>

#include "buffer.h"

int ss_add(strset *set, const char *s, size_t len) {
  if (CR_ARRAY_GROW(set->items, set->n, set->cap) != 0) return -1;
  char *copy = strndup(s, len);
  if (!copy) return -1;
  set->items[set->n++] = copy;
  return 0;
}

static int by_string(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void ss_sort(strset *set) {
  if (set->n > 1) qsort(set->items, set->n, sizeof *set->items, by_string);
  size_t kept = 0;
  for (size_t i = 0; i < set->n; i++) {
    if (kept && strcmp(set->items[kept - 1], set->items[i]) == 0)
      free(set->items[i]);
    else
      set->items[kept++] = set->items[i];
  }
  set->n = kept;
}

bool ss_has(const strset *set, const char *s) {
  return set->n &&
         bsearch(&s, set->items, set->n, sizeof *set->items, by_string) != NULL;
}

void ss_free(strset *set) {
  for (size_t i = 0; i < set->n; i++)
    free(set->items[i]);
  free(set->items);
  memset(set, 0, sizeof *set);
}
