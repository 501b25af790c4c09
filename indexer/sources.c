/* sources.c — the table of input-file signatures recorded in the index. */
#include "sources.h"

#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "buffer.h"
#include "hash.h"

typedef struct load_ctx {
  src_table *t;
  const char *prefix;
  cr_wdb *db;
  int failed;
  cr_error *err;
} load_ctx;

static int add_key(const char *key, size_t len, void *ctx) {
  load_ctx *lc = ctx;
  src_table *t = lc->t;
  size_t vlen;
  char *value;
  if (cr_wdb_get_metadata(lc->db, key, &value, &vlen, lc->err) != 0) {
    lc->failed = 1;
    return 1;
  }
  if (!value) return 0; /* a deleted key */
  if (CR_ARRAY_GROW(t->entries, t->n, t->cap) != 0) {
    free(value);
    cr_error_set(lc->err, CR_E_NOMEM, "out of memory");
    lc->failed = 1;
    return 1;
  }
  size_t plen = strlen(lc->prefix);
  if (!(t->entries[t->n].key = strndup(key + plen, len - plen))) {
    free(value);
    cr_error_set(lc->err, CR_E_NOMEM, "out of memory");
    lc->failed = 1;
    return 1;
  }
  t->entries[t->n].signature = value;
  t->n++;
  return 0;
}

static int by_key(const void *a, const void *b) {
  return strcmp(((const src_entry *)a)->key, ((const src_entry *)b)->key);
}

int src_table_load_prefix(src_table *t, cr_wdb *db, const char *prefix,
                          cr_error *err) {
  memset(t, 0, sizeof *t);
  load_ctx lc = {t, prefix, db, 0, err};
  if (cr_wdb_metadata_keys(db, prefix, add_key, &lc, err) < 0) return -1;
  if (t->n) qsort(t->entries, t->n, sizeof *t->entries, by_key);
  return lc.failed ? -1 : 0;
}

int src_table_load(src_table *t, cr_wdb *db, cr_error *err) {
  return src_table_load_prefix(t, db, SRC_META_PREFIX, err);
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

void src_signature(char *buf, size_t size, int64_t bytes, int64_t mtime_ns,
                   const char *hash) {
  snprintf(buf, size, "%" PRId64 ":%" PRId64 "%s%s", bytes, mtime_ns,
           hash ? ":" : "", hash ? hash : "");
}

bool src_content_hash(const char *path, char hash[17]) {
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static _Thread_local char buf[1 << 16];
  uint64_t h = CR_FNV1A64_INIT;
  ssize_t k;
  while ((k = read(fd, buf, sizeof buf)) > 0)
    h = cr_fnv1a64_add(h, buf, (size_t)k);
  close(fd);
  if (k < 0) return false;
  snprintf(hash, 17, "%016" PRIx64, h);
  return true;
}

/* The length of "<size>:<mtime>" in a signature. */
static size_t time_part(const char *sig) {
  const char *colon = strchr(sig, ':');
  const char *second = colon ? strchr(colon + 1, ':') : NULL;
  return second ? (size_t)(second - sig) : strlen(sig);
}

bool src_same_time(const char *known, const char *sig) {
  size_t n = time_part(known);
  return n == time_part(sig) && strncmp(known, sig, n) == 0;
}

bool src_same_bytes(const char *known, int64_t bytes, const char *hash) {
  if (!hash) return false;
  size_t n = time_part(known);
  char size[32];
  int len = snprintf(size, sizeof size, "%" PRId64 ":", bytes);
  size_t k = strlen(hash);
  return known[n] == ':' && strncmp(known + n + 1, hash, k) == 0 &&
         (known[n + 1 + k] == '\0' || known[n + 1 + k] == ':') &&
         strncmp(known, size, (size_t)len) == 0;
}

void src_signature_tag(char *buf, size_t size, const char *tag) {
  size_t n = strlen(buf);
  if (*tag && n < size) snprintf(buf + n, size - n, ":%s", tag);
}

bool src_same_tag(const char *known, const char *tag) {
  /* The tag is the fourth part: after size, time and hash. */
  const char *p = known;
  for (int i = 0; i < 3 && p; i++) {
    p = strchr(p, ':');
    if (p) p++;
  }
  return p ? strcmp(p, tag) == 0 : *tag == '\0';
}

bool src_appended(const char *known, const char *path, int64_t new_size,
                  int64_t *from, uint64_t *from_line) {
  /* "<size>:<mtime>:<hash>[:<tag>]" */
  char *end;
  long long size = strtoll(known, &end, 10);
  const char *colon = *end == ':' ? strchr(end + 1, ':') : NULL;
  if (!colon || size <= 0 || size >= new_size) return false;
  char want[17];
  if (strlen(colon + 1) < 16) return false;
  memcpy(want, colon + 1, 16);
  want[16] = '\0';
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  static _Thread_local char buf[1 << 16];
  uint64_t h = 0xcbf29ce484222325ULL, lines = 0;
  int64_t left = size;
  char last = 0;
  while (left > 0) {
    ssize_t k =
        read(fd, buf, left < (int64_t)sizeof buf ? (size_t)left : sizeof buf);
    if (k <= 0) break;
    for (ssize_t i = 0; i < k; i++) {
      h = (h ^ (unsigned char)buf[i]) * 0x100000001b3ULL;
      lines += buf[i] == '\n';
    }
    last = buf[k - 1];
    left -= k;
  }
  close(fd);
  char got[17];
  snprintf(got, sizeof got, "%016" PRIx64, h);
  if (left != 0 || last != '\n' || strcmp(got, want) != 0) return false;
  *from = size;
  *from_line = lines;
  return true;
}

void src_resume_mark(char *buf, size_t size, int64_t offset, uint64_t lines,
                     const char *signature) {
  snprintf(buf, size, "%" PRId64 ":%" PRIu64 ":%s", offset, lines, signature);
}

bool src_resume_point(const char *mark, const char *path, int64_t new_size,
                      const char *hash, const char *tag, int64_t *from,
                      uint64_t *from_line) {
  char *end;
  long long offset = strtoll(mark, &end, 10);
  if (end == mark || *end != ':' || offset <= 0) return false;
  const char *p = end + 1;
  unsigned long long lines = strtoull(p, &end, 10);
  if (end == p || *end != ':') return false;
  const char *sig = end + 1;
  long long sig_size = strtoll(sig, &end, 10);
  if (end == sig || *end != ':' || offset > sig_size) return false;
  if (!hash || !src_same_tag(sig, tag)) return false;
  int64_t ignored_from;
  uint64_t ignored_line;
  if (!src_same_bytes(sig, new_size, hash) &&
      !src_appended(sig, path, new_size, &ignored_from, &ignored_line))
    return false;
  *from = offset;
  *from_line = lines;
  return true;
}
