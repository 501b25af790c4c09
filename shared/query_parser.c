/* query_parser.c — from what a person types to a Xapian query.
 *
 * The lexer (query_lexer.c) cuts the text into words, phrases, operators
 * and parentheses; a recursive-descent parser (OR < AND < juxtaposition <
 * NEAR < items) builds the query. Each item returns what it parsed (an
 * item struct): its query and, for a plain word, its stem and whether it
 * reads as a name, which juxtaposition uses to reward a full name written
 * as one. Every word and phrase goes through the shared analyzer, so the
 * query holds exactly the terms the indexer wrote. The grammar is
 * forgiving by design: nothing typed is an error, at worst it is ignored
 * and a note says so.
 *
 * What the stems cannot tell (a quoted phrase's stop words and sentence
 * breaks, a quoted word's form, the words a wildcard stands for) becomes
 * a cr_qp_check the matcher runs on each candidate's text (exact.h).
 */
#include "query_parser.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "dates.h"
#include "query_lexer.h"
#include "schema.h"
#include "synonyms.h"

#define MAX_DEPTH 64   /* deeper parentheses are read as plain text */
#define MAX_ITEMS 1024 /* words beyond this are dropped (with a note) */
/* Each wildcard ORs up to max_wildcard_expansion postings lists: 32 on
 * DICE take about 0.2 s. A repeat in the same sequence with the same
 * sign adds nothing to what matches and is dropped (200 copies of co*
 * took 21 s). */
#define MAX_WILDCARDS 32
#define TERM_BUF (CR_MAX_TERM_BYTES + 8)

/* How much a capitalised word's name term (schema.h, CR_PREFIX_NAME)
 * weighs beside its stem, and the bonus for a full name found as written.
 * Tuned on names-dev.tsv and SQuAD-it's dev half (bench/RESULTS.md,
 * "Names"): a query of names alone (Costa, Cesare Costa) wants the person
 * first, so the name weighs twice its stem and a name written whole earns
 * its words' weight again (surname P@10 0.27 -> 0.88, full names 0.80 ->
 * 0.98); in a question or among keywords a name is context, and anything
 * above 0.3 cost MRR@10 on SQuAD-it (0.810 -> 0.812 at 0.3, 0.789 at 2). */
#define NAME_WEIGHT_NAMES 2.0
#define NAME_PAIR_WEIGHT 2.0
#define NAME_WEIGHT_TEXT 0.3
/* A capitalised word is read as a name when at least this share of the
 * articles holding its stem hold it capitalised inside a sentence:
 * Quando, first in a question, is capitalised almost nowhere else. */
#define NAME_MIN_SHARE 0.02
/* Words in more than this share of the articles only add weight to what
 * the query's other words find, in queries of COMMON_MIN_WORDS words or
 * more: at 1M articles a SQuAD-it question's common stems (stat is in
 * 823k articles) cost most of its time, and MRR@10 on the dev half moves
 * by less than 0.001 (bench/RESULTS.md). */
#define COMMON_SHARE 0.05
#define COMMON_MIN_WORDS 3

enum note_flag {
  NOTE_QUOTE = 1 << 0,        /* an unbalanced quote was closed */
  NOTE_PAREN = 1 << 1,        /* unbalanced parentheses were ignored */
  NOTE_STOP = 1 << 2,         /* only stop words: searched for as they are */
  NOTE_EMPTY = 1 << 3,        /* nothing searchable */
  NOTE_TOO_LONG = 1 << 4,     /* query cut */
  NOTE_BAD_DATE = 1 << 5,     /* date: value not understood */
  NOTE_SHORT_WILD = 1 << 6,   /* wildcard prefix too short */
  NOTE_MANY_WILD = 1 << 7,    /* wildcards beyond MAX_WILDCARDS dropped */
  NOTE_BACKWARDS = 1 << 8,    /* a date range that ends before it starts */
  NOTE_DEEP = 1 << 9,         /* parentheses nested too deep */
  NOTE_NEAR = 1 << 10,        /* NEAR between something else than words */
  NOTE_LONG_PHRASE = 1 << 11, /* a phrase longer than CR_EXACT_MAX_WORDS */
  NOTE_SYNONYMS = 1 << 12     /* the synonym table could not be read */
};

/* ---- What an item is -------------------------------------------------- */

typedef enum item_kind {
  ITEM_NONE,     /* nothing searchable (a stop word, a date filter) */
  ITEM_WORD,     /* one word: stem holds its term */
  ITEM_PHRASE,   /* a quoted phrase or a word of several terms */
  ITEM_WILDCARD, /* prefix* : wildcard holds its prefix */
  ITEM_GROUP     /* parentheses, NOT, NEAR */
} item_kind;

typedef struct item {
  cr_query *query; /* NULL: nothing searchable */
  char sign;       /* '+', '-' or 0 */
  item_kind kind;
  char stem[2 * TERM_BUF]; /* ITEM_WORD: the term, field prefix included */
  char form[TERM_BUF];     /* ITEM_WORD: the word itself, folded */
  bool plain;              /* ITEM_WORD: in no field (synonyms apply) */
  bool name;               /* ITEM_WORD: read as a name */
  uint32_t position;       /* ITEM_WORD: its word position in the query */
  char wildcard[TERM_BUF]; /* ITEM_WILDCARD: prefix, field prefix included */
} item;

/* ---- The parser ------------------------------------------------------- */

typedef struct parser {
  ql_lexer lx;
  cr_analyzer *an;
  const cr_qp_opts *opts;
  unsigned notes;  /* NOTE_* */
  bool keep_stop;  /* second pass: the query had only stop words */
  bool saw_stop;   /* some stop word was dropped */
  bool names_only; /* every word typed reads as a name (Cesare Costa) */
  unsigned items;  /* words read, for MAX_ITEMS */
  /* The wildcards kept so far, for MAX_WILDCARDS and repeats: prefix,
   * the sequence (parse_seq call) and the sign they were found with. */
  struct {
    char prefix[TERM_BUF];
    unsigned seq;
    char sign;
  } wildcards[MAX_WILDCARDS];
  unsigned n_wildcards;
  unsigned n_seqs;
  uint32_t position;  /* query term positions */
  bool failed;        /* out of memory, or the binding refused a query */
  cr_error err;       /* why the binding refused, when it did */
  cr_query **filters; /* date filters, ANDed at the end */
  size_t n_filters, cap_filters;
  cr_qword *words; /* wanted words so far (cr_parsed_query.words) */
  size_t n_words, cap_words;
  cr_qp_check **checks; /* exact patterns (cr_parsed_query.checks) */
  size_t n_checks, cap_checks;
  bool has_phrase;
  bool unchecked;        /* a pattern went unchecked: no opts.check */
  long doccount;         /* the index's articles, once asked (-1 before) */
  cr_qsynonym *synonyms; /* synonyms used (cr_parsed_query.synonyms) */
  size_t n_synonyms, cap_synonyms;
  cr_qquote *quotes; /* wanted quotes (cr_parsed_query.quotes) */
  size_t n_quotes, cap_quotes;
} parser;

typedef struct qlist {
  cr_query **q;
  size_t n, cap;
} qlist;

/* Adds q to the list; a NULL q is memory that ran out upstream, unless
 * the caller knows it stands for nothing. */
static void qlist_add(parser *p, qlist *l, cr_query *q) {
  if (!q) {
    p->failed = true;
    return;
  }
  if (CR_ARRAY_GROW(l->q, l->n, l->cap) != 0) {
    p->failed = true;
    cr_query_free(q);
    return;
  }
  l->q[l->n++] = q;
}

static void qlist_free(qlist *l) {
  for (size_t i = 0; i < l->n; i++)
    cr_query_free(l->q[i]);
  free(l->q);
  memset(l, 0, sizeof *l);
}

/* A query the binding built, or NULL: NULL means it failed (p->err says
 * why: memory ran out, most likely). */
static cr_query *built(parser *p, cr_query *q) {
  if (!q) p->failed = true;
  return q;
}

/* Combines the list with op and frees it; NULL for an empty list. */
static cr_query *combine(parser *p, enum cr_query_op op, qlist *l,
                         unsigned window) {
  cr_query *out = NULL;
  if (l->n == 1 && op != CR_OP_PHRASE && op != CR_OP_NEAR) {
    out = l->q[0];
    l->n = 0;
  } else if (l->n > 0) {
    out = built(p, cr_query_combine(op, l->q, l->n, window, &p->err));
  }
  qlist_free(l);
  return out;
}

static cr_query *combine2(parser *p, enum cr_query_op op, cr_query *a,
                          cr_query *b) {
  if (!a) return b;
  if (!b) return a;
  cr_query *both[2] = {a, b};
  cr_query *out = built(p, cr_query_combine(op, both, 2, 0, &p->err));
  cr_query_free(a);
  cr_query_free(b);
  return out;
}

static cr_query *scaled(parser *p, cr_query *q, double factor) {
  if (!q) return NULL;
  cr_query *out = built(p, cr_query_scale(q, factor, &p->err));
  cr_query_free(q);
  return out;
}

static cr_query *term_query(parser *p, const char *term, uint32_t position) {
  return built(p, cr_query_term(term, 1, position, &p->err));
}

/* The term prefix + word (a form of at most CR_MAX_TERM_BYTES). */
static cr_query *prefixed_term(parser *p, const char *prefix,
                               const char *word) {
  char buf[2 * TERM_BUF];
  snprintf(buf, sizeof buf, "%s%s", prefix, word);
  return term_query(p, buf, 0);
}

/* Notes a wanted word; words of an item that turns out excluded are
 * dropped again by forget_words. */
static void add_word(parser *p, const char *term, uint32_t position) {
  char *copy = NULL;
  if (CR_ARRAY_GROW(p->words, p->n_words, p->cap_words) != 0 ||
      !(copy = strdup(term))) {
    p->failed = true;
    return;
  }
  p->words[p->n_words++] = (cr_qword){copy, position};
}

static void forget_words(parser *p, size_t keep) {
  while (p->n_words > keep)
    free(p->words[--p->n_words].term);
}

/* Patterns of an item that turns out excluded are not shown in snippets
 * (they stay allocated: the query points at them). */
static void unwant_checks(parser *p, size_t from) {
  for (size_t i = from; i < p->n_checks; i++)
    p->checks[i]->wanted = false;
}

/* Notes where the quoted text of t (a QL_PHRASE) lies in the query. */
static void add_quote(parser *p, const ql_token *t) {
  if (CR_ARRAY_GROW(p->quotes, p->n_quotes, p->cap_quotes) != 0) {
    p->failed = true;
    return;
  }
  size_t at = (size_t)(t->text - p->lx.s), from = at - t->open_len;
  p->quotes[p->n_quotes++] = (cr_qquote){
      .from = from, .to = from + t->quoted_len, .at = at, .len = t->len};
}

/* A new exact pattern, owned by the parser. NULL if memory ran out. */
static cr_qp_check *new_check(parser *p) {
  cr_qp_check *c = NULL;
  if (CR_ARRAY_GROW(p->checks, p->n_checks, p->cap_checks) != 0 ||
      !(c = calloc(1, sizeof *c))) {
    p->failed = true;
    return NULL;
  }
  c->env = p->opts->check_env;
  c->wanted = true;
  p->checks[p->n_checks++] = c;
  return c;
}

/* q restricted to the documents whose text holds the pattern c (and,
 * when given, whose n terms stand at their offsets); q itself when there
 * is no test to run. */
static cr_query *checked(parser *p, cr_query *q, cr_qp_check *c,
                         const char *const *terms, const uint32_t *offsets,
                         size_t n) {
  if (!q || !c || !p->opts->check) return q;
  cr_query *test =
      built(p, cr_query_checked(terms, offsets, n, CR_SLOT_TEXT, CR_SLOT_CARD,
                                p->opts->check, c, &p->err));
  if (!test) {
    cr_query_free(q);
    return NULL;
  }
  return combine2(p, CR_OP_FILTER, q, test);
}

/* ---- Names ------------------------------------------------------------ */

static long termfreq(parser *p, const char *term) {
  return p->opts->termfreq ? p->opts->termfreq(term, p->opts->termfreq_ctx) : 1;
}

/* Whether the capitalised word form, whose stem is stem, reads as a name
 * in this index: enough of its stem's articles hold it capitalised. */
static bool reads_as_name(parser *p, const char *stem, const char *form) {
  if (!p->opts->termfreq) return true;
  char name[2 * TERM_BUF];
  snprintf(name, sizeof name, "%s%s", CR_PREFIX_NAME, form);
  long with_name = termfreq(p, name), with_stem = termfreq(p, stem);
  if (with_name <= 0 || with_stem < 0) return false;
  return with_stem == 0 ||
         (double)with_name >= NAME_MIN_SHARE * (double)with_stem;
}

/* q (a word's stem, or its exact test) with the name term of the word
 * form beside it: every article holding the name holds the word, so the
 * name only adds weight (and q's count stays the match count). */
static cr_query *with_name(parser *p, cr_query *q, const char *form) {
  if (!q) return q;
  double w = p->names_only ? NAME_WEIGHT_NAMES : NAME_WEIGHT_TEXT;
  return combine2(p, CR_OP_AND_MAYBE, q,
                  scaled(p, prefixed_term(p, CR_PREFIX_NAME, form), w));
}

/* ---- Words and phrases ------------------------------------------------ */

/* One word of an item, as the analyzer made it. */
typedef struct qword {
  char term[2 * TERM_BUF]; /* stem (or folded stop word), prefix included */
  char form[TERM_BUF];     /* the word itself */
  uint32_t position;       /* within the item */
  bool is_stop, capitalised, elided;
} qword;

/* The words of one item. */
typedef struct word_sink {
  parser *p;
  const char *prefix;
  qword *w;
  size_t n, cap;
  bool cut; /* past MAX_ITEMS */
} word_sink;

static int collect_word(const cr_token *t, void *ctx) {
  word_sink *ws = ctx;
  /* A phrase's words count towards MAX_ITEMS too: past it, it is cut. */
  if (ws->n > 0 && !t->is_stop && ++ws->p->items > MAX_ITEMS) {
    ws->p->notes |= NOTE_TOO_LONG;
    ws->cut = true;
    return 1;
  }
  if (CR_ARRAY_GROW(ws->w, ws->n, ws->cap) != 0) {
    ws->p->failed = true;
    return 1;
  }
  qword *w = &ws->w[ws->n++];
  snprintf(w->term, sizeof w->term, "%s%s", ws->prefix, t->term);
  snprintf(w->form, sizeof w->form, "%.*s", (int)t->word_len, t->word);
  w->position = t->position;
  w->is_stop = t->is_stop;
  w->capitalised = t->capitalised;
  w->elided = t->elided;
  return 0;
}

/* A phrase of stop words alone ("Non è"): their word terms, all
 * required, for the pattern's test to order. */
static cr_query *stop_words_query(parser *p, const word_sink *ws) {
  qlist l = {0};
  for (size_t i = 0; i < ws->n && !p->failed; i++) {
    qlist_add(p, &l, prefixed_term(p, CR_PREFIX_STOP, ws->w[i].form));
  }
  return combine(p, CR_OP_AND, &l, 0);
}

/* The stems of an item's words as a phrase (a single stem for one word),
 * in positions as the query wrote them. */
static cr_query *stems_query(parser *p, const word_sink *ws) {
  qlist l = {0};
  uint32_t first = 0, last = 0;
  for (size_t i = 0; i < ws->n; i++) {
    if (ws->w[i].is_stop) continue;
    if (l.n == 0) first = ws->w[i].position;
    last = ws->w[i].position;
    qlist_add(
        p, &l,
        term_query(p, ws->w[i].term, p->position + ws->w[i].position + 1));
  }
  if (l.n == 1) return combine(p, CR_OP_OR, &l, 0);
  return combine(p, CR_OP_PHRASE, &l, last - first + 1);
}

/* q restricted to the articles that hold a quoted phrase or word as
 * typed: every word, stop words too. The stems' positions are compared
 * first, at the distances the query puts them. */
static cr_query *phrase_checked(parser *p, cr_query *q, const word_sink *ws,
                                const char *prefix) {
  /* Author and source names are not in the text: their stems' positions
   * decide (author:"Fabrizio Grasso"). */
  if (!q || (*prefix && strcmp(prefix, CR_PREFIX_TITLE) != 0)) return q;
  if (!p->opts->check) {
    p->unchecked = true;
    return q;
  }
  cr_qp_check *c = new_check(p);
  if (!c) {
    cr_query_free(q);
    return NULL;
  }
  c->pattern.title_only = strcmp(prefix, CR_PREFIX_TITLE) == 0;
  const char *terms[CR_EXACT_MAX_WORDS];
  uint32_t offsets[CR_EXACT_MAX_WORDS];
  size_t n = 0;
  for (size_t i = 0; i < ws->n; i++) {
    if (!cr_exact_add(&c->pattern, ws->w[i].form, strlen(ws->w[i].form), false,
                      ws->w[i].elided)) {
      p->notes |= NOTE_LONG_PHRASE;
      break;
    }
    if (ws->w[i].is_stop) continue;
    terms[n] = ws->w[i].term;
    offsets[n++] = ws->w[i].position;
  }
  return checked(p, q, c, terms, offsets, n);
}

/* A word or a phrase: t is a QL_WORD (not a wildcard) or a QL_PHRASE. */
static item text_item(parser *p, const ql_token *t) {
  item it = {.sign = t->sign, .kind = ITEM_NONE};
  const char *prefix = t->field ? t->field : "";
  bool quoted = t->kind == QL_PHRASE;
  if (quoted && !*prefix && t->sign != '-') add_quote(p, t);
  word_sink ws = {.p = p, .prefix = prefix};
  cr_analyze(p->an, t->text, t->len, 0, collect_word, &ws);
  uint32_t base = p->position;
  p->position += ws.n ? ws.w[ws.n - 1].position + 1 : 1;
  if (p->failed || ws.n == 0) {
    free(ws.w);
    return it;
  }
  /* Only stop words: unquoted they are dropped (the second pass keeps
   * them when nothing else is left), quoted they are what was asked. */
  size_t content = 0;
  for (size_t i = 0; i < ws.n; i++)
    if (!ws.w[i].is_stop) content++;
  if (content == 0) {
    if (!*prefix && (quoted || p->keep_stop)) {
      it.query = stop_words_query(p, &ws);
      it.kind = ws.n == 1 && !quoted ? ITEM_GROUP : ITEM_PHRASE;
      if (quoted) it.query = phrase_checked(p, it.query, &ws, prefix);
      p->has_phrase |= quoted && ws.n > 1;
    } else {
      p->saw_stop = true;
    }
    free(ws.w);
    return it;
  }
  if (content < ws.n) p->saw_stop = true;
  if (!*prefix)
    for (size_t i = 0; i < ws.n; i++)
      if (!ws.w[i].is_stop) add_word(p, ws.w[i].term, base + ws.w[i].position);
  const qword *w = NULL;
  for (size_t i = 0; i < ws.n && !w; i++)
    if (!ws.w[i].is_stop) w = &ws.w[i];
  /* The first word of a question or of a sentence is capitalised by
   * grammar: there the index must confirm it as a name. */
  bool first = base + w->position == 0;
  bool name = !*prefix && content == 1 && w->capitalised && t->sign != '-' &&
              (p->names_only || !first || reads_as_name(p, w->term, w->form));
  if (!quoted && content == 1) {
    it.kind = ITEM_WORD;
    snprintf(it.stem, sizeof it.stem, "%s", w->term);
    snprintf(it.form, sizeof it.form, "%s", w->form);
    it.plain = !*prefix;
    it.name = name;
    it.position = base + w->position;
    it.query = term_query(p, w->term, base + w->position + 1);
    if (name) it.query = with_name(p, it.query, w->form);
  } else {
    p->position = base;
    cr_query *stems = stems_query(p, &ws);
    if (quoted) {
      /* The exact word or phrase; a capitalised word's name term holds
       * the word as written, so it may add its weight. */
      it.query = phrase_checked(p, stems, &ws, prefix);
      if (name && content == ws.n && ws.n == 1)
        it.query = with_name(p, it.query, w->form);
      it.kind = ws.n == 1 ? ITEM_GROUP : ITEM_PHRASE;
      p->has_phrase |= ws.n > 1;
    } else {
      it.query = stems; /* Jong-un, U.S.A.-Cina: one word, several terms */
      it.kind = ITEM_PHRASE;
      p->has_phrase = true;
    }
  }
  p->position = base + ws.w[ws.n - 1].position + 1;
  free(ws.w);
  return it;
}

/* ---- Wildcards -------------------------------------------------------- */

/* prefix*: the words that start with prefix. The index holds stems, and
 * a word that starts with the prefix has a stem that either starts with
 * it too (ucrain* : ucrain, ucrainian) or is shorter and a prefix of it
 * (furto* : furt, the stem of furto itself). Both kinds are asked for,
 * and the test keeps the articles where such a word really stands. */
static item wildcard_item(parser *p, const ql_token *t) {
  item it = {.sign = t->sign, .kind = ITEM_NONE};
  char norm[CR_MAX_TERM_BYTES + 1];
  size_t n = cr_analyzer_normalize(p->an, t->text, t->len, norm, sizeof norm);
  if (n < 2) {
    p->notes |= NOTE_SHORT_WILD;
    ql_token plain = *t;
    plain.wildcard = false;
    return text_item(p, &plain);
  }
  const char *prefix = t->field ? t->field : "";
  it.kind = ITEM_WILDCARD;
  snprintf(it.wildcard, sizeof it.wildcard, "%s%s", prefix, norm);
  qlist l = {0};
  qlist_add(
      p, &l,
      built(p, cr_query_wildcard(it.wildcard, p->opts->max_wildcard_expansion,
                                 &p->err)));
  /* The shorter stems: the prefix's own stem and each prefix of the
   * prefix longer than it (a word's stem never drops more). */
  word_sink ws = {.p = p, .prefix = prefix};
  cr_analyze(p->an, norm, n, 0, collect_word, &ws);
  size_t stem_len =
      ws.n == 1 && !ws.w[0].is_stop ? strlen(ws.w[0].term) - strlen(prefix) : n;
  free(ws.w);
  for (size_t k = stem_len < 2 ? 2 : stem_len; k < n && !p->failed; k++) {
    char buf[2 * TERM_BUF];
    snprintf(buf, sizeof buf, "%s%.*s", prefix, (int)k, norm);
    qlist_add(p, &l, term_query(p, buf, 0));
  }
  cr_query *q = combine(p, CR_OP_SYNONYM, &l, 0);
  /* Author and source names are short: their stems decide. */
  cr_qp_check *c = NULL;
  bool text = !*prefix || strcmp(prefix, CR_PREFIX_TITLE) == 0;
  if (text && !p->opts->check) p->unchecked = true;
  if (p->opts->check && text && (c = new_check(p)) != NULL) {
    cr_exact_add(&c->pattern, norm, n, true, false);
    c->pattern.title_only = strcmp(prefix, CR_PREFIX_TITLE) == 0;
  }
  it.query = c ? checked(p, q, c, NULL, NULL, 0) : q;
  p->position++;
  return it;
}

/* ---- Filters ---------------------------------------------------------- */

static void add_filter(parser *p, cr_query *q) {
  if (!q) return;
  if (CR_ARRAY_GROW(p->filters, p->n_filters, p->cap_filters) != 0) {
    cr_query_free(q);
    p->failed = true;
    return;
  }
  p->filters[p->n_filters++] = q;
}

/* date:VALUE, with VALUE a date, a partial date or FROM..TO. */
static cr_query *date_query(parser *p, const char *s, size_t len) {
  char lo[9], hi[9], lo2[9], hi2[9];
  const char *dots = NULL;
  for (size_t i = 0; i + 1 < len; i++)
    if (s[i] == '.' && s[i + 1] == '.') {
      dots = s + i;
      break;
    }
  if (dots) {
    size_t a = (size_t)(dots - s), b = len - a - 2;
    bool has_lo = a > 0 && cr_date_range(s, a, lo, hi);
    bool has_hi = b > 0 && cr_date_range(dots + 2, b, lo2, hi2);
    bool ok = (has_lo || a == 0) && (has_hi || b == 0) && (a || b);
    if (ok && has_lo && has_hi && strcmp(lo, hi2) > 0)
      p->notes |= NOTE_BACKWARDS;
    if (ok)
      return built(p, cr_query_value_range(CR_SLOT_DATE, has_lo ? lo : NULL,
                                           has_hi ? hi2 : NULL, &p->err));
  } else if (cr_date_range(s, len, lo, hi)) {
    return built(p, cr_query_value_range(CR_SLOT_DATE, lo, hi, &p->err));
  }
  p->notes |= NOTE_BAD_DATE;
  return NULL;
}

/* ---- The grammar ------------------------------------------------------ */

/* One word or phrase token. field, if set, is the group's (title:( )). */
static item leaf(parser *p, ql_token t, const char *field) {
  item none = {.sign = t.sign, .kind = ITEM_NONE};
  if (!t.field) t.field = field;
  if (++p->items > MAX_ITEMS) {
    p->notes |= NOTE_TOO_LONG;
    return none;
  }
  if (t.field && strcmp(t.field, "date") == 0) {
    add_filter(p, date_query(p, t.text, t.len));
    return none;
  }
  if (t.field && strcmp(t.field, "id") == 0) {
    /* id:ID is the article's Q term, as written: ids are not words. */
    char *id = malloc(t.len + 1);
    if (!id) {
      p->failed = true;
      return none;
    }
    memcpy(id, t.text, t.len);
    id[t.len] = '\0';
    char term[CR_ID_TERM_SIZE];
    cr_schema_id_term(id, term);
    free(id);
    item it = {.sign = t.sign, .kind = ITEM_GROUP};
    it.query = built(p, cr_query_term(term, 1, 0, &p->err));
    return it;
  }
  if (t.wildcard && t.kind == QL_WORD) return wildcard_item(p, &t);
  return text_item(p, &t);
}

static cr_query *parse_or(parser *p, int depth, const char *field);

/* Whether the word's stem is in more than COMMON_SHARE of the articles,
 * counting it in *n_plain and, when it is not common and in the index,
 * in *n_rare. */
static bool is_common(parser *p, const char *stem, size_t *n_plain,
                      size_t *n_rare) {
  (*n_plain)++;
  if (!p->opts->termfreq) return false;
  if (p->doccount < 0) p->doccount = termfreq(p, "");
  long n = termfreq(p, stem);
  bool common = p->doccount > 0 && n > COMMON_SHARE * (double)p->doccount;
  if (!common && n > 0) (*n_rare)++;
  return common;
}

/* An item: a word, a phrase, a parenthesised group or NOT item. Returns
 * false at the end of the sequence (nothing taken). */
static bool parse_item(parser *p, int depth, const char *field, item *out) {
  ql_token t = ql_peek(&p->lx);
  *out = (item){.kind = ITEM_NONE};
  if (t.kind == QL_NOT) {
    /* NOT NOT x reads as NOT x. The whole run of NOTs is taken here, in
     * a loop: nothing bounds its length, and recursing once per NOT ran
     * out of stack (about 25,000 NOTs, 100 KB, in a release build). */
    ql_take(&p->lx);
    while (ql_peek(&p->lx).kind == QL_NOT)
      ql_take(&p->lx);
    size_t words = p->n_words, checks = p->n_checks, quotes = p->n_quotes;
    bool got = parse_item(p, depth, field, out);
    forget_words(p, words);
    unwant_checks(p, checks);
    p->n_quotes = quotes;
    out->sign = '-';
    out->kind = ITEM_GROUP;
    return got;
  }
  if (t.kind == QL_LPAREN) {
    ql_take(&p->lx);
    out->kind = ITEM_GROUP;
    out->sign = t.sign;
    if (depth >= MAX_DEPTH) {
      p->notes |= NOTE_DEEP;
      return true; /* ignore the parenthesis itself */
    }
    out->query = parse_or(p, depth + 1, t.field ? t.field : field);
    if (ql_peek(&p->lx).kind == QL_RPAREN)
      ql_take(&p->lx);
    else
      p->notes |= NOTE_PAREN;
    return true;
  }
  if (t.kind == QL_WORD || t.kind == QL_PHRASE) {
    ql_take(&p->lx);
    *out = leaf(p, t, field);
    return true;
  }
  return false;
}

/* Whether the wildcard item just parsed (in sequence seq) is to be kept:
 * not a repeat, and within MAX_WILDCARDS. */
static bool keep_wildcard(parser *p, unsigned seq, const item *it) {
  for (unsigned i = 0; i < p->n_wildcards; i++)
    if (p->wildcards[i].seq == seq && p->wildcards[i].sign == it->sign &&
        strcmp(p->wildcards[i].prefix, it->wildcard) == 0)
      return false;
  if (p->n_wildcards == MAX_WILDCARDS) {
    p->notes |= NOTE_MANY_WILD;
    return false;
  }
  memcpy(p->wildcards[p->n_wildcards].prefix, it->wildcard,
         sizeof it->wildcard);
  p->wildcards[p->n_wildcards].seq = seq;
  p->wildcards[p->n_wildcards++].sign = it->sign;
  return true;
}

/* a NEAR b NEAR/n c: the words within n of each other, in any order. Only
 * words have the positions NEAR compares; anything else is ANDed (with a
 * note). first is the item before the first NEAR. */
static item parse_near(parser *p, int depth, const char *field, item first) {
  qlist terms = {0}, others = {0};
  unsigned window = QL_NEAR_MAX;
  item it = first, out = {.sign = first.sign, .kind = ITEM_GROUP};
  for (bool more = true; more;) {
    if (it.kind == ITEM_WORD) {
      cr_query_free(it.query);
      qlist_add(p, &terms, term_query(p, it.stem, it.position + 1));
    } else if (it.query) {
      p->notes |= NOTE_NEAR;
      qlist_add(p, &others, it.query);
    }
    more = ql_peek(&p->lx).kind == QL_NEAR;
    if (!more) break;
    ql_token op = ql_take(&p->lx);
    if (op.near < window) window = op.near;
    if (!parse_item(p, depth, field, &it)) break;
  }
  cr_query *near = NULL;
  if (terms.n >= 2)
    near = combine(p, CR_OP_NEAR, &terms, window + (unsigned)terms.n);
  else
    near = combine(p, CR_OP_AND, &terms, 0);
  if (near) qlist_add(p, &others, near);
  out.query = combine(p, CR_OP_AND, &others, 0);
  return out;
}

/* ---- Synonyms (synonyms.h) -------------------------------------------- */

/* The texts filed under one or two keys, each once. */
typedef struct syn_texts {
  char *v[CR_SYN_MAX_MEMBERS * 2];
  size_t n;
  bool nomem;
} syn_texts;

static int add_syn_text(const char *text, size_t len, void *ctx) {
  syn_texts *t = ctx;
  for (size_t i = 0; i < t->n; i++)
    if (strlen(t->v[i]) == len && memcmp(t->v[i], text, len) == 0) return 0;
  if (t->n == sizeof t->v / sizeof *t->v) return 0; /* enough */
  if (!(t->v[t->n] = strndup(text, len))) {
    t->nomem = true;
    return 1;
  }
  t->n++;
  return 0;
}

/* Whether items[i] may start or go on a run of words looked up. */
static bool syn_word(const item *it) {
  return it->query && it->kind == ITEM_WORD && it->plain && *it->form;
}

/* The texts of the run items[i..i+n) into *t: by its words, then by its
 * stems when some word is not its stem. -1 if the table failed. */
static int syn_lookup(parser *p, const item *items, size_t n, syn_texts *t) {
  char words[CR_SYN_MAX_BYTES], stems[CR_SYN_MAX_BYTES];
  size_t wl = 0, sl = 0;
  bool stemmed = false, fits = true;
  stems[sl++] = CR_SYN_STEMS_PREFIX[0];
  for (size_t k = 0; k < n; k++) {
    size_t fl = strlen(items[k].form), tl = strlen(items[k].stem);
    if (wl + fl + 2 > sizeof words || sl + tl + 2 > sizeof stems) {
      fits = false;
      break;
    }
    if (k) words[wl++] = ' ', stems[sl++] = ' ';
    memcpy(words + wl, items[k].form, fl);
    memcpy(stems + sl, items[k].stem, tl);
    wl += fl;
    sl += tl;
    stemmed |= strcmp(items[k].form, items[k].stem) != 0;
  }
  if (!fits) return 0;
  words[wl] = stems[sl] = '\0';
  if (p->opts->synonyms(words, add_syn_text, t, p->opts->synonyms_ctx) < 0)
    return -1;
  if (stemmed && !t->nomem &&
      p->opts->synonyms(stems, add_syn_text, t, p->opts->synonyms_ctx) < 0)
    return -1;
  return 0;
}

/* The query of a synonym's text: its stem, or its stems as a phrase at
 * the distances its words stand. NULL if it has none (or memory ran
 * out: p->failed). */
static cr_query *syn_text_query(parser *p, const char *text) {
  word_sink ws = {.p = p, .prefix = ""};
  unsigned items = p->items;
  cr_analyze(p->an, text, strlen(text), 0, collect_word, &ws);
  p->items = items; /* a synonym's words are not the query's */
  cr_query *q = NULL;
  if (!p->failed && ws.n) {
    qlist l = {0};
    uint32_t first = 0, last = 0;
    for (size_t i = 0; i < ws.n; i++) {
      if (ws.w[i].is_stop) continue;
      if (l.n == 0) first = ws.w[i].position;
      last = ws.w[i].position;
      qlist_add(p, &l, term_query(p, ws.w[i].term, 0));
    }
    q = l.n == 1 ? combine(p, CR_OP_OR, &l, 0)
                 : combine(p, CR_OP_PHRASE, &l, last - first + 1);
  }
  free(ws.w);
  return q;
}

/* Notes a synonym used. */
static void note_synonym(parser *p, const item *items, size_t n,
                         const char *to) {
  char from[CR_SYN_MAX_BYTES] = "";
  for (size_t k = 0; k < n; k++)
    snprintf(from + strlen(from), sizeof from - strlen(from), "%s%s",
             k ? " " : "", items[k].form);
  if (CR_ARRAY_GROW(p->synonyms, p->n_synonyms, p->cap_synonyms) != 0) {
    p->failed = true;
    return;
  }
  cr_qsynonym *s = &p->synonyms[p->n_synonyms];
  s->from = strdup(from);
  s->to = strdup(to);
  if (!s->from || !s->to) {
    free(s->from);
    free(s->to);
    p->failed = true;
    return;
  }
  p->n_synonyms++;
}

/* The run items[i..i+n) with its synonyms t, as one item: an OP_SYNONYM
 * of the words typed (their stems' phrase when several) and each text;
 * a single word keeps its name term beside the group. */
static item syn_item(parser *p, item *items, size_t n, const syn_texts *t) {
  item out = items[0];
  qlist l = {0};
  if (n == 1) {
    qlist_add(p, &l, term_query(p, items[0].stem, items[0].position + 1));
  } else {
    qlist words = {0};
    for (size_t k = 0; k < n; k++)
      qlist_add(p, &words, term_query(p, items[k].stem, items[k].position + 1));
    qlist_add(p, &l,
              combine(p, CR_OP_PHRASE, &words,
                      items[n - 1].position - items[0].position + 1));
  }
  for (size_t k = 0; k < t->n && !p->failed; k++) {
    cr_query *q = syn_text_query(p, t->v[k]);
    if (!q) continue;
    qlist_add(p, &l, q);
    note_synonym(p, items, n, t->v[k]);
  }
  cr_query *group = combine(p, CR_OP_SYNONYM, &l, 0);
  if (n == 1) {
    cr_query_free(items[0].query);
    items[0].query = NULL;
  }
  if (n == 1 && out.name) group = with_name(p, group, out.form);
  out.query = group;
  if (n > 1) {
    out.kind = ITEM_GROUP; /* no longer one word: no name pairs */
    out.name = false;
  }
  return out;
}

/* Expands each run of plain words the synonym table knows (the longest
 * from the left, at most CR_SYN_MAX_WORDS) with its group (syn_item).
 * Words of a run share their sign and stand at most two stop words apart.
 * A single word becomes its group; a run of words, optional or excluded,
 * stays as it was, its group after it (synonyms only add to what a query
 * finds, or excludes: "polizia municipale" still finds every article about
 * the polizia), and required (+, --all), the group takes its place, or it
 * would require every word. *items (n of them) is replaced by the result,
 * whose count is returned. */
static size_t expand_synonyms(parser *p, item **items_in, size_t n) {
  item *items = *items_in;
  if (!p->opts->synonyms || n == 0) return n;
  item *res = malloc(2 * n * sizeof *res);
  if (!res) {
    p->failed = true;
    return n;
  }
  size_t out = 0;
  for (size_t i = 0; i < n;) {
    size_t run = 0;
    if (syn_word(&items[i]))
      for (run = 1; run < CR_SYN_MAX_WORDS && i + run < n; run++) {
        const item *a = &items[i + run - 1], *b = &items[i + run];
        if (!syn_word(b) || b->sign != items[i].sign ||
            b->position > a->position + 3)
          break;
      }
    syn_texts t = {.n = 0};
    size_t len = run;
    for (; len > 0 && !p->failed; len--) {
      if (syn_lookup(p, &items[i], len, &t) != 0) {
        p->notes |= NOTE_SYNONYMS;
        len = 0;
        break;
      }
      if (t.nomem) p->failed = true;
      if (t.n) break;
    }
    if (len == 1 && t.n) {
      res[out++] = syn_item(p, &items[i], 1, &t);
      i++;
    } else if (len > 1 && t.n) {
      item group = syn_item(p, &items[i], len, &t);
      if (p->opts->all_required || items[i].sign == '+') {
        for (size_t k = 0; k < len; k++)
          cr_query_free(items[i + k].query);
      } else {
        for (size_t k = 0; k < len; k++)
          res[out++] = items[i + k];
      }
      res[out++] = group;
      i += len;
    } else {
      res[out++] = items[i++];
    }
    for (size_t k = 0; k < t.n; k++)
      free(t.v[k]);
  }
  free(items);
  *items_in = res;
  return out;
}

/* Juxtaposed items: +required, -excluded, and the rest optional (or all
 * required with --all). Neighbouring names in a query of names are a
 * full name: written as one in an article, they earn a bonus. */
static cr_query *parse_seq(parser *p, int depth, const char *field) {
  qlist req = {0}, opt = {0}, excl = {0}, pairs = {0}, common = {0};
  item prev = {.kind = ITEM_NONE};
  size_t n_plain = 0, n_rare = 0; /* optional words; those not common */
  uint64_t is_common_bit = 0;     /* which of opt's first 64 are common */
  unsigned seq = ++p->n_seqs;
  /* The sequence's items first, then synonyms over them (a run of words
   * may be one), then each item in its place. */
  item *items = NULL;
  size_t n_items = 0, cap_items = 0;
  for (;;) {
    item it;
    size_t words = p->n_words, checks = p->n_checks, quotes = p->n_quotes;
    if (!parse_item(p, depth, field, &it)) break;
    if (ql_peek(&p->lx).kind == QL_NEAR) it = parse_near(p, depth, field, it);
    if (it.sign == '-') {
      forget_words(p, words);
      unwant_checks(p, checks);
      p->n_quotes = quotes;
    }
    if (it.query && it.kind == ITEM_WILDCARD && !keep_wildcard(p, seq, &it)) {
      cr_query_free(it.query);
      it.query = NULL;
    }
    if (!it.query) continue;
    if (CR_ARRAY_GROW(items, n_items, cap_items) != 0) {
      cr_query_free(it.query);
      p->failed = true;
      continue;
    }
    items[n_items++] = it;
  }
  n_items = expand_synonyms(p, &items, n_items);
  for (size_t k = 0; k < n_items; k++) {
    item it = items[k];
    if (!it.query) continue;
    if (it.sign != '-' && it.kind == ITEM_WORD && it.name &&
        prev.kind == ITEM_WORD && prev.name && p->names_only) {
      cr_query *pair[2] = {term_query(p, prev.stem, 0),
                           term_query(p, it.stem, 0)};
      if (pair[0] && pair[1]) {
        cr_query *phrase = built(
            p, cr_query_combine(CR_OP_PHRASE, pair, 2,
                                it.position - prev.position + 1, &p->err));
        qlist_add(p, &pairs, scaled(p, phrase, NAME_PAIR_WEIGHT));
      }
      cr_query_free(pair[0]);
      cr_query_free(pair[1]);
    }
    prev = it.sign == '-' ? (item){.kind = ITEM_NONE} : it;
    prev.query = NULL;
    if (it.sign == '+')
      qlist_add(p, &req, it.query);
    else if (it.sign == '-')
      qlist_add(p, &excl, it.query);
    else {
      if (it.kind == ITEM_WORD && opt.n < 64 &&
          is_common(p, it.stem, &n_plain, &n_rare))
        is_common_bit |= (uint64_t)1 << opt.n;
      qlist_add(p, &opt, it.query);
    }
  }
  free(items);
  /* A question's common words (stato, anno) only add weight to the
   * articles its rarer ones find, as long as some rarer word is in the
   * index: short queries keep every word's matches. */
  if (is_common_bit && n_rare > 0 && n_plain >= COMMON_MIN_WORDS) {
    size_t k = 0;
    for (size_t i = 0; i < opt.n; i++) {
      if (i < 64 && (is_common_bit >> i & 1))
        qlist_add(p, &common, opt.q[i]);
      else
        opt.q[k++] = opt.q[i];
    }
    opt.n = k;
  }
  cr_query *base;
  bool all = p->opts->all_required;
  if (all) {
    for (size_t i = 0; i < common.n; i++)
      qlist_add(p, &req, common.q[i]);
    common.n = 0;
    for (size_t i = 0; i < opt.n; i++)
      qlist_add(p, &req, opt.q[i]);
    opt.n = 0;
    qlist_free(&opt);
    base = combine(p, CR_OP_AND, &req, 0);
  } else {
    bool required = req.n > 0;
    cr_query *must = combine(p, CR_OP_AND, &req, 0);
    cr_query *may = combine(p, CR_OP_OR, &opt, 0);
    if (common.n && may)
      may = combine2(p, CR_OP_AND_MAYBE, may, combine(p, CR_OP_OR, &common, 0));
    base = must && may ? combine2(p, CR_OP_AND_MAYBE, must, may)
                       : (must ? must : may);
    all = required;
  }
  qlist_free(&common); /* its queries went above; the list may be left */
  if (pairs.n && base) {
    /* Every article holding a pair holds its words, so an OR adds no
     * match; with words required, the bonus may only add weight. OR is
     * also what keeps it cheap: Xapian checks an AND_MAYBE's phrase on
     * every candidate (35 ms on a SQuAD-it question, against 0.3). */
    cr_query *bonus = combine(p, CR_OP_OR, &pairs, 0);
    base = combine2(p, all ? CR_OP_AND_MAYBE : CR_OP_OR, base, bonus);
  } else {
    qlist_free(&pairs);
  }
  cr_query *excluded = combine(p, CR_OP_OR, &excl, 0);
  if (excluded) {
    /* Only exclusions: everything except them. */
    if (!base) base = built(p, cr_query_match_all(&p->err));
    base = combine2(p, CR_OP_AND_NOT, base, excluded);
  }
  return base;
}

static cr_query *parse_and(parser *p, int depth, const char *field) {
  cr_query *left = parse_seq(p, depth, field);
  while (ql_peek(&p->lx).kind == QL_AND) {
    ql_take(&p->lx);
    bool negate = false;
    if (ql_peek(&p->lx).kind == QL_NOT) {
      ql_take(&p->lx);
      negate = true;
    }
    size_t words = p->n_words, checks = p->n_checks, quotes = p->n_quotes;
    cr_query *right = parse_seq(p, depth, field);
    if (negate) {
      forget_words(p, words);
      unwant_checks(p, checks);
      p->n_quotes = quotes;
    }
    if (negate && right)
      left =
          combine2(p, CR_OP_AND_NOT,
                   left ? left : built(p, cr_query_match_all(&p->err)), right);
    else
      left = combine2(p, CR_OP_AND, left, right);
  }
  return left;
}

static cr_query *parse_or(parser *p, int depth, const char *field) {
  cr_query *left = parse_and(p, depth, field);
  while (ql_peek(&p->lx).kind == QL_OR) {
    ql_take(&p->lx);
    left = combine2(p, CR_OP_OR, left, parse_and(p, depth, field));
  }
  return left;
}

/* The whole text; stray ')' are skipped so the rest is still read. */
static cr_query *parse_all(parser *p) {
  cr_query *q = NULL;
  for (;;) {
    q = combine2(p, CR_OP_OR, q, parse_or(p, 0, NULL));
    ql_token t = ql_peek(&p->lx);
    if (t.kind == QL_END) break;
    ql_take(&p->lx); /* ')' or an operator nothing could follow */
    if (t.kind == QL_RPAREN) p->notes |= NOTE_PAREN;
  }
  return q;
}

/* ---- A query of names ------------------------------------------------- */

typedef struct names_scan {
  parser *p;
  bool words, lower; /* a content word seen; one not capitalised */
} names_scan;

static int check_capital(const cr_token *t, void *ctx) {
  names_scan *ns = ctx;
  if (t->is_stop) return 0;
  ns->words = true;
  if (!t->capitalised) ns->lower = true;
  return 0;
}

/* Whether every content word of the query, outside fields and wildcards,
 * is capitalised: Cesare Costa, Corea del Nord; not a question, not
 * keywords (furto Sassuolo). */
static bool query_of_names(parser *p, const char *text, size_t len) {
  ql_lexer lx;
  ql_init(&lx, text, len);
  names_scan ns = {.p = p};
  for (ql_token t = ql_take(&lx); t.kind != QL_END && !ns.lower;
       t = ql_take(&lx)) {
    if ((t.kind != QL_WORD && t.kind != QL_PHRASE) || t.field || t.wildcard)
      continue;
    cr_analyze(p->an, t.text, t.len, 0, check_capital, &ns);
  }
  return ns.words && !ns.lower;
}

/* ---- Passes ----------------------------------------------------------- */

static void free_filters(parser *p) {
  for (size_t i = 0; i < p->n_filters; i++)
    cr_query_free(p->filters[i]);
  free(p->filters);
  p->filters = NULL;
  p->n_filters = p->cap_filters = 0;
}

static void free_checks(cr_qp_check **checks, size_t n) {
  for (size_t i = 0; i < n; i++)
    free(checks[i]);
  free(checks);
}

static void free_synonyms(cr_qsynonym *s, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(s[i].from);
    free(s[i].to);
  }
  free(s);
}

static cr_query *run_parser(parser *p, const char *text, size_t len) {
  ql_init(&p->lx, text, len);
  p->items = 0;
  p->n_wildcards = 0;
  p->n_seqs = 0;
  p->position = 0;
  p->has_phrase = false;
  p->n_quotes = 0;
  free_filters(p);
  forget_words(p, 0);
  free_synonyms(p->synonyms, p->n_synonyms);
  p->synonyms = NULL;
  p->n_synonyms = p->cap_synonyms = 0;
  cr_query *q = parse_all(p);
  p->notes |= (p->lx.notes & QL_NOTE_QUOTE) ? NOTE_QUOTE : 0;
  return q;
}

/* ---- Notes and entry points ------------------------------------------- */

static char *make_note(unsigned notes) {
  static const struct {
    unsigned flag;
    const char *text;
  } texts[] = {
      {NOTE_EMPTY, "nothing searchable in the query"},
      {NOTE_STOP, "the query has only stop words: searched for them as typed"},
      {NOTE_QUOTE, "an unclosed quote was closed at the end"},
      {NOTE_PAREN, "unbalanced parentheses were ignored"},
      {NOTE_DEEP, "parentheses nested deeper than 64 were read as words"},
      {NOTE_TOO_LONG, "the query was cut to its first 1024 words"},
      {NOTE_BAD_DATE, "a date: filter was not understood (use date:2022, "
                      "date:2022-09 or date:2022-09-01..2022-09-30)"},
      {NOTE_SHORT_WILD, "a wildcard needs at least two letters before *"},
      {NOTE_MANY_WILD, "only the first 32 wildcards were expanded"},
      {NOTE_BACKWARDS, "a date range ends before it starts: nothing can match"},
      {NOTE_NEAR, "NEAR joins single words; the rest was required as well"},
      {NOTE_LONG_PHRASE, "only a phrase's first 32 words are checked exactly"},
      {NOTE_SYNONYMS, "the synonym table could not be read: no synonyms"},
  };
  if (!notes) return NULL;
  char buf[1024] = "";
  for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
    if (!(notes & texts[i].flag)) continue;
    if (*buf) strncat(buf, "; ", sizeof buf - strlen(buf) - 1);
    strncat(buf, texts[i].text, sizeof buf - strlen(buf) - 1);
  }
  return strdup(buf);
}

cr_qp_opts cr_qp_opts_default(void) {
  return (cr_qp_opts){.all_required = false,
                      .since = NULL,
                      .until = NULL,
                      .max_wildcard_expansion = 200,
                      .check = NULL,
                      .check_env = NULL,
                      .termfreq = NULL,
                      .termfreq_ctx = NULL,
                      .synonyms = NULL,
                      .synonyms_ctx = NULL};
}

static bool iso_to_ymd(const char *iso, char out[9]) {
  char lo[9], hi[9];
  if (!cr_date_range(iso, strlen(iso), lo, hi)) return false;
  memcpy(out, lo, 9);
  return true;
}

int cr_parse_query(cr_analyzer *an, const char *text, size_t len,
                   const cr_qp_opts *opts, cr_parsed_query *out,
                   cr_error *err) {
  memset(out, 0, sizeof *out);
  cr_qp_opts defaults = cr_qp_opts_default();
  if (!opts) opts = &defaults;
  char since[9] = "", until[9] = "";
  if (opts->since && !iso_to_ymd(opts->since, since)) {
    cr_error_set(err, CR_E_INVALID, "--since: '%s' is not a date", opts->since);
    return -1;
  }
  if (opts->until) {
    char lo[9], hi[9];
    if (!cr_date_range(opts->until, strlen(opts->until), lo, hi)) {
      cr_error_set(err, CR_E_INVALID, "--until: '%s' is not a date",
                   opts->until);
      return -1;
    }
    memcpy(until, hi, 9);
  }

  parser p = {.an = an, .opts = opts, .doccount = -1};
  p.names_only = query_of_names(&p, text, len);
  cr_query *q = run_parser(&p, text, len);
  if (!q && p.saw_stop && !p.failed) {
    /* Nothing but stop words: search for them after all. */
    p.keep_stop = true;
    q = run_parser(&p, text, len);
    p.notes |= NOTE_STOP;
  }
  unsigned notes = p.notes;
  if (*since && *until && strcmp(since, until) > 0) notes |= NOTE_BACKWARDS;
  if (*since || *until)
    add_filter(
        &p, built(&p, cr_query_value_range(CR_SLOT_DATE, *since ? since : NULL,
                                           *until ? until : NULL, &p.err)));
  bool filtered = p.n_filters > 0;
  if (p.n_filters) {
    qlist fl = {p.filters, p.n_filters, p.cap_filters};
    p.filters = NULL;
    p.n_filters = p.cap_filters = 0;
    cr_query *filter = combine(&p, CR_OP_AND, &fl, 0);
    q = combine2(&p, CR_OP_FILTER,
                 q ? q : built(&p, cr_query_match_all(&p.err)), filter);
  }
  free_filters(&p);
  if (!q) notes |= NOTE_EMPTY;
  char *note = p.failed ? NULL : make_note(notes);
  if (notes && !note) p.failed = true;
  if (p.failed) {
    cr_query_free(q);
    forget_words(&p, 0);
    free(p.words);
    free_synonyms(p.synonyms, p.n_synonyms);
    free_checks(p.checks, p.n_checks);
    free(p.quotes);
    if (p.err.code && p.err.code != CR_E_NOMEM)
      cr_error_set(err, p.err.code, "%s", p.err.message);
    else
      cr_error_set(err, CR_E_NOMEM, "out of memory parsing the query");
    return -1;
  }
  out->query = q;
  out->note = note;
  out->words = p.words;
  out->n_words = p.n_words;
  out->checks = p.checks;
  out->n_checks = p.n_checks;
  out->filtered = filtered;
  out->has_phrase = p.has_phrase;
  out->unchecked = p.unchecked;
  out->synonyms = p.synonyms;
  out->n_synonyms = p.n_synonyms;
  out->quotes = p.quotes;
  out->n_quotes = p.n_quotes;
  return 0;
}

void cr_parsed_query_free(cr_parsed_query *pq) {
  if (!pq) return;
  cr_query_free(pq->query);
  free(pq->note);
  for (size_t i = 0; i < pq->n_words; i++)
    free(pq->words[i].term);
  free(pq->words);
  free_checks(pq->checks, pq->n_checks);
  free_synonyms(pq->synonyms, pq->n_synonyms);
  free(pq->quotes);
  memset(pq, 0, sizeof *pq);
}
