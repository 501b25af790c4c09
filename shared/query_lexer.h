/* query_lexer.h — cutting what a person types into the query language's
 * tokens, for query_parser.c.
 *
 *   Corea "del Nord" -armi +Russia title:(Kim OR Putin) furto* NEAR/3 x
 *   WORD  PHRASE     WORD  WORD    LPAREN(title) WORD OR WORD RPAREN
 *                                  WORD(wildcard) NEAR(3) WORD
 *
 * Nothing is an error: a lone sign or star is skipped, an unclosed quote
 * runs to the end (and sets QL_NOTE_QUOTE), a field name before nothing
 * is dropped.
 */
#ifndef CRONACA_QUERY_LEXER_H
#define CRONACA_QUERY_LEXER_H

#include <stdbool.h>
#include <stddef.h>

enum ql_kind {
  QL_END,
  QL_WORD,   /* a word (text, len); perhaps a wildcard */
  QL_PHRASE, /* the text between quotes */
  QL_AND,
  QL_OR,
  QL_NOT,
  QL_NEAR, /* NEAR or NEAR/n: near holds n */
  QL_LPAREN,
  QL_RPAREN
};

/* NEAR without /n: at most this many words between its operands (as
 * Xapian's QueryParser). */
#define QL_NEAR_DEFAULT 10
/* NEAR/n with a larger n is read as this. */
#define QL_NEAR_MAX 1000

typedef struct ql_token {
  enum ql_kind kind;
  const char *text; /* QL_WORD, QL_PHRASE: the text (not NUL-terminated) */
  size_t len;
  size_t open_len;   /* QL_PHRASE: the opening quote's bytes (before text) */
  size_t quoted_len; /* QL_PHRASE: its bytes from the opening quote to past
                        the closing one, or to the end when unclosed */
  char sign;         /* '+', '-' or 0 */
  const char *field; /* term prefix of title:/author:/source: (also before
                        a parenthesis), "date" for date:, or NULL */
  bool wildcard;     /* QL_WORD ended in '*' */
  unsigned near;     /* QL_NEAR: words allowed between the operands */
} ql_token;

/* Notes the lexer leaves for the parser's one-line explanation. */
#define QL_NOTE_QUOTE 1u /* an unbalanced quote was closed */

typedef struct ql_lexer {
  const char *s;
  size_t len, i;
  unsigned notes; /* QL_NOTE_* */
  ql_token peeked;
  bool has_peeked;
} ql_lexer;

void ql_init(ql_lexer *lx, const char *text, size_t len);
/* The next token, without taking it. */
ql_token ql_peek(ql_lexer *lx);
/* The next token, taken. */
ql_token ql_take(ql_lexer *lx);

#endif
