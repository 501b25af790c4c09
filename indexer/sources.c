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

/* xxhash.h's own code, inlined: no run-time library to depend on. */
#define XXH_INLINE_ALL
#include <xxhash.h>

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

void src_resume_mark(char *buf, size_t size, int64_t offset, uint64_t lines,
                     const char *signature) {
  snprintf(buf, size, "%" PRId64 ":%" PRIu64 ":%s", offset, lines, signature);
}

/* The parts of a mark "<offset>:<lines>:<signature>": false if it is
 * not one. */
static bool parse_mark(const char *mark, long long *offset,
                       unsigned long long *lines, const char **sig) {
  char *end;
  *offset = strtoll(mark, &end, 10);
  if (end == mark || *end != ':' || *offset <= 0) return false;
  const char *p = end + 1;
  *lines = strtoull(p, &end, 10);
  if (end == p || *end != ':') return false;
  *sig = end + 1;
  return true;
}

const char *src_mark_signature(const char *mark) {
  long long offset;
  unsigned long long lines;
  const char *sig;
  return parse_mark(mark, &offset, &lines, &sig) ? sig : NULL;
}

bool src_resume_point(const char *mark, const src_prior *as_read,
                      const char *tag, int64_t *from, uint64_t *from_line) {
  long long offset;
  unsigned long long lines;
  const char *sig;
  if (!parse_mark(mark, &offset, &lines, &sig) || as_read->size < 0 ||
      offset > as_read->size || !src_same_tag(sig, tag) ||
      !(as_read->same || as_read->grown))
    return false;
  *from = offset;
  *from_line = lines;
  return true;
}

/* ---- Reading a file's bytes once --------------------------------------- */

/* A signature's size and content hash (hash_len 0 when it has none). */
static bool parse_signature(const char *sig, int64_t *size, const char **hash,
                            size_t *hash_len) {
  char *end;
  long long n = strtoll(sig, &end, 10);
  if (end == sig || *end != ':' || n < 0) return false;
  *size = n;
  const char *colon = strchr(end + 1, ':'); /* after the time */
  *hash = colon ? colon + 1 : "";
  const char *after = strchr(*hash, ':');
  *hash_len = after ? (size_t)(after - *hash) : strlen(*hash);
  return true;
}

/* Content hashes: SRC_HASH_MARK and 16 hex digits of XXH3-64; indexes
 * from before hold 16 hex digits of FNV-1a 64, which ran at about 340 MB/s
 * here, over a dump twice for an append (2 GB: 11 s). */
#define SRC_HASH_MARK 'x'

static void format_xxh3(char out[SRC_HASH_SIZE], uint64_t h) {
  snprintf(out, SRC_HASH_SIZE, "%c%016" PRIx64, SRC_HASH_MARK, h);
}

static void format_fnv(char out[SRC_HASH_SIZE], uint64_t h) {
  snprintf(out, SRC_HASH_SIZE, "%016" PRIx64, h);
}

static bool is_fnv(const char *hash, size_t len) {
  return len == 16 && hash[0] != SRC_HASH_MARK;
}

/* Where one prior's size falls in the file: the hashes of the bytes
 * before it, their lines and last byte. */
typedef struct cut {
  src_prior *p;
  const char *hash; /* the prior's, and its kind */
  size_t hash_len;
  bool fnv;
  bool reached;
  char before[SRC_HASH_SIZE]; /* the hash, in the prior's kind, of the
                                 bytes before its size */
  uint64_t lines;
  char last;
} cut;

/* The read so far: at bytes, their hashes and the lines among them. */
typedef struct reading {
  XXH3_state_t *x;
  uint64_t fnv; /* kept only when a prior holds an FNV-1a hash */
  bool want_fnv;
  int64_t at;
  uint64_t lines; /* up to the largest cut */
  int64_t count_to;
} reading;

static void take(reading *r, const char *b, size_t n) {
  XXH3_64bits_update(r->x, b, n);
  if (r->want_fnv) r->fnv = cr_fnv1a64_add(r->fnv, b, n);
  if (r->at < r->count_to) {
    size_t m =
        r->count_to - r->at < (int64_t)n ? (size_t)(r->count_to - r->at) : n;
    for (const char *q = b; (q = memchr(q, '\n', (size_t)(b + m - q))); q++)
      r->lines++;
  }
  r->at += (int64_t)n;
}

bool src_read_file(const char *path, char hash[SRC_HASH_SIZE],
                   src_prior *priors, size_t n) {
  cut cuts[SRC_MAX_PRIORS];
  size_t n_cuts = 0;
  reading r = {.fnv = CR_FNV1A64_INIT};
  for (size_t i = 0; i < n; i++) {
    src_prior *p = &priors[i];
    p->size = -1;
    p->same = p->grown = false;
    p->lines = 0;
    const char *h;
    size_t hl;
    if (!p->signature || n_cuts == SRC_MAX_PRIORS ||
        !parse_signature(p->signature, &p->size, &h, &hl) || hl == 0)
      continue;
    cuts[n_cuts] =
        (cut){.p = p, .hash = h, .hash_len = hl, .fnv = is_fnv(h, hl)};
    r.want_fnv |= cuts[n_cuts].fnv;
    if (p->size > r.count_to) r.count_to = p->size;
    n_cuts++;
  }
  int fd = open(path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  if (!(r.x = XXH3_createState()) || XXH3_64bits_reset(r.x) == XXH_ERROR) {
    XXH3_freeState(r.x);
    close(fd);
    return false;
  }
  static _Thread_local char buf[1 << 16];
  ssize_t k;
  while ((k = read(fd, buf, sizeof buf)) > 0) {
    size_t done = 0;
    /* Stops at each prior's size on the way: the hash of the bytes
     * before it is the hash so far. */
    for (;;) {
      int64_t next = -1;
      for (size_t c = 0; c < n_cuts; c++) {
        int64_t s = cuts[c].p->size;
        if (!cuts[c].reached && s > r.at && s <= r.at + (int64_t)(k - done) &&
            (next < 0 || s < next))
          next = s;
      }
      size_t step = next < 0 ? (size_t)k - done : (size_t)(next - r.at);
      take(&r, buf + done, step);
      done += step;
      for (size_t c = 0; next >= 0 && c < n_cuts; c++)
        if (!cuts[c].reached && cuts[c].p->size == r.at) {
          cuts[c].reached = true;
          if (cuts[c].fnv)
            format_fnv(cuts[c].before, r.fnv);
          else
            format_xxh3(cuts[c].before, XXH3_64bits_digest(r.x));
          cuts[c].lines = r.lines;
          cuts[c].last = buf[done - 1];
        }
      if (next < 0) break;
    }
  }
  close(fd);
  bool ok = k == 0;
  if (ok) {
    format_xxh3(hash, XXH3_64bits_digest(r.x));
    char whole_fnv[SRC_HASH_SIZE];
    format_fnv(whole_fnv, r.fnv);
    for (size_t c = 0; c < n_cuts; c++) {
      cut *t = &cuts[c];
      const char *whole = t->fnv ? whole_fnv : hash;
      t->p->same = t->p->size == r.at && strlen(whole) == t->hash_len &&
                   memcmp(whole, t->hash, t->hash_len) == 0;
      t->p->grown = t->reached && t->p->size > 0 && t->p->size < r.at &&
                    t->last == '\n' && strlen(t->before) == t->hash_len &&
                    memcmp(t->before, t->hash, t->hash_len) == 0;
      if (t->p->grown) t->p->lines = t->lines;
    }
  }
  XXH3_freeState(r.x);
  return ok;
}
