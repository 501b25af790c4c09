/* format.h — results for scripts: JSON Lines, CSV and TSV, with a chosen
 * set of fields (--format, --fields).
 *
 *   jsonl  one JSON object per hit, one per line, with the fields asked
 *          for (absent fields left out, as in --json's hits)
 *   csv    a header line of field names, then one line per hit, RFC 4180:
 *          a value holding a comma, a quote or a line break is quoted,
 *          its quotes doubled; lines end with LF (the RFC's CRLF would
 *          leave a \r on every last field for cut, awk and sort; CSV
 *          readers take either)
 *   tsv    the same with tabs, no quoting: tabs and line breaks inside a
 *          value become spaces (IANA's text/tab-separated-values has no
 *          escape for them)
 * Missing values are empty. The summary line ("N of M matches") and the
 * facets are not written: the rows are all there is.
 */
#ifndef CRONACA_FORMAT_H
#define CRONACA_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "output.h"

typedef enum out_format {
  OUT_FORMAT_TEXT,
  OUT_FORMAT_JSON,
  OUT_FORMAT_JSONL,
  OUT_FORMAT_CSV,
  OUT_FORMAT_TSV,
} out_format;

typedef enum out_field {
  OUT_FIELD_RANK,
  OUT_FIELD_ID,
  OUT_FIELD_SCORE,
  OUT_FIELD_DATE,
  OUT_FIELD_TITLE,
  OUT_FIELD_AUTHOR,
  OUT_FIELD_SOURCE,
  OUT_FIELD_URL,
  OUT_FIELD_SNIPPET,
  OUT_N_FIELDS
} out_field;

/* "text", "json", "jsonl" (or "ndjson"), "csv", "tsv". */
bool out_format_parse(const char *s, out_format *out);

/* A comma-separated list of field names (rank, id, score, date, title,
 * author, source, url, snippet) into fields[OUT_N_FIELDS], in the order
 * given, each once. false (and *bad set to the offending name, up to
 * bad_size bytes) if a name is unknown or the list is empty. */
bool out_fields_parse(const char *s, out_field *fields, size_t *n, char *bad,
                      size_t bad_size);

/* The default fields: all of them, in the order above. */
size_t out_fields_default(out_field *fields);

/* The name of a field ("id"). */
const char *out_field_name(out_field f);

/* Writes one CSV (sep ',') or TSV (sep '\t') value. */
void out_csv_value(FILE *f, const char *s, char sep);

/* Writes r's hits in fmt (JSONL, CSV or TSV) with the fields; header
 * when the format has one and header is set (--batch writes it once).
 * 0, or -1 on a write error or when memory ran out. */
int out_rows(FILE *f, const out_result *r, out_format fmt,
             const out_field *fields, size_t n_fields, bool header);

#endif
