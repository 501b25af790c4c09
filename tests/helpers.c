/* helpers.c — temporary directories and program runs for the tests. */
#include "helpers.h"

#include <criterion/criterion.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

char *th_mkdtemp(const char *tag) {
  const char *tmp = getenv("TMPDIR");
  char buf[4096];
  snprintf(buf, sizeof buf, "%s/cronaca-%s-XXXXXX", tmp && *tmp ? tmp : "/tmp",
           tag);
  if (!mkdtemp(buf)) {
    perror("mkdtemp");
    abort();
  }
  return strdup(buf);
}

void th_rmtree(const char *path) {
  if (!path || !*path || strcmp(path, "/") == 0) return;
  char *const argv[] = {"/bin/rm", "-rf", (char *)path, NULL};
  th_run r = th_exec(argv, NULL);
  th_run_free(&r);
}

static void append(char **buf, size_t *len, size_t *cap, const char *data,
                   size_t n) {
  if (*len + n + 1 > *cap) {
    size_t want = (*cap ? *cap * 2 : 4096);
    while (want < *len + n + 1)
      want *= 2;
    *buf = realloc(*buf, want);
    *cap = want;
  }
  memcpy(*buf + *len, data, n);
  *len += n;
  (*buf)[*len] = '\0';
}

/* In the child, before exec: the limits asked for. A failure here is the
 * test's own fault, reported as exit 126. */
static void apply_limits(const th_limits *lim) {
  if (!lim) return;
  if (lim->max_file) {
    /* Ignored, SIGXFSZ becomes EFBIG from write(): a full disk, not a
     * killed process. */
    signal(SIGXFSZ, SIG_IGN);
    struct rlimit rl = {lim->max_file, lim->max_file};
    if (setrlimit(RLIMIT_FSIZE, &rl) != 0) _exit(126);
  }
  if (lim->uid && (setgid(lim->uid) != 0 || setuid(lim->uid) != 0)) _exit(126);
}

/* Execs argv; the two programs under CRONACA_TEST_WRAPPER when it is set
 * (scripts/valgrind.sh: "valgrind --tool=memcheck ..."), split on spaces;
 * only the searcher when CRONACA_TEST_WRAP_SEARCHER_ONLY is set
 * (scripts/helgrind.sh: the indexer under helgrind would take hours). */
static void exec_program(char *const argv[]) {
  const char *w = getenv("CRONACA_TEST_WRAPPER");
  bool indexer_too = !getenv("CRONACA_TEST_WRAP_SEARCHER_ONLY");
  if (w && *w &&
      ((indexer_too && strcmp(argv[0], INDEXER_BIN) == 0) ||
       strcmp(argv[0], SEARCHER_BIN) == 0)) {
    char *words = strdup(w);
    char *args[96];
    size_t n = 0;
    for (char *t = strtok(words, " "); t && n < 32; t = strtok(NULL, " "))
      args[n++] = t;
    for (size_t i = 0; argv[i] && n < 95; i++)
      args[n++] = argv[i];
    args[n] = NULL;
    execvp(args[0], args);
  }
  execv(argv[0], argv);
}

th_run th_exec(char *const argv[], const char *stdin_text) {
  return th_exec_limited(argv, stdin_text, NULL);
}

th_run th_exec_limited(char *const argv[], const char *stdin_text,
                       const th_limits *lim) {
  th_run r = {0};
  int in[2], out[2], err[2];
  if (pipe(in) || pipe(out) || pipe(err)) abort();
  pid_t pid = fork();
  if (pid < 0) abort();
  if (pid == 0) {
    dup2(in[0], 0);
    dup2(out[1], 1);
    dup2(err[1], 2);
    close(in[0]);
    close(in[1]);
    close(out[0]);
    close(out[1]);
    close(err[0]);
    close(err[1]);
    apply_limits(lim);
    exec_program(argv);
    fprintf(stderr, "cannot run %s: %s\n", argv[0], strerror(errno));
    _exit(127);
  }
  close(in[0]);
  close(out[1]);
  close(err[1]);
  const char *pending = stdin_text ? stdin_text : "";
  size_t pending_len = strlen(pending);
  if (pending_len == 0) {
    close(in[1]);
    in[1] = -1;
  } else
    fcntl(in[1], F_SETFL, O_NONBLOCK);
  size_t out_cap = 0, err_cap = 0;
  append(&r.out, &r.out_len, &out_cap, "", 0);
  append(&r.err, &r.err_len, &err_cap, "", 0);
  int open_fds = 2;
  while (open_fds > 0 || in[1] >= 0) {
    struct pollfd fds[3] = {
        {out[0], POLLIN, 0}, {err[0], POLLIN, 0}, {in[1], POLLOUT, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      abort();
    }
    char chunk[65536];
    for (int k = 0; k < 2; k++) {
      if (fds[k].fd < 0 || !(fds[k].revents & (POLLIN | POLLHUP | POLLERR)))
        continue;
      ssize_t n = read(fds[k].fd, chunk, sizeof chunk);
      if (n <= 0) {
        close(fds[k].fd);
        if (k == 0)
          out[0] = -1;
        else
          err[0] = -1;
        open_fds--;
      } else if (k == 0) {
        append(&r.out, &r.out_len, &out_cap, chunk, (size_t)n);
      } else {
        append(&r.err, &r.err_len, &err_cap, chunk, (size_t)n);
      }
    }
    if (in[1] >= 0 && (fds[2].revents & (POLLOUT | POLLERR | POLLHUP))) {
      ssize_t n = write(in[1], pending, pending_len);
      if (n > 0) {
        pending += n;
        pending_len -= (size_t)n;
      }
      if (n < 0 && errno != EAGAIN) pending_len = 0;
      if (pending_len == 0) {
        close(in[1]);
        in[1] = -1;
      }
    }
  }
  int status = 0;
  waitpid(pid, &status, 0);
  r.status = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  return r;
}

void th_run_free(th_run *r) {
  free(r->out);
  free(r->err);
  r->out = r->err = NULL;
}

void th_write_file(const char *path, const char *data, size_t len) {
  char dir[4096];
  snprintf(dir, sizeof dir, "%s", path);
  for (char *p = dir + 1; *p; p++) {
    if (*p == '/') {
      *p = '\0';
      mkdir(dir, 0777);
      *p = '/';
    }
  }
  FILE *f = fopen(path, "wb");
  if (!f) {
    perror(path);
    abort();
  }
  fwrite(data, 1, len, f);
  fclose(f);
}

bool th_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int th_spawn(char *const argv[], const char *err_path) {
  pid_t pid = fork();
  if (pid < 0) abort();
  if (pid == 0) {
    int null = open("/dev/null", O_RDWR);
    int err =
        err_path ? open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644) : null;
    dup2(null, 0);
    dup2(null, 1);
    dup2(err >= 0 ? err : null, 2);
    execv(argv[0], argv);
    _exit(127);
  }
  return pid;
}

int th_wait(int pid) {
  int status = 0;
  while (waitpid(pid, &status, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int th_xapian_check(const char *index) {
  char *const argv[] = {"/usr/bin/xapian-check", (char *)index, NULL};
  th_run r = th_exec(argv, NULL);
  int status = r.status;
  if (status != 0)
    fprintf(stderr, "xapian-check %s:\n%s%s", index, r.out, r.err);
  th_run_free(&r);
  return status;
}

char *th_read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  char *buf = NULL;
  size_t n = 0, cap = 0;
  append(&buf, &n, &cap, "", 0);
  char chunk[65536];
  size_t got;
  while ((got = fread(chunk, 1, sizeof chunk, f)) > 0)
    append(&buf, &n, &cap, chunk, got);
  fclose(f);
  if (len) *len = n;
  return buf;
}

/* ---- Binding calls that must succeed ----------------------------------- */

#define TH_MUST(call)                                                          \
  do {                                                                         \
    cr_error e_;                                                               \
    cr_error_clear(&e_);                                                       \
    int rc_ = (call);                                                          \
    cr_assert_eq(rc_, 0, "%s: %s", #call, e_.message);                         \
  } while (0)

uint32_t th_doccount(cr_rdb *db) {
  uint32_t n;
  TH_MUST(cr_rdb_doccount(db, &n, &e_));
  return n;
}

uint32_t th_termfreq(cr_rdb *db, const char *term) {
  uint32_t n;
  TH_MUST(cr_rdb_termfreq(db, term, &n, &e_));
  return n;
}

uint32_t th_wdb_doccount(cr_wdb *db) {
  uint32_t n;
  TH_MUST(cr_wdb_doccount(db, &n, &e_));
  return n;
}

uint32_t th_wdb_termfreq(cr_wdb *db, const char *term) {
  uint32_t n;
  TH_MUST(cr_wdb_termfreq(db, term, &n, &e_));
  return n;
}

uint32_t th_mset_termfreq(const cr_mset *m, const char *term) {
  uint32_t n;
  TH_MUST(cr_mset_termfreq(m, term, &n, &e_));
  return n;
}

const char *th_mset_value(cr_mset *m, uint32_t i, unsigned slot, size_t *len) {
  const char *v;
  TH_MUST(cr_mset_value(m, i, slot, &v, len, &e_));
  return v;
}

const char *th_mset_data(cr_mset *m, uint32_t i, size_t *len) {
  const char *v;
  TH_MUST(cr_mset_data(m, i, &v, len, &e_));
  return v;
}

char *th_rdb_metadata(cr_rdb *db, const char *key, size_t *len) {
  char *v;
  TH_MUST(cr_rdb_get_metadata(db, key, &v, len, &e_));
  return v;
}

char *th_wdb_metadata(cr_wdb *db, const char *key, size_t *len) {
  char *v;
  TH_MUST(cr_wdb_get_metadata(db, key, &v, len, &e_));
  return v;
}

char *th_spelling(cr_rdb *db, const char *word, unsigned max_edits) {
  char *v;
  TH_MUST(cr_rdb_spelling_suggestion(db, word, max_edits, &v, &e_));
  return v;
}

/* th_exec of the head arguments, then those of ap up to a NULL. */
static th_run exec_va(const char *const *head, size_t n_head,
                      const char *stdin_text, va_list ap) {
  char *argv[64];
  size_t n = 0;
  for (; n < n_head; n++)
    argv[n] = (char *)head[n];
  for (const char *a; n < 63 && (a = va_arg(ap, const char *)) != NULL;)
    argv[n++] = (char *)a;
  argv[n] = NULL;
  return th_exec(argv, stdin_text);
}

th_run th_run_prog(const char *bin, const char *stdin_text, ...) {
  const char *head[] = {bin};
  va_list ap;
  va_start(ap, stdin_text);
  th_run r = exec_va(head, 1, stdin_text, ap);
  va_end(ap);
  return r;
}

th_run th_run_indexer(const char *stdin_text, ...) {
  const char *head[] = {INDEXER_BIN, "-q"};
  va_list ap;
  va_start(ap, stdin_text);
  th_run r = exec_va(head, 2, stdin_text, ap);
  va_end(ap);
  return r;
}

th_run th_run_searcher(const char *stdin_text, ...) {
  const char *head[] = {SEARCHER_BIN};
  va_list ap;
  va_start(ap, stdin_text);
  th_run r = exec_va(head, 1, stdin_text, ap);
  va_end(ap);
  return r;
}

uint32_t th_index_count(const char *index, const char *term) {
  cr_error err;
  const char *paths[] = {index};
  cr_rdb *db = cr_rdb_open(paths, 1, &err);
  cr_assert_not_null(db, "%s: %s", index, err.message);
  uint32_t n = term ? th_termfreq(db, term) : th_doccount(db);
  cr_rdb_close(db);
  return n;
}

void th_setup_error(const char *dir, const char *what, const th_run *r) {
  char msg[8192], file[4096];
  int n =
      snprintf(msg, sizeof msg, "%s: status %d\n%s", what, r->status, r->err);
  snprintf(file, sizeof file, "%s/setup-error", dir);
  th_write_file(file, msg, n < (int)sizeof msg ? (size_t)n : sizeof msg - 1);
}

bool th_setup_index(const char *dir, const char *idx, const char *path,
                    const char *language) {
  char *argv[8] = {INDEXER_BIN, "-d", (char *)idx, "-q"};
  size_t n = 4;
  if (language) {
    argv[n++] = "--language";
    argv[n++] = (char *)language;
  }
  argv[n++] = (char *)path;
  argv[n] = NULL;
  th_run r = th_exec(argv, NULL);
  bool ok = r.status == 0;
  if (!ok) {
    char what[8400];
    snprintf(what, sizeof what, "indexer -d %s %s", idx, path);
    th_setup_error(dir, what, &r);
  }
  th_run_free(&r);
  return ok;
}

void th_check_setup(const char *dir) {
  char file[4096];
  snprintf(file, sizeof file, "%s/setup-error", dir);
  char *msg = th_read_file(file, NULL);
  if (msg) cr_assert_fail("could not build the test indexes: %s", msg);
}

char *th_setup_begin(const char *tag, const char *env) {
  char *dir = th_mkdtemp(tag);
  setenv(env, dir, 1);
  return dir;
}

char *th_setup_enter(const char *env) {
  const char *dir = getenv(env);
  cr_assert(dir, "the test indexes were not built");
  th_check_setup(dir);
  char *copy = strdup(dir);
  cr_assert_not_null(copy);
  return copy;
}

void th_setup_end(char **dir) {
  th_rmtree(*dir);
  free(*dir);
  *dir = NULL;
}

char *th_path_in(const char *dir, const char *name) {
  static char bufs[8][4096];
  static unsigned k;
  char *b = bufs[k++ % 8];
  snprintf(b, sizeof bufs[0], "%s/%s", dir, name);
  return b;
}

json_t *th_json(const char *text) {
  json_error_t jerr;
  json_t *o = json_loads(text, 0, &jerr);
  cr_assert(o, "invalid JSON (%s): %s", jerr.text, text);
  return o;
}

const cr_impacts *th_impacts(void) {
  static cr_impacts imp;
  imp = cr_impacts_default();
  imp.avg_length = 100;
  return &imp;
}
