/* id_origins.c — see id_origins.h. An open-addressing table of id
 * hashes (FNV-1a 64, as shared/hash.h), grown at half full. */
#include "id_origins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"

typedef struct slot {
  uint64_t hash; /* of the id; 0: empty (a real 0 is taken as 1) */
  uint32_t file; /* the file that gave it last */
} slot;

struct id_origins {
  slot *slots;
  size_t cap, n; /* cap a power of two */
  char **paths;  /* file number -> path */
  uint32_t n_paths, cap_paths;
  uint64_t shown, more; /* this file's replacing ids shown, and not shown */
  uint32_t more_from;   /* a file the ids not shown came from */
  bool more_several;    /* they came from more than one file */
};

id_origins *io_new(void) { return calloc(1, sizeof(id_origins)); }

void io_free(id_origins *t) {
  if (!t) return;
  for (uint32_t i = 0; i < t->n_paths; i++)
    free(t->paths[i]);
  free(t->paths);
  free(t->slots);
  free(t);
}

int io_begin_file(id_origins *t, const char *path) {
  if (t->n_paths == t->cap_paths) {
    uint32_t cap = t->cap_paths ? t->cap_paths * 2 : 64;
    char **p = realloc(t->paths, cap * sizeof *p);
    if (!p) return -1;
    t->paths = p;
    t->cap_paths = cap;
  }
  if (!(t->paths[t->n_paths] = strdup(path))) return -1;
  t->n_paths++;
  t->shown = t->more = 0;
  t->more_several = false;
  return 0;
}

static bool grow(id_origins *t) {
  size_t cap = t->cap ? t->cap * 2 : 4096;
  slot *s = calloc(cap, sizeof *s);
  if (!s) return false;
  for (size_t i = 0; i < t->cap; i++) {
    if (!t->slots[i].hash) continue;
    size_t j = (size_t)t->slots[i].hash & (cap - 1);
    while (s[j].hash)
      j = (j + 1) & (cap - 1);
    s[j] = t->slots[i];
  }
  free(t->slots);
  t->slots = s;
  t->cap = cap;
  return true;
}

bool io_note(id_origins *t, const char *id, char *msg, size_t size) {
  if (size) msg[0] = '\0';
  if (t->n_paths == 0) return false;
  uint32_t file = t->n_paths - 1;
  if (2 * (t->n + 1) > t->cap && !grow(t))
    return false; /* out of memory: no warning, nothing worse */
  uint64_t h = cr_fnv1a64(id, strlen(id));
  if (!h) h = 1;
  size_t j = (size_t)h & (t->cap - 1);
  while (t->slots[j].hash && t->slots[j].hash != h)
    j = (j + 1) & (t->cap - 1);
  if (!t->slots[j].hash) {
    t->slots[j] = (slot){h, file};
    t->n++;
    return false;
  }
  uint32_t before = t->slots[j].file;
  t->slots[j].file = file;
  if (before == file) return false; /* twice in one file: its own affair */
  if (t->shown < IO_SHOWN_PER_FILE) {
    t->shown++;
    snprintf(
        msg, size,
        "id \"%.200s\" was read from %.400s earlier in this run: this "
        "copy replaces it (to keep both, index one file in a run of its own "
        "with --id-prefix)",
        id, t->paths[before]);
  } else {
    if (t->more && before != t->more_from) t->more_several = true;
    t->more_from = before;
    t->more++;
  }
  return true;
}

bool io_end_file(id_origins *t, char *msg, size_t size) {
  if (!t->more) return false;
  snprintf(msg, size,
           "%llu more ids replaced articles read from %s%.400s earlier in "
           "this run",
           (unsigned long long)t->more,
           t->more_several ? "other files, such as " : "",
           t->paths[t->more_from]);
  t->more = 0;
  return true;
}
