/* query_parser.h — turning what a person types into a Xapian query.
 *
 * The language (see README "Query language"):
 *   words                     ranked, each optional (all required with
 *                             opts.all_required); stop words dropped
 *                             unless nothing else is left
 *   "exact phrase"            those words as typed, in order, stop words
 *                             included, within one sentence; "word" is
 *                             that word form, unstemmed
 *   a NEAR b, a NEAR/n b      both, at most n words apart (default 10)
 *   +word  -word  -"phrase"   required / excluded
 *   a AND b, a OR b, NOT a, ( )
 *   title:x author:x source:x field searches (x a word, "phrase" or
 *                             a parenthesised group)
 *   prefix*                   the words that start with prefix
 *   date:2022  date:2022-09  date:2022-09-01..2022-09-30  date filters
 * Words go through the same analyzer as the indexer. A capitalised word
 * (Costa) also asks for the name: the index's capitalised-word terms
 * (schema.h) weigh in, most when the query is made of names alone.
 * Nothing a person types makes it fail: unbalanced quotes or parentheses
 * are closed, lone operators are read as words or dropped.
 */
#ifndef CRONACA_QUERY_PARSER_H
#define CRONACA_QUERY_PARSER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "error.h"
#include "exact.h"
#include "xapian_c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* How many documents hold term (the termfreq the index reports), or -1
 * if it could not be read. */
typedef long (*cr_termfreq_fn)(const char *term, void *ctx);

typedef struct cr_qp_opts {
  bool all_required;               /* --all: every plain word must match */
  const char *since;               /* "YYYY-MM-DD" or NULL */
  const char *until;               /* "YYYY-MM-DD" or NULL */
  unsigned max_wildcard_expansion; /* stems a prefix* may expand to */
  /* Tests each candidate of a quoted phrase, quoted word or wildcard on
   * its stored text (cr_query_checked; ctx is the cr_qp_check). NULL: the
   * stems alone decide, as they must over remote shards. */
  cr_check_fn check;
  void *check_env; /* handed to check through cr_qp_check.env */
  /* The index's term counts, to tell a name (Costa: often capitalised
   * where it stands) from a capitalised common word (Quando, first in a
   * question). NULL: capitals are read as names throughout. */
  cr_termfreq_fn termfreq;
  void *termfreq_ctx;
  /* The index's synonym table (synonyms.h): calls fn with each text filed
   * under key, returning 0, or -1 when the table could not be read. NULL:
   * no synonyms. A run of up to CR_SYN_MAX_WORDS plain words (not quoted,
   * not in a field, same sign) is looked up by its words, then by "Z" and
   * its stems; the longest run found, from the left, becomes one
   * OP_SYNONYM of the words typed (a phrase of their stems when several)
   * and each text (its stems, a phrase when several): Xapian weighs the
   * group as one term, so an article saying both CC and carabinieri is
   * not counted twice. */
  int (*synonyms)(const char *key, cr_key_fn fn, void *fn_ctx, void *ctx);
  void *synonyms_ctx;
} cr_qp_opts;

/* A synonym the query was expanded with: the words typed -> the text. */
typedef struct cr_qsynonym {
  char *from; /* the words, folded, stop words left out ("guardia finanza") */
  char *to;   /* the synonym's text ("gdf") */
} cr_qsynonym;

/* An exact pattern of the query, with what its test needs. */
typedef struct cr_qp_check {
  cr_exact pattern; /* the words as typed (exact.h) */
  void *env;        /* cr_qp_opts.check_env */
  bool wanted;      /* not excluded: snippets show it */
} cr_qp_check;

cr_qp_opts cr_qp_opts_default(void);

/* A word of the query that documents should contain: an unprefixed term
 * from a plain word or a phrase, not excluded, not a wildcard. */
typedef struct cr_qword {
  char *term;        /* the term as indexed (malloc'd) */
  uint32_t position; /* its word position in the query (stop words count) */
} cr_qword;

/* A quoted phrase or word the query wants, outside any field: where it
 * lies in the query text. */
typedef struct cr_qquote {
  size_t from, to; /* its bytes, from the opening quote to past the
                      closing one (or the end, when it was not closed) */
  size_t at, len;  /* the text between the quotes */
} cr_qquote;

typedef struct cr_parsed_query {
  cr_query *query; /* NULL when nothing in the text is searchable */
  char *note;      /* malloc'd one-line explanation for the user when
                      the query was changed or is empty, else NULL */
  cr_qword *words; /* the wanted words in query order (repeats kept), for
                      ranking by where they stand in a document */
  size_t n_words;
  cr_qp_check **checks; /* the exact patterns (phrases, quoted words,
                           wildcards); the query points at them */
  size_t n_checks;
  bool filtered;   /* dates narrow the matches (date:, --since, --until) */
  bool has_phrase; /* a phrase: Xapian's match estimate is poor */
  bool unchecked;  /* a phrase, quoted word or wildcard matched by its
                      stems alone (no opts.check: remote shards) */
  cr_qsynonym *synonyms; /* the synonyms used, in query order */
  size_t n_synonyms;
  cr_qquote *quotes; /* the wanted quotes outside fields, in query order */
  size_t n_quotes;
} cr_parsed_query;

/* Parses text[0..len). Fails (-1, err) only on memory exhaustion or bad
 * options (since/until that are not dates). */
int cr_parse_query(cr_analyzer *an, const char *text, size_t len,
                   const cr_qp_opts *opts, cr_parsed_query *out, cr_error *err);
void cr_parsed_query_free(cr_parsed_query *pq);

#ifdef __cplusplus
}
#endif
#endif
