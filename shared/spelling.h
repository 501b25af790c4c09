/* spelling.h — which words the index learns for "did you mean".
 *
 * Spelling words are counted over a window of documents (a commit's, or a
 * whole shard's) and only the words held by enough of the window's
 * documents are handed to the index, once each with their count: fewer
 * would be as likely typos as words, and Xapian's add_spelling is costly
 * per call (a fifth of the indexer's CPU on DICE when words were handed
 * over at each of a shard's commits). The binding (xapian_c.h) keeps one
 * counter per writable database and writes what cr_spelling_next yields;
 * no Xapian here.
 */
#ifndef CRONACA_SPELLING_H
#define CRONACA_SPELLING_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sizes.h"

#ifdef __cplusplus
extern "C" {
#endif

/* A word must be in this many documents of a window to be learnt. */
#define CR_SPELLING_MIN_DOCS 2
/* ... and in this many when the window is longer than a commit's
 * (CR_COMMIT_EVERY documents): keeps the data the size that per-commit
 * windows gave (on DICE, 1.2 MB). */
#define CR_SPELLING_MIN_DOCS_WIDE 3
/* Distinct words held before the window closes early: bounds memory on a
 * huge archive. */
#define CR_SPELLING_WINDOW_MAX_WORDS 1000000

typedef struct cr_spelling cr_spelling;

/* An empty counter, or NULL when memory ran out. */
cr_spelling *cr_spelling_new(void);
void cr_spelling_free(cr_spelling *sp);

/* Counts one more document holding word[0..len), whose cr_fnv1a64 is h.
 * -1 when memory ran out (the count is then unchanged). */
int cr_spelling_add(cr_spelling *sp, const char *word, size_t len, uint64_t h);
/* Closes one document of the window. */
void cr_spelling_end_doc(cr_spelling *sp);
/* Whether the window holds CR_SPELLING_WINDOW_MAX_WORDS words: time to
 * hand them over. */
bool cr_spelling_full(const cr_spelling *sp);

/* The words to learn, one per call: from *cursor (0 to start), the next
 * word held by enough documents, with its count. false when there is no
 * more. Words are not NUL-terminated and stay valid until clear. */
bool cr_spelling_next(const cr_spelling *sp, size_t *cursor, const char **word,
                      size_t *len, unsigned *count);
/* Empties the window. */
void cr_spelling_clear(cr_spelling *sp);

#ifdef __cplusplus
}
#endif
#endif
