/* fuzz_snippet.c — libFuzzer target: snippets of arbitrary text for the
 * terms the text itself produces; the result must be NUL-terminated and
 * free of raw control characters. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "snippet.h"

typedef struct term_list {
  char terms[8][CR_MAX_TERM_BYTES + 1];
  size_t n;
} term_list;

static int collect(const cr_token *t, void *ctx) {
  term_list *tl = ctx;
  if (tl->n < 8 && !t->is_stop)
    memcpy(tl->terms[tl->n++], t->term, t->term_len + 1);
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static cr_analyzer *an;
  if (!an) an = cr_analyzer_new("italian", NULL);
  term_list tl = {.n = 0};
  cr_analyze(an, (const char *)data, size, 0, collect, &tl);
  const char *terms[8];
  for (size_t i = 0; i < tl.n; i++)
    terms[i] = tl.terms[i];
  cr_snippet_opts opts = {.max_bytes = 120, .hl_start = "[", .hl_end = "]"};
  char *s = cr_snippet(an, (const char *)data, size, terms, tl.n, &opts);
  if (s) {
    for (const unsigned char *p = (const unsigned char *)s; *p; p++)
      if (*p < 0x20 || *p == 0x7f) abort();
    free(s);
  }
  return 0;
}
