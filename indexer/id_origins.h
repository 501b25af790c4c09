/* id_origins.h — which file of this run each article id came from, so
 * that an id read again from another file (DICE's "57" meeting the
 * corpus's "57") is said aloud instead of silently replacing the first
 * article. One 64-bit hash of the id and a file number per id: 16 bytes
 * an article. */
#ifndef CRONACA_ID_ORIGINS_H
#define CRONACA_ID_ORIGINS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Ids of one file shown one by one before the rest are only counted. */
#define IO_SHOWN_PER_FILE 3

typedef struct id_origins id_origins;

id_origins *io_new(void);
void io_free(id_origins *t);

/* The reader starts a new input file (path: for messages). -1 if memory
 * ran out. */
int io_begin_file(id_origins *t, const char *path);

/* Notes an id read from the current file. When an earlier file of this
 * run gave it, true: for the file's first IO_SHOWN_PER_FILE such ids a
 * message for the user is in msg (else msg is ""), the others are
 * counted for io_end_file. */
bool io_note(id_origins *t, const char *id, char *msg, size_t size);

/* The current file is done: true with a message in msg when some of its
 * ids replaced other files' articles beyond those shown. */
bool io_end_file(id_origins *t, char *msg, size_t size);

#endif
