/* analyzer.c — words out of text: splitting, elision, stop words, Snowball
 * stemming, accent folding. See analyzer.h for the contract.
 *
 * Words are found on the original bytes (so each token knows its byte
 * range) and only then normalised one by one: NFC and case folding by
 * utf8proc, with a fast path for plain ASCII words, which are most of
 * Italian news text.
 */
#include "analyzer.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "stopwords.h"

/* Raw words longer than this cannot fit CR_MAX_TERM_BYTES after folding
 * (folding never shrinks a word by more than 4x), so they are dropped
 * without looking at them further. */
#define MAX_RAW_WORD_BYTES (4 * CR_MAX_TERM_BYTES)

struct cr_analyzer {
  char language[32];           /* Snowball language name */
  struct sb_stemmer *stemmer;  /* libstemmer_c, UTF-8 */
  cr_stoplist stop;            /* stop words of the language */
  char word[MAX_RAW_WORD_BYTES * 4 + 1]; /* folded word */
  char term[MAX_RAW_WORD_BYTES * 4 + 1]; /* accent-folded stem */
};

/* Articles and prepositions elided before an apostrophe: Lucene's Italian
 * list, plus the common adjective forms (quest’anno, sant’Anna). */
static const char *const elisions[] = {
    "agl",  "all",    "bell", "c",   "coll",   "d",     "dagl", "dall",
    "degl", "dell",   "gl",   "l",   "m",      "negl",  "nell", "nessun",
    "pell", "quell",  "quest", "s",  "sant",   "sugl",  "sull", "t",
    "tutt", "un",     "v",
};

static bool is_elision(const char *word) {
  for (size_t i = 0; i < sizeof elisions / sizeof *elisions; i++)
    if (strcmp(word, elisions[i]) == 0) return true;
  return false;
}

cr_analyzer *cr_analyzer_new(const char *language, cr_error *err) {
  if (!language) language = "italian";
  cr_analyzer *a = calloc(1, sizeof *a);
  if (!a) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return NULL;
  }
  a->stemmer = sb_stemmer_new(language, "UTF_8");
  if (!a->stemmer) {
    cr_error_set(err, CR_E_INVALID,
                 "unknown stemming language '%s' (try italian, english, "
                 "french, german, spanish, portuguese...)",
                 language);
    free(a);
    return NULL;
  }
  snprintf(a->language, sizeof a->language, "%s", language);
  a->stop = cr_stoplist_for(language);
  return a;
}

void cr_analyzer_free(cr_analyzer *a) {
  if (!a) return;
  sb_stemmer_delete(a->stemmer);
  free(a);
}

const char *cr_analyzer_language(const cr_analyzer *a) { return a->language; }

/* ---- Characters ------------------------------------------------------- */

/* Decodes one code point at s[i..len); invalid or truncated sequences and
 * NUL give -1 with a length of 1 byte, so scanning always moves on. */
static utf8proc_int32_t decode(const char *s, size_t i, size_t len,
                               size_t *n) {
  unsigned char c = (unsigned char)s[i];
  if (c < 0x80) {
    *n = 1;
    return c ? c : -1;
  }
  utf8proc_int32_t cp;
  utf8proc_ssize_t k =
      utf8proc_iterate((const utf8proc_uint8_t *)s + i, (utf8proc_ssize_t)(len - i), &cp);
  if (k <= 0) {
    *n = 1;
    return -1;
  }
  *n = (size_t)k;
  return cp;
}

static bool is_word_char(utf8proc_int32_t cp) {
  if (cp < 0) return false;
  if (cp < 0x80)
    return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z') ||
           (cp >= '0' && cp <= '9');
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU: case UTF8PROC_CATEGORY_LL:
  case UTF8PROC_CATEGORY_LT: case UTF8PROC_CATEGORY_LM:
  case UTF8PROC_CATEGORY_LO: case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC: case UTF8PROC_CATEGORY_ME:
  case UTF8PROC_CATEGORY_ND: case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    return true;
  default:
    return false;
  }
}

static bool is_digit(utf8proc_int32_t cp) { return cp >= '0' && cp <= '9'; }

static bool is_apostrophe(utf8proc_int32_t cp) {
  return cp == '\'' || cp == 0x2019; /* ' and ’ */
}

/* Joiners inside compound words: hyphen-minus, hyphen, non-breaking
 * hyphen. Dashes (– —) separate clauses and are not joiners. */
static bool is_hyphen(utf8proc_int32_t cp) {
  return cp == '-' || cp == 0x2010 || cp == 0x2011;
}

static bool word_char_at(const char *s, size_t i, size_t len) {
  size_t n;
  return i < len && is_word_char(decode(s, i, len, &n));
}

static bool digit_at(const char *s, size_t i, size_t len) {
  return i < len && s[i] >= '0' && s[i] <= '9';
}

/* ---- Normalisation ---------------------------------------------------- */

/* Writes the case-folded NFC form of s[0..len) into out (at least 4*len+1
 * bytes) and returns its length. Numbers lose their thousands dots
 * ("1.000" -> "1000"). */
static size_t fold_word(const char *s, size_t len, bool number, char *out) {
  bool ascii = true;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] >= 0x80) ascii = false;
  if (ascii) {
    size_t k = 0;
    for (size_t i = 0; i < len; i++) {
      char c = s[i];
      if (number && c == '.') continue;
      out[k++] = (c >= 'A' && c <= 'Z') ? (char)(c + 32) : c;
    }
    out[k] = '\0';
    return k;
  }
  utf8proc_uint8_t *mapped = NULL;
  utf8proc_ssize_t k = utf8proc_map(
      (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &mapped,
      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD);
  if (k < 0 || (size_t)k > 4 * len) {
    free(mapped);
    out[0] = '\0';
    return 0;
  }
  memcpy(out, mapped, (size_t)k);
  out[k] = '\0';
  free(mapped);
  return (size_t)k;
}

/* Removes accents (combining marks after decomposition) from the
 * NUL-terminated s, in place. ASCII strings are left as they are. */
static size_t strip_accents(char *s, size_t len) {
  bool ascii = true;
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] >= 0x80) ascii = false;
  if (ascii) return len;
  utf8proc_uint8_t *mapped = NULL;
  utf8proc_ssize_t k = utf8proc_map(
      (const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len, &mapped,
      UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK);
  if (k < 0 || (size_t)k > len) { /* stripping never grows NFC text */
    free(mapped);
    return len;
  }
  memcpy(s, mapped, (size_t)k);
  s[k] = '\0';
  free(mapped);
  return (size_t)k;
}

size_t cr_analyzer_normalize(cr_analyzer *a, const char *word, size_t len,
                             char *out, size_t out_size) {
  if (out_size == 0) return 0;
  if (len > MAX_RAW_WORD_BYTES) len = MAX_RAW_WORD_BYTES;
  size_t k = fold_word(word, len, false, a->word);
  k = strip_accents(a->word, k);
  if (k >= out_size) {
    k = out_size - 1;
    /* Never cut a UTF-8 sequence in half. */
    while (k > 0 && ((unsigned char)a->word[k] & 0xC0) == 0x80) k--;
  }
  memcpy(out, a->word, k);
  out[k] = '\0';
  return k;
}

bool cr_analyzer_is_stopword(const cr_analyzer *a, const char *word,
                             size_t len) {
  char buf[CR_MAX_TERM_BYTES + 1];
  if (len > CR_MAX_TERM_BYTES) return false;
  memcpy(buf, word, len);
  buf[len] = '\0';
  return cr_stoplist_contains(a->stop, buf);
}

/* ---- Tokens ----------------------------------------------------------- */

/* A word found in the text, before normalisation. */
typedef struct raw_word {
  size_t start, end; /* byte range in the input */
  bool number;       /* digits only (with . or , between digit groups) */
  bool compound;     /* joined to a neighbour by a hyphen: never a stop word */
  bool elided;       /* followed by an apostrophe */
} raw_word;

/* Normalises, filters and stems one word and hands it to fn. Returns the
 * callback's value, and advances *position unless the word was an elided
 * article, which takes no position of its own. */
static int emit_word(cr_analyzer *a, const char *text, const raw_word *w,
                     uint32_t *position, cr_token_fn fn, void *ctx) {
  size_t raw_len = w->end - w->start;
  if (raw_len > MAX_RAW_WORD_BYTES) {
    (*position)++;
    return 0;
  }
  size_t len = fold_word(text + w->start, raw_len, w->number, a->word);
  if (len == 0) return 0;
  if (w->elided && !w->compound && is_elision(a->word)) return 0;

  cr_token tok = {.position = (*position)++, .start = w->start,
                  .end = w->end, .is_stop = false};
  if (!w->compound && !w->number && cr_stoplist_contains(a->stop, a->word)) {
    tok.is_stop = true;
    tok.term = a->word;
    tok.term_len = len;
  } else if (w->number) {
    tok.term = a->word;
    tok.term_len = len;
  } else {
    const sb_symbol *stem =
        sb_stemmer_stem(a->stemmer, (const sb_symbol *)a->word, (int)len);
    if (!stem) return -1; /* libstemmer ran out of memory */
    size_t stem_len = (size_t)sb_stemmer_length(a->stemmer);
    memcpy(a->term, stem, stem_len);
    a->term[stem_len] = '\0';
    tok.term = a->term;
    tok.term_len = strip_accents(a->term, stem_len);
  }
  if (tok.term_len == 0 || tok.term_len > CR_MAX_TERM_BYTES) return 0;
  return fn(&tok, ctx);
}

int cr_analyze(cr_analyzer *a, const char *text, size_t len,
               uint32_t first_position, cr_token_fn fn, void *ctx) {
  uint32_t position = first_position;
  bool after_hyphen = false; /* the previous word ended in a joining hyphen */
  size_t i = 0;
  while (i < len) {
    size_t n;
    utf8proc_int32_t cp = decode(text, i, len, &n);
    if (!is_word_char(cp)) {
      i += n;
      after_hyphen = false;
      continue;
    }
    raw_word w = {.start = i, .number = true, .compound = after_hyphen};
    /* Scan the word; digit groups joined by . or , stay one number. */
    while (i < len) {
      cp = decode(text, i, len, &n);
      if (is_word_char(cp)) {
        if (!is_digit(cp)) w.number = false;
        i += n;
      } else if (w.number && (cp == '.' || cp == ',') && i > w.start &&
                 digit_at(text, i - 1, len) && digit_at(text, i + 1, len)) {
        i += 1;
      } else {
        break;
      }
    }
    w.end = i;
    after_hyphen = false;
    if (i < len) {
      cp = decode(text, i, len, &n);
      if (is_hyphen(cp) && word_char_at(text, i + n, len)) {
        w.compound = true;
        after_hyphen = true;
        i += n;
      } else if (is_apostrophe(cp)) {
        w.elided = true;
      }
    }
    int rc = emit_word(a, text, &w, &position, fn, ctx);
    if (rc != 0) return rc;
  }
  return 0;
}
