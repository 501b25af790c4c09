/* error.h — how the library reports failure.
 *
 * Every call that can fail returns a status (0 on success, -1 on failure)
 * and, when given a cr_error, fills it with a code and a message written
 * for the user: what went wrong, where, and what to do about it.
 */
#ifndef CRONACA_ERROR_H
#define CRONACA_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

enum cr_error_code {
  CR_OK = 0,
  CR_E_GENERIC,     /* anything without a more precise code */
  CR_E_NOMEM,       /* out of memory */
  CR_E_IO,          /* a file could not be read or written */
  CR_E_NOT_FOUND,   /* no such index, document or file */
  CR_E_LOCKED,      /* another writer holds the index */
  CR_E_MODIFIED,    /* the index changed under a reader: reopen and retry */
  CR_E_CORRUPT,     /* the index is damaged */
  CR_E_NETWORK,     /* a remote shard could not be reached */
  CR_E_INVALID,     /* bad argument or input */
  CR_E_UNSUPPORTED, /* the databases cannot do this (a remote shard) */
};

typedef struct cr_error {
  int code;          /* one of enum cr_error_code */
  char message[512]; /* NUL-terminated, for the user */
} cr_error;

/* Fills err (if not NULL) with code and a printf-formatted message. */
void cr_error_set(cr_error *err, int code, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Resets err to CR_OK with an empty message. */
void cr_error_clear(cr_error *err);

#ifdef __cplusplus
}
#endif
#endif
