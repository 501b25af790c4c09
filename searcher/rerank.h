/* rerank.h — reordering the best hits by where the query's words stand.
 *
 * BM25 sees a document as a bag of words: it cannot tell a paragraph
 * whose sentence says what the question asks from another paragraph of
 * the same article that uses the same words far apart. Reading word
 * positions for every candidate is too slow (Xapian's NEAR did that: 20 ms
 * a query), so only the first hits BM25 ranks are reread and given a
 * bonus, in BM25's own units (idf), that grows with
 *   - the best window: the idf sum of the distinct query words found
 *     together within `window` consecutive positions;
 *   - ordered neighbours: for each pair of words next to each other in
 *     the query, the smaller idf of the two if the document has them in
 *     that order, no more words apart than in the query plus two.
 * Tuned on the dev half of SQuAD-it (bench/run's ranking set-up); the
 * figures are in rerank.c's sr_rerank_opts_default.
 *
 * What it reads: a word at a time, its posting list skipped to each hit
 * (which hits hold it), then the positions of the word in those hits (a
 * word in more than SR_RERANK_LIST_MAX documents: its positions in each
 * hit); the words' document counts come from the match itself. On a
 * remote shard each of those reads is a round trip
 * (on loopback about 24 ms a query against 3.6 ms with the rerank off;
 * posting lists, sent whole, made it 86 ms): there sr_rerank_from reads
 * the positions from each hit's stored text instead, which the page reads
 * anyway.
 */
#ifndef CRONACA_RERANK_H
#define CRONACA_RERANK_H

#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "error.h"
#include "query_parser.h"
#include "textpack.h"
#include "xapian_c.h"

/* Positions read per word and document: enough for any paragraph; in a
 * longer text the later occurrences of a very frequent word are ignored. */
#define SR_RERANK_MAX_POSITIONS 256
/* Query words used (repeats included); the rest are ignored. */
#define SR_RERANK_MAX_WORDS 32

/* A word in at most this many documents has its positions read through
 * its posting list (only in the hits it holds); a more common one, hit by
 * hit. Either way the same positions. Measured (bench/README.md): at
 * 200,000 articles 3,000 to 8,000 were best, every word through its list
 * 2% dearer (instructions and block reads), none 2.5%. */
#define SR_RERANK_LIST_MAX 6000

typedef struct sr_rerank_opts {
  unsigned depth;       /* hits reordered (0: off) */
  unsigned window;      /* positions the best window spans */
  double window_weight; /* weight of the best window's idf sum */
  double pair_weight;   /* weight of ordered neighbours' idf */
  uint32_t list_max;    /* SR_RERANK_LIST_MAX: which words' positions are
                           read through their posting lists */
} sr_rerank_opts;

/* The defaults measured best at acceptable latency. */
sr_rerank_opts sr_rerank_opts_default(void);

/* One query word, in query order, and where one document has it. */
typedef struct sr_rr_word {
  const char *term;    /* repeats of a word have equal terms */
  uint32_t qpos;       /* its position in the query */
  double idf;          /* its weight: log((N - n + 0.5) / (n + 0.5)), >= 0 */
  const uint32_t *pos; /* its positions in the document, ascending */
  size_t n_pos;        /* 0: the document lacks it */
} sr_rr_word;

/* The bonus one document earns (>= 0): window_weight times the best
 * window's idf sum, plus pair_weight times the ordered neighbours' idf. */
double sr_rerank_bonus(const sr_rr_word *w, size_t n, const sr_rerank_opts *o);

/* The idf sr_rerank_bonus expects, for a word in n of N documents (0 for
 * words in half the documents or more). */
double sr_rerank_idf(uint32_t n, uint32_t N);

/* Reorders the first min(o->depth, size) hits of m by BM25 weight plus
 * bonus: fills order[r] with the mset index of the hit at rank r and
 * score[r] with its score, for every r < cr_mset_size(m) (hits past the
 * depth keep their place and weight). Queries with fewer than two
 * distinct words keep BM25's order. Returns 0, or -1 with err filled when
 * positions could not be read (CR_E_MODIFIED: reopen and retry). */
int sr_rerank(cr_rdb *db, const cr_parsed_query *pq, cr_mset *m,
              const sr_rerank_opts *o, uint32_t *order, double *score,
              cr_error *err);

/* Where sr_rerank_from reads the words' positions instead of the index:
 * each hit's card and stored text, analysed again (schema.h's
 * cr_schema_word_positions gives the positions the indexer gave; only
 * the query words' tokens are made, the other words counted:
 * cr_analyze_find). The
 * same positions, so the same bonus, for one read of the document, which
 * the page reads anyway: over remote shards, where every term list and
 * position list is a round trip, that is the difference between about
 * 24 ms and 1 ms a query on loopback. an must be the index's language. */
typedef struct sr_rerank_text {
  cr_analyzer *an;
  cr_textpack *tp; /* unpacks the texts (invalidated by the next unpack) */
} sr_rerank_text;

/* sr_rerank, reading positions from src when it is not NULL. */
int sr_rerank_from(cr_rdb *db, const cr_parsed_query *pq, cr_mset *m,
                   const sr_rerank_opts *o, const sr_rerank_text *src,
                   uint32_t *order, double *score, cr_error *err);

#endif
