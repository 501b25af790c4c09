/* engine.c — opening the engine on its databases, and closing it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "dbpaths.h"
#include "engine.h"
#include "schema.h"

/* The longest pause before a retry (sr_pause_before). */
#define SR_PAUSE_MAX_MS 64

/* Errors a writer's commits can cause in a reader. Xapian reports the
 * revision being read as overwritten with DatabaseModifiedError, but glass
 * sometimes meets the overwritten blocks first and says DatabaseError
 * ("EOF reading block") or DatabaseCorruptError (seen in
 * tests/test_concurrency.c). A reopen and a retry tell these from real
 * damage, which fails again. */
bool sr_may_be_a_commit(int code) {
  return code == CR_E_MODIFIED || code == CR_E_IO || code == CR_E_CORRUPT;
}

/* A pause before retry number tries, for the writer to finish its
 * commit: longer each time. */
void sr_pause_before(int tries) {
  long ms = tries < 7 ? 1L << (tries - 1) : SR_PAUSE_MAX_MS;
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&pause, NULL);
}

/* Documents in another layout would print as empty results: say so.
 * Every database is asked: each indexer run stamps its own. */
static int check_schema(cr_rdb *db, const char *path, cr_error *err) {
  uint32_t docs;
  if (cr_rdb_doccount(db, &docs, err) != 0) return -1;
  if (docs == 0) return 0;
  int rc = 0;
  for (size_t k = 0; rc == 0 && k < cr_rdb_shard_count(db); k++) {
    size_t len = 0;
    char *stamp;
    if (cr_rdb_shard_metadata(db, k, CR_META_SCHEMA, &stamp, &len, err) != 0)
      return -1;
    char which[48] = "";
    if (cr_rdb_shard_count(db) > 1)
      snprintf(which, sizeof which, " (database %zu of %zu)", k + 1,
               cr_rdb_shard_count(db));
    rc = cr_schema_check_stamp(stamp, path, which, err);
    free(stamp);
  }
  return rc;
}

/* Adds shard k's text dictionary, unless one with its id is there. */
static int add_dict(sr_engine *e, size_t k, cr_error *err) {
  size_t len = 0;
  char *bytes;
  if (cr_rdb_shard_metadata(e->db, k, CR_META_TEXTDICT, &bytes, &len, err) != 0)
    return -1;
  if (!bytes) return 0; /* built from too little text for one */
  cr_textdict *d = cr_textdict_load(bytes, len, CR_TEXTDICT_UNPACK, err);
  free(bytes);
  if (!d) return -1;
  for (size_t i = 0; i < e->n_dicts; i++)
    if (cr_textdict_id(e->dicts[i]) == cr_textdict_id(d)) {
      cr_textdict_free(d); /* shards built in one run share theirs */
      return 0;
    }
  cr_textdict **more = realloc(e->dicts, (e->n_dicts + 1) * sizeof *more);
  if (!more || cr_textpack_also(e->tp, d) != 0) {
    if (more) e->dicts = more;
    cr_textdict_free(d);
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  e->dicts = more;
  e->dicts[e->n_dicts++] = d;
  return 0;
}

/* Texts are unpacked with the dictionary their index was built with:
 * each shard (or -d) may have its own. */
static int open_textpack(sr_engine *e, cr_error *err) {
  if (!(e->tp = cr_textpack_new(NULL))) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  for (size_t k = 0; k < cr_rdb_shard_count(e->db); k++)
    if (add_dict(e, k, err) != 0) return -1;
  return 0;
}

/* Queries are stemmed for the language the index was built for, unless
 * the user asks for another (then warned: their terms rarely meet). A
 * language Snowball does not know fails first, with one message. */
static int open_analyzer(sr_engine *e, const char *path, const char *language,
                         cr_error *err) {
  size_t len = 0;
  char *built;
  if (cr_rdb_shard_metadata(e->db, 0, CR_META_LANGUAGE, &built, &len, err) != 0)
    return -1;
  e->an = cr_analyzer_new(language ? language : built, err);
  if (!e->an) {
    free(built);
    return -1;
  }
  if (language && built && strcmp(language, built) != 0)
    out_say("warning: '%s' was built with --language %s; searching it with "
            "%s finds fewer matches",
            path, built, language);
  /* Several databases stemmed for different languages: one analyzer
   * serves them all, the first one's. */
  for (size_t k = 1; built && k < cr_rdb_shard_count(e->db); k++) {
    char *other;
    if (cr_rdb_shard_metadata(e->db, k, CR_META_LANGUAGE, &other, &len, err) !=
        0) {
      free(built);
      return -1;
    }
    bool differs = other && strcmp(other, built) != 0;
    if (differs)
      out_say("warning: the databases were built with different languages "
              "(%s, %s); queries are stemmed for %s",
              built, other, language ? language : built);
    free(other);
    if (differs) break;
  }
  free(built);
  return 0;
}

/* The paths opened, for the readers of other threads. */
static int keep_paths(sr_engine *e, const sr_dbpaths *once, cr_error *err) {
  if (!(e->paths = calloc(once->n, sizeof *e->paths))) goto oom;
  for (size_t i = 0; i < once->n; i++, e->n_paths++)
    if (!(e->paths[i] = strdup(once->paths[i]))) goto oom;
  return 0;
oom:
  cr_error_set(err, CR_E_NOMEM, "out of memory");
  return -1;
}

sr_engine *sr_open(const char *const *paths, size_t n_paths,
                   const char *language, cr_error *err) {
  /* Each database once: the same one twice would show every article
   * twice and double every count (dbpaths.h). */
  sr_dbpaths once;
  if (sr_dbpaths_resolve(paths, n_paths, &once, err) != 0) return NULL;
  sr_engine *e = calloc(1, sizeof *e);
  if (!e) {
    sr_dbpaths_free(&once);
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return NULL;
  }
  e->remote = once.remote;
  e->copies = once.n > 1;
  /* Opening, too, can meet a commit in progress; so can reading the
   * layout stamp, which then looks absent: try again before refusing. */
  for (int tries = 0; tries < SR_ATTEMPTS; tries++) {
    if (tries > 0) sr_pause_before(tries);
    e->db = cr_rdb_open(once.paths, once.n, err);
    e->local = true;
    if (e->db && check_schema(e->db, once.paths[0], err) == 0) {
      if (open_analyzer(e, once.paths[0], language, err) == 0 &&
          open_textpack(e, err) == 0 && keep_paths(e, &once, err) == 0) {
        sr_dbpaths_free(&once);
        e->rd.db = e->db;
        e->rd.an = e->an;
        e->rd.tp = e->tp;
        return e;
      }
      sr_dbpaths_free(&once);
      sr_close(e);
      return NULL;
    }
    cr_rdb_close(e->db);
    e->db = NULL;
    if (!err || !(sr_may_be_a_commit(err->code) || err->code == CR_E_INVALID))
      break;
  }
  sr_dbpaths_free(&once);
  free(e);
  return NULL;
}

/* Forgets the term counts gathered for the last query. */
void sr_reader_forget_counts(sr_reader *rd) {
  for (size_t i = 0; i < rd->n_terms; i++)
    free(rd->terms[i]);
  free(rd->terms);
  free(rd->counts);
  rd->terms = NULL;
  rd->counts = NULL;
  rd->n_terms = rd->cap_terms = 0;
  rd->counted = false;
}

void sr_reader_close(sr_reader *rd) {
  sr_reader_forget_counts(rd);
  cr_textpack_free(rd->tp);
  cr_exact_scratch_free(&rd->scratch);
  cr_rdb_close(rd->db);
  cr_analyzer_free(rd->an);
}

/* Frees what worker w's last search left (the main thread's job: Xapian's
 * reference counts are not atomic). */
void sr_worker_reset(sr_worker *w) {
  cr_mset_free(w->mset);
  w->mset = NULL;
  cr_parsed_query_free(&w->parsed);
  memset(&w->parsed, 0, sizeof w->parsed);
}

void sr_close(sr_engine *e) {
  if (!e) return;
  for (size_t k = 1; k < e->n_workers; k++) {
    sr_worker_reset(&e->workers[k]);
    sr_reader_close(&e->workers[k].rd);
  }
  free(e->workers);
  for (size_t i = 0; i < e->n_paths; i++)
    free(e->paths[i]);
  free(e->paths);
  cr_textpack_free(e->tp);
  cr_exact_scratch_free(&e->rd.scratch);
  sr_reader_forget_counts(&e->rd);
  for (size_t i = 0; i < e->n_dicts; i++)
    cr_textdict_free(e->dicts[i]);
  free(e->dicts);
  cr_rdb_close(e->db);
  cr_analyzer_free(e->an);
  free(e);
}

cr_rdb *sr_engine_db(sr_engine *e) { return e->db; }
cr_analyzer *sr_engine_analyzer(sr_engine *e) { return e->an; }
cr_textpack *sr_engine_textpack(sr_engine *e) { return e->tp; }
