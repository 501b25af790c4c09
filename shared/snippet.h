/* snippet.h — the passage of an article that best shows why it matched.
 *
 * The text is analysed with the same analyzer as the query; every word
 * whose term is among the matched terms is a hit. The snippet is the
 * window of at most max_bytes that covers the most distinct matched terms
 * (ties: more hits, then earlier), widened to word boundaries, with "…"
 * where it cuts the text, each hit wrapped in hl_start / hl_end, and
 * control characters (ANSI escapes included) replaced by spaces so the
 * text can never drive a terminal.
 */
#ifndef CRONACA_SNIPPET_H
#define CRONACA_SNIPPET_H

#include <stddef.h>

#include "analyzer.h"
#include "exact.h"

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cr_snippet_opts {
  size_t max_bytes;     /* length of the passage, markers excluded */
  const char *hl_start; /* e.g. "\x1b[1m" on a terminal, "**" otherwise */
  const char *hl_end;
  /* Exact patterns of the query (phrases, wildcards over words): each
   * occurrence is a hit, highlighted whole, and the passage shows one if
   * the text has any ("Polizia di Stato" rather than scattered words). */
  const cr_exact *const *patterns;
  size_t n_patterns;
} cr_snippet_opts;

/* Matched terms as the index holds them (unprefixed stems; prefixed terms
 * such as "Sguerr" are accepted and their prefix ignored). Returns a
 * malloc'd NUL-terminated snippet (the text's start if nothing matches),
 * NULL only if memory ran out. */
char *cr_snippet(cr_analyzer *an, const char *text, size_t len,
                 const char *const *terms, size_t n_terms,
                 const cr_snippet_opts *opts);

#ifdef __cplusplus
}
#endif
#endif
