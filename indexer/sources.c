/* sources.c — the table of input-file signatures recorded in the index. */
#include "sources.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct load_ctx {
  src_table *t;
  cr_wdb *db;
  int failed;
} load_ctx;

static int add_key(const char *key, size_t len, void *ctx) {
  load_ctx *lc = ctx;
  src_table *t = lc->t;
  size_t vlen;
  char *value = cr_wdb_get_metadata(lc->db, key, &vlen);
  if (!value) return 0; /* a deleted key */
  if (t->n == t->cap) {
    size_t cap = t->cap ? t->cap * 2 : 64;
    src_entry *bigger = realloc(t->entries, cap * sizeof *bigger);
    if (!bigger) {
      free(value);
      lc->failed = 1;
      return 1;
    }
    t->entries = bigger;
    t->cap = cap;
  }
  size_t plen = strlen(SRC_META_PREFIX);
  t->entries[t->n].key = strndup(key + plen, len - plen);
  t->entries[t->n].signature = value;
  t->n++;
  return 0;
}

static int by_key(const void *a, const void *b) {
  return strcmp(((const src_entry *)a)->key, ((const src_entry *)b)->key);
}

int src_table_load(src_table *t, cr_wdb *db) {
  memset(t, 0, sizeof *t);
  load_ctx lc = {t, db, 0};
  cr_wdb_metadata_keys(db, SRC_META_PREFIX, add_key, &lc);
  if (t->n) qsort(t->entries, t->n, sizeof *t->entries, by_key);
  return lc.failed ? -1 : 0;
}

void src_table_free(src_table *t) {
  for (size_t i = 0; i < t->n; i++) {
    free(t->entries[i].key);
    free(t->entries[i].signature);
  }
  free(t->entries);
  memset(t, 0, sizeof *t);
}

const char *src_table_get(const src_table *t, const char *key) {
  if (!t->n) return NULL;
  src_entry probe = {(char *)key, NULL};
  const src_entry *e =
      bsearch(&probe, t->entries, t->n, sizeof *t->entries, by_key);
  return e ? e->signature : NULL;
}

void src_signature(char *buf, size_t size, int64_t bytes, int64_t mtime_ns) {
  snprintf(buf, size, "%" PRId64 ":%" PRId64, bytes, mtime_ns);
}
