/* suggest.h — "Forse cercavi": a corrected query from the index's own
 * spelling data.
 *
 * Which words are looked up, how far a correction may be and when it is
 * taken is the spelling policy (shared/spelling.h: cr_suggest_*), by how
 * many articles the query finds: few (a rare word is likely a typo), or
 * plenty ("furto Sasuolo": only a word the archive does not hold, or a
 * long one it hardly holds and never writes as a name, with a far more
 * common neighbour one edit away). The suggestion is the query as typed
 * with those words replaced, operators and quotes untouched, the user's
 * capital initial kept. The searcher runs it and offers it only when it
 * finds something, and at least as many articles as the query typed
 * ("Corsa del Nord" for "Corea del Nord" finds nothing). Remote shards
 * have no spelling data (Xapian's remote protocol does not carry it):
 * their words are never corrected, and a note says so.
 */
#ifndef CRONACA_SUGGEST_H
#define CRONACA_SUGGEST_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer.h"
#include "spelling.h"
#include "xapian_c.h"

/* Words looked up at most, however long the query. */
#define SR_SUGGEST_MAX_WORDS 8

/* The corrected text of text[0..len) whose parsed query is q (only its
 * plain words are considered), which found `matches` articles, in *out,
 * malloc'd, or NULL when nothing needs correcting. m, when not NULL, is
 * q's match: the words' counts come from its statistics. *rare is set when the
 * query has a word rare enough to correct, whether a correction was found or
 * not. Returns 0, or -1 with err filled (a lookup failed, memory ran out): *out
 * is then NULL. */
int sr_suggest(cr_rdb *db, cr_analyzer *an, const char *text, size_t len,
               const cr_query *q, const cr_mset *m, uint32_t matches,
               char **out, bool *rare, cr_error *err);

#endif
