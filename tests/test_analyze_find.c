/* test_analyze_find.c — cr_analyze_find against cr_analyze.
 *
 * The remote rerank reads where the query's words stand in 20 stored
 * texts a question (rerank.h) with cr_analyze_find, which only counts
 * most words: whatever it skips, the tokens of the wanted terms (their
 * positions, offsets, words and flags) and the last position must be
 * the full analysis's, or the rerank's bonus, and the answers, change.
 * Checked on tricky text (elisions, accents, capitals, hyphens,
 * apostrophes, acronyms, numbers, quotes) and on real articles
 * (corpus/, and DICE's when ../shared has it), for tables of terms and
 * for terms taken from the texts themselves; and the premise of the
 * skipping on every word of those texts: a word's own stem is never
 * filtered out. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "helpers.h"
#include "input.h"

/* ---- Tokens, as both ways give them ----------------------------------- */

typedef struct tok {
  char term[CR_MAX_TERM_BYTES + 1], word[CR_MAX_TERM_BYTES + 1];
  uint32_t position;
  size_t start, end;
  bool is_stop, capitalised, elided, sentence_start;
} tok;

typedef struct toks {
  tok *t;
  size_t n, cap;
  const char *const *terms; /* keep only these (not stop words); NULL: all */
  size_t n_terms;
  uint32_t last; /* position of the last token seen */
  bool any;
} toks;

static bool among(const char *term, const char *const *terms, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(term, terms[i]) == 0) return true;
  return false;
}

static int keep(const cr_token *t, void *ctx) {
  toks *k = ctx;
  k->last = t->position;
  k->any = true;
  if (k->terms && (t->is_stop || !among(t->term, k->terms, k->n_terms)))
    return 0;
  if (k->n == k->cap) {
    k->cap = k->cap ? 2 * k->cap : 256;
    k->t = realloc(k->t, k->cap * sizeof *k->t);
    cr_assert_not_null(k->t);
  }
  tok *o = &k->t[k->n++];
  snprintf(o->term, sizeof o->term, "%s", t->term);
  snprintf(o->word, sizeof o->word, "%s", t->word);
  o->position = t->position;
  o->start = t->start;
  o->end = t->end;
  o->is_stop = t->is_stop;
  o->capitalised = t->capitalised;
  o->elided = t->elided;
  o->sentence_start = t->sentence_start;
  return 0;
}

/* cr_analyze_find's tokens and last position must be cr_analyze's,
 * filtered. Returns how many tokens were found. */
static size_t expect_same(cr_analyzer *a, const char *text, size_t len,
                          uint32_t first, const char *const *terms, size_t n,
                          const char *what) {
  static const char *const none[] = {""};
  toks full = {.terms = terms ? terms : none, .n_terms = n};
  cr_assert_eq(cr_analyze(a, text, len, first, keep, &full), 0, "%s", what);
  uint32_t want_last = full.any ? full.last : first;
  toks found = {0};
  uint32_t last = 12345;
  cr_assert_eq(
      cr_analyze_find(a, text, len, first, terms, n, &last, keep, &found), 0,
      "%s", what);
  cr_expect_eq(last, want_last, "%s: last position %u, not %u", what, last,
               want_last);
  cr_expect_eq(found.n, full.n, "%s: %zu tokens, not %zu", what, found.n,
               full.n);
  for (size_t i = 0; i < found.n && i < full.n; i++) {
    const tok *x = &full.t[i], *y = &found.t[i];
    cr_expect(strcmp(x->term, y->term) == 0 && strcmp(x->word, y->word) == 0 &&
                  x->position == y->position && x->start == y->start &&
                  x->end == y->end && x->capitalised == y->capitalised &&
                  x->elided == y->elided &&
                  x->sentence_start == y->sentence_start,
              "%s, token %zu: %s@%u [%zu,%zu) found as %s@%u [%zu,%zu)", what,
              i, x->term, x->position, x->start, x->end, y->term, y->position,
              y->start, y->end);
  }
  free(full.t);
  free(found.t);
  return found.n;
}

/* ---- Texts ------------------------------------------------------------- */

/* Each a trap for a skimmer that counts words on bytes. */
static const char *const tricky[] = {
    "L’intelligence dall’Iran: un'ulteriore conferma",
    "Secondo l’intelligence Usa, la Russia sta comprando armi dalla Corea "
    "del Nord. Milioni di razzi e proiettili d’artiglieria.",
    "Gli U.S.A. e la S.p.A. di Modena; a. b. c. e i.e. poi U.S.A.",
    "1.000 euro, 12.345.678 abitanti, 3,5 per cento, alle 10.30; 1.000enne, "
    "2.5 e 3.10.2; 2022. Poi 2022, e 1,2,3.",
    "anti-mafia, nord‐est, nord‑ovest, 2019-2020, sud- e -est, dell’anti-mafia "
    "e l'-altro; costa-costo",
    "perché è già più città, CITTÀ e Città; È così. Però sì, né caffè",
    "Sant’Agostino, po’ di più, quell’uomo, quest'anno, nient’altro, "
    "senz’altro, un’altra, c’è, dov’è, l\xca\xbcItalia e l\xca\xbc Italia",
    "«Citazione» “virgolette” ‘singole’ – trattino — lungo… poi\xc2\xa0spazio "
    "fisso… Fine.",
    "Straße STRASSE Ærø Øresund naïve coöperate e\xcc\x81 cafe\xcc\x81 "
    "costi\xcc\x81",
    "Costi costo costa costui, COSTITUZIONE; costituzionale costruire",
    "presenza presente presenze presentare; violenza violento; "
    "mangiarlo dirglielo darlo parlarne; biologia soluzione",
    "x- y' z’ a. A. 1. 12, 12.x x.12 l' L’",
    "dell'",
    "l’",
    "a",
    "",
    "...",
    "-",
    "’",
    "è",
    "1.000",
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklmno "
    "costo dopo una parola di 67 lettere; "
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijklm "
    "e una di 65; "
    "abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl"
    " e una di 64",
    "costo\n\nNuovo paragrafo! Domanda? Risposta… fine\tcolonna\rritorno",
    "invalid \xff\xfe bytes \xc3 and \xe2\x80 cut, NUL\0inside costo",
    "Ελλάδα e Россия, 東京 e costo",
};

/* The text with a NUL goes on after it. */
static size_t tricky_length(size_t i) {
  size_t len = strlen(tricky[i]);
  if (len >= 3 && strcmp(tricky[i] + len - 3, "NUL") == 0)
    len += 1 + strlen(tricky[i] + len + 1);
  return len;
}

/* Terms as the query parser gives them: stems, folded, accents off. */
static const char *const term_sets[][6] = {
    {"cost", "sindac", NULL},
    {"intelligent", "iran", "ulterior", "conferm", NULL},
    {"usa", "spa", "a", "i", "u", NULL},
    {"1000", "12345678", "3,5", "10.30", "2022", "1"},
    {"anti", "maf", "nord", "est", "2019", "altro"},
    {"perc", "citt", "gia", "piu", "cos", "caff"},
    {"sant", "agostin", "po", "uom", "ann", "ital"},
    {"citazion", "virgolett", "singol", "trattin", "lung", "spaz"},
    {"strass", "strasse", "naiv", "cooperat", "caf", "costi"},
    {"costituzional", "costru", "costu", "cost", "costitu", NULL},
    {"present", "presenz", "violent", "mang", "biolog", "solu"},
    {"x", "y", "z", "12", "l", NULL},
    {"e", "d", "c", "dell", "un", NULL},
    {"abcdefghijklmnopqrstuvwxyzabcdefghijklmnopqrstuvwxyzabcdefghijkl", "par",
     "lettere", "lett", NULL},
    {"nuov", "paragraf", "domand", "rispost", "fin", "colonn"},
    {"invalid", "bytes", "and", "cut", "nul", "insid"},
    {"costo", "ελλαδα", NULL}, /* a term no filter can skip for */
};

static size_t set_size(size_t q) {
  size_t n = 0;
  while (n < 6 && term_sets[q][n])
    n++;
  return n;
}

Test(analyze_find, tricky_texts_give_the_full_analysis_s_tokens) {
  cr_error err;
  const char *languages[] = {"italian", "english", "german"};
  for (size_t l = 0; l < sizeof languages / sizeof *languages; l++) {
    cr_analyzer *a = cr_analyzer_new(languages[l], &err);
    cr_assert_not_null(a, "%s", err.message);
    size_t found = 0;
    for (size_t i = 0; i < sizeof tricky / sizeof *tricky; i++)
      for (size_t q = 0; q < sizeof term_sets / sizeof *term_sets; q++) {
        char what[96];
        snprintf(what, sizeof what, "%s, text %zu, terms %zu", languages[l], i,
                 q);
        found += expect_same(a, tricky[i], tricky_length(i), q % 3 ? 0 : 7,
                             term_sets[q], set_size(q), what);
      }
    /* The terms are Italian stems. */
    cr_expect_gt(found, l == 0 ? 100 : 10, "%s: the terms are found",
                 languages[l]);
    /* No terms: nothing found, the last position still counted. */
    expect_same(a, tricky[1], strlen(tricky[1]), 0, NULL, 0, "no terms");
    cr_analyzer_free(a);
  }
}

/* Texts of real articles: corpus/'s, and DICE's first ones. */
typedef struct texts {
  char **s;
  size_t *len;
  size_t n, cap, bytes;
} texts;

static void add_text(texts *t, const char *s, size_t len) {
  if (t->n == t->cap) {
    t->cap = t->cap ? 2 * t->cap : 64;
    t->s = realloc(t->s, t->cap * sizeof *t->s);
    t->len = realloc(t->len, t->cap * sizeof *t->len);
    cr_assert(t->s && t->len);
  }
  t->s[t->n] = strndup(s, len);
  t->len[t->n++] = len;
  t->bytes += len;
}

/* DICE's articles up to this many bytes: every kind of word news has. */
#define DICE_BYTES (600u << 10)

static int add_article(const cr_article *a, const in_where *w, void *ctx) {
  (void)w;
  texts *t = ctx;
  add_text(t, a->text, a->text_len);
  if (a->title) add_text(t, a->title, strlen(a->title));
  return t->bytes >= DICE_BYTES ? 1 : 0;
}

static int read_dice(const in_file *f, void *ctx) {
  in_read(f, add_article, NULL, ctx);
  return 1;
}

static texts real_texts(void) {
  texts t = {0};
  const char *files[] = {CORPUS_DIR "/notizie.jsonl",
                         CORPUS_DIR "/persone.jsonl",
                         CORPUS_DIR "/articles/maltempo-modena.txt",
                         CORPUS_DIR "/articles/festival-filosofia.txt",
                         CORPUS_DIR "/articles/grano-ucraina-porti.txt"};
  for (size_t i = 0; i < sizeof files / sizeof *files; i++) {
    size_t len;
    char *s = th_read_file(files[i], &len);
    cr_assert_not_null(s, "%s", files[i]);
    add_text(&t, s, len);
    free(s);
  }
  const char *dice =
      SHARED_DATA_DIR "/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz";
  if (th_exists(dice)) in_walk(dice, read_dice, NULL, &t);
  return t;
}

static void texts_free(texts *t) {
  for (size_t i = 0; i < t->n; i++)
    free(t->s[i]);
  free(t->s);
  free(t->len);
}

Test(analyze_find, real_articles_give_the_full_analysis_s_tokens) {
  cr_error err;
  cr_analyzer *a = cr_analyzer_new("italian", &err);
  cr_assert_not_null(a, "%s", err.message);
  texts t = real_texts();
  size_t found = 0;
  for (size_t i = 0; i < t.n; i++) {
    for (size_t q = 0; q < sizeof term_sets / sizeof *term_sets; q++)
      found += expect_same(a, t.s[i], t.len[i], 0, term_sets[q], set_size(q),
                           "a table's terms");
    /* Terms the text has: every 5th stem from its 3rd on, in sets of
     * up to 6, as a question's words would be. */
    toks all = {0};
    cr_assert_eq(cr_analyze(a, t.s[i], t.len[i], 0, keep, &all), 0);
    const char *mine[6];
    size_t n = 0;
    for (size_t k = 2; k < all.n; k += 5) {
      if (all.t[k].is_stop) continue;
      mine[n++] = all.t[k].term;
      if (n == 6 || k + 5 >= all.n) {
        char what[96];
        snprintf(what, sizeof what, "text %zu, its terms from token %zu", i, k);
        size_t got = expect_same(a, t.s[i], t.len[i], 3, mine, n, what);
        cr_expect_gt(got, 0, "%s: found", what);
        found += got;
        n = 0;
      }
    }
    free(all.t);
  }
  cr_expect_gt(found, 1000);
  texts_free(&t);
  cr_analyzer_free(a);
}

/* The premise: a word's own stem is never filtered out, so whatever
 * cr_analyze_find skips cannot be a wanted term. Every word of the real
 * texts, alone, with its own term as the only one wanted. */
Test(analyze_find, no_word_is_skipped_that_stems_to_a_wanted_term) {
  cr_error err;
  cr_analyzer *a = cr_analyzer_new("italian", &err);
  cr_assert_not_null(a, "%s", err.message);
  texts t = real_texts();
  size_t checked = 0;
  for (size_t i = 0; i < t.n; i++) {
    toks all = {0};
    cr_assert_eq(cr_analyze(a, t.s[i], t.len[i], 0, keep, &all), 0);
    for (size_t k = 0; k < all.n; k++) {
      const tok *x = &all.t[k];
      if (x->is_stop) continue;
      const char *term = x->term;
      char what[160];
      snprintf(what, sizeof what, "%.*s -> %s", (int)(x->end - x->start),
               t.s[i] + x->start, term);
      checked += expect_same(a, t.s[i] + x->start, x->end - x->start, 0, &term,
                             1, what);
    }
    free(all.t);
  }
  cr_expect_gt(checked, 1000);
  texts_free(&t);
  cr_analyzer_free(a);
}
