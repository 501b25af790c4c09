/* show.h — one whole article, for reading (--show ID).
 *
 * sr_show reads the article with id ID from the index: its card (title,
 * date, author, source, url) and its full text. With a query, the words
 * (and phrases) of the query that match the article are highlighted in
 * its title and text, as snippets highlight them; a query that does not
 * match the article leaves it unmarked (matched is false).
 */
#ifndef CRONACA_SHOW_H
#define CRONACA_SHOW_H

#include <stdbool.h>
#include <stdio.h>

#include "error.h"
#include "schema.h"
#include "search.h"

typedef struct sr_article {
  const char *id, *title, *date, *author, *source, *url;
  char *text;         /* the full text, NUL-terminated, any bytes */
  char *marked;       /* the text with matches highlighted (a query
                         matched), paragraphs kept; else NULL */
  char *marked_title; /* likewise for the title */
  bool queried;       /* a query was given */
  bool matched;       /* it matches the article */
  cr_stored stored;   /* owns the card's strings */
} sr_article;

/* Reads article id. query (len bytes, may be NULL) highlights with p's
 * markers (p->snippet.hl_start/hl_end) and parse options. Returns 0, or
 * -1 with err filled: CR_E_NOT_FOUND when the index has no such article. */
int sr_show(sr_engine *e, const char *id, const char *query, size_t len,
            const sr_params *p, sr_article *a, cr_error *err);
void sr_article_free(sr_article *a);

/* The article for people: title, a line of facts, the url, then the
 * text, its paragraphs kept. 0, or -1 on a write error. */
int sr_article_text(FILE *f, const sr_article *a, bool bold);

/* The article as one line of JSON (malloc'd, NULL if memory ran out):
 * id, title, date, author, source, url, text, and with a query "query",
 * "matched" and "marked" (the text highlighted). */
char *sr_article_json(const sr_article *a, const char *query, size_t len);

#endif
