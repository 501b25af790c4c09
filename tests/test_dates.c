/* test_dates.c — the Italian date reader (shared/dates.c): every form the
 * papers print, the ones it must refuse, and partial dates as ranges.
 * Each table row is one case; adding a case is one line. */
#include <criterion/criterion.h>
#include <string.h>

#include "dates.h"

/* Full dates: input, allow_trailing, expected ISO date or NULL (refused). */
static const struct {
  const char *in;
  bool trailing;
  const char *want;
} full_cases[] = {
    /* numeric, day first */
    {"06/09/2022", false, "2022-09-06"},
    {"6/9/2022", false, "2022-09-06"},
    {"06.09.2022", false, "2022-09-06"},
    {"06-09-2022", false, "2022-09-06"},
    {"  06/09/2022  ", false, "2022-09-06"},
    {"06/09/2022\r\n", false, "2022-09-06"},
    /* ISO, with and without a time */
    {"2022-09-06", false, "2022-09-06"},
    {"2022/09/06", false, "2022-09-06"},
    {"2022-09-06T10:30:00Z", false, "2022-09-06"},
    {"2022-09-06T10:30:00.123+02:00", false, "2022-09-06"},
    {"2022-09-06 10:30:00", false, "2022-09-06"},
    {"2022-9-6", false, "2022-09-06"},
    /* month names, any case, abbreviated, weekday before */
    {"6 settembre 2022", false, "2022-09-06"},
    {"6 Settembre 2022", false, "2022-09-06"},
    {"6 SETTEMBRE 2022", false, "2022-09-06"},
    {"martedì 6 settembre 2022", false, "2022-09-06"},
    {"Martedì, 6 settembre 2022", false, "2022-09-06"},
    {"MARTEDÌ 6 SETTEMBRE 2022", false, "2022-09-06"},
    {"martedi 6 settembre 2022", false, "2022-09-06"},
    {"6 set. 2022", false, "2022-09-06"},
    {"6 set 2022", false, "2022-09-06"},
    {"6 sett. 2022", false, "2022-09-06"},
    {"1° marzo 2023", false, "2023-03-01"},
    {"1º gennaio 2020", false, "2020-01-01"},
    {"31 dicembre 2019", false, "2019-12-31"},
    {"15 ago 2021", false, "2021-08-15"},
    {"domenica 2 giugno 2024", false, "2024-06-02"},
    {"6 settembre 2022, ore 10.30", false, "2022-09-06"},
    {"06/09/2022 - 18:45", false, "2022-09-06"},
    /* leap years */
    {"29/02/2024", false, "2024-02-29"},
    {"29/02/2000", false, "2000-02-29"},
    {"29/02/2023", false, NULL},
    {"29/02/1900", false, NULL},
    /* impossible dates */
    {"31/02/2022", false, NULL},
    {"31/04/2022", false, NULL},
    {"00/09/2022", false, NULL},
    {"06/13/2022", false, NULL},
    {"2022-13-01", false, NULL},
    {"2022-09-31", false, NULL},
    {"32 gennaio 2022", false, NULL},
    /* not dates, or not whole dates */
    {"", false, NULL},
    {"   ", false, NULL},
    {"Fabrizio Grasso", false, NULL},
    {"2022", false, NULL},
    {"2022-09", false, NULL},
    {"settembre 2022", false, NULL},
    {"06/09/22", false, NULL}, /* two-digit year: refused, not guessed */
    {"6 settembrino 2022", false, NULL},
    {"2022-09-061", false, NULL},
    {"2022-09-061", true, NULL},
    {"06/09/2022 e poi", false, NULL},
    {"marted 6 settembre 2022", false, NULL},
    {"martedìx 6 settembre 2022", false, NULL},
    {"06/09-2022", false, NULL},
    {"123/09/2022", false, NULL},
    {"6 settembre", false, NULL},
    /* trailing text allowed on request */
    {"06/09/2022 e poi", true, "2022-09-06"},
    {"6 settembre 2022, Roma", true, "2022-09-06"},
    {"2022-09-06abc", true, NULL},
};

Test(dates, full_dates) {
  for (size_t i = 0; i < sizeof full_cases / sizeof *full_cases; i++) {
    char out[11] = "";
    const char *in = full_cases[i].in;
    bool ok = cr_date_parse(in, strlen(in), full_cases[i].trailing, out);
    if (full_cases[i].want) {
      cr_expect(ok, "\"%s\" should parse", in);
      if (ok) cr_expect_str_eq(out, full_cases[i].want, "\"%s\"", in);
    } else {
      cr_expect(!ok, "\"%s\" should be refused, got %s", in, out);
    }
  }
}

/* len is honoured: nothing after it is read (not NUL-terminated input). */
Test(dates, reads_only_len_bytes) {
  const char buf[] = "06/09/20223";
  char out[11];
  cr_expect(cr_date_parse(buf, 10, false, out));
  cr_expect_str_eq(out, "2022-09-06");
  cr_expect(!cr_date_parse(buf, 9, false, out));
  cr_expect(!cr_date_parse(NULL, 0, false, out));
}

/* Ranges: input, first and last day, or NULL when refused. */
static const struct {
  const char *in;
  const char *lo, *hi;
} range_cases[] = {
    {"2022", "20220101", "20221231"},
    {"2022-09", "20220901", "20220930"},
    {"2024-02", "20240201", "20240229"},
    {"2023-02", "20230201", "20230228"},
    {"09/2022", "20220901", "20220930"},
    {"9/2022", "20220901", "20220930"},
    {"settembre 2022", "20220901", "20220930"},
    {"Febbraio 2024", "20240201", "20240229"},
    {"dic. 2019", "20191201", "20191231"},
    {"2022-09-06", "20220906", "20220906"},
    {"06/09/2022", "20220906", "20220906"},
    {"6 settembre 2022", "20220906", "20220906"},
    {"2022-13", NULL, NULL},
    {"13/2022", NULL, NULL},
    {"settembre", NULL, NULL},
    {"22", NULL, NULL},
    {"ieri", NULL, NULL},
    {"2022 e oltre", NULL, NULL},
};

Test(dates, ranges) {
  for (size_t i = 0; i < sizeof range_cases / sizeof *range_cases; i++) {
    char lo[9] = "", hi[9] = "";
    const char *in = range_cases[i].in;
    bool ok = cr_date_range(in, strlen(in), lo, hi);
    if (range_cases[i].lo) {
      cr_expect(ok, "\"%s\" should parse", in);
      if (ok) {
        cr_expect_str_eq(lo, range_cases[i].lo, "\"%s\" low", in);
        cr_expect_str_eq(hi, range_cases[i].hi, "\"%s\" high", in);
      }
    } else {
      cr_expect(!ok, "\"%s\" should be refused, got %s..%s", in, lo, hi);
    }
  }
}
