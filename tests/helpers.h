/* helpers.h — what several test files need: temporary directories,
 * running the two programs and capturing what they print. */
#ifndef CRONACA_TEST_HELPERS_H
#define CRONACA_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>

/* A fresh directory under $TMPDIR (or /tmp), removed by th_rmtree. The
 * returned string is malloc'd. */
char *th_mkdtemp(const char *tag);
/* rm -rf path (test scratch only). */
void th_rmtree(const char *path);

typedef struct th_run {
  int status;       /* exit status, or 128 + signal number */
  char *out;        /* everything written to stdout, NUL-terminated */
  size_t out_len;
  char *err;        /* everything written to stderr, NUL-terminated */
  size_t err_len;
} th_run;

/* Runs argv (argv[0] is a path) with stdin from stdin_text (NULL: empty),
 * waits for it and captures its output. */
th_run th_exec(char *const argv[], const char *stdin_text);
void th_run_free(th_run *r);

/* Writes len bytes to path (creating parent directories). */
void th_write_file(const char *path, const char *data, size_t len);
/* True if path exists. */
bool th_exists(const char *path);

#endif
