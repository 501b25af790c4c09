/* fuzz_input.c — libFuzzer target: the article-text parser and every
 * file reader (JSON Lines, .json, CSV, HTML, and JSON Lines through the
 * --encoding decoder) on arbitrary bytes. The bytes are written to a scratch
 * file once per input, so the reader runs exactly as the indexer runs it. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "input.h"

static int count_article(const cr_article *a, const in_where *w, void *ctx) {
  (void)w;
  if (!a->id || !a->text) abort();
  ++*(size_t *)ctx;
  return 0;
}

static void ignore_problem(const in_where *w, const char *reason, void *ctx) {
  (void)w;
  (void)reason;
  (void)ctx;
}

static char path[64]; /* the scratch file, one per process */

static void remove_scratch(void) { unlink(path); }

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  cr_article art;
  char date[11], author[IN_AUTHOR_BYTES];
  memset(&art, 0, sizeof art);
  char *copy = malloc(size + 1);
  if (!copy) return 0;
  memcpy(copy, data, size);
  copy[size] = '\0';
  in_parse_article_text(copy, size, &art, date, author);
  free(copy);

  if (!path[0]) {
    snprintf(path, sizeof path, "/tmp/fuzz-input-%d.jsonl", (int)getpid());
    atexit(remove_scratch); /* libFuzzer ends runs with exit() */
  }
  FILE *f = fopen(path, "wb");
  if (!f) return 0;
  fwrite(data, 1, size, f);
  fclose(f);
  in_file file = {.path = path,
                  .key = path,
                  .id_base = "fuzz.jsonl",
                  .size = (int64_t)size,
                  .mtime_ns = 0,
                  .format = IN_JSONL,
                  .compressed = false};
  size_t n = 0;
  in_read(&file, count_article, ignore_problem, &n);
  static const enum in_format others[] = {IN_JSON, IN_CSV, IN_HTML};
  for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
    file.format = others[i];
    in_read(&file, count_article, ignore_problem, &n);
  }
  static const in_options cp1252 = {.encoding = "cp1252"};
  file.format = IN_JSONL;
  file.options = &cp1252;
  in_read(&file, count_article, ignore_problem, &n);
  return 0;
}
