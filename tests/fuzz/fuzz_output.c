/* fuzz_output.c — libFuzzer target: the searcher's two renderers on
 * arbitrary article fields. The JSON must always parse; the text for a
 * terminal must never carry a raw control character, C1 control or
 * bidirectional override, whatever the article holds.
 *
 * The input is split at NUL bytes into id, title, date, author, source and
 * snippet; the whole input is also the query (which may hold NULs). */
#include <jansson.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"
#include "snippet.h"
#include "utf8.h"

enum { N_FIELDS = 6 };

/* Aborts if s[0..len) holds a byte that must not reach a terminal. */
static void check_terminal_safe(const unsigned char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (s[i] == '\n') continue;
    if (s[i] < 0x20 || s[i] == 0x7f) abort();
    if (i + 1 < len && s[i] == 0xc2 && s[i + 1] >= 0x80 && s[i + 1] <= 0x9f)
      abort();
    if (i + 2 < len && s[i] == 0xe2 &&
        ((s[i + 1] == 0x80 && s[i + 2] >= 0xaa && s[i + 2] <= 0xae) ||
         (s[i + 1] == 0x81 && s[i + 2] >= 0xa6 && s[i + 2] <= 0xa9)))
      abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  char *copy = malloc(size + 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  const char *field[N_FIELDS] = {NULL};
  size_t n = 0;
  for (char *p = copy; n < N_FIELDS && p <= copy + size; p += strlen(p) + 1)
    field[n++] = p;

  /* The snippet reaches the renderers sanitised, as cr_snippet makes it. */
  char *snippet =
      field[5] ? cr_sanitize_for_terminal(field[5], strlen(field[5])) : NULL;
  out_hit hit = {.rank = 1,
                 .score = 1.5,
                 .id = field[0] ? field[0] : "",
                 .title = field[1],
                 .date = field[2],
                 .author = field[3],
                 .source = field[4],
                 .snippet = snippet};
  out_result r = {.query = (const char *)data,
                  .query_len = size,
                  .estimated = 1,
                  .took_ms = 0.5,
                  .note = field[2],
                  .hits = &hit,
                  .n_hits = 1};

  char *js = out_json(&r);
  if (js) {
    json_error_t err;
    json_t *o = json_loads(js, 0, &err);
    if (!o) abort();
    json_decref(o);
    free(js);
  }

  char *text = NULL;
  size_t text_len = 0;
  FILE *f = open_memstream(&text, &text_len);
  if (f) {
    out_style plain = {.bold = false};
    out_text(f, &r, &plain);
    fclose(f);
    check_terminal_safe((const unsigned char *)text, text_len);
    free(text);
  }
  free(snippet);
  free(copy);
  return 0;
}
