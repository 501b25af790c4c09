/* hit_terms.c — the query terms one hit holds; see hit_terms.h. */
#include "hit_terms.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"

typedef struct copying {
  sr_hit_terms *t;
  bool oom;
} copying;

static int copy_term(const char *key, size_t len, void *ctx) {
  copying *c = ctx;
  sr_hit_terms *t = c->t;
  char *s = NULL;
  if (CR_ARRAY_GROW(t->terms, t->n, t->cap) != 0 || !(s = strndup(key, len))) {
    c->oom = true;
    return 1; /* stops the iteration */
  }
  t->terms[t->n++] = s;
  return 0;
}

int sr_hit_terms_read(cr_mset *m, uint32_t i, sr_hit_terms *t, cr_error *err) {
  copying c = {t, false};
  int rc = cr_mset_matching_terms(m, i, copy_term, &c, err);
  if (rc == 0 && !c.oom) return 0;
  if (c.oom) cr_error_set(err, CR_E_NOMEM, "out of memory");
  sr_hit_terms_free(t);
  return -1;
}

void sr_hit_terms_free(sr_hit_terms *t) {
  for (size_t i = 0; i < t->n; i++)
    free(t->terms[i]);
  free(t->terms);
  memset(t, 0, sizeof *t);
}
