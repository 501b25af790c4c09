/* rerank.c — the proximity bonus and the reordering of the best hits. */
#include "rerank.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "schema.h"

sr_rerank_opts sr_rerank_opts_default(void) {
  /* Dev half of SQuAD-it: MRR@10 0.796 -> 0.811 reordering the top 10,
   * 0.813 the top 20; over impacts (layout 6) 0.8108 and 0.8122. Each hit
   * costs its words' position reads (about 3 us once term lists are not
   * read: 952 questions 1.65 G instructions at 10, 1.97 G at 20, against
   * 2.13 G at 10 with them), so 20 (30: +0.0001). A window of 16 positions
   * is about a clause: with quotes loosened (quotes.h), window 12 and
   * weight 1.0 gave 0.8128, 16 and 1.25 0.8142, its neighbours 14 and 18
   * 0.8136 and 0.8145, weight 1.0 or 1.5 0.813, pair weight 0.25 0.8123;
   * windows of 8 to 24 and weights 0.5 to 1.5 all land within 0.005. */
  return (sr_rerank_opts){.depth = 20,
                          .window = 16,
                          .window_weight = 1.25,
                          .pair_weight = 0.5,
                          .list_max = SR_RERANK_LIST_MAX};
}

double sr_rerank_idf(uint32_t n, uint32_t N) {
  if (n == 0 || 2 * (uint64_t)n >= N) return 0;
  return log((N - n + 0.5) / (n + 0.5));
}

/* One occurrence of a distinct word. */
typedef struct rr_event {
  uint32_t pos;  /* its position in the document */
  unsigned word; /* which distinct word (index of its first occurrence) */
} rr_event;

static int by_position(const void *a, const void *b) {
  const rr_event *x = a, *y = b;
  return (x->pos > y->pos) - (x->pos < y->pos);
}

/* Index of the first word with w[i]'s term. */
static size_t first_of(const sr_rr_word *w, size_t i) {
  size_t k = 0;
  while (strcmp(w[k].term, w[i].term) != 0)
    k++;
  return k;
}

/* The largest idf sum of distinct words within `window` consecutive
 * positions. ev (n_ev events) is scratch space for every occurrence. */
static double best_window(const sr_rr_word *w, size_t n, unsigned window,
                          rr_event *ev) {
  size_t n_ev = 0;
  unsigned count[SR_RERANK_MAX_WORDS] = {0};
  for (size_t i = 0; i < n; i++) {
    if (first_of(w, i) != i) continue; /* a repeat: counted once */
    for (size_t k = 0; k < w[i].n_pos; k++)
      ev[n_ev++] = (rr_event){w[i].pos[k], (unsigned)i};
  }
  qsort(ev, n_ev, sizeof *ev, by_position);
  if (window < 1) window = 1;
  /* Slides a window ending at each occurrence in turn: ev[j..i] are the
   * occurrences within it, count[] how many of each word it holds. */
  double sum = 0, best = 0;
  for (size_t i = 0, j = 0; i < n_ev; i++) {
    if (count[ev[i].word]++ == 0) sum += w[ev[i].word].idf;
    for (; (uint64_t)ev[j].pos + window <= ev[i].pos; j++)
      if (--count[ev[j].word] == 0) sum -= w[ev[j].word].idf;
    if (sum > best) best = sum;
  }
  return best;
}

/* True if some occurrence of b follows one of a by 1 to lim positions. */
static bool in_order(const sr_rr_word *a, const sr_rr_word *b, uint32_t lim) {
  size_t j = 0;
  for (size_t i = 0; i < a->n_pos; i++) {
    while (j < b->n_pos && b->pos[j] <= a->pos[i])
      j++;
    if (j == b->n_pos) return false;
    if (b->pos[j] - a->pos[i] <= lim) return true;
  }
  return false;
}

/* The idf of query neighbours the document has in the same order, as
 * close as in the query give or take two positions (stop words between
 * them, a word inserted). */
static double ordered_pairs(const sr_rr_word *w, size_t n) {
  double sum = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    const sr_rr_word *a = &w[i], *b = &w[i + 1];
    if (strcmp(a->term, b->term) == 0 || !a->n_pos || !b->n_pos) continue;
    uint32_t gap = b->qpos > a->qpos ? b->qpos - a->qpos : 1;
    if (in_order(a, b, gap + 2)) sum += a->idf < b->idf ? a->idf : b->idf;
  }
  return sum;
}

double sr_rerank_bonus(const sr_rr_word *w, size_t n, const sr_rerank_opts *o) {
  if (n > SR_RERANK_MAX_WORDS) n = SR_RERANK_MAX_WORDS;
  size_t total = 0;
  for (size_t i = 0; i < n; i++)
    total += w[i].n_pos;
  rr_event *ev = malloc((total ? total : 1) * sizeof *ev);
  if (!ev) return 0; /* no bonus is BM25's order: never a failed search */
  double bonus = o->window_weight * best_window(w, n, o->window, ev) +
                 o->pair_weight * ordered_pairs(w, n);
  free(ev);
  return bonus;
}

/* A hit being reordered: its mset index and its score. */
typedef struct rr_hit {
  uint32_t index;
  double score;
} rr_hit;

static int by_score(const void *a, const void *b) {
  const rr_hit *x = a, *y = b;
  if (x->score != y->score) return x->score < y->score ? 1 : -1;
  return (x->index > y->index) - (x->index < y->index); /* BM25's order */
}

/* The query's words (at most SR_RERANK_MAX_WORDS) with their idf, from
 * the match's own statistics; the positions are filled per document.
 * Sets *distinct to how many distinct ones: 0, or -1 with err filled. */
static int query_words(cr_rdb *db, const cr_mset *m, const cr_parsed_query *pq,
                       sr_rr_word *w, size_t *n, size_t *distinct,
                       cr_error *err) {
  uint32_t N;
  if (cr_rdb_doccount(db, &N, err) != 0) return -1;
  *distinct = 0;
  *n = pq->n_words < SR_RERANK_MAX_WORDS ? pq->n_words : SR_RERANK_MAX_WORDS;
  for (size_t i = 0; i < *n; i++) {
    w[i] =
        (sr_rr_word){.term = pq->words[i].term, .qpos = pq->words[i].position};
    size_t k = first_of(w, i);
    if (k == i) {
      uint32_t tf;
      if (cr_mset_termfreq(m, w[i].term, &tf, err) != 0) return -1;
      w[i].idf = sr_rerank_idf(tf, N);
      ++*distinct;
    } else {
      w[i].idf = w[k].idf;
    }
  }
  return 0;
}

/* Where one hit's words stand, gathered from its stored text: the
 * positions of each distinct word with an idf, as the index has them. */
typedef struct text_words {
  sr_rr_word *w;
  size_t n;
  uint32_t *buf; /* SR_RERANK_MAX_POSITIONS per word */
  size_t n_pos[SR_RERANK_MAX_WORDS];
  /* The words looked for (distinct, with an idf) and their lengths: only
   * tokens of wanted terms arrive (cr_schema_word_positions), each told
   * apart from the other wanted words by its length first. */
  unsigned want[SR_RERANK_MAX_WORDS];
  size_t want_len[SR_RERANK_MAX_WORDS];
  size_t n_want;
} text_words;

static void want_words(text_words *tw) {
  tw->n_want = 0;
  for (size_t i = 0; i < tw->n; i++)
    if (tw->w[i].idf > 0 && first_of(tw->w, i) == i) {
      tw->want[tw->n_want] = (unsigned)i;
      tw->want_len[tw->n_want++] = strlen(tw->w[i].term);
    }
}

static int collect_position(const cr_token *t, void *ctx) {
  text_words *tw = ctx;
  if (t->is_stop) return 0; /* not indexed */
  for (size_t k = 0; k < tw->n_want; k++) {
    size_t i = tw->want[k];
    if (tw->want_len[k] != t->term_len ||
        memcmp(tw->w[i].term, t->term, t->term_len) != 0)
      continue;
    if (tw->n_pos[i] < SR_RERANK_MAX_POSITIONS)
      tw->buf[i * SR_RERANK_MAX_POSITIONS + tw->n_pos[i]++] = t->position;
    break;
  }
  return 0;
}

/* Fills w[i].pos and n_pos for hit r from its card and text (rerank.h's
 * sr_rerank_text). 0, or -1 with err filled (the hit could not be read,
 * or memory ran out). */
static int positions_from_text(const sr_rerank_text *src, cr_mset *m,
                               uint32_t r, sr_rr_word *w, size_t n,
                               uint32_t *buf, cr_error *err) {
  text_words tw = {.w = w, .n = n, .buf = buf};
  want_words(&tw);
  const char *card, *packed;
  size_t card_len = 0, packed_len = 0, len = 0;
  if (cr_mset_value(m, r, CR_SLOT_CARD, &card, &card_len, err) != 0 ||
      cr_mset_value(m, r, CR_SLOT_TEXT, &packed, &packed_len, err) != 0)
    return -1;
  cr_stored st;
  cr_error perr;
  if (!card || cr_stored_parse(card, card_len, &st, &perr) != 0)
    memset(&st, 0, sizeof st); /* as gather_hit: what little is known */
  cr_error uerr;
  const char *text =
      packed ? cr_text_unpack(src->tp, packed, packed_len, &len, &uerr) : NULL;
  /* Only the wanted words' tokens: the others are only counted. */
  const char *wanted[SR_RERANK_MAX_WORDS];
  for (size_t k = 0; k < tw.n_want; k++)
    wanted[k] = w[tw.want[k]].term;
  int rc = cr_schema_word_positions(
      src->an, wanted, tw.n_want, st.title, st.title_derived, text,
      text ? len : 0, st.author, st.source, collect_position, &tw);
  cr_stored_free(&st);
  if (rc != 0) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < n; i++) {
    w[i].pos = buf + i * SR_RERANK_MAX_POSITIONS;
    w[i].n_pos = tw.n_pos[i];
  }
  return 0;
}

int sr_rerank(cr_rdb *db, const cr_parsed_query *pq, cr_mset *m,
              const sr_rerank_opts *o, uint32_t *order, double *score,
              cr_error *err) {
  return sr_rerank_from(db, pq, m, o, NULL, order, score, err);
}

/* A hit to read, by docid: its rank among the reordered. */
typedef struct rr_doc {
  cr_docid id;
  uint32_t r;
} rr_doc;

static int by_docid(const void *a, const void *b) {
  const rr_doc *x = a, *y = b;
  return (x->id > y->id) - (x->id < y->id);
}

/* The positions of the words the first depth hits hold, read from the
 * index: pos[r * n + i] and n_pos[r * n + i] are hit r's of word i
 * (repeats and words without an idf left empty: a repeat shares its
 * first's). A word at a time, over the hits by ascending docid. A word in
 * at most list_max documents is read through its posting list
 * (cr_rdb_positions_in), which says which hits hold it, and only their
 * positions are read: hit by hit, 59% of a question's reads at 12k were
 * of words the hit lacks, each as dear as a real one (two block reads).
 * A longer list costs more than that saves (skip_to decodes a glass chunk
 * posting by posting up to the hit): its hits are read one by one.
 * *all is the positions' storage (malloc'd, the caller frees it).
 * Returns 0, or -1 with err filled. */
static int positions_by_word(cr_rdb *db, const cr_mset *m, uint32_t depth,
                             uint32_t list_max, const sr_rr_word *w, size_t n,
                             uint32_t **all, size_t *at, size_t *n_pos,
                             cr_error *err) {
  rr_doc *docs = malloc(depth * sizeof *docs);
  cr_docid *ids = malloc(depth * sizeof *ids);
  long *got = malloc(depth * sizeof *got);
  uint32_t *one = malloc((size_t)depth * SR_RERANK_MAX_POSITIONS * sizeof *one);
  int rc = docs && ids && got && one ? 0 : -1;
  if (rc) cr_error_set(err, CR_E_NOMEM, "out of memory");
  size_t used = 0, cap = 0;
  if (rc == 0) {
    for (uint32_t r = 0; r < depth; r++)
      docs[r] = (rr_doc){cr_mset_docid(m, r), r};
    qsort(docs, depth, sizeof *docs, by_docid);
    for (uint32_t d = 0; d < depth; d++)
      ids[d] = docs[d].id;
  }
  for (size_t i = 0; i < n && rc == 0; i++) {
    for (uint32_t d = 0; d < depth; d++) {
      at[(size_t)docs[d].r * n + i] = used;
      n_pos[(size_t)docs[d].r * n + i] = 0;
    }
    if (!(w[i].idf > 0) || first_of(w, i) != i) continue;
    uint32_t tf = 0;
    if (cr_mset_termfreq(m, w[i].term, &tf, err) != 0) {
      rc = -1;
      break;
    }
    if (tf <= list_max) {
      if (cr_rdb_positions_in(db, w[i].term, ids, depth, one,
                              SR_RERANK_MAX_POSITIONS, got, err) != 0) {
        rc = -1;
        break;
      }
    } else {
      for (uint32_t d = 0; d < depth && rc == 0; d++)
        if ((got[d] =
                 cr_rdb_positions(db, ids[d], w[i].term,
                                  one + (size_t)d * SR_RERANK_MAX_POSITIONS,
                                  SR_RERANK_MAX_POSITIONS, err)) < 0)
          rc = -1;
      if (rc) break;
    }
    for (uint32_t d = 0; d < depth && rc == 0; d++) {
      size_t k = got[d] > SR_RERANK_MAX_POSITIONS ? SR_RERANK_MAX_POSITIONS
                                                  : (size_t)got[d];
      while (cap - used < k)
        if (CR_ARRAY_GROW(*all, cap, cap) != 0) {
          cr_error_set(err, CR_E_NOMEM, "out of memory");
          rc = -1;
          break;
        }
      if (rc) break;
      size_t slot = (size_t)docs[d].r * n + i;
      at[slot] = used;
      n_pos[slot] = k;
      if (k)
        memcpy(*all + used, one + (size_t)d * SR_RERANK_MAX_POSITIONS,
               k * sizeof *one);
      used += k;
    }
  }
  free(docs);
  free(ids);
  free(got);
  free(one);
  return rc;
}

int sr_rerank_from(cr_rdb *db, const cr_parsed_query *pq, cr_mset *m,
                   const sr_rerank_opts *o, const sr_rerank_text *src,
                   uint32_t *order, double *score, cr_error *err) {
  uint32_t size = cr_mset_size(m);
  for (uint32_t r = 0; r < size; r++) {
    order[r] = r;
    score[r] = cr_mset_weight(m, r);
  }
  uint32_t depth = o->depth < size ? o->depth : size;
  sr_rr_word w[SR_RERANK_MAX_WORDS];
  size_t n, distinct;
  if (depth < 2) return 0;
  if (query_words(db, m, pq, w, &n, &distinct, err) != 0) return -1;
  if (distinct < 2) return 0;
  /* From the texts, a hit at a time (each unpacked once); from the index,
   * every hit's positions first, a word at a time (positions_by_word). */
  uint32_t *buf = NULL, *all = NULL;
  size_t *at = NULL, *n_pos = NULL;
  if (src)
    buf = malloc(n * SR_RERANK_MAX_POSITIONS * sizeof *buf);
  else {
    at = malloc((size_t)depth * n * sizeof *at);
    n_pos = malloc((size_t)depth * n * sizeof *n_pos);
  }
  rr_hit *hits = malloc(depth * sizeof *hits);
  int rc = hits && (src ? buf != NULL : at && n_pos) ? 0 : -1;
  if (rc) cr_error_set(err, CR_E_NOMEM, "out of memory");
  if (rc == 0 && !src)
    rc = positions_by_word(db, m, depth, o->list_max, w, n, &all, at, n_pos,
                           err);
  for (uint32_t r = 0; rc == 0 && r < depth; r++) {
    if (src) {
      if ((rc = positions_from_text(src, m, r, w, n, buf, err)) != 0) break;
    } else {
      for (size_t i = 0; i < n; i++) {
        w[i].pos = all ? all + at[(size_t)r * n + i] : NULL;
        w[i].n_pos = n_pos[(size_t)r * n + i];
      }
    }
    for (size_t i = 0; i < n; i++) {
      size_t k = first_of(w, i);
      w[i].pos = w[k].pos; /* a repeat shares its first's positions */
      w[i].n_pos = w[k].n_pos;
    }
    hits[r] = (rr_hit){r, score[r] + sr_rerank_bonus(w, n, o)};
  }
  if (rc == 0) {
    qsort(hits, depth, sizeof *hits, by_score);
    for (uint32_t r = 0; r < depth; r++) {
      order[r] = hits[r].index;
      score[r] = hits[r].score;
    }
  }
  free(buf);
  free(all);
  free(at);
  free(n_pos);
  free(hits);
  return rc;
}
