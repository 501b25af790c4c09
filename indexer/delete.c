/* delete.c — see delete.h. */
#include "delete.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "duplicates.h"
#include "schema.h"
#include "shards.h"
#include "utf8.h" /* cr_sanitize_for_terminal */
#include "xapian_c.h"

/* Opens every database of dir: one, or its shards. */
static int open_all(const char *dir, cr_wdb **dbs, unsigned *n, cr_error *err) {
  sh_kind kind;
  unsigned shards = 0;
  if (sh_detect(dir, &kind, &shards, err) != 0) return -1;
  if (kind == SH_NONE) {
    cr_error_set(err, CR_E_INVALID, "'%s' is no index: nothing to delete from",
                 dir);
    return -1;
  }
  *n = kind == SH_SHARDED ? shards : 1;
  for (unsigned k = 0; k < *n; k++) {
    char path[PATH_MAX + 32];
    if (kind == SH_SHARDED)
      sh_shard_path(path, sizeof path, dir, k);
    else
      snprintf(path, sizeof path, "%s", dir);
    dbs[k] = cr_wdb_open(path, CR_WDB_OPEN, err);
    if (!dbs[k]) {
      if (err->code == CR_E_LOCKED)
        cr_error_set(err, CR_E_LOCKED,
                     "index '%s' is being written by another indexer; wait "
                     "for it to finish",
                     dir);
      for (unsigned i = 0; i < k; i++)
        cr_wdb_close(dbs[i], NULL);
      return -1;
    }
  }
  return 0;
}

int dl_run(const char *dir, const char *const *ids, size_t n, bool dry_run,
           dl_stats *stats, cr_error *err) {
  memset(stats, 0, sizeof *stats);
  cr_wdb *dbs[SH_MAX_SHARDS];
  unsigned n_dbs = 0;
  if (open_all(dir, dbs, &n_dbs, err) != 0) return -1;
  /* One transaction per database: a failure leaves each as it was. */
  unsigned begun = 0;
  int trc = 0;
  for (; !dry_run && begun < n_dbs && trc == 0; begun++)
    trc = cr_wdb_begin_transaction(dbs[begun], err);
  if (trc != 0) {
    for (unsigned k = 0; k < n_dbs; k++) {
      if (k + 1 < begun) cr_wdb_cancel_transaction(dbs[k], NULL);
      cr_wdb_close(dbs[k], NULL);
    }
    return -1;
  }
  bool *touched = calloc(n_dbs, sizeof *touched);
  int rc = touched ? 0 : -1;
  if (!touched) cr_error_set(err, CR_E_NOMEM, "out of memory");
  for (size_t i = 0; i < n && rc == 0; i++) {
    char term[CR_ID_TERM_SIZE];
    cr_schema_id_term(ids[i], term);
    unsigned k = n_dbs > 1 ? sh_shard_of(ids[i], n_dbs) : 0;
    char *safe = cr_sanitize_for_terminal(ids[i], strlen(ids[i]));
    const char *shown = safe ? safe : ids[i];
    uint32_t held = 0;
    if (cr_wdb_termfreq(dbs[k], term, &held, err) != 0) {
      rc = -1;
    } else if (held == 0) {
      fprintf(stderr, "indexer: %s: not in the index\n", shown);
      stats->missing++;
    } else if (dry_run) {
      printf("remove %s\n", shown);
      stats->removed++;
    } else if (cr_wdb_delete(dbs[k], term, err) == 0) {
      touched[k] = true;
      stats->removed++;
    } else {
      rc = -1;
    }
    free(safe);
  }
  /* Near-duplicate groups without the deleted articles, shard by shard
   * as the indexer groups them. */
  for (unsigned k = 0; k < n_dbs && rc == 0; k++) {
    dup_stats ds;
    if (touched[k] &&
        dup_assign_groups(&dbs[k], 1, DUP_DEFAULT_THRESHOLD, &ds, err) != 0)
      rc = -1;
  }
  for (unsigned k = 0; k < begun; k++) {
    if (rc == 0 && cr_wdb_commit_transaction(dbs[k], err) != 0)
      rc = -1;
    else if (rc != 0)
      cr_wdb_cancel_transaction(dbs[k], NULL);
  }
  for (unsigned k = 0; k < n_dbs; k++)
    if (cr_wdb_close(dbs[k], rc == 0 ? err : NULL) != 0) rc = -1;
  free(touched);
  return rc;
}

int dl_read_ids(const char *path, char ***ids, size_t *n, size_t *cap,
                cr_error *err) {
  bool is_stdin = strcmp(path, "-") == 0;
  FILE *f = is_stdin ? stdin : fopen(path, "r");
  if (!f) {
    cr_error_set(err, CR_E_IO, "--delete-from '%s': %s", path, strerror(errno));
    return -1;
  }
  char *line = NULL;
  size_t size = 0;
  ssize_t len;
  int rc = 0;
  while (rc == 0 && (len = getline(&line, &size, f)) >= 0) {
    char *s = line;
    while (len > 0 && (s[len - 1] == '\n' || s[len - 1] == '\r' ||
                       s[len - 1] == ' ' || s[len - 1] == '\t'))
      s[--len] = '\0';
    while (*s == ' ' || *s == '\t') {
      s++;
      len--;
    }
    if (len == 0) continue;
    if (*n == *cap) {
      size_t c = *cap ? *cap * 2 : 64;
      char **bigger = realloc(*ids, c * sizeof *bigger);
      if (!bigger) {
        rc = -1;
        break;
      }
      *ids = bigger;
      *cap = c;
    }
    if (!((*ids)[*n] = strdup(s))) {
      rc = -1;
      break;
    }
    (*n)++;
  }
  if (rc != 0) cr_error_set(err, CR_E_NOMEM, "out of memory");
  if (rc == 0 && ferror(f)) {
    cr_error_set(err, CR_E_IO, "--delete-from '%s': read error", path);
    rc = -1;
  }
  free(line);
  if (!is_stdin) fclose(f);
  return rc;
}
