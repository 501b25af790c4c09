/* stopwords.h — stop word lists by language (Snowball's lists). */
#ifndef CRONACA_STOPWORDS_H
#define CRONACA_STOPWORDS_H

#include <stdbool.h>
#include <stddef.h>

typedef struct cr_stoplist {
  const char *const *words; /* sorted, case-folded UTF-8 */
  size_t n;                 /* 0: the language has no list */
} cr_stoplist;

/* The list for a Snowball language name; empty if there is none. */
cr_stoplist cr_stoplist_for(const char *language);

/* True if the NUL-terminated, case-folded word is in the list. */
bool cr_stoplist_contains(cr_stoplist list, const char *word);

#endif
