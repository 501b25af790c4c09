/* quotes.h — a quoted phrase that no article holds, searched by its words.
 *
 * A quote asks for words as typed, and most of the time that is what
 * the archive holds. When no article holds them ("Camminare a Fresno",
 * where the text says "Walking in Fresno"; a quoted title misremembered)
 * the quote can only take its words' weight away from the query: they
 * are then searched as if in parentheses (stemmed, each optional), and a
 * note says so (--strict-quotes keeps them as typed). On SQuAD-it's dev half 4
 * of 43 quoted questions quote what no paragraph says; loosened, dev MRR@10
 * rises by 0.0009.
 */
#ifndef CRONACA_SEARCHER_QUOTES_H
#define CRONACA_SEARCHER_QUOTES_H

#include <stddef.h>

#include "buffer.h"
#include "engine.h"

/* Tries each quote of pq (the wanted ones outside fields: pq->quotes)
 * alone, counting at most one article. When some quote finds none, sets
 * *out to a malloc'd copy of text with those quotes as parentheses
 * (*out_len its length) and *note to a malloc'd note that names them,
 * and returns 1. Returns 0 when every quote finds something or could not
 * be tried (a quote is then kept as typed), -1 with err when memory ran
 * out. */
int sr_loosen_quotes(sr_engine *e, const sr_params *p,
                     const cr_parsed_query *pq, const char *text, size_t len,
                     char **out, size_t *out_len, char **note, cr_error *err);

/* Appends the quoted text s[0..n) to t so that the query language reads
 * it as plain words: what would be syntax there (parentheses, a sign
 * before a word, field names, the operators AND OR NOT NEAR) is not. */
void sr_quote_as_words(cr_buf *t, const char *s, size_t n);

#endif
