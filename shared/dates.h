/* dates.h — reading the dates Italian news uses.
 *
 * Accepted forms, all normalised to ISO "YYYY-MM-DD":
 *   2022-09-06   06/09/2022   6/9/2022   06.09.2022   06-09-2022
 *   6 settembre 2022   martedì 6 settembre 2022   6 set 2022
 *   2022-09-06T10:30:00Z (time ignored)
 * Partial forms for filters: "2022" and "2022-09" / "09/2022" /
 * "settembre 2022" give a range.
 * Relative forms, for filters only (cr_date_range, never an article's
 * date): "oggi"/"today", "ieri"/"yesterday" (that one day), and a span
 * back from today to today: "7d", "2w", "1m", "1y" (days, weeks, months,
 * years; also "7g", "2s", "1a" in Italian), "ultimi 7 giorni", "ultime 2
 * settimane", "ultimi 3 mesi", "ultimi 2 anni", "ultima settimana",
 * "ultimo mese", "ultimo anno". "7d" starts 7 days before today; a month
 * back from 31 March is 28 (29) February. Today is the local date, or
 * CRONACA_TODAY (YYYY-MM-DD) when set, so tests and scripts can fix it.
 */
#ifndef CRONACA_DATES_H
#define CRONACA_DATES_H

#include <stdbool.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Parses a full date at the start of s (leading spaces skipped; trailing
 * text allowed when allow_trailing). Writes "YYYY-MM-DD" and a NUL into
 * out[11]. Returns true on success; rejects impossible dates (31/02). */
bool cr_date_parse(const char *s, size_t len, bool allow_trailing,
                   char out[11]);

/* Parses a date or a partial date (year, year-month) into the first and
 * last day it covers, as "YYYYMMDD" strings (out_lo[9], out_hi[9]).
 * "2022-09" -> 20220901..20220930. Returns false if s is not a date. */
bool cr_date_range(const char *s, size_t len, char out_lo[9], char out_hi[9]);

/* Today as "YYYYMMDD" (CRONACA_TODAY if it holds a valid YYYY-MM-DD, else
 * the local date). */
void cr_date_today(char out[9]);

/* Only the relative forms above, as cr_date_range does with them: false
 * if s is not one. */
bool cr_date_relative(const char *s, size_t len, char out_lo[9],
                      char out_hi[9]);

#ifdef __cplusplus
}
#endif
#endif
