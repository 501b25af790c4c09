/* utf8.h — valid UTF-8 and text that is safe on a terminal: the one place
 * that decides what an invalid byte, a control character, an escape
 * sequence or an invisible character becomes.
 *
 * Policies, chosen by flags:
 *   storing (schema.c)       invalid bytes and NUL -> U+FFFD
 *   JSON (output.c)          invalid bytes -> U+FFFD, NUL -> space
 *   reading (input_text.c)   the first invalid byte or NUL is reported
 *   a terminal               C0, DEL, C1, bidi overrides and whole escape
 *                            sequences (ESC [ ... m, OSC ... BEL) -> space,
 *                            invalid bytes -> U+FFFD; with
 *                            CR_UTF8_STRIP_INVISIBLE also zero-width and
 *                            bidi marks dropped and U+2028/U+2029 -> space
 */
#ifndef CRONACA_UTF8_H
#define CRONACA_UTF8_H

#include <stdbool.h>
#include <stddef.h>

#include "buffer.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CR_UTF8_REPLACEMENT "\xef\xbf\xbd" /* U+FFFD */

enum cr_utf8_flag {
  CR_UTF8_NUL_OK = 1 << 0,          /* NUL is a valid character */
  CR_UTF8_NUL_SPACE = 1 << 1,       /* cleaning: NUL becomes a space */
  CR_UTF8_STRIP_INVISIBLE = 1 << 2, /* terminal: see above */
};

/* Offset of the first byte of s[0..len) that is not valid UTF-8 (a NUL
 * counts as invalid unless CR_UTF8_NUL_OK), or len if there is none. */
size_t cr_utf8_invalid_at(const char *s, size_t len, unsigned flags);

/* Appends s[0..len) to b with every invalid byte replaced by U+FFFD, and
 * every NUL too (or by a space, with CR_UTF8_NUL_SPACE). */
void cr_utf8_clean_into(cr_buf *b, const char *s, size_t len, unsigned flags);

/* cr_utf8_clean_into into a malloc'd string (its length in *out_len if
 * not NULL): NULL only if memory ran out. */
char *cr_utf8_clean(const char *s, size_t len, unsigned flags, size_t *out_len);

/* What the character at the start of a text is, for a terminal. */
typedef enum cr_utf8_class {
  CR_UTF8_TEXT,      /* printable: shown as it is */
  CR_UTF8_INVALID,   /* a byte that is not UTF-8: shown as U+FFFD */
  CR_UTF8_CONTROL,   /* control, bidi override or escape sequence: a space */
  CR_UTF8_INVISIBLE, /* zero-width character, bidi mark, BOM */
  CR_UTF8_SEPARATOR, /* U+2028, U+2029: a line break in disguise */
} cr_utf8_class;

/* Classifies the character (or whole escape sequence) at s[0], len > 0;
 * *n is its length in bytes (1 for an invalid byte). */
cr_utf8_class cr_utf8_classify(const char *s, size_t len, size_t *n);

/* Appends s[0..len) to b made safe for a terminal (see above). */
void cr_utf8_terminal_into(cr_buf *b, const char *s, size_t len,
                           unsigned flags);

/* Copies s to a malloc'd string with control characters (C0, DEL, C1, and
 * whole ANSI escape sequences) replaced by a space and invalid UTF-8 by
 * U+FFFD: safe to print on a terminal. NULL only if memory ran out. */
char *cr_sanitize_for_terminal(const char *s, size_t len);

#ifdef __cplusplus
}
#endif
#endif
