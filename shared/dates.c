/* dates.c — parsing the date forms Italian news uses (see dates.h). */
#include "dates.h"

#include <stdio.h>
#include <string.h>
#include <strings.h>

/* Month names and their usual abbreviations, lower case. */
static const struct {
  const char *name;
  int month;
} months[] = {
    {"gennaio", 1},   {"gen", 1},  {"febbraio", 2}, {"feb", 2},
    {"marzo", 3},     {"mar", 3},  {"aprile", 4},   {"apr", 4},
    {"maggio", 5},    {"mag", 5},  {"giugno", 6},   {"giu", 6},
    {"luglio", 7},    {"lug", 7},  {"agosto", 8},   {"ago", 8},
    {"settembre", 9}, {"set", 9},  {"sett", 9},     {"ottobre", 10},
    {"ott", 10},      {"novembre", 11}, {"nov", 11}, {"dicembre", 12},
    {"dic", 12},
};

/* Weekday names that may precede a date ("martedì 6 settembre 2022"),
 * without their final letter so both "martedì" and "martedi" match. */
static const char *const weekdays[] = {"luned", "marted", "mercoled",
                                       "gioved", "venerd", "sabato",
                                       "domenica"};

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

/* A small cursor over the input. */
typedef struct cursor {
  const char *s;
  size_t len, i;
} cursor;

static void skip_spaces(cursor *c) {
  while (c->i < c->len && (c->s[c->i] == ' ' || c->s[c->i] == '\t' ||
                           c->s[c->i] == ','))
    c->i++;
}

/* Reads 1..max_digits digits; returns -1 if there are none. */
static int read_number(cursor *c, int max_digits, int *n_digits) {
  int v = 0, k = 0;
  while (c->i < c->len && k < max_digits && c->s[c->i] >= '0' &&
         c->s[c->i] <= '9') {
    v = v * 10 + (c->s[c->i++] - '0');
    k++;
  }
  if (n_digits) *n_digits = k;
  return k ? v : -1;
}

/* Reads a month name (full or abbreviated, optional trailing dot). */
static int read_month_name(cursor *c) {
  size_t start = c->i;
  while (c->i < c->len && ((c->s[c->i] >= 'a' && c->s[c->i] <= 'z') ||
                           (c->s[c->i] >= 'A' && c->s[c->i] <= 'Z')))
    c->i++;
  size_t n = c->i - start;
  for (size_t k = 0; k < sizeof months / sizeof *months; k++) {
    if (strlen(months[k].name) == n &&
        strncasecmp(c->s + start, months[k].name, n) == 0) {
      if (c->i < c->len && c->s[c->i] == '.') c->i++;
      return months[k].month;
    }
  }
  c->i = start;
  return -1;
}

/* Skips a leading weekday name and what follows it. */
static void skip_weekday(cursor *c) {
  for (size_t k = 0; k < sizeof weekdays / sizeof *weekdays; k++) {
    size_t n = strlen(weekdays[k]);
    if (c->len - c->i >= n && strncasecmp(c->s + c->i, weekdays[k], n) == 0) {
      c->i += n;
      /* the rest of the word: "ì" (2 bytes) or "i" */
      while (c->i < c->len && c->s[c->i] != ' ' && c->s[c->i] != ',') c->i++;
      skip_spaces(c);
      return;
    }
  }
}

static bool at_end_or_boundary(const cursor *c, bool allow_trailing) {
  if (c->i >= c->len) return true;
  if (!allow_trailing) {
    for (size_t k = c->i; k < c->len; k++)
      if (c->s[k] != ' ' && c->s[k] != '\t' && c->s[k] != '\r' &&
          c->s[k] != '\n')
        return false;
    return true;
  }
  char ch = c->s[c->i];
  return !(ch >= '0' && ch <= '9'); /* "2022-09-061" is not a date */
}

/* Parses y/m/d, any of them -1 when absent (partial dates). */
static bool parse_parts(const char *s, size_t len, bool allow_trailing,
                        bool allow_partial, int *y, int *m, int *d) {
  cursor c = {s, len, 0};
  *y = *m = *d = -1;
  skip_spaces(&c);
  skip_weekday(&c);
  int nd;
  int first = read_number(&c, 4, &nd);
  if (first >= 0 && nd == 4) {
    /* ISO: 2022-09-06, 2022-09, 2022; time after 'T' ignored. */
    *y = first;
    if (c.i < len && (s[c.i] == '-' || s[c.i] == '/') && c.i + 1 < len &&
        s[c.i + 1] >= '0' && s[c.i + 1] <= '9') {
      c.i++;
      *m = read_number(&c, 2, NULL);
      if (c.i < len && s[c.i] == '-' && c.i + 1 < len && s[c.i + 1] >= '0' &&
          s[c.i + 1] <= '9') {
        c.i++;
        *d = read_number(&c, 2, NULL);
        if (c.i < len && (s[c.i] == 'T' || s[c.i] == ' ')) {
          /* a time may follow: accept whatever comes after */
          if (s[c.i] == 'T') c.i = len;
        }
      }
    }
  } else if (first >= 0 && nd <= 2) {
    /* 06/09/2022, 6.9.2022, 06-09-2022, 09/2022, 6 settembre 2022 */
    int second = -1;
    char sep = c.i < len ? s[c.i] : '\0';
    if (sep == '/' || sep == '.' || sep == '-') {
      c.i++;
      second = read_number(&c, 4, &nd);
      if (second >= 0 && nd == 4) { /* month/year */
        *m = first;
        *y = second;
      } else if (second >= 0 && c.i < len && s[c.i] == sep) {
        c.i++;
        int year = read_number(&c, 4, &nd);
        if (year < 0 || nd != 4) return false;
        *d = first;
        *m = second;
        *y = year;
      } else {
        return false;
      }
    } else {
      skip_spaces(&c);
      int month = read_month_name(&c);
      if (month < 0) return false;
      skip_spaces(&c);
      int year = read_number(&c, 4, &nd);
      if (year < 0 || nd != 4) return false;
      *d = first;
      *m = month;
      *y = year;
    }
  } else if (first < 0) {
    /* settembre 2022 */
    int month = read_month_name(&c);
    if (month < 0) return false;
    skip_spaces(&c);
    int year = read_number(&c, 4, &nd);
    if (year < 0 || nd != 4) return false;
    *m = month;
    *y = year;
  } else {
    return false;
  }
  if (!at_end_or_boundary(&c, allow_trailing)) return false;
  if (*d < 0 && !allow_partial) return false;
  if (*m < 0 && *d >= 0) return false;
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

bool cr_date_range(const char *s, size_t len, char out_lo[9],
                   char out_hi[9]) {
  int y, m, d;
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
