/* input_json.c — .json files, which hold one of three shapes:
 *
 *   [ {article}, {article}, ... ]   an array of article objects
 *   { "title": ..., ... }           one article, on as many lines as it likes
 *   {article}\n{article}\n...       JSON Lines under another name
 *
 * The file is read into memory (at most IN_MAX_JSON_BYTES), but an array
 * is parsed one element at a time with jansson (JSON_DISABLE_EOF_CHECK
 * stops after each value), so memory is the file plus one article, and
 * each bad element is reported with its line. A file whose first line is
 * a whole JSON object is JSON Lines, read as such (a bad line then costs
 * only itself).
 */
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "input_internal.h"

/* A memory buffer as an in_stream (for the JSON Lines reader). */
typedef struct mem_stream {
  const char *p; /* what is left */
  size_t n;      /* how much */
} mem_stream;

static ssize_t mem_read(in_stream *s, char *buf, size_t n) {
  mem_stream *m = s->handle;
  size_t k = n < m->n ? n : m->n;
  memcpy(buf, m->p, k);
  m->p += k;
  m->n -= k;
  return (ssize_t)k;
}

static bool is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

/* Skips blanks from pos, counting lines. */
static size_t skip_space(const char *s, size_t len, size_t pos,
                         uint64_t *line) {
  for (; pos < len && is_space(s[pos]); pos++)
    if (s[pos] == '\n') (*line)++;
  return pos;
}

/* Lines in s[from..to). */
static uint64_t count_lines(const char *s, size_t from, size_t to) {
  uint64_t n = 0;
  for (size_t i = from; i < to; i++)
    n += s[i] == '\n';
  return n;
}

/* Reports a jansson error at the value starting on line; then says
 * what was not read. */
static void report_json(in_reader *r, const char *member, uint64_t line,
                        const json_error_t *e, const char *then) {
  if (json_error_code(e) == json_error_invalid_utf8)
    in_report(r, member, line, "invalid UTF-8: %s%s%s", e->text,
              in_encoding_hint(r), then);
  else
    in_report(r, member, line, "malformed JSON: %s%s", e->text, then);
}

/* The elements of the array that opens at text[pos] ('['). */
static int read_array(in_reader *r, const char *member, const char *text,
                      size_t len, size_t pos, uint64_t line) {
  unsigned warned = 0;
  pos = skip_space(text, len, pos + 1, &line);
  if (pos < len && text[pos] == ']') return 0; /* [] */
  for (uint64_t element = 1;; element++) {
    pos = skip_space(text, len, pos, &line);
    if (pos >= len) {
      in_report(r, member, line, "the array is not closed (no ']')");
      return 0;
    }
    json_error_t e;
    json_t *v = json_loadb(
        text + pos, len - pos,
        JSON_DECODE_ANY | JSON_ALLOW_NUL | JSON_DISABLE_EOF_CHECK, &e);
    if (!v) {
      /* Where an element is broken its end is unknown: the rest of the
       * array cannot be trusted, and is not read. */
      char then[96];
      snprintf(then, sizeof then, " (element %llu and those after it not read)",
               (unsigned long long)element);
      report_json(r, member, line + (uint64_t)(e.line > 1 ? e.line - 1 : 0), &e,
                  then);
      return 0;
    }
    size_t end = pos + (size_t)e.position;
    int rc =
        in_json_article(r, member, line, v, text + pos, end - pos, &warned);
    json_decref(v);
    if (rc != 0) return rc;
    line += count_lines(text, pos, end);
    pos = skip_space(text, len, end, &line);
    if (pos < len && text[pos] == ',') {
      pos++;
      continue;
    }
    if (pos < len && text[pos] == ']') break;
    in_report(r, member, line, "expected ',' or ']' after element %llu",
              (unsigned long long)element);
    return 0;
  }
  pos = skip_space(text, len, pos + 1, &line);
  if (pos < len) in_report(r, member, line, "text after the end of the array");
  return 0;
}

int in_read_json_stream(in_reader *r, in_stream *s, const char *member) {
  in_json_alloc_hook();
  size_t len = 0;
  char *text =
      in_slurp(r, s, member, IN_MAX_JSON_BYTES,
               "a .json file (convert it to JSON Lines: jq -c '.[]')", &len);
  if (!text) return 0;
  size_t pos = 0;
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) pos = 3;
  uint64_t line = 1;
  pos = skip_space(text, len, pos, &line);
  int rc = 0;
  if (pos >= len) {
    in_report(r, member, 0, "empty file");
  } else if (text[pos] == '[') {
    rc = read_array(r, member, text, len, pos, line);
  } else {
    /* One object, or JSON Lines: the first line alone a whole value
     * means lines. */
    const char *nl = memchr(text + pos, '\n', len - pos);
    size_t first = nl ? (size_t)(nl - text) : len;
    json_error_t e;
    json_t *v = json_loadb(text + pos, first - pos, JSON_DECODE_ANY, &e);
    bool lines = v != NULL;
    json_decref(v);
    if (lines) {
      mem_stream m = {text, len};
      in_stream ms = {.read = mem_read, .handle = &m, .r = r};
      rc = in_read_jsonl_stream(r, &ms, member);
    } else if ((v = json_loadb(text + pos, len - pos,
                               JSON_DECODE_ANY | JSON_ALLOW_NUL, &e))) {
      unsigned warned = 0;
      rc = in_json_article(r, member, line, v, text + pos, len - pos, &warned);
      json_decref(v);
    } else {
      report_json(r, member, line + (uint64_t)(e.line > 1 ? e.line - 1 : 0), &e,
                  "");
    }
  }
  free(text);
  return rc;
}
