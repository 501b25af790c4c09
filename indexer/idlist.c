/* idlist.c — a sorted array of strings (see idlist.h). */
#include "idlist.h"

#include <stdlib.h>
#include <string.h>

int idl_add(idlist *l, const char *id, size_t len) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 64;
    char **bigger = realloc(l->ids, cap * sizeof *bigger);
    if (!bigger) return -1;
    l->ids = bigger;
    l->cap = cap;
  }
  char *copy = malloc(len + 1);
  if (!copy) return -1;
  memcpy(copy, id, len);
  copy[len] = '\0';
  l->ids[l->n++] = copy;
  l->sorted = false;
  return 0;
}

static int by_string(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

void idl_sort(idlist *l) {
  if (l->n > 1) qsort(l->ids, l->n, sizeof *l->ids, by_string);
  size_t kept = 0;
  for (size_t i = 0; i < l->n; i++) {
    if (kept && strcmp(l->ids[kept - 1], l->ids[i]) == 0)
      free(l->ids[i]);
    else
      l->ids[kept++] = l->ids[i];
  }
  l->n = kept;
  l->sorted = true;
}

bool idl_has(const idlist *l, const char *id) {
  return l->n && bsearch(&id, l->ids, l->n, sizeof *l->ids, by_string) != NULL;
}

void idl_free(idlist *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->ids[i]);
  free(l->ids);
  memset(l, 0, sizeof *l);
}
