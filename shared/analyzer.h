/* analyzer.h — Italian-first text analysis, shared by indexing and queries.
 *
 * Text goes in as bytes (UTF-8 expected, invalid sequences replaced by
 * U+FFFD, never a crash) and comes out as a stream of tokens:
 *
 *   "L’intelligence dall’Iran: un'ulteriore conferma"
 *     -> intelligent(pos 0) iran(1) ulterior(2) conferm(3)
 *
 * Steps, in order: NFC normalisation and case folding (utf8proc); word
 * splitting on Unicode character classes; elision (`l’`, `dell' `...)
 * removed (Italian only: elsewhere an apostrophe between letters is part
 * of the word, `aren't`); stop words flagged (Snowball's list for the
 * language); every other word stemmed with Snowball (libstemmer_c);
 * accents folded after stemming, so `città` and `citta` give the same
 * term. Each token also carries the word itself, folded but unstemmed,
 * and whether it was capitalised away from a sentence start: what tells
 * the surname `Costa` from `costo` (schema.h keeps both).
 *
 * Each token carries its word position (stop words advance the position
 * too, so a phrase still matches across them) and the byte range of the
 * word in the original input (snippets highlight by these offsets).
 */
#ifndef CRONACA_ANALYZER_H
#define CRONACA_ANALYZER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Longest term (bytes) the analyzer emits; longer words are dropped (their
 * position still advances). Xapian's own limit is CR_XAPIAN_MAX_TERM (sizes.h).
 */
#define CR_MAX_TERM_BYTES 64

typedef struct cr_token {
  const char *term;  /* the term, NUL-terminated; valid during the callback */
  size_t term_len;   /* strlen(term) */
  const char *word;  /* the word itself: case- and accent-folded, unstemmed
                        ("Costa" -> "costa", "città" -> "citta") */
  size_t word_len;   /* strlen(word) */
  uint32_t position; /* word position, counted from the first_position given */
  size_t start, end; /* byte range [start, end) of the word in the input */
  bool is_stop;      /* a stop word: term is the folded, unstemmed word */
  bool capitalised;  /* written with a capital first letter ("Costa", "USA") */
  bool elided;       /* an elided article came just before it and was
                        dropped: the Iran of dell'Iran, the è of c'è */
  bool sentence_start; /* first word of the text or of a sentence (after . !
                          ? … or a line break): a capital there says
                          nothing about a name */
} cr_token;

typedef struct cr_analyzer cr_analyzer;

/* Creates an analyzer for a Snowball language ("italian", "english", ...;
 * NULL means "italian"). Returns NULL and fills err if the language is
 * unknown. Not thread-safe: use one analyzer per thread. */
cr_analyzer *cr_analyzer_new(const char *language, cr_error *err);
void cr_analyzer_free(cr_analyzer *a);

/* The language this analyzer stems for. */
const char *cr_analyzer_language(const cr_analyzer *a);

/* Called once per token, in text order. Return 0 to go on, non-zero to
 * stop early (cr_analyze then returns that value). */
typedef int (*cr_token_fn)(const cr_token *token, void *ctx);

/* Analyses text[0..len) and calls fn for every token, stop words included
 * (flagged). Positions start at first_position. Returns 0, or the first
 * non-zero value fn returned, or -1 if memory ran out. */
int cr_analyze(cr_analyzer *a, const char *text, size_t len,
               uint32_t first_position, cr_token_fn fn, void *ctx);

/* As cr_analyze, but without stemming: each token's term is its word
 * (cr_token.word) and is_stop is never set. Positions, offsets, capitals
 * and sentence starts are cr_analyze's. Four times faster: what exact
 * phrase tests (exact.h) need, which compare words, not stems. */
int cr_analyze_forms(cr_analyzer *a, const char *text, size_t len,
                     uint32_t first_position, cr_token_fn fn, void *ctx);

/* Until called again with terms NULL, cr_analyze stems only the words
 * that may stem to one of the n terms (NUL-terminated, non-empty): any
 * other word's token keeps its folded word as its term, which differs
 * from every one of them, and is_stop false (not looked up); positions,
 * offsets and the rest are as usual. For readers that look for a few
 * terms in a long text (snippets, cr_analyze_find): stemming most words
 * for nothing was a quarter of the rerank's reading of stored texts.
 * What may stem to a term: a word whose first letter is the term's
 * (English); for Italian, a word whose first two letters are the term's
 * (when both are ASCII) and, for up to 64 terms, that starts with the
 * term's italian_stem_start prefix (the term less the letters a suffix
 * rule may put back: enza -> ente). Returns whether the filter is on: only
 * for stemmers that keep a word's first letter (Italian, English), and
 * only when every term starts with an ASCII byte; true for terms NULL. */
bool cr_analyzer_stem_only(cr_analyzer *a, const char *const *terms, size_t n);

/* Where terms stand in a text: calls fn for the tokens cr_analyze would
 * give whose term is one of the n terms (NUL-terminated, non-empty) and
 * that are not stop words, the same tokens with the same positions and
 * offsets, and sets *last_position to the position of the last token
 * cr_analyze would give (first_position if none). For readers of a few
 * terms' positions in long texts (the rerank reading stored texts): words
 * that cannot stem to one of the terms (cr_analyzer_stem_only's test)
 * are only counted, and plain ASCII ones not even folded, which was most
 * of the reading's cost. Turns cr_analyzer_stem_only off. Returns 0,
 * fn's first non-zero value, or -1 if memory ran out. */
int cr_analyze_find(cr_analyzer *a, const char *text, size_t len,
                    uint32_t first_position, const char *const *terms, size_t n,
                    uint32_t *last_position, cr_token_fn fn, void *ctx);

/* Normalises one word the way the analyzer does before stemming (NFC,
 * case folding, accents folded) but does not stem it, writing the result
 * to out (NUL-terminated, truncated at a character boundary to fit
 * out_size). Returns its length. Wildcard prefixes (`guerr*`) use this:
 * a stemmed prefix would no longer be a prefix of the indexed stems. */
size_t cr_analyzer_normalize(cr_analyzer *a, const char *word, size_t len,
                             char *out, size_t out_size);

/* True if the folded word is a stop word of the analyzer's language. */
bool cr_analyzer_is_stopword(const cr_analyzer *a, const char *word,
                             size_t len);

#ifdef __cplusplus
}
#endif
#endif
