/* fuzz_analyzer.c — libFuzzer target: any bytes through the analyzer.
 *
 * Checks the token invariants the rest of the code relies on: offsets
 * inside the input and increasing, terms non-empty, NUL-free and no
 * longer than CR_MAX_TERM_BYTES, positions never going backwards. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"

typedef struct check_state {
  size_t len;
  size_t last_start;
  uint32_t last_position;
} check_state;

static int check_token(const cr_token *t, void *ctx) {
  check_state *st = ctx;
  if (t->start > t->end || t->end > st->len) abort();
  if (t->start < st->last_start) abort();
  if (t->position < st->last_position) abort();
  if (t->term_len == 0 || t->term_len > CR_MAX_TERM_BYTES) abort();
  if (strlen(t->term) != t->term_len) abort();
  st->last_start = t->start;
  st->last_position = t->position;
  return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static cr_analyzer *an;
  if (!an) an = cr_analyzer_new("italian", NULL);
  check_state st = {size, 0, 0};
  cr_analyze(an, (const char *)data, size, 0, check_token, &st);
  char out[CR_MAX_TERM_BYTES + 1];
  cr_analyzer_normalize(an, (const char *)data, size, out, sizeof out);
  return 0;
}
