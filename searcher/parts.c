/* parts.c — a search over several local shards in a thread per shard
 * (engine.h): each thread on its own reader of every shard, filtered to
 * its part, and the pages merged as Xapian orders them. */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "engine.h"

/* Threads a search of n_shards databases uses: one per shard, up to
 * p->threads when set; else up to the cores that are free (the load
 * average counts this search's own thread: on a machine already busy a
 * second thread only waits for a core, and adds its overhead), and no
 * more than SR_THREAD_MIN_DOCS articles each allow. One alone where a
 * merge could not give one search's answer: remote shards (the exact
 * tests cannot run there, and the time is the servers'), or copies
 * counted once (the counter must see every shard). */
static size_t parts_for(const sr_engine *e, const sr_params *p,
                        const cr_search_opts *so) {
  size_t shards = cr_rdb_shard_count(e->db);
  if (shards < 2 || e->remote || !e->local || so->count_once_slot >= 0)
    return 1;
  long want = p->threads;
  if (want <= 0) {
    want = sysconf(_SC_NPROCESSORS_ONLN);
    double load;
    if (getloadavg(&load, 1) == 1 && load > 1)
      want -= (long)load - 1; /* the cores other work keeps busy */
    uint32_t docs;
    cr_error ignored;
    if (cr_rdb_doccount(e->db, &docs, &ignored) != 0) return 1;
    if (want > (long)(docs / SR_THREAD_MIN_DOCS))
      want = (long)(docs / SR_THREAD_MIN_DOCS);
  }
  if (want < 1) want = 1;
  if (want > SR_MAX_THREADS) want = SR_MAX_THREADS;
  return (size_t)want < shards ? (size_t)want : shards;
}

/* Opens reader rd on the engine's databases, as the engine's own. */
static int reader_open(sr_engine *e, sr_reader *rd, cr_error *err) {
  if (!(rd->db = cr_rdb_open((const char *const *)e->paths, e->n_paths, err)))
    return -1;
  if (!(rd->an = cr_analyzer_new(cr_analyzer_language(e->an), err))) return -1;
  if (!(rd->tp = cr_textpack_new(NULL))) goto oom;
  for (size_t i = 0; i < e->n_dicts; i++)
    if (cr_textpack_also(rd->tp, e->dicts[i]) != 0) goto oom;
  return 0;
oom:
  cr_error_set(err, CR_E_NOMEM, "out of memory");
  return -1;
}

/* Readers for n threads, opened the first time they are needed, each
 * then kept at the engine's revision. 0, 1 when the index changed between
 * them (retry after a reopen), or -1 with err filled. */
static int have_workers(sr_engine *e, size_t n, cr_error *out) {
  cr_error local, *err = out ? out : &local;
  if (e->n_workers < n) {
    /* Room for as many threads as there may be, once: a worker never
     * moves, so what its last parse keeps of its reader (the exact
     * tests' pointers) stays valid until that parse is freed. */
    if (!e->workers &&
        !(e->workers = calloc(SR_MAX_THREADS, sizeof *e->workers))) {
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      return -1;
    }
    if (e->n_workers == 0) e->n_workers = 1;
    while (e->n_workers < n) {
      sr_worker *w = &e->workers[e->n_workers];
      if (reader_open(e, &w->rd, err) != 0) {
        sr_reader_close(&w->rd);
        memset(&w->rd, 0, sizeof w->rd);
        return sr_may_be_a_commit(err->code) ? 1 : -1;
      }
      e->n_workers++;
    }
  }
  for (size_t k = 1; k < n; k++) {
    bool same;
    sr_reader *rd = &e->workers[k].rd;
    if (cr_rdb_same_revisions(e->db, rd->db, &same, err) != 0)
      return sr_may_be_a_commit(err->code) ? 1 : -1;
    if (!same && (cr_rdb_reopen(rd->db, err) != 0 ||
                  cr_rdb_same_revisions(e->db, rd->db, &same, err) != 0))
      return sr_may_be_a_commit(err->code) ? 1 : -1;
    if (!same) return 1; /* a commit came between the two: reopen all */
  }
  return 0;
}

/* Parses the query again on this thread's reader and runs it over its
 * part of the shards. */
static void *run_part(void *arg) {
  sr_worker *w = arg;
  sr_engine *e = w->e;
  cr_error_clear(&w->err);
  w->rc = -1;
  if (sr_build_query(&w->rd, w->p, e->local && !e->hurried, false, e->text,
                     e->text_len, &w->parsed, &w->err) != 0 ||
      sr_restrict_to_id(w->p, &w->parsed, &w->err) != 0)
    return NULL;
  if (w->rd.read_failed) {
    /* Read again after a reopen: not at the engine's revision. */
    cr_error_set(&w->err, CR_E_MODIFIED, "a term count or synonym failed");
    return NULL;
  }
  if (!w->parsed.query) { /* the engine's parse found something: retry */
    cr_error_set(&w->err, CR_E_MODIFIED, "the query parsed differently");
    return NULL;
  }
  cr_query *q = cr_query_shard_part(w->parsed.query, w->rd.db, w->part,
                                    w->n_parts, &w->err);
  if (!q) return NULL;
  w->mset = cr_search(w->rd.db, q, w->so, &w->err);
  cr_query_free(q);
  if (w->mset) w->rc = 0;
  return NULL;
}

/* The query over n_parts threads, each with its part of the shards, and
 * their pages merged (cr_mset_merge): the same page as one search. This
 * thread runs part 0 with the engine's own reader and parse. NULL with
 * err filled on failure. */
static cr_mset *search_parts(sr_engine *e, const sr_params *p, sr_page *page,
                             const cr_search_opts *so, size_t n_parts,
                             cr_error *err) {
  int rc = have_workers(e, n_parts, err);
  if (rc != 0) {
    if (rc > 0)
      cr_error_set(err, CR_E_MODIFIED, "the index changed between threads");
    return NULL;
  }
  cr_search_opts part = *so;
  part.count = so->offset + so->count;
  part.offset = 0;
  cr_mset *msets[SR_MAX_THREADS] = {0};
  size_t started = 1;
  for (; started < n_parts; started++) {
    sr_worker *w = &e->workers[started];
    sr_worker_reset(w);
    w->e = e;
    w->p = p;
    w->so = &part;
    w->part = started;
    w->n_parts = n_parts;
    if (pthread_create(&w->thread, NULL, run_part, w) != 0) break;
  }
  cr_error merr;
  cr_error_clear(&merr);
  cr_query *q = NULL;
  if (started < n_parts)
    cr_error_set(&merr, CR_E_NOMEM, "cannot start a search thread");
  else if ((q = cr_query_shard_part(page->parsed.query, e->db, 0, n_parts,
                                    &merr)))
    msets[0] = cr_search(e->db, q, &part, &merr);
  cr_query_free(q);
  int failed = msets[0] ? 0 : 1;
  if (failed && err) *err = merr;
  for (size_t k = 1; k < started; k++) {
    sr_worker *w = &e->workers[k];
    pthread_join(w->thread, NULL);
    msets[k] = w->mset;
    w->mset = NULL;
    if (w->rc != 0 && !failed++ && err) *err = w->err;
  }
  if (failed) {
    for (size_t k = 0; k < n_parts; k++)
      cr_mset_free(msets[k]);
    return NULL;
  }
  return cr_mset_merge(msets, n_parts, so, e->db, page->parsed.query, err);
}

cr_mset *sr_search_parts(sr_engine *e, const sr_params *p, sr_page *page,
                         const cr_search_opts *so, cr_error *err) {
  size_t n_parts = parts_for(e, p, so);
  if (n_parts < 2) return cr_search(e->db, page->parsed.query, so, err);
  return search_parts(e, p, page, so, n_parts, err);
}
