/* impacts.c — BM25's tf part computed at indexing (see impacts.h). */
#include "impacts.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Query side: BM25 at b = 0 weighs a stored impact i as
 * idf · (k1 + 1) · i / (k1 + i); with k1 this large that is idf · i to
 * within i / k1 (2 · 10^-4 for the largest impact), and Xapian's upper
 * bound for a term, idf · (k1 + 1) · w / (k1 + w) with w the index's
 * largest impact, stays as tight as BM25's own. */
#define IMPACT_QUERY_K1 1e6

cr_impacts cr_impacts_default(void) {
  return (cr_impacts){.k1 = 1.0, .b = 1.0, .min_normlen = 0.5,
                      .avg_length = 0};
}

uint32_t cr_impact(const cr_impacts *p, uint32_t wdf, uint32_t len) {
  if (wdf == 0) return 0;
  double normlen = p->avg_length > 0 ? len / p->avg_length : 1.0;
  if (normlen < p->min_normlen) normlen = p->min_normlen;
  double tf =
      (p->k1 + 1) * wdf / (p->k1 * ((1 - p->b) + p->b * normlen) + wdf);
  long impact = lround(tf * CR_IMPACT_SCALE);
  return impact < 1 ? 1 : (uint32_t)impact;
}

void cr_impacts_format(const cr_impacts *p, char *out, size_t size) {
  /* %.17g: the double itself comes back from strtod. */
  snprintf(out, size, "k1=%.17g b=%.17g min_normlen=%.17g avg_length=%.17g",
           p->k1, p->b, p->min_normlen, p->avg_length);
}

/* The number after "name=" at *at, moving *at past it. */
static bool take(const char **at, const char *end, const char *name,
                 double *out) {
  size_t n = strlen(name);
  if ((size_t)(end - *at) <= n || memcmp(*at, name, n) != 0 || (*at)[n] != '=')
    return false;
  char buf[64];
  const char *from = *at + n + 1, *to = from;
  while (to < end && *to != ' ')
    to++;
  if (to == from || (size_t)(to - from) >= sizeof buf) return false;
  memcpy(buf, from, (size_t)(to - from));
  buf[to - from] = '\0';
  char *stop;
  *out = strtod(buf, &stop);
  if (*stop != '\0' || !isfinite(*out)) return false;
  *at = to < end ? to + 1 : to;
  return true;
}

bool cr_impacts_parse(const char *text, size_t len, cr_impacts *out) {
  cr_impacts p;
  const char *at = text, *end = text + len;
  if (!take(&at, end, "k1", &p.k1) || !take(&at, end, "b", &p.b) ||
      !take(&at, end, "min_normlen", &p.min_normlen) ||
      !take(&at, end, "avg_length", &p.avg_length) || at != end)
    return false;
  if (p.k1 <= 0 || p.b < 0 || p.b > 1 || p.min_normlen < 0 ||
      p.avg_length <= 0)
    return false;
  *out = p;
  return true;
}

cr_bm25 cr_bm25_impacts(void) {
  return (cr_bm25){.k1 = IMPACT_QUERY_K1,
                   .k2 = 0,
                   .k3 = 1,
                   .b = 0,
                   .min_normlen = 0.5,
                   .scale = 1.0 / CR_IMPACT_SCALE};
}
