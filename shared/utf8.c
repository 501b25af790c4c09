/* utf8.c — UTF-8 validation, cleaning and terminal safety (see utf8.h). */
#include "utf8.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include <utf8proc.h>

/* Operating-system commands and similar escape strings longer than this
 * are not swallowed whole: only their ESC is removed, which already makes
 * them inert. */
#define ESC_STRING_LIMIT 512u

/* The code point at s (len > 0), its length in *n; -1 (with *n = 1) for
 * an invalid byte. */
static int32_t decode(const unsigned char *s, size_t len, size_t *n) {
  utf8proc_int32_t cp;
  utf8proc_ssize_t k = utf8proc_iterate(s, (utf8proc_ssize_t)len, &cp);
  if (k <= 0) {
    *n = 1;
    return -1;
  }
  *n = (size_t)k;
  return cp;
}

/* Whether the 8 bytes at u are all ASCII and none is NUL: the test of
 * most of a news text, a word at a time. */
static bool ascii_word(const unsigned char *u) {
  uint64_t v;
  memcpy(&v, u, sizeof v);
  const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
  return ((v | ((v - ones) & ~v)) & highs) == 0; /* no high bit, no zero */
}

size_t cr_utf8_invalid_at(const char *s, size_t len, unsigned flags) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len) {
    if (len - i >= 8 && ascii_word(u + i)) {
      i += 8;
      continue;
    }
    if (u[i] >= 0x01 && u[i] < 0x80) { /* ASCII, not NUL */
      i++;
      continue;
    }
    size_t n;
    int32_t cp = decode(u + i, len - i, &n);
    if (cp < 0 || (cp == 0 && !(flags & CR_UTF8_NUL_OK))) return i;
    i += n;
  }
  return len;
}

void cr_utf8_clean_into(cr_buf *b, const char *s, size_t len, unsigned flags) {
  const unsigned char *u = (const unsigned char *)s;
  size_t i = 0;
  while (i < len && !b->rc) {
    size_t ok = i; /* a run of valid bytes, copied at once */
    while (ok < len) {
      if (u[ok] >= 0x01 && u[ok] < 0x80) {
        ok++;
        continue;
      }
      size_t n;
      int32_t cp = decode(u + ok, len - ok, &n);
      if (cp <= 0) break;
      ok += n;
    }
    cr_buf_append(b, s + i, ok - i);
    if (ok == len) break;
    if (u[ok] == 0 && (flags & CR_UTF8_NUL_SPACE))
      cr_buf_putc(b, ' ');
    else
      cr_buf_puts(b, CR_UTF8_REPLACEMENT);
    i = ok + 1;
  }
}

char *cr_utf8_clean(const char *s, size_t len, unsigned flags,
                    size_t *out_len) {
  cr_buf b = {0};
  if (s && len) cr_utf8_clean_into(&b, s, len, flags);
  return cr_buf_finish(&b, out_len);
}

/* Length of the escape sequence that starts at s[0] == ESC (at least 1).
 * CSI (ESC [), string commands (ESC ] / P / _ / ^ / X, up to BEL or ESC \)
 * and the short two- or three-byte forms are recognised, so "\x1b[31m"
 * disappears as a whole instead of leaving "[31m" behind. */
static size_t escape_length(const unsigned char *s, size_t len) {
  if (len < 2) return 1;
  unsigned char c = s[1];
  size_t i = 2;
  if (c == '[') {
    while (i < len && s[i] >= 0x20 && s[i] <= 0x3f)
      i++;
    if (i < len && s[i] >= 0x40 && s[i] <= 0x7e) i++;
    return i;
  }
  if (c == ']' || c == 'P' || c == '_' || c == '^' || c == 'X') {
    for (; i < len && i < ESC_STRING_LIMIT; i++) {
      if (s[i] == 0x07) return i + 1;
      if (s[i] == 0x1b && i + 1 < len && s[i + 1] == '\\') return i + 2;
    }
    return 2;
  }
  if (c >= 0x40 && c <= 0x5f) return 2;
  if (c >= 0x20 && c <= 0x2f) { /* charset designation: ESC ( B */
    while (i < len && s[i] >= 0x20 && s[i] <= 0x2f)
      i++;
    if (i < len && s[i] >= 0x30 && s[i] <= 0x7e) i++;
    return i;
  }
  if (c >= 0x30 && c <= 0x7e) return 2;
  return 1;
}

cr_utf8_class cr_utf8_classify(const char *s, size_t len, size_t *n) {
  const unsigned char *u = (const unsigned char *)s;
  if (u[0] >= 0x20 && u[0] < 0x7f) {
    *n = 1;
    return CR_UTF8_TEXT;
  }
  if (u[0] == 0x1b) {
    *n = escape_length(u, len);
    return CR_UTF8_CONTROL;
  }
  int32_t cp = decode(u, len, n);
  if (cp < 0) return CR_UTF8_INVALID;
  if (cp == 0x9b) { /* C1 CSI: parameters as after ESC [ */
    while (*n < len && u[*n] >= 0x20 && u[*n] <= 0x3f)
      (*n)++;
    if (*n < len && u[*n] >= 0x40 && u[*n] <= 0x7e) (*n)++;
    return CR_UTF8_CONTROL;
  }
  /* C0, DEL, C1, and the bidirectional overrides that can make text
   * display in an order other than its logical one. */
  if (cp < 0x20 || (cp >= 0x7f && cp <= 0x9f) ||
      (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069))
    return CR_UTF8_CONTROL;
  /* Zero-width spaces and joiners, the bidi marks, the word joiner and
   * invisible operators, the BOM, the Mongolian vowel separator. */
  if (cp == 0x061c || cp == 0xfeff || cp == 0x180e ||
      (cp >= 0x200b && cp <= 0x200f) || (cp >= 0x2060 && cp <= 0x2064))
    return CR_UTF8_INVISIBLE;
  if (cp == 0x2028 || cp == 0x2029) return CR_UTF8_SEPARATOR;
  return CR_UTF8_TEXT;
}

void cr_utf8_terminal_into(cr_buf *b, const char *s, size_t len,
                           unsigned flags) {
  bool strip = flags & CR_UTF8_STRIP_INVISIBLE;
  size_t i = 0;
  while (i < len && !b->rc) {
    size_t run = i; /* printable text, copied at once */
    size_t n = 0;
    cr_utf8_class c = CR_UTF8_TEXT;
    while (run < len) {
      c = cr_utf8_classify(s + run, len - run, &n);
      if (c != CR_UTF8_TEXT &&
          (strip || (c != CR_UTF8_INVISIBLE && c != CR_UTF8_SEPARATOR)))
        break;
      run += n;
    }
    cr_buf_append(b, s + i, run - i);
    if (run == len) break;
    if (c == CR_UTF8_INVALID)
      cr_buf_puts(b, CR_UTF8_REPLACEMENT);
    else if (c != CR_UTF8_INVISIBLE)
      cr_buf_putc(b, ' ');
    i = run + n;
  }
}

char *cr_sanitize_for_terminal(const char *s, size_t len) {
  cr_buf b = {0};
  if (s) cr_utf8_terminal_into(&b, s, len, 0);
  return cr_buf_finish(&b, NULL);
}
