/* input_csv.c — CSV tables (RFC 4180, parsed by libcsv): a header row
 * naming the columns, then one article per row.
 *
 *   id,url,title,sub title,text,publication_date
 *   57,https://...,"Titolo, con virgola","","Testo
 *   su più righe, ""citato""",2022-09-06
 *
 * Columns are matched to fields by name (input_fields.c: the JSON names,
 * their synonyms such as headline or publication_date, and --field);
 * other columns are ignored. The separator is ',' unless the header holds
 * more ';' (Excel in Italian) or tabs; a .tsv file is tab-separated.
 *
 * The stream is fed to libcsv a line at a time, so every row is known by
 * the line it starts on (a quoted field may hold line breaks), and memory
 * follows the longest row. A bad row (a stray quote, a count of fields
 * that is not the header's) is reported as FILE:LINE and skipped; a row
 * longer than IN_MAX_LINE_BYTES (an unclosed quote, most often) ends the
 * file.
 */
#include <csv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dates.h"
#include "input_internal.h"

typedef struct csv_reader {
  in_reader *r;
  const char *member;
  /* The row being parsed: its fields as offsets into buf. */
  char *buf;
  size_t have, cap;
  size_t *starts, *lens;
  size_t n_fields, cap_fields;
  bool oom;          /* memory ran out inside this row */
  uint64_t row_line; /* the line the row starts on */
  bool row_started;  /* a byte of the row has been fed */
  /* The header. */
  bool have_header;
  size_t n_columns;
  int field_column[IN_N_FIELDS]; /* column of each field, -1 none */
  bool no_text; /* the header names no text column: reported once */
  int rc;       /* what the article callback returned: non-zero stops */
} csv_reader;

static void on_field(void *s, size_t len, void *data) {
  csv_reader *c = data;
  if (c->oom) return;
  if (c->n_fields == c->cap_fields) {
    size_t cap = c->cap_fields ? c->cap_fields * 2 : 16;
    size_t *st = realloc(c->starts, cap * sizeof *st);
    if (st) c->starts = st;
    size_t *ln = st ? realloc(c->lens, cap * sizeof *ln) : NULL;
    if (!ln) {
      c->oom = true;
      return;
    }
    c->lens = ln;
    c->cap_fields = cap;
  }
  if (c->have + len + 1 > c->cap) {
    size_t cap = c->cap ? c->cap : 4096;
    while (cap < c->have + len + 1)
      cap *= 2;
    char *b = realloc(c->buf, cap);
    if (!b) {
      c->oom = true;
      return;
    }
    c->buf = b;
    c->cap = cap;
  }
  if (len) memcpy(c->buf + c->have, s, len);
  c->starts[c->n_fields] = c->have;
  c->lens[c->n_fields] = len;
  c->have += len;
  c->buf[c->have++] = '\0';
  c->n_fields++;
}

static const char *field(csv_reader *c, size_t i) {
  return c->buf + c->starts[i];
}

/* A field's value, NULL when there is no such column or it is blank. */
static const char *value(csv_reader *c, enum in_field f, size_t *len) {
  int col = c->field_column[f];
  if (col < 0) return NULL;
  const char *s = field(c, (size_t)col);
  size_t n = c->lens[col];
  while (n > 0 && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n')) {
    s++;
    n--;
  }
  if (n == 0) return NULL;
  if (len) *len = n;
  return s;
}

static void take_header(csv_reader *c) {
  in_reader *r = c->r;
  const in_options *o = in_opts(r);
  int rank[IN_N_FIELDS];
  for (int f = 0; f < IN_N_FIELDS; f++) {
    c->field_column[f] = -1;
    rank[f] = 99;
  }
  c->n_columns = c->n_fields;
  /* A byte order mark before the first name. */
  if (c->n_fields && c->lens[0] >= 3 &&
      memcmp(field(c, 0), "\xEF\xBB\xBF", 3) == 0) {
    c->starts[0] += 3;
    c->lens[0] -= 3;
  }
  for (size_t i = 0; i < c->n_fields; i++) {
    int k;
    int f = in_field_of_column(o, field(c, i), &k);
    if (f >= 0 && k < rank[f]) {
      c->field_column[f] = (int)i;
      rank[f] = k;
    }
  }
  c->have_header = true;
  if (c->field_column[IN_F_TEXT] < 0) {
    c->no_text = true;
    in_report(r, c->member, c->row_line,
              "the header names no text column (text, body, content, testo, "
              "...): use --field text=COLUMN; the file is not read");
  }
}

static void take_row(csv_reader *c) {
  in_reader *r = c->r;
  uint64_t line = c->row_line;
  if (c->no_text) return;
  if (c->n_fields != c->n_columns) {
    in_report(r, c->member, line, "%zu fields, but the header has %zu%s",
              c->n_fields, c->n_columns,
              c->n_fields < c->n_columns
                  ? ""
                  : " (a separator in a field not quoted?)");
    return;
  }
  size_t text_len = 0;
  const char *text = value(c, IN_F_TEXT, &text_len);
  if (!text) {
    in_report(r, c->member, line, "empty text");
    return;
  }
  if (in_utf8_invalid_at(text, text_len) < text_len) {
    in_report(r, c->member, line, "invalid UTF-8 in the text%s",
              in_encoding_hint(r));
    return;
  }
  char id_buf[4096];
  const char *id = value(c, IN_F_ID, NULL);
  if (!id) {
    snprintf(id_buf, sizeof id_buf, "%s%s%s:%llu", r->file->id_base,
             c->member ? "/" : "", c->member ? c->member : "",
             (unsigned long long)line);
    id = id_buf;
  }
  char date_buf[11];
  size_t date_len = 0;
  const char *date = value(c, IN_F_DATE, &date_len);
  if (date && !cr_date_parse(date, date_len, true, date_buf)) date = NULL;
  cr_article art = {
      .id = id,
      .title = value(c, IN_F_TITLE, NULL),
      .text = text,
      .text_len = text_len,
      .date = date ? date_buf : NULL,
      .author = value(c, IN_F_AUTHOR, NULL),
      .source = value(c, IN_F_SOURCE, NULL),
      .url = value(c, IN_F_URL, NULL),
      .origin = r->file->key,
  };
  /* Fields other than the text must be valid UTF-8 too: one that is
   * not is left out rather than losing the row. */
  const char **opt[] = {&art.title, &art.author, &art.source, &art.url,
                        &art.id};
  for (size_t i = 0; i < sizeof opt / sizeof *opt; i++) {
    const char *s = *opt[i];
    if (s && in_utf8_invalid_at(s, strlen(s)) < strlen(s)) {
      if (opt[i] == &art.id) {
        in_report(r, c->member, line, "invalid UTF-8 in the id%s",
                  in_encoding_hint(r));
        return;
      }
      *opt[i] = NULL;
    }
  }
  c->rc = in_emit(r, &art, c->member, line);
}

static void on_row(int term, void *data) {
  (void)term;
  csv_reader *c = data;
  if (c->rc == 0) {
    if (c->oom)
      in_report(c->r, c->member, c->row_line, "out of memory");
    else if (!c->have_header)
      take_header(c);
    else
      take_row(c);
  }
  c->have = 0;
  c->n_fields = 0;
  c->oom = false;
  c->row_started = false;
}

/* The separator the header line uses: the most frequent of , ; and tab
 * outside quotes. */
static char guess_delimiter(const char *s, size_t n) {
  size_t comma = 0, semi = 0, tab = 0;
  bool quoted = false;
  for (size_t i = 0; i < n && s[i] != '\n'; i++) {
    if (s[i] == '"') quoted = !quoted;
    if (quoted) continue;
    comma += s[i] == ',';
    semi += s[i] == ';';
    tab += s[i] == '\t';
  }
  if (semi > comma && semi >= tab) return ';';
  if (tab > comma && tab > semi) return '\t';
  return ',';
}

static bool blank_piece(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != '\r' && s[i] != '\n' && s[i] != ' ' && s[i] != '\t')
      return false;
  return true;
}

int in_read_csv_stream(in_reader *r, in_stream *s, const char *member,
                       char delimiter) {
  csv_reader c = {.r = r, .member = member};
  struct csv_parser p;
  char *block = malloc(IN_BLOCK);
  if (!block || csv_init(&p, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    free(block);
    in_report(r, member, 0, "out of memory");
    return -1;
  }
  uint64_t line = 1;
  uint64_t total = 0;
  size_t row_bytes = 0;
  bool first = true;
  unsigned char delim = (unsigned char)(delimiter ? delimiter : ',');
  int rc = 0;
  for (;;) {
    ssize_t k = s->read(s, block, IN_BLOCK);
    if (k < 0) {
      in_report(r, member, line, "%s", s->error ? s->error : "read error");
      rc = -1;
      break;
    }
    if (k == 0) break;
    total += (uint64_t)k;
    if (first) {
      if (!delimiter) delim = (unsigned char)guess_delimiter(block, (size_t)k);
      csv_set_delim(&p, delim);
      first = false;
    }
    /* One line at a time, so rows know their lines. */
    size_t pos = 0;
    while (pos < (size_t)k && c.rc == 0 && rc == 0) {
      const char *nl = memchr(block + pos, '\n', (size_t)k - pos);
      size_t end = nl ? (size_t)(nl - block) + 1 : (size_t)k;
      if (!c.row_started && !blank_piece(block + pos, end - pos)) {
        c.row_started = true;
        c.row_line = line;
        row_bytes = 0;
      }
      row_bytes += end - pos;
      size_t done = csv_parse(&p, block + pos, end - pos, on_field, on_row, &c);
      if (done < end - pos) {
        /* A stray quote: the row is skipped, the next line starts anew. */
        if (c.rc == 0)
          in_report(r, member, c.row_line, "bad quoting (line %llu): %s",
                    (unsigned long long)line, csv_strerror(csv_error(&p)));
        csv_free(&p);
        csv_init(&p, CSV_STRICT | CSV_STRICT_FINI);
        csv_set_delim(&p, delim);
        c.have = c.n_fields = 0;
        c.row_started = false;
        if (!nl) {
          /* The rest of this long line is the bad row's: skip to its end. */
          end = (size_t)k;
        }
      }
      if (nl) line++;
      pos = end;
      if (c.row_started && row_bytes > IN_MAX_LINE_BYTES) {
        in_report(r, member, c.row_line,
                  "row too long (over %zu MB: a quote not closed?); the rest "
                  "of the file is not read",
                  IN_MAX_LINE_BYTES >> 20);
        rc = -1;
      }
    }
    if (c.rc != 0 || rc != 0) break;
  }
  if (rc == 0 && c.rc == 0) {
    if (csv_fini(&p, on_field, on_row, &c) != 0)
      in_report(r, member, c.row_line,
                "a quoted field is not closed at the end of the file");
    if (total == 0 && strcmp(r->file->path, "-") != 0)
      in_report(r, member, 0, "empty file");
  }
  csv_free(&p);
  free(block);
  free(c.buf);
  free(c.starts);
  free(c.lens);
  return c.rc != 0 ? c.rc : rc;
}
