/* test_dates.c — the Italian date reader (shared/dates.c): every form the
 * papers print, the ones it must refuse, and partial dates as ranges.
 * Each table row is one case; adding a case is one line. */
#include <criterion/criterion.h>
#include <stdlib.h>
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
    {"ieri di sera", NULL, NULL},
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

/* Relative dates, with today fixed by CRONACA_TODAY: input, and the
 * range it covers (NULL: refused). */
static const struct {
  const char *today, *in, *lo, *hi;
} relative_cases[] = {
    {"2024-02-20", "oggi", "20240220", "20240220"},
    {"2024-02-20", "OGGI", "20240220", "20240220"},
    {"2024-02-20", "today", "20240220", "20240220"},
    {"2024-02-20", "ieri", "20240219", "20240219"},
    {"2024-03-01", "ieri", "20240229", "20240229"}, /* leap year */
    {"2023-03-01", "ieri", "20230228", "20230228"},
    {"2024-01-01", "yesterday", "20231231", "20231231"},
    {"2024-02-20", "7d", "20240213", "20240220"},
    {"2024-02-20", "7g", "20240213", "20240220"},
    {"2024-02-20", "2w", "20240206", "20240220"},
    {"2024-02-20", "1m", "20240120", "20240220"},
    {"2024-03-31", "1m", "20240229", "20240331"}, /* clamped */
    {"2024-02-20", "1y", "20230220", "20240220"},
    {"2024-02-29", "1y", "20230228", "20240229"},
    {"2024-02-20", "ultimi 7 giorni", "20240213", "20240220"},
    {"2024-02-20", "Ultimi  7  giorni", "20240213", "20240220"},
    {"2024-02-20", "ultime 2 settimane", "20240206", "20240220"},
    {"2024-02-20", "ultima settimana", "20240213", "20240220"},
    {"2024-02-20", "ultimo mese", "20240120", "20240220"},
    {"2024-02-20", "ultimi 3 mesi", "20231120", "20240220"},
    {"2024-02-20", "ultimo anno", "20230220", "20240220"},
    {"2024-02-20", "last 7 days", "20240213", "20240220"},
    {"2024-02-20", "0d", "20240220", "20240220"},
    {"2024-02-20", "7", NULL, NULL},
    {"2024-02-20", "7x", NULL, NULL},
    {"2024-02-20", "7dd", NULL, NULL},
    {"2024-02-20", "ultimi giorni x", NULL, NULL},
    {"2024-02-20", "ultimi", NULL, NULL},
    {"2024-02-20", "domani", NULL, NULL},
    /* absolute forms are not relative ones */
    {"2024-02-20", "2022", NULL, NULL},
    {"2024-02-20", "2022-09", NULL, NULL},
};

Test(dates, relative) {
  for (size_t i = 0; i < sizeof relative_cases / sizeof *relative_cases; i++) {
    setenv("CRONACA_TODAY", relative_cases[i].today, 1);
    char lo[9] = "", hi[9] = "";
    const char *in = relative_cases[i].in;
    bool ok = cr_date_relative(in, strlen(in), lo, hi);
    if (relative_cases[i].lo) {
      cr_expect(ok, "\"%s\" should parse", in);
      if (ok) {
        cr_expect_str_eq(lo, relative_cases[i].lo, "\"%s\" low", in);
        cr_expect_str_eq(hi, relative_cases[i].hi, "\"%s\" high", in);
      }
    } else {
      cr_expect(!ok, "\"%s\" should be refused, got %s..%s", in, lo, hi);
    }
  }
  unsetenv("CRONACA_TODAY");
}

/* cr_date_range reads them too (date:oggi, --since 7d); an article's
 * date never is one. */
Test(dates, relative_in_ranges_not_articles) {
  setenv("CRONACA_TODAY", "2024-02-20", 1);
  char lo[9], hi[9], iso[11];
  cr_expect(cr_date_range("ieri", 4, lo, hi));
  cr_expect_str_eq(lo, "20240219");
  cr_expect(!cr_date_parse("ieri", 4, false, iso));
  cr_expect(!cr_date_parse("oggi", 4, true, iso));
  char today[9];
  cr_date_today(today);
  cr_expect_str_eq(today, "20240220");
  setenv("CRONACA_TODAY", "not a date", 1);
  cr_date_today(today);
  cr_expect_eq(strlen(today), 8u); /* the clock's */
  unsetenv("CRONACA_TODAY");
}
