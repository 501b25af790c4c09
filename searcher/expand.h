/* expand.h — the index's synonym table for the query parser
 * (shared/synonyms.h says what it holds, shared/query_parser.h how a
 * query uses it).
 *
 * Over several databases the table is every local one's, merged (Xapian
 * merges them: a pair held by each shard counts once). A remote shard
 * has none to give: Xapian's remote protocol has no message for the
 * synonym table, so a search over remote shards alone expands nothing,
 * and over local and remote ones, what the local ones hold. */
#ifndef CRONACA_EXPAND_H
#define CRONACA_EXPAND_H

#include "search.h"
#include "xapian_c.h"

/* cr_qp_opts.synonyms over the engine ctx (an sr_engine): fn is called
 * with each text filed under key. 0, or -1 when the table could not be
 * read (after one reopen: a writer's commit can stale the reader). */
int sr_synonyms_lookup(const char *key, cr_key_fn fn, void *fn_ctx, void *ctx);

/* Prints, one a line, "synonym: FROM = TO" for each synonym the query
 * text[0..len) would be expanded with over e (--analyze with -d). 0, or
 * -1 with err filled. */
int sr_synonyms_print(sr_engine *e, const char *text, size_t len,
                      cr_error *err);

#endif
