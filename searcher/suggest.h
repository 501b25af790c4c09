/* suggest.h — "Forse cercavi": a corrected query from the index's own
 * spelling data.
 *
 * The searcher asks only when a query finds little (at most
 * SR_SUGGEST_FEW_MATCHES articles). A query word is worth correcting when the
 * index hardly knows it (its term is in at most SR_SUGGEST_RARE articles); its
 * correction is the spelling data's nearest word (Xapian's suggestion: two
 * edits away at most, one for words under SR_SUGGEST_LONG bytes, where two
 * edits reach too many real words: "Roma" -> "prima"), taken only when that
 * word is far more common (SR_SUGGEST_GAIN times, and at least SR_SUGGEST_MIN
 * articles). The suggestion is the query as typed with those words replaced,
 * operators and quotes untouched, the user's capital initial kept. The
 * searcher runs it and offers it only when it finds something, and at
 * least as many articles as the query typed ("Corsa del Nord" for
 * "Corea del Nord" finds nothing). Remote shards have no spelling data
 * (Xapian's remote protocol does not carry it): their words are never
 * corrected, and a note says so.
 */
#ifndef CRONACA_SUGGEST_H
#define CRONACA_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer.h"
#include "xapian_c.h"

#define SR_SUGGEST_FEW_MATCHES 10
#define SR_SUGGEST_RARE 1
#define SR_SUGGEST_GAIN 3
#define SR_SUGGEST_MIN 2
#define SR_SUGGEST_LONG 7
/* Words looked up at most, however long the query. */
#define SR_SUGGEST_MAX_WORDS 8

/* The corrected text of text[0..len) whose parsed query is q (only its
 * plain words are considered) in *out, malloc'd, or NULL when nothing
 * needs correcting. *rare is set when the query has a word rare enough
 * to correct, whether a correction was found or not. Returns 0, or -1
 * with err filled (a lookup failed, memory ran out): *out is then NULL. */
int sr_suggest(cr_rdb *db, cr_analyzer *an, const char *text, size_t len,
               const cr_query *q, char **out, bool *rare, cr_error *err);

#endif
