/* sources.h — what the index remembers about the files it was built from.
 *
 * For each input file, metadata "src:<absolute path>" holds its signature
 * "<size>:<mtime in ns>:<content hash>" (indexes from before the hash
 * hold "<size>:<mtime in ns>"), then ":<options tag>" when the file was
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
/* Whether the file at path, now new_size bytes, is the file signature
 * known describes with lines appended: its first <size> bytes have the
 * recorded content hash and end with a line break. Then *from is that
 * size and *from_line the number of lines in it. */
bool src_appended(const char *known, const char *path, int64_t new_size,
                  int64_t *from, uint64_t *from_line);
/* The resume mark of a file stopped after byte offset (lines lines) of
 * it, whose signature was signature, into buf. */
void src_resume_mark(char *buf, size_t size, int64_t offset, uint64_t lines,
                     const char *signature);
/* Whether resume mark `mark` applies to the file at path, now new_size
 * bytes with content hash `hash`, read with the options of tag: the bytes
 * the mark was made on are still the file's first ones. Then *from and
 * *from_line are where to read from. */
bool src_resume_point(const char *mark, const char *path, int64_t new_size,
                      const char *hash, const char *tag, int64_t *from,
                      uint64_t *from_line);
/* 16 hex digits of a 64-bit FNV-1a of the file's bytes as stored, into
 * hash; false if the file cannot be read. */
bool src_content_hash(const char *path, char hash[17]);
/* Whether signature known has the size and time of sig. */
bool src_same_time(const char *known, const char *sig);
/* Whether signature known names a file of this size and content hash
 * (never when it holds no hash, or hash is NULL). */
bool src_same_bytes(const char *known, int64_t bytes, const char *hash);

#endif
