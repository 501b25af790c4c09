/* article.h — an article as the input readers produce it.
 *
 * Dependency-free, so the readers (indexer/input*.c) need neither the
 * schema nor the Xapian binding; cr_schema_build (schema.h) turns one
 * into a document.
 */
#ifndef CRONACA_ARTICLE_H
#define CRONACA_ARTICLE_H

#include <stddef.h>

/* Only id and text are required; the strings need not outlive
 * cr_schema_build. */
typedef struct cr_article {
  const char *id;    /* unique id: JSON "id", or the path for text files */
  const char *title; /* NULL: derived from the first sentence */
  const char *text;  /* the body (not NUL-terminated: text_len) */
  size_t text_len;
  const char *date;   /* "YYYY-MM-DD", or NULL (never invented) */
  const char *author; /* NULL if unknown */
  const char *source; /* publication, NULL if unknown */
  const char *url;    /* NULL if unknown */
  const char *origin; /* source file key, for --prune; NULL for stdin */
} cr_article;

#endif
