/* output.h — rendering one query's results, for people or for scripts.
 *
 * The searcher gathers each page of results into an out_result (plain
 * strings, no Xapian handles) and hands it to one of the two renderers:
 *   out_text  "Forse cercavi: ..." when there is a suggestion; numbered
 *             hits with title (and "(+N similar)" when collapsing), a line
 *             of facts, the snippet; a closing line "N of about M
 *             matches, T ms"; then one line per facet;
 *   out_json  one line of JSON in DESIGN.md's shape.
 * Both accept any bytes in the strings: out_text writes them made safe
 * for a terminal (utf8.h), out_json first makes them valid UTF-8 without
 * NUL characters, so its output is valid JSON whatever the articles hold.
 */
#ifndef CRONACA_OUTPUT_H
#define CRONACA_OUTPUT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Highlight markers in snippets when the output is not a terminal (and
 * always in JSON): **word**, which reads well as plain text and Markdown. */
#define OUT_MARK_START "**"
#define OUT_MARK_END "**"
/* On a terminal (and without NO_COLOR): bold. */
#define OUT_BOLD_START "\x1b[1m"
#define OUT_BOLD_END "\x1b[0m"

/* One matching term of a hit and its BM25 weight there (--explain). */
typedef struct out_explain_term {
  char *term; /* as the query language writes it: russ, name:russia */
  double weight;
} out_explain_term;

typedef struct out_hit {
  uint32_t rank;       /* 1-based, counting from the first result overall */
  double score;        /* BM25 weight (0 when sorted by date) */
  const char *id;      /* never NULL */
  const char *title;   /* NULL: omitted */
  const char *date;    /* "YYYY-MM-DD" or NULL */
  const char *author;  /* NULL if unknown */
  const char *source;  /* NULL if unknown */
  const char *url;     /* NULL if unknown */
  const char *snippet; /* NULL when snippets are off */
  uint32_t similar;    /* with --collapse: near duplicates folded into it */
  /* --explain: the matching terms' weights, best first, the BM25 weight
   * of the whole query (their sum plus the query's boosts) and the
   * rerank's proximity bonus (score = bm25 + bonus). */
  bool explained;
  const out_explain_term *why;
  size_t n_why;
  double bm25, bonus;
} out_hit;

/* One facet: how many matches have each value ("2022": 12). */
typedef struct out_facet_value {
  const char *value;
  uint32_t count;
} out_facet_value;

typedef struct out_facet {
  const char *name;              /* "year", "month", "author", "source" */
  const out_facet_value *values; /* in the order to show */
  size_t n_values;
} out_facet;

/* Values of a facet shown to people (JSON has them all). */
#define OUT_FACET_TEXT_MAX 15

/* A synonym a query was expanded with (--explain). */
typedef struct out_synonym {
  const char *from; /* the words typed, folded */
  const char *to;   /* the synonym's text */
} out_synonym;

typedef struct out_result {
  const char *query;  /* as the user typed it */
  size_t query_len;   /* may hold NUL bytes and invalid UTF-8 */
  uint32_t estimated; /* estimated number of matches */
  bool exact;         /* estimated is the exact count, not an estimate */
  double took_ms;     /* time to parse and run the query */
  const char *note;   /* the query parser's explanation, or NULL */
  const char *error;  /* why this query failed (--batch), or NULL */
  const out_hit *hits;
  size_t n_hits;
  const char *suggestion; /* "did you mean" query, or NULL */
  const out_facet *facets;
  size_t n_facets;
  size_t facet_limit; /* values shown per facet (0: OUT_FACET_TEXT_MAX on
                         screen, all in JSON) */
  const out_synonym *synonyms; /* shown with --explain: "synonyms: a = b"
                                  (JSON "synonyms": [{"from", "to"}]) */
  size_t n_synonyms;
} out_result;

/* A malloc'd copy of s[0..len) that is valid UTF-8 with no NUL: invalid
 * sequences become U+FFFD, NUL becomes a space. NULL if memory ran out. */
char *out_utf8_clean(const char *s, size_t len);

/* The result as one line of JSON, no newline: malloc'd, NULL if memory
 * ran out. */
char *out_json(const out_result *r);

/* --count's JSON, one line: {"query": ..., "matches": N, "exact": true,
 * "took_ms": T} (and "note", "error" when there are). malloc'd, NULL if
 * memory ran out. */
char *out_count_json(const out_result *r);

/* json_dumps(o, flags), except that a failed allocation anywhere gives
 * NULL rather than JSON with a byte missing (jansson ignores some). o is
 * a json_t (jansson.h). */
struct json_t;
char *out_dump_json(const struct json_t *o, size_t flags);

typedef struct out_style {
  bool bold; /* terminal styling: bold titles (snippets carry their own
                markers, chosen by the caller) */
} out_style;

/* Writes the result for people to f. Returns 0, or -1 on a write error
 * or when memory ran out (the output is then incomplete). */
int out_text(FILE *f, const out_result *r, const out_style *style);

/* A malloc'd copy of s (already free of control characters) without the
 * invisible characters that would make a terminal line lie about its
 * text: zero-width spaces and joiners, the bidi marks (U+200E, U+200F,
 * U+061C), the word joiner and BOM go; the line and paragraph separators
 * U+2028, U+2029 become spaces. NULL if memory ran out. */
char *out_strip_invisible(const char *s);

/* Writes "searcher: MESSAGE\n" to standard error, the message formatted
 * from fmt and made safe for a terminal (the arguments it echoes may hold
 * escape sequences). */
void out_say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
