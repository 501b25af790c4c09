/* query_lexer.c — the query language's tokens (see query_lexer.h). */
#include "query_lexer.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "schema.h"

/* Quote characters: ASCII ", and the typographic “ ” « ». Returns the
 * byte length of the quote at s[i], or 0. */
static size_t quote_at(const char *s, size_t i, size_t len) {
  const unsigned char *u = (const unsigned char *)s + i;
  size_t left = len - i;
  if (u[0] == '"') return 1;
  if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
      (u[2] == 0x9C || u[2] == 0x9D))
    return 3; /* “ ” */
  if (left >= 2 && u[0] == 0xC2 && (u[1] == 0xAB || u[1] == 0xBB))
    return 2; /* « » */
  return 0;
}

static bool is_space(unsigned char c) {
  return c == ' ' || c < 0x20 || c == 0x7f;
}

static const struct {
  const char *name;
  const char *prefix;
} fields[] = {
    {"title", CR_PREFIX_TITLE},
    {"titolo", CR_PREFIX_TITLE},
    {"author", CR_PREFIX_AUTHOR},
    {"autore", CR_PREFIX_AUTHOR},
    {"source", CR_PREFIX_SOURCE},
    {"fonte", CR_PREFIX_SOURCE},
    {"date", "date"},
    {"data", "date"},
    {"id", "id"},
};

static const char *field_prefix(const char *s, size_t n) {
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
    if (strlen(fields[i].name) == n && strncasecmp(s, fields[i].name, n) == 0)
      return fields[i].prefix;
  return NULL;
}

void ql_init(ql_lexer *lx, const char *text, size_t len) {
  memset(lx, 0, sizeof *lx);
  lx->s = text;
  lx->len = len;
}

/* NEAR or NEAR/n, all of the word w[0..n): fills t and returns true. */
static bool near_operator(const char *w, size_t n, ql_token *t) {
  if (n < 4 || memcmp(w, "NEAR", 4) != 0) return false;
  unsigned window = QL_NEAR_DEFAULT;
  if (n > 4) {
    if (w[4] != '/' || n == 5) return false;
    unsigned long v = 0;
    for (size_t i = 5; i < n; i++) {
      if (w[i] < '0' || w[i] > '9') return false;
      if (v <= QL_NEAR_MAX) v = v * 10 + (unsigned long)(w[i] - '0');
    }
    window = v > QL_NEAR_MAX ? QL_NEAR_MAX : (unsigned)v;
  }
  t->kind = QL_NEAR;
  t->near = window;
  return true;
}

static ql_token lex_next(ql_lexer *lx) {
  ql_token t = {.kind = QL_END};
  const char *s = lx->s;
  size_t len = lx->len;
  for (;;) {
    while (lx->i < len && is_space((unsigned char)s[lx->i]))
      lx->i++;
    if (lx->i >= len) return t;
    char c = s[lx->i];
    if (c == '(') {
      lx->i++;
      t.kind = QL_LPAREN;
      return t;
    }
    if (c == ')') {
      lx->i++;
      t.kind = QL_RPAREN;
      return t;
    }
    if ((c == '+' || c == '-') && lx->i + 1 < len &&
        !is_space((unsigned char)s[lx->i + 1]) && s[lx->i + 1] != '+' &&
        s[lx->i + 1] != '-' && s[lx->i + 1] != ')') {
      t.sign = c;
      lx->i++;
    } else if (c == '+' || c == '-' || c == '*') {
      lx->i++; /* a lone sign or star means nothing */
      continue;
    }
    /* field: prefix, before a word, a phrase or a parenthesis */
    size_t j = lx->i;
    while (j < len &&
           ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
      j++;
    if (j < len && s[j] == ':' && j > lx->i) {
      const char *prefix = field_prefix(s + lx->i, j - lx->i);
      if (prefix) {
        t.field = prefix;
        lx->i = j + 1;
        if (lx->i >= len || is_space((unsigned char)s[lx->i]))
          continue; /* "title:" */
        if (s[lx->i] == '(') {
          lx->i++;
          t.kind = QL_LPAREN; /* title:(a OR b) */
          return t;
        }
      }
    }
    size_t q = quote_at(s, lx->i, len);
    if (q) {
      size_t start = lx->i + q, k = start;
      while (k < len && !quote_at(s, k, len))
        k++;
      t.kind = QL_PHRASE;
      t.text = s + start;
      t.len = k - start;
      if (k >= len) lx->notes |= QL_NOTE_QUOTE;
      size_t open = lx->i;
      lx->i = k < len ? k + quote_at(s, k, len) : len;
      t.open_len = q;
      t.quoted_len = lx->i - open;
      return t;
    }
    size_t start = lx->i;
    while (lx->i < len && !is_space((unsigned char)s[lx->i]) &&
           s[lx->i] != '(' && s[lx->i] != ')' && !quote_at(s, lx->i, len))
      lx->i++;
    size_t end = lx->i;
    while (end > start && s[end - 1] == '*') {
      end--;
      t.wildcard = true;
    }
    if (end == start) continue;
    t.text = s + start;
    t.len = end - start;
    t.kind = QL_WORD;
    if (!t.sign && !t.field && !t.wildcard) {
      if (t.len == 3 && memcmp(t.text, "AND", 3) == 0)
        t.kind = QL_AND;
      else if (t.len == 2 && memcmp(t.text, "OR", 2) == 0)
        t.kind = QL_OR;
      else if (t.len == 3 && memcmp(t.text, "NOT", 3) == 0)
        t.kind = QL_NOT;
      else
        near_operator(t.text, t.len, &t);
    }
    return t;
  }
}

ql_token ql_peek(ql_lexer *lx) {
  if (!lx->has_peeked) {
    lx->peeked = lex_next(lx);
    lx->has_peeked = true;
  }
  return lx->peeked;
}

ql_token ql_take(ql_lexer *lx) {
  ql_token t = ql_peek(lx);
  lx->has_peeked = false;
  return t;
}
