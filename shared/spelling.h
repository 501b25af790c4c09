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

/* ---- When the searcher corrects a word ("Forse cercavi") ---------------
 *
 * Two cases, by what the query finds.
 *
 * Few matches (at most CR_SUGGEST_FEW_MATCHES): a word whose stem is in at
 * most CR_SUGGEST_RARE articles is looked up (two edits away at most, one
 * under CR_SUGGEST_LONG bytes, where two edits reach too many real words:
 * "Roma" -> "prima"); its correction is taken when it is in at least
 * CR_SUGGEST_MIN articles and CR_SUGGEST_GAIN times the word's.
 *
 * Plenty of matches ("furto Sasuolo": furto alone finds hundreds): a rare
 * word there is as often a real one as a typo, so the bar is the one the
 * data set (DICE, 10,372 articles; bench/README.md, "Did you mean"):
 * - a word no article holds (stem in 0 articles), of any length; or one in
 *   at most CR_SUGGEST_TINY articles, CR_SUGGEST_LONG bytes or longer, that
 *   the archive never writes as a name (no capitalised form inside a
 *   sentence: real rare surnames, "Agresti", "Commisso", "Violante", "Beggi",
 *   always have one, and their one-edit neighbours "arresti", "commesso",
 *   "volante", "leggi" are hundreds of times as common);
 * - one edit away only;
 * - a correction CR_SUGGEST_PLENTY_GAIN times as common as the word (as
 *   if it were in one article when it is in none).
 * On DICE's own rare words (long, in 1-2 articles, never a name), 9 in 10
 * that pass are typos ("qustura", "opedale"); the real ones that pass
 * ("derisione" -> "decisione") are offered beside the results, which
 * stay those of the query as typed. */
#define CR_SUGGEST_FEW_MATCHES 10
#define CR_SUGGEST_RARE 1
#define CR_SUGGEST_GAIN 3
#define CR_SUGGEST_MIN 2
#define CR_SUGGEST_LONG 7
#define CR_SUGGEST_TINY 2
#define CR_SUGGEST_PLENTY_GAIN 100

/* What is known of one query word when deciding. */
typedef struct cr_suggest_case {
  uint32_t matches;  /* articles the query as typed finds */
  uint32_t word_tf;  /* articles holding the word's stem */
  uint32_t name_tf;  /* articles writing it as a name (its C term) */
  size_t word_bytes; /* the word's length as typed, in bytes */
} cr_suggest_case;

/* Whether the word is worth looking up at all. */
bool cr_suggest_candidate(const cr_suggest_case *c);
/* How many edits away a correction may be (0: none is looked for). */
unsigned cr_suggest_max_edits(const cr_suggest_case *c);
/* Whether a correction in correction_tf articles is taken. */
bool cr_suggest_accept(const cr_suggest_case *c, uint32_t correction_tf);

#ifdef __cplusplus
}
#endif
#endif
