/* facets.c — counts of years, months, authors and sources over matches. */
#include "facets.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "buffer.h"
#include "schema.h"

static const struct {
  const char *name, *italian;
  unsigned slot;
} kinds[] = {
    [SR_FACET_YEAR] = {"year", "anno", CR_SLOT_DATE},
    [SR_FACET_MONTH] = {"month", "mese", CR_SLOT_DATE},
    [SR_FACET_AUTHOR] = {"author", "autore", CR_SLOT_AUTHOR},
    [SR_FACET_SOURCE] = {"source", "fonte", CR_SLOT_SOURCE},
};

bool sr_facet_parse(const char *name, sr_facet_kind *out) {
  for (size_t k = 0; k < sizeof kinds / sizeof *kinds; k++)
    if (!strcasecmp(name, kinds[k].name) ||
        !strcasecmp(name, kinds[k].italian)) {
      *out = (sr_facet_kind)k;
      return true;
    }
  return false;
}

const char *sr_facet_name(sr_facet_kind k) { return kinds[k].name; }
unsigned sr_facet_slot(sr_facet_kind k) { return kinds[k].slot; }

typedef struct collector {
  sr_facet_kind kind;
  out_facet_value *v;
  size_t n, cap;
  bool oom;
} collector;

/* The value as shown: "20220906" counts for "2022" or "2022-09". */
static bool shown_value(sr_facet_kind k, const char *v, size_t len, char *out,
                        size_t out_size) {
  if (k == SR_FACET_YEAR || k == SR_FACET_MONTH) {
    if (len != 8) return false; /* not a date value */
    if (k == SR_FACET_YEAR)
      snprintf(out, out_size, "%.4s", v);
    else
      snprintf(out, out_size, "%.4s-%.2s", v, v + 4);
    return true;
  }
  snprintf(out, out_size, "%.*s", (int)len, v);
  return true;
}

static int add_count(const char *value, size_t len, uint32_t count, void *ctx) {
  collector *c = ctx;
  char shown[CR_FACET_SHOWN_SIZE];
  if (!shown_value(c->kind, value, len, shown, sizeof shown)) return 0;
  /* Values come in ascending order, so dates of one year are neighbours. */
  if (c->n && strcmp(c->v[c->n - 1].value, shown) == 0) {
    c->v[c->n - 1].count += count;
    return 0;
  }
  char *copy = NULL;
  if (CR_ARRAY_GROW(c->v, c->n, c->cap) != 0 || !(copy = strdup(shown))) {
    c->oom = true;
    return 1;
  }
  c->v[c->n++] = (out_facet_value){copy, count};
  return 0;
}

static int by_count(const void *a, const void *b) {
  const out_facet_value *x = a, *y = b;
  if (x->count != y->count) return x->count > y->count ? -1 : 1;
  return strcmp(x->value, y->value);
}

int sr_facet_collect(const cr_mset *m, unsigned spy, sr_facet_kind k,
                     out_facet *out, cr_error *err) {
  collector c = {.kind = k};
  int rc = cr_mset_value_counts(m, spy, add_count, &c, err);
  out->name = kinds[k].name;
  out->values = c.v;
  out->n_values = c.n;
  if (rc < 0 || c.oom) {
    if (rc >= 0) cr_error_set(err, CR_E_NOMEM, "out of memory");
    sr_facet_free(out);
    return -1;
  }
  if (k == SR_FACET_YEAR || k == SR_FACET_MONTH) {
    for (size_t i = 0; i < c.n / 2; i++) { /* newest first */
      out_facet_value t = c.v[i];
      c.v[i] = c.v[c.n - 1 - i];
      c.v[c.n - 1 - i] = t;
    }
  } else if (c.n > 1) { /* c.v is NULL when no hit has the field */
    qsort(c.v, c.n, sizeof *c.v, by_count);
  }
  return 0;
}

void sr_facet_free(out_facet *f) {
  out_facet_value *v = (out_facet_value *)f->values;
  for (size_t i = 0; i < f->n_values; i++)
    free((char *)v[i].value);
  free(v);
  memset(f, 0, sizeof *f);
}
