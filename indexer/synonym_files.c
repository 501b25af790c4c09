/* synonym_files.c — --synonyms files and the default list into an index
 * (synonym_files.h). */
#include "synonym_files.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analyzer.h"
#include "schema.h"
#include "shards.h"
#include "synonyms.h"
#include "utf8.h"
#include "xapian_c.h"

/* A synonym file is a list a person writes: past this it is a mistake. */
#define SYN_MAX_FILE_BYTES (16u << 20)

/* One file's text, whole. NULL with err filled. */
static char *read_all(const char *path, size_t *len, cr_error *err) {
  FILE *f = strcmp(path, "-") == 0 ? stdin : fopen(path, "rb");
  if (!f) {
    cr_error_set(err, CR_E_IO, "--synonyms: cannot read '%s': %s", path,
                 strerror(errno));
    return NULL;
  }
  size_t cap = 65536, n = 0;
  char *buf = malloc(cap);
  while (buf) {
    if (n == cap) {
      if (cap >= SYN_MAX_FILE_BYTES) {
        cr_error_set(err, CR_E_INVALID,
                     "--synonyms: '%s' is over 16 MB: not a synonym list",
                     path);
        free(buf);
        buf = NULL;
        break;
      }
      char *bigger = realloc(buf, cap * 2);
      if (!bigger) {
        free(buf);
        buf = NULL;
        break;
      }
      buf = bigger;
      cap *= 2;
    }
    size_t k = fread(buf + n, 1, cap - n, f);
    n += k;
    if (k == 0) break;
  }
  if (buf && ferror(f)) {
    cr_error_set(err, CR_E_IO, "--synonyms: cannot read '%s': %s", path,
                 strerror(errno));
    free(buf);
    buf = NULL;
  } else if (!buf && err && !err->code) {
    cr_error_set(err, CR_E_NOMEM, "out of memory reading '%s'", path);
  }
  if (f != stdin) fclose(f);
  *len = n;
  return buf;
}

typedef struct file_text {
  const char *name;
  char *text;
  size_t len;
} file_text;

/* Reports a bad line, once per file (the first database's pass). */
typedef struct reporter {
  const char *name;
  bool quiet;   /* a later database: said already */
  unsigned bad; /* lines reported */
} reporter;

static void report_bad(unsigned line, const char *why, void *ctx) {
  reporter *r = ctx;
  r->bad++;
  if (r->quiet) return;
  char *safe = cr_sanitize_for_terminal(r->name, strlen(r->name));
  fprintf(stderr, "indexer: %s:%u: %s (skipped)\n", safe ? safe : r->name, line,
          why);
  free(safe);
}

/* A dry run only reports: the lines read are not written. */
static int ignore_line(const cr_syn_line *l, void *ctx) {
  (void)l;
  (void)ctx;
  return 0;
}

/* The synonyms into one database: the default list when it has not had
 * it, then the files. first: the first database (it reports). */
static int update_db(const char *path, const syn_request *r,
                     const file_text *files, bool first, uint64_t *bad,
                     cr_error *err) {
  cr_wdb *db = cr_wdb_open(path, CR_WDB_OPEN, err);
  if (!db) return -1;
  char *language = NULL, *mark = NULL;
  size_t len;
  int rc = cr_wdb_get_metadata(db, CR_META_LANGUAGE, &language, &len, err);
  if (rc == 0) rc = cr_wdb_get_metadata(db, CR_META_SYNONYMS, &mark, &len, err);
  cr_analyzer *an = rc == 0 ? cr_analyzer_new(language, err) : NULL;
  if (!an) rc = -1;
  if (rc == 0 && !mark) {
    const char *list = r->no_defaults ? NULL : cr_syn_default_list(language);
    cr_syn_stats st;
    reporter rep = {"(the default synonyms)", !first, 0};
    if (list)
      rc = cr_syn_apply(db, an, list, strlen(list), report_bad, &rep, &st, err);
    const char *value = list ? "default" : "none";
    if (rc == 0)
      rc = cr_wdb_set_metadata(db, CR_META_SYNONYMS, value, strlen(value), err);
  }
  for (size_t i = 0; i < r->n_files && rc == 0; i++) {
    cr_syn_stats st;
    reporter rep = {files[i].name, !first, 0};
    rc = cr_syn_apply(db, an, files[i].text, files[i].len, report_bad, &rep,
                      &st, err);
    if (rc == 0 && first) {
      *bad += st.bad;
      if (!r->quiet) {
        char *safe =
            cr_sanitize_for_terminal(files[i].name, strlen(files[i].name));
        fprintf(stderr,
                "indexer: synonyms from %s: %u %s read, %u bad %s skipped\n",
                safe ? safe : files[i].name, st.lines,
                st.lines == 1 ? "line" : "lines", st.bad,
                st.bad == 1 ? "line" : "lines");
        free(safe);
      }
    }
  }
  if (rc == 0) rc = cr_wdb_commit(db, err);
  cr_analyzer_free(an);
  free(language);
  free(mark);
  cr_error ignored;
  if (cr_wdb_close(db, rc == 0 ? err : &ignored) != 0) rc = -1;
  return rc;
}

/* A dry run: the files read and their bad lines reported, in the
 * index's language if there is one (else Italian). */
static int check_files(const char *index, const syn_request *r,
                       const file_text *files, uint64_t *bad, cr_error *err) {
  char *language = NULL;
  const char *paths[] = {index};
  cr_error ignored;
  cr_rdb *db = cr_rdb_open(paths, 1, &ignored);
  size_t len;
  if (db) {
    if (cr_rdb_shard_metadata(db, 0, CR_META_LANGUAGE, &language, &len,
                              &ignored) != 0)
      language = NULL;
    cr_rdb_close(db);
  }
  cr_analyzer *an = cr_analyzer_new(language, err);
  free(language);
  if (!an) return -1;
  int rc = 0;
  for (size_t i = 0; i < r->n_files && rc == 0; i++) {
    reporter rep = {files[i].name, false, 0};
    if (cr_syn_parse(an, files[i].text, files[i].len, ignore_line, report_bad,
                     &rep) != 0) {
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      rc = -1;
    }
    *bad += rep.bad;
  }
  cr_analyzer_free(an);
  return rc;
}

int syn_update(const char *index, const syn_request *r, uint64_t *bad,
               cr_error *err) {
  *bad = 0;
  file_text files[SYN_MAX_FILES] = {{0}};
  int rc = 0;
  for (size_t i = 0; i < r->n_files && rc == 0; i++) {
    files[i].name = r->files[i];
    if (!(files[i].text = read_all(r->files[i], &files[i].len, err))) rc = -1;
  }
  if (rc == 0 && r->dry_run) {
    rc = check_files(index, r, files, bad, err);
  } else if (rc == 0) {
    sh_kind kind;
    unsigned n = 0;
    rc = sh_detect(index, &kind, &n, err);
    if (rc == 0 && kind == SH_NONE && r->n_files > 0) {
      cr_error_set(err, CR_E_INVALID,
                   "--synonyms: '%s' is not an index yet: index articles "
                   "into it first (or with the same run)",
                   index);
      rc = -1;
    }
    if (rc == 0 && kind == SH_SINGLE)
      rc = update_db(index, r, files, true, bad, err);
    for (unsigned k = 0; rc == 0 && kind == SH_SHARDED && k < n; k++) {
      char path[PATH_MAX + 16];
      sh_shard_path(path, sizeof path, index, k);
      rc = update_db(path, r, files, k == 0, bad, err);
    }
  }
  for (size_t i = 0; i < r->n_files; i++)
    free(files[i].text);
  return rc;
}
