/* sources.h — what the index remembers about the files it was built from.
 *
 * For each input file, metadata "src:<absolute path>" holds its signature
 * "<size>:<mtime in ns>:<content hash>" (indexes from before the hash
 * hold "<size>:<mtime in ns>"; the hash is "x" and 16 hex digits of
 * XXH3-64, or in indexes from before it 16 hex digits of FNV-1a 64, still
 * understood), then ":<options tag>" when the file was
 * read with --encoding, --field or --id-prefix. A file whose size and time are
 * unchanged is skipped; so is one whose time changed but whose bytes did not (a
 * touch, a copy of the same file), since reading it again would let its
 * copy of an id win over a newer one from another file. A recorded file
 * that no longer exists can be pruned. The table is read
 * once, before any writer starts, so lookups need no locking. */
#ifndef CRONACA_SOURCES_H
#define CRONACA_SOURCES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "xapian_c.h"

#define SRC_META_PREFIX "src:"
/* "unpruned:<absolute path>": the file changed in a run without --prune,
 * so what it dropped is still indexed; the next --prune reads it again. */
#define SRC_UNPRUNED_PREFIX "unpruned:"

/* "resume:<absolute path>" = "<offset>:<lines>:<signature>": a run
 * stopped (Ctrl-C) inside this plain JSON Lines file, after every record
 * before byte <offset> (<lines> lines) was committed, in the same commit
 * as the mark; <signature> is the file's then. A later run (not --prune,
 * not --dry-run) over the same bytes, or those bytes with lines
 * appended, reads it from <offset>; any other change reads it whole. The
 * mark goes when the file has been read to its end. */
#define SRC_RESUME_PREFIX "resume:"

typedef struct src_entry {
  char *key;       /* absolute path */
  char *signature; /* "<size>:<mtime_ns>" */
} src_entry;

typedef struct src_table {
  src_entry *entries; /* sorted by key */
  size_t n, cap;
} src_table;

/* Loads every recorded signature from db: 0, or -1 with err filled. */
int src_table_load(src_table *t, cr_wdb *db, cr_error *err);
/* Loads the metadata under prefix (SRC_RESUME_PREFIX...) the same way:
 * keys without the prefix, values as the signatures. */
int src_table_load_prefix(src_table *t, cr_wdb *db, const char *prefix,
                          cr_error *err);
void src_table_free(src_table *t);
/* The recorded signature of key, or NULL. */
const char *src_table_get(const src_table *t, const char *key);
/* Formats a file's signature into buf; hash is 16 hex digits, or NULL
 * when unknown. */
void src_signature(char *buf, size_t size, int64_t bytes, int64_t mtime_ns,
                   const char *hash);
/* Appends ":<tag>" to a signature made with a hash, when tag is not ""
 * (the run's input options, in_options_tag: a file read with other
 * options, --encoding say, reads differently and is not unchanged). */
void src_signature_tag(char *buf, size_t size, const char *tag);
/* Whether signature known was read with the options of tag. */
bool src_same_tag(const char *known, const char *tag);
/* Room for a content hash and its NUL. */
#define SRC_HASH_SIZE 18
/* Signatures one read of a file compares it with, at most. */
#define SRC_MAX_PRIORS 2

/* A signature a file may have been before (the recorded one, a resume
 * mark's), and what one read of the file says of it. */
typedef struct src_prior {
  const char *signature; /* in; NULL: none */
  int64_t size;          /* the signature's size, -1 if it has none */
  bool same;             /* the file's bytes are the signature's, whole */
  bool grown;            /* the signature's bytes are the file's first ones
                            and end with a line break: lines were appended */
  uint64_t lines;        /* with grown: the lines in those bytes */
} src_prior;

/* Reads the file once: its content hash into hash, and for each of the n
 * priors (at most SRC_MAX_PRIORS) whether it is the same bytes or those
 * bytes grown, each compared in its own signature's hash (an older index's
 * FNV-1a is computed too when a prior holds one). false if the file
 * cannot be read. */
bool src_read_file(const char *path, char hash[SRC_HASH_SIZE],
                   src_prior *priors, size_t n);
/* The resume mark of a file stopped after byte offset (lines lines) of
 * it, whose signature was signature, into buf. */
void src_resume_mark(char *buf, size_t size, int64_t offset, uint64_t lines,
                     const char *signature);
/* The signature a resume mark was made on, NULL if mark is not one. */
const char *src_mark_signature(const char *mark);
/* Whether resume mark `mark` applies to the file whose read compared it
 * with the mark's signature (as_read), read with the options of tag: the
 * bytes the mark was made on are still the file's first ones. Then *from
 * and *from_line are where to read from. */
bool src_resume_point(const char *mark, const src_prior *as_read,
                      const char *tag, int64_t *from, uint64_t *from_line);
/* Whether signature known has the size and time of sig. */
bool src_same_time(const char *known, const char *sig);
#endif
