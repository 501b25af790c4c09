/* input.h — finding input files and turning them into articles.
 *
 * in_walk enumerates what the user named (a file, a directory walked
 * recursively in sorted order, or "-" for standard input); in_read parses
 * one input, whatever its format, and calls back once per article and
 * once per bad record. Formats are chosen by name:
 *   .txt                         article text (title, author/date, body)
 *   .jsonl .ndjson               JSON Lines
 *   .json                        a JSON array of articles, one object, or
 *                                JSON Lines
 *   .csv .tsv                    a table with a header row, one article a row
 *   .html .htm                   one web page, one article
 *   X.gz X.zst X.xz              X, decompressed on the fly
 *   .tar .tar.* .tgz .zip        archives: every member read by its name
 *   -                            JSON Lines on standard input
 * Anything else found while walking a directory is passed over in
 * silence (a directory may hold pictures); a file named explicitly is
 * read as article text.
 */
#ifndef CRONACA_INPUT_H
#define CRONACA_INPUT_H

#include <stdbool.h>
#include <stdint.h>

#include "article.h"

enum in_format {
  IN_TEXT,    /* one article per file */
  IN_JSONL,   /* one article per line */
  IN_ARCHIVE, /* tar / zip: members are read by their own names */
  IN_JSON,    /* a JSON array of articles, one object, or JSON Lines */
  IN_CSV,     /* a header row, then one article per row */
  IN_HTML,    /* one web page */
};

/* The article fields a record's keys (JSON) or columns (CSV) map to. */
enum in_field {
  IN_F_ID,
  IN_F_TITLE,
  IN_F_TEXT,
  IN_F_DATE,
  IN_F_AUTHOR,
  IN_F_SOURCE,
  IN_F_URL,
  IN_N_FIELDS
};

/* How many --field keys one field may be given. */
#define IN_MAX_FIELD_KEYS 8

/* What the user said about the inputs of this run (indexer options); the
 * same for every file. A NULL in_options is all defaults. */
typedef struct in_options {
  const char *encoding;  /* iconv name of the inputs' encoding ("latin1",
                            "cp1252"); NULL: UTF-8 */
  const char *id_prefix; /* prepended to every article id; NULL: none */
  /* --field FIELD=KEY: keys read for a field before its usual names. */
  const char *field_keys[IN_N_FIELDS][IN_MAX_FIELD_KEYS];
  unsigned n_field_keys[IN_N_FIELDS];
  /* Warnings that skip nothing (a key that looks like a title but is not
   * read): where is "file[:member]"; NULL: not printed. */
  void (*warn_fn)(const char *where, const char *message, void *ctx);
  void *warn_ctx;
} in_options;

/* Adds "FIELD=KEY" (--field title=headline) to o. Returns 0, or -1 with
 * a message in err. */
int in_options_add_field(in_options *o, const char *spec, char *err,
                         size_t err_size);

/* Whether iconv can read encoding into UTF-8 (for --encoding). */
bool in_encoding_known(const char *encoding);

/* 16 hex digits naming the options that change how a file reads
 * (encoding, id prefix, field keys) into tag; "" for the defaults. */
void in_options_tag(const in_options *o, char tag[17]);

/* The name of a field ("title"). */
const char *in_field_name(enum in_field f);

typedef struct in_file {
  const char *path;    /* as given or found, for messages ("-" for stdin) */
  const char *key;     /* stable identity across runs (absolute path);
                          NULL for stdin, which is never skipped */
  const char *id_base; /* path relative to the root the user named: the id
                          of a text article */
  int64_t size;        /* bytes on disk (-1 unknown) */
  int64_t mtime_ns;    /* modification time (0 unknown) */
  enum in_format format;
  bool compressed;           /* .gz/.zst/.xz around the format */
  const in_options *options; /* the run's input options (NULL: defaults) */
  bool quiet_warnings;       /* a later pass over the same file: its
                                warnings were given already */
  int64_t start_offset;      /* plain JSON Lines only: read from this byte
                                (an append: what precedes is indexed
                                already); 0: from the start */
  uint64_t start_line;       /* the lines before start_offset */
} in_file;

/* Where a record came from, for messages: "dump.jsonl:12",
 * "archive.tar.gz:notizie/a.txt", "archive.zip:dump.jsonl:7". */
typedef struct in_where {
  const char *path;   /* the input file */
  const char *member; /* archive member, or NULL */
  uint64_t line;      /* 1-based line (JSON Lines), 0 for a whole file */
  uint64_t consumed;  /* bytes of the file (as stored, compressed or not)
                         read so far: for progress */
  int64_t record_end; /* plain (uncompressed, not an archive member) JSON
                         Lines: the byte after this record's line, where a
                         read resumed after it starts; 0: unknown */
} in_where;

/* Return 0 to go on, non-zero to stop the walk/read (returned as is). */
typedef int (*in_file_fn)(const in_file *file, void *ctx);
typedef int (*in_article_fn)(const cr_article *article, const in_where *where,
                             void *ctx);
/* A bad record or unreadable file: reported, skipped, counted. */
typedef void (*in_problem_fn)(const in_where *where, const char *reason,
                              void *ctx);

/* Calls file_fn for each input under path, sorted by name. Unreadable
 * paths go to problem_fn. Returns 0, or what a callback returned. */
int in_walk(const char *path, in_file_fn file_fn, in_problem_fn problem_fn,
            void *ctx);

/* How an in_read ended. */
typedef enum in_status {
  IN_READ_DONE = 0,    /* read to its end (bad records reported, skipped) */
  IN_READ_STOPPED = 1, /* article_fn returned non-zero: the read stopped */
  IN_READ_FAILED = -1, /* not read, or not to its end: it could not be
                          opened, or a read error cut it short (reported
                          to problem_fn) */
} in_status;

/* Reads one input and calls article_fn for each article in it. Article
 * strings are valid only during the callback. Articles read from a file
 * get origin = file->key. */
in_status in_read(const in_file *file, in_article_fn article_fn,
                  in_problem_fn problem_fn, void *ctx);

/* Room for a by-line and its NUL (header lines are at most 80 bytes). */
#define IN_AUTHOR_BYTES 96

/* Parses one article-text file's contents (the seed's shape): first
 * non-empty line the title, up to three short lines for author and date,
 * then the rest. Fills art (title, author, date, text) with pointers into
 * text, whose title line it NUL-terminates in place, into date_buf (the
 * normalised date) and into author_buf. The header lines stay the body's
 * first lines (they add fields, never remove words); text that fits no
 * pattern becomes the body whole. */
void in_parse_article_text(char *text, size_t len, cr_article *art,
                           char date_buf[11], char author_buf[IN_AUTHOR_BYTES]);

#endif
