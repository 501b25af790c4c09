/* format.c — JSON Lines, CSV and TSV rows of results; see format.h. */
#include "format.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "utf8.h"

static const char *const field_names[OUT_N_FIELDS] = {
    "rank",   "id",     "score", "date",    "title",
    "author", "source", "url",   "snippet",
};

const char *out_field_name(out_field f) {
  return f < OUT_N_FIELDS ? field_names[f] : "";
}

bool out_format_parse(const char *s, out_format *out) {
  static const struct {
    const char *name;
    out_format f;
  } names[] = {{"text", OUT_FORMAT_TEXT},   {"json", OUT_FORMAT_JSON},
               {"jsonl", OUT_FORMAT_JSONL}, {"ndjson", OUT_FORMAT_JSONL},
               {"csv", OUT_FORMAT_CSV},     {"tsv", OUT_FORMAT_TSV}};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++)
    if (strcmp(s, names[i].name) == 0) {
      *out = names[i].f;
      return true;
    }
  return false;
}

bool out_fields_parse(const char *s, out_field *fields, size_t *n, char *bad,
                      size_t bad_size) {
  *n = 0;
  bool seen[OUT_N_FIELDS] = {false};
  const char *p = s;
  for (;;) {
    const char *comma = strchr(p, ',');
    size_t len = comma ? (size_t)(comma - p) : strlen(p);
    while (len > 0 && *p == ' ') {
      p++;
      len--;
    }
    while (len > 0 && p[len - 1] == ' ')
      len--;
    int found = -1;
    for (int k = 0; k < OUT_N_FIELDS; k++)
      if (strlen(field_names[k]) == len && strncmp(field_names[k], p, len) == 0)
        found = k;
    if (found < 0) {
      snprintf(bad, bad_size, "%.*s", (int)len, p);
      return false;
    }
    if (!seen[found]) fields[(*n)++] = (out_field)found;
    seen[found] = true;
    if (!comma) break;
    p = comma + 1;
  }
  return *n > 0;
}

size_t out_fields_default(out_field *fields) {
  for (int k = 0; k < OUT_N_FIELDS; k++)
    fields[k] = (out_field)k;
  return OUT_N_FIELDS;
}

void out_csv_value(FILE *f, const char *s, char sep) {
  if (!s) return;
  if (sep == '\t') {
    for (const char *c = s; *c; c++)
      fputc(*c == '\t' || *c == '\n' || *c == '\r' ? ' ' : *c, f);
    return;
  }
  if (!strpbrk(s, ",\"\r\n")) {
    fputs(s, f);
    return;
  }
  fputc('"', f);
  for (const char *c = s; *c; c++) {
    if (*c == '"') fputc('"', f);
    fputc(*c, f);
  }
  fputc('"', f);
}

/* Hit h's value of field k as text, into buf when it is a number; NULL
 * when the hit has none. */
static const char *value_of(const out_hit *h, out_field k, char *buf,
                            size_t size) {
  switch (k) {
  case OUT_FIELD_RANK:
    snprintf(buf, size, "%u", h->rank);
    return buf;
  case OUT_FIELD_SCORE:
    snprintf(buf, size, "%.4f", isfinite(h->score) ? h->score : 0.0);
    return buf;
  case OUT_FIELD_ID:
    return h->id;
  case OUT_FIELD_DATE:
    return h->date;
  case OUT_FIELD_TITLE:
    return h->title;
  case OUT_FIELD_AUTHOR:
    return h->author;
  case OUT_FIELD_SOURCE:
    return h->source;
  case OUT_FIELD_URL:
    return h->url;
  case OUT_FIELD_SNIPPET:
    return h->snippet;
  default:
    return NULL;
  }
}

/* One hit as a JSON object of the fields. NULL if memory ran out. */
static json_t *hit_object(const out_hit *h, const out_field *fields, size_t n) {
  json_t *o = json_object();
  int rc = o ? 0 : -1;
  for (size_t i = 0; i < n && !rc; i++) {
    json_t *v = NULL;
    if (fields[i] == OUT_FIELD_RANK) {
      v = json_integer(h->rank);
    } else if (fields[i] == OUT_FIELD_SCORE) {
      double s = isfinite(h->score) ? round(h->score * 1e4) / 1e4 : 0;
      v = json_real(s);
    } else {
      char buf[32];
      const char *s = value_of(h, fields[i], buf, sizeof buf);
      if (!s) continue;
      char *clean = out_utf8_clean(s, strlen(s));
      v = clean ? json_string_nocheck(clean) : NULL;
      free(clean);
    }
    rc = v ? json_object_set_new_nocheck(o, out_field_name(fields[i]), v) : -1;
  }
  if (rc) {
    json_decref(o);
    return NULL;
  }
  return o;
}

int out_rows(FILE *f, const out_result *r, out_format fmt,
             const out_field *fields, size_t n_fields, bool header) {
  char sep = fmt == OUT_FORMAT_TSV ? '\t' : ',';
  if (fmt == OUT_FORMAT_JSONL) {
    for (size_t i = 0; i < r->n_hits; i++) {
      json_t *o = hit_object(&r->hits[i], fields, n_fields);
      char *js =
          o ? out_dump_json(o, JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))
            : NULL;
      json_decref(o);
      if (!js) return -1;
      fputs(js, f);
      fputc('\n', f);
      free(js);
    }
    return ferror(f) ? -1 : 0;
  }
  if (header) {
    for (size_t i = 0; i < n_fields; i++) {
      if (i) fputc(sep, f);
      fputs(out_field_name(fields[i]), f);
    }
    fputc('\n', f);
  }
  for (size_t h = 0; h < r->n_hits; h++) {
    for (size_t i = 0; i < n_fields; i++) {
      if (i) fputc(sep, f);
      char buf[32];
      const char *s = value_of(&r->hits[h], fields[i], buf, sizeof buf);
      /* No control characters (a title may hold an escape sequence) and
       * valid UTF-8: what a spreadsheet or a terminal shows as text. */
      char *clean = s ? cr_sanitize_for_terminal(s, strlen(s)) : NULL;
      if (s && !clean) return -1;
      out_csv_value(f, clean, sep);
      free(clean);
    }
    fputc('\n', f);
  }
  return ferror(f) ? -1 : 0;
}
