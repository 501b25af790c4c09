/* facets.h — "how many per year": counts of a field over all matches.
 *
 * Each facet reads one value slot, counted by Xapian's match spy while the
 * query runs (page.c then asks the matcher to look at every match, not
 * only the page shown). Years and months both come from the date slot
 * ("YYYYMMDD", cut to "YYYY" or "YYYY-MM"); authors and sources from slots
 * holding them as written. Dates are listed newest first, names by count.
 */
#ifndef CRONACA_FACETS_H
#define CRONACA_FACETS_H

#include <stdbool.h>

#include "output.h"
#include "xapian_c.h"

typedef enum sr_facet_kind {
  SR_FACET_YEAR,
  SR_FACET_MONTH,
  SR_FACET_AUTHOR,
  SR_FACET_SOURCE,
} sr_facet_kind;

#define SR_MAX_FACETS 4

/* "year", "month", "author" or "source" (also "anno", "mese", "autore",
 * "fonte"); false for anything else. */
bool sr_facet_parse(const char *name, sr_facet_kind *out);
const char *sr_facet_name(sr_facet_kind k);
/* The value slot a facet counts. */
unsigned sr_facet_slot(sr_facet_kind k);

/* Fills out from the counts of count slot `spy` in m: values malloc'd,
 * freed by sr_facet_free. Returns -1 with err filled if the counts cannot
 * be read or memory ran out. */
int sr_facet_collect(const cr_mset *m, unsigned spy, sr_facet_kind k,
                     out_facet *out, cr_error *err);
void sr_facet_free(out_facet *f);

#endif
