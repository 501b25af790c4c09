/* impacts.h — BM25 as the index stores it.
 *
 * BM25 weighs a term in a document as idf × tf, where
 *
 *     tf = (k1 + 1) · wdf / (k1 · ((1 − b) + b · max(len / avg, min_normlen)) + wdf)
 *
 * needs the document's length len. Reading it for every scored posting was
 * 43% of Xapian's matcher at 1M articles. So the indexer stores, in place
 * of each term's within-document frequency, its tf already computed and
 * quantised: round(tf × CR_IMPACT_SCALE), at least 1 (an "impact", as
 * Lucene and PISA call it). The searcher scores the stored impacts with
 * BM25 at b = 0 and a k1 so large that its saturation is linear to a part
 * in 10^4 (cr_bm25_impacts), scaled by 1 / CR_IMPACT_SCALE: the score is
 * BM25's to the quantisation (half a percent of one term's tf at worst),
 * Xapian never reads a document length, and the weight stays one Xapian
 * knows, so remote servers score the same way.
 *
 * len counts the article's words (its unprefixed stems: title words
 * CR_TITLE_WDF times), not its name and stop-word terms. avg is the
 * index's own, fixed when the index is built, from the first
 * CR_IMPACT_SAMPLE articles read (all of them, before they are dealt to
 * shards), and kept in its metadata (CR_META_BM25): updates, and every
 * shard of one build, weigh alike, so a sharded index scores as one.
 */
#ifndef CRONACA_IMPACTS_H
#define CRONACA_IMPACTS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xapian_c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* BM25's parameters as the index applies them. */
typedef struct cr_impacts {
  double k1;          /* tf saturation */
  double b;           /* how much length normalises (0 none, 1 fully) */
  double min_normlen; /* len / avg is taken as at least this */
  double avg_length;  /* the length documents are normalised against */
} cr_impacts;

/* Impact units per 1.0 of tf: tf runs from about 0.1 to k1 + 1, so
 * impacts from about 10 to 200, one or two bytes in a posting list. */
#define CR_IMPACT_SCALE 100
/* Articles the average length is taken from, at a new index's start. */
#define CR_IMPACT_SAMPLE 1000
/* Metadata key: the index's cr_impacts (cr_impacts_format). */
#define CR_META_BM25 "cronaca:bm25"
/* cr_impacts_format's longest text, NUL included. */
#define CR_IMPACTS_TEXT_SIZE 128

/* k1 1.0, b 1.0 (tuned on SQuAD-it's dev half), min_normlen 0.5 (Xapian's),
 * avg_length 0 (not yet known). */
cr_impacts cr_impacts_default(void);

/* The impact stored for a term wdf times in a document of length len. */
uint32_t cr_impact(const cr_impacts *p, uint32_t wdf, uint32_t len);

/* p as metadata text ("k1=1 b=1 min_normlen=0.5 avg_length=312.25") into
 * out; the text, parsed, is p again. */
void cr_impacts_format(const cr_impacts *p, char *out, size_t size);
/* The text cr_impacts_format made (len bytes) into *out. false, *out
 * untouched, if it is not such a text or its values cannot be used
 * (k1 <= 0, b outside 0..1, avg_length <= 0). */
bool cr_impacts_parse(const char *text, size_t len, cr_impacts *out);

/* Xapian's BM25 parameters that score stored impacts (see above); k3 is
 * the query's own (weight of a word repeated in the query). */
cr_bm25 cr_bm25_impacts(void);

#ifdef __cplusplus
}
#endif

#endif
