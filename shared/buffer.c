/* buffer.c — growable memory with a sticky error (see buffer.h). */
#include "buffer.h"

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "error.h"

/* The first allocation: most buffers hold one short line. */
#define BUF_FIRST 64u

bool cr_buf_reserve(cr_buf *b, size_t extra) {
  if (b->rc) return false;
  if (extra > SIZE_MAX - b->n - 1) {
    b->rc = CR_E_NOMEM;
    return false;
  }
  size_t need = b->n + extra + 1;
  if (need <= b->cap) return true;
  size_t cap = b->cap ? b->cap : BUF_FIRST;
  while (cap < need)
    cap = cap > SIZE_MAX / 2 ? need : cap * 2;
  char *p = realloc(b->p, cap);
  if (!p) {
    b->rc = CR_E_NOMEM;
    return false;
  }
  b->p = p;
  b->cap = cap;
  return true;
}

void cr_buf_append(cr_buf *b, const void *s, size_t n) {
  if (!cr_buf_reserve(b, n)) return;
  if (n) memcpy(b->p + b->n, s, n);
  b->n += n;
  b->p[b->n] = '\0';
}

void cr_buf_puts(cr_buf *b, const char *s) {
  if (s) cr_buf_append(b, s, strlen(s));
}

void cr_buf_putc(cr_buf *b, char c) { cr_buf_append(b, &c, 1); }

void cr_buf_printf(cr_buf *b, const char *fmt, ...) {
  if (b->rc) return;
  va_list ap;
  va_start(ap, fmt);
  char small[256];
  int n = vsnprintf(small, sizeof small, fmt, ap);
  va_end(ap);
  if (n < 0) {
    b->rc = CR_E_INVALID;
    return;
  }
  if ((size_t)n < sizeof small) {
    cr_buf_append(b, small, (size_t)n);
    return;
  }
  if (!cr_buf_reserve(b, (size_t)n)) return;
  va_start(ap, fmt);
  vsnprintf(b->p + b->n, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->n += (size_t)n;
}

void cr_buf_truncate(cr_buf *b, size_t n) {
  if (n >= b->n) return;
  b->n = n;
  if (b->p) b->p[n] = '\0';
}

char *cr_buf_finish(cr_buf *b, size_t *len) {
  if (!b->rc && !b->p) cr_buf_reserve(b, 0);
  if (b->rc) {
    cr_buf_free(b);
    return NULL;
  }
  b->p[b->n] = '\0';
  char *out = b->p;
  if (len) *len = b->n;
  memset(b, 0, sizeof *b);
  return out;
}

void cr_buf_free(cr_buf *b) {
  free(b->p);
  memset(b, 0, sizeof *b);
}

int cr_array_grow(void *items, size_t n, size_t *cap, size_t elem,
                  size_t first) {
  if (n < *cap) return 0;
  size_t want = *cap ? *cap * 2 : (first ? first : 1);
  if (want <= n) want = n + 1;
  if (want > SIZE_MAX / elem) return -1;
  void *old;
  memcpy(&old, items, sizeof old);
  void *bigger = realloc(old, want * elem);
  if (!bigger) return -1;
  memcpy(items, &bigger, sizeof bigger);
  *cap = want;
  return 0;
}
