/* dates.c — parsing the date forms Italian news uses (see dates.h).
 *
 * One small recursive-descent reader over a cursor handles every form:
 *   [weekday[,]] D SEP M SEP YYYY         06/09/2022 6.9.2022 06-09-2022
 *   [weekday[,]] D[°] MONTH[.] YYYY       martedì 6 settembre 2022, 1° mar.
 * 2023 YYYY SEP MM SEP DD                    2022-09-06 2022/09/06 each
 * optionally followed by a time (T10:30:00Z, " 10:30", ", ore 10.30"), which is
 * read and ignored. Partial forms (ranges only): YYYY, YYYY-MM, MM/YYYY, MONTH
 * YYYY. Two-digit years are refused rather than guessed: "06/09/22" could be
 * 1922 or 2022, and a wrong date is worse than none.
 */
#include "dates.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

/* Month names and the abbreviations Italian papers print, lower case;
 * matching is ASCII case-insensitive ("Settembre", "SETTEMBRE", "Set.").
 * One month a line: clang-format would pack the table four entries a line
 * across months. */
static const struct {
  const char *name; /* lower-case spelling */
  int month;        /* 1..12 */
} months[] = {
    // clang-format off
    {"gennaio", 1},   {"gen", 1}, {"genn", 1},
    {"febbraio", 2},  {"feb", 2}, {"febb", 2},
    {"marzo", 3},     {"mar", 3},
    {"aprile", 4},    {"apr", 4},
    {"maggio", 5},    {"mag", 5},
    {"giugno", 6},    {"giu", 6},
    {"luglio", 7},    {"lug", 7},
    {"agosto", 8},    {"ago", 8},
    {"settembre", 9}, {"set", 9}, {"sett", 9},
    {"ottobre", 10},  {"ott", 10},
    {"novembre", 11}, {"nov", 11},
    {"dicembre", 12}, {"dic", 12},
    // clang-format on
};

/* Weekday names that may precede a date ("martedì 6 settembre 2022"),
 * without their final letter so "martedì", "martedi" and "MARTEDÌ" all
 * match; "mar", "gio"... abbreviations are left out: "mar" is March. */
static const char *const weekdays[] = {"luned",  "marted", "mercoled", "gioved",
                                       "venerd", "sabato", "domenica"};

static int days_in_month(int year, int month) {
  static const int days[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
    return 29;
  return days[month - 1];
}

static bool valid(int y, int m, int d) {
  return y >= 1000 && y <= 9999 && m >= 1 && m <= 12 && d >= 1 &&
         d <= days_in_month(y, m);
}

/* A cursor over the input: s[i..len). */
typedef struct cursor {
  const char *s; /* the text */
  size_t len;    /* its length */
  size_t i;      /* the next byte to read */
} cursor;

static bool at(const cursor *c, char ch) {
  return c->i < c->len && c->s[c->i] == ch;
}

static bool at_digit(const cursor *c) {
  return c->i < c->len && c->s[c->i] >= '0' && c->s[c->i] <= '9';
}

static bool at_alpha(const cursor *c) {
  char ch = c->i < c->len ? c->s[c->i] : '\0';
  return (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z');
}

static void skip_spaces(cursor *c) {
  while (at(c, ' ') || at(c, '\t'))
    c->i++;
}

/* Skips spaces and at most one comma ("martedì, 6 settembre"). */
static void skip_spaces_comma(cursor *c) {
  skip_spaces(c);
  if (at(c, ',')) c->i++;
  skip_spaces(c);
}

/* Reads up to max_digits digits into *v; *n_digits says how many were
 * read (0: none, *v untouched). A longer run of digits is left unread, so
 * the caller's boundary check refuses it ("2022-09-061"). */
static int read_number(cursor *c, int max_digits, int *v) {
  int k = 0, n = 0;
  while (k < max_digits && at_digit(c)) {
    n = n * 10 + (c->s[c->i++] - '0');
    k++;
  }
  if (k) *v = n;
  return k;
}

/* Reads a month name (full or abbreviated, optional dot); -1 and the
 * cursor unmoved if the word is not one. */
static int read_month_name(cursor *c) {
  size_t start = c->i;
  while (at_alpha(c))
    c->i++;
  size_t n = c->i - start;
  for (size_t k = 0; k < sizeof months / sizeof *months; k++) {
    if (strlen(months[k].name) == n &&
        strncasecmp(c->s + start, months[k].name, n) == 0) {
      if (at(c, '.')) c->i++;
      return months[k].month;
    }
  }
  c->i = start;
  return -1;
}

/* Skips a leading weekday name (with its accent, in any case) and the
 * comma or spaces after it. */
static void skip_weekday(cursor *c) {
  for (size_t k = 0; k < sizeof weekdays / sizeof *weekdays; k++) {
    size_t n = strlen(weekdays[k]);
    if (c->len - c->i >= n && strncasecmp(c->s + c->i, weekdays[k], n) == 0) {
      cursor t = *c;
      t.i += n;
      /* The rest of the word: "ì"/"Ì" (two bytes in UTF-8), "i" or "I". */
      if (t.len - t.i >= 2 && (unsigned char)t.s[t.i] == 0xC3 &&
          ((unsigned char)t.s[t.i + 1] == 0xAC ||
           (unsigned char)t.s[t.i + 1] == 0x8C))
        t.i += 2;
      else if (at(&t, 'i') || at(&t, 'I'))
        t.i++;
      else if (weekdays[k][n - 1] == 'd')
        return; /* "marted" alone is no weekday */
      if (at_alpha(&t) || at_digit(&t)) return; /* a longer word */
      skip_spaces_comma(&t);
      *c = t;
      return;
    }
  }
}

/* Skips "°" or "º" after a day number ("1° settembre"). */
static void skip_ordinal(cursor *c) {
  if (c->len - c->i >= 2 && (unsigned char)c->s[c->i] == 0xC2 &&
      ((unsigned char)c->s[c->i + 1] == 0xB0 ||
       (unsigned char)c->s[c->i + 1] == 0xBA))
    c->i += 2;
}

/* Reads an optional time after a full date and ignores it:
 *   T10:30:00Z  T10:30:00.123+02:00   10:30   , ore 10.30   - 10:30:15
 * The cursor moves only if a whole time is there. */
static void skip_time(cursor *c) {
  cursor t = *c;
  bool iso = at(&t, 'T');
  if (iso) {
    t.i++;
  } else {
    skip_spaces(&t);
    if (at(&t, ',') || at(&t, '-') || at(&t, '|')) t.i++;
    skip_spaces(&t);
    if (t.len - t.i >= 3 && strncasecmp(t.s + t.i, "ore", 3) == 0) {
      t.i += 3;
      skip_spaces(&t);
    }
  }
  int v, k = read_number(&t, 2, &v);
  if (k == 0 || v > 24 || !(at(&t, ':') || at(&t, '.'))) return;
  char sep = t.s[t.i++];
  if (read_number(&t, 2, &v) != 2 || v > 59) return;
  if (at(&t, sep)) {
    t.i++;
    if (read_number(&t, 2, &v) != 2 || v > 60) return;
    if (at(&t, '.') || at(&t, ',')) { /* fractions of a second */
      t.i++;
      while (at_digit(&t))
        t.i++;
    }
  }
  if (iso || at(&t, 'Z') || at(&t, '+') || at(&t, '-')) {
    if (at(&t, 'Z')) {
      t.i++;
    } else if (at(&t, '+') || at(&t, '-')) {
      t.i++;
      if (read_number(&t, 2, &v) != 2) return;
      if (at(&t, ':')) t.i++;
      read_number(&t, 2, &v);
    }
  }
  *c = t;
}

/* True when the date ends here: at the end (spaces aside) when trailing
 * text is refused, else before anything but a digit or a letter glued to
 * the date ("2022-09-061" and "2022abc" are not dates). */
static bool at_end(const cursor *c, bool allow_trailing) {
  if (!allow_trailing) {
    for (size_t k = c->i; k < c->len; k++)
      if (c->s[k] != ' ' && c->s[k] != '\t' && c->s[k] != '\r' &&
          c->s[k] != '\n')
        return false;
    return true;
  }
  return !at_digit(c) && !at_alpha(c);
}

/* Reads "MONTH YYYY" (the day, if any, already read). */
static bool read_month_year(cursor *c, int *m, int *y) {
  int month = read_month_name(c);
  if (month < 0) return false;
  skip_spaces_comma(c);
  if (read_number(c, 4, y) != 4) return false;
  *m = month;
  return true;
}

/* Parses y/m/d; m and d are -1 when absent (partial dates, refused unless
 * allow_partial). */
static bool parse_parts(const char *s, size_t len, bool allow_trailing,
                        bool allow_partial, int *y, int *m, int *d) {
  cursor c = {s, len, 0};
  *y = *m = *d = -1;
  skip_spaces(&c);
  skip_weekday(&c);
  int first, nd = read_number(&c, 4, &first);
  if (nd == 4) {
    /* ISO: 2022-09-06, 2022/09/06, 2022-09, 2022. */
    *y = first;
    if ((at(&c, '-') || at(&c, '/')) && c.i + 1 < len && s[c.i + 1] >= '0' &&
        s[c.i + 1] <= '9') {
      char sep = s[c.i++];
      if (read_number(&c, 2, m) == 0) return false;
      if (at(&c, sep) && c.i + 1 < len && s[c.i + 1] >= '0' &&
          s[c.i + 1] <= '9') {
        c.i++;
        read_number(&c, 2, d);
      }
    }
  } else if (nd >= 1 && nd <= 2) {
    /* 06/09/2022, 6.9.2022, 06-09-2022, 09/2022, 6 settembre 2022. */
    if (at(&c, '/') || at(&c, '.') || at(&c, '-')) {
      char sep = s[c.i++];
      int second, nd2 = read_number(&c, 4, &second);
      if (nd2 == 4) { /* month/year */
        *m = first;
        *y = second;
      } else if (nd2 >= 1 && nd2 <= 2 && at(&c, sep)) {
        c.i++;
        if (read_number(&c, 4, y) != 4) return false;
        *d = first;
        *m = second;
      } else if (nd2 == 0 && sep == '.') {
        /* "6. settembre 2022" is rare but harmless */
        skip_spaces(&c);
        if (!read_month_year(&c, m, y)) return false;
        *d = first;
      } else {
        return false;
      }
    } else {
      skip_ordinal(&c);
      skip_spaces(&c);
      if (!read_month_year(&c, m, y)) return false;
      *d = first;
    }
  } else if (nd == 0) {
    /* settembre 2022 */
    if (!read_month_year(&c, m, y)) return false;
  } else {
    return false;
  }
  if (*d >= 0) skip_time(&c);
  if (!at_end(&c, allow_trailing)) return false;
  if (*d < 0 && !allow_partial) return false;
  int check_m = *m < 0 ? 1 : *m, check_d = *d < 0 ? 1 : *d;
  return valid(*y, check_m, check_d);
}

bool cr_date_parse(const char *s, size_t len, bool allow_trailing,
                   char out[11]) {
  int y, m, d;
  if (!s || !parse_parts(s, len, allow_trailing, false, &y, &m, &d))
    return false;
  char buf[40]; /* roomy: the compiler cannot see the ranges checked */
  snprintf(buf, sizeof buf, "%04d-%02d-%02d", y, m, d);
  memcpy(out, buf, 11);
  return true;
}

bool cr_date_range(const char *s, size_t len, char out_lo[9], char out_hi[9]) {
  int y, m, d;
  if (s && cr_date_relative(s, len, out_lo, out_hi)) return true;
  if (!s || !parse_parts(s, len, false, true, &y, &m, &d)) return false;
  int m_lo = m < 0 ? 1 : m, m_hi = m < 0 ? 12 : m;
  int d_lo = d < 0 ? 1 : d, d_hi = d < 0 ? days_in_month(y, m_hi) : d;
  char buf[40];
  snprintf(buf, sizeof buf, "%04d%02d%02d", y, m_lo, d_lo);
  memcpy(out_lo, buf, 9);
  snprintf(buf, sizeof buf, "%04d%02d%02d", y, m_hi, d_hi);
  memcpy(out_hi, buf, 9);
  return true;
}

/* ---- Relative dates ---------------------------------------------------- */

/* Days since 1970-01-01 of a civil date, and back (H. Hinnant's
 * algorithms): plain integer arithmetic, no time zone in the way. */
static long days_from_civil(int y, int m, int d) {
  y -= m <= 2;
  long era = (y >= 0 ? y : y - 399) / 400;
  long yoe = y - era * 400;
  long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static void civil_from_days(long z, int *y, int *m, int *d) {
  z += 719468;
  long era = (z >= 0 ? z : z - 146096) / 146097;
  long doe = z - era * 146097;
  long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  long mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static void today_parts(int *y, int *m, int *d) {
  const char *env = getenv("CRONACA_TODAY");
  if (env && *env && parse_parts(env, strlen(env), false, false, y, m, d))
    return;
  time_t now = time(NULL);
  struct tm tm;
  localtime_r(&now, &tm);
  *y = tm.tm_year + 1900;
  *m = tm.tm_mon + 1;
  *d = tm.tm_mday;
}

static void put_ymd(int y, int m, int d, char out[9]) {
  char buf[40];
  snprintf(buf, sizeof buf, "%04d%02d%02d", y, m, d);
  memcpy(out, buf, 9);
}

void cr_date_today(char out[9]) {
  int y, m, d;
  today_parts(&y, &m, &d);
  put_ymd(y, m, d, out);
}

/* Whether c's next word (letters) is one of the comma-separated names,
 * case-insensitively; consumes it if so. */
static bool read_word_of(cursor *c, const char *names) {
  size_t start = c->i, end = start;
  while (end < c->len && ((c->s[end] >= 'a' && c->s[end] <= 'z') ||
                          (c->s[end] >= 'A' && c->s[end] <= 'Z')))
    end++;
  size_t n = end - start;
  if (n == 0) return false;
  for (const char *p = names; *p;) {
    const char *comma = strchr(p, ',');
    size_t k = comma ? (size_t)(comma - p) : strlen(p);
    if (k == n && strncasecmp(p, c->s + start, n) == 0) {
      c->i = end;
      return true;
    }
    p += k + (comma ? 1 : 0);
  }
  return false;
}

/* The unit of a span: 'd' days, 'w' weeks, 'm' months, 'y' years. */
static char read_unit_word(cursor *c) {
  if (read_word_of(c, "giorni,giorno,days,day")) return 'd';
  if (read_word_of(c, "settimane,settimana,weeks,week")) return 'w';
  if (read_word_of(c, "mesi,mese,months,month")) return 'm';
  if (read_word_of(c, "anni,anno,years,year")) return 'y';
  return 0;
}

static char unit_letter(char ch) {
  switch (ch) {
  case 'd':
  case 'D':
  case 'g':
  case 'G':
    return 'd';
  case 'w':
  case 'W':
  case 's':
  case 'S':
    return 'w';
  case 'm':
  case 'M':
    return 'm';
  case 'y':
  case 'Y':
  case 'a':
  case 'A':
    return 'y';
  default:
    return 0;
  }
}

/* Reads a span: "7d", "ultimi 7 giorni", "ultima settimana". */
static bool read_span(cursor *c, int *n, char *unit) {
  if (at_digit(c)) { /* 7d, 7 giorni */
    if (read_number(c, 4, n) < 1) return false;
    skip_spaces(c);
    if ((*unit = read_unit_word(c))) return true;
    if (c->i >= c->len) return false;
    *unit = unit_letter(c->s[c->i++]);
    return *unit != 0;
  }
  if (!read_word_of(c, "ultimi,ultime,ultimo,ultima,last,past")) return false;
  skip_spaces(c);
  *n = 1;
  if (at_digit(c)) {
    if (read_number(c, 4, n) < 1) return false;
    skip_spaces(c);
  }
  *unit = read_unit_word(c);
  return *unit != 0;
}

bool cr_date_relative(const char *s, size_t len, char out_lo[9],
                      char out_hi[9]) {
  if (!s) return false;
  cursor c = {s, len, 0};
  skip_spaces(&c);
  int y, m, d;
  today_parts(&y, &m, &d);
  long today = days_from_civil(y, m, d), from = today, to = today;
  int n = 0;
  char unit = 0;
  if (read_word_of(&c, "oggi,today")) {
  } else if (read_word_of(&c, "ieri,yesterday")) {
    from = to = today - 1;
  } else if (read_span(&c, &n, &unit)) {
    if (unit == 'd' || unit == 'w') {
      from = today - (long)n * (unit == 'w' ? 7 : 1);
    } else {
      int months_back = unit == 'y' ? n * 12 : n;
      int total = y * 12 + (m - 1) - months_back;
      int py = total / 12, pm = total % 12 + 1;
      int pd = d <= days_in_month(py, pm) ? d : days_in_month(py, pm);
      from = days_from_civil(py, pm, pd);
    }
  } else {
    return false;
  }
  skip_spaces(&c);
  if (c.i != c.len) return false;
  int fy, fm, fd;
  civil_from_days(from, &fy, &fm, &fd);
  if (fy < 1000) return false;
  put_ymd(fy, fm, fd, out_lo);
  civil_from_days(to, &fy, &fm, &fd);
  put_ymd(fy, fm, fd, out_hi);
  return true;
}
