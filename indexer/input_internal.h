/* input_internal.h — what the input modules share (not for other callers).
 *
 *   input.c          walking paths, naming formats, dispatching in_read
 *   input_text.c     article text files (title, by-line, date, body)
 *   input_jsonl.c    JSON Lines, split line by line from any byte stream
 *   input_archive.c  libarchive: compressed streams, tar and zip members
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

/* Reports a problem at file[:member][:line] through the reader's
 * problem_fn, printf-style. */
void in_report(const in_reader *r, const char *member, uint64_t line,
               const char *fmt, ...) __attribute__((format(printf, 4, 5)));

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
