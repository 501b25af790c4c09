/* buffer.h — growable memory with a sticky error, as FTS5's Fts5Buffer.
 *
 * A cr_buf collects bytes (always NUL-terminated once anything was
 * written). The first allocation that fails sets b->rc to CR_E_NOMEM and
 * every later call on that buffer does nothing, so a writer appends
 * without checking each call and looks once at the end: cr_buf_finish
 * hands over the contents, or NULL (the memory freed) if anything failed.
 *
 *   cr_buf b = {0};
 *   cr_buf_puts(&b, "title: ");
 *   cr_buf_printf(&b, "%s (%d)", title, n);
 *   char *s = cr_buf_finish(&b, NULL);   // NULL: out of memory
 *
 * For arrays of any element type, cr_array_grow makes room for one more
 * element (CR_ARRAY_GROW(p->items, p->n, p->cap) in the usual case).
 */
#ifndef CRONACA_BUFFER_H
#define CRONACA_BUFFER_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct cr_buf {
  char *p;    /* contents, NUL-terminated; NULL before the first byte */
  size_t n;   /* bytes used, the NUL excluded */
  size_t cap; /* bytes allocated */
  int rc;     /* CR_OK, or CR_E_NOMEM once an allocation failed */
} cr_buf;

/* Room for extra more bytes (and the NUL). False, with b->rc set, if
 * memory ran out or had already run out. */
bool cr_buf_reserve(cr_buf *b, size_t extra);

/* Appends n bytes (or strlen(s); nothing for a NULL s; one byte). */
void cr_buf_append(cr_buf *b, const void *s, size_t n);
void cr_buf_puts(cr_buf *b, const char *s);
void cr_buf_putc(cr_buf *b, char c);

/* Appends printf-formatted text. */
void cr_buf_printf(cr_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

/* Drops the last bytes so that n remain (n <= b->n). */
void cr_buf_truncate(cr_buf *b, size_t n);

/* Hands over the malloc'd, NUL-terminated contents (an empty string if
 * nothing was written) and their length in *len (if not NULL), leaving b
 * empty; NULL, with everything freed, if an allocation failed. */
char *cr_buf_finish(cr_buf *b, size_t *len);

/* Frees the contents; b may be reused (its error cleared). */
void cr_buf_free(cr_buf *b);

/* Makes *items (an array of *cap elements of elem bytes, n of them in
 * use) hold at least n + 1: the capacity doubles, starting at first.
 * Returns 0, or -1 (the array untouched) if memory ran out. items is the
 * address of the array pointer, of any pointer type. */
int cr_array_grow(void *items, size_t n, size_t *cap, size_t elem,
                  size_t first);

/* cr_array_grow for an array pointer, its count and its capacity. */
#define CR_ARRAY_GROW(arr, n, cap)                                             \
  cr_array_grow(&(arr), (n), &(cap), sizeof *(arr), 8)

#ifdef __cplusplus
}
#endif
#endif
