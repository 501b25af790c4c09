/* bench_analyzer.c — analyzer throughput on real text.
 *
 *   zcat dice_gazzettadimodena_texts.jsonl.gz | bench_analyzer [-l LANG] [-r N]
 *
 * Reads JSON Lines on standard input, keeps every article's "text" (or
 * "body", "content") in memory, then runs cr_analyze over all of it N
 * times (default 3) and prints the best run: MB/s, tokens, stop words.
 * Reading and JSON parsing are outside the timed part, so the figure is
 * the analyzer's alone.
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "analyzer.h"

typedef struct texts {
  char **text;   /* article bodies, malloc'd */
  size_t *len;   /* their lengths in bytes */
  size_t n, cap; /* count and capacity */
  size_t bytes;  /* total bytes */
} texts;

typedef struct counts {
  size_t tokens;    /* every token */
  size_t stops;     /* of which stop words */
  size_t term_hash; /* a checksum of the terms, so no work is optimised out */
} counts;

static int add_text(texts *t, const char *s, size_t len) {
  if (t->n == t->cap) {
    size_t cap = t->cap ? 2 * t->cap : 1024;
    char **nt = realloc(t->text, cap * sizeof *nt);
    if (!nt) return -1;
    t->text = nt;
    size_t *nl = realloc(t->len, cap * sizeof *nl);
    if (!nl) return -1;
    t->len = nl;
    t->cap = cap;
  }
  t->text[t->n] = malloc(len + 1);
  if (!t->text[t->n]) return -1;
  memcpy(t->text[t->n], s, len);
  t->text[t->n][len] = '\0';
  t->len[t->n++] = len;
  t->bytes += len;
  return 0;
}

/* The article body of one JSON line, or NULL. */
static json_t *body_of(json_t *obj) {
  static const char *const keys[] = {"text", "body", "content"};
  for (size_t i = 0; i < 3; i++) {
    json_t *v = json_object_get(obj, keys[i]);
    if (json_is_string(v)) return v;
  }
  return NULL;
}

static int read_texts(FILE *in, texts *t) {
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  while ((n = getline(&line, &cap, in)) > 0) {
    json_t *obj = json_loadb(line, (size_t)n, 0, NULL);
    json_t *body = obj ? body_of(obj) : NULL;
    int rc =
        body ? add_text(t, json_string_value(body), json_string_length(body))
             : 0;
    json_decref(obj);
    if (rc != 0) break;
  }
  free(line);
  return 0;
}

static int count_token(const cr_token *tok, void *ctx) {
  counts *c = ctx;
  c->tokens++;
  c->stops += tok->is_stop;
  c->term_hash =
      c->term_hash * 31 + (unsigned char)tok->term[0] + tok->term_len;
  return 0;
}

static double now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv) {
  const char *language = "italian";
  int runs = 3, opt;
  while ((opt = getopt(argc, argv, "l:r:h")) != -1) {
    if (opt == 'l')
      language = optarg;
    else if (opt == 'r')
      runs = atoi(optarg) > 0 ? atoi(optarg) : 1;
    else {
      fprintf(stderr, "usage: %s [-l LANG] [-r RUNS] < articles.jsonl\n",
              argv[0]);
      return 2;
    }
  }
  cr_error err;
  cr_analyzer *an = cr_analyzer_new(language, &err);
  if (!an) {
    fprintf(stderr, "bench_analyzer: %s\n", err.message);
    return 2;
  }
  texts t = {0};
  read_texts(stdin, &t);
  double best = 1e30;
  counts c = {0};
  for (int r = 0; r < runs; r++) {
    c = (counts){0};
    double t0 = now();
    for (size_t i = 0; i < t.n; i++)
      cr_analyze(an, t.text[i], t.len[i], 0, count_token, &c);
    double dt = now() - t0;
    if (dt < best) best = dt;
  }
  printf("articles %zu, %.1f MB, tokens %zu (stop %zu), best of %d: %.3f s, "
         "%.1f MB/s (checksum %zx)\n",
         t.n, (double)t.bytes / 1e6, c.tokens, c.stops, runs, best,
         (double)t.bytes / 1e6 / best, c.term_hash);
  for (size_t i = 0; i < t.n; i++)
    free(t.text[i]);
  free(t.text);
  free(t.len);
  cr_analyzer_free(an);
  return 0;
}
