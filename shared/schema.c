/* schema.c — building a Xapian document from an article, and reading its
 * stored data back (the layout is described in schema.h). */
#include "schema.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <utf8proc.h>

#include "buffer.h"
#include "hash.h"
#include "minhash.h"
#include "termbag.h"
#include "utf8.h"

/* The cr_doc_* calls below pass no cr_error: the terms are non-empty and
 * within Xapian's limit by construction, so running out of memory is the
 * one way they fail, and cr_schema_build reports it for the article.
 * Weighed terms are counted in a cr_termbag first and reach the document
 * once each, with their impacts, when the article is read (termbag.h). */

static bool is_prefix_byte(char c) { return c >= 'A' && c <= 'Z'; }

bool cr_schema_is_prefixed(const char *term) { return is_prefix_byte(*term); }

size_t cr_schema_prefix_len(const char *term) {
  size_t n = 0;
  while (is_prefix_byte(term[n]))
    n++;
  return n;
}

/* The word at text[start, end) as the spelling data keeps it: case-folded,
 * accents kept ("Città" -> "città"), and only if it is all letters. */
static void add_spelling_word(cr_doc *doc, const char *text, size_t start,
                              size_t end, int *failed) {
  if (end - start < CR_SPELLING_MIN_BYTES || end - start > CR_MAX_TERM_BYTES)
    return;
  /* Fast path for plain ASCII, most words: folding only lowers A-Z, and
   * the letters are a-z. */
  const char *w = text + start;
  size_t len = end - start, i = 0;
  bool ascii_letters = true;
  char lower[CR_MAX_TERM_BYTES];
  for (; i < len && (unsigned char)w[i] < 0x80; i++) {
    unsigned char c = (unsigned char)w[i];
    if ((unsigned)((c | 32) - 'a') >= 26) ascii_letters = false;
    lower[i] = (char)(c | 32);
  }
  if (i == len) {
    if (ascii_letters && cr_doc_add_spelling(doc, lower, len, NULL) != 0)
      *failed = 1;
    return;
  }
  utf8proc_uint8_t *folded = NULL;
  utf8proc_ssize_t n = utf8proc_map(
      (const utf8proc_uint8_t *)text + start, (utf8proc_ssize_t)(end - start),
      &folded, UTF8PROC_CASEFOLD | UTF8PROC_COMPOSE | UTF8PROC_STABLE);
  if (n == UTF8PROC_ERROR_NOMEM) *failed = 1;
  if (n < 0) return; /* not valid UTF-8: nothing to suggest */
  bool letters = true;
  for (utf8proc_ssize_t i = 0; i < n && letters;) {
    utf8proc_int32_t cp;
    utf8proc_ssize_t k = utf8proc_iterate(folded + i, n - i, &cp);
    if (k <= 0) break;
    utf8proc_category_t c = utf8proc_category(cp);
    letters = c == UTF8PROC_CATEGORY_LL || c == UTF8PROC_CATEGORY_LU ||
              c == UTF8PROC_CATEGORY_LO;
    i += k;
  }
  if (letters &&
      cr_doc_add_spelling(doc, (const char *)folded, (size_t)n, NULL) != 0)
    *failed = 1;
  free(folded);
}

/* State threaded through the analyzer callback while indexing a field. */
typedef struct field_sink {
  cr_termbag *bag;    /* the article's weighed terms */
  cr_doc *doc;        /* for the spelling words */
  const char *prefix; /* prepended to every term ("" for free text) */
  size_t prefix_len;
  uint32_t wdf;   /* within-document frequency per occurrence */
  bool positions; /* add positional postings, or plain terms */
  uint32_t last_position;
  /* Unprefixed fields only: */
  const char *input;   /* the field's text, for the words' surface forms */
  bool words;          /* add the words' own terms (add_word_terms) */
  bool spell;          /* give each word's first occurrence to the spelling
                          data */
  uint32_t *length;    /* the article's length (impacts.h), counted on */
  cr_minhash *minhash; /* NULL: this field is not part of the signature */
  int failed;
  unsigned place; /* capitalised words still to come in a place's name */
  char buf[CR_MAX_TERM_BYTES + 8];
} field_sink;

/* Words that name a street, a square or a building after a person:
 * "via Aldo Moro", "largo Garibaldi", "scuola Guido Reni". The
 * capitalised words after them name the place, not the person, and get
 * no name terms: on names-dev, surname P@10 0.850 -> 0.884. Sorted. */
#define PLACE_WORD(w)                                                          \
  { sizeof w - 1, w }
static const struct place_word {
  uint8_t len;   /* strlen(word) */
  char word[10]; /* folded, as cr_token.word */
} place_words[] = {
    PLACE_WORD("borgo"),    PLACE_WORD("contrada"),  PLACE_WORD("corso"),
    PLACE_WORD("frazione"), PLACE_WORD("galleria"),  PLACE_WORD("istituto"),
    PLACE_WORD("largo"),    PLACE_WORD("localita"),  PLACE_WORD("lungomare"),
    PLACE_WORD("ospedale"), PLACE_WORD("palazzo"),   PLACE_WORD("parco"),
    PLACE_WORD("piazza"),   PLACE_WORD("piazzale"),  PLACE_WORD("piazzetta"),
    PLACE_WORD("ponte"),    PLACE_WORD("quartiere"), PLACE_WORD("scuola"),
    PLACE_WORD("stadio"),   PLACE_WORD("strada"),    PLACE_WORD("stradello"),
    PLACE_WORD("teatro"),   PLACE_WORD("via"),       PLACE_WORD("viale"),
    PLACE_WORD("vicolo"),
};

/* The first letters of place_words, one bit each. */
#define LETTER(c) (1u << ((c) - 'a'))
#define PLACE_FIRST_LETTERS                                                    \
  (LETTER('b') | LETTER('c') | LETTER('f') | LETTER('g') | LETTER('i') |       \
   LETTER('l') | LETTER('o') | LETTER('p') | LETTER('q') | LETTER('s') |       \
   LETTER('t') | LETTER('v'))

/* Asked of every word of an article: the length and the first letter
 * rule out most before a comparison (a bsearch of strcmp calls was about
 * 1% of indexing). */
static bool is_place_word(const char *w, size_t len) {
  if (len < 3 || len > 9 || w[0] < 'a' || w[0] > 'z' ||
      !(PLACE_FIRST_LETTERS & LETTER(w[0])))
    return false;
  for (size_t i = 0; i < sizeof place_words / sizeof *place_words; i++) {
    const struct place_word *p = &place_words[i];
    if (p->len == len && p->word[0] == w[0] && memcmp(p->word, w, len) == 0)
      return true;
  }
  return false;
}
#undef PLACE_FIRST_LETTERS
#undef LETTER
#undef PLACE_WORD

/* Capitalised words of a place's name that may follow a place word
 * ("via Don Davide Sala"). */
#define PLACE_NAME_WORDS 4

/* The word terms of one token (unprefixed fields only): a stop word's
 * CR_PREFIX_STOP term, so that stop words can be searched; a capitalised
 * word's CR_PREFIX_NAME term when it stands inside a sentence and not in
 * a place's name. Neither has positions: phrases use the stems' and the
 * text (exact.h). */
static void add_word_terms(field_sink *s, const cr_token *t) {
  if (t->word_len > CR_MAX_TERM_BYTES) return;
  bool in_place = false;
  if (!t->is_stop) {
    if (is_place_word(t->word, t->word_len)) {
      s->place = PLACE_NAME_WORDS;
      return;
    }
    if (s->place && t->capitalised) {
      in_place = true;
      s->place--;
    } else {
      s->place = 0;
    }
  }
  const char *prefix = NULL;
  if (t->is_stop)
    prefix = CR_PREFIX_STOP;
  else if (t->capitalised && !t->sentence_start && !in_place)
    prefix = CR_PREFIX_NAME;
  if (!prefix) return;
  size_t plen = strlen(prefix);
  memcpy(s->buf, prefix, plen);
  memcpy(s->buf + plen, t->word, t->word_len);
  bool added;
  if (cr_termbag_add(s->bag, s->buf, plen + t->word_len, s->wdf,
                     CR_TERMBAG_NO_POSITION, &added) != 0)
    s->failed = 1;
}

static int add_token(const cr_token *t, void *ctx) {
  field_sink *s = ctx;
  s->last_position = t->position;
  if (s->words) add_word_terms(s, t);
  if (t->is_stop) return 0; /* not indexed; the position still counts */
  if (s->length) *s->length += s->wdf;
  memcpy(s->buf, s->prefix, s->prefix_len);
  memcpy(s->buf + s->prefix_len, t->term, t->term_len);
  size_t len = s->prefix_len + t->term_len;
  bool added;
  if (cr_termbag_add(s->bag, s->buf, len, s->wdf,
                     s->positions ? t->position : CR_TERMBAG_NO_POSITION,
                     &added) != 0)
    s->failed = 1;
  /* The bag's unprefixed terms are the words' stems: a stem new to it is
   * the word's first occurrence in the article. */
  if (s->spell && added)
    add_spelling_word(s->doc, s->input, t->start, t->end, &s->failed);
  /* The signature takes each body stem once: marked when it first is. */
  if (s->minhash && !s->failed && cr_termbag_mark_last(s->bag))
    cr_minhash_add(s->minhash, t->term, t->term_len);
  return 0;
}

/* One article's indexing: what every field adds to. */
typedef struct article_build {
  cr_analyzer *an;
  cr_schema_terms *terms; /* what the fields give */
  cr_doc *doc;            /* for the spelling words */
  int failed;             /* memory ran out */
} article_build;

/* Indexes text under prefix, with positions from first_position; returns
 * the last position used. */
static uint32_t index_field(article_build *ab, const char *text, size_t len,
                            const char *prefix, uint32_t first_position) {
  field_sink s = {.bag = &ab->terms->bag,
                  .prefix = prefix,
                  .prefix_len = strlen(prefix),
                  .wdf = 1,
                  .positions = true,
                  .last_position = first_position};
  if (cr_analyze(ab->an, text, len, first_position, add_token, &s) != 0)
    ab->failed = 1;
  if (s.failed) ab->failed = 1;
  return s.last_position;
}

/* The words of the title and body: weighted, positioned terms, plus what
 * "did you mean" and near-duplicate detection (minhash, unless NULL)
 * learn from them. */
static uint32_t index_words(article_build *ab, const char *text, size_t len,
                            uint32_t wdf, uint32_t first_position,
                            cr_minhash *minhash) {
  field_sink s = {.bag = &ab->terms->bag,
                  .doc = ab->doc,
                  .length = &ab->terms->length,
                  .prefix = "",
                  .prefix_len = 0,
                  .wdf = wdf,
                  .positions = true,
                  .last_position = first_position,
                  .input = text,
                  .words = true,
                  .spell = true,
                  .minhash = minhash};
  if (cr_analyze(ab->an, text, len, first_position, add_token, &s) != 0)
    ab->failed = 1;
  if (s.failed) ab->failed = 1;
  return s.last_position;
}

/* ---- Word positions without the index ---------------------------------- */

/* cr_schema_word_positions' walk: the caller's callback and terms, and
 * the last position met (what index_words returns). */
typedef struct walk {
  cr_token_fn fn;
  void *ctx;
  const char *const *terms;
  size_t n_terms;
  uint32_t last;
} walk;

static int walk_field(cr_analyzer *an, const char *text, size_t len,
                      uint32_t first, walk *w) {
  return cr_analyze_find(an, text, len, first, w->terms, w->n_terms, &w->last,
                         w->fn, w->ctx);
}

int cr_schema_word_positions(cr_analyzer *an, const char *const *terms,
                             size_t n_terms, const char *title,
                             bool title_derived, const char *text, size_t len,
                             const char *author, const char *source,
                             cr_token_fn fn, void *ctx) {
  walk w = {.fn = fn, .ctx = ctx, .terms = terms, .n_terms = n_terms};
  uint32_t pos = 0;
  int rc;
  /* As cr_schema_build: a given title first, a gap, the body, then the
   * author and the source, each a gap after what came before. */
  if (!title_derived && title && *title) {
    if ((rc = walk_field(an, title, strlen(title), 0, &w)) != 0) return rc;
    pos = w.last + CR_BODY_POSITION_GAP;
  }
  if ((rc = walk_field(an, text ? text : "", text ? len : 0, pos, &w)) != 0)
    return rc;
  pos = w.last;
  const char *names[2] = {author, source};
  for (int k = 0; k < 2; k++) {
    if (!names[k] || !*names[k]) continue;
    rc = walk_field(an, names[k], strlen(names[k]), pos + CR_BODY_POSITION_GAP,
                    &w);
    if (rc != 0) return rc;
    pos = w.last;
  }
  return 0;
}

/* A value for facet counts: the field as given, NUL and over-long cut. */
static void set_facet_value(cr_doc *doc, unsigned slot, const char *v,
                            int *failed) {
  if (!v || !*v) return;
  size_t len = strnlen(v, CR_FACET_VALUE_MAX);
  while (len > 0 && ((unsigned char)v[len] & 0xc0) == 0x80)
    len--; /* cut before a character, never inside one */
  if (cr_doc_set_value(doc, slot, v, len, NULL) != 0) *failed = 1;
}

static void add_plain_term(cr_doc *doc, const char *prefix, const char *value,
                           size_t value_len, int *failed) {
  char buf[CR_FIELD_TERM_MAX + 1];
  size_t plen = strlen(prefix);
  /* Xapian refuses terms over CR_XAPIAN_MAX_TERM bytes: long ids are cut. */
  if (plen + value_len > CR_FIELD_TERM_MAX)
    value_len = CR_FIELD_TERM_MAX - plen;
  memcpy(buf, prefix, plen);
  memcpy(buf + plen, value, value_len);
  if (cr_doc_add_term(doc, buf, plen + value_len, 0, NULL) != 0) *failed = 1;
}

static void index_date(cr_doc *doc, const char *date, int *failed) {
  /* date is "YYYY-MM-DD" */
  char ymd[9] = {date[0], date[1], date[2], date[3], date[5],
                 date[6], date[8], date[9], '\0'};
  add_plain_term(doc, CR_PREFIX_YEAR, ymd, 4, failed);
  add_plain_term(doc, CR_PREFIX_MONTH, ymd, 6, failed);
  add_plain_term(doc, CR_PREFIX_DAY, ymd, 8, failed);
  if (cr_doc_set_value(doc, CR_SLOT_DATE, ymd, 8, NULL) != 0) *failed = 1;
}

static bool is_iso_date(const char *d) {
  if (!d || strlen(d) != 10 || d[4] != '-' || d[7] != '-') return false;
  for (int i = 0; i < 10; i++)
    if (i != 4 && i != 7 && (d[i] < '0' || d[i] > '9')) return false;
  return true;
}

/* s[0..len) with invalid UTF-8 and NUL bytes replaced by U+FFFD (in a
 * malloc'd copy, *copy), or s itself when it is already clean (the usual
 * case: readers hand us clean text; this is the last line of defence, so
 * that whatever the searcher prints or puts in JSON is valid UTF-8).
 * NULL if memory ran out. */
static const char *clean_text(const char *s, size_t *len, char **copy) {
  *copy = NULL;
  if (cr_utf8_invalid_at(s, *len, 0) == *len) return s;
  *copy = cr_utf8_clean(s, *len, 0, len);
  return *copy;
}

/* ---- The card ----------------------------------------------------------
 * Each field is a tag byte, its length as a LEB128 varint, then its bytes
 * (clean UTF-8, no NUL). Unknown tags are skipped when read, so a later
 * version can add fields. */
enum card_tag {
  TAG_ID = 'i',
  TAG_TITLE = 't',
  TAG_DERIVED_TITLE = 'T', /* empty: derive it from the text's first
                              sentence (on DICE, 1.3 MB not stored) */
  TAG_DATE = 'd',
  TAG_AUTHOR = 'a',
  TAG_SOURCE = 's',
  TAG_URL = 'u',
};

/* A field with no value, a mark. */
static void card_mark(cr_buf *b, char tag) {
  unsigned char head[2] = {(unsigned char)tag, 0};
  cr_buf_append(b, head, sizeof head);
}

static void card_field(cr_buf *b, char tag, const char *value) {
  if (!value || !*value || b->rc) return;
  size_t len = strlen(value);
  char *clean;
  value = clean_text(value, &len, &clean);
  if (!value) {
    b->rc = CR_E_NOMEM;
    return;
  }
  unsigned char head[11];
  size_t h = 0;
  head[h++] = (unsigned char)tag;
  size_t v = len;
  do {
    head[h++] = (unsigned char)((v & 0x7F) | (v > 0x7F ? 0x80 : 0));
    v >>= 7;
  } while (v);
  cr_buf_append(b, head, h);
  cr_buf_append(b, value, len);
  free(clean);
}

/* The card: what a result line shows, kept apart from the text so that a
 * page of results without snippets never reads (nor inflates) the text. */
static char *make_card(const cr_article *art, const char *title, bool derived,
                       size_t *len) {
  cr_buf b = {0};
  card_field(&b, TAG_ID, art->id);
  if (derived)
    card_mark(&b, TAG_DERIVED_TITLE);
  else
    card_field(&b, TAG_TITLE, title);
  card_field(&b, TAG_DATE, art->date);
  card_field(&b, TAG_AUTHOR, art->author);
  card_field(&b, TAG_SOURCE, art->source);
  card_field(&b, TAG_URL, art->url);
  return cr_buf_finish(&b, len);
}

/* What each weighed term needs to reach the document: the article's
 * BM25 parameters and length. */
typedef struct impact_ctx {
  cr_doc *doc;
  const cr_impacts *imp;
  uint32_t length; /* the article's */
  /* The impacts of the small wdfs, most terms' (0: not computed yet): one
   * computation per wdf rather than per term. */
  uint32_t small[16];
} impact_ctx;

/* A term of the bag into the document, its count become its impact. */
static int add_weighed(const char *term, size_t len, uint32_t wdf,
                       const uint32_t *positions, size_t n_positions,
                       void *ctx) {
  impact_ctx *ic = ctx;
  uint32_t impact;
  if (wdf < sizeof ic->small / sizeof *ic->small) {
    if (!ic->small[wdf]) ic->small[wdf] = cr_impact(ic->imp, wdf, ic->length);
    impact = ic->small[wdf];
  } else {
    impact = cr_impact(ic->imp, wdf, ic->length);
  }
  return cr_doc_add_term_positions(ic->doc, term, len, impact, positions,
                                   n_positions, NULL);
}

/* Whether art can be indexed at all; -1 with err if not. */
static int check_article(const cr_article *art, cr_error *err) {
  if (!art->id || !*art->id) {
    cr_error_set(err, CR_E_INVALID, "article has no id");
    return -1;
  }
  if (!art->text) {
    cr_error_set(err, CR_E_INVALID, "article '%s' has no text", art->id);
    return -1;
  }
  return 0;
}

/* A derived title (the article gave none) is not indexed, only marked on
 * the card: the reader derives it again. */
static bool title_given(const cr_article *art) {
  return art->title && *art->title;
}

void cr_schema_terms_init(cr_schema_terms *t) {
  memset(t, 0, sizeof *t);
  cr_termbag_init(&t->bag);
}

void cr_schema_terms_free(cr_schema_terms *t) {
  cr_termbag_free(&t->bag);
  memset(t, 0, sizeof *t);
}

int cr_schema_analyse(cr_analyzer *an, const cr_article *art,
                      cr_schema_terms *t, cr_doc *doc, cr_error *err) {
  if (check_article(art, err) != 0) return -1;
  cr_termbag_clear(&t->bag);
  t->length = 0;
  t->has_signature = false;
  article_build ab = {.an = an, .terms = t, .doc = doc};
  /* Title words: first, weighted, and also under the title prefix. */
  uint32_t pos = 0;
  if (title_given(art)) {
    size_t tlen = strlen(art->title);
    pos = index_words(&ab, art->title, tlen, CR_TITLE_WDF, 0, NULL);
    index_field(&ab, art->title, tlen, CR_PREFIX_TITLE, 0);
    pos += CR_BODY_POSITION_GAP;
  }
  /* The signature is of the body alone: a reprint often gets a new title. */
  cr_minhash minhash;
  cr_minhash_init(&minhash);
  pos = index_words(&ab, art->text, art->text_len, 1, pos, &minhash);
  t->has_signature =
      cr_minhash_signature(&minhash, CR_MINHASH_MIN_TERMS, t->signature);
  /* Authors and sources are words of the article too (Fabrizio Grasso
   * finds what he wrote), after the body and a gap apart; and whole names
   * under their prefixes, with positions for author:"Fabrizio Grasso". */
  const char *names[2] = {art->author, art->source};
  const char *prefixes[2] = {CR_PREFIX_AUTHOR, CR_PREFIX_SOURCE};
  for (int k = 0; k < 2; k++) {
    if (!names[k] || !*names[k]) continue;
    size_t n = strlen(names[k]);
    pos = index_words(&ab, names[k], n, 1, pos + CR_BODY_POSITION_GAP, NULL);
    index_field(&ab, names[k], n, prefixes[k], 0);
  }
  if (ab.failed) {
    cr_error_set(err, CR_E_NOMEM, "article '%s': out of memory", art->id);
    return -1;
  }
  return 0;
}

int cr_schema_build(cr_analyzer *an, cr_textpack *tp, const cr_impacts *imp,
                    const cr_article *art, cr_doc *doc, char *id_term,
                    size_t id_term_size, cr_error *err) {
  cr_schema_terms t;
  cr_schema_terms_init(&t);
  int rc = cr_schema_analyse(an, art, &t, doc, err);
  if (rc == 0)
    rc = cr_schema_finish(tp, imp, art, &t, doc, id_term, id_term_size, err);
  cr_schema_terms_free(&t);
  return rc;
}

int cr_schema_finish(cr_textpack *tp, const cr_impacts *imp,
                     const cr_article *art, cr_schema_terms *t, cr_doc *doc,
                     char *id_term, size_t id_term_size, cr_error *err) {
  if (check_article(art, err) != 0) return -1;
  int failed = 0;
  /* The weighed terms reach the document with their BM25 tf parts. */
  impact_ctx ic = {.doc = doc, .imp = imp, .length = t->length};
  if (cr_termbag_each(&t->bag, add_weighed, &ic) != 0) failed = 1;
  if (t->has_signature &&
      cr_doc_set_value(doc, CR_SLOT_MINHASH, (const char *)t->signature,
                       sizeof t->signature, NULL) != 0)
    failed = 1;
  set_facet_value(doc, CR_SLOT_AUTHOR, art->author, &failed);
  set_facet_value(doc, CR_SLOT_SOURCE, art->source, &failed);
  if (art->origin) {
    char file_term[CR_FILE_TERM_SIZE];
    cr_schema_file_term(art->origin, file_term);
    if (cr_doc_add_term(doc, file_term, strlen(file_term), 0, NULL) != 0)
      failed = 1;
  }
  const char *date = is_iso_date(art->date) ? art->date : NULL;
  if (date) index_date(doc, date, &failed);

  cr_article shown = *art;
  shown.date = date;
  size_t card_len = 0;
  bool derived = !title_given(art);
  char *card =
      make_card(&shown, derived ? NULL : art->title, derived, &card_len);
  if (!card || cr_doc_set_value(doc, CR_SLOT_CARD, card, card_len, NULL) != 0)
    failed = 1;
  free(card);
  size_t clean_len = art->text_len;
  char *clean;
  const char *text = clean_text(art->text, &clean_len, &clean);
  size_t packed_len = 0;
  const char *packed =
      text ? cr_text_pack(tp, text, clean_len, &packed_len) : NULL;
  if (!packed ||
      cr_doc_set_value(doc, CR_SLOT_TEXT, packed, packed_len, NULL) != 0)
    failed = 1;
  free(clean);

  char term[CR_ID_TERM_SIZE];
  cr_schema_id_term(art->id, term);
  snprintf(id_term, id_term_size, "%s", term);
  if (cr_doc_add_term(doc, id_term, strlen(id_term), 0, NULL) != 0) failed = 1;
  if (failed) {
    cr_error_set(err, CR_E_NOMEM, "article '%s': out of memory", art->id);
    return -1;
  }
  return 0;
}

void cr_schema_id_term(const char *id, char *out) {
  size_t len = strlen(id);
  if (strlen(CR_PREFIX_ID) + len < CR_ID_TERM_SIZE)
    snprintf(out, CR_ID_TERM_SIZE, "%s%s", CR_PREFIX_ID, id);
  else
    snprintf(out, CR_ID_TERM_SIZE, "%s%.*s#%016llx", CR_PREFIX_ID, CR_ID_KEEP,
             id, (unsigned long long)cr_fnv1a64(id, len));
}

int cr_schema_check_stamp(const char *stamp, const char *index,
                          const char *which, cr_error *err) {
  if (stamp && strcmp(stamp, CR_SCHEMA_VERSION) == 0) return 0;
  cr_error_set(err, CR_E_INVALID,
               "index '%s'%s holds documents in layout %s; this version of "
               "cronaca writes and reads layout %s: rebuild it with this "
               "version's indexer, into a new directory",
               index, which ? which : "", stamp && *stamp ? stamp : "1",
               CR_SCHEMA_VERSION);
  return -1;
}

void cr_schema_file_term(const char *key, char *out) {
  snprintf(out, CR_FILE_TERM_SIZE, "%s%016llx", CR_PREFIX_FILE,
           (unsigned long long)cr_fnv1a64(key, strlen(key)));
}

/* Length of the UTF-8 prefix of s that fits max bytes without cutting a
 * character in two. */
static size_t utf8_fit(const char *s, size_t len, size_t max) {
  if (len <= max) return len;
  size_t k = max;
  while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
    k--;
  return k;
}

/* How many blanks a text starts with (a derived title skips them). */
static size_t leading_blanks(const char *text, size_t len) {
  size_t i = 0;
  while (i < len && (text[i] == ' ' || text[i] == '\n' || text[i] == '\r' ||
                     text[i] == '\t'))
    i++;
  return i;
}

bool cr_schema_title_within(const char *text, size_t len, size_t max_bytes) {
  size_t i = leading_blanks(text, len);
  return i < len && len - i >= max_bytes + 2;
}

char *cr_schema_derive_title(const char *text, size_t len, size_t max_bytes) {
  size_t i = leading_blanks(text, len);
  /* The first sentence ends at ". ", "! ", "? " or a line break. A dot
   * after a one-letter word or a capitalised town name ("CARPI.") is the
   * dateline of a local story: the sentence goes on. */
  size_t end = i;
  /* Past max_bytes the title is cut wherever the sentence ends: no need
   * to find it. */
  while (end < len && end - i <= max_bytes) {
    char c = text[end];
    if (c == '\n') break;
    if ((c == '.' || c == '!' || c == '?') &&
        (end + 1 >= len || text[end + 1] == ' ' || text[end + 1] == '\n')) {
      bool dateline = false;
      if (c == '.') {
        size_t w = end;
        bool upper = true;
        while (w > i && text[w - 1] != ' ') {
          char ch = text[w - 1];
          if (ch >= 'a' && ch <= 'z') upper = false;
          w--;
        }
        dateline = (end - w <= 1) || (upper && w == i);
      }
      if (!dateline) {
        if (c != '.') end++;
        break;
      }
    }
    end++;
  }
  size_t n = end - i;
  bool cut = false;
  if (n > max_bytes) {
    n = utf8_fit(text + i, n, max_bytes);
    while (n > 0 && text[i + n - 1] != ' ')
      n--; /* a word boundary */
    if (n == 0) n = utf8_fit(text + i, end - i, max_bytes);
    while (n > 0 && text[i + n - 1] == ' ')
      n--;
    cut = true;
  }
  char *out = malloc(n + 4);
  if (!out) return NULL;
  memcpy(out, text + i, n);
  if (cut) memcpy(out + n, "\xE2\x80\xA6", 3); /* … */
  out[n + (cut ? 3 : 0)] = '\0';
  return out;
}

int cr_stored_parse(const char *card, size_t len, cr_stored *out,
                    cr_error *err) {
  memset(out, 0, sizeof *out);
  /* One block holds every field NUL-terminated: never longer than the
   * card itself plus a terminator per field. */
  char *buf = malloc(len + 1);
  if (!buf) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  out->buf = buf;
  size_t i = 0, k = 0;
  while (i < len) {
    unsigned char tag = (unsigned char)card[i++];
    size_t flen = 0;
    unsigned shift = 0;
    for (;;) {
      if (i >= len || shift > 28) goto corrupt;
      unsigned char c = (unsigned char)card[i++];
      flen |= (size_t)(c & 0x7F) << shift;
      shift += 7;
      if (!(c & 0x80)) break;
    }
    /* The field's bytes plus our NUL must fit: tag and length (at least
     * two bytes) were room enough. */
    if (flen > len - i) goto corrupt;
    char *value = buf + k;
    memcpy(value, card + i, flen);
    value[flen] = '\0';
    k += flen + 1;
    i += flen;
    switch (tag) {
    case TAG_ID:
      out->id = value;
      break;
    case TAG_TITLE:
      out->title = value;
      break;
    case TAG_DERIVED_TITLE:
      out->title_derived = true;
      break;
    case TAG_DATE:
      out->date = value;
      break;
    case TAG_AUTHOR:
      out->author = value;
      break;
    case TAG_SOURCE:
      out->source = value;
      break;
    case TAG_URL:
      out->url = value;
      break;
    default:
      break; /* a field from a later version */
    }
  }
  return 0;
corrupt:
  cr_stored_free(out);
  cr_error_set(err, CR_E_CORRUPT, "stored article card is damaged");
  return -1;
}

int cr_stored_derive_title(cr_stored *s, const char *text, size_t len) {
  free(s->derived_title);
  s->derived_title = cr_schema_derive_title(text, len, CR_DERIVED_TITLE_MAX);
  s->title = s->derived_title;
  return s->derived_title ? 0 : -1;
}

void cr_stored_free(cr_stored *s) {
  if (!s) return;
  free(s->buf);
  free(s->derived_title);
  memset(s, 0, sizeof *s);
}
