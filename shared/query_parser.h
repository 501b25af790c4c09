/* query_parser.h — turning what a person types into a Xapian query.
 *
 * The language (see README "Query language"):
 *   words                     ranked, each optional (all required with
 *                             opts.all_required); stop words dropped
 *                             unless nothing else is left
 *   "exact phrase"            in order, across stop words
 *   +word  -word  -"phrase"   required / excluded
 *   a AND b, a OR b, NOT a, ( )
 *   title:x author:x source:x field searches (x a word or "phrase")
 *   prefix*                   wildcard over the index's terms
 *   date:2022  date:2022-09  date:2022-09-01..2022-09-30  date filters
 * Words go through the same analyzer as the indexer. Nothing a person
 * types makes it fail: unbalanced quotes or parentheses are closed, lone
 * operators are read as words or dropped.
 */
#ifndef CRONACA_QUERY_PARSER_H
#define CRONACA_QUERY_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "error.h"
#include "xapian_c.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cr_qp_opts {
  bool all_required;               /* --all: every plain word must match */
  const char *since;               /* "YYYY-MM-DD" or NULL */
  const char *until;               /* "YYYY-MM-DD" or NULL */
  double title_boost;              /* extra weight of title matches (0: none) */
  unsigned max_wildcard_expansion; /* terms a prefix* may expand to */
  double proximity_weight;         /* bonus for neighbouring query words found
                                      near each other (0: none) */
  unsigned proximity_window;       /* "near": within this many positions */
} cr_qp_opts;

cr_qp_opts cr_qp_opts_default(void);

/* A word of the query that documents should contain: an unprefixed term
 * from a plain word or a phrase, not excluded, not a wildcard. */
typedef struct cr_qword {
  char *term;        /* the term as indexed (malloc'd) */
  uint32_t position; /* its word position in the query (stop words count) */
} cr_qword;

typedef struct cr_parsed_query {
  cr_query *query; /* NULL when nothing in the text is searchable */
  char *note;      /* malloc'd one-line explanation for the user when
                      the query was changed or is empty, else NULL */
  cr_qword *words; /* the wanted words in query order (repeats kept), for
                      ranking by where they stand in a document */
  size_t n_words;
  bool filtered; /* dates narrow the matches (date:, --since, --until) */
} cr_parsed_query;

/* Parses text[0..len). Fails (-1, err) only on memory exhaustion or bad
 * options (since/until that are not dates). */
int cr_parse_query(cr_analyzer *an, const char *text, size_t len,
                   const cr_qp_opts *opts, cr_parsed_query *out, cr_error *err);
void cr_parsed_query_free(cr_parsed_query *pq);

#ifdef __cplusplus
}
#endif
#endif
