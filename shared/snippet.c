/* snippet.c — choosing and rendering the passage that shows why an article
 * matched.
 *
 * Three steps: the text is analysed once and the words whose terms are
 * among the matched terms become hits; a sliding window over the hits
 * picks the passage that covers the most distinct terms; the passage is
 * widened to word (or sentence) boundaries and copied with utf8.h's
 * terminal rules (cr_utf8_classify), with the highlight markers
 * inserted at the hits' byte offsets.
 */
#include "snippet.h"

#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "utf8.h"

#include "schema.h"

/* Longer texts are only searched for a passage in their first part: the
 * analyzer costs time per byte, and a snippet from deep inside a huge
 * document is rarely better than one from its first quarter megabyte. */
#define SNIPPET_SCAN_LIMIT (256u * 1024u)
/* How far before the first hit the passage may start, at most. */
#define SNIPPET_MAX_LEAD 100u
#define ELLIPSIS "\xe2\x80\xa6"

/* ---- Sanitising --------------------------------------------------------- */

/* A marker to insert before the byte at offset at. */
typedef struct marker {
  size_t at;
  const char *text;
} marker;

/* Copies s[from..to) to b: unsafe characters and escape sequences become a
 * space, invalid UTF-8 becomes U+FFFD. With collapse, runs of spaces shrink
 * to one and leading spaces go. The markers (sorted by offset) are written
 * before the byte they point at, all of them, even those that fall inside
 * a removed escape sequence, so start and end markers always pair up. */
static void sanitize_into(cr_buf *b, const char *s, size_t from, size_t to,
                          const marker *mk, size_t n_mk, bool collapse) {
  const unsigned char *u = (const unsigned char *)s;
  size_t m = 0;
  bool last_space = collapse; /* no leading space when collapsing */
  size_t i = from;
  while (i < to) {
    while (m < n_mk && mk[m].at <= i)
      cr_buf_puts(b, mk[m++].text);
    unsigned char c = u[i];
    if (c >= 0x20 && c < 0x7f) { /* ASCII fast path */
      if (c == ' ' && collapse && last_space) {
        i++;
        continue;
      }
      size_t j = i + 1;
      while (j < to && u[j] > 0x20 && u[j] < 0x7f &&
             (m >= n_mk || mk[m].at > j))
        j++;
      cr_buf_append(b, s + i, j - i);
      last_space = (c == ' ' && j == i + 1);
      i = j;
      continue;
    }
    size_t step;
    cr_utf8_class k = cr_utf8_classify(s + i, to - i, &step);
    if (k == CR_UTF8_INVALID) {
      cr_buf_puts(b, CR_UTF8_REPLACEMENT);
      last_space = false;
      i++;
      continue;
    }
    if (k != CR_UTF8_CONTROL) {
      cr_buf_append(b, s + i, step);
      last_space = false;
      i += step;
      continue;
    }
    if (!(collapse && last_space)) cr_buf_append(b, " ", 1);
    last_space = true;
    i += step;
  }
  while (m < n_mk)
    cr_buf_puts(b, mk[m++].text);
  if (collapse) { /* no trailing space either */
    size_t n = b->n;
    while (n > 0 && b->p[n - 1] == ' ')
      n--;
    cr_buf_truncate(b, n);
  }
}

/* ---- Finding the hits ---------------------------------------------------- */

typedef struct hit {
  size_t start, end; /* byte range of the word */
  size_t term;       /* index into the sorted distinct terms */
} hit;

typedef struct collect {
  const char **terms; /* sorted, distinct, unprefixed */
  size_t n_terms;
  const cr_exact *const *patterns; /* hits of pattern k are term n_terms+k */
  size_t n_patterns;
  hit *hits;
  size_t n_hits, cap;
  size_t base; /* offset of the analysed region in the whole text */
  bool oom;
} collect;

static int cmp_str(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int add_hit(collect *c, size_t start, size_t end, size_t term) {
  if (CR_ARRAY_GROW(c->hits, c->n_hits, c->cap) != 0) {
    c->oom = true;
    return 1;
  }
  c->hits[c->n_hits++] = (hit){start, end, term};
  return 0;
}

static int on_token(const cr_token *t, void *ctx) {
  collect *c = ctx;
  if (t->is_stop) return 0;
  const char *key = t->term;
  const char **found =
      bsearch(&key, c->terms, c->n_terms, sizeof *c->terms, cmp_str);
  if (!found) return 0;
  return add_hit(c, c->base + t->start, c->base + t->end,
                 (size_t)(found - c->terms));
}

/* An occurrence of pattern x: one hit over its whole span. */
static int on_pattern(const cr_exact *x, cr_exact_span span, void *ctx) {
  collect *c = ctx;
  size_t k = 0;
  while (k < c->n_patterns && c->patterns[k] != x)
    k++;
  return add_hit(c, span.start, span.end, c->n_terms + k);
}

/* Hits in text order; at one offset the longer first, so a phrase's
 * marker wraps its words rather than its first word alone. */
static int by_start(const void *a, const void *b) {
  const hit *x = a, *y = b;
  if (x->start != y->start) return x->start < y->start ? -1 : 1;
  return (x->end < y->end) - (x->end > y->end);
}

/* Index terms carry an uppercase prefix for fields ("Sguerr", "XOgazzett");
 * words in the text are unprefixed, so the prefix is dropped. */
static const char *strip_prefix(const char *t) {
  return t + cr_schema_prefix_len(t);
}

static bool is_ws(char c) {
  return c == ' ' || c == '\n' || c == '\t' || c == '\r' || c == '\f' ||
         c == '\v';
}

/* ---- Analysing only where hits can be ------------------------------------
 *
 * Analysing a whole article costs far more than the search that found it,
 * so longer texts are first scanned for words that can possibly match:
 * Snowball stems only ever change a word's ending, so a word can give one
 * of the terms only if its first letters (ASCII-lowercased) are the
 * term's first letters. Words that start with a non-ASCII letter are kept
 * as candidates (their folded form is unknown here). Only short regions
 * around candidates go through the analyzer. */

/* Texts up to this size are analysed whole: the scan would not pay. */
#define PREFILTER_MIN_BYTES 1024u
/* Letters of each term compared by the scan. */
#define PREFILTER_PREFIX 3u
/* Context analysed around a candidate, at most, each side: enough for the
 * whole word and an elided article before it ("dell'"). */
#define PREFILTER_CONTEXT 48u

static bool is_ascii_alnum(unsigned char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') ||
         (c >= 'A' && c <= 'Z');
}

/* True if a word starts at s[i]: a letter or non-ASCII byte after
 * something that is not part of a word, or after an apostrophe (’ too). */
static bool word_start(const unsigned char *s, size_t i) {
  if (!(is_ascii_alnum(s[i]) || s[i] >= 0xc0)) return false;
  if (i == 0) return true;
  if (i >= 3 && s[i - 3] == 0xe2 && s[i - 2] == 0x80 && s[i - 1] == 0x99)
    return true;
  return !(is_ascii_alnum(s[i - 1]) || s[i - 1] >= 0x80);
}

static bool candidate(const unsigned char *s, size_t len, size_t i,
                      const collect *c) {
  if (s[i] >= 0x80) return true;
  for (size_t t = 0; t < c->n_terms; t++) {
    const char *term = c->terms[t];
    size_t k = 0;
    while (k < PREFILTER_PREFIX && term[k] && i + k < len) {
      unsigned char b = s[i + k];
      if (b >= 'A' && b <= 'Z') b = (unsigned char)(b - 'A' + 'a');
      if (b != (unsigned char)term[k]) break;
      k++;
    }
    if (k == PREFILTER_PREFIX || !term[k]) return true;
  }
  return false;
}

/* Moves pos back (dir < 0) or forward to whitespace, at most limit bytes,
 * then to a UTF-8 character boundary. */
static size_t region_edge(const char *s, size_t len, size_t pos, int dir,
                          size_t limit) {
  size_t moved = 0;
  if (dir < 0) {
    while (pos > 0 && moved < limit && !is_ws(s[pos - 1]))
      pos--, moved++;
    while (pos > 0 && ((unsigned char)s[pos] & 0xc0) == 0x80)
      pos--;
  } else {
    while (pos < len && moved < limit && !is_ws(s[pos]))
      pos++, moved++;
    while (pos < len && ((unsigned char)s[pos] & 0xc0) == 0x80)
      pos++;
  }
  return pos;
}

/* Fills c->hits from text[0..len): whole for short texts or terms the scan
 * cannot compare (non-ASCII stems), else region by region. Returns 0, or
 * -1 if memory ran out. */
static int find_hits(cr_analyzer *an, const char *text, size_t len,
                     collect *c) {
  bool ascii = true;
  for (size_t t = 0; t < c->n_terms && ascii; t++)
    for (const unsigned char *p = (const unsigned char *)c->terms[t]; *p; p++)
      if (*p >= 0x80) ascii = false;
  if (len < PREFILTER_MIN_BYTES || !ascii) {
    c->base = 0;
    return cr_analyze(an, text, len, 0, on_token, c) < 0 || c->oom ? -1 : 0;
  }
  const unsigned char *u = (const unsigned char *)text;
  size_t rs = 0, re = 0; /* the pending region; empty while rs == re */
  for (size_t i = 0; i < len; i++) {
    if (!word_start(u, i) || !candidate(u, len, i, c)) continue;
    size_t ns = region_edge(text, len, i, -1, PREFILTER_CONTEXT);
    size_t ne = region_edge(text, len, i, +1, 2 * PREFILTER_CONTEXT);
    if (re > rs && ns <= re) { /* overlaps the pending region: extend */
      if (ne > re) re = ne;
    } else {
      if (re > rs) {
        c->base = rs;
        if (cr_analyze(an, text + rs, re - rs, 0, on_token, c) < 0 || c->oom)
          return -1;
      }
      rs = ns;
      re = ne;
    }
    if (ne > i + 1) i = ne - 1; /* the region's own words need no scan */
  }
  if (re > rs) {
    c->base = rs;
    if (cr_analyze(an, text + rs, re - rs, 0, on_token, c) < 0 || c->oom)
      return -1;
  }
  return 0;
}

/* ---- Choosing the window ------------------------------------------------- */

/* What a pattern's hit counts for beside a term's in choosing the
 * window: a phrase shown whole beats any number of scattered words. */
#define PATTERN_WEIGHT 1000u

/* The run of hits [*first, *last) whose span fits max_bytes and covers the
 * most distinct terms (a pattern counting PATTERN_WEIGHT, terms from
 * n_terms on being patterns); ties go to more hits, then to the earlier
 * run. Returns 0, or -1 if memory ran out. */
static int best_window(const hit *h, size_t n, size_t n_terms,
                       size_t n_patterns, size_t max_bytes, size_t *first,
                       size_t *last) {
  size_t all = n_terms + n_patterns;
  size_t *count = calloc(all ? all : 1, sizeof *count);
  size_t best_i = 0, best_j = n ? 1 : 0, best_d = 0, best_n = 0;
  if (!count) return -1;
#define WEIGHT(t) ((t) >= n_terms ? PATTERN_WEIGHT : 1u)
  size_t j = 0, distinct = 0;
  for (size_t i = 0; i < n; i++) {
    if (j < i + 1) { /* the window always holds hit i */
      j = i + 1;
      if (count[h[i].term]++ == 0) distinct += WEIGHT(h[i].term);
    }
    while (j < n && h[j].end - h[i].start <= max_bytes) {
      if (count[h[j].term]++ == 0) distinct += WEIGHT(h[j].term);
      j++;
    }
    if (distinct > best_d || (distinct == best_d && j - i > best_n)) {
      best_d = distinct;
      best_n = j - i;
      best_i = i;
      best_j = j;
    }
    if (--count[h[i].term] == 0) distinct -= WEIGHT(h[i].term);
  }
#undef WEIGHT
  free(count);
  *first = best_i;
  *last = best_j;
  return 0;
}

/* Moves pos forward to the start of a word (after whitespace), never past
 * limit: a passage never begins in the middle of a word. */
static size_t align_start(const char *s, size_t pos, size_t limit) {
  if (pos == 0 || is_ws(s[pos - 1])) return pos;
  size_t p = pos;
  while (p < limit && !is_ws(s[p]))
    p++;
  while (p < limit && is_ws(s[p]))
    p++;
  return p < limit ? p : limit;
}

/* Moves end back to a word boundary, never before floor; if no space is
 * found, at least to a UTF-8 character boundary. */
static size_t align_end(const char *s, size_t len, size_t end, size_t floor) {
  if (end >= len) return len;
  if (is_ws(s[end])) return end;
  size_t p = end;
  while (p > floor && !is_ws(s[p - 1]))
    p--;
  if (p > floor) return p;
  p = end;
  while (p > floor && ((unsigned char)s[p] & 0xc0) == 0x80)
    p--;
  return p;
}

/* Start of the sentence that holds pos, if one starts within [lo, pos). */
static size_t sentence_start(const char *s, size_t lo, size_t pos) {
  for (size_t p = pos; p > lo; p--) {
    char c = s[p - 1];
    if (c == '\n') return p;
    if (is_ws(c) && p >= 2 &&
        (s[p - 2] == '.' || s[p - 2] == '!' || s[p - 2] == '?'))
      return p;
  }
  return (size_t)-1;
}

/* ---- The snippet --------------------------------------------------------- */

char *cr_snippet(cr_analyzer *an, const char *text, size_t len,
                 const char *const *terms, size_t n_terms,
                 const cr_snippet_opts *opts) {
  size_t max_bytes =
      opts && opts->max_bytes ? opts->max_bytes : CR_SNIPPET_BYTES;
  const char *hl_start = opts && opts->hl_start ? opts->hl_start : "";
  const char *hl_end = opts && opts->hl_end ? opts->hl_end : "";
  if (!text) len = 0;

  collect c = {0};
  if (opts) {
    c.patterns = opts->patterns;
    c.n_patterns = opts->patterns ? opts->n_patterns : 0;
  }
  if (n_terms > 0 && len > 0 && an) {
    c.terms = malloc(n_terms * sizeof *c.terms);
    if (!c.terms) return NULL;
    for (size_t i = 0; i < n_terms; i++)
      if (terms[i] && *strip_prefix(terms[i]))
        c.terms[c.n_terms++] = strip_prefix(terms[i]);
    qsort(c.terms, c.n_terms, sizeof *c.terms, cmp_str);
    size_t w = 0; /* dedupe: "Sguerr" and "guerr" are one term */
    for (size_t i = 0; i < c.n_terms; i++)
      if (w == 0 || strcmp(c.terms[w - 1], c.terms[i]) != 0)
        c.terms[w++] = c.terms[i];
    c.n_terms = w;
    size_t scan = len < SNIPPET_SCAN_LIMIT ? len : SNIPPET_SCAN_LIMIT;
    /* Only words that may stem to a matched term are stemmed. */
    cr_analyzer_stem_only(an, (const char *const *)c.terms, c.n_terms);
    if (c.n_terms > 0 && find_hits(an, text, scan, &c) < 0) c.oom = true;
    /* No hit in the first part: the match is further on. The rest is
     * scanned from a word boundary, its hits moved to the text's offsets. */
    while (scan < len && !is_ws(text[scan]))
      scan++;
    if (!c.oom && c.n_hits == 0 && c.n_terms > 0 && scan < len) {
      if (find_hits(an, text + scan, len - scan, &c) < 0) c.oom = true;
      for (size_t i = 0; i < c.n_hits; i++) {
        c.hits[i].start += scan;
        c.hits[i].end += scan;
      }
    }
    cr_analyzer_stem_only(an, NULL, 0);
  }
  if (c.n_patterns > 0 && len > 0 && an && !c.oom) {
    size_t scan = len < SNIPPET_SCAN_LIMIT ? len : SNIPPET_SCAN_LIMIT;
    if (cr_exact_scan(an, c.patterns, c.n_patterns, text, scan, on_pattern,
                      &c) < 0 ||
        c.oom)
      c.oom = true;
    else if (c.n_hits > 1) /* hits is NULL while there are none */
      qsort(c.hits, c.n_hits, sizeof *c.hits, by_start);
  }
  if (c.oom) {
    free(c.terms);
    free(c.hits);
    return NULL;
  }

  size_t start = 0, end, first = 0, last = 0;
  if (c.n_hits > 0 && best_window(c.hits, c.n_hits, c.n_terms, c.n_patterns,
                                  max_bytes, &first, &last) != 0) {
    free(c.terms);
    free(c.hits);
    return NULL;
  }
  if (c.n_hits > 0) {
    size_t span_start = c.hits[first].start, span_end = c.hits[last - 1].end;
    size_t room = span_end - span_start < max_bytes
                      ? max_bytes - (span_end - span_start)
                      : 0;
    size_t lead = room / 2 < SNIPPET_MAX_LEAD ? room / 2 : SNIPPET_MAX_LEAD;
    size_t lo = span_start > lead ? span_start - lead : 0;
    size_t sent = sentence_start(text, lo, span_start);
    start = sent != (size_t)-1 ? sent : align_start(text, lo, span_start);
    end = start + max_bytes < len ? start + max_bytes : len;
    if (end < span_end) end = span_end;
    if (end == len && end - start < max_bytes) {
      /* Near the end of the text: use the budget before the hits. */
      size_t s2 = len > max_bytes ? len - max_bytes : 0;
      if (s2 < start) start = align_start(text, s2, span_start);
    }
    end = align_end(text, len, end, span_end);
  } else {
    end = align_end(text, len, max_bytes < len ? max_bytes : len, 0);
  }

  /* Markers for the hits inside the passage, in order. */
  size_t n_mk = 0;
  marker *mk = NULL;
  if (c.n_hits > 0) {
    mk = malloc(2 * c.n_hits * sizeof *mk);
    if (!mk) {
      free(c.terms);
      free(c.hits);
      return NULL;
    }
    size_t prev_end = start;
    for (size_t i = 0; i < c.n_hits; i++) {
      const hit *h = &c.hits[i];
      if (h->start < prev_end || h->end > end) continue;
      mk[n_mk++] = (marker){h->start, hl_start};
      mk[n_mk++] = (marker){h->end, hl_end};
      prev_end = h->end;
    }
  }

  cr_buf b = {0};
  if (start > 0) cr_buf_puts(&b, ELLIPSIS);
  /* Collapsing also trims the passage's own leading and trailing spaces,
   * so the ellipses sit against the words. */
  sanitize_into(&b, text, start, end, mk, n_mk, true);
  if (end < len && b.n > 0) cr_buf_puts(&b, ELLIPSIS);
  free(mk);
  free(c.terms);
  free(c.hits);
  return cr_buf_finish(&b, NULL);
}
