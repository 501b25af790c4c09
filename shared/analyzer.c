/* analyzer.c — words out of text: splitting, elision, stop words, Snowball
 * stemming, accent folding. See analyzer.h for the contract.
 *
 * Words are found on the original bytes (so each token knows its byte
 * range) and only then normalised one by one: NFC and case folding by
 * utf8proc, with a fast path for plain ASCII words, which are most of
 * Italian news text.
 *
 * Speed: news text repeats a small vocabulary, and Snowball stemming is
 * most of the cost of analysis, so each analyzer keeps a direct-mapped
 * cache from folded word to {stop word?, term}. A hit costs one hash and
 * one memcmp; a miss stems and replaces the slot. Nothing is allocated
 * per word: utf8proc works in buffers owned by the analyzer.
 */
#include "analyzer.h"

#include <libstemmer.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "hash.h"
#include "stopwords.h"

/* Raw words longer than this are dropped without looking at them further:
 * no real word is this long, and it bounds every buffer below. */
#define MAX_RAW_WORD_BYTES (4 * CR_MAX_TERM_BYTES)

/* Code points utf8proc may produce from one raw word: canonical
 * decomposition and case folding expand a character to at most 4. */
#define FOLD_CAP (4 * MAX_RAW_WORD_BYTES + 1)

/* The word cache: slots (a power of two) and the longest word it keeps.
 * 16384 slots of 51 bytes (835 KB per analyzer) keep ~90% of the words of
 * a news corpus; on DICE they took analysis from 23 to 65 MB/s. */
#define CACHE_SLOTS 16384
#define CACHE_WORD 24

/* Wanted terms whose starts cr_analyzer_stem_only compares with whole
 * words (Italian); with more, only their first two bytes. */
#define STEM_TERMS 64

typedef struct cache_slot {
  uint8_t word_len;      /* 0: the slot is empty */
  uint8_t term_len;      /* strlen(term) */
  bool is_stop;          /* word is in the stop list */
  char word[CACHE_WORD]; /* the folded word (the key) */
  char term[CACHE_WORD]; /* its stemmed, accent-folded term, NUL-terminated */
} cache_slot;

/* cr_analyzer_stem_only's filter: words whose first byte is ASCII and
 * not in firsts keep their word as their term, unstemmed; with a stemmer
 * that keeps two letters, so do words whose first two bytes are ASCII
 * and not a wanted term's (seconds: the second bytes of the terms that
 * start with each first byte, 0 for a term of one byte). */
typedef struct stem_term {
  const char *term; /* the caller's, while the filter is on */
  size_t len;       /* strlen(term) */
  size_t start;     /* italian_stem_start(term) */
} stem_term;

typedef struct stem_filter {
  bool on;
  uint64_t firsts[2];
  uint64_t seconds[128][2];
  stem_term terms[STEM_TERMS]; /* for Italian */
  size_t n_terms;              /* over STEM_TERMS: the first two bytes only */
} stem_filter;

/* What cr_analyze_find's skim needs to know of an input byte (bits). */
enum {
  K_DIGIT = 1,  /* 0-9 */
  K_LETTER = 2, /* a-z A-Z */
  K_ENDS = 4,   /* ends a sentence: . ! ? and a line break */
  K_DOT = 8,    /* may continue a number or an acronym */
  K_COMMA = 16, /* may continue a number */
  K_HIGH = 64   /* not ASCII: the general path decodes it */
};

struct cr_analyzer {
  char language[32];                /* Snowball language name */
  struct sb_stemmer *stemmer;       /* libstemmer_c, UTF-8 */
  cr_stoplist stop;                 /* stop words of the language */
  cache_slot *cache;                /* CACHE_SLOTS slots */
  char raw[MAX_RAW_WORD_BYTES + 1]; /* acronym letters, cleaned input */
  utf8proc_int32_t cps[FOLD_CAP];   /* utf8proc's working buffer */
  char word[4 * FOLD_CAP + 1];      /* the folded word */
  char term[4 * FOLD_CAP + 1];      /* the stemmed, accent-folded term */
  char form[4 * FOLD_CAP + 1];      /* the folded word without accents */
  bool forms_only;    /* cr_analyze_forms: words, no stems, no stop flags */
  stem_filter filter; /* cr_analyzer_stem_only's */
  unsigned char kind[256]; /* each byte's K_ bits */
  /* What the stemmer never changes of a word whose first bytes are ASCII:
   * its first letter (1: English), its first two (2: Italian), or
   * nothing known (0). */
  unsigned kept_prefix;
  bool elision; /* drop elided articles (Italian); elsewhere an apostrophe
                   between letters belongs to the word: aren't, O'Brien */
};

/* Words elided before an apostrophe, dropped with it. Lucene's Italian
 * list (ItalianAnalyzer's DEFAULT_ARTICLES: c l all dall dell nell sull
 * coll pell gl agl dagl degl negl sugl un m t s v d) plus common truncated
 * forms: quest’anno, quell’uomo, bell’Italia, nessun’altra, tutt’altro,
 * anch’io, com’è, dov’è, senz’altro, nient’altro. Not sant’: Sant’Agostino
 * is a place, not any Agostino. Sorted (strcmp) for bsearch. */
static const char *const elisions[] = {
    "agl",  "all",  "anch",   "bell",  "c",    "coll",  "com",   "d",
    "dagl", "dall", "degl",   "dell",  "dov",  "gl",    "l",     "m",
    "negl", "nell", "nessun", "nient", "pell", "quell", "quest", "s",
    "senz", "sugl", "sull",   "t",     "tutt", "un",    "v",
};

static int compare_word(const void *key, const void *elem) {
  return strcmp(key, *(const char *const *)elem);
}

static bool is_elision(const char *word) {
  return bsearch(word, elisions, sizeof elisions / sizeof *elisions,
                 sizeof *elisions, compare_word) != NULL;
}

cr_analyzer *cr_analyzer_new(const char *language, cr_error *err) {
  if (!language) language = "italian";
  cr_analyzer *a = calloc(1, sizeof *a);
  cache_slot *cache = calloc(CACHE_SLOTS, sizeof *cache);
  if (!a || !cache) {
    free(a);
    free(cache);
    cr_error_set(err, CR_E_NOMEM, "out of memory creating the analyzer");
    return NULL;
  }
  a->cache = cache;
  a->stemmer = sb_stemmer_new(language, "UTF_8");
  if (!a->stemmer) {
    cr_error_set(err, CR_E_INVALID,
                 "unknown stemming language '%s' (try italian, english, "
                 "french, german, spanish, portuguese...)",
                 language);
    cr_analyzer_free(a);
    return NULL;
  }
  snprintf(a->language, sizeof a->language, "%s", language);
  a->stop = cr_stoplist_for(language);
  a->elision = strcmp(language, "italian") == 0 || strcmp(language, "it") == 0;
  /* Italian's and English's Snowball stemmers take suffixes off after a
   * word's first letter and their preludes touch only accents and i/u/y
   * between vowels: a stem starts with its word's ASCII first letter.
   * Italian's regions start at its third letter at the earliest (R1
   * after a vowel and a consonant, RV after the third letter or later),
   * and its prelude's marks on u and i between vowels are undone: a stem
   * keeps its word's first two ASCII letters, and a word of two letters
   * or more stems to two or more (English's does not: dying -> die).
   * test_analyzer checks the first letter on corpus/ words and English
   * prose, test_analyze_find the rest on corpus/ and DICE words. Other
   * stemmers (Irish undoes initial mutations) stem every word. */
  for (int c = 0; c < 256; c++) {
    unsigned k = c >= 0x80 ? K_HIGH : 0;
    if (c >= '0' && c <= '9') k |= K_DIGIT;
    if ((c | 32) >= 'a' && (c | 32) <= 'z') k |= K_LETTER;
    if (c == '.' || c == '!' || c == '?' || c == '\n') k |= K_ENDS;
    if (c == '.') k |= K_DOT;
    if (c == ',') k |= K_COMMA;
    a->kind[c] = (unsigned char)k;
  }
  if (a->elision)
    a->kept_prefix = 2;
  else if (strcmp(language, "english") == 0 || strcmp(language, "en") == 0)
    a->kept_prefix = 1;
  return a;
}

void cr_analyzer_free(cr_analyzer *a) {
  if (!a) return;
  if (a->stemmer) sb_stemmer_delete(a->stemmer);
  free(a->cache);
  free(a);
}

const char *cr_analyzer_language(const cr_analyzer *a) { return a->language; }

/* ---- Characters ------------------------------------------------------- */

/* Decodes one code point at s[i..len); invalid or truncated sequences and
 * NUL give -1 with a length of 1 byte, so scanning always moves on and
 * bad bytes act as separators (as U+FFFD would). */
static utf8proc_int32_t decode(const char *s, size_t i, size_t len, size_t *n) {
  unsigned char c = (unsigned char)s[i];
  if (c < 0x80) {
    *n = 1;
    return c ? c : -1;
  }
  utf8proc_int32_t cp;
  utf8proc_ssize_t k = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                        (utf8proc_ssize_t)(len - i), &cp);
  if (k <= 0) {
    *n = 1;
    return -1;
  }
  *n = (size_t)k;
  return cp;
}

static bool is_ascii_alnum(utf8proc_int32_t cp) {
  return (unsigned)((cp | 32) - 'a') < 26 || (unsigned)(cp - '0') < 10;
}

/* Word characters: letters (L*), marks (M*) and digits (N*). U+02BC, the
 * modifier letter apostrophe, is a letter to Unicode but an apostrophe to
 * writers (l\u02BCItalia). */
static bool is_word_char(utf8proc_int32_t cp) {
  if (cp < 0x80) return cp > 0 && is_ascii_alnum(cp);
  if (cp == 0x02BC) return false;
  switch (utf8proc_category(cp)) {
  case UTF8PROC_CATEGORY_LU:
  case UTF8PROC_CATEGORY_LL:
  case UTF8PROC_CATEGORY_LT:
  case UTF8PROC_CATEGORY_LM:
  case UTF8PROC_CATEGORY_LO:
  case UTF8PROC_CATEGORY_MN:
  case UTF8PROC_CATEGORY_MC:
  case UTF8PROC_CATEGORY_ME:
  case UTF8PROC_CATEGORY_ND:
  case UTF8PROC_CATEGORY_NL:
  case UTF8PROC_CATEGORY_NO:
    return true;
  default:
    return false;
  }
}

static bool is_digit(utf8proc_int32_t cp) { return cp >= '0' && cp <= '9'; }

static bool is_letter(utf8proc_int32_t cp) {
  return is_word_char(cp) && !is_digit(cp);
}

static bool is_apostrophe(utf8proc_int32_t cp) {
  return cp == '\'' || cp == 0x2019 || cp == 0x02BC; /* ' ’ ʼ */
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

/* Runs utf8proc over s[0..len) (valid UTF-8) with opts, writing the
 * NUL-terminated result to out (4 * FOLD_CAP + 1 bytes). Returns its
 * length, 0 if utf8proc failed or the result would not fit. */
static size_t map_utf8(cr_analyzer *a, const char *s, size_t len,
                       utf8proc_option_t opts, char *out) {
  /* One code point spare: reencode writes a NUL after the bytes. */
  utf8proc_ssize_t n =
      utf8proc_decompose((const utf8proc_uint8_t *)s, (utf8proc_ssize_t)len,
                         a->cps, FOLD_CAP - 1, opts);
  if (n >= 0 && n <= FOLD_CAP - 1)
    n = utf8proc_reencode(a->cps, n, opts);
  else
    n = -1;
  if (n < 0) {
    out[0] = '\0';
    return 0;
  }
  memcpy(out, a->cps, (size_t)n);
  out[n] = '\0';
  return (size_t)n;
}

static bool is_ascii(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++)
    if ((unsigned char)s[i] >= 0x80) return false;
  return true;
}

/* Writes the case-folded NFC form of s[0..len) to out and returns its
 * length (0 if it cannot be folded). */
static size_t fold_word(cr_analyzer *a, const char *s, size_t len, char *out) {
  if (!is_ascii(s, len))
    return map_utf8(
        a, s, len, UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_CASEFOLD, out);
  for (size_t i = 0; i < len; i++)
    out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] + 32) : s[i];
  out[len] = '\0';
  return len;
}

/* Removes accents (marks, after canonical decomposition) from the
 * NUL-terminated s, in place. Returns the new length. */
static size_t strip_accents(cr_analyzer *a, char *s, size_t len) {
  if (is_ascii(s, len)) return len;
  return map_utf8(a, s, len,
                  UTF8PROC_STABLE | UTF8PROC_COMPOSE | UTF8PROC_STRIPMARK, s);
}

/* Copies the valid, non-NUL characters of s[0..len) to a->raw, up to
 * MAX_RAW_WORD_BYTES, never splitting a character. Returns the length. */
static size_t clean_utf8(cr_analyzer *a, const char *s, size_t len) {
  size_t k = 0;
  for (size_t i = 0, n; i < len; i += n) {
    utf8proc_int32_t cp = decode(s, i, len, &n);
    if (cp < 0) continue;
    if (k + n > MAX_RAW_WORD_BYTES) break;
    memcpy(a->raw + k, s + i, n);
    k += n;
  }
  a->raw[k] = '\0';
  return k;
}

size_t cr_analyzer_normalize(cr_analyzer *a, const char *word, size_t len,
                             char *out, size_t out_size) {
  if (out_size == 0) return 0;
  size_t k = clean_utf8(a, word, len);
  k = fold_word(a, a->raw, k, a->word);
  k = strip_accents(a, a->word, k);
  if (k >= out_size) {
    k = out_size - 1;
    /* Never cut a UTF-8 sequence in half. */
    while (k > 0 && ((unsigned char)a->word[k] & 0xC0) == 0x80)
      k--;
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

/* ---- Stems, through the cache ----------------------------------------- */

/* Stems the folded word (a->word, len bytes) into a->term and folds its
 * accents. Returns the term's length, 0 if too long, -1 if out of memory. */
static long stem_word(cr_analyzer *a, size_t len) {
  const sb_symbol *stem =
      sb_stemmer_stem(a->stemmer, (const sb_symbol *)a->word, (int)len);
  if (!stem) return -1;
  size_t n = (size_t)sb_stemmer_length(a->stemmer);
  if (n >= sizeof a->term) return 0;
  memcpy(a->term, stem, n);
  a->term[n] = '\0';
  return (long)strip_accents(a, a->term, n);
}

static uint32_t hash_word(const char *s, size_t len) {
  return cr_fnv1a32(s, len);
}

/* What a folded word becomes: its term and whether it is a stop word. */
typedef struct lookup {
  const char *term; /* stemmed, accent-folded, NUL-terminated */
  size_t term_len;  /* 0: nothing to index (too long) */
  bool is_stop;
} lookup;

/* Looks the folded word a->word up in the cache, stemming it on a miss.
 * The cache is 2-way set associative; the most recently used way of a set
 * comes first. Returns 0, or -1 if the stemmer ran out of memory. */
static int lookup_word(cr_analyzer *a, size_t len, lookup *out) {
  cache_slot *set = NULL;
  if (len < CACHE_WORD) {
    set = &a->cache[2 * (hash_word(a->word, len) & (CACHE_SLOTS / 2 - 1))];
    for (int way = 0; way < 2; way++) {
      if (set[way].word_len != len || memcmp(set[way].word, a->word, len))
        continue;
      if (way == 1) {
        cache_slot t = set[0];
        set[0] = set[1];
        set[1] = t;
      }
      *out = (lookup){set[0].term, set[0].term_len, set[0].is_stop};
      return 0;
    }
  }
  long n = stem_word(a, len);
  if (n < 0) return -1;
  *out = (lookup){a->term, (size_t)n, cr_stoplist_contains(a->stop, a->word)};
  if (set && (size_t)n < CACHE_WORD) {
    set[1] = set[0];
    set[0].word_len = (uint8_t)len;
    memcpy(set[0].word, a->word, len);
    set[0].term_len = (uint8_t)n;
    memcpy(set[0].term, a->term, (size_t)n + 1);
    set[0].is_stop = out->is_stop;
  }
  return 0;
}

/* ---- Tokens ----------------------------------------------------------- */

/* A word found in the text, before normalisation. */
typedef struct raw_word {
  const char *text;  /* the bytes to normalise (the input, or a->raw) */
  size_t len;        /* their length */
  size_t start, end; /* byte range in the input */
  bool number;       /* digits only (with . or , between digit groups) */
  bool compound;     /* joined to a neighbour by a hyphen: never a stop word */
  bool acronym;      /* U.S.A.: never a stop word */
  bool elided;       /* followed by an apostrophe */
  bool sentence_start; /* see cr_token */
  bool after_elision;  /* cr_token.elided */
} raw_word;

/* Italian thousands separators: "1.000" and "12.345.678" lose their dots,
 * but "2.5", "10.30" (a time) and "3.10.2" keep them, since dropping them
 * would make a different number. The decimal comma stays: "3,5" is one
 * token, so a search for 3,5 finds exactly 3,5. */
static bool thousands_dots(const char *s, size_t len) {
  size_t group = 0, i = 0;
  bool first = true, dots = false;
  for (; i < len && s[i] != ','; i++) {
    if (s[i] != '.') {
      group++;
      continue;
    }
    if (first ? group == 0 || group > 3 : group != 3) return false;
    first = false;
    dots = true;
    group = 0;
  }
  return dots && group == 3;
}

/* Writes the number s[0..len) to a->word, without thousands dots. */
static size_t fold_number(cr_analyzer *a, const char *s, size_t len) {
  bool drop_dots = thousands_dots(s, len);
  size_t k = 0;
  for (size_t i = 0; i < len; i++)
    if (!(drop_dots && s[i] == '.')) a->word[k++] = s[i];
  a->word[k] = '\0';
  return k;
}

/* True if the word starts with a capital letter (Lu or Lt). */
static bool starts_capitalised(const char *s, size_t len) {
  if (len == 0) return false;
  if ((unsigned char)s[0] < 0x80) return s[0] >= 'A' && s[0] <= 'Z';
  size_t n;
  utf8proc_int32_t cp = decode(s, 0, len, &n);
  if (cp < 0) return false;
  utf8proc_category_t c = utf8proc_category(cp);
  return c == UTF8PROC_CATEGORY_LU || c == UTF8PROC_CATEGORY_LT;
}

/* The word itself, as cr_token.word: the folded word (a->word, len
 * bytes) without its accents, in a->form. Returns its length. */
static size_t word_form(cr_analyzer *a, size_t len) {
  memcpy(a->form, a->word, len + 1);
  return strip_accents(a, a->form, len);
}

/* How many of an Italian term's first bytes an ASCII word must start
 * with to stem to it. Italian's Snowball stemmer takes off suffixes
 * (keeping at least the first two letters, so a word of one letter stems
 * to itself and only such a word does) and puts back letters the word
 * lacks in two cases only: enza/enze -> ente (whose e may then go: a stem
 * ending in te or t), and ar/er/ir + pronoun -> are/ere/ire (which the
 * verb suffixes take off, or the e goes, or it stays: a stem ending in
 * e); logia -> log and uzione -> u are the word's own letters. Any other
 * stem is the start of its word. test_analyze_find checks it on
 * corpus/ and DICE words. */
static size_t italian_stem_start(const char *t, size_t len) {
  size_t keep = len;
  if (len >= 2 && t[len - 2] == 't' && t[len - 1] == 'e')
    keep = len - 2;
  else if (len >= 1 && (t[len - 1] == 't' || t[len - 1] == 'e'))
    keep = len - 1;
  return keep < 2 && len >= 2 ? 2 : keep;
}

/* Whether a word whose folded form starts with c, then c1 (0: the word
 * has one byte), can stem to none of the terms cr_analyzer_stem_only was
 * given, by those bytes alone: c is none of theirs or, with a stemmer
 * that keeps two letters (a stem of two letters or more comes from a word
 * of two or more), c and c1 are ASCII and none of theirs. */
static bool key_unwanted(const cr_analyzer *a, unsigned char c,
                         unsigned char c1) {
  const stem_filter *f = &a->filter;
  if (c >= 0x80) return false;
  if (!(f->firsts[c >> 6] & (UINT64_C(1) << (c & 63)))) return true;
  if (a->kept_prefix < 2 || c1 >= 0x80) return false;
  return !(f->seconds[c][c1 >> 6] & (UINT64_C(1) << (c1 & 63)));
}

/* Whether the ASCII word s (len >= 1 bytes, folded) starts with none of
 * the terms' italian_stem_start (Italian only: false otherwise). */
static bool start_unwanted(const cr_analyzer *a, const char *s, size_t len) {
  const stem_filter *f = &a->filter;
  if (a->kept_prefix < 2 || f->n_terms > STEM_TERMS) return false;
  for (size_t i = 0; i < f->n_terms; i++) {
    const stem_term *t = &f->terms[i];
    /* Every start holds the term's first byte, and its second when the
     * term has two: the key. */
    if (t->term[0] != s[0] || (len == 1) != (t->len == 1) || len < t->start ||
        (t->len > 1 && t->term[1] != s[1]))
      continue;
    if (memcmp(s, t->term, t->start) == 0) return false;
  }
  return true;
}

/* Whether the stem of the folded word s (len >= 1 bytes) can be none of
 * the terms: key_unwanted, or (an ASCII word) start_unwanted. */
static bool stem_unwanted(const cr_analyzer *a, const char *s, size_t len) {
  if (key_unwanted(a, (unsigned char)s[0], len > 1 ? (unsigned char)s[1] : 0))
    return true;
  return is_ascii(s, len) && start_unwanted(a, s, len);
}

/* Whether the folded word a->word (len bytes) can be left unstemmed
 * under cr_analyzer_stem_only: a stem none of the terms, and short enough
 * that its stem would have been emitted too (a stem is never longer than
 * its word, nor empty). */
static bool unwanted_stem(const cr_analyzer *a, size_t len) {
  return a->filter.on && len <= CR_MAX_TERM_BYTES &&
         stem_unwanted(a, a->word, len);
}

bool cr_analyzer_stem_only(cr_analyzer *a, const char *const *terms, size_t n) {
  stem_filter *f = &a->filter;
  f->on = false;
  if (!terms || a->kept_prefix == 0) return terms == NULL;
  for (unsigned h = 0; h < 2; h++) /* only the rows set last time */
    for (uint64_t bits = f->firsts[h]; bits; bits &= bits - 1) {
      unsigned c = h * 64 + (unsigned)__builtin_ctzll(bits);
      f->seconds[c][0] = f->seconds[c][1] = 0;
    }
  f->firsts[0] = f->firsts[1] = 0;
  for (size_t i = 0; i < n; i++) {
    unsigned char c = (unsigned char)terms[i][0];
    unsigned char c1 = c ? (unsigned char)terms[i][1] : 0;
    if (c >= 0x80) return false; /* every word may stem to it: no filter */
    f->firsts[c >> 6] |= UINT64_C(1) << (c & 63);
    /* A second byte that is not ASCII: only words whose second is not
     * either may stem to it, and stem_unwanted stems those. */
    if (c1 < 0x80) f->seconds[c][c1 >> 6] |= UINT64_C(1) << (c1 & 63);
  }
  f->n_terms = n;
  for (size_t i = 0; i < n && n <= STEM_TERMS; i++) {
    size_t len = strlen(terms[i]);
    f->terms[i] = (stem_term){terms[i], len, italian_stem_start(terms[i], len)};
  }
  f->on = true;
  return true;
}

/* Normalises, filters and stems one word and hands it to fn. Returns the
 * callback's value (or -1 when out of memory), and advances *position
 * unless the word was an elided article, which is part of the next word
 * (then *elided is set). */
static int emit_word(cr_analyzer *a, const raw_word *w, uint32_t *position,
                     cr_token_fn fn, void *ctx, bool *elided) {
  *elided = false;
  if (w->len > MAX_RAW_WORD_BYTES) {
    (*position)++;
    return 0;
  }
  size_t len = w->number ? fold_number(a, w->text, w->len)
                         : fold_word(a, w->text, w->len, a->word);
  if (a->elision && w->elided && !w->compound && is_elision(a->word)) {
    *elided = true;
    return 0;
  }
  cr_token tok = {.position = (*position)++,
                  .start = w->start,
                  .end = w->end,
                  .term = a->word,
                  .term_len = len,
                  .word = a->word,
                  .word_len = len,
                  .capitalised = starts_capitalised(w->text, w->len),
                  .elided = w->after_elision,
                  .sentence_start = w->sentence_start};
  if (!w->number && len > 0) {
    tok.word_len = word_form(a, len);
    tok.word = a->form;
    if (a->forms_only) {
      tok.term = tok.word; /* no stem: cr_analyze_forms */
      tok.term_len = tok.word_len;
      return tok.term_len > CR_MAX_TERM_BYTES ? 0 : fn(&tok, ctx);
    }
    /* Its stem would start with the same letter, none of the wanted
     * ones': neither stemmed nor looked up in the stop list. */
    if (unwanted_stem(a, len)) return fn(&tok, ctx);
    lookup l;
    if (lookup_word(a, len, &l) != 0) return -1;
    tok.is_stop = l.is_stop && !w->compound && !w->acronym;
    if (!tok.is_stop) {
      tok.term = l.term;
      tok.term_len = l.term_len;
    }
  }
  if (tok.term_len == 0 || tok.term_len > CR_MAX_TERM_BYTES) return 0;
  return fn(&tok, ctx);
}

/* An acronym written with dots, U.S.A. or S.p.A.: single letters, each
 * but perhaps the last followed by a dot, at least two of them. On a
 * match, copies the letters to a->raw, fills w and returns true. */
static bool scan_acronym(cr_analyzer *a, const char *s, size_t i, size_t len,
                         raw_word *w) {
  size_t k = 0, letters = 0, end = i, n;
  while (i < len && is_letter(decode(s, i, len, &n))) {
    size_t after = i + n;
    if (word_char_at(s, after, len) || k + n > MAX_RAW_WORD_BYTES) break;
    memcpy(a->raw + k, s + i, n);
    k += n;
    letters++;
    end = after;
    if (after + 1 >= len || s[after] != '.') break;
    i = after + 1;
  }
  if (letters < 2) return false;
  w->text = a->raw;
  w->len = k;
  w->end = end;
  w->acronym = true;
  return true;
}

/* A '.' or ',' at s[i] continues a number if digits follow and the digit
 * run does not run into letters ("1.000" but not "1.000enne"). */
static bool number_continues(const char *s, size_t i, size_t len) {
  if (!digit_at(s, i + 1, len)) return false;
  size_t k = i + 1;
  while (digit_at(s, k, len))
    k++;
  return !word_char_at(s, k, len);
}

/* Scans the word starting at s[i] (a word character) into w. With
 * inner_apostrophes, an apostrophe between two letters is part of the
 * word (English aren't, O'Brien). */
static void scan_word(const char *s, size_t i, size_t len, raw_word *w,
                      bool inner_apostrophes) {
  w->number = true;
  while (i < len) {
    unsigned char c = (unsigned char)s[i];
    if (c < 0x80 && is_ascii_alnum(c)) { /* fast path: plain ASCII */
      if (c > '9') w->number = false;
      i++;
      continue;
    }
    size_t n;
    utf8proc_int32_t cp = decode(s, i, len, &n);
    if (is_word_char(cp)) {
      if (!is_digit(cp)) w->number = false;
      i += n;
    } else if (w->number && (cp == '.' || cp == ',') &&
               number_continues(s, i, len)) {
      i += 1;
    } else if (inner_apostrophes && cp == '\'' && i > w->start &&
               word_char_at(s, i + 1, len)) {
      w->number = false;
      i += 1;
    } else {
      break;
    }
  }
  w->text = s + w->start;
  w->end = i;
  w->len = i - w->start;
}

/* Looks at what follows the word w: a joining hyphen makes it part of a
 * compound (and the next word too), an apostrophe may make it an elided
 * article. Returns where scanning goes on. */
static size_t scan_after(const char *s, size_t len, raw_word *w,
                         bool *next_compound) {
  size_t i = w->end, n;
  *next_compound = false;
  if (i >= len || w->acronym) return i;
  utf8proc_int32_t cp = decode(s, i, len, &n);
  if (is_hyphen(cp) && word_char_at(s, i + n, len)) {
    w->compound = true;
    *next_compound = true;
    return i + n;
  }
  if (is_apostrophe(cp)) w->elided = true;
  return i;
}

/* Characters that end a sentence, for cr_token.sentence_start: . ! ? …
 * and line breaks (a title, a heading, a paragraph). */
static bool ends_sentence(utf8proc_int32_t cp) {
  return cp == '.' || cp == '!' || cp == '?' || cp == '\n' || cp == 0x2026;
}

/* What cr_analyze_find puts between emit_word and its caller. */
typedef struct finder {
  cr_token_fn fn; /* the caller's callback, for the wanted tokens */
  void *ctx;
  const char *const *terms; /* the wanted terms */
  size_t n_terms;
  uint32_t last; /* the position of the last token cr_analyze gives */
} finder;

static int find_token(const cr_token *t, void *ctx) {
  finder *f = ctx;
  f->last = t->position;
  if (t->is_stop) return 0;
  for (size_t k = 0; k < f->n_terms; k++)
    if (t->term[0] == f->terms[k][0] && strcmp(t->term, f->terms[k]) == 0)
      return f->fn(t, f->ctx);
  return 0;
}

/* Where cr_analyze is between words. */
typedef struct scan_state {
  uint32_t position;
  bool compound; /* the previous word ended in a joining hyphen */
  bool sentence; /* no word yet since the last sentence end */
  bool elision;  /* the last word was an elided article */
} scan_state;

/* The length of the character at u[i] (not ASCII) if it is one of the
 * few that Italian news puts between words and skim passes over, none of
 * them a word character: a no-break space, « », the hyphens U+2010 and
 * U+2011, – — ‘ ’ “ ” and … (which ends a sentence: *ends); 0 for any
 * other. */
static size_t skim_separator(const unsigned char *u, size_t i, size_t len,
                             bool *ends) {
  *ends = false;
  if (u[i] == 0xC2 && i + 1 < len)
    return u[i + 1] == 0xA0 || u[i + 1] == 0xAB || u[i + 1] == 0xBB ? 2 : 0;
  if (u[i] != 0xE2 || i + 2 >= len || u[i + 1] != 0x80) return 0;
  switch (u[i + 2]) {
  case 0xA6:
    *ends = true;
    return 3;
  case 0x90:
  case 0x91:
  case 0x93:
  case 0x94:
  case 0x98:
  case 0x99:
  case 0x9C:
  case 0x9D:
    return 3;
  default:
    return 0;
  }
}

/* Whether u[i] (i < len) starts a Latin-1 letter (U+00C0 to U+00FF but
 * the signs × and ÷): one that folds to a letter of as many bytes. */
static bool latin1_letter(const unsigned char *u, size_t i, size_t len) {
  return u[i] == 0xC3 && i + 1 < len && u[i + 1] >= 0x80 && u[i + 1] <= 0xBF &&
         u[i + 1] != 0x97 && u[i + 1] != 0xB7;
}

/* The length of the apostrophe at u[i] (' ’ ʼ), 0 if there is none. */
static size_t apostrophe_at(const unsigned char *u, size_t i, size_t len) {
  if (u[i] == '\'') return 1;
  if (u[i] == 0xE2 && i + 2 < len && u[i + 1] == 0x80 && u[i + 2] == 0x99)
    return 3;
  return u[i] == 0xCA && i + 1 < len && u[i + 1] == 0xBC ? 2 : 0;
}

/* The length of the hyphen at u[i] (- U+2010 U+2011), 0 if none. */
static size_t hyphen_at(const unsigned char *u, size_t i, size_t len) {
  if (u[i] == '-') return 1;
  return u[i] == 0xE2 && i + 2 < len && u[i + 1] == 0x80 &&
                 (u[i + 2] == 0x90 || u[i + 2] == 0x91)
             ? 3
             : 0;
}

/* Whether the folded ASCII word u[0..n) is an elided article. */
static bool skim_elision(const unsigned char *kind, const unsigned char *u,
                         size_t n) {
  char w[8];
  if (n >= sizeof w) return false; /* longer than any of them */
  for (size_t q = 0; q < n; q++)
    w[q] = (char)(kind[u[q]] & K_LETTER ? u[q] | 32 : u[q]);
  w[n] = '\0';
  return is_elision(w);
}

/* cr_analyze_find's way over the words it need not read, from text[i]:
 * separators, and words of ASCII letters and digits (and Latin-1
 * letters after the first) whose stem is unwanted (stem_unwanted), only
 * counted. Such a word is one position, or none if it is an elided
 * article, and under cr_analyzer_stem_only its token would have been
 * given with the folded word as its term (as long as the word, at most
 * CR_MAX_TERM_BYTES), only setting f->last. A word is read by the general
 * path instead when what follows it could continue it (a thousands dot, a
 * decimal comma, an acronym's dot, an apostrophe within a word outside
 * Italian, a character skim does not know) or when it may stem to a
 * wanted term. State s as the general path keeps it. Returns where the
 * general path must go on. */
static size_t skim(const cr_analyzer *a, const char *text, size_t i, size_t len,
                   scan_state *s, finder *f) {
  const unsigned char *kind = a->kind;
  const unsigned char *u = (const unsigned char *)text;
  while (i < len) {
    unsigned k = kind[u[i]];
    if (!(k & (K_DIGIT | K_LETTER))) {
      bool ends = false;
      size_t n = 1;
      if ((k & K_HIGH) && (n = skim_separator(u, i, len, &ends)) == 0) return i;
      if (ends || (k & K_ENDS)) s->sentence = true;
      s->compound = false;
      i += n;
      continue;
    }
    unsigned kinds = k;
    size_t j = i + 1;
    for (;;) {
      while (j < len && ((k = kind[u[j]]) & (K_DIGIT | K_LETTER))) {
        kinds |= k;
        j++;
      }
      if (j == len || !latin1_letter(u, j, len)) break;
      kinds |= K_LETTER | K_HIGH;
      j += 2;
    }
    if (j - i > CR_MAX_TERM_BYTES) return i;
    /* How the word ends: joined to the next by a hyphen, before an
     * apostrophe, or before a separator. */
    size_t joint = 0, apostrophe = 0;
    if (j < len) {
      bool ends;
      if ((joint = hyphen_at(u, j, len)) != 0) {
        if (j + joint < len && u[j + joint] >= 0x80) return i;
        if (j + joint == len || !(kind[u[j + joint]] & (K_DIGIT | K_LETTER)))
          joint = 0; /* a hyphen before no word: a separator */
      } else if ((apostrophe = apostrophe_at(u, j, len)) != 0) {
        if (!a->elision) return i;
      } else if (u[j] >= 0x80) {
        if (!skim_separator(u, j, len, &ends)) return i;
      } else if (k & (K_DOT | K_COMMA)) {
        if (!(kinds & K_LETTER)) return i;       /* a number may go on */
        if ((k & K_DOT) && j - i == 1) return i; /* U.S.A. */
      }
    }
    if (apostrophe && !s->compound && !(kinds & K_HIGH) &&
        skim_elision(kind, u + i, j - i)) {
      s->elision = true; /* part of the next word: no position */
      s->compound = false;
      i = j;
      continue;
    }
    /* Folded as fold_word folds: ASCII letters to lower case. The first
     * two bytes tell most words apart; the whole word is folded only
     * when they are a wanted term's. */
    unsigned char c0 = kind[u[i]] & K_LETTER ? u[i] | 32 : u[i];
    unsigned char c1 = j - i < 2                   ? 0
                       : kind[u[i + 1]] & K_LETTER ? u[i + 1] | 32
                                                   : u[i + 1];
    if (!key_unwanted(a, c0, c1)) {
      if (kinds & K_HIGH) return i;
      char folded[CR_MAX_TERM_BYTES];
      for (size_t q = 0; q < j - i; q++)
        folded[q] =
            (char)(kind[u[i + q]] & K_LETTER ? u[i + q] | 32 : u[i + q]);
      if (!start_unwanted(a, folded, j - i)) return i;
    }
    f->last = s->position++;
    s->sentence = s->elision = false;
    s->compound = joint != 0;
    i = j + joint;
  }
  return i;
}

/* cr_analyze, or cr_analyze_find when f is not NULL: then, under
 * cr_analyzer_stem_only, plain ASCII goes through skim, and fn is
 * find_token. */
static int analyze(cr_analyzer *a, const char *text, size_t len,
                   uint32_t first_position, cr_token_fn fn, void *ctx,
                   finder *f) {
  scan_state st = {.position = first_position, .sentence = true};
  bool skims = f && a->filter.on;
  size_t i = 0;
  while (i < len) {
    if (skims && (i = skim(a, text, i, len, &st, f)) == len) break;
    size_t n;
    utf8proc_int32_t cp = decode(text, i, len, &n);
    if (!is_word_char(cp)) {
      if (ends_sentence(cp)) st.sentence = true;
      i += n;
      st.compound = false;
      continue;
    }
    raw_word w = {.start = i,
                  .compound = st.compound,
                  .sentence_start = st.sentence,
                  .after_elision = st.elision};
    if (!(i + n < len && text[i + n] == '.' &&
          scan_acronym(a, text, i, len, &w)))
      scan_word(text, i, len, &w, !a->elision);
    i = scan_after(text, len, &w, &st.compound);
    bool elided;
    int rc = emit_word(a, &w, &st.position, fn, ctx, &elided);
    if (rc != 0) return rc;
    /* An elided article is part of the next word: L'Italia at the start
     * of a sentence starts it with Italia. */
    if (!elided) st.sentence = false;
    st.elision = elided;
  }
  return 0;
}

int cr_analyze_forms(cr_analyzer *a, const char *text, size_t len,
                     uint32_t first_position, cr_token_fn fn, void *ctx) {
  a->forms_only = true;
  int rc = cr_analyze(a, text, len, first_position, fn, ctx);
  a->forms_only = false;
  return rc;
}

int cr_analyze(cr_analyzer *a, const char *text, size_t len,
               uint32_t first_position, cr_token_fn fn, void *ctx) {
  return analyze(a, text, len, first_position, fn, ctx, NULL);
}

int cr_analyze_find(cr_analyzer *a, const char *text, size_t len,
                    uint32_t first_position, const char *const *terms,
                    size_t n_terms, uint32_t *last_position, cr_token_fn fn,
                    void *ctx) {
  finder f = {.fn = fn,
              .ctx = ctx,
              .terms = terms,
              .n_terms = n_terms,
              .last = first_position};
  /* Where no filter can be set every word is looked at. */
  cr_analyzer_stem_only(a, terms, n_terms);
  int rc = analyze(a, text, len, first_position, find_token, &f, &f);
  cr_analyzer_stem_only(a, NULL, 0);
  *last_position = f.last;
  return rc;
}
