/* exact.h — exact words, phrases and word prefixes, found in a text.
 *
 * The index holds stems, which is what ranking wants but not what a
 * quoted phrase promises: "Polizia di Stato" must hold di, in that place,
 * and must not run across the end of a sentence ("polizia. Sono stati");
 * "costi" must not match costo; furto* must match the words that begin
 * with furto, whatever their stems. A cr_exact is such a pattern: a
 * sequence of words as the analyzer writes them (cr_token.word: folded,
 * unstemmed), each whole or a prefix. cr_exact_find looks for it in a
 * text with the same analyzer that indexed the text, so both sides agree
 * on every word. The searcher runs it on the candidates the stems found
 * (xapian_c.h, cr_query_checked), and the snippets use it to show the
 * phrase itself.
 *
 *   "Polizia di Stato"  ->  polizia di stato   (three whole words)
 *   furto*              ->  furto*             (one prefix)
 */
#ifndef CRONACA_EXACT_H
#define CRONACA_EXACT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Words in one pattern, at most: longer phrases are cut (with a note). */
#define CR_EXACT_MAX_WORDS 32

typedef struct cr_exact_word {
  char form[CR_MAX_TERM_BYTES + 1]; /* as cr_token.word */
  size_t len;                       /* strlen(form) */
  bool prefix;                      /* matches any word starting with form */
  bool elided; /* after an elided article (c'è): so must the text's word
                  be, unless it is the pattern's first */
} cr_exact_word;

typedef struct cr_exact {
  cr_exact_word words[CR_EXACT_MAX_WORDS];
  size_t n;        /* words in the pattern */
  bool title_only; /* title:"..." looks in the title alone */
} cr_exact;

/* Appends one word to the pattern; false (nothing added) when it is full
 * or the word is empty or too long. */
bool cr_exact_add(cr_exact *x, const char *form, size_t len, bool prefix,
                  bool elided);

/* Where a pattern was found: the byte range from its first word's start
 * to its last word's end. */
typedef struct cr_exact_span {
  size_t start, end;
} cr_exact_span;

/* Called for each occurrence found, in text order; return non-zero to
 * stop (cr_exact_scan then returns that value). */
typedef int (*cr_exact_fn)(const cr_exact *x, cr_exact_span span, void *ctx);

/* Analyses text[0..len) and calls fn for every occurrence of each of the
 * n patterns: the words one after the other (consecutive positions, so no
 * word skipped or dropped between them), none but the first starting a
 * sentence. Returns 0, fn's first non-zero value, or -1 if memory ran
 * out. */
int cr_exact_scan(cr_analyzer *an, const cr_exact *const *x, size_t n,
                  const char *text, size_t len, cr_exact_fn fn, void *ctx);

/* Buffers cr_exact_find reuses from one text to the next, so that testing
 * thousands of candidates allocates nothing per candidate. Zero it before
 * the first use; cr_exact_scratch_free releases it. */
typedef struct cr_exact_scratch {
  char *folded;     /* the text's letters, folded */
  uint32_t *offset; /* offset[k]: where folded[k] came from in the text */
  size_t cap;       /* room in both */
} cr_exact_scratch;

void cr_exact_scratch_free(cr_exact_scratch *s);

/* 1 if text[0..len) holds the pattern, 0 if not, -1 if memory ran out.
 * The text's letters are folded first (lower case, Latin-1 accents
 * removed): a text that lacks one of the pattern's words is rejected
 * there, and in the others only the passages around its rarest-looking
 * word (the longest) are analysed. Texts or patterns the folding cannot
 * read (other scripts, numbers, which the analyzer rewrites) are
 * analysed whole. scratch may be NULL. */
int cr_exact_find(cr_analyzer *an, const cr_exact *x, const char *text,
                  size_t len, cr_exact_scratch *scratch);

#ifdef __cplusplus
}
#endif
#endif
