/* prune.c — marking, listing and deleting what --prune removes (see
 * prune.h). */
#include "prune.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "utf8.h" /* cr_sanitize_for_terminal */

void prune_free(prune_set *ps) {
  for (size_t i = 0; i < ps->n_doomed; i++)
    free(ps->doomed[i].id_term);
  free(ps->doomed);
  ss_free(&ps->vanished);
  ss_free(&ps->removed);
  memset(ps, 0, sizeof *ps);
}

/* ---- Marking ------------------------------------------------------------ */

/* One prune_doom_file scan, for doom. */
typedef struct doom_scan {
  prune_set *ps;
  const char *file_term;
  const char *key;    /* the file */
  const strset *keep; /* ids the file still holds; NULL: none */
} doom_scan;

/* Marks one article of the scanned file (its id term is term[0..len)),
 * unless the file still holds it. Non-zero if memory ran out. */
static int doom(cr_docid id, const char *term, size_t len, void *ctx) {
  doom_scan *s = ctx;
  prune_set *ps = s->ps;
  char t[CR_ID_TERM_SIZE + 8]; /* id terms are at most CR_ID_TERM_SIZE */
  if (!len || len >= sizeof t) return 0; /* not an id term of ours */
  memcpy(t, term, len);
  t[len] = '\0';
  if (s->keep && ss_has(s->keep, t)) return 0; /* the file still holds it */
  if (ps->n_doomed == ps->cap_doomed) {
    size_t cap = ps->cap_doomed ? ps->cap_doomed * 2 : 64;
    prune_doomed *bigger = realloc(ps->doomed, cap * sizeof *bigger);
    if (!bigger) return 1;
    ps->doomed = bigger;
    ps->cap_doomed = cap;
  }
  prune_doomed *d = &ps->doomed[ps->n_doomed];
  if (!(d->id_term = strdup(t))) return 1;
  ps->n_doomed++;
  d->doc = id;
  snprintf(d->file_term, sizeof d->file_term, "%s", s->file_term);
  d->key = s->key;
  d->vanished = !s->keep;
  return 0;
}

int prune_doom_file(prune_set *ps, cr_wdb *db, const char *key,
                    const strset *keep, cr_error *err) {
  char term[CR_FILE_TERM_SIZE];
  cr_schema_file_term(key, term);
  doom_scan s = {ps, term, key, keep};
  int rc = cr_wdb_docs_with(db, term, CR_PREFIX_ID, doom, &s, err);
  if (rc > 0) cr_error_set(err, CR_E_NOMEM, "out of memory pruning");
  return rc ? -1 : 0;
}

static bool file_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

int prune_doom_vanished(prune_set *ps, cr_wdb *db, const src_table *known,
                        cr_error *err) {
  for (size_t i = 0; i < known->n; i++) {
    const char *key = known->entries[i].key;
    if (file_exists(key)) continue;
    if (prune_doom_file(ps, db, key, NULL, err) != 0) return -1;
    if (ss_add(&ps->vanished, key, strlen(key)) != 0) {
      cr_error_set(err, CR_E_NOMEM, "out of memory pruning");
      return -1;
    }
  }
  return 0;
}

/* Whether a doomed article still comes from its old file: nothing has
 * written its id again this run. 1, 0, or -1 with err filled. */
static int still_doomed(cr_wdb *db, const prune_doomed *d, cr_error *err) {
  return cr_wdb_doc_has_term(db, d->doc, d->file_term, err);
}

int prune_collect_removed(prune_set *ps, cr_wdb *db, const strset *seen,
                          cr_error *err) {
  for (size_t i = 0; i < ps->n_doomed; i++) {
    const prune_doomed *d = &ps->doomed[i];
    /* A dry run wrote nothing: an id read again would have been. */
    int still = seen ? !ss_has(seen, d->id_term) : still_doomed(db, d, err);
    if (still < 0) return -1;
    if (still && ss_add(&ps->removed, d->id_term, strlen(d->id_term)) != 0) {
      cr_error_set(err, CR_E_NOMEM, "out of memory pruning");
      return -1;
    }
  }
  ss_sort(&ps->removed);
  return 0;
}

/* ---- Removing ----------------------------------------------------------- */

int prune_delete(prune_set *ps, cr_wdb *db, const strset *unpruned,
                 uint64_t *articles, uint64_t *files, cr_error *err) {
  for (size_t i = 0; i < ps->n_doomed; i++) {
    const prune_doomed *d = &ps->doomed[i];
    int still = still_doomed(db, d, err);
    if (still < 0 || (still && cr_wdb_delete_doc(db, d->doc, err) != 0))
      return -1;
    if (still) ++*articles;
  }
  for (size_t i = 0; i < ps->vanished.n; i++) {
    const char *key = ps->vanished.items[i];
    char meta[PATH_MAX + 16];
    snprintf(meta, sizeof meta, "%s%s", SRC_META_PREFIX, key);
    if (cr_wdb_set_metadata(db, meta, "", 0, err) != 0) return -1;
    snprintf(meta, sizeof meta, "%s%s", SRC_UNPRUNED_PREFIX, key);
    if (ss_has(unpruned, key) && cr_wdb_set_metadata(db, meta, "", 0, err) != 0)
      return -1;
    /* A stop's resume mark of the file, if any, goes with it. */
    snprintf(meta, sizeof meta, "%s%s", SRC_RESUME_PREFIX, key);
    if (cr_wdb_set_metadata(db, meta, "", 0, err) != 0) return -1;
    ++*files;
  }
  return 0;
}

void prune_list(const prune_set *ps, const strset *seen, const strset *restored,
                FILE *out, uint64_t *articles, uint64_t *files) {
  for (size_t i = 0; i < ps->n_doomed; i++) {
    const prune_doomed *d = &ps->doomed[i];
    if (ss_has(seen, d->id_term) || ss_has(restored, d->id_term))
      continue; /* written again, from its file or another */
    const char *id = d->id_term + strlen(CR_PREFIX_ID);
    char *safe_id = cr_sanitize_for_terminal(id, strlen(id));
    char *safe_key = cr_sanitize_for_terminal(d->key, strlen(d->key));
    fprintf(out, "remove %s (%s: %s)\n", safe_id ? safe_id : id,
            safe_key ? safe_key : d->key,
            d->vanished ? "gone" : "no longer holds it");
    free(safe_id);
    free(safe_key);
    ++*articles;
  }
  *files = ps->vanished.n;
  fflush(out);
}

/* ---- Marks of files changed without --prune ----------------------------- */

/* One prune_load_unpruned scan, for add_unpruned. */
typedef struct unpruned_scan {
  cr_wdb *db;
  strset *into;
  bool failed; /* a read failed or memory ran out: err says which */
  cr_error *err;
} unpruned_scan;

static int add_unpruned(const char *key, size_t len, void *ctx) {
  unpruned_scan *us = ctx;
  size_t vlen = 0;
  char *value;
  if (cr_wdb_get_metadata(us->db, key, &value, &vlen, us->err) != 0) {
    us->failed = true;
    return 1;
  }
  if (!value) return 0; /* a cleared mark */
  free(value);
  size_t plen = strlen(SRC_UNPRUNED_PREFIX);
  if (ss_add(us->into, key + plen, len - plen) != 0) {
    cr_error_set(us->err, CR_E_NOMEM, "out of memory");
    us->failed = true;
    return 1;
  }
  return 0;
}

int prune_load_unpruned(cr_wdb *db, strset *unpruned, cr_error *err) {
  unpruned_scan us = {db, unpruned, false, err};
  if (cr_wdb_metadata_keys(db, SRC_UNPRUNED_PREFIX, add_unpruned, &us, err) < 0)
    return -1;
  ss_sort(unpruned);
  return us.failed ? -1 : 0;
}
