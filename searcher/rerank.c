/* rerank.c — the proximity bonus and the reordering of the best hits. */
#include "rerank.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

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
  return (sr_rerank_opts){
      .depth = 20, .window = 16, .window_weight = 1.25, .pair_weight = 0.5};
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
  /* The words looked for (distinct, with an idf) and their lengths: every
   * token of 20 texts is compared with them, and comparing lengths first
   * spares most of the string comparisons (they were a quarter of a
   * remote question's instructions). */
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
  uint32_t *buf = malloc(n * SR_RERANK_MAX_POSITIONS * sizeof *buf);
  rr_hit *hits = malloc(depth * sizeof *hits);
  int rc = buf && hits ? 0 : -1;
  if (rc) cr_error_set(err, CR_E_NOMEM, "out of memory");
  for (uint32_t r = 0; rc == 0 && r < depth; r++) {
    cr_docid id = cr_mset_docid(m, r);
    if (src) {
      if ((rc = positions_from_text(src, m, r, w, n, buf, err)) != 0) break;
      for (size_t i = 0; i < n; i++) {
        size_t k = first_of(w, i);
        w[i].pos = w[k].pos; /* a repeat shares its first's positions */
        w[i].n_pos = w[k].n_pos;
      }
      hits[r] = (rr_hit){r, score[r] + sr_rerank_bonus(w, n, o)};
      continue;
    }
    for (size_t i = 0; i < n && rc == 0; i++) {
      size_t k = first_of(w, i);
      if (k != i) { /* a repeat shares its first occurrence's positions */
        w[i].pos = w[k].pos;
        w[i].n_pos = w[k].n_pos;
        continue;
      }
      /* Positions are read without asking the hit's term list first:
       * decoding whole term lists was 42% of a question at 12k, and a
       * position read of a word the hit lacks is cheap. */
      uint32_t *pos = buf + i * SR_RERANK_MAX_POSITIONS;
      long got = w[i].idf > 0 ? cr_rdb_positions(db, id, w[i].term, pos,
                                                 SR_RERANK_MAX_POSITIONS, err)
                              : 0;
      if (got < 0) rc = -1;
      w[i].pos = pos;
      w[i].n_pos = got > SR_RERANK_MAX_POSITIONS ? SR_RERANK_MAX_POSITIONS
                   : got > 0                     ? (size_t)got
                                                 : 0;
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
  free(hits);
  return rc;
}
