/* input_archive.c — inputs that libarchive unpacks:
 *   a.jsonl.gz a.jsonl.zst a.jsonl.xz a.txt.bz2   one compressed stream
 *   -                                            standard input, plain or
 *                                                compressed (recognised)
 *   a.tar a.tar.gz a.tgz a.tar.zst a.zip         archives: each member read
 *                                                by its own name
 * A compressed member of an archive (notizie.jsonl.gz inside a tar) is
 * decompressed on the fly by a second libarchive reader stacked on the
 * first; an archive inside an archive is reported, not read.
 */
#include <archive.h>
#include <archive_entry.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input_internal.h"

/* A libarchive reader as an in_stream. */
static ssize_t ar_read(in_stream *s, char *buf, size_t n) {
  struct archive *ar = s->handle;
  la_ssize_t k;
  do {
    k = archive_read_data(ar, buf, n);
  } while (k == ARCHIVE_RETRY);
  if (k >= 0) {
    /* Progress counts the bytes taken from the file as stored. */
    s->r->consumed = (uint64_t)archive_filter_bytes(ar, -1);
    return (ssize_t)k;
  }
  const char *e = archive_error_string(ar);
  snprintf(s->error_buf, sizeof s->error_buf, "%s",
           e ? e : "damaged compressed data");
  s->error = s->error_buf;
  return -1;
}

/* The same for a reader stacked on an archive member: its byte count is
 * the member's, not the file's, so progress is left to the outer one. */
static ssize_t ar_read_nested(in_stream *s, char *buf, size_t n) {
  uint64_t keep = s->r->consumed;
  ssize_t k = ar_read(s, buf, n);
  s->r->consumed = keep;
  return k;
}

/* Which filter a compressed name asks for, and its name for messages. */
static const char *filter_of(const char *name, int *code) {
  size_t n = strlen(name);
  static const struct {
    const char *suffix; /* file name ending */
    int code;           /* ARCHIVE_FILTER_* */
    const char *what;   /* for messages */
  } filters[] = {{".gz", ARCHIVE_FILTER_GZIP, "gzip"},
                 {".zst", ARCHIVE_FILTER_ZSTD, "zstd"},
                 {".xz", ARCHIVE_FILTER_XZ, "xz"},
                 {".bz2", ARCHIVE_FILTER_BZIP2, "bzip2"}};
  for (size_t i = 0; i < sizeof filters / sizeof *filters; i++) {
    size_t k = strlen(filters[i].suffix);
    if (n >= k && strcasecmp(name + n - k, filters[i].suffix) == 0) {
      *code = filters[i].code;
      return filters[i].what;
    }
  }
  *code = ARCHIVE_FILTER_NONE;
  return NULL;
}

static void support_filters(struct archive *ar) {
  /* Only these four: filter_all would also "decode" plain text that
   * happens to look like uuencode or lrzip. */
  archive_read_support_filter_gzip(ar);
  archive_read_support_filter_zstd(ar);
  archive_read_support_filter_xz(ar);
  archive_read_support_filter_bzip2(ar);
}

/* Reads the one stream of a raw (format-less) reader that is already open,
 * after checking it was really compressed as its name says. name: for
 * the format and the messages; member: NULL for a file of its own. */
static int read_raw(in_reader *r, struct archive *ar, const char *name,
                    const char *member, const char *id, enum in_format format) {
  struct archive_entry *entry;
  int st = archive_read_next_header(ar, &entry);
  if (st == ARCHIVE_EOF) {
    if (strcmp(r->file->path, "-") != 0 || member)
      in_report(r, member, 0, "empty file");
    return 0;
  }
  if (st < ARCHIVE_WARN) {
    const char *e = archive_error_string(ar);
    in_report(r, member, 0, "cannot read: %s", e ? e : "unknown error");
    return -1;
  }
  int want;
  const char *what = filter_of(name, &want);
  if (what && archive_filter_code(ar, 0) != want) {
    in_report(r, member, 0, "not %s-compressed data, as its name says", what);
    return -1;
  }
  in_stream s = {
      .read = member ? ar_read_nested : ar_read, .handle = ar, .r = r};
  return in_read_stream(r, &s, member, id, format);
}

int in_read_compressed(in_reader *r) {
  const in_file *f = r->file;
  struct archive *ar = archive_read_new();
  if (!ar) {
    in_report(r, NULL, 0, "out of memory");
    return -1;
  }
  support_filters(ar);
  archive_read_support_format_raw(ar);
  bool is_stdin = strcmp(f->path, "-") == 0 && !f->key;
  int st = is_stdin ? archive_read_open_fd(ar, 0, IN_BLOCK)
                    : archive_read_open_filename(ar, f->path, IN_BLOCK);
  int rc;
  if (st != ARCHIVE_OK && is_stdin && archive_filter_bytes(ar, -1) == 0) {
    in_report(r, NULL, 0, "empty input"); /* as an empty file is */
    rc = -1;
  } else if (st != ARCHIVE_OK) {
    const char *e = archive_error_string(ar);
    in_report(r, NULL, 0, "cannot open: %s", e ? e : "unknown error");
    rc = -1;
  } else {
    /* Standard input has no name: whatever compression it has is fine. */
    rc = read_raw(r, ar, is_stdin ? "-" : f->path, NULL, f->id_base, f->format);
  }
  archive_read_free(ar);
  return rc;
}

/* The outer archive as the byte source of a nested reader. */
typedef struct nested {
  struct archive *outer; /* positioned on the member */
  char block[64 << 10];  /* what the inner reader is handed */
} nested;

static la_ssize_t nested_read(struct archive *inner, void *data,
                              const void **buf) {
  nested *ns = data;
  la_ssize_t k = archive_read_data(ns->outer, ns->block, sizeof ns->block);
  if (k < 0) {
    archive_set_error(inner, EIO, "%s",
                      archive_error_string(ns->outer)
                          ? archive_error_string(ns->outer)
                          : "damaged archive member");
    return ARCHIVE_FATAL;
  }
  *buf = ns->block;
  return k;
}

/* A compressed member: decompressed by a second reader over the first. */
static int read_nested(in_reader *r, struct archive *outer, const char *name,
                       const char *id, enum in_format format) {
  nested *ns = malloc(sizeof *ns);
  struct archive *inner = ns ? archive_read_new() : NULL;
  if (!inner) {
    free(ns);
    in_report(r, name, 0, "out of memory");
    return 0;
  }
  ns->outer = outer;
  support_filters(inner);
  archive_read_support_format_raw(inner);
  int rc = 0;
  if (archive_read_open(inner, ns, NULL, nested_read, NULL) != ARCHIVE_OK) {
    const char *e = archive_error_string(inner);
    in_report(r, name, 0, "cannot read: %s", e ? e : "unknown error");
  } else {
    rc = read_raw(r, inner, name, name, id, format);
    if (rc == -1) rc = 0; /* reported; the archive's other members go on */
  }
  archive_read_free(inner);
  free(ns);
  return rc;
}

/* Members that are not articles whatever their names: hidden files and
 * directories, and the resource forks macOS puts in zip files. */
static bool hidden_member(const char *name) {
  for (const char *p = name; *p;) {
    if (*p == '.' && p[1] != '/' && p[1] != '\0' &&
        !(p[1] == '.' && (p[2] == '/' || p[2] == '\0')))
      return true;
    if (strncmp(p, "__MACOSX/", 9) == 0) return true;
    const char *slash = strchr(p, '/');
    if (!slash) break;
    p = slash + 1;
  }
  return false;
}

int in_read_archive(in_reader *r) {
  const in_file *f = r->file;
  struct archive *ar = archive_read_new();
  if (!ar) {
    in_report(r, NULL, 0, "out of memory");
    return -1;
  }
  support_filters(ar);
  archive_read_support_format_tar(ar);
  archive_read_support_format_zip(ar);
  if (archive_read_open_filename(ar, f->path, IN_BLOCK) != ARCHIVE_OK) {
    const char *e = archive_error_string(ar);
    in_report(r, NULL, 0, "cannot open: %s", e ? e : "unknown error");
    archive_read_free(ar);
    return -1;
  }
  int rc = 0, st = ARCHIVE_OK;
  struct archive_entry *entry;
  while (rc == 0 &&
         (st = archive_read_next_header(ar, &entry)) >= ARCHIVE_WARN &&
         st != ARCHIVE_EOF) {
    if (archive_entry_filetype(entry) != AE_IFREG) continue;
    const char *name = archive_entry_pathname(entry);
    if (!name || hidden_member(name)) continue;
    while (name[0] == '.' && name[1] == '/')
      name += 2;
    enum in_format fmt;
    bool compressed;
    if (!in_classify(name, &fmt, &compressed)) continue; /* not input */
    if (fmt == IN_ARCHIVE) {
      in_report(r, name, 0, "an archive inside an archive is not read");
      continue;
    }
    if (archive_entry_size_is_set(entry) && archive_entry_size(entry) == 0) {
      in_report(r, name, 0, "empty file");
      continue;
    }
    char id[8192];
    snprintf(id, sizeof id, "%s/%s", f->id_base, name);
    if (compressed) {
      rc = read_nested(r, ar, name, id, fmt);
    } else {
      in_stream s = {.read = ar_read, .handle = ar, .r = r};
      rc = in_read_stream(r, &s, name, id, fmt);
      if (rc == -1) rc = 0; /* reported; go on with the next member */
    }
  }
  if (rc == 0 && st != ARCHIVE_EOF) {
    const char *e = archive_error_string(ar);
    in_report(r, NULL, 0, "damaged archive: %s", e ? e : "unknown error");
  }
  archive_read_free(ar);
  return rc;
}
