/* explain.h — why a hit matched, and what each part of its score is
 * (--explain).
 *
 * For each query term a hit holds (Xapian's matching terms), its BM25
 * weight in that document: the weight a query of that term alone gives
 * the document, under the same BM25 parameters (run as the term filtered
 * to the article's id term). What the query's own weights change is the
 * "scaling": the hit's BM25 weight minus the terms' sum. It is negative
 * when a name's capitalised form (name:russia) counts for less than its
 * weight alone beside other words, positive in a query of names alone
 * (it counts twice) or for wildcard expansions and phrase pairs, which
 * are not listed as terms. The proximity bonus is the rerank's (rerank.h): the
 * shown score minus the BM25 weight.
 */
#ifndef CRONACA_EXPLAIN_H
#define CRONACA_EXPLAIN_H

#include <stddef.h>

#include "error.h"
#include "output.h"
#include "xapian_c.h"

/* Fills *parts and *n with the matching terms of the hit whose id is id
 * (terms[0..n_terms), as the index holds them) and their weights, best
 * first, each term shown as the query language writes it (russ,
 * name:russia, title:guerr, author:ross, source:gazzett, stop:non,
 * id:1007). parts is malloc'd, as is each term. Returns 0, or -1 with
 * err filled (CR_E_MODIFIED: the index changed: retry). */
int sr_explain_terms(cr_rdb *db, const cr_bm25 *bm25, const char *id,
                     const char *const *terms, size_t n_terms,
                     out_explain_term **parts, size_t *n, cr_error *err);

void sr_explain_free(out_explain_term *parts, size_t n);

/* The display form of an index term into out (size bytes). */
void sr_explain_term_name(const char *term, char *out, size_t size);

#endif
