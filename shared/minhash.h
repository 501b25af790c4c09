/* minhash.h — near-duplicate signatures of article texts.
 *
 * An article's text is reduced to the set of its analysed terms (stems,
 * stop words out), and the set to CR_MINHASH_K minimum hashes, each kept
 * to its lowest byte ("b-bit MinHash": 64 bytes per article instead of
 * 512). Two articles agree on a byte with probability J + (1 - J) / 256,
 * J being the Jaccard similarity of their term sets, so the share of equal
 * bytes estimates J.
 *
 * Candidates are found without comparing every pair: the signature is cut
 * into CR_MINHASH_BANDS bands of 4 bytes, and two articles are compared
 * only when some band is identical (locality-sensitive hashing). Pairs at
 * J = 0.5 meet in some band 64% of the time, at 0.7 99%, at 0.1 almost
 * never.
 */
#ifndef CRONACA_MINHASH_H
#define CRONACA_MINHASH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define CR_MINHASH_K 64
#define CR_MINHASH_BAND_BYTES 4
#define CR_MINHASH_BANDS (CR_MINHASH_K / CR_MINHASH_BAND_BYTES)
/* Fewer distinct terms than this and a text gets no signature: two short
 * notices ("Agenda: mostra di antiquariato") would look alike by chance. */
#define CR_MINHASH_MIN_TERMS 20

typedef struct cr_minhash {
  uint64_t min[CR_MINHASH_K];
  size_t n_terms; /* additions so far (repeats included) */
} cr_minhash;

void cr_minhash_init(cr_minhash *m);
/* Adds one term of the set. Add each distinct term once: a repeat leaves
 * the minima alone but counts towards n_terms. */
void cr_minhash_add(cr_minhash *m, const char *term, size_t len);
/* Writes the signature; false (nothing written) if the text had fewer
 * than min_terms distinct terms' worth of additions. */
bool cr_minhash_signature(const cr_minhash *m, size_t min_terms,
                          uint8_t sig[CR_MINHASH_K]);

/* Estimated Jaccard similarity of the two texts, in [0, 1]. */
double cr_minhash_similarity(const uint8_t a[CR_MINHASH_K],
                             const uint8_t b[CR_MINHASH_K]);
/* Band b (0 <= b < CR_MINHASH_BANDS) of a signature, as one number. */
uint32_t cr_minhash_band(const uint8_t sig[CR_MINHASH_K], unsigned b);

#ifdef __cplusplus
}
#endif
#endif
