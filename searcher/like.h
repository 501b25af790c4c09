/* like.h — "more like this": the articles most similar to a given one.
 *
 * The article's most characteristic words (Xapian's relevance feedback
 * over its terms: frequent in it, rare in the archive) become an OR
 * query, ranked by BM25 like any other. The article itself is left out,
 * and with exclude_group its near duplicates too (they would fill the
 * page with reprints of what the reader has already seen).
 */
#ifndef CRONACA_LIKE_H
#define CRONACA_LIKE_H

#include <stdbool.h>

#include "error.h"
#include "xapian_c.h"

/* Words taken from the article. */
#define SR_LIKE_TERMS 40

/* The query, or NULL with err filled (CR_E_NOT_FOUND when no article has
 * that id). */
cr_query *sr_like_query(cr_rdb *db, const char *id, bool exclude_group,
                        cr_error *err);

#endif
