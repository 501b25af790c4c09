/* input.c — walking what the user named, and reading each input through
 * libarchive (plain files, .gz/.zst/.xz streams, tar and zip archives
 * alike) into articles. See input.h. */
#include "input.h"

#include <archive.h>
#include <archive_entry.h>
#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <utf8proc.h>

#include "dates.h"

/* An article text file larger than this is not an article. */
#define MAX_TEXT_FILE_BYTES (64u << 20)
/* A JSON line longer than this is reported and skipped. */
#define MAX_LINE_BYTES (256u << 20)
#define READ_BLOCK (1u << 16)

/* ---- Names ------------------------------------------------------------ */

static bool ends_with(const char *s, const char *suffix) {
  size_t n = strlen(s), k = strlen(suffix);
  return n >= k && strcasecmp(s + n - k, suffix) == 0;
}

static const char *const compressions[] = {".gz", ".zst", ".xz", ".bz2"};

/* Classifies a file name. Returns false for names that are not input. */
static bool classify(const char *name, enum in_format *format,
                     bool *compressed) {
  if (ends_with(name, ".zip") || ends_with(name, ".tgz") ||
      ends_with(name, ".tar") || strstr(name, ".tar.")) {
    *format = IN_ARCHIVE;
    *compressed = false;
    return true;
  }
  char base[PATH_MAX];
  snprintf(base, sizeof base, "%s", name);
  *compressed = false;
  for (size_t i = 0; i < sizeof compressions / sizeof *compressions; i++) {
    if (ends_with(base, compressions[i])) {
      base[strlen(base) - strlen(compressions[i])] = '\0';
      *compressed = true;
      break;
    }
  }
  if (ends_with(base, ".jsonl") || ends_with(base, ".ndjson") ||
      ends_with(base, ".json")) {
    *format = IN_JSONL;
    return true;
  }
  if (ends_with(base, ".txt")) {
    *format = IN_TEXT;
    return true;
  }
  return false;
}

/* ---- Walking ---------------------------------------------------------- */

typedef struct walk {
  in_file_fn file_fn;
  in_problem_fn problem_fn;
  void *ctx;
  size_t root_len; /* bytes of the root path to strip for ids */
} walk;

static void problem(in_problem_fn fn, void *ctx, const char *path,
                    const char *member, uint64_t line, const char *reason) {
  in_where w = {path, member, line, 0};
  if (fn) fn(&w, reason, ctx);
}

static int visit_file(walk *wk, const char *path, const struct stat *st,
                      bool named) {
  in_file f = {.path = path, .size = st->st_size,
               .mtime_ns = (int64_t)st->st_mtim.tv_sec * 1000000000 +
                           st->st_mtim.tv_nsec};
  if (!classify(path, &f.format, &f.compressed)) {
    if (!named) return 0; /* not an input: skipped quietly */
    f.format = IN_TEXT;   /* a file named explicitly is read as text */
  }
  char key[PATH_MAX];
  f.key = realpath(path, key) ? key : path;
  const char *id = named ? path : path + wk->root_len;
  while (*id == '/') id++;
  if (named) {
    while (id[0] == '.' && id[1] == '/') id += 2;
  }
  f.id_base = id;
  return wk->file_fn(&f, wk->ctx);
}

static int by_name(const struct dirent **a, const struct dirent **b) {
  return strcmp((*a)->d_name, (*b)->d_name);
}

static int walk_dir(walk *wk, const char *dir) {
  struct dirent **entries;
  int n = scandir(dir, &entries, NULL, by_name);
  if (n < 0) {
    char reason[256];
    snprintf(reason, sizeof reason, "cannot read directory: %s",
             strerror(errno));
    problem(wk->problem_fn, wk->ctx, dir, NULL, 0, reason);
    return 0;
  }
  int rc = 0;
  for (int i = 0; i < n; i++) {
    const char *name = entries[i]->d_name;
    if (rc == 0 && name[0] != '.') { /* hidden files and . .. */
      char path[PATH_MAX];
      int len = snprintf(path, sizeof path, "%s/%s", dir, name);
      struct stat st;
      if (len >= (int)sizeof path) {
        problem(wk->problem_fn, wk->ctx, dir, NULL, 0, "path too long");
      } else if (stat(path, &st) != 0) {
        char reason[256];
        snprintf(reason, sizeof reason, "cannot read: %s", strerror(errno));
        problem(wk->problem_fn, wk->ctx, path, NULL, 0, reason);
      } else if (S_ISDIR(st.st_mode)) {
        rc = walk_dir(wk, path);
      } else if (S_ISREG(st.st_mode)) {
        rc = visit_file(wk, path, &st, false);
      }
    }
    free(entries[i]);
  }
  free(entries);
  return rc;
}

int in_walk(const char *path, in_file_fn file_fn, in_problem_fn problem_fn,
            void *ctx) {
  if (strcmp(path, "-") == 0) {
    in_file f = {.path = "-", .key = NULL, .id_base = "stdin", .size = -1,
                 .format = IN_JSONL};
    return file_fn(&f, ctx);
  }
  walk wk = {file_fn, problem_fn, ctx, strlen(path)};
  struct stat st;
  if (stat(path, &st) != 0) {
    char reason[256];
    snprintf(reason, sizeof reason, "cannot read: %s", strerror(errno));
    problem(problem_fn, ctx, path, NULL, 0, reason);
    return 0;
  }
  if (S_ISDIR(st.st_mode)) {
    /* ids are relative to the directory: strip "dir/" */
    while (wk.root_len > 1 && path[wk.root_len - 1] == '/') wk.root_len--;
    return walk_dir(&wk, path);
  }
  return visit_file(&wk, path, &st, true);
}

/* ---- Text ------------------------------------------------------------- */

/* Valid UTF-8 with no NUL bytes. */
static bool valid_utf8(const char *s, size_t len) {
  for (size_t i = 0; i < len;) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x01 && c < 0x80) {
      i++;
      continue;
    }
    if (c == 0) return false;
    utf8proc_int32_t cp;
    utf8proc_ssize_t n = utf8proc_iterate((const utf8proc_uint8_t *)s + i,
                                          (utf8proc_ssize_t)(len - i), &cp);
    if (n <= 0) return false;
    i += (size_t)n;
  }
  return true;
}

/* Next line of text[*pos..len): returns its start, sets *line_len without
 * the line break and moves *pos past it. */
static const char *next_line(const char *text, size_t len, size_t *pos,
                             size_t *line_len) {
  const char *start = text + *pos;
  const char *nl = memchr(start, '\n', len - *pos);
  size_t n = nl ? (size_t)(nl - start) : len - *pos;
  *pos += n + (nl ? 1 : 0);
  while (n > 0 && (start[n - 1] == '\r' || start[n - 1] == ' ' ||
                   start[n - 1] == '\t'))
    n--;
  *line_len = n;
  return start;
}

static bool blank(const char *s, size_t n) {
  for (size_t i = 0; i < n; i++)
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') return false;
  return true;
}

/* A line short enough to be a by-line: a few words, no sentence end. */
static bool looks_like_name(const char *s, size_t n) {
  if (n == 0 || n > 60) return false;
  int words = 1;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == ' ') words++;
    if (s[i] == '.' && i + 1 == n) return false;
    if (s[i] >= '0' && s[i] <= '9') return false;
  }
  return words <= 5;
}

void in_parse_article_text(char *text, size_t len, cr_article *art,
                           char date_buf[11]) {
  size_t pos = 0, n = 0;
  const char *line = NULL;
  art->title = art->author = art->date = NULL;
  /* Skip a UTF-8 byte order mark, then blank lines. */
  if (len >= 3 && memcmp(text, "\xEF\xBB\xBF", 3) == 0) pos = 3;
  while (pos < len) {
    line = next_line(text, len, &pos, &n);
    if (!blank(line, n)) break;
    line = NULL;
  }
  if (!line) {
    art->text = text + len;
    art->text_len = 0;
    return;
  }
  /* A title needs a body after it and must be short enough to be one;
   * otherwise everything is body, so nothing is ever dropped. */
  size_t first = (size_t)(line - text);
  if (pos >= len || n > 300) {
    art->text = text + first;
    art->text_len = len - first;
    return;
  }
  char *title = text + first;
  size_t title_len = n;
  size_t body = pos;

  /* Up to three short lines after the title (a blank one just after it is
   * allowed) may carry the by-line and the date. */
  char *author = NULL;
  size_t author_len = 0;
  for (int k = 0; k < 4 && pos < len; k++) {
    size_t save = pos;
    line = next_line(text, len, &pos, &n);
    if (blank(line, n)) {
      if (k == 0) continue;
      break;
    }
    if (!art->date && cr_date_parse(line, n, false, date_buf)) {
      art->date = date_buf;
    } else if (!author && !art->date && looks_like_name(line, n)) {
      author = (char *)line;
      author_len = n;
    } else {
      pos = save;
      break;
    }
    body = pos;
  }
  /* A lone short line with no date after it is more likely the body's
   * first line (a subtitle) than a by-line. */
  if (author && !art->date) {
    body = (size_t)(author - text);
    author = NULL;
  }
  title[title_len] = '\0';
  if (author) {
    author[author_len] = '\0';
    art->author = author;
  }
  art->title = title;
  art->text = text + body;
  art->text_len = len - body;
}

/* ---- Reading through libarchive --------------------------------------- */

typedef struct reader {
  const in_file *file;
  in_article_fn article_fn;
  in_problem_fn problem_fn;
  void *ctx;
  uint64_t consumed; /* raw bytes read from the file so far */
} reader;

/* Reads a whole member/stream into a malloc'd buffer (NUL-terminated). */
static char *slurp(struct archive *ar, size_t limit, size_t *len,
                   bool *too_big) {
  size_t cap = READ_BLOCK, n = 0;
  char *buf = malloc(cap + 1);
  *too_big = false;
  if (!buf) return NULL;
  for (;;) {
    if (cap - n < READ_BLOCK) {
      if (cap >= limit) {
        *too_big = true;
        free(buf);
        return NULL;
      }
      cap *= 2;
      char *bigger = realloc(buf, cap + 1);
      if (!bigger) { free(buf); return NULL; }
      buf = bigger;
    }
    la_ssize_t k = archive_read_data(ar, buf + n, cap - n);
    if (k < 0) { free(buf); return NULL; }
    if (k == 0) break;
    n += (size_t)k;
  }
  buf[n] = '\0';
  *len = n;
  return buf;
}

static int read_text(reader *r, struct archive *ar, const char *member,
                     const char *id) {
  const char *path = r->file->path;
  size_t len = 0;
  bool too_big;
  char *text = slurp(ar, MAX_TEXT_FILE_BYTES, &len, &too_big);
  if (!text) {
    problem(r->problem_fn, r->ctx, path, member, 0,
            too_big ? "too large for an article text file (over 64 MB)"
                    : archive_error_string(ar) ? archive_error_string(ar)
                                               : "cannot read");
    return 0;
  }
  if (len == 0 || blank(text, len)) {
    problem(r->problem_fn, r->ctx, path, member, 0, "empty file");
    free(text);
    return 0;
  }
  if (memchr(text, '\0', len < 8192 ? len : 8192)) {
    problem(r->problem_fn, r->ctx, path, member, 0,
            "binary file, not article text");
    free(text);
    return 0;
  }
  if (!valid_utf8(text, len)) {
    problem(r->problem_fn, r->ctx, path, member, 0, "not valid UTF-8 text");
    free(text);
    return 0;
  }
  cr_article art = {.id = id, .origin = r->file->key};
  char date[11];
  in_parse_article_text(text, len, &art, date);
  in_where w = {path, member, 0, r->consumed};
  int rc = r->article_fn(&art, &w, r->ctx);
  free(text);
  return rc;
}

static const char *json_str(json_t *obj, const char *key, char *num_buf,
                            size_t num_size) {
  json_t *v = json_object_get(obj, key);
  if (json_is_string(v)) return json_string_value(v);
  if (json_is_integer(v)) {
    snprintf(num_buf, num_size, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
    return num_buf;
  }
  return NULL;
}

/* Parses one JSON line into an article and hands it on. */
static int handle_json_line(reader *r, const char *member, const char *line,
                            size_t len, uint64_t line_no) {
  const char *path = r->file->path;
  if (blank(line, len)) return 0;
  json_error_t jerr;
  json_t *obj = json_loadb(line, len, 0, &jerr);
  char reason[300];
  if (!obj) {
    snprintf(reason, sizeof reason, "malformed JSON: %s", jerr.text);
    problem(r->problem_fn, r->ctx, path, member, line_no, reason);
    return 0;
  }
  if (!json_is_object(obj)) {
    problem(r->problem_fn, r->ctx, path, member, line_no,
            "not a JSON object");
    json_decref(obj);
    return 0;
  }
  char id_num[32], id_buf[PATH_MAX + 32];
  const char *id = json_str(obj, "id", id_num, sizeof id_num);
  const char *text = NULL;
  size_t text_len = 0;
  static const char *const body_keys[] = {"text", "body", "content"};
  for (size_t k = 0; k < 3 && !text; k++) {
    json_t *v = json_object_get(obj, body_keys[k]);
    if (json_is_string(v)) {
      text = json_string_value(v);
      text_len = json_string_length(v);
    }
  }
  if (!text || blank(text, text_len)) {
    problem(r->problem_fn, r->ctx, path, member, line_no,
            "no \"text\" (or \"body\", \"content\") field");
    json_decref(obj);
    return 0;
  }
  if (!id || !*id) {
    /* No id: the line's place in its file identifies it. */
    snprintf(id_buf, sizeof id_buf, "%s%s%s:%llu", r->file->id_base,
             member ? "/" : "", member ? member : "",
             (unsigned long long)line_no);
    id = id_buf;
  }
  /* A date that cannot be read is left out, never guessed. */
  char date_buf[11];
  const char *date = NULL;
  json_t *dv = json_object_get(obj, "date");
  if (json_is_string(dv) &&
      cr_date_parse(json_string_value(dv), json_string_length(dv), true,
                    date_buf))
    date = date_buf;
  cr_article art = {
      .id = id,
      .title = json_str(obj, "title", NULL, 0),
      .text = text,
      .text_len = text_len,
      .date = date,
      .author = json_str(obj, "author", NULL, 0),
      .source = json_str(obj, "source", NULL, 0),
      .url = json_str(obj, "url", NULL, 0),
      .origin = r->file->key,
  };
  in_where w = {path, member, line_no, r->consumed};
  int rc = r->article_fn(&art, &w, r->ctx);
  json_decref(obj);
  return rc;
}

/* Splits the stream into lines without ever holding more than one line
 * (plus a read block) in memory. */
static int read_jsonl(reader *r, struct archive *ar, const char *member) {
  size_t cap = READ_BLOCK * 4, have = 0;
  char *buf = malloc(cap);
  if (!buf) return -1;
  uint64_t line_no = 0;
  bool skipping = false; /* inside a line that was too long */
  int rc = 0;
  for (;;) {
    if (cap - have < READ_BLOCK) {
      if (cap >= MAX_LINE_BYTES) {
        /* Drop what we have of this over-long line. */
        if (!skipping)
          problem(r->problem_fn, r->ctx, r->file->path, member, line_no + 1,
                  "line too long (over 256 MB), skipped");
        skipping = true;
        have = 0;
      } else {
        char *bigger = realloc(buf, cap * 2);
        if (!bigger) { rc = -1; break; }
        buf = bigger;
        cap *= 2;
      }
    }
    la_ssize_t k = archive_read_data(ar, buf + have, cap - have);
    if (k < 0) {
      problem(r->problem_fn, r->ctx, r->file->path, member, line_no + 1,
              archive_error_string(ar) ? archive_error_string(ar)
                                       : "read error");
      break;
    }
    size_t scan_from = have;
    have += (size_t)k;
    r->consumed = (uint64_t)archive_filter_bytes(ar, -1);
    size_t start = 0;
    for (;;) {
      char *nl = memchr(buf + scan_from, '\n', have - scan_from);
      if (!nl && k != 0) break;
      size_t end = nl ? (size_t)(nl - buf) : have;
      if (end > start || nl) {
        line_no++;
        if (!skipping) rc = handle_json_line(r, member, buf + start, end - start, line_no);
        skipping = false;
      }
      start = nl ? end + 1 : have;
      scan_from = start;
      if (rc != 0 || !nl) break;
    }
    if (rc != 0) break;
    memmove(buf, buf + start, have - start);
    have -= start;
    if (k == 0) break;
  }
  free(buf);
  return rc;
}

static struct archive *open_archive(const in_file *f, bool container) {
  struct archive *ar = archive_read_new();
  if (!ar) return NULL;
  archive_read_support_filter_all(ar);
  if (container) {
    archive_read_support_format_tar(ar);
    archive_read_support_format_zip(ar);
  } else {
    archive_read_support_format_raw(ar);
  }
  int rc = strcmp(f->path, "-") == 0
               ? archive_read_open_fd(ar, 0, READ_BLOCK)
               : archive_read_open_filename(ar, f->path, READ_BLOCK);
  if (rc != ARCHIVE_OK) return ar; /* caller reports the error */
  return ar;
}

static int read_archive_members(reader *r, struct archive *ar) {
  struct archive_entry *entry;
  int rc = 0, st;
  while (rc == 0 && (st = archive_read_next_header(ar, &entry)) == ARCHIVE_OK) {
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char *name = archive_entry_pathname(entry);
    if (!name) continue;
    const char *base = strrchr(name, '/');
    base = base ? base + 1 : name;
    if (base[0] == '.') continue;
    enum in_format fmt;
    bool compressed;
    if (!classify(name, &fmt, &compressed) || fmt == IN_ARCHIVE || compressed)
      continue; /* nested archives and compressed members are not read */
    char id[PATH_MAX * 2];
    snprintf(id, sizeof id, "%s/%s", r->file->id_base, name);
    rc = fmt == IN_TEXT ? read_text(r, ar, name, id)
                        : read_jsonl(r, ar, name);
  }
  if (rc == 0 && st != ARCHIVE_EOF && st != ARCHIVE_OK)
    problem(r->problem_fn, r->ctx, r->file->path, NULL, 0,
            archive_error_string(ar) ? archive_error_string(ar)
                                     : "damaged archive");
  return rc;
}

int in_read(const in_file *file, in_article_fn article_fn,
            in_problem_fn problem_fn, void *ctx) {
  reader r = {file, article_fn, problem_fn, ctx, 0};
  if (file->size == 0) {
    problem(problem_fn, ctx, file->path, NULL, 0, "empty file");
    return 0;
  }
  bool container = file->format == IN_ARCHIVE;
  struct archive *ar = open_archive(file, container);
  if (!ar) return -1;
  int rc = 0;
  struct archive_entry *entry;
  if (archive_errno(ar) != 0 || archive_error_string(ar)) {
    problem(problem_fn, ctx, file->path, NULL, 0,
            archive_error_string(ar) ? archive_error_string(ar)
                                     : "cannot open");
    rc = -1;
  } else if (container) {
    rc = read_archive_members(&r, ar);
  } else if (archive_read_next_header(ar, &entry) != ARCHIVE_OK) {
    /* An empty file has no raw "entry" at all. */
    problem(problem_fn, ctx, file->path, NULL, 0,
            file->size == 0 ? "empty file"
            : archive_error_string(ar) ? archive_error_string(ar)
                                       : "cannot read");
    rc = file->size == 0 ? 0 : -1;
  } else if (file->format == IN_JSONL) {
    rc = read_jsonl(&r, ar, NULL);
  } else {
    rc = read_text(&r, ar, NULL, file->id_base);
  }
  archive_read_free(ar);
  return rc;
}
