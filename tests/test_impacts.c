/* test_impacts.c — BM25's tf part as the index stores it (impacts.h):
 * the formula on a table of cases worked by hand, the metadata text both
 * ways, and that cr_schema_build weighs each term by the length
 * cr_schema_analyse measures. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "helpers.h"
#include "impacts.h"
#include "schema.h"
#include "xapian_c.h"

/* ---- The formula ------------------------------------------------------- */

static const struct impact_case {
  double k1, b, avg; /* min_normlen is 0.5 throughout */
  uint32_t wdf, len;
  uint32_t impact;
  const char *why;
} impact_cases[] = {
    {1, 1, 100, 1, 100, 100, "average length, once: tf 2/(1+1) = 1"},
    {1, 1, 100, 1, 200, 67, "twice the average: 2/(2+1)"},
    {1, 1, 100, 1, 10, 133, "short: normalised as half the average, 2/1.5"},
    {1, 1, 100, 3, 100, 150, "a title word (3 times): 6/(1+3)"},
    {1, 1, 100, 40, 100, 195, "saturates towards k1 + 1 = 2"},
    {1, 1, 100, 0, 100, 0, "a term without weight keeps none"},
    {1, 1, 100, 1, 100000, 1, "tf 0.002 still counts: at least 1"},
    {1, 0, 100, 1, 500, 100, "b 0: length does not matter"},
    {1.2, 0.75, 300, 2, 600, 107, "k1 1.2 b 0.75: 4.4/(1.2*1.75+2)"},
    {1, 1, 0, 1, 50, 100, "no average yet: every article is average"},
};

Test(impacts, the_tf_part_on_worked_cases) {
  for (size_t i = 0; i < sizeof impact_cases / sizeof *impact_cases; i++) {
    const struct impact_case *c = &impact_cases[i];
    cr_impacts p = {c->k1, c->b, 0.5, c->avg};
    cr_expect_eq(cr_impact(&p, c->wdf, c->len), c->impact,
                 "%s: impact %u, want %u", c->why,
                 cr_impact(&p, c->wdf, c->len), c->impact);
  }
}

Test(impacts, the_query_side_is_bm25_without_lengths) {
  cr_bm25 w = cr_bm25_impacts();
  cr_expect_eq(w.b, 0, "b 0: Xapian reads no document length");
  cr_expect_eq(w.k2, 0);
  cr_expect(w.k1 >= 1e5, "k1 large: weight linear in the impact");
  /* BM25 at b 0 gives the largest impact (k1 + 1 = 2 of tf) within 0.1%
   * of its linear weight. */
  double i = 2 * CR_IMPACT_SCALE;
  double bm25 = (w.k1 + 1) * i / (w.k1 + i) * w.scale;
  cr_expect(fabs(bm25 - 2.0) < 2e-3, "weight %g for tf 2", bm25);
}

/* ---- The metadata text ------------------------------------------------- */

Test(impacts, the_metadata_text_comes_back_the_same) {
  cr_impacts p = {1.2, 0.75, 0.5, 312.123456789};
  char text[CR_IMPACTS_TEXT_SIZE];
  cr_impacts_format(&p, text, sizeof text);
  cr_impacts q;
  cr_assert(cr_impacts_parse(text, strlen(text), &q), "'%s'", text);
  cr_expect(q.k1 == p.k1 && q.b == p.b && q.min_normlen == p.min_normlen &&
                q.avg_length == p.avg_length,
            "'%s' parsed differently", text);
}

static const char *const bad_texts[] = {
    "",
    "k1=1 b=1",
    "k1=1 b=1 min_normlen=0.5",
    "k1=0 b=1 min_normlen=0.5 avg_length=300",
    "k1=1 b=1.5 min_normlen=0.5 avg_length=300",
    "k1=1 b=1 min_normlen=0.5 avg_length=0",
    "k1=1 b=1 min_normlen=0.5 avg_length=-3",
    "k1=1 b=1 min_normlen=0.5 avg_length=nan",
    "k1=1 b=1 min_normlen=0.5 avg_length=300 extra=1",
    "k1=1 b=1 min_normlen=0.5 avg_length=300x",
    "b=1 k1=1 min_normlen=0.5 avg_length=300",
    "k1=1  b=1 min_normlen=0.5 avg_length=300",
};

Test(impacts, texts_that_are_not_parameters_are_refused) {
  for (size_t i = 0; i < sizeof bad_texts / sizeof *bad_texts; i++) {
    cr_impacts q = {9, 9, 9, 9};
    cr_expect_not(cr_impacts_parse(bad_texts[i], strlen(bad_texts[i]), &q),
                  "'%s' was taken", bad_texts[i]);
    cr_expect_eq(q.k1, 9, "'%s' changed the output", bad_texts[i]);
  }
}

/* ---- The document ------------------------------------------------------ */

typedef struct wdf_of {
  const char *term;
  uint32_t wdf;
  bool found;
} wdf_of;

static int find_term(const char *term, size_t len, uint32_t wdf,
                     const uint32_t *positions, size_t n, void *ctx) {
  (void)positions;
  (void)n;
  wdf_of *w = ctx;
  if (len == strlen(w->term) && memcmp(term, w->term, len) == 0) {
    w->wdf = wdf;
    w->found = true;
  }
  return 0;
}

#define TEXT(s) .text = s, .text_len = sizeof s - 1

static const struct doc_case {
  cr_article art;
  uint32_t length; /* its words, the title's three times */
  const char *term;
  uint32_t count; /* how often term was met, title words three times */
} doc_cases[] = {
    {{.id = "1",
      .title = "Russia e Corea del Nord",
      TEXT("Mosca compra armi dalla Corea del Nord.")},
     3 * 3 + 5, /* russia corea nord; mosca compra armi corea nord */
     "core",
     3 + 1},
    {{.id = "2", TEXT("Il sindaco di Modena ha firmato. Il sindaco parte.")},
     5, /* sindaco Modena firmato sindaco parte */
     "sindac",
     2},
    {{.id = "3",
      .author = "Fabrizio Grasso",
      .source = "Gazzetta del Mattino",
      TEXT("Grasso scrive da Modena.")},
     3 + 2 + 2, /* grasso scrive modena; the author; the source */
     "grass",
     2},
    {{.id = "4", .title = "Costa", TEXT("Cesare Costa e i costi.")},
     3 + 3,
     "Ccosta",
     1},
};

Test(impacts, each_term_is_weighed_by_the_articles_length) {
  cr_error err;
  cr_analyzer *an = cr_analyzer_new("italian", &err);
  cr_assert_not_null(an, "%s", err.message);
  cr_textpack *tp = cr_textpack_new(NULL);
  cr_doc *doc = cr_doc_new(NULL);
  cr_assert(tp && doc);
  for (size_t i = 0; i < sizeof doc_cases / sizeof *doc_cases; i++) {
    const struct doc_case *c = &doc_cases[i];
    cr_schema_terms t;
    cr_schema_terms_init(&t);
    cr_assert_eq(cr_doc_clear(doc, &err), 0);
    cr_assert_eq(cr_schema_analyse(an, &c->art, &t, doc, &err), 0, "%s",
                 err.message);
    cr_expect_eq(t.length, c->length, "article %s: length %u, want %u",
                 c->art.id, t.length, c->length);
    cr_schema_terms_free(&t);
    char id_term[CR_ID_TERM_SIZE];
    cr_assert_eq(cr_doc_clear(doc, &err), 0);
    cr_assert_eq(cr_schema_build(an, tp, th_impacts(), &c->art, doc, id_term,
                                 sizeof id_term, &err),
                 0, "%s", err.message);
    wdf_of w = {c->term, 0, false};
    cr_doc_dumper d = {find_term, NULL, NULL, &w};
    cr_assert_eq(cr_doc_dump(doc, &d, &err), 0, "%s", err.message);
    cr_assert(w.found, "article %s has no %s", c->art.id, c->term);
    uint32_t want = cr_impact(th_impacts(), c->count, c->length);
    cr_expect_eq(w.wdf, want, "article %s: %s weighs %u, want %u", c->art.id,
                 c->term, w.wdf, want);
  }
  cr_doc_free(doc);
  cr_textpack_free(tp);
  cr_analyzer_free(an);
}
