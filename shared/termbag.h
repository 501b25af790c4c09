/* termbag.h — one article's terms, counted before they reach Xapian.
 *
 * cr_schema_build adds each token's terms here rather than to the Xapian
 * document: a term's final within-document frequency is its BM25 impact
 * (impacts.h), which needs the article's length, known only once the
 * whole article is read. Collected first, each term goes to the document
 * once, with its final wdf and its positions (cr_doc_add_term_positions),
 * instead of a Xapian call per token and a rewrite of every term after
 * (on 1,500 articles that rewrite was about 5% of the indexer's
 * instructions, and the per-token calls built a std::string and searched
 * the document's std::map every time).
 *
 *   cr_termbag b;
 *   cr_termbag_init(&b);
 *   bool added;
 *   cr_termbag_add(&b, "guerr", 5, 1, 7, &added);   position 7, wdf + 1
 *   cr_termbag_add(&b, "Wdi", 3, 1, CR_TERMBAG_NO_POSITION, &added);
 *   cr_termbag_each(&b, fn, ctx);   each term once, positions in order added
 *   cr_termbag_free(&b);
 *
 * Errors are sticky: an addition that runs out of memory leaves the bag
 * failed (cr_termbag_add and cr_termbag_each return -1 from then on).
 */
#ifndef CRONACA_TERMBAG_H
#define CRONACA_TERMBAG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "hmap.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A term added without a position. */
#define CR_TERMBAG_NO_POSITION UINT32_MAX

/* One distinct term (termbag.c). */
typedef struct cr_bag_term cr_bag_term;

typedef struct cr_termbag {
  cr_hmap index; /* term hash -> its number in terms (uint32_t) */
  char *bytes;   /* the terms' bytes, end to end */
  size_t n_bytes, cap_bytes;
  cr_bag_term *terms; /* the distinct terms, in the order first added */
  size_t n_terms, cap_terms;
  uint32_t *hits; /* (term number, position) pairs, in order added */
  size_t n_hits, cap_hits;
  uint32_t last;     /* the number of the term last added */
  uint32_t *scratch; /* cr_termbag_each: positions gathered by term */
  size_t cap_scratch;
  bool failed; /* memory ran out: the bag is incomplete */
  bool sealed; /* cr_termbag_seal: no more additions */
} cr_termbag;

void cr_termbag_init(cr_termbag *b);
void cr_termbag_free(cr_termbag *b);
/* Empties the bag for the next article, keeping its memory. */
void cr_termbag_clear(cr_termbag *b);

/* Adds one occurrence of term[0..len) (len > 0): its wdf rises by
 * wdf_inc, and position (unless CR_TERMBAG_NO_POSITION) is kept for it.
 * *added: the term was not in the bag before. 0, or -1 when memory ran
 * out (the bag is then failed). */
int cr_termbag_add(cr_termbag *b, const char *term, size_t len,
                   uint32_t wdf_inc, uint32_t position, bool *added);

/* Frees what only additions need (the lookup table, spare room): for a
 * bag kept a while before its walk (the indexer holds its first articles'
 * bags until their average length is known). Additions then fail until
 * cr_termbag_clear. */
void cr_termbag_seal(cr_termbag *b);

/* Marks the term of the last successful cr_termbag_add: true if it was
 * not marked yet. The caller's own flag per term (cr_schema_build: "in
 * the signature already"), cleared with the bag. */
bool cr_termbag_mark_last(cr_termbag *b);

/* What cr_termbag_each calls for each term: its total wdf and its
 * positions, in the order they were added (none for a term added without
 * one). Non-zero stops the walk. */
typedef int (*cr_bag_term_fn)(const char *term, size_t len, uint32_t wdf,
                              const uint32_t *positions, size_t n_positions,
                              void *ctx);

/* Calls fn for each distinct term, in the order each was first added.
 * 0, fn's first non-zero return, or -1 if the bag is failed or memory ran
 * out. */
int cr_termbag_each(cr_termbag *b, cr_bag_term_fn fn, void *ctx);

static inline size_t cr_termbag_count(const cr_termbag *b) {
  return b->n_terms;
}

#ifdef __cplusplus
}
#endif
#endif
