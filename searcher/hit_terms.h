/* hit_terms.h — the query terms one hit holds, copied out of the
 * binding's callback (cr_mset_matching_terms) for its snippet, its
 * highlighted --show text and its --explain. */
#ifndef CRONACA_SEARCHER_HIT_TERMS_H
#define CRONACA_SEARCHER_HIT_TERMS_H

#include <stddef.h>
#include <stdint.h>

#include "xapian_c.h"

typedef struct sr_hit_terms {
  char **terms; /* in cr_mset_matching_terms's order */
  size_t n, cap;
} sr_hit_terms;

/* Fills t (zeroed by the caller) with hit i's matching terms. 0, or -1
 * with err filled (the binding's error, or CR_E_NOMEM) and t empty. */
int sr_hit_terms_read(cr_mset *m, uint32_t i, sr_hit_terms *t, cr_error *err);
void sr_hit_terms_free(sr_hit_terms *t);

#endif
