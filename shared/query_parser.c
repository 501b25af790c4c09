/* query_parser.c — from what a person types to a Xapian query.
 *
 * A lexer cuts the text into words, phrases, operators and parentheses;
 * a recursive-descent parser (OR < AND < juxtaposition < items) builds the
 * query. Every word and phrase goes through the shared analyzer, so the
 * query holds exactly the terms the indexer wrote. The grammar is
 * forgiving by design: nothing typed is an error, at worst it is ignored
 * and a note says so.
 */
#include "query_parser.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dates.h"
#include "schema.h"

#define MAX_DEPTH 64   /* deeper parentheses are read as plain text */
#define MAX_ITEMS 1024 /* words beyond this are dropped (with a note) */
/* Each wildcard ORs up to max_wildcard_expansion postings lists: 32 on
 * DICE take about 0.2 s. A repeat in the same sequence with the same
 * sign adds nothing to what matches and is dropped (200 copies of co*
 * took 21 s). */
#define MAX_WILDCARDS 32

enum note_flag {
  NOTE_QUOTE = 1 << 0,      /* an unbalanced quote was closed */
  NOTE_PAREN = 1 << 1,      /* unbalanced parentheses were ignored */
  NOTE_STOP = 1 << 2,       /* only stop words: searched for as they are */
  NOTE_EMPTY = 1 << 3,      /* nothing searchable */
  NOTE_TOO_LONG = 1 << 4,   /* query cut */
  NOTE_BAD_DATE = 1 << 5,   /* date: value not understood */
  NOTE_SHORT_WILD = 1 << 6, /* wildcard prefix too short */
  NOTE_MANY_WILD = 1 << 7,  /* wildcards beyond MAX_WILDCARDS dropped */
  NOTE_BACKWARDS = 1 << 8   /* a date range that ends before it starts */
};

/* ---- Lexer ------------------------------------------------------------ */

enum tok_kind {
  T_END,
  T_WORD,
  T_PHRASE,
  T_AND,
  T_OR,
  T_NOT,
  T_LPAREN,
  T_RPAREN
};

typedef struct token {
  enum tok_kind kind;
  const char *text; /* word or phrase text (not NUL-terminated) */
  size_t len;
  char sign; /* '+', '-' or 0 */
  const char
      *field;    /* term prefix for title:/author:/source:, "date", or NULL */
  bool wildcard; /* word ended in '*' */
} token;

typedef struct lexer {
  const char *s;
  size_t len, i;
  unsigned notes;
  token peeked;
  bool has_peeked;
} lexer;

/* Quote characters: ASCII ", and the typographic “ ” « ». Returns the
 * byte length of the quote at s[i], or 0. */
static size_t quote_at(const char *s, size_t i, size_t len) {
  const unsigned char *u = (const unsigned char *)s + i;
  size_t left = len - i;
  if (u[0] == '"') return 1;
  if (left >= 3 && u[0] == 0xE2 && u[1] == 0x80 &&
      (u[2] == 0x9C || u[2] == 0x9D))
    return 3; /* “ ” */
  if (left >= 2 && u[0] == 0xC2 && (u[1] == 0xAB || u[1] == 0xBB))
    return 2; /* « » */
  return 0;
}

static bool is_space(unsigned char c) {
  return c == ' ' || c < 0x20 || c == 0x7f;
}

static const struct {
  const char *name;
  const char *prefix;
} fields[] = {
    {"title", CR_PREFIX_TITLE},
    {"titolo", CR_PREFIX_TITLE},
    {"author", CR_PREFIX_AUTHOR},
    {"autore", CR_PREFIX_AUTHOR},
    {"source", CR_PREFIX_SOURCE},
    {"fonte", CR_PREFIX_SOURCE},
    {"date", "date"},
    {"data", "date"},
};

static const char *field_prefix(const char *s, size_t n) {
  for (size_t i = 0; i < sizeof fields / sizeof *fields; i++)
    if (strlen(fields[i].name) == n && strncasecmp(s, fields[i].name, n) == 0)
      return fields[i].prefix;
  return NULL;
}

static token lex_next(lexer *lx) {
  token t = {.kind = T_END};
  const char *s = lx->s;
  size_t len = lx->len;
  for (;;) {
    while (lx->i < len && is_space((unsigned char)s[lx->i]))
      lx->i++;
    if (lx->i >= len) return t;
    char c = s[lx->i];
    if (c == '(') {
      lx->i++;
      t.kind = T_LPAREN;
      return t;
    }
    if (c == ')') {
      lx->i++;
      t.kind = T_RPAREN;
      return t;
    }
    if ((c == '+' || c == '-') && lx->i + 1 < len &&
        !is_space((unsigned char)s[lx->i + 1]) && s[lx->i + 1] != '+' &&
        s[lx->i + 1] != '-' && s[lx->i + 1] != ')') {
      t.sign = c;
      lx->i++;
    } else if (c == '+' || c == '-' || c == '*') {
      lx->i++; /* a lone sign or star means nothing */
      continue;
    }
    /* field: prefix */
    size_t j = lx->i;
    while (j < len &&
           ((s[j] >= 'a' && s[j] <= 'z') || (s[j] >= 'A' && s[j] <= 'Z')))
      j++;
    if (j < len && s[j] == ':' && j > lx->i) {
      const char *prefix = field_prefix(s + lx->i, j - lx->i);
      if (prefix) {
        t.field = prefix;
        lx->i = j + 1;
        if (lx->i >= len || is_space((unsigned char)s[lx->i]))
          continue; /* "title:" */
      }
    }
    size_t q = quote_at(s, lx->i, len);
    if (q) {
      size_t start = lx->i + q, k = start;
      while (k < len && !quote_at(s, k, len))
        k++;
      t.kind = T_PHRASE;
      t.text = s + start;
      t.len = k - start;
      if (k >= len) lx->notes |= NOTE_QUOTE;
      lx->i = k < len ? k + quote_at(s, k, len) : len;
      return t;
    }
    size_t start = lx->i;
    while (lx->i < len && !is_space((unsigned char)s[lx->i]) &&
           s[lx->i] != '(' && s[lx->i] != ')' && !quote_at(s, lx->i, len))
      lx->i++;
    size_t end = lx->i;
    while (end > start && s[end - 1] == '*') {
      end--;
      t.wildcard = true;
    }
    if (end == start) continue;
    t.text = s + start;
    t.len = end - start;
    if (!t.sign && !t.field && !t.wildcard) {
      if (t.len == 3 && memcmp(t.text, "AND", 3) == 0)
        t.kind = T_AND;
      else if (t.len == 2 && memcmp(t.text, "OR", 2) == 0)
        t.kind = T_OR;
      else if (t.len == 3 && memcmp(t.text, "NOT", 3) == 0)
        t.kind = T_NOT;
      else
        t.kind = T_WORD;
    } else {
      t.kind = T_WORD;
    }
    return t;
  }
}

static token peek(lexer *lx) {
  if (!lx->has_peeked) {
    lx->peeked = lex_next(lx);
    lx->has_peeked = true;
  }
  return lx->peeked;
}

static token take(lexer *lx) {
  token t = peek(lx);
  lx->has_peeked = false;
  return t;
}

/* ---- Building queries ------------------------------------------------- */

typedef struct parser {
  lexer lx;
  cr_analyzer *an;
  const cr_qp_opts *opts;
  bool keep_stop; /* second pass: the query had only stop words */
  bool saw_stop;  /* some stop word was dropped */
  unsigned items; /* words read, for MAX_ITEMS */
  /* The wildcards kept so far, for MAX_WILDCARDS and repeats: prefix,
   * the sequence (parse_seq call) and the sign they were found with. */
  struct {
    char prefix[CR_MAX_TERM_BYTES + 8];
    unsigned seq;
    char sign;
  } wildcards[MAX_WILDCARDS];
  unsigned n_wildcards;
  unsigned n_seqs;
  /* The prefix of the item just parsed if it was a wildcard, else "". */
  char last_wildcard[CR_MAX_TERM_BYTES + 8];
  uint32_t position;  /* query term positions */
  bool failed;        /* out of memory */
  cr_query **filters; /* date filters, ANDed at the end */
  size_t n_filters, cap_filters;
  /* The single unprefixed term of the last leaf ("" if it was anything
   * else): parse_seq pairs such neighbours for the proximity bonus. */
  char last_plain[CR_MAX_TERM_BYTES + 8];
  cr_qword *words; /* wanted words so far (cr_parsed_query.words) */
  size_t n_words, cap_words;
} parser;

typedef struct qlist {
  cr_query **q;
  size_t n, cap;
} qlist;

static void qlist_add(parser *p, qlist *l, cr_query *q) {
  if (!q) return;
  if (l->n == l->cap) {
    size_t cap = l->cap ? l->cap * 2 : 8;
    cr_query **bigger = realloc(l->q, cap * sizeof *bigger);
    if (!bigger) {
      p->failed = true;
      cr_query_free(q);
      return;
    }
    l->q = bigger;
    l->cap = cap;
  }
  l->q[l->n++] = q;
}

static void qlist_free(qlist *l) {
  for (size_t i = 0; i < l->n; i++)
    cr_query_free(l->q[i]);
  free(l->q);
  memset(l, 0, sizeof *l);
}

/* Combines the list with op and frees it; NULL for an empty list. */
static cr_query *combine(int op, qlist *l, unsigned window) {
  cr_query *out = NULL;
  if (l->n == 1 && op != CR_OP_PHRASE) {
    out = l->q[0];
    l->n = 0;
  } else if (l->n > 0) {
    out = cr_query_combine(op, l->q, l->n, window);
  }
  qlist_free(l);
  return out;
}

static cr_query *combine2(int op, cr_query *a, cr_query *b) {
  if (!a) return b;
  if (!b) return a;
  cr_query *both[2] = {a, b};
  cr_query *out = cr_query_combine(op, both, 2, 0);
  cr_query_free(a);
  cr_query_free(b);
  return out;
}

/* Terms of a word or phrase, as the analyzer makes them. */
typedef struct term_sink {
  parser *p;
  const char *prefix;
  qlist terms;
  uint32_t first_pos, last_pos;
  bool any;
  bool stop_only;
  char buf[CR_MAX_TERM_BYTES + 8];
} term_sink;

/* Notes a wanted word; words of an item that turns out excluded are
 * dropped again by forget_words. */
static void add_word(parser *p, const char *term, uint32_t position) {
  if (p->n_words == p->cap_words) {
    size_t cap = p->cap_words ? p->cap_words * 2 : 16;
    cr_qword *bigger = realloc(p->words, cap * sizeof *bigger);
    if (!bigger) {
      p->failed = true;
      return;
    }
    p->words = bigger;
    p->cap_words = cap;
  }
  char *copy = strdup(term);
  if (!copy) {
    p->failed = true;
    return;
  }
  p->words[p->n_words++] = (cr_qword){copy, position};
}

static void forget_words(parser *p, size_t keep) {
  while (p->n_words > keep)
    free(p->words[--p->n_words].term);
}

static int collect_term(const cr_token *t, void *ctx) {
  term_sink *ts = ctx;
  /* A phrase's words count towards MAX_ITEMS too: past it, the phrase
   * is cut. */
  if (ts->any && !(t->is_stop && !ts->p->keep_stop) &&
      ++ts->p->items > MAX_ITEMS) {
    ts->p->lx.notes |= NOTE_TOO_LONG;
    return 1;
  }
  if (t->is_stop && !ts->p->keep_stop) {
    ts->p->saw_stop = true;
    return 0;
  }
  if (!*ts->prefix) add_word(ts->p, t->term, ts->p->position + t->position);
  snprintf(ts->buf, sizeof ts->buf, "%s%s", ts->prefix, t->term);
  if (!ts->any) ts->first_pos = t->position;
  ts->last_pos = t->position;
  ts->any = true;
  qlist_add(ts->p, &ts->terms,
            cr_query_term(ts->buf, 1, ts->p->position + t->position + 1));
  return 0;
}

/* A plain term gets an extra, scaled chance through the title field. */
static cr_query *with_title_boost(parser *p, cr_query *q, const char *term) {
  if (p->opts->title_boost <= 0 || !q) return q;
  char buf[CR_MAX_TERM_BYTES + 16];
  snprintf(buf, sizeof buf, "%s%s", CR_PREFIX_TITLE, term);
  cr_query *t = cr_query_term(buf, 1, 0);
  cr_query *scaled = t ? cr_query_scale(t, p->opts->title_boost) : NULL;
  cr_query_free(t);
  return combine2(CR_OP_OR, q, scaled);
}

/* Two query neighbours within the proximity window, in either order,
 * scaled so the pair adds a share of its terms' weight. */
static cr_query *near_pair(parser *p, const char *a, const char *b) {
  cr_query *pair[2] = {cr_query_term(a, 1, 0), cr_query_term(b, 1, 0)};
  cr_query *near =
      pair[0] && pair[1]
          ? cr_query_combine(CR_OP_NEAR, pair, 2, p->opts->proximity_window)
          : NULL;
  cr_query *scaled =
      near ? cr_query_scale(near, p->opts->proximity_weight) : NULL;
  cr_query_free(pair[0]);
  cr_query_free(pair[1]);
  cr_query_free(near);
  if (!scaled) p->failed = true;
  return scaled;
}

/* Analyses text into a term, a phrase of terms, or NULL. */
static cr_query *text_query(parser *p, const char *text, size_t len,
                            const char *prefix) {
  term_sink ts = {.p = p, .prefix = prefix ? prefix : ""};
  cr_analyze(p->an, text, len, 0, collect_term, &ts);
  p->position += ts.last_pos + 1;
  if (ts.terms.n == 1) {
    cr_query *q = ts.terms.q[0];
    ts.terms.n = 0;
    qlist_free(&ts.terms);
    /* ts.buf still holds the term: a plain word may weigh more in titles */
    if (prefix && *prefix) return q;
    memcpy(p->last_plain, ts.buf, sizeof p->last_plain);
    return with_title_boost(p, q, ts.buf);
  }
  return combine(CR_OP_PHRASE, &ts.terms, ts.last_pos - ts.first_pos + 1);
}

static void add_filter(parser *p, cr_query *q) {
  if (!q) return;
  if (p->n_filters == p->cap_filters) {
    size_t cap = p->cap_filters ? p->cap_filters * 2 : 4;
    cr_query **bigger = realloc(p->filters, cap * sizeof *bigger);
    if (!bigger) {
      cr_query_free(q);
      p->failed = true;
      return;
    }
    p->filters = bigger;
    p->cap_filters = cap;
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
  bool ok;
  if (dots) {
    size_t a = (size_t)(dots - s), b = len - a - 2;
    bool has_lo = a > 0 && cr_date_range(s, a, lo, hi);
    bool has_hi = b > 0 && cr_date_range(dots + 2, b, lo2, hi2);
    ok = (has_lo || a == 0) && (has_hi || b == 0) && (a || b);
    if (ok && has_lo && has_hi && strcmp(lo, hi2) > 0)
      p->lx.notes |= NOTE_BACKWARDS;
    if (ok)
      return cr_query_value_range(CR_SLOT_DATE, has_lo ? lo : NULL,
                                  has_hi ? hi2 : NULL);
  } else if (cr_date_range(s, len, lo, hi)) {
    return cr_query_value_range(CR_SLOT_DATE, lo, hi);
  }
  p->lx.notes |= NOTE_BAD_DATE;
  return NULL;
}

/* One word or phrase token; NULL if it yields nothing. */
static cr_query *leaf(parser *p, const token *t) {
  if (++p->items > MAX_ITEMS) {
    p->lx.notes |= NOTE_TOO_LONG;
    return NULL;
  }
  if (t->field && strcmp(t->field, "date") == 0) {
    add_filter(p, date_query(p, t->text, t->len));
    return NULL;
  }
  if (t->wildcard && t->kind == T_WORD) {
    char norm[CR_MAX_TERM_BYTES + 1];
    size_t n = cr_analyzer_normalize(p->an, t->text, t->len, norm, sizeof norm);
    if (n < 2) {
      p->lx.notes |= NOTE_SHORT_WILD;
      return text_query(p, t->text, t->len, t->field);
    }
    char buf[CR_MAX_TERM_BYTES + 8];
    snprintf(buf, sizeof buf, "%s%s", t->field ? t->field : "", norm);
    memcpy(p->last_wildcard, buf, sizeof buf); /* parse_seq keeps it or not */
    return cr_query_wildcard(buf, p->opts->max_wildcard_expansion);
  }
  return text_query(p, t->text, t->len, t->field);
}

static cr_query *parse_or(parser *p, int depth);

/* An item: a word, a phrase or a parenthesised group. Sets *sign. */
static bool parse_item(parser *p, int depth, cr_query **out, char *sign) {
  token t = peek(&p->lx);
  *out = NULL;
  *sign = 0;
  p->last_wildcard[0] = '\0';
  if (t.kind == T_NOT) {
    /* NOT NOT x reads as NOT x. The whole run of NOTs is taken here, in
     * a loop: nothing bounds its length, and recursing once per NOT ran
     * out of stack (about 25,000 NOTs, 100 KB, in a release build). */
    take(&p->lx);
    while (peek(&p->lx).kind == T_NOT)
      take(&p->lx);
    char inner;
    size_t words = p->n_words;
    bool got = parse_item(p, depth, out, &inner);
    forget_words(p, words);
    *sign = '-';
    return got;
  }
  if (t.kind == T_LPAREN) {
    take(&p->lx);
    if (depth >= MAX_DEPTH) {
      p->lx.notes |= NOTE_PAREN;
      return true; /* ignore the parenthesis itself */
    }
    *out = parse_or(p, depth + 1);
    p->last_wildcard[0] = '\0'; /* a group, not a wildcard */
    if (peek(&p->lx).kind == T_RPAREN)
      take(&p->lx);
    else
      p->lx.notes |= NOTE_PAREN;
    return true;
  }
  if (t.kind == T_WORD || t.kind == T_PHRASE) {
    take(&p->lx);
    *sign = t.sign;
    p->last_plain[0] = '\0';
    *out = leaf(p, &t);
    if (t.kind == T_PHRASE || t.wildcard) p->last_plain[0] = '\0';
    return true;
  }
  return false;
}

/* Juxtaposed items: +required, -excluded, and the rest optional (or all
 * required with --all). */
/* Whether the wildcard item just parsed (p->last_wildcard, with sign, in
 * sequence seq) is to be kept: not a repeat, and within MAX_WILDCARDS. */
static bool keep_wildcard(parser *p, unsigned seq, char sign) {
  for (unsigned i = 0; i < p->n_wildcards; i++)
    if (p->wildcards[i].seq == seq && p->wildcards[i].sign == sign &&
        strcmp(p->wildcards[i].prefix, p->last_wildcard) == 0)
      return false;
  if (p->n_wildcards == MAX_WILDCARDS) {
    p->lx.notes |= NOTE_MANY_WILD;
    return false;
  }
  memcpy(p->wildcards[p->n_wildcards].prefix, p->last_wildcard,
         sizeof p->last_wildcard);
  p->wildcards[p->n_wildcards].seq = seq;
  p->wildcards[p->n_wildcards++].sign = sign;
  return true;
}

static cr_query *parse_seq(parser *p, int depth) {
  qlist req = {0}, opt = {0}, excl = {0}, near = {0};
  char prev[CR_MAX_TERM_BYTES + 8] = "";
  unsigned seq = ++p->n_seqs;
  for (;;) {
    cr_query *q;
    char sign;
    p->last_plain[0] = '\0';
    size_t words = p->n_words;
    if (!parse_item(p, depth, &q, &sign)) break;
    if (sign == '-') forget_words(p, words);
    if (q && p->last_wildcard[0] && !keep_wildcard(p, seq, sign)) {
      cr_query_free(q);
      q = NULL;
    }
    if (!q) continue;
    if (sign != '-' && p->last_plain[0]) {
      if (prev[0] && p->opts->proximity_weight > 0)
        qlist_add(p, &near, near_pair(p, prev, p->last_plain));
      memcpy(prev, p->last_plain, sizeof prev);
    } else {
      prev[0] = '\0';
    }
    if (sign == '+')
      qlist_add(p, &req, q);
    else if (sign == '-')
      qlist_add(p, &excl, q);
    else
      qlist_add(p, &opt, q);
  }
  cr_query *base;
  if (p->opts->all_required) {
    for (size_t i = 0; i < opt.n; i++)
      qlist_add(p, &req, opt.q[i]);
    opt.n = 0;
    qlist_free(&opt);
    base = combine(CR_OP_AND, &req, 0);
  } else {
    cr_query *must = combine(CR_OP_AND, &req, 0);
    cr_query *may = combine(CR_OP_OR, &opt, 0);
    base = must && may ? combine2(CR_OP_AND_MAYBE, must, may)
                       : (must ? must : may);
  }
  if (near.n && base) {
    /* Words that stand near each other in the text, as in the query, say
     * more than the same words scattered: a bonus, never a requirement. */
    cr_query *bonus = combine(CR_OP_OR, &near, 0);
    base = combine2(CR_OP_AND_MAYBE, base, bonus);
  } else {
    qlist_free(&near);
  }
  cr_query *not = combine(CR_OP_OR, &excl, 0);
  if (not ) {
    /* Only exclusions: everything except them. */
    if (!base) base = cr_query_match_all();
    base = combine2(CR_OP_AND_NOT, base, not );
  }
  return base;
}

static cr_query *parse_and(parser *p, int depth) {
  cr_query *left = parse_seq(p, depth);
  while (peek(&p->lx).kind == T_AND) {
    take(&p->lx);
    bool negate = false;
    if (peek(&p->lx).kind == T_NOT) {
      take(&p->lx);
      negate = true;
    }
    size_t words = p->n_words;
    cr_query *right = parse_seq(p, depth);
    if (negate) forget_words(p, words);
    if (negate && right)
      left = combine2(CR_OP_AND_NOT, left ? left : cr_query_match_all(), right);
    else
      left = combine2(CR_OP_AND, left, right);
  }
  return left;
}

static cr_query *parse_or(parser *p, int depth) {
  cr_query *left = parse_and(p, depth);
  while (peek(&p->lx).kind == T_OR) {
    take(&p->lx);
    left = combine2(CR_OP_OR, left, parse_and(p, depth));
  }
  return left;
}

/* The whole text; stray ')' are skipped so the rest is still read. */
static cr_query *parse_all(parser *p) {
  cr_query *q = NULL;
  for (;;) {
    q = combine2(CR_OP_OR, q, parse_or(p, 0));
    token t = peek(&p->lx);
    if (t.kind == T_END) break;
    take(&p->lx); /* ')' or an operator nothing could follow */
    if (t.kind == T_RPAREN) p->lx.notes |= NOTE_PAREN;
  }
  return q;
}

static void free_filters(parser *p) {
  for (size_t i = 0; i < p->n_filters; i++)
    cr_query_free(p->filters[i]);
  free(p->filters);
  p->filters = NULL;
  p->n_filters = p->cap_filters = 0;
}

static cr_query *run_parser(parser *p, const char *text, size_t len) {
  p->lx = (lexer){.s = text, .len = len};
  p->items = 0;
  p->n_wildcards = 0;
  p->n_seqs = 0;
  p->position = 0;
  free_filters(p);
  forget_words(p, 0);
  return parse_all(p);
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
      {NOTE_TOO_LONG, "the query was cut to its first 1024 words"},
      {NOTE_BAD_DATE, "a date: filter was not understood (use date:2022, "
                      "date:2022-09 or date:2022-09-01..2022-09-30)"},
      {NOTE_SHORT_WILD, "a wildcard needs at least two letters before *"},
      {NOTE_MANY_WILD, "only the first 32 wildcards were expanded"},
      {NOTE_BACKWARDS, "a date range ends before it starts: nothing can match"},
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
                      .title_boost = 0,
                      .max_wildcard_expansion = 200,
                      .proximity_weight = 0,
                      .proximity_window = 8};
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

  parser p = {.an = an, .opts = opts};
  cr_query *q = run_parser(&p, text, len);
  unsigned notes = p.lx.notes;
  if (!q && p.saw_stop) {
    /* Nothing but stop words: search for them after all. */
    p.keep_stop = true;
    q = run_parser(&p, text, len);
    notes |= NOTE_STOP;
  }
  if (*since && *until && strcmp(since, until) > 0) notes |= NOTE_BACKWARDS;
  if (*since || *until)
    add_filter(&p, cr_query_value_range(CR_SLOT_DATE, *since ? since : NULL,
                                        *until ? until : NULL));
  bool filtered = p.n_filters > 0;
  if (p.n_filters) {
    qlist fl = {p.filters, p.n_filters, p.cap_filters};
    p.filters = NULL;
    p.n_filters = p.cap_filters = 0;
    cr_query *filter = combine(CR_OP_AND, &fl, 0);
    q = combine2(CR_OP_FILTER, q ? q : cr_query_match_all(), filter);
  }
  free_filters(&p);
  if (!q) notes |= NOTE_EMPTY;
  if (p.failed) {
    cr_query_free(q);
    forget_words(&p, 0);
    free(p.words);
    cr_error_set(err, CR_E_NOMEM, "out of memory parsing the query");
    return -1;
  }
  out->query = q;
  out->note = make_note(notes);
  out->words = p.words;
  out->n_words = p.n_words;
  out->filtered = filtered;
  return 0;
}

void cr_parsed_query_free(cr_parsed_query *pq) {
  if (!pq) return;
  cr_query_free(pq->query);
  free(pq->note);
  for (size_t i = 0; i < pq->n_words; i++)
    free(pq->words[i].term);
  free(pq->words);
  memset(pq, 0, sizeof *pq);
}
