/* test_format.c — rows for scripts (searcher/format.c): CSV and TSV
 * quoting, field lists, JSON Lines. Each table row is one case. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "format.h"

/* What out_csv_value writes for s with sep. */
static char *value(const char *s, char sep) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  out_csv_value(f, s, sep);
  fclose(f);
  return buf;
}

Test(format, csv_and_tsv_values) {
  static const struct {
    const char *in;
    char sep;
    const char *want;
  } cases[] = {
      {"plain", ',', "plain"},
      {"a, b", ',', "\"a, b\""},
      {"say \"hi\"", ',', "\"say \"\"hi\"\"\""},
      {"two\nlines", ',', "\"two\nlines\""},
      {"cr\rhere", ',', "\"cr\rhere\""},
      {"", ',', ""},
      {"a\tb", ',', "a\tb"},
      {"a\tb", '\t', "a b"},
      {"two\nlines", '\t', "two lines"},
      {"a, \"b\"", '\t', "a, \"b\""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *got = value(cases[i].in, cases[i].sep);
    cr_expect_str_eq(got, cases[i].want, "case %zu", i);
    free(got);
  }
}

Test(format, field_lists) {
  static const struct {
    const char *in;
    const char *want; /* names joined by ',', or NULL: refused */
  } cases[] = {
      {"id", "id"},
      {"id,date,title,url,score,snippet", "id,date,title,url,score,snippet"},
      {"title, id", "title,id"},
      {"id,id,rank", "id,rank"},
      {"author,source", "author,source"},
      {"id,nope", NULL},
      {"", NULL},
      {"id,", NULL},
      {"ID", NULL},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    out_field f[OUT_N_FIELDS];
    size_t n = 0;
    char bad[32] = "";
    bool ok = out_fields_parse(cases[i].in, f, &n, bad, sizeof bad);
    if (!cases[i].want) {
      cr_expect(!ok, "\"%s\" should be refused", cases[i].in);
      continue;
    }
    cr_assert(ok, "\"%s\": refused at '%s'", cases[i].in, bad);
    char got[256] = "";
    for (size_t k = 0; k < n; k++) {
      if (k) strcat(got, ",");
      strcat(got, out_field_name(f[k]));
    }
    cr_expect_str_eq(got, cases[i].want);
  }
  char bad[32];
  out_field f[OUT_N_FIELDS];
  size_t n;
  cr_expect(!out_fields_parse("id,colour", f, &n, bad, sizeof bad));
  cr_expect_str_eq(bad, "colour");
}

Test(format, formats) {
  static const struct {
    const char *in;
    bool ok;
    out_format want;
  } cases[] = {
      {"text", true, OUT_FORMAT_TEXT},   {"json", true, OUT_FORMAT_JSON},
      {"jsonl", true, OUT_FORMAT_JSONL}, {"ndjson", true, OUT_FORMAT_JSONL},
      {"csv", true, OUT_FORMAT_CSV},     {"tsv", true, OUT_FORMAT_TSV},
      {"CSV", false, OUT_FORMAT_TEXT},   {"xml", false, OUT_FORMAT_TEXT},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    out_format f = OUT_FORMAT_TEXT;
    cr_expect_eq(out_format_parse(cases[i].in, &f), cases[i].ok, "%s",
                 cases[i].in);
    if (cases[i].ok) cr_expect_eq(f, cases[i].want, "%s", cases[i].in);
  }
}

/* Rows: a header, missing values empty, control characters gone. */
Test(format, rows) {
  out_hit hits[2] = {
      {.rank = 1,
       .score = 2.5,
       .id = "a1",
       .title = "Uno, due",
       .date = "2024-02-20",
       .url = "https://x.org/a1"},
      {.rank = 2, .score = 1.0, .id = "a2", .title = "Esc\x1b[31m rosso"},
  };
  out_result r = {.hits = hits, .n_hits = 2};
  out_field f[] = {OUT_FIELD_ID, OUT_FIELD_TITLE, OUT_FIELD_URL,
                   OUT_FIELD_SCORE};
  static const struct {
    out_format fmt;
    const char *want;
  } cases[] = {
      {OUT_FORMAT_CSV, "id,title,url,score\n"
                       "a1,\"Uno, due\",https://x.org/a1,2.5000\n"
                       "a2,Esc  rosso,,1.0000\n"},
      {OUT_FORMAT_TSV, "id\ttitle\turl\tscore\n"
                       "a1\tUno, due\thttps://x.org/a1\t2.5000\n"
                       "a2\tEsc  rosso\t\t1.0000\n"},
      {OUT_FORMAT_JSONL,
       "{\"id\": \"a1\", \"title\": \"Uno, due\", \"url\": "
       "\"https://x.org/a1\", \"score\": 2.5}\n"
       "{\"id\": \"a2\", \"title\": \"Esc\\u001B[31m rosso\", \"score\": "
       "1.0}\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *buf = NULL;
    size_t len = 0;
    FILE *out = open_memstream(&buf, &len);
    cr_expect_eq(out_rows(out, &r, cases[i].fmt, f, 4, true), 0);
    fclose(out);
    cr_expect_str_eq(buf, cases[i].want, "format %d", (int)cases[i].fmt);
    free(buf);
  }
}
