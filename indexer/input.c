/* input.c — walking what the user named and dispatching each input to its
 * reader (see input.h and input_internal.h for the readers). Plain files are
 * read with read(2) directly: libarchive is only asked to decompress or unpack,
 * so a plain text can never be mistaken for some exotic encoding it happens to
 * resemble. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "input_internal.h"

/* ---- Messages ---------------------------------------------------------- */

void in_report(const in_reader *r, const char *member, uint64_t line,
               const char *fmt, ...) {
  if (!r->problem_fn) return;
  char reason[512];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(reason, sizeof reason, fmt, ap);
  va_end(ap);
  in_where w = {r->file->path, member, line, r->consumed, r->record_end};
  r->problem_fn(&w, reason, r->ctx);
}

void in_warn(const in_reader *r, const char *member, const char *fmt, ...) {
  const in_options *o = r->file->options;
  if (!o || !o->warn_fn || r->file->quiet_warnings) return;
  char msg[512], where[1024];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(msg, sizeof msg, fmt, ap);
  va_end(ap);
  snprintf(where, sizeof where, "%s%s%s", r->file->path, member ? ":" : "",
           member ? member : "");
  o->warn_fn(where, msg, o->warn_ctx);
}

const in_options *in_opts(const in_reader *r) {
  static const in_options defaults;
  return r->file->options ? r->file->options : &defaults;
}

const char *in_encoding_hint(const in_reader *r) {
  const char *enc = in_opts(r)->encoding;
  if (enc && *enc) return "";
  return "; if it is Latin-1 or Windows-1252, index it with --encoding cp1252";
}

int in_emit(in_reader *r, cr_article *art, const char *member, uint64_t line) {
  const char *prefix = in_opts(r)->id_prefix;
  char *prefixed = NULL;
  if (prefix && *prefix && art->id) {
    size_t np = strlen(prefix), ni = strlen(art->id);
    if (!(prefixed = malloc(np + ni + 1))) {
      in_report(r, member, line, "out of memory");
      return 0;
    }
    memcpy(prefixed, prefix, np);
    memcpy(prefixed + np, art->id, ni + 1);
    art->id = prefixed;
  }
  in_where w = {r->file->path, member, line, r->consumed, r->record_end};
  int rc = r->article_fn(art, &w, r->ctx);
  free(prefixed);
  return rc;
}

/* A problem met while walking, before any reader exists. */
static void walk_report(in_problem_fn fn, void *ctx, const char *path,
                        const char *what, int err) {
  if (!fn) return;
  char reason[512];
  snprintf(reason, sizeof reason, "%.200s: %s", what, strerror(err));
  in_where w = {path, NULL, 0, 0, 0};
  fn(&w, reason, ctx);
}

/* ---- Names ------------------------------------------------------------- */

static bool ends_with(const char *s, size_t n, const char *suffix) {
  size_t k = strlen(suffix);
  return n >= k && strncasecmp(s + n - k, suffix, k) == 0;
}

bool in_classify(const char *name, enum in_format *format, bool *compressed) {
  static const char *const archives[] = {
      ".tar", ".tgz",    ".tbz2",    ".txz",    ".tzst",
      ".zip", ".tar.gz", ".tar.zst", ".tar.xz", ".tar.bz2"};
  static const char *const filters[] = {".gz", ".zst", ".xz", ".bz2"};
  size_t n = strlen(name);
  *compressed = false;
  for (size_t i = 0; i < sizeof archives / sizeof *archives; i++) {
    if (ends_with(name, n, archives[i])) {
      *format = IN_ARCHIVE;
      return true;
    }
  }
  for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
    if (ends_with(name, n, filters[i])) {
      n -= strlen(filters[i]);
      *compressed = true;
      break;
    }
  }
  if (ends_with(name, n, ".jsonl") || ends_with(name, n, ".ndjson")) {
    *format = IN_JSONL;
    return true;
  }
  if (ends_with(name, n, ".json")) {
    *format = IN_JSON;
    return true;
  }
  if (ends_with(name, n, ".csv") || ends_with(name, n, ".tsv")) {
    *format = IN_CSV;
    return true;
  }
  if (ends_with(name, n, ".html") || ends_with(name, n, ".htm")) {
    *format = IN_HTML;
    return true;
  }
  if (ends_with(name, n, ".txt")) {
    *format = IN_TEXT;
    return true;
  }
  return false;
}

/* ---- Walking ----------------------------------------------------------- */

/* The directories being walked, outermost first: a symbolic link back to
 * one of them would otherwise recurse until PATH_MAX. */
typedef struct dir_stack {
  dev_t dev[64]; /* device of each open directory */
  ino_t ino[64]; /* inode of each open directory */
  int n;         /* how many */
} dir_stack;

typedef struct walk {
  in_file_fn file_fn;       /* called per input file */
  in_problem_fn problem_fn; /* called per unreadable path */
  void *ctx;                /* passed to both */
  size_t root_len;          /* bytes of "root/" to strip for ids */
  dir_stack stack;          /* loop guard */
} walk;

static int visit_file(walk *wk, const char *path, const struct stat *st,
                      bool named) {
  in_file f = {.path = path,
               .size = S_ISREG(st->st_mode) ? (int64_t)st->st_size : -1,
               .mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
                           st->st_mtim.tv_nsec};
  if (!in_classify(path, &f.format, &f.compressed)) {
    if (!named) return 0; /* not an input: skipped quietly */
    f.format = IN_TEXT;   /* a file named explicitly is read as text */
  }
  char key[PATH_MAX];
  f.key = realpath(path, key) ? key : path;
  const char *id = path;
  if (!named) {
    id = path + wk->root_len;
    while (*id == '/')
      id++;
  }
  while (id[0] == '.' && id[1] == '/')
    id += 2; /* "./a.txt" is "a.txt" */
  f.id_base = id;
  return wk->file_fn(&f, wk->ctx);
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int walk_dir(walk *wk, const char *dir, const struct stat *dst) {
  dir_stack *ds = &wk->stack;
  for (int i = 0; i < ds->n; i++)
    if (ds->dev[i] == dst->st_dev && ds->ino[i] == dst->st_ino)
      return 0; /* a link back up the tree: already being walked */
  if (ds->n == (int)(sizeof ds->dev / sizeof *ds->dev)) {
    walk_report(wk->problem_fn, wk->ctx, dir, "cannot read directory", ELOOP);
    return 0;
  }
  struct dirent **entries;
  int n = scandir(dir, &entries, NULL, by_name);
  if (n < 0) {
    walk_report(wk->problem_fn, wk->ctx, dir, "cannot read directory", errno);
    return 0;
  }
  ds->dev[ds->n] = dst->st_dev;
  ds->ino[ds->n] = dst->st_ino;
  ds->n++;
  int rc = 0;
  for (int i = 0; i < n; i++) {
    const char *name = entries[i]->d_name;
    /* Hidden files and directories (and . and ..) are never input:
     * editors' backups, .git, .DS_Store. */
    if (rc == 0 && name[0] != '.') {
      char path[PATH_MAX];
      int len = snprintf(path, sizeof path, "%s/%s", dir, name);
      struct stat st;
      if (len >= (int)sizeof path) {
        walk_report(wk->problem_fn, wk->ctx, dir, name, ENAMETOOLONG);
      } else if (stat(path, &st) != 0) {
        walk_report(wk->problem_fn, wk->ctx, path, "cannot read", errno);
      } else if (S_ISDIR(st.st_mode)) {
        rc = walk_dir(wk, path, &st);
      } else if (S_ISREG(st.st_mode)) {
        rc = visit_file(wk, path, &st, false);
      }
    }
    free(entries[i]);
  }
  free(entries);
  ds->n--;
  return rc;
}

int in_walk(const char *path, in_file_fn file_fn, in_problem_fn problem_fn,
            void *ctx) {
  if (strcmp(path, "-") == 0) {
    in_file f = {.path = "-",
                 .key = NULL,
                 .id_base = "stdin",
                 .size = -1,
                 .format = IN_JSONL};
    return file_fn(&f, ctx);
  }
  struct stat st;
  if (stat(path, &st) != 0) {
    walk_report(problem_fn, ctx, path, "cannot read", errno);
    return 0;
  }
  walk wk = {.file_fn = file_fn, .problem_fn = problem_fn, .ctx = ctx};
  if (!S_ISDIR(st.st_mode)) return visit_file(&wk, path, &st, true);
  /* Ids are relative to the directory: "corpus/" and "corpus" give the
   * same ids, and the paths in messages carry no doubled slash. */
  char root[PATH_MAX];
  size_t n = strlen(path);
  while (n > 1 && path[n - 1] == '/')
    n--;
  if (n >= sizeof root) {
    walk_report(problem_fn, ctx, path, "cannot read", ENAMETOOLONG);
    return 0;
  }
  memcpy(root, path, n);
  root[n] = '\0';
  wk.root_len = strcmp(root, "/") == 0 ? 0 : n;
  return walk_dir(&wk, root, &st);
}

/* ---- Reading ----------------------------------------------------------- */

static ssize_t fd_read(in_stream *s, char *buf, size_t n) {
  int fd = (int)(intptr_t)s->handle;
  for (;;) {
    ssize_t k = read(fd, buf, n);
    if (k >= 0) {
      s->r->consumed += (uint64_t)k;
      return k;
    }
    if (errno == EINTR) continue;
    snprintf(s->error_buf, sizeof s->error_buf, "read error: %s",
             strerror(errno));
    s->error = s->error_buf;
    return -1;
  }
}

/* Whether a name ends in .tsv (before any compression suffix). */
static bool tab_separated(const char *name) {
  size_t n = strlen(name);
  static const char *const filters[] = {".gz", ".zst", ".xz", ".bz2"};
  for (size_t i = 0; i < sizeof filters / sizeof *filters; i++)
    if (ends_with(name, n, filters[i])) {
      n -= strlen(filters[i]);
      break;
    }
  return ends_with(name, n, ".tsv");
}

static int dispatch(in_reader *r, in_stream *s, const char *member,
                    const char *id, enum in_format format) {
  const char *name = member ? member : r->file->path;
  switch (format) {
  case IN_JSONL:
    return in_read_jsonl_stream(r, s, member);
  case IN_JSON:
    return in_read_json_stream(r, s, member);
  case IN_CSV:
    return in_read_csv_stream(r, s, member, tab_separated(name) ? '\t' : 0);
  case IN_HTML:
    return in_read_html_stream(r, s, member, id);
  default:
    return in_read_text_stream(r, s, member, id);
  }
}

int in_read_stream(in_reader *r, in_stream *s, const char *member,
                   const char *id, enum in_format format) {
  const char *enc = in_opts(r)->encoding;
  if (!enc || !*enc) return dispatch(r, s, member, id, format);
  in_stream decoded;
  in_decoder *d = in_decoder_open(r, s, member, &decoded);
  if (!d) return -1;
  int rc = dispatch(r, &decoded, member, id, format);
  in_decoder_close(d);
  return rc;
}

/* One in_read call's callbacks, seen through the trampolines below, so
 * that a stop asked by article_fn is told apart from a reader's failure
 * (the readers return either as non-zero). */
typedef struct read_call {
  in_article_fn article_fn; /* the caller's */
  in_problem_fn problem_fn; /* the caller's (may be NULL) */
  void *ctx;                /* the caller's */
  bool stopped;             /* article_fn asked to stop */
} read_call;

static int call_article(const cr_article *a, const in_where *w, void *ctx) {
  read_call *c = ctx;
  int rc = c->article_fn(a, w, c->ctx);
  if (rc != 0) c->stopped = true;
  return rc;
}

static void call_problem(const in_where *w, const char *reason, void *ctx) {
  read_call *c = ctx;
  c->problem_fn(w, reason, c->ctx);
}

/* Reads file with the reader its format needs: 0 at its end, non-zero
 * when it stopped (a callback) or failed (-1). */
static int read_input(in_reader *r) {
  const in_file *file = r->file;
  bool is_stdin = strcmp(file->path, "-") == 0 && !file->key;
  if (file->size == 0) {
    in_report(r, NULL, 0, "empty file");
    return 0;
  }
  /* Standard input may arrive compressed: libarchive recognises it. */
  if (is_stdin || file->compressed) return in_read_compressed(r);
  if (file->format == IN_ARCHIVE) return in_read_archive(r);

  int fd = open(file->path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) {
    in_report(r, NULL, 0, "cannot open: %s", strerror(errno));
    return -1;
  }
  if (file->start_offset > 0 && file->format == IN_JSONL) {
    if (lseek(fd, file->start_offset, SEEK_SET) < 0) {
      in_report(r, NULL, 0, "cannot read: %s", strerror(errno));
      close(fd);
      return -1;
    }
    r->consumed = (uint64_t)file->start_offset;
  }
  in_stream s = {.read = fd_read, .handle = (void *)(intptr_t)fd, .r = r};
  int rc = in_read_stream(r, &s, NULL, file->id_base, file->format);
  close(fd);
  return rc;
}

in_status in_read(const in_file *file, in_article_fn article_fn,
                  in_problem_fn problem_fn, void *ctx) {
  read_call call = {article_fn, problem_fn, ctx, false};
  in_reader r = {file, call_article, problem_fn ? call_problem : NULL, &call, 0,
                 0};
  int rc = read_input(&r);
  if (call.stopped) return IN_READ_STOPPED;
  return rc == 0 ? IN_READ_DONE : IN_READ_FAILED;
}
