/* test_output.c — the searcher's renderers (searcher/output.c): JSON that
 * stays valid whatever the articles hold, fields left out rather than
 * invented, and text output that never writes control characters. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "output.h"

/* The JSON of a result whose one hit has the given title. */
static char *json_with_title(const char *title, size_t len) {
  (void)len;
  out_hit h = {.rank = 1, .score = 1.5, .id = "x", .title = title};
  out_result r = {.query = "q", .query_len = 1, .hits = &h, .n_hits = 1};
  return out_json(&r);
}

Test(output, exact_shape) {
  out_hit h[] = {
      {.rank = 1,
       .score = 12.3,
       .id = "articles/a.txt",
       .title = "Titolo",
       .date = "2022-09-06",
       .author = "Fabrizio Grasso",
       .source = "Gazzetta",
       .snippet = "la **Russia**"},
      {.rank = 2, .score = 0.5, .id = "b"}, /* lacks everything else */
  };
  out_result r = {.query = "Russia",
                  .query_len = 6,
                  .estimated = 123,
                  .took_ms = 0.8,
                  .hits = h,
                  .n_hits = 2};
  char *js = out_json(&r);
  cr_assert_str_eq(
      js,
      "{\"query\": \"Russia\", \"estimated_matches\": 123, \"exact\": false, "
      "\"took_ms\": 0.8, "
      "\"hits\": [{\"rank\": 1, \"id\": \"articles/a.txt\", \"score\": 12.3, "
      "\"title\": \"Titolo\", \"date\": \"2022-09-06\", \"author\": "
      "\"Fabrizio Grasso\", \"source\": \"Gazzetta\", \"snippet\": "
      "\"la **Russia**\"}, {\"rank\": 2, \"id\": \"b\", \"score\": 0.5}]}");
  free(js);
}

Test(output, note_and_empty_hits) {
  out_result r = {.query = "", .note = "nothing to search for"};
  char *js = out_json(&r);
  cr_assert_str_eq(
      js, "{\"query\": \"\", \"estimated_matches\": 0, \"exact\": false, "
          "\"took_ms\": 0.0, \"note\": \"nothing to search for\", "
          "\"hits\": []}");
  free(js);
}

/* Whatever the title holds, the JSON parses back to the cleaned text. */
Test(output, escaping_table) {
  static const struct {
    const char *in;
    size_t len;
    const char *want; /* what a JSON parser reads back */
  } cases[] = {
      {"plain", 5, "plain"},
      {"say \"hi\"", 8, "say \"hi\""},
      {"back\\slash", 10, "back\\slash"},
      {"tab\tnew\nline\r", 13, "tab\tnew\nline\r"},
      {"esc\x1b[31m", 8, "esc\x1b[31m"},
      {"bell\x07", 5, "bell\x07"},
      {"nul\0inside", 10, "nul inside"},
      {"bad\xff\xfe", 5, "bad\xef\xbf\xbd\xef\xbf\xbd"},
      {"cut\xc3", 4, "cut\xef\xbf\xbd"},
      {"surrogate\xed\xa0\x80", 12,
       "surrogate\xef\xbf\xbd\xef\xbf\xbd\xef\xbf\xbd"},
      {"overlong\xc0\xaf", 10, "overlong\xef\xbf\xbd\xef\xbf\xbd"},
      {"citt\xc3\xa0 \xe2\x80\x9cvirgolette\xe2\x80\x9d", 23,
       "citt\xc3\xa0 \xe2\x80\x9cvirgolette\xe2\x80\x9d"},
      {"line\xe2\x80\xa8sep", 10, "line\xe2\x80\xa8sep"},
      {"</script>", 9, "</script>"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    out_hit h = {.rank = 1, .id = "x", .title = NULL};
    char *clean = out_utf8_clean(cases[i].in, cases[i].len);
    h.title = clean;
    out_result r = {.query = cases[i].in,
                    .query_len = cases[i].len,
                    .hits = &h,
                    .n_hits = 1};
    char *js = out_json(&r);
    cr_assert(js, "case %zu: no JSON", i);
    for (const unsigned char *p = (const unsigned char *)js; *p; p++)
      cr_expect(*p >= 0x20, "case %zu: raw control byte 0x%02x", i, *p);
    json_error_t jerr;
    json_t *o = json_loads(js, 0, &jerr);
    cr_assert(o, "case %zu: invalid JSON (%s): %s", i, jerr.text, js);
    const char *q = json_string_value(json_object_get(o, "query"));
    size_t qlen = json_string_length(json_object_get(o, "query"));
    cr_expect(qlen == strlen(cases[i].want) &&
                  memcmp(q, cases[i].want, qlen) == 0,
              "case %zu: query read back as '%s'", i, q);
    json_t *hit = json_array_get(json_object_get(o, "hits"), 0);
    cr_expect_str_eq(json_string_value(json_object_get(hit, "title")),
                     cases[i].want, "case %zu", i);
    json_decref(o);
    free(js);
    free(clean);
  }
}

/* Raw titles (not cleaned by the caller) are cleaned by out_json itself. */
Test(output, raw_invalid_title) {
  char *js = json_with_title("x\xff", 2);
  json_error_t jerr;
  json_t *o = json_loads(js, 0, &jerr);
  cr_assert(o, "invalid JSON: %s", js);
  json_decref(o);
  free(js);
}

Test(output, utf8_clean) {
  char *s = out_utf8_clean(NULL, 0);
  cr_expect_str_eq(s, "");
  free(s);
  s = out_utf8_clean("a\0b", 3);
  cr_expect_str_eq(s, "a b");
  free(s);
}

static char *render_text(const out_result *r, bool bold) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  out_style st = {.bold = bold};
  cr_assert(out_text(f, r, &st) == 0);
  fclose(f);
  return buf;
}

Test(output, text_layout) {
  out_hit h = {.rank = 1,
               .score = 3,
               .id = "a.txt",
               .title = "Titolo",
               .date = "2022-09-06",
               .author = "Grasso",
               .snippet = "la **Russia**"};
  out_result r = {.query = "Russia",
                  .estimated = 7,
                  .took_ms = 1.25,
                  .hits = &h,
                  .n_hits = 1};
  char *t = render_text(&r, false);
  cr_expect_str_eq(t, "1. Titolo\n"
                      "   2022-09-06 \xc2\xb7 Grasso \xc2\xb7 a.txt\n"
                      "   la **Russia**\n"
                      "\n"
                      "1 of about 7 matches, 1.2 ms\n");
  free(t);
  t = render_text(&r, true);
  cr_expect(strstr(t, "1. \x1b[1mTitolo\x1b[0m\n"), "got '%s'", t);
  free(t);
}

Test(output, text_never_writes_control_characters) {
  out_hit h = {.rank = 3,
               .id = "evil\x1b]0;pwned\x07",
               .title = "T\x1b[2J\r",
               .author = "A\x08\x08",
               .source = "S\xc2\x9b"};
  out_result r = {.query = "x", .estimated = 3, .hits = &h, .n_hits = 1};
  char *t = render_text(&r, false);
  for (const unsigned char *p = (const unsigned char *)t; *p; p++)
    cr_expect(*p >= 0x20 || *p == '\n', "control byte 0x%02x in '%s'", *p, t);
  cr_expect(strstr(t, "3-3 of about 3 matches"), "got '%s'", t);
  free(t);
}

Test(output, text_no_hits) {
  out_result r = {.query = "x"};
  char *t = render_text(&r, false);
  cr_expect(strncmp(t, "No matches", 10) == 0, "got '%s'", t);
  free(t);
}

/* Invisible characters that make a line lie (line and paragraph
 * separators, bidi marks, zero-width characters) never reach a terminal
 * from a title, a fact or a snippet; JSON keeps them, escaped. */
Test(output, text_drops_invisible_characters) {
  static const char *const evil[] = {
      "\xe2\x80\xa8", /* U+2028 line separator */
      "\xe2\x80\xa9", /* U+2029 paragraph separator */
      "\xe2\x80\x8f", /* U+200F right-to-left mark */
      "\xe2\x80\x8e", /* U+200E left-to-right mark */
      "\xd8\x9c",     /* U+061C arabic letter mark */
      "\xe2\x80\x8b", /* U+200B zero width space */
      "\xe2\x80\x8c", /* U+200C zero width non-joiner */
      "\xe2\x80\x8d", /* U+200D zero width joiner */
      "\xe2\x81\xa0", /* U+2060 word joiner */
      "\xef\xbb\xbf", /* U+FEFF zero width no-break space */
  };
  for (size_t i = 0; i < sizeof evil / sizeof *evil; i++) {
    char title[64], snippet[64], author[64];
    snprintf(title, sizeof title, "Tito%slo", evil[i]);
    snprintf(snippet, sizeof snippet, "la **Rus%ssia**", evil[i]);
    snprintf(author, sizeof author, "Gra%ssso", evil[i]);
    out_hit h = {.rank = 1,
                 .id = "a",
                 .title = title,
                 .author = author,
                 .snippet = snippet};
    out_result r = {.query = "x", .estimated = 1, .hits = &h, .n_hits = 1};
    char *t = render_text(&r, false);
    cr_expect(!strstr(t, evil[i]), "case %zu reached the text: '%s'", i, t);
    cr_expect(strstr(t, "Tito") && strstr(t, "lo\n") && strstr(t, "Rus") &&
                  strstr(t, "Gra"),
              "case %zu: text lost: '%s'", i, t);
    free(t);
    char *js = out_json(&r);
    cr_expect(strstr(js, evil[i]), "case %zu: JSON lost it: %s", i, js);
    free(js);
  }
}

/* "about" only when the count is an estimate; JSON says which. */
Test(output, exact_counts_say_so) {
  out_hit h = {.rank = 1, .id = "a", .title = "T"};
  out_result r = {.query = "x", .estimated = 7, .hits = &h, .n_hits = 1};
  for (int exact = 0; exact < 2; exact++) {
    r.exact = exact;
    char *t = render_text(&r, false);
    cr_expect(strstr(t, exact ? "\n1 of 7 matches" : "\n1 of about 7 matches"),
              "exact %d: '%s'", exact, t);
    free(t);
    char *js = out_json(&r);
    cr_expect(strstr(js, exact ? "\"exact\": true" : "\"exact\": false"), "%s",
              js);
    free(js);
  }
}
