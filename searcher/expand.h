/* expand.h — the index's synonym table for the query parser
 * (shared/synonyms.h says what it holds, shared/query_parser.h how a
 * query uses it).
 *
 * Over several databases the table is every local one's, merged (Xapian
 * merges them: a pair held by each shard counts once). A remote shard
 * has none to give: Xapian's remote protocol has no message for the
 * synonym table, so a search over remote shards alone expands nothing,
 * and over local and remote ones, what the local ones hold.
 *
 * A search expands with it when sr_params.synonyms is set: each thread of
 * a sharded search reads it on its own handle (sr_reader_synonyms in
 * engine.h). */
#ifndef CRONACA_EXPAND_H
#define CRONACA_EXPAND_H

#include "search.h"
#include "xapian_c.h"

/* Prints, one a line, "synonym: FROM = TO" for each synonym the query
 * text[0..len) would be expanded with over e (--analyze with -d). 0, or
 * -1 with err filled. */
int sr_synonyms_print(sr_engine *e, const char *text, size_t len,
                      cr_error *err);

#endif
