/* input_text.c — article text files: one article per file, in the seed's
 * shape (corpus/FORMAT.md):
 *
 *   Title on the first non-empty line
 *   (blank lines)
 *   Author Name           } up to three short header lines, any order:
 *   06/09/2022            } a by-line, a date, a dateline "Roma, 6 set 2022"
 *   (blank line)
 *   The body.
 *
 * The header is recognised only when it is plainly one (it holds a date,
 * or a blank line separates it from the body), so a short first line of
 * the body is never mistaken for a by-line. A by-line counts only next to
 * a date or after "di " ("by"): a short capitalised line alone is as often
 * a sub-heading ("Vigili del Fuoco", "Serie B") as a name. Header lines
 * only add fields: they stay the first lines of the body, so every word
 * of them (the place of a dateline, say) is searchable. Nothing is
 * dropped.
 */
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "dates.h"
#include "input_internal.h"
#include "sizes.h"
#include "utf8.h"

/* A title line longer than this is a paragraph: the text has no title. */
/* Header lines (by-line, date) are at most this long. */
#define MAX_HEADER_BYTES 80
_Static_assert(MAX_HEADER_BYTES < IN_AUTHOR_BYTES, "a by-line fits its buffer");
/* How many header lines may follow the title. */
#define MAX_HEADER_LINES 3
/* NUL bytes in the first this-many bytes mark a binary file. */
#define BINARY_SNIFF_BYTES 8192

/* ---- Lines ------------------------------------------------------------- */

/* One line of the text, without its line break and surrounding blanks. */
typedef struct line {
  size_t start; /* offset of the line's first byte */
  size_t next;  /* offset of the next line */
  size_t b, e;  /* the trimmed content: text[b..e) */
} line;

static bool is_blank_byte(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

/* Reads the line at pos; false at the end of the text. */
static bool get_line(const char *text, size_t len, size_t pos, line *l) {
  if (pos >= len) return false;
  const char *nl = memchr(text + pos, '\n', len - pos);
  size_t end = nl ? (size_t)(nl - text) : len;
  l->start = pos;
  l->next = nl ? end + 1 : len;
  l->b = pos;
  l->e = end;
  while (l->b < l->e && is_blank_byte(text[l->b]))
    l->b++;
  while (l->e > l->b && is_blank_byte(text[l->e - 1]))
    l->e--;
  return true;
}

static bool line_blank(const line *l) { return l->b == l->e; }

/* ---- Header lines ------------------------------------------------------ */

/* Lower-case words that may sit inside a name ("Maria de Filippi"). */
static bool is_particle(const char *w, size_t n) {
  static const char *const particles[] = {"di",  "de",    "del", "della", "da",
                                          "dal", "dalla", "van", "von",   "der",
                                          "la",  "lo",    "le",  "e"};
  for (size_t i = 0; i < sizeof particles / sizeof *particles; i++)
    if (strlen(particles[i]) == n && memcmp(particles[i], w, n) == 0)
      return true;
  return false;
}

/* True if the word starts with an upper-case letter (any script). */
static bool starts_upper(const char *w, size_t n) {
  utf8proc_int32_t cp;
  if (utf8proc_iterate((const utf8proc_uint8_t *)w, (utf8proc_ssize_t)n, &cp) <=
      0)
    return false;
  return utf8proc_category(cp) == UTF8PROC_CATEGORY_LU;
}

/* A by-line: one to five words, each capitalised or a particle, made of
 * letters, dots, apostrophes and hyphens ("F. Grasso", "D'Amico",
 * "Jean-Paul Rossi"); no digits, no sentence punctuation. */
static bool looks_like_name(const char *s, size_t n) {
  if (n == 0 || n > 60) return false;
  int words = 0, capitalised = 0;
  size_t i = 0;
  while (i < n) {
    size_t w = i;
    while (i < n && s[i] != ' ') {
      unsigned char c = (unsigned char)s[i];
      bool ok = c >= 0x80 || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                c == '.' || c == '\'' || c == '-';
      if (!ok) return false;
      i++;
    }
    size_t wn = i - w;
    if (wn == 0) return false; /* two spaces in a row */
    if (starts_upper(s + w, wn))
      capitalised++;
    else if (!is_particle(s + w, wn))
      return false;
    words++;
    /* A long last word ending in a dot ends a sentence, not an initial. */
    if (s[i - 1] == '.' && wn > 3 && i == n) return false;
    if (i < n) i++; /* the space */
  }
  return words <= 5 && capitalised >= 1;
}

/* A date line: a date alone, or a dateline "Roma, 6 settembre 2022" /
 * "MODENA - 06/09/2022" whose place is a few words. */
static bool header_date(const char *s, size_t n, char date_buf[11]) {
  if (cr_date_parse(s, n, false, date_buf)) return true;
  for (size_t i = 0; i < n && i < 40; i++) {
    if (s[i] == ',' || (s[i] == '-' && i > 0 && s[i - 1] == ' ')) {
      if (cr_date_parse(s + i + 1, n - i - 1, false, date_buf)) return true;
    }
  }
  return false;
}

/* "di Fabrizio Grasso" / "Di Fabrizio Grasso": the by-line's "by". Only
 * stripped when a full name follows, so "Di Maio" stays whole. */
static size_t byline_prefix(const char *s, size_t n) {
  if (n > 3 &&
      (memcmp(s, "di ", 3) == 0 || memcmp(s, "Di ", 3) == 0 ||
       memcmp(s, "DI ", 3) == 0) &&
      memchr(s + 3, ' ', n - 3) && looks_like_name(s + 3, n - 3))
    return 3;
  return 0;
}

void in_parse_article_text(char *text, size_t len, cr_article *art,
                           char date_buf[11],
                           char author_buf[IN_AUTHOR_BYTES]) {
  art->title = art->author = art->date = NULL;
  art->text = text + len;
  art->text_len = 0;
  size_t pos = 0;
  /* A UTF-8 byte order mark is no part of the title. */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) pos = 3;

  line t;
  while (get_line(text, len, pos, &t) && line_blank(&t))
    pos = t.next;
  if (pos >= len) return; /* nothing but blank space */
  art->text = text + t.b;
  art->text_len = len - t.b;
  /* A title needs a body after it and must be short enough to be one;
   * otherwise everything is body. */
  size_t after_title = t.next;
  size_t body = after_title;
  line l;
  while (get_line(text, len, body, &l) && line_blank(&l))
    body = l.next;
  if (body >= len || t.e - t.b > CR_TEXT_TITLE_MAX) return;

  /* The header: up to three short lines right after the title's blank
   * lines, each a date or a by-line, at most one of each. */
  size_t hdr_pos = body;
  line author_line = {0};
  bool have_author = false, have_date = false, have_by = false;
  bool ended_by_blank = false;
  int k;
  for (k = 0; k < MAX_HEADER_LINES && get_line(text, len, hdr_pos, &l); k++) {
    if (line_blank(&l)) {
      ended_by_blank = true;
      break;
    }
    size_t n = l.e - l.b;
    if (n > MAX_HEADER_BYTES || l.next >= len) break;
    if (!have_date && header_date(text + l.b, n, date_buf)) {
      have_date = true;
    } else if (!have_author && byline_prefix(text + l.b, n)) {
      have_author = have_by = true;
      author_line = l;
      author_line.b += 3;
    } else if (!have_author && looks_like_name(text + l.b, n)) {
      have_author = true;
      author_line = l;
    } else {
      break;
    }
    hdr_pos = l.next;
  }
  if (k == MAX_HEADER_LINES && get_line(text, len, hdr_pos, &l) &&
      line_blank(&l))
    ended_by_blank = true;
  /* Take the header only if it is plainly one and a body follows it. */
  size_t body_after = hdr_pos;
  while (get_line(text, len, body_after, &l) && line_blank(&l))
    body_after = l.next;
  bool header = (have_date || (have_by && ended_by_blank)) && body_after < len;
  if (header) {
    if (have_date) art->date = date_buf;
    /* A capitalised line alone may be a sub-heading: a name only beside a
     * date, or after "di". */
    if (have_author && (have_date || have_by)) {
      size_t n = author_line.e - author_line.b;
      memcpy(author_buf, text + author_line.b, n);
      author_buf[n] = '\0';
      art->author = author_buf;
    }
  }
  /* The header lines stay in the body: guesses add fields, never take
   * words away from the search. */
  text[t.e] = '\0'; /* in bounds: the body follows the title */
  art->title = text + t.b;
  art->text = text + body;
  art->text_len = len - body;
}

/* ---- Reading a file ---------------------------------------------------- */

size_t in_utf8_invalid_at(const char *s, size_t len) {
  return cr_utf8_invalid_at(s, len, 0);
}

char *in_slurp(in_reader *r, in_stream *s, const char *member, size_t limit,
               const char *what, size_t *len_out) {
  /* A plain file's size is known: one allocation (the decoded UTF-8 of
   * an --encoding may be larger, and grows the buffer as usual). */
  size_t cap = r->file->size > 0 && !r->file->compressed &&
                       r->file->format != IN_ARCHIVE &&
                       (uint64_t)r->file->size < limit
                   ? (size_t)r->file->size + 1
                   : IN_BLOCK;
  size_t n = 0;
  char *buf = malloc(cap + 1);
  if (!buf) {
    in_report(r, member, 0, "out of memory");
    return NULL;
  }
  for (;;) {
    if (n == cap) {
      if (cap >= limit) {
        in_report(r, member, 0, "too large for %s (over %zu MB)", what,
                  limit >> 20);
        free(buf);
        return NULL;
      }
      size_t bigger = cap * 2 < limit ? cap * 2 : limit;
      char *nb = realloc(buf, bigger + 1);
      if (!nb) {
        in_report(r, member, 0, "out of memory");
        free(buf);
        return NULL;
      }
      buf = nb;
      cap = bigger;
    }
    ssize_t k = s->read(s, buf + n, cap - n);
    if (k < 0) {
      in_report(r, member, 0, "%s", s->error ? s->error : "read error");
      free(buf);
      return NULL;
    }
    if (k == 0) break;
    n += (size_t)k;
  }
  buf[n] = '\0';
  *len_out = n;
  return buf;
}

int in_read_text_stream(in_reader *r, in_stream *s, const char *member,
                        const char *id) {
  size_t len = 0;
  char *text = in_slurp(r, s, member, IN_MAX_TEXT_BYTES, "an article", &len);
  if (!text) return 0;
  int rc = 0;
  size_t bad;
  line l;
  size_t pos = 0;
  while (get_line(text, len, pos, &l) && line_blank(&l))
    pos = l.next;
  if (len == 0) {
    in_report(r, member, 0, "empty file");
  } else if (memchr(text, '\0',
                    len < BINARY_SNIFF_BYTES ? len : BINARY_SNIFF_BYTES)) {
    in_report(r, member, 0, "binary file: not UTF-8 text (NUL bytes)");
  } else if ((bad = in_utf8_invalid_at(text, len)) < len) {
    in_report(r, member, 0, "not UTF-8 text: byte 0x%02x at offset %zu%s",
              (unsigned char)text[bad], bad, in_encoding_hint(r));
  } else if (pos >= len) {
    in_report(r, member, 0, "empty file (only blank space)");
  } else {
    cr_article art = {.id = id, .origin = r->file->key};
    char date[11], author[IN_AUTHOR_BYTES];
    in_parse_article_text(text, len, &art, date, author);
    rc = in_emit(r, &art, member, 0);
  }
  free(text);
  return rc;
}
