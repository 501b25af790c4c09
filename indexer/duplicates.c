/* duplicates.c — near-duplicate groups (see duplicates.h). */
#include "duplicates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "minhash.h"
#include "schema.h"

/* A band's value and the article it came from, sorted so that equal
 * bands sit side by side. */
typedef struct band_entry {
  uint32_t key, doc;
} band_entry;

static int by_key(const void *a, const void *b) {
  const band_entry *x = a, *y = b;
  if (x->key != y->key) return x->key < y->key ? -1 : 1;
  return x->doc < y->doc ? -1 : x->doc > y->doc;
}

/* A run of identical bands this long is junk (boilerplate repeated
 * thousands of times) rather than news: its pairs are not compared. */
#define MAX_BUCKET 2000

/* Each pair is reported once: at the first band where the two agree. */
static bool met_earlier(const uint8_t *sa, const uint8_t *sb, unsigned band) {
  for (unsigned e = 0; e < band; e++)
    if (cr_minhash_band(sa, e) == cr_minhash_band(sb, e)) return true;
  return false;
}

int dup_find_pairs(const uint8_t *sigs, uint32_t n, double threshold,
                   dup_pair_fn fn, void *ctx) {
  if (n < 2) return 0;
  band_entry *e = malloc((size_t)n * sizeof *e);
  if (!e) return -1;
  int rc = 0;
  for (unsigned band = 0; band < CR_MINHASH_BANDS && !rc; band++) {
    for (uint32_t i = 0; i < n; i++)
      e[i] = (band_entry){
          cr_minhash_band(sigs + (size_t)i * CR_MINHASH_K, band), i};
    qsort(e, n, sizeof *e, by_key);
    for (uint32_t lo = 0, hi; lo < n && !rc; lo = hi) {
      for (hi = lo + 1; hi < n && e[hi].key == e[lo].key; hi++) {
      }
      if (hi - lo > MAX_BUCKET) continue;
      for (uint32_t x = lo; x < hi && !rc; x++)
        for (uint32_t y = x + 1; y < hi && !rc; y++) {
          const uint8_t *sa = sigs + (size_t)e[x].doc * CR_MINHASH_K;
          const uint8_t *sb = sigs + (size_t)e[y].doc * CR_MINHASH_K;
          if (met_earlier(sa, sb, band)) continue;
          double sim = cr_minhash_similarity(sa, sb);
          if (sim >= threshold) rc = fn(e[x].doc, e[y].doc, sim, ctx);
        }
    }
  }
  free(e);
  return rc;
}

/* ---- The pass over an index ------------------------------------------ */

/* The signed articles of every shard, shard by shard, in docid order. */
typedef struct signed_docs {
  cr_docid *ids;
  uint16_t *shard;
  uint8_t *sigs;
  uint32_t n, cap;
  uint16_t current; /* the shard being read */
  bool oom;
} signed_docs;

static int collect_signature(cr_docid id, const char *v, size_t len,
                             void *ctx) {
  signed_docs *s = ctx;
  if (len != CR_MINHASH_K) return 0; /* not a signature we can read */
  if (s->n == s->cap) {
    uint32_t cap = s->cap ? s->cap * 2 : 1024;
    cr_docid *ids = realloc(s->ids, cap * sizeof *ids);
    if (ids) s->ids = ids;
    uint16_t *shard = realloc(s->shard, cap * sizeof *shard);
    if (shard) s->shard = shard;
    uint8_t *sigs = realloc(s->sigs, (size_t)cap * CR_MINHASH_K);
    if (sigs) s->sigs = sigs;
    if (!ids || !shard || !sigs) {
      s->oom = true;
      return 1;
    }
    s->cap = cap;
  }
  s->ids[s->n] = id;
  s->shard[s->n] = s->current;
  memcpy(s->sigs + (size_t)s->n * CR_MINHASH_K, v, CR_MINHASH_K);
  s->n++;
  return 0;
}

/* Union-find over the signed articles, by index. */
static uint32_t find(uint32_t *parent, uint32_t i) {
  while (parent[i] != i) {
    parent[i] = parent[parent[i]];
    i = parent[i];
  }
  return i;
}

static int join(uint32_t a, uint32_t b, double similarity, void *ctx) {
  (void)similarity;
  uint32_t *parent = ctx;
  uint32_t ra = find(parent, a), rb = find(parent, b);
  /* The first article read stays the root: its id is the group's key. */
  if (ra < rb)
    parent[rb] = ra;
  else if (rb < ra)
    parent[ra] = rb;
  return 0;
}

/* The keys one shard holds now, so unchanged ones are not rewritten. */
typedef struct stored_key {
  cr_docid id;
  char *key;
} stored_key;

typedef struct stored_keys {
  stored_key *k;
  uint32_t n, cap;
  bool oom;
} stored_keys;

static int collect_key(cr_docid id, const char *v, size_t len, void *ctx) {
  stored_keys *s = ctx;
  if (s->n == s->cap) {
    uint32_t cap = s->cap ? s->cap * 2 : 256;
    stored_key *k = realloc(s->k, cap * sizeof *k);
    if (!k) {
      s->oom = true;
      return 1;
    }
    s->k = k;
    s->cap = cap;
  }
  char *key = strndup(v, len);
  if (!key) {
    s->oom = true;
    return 1;
  }
  s->k[s->n++] = (stored_key){id, key};
  return 0;
}

static void stored_keys_free(stored_keys *s) {
  for (uint32_t i = 0; i < s->n; i++)
    free(s->k[i].key);
  free(s->k);
  memset(s, 0, sizeof *s);
}

/* A group's key: the article id of its root, from the root's card. NULL
 * with err filled when the card cannot be read or memory ran out. */
static char *group_key(cr_wdb *db, cr_docid id, cr_error *err) {
  size_t len = 0;
  char *card;
  if (cr_wdb_doc_value(db, id, CR_SLOT_CARD, &card, &len, err) != 0)
    return NULL;
  cr_stored st;
  cr_error perr;
  char *key = NULL;
  if (card && cr_stored_parse(card, len, &st, &perr) == 0) {
    if (st.id) key = strdup(st.id);
    cr_stored_free(&st);
  }
  free(card);
  if (!key) { /* no readable id: the docid still tells groups apart */
    key = malloc(16);
    if (key) snprintf(key, 16, "#%u", (unsigned)id);
  }
  if (!key) cr_error_set(err, CR_E_NOMEM, "out of memory");
  return key;
}

/* Sets doc's key (or removes it with "") unless it is already that. */
static int update_key(cr_wdb *db, cr_docid id, const char *key, const char *old,
                      dup_stats *stats, cr_error *err) {
  if (strcmp(key, old) == 0) return 0;
  stats->rewritten++;
  return cr_wdb_set_doc_value(db, id, CR_SLOT_CLUSTER, key, strlen(key), err);
}

/* Writes the keys of shard sh: signed articles [from, to) and those that
 * had a key. */
static int write_shard_keys(cr_wdb *db, const signed_docs *s, uint32_t from,
                            uint32_t to, uint32_t *parent, char **keys,
                            dup_stats *stats, cr_error *err) {
  stored_keys old = {0};
  int got = cr_wdb_values(db, CR_SLOT_CLUSTER, collect_key, &old, err);
  if (got != 0) {
    if (got > 0) cr_error_set(err, CR_E_NOMEM, "out of memory");
    stored_keys_free(&old);
    return -1;
  }
  int rc = 0;
  uint32_t k = 0; /* both lists are in docid order: walk them together */
  for (uint32_t i = from; i < to && !rc; i++) {
    for (; k < old.n && old.k[k].id < s->ids[i] && !rc; k++) /* unsigned now */
      rc = update_key(db, old.k[k].id, "", old.k[k].key, stats, err);
    const char *was =
        k < old.n && old.k[k].id == s->ids[i] ? old.k[k++].key : "";
    const char *key = keys[find(parent, i)];
    if (!rc) rc = update_key(db, s->ids[i], key ? key : "", was, stats, err);
  }
  for (; k < old.n && !rc; k++)
    rc = update_key(db, old.k[k].id, "", old.k[k].key, stats, err);
  stored_keys_free(&old);
  return rc;
}

int dup_assign_groups(cr_wdb *const *dbs, size_t n_dbs, double threshold,
                      dup_stats *stats, cr_error *err) {
  memset(stats, 0, sizeof *stats);
  signed_docs s = {0};
  uint32_t *parent = NULL, *size = NULL;
  char **keys = NULL;
  int rc = -1;
  for (size_t d = 0; d < n_dbs; d++) {
    s.current = (uint16_t)d;
    int got =
        cr_wdb_values(dbs[d], CR_SLOT_MINHASH, collect_signature, &s, err);
    if (got != 0) {
      if (got > 0) cr_error_set(err, CR_E_NOMEM, "out of memory");
      goto done;
    }
  }
  stats->signed_docs = s.n;
  parent = malloc(((size_t)s.n + 1) * sizeof *parent);
  size = calloc((size_t)s.n + 1, sizeof *size);
  keys = calloc((size_t)s.n + 1, sizeof *keys);
  if (!parent || !size || !keys) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    goto done;
  }
  for (uint32_t i = 0; i < s.n; i++)
    parent[i] = i;
  if (dup_find_pairs(s.sigs, s.n, threshold, join, parent) != 0) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    goto done;
  }
  for (uint32_t i = 0; i < s.n; i++)
    size[find(parent, i)]++;
  for (uint32_t i = 0; i < s.n; i++) {
    if (size[i] < 2) continue; /* not a root, or alone */
    stats->groups++;
    stats->grouped_docs += size[i];
    if (!(keys[i] = group_key(dbs[s.shard[i]], s.ids[i], err))) goto done;
  }
  /* Every shard is visited: one with no signature left still loses its
   * old keys. */
  for (uint32_t d = 0, from = 0; d < n_dbs; d++) {
    uint32_t to = from;
    while (to < s.n && s.shard[to] == d)
      to++;
    if (write_shard_keys(dbs[d], &s, from, to, parent, keys, stats, err))
      goto done;
    from = to;
  }
  rc = 0;
done:
  if (keys)
    for (uint32_t i = 0; i < s.n; i++)
      free(keys[i]);
  free(keys);
  free(s.ids);
  free(s.shard);
  free(s.sigs);
  free(parent);
  free(size);
  return rc;
}
