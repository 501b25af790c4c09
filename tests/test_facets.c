/* test_facets.c — facet names, and how facets, suggestions and folded
 * near duplicates are rendered (searcher/facets.c, searcher/output.c). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "facets.h"
#include "output.h"
#include "schema.h"

Test(facets, names_in_english_and_italian) {
  static const struct {
    const char *name;
    bool ok;
    sr_facet_kind kind;
    unsigned slot;
  } cases[] = {
      {"year", true, SR_FACET_YEAR, CR_SLOT_DATE},
      {"anno", true, SR_FACET_YEAR, CR_SLOT_DATE},
      {"Month", true, SR_FACET_MONTH, CR_SLOT_DATE},
      {"mese", true, SR_FACET_MONTH, CR_SLOT_DATE},
      {"author", true, SR_FACET_AUTHOR, CR_SLOT_AUTHOR},
      {"autore", true, SR_FACET_AUTHOR, CR_SLOT_AUTHOR},
      {"SOURCE", true, SR_FACET_SOURCE, CR_SLOT_SOURCE},
      {"fonte", true, SR_FACET_SOURCE, CR_SLOT_SOURCE},
      {"day", false, 0, 0},
      {"", false, 0, 0},
      {"year ", false, 0, 0},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    sr_facet_kind k;
    bool ok = sr_facet_parse(cases[i].name, &k);
    cr_expect_eq(ok, cases[i].ok, "'%s'", cases[i].name);
    if (!ok || !cases[i].ok) continue;
    cr_expect_eq(k, cases[i].kind, "'%s'", cases[i].name);
    cr_expect_eq(sr_facet_slot(k), cases[i].slot, "'%s'", cases[i].name);
  }
  cr_expect_str_eq(sr_facet_name(SR_FACET_MONTH), "month");
}

static const out_facet_value years[] = {{"2024", 2}, {"2022", 7}};
static const out_facet_value sources[] = {
    {"Gazzetta \x1b[31mdi\x07 Modena", 3}};

static out_result sample(out_hit *h) {
  static out_facet facets[2];
  facets[0] = (out_facet){"year", years, 2};
  facets[1] = (out_facet){"source", sources, 1};
  *h = (out_hit){
      .rank = 1, .score = 2.5, .id = "a1", .title = "Scossa", .similar = 2};
  return (out_result){.query = "Frederico",
                      .query_len = 9,
                      .estimated = 9,
                      .took_ms = 0.5,
                      .hits = h,
                      .n_hits = 1,
                      .suggestion = "Federico",
                      .facets = facets,
                      .n_facets = 2};
}

Test(facets, json_has_suggestion_similar_and_counts) {
  out_hit h;
  out_result r = sample(&h);
  char *js = out_json(&r);
  cr_assert(js);
  cr_expect(strstr(js, "\"suggestion\": \"Federico\""), "%s", js);
  cr_expect(strstr(js, "\"similar\": 2"), "%s", js);
  cr_expect(strstr(js, "\"facets\": {\"year\": [{\"value\": \"2024\", "
                       "\"count\": 2}, {\"value\": \"2022\", \"count\": 7}], "
                       "\"source\": [{\"value\": \"Gazzetta \\u001B[31mdi"
                       "\\u0007 Modena\", \"count\": 3}]}"),
            "%s", js);
  free(js);
  /* Without them, none of the keys appear. */
  out_hit plain = {.rank = 1, .id = "a1"};
  out_result r2 = {.query = "x", .query_len = 1, .hits = &plain, .n_hits = 1};
  js = out_json(&r2);
  cr_expect(!strstr(js, "suggestion") && !strstr(js, "similar") &&
                !strstr(js, "facets"),
            "%s", js);
  free(js);
}

Test(facets, text_shows_them_and_no_control_characters) {
  out_hit h;
  out_result r = sample(&h);
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_eq(out_text(f, &r, &(out_style){.bold = false}), 0);
  fclose(f);
  cr_expect(strncmp(buf, "Forse cercavi: Federico\n", 24) == 0, "%s", buf);
  cr_expect(strstr(buf, "1. Scossa (+2 similar)\n"), "%s", buf);
  cr_expect(strstr(buf, "year: 2024 (2) \xc2\xb7 2022 (7)\n"), "%s", buf);
  cr_expect(strstr(buf, "source: Gazzetta"), "%s", buf);
  cr_expect(!strchr(buf, '\x1b') && !strchr(buf, '\x07'), "%s", buf);
  free(buf);
}
