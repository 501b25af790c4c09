/* helpers.h — what several test files need: temporary directories,
 * running the two programs and capturing what they print. */
#ifndef CRONACA_TEST_HELPERS_H
#define CRONACA_TEST_HELPERS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

#include "impacts.h"
#include "xapian_c.h"

/* BM25's impacts for documents built in-process (cr_schema_build):
 * the defaults, over an average length of 100 words. */
const cr_impacts *th_impacts(void);

/* A fresh directory under $TMPDIR (or /tmp), removed by th_rmtree. The
 * returned string is malloc'd. */
char *th_mkdtemp(const char *tag);
/* rm -rf path (test scratch only). */
void th_rmtree(const char *path);

typedef struct th_run {
  int status; /* exit status, or 128 + signal number */
  char *out;  /* everything written to stdout, NUL-terminated */
  size_t out_len;
  char *err; /* everything written to stderr, NUL-terminated */
  size_t err_len;
} th_run;

/* Runs argv (argv[0] is a path) with stdin from stdin_text (NULL: empty),
 * waits for it and captures its output. */
th_run th_exec(char *const argv[], const char *stdin_text);

/* What a child runs under, for fault tests. Zero fields change nothing. */
typedef struct th_limits {
  unsigned uid;           /* run as this user (needs root), e.g. nobody */
  unsigned long max_file; /* RLIMIT_FSIZE in bytes: a "full disk" */
} th_limits;

/* th_exec, with the child under lim (NULL: none). */
th_run th_exec_limited(char *const argv[], const char *stdin_text,
                       const th_limits *lim);

/* Starts argv in the background with stdin and stdout on /dev/null and
 * stderr to err_path (NULL: /dev/null). Returns its pid. */
int th_spawn(char *const argv[], const char *err_path);
/* Waits for pid: its exit status, or 128 + signal number. */
int th_wait(int pid);

/* Runs bin with the arguments after stdin_text, up to a NULL (at most
 * 62), as th_exec does. */
th_run th_run_prog(const char *bin, const char *stdin_text, ...);
/* The indexer under test, quiet: INDEXER_BIN -q ARGS... NULL. */
th_run th_run_indexer(const char *stdin_text, ...);
/* The searcher under test: SEARCHER_BIN ARGS... NULL. */
th_run th_run_searcher(const char *stdin_text, ...);

/* The articles of the index (a directory or stub) holding term, or all its
 * articles for a NULL term; asserts the index opens. */
uint32_t th_index_count(const char *index, const char *term);

/* Suites that build their indexes once, before every test (in a
 * ReportHook(PRE_ALL)), keep a failure in DIR/setup-error, and each test
 * fails with it (th_check_setup) rather than on a missing index. */

/* Builds idx from path: `indexer -d IDX -q [--language LANGUAGE] PATH`.
 * false, the failure kept in dir, if the indexer failed. */
bool th_setup_index(const char *dir, const char *idx, const char *path,
                    const char *language);
/* Keeps what's failure (r's status and stderr) in DIR/setup-error. */
void th_setup_error(const char *dir, const char *what, const th_run *r);
/* Fails the test if DIR/setup-error holds a failure of the set-up. */
void th_check_setup(const char *dir);
/* The set-up's scratch directory, for the PRE_ALL hook: made under tag
 * and named in the environment variable env, through which each test's
 * own process finds it. malloc'd: th_setup_end frees it. */
char *th_setup_begin(const char *tag, const char *env);
/* For each test (its suite's .init): a copy of the set-up's directory
 * (malloc'd), once th_check_setup found no failure; the test fails if
 * the set-up never ran. */
char *th_setup_enter(const char *env);
/* For the POST_ALL hook: removes the set-up's directory, frees *dir. */
void th_setup_end(char **dir);

/* Runs `xapian-check INDEX`: its exit status (127 if it is missing). */
int th_xapian_check(const char *index);
/* Reads a whole file (malloc'd, NUL-terminated; NULL if unreadable). */
char *th_read_file(const char *path, size_t *len);
void th_run_free(th_run *r);

/* The JSON value text holds (json_decref it); fails the test, with the
 * text, when it is not JSON. */
json_t *th_json(const char *text);
/* dir/name in one of 8 static buffers, used in turn (so a call can hold
 * a few at once). */
char *th_path_in(const char *dir, const char *name);
/* Writes len bytes to path (creating parent directories). */
void th_write_file(const char *path, const char *data, size_t len);
/* True if path exists. */
bool th_exists(const char *path);

/* Binding calls that must succeed in a test: each asserts the call did,
 * with its message, and returns what it read (metadata and suggestions
 * malloc'd, NULL when absent; values valid until cr_mset_free). */

uint32_t th_doccount(cr_rdb *db);
uint32_t th_termfreq(cr_rdb *db, const char *term);
uint32_t th_wdb_doccount(cr_wdb *db);
uint32_t th_wdb_termfreq(cr_wdb *db, const char *term);
uint32_t th_mset_termfreq(const cr_mset *m, const char *term);
const char *th_mset_value(cr_mset *m, uint32_t i, unsigned slot, size_t *len);
const char *th_mset_data(cr_mset *m, uint32_t i, size_t *len);
char *th_rdb_metadata(cr_rdb *db, const char *key, size_t *len);
char *th_wdb_metadata(cr_wdb *db, const char *key, size_t *len);
char *th_spelling(cr_rdb *db, const char *word, unsigned max_edits);

#endif
