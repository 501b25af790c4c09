/* id_origins.c — see id_origins.h. A cr_hmap (hmap.h) from the hash of
 * each id (FNV-1a 64, hash.h) to the number of the file that gave it. */
#include "id_origins.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hmap.h"

struct id_origins {
  cr_hmap files; /* id hash -> uint32_t, the file that gave it last */
  char **paths;  /* file number -> path */
  uint32_t n_paths, cap_paths;
  uint64_t shown, more; /* this file's replacing ids shown, and not shown */
  uint32_t more_from;   /* a file the ids not shown came from */
  bool more_several;    /* they came from more than one file */
};

id_origins *io_new(void) {
  id_origins *t = calloc(1, sizeof(id_origins));
  if (t) cr_hmap_init(&t->files, sizeof(uint32_t), 4096);
  return t;
}

void io_free(id_origins *t) {
  if (!t) return;
  for (uint32_t i = 0; i < t->n_paths; i++)
    free(t->paths[i]);
  free(t->paths);
  cr_hmap_free(&t->files);
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

bool io_note(id_origins *t, const char *id, char *msg, size_t size) {
  if (size) msg[0] = '\0';
  if (t->n_paths == 0) return false;
  uint32_t file = t->n_paths - 1;
  bool added;
  uint32_t *last =
      cr_hmap_put(&t->files, cr_fnv1a64(id, strlen(id)), NULL, NULL, &added);
  if (!last) return false; /* out of memory: no warning, nothing worse */
  if (added) {
    *last = file;
    return false;
  }
  uint32_t before = *last;
  *last = file;
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
