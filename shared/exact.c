/* exact.c — finding exact words, phrases and word prefixes in a text (see
 * exact.h for the contract).
 *
 * The scan keeps the last CR_EXACT_MAX_WORDS tokens the analyzer gave and,
 * at each token, asks whether a pattern ends there. Before analysing a
 * whole article, cr_exact_find folds its letters once (lower case, the
 * accents of Latin-1 letters removed) and looks for each whole word of the
 * pattern as a substring: most candidates the stems found (costi for
 * "Costa") fail there, in a pass over the bytes, for a fraction of what
 * analysing them costs.
 */
#include "exact.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

bool cr_exact_add(cr_exact *x, const char *form, size_t len, bool prefix,
                  bool elided) {
  if (x->n >= CR_EXACT_MAX_WORDS || len == 0 || len > CR_MAX_TERM_BYTES)
    return false;
  cr_exact_word *w = &x->words[x->n++];
  memcpy(w->form, form, len);
  w->form[len] = '\0';
  w->len = len;
  w->prefix = prefix;
  w->elided = elided;
  return true;
}

/* ---- The scan ---------------------------------------------------------- */

/* One token the scan remembers. */
typedef struct seen {
  char form[CR_MAX_TERM_BYTES + 1];
  size_t len;
  uint32_t position;
  size_t start, end;
  bool sentence_start;
  bool elided;
} seen;

typedef struct scan {
  const cr_exact *const *x;
  size_t n_x;
  seen ring[CR_EXACT_MAX_WORDS]; /* the last tokens, by count % size */
  size_t count;                  /* tokens seen so far */
  cr_exact_fn fn;
  void *ctx;
} scan;

static bool word_matches(const cr_exact_word *w, const seen *s) {
  if (w->prefix)
    return s->len >= w->len && memcmp(s->form, w->form, w->len) == 0;
  return s->len == w->len && memcmp(s->form, w->form, w->len) == 0;
}

/* True if pattern x ends with the token just seen. */
static bool ends_here(const scan *sc, const cr_exact *x) {
  if (x->n == 0 || x->n > sc->count) return false;
  const seen *prev = NULL;
  for (size_t k = 0; k < x->n; k++) {
    const seen *s = &sc->ring[(sc->count - x->n + k) % CR_EXACT_MAX_WORDS];
    if (!word_matches(&x->words[k], s)) return false;
    if (prev && (s->position != prev->position + 1 || s->sentence_start ||
                 s->elided != x->words[k].elided))
      return false;
    prev = s;
  }
  return true;
}

static int on_token(const cr_token *t, void *ctx) {
  scan *sc = ctx;
  seen *s = &sc->ring[sc->count % CR_EXACT_MAX_WORDS];
  s->len = t->word_len < CR_MAX_TERM_BYTES ? t->word_len : CR_MAX_TERM_BYTES;
  memcpy(s->form, t->word, s->len);
  s->form[s->len] = '\0';
  s->position = t->position;
  s->start = t->start;
  s->end = t->end;
  s->sentence_start = t->sentence_start;
  s->elided = t->elided;
  sc->count++;
  for (size_t i = 0; i < sc->n_x; i++) {
    const cr_exact *x = sc->x[i];
    if (!ends_here(sc, x)) continue;
    const seen *first = &sc->ring[(sc->count - x->n) % CR_EXACT_MAX_WORDS];
    int rc = sc->fn(x, (cr_exact_span){first->start, t->end}, sc->ctx);
    if (rc) return rc;
  }
  return 0;
}

int cr_exact_scan(cr_analyzer *an, const cr_exact *const *x, size_t n,
                  const char *text, size_t len, cr_exact_fn fn, void *ctx) {
  if (n == 0 || !text) return 0;
  scan *sc = malloc(sizeof *sc);
  if (!sc) return -1;
  sc->x = x;
  sc->n_x = n;
  sc->count = 0;
  sc->fn = fn;
  sc->ctx = ctx;
  int rc = cr_analyze_forms(an, text, len, 0, on_token, sc);
  free(sc);
  return rc;
}

/* ---- The letters test -------------------------------------------------- */

/* The base letter of the Latin-1 letter U+00C0 + i (0 if it has none:
 * Æ, Ð, ×, Ø, Þ, ß and their small forms, which folding does not reduce
 * to one ASCII letter). */
static const char latin1_base[64] = "aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0\0"
                                    "aaaaaa\0ceeeeiiii\0nooooo\0\0uuuuy\0y";

/* Folds text[0..len) into s->folded, noting in s->offset where each
 * folded byte came from: ASCII lower-cased, Latin-1 letters to their base
 * letter, the common punctuation of U+2000..U+206F and of Latin-1 to a
 * space. Returns the folded length, (size_t)-1 if the text holds a
 * character whose folded form this cannot know (only the analyzer can
 * tell), or (size_t)-2 if memory ran out. */
static size_t fold_letters(const char *text, size_t len, cr_exact_scratch *s) {
  if (len > UINT32_MAX) return (size_t)-1;
  if (s->cap < len + 1) {
    size_t cap = len + 1 > 2 * s->cap ? len + 1 : 2 * s->cap;
    char *f = realloc(s->folded, cap);
    if (f) s->folded = f;
    uint32_t *o = f ? realloc(s->offset, cap * sizeof *o) : NULL;
    if (!f || !o) return (size_t)-2;
    s->offset = o;
    s->cap = cap;
  }
  const unsigned char *u = (const unsigned char *)text;
  char *out = s->folded;
  size_t k = 0;
  for (size_t i = 0; i < len;) {
    unsigned char c = u[i];
    s->offset[k] = (uint32_t)i;
    if (c < 0x80) {
      out[k++] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
      i++;
    } else if (c == 0xc3 && i + 1 < len && u[i + 1] >= 0x80 &&
               u[i + 1] <= 0xbf && latin1_base[u[i + 1] - 0x80]) {
      out[k++] = latin1_base[u[i + 1] - 0x80];
      i += 2;
    } else if (c == 0xc2 && i + 1 < len && u[i + 1] >= 0x80 &&
               u[i + 1] <= 0xbf && u[i + 1] != 0xaa && u[i + 1] != 0xb5 &&
               u[i + 1] != 0xba) {
      out[k++] = ' '; /* « » nbsp ° and the like: not letters */
      i += 2;
    } else if (c == 0xe2 && i + 2 < len && u[i + 1] >= 0x80 &&
               u[i + 1] <= 0x81 && u[i + 2] >= 0x80 && u[i + 2] <= 0xbf) {
      out[k++] = ' '; /* ’ “ ” – — … and spaces */
      i += 3;
    } else {
      return (size_t)-1;
    }
  }
  s->offset[k] = (uint32_t)len;
  return k;
}

/* Whether the folding can stand for the analyzer on this word: plain
 * ASCII letters (digits are rewritten: 1.000 is the term 1000). */
static bool foldable_word(const cr_exact_word *w) {
  for (size_t i = 0; i < w->len; i++) {
    unsigned char c = (unsigned char)w->form[i];
    if (c >= 0x80 || (c >= '0' && c <= '9')) return false;
  }
  return true;
}

static bool is_letter_byte(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}

static int found(const cr_exact *x, cr_exact_span span, void *ctx) {
  (void)x, (void)span, (void)ctx;
  return 1;
}

/* Room left in the text, in bytes, around a word of the pattern for the
 * words before and after it (a word, its elided article, punctuation). */
static size_t room_for(const cr_exact *x, size_t from, size_t to) {
  size_t n = 64;
  for (size_t k = from; k < to; k++)
    n += 2 * (x->words[k].len + 8);
  return n;
}

/* Looks for the pattern around each occurrence of its anchor word in the
 * folded text: the analyzer runs on those passages alone. */
static int find_around(cr_analyzer *an, const cr_exact *x, const char *text,
                       size_t len, const cr_exact_scratch *s, size_t n) {
  size_t a = 0;
  for (size_t k = 1; k < x->n; k++)
    if (x->words[k].len > x->words[a].len) a = k;
  const cr_exact_word *w = &x->words[a];
  size_t before = room_for(x, 0, a), after = room_for(x, a, x->n);
  const cr_exact *one[1] = {x};
  for (const char *f = s->folded, *end = s->folded + n;;) {
    const char *hit = memmem(f, (size_t)(end - f), w->form, w->len);
    if (!hit) return 0;
    size_t k = (size_t)(hit - s->folded);
    f = hit + 1;
    if (k > 0 && is_letter_byte(s->folded[k - 1])) continue;
    if (!w->prefix && k + w->len < n && is_letter_byte(s->folded[k + w->len]))
      continue;
    size_t at = s->offset[k];
    size_t lo = at > before ? at - before : 0;
    size_t hi = at + after < len ? at + after : len;
    /* Whole words only: back to a space, on to a space. */
    while (lo > 0 && text[lo - 1] != ' ' && text[lo - 1] != '\n')
      lo--;
    while (hi < len && text[hi] != ' ' && text[hi] != '\n')
      hi++;
    int rc = cr_exact_scan(an, one, 1, text + lo, hi - lo, found, NULL);
    if (rc != 0) return rc;
  }
}

int cr_exact_find(cr_analyzer *an, const cr_exact *x, const char *text,
                  size_t len, cr_exact_scratch *scratch) {
  if (!text || x->n == 0) return 0;
  const cr_exact *one[1] = {x};
  for (size_t k = 0; k < x->n; k++)
    if (!foldable_word(&x->words[k]))
      return cr_exact_scan(an, one, 1, text, len, found, NULL);
  cr_exact_scratch own = {0};
  cr_exact_scratch *s = scratch ? scratch : &own;
  size_t n = fold_letters(text, len, s);
  int rc;
  if (n == (size_t)-2) {
    rc = -1;
  } else if (n == (size_t)-1) {
    rc = cr_exact_scan(an, one, 1, text, len, found, NULL);
  } else {
    rc = 1;
    for (size_t k = 0; k < x->n && rc; k++)
      if (!memmem(s->folded, n, x->words[k].form, x->words[k].len)) rc = 0;
    if (rc) rc = find_around(an, x, text, len, s, n);
  }
  if (!scratch) cr_exact_scratch_free(&own);
  return rc;
}

void cr_exact_scratch_free(cr_exact_scratch *s) {
  if (!s) return;
  free(s->folded);
  free(s->offset);
  memset(s, 0, sizeof *s);
}
