/* input_internal.h — what the input modules share (not for other callers).
 *
 *   input.c          walking paths, naming formats, dispatching in_read
 *   input_text.c     article text files (title, by-line, date, body)
 *   input_jsonl.c    JSON Lines, split line by line from any byte stream
 *   input_archive.c  libarchive: compressed streams, tar and zip members
 *   input_json.c     .json: a JSON array of articles, one object, or JSON
 *                    Lines (handed to input_jsonl.c)
 *   input_csv.c      CSV and TSV tables with a header row (libcsv)
 *   input_html.c     web pages (libxml2's HTML parser)
 *   input_fields.c   which JSON keys and CSV columns give which field
 *                    (--field), and the keys worth a warning
 *   input_encoding.c --encoding: a stream decoded to UTF-8 by iconv
 *
 * Every reader pulls bytes through an in_stream, so the same line splitter
 * and text parser serve a plain file, a gzip stream, standard input and a
 * member of a zip archive alike.
 */
#ifndef CRONACA_INPUT_INTERNAL_H
#define CRONACA_INPUT_INTERNAL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "input.h"

/* An article text file larger than this is not an article. */
#define IN_MAX_TEXT_BYTES ((size_t)64 << 20)
/* A JSON line longer than this is reported and skipped without being
 * held in memory (a 100 MB line is still read). */
#define IN_MAX_LINE_BYTES ((size_t)256 << 20)
/* Bytes asked of a stream at a time. */
#define IN_BLOCK ((size_t)256 << 10)

/* One in_read call: the file and where its articles and problems go. */
typedef struct in_reader {
  const in_file *file;      /* the input being read */
  in_article_fn article_fn; /* called once per article */
  in_problem_fn problem_fn; /* called once per bad record (may be NULL) */
  void *ctx;                /* passed to both */
  uint64_t consumed;        /* bytes of the file as stored read so far */
  int64_t record_end;       /* plain JSON Lines: the byte after the current
                               record's line (0: unknown) */
} in_reader;

/* A source of bytes. */
typedef struct in_stream {
  /* Reads up to n bytes into buf: the count, 0 at the end, -1 on error
   * (with error set). Updates the reader's consumed count. */
  ssize_t (*read)(struct in_stream *s, char *buf, size_t n);
  void *handle;        /* the fd (as intptr_t) or the struct archive */
  in_reader *r;        /* whose consumed count to update */
  const char *error;   /* why the last read failed */
  char error_buf[160]; /* room for error when it is formatted */
} in_stream;

/* Bytes of a .json file read into memory at most (the array is parsed
 * one element at a time, but the file is held whole). */
#define IN_MAX_JSON_BYTES ((size_t)1 << 30)

/* Reports a problem at file[:member][:line] through the reader's
 * problem_fn, printf-style. */
void in_report(const in_reader *r, const char *member, uint64_t line,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

/* A warning that skips nothing, once per call, through the options'
 * warn_fn (not for a file's later passes). */
void in_warn(const in_reader *r, const char *member, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Hands one article to the reader's callback, its id prefixed with the
 * run's --id-prefix. Returns what the callback returned. */
int in_emit(in_reader *r, cr_article *art, const char *member, uint64_t line);

/* The run's options (never NULL: defaults when none were given). */
const in_options *in_opts(const in_reader *r);

/* What to tell the user after "not UTF-8": a hint naming --encoding,
 * or "" when an encoding was given (then the bytes did not decode). */
const char *in_encoding_hint(const in_reader *r);

/* Offset of the first byte of s that is not valid UTF-8 (NUL counts as
 * invalid), or len. */
size_t in_utf8_invalid_at(const char *s, size_t len);

/* Reads a whole stream into a malloc'd, NUL-terminated buffer of at most
 * limit bytes; what says what kind of input for the message when it is
 * larger ("an article"). NULL on a read error or when too large
 * (reported). */
char *in_slurp(in_reader *r, in_stream *s, const char *member, size_t limit,
               const char *what, size_t *len_out);

/* Reads one stream in the given format (decoded from the run's
 * --encoding first, if any): the single entry to every reader. id: the
 * id of a one-article format (text, HTML). */
int in_read_stream(in_reader *r, in_stream *s, const char *member,
                   const char *id, enum in_format format);

/* ---- input_fields.c ---- */

/* The field a CSV column's name gives (--field first, then the usual
 * names and their synonyms: "headline", "publication_date"...), or -1;
 * *rank orders the columns that give one field (lowest wins). */
int in_field_of_column(const in_options *o, const char *name, int *rank);

/* The JSON keys read for a field, in order (--field keys first); n set. */
size_t in_field_keys(const in_options *o, enum in_field f, const char **keys,
                     size_t max);

/* The field (title, date, author) a key not read looks like, or -1. */
int in_field_looks_like(const char *key);

/* ---- readers ---- */

/* Routes jansson's allocations through a failure flag (once). */
void in_json_alloc_hook(void);

/* A .json file: an array of article objects, one object, or JSON Lines. */
int in_read_json_stream(in_reader *r, in_stream *s, const char *member);

/* A CSV (or, for .tsv, tab-separated) table with a header row. */
int in_read_csv_stream(in_reader *r, in_stream *s, const char *member,
                       char delimiter);

/* A web page as one article. */
int in_read_html_stream(in_reader *r, in_stream *s, const char *member,
                        const char *id);

/* The article of one parsed JSON object (a JSON Lines line, an element of
 * an array): reported and 0 when it is no article, else what the article
 * callback returned. raw, raw_len: the record's bytes (the id of a record
 * from standard input without one). warned: the fields already warned
 * about in this file (a bit per field), updated. */
struct json_t;
int in_json_article(in_reader *r, const char *member, uint64_t line_no,
                    struct json_t *obj, const char *raw, size_t raw_len,
                    unsigned *warned);

/* ---- input_encoding.c ---- */

/* A stream that decodes another from encoding into UTF-8 (iconv). */
typedef struct in_decoder in_decoder;

/* Wraps inner into out, which reads UTF-8. NULL with the reason reported
 * when iconv does not know the encoding. */
in_decoder *in_decoder_open(in_reader *r, in_stream *inner, const char *member,
                            in_stream *out);
void in_decoder_close(in_decoder *d);

/* Names a file's format from its name; false for names that are no input.
 * *compressed: a .gz/.zst/.xz/.bz2 suffix around the format. */
bool in_classify(const char *name, enum in_format *format, bool *compressed);

/* Reads a whole stream as one article text; id is the article's id. */
int in_read_text_stream(in_reader *r, in_stream *s, const char *member,
                        const char *id);

/* Reads a stream of JSON Lines, one article per line. */
int in_read_jsonl_stream(in_reader *r, in_stream *s, const char *member);

/* Reads a single compressed stream (or standard input), then hands it to
 * the text or JSON Lines reader. */
int in_read_compressed(in_reader *r);

/* Reads a tar or zip archive, every member by its own name. */
int in_read_archive(in_reader *r);

#endif
