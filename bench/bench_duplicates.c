/* bench_duplicates.c — near-duplicate detection against DICE's own pairs.
 *
 *   bench_duplicates measure GOLD.csv INDEX...
 *   bench_duplicates strip INDEX
 *
 * measure: reads every document's id (its card, CR_SLOT_CARD) and MinHash
 * signature (CR_SLOT_MINHASH) from the index, keeps the DICE articles (id
 * "N" or "dice-N", N a number: the "id" of the DICE JSON lines; other
 * documents are ignored), and for each threshold of THRESHOLDS runs
 * dup_find_pairs over all signatures (as the indexer does) and scores the
 * pairs between two DICE articles against GOLD.csv (DICE's duplicate.csv:
 * id_news1,id_news2,algorithm,similarity_score). The gold pairs counted
 * are those whose two ids are both indexed. It also scores the pairs the
 * stored groups imply (CR_SLOT_CLUSTER: every pair within a group), and
 * times the duplicate pass: reading the signatures, and dup_find_pairs at
 * DUP_DEFAULT_THRESHOLD (median of TIMING_RUNS). Prints one JSON object.
 *
 * strip: on a throw-away copy of an index, times dup_assign_groups at the
 * default threshold (the indexer's whole pass; keys already right are not
 * rewritten), then removes every signature so that the caller can compare
 * compacted sizes with and without them. Prints one JSON object.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "duplicates.h"
#include "minhash.h"
#include "schema.h"
#include "xapian_c.h"

static const double THRESHOLDS[] = {0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9};
#define N_THRESHOLDS (sizeof THRESHOLDS / sizeof THRESHOLDS[0])
#define TIMING_RUNS 5
#define NOT_DICE INT64_C(-1)

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* A growable array of 64-bit numbers. */
typedef struct u64s {
  uint64_t *a;   /* the numbers */
  size_t n, cap; /* count and capacity */
} u64s;

static int u64s_push(u64s *v, uint64_t x) {
  if (v->n == v->cap) {
    size_t cap = v->cap ? 2 * v->cap : 1024;
    uint64_t *a = realloc(v->a, cap * sizeof *a);
    if (!a) return -1;
    v->a = a;
    v->cap = cap;
  }
  v->a[v->n++] = x;
  return 0;
}

static int cmp_u64(const void *a, const void *b) {
  uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
  return x < y ? -1 : x > y;
}

/* Sorts and removes repeats. */
static void u64s_unique(u64s *v) {
  if (!v->n) return;
  qsort(v->a, v->n, sizeof *v->a, cmp_u64);
  size_t k = 1;
  for (size_t i = 1; i < v->n; i++)
    if (v->a[i] != v->a[k - 1]) v->a[k++] = v->a[i];
  v->n = k;
}

static int u64s_has(const u64s *v, uint64_t x) {
  return v->n && bsearch(&x, v->a, v->n, sizeof x, cmp_u64) != NULL;
}

/* A pair of DICE ids as one number, smaller id first. */
static uint64_t pair_key(uint32_t a, uint32_t b) {
  if (a > b) {
    uint32_t t = a;
    a = b;
    b = t;
  }
  return (uint64_t)a << 32 | b;
}

/* The DICE id of a document id ("305" or "dice-305"), or NOT_DICE. */
static int64_t dice_id(const char *id) {
  if (!id) return NOT_DICE;
  if (strncmp(id, "dice-", 5) == 0) id += 5;
  if (!*id || strlen(id) > 9) return NOT_DICE;
  for (const char *p = id; *p; p++)
    if (*p < '0' || *p > '9') return NOT_DICE;
  return strtoll(id, NULL, 10);
}

/* Precision and recall of found pairs against gold pairs (both sorted,
 * unique); tp gets the pairs found that are gold. 0 found gives precision
 * 0, 0 gold recall 0. */
typedef struct pr {
  size_t found, gold, tp; /* pairs found, gold pairs, found and gold */
  double precision, recall;
} pr;

static pr score_pairs(const u64s *found, const u64s *gold) {
  pr r = {found->n, gold->n, 0, 0, 0};
  for (size_t i = 0; i < found->n; i++)
    if (u64s_has(gold, found->a[i])) r.tp++;
  r.precision = r.found ? (double)r.tp / r.found : 0;
  r.recall = r.gold ? (double)r.tp / r.gold : 0;
  return r;
}

/* ---- What is read from the index ------------------------------------- */

/* The DICE id of every document, in docid order. */
typedef struct id_map {
  cr_docid *doc; /* docids, ascending */
  int64_t *dice; /* their DICE ids, or NOT_DICE */
  size_t n, cap; /* count and capacity */
  size_t n_dice; /* documents that are DICE articles */
  int bad_cards; /* cards that would not parse */
} id_map;

static int collect_id(cr_docid id, const char *v, size_t len, void *ctx) {
  id_map *m = ctx;
  cr_stored st;
  cr_error err;
  int64_t d = NOT_DICE;
  if (cr_stored_parse(v, len, &st, &err) == 0) {
    d = dice_id(st.id);
    cr_stored_free(&st);
  } else {
    m->bad_cards++;
  }
  if (m->n == m->cap) {
    size_t cap = m->cap ? 2 * m->cap : 1024;
    cr_docid *doc = realloc(m->doc, cap * sizeof *doc);
    if (!doc) return 1;
    m->doc = doc;
    int64_t *dice = realloc(m->dice, cap * sizeof *dice);
    if (!dice) return 1;
    m->dice = dice;
    m->cap = cap;
  }
  m->doc[m->n] = id;
  m->dice[m->n++] = d;
  if (d != NOT_DICE) m->n_dice++;
  return 0;
}

static int64_t lookup(const id_map *m, cr_docid id) {
  size_t lo = 0, hi = m->n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (m->doc[mid] < id)
      lo = mid + 1;
    else
      hi = mid;
  }
  return lo < m->n && m->doc[lo] == id ? m->dice[lo] : NOT_DICE;
}

/* Every signature, with its document's DICE id. */
typedef struct sig_set {
  const id_map *ids; /* to name the documents */
  uint8_t *sigs;     /* n * CR_MINHASH_K bytes */
  int64_t *dice;     /* DICE id of each, or NOT_DICE */
  uint32_t n, cap;   /* count and capacity */
  uint32_t n_dice;   /* signatures of DICE articles */
} sig_set;

static int collect_sig(cr_docid id, const char *v, size_t len, void *ctx) {
  sig_set *s = ctx;
  if (len != CR_MINHASH_K) return 0;
  if (s->n == s->cap) {
    uint32_t cap = s->cap ? 2 * s->cap : 1024;
    uint8_t *sigs = realloc(s->sigs, (size_t)cap * CR_MINHASH_K);
    if (!sigs) return 1;
    s->sigs = sigs;
    int64_t *dice = realloc(s->dice, cap * sizeof *dice);
    if (!dice) return 1;
    s->dice = dice;
    s->cap = cap;
  }
  memcpy(s->sigs + (size_t)s->n * CR_MINHASH_K, v, CR_MINHASH_K);
  s->dice[s->n] = lookup(s->ids, id);
  if (s->dice[s->n] != NOT_DICE) s->n_dice++;
  s->n++;
  return 0;
}

/* dup_find_pairs callbacks: keep the DICE pairs; only count. */
typedef struct pair_sink {
  const sig_set *s;
  u64s pairs;
  int oom;
} pair_sink;

static int keep_dice_pair(uint32_t a, uint32_t b, double sim, void *ctx) {
  (void)sim;
  pair_sink *k = ctx;
  int64_t da = k->s->dice[a], db = k->s->dice[b];
  if (da == NOT_DICE || db == NOT_DICE) return 0;
  if (u64s_push(&k->pairs, pair_key((uint32_t)da, (uint32_t)db))) {
    k->oom = 1;
    return 1;
  }
  return 0;
}

static int count_pair(uint32_t a, uint32_t b, double sim, void *ctx) {
  (void)a, (void)b, (void)sim;
  ++*(size_t *)ctx;
  return 0;
}

/* The stored groups: (key, DICE id) of every DICE article with a key. */
typedef struct member {
  char *key;
  uint32_t dice;
} member;

typedef struct groups {
  const id_map *ids;
  member *m;
  size_t n, cap;
  size_t n_keyed; /* documents with a key, DICE or not */
  int oom;
} groups;

static int collect_group(cr_docid id, const char *v, size_t len, void *ctx) {
  groups *g = ctx;
  if (!len) return 0;
  g->n_keyed++;
  int64_t d = lookup(g->ids, id);
  if (d == NOT_DICE) return 0;
  if (g->n == g->cap) {
    size_t cap = g->cap ? 2 * g->cap : 256;
    member *m = realloc(g->m, cap * sizeof *m);
    if (!m) goto oom;
    g->m = m;
    g->cap = cap;
  }
  if (!(g->m[g->n].key = strndup(v, len))) goto oom;
  g->m[g->n++].dice = (uint32_t)d;
  return 0;
oom:
  g->oom = 1;
  return 1;
}

static int by_key(const void *a, const void *b) {
  return strcmp(((const member *)a)->key, ((const member *)b)->key);
}

/* ---- The modes --------------------------------------------------------- */

static int read_gold(const char *path, u64s *gold) {
  FILE *f = fopen(path, "r");
  if (!f) {
    perror(path);
    return -1;
  }
  char line[512];
  int rc = 0;
  while (fgets(line, sizeof line, f)) {
    unsigned long a, b;
    if (sscanf(line, "%lu,%lu", &a, &b) != 2) continue; /* the header */
    if (a == b) continue;
    if (u64s_push(gold, pair_key((uint32_t)a, (uint32_t)b))) {
      rc = -1;
      break;
    }
  }
  fclose(f);
  u64s_unique(gold);
  return rc;
}

static void print_pr(const char *name, pr r) {
  printf("\"%s\": {\"found\": %zu, \"tp\": %zu, \"gold\": %zu, "
         "\"precision\": %.4f, \"recall\": %.4f}",
         name, r.found, r.tp, r.gold, r.precision, r.recall);
}

static int measure(const char *gold_path, const char *const *paths,
                   size_t n_paths) {
  u64s gold_all = {0}, gold = {0}, universe = {0}, signed_ids = {0};
  id_map ids = {0};
  sig_set s = {.ids = &ids};
  groups g = {.ids = &ids};
  cr_error err;
  int rc = 1;
  if (read_gold(gold_path, &gold_all)) goto done;
  cr_rdb *db = cr_rdb_open(paths, n_paths, &err);
  if (!db) {
    fprintf(stderr, "bench_duplicates: %s\n", err.message);
    goto done;
  }
  int r1 = cr_rdb_values(db, CR_SLOT_CARD, collect_id, &ids, &err);
  double t0 = now_ms();
  int r2 = r1 ? r1 : cr_rdb_values(db, CR_SLOT_MINHASH, collect_sig, &s, &err);
  double read_ms = now_ms() - t0;
  int r3 =
      r2 ? r2 : cr_rdb_values(db, CR_SLOT_CLUSTER, collect_group, &g, &err);
  cr_rdb_close(db);
  if (r1 || r2 || r3) {
    fprintf(stderr, "bench_duplicates: cannot read the index's values\n");
    goto done;
  }

  /* The gold pairs whose two articles are indexed. */
  for (size_t i = 0; i < ids.n; i++)
    if (ids.dice[i] != NOT_DICE && u64s_push(&universe, (uint64_t)ids.dice[i]))
      goto done;
  for (uint32_t i = 0; i < s.n; i++)
    if (s.dice[i] != NOT_DICE && u64s_push(&signed_ids, (uint64_t)s.dice[i]))
      goto done;
  u64s_unique(&universe);
  u64s_unique(&signed_ids);
  size_t gold_signed = 0;
  for (size_t i = 0; i < gold_all.n; i++) {
    uint64_t a = gold_all.a[i] >> 32, b = gold_all.a[i] & 0xffffffffu;
    if (u64s_has(&universe, a) && u64s_has(&universe, b) &&
        u64s_push(&gold, gold_all.a[i]))
      goto done;
    if (u64s_has(&signed_ids, a) && u64s_has(&signed_ids, b)) gold_signed++;
  }

  printf("{\"documents\": %zu, \"dice_documents\": %zu, \"signed\": %" PRIu32
         ", \"dice_signed\": %" PRIu32 ", \"signature_bytes\": %d, "
         "\"gold_pairs_file\": %zu, \"gold_pairs_indexed\": %zu, "
         "\"gold_pairs_signed\": %zu, \"default_threshold\": %.2f,\n",
         ids.n, ids.n_dice, s.n, s.n_dice, CR_MINHASH_K, gold_all.n, gold.n,
         gold_signed, DUP_DEFAULT_THRESHOLD);
  printf(" \"thresholds\": [\n");
  for (size_t t = 0; t < N_THRESHOLDS; t++) {
    pair_sink k = {.s = &s};
    if (dup_find_pairs(s.sigs, s.n, THRESHOLDS[t], keep_dice_pair, &k) ||
        k.oom) {
      fprintf(stderr, "bench_duplicates: out of memory\n");
      free(k.pairs.a);
      goto done;
    }
    u64s_unique(&k.pairs);
    pr r = score_pairs(&k.pairs, &gold);
    printf("  {\"threshold\": %.2f, ", THRESHOLDS[t]);
    print_pr("pairs", r);
    printf("}%s\n", t + 1 < N_THRESHOLDS ? "," : "");
    free(k.pairs.a);
  }
  printf(" ],\n");

  /* Pairs within each stored group (DICE members only). */
  u64s implied = {0};
  size_t n_groups = 0, n_dice_groups = 0, largest = 0;
  if (g.oom) goto done;
  if (g.n) qsort(g.m, g.n, sizeof *g.m, by_key);
  for (size_t lo = 0, hi; lo < g.n; lo = hi) {
    for (hi = lo + 1; hi < g.n && strcmp(g.m[hi].key, g.m[lo].key) == 0; hi++) {
    }
    if (hi - lo >= 2) n_dice_groups++;
    if (hi - lo > largest) largest = hi - lo;
    for (size_t x = lo; x < hi; x++)
      for (size_t y = x + 1; y < hi; y++)
        if (u64s_push(&implied, pair_key(g.m[x].dice, g.m[y].dice))) {
          free(implied.a);
          goto done;
        }
  }
  /* (Groups over all documents are counted by `strip`, from the pass.) */
  n_groups = n_dice_groups;
  u64s_unique(&implied);
  pr gr = score_pairs(&implied, &gold);
  printf(" \"groups\": {\"keyed_documents\": %zu, \"dice_keyed\": %zu, "
         "\"dice_groups\": %zu, \"largest_dice_group\": %zu, ",
         g.n_keyed, g.n, n_groups, largest);
  print_pr("pairs", gr);
  printf("},\n");
  free(implied.a);

  /* The cost: dup_find_pairs at the default threshold, as the indexer runs
   * it, over every signature. */
  double runs[TIMING_RUNS];
  size_t n_pairs = 0;
  for (int i = 0; i < TIMING_RUNS; i++) {
    n_pairs = 0;
    double t = now_ms();
    dup_find_pairs(s.sigs, s.n, DUP_DEFAULT_THRESHOLD, count_pair, &n_pairs);
    runs[i] = now_ms() - t;
  }
  for (int i = 1; i < TIMING_RUNS; i++) /* insertion sort: 5 values */
    for (int j = i; j > 0 && runs[j] < runs[j - 1]; j--) {
      double x = runs[j];
      runs[j] = runs[j - 1];
      runs[j - 1] = x;
    }
  printf(" \"cost\": {\"read_signatures_ms\": %.2f, \"find_pairs_ms\": %.2f, "
         "\"find_pairs_runs\": %d, \"pairs_all_documents\": %zu, "
         "\"signature_value_bytes\": %zu}}\n",
         read_ms, runs[TIMING_RUNS / 2], TIMING_RUNS, n_pairs,
         (size_t)s.n * CR_MINHASH_K);
  rc = 0;
done:
  for (size_t i = 0; i < g.n; i++)
    free(g.m[i].key);
  free(g.m);
  free(gold_all.a);
  free(gold.a);
  free(universe.a);
  free(signed_ids.a);
  free(ids.doc);
  free(ids.dice);
  free(s.sigs);
  free(s.dice);
  return rc;
}

/* The docids that carry a signature. */
static int collect_docid(cr_docid id, const char *v, size_t len, void *ctx) {
  (void)v, (void)len;
  return u64s_push(ctx, id) ? 1 : 0;
}

static int strip(const char *path) {
  cr_error err;
  cr_wdb *db = cr_wdb_open(path, CR_WDB_OPEN, &err);
  if (!db) {
    fprintf(stderr, "bench_duplicates: %s\n", err.message);
    return 1;
  }
  dup_stats st;
  double t = now_ms();
  int rc = dup_assign_groups(&db, 1, DUP_DEFAULT_THRESHOLD, &st, &err);
  double assign_ms = now_ms() - t;
  if (rc == 0) rc = cr_wdb_commit(db, &err);
  u64s docs = {0};
  if (rc == 0 &&
      cr_wdb_values(db, CR_SLOT_MINHASH, collect_docid, &docs, &err)) {
    cr_error_set(&err, CR_E_IO, "cannot read the signatures");
    rc = -1;
  }
  for (size_t i = 0; i < docs.n && rc == 0; i++)
    rc = cr_wdb_set_doc_value(db, (cr_docid)docs.a[i], CR_SLOT_MINHASH, "", 0,
                              &err);
  size_t n_stripped = docs.n;
  free(docs.a);
  if (cr_wdb_close(db, rc == 0 ? &err : NULL) != 0) rc = -1;
  if (rc != 0) {
    fprintf(stderr, "bench_duplicates: %s\n", err.message);
    return 1;
  }
  printf("{\"assign_groups_ms\": %.2f, \"signed\": %" PRIu32
         ", \"groups\": %" PRIu32 ", \"grouped\": %" PRIu32
         ", \"rewritten\": %" PRIu32 ", \"stripped\": %zu}\n",
         assign_ms, st.signed_docs, st.groups, st.grouped_docs, st.rewritten,
         n_stripped);
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 4 && strcmp(argv[1], "measure") == 0)
    return measure(argv[2], (const char *const *)argv + 3, (size_t)argc - 3);
  if (argc == 3 && strcmp(argv[1], "strip") == 0) return strip(argv[2]);
  fprintf(stderr,
          "usage: bench_duplicates measure GOLD.csv INDEX...\n"
          "       bench_duplicates strip INDEX   (a throw-away copy)\n");
  return 2;
}
