/* pipeline.c — the reader, the workers and the two write modes described
 * in pipeline.h. */
#include "pipeline.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "analyzer.h"
#include "duplicates.h"
#include "hash.h"
#include "input.h"
#include "progress.h"
#include "schema.h"
#include "sources.h"
#include "strset.h"
#include "textpack.h"
#include "utf8.h"
#include "xapian_c.h"

#define QUEUE_DEPTH 256 /* articles waiting per worker: bounds memory */

/* Build mode: a shard is flushed to disk after this much text or this
 * many articles. Xapian buffers postings in maps until a flush; small
 * maps are cheaper to fill than big ones, so on DICE flushing every
 * ~500 articles took 22% less CPU than Xapian's default (10,000) and
 * peak memory from 219 to 39 MB. */
#define SHARD_FLUSH_BYTES (1u << 20)
#define SHARD_FLUSH_DOCS 1000u

/* ---- Files in flight -------------------------------------------------- */

/* An input file whose articles are being written. Its signature is
 * recorded once the reader has finished it and every article is written. */
typedef struct src_file {
  char *key; /* absolute path (NULL: standard input) */
  char signature[96];
  unsigned pending; /* articles dealt out but not yet written */
  bool read_done;   /* the reader has finished the file completely */
  bool recorded;    /* signature written (or queued for the build) */
  bool drops_stale; /* updating with --prune (or --dry-run): the articles
                       it no longer holds go */
  bool was_known;   /* it had a signature: written only after pruning */
  bool had_problem; /* some of it could not be read */
  strset ids;       /* then: the id terms read from it this run */
  struct src_file *next;
} src_file;

/* ---- Work queues ------------------------------------------------------ */

/* An article copied out of the reader's buffers, one allocation. */
typedef struct job {
  cr_article art;
  src_file *file;
  size_t bytes;
} job;

typedef struct queue {
  job *items[QUEUE_DEPTH];
  size_t head, count;
  bool closed;
  pthread_mutex_t lock;
  pthread_cond_t not_empty, not_full;
} queue;

static void queue_init(queue *q) {
  memset(q, 0, sizeof *q);
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->not_empty, NULL);
  pthread_cond_init(&q->not_full, NULL);
}

static void queue_destroy(queue *q) {
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->not_empty);
  pthread_cond_destroy(&q->not_full);
}

static void queue_push(queue *q, job *j) {
  pthread_mutex_lock(&q->lock);
  while (q->count == QUEUE_DEPTH)
    pthread_cond_wait(&q->not_full, &q->lock);
  q->items[(q->head + q->count++) % QUEUE_DEPTH] = j;
  pthread_cond_signal(&q->not_empty);
  pthread_mutex_unlock(&q->lock);
}

/* NULL once the queue is closed and drained. */
static job *queue_pop(queue *q) {
  pthread_mutex_lock(&q->lock);
  while (q->count == 0 && !q->closed)
    pthread_cond_wait(&q->not_empty, &q->lock);
  job *j = NULL;
  if (q->count) {
    j = q->items[q->head];
    q->head = (q->head + 1) % QUEUE_DEPTH;
    q->count--;
    pthread_cond_signal(&q->not_full);
  }
  pthread_mutex_unlock(&q->lock);
  return j;
}

static void queue_close(queue *q) {
  pthread_mutex_lock(&q->lock);
  q->closed = true;
  pthread_cond_broadcast(&q->not_empty);
  pthread_mutex_unlock(&q->lock);
}

/* Copies the article's strings into one block owned by the job. */
static job *job_new(const cr_article *a, src_file *file) {
  const char *strs[] = {a->id,     a->title, a->date,  a->author,
                        a->source, a->url,   a->origin};
  size_t n = sizeof strs / sizeof *strs;
  size_t total = sizeof(job) + a->text_len + 1;
  for (size_t i = 0; i < n; i++)
    if (strs[i]) total += strlen(strs[i]) + 1;
  job *j = malloc(total);
  if (!j) return NULL;
  char *p = (char *)(j + 1);
  const char **dst[] = {&j->art.id,     &j->art.title,  &j->art.date,
                        &j->art.author, &j->art.source, &j->art.url,
                        &j->art.origin};
  for (size_t i = 0; i < n; i++) {
    if (!strs[i]) {
      *dst[i] = NULL;
      continue;
    }
    size_t len = strlen(strs[i]) + 1;
    memcpy(p, strs[i], len);
    *dst[i] = p;
    p += len;
  }
  memcpy(p, a->text, a->text_len);
  p[a->text_len] = '\0';
  j->art.text = p;
  j->art.text_len = a->text_len;
  j->file = file;
  j->bytes = a->text_len;
  return j;
}

/* ---- Shared state ----------------------------------------------------- */

typedef struct pipeline pipeline;

typedef struct worker {
  pipeline *pl;
  unsigned index;
  queue q;
  pthread_t thread;
  cr_wdb *shard;           /* build mode: this worker's own shard */
  size_t unflushed_bytes;  /* build mode: text written since the last flush */
  unsigned unflushed_docs; /* build mode: articles since the last flush */
  char shard_path[PATH_MAX + 32];
} worker;

struct pipeline {
  const pl_options *opts;
  pl_stats *stats;
  bool build_mode;
  char language[64];       /* the Snowball language terms are stemmed for */
  cr_wdb *db;              /* the index itself (update mode writes it) */
  char building[PATH_MAX]; /* INDEX.building: shards, the new index */
  worker *workers;
  unsigned n_workers;
  src_table known;   /* signatures from the previous run */
  cr_textdict *dict; /* the index's text dictionary, or NULL */
  bool dict_decided; /* dict is final: articles go to the workers */
  job **held;        /* build mode: the first articles, held back
                        as the dictionary's training sample */
  size_t n_held, cap_held, held_bytes;
  src_file *files; /* every file read this run */
  /* Pruning (see "Prune"): the articles marked to go, the files gone,
   * and the doomed ids an unchanged file is read again for. */
  struct doomed *doomed;
  size_t n_doomed, cap_doomed;
  bool pruning; /* --prune, or --dry-run (which shows what it would do) */
  bool pruned;  /* the update's pruning is done */
  strset vanished;
  strset removed;
  strset unpruned; /* keys of files changed since the last --prune */
  strset seen;     /* dry run: id terms the first walk read */
  strset restored; /* dry run: removed ids another file holds */
  progress bar;
  uint64_t files_seen;    /* input files met by the walk, read or not */
  uint64_t input_done;    /* bytes of finished input files */
  uint64_t input_current; /* bytes of the current file consumed */

  pthread_mutex_t lock;  /* guards everything below, and db writes */
  uint64_t since_commit; /* update mode: articles since last commit */
  bool failed;           /* a fatal write error: stop everything */
  cr_error error;
};

static void report(pipeline *pl, const char *fmt, const char *a,
                   const char *b) {
  progress_clear(&pl->bar);
  fprintf(stderr, fmt, a, b);
}

/* Records a finished file's signature. Called with pl->lock held. */
static void record_file(pipeline *pl, src_file *f) {
  if (f->recorded || !f->read_done || f->pending || !f->key) return;
  if (pl->opts->dry_run) return; /* writes nothing */
  /* With --prune, a changed file's signature waits for the end of the
   * update (prune): a run stopped before then leaves it unrecorded, so
   * the next run reads it again and still removes what it dropped. */
  if (f->was_known && f->drops_stale && !pl->pruned) return;
  f->recorded = true;
  if (pl->build_mode) return; /* written into the new index at the end */
  char key[PATH_MAX + 16];
  snprintf(key, sizeof key, "%s%s", SRC_META_PREFIX, f->key);
  cr_error err;
  int rc = cr_wdb_set_metadata(pl->db, key, f->signature, strlen(f->signature),
                               &err);
  /* Without --prune, what a changed file dropped stays indexed; the mark
   * makes the next --prune read the file again to find it. A --prune
   * that read the file cleanly clears it. */
  snprintf(key, sizeof key, "%s%s", SRC_UNPRUNED_PREFIX, f->key);
  if (rc == 0 && f->was_known && !pl->opts->prune)
    rc = cr_wdb_set_metadata(pl->db, key, "1", 1, &err);
  else if (rc == 0 && pl->opts->prune && ss_has(&pl->unpruned, f->key))
    rc = cr_wdb_set_metadata(pl->db, key, "", 0, &err);
  if (rc != 0 && !pl->failed) {
    pl->failed = true;
    pl->error = err;
  }
}

static void fail(pipeline *pl, const cr_error *err) {
  pthread_mutex_lock(&pl->lock);
  if (!pl->failed) {
    pl->failed = true;
    pl->error = *err;
  }
  pthread_mutex_unlock(&pl->lock);
}

/* ---- Workers ---------------------------------------------------------- */

/* A failed write in a shard often surfaces as Xapian's complaint about
 * the rollback it cannot do there (DB_DANGEROUS), not as its cause: name
 * the likely causes. */
static void shard_failed(cr_error *err, const char *shard_path) {
  cr_error failed = *err;
  /* That complaint says nothing a user can act on: left out. */
  bool internal = strstr(failed.message, "DB_DANGEROUS") ||
                  strstr(failed.message, "cancel()");
  cr_error_set(err, failed.code,
               "cannot write the new index in '%s' (is the disk full, or the "
               "directory not writable?)%s%s",
               shard_path, internal ? "" : ": ",
               internal ? "" : failed.message);
}

static void write_doc(worker *w, job *j, cr_doc *doc, const char *id_term) {
  pipeline *pl = w->pl;
  cr_error err;
  if (pl->build_mode) {
    bool existed = cr_wdb_termfreq(w->shard, id_term) > 0;
    if (cr_wdb_replace(w->shard, id_term, doc, &err) != 0) {
      shard_failed(&err, w->shard_path);
      fail(pl, &err);
      return;
    }
    w->unflushed_bytes += j->bytes;
    if (++w->unflushed_docs >= SHARD_FLUSH_DOCS ||
        w->unflushed_bytes >= SHARD_FLUSH_BYTES) {
      w->unflushed_docs = 0;
      w->unflushed_bytes = 0;
      if (cr_wdb_commit(w->shard, &err) != 0) {
        shard_failed(&err, w->shard_path);
        fail(pl, &err);
        return;
      }
    }
    pthread_mutex_lock(&pl->lock);
    if (existed)
      pl->stats->replaced++;
    else
      pl->stats->added++;
    pl->stats->text_bytes += j->bytes;
    j->file->pending--;
    record_file(pl, j->file);
    pthread_mutex_unlock(&pl->lock);
    return;
  }
  pthread_mutex_lock(&pl->lock);
  if (!pl->failed) {
    bool existed = cr_wdb_termfreq(pl->db, id_term) > 0;
    if (cr_wdb_replace(pl->db, id_term, doc, &err) != 0) {
      pl->failed = true;
      pl->error = err;
    } else {
      if (existed)
        pl->stats->replaced++;
      else
        pl->stats->added++;
      pl->stats->text_bytes += j->bytes;
      j->file->pending--;
      record_file(pl, j->file);
      if (++pl->since_commit >= pl->opts->commit_every) {
        pl->since_commit = 0;
        if (cr_wdb_commit(pl->db, &err) != 0) {
          pl->failed = true;
          pl->error = err;
        }
      }
    }
  }
  pthread_mutex_unlock(&pl->lock);
}

static void *worker_main(void *arg) {
  worker *w = arg;
  pipeline *pl = w->pl;
  cr_error err;
  cr_analyzer *an = cr_analyzer_new(pl->language, &err);
  cr_doc *doc = cr_doc_new();
  if (!an || !doc) {
    if (an) cr_error_set(&err, CR_E_NOMEM, "out of memory");
    fail(pl, &err);
  }
  cr_textpack *tp = NULL;
  job *j;
  char id_term[256];
  while ((j = queue_pop(&w->q)) != NULL) {
    /* The dictionary is final once articles reach the workers. */
    if (!tp && !(tp = cr_textpack_new(pl->dict))) {
      cr_error_set(&err, CR_E_NOMEM, "out of memory");
      fail(pl, &err);
    }
    if (an && doc && tp && !pl->failed) {
      cr_doc_clear(doc);
      if (cr_schema_build(an, tp, &j->art, doc, id_term, sizeof id_term,
                          &err) == 0)
        write_doc(w, j, doc, id_term);
      else
        fail(pl, &err);
    }
    free(j);
  }
  cr_textpack_free(tp);
  cr_doc_free(doc);
  cr_analyzer_free(an);
  /* Closing a shard flushes its buffered postings: done here, each worker
   * its own, they flush side by side rather than one after the other. */
  if (w->shard) {
    if (cr_wdb_close(w->shard, &err) != 0) {
      shard_failed(&err, w->shard_path);
      fail(pl, &err);
    }
    w->shard = NULL;
  }
  return NULL;
}

/* ---- Reader ----------------------------------------------------------- */

typedef struct read_ctx {
  pipeline *pl;
  src_file *file;
  bool restoring; /* reading unchanged files for removed ids only */
} read_ctx;

static uint32_t hash_id(const char *s) { return cr_fnv1a32(s, strlen(s)); }

/* Reports and counts a bad record or an unreadable path. */
static void problem(pipeline *pl, const in_where *w, const char *reason) {
  if (pl->opts->quiet_problems) return; /* an earlier pass reported it */
  char where[PATH_MAX + 64];
  if (w->member && w->line)
    snprintf(where, sizeof where, "%s:%s:%llu", w->path, w->member,
             (unsigned long long)w->line);
  else if (w->member)
    snprintf(where, sizeof where, "%s:%s", w->path, w->member);
  else if (w->line)
    snprintf(where, sizeof where, "%s:%llu", w->path,
             (unsigned long long)w->line);
  else
    snprintf(where, sizeof where, "%s", w->path);
  /* File and member names, and JSON errors quoting the input, may hold
   * newlines or terminal escapes: one line, printed safely. */
  char *safe_where = cr_sanitize_for_terminal(where, strlen(where));
  char *safe_reason = cr_sanitize_for_terminal(reason, strlen(reason));
  report(pl, "indexer: %s: %s (skipped)\n", safe_where ? safe_where : where,
         safe_reason ? safe_reason : reason);
  free(safe_where);
  free(safe_reason);
  pthread_mutex_lock(&pl->lock);
  pl->stats->skipped++;
  pthread_mutex_unlock(&pl->lock);
}

/* Problems inside a file, and walking the paths (a missing input, an
 * unreadable directory): both contexts are read_ctx. */
static void on_problem(const in_where *w, const char *reason, void *ctx) {
  read_ctx *rc = ctx;
  /* A file with a problem may have been read only in part (cut short,
   * unreadable): what it seems to lack is not pruned. */
  if (rc->file) rc->file->had_problem = true;
  if (rc->restoring) return; /* reported by the run that read it */
  problem(rc->pl, w, reason);
}

static void dispatch(pipeline *pl, job *j) {
  queue_push(&pl->workers[hash_id(j->art.id) % pl->n_workers].q, j);
}

/* Trains the text dictionary on the held articles (if they are text
 * enough), then deals them out: from now on articles go straight to the
 * workers. */
static void decide_dict(pipeline *pl) {
  const char **texts = malloc(pl->n_held * sizeof *texts + 1);
  size_t *lens = malloc(pl->n_held * sizeof *lens + 1);
  if (texts && lens && !pl->failed) {
    for (size_t i = 0; i < pl->n_held; i++) {
      texts[i] = pl->held[i]->art.text;
      lens[i] = pl->held[i]->art.text_len;
    }
    size_t len = 0;
    void *bytes = cr_textdict_train(texts, lens, pl->n_held, &len);
    cr_error err;
    if (bytes &&
        !(pl->dict = cr_textdict_load(bytes, len, CR_TEXTDICT_PACK, &err)))
      fail(pl, &err);
    free(bytes);
  }
  free(texts);
  free(lens);
  pl->dict_decided = true;
  for (size_t i = 0; i < pl->n_held; i++)
    dispatch(pl, pl->held[i]);
  free(pl->held);
  pl->held = NULL;
  pl->n_held = pl->cap_held = 0;
}

/* Holds j back for the dictionary's sample; false if memory ran out. */
static bool hold(pipeline *pl, job *j) {
  if (pl->n_held == pl->cap_held) {
    size_t cap = pl->cap_held ? pl->cap_held * 2 : 256;
    job **bigger = realloc(pl->held, cap * sizeof *bigger);
    if (!bigger) return false;
    pl->held = bigger;
    pl->cap_held = cap;
  }
  pl->held[pl->n_held++] = j;
  pl->held_bytes += j->bytes;
  if (pl->held_bytes >= CR_TEXTDICT_SAMPLE) decide_dict(pl);
  return true;
}

static int on_article(const cr_article *art, const in_where *w, void *ctx) {
  read_ctx *rc = ctx;
  pipeline *pl = rc->pl;
  if (*pl->opts->stop || pl->failed) return 1;
  if (pl->opts->keep && !pl->opts->keep(art->id, pl->opts->keep_ctx))
    return 0; /* another shard's article */
  if (rc->restoring || rc->file->drops_stale || pl->opts->dry_run) {
    char id_term[CR_ID_TERM_SIZE];
    cr_schema_id_term(art->id, id_term);
    if (rc->restoring && !ss_has(&pl->removed, id_term)) return 0;
    bool ok = true;
    if (!rc->restoring && rc->file->drops_stale)
      ok = ss_add(&rc->file->ids, id_term, strlen(id_term)) == 0;
    if (ok && pl->opts->dry_run) {
      /* Nothing is written: what would be, is counted. */
      strset *into = rc->restoring ? &pl->restored : &pl->seen;
      ok = ss_add(into, id_term, strlen(id_term)) == 0;
      if (!rc->restoring) {
        if (pl->db && cr_wdb_termfreq(pl->db, id_term) > 0)
          pl->stats->replaced++;
        else
          pl->stats->added++;
        pl->stats->text_bytes += art->text_len;
      }
    }
    if (!ok) {
      cr_error err;
      cr_error_set(&err, CR_E_NOMEM, "out of memory reading %s", w->path);
      fail(pl, &err);
      return 1;
    }
    if (pl->opts->dry_run) return 0;
  }
  job *j = job_new(art, rc->file);
  if (!j) {
    cr_error err;
    cr_error_set(&err, CR_E_NOMEM, "out of memory reading %s", w->path);
    fail(pl, &err);
    return 1;
  }
  pthread_mutex_lock(&pl->lock);
  rc->file->pending++;
  uint64_t done = pl->stats->added + pl->stats->replaced;
  uint64_t bytes = pl->stats->text_bytes;
  pthread_mutex_unlock(&pl->lock);
  pl->input_current = w->consumed;
  progress_update(&pl->bar, done, bytes, pl->input_done + pl->input_current);
  if (pl->dict_decided) {
    dispatch(pl, j);
  } else if (!hold(pl, j)) {
    dispatch(pl, j); /* unsampled, but indexed all the same */
  }
  return 0;
}

/* ctx is a read_ctx (file NULL), as on_problem expects for the walk's
 * unreadable paths too. */
static int on_file(const in_file *f, void *ctx) {
  pipeline *pl = ((read_ctx *)ctx)->pl;
  bool restoring = ((read_ctx *)ctx)->restoring;
  if (*pl->opts->stop || pl->failed) return 1;
  pl->files_seen++;
  char signature[96], hash[17];
  src_signature(signature, sizeof signature, f->size, f->mtime_ns, NULL);
  const char *known = f->key ? src_table_get(&pl->known, f->key) : NULL;
  bool unchanged = known && src_same_time(known, signature);
  /* A new time on the same bytes (a touch, a copy) is no change: read
   * again, the file's copy of an id would win over a newer one another
   * file gave since. Its new time is recorded, so the next run need not
   * hash it again. */
  bool have_hash =
      !unchanged && f->key && f->size >= 0 && src_content_hash(f->path, hash);
  if (have_hash)
    src_signature(signature, sizeof signature, f->size, f->mtime_ns, hash);
  if (known && !unchanged && have_hash &&
      src_same_bytes(known, f->size, hash)) {
    unchanged = true;
    if (!pl->opts->dry_run && !restoring) {
      char key[PATH_MAX + 16];
      snprintf(key, sizeof key, "%s%s", SRC_META_PREFIX, f->key);
      cr_error err;
      pthread_mutex_lock(&pl->lock);
      int rc =
          cr_wdb_set_metadata(pl->db, key, signature, strlen(signature), &err);
      pthread_mutex_unlock(&pl->lock);
      if (rc != 0) {
        fail(pl, &err);
        return 1;
      }
    }
  }
  /* A file that changed in a run without --prune may still have articles
   * it dropped: --prune reads it again. */
  if (unchanged && pl->pruning && ss_has(&pl->unpruned, f->key))
    unchanged = false;
  /* The first walk reads what changed; the restoring walk, only what the
   * first one skipped. */
  if (unchanged != restoring) {
    if (!restoring) pl->stats->unchanged_files++;
    pl->input_done += (uint64_t)(f->size > 0 ? f->size : 0);
    return 0;
  }
  src_file *sf = calloc(1, sizeof *sf);
  if (!sf || (f->key && !(sf->key = strdup(f->key)))) {
    free(sf);
    cr_error err;
    cr_error_set(&err, CR_E_NOMEM, "out of memory");
    fail(pl, &err);
    return 1;
  }
  snprintf(sf->signature, sizeof sf->signature, "%s", signature);
  sf->drops_stale = !pl->build_mode && f->key && pl->pruning;
  sf->was_known = known != NULL;
  pthread_mutex_lock(&pl->lock);
  sf->next = pl->files;
  pl->files = sf;
  pthread_mutex_unlock(&pl->lock);

  read_ctx rc = {pl, sf, restoring};
  pl->input_current = 0;
  int status = in_read(f, on_article, on_problem, &rc);
  pl->input_done += (uint64_t)(f->size > 0 ? f->size : 0);
  pl->input_current = 0;
  pthread_mutex_lock(&pl->lock);
  /* A file read to its end (even with bad records, which are reported and
   * would be bad again) is done; one cut short by a stop is not, nor one
   * that could not be read (-1: unreadable, a read error), which a later
   * run must read again rather than skip as unchanged. */
  sf->read_done = status == 0 && !*pl->opts->stop && !pl->failed;
  record_file(pl, sf);
  pthread_mutex_unlock(&pl->lock);
  return status == 1 ? 1 : 0;
}

/* ---- Totals for the progress bar -------------------------------------- */

static int add_size(const in_file *f, void *ctx) {
  if (f->size > 0) *(uint64_t *)ctx += (uint64_t)f->size;
  return 0;
}

static uint64_t total_input_bytes(const pl_options *o) {
  uint64_t total = 0;
  for (size_t i = 0; i < o->n_paths; i++)
    if (strcmp(o->paths[i], "-") != 0)
      in_walk(o->paths[i], add_size, NULL, &total);
  return total;
}

/* ---- Directories ------------------------------------------------------ */

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

static void remove_tree(const char *path) {
  nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static bool exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

/* A swap interrupted between its two renames left the old index in
 * INDEX.building/old: put it back. */
static void recover_swap(const char *index, const char *building) {
  char old[PATH_MAX + 8];
  snprintf(old, sizeof old, "%s/old", building);
  if (!exists(index) && exists(old)) rename(old, index);
}

/* Whether path is the current directory (as ".", "$PWD", or any other
 * name for it): renaming it away would leave the caller's shell in a
 * deleted directory, and "." cannot be renamed at all. */
static bool is_cwd(const char *path) {
  struct stat a, b;
  return stat(path, &a) == 0 && stat(".", &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

/* Moves the index built in fresh into the directory index, file by file,
 * where the directory itself cannot be swapped (it is the current
 * directory, or a mount point). The empty index's version file goes
 * first and the new one comes last, so the directory is never a mix of
 * the two: a crash in between leaves no index there (a rerun builds it
 * again), never a damaged one. */
static int swap_contents(const char *fresh, const char *index, cr_error *err) {
  char from[PATH_MAX + 300], to[PATH_MAX + 300];
  snprintf(to, sizeof to, "%s/iamglass", index);
  if (unlink(to) != 0 && errno != ENOENT) goto failed;
  /* The empty index's tables that the new one lacks would be stale. */
  DIR *d = opendir(index);
  if (!d) goto failed;
  const struct dirent *e;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n <= 6 || strcmp(e->d_name + n - 6, ".glass") != 0) continue;
    snprintf(from, sizeof from, "%s/%s", fresh, e->d_name);
    snprintf(to, sizeof to, "%s/%s", index, e->d_name);
    if (!exists(from)) unlink(to);
  }
  closedir(d);
  if (!(d = opendir(fresh))) goto failed;
  int rc = 0;
  while (rc == 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.' || !strcmp(e->d_name, "iamglass") ||
        !strcmp(e->d_name, "flintlock"))
      continue;
    snprintf(from, sizeof from, "%s/%s", fresh, e->d_name);
    snprintf(to, sizeof to, "%s/%s", index, e->d_name);
    rc = rename(from, to);
  }
  closedir(d);
  if (rc != 0) goto failed;
  snprintf(from, sizeof from, "%s/iamglass", fresh);
  snprintf(to, sizeof to, "%s/iamglass", index);
  if (rename(from, to) != 0) goto failed;
  int fd = open(index, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  return 0;
failed:
  cr_error_set(err, CR_E_IO, "cannot move the new index into place at %s: %s",
               index, strerror(errno));
  return -1;
}

/* ---- Build mode: shards to one compact index -------------------------- */

static int open_shards(pipeline *pl, cr_error *err) {
  if (mkdir(pl->building, 0777) != 0 && errno != EEXIST) {
    cr_error_set(err, CR_E_IO, "cannot create %s: %s", pl->building,
                 strerror(errno));
    return -1;
  }
  for (unsigned i = 0; i < pl->n_workers; i++) {
    worker *w = &pl->workers[i];
    snprintf(w->shard_path, sizeof w->shard_path, "%s/shard-%u", pl->building,
             i);
    w->shard = cr_wdb_open(w->shard_path,
                           CR_WDB_CREATE_OR_OVERWRITE | CR_WDB_NO_SYNC |
                               CR_WDB_DANGEROUS | CR_WDB_SPELLING_AT_CLOSE,
                           err);
    if (!w->shard) return -1;
  }
  return 0;
}

static int record_signatures(pipeline *pl, cr_wdb *db, cr_error *err) {
  for (src_file *f = pl->files; f; f = f->next) {
    if (!f->recorded || !f->key) continue;
    char key[PATH_MAX + 8];
    snprintf(key, sizeof key, "%s%s", SRC_META_PREFIX, f->key);
    if (cr_wdb_set_metadata(db, key, f->signature, strlen(f->signature), err))
      return -1;
  }
  return 0;
}

/* Compacts the shards into INDEX.building/new, records the signatures
 * there, and swaps it in place of the (empty) index. */
/* Stamps the document layout this indexer writes (schema.h) and the
 * language its terms are stemmed for. */
static int stamp_schema(cr_wdb *db, const char *language, cr_error *err) {
  return cr_wdb_set_metadata(db, CR_META_SCHEMA, CR_SCHEMA_VERSION,
                             strlen(CR_SCHEMA_VERSION), err) != 0 ||
                 cr_wdb_set_metadata(db, CR_META_LANGUAGE, language,
                                     strlen(language), err) != 0
             ? -1
             : 0;
}

/* An index that holds documents in another layout would be misread by
 * the searcher after an update, and terms stemmed for another language
 * would never meet: refuse it rather than mix them. Without --language,
 * an update keeps the index's. Sets pl->language. */
static int check_schema(cr_wdb *db, const char *index, pipeline *pl,
                        cr_error *err) {
  const char *asked = pl->opts->language;
  size_t len = 0;
  if (cr_wdb_doccount(db) == 0) {
    /* An empty index (a shard that got nothing yet, say) keeps its
     * language unless told otherwise. */
    char *had = cr_wdb_get_metadata(db, CR_META_LANGUAGE, &len);
    snprintf(pl->language, sizeof pl->language, "%s",
             asked ? asked
             : had ? had
                   : "italian");
    free(had);
    return stamp_schema(db, pl->language, err);
  }
  char *v = cr_wdb_get_metadata(db, CR_META_SCHEMA, &len);
  bool same = v && strcmp(v, CR_SCHEMA_VERSION) == 0;
  if (!same)
    cr_error_set(err, CR_E_INVALID,
                 "index '%s' holds documents in layout %s, this indexer writes "
                 "layout %s: index into a new directory (or remove it)",
                 index, v && *v ? v : "1", CR_SCHEMA_VERSION);
  free(v);
  if (!same) return -1;
  /* Indexes from before the stamp were built for the default, Italian. */
  char *was = cr_wdb_get_metadata(db, CR_META_LANGUAGE, &len);
  snprintf(pl->language, sizeof pl->language, "%s", was ? was : "italian");
  free(was);
  same = !asked || strcmp(pl->language, asked) == 0;
  if (!same)
    cr_error_set(err, CR_E_INVALID,
                 "index '%s' was built with --language %s, not %s: update it "
                 "in %s (the default), or index into a new directory",
                 index, pl->language, asked, pl->language);
  return same ? 0 : -1;
}

/* Near-duplicate groups are a property of the whole index: recomputed
 * after every run that changed it, committed with the run's last batch. */
static int group_duplicates(pipeline *pl, cr_wdb *const *dbs, size_t n,
                            cr_error *err) {
  dup_stats ds;
  if (dup_assign_groups(dbs, n, DUP_DEFAULT_THRESHOLD, &ds, err) != 0)
    return -1;
  pl->stats->duplicate_groups = ds.groups;
  pl->stats->duplicate_docs = ds.grouped_docs;
  return 0;
}

/* The dictionary the new index's texts were compressed with. */
static int store_dict(pipeline *pl, cr_wdb *db, cr_error *err) {
  if (!pl->dict) return 0;
  size_t len = 0;
  const char *bytes = cr_textdict_bytes(pl->dict, &len);
  return cr_wdb_set_metadata(db, CR_META_TEXTDICT, bytes, len, err);
}

/* Update mode: texts are compressed with the dictionary the index was
 * built with (none if it was built from too little text). */
static int load_dict(pipeline *pl, cr_error *err) {
  size_t len = 0;
  char *bytes = cr_wdb_get_metadata(pl->db, CR_META_TEXTDICT, &len);
  if (bytes) pl->dict = cr_textdict_load(bytes, len, CR_TEXTDICT_PACK, err);
  bool ok = !bytes || pl->dict;
  free(bytes);
  pl->dict_decided = true;
  return ok ? 0 : -1;
}

static int finish_build(pipeline *pl, cr_error *err) {
  const char *sources[256];
  unsigned n = 0;
  /* Groups are written into the shards before they are merged: written
   * after, they would leave the compacted index with half-empty blocks. */
  cr_wdb *shards[64];
  unsigned opened = 0;
  int rc = 0;
  for (unsigned i = 0; i < pl->n_workers && rc == 0; i++) {
    shards[i] = cr_wdb_open(pl->workers[i].shard_path,
                            CR_WDB_OPEN | CR_WDB_NO_SYNC, err);
    if (shards[i])
      opened++;
    else
      rc = -1;
  }
  if (rc == 0) rc = group_duplicates(pl, shards, opened, err);
  for (unsigned i = 0; i < opened; i++)
    if (cr_wdb_close(shards[i], rc == 0 ? err : NULL) != 0) {
      if (rc == 0) shard_failed(err, pl->workers[i].shard_path);
      rc = -1;
    }
  if (rc != 0) return -1;
  for (unsigned i = 0; i < pl->n_workers; i++)
    sources[n++] = pl->workers[i].shard_path;
  char fresh[PATH_MAX + 8], old[PATH_MAX + 8];
  snprintf(fresh, sizeof fresh, "%s/new", pl->building);
  snprintf(old, sizeof old, "%s/old", pl->building);
  remove_tree(fresh);
  if (cr_compact(sources, n, fresh, err) != 0) return -1;
  cr_wdb *db = cr_wdb_open(fresh, CR_WDB_OPEN, err);
  if (!db) return -1;
  if (record_signatures(pl, db, err) != 0 ||
      stamp_schema(db, pl->language, err) != 0 ||
      store_dict(pl, db, err) != 0 || cr_wdb_close(db, err) != 0)
    return -1;
  /* Release the lock on the empty index, then swap directories. */
  if (cr_wdb_close(pl->db, err) != 0) {
    pl->db = NULL;
    return -1;
  }
  pl->db = NULL;
  /* The current directory (or a mount point) is not renamed: its
   * contents are swapped instead. */
  if (is_cwd(pl->opts->index))
    return swap_contents(fresh, pl->opts->index, err);
  /* One atomic exchange, so a crash never leaves INDEX missing (the empty
   * index lands in INDEX.building/new and goes with it). The two renames
   * are the fallback where the file system cannot exchange. */
  if (renameat2(AT_FDCWD, fresh, AT_FDCWD, pl->opts->index, RENAME_EXCHANGE) ==
      0)
    return 0;
  if (rename(pl->opts->index, old) != 0) {
    if (errno == EBUSY) return swap_contents(fresh, pl->opts->index, err);
    cr_error_set(err, CR_E_IO, "cannot move the new index into place at %s: %s",
                 pl->opts->index, strerror(errno));
    return -1;
  }
  if (rename(fresh, pl->opts->index) != 0) {
    cr_error_set(err, CR_E_IO, "cannot move the new index into place at %s: %s",
                 pl->opts->index, strerror(errno));
    recover_swap(pl->opts->index, pl->building);
    return -1;
  }
  return 0;
}

/* ---- Workers and walks ----------------------------------------------- */

/* Starts a thread per worker; on failure, n_workers says how many run. */
static int spawn_workers(pipeline *pl, cr_error *err) {
  for (unsigned i = 0; i < pl->n_workers; i++)
    if (pthread_create(&pl->workers[i].thread, NULL, worker_main,
                       &pl->workers[i]) != 0) {
      cr_error_set(err, CR_E_GENERIC, "cannot start worker threads");
      pl->n_workers = i;
      return -1;
    }
  return 0;
}

static int start_workers(pipeline *pl, cr_error *err) {
  pl->workers = calloc(pl->n_workers, sizeof *pl->workers);
  if (!pl->workers) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  for (unsigned i = 0; i < pl->n_workers; i++) {
    pl->workers[i].pl = pl;
    pl->workers[i].index = i;
    queue_init(&pl->workers[i].q);
  }
  if (pl->build_mode && open_shards(pl, err) != 0) return -1;
  return spawn_workers(pl, err);
}

static void stop_workers(pipeline *pl) {
  for (unsigned i = 0; i < pl->n_workers; i++)
    queue_close(&pl->workers[i].q);
  for (unsigned i = 0; i < pl->n_workers; i++)
    pthread_join(pl->workers[i].thread, NULL);
}

/* Update mode: the workers again, after stop_workers. */
static int restart_workers(pipeline *pl, cr_error *err) {
  for (unsigned i = 0; i < pl->n_workers; i++) {
    queue_destroy(&pl->workers[i].q);
    queue_init(&pl->workers[i].q);
  }
  return spawn_workers(pl, err);
}

/* Reads every path: what changed since the last run, or (restoring) what
 * did not, for the removed ids only. */
static void walk_paths(pipeline *pl, bool restoring) {
  read_ctx walk = {pl, NULL, restoring};
  for (size_t i = 0; i < pl->opts->n_paths && !*pl->opts->stop && !pl->failed;
       i++) {
    uint64_t before = pl->files_seen;
    const char *path = pl->opts->paths[i];
    struct stat st;
    /* A path named on the command line that is not there is a usage
     * error, as for grep: named, counted apart from bad records, and the
     * run goes on with the rest. */
    if (strcmp(path, "-") != 0 && stat(path, &st) != 0) {
      if (!restoring && !pl->opts->quiet_problems) {
        char *safe = cr_sanitize_for_terminal(path, strlen(path));
        report(pl, "indexer: %s: %s (nothing read from it)\n",
               safe ? safe : path, strerror(errno));
        free(safe);
      }
      if (!restoring) pl->stats->missing_paths++;
      continue;
    }
    in_walk(path, on_file, on_problem, &walk);
    /* Files of other kinds are passed over in silence (a directory may
     * hold pictures); a directory with nothing to read is worth a word. */
    if (!restoring && !pl->opts->quiet_problems && pl->files_seen == before &&
        stat(path, &st) == 0 && S_ISDIR(st.st_mode))
      report(pl, "indexer: %s: no article files in it (%s)\n", path,
             ".txt, .jsonl, .ndjson, compressed .gz/.zst/.xz, .tar*, .zip");
  }
}

/* ---- Prune ------------------------------------------------------------ */

/* Only with --prune (or to be listed by --dry-run): an article goes when
 * its file has gone or, read again in full, no longer holds it (a file
 * changed by a run without --prune is read again for this, see
 * SRC_UNPRUNED_PREFIX). Such articles are first only marked doomed;
 * then the files left unchanged are read for the doomed ids, since one may
 * hold the same id (its version comes back, replacing the doomed article
 * in place, as a new build would have it); only then are the doomed
 * articles that still come from their old file deleted. A run stopped
 * before the end deletes nothing. */
struct doomed {
  cr_docid doc;
  char file_term[CR_FILE_TERM_SIZE]; /* the file it came from */
  char *id_term;
  const char *key; /* that file (owned by pl->known or pl->files) */
  bool vanished;   /* its file has gone (else: the file dropped it) */
};
typedef struct doomed doomed;

typedef struct doom_scan {
  pipeline *pl;
  const char *file_term;
  const char *key;    /* the file */
  const strset *keep; /* ids the file still holds; NULL: none */
} doom_scan;

static int doom(cr_docid id, const char *term, size_t len, void *ctx) {
  doom_scan *s = ctx;
  pipeline *pl = s->pl;
  char t[CR_ID_TERM_SIZE + 8]; /* id terms are at most CR_ID_TERM_SIZE */
  if (!len || len >= sizeof t) return 0; /* not an id term of ours */
  memcpy(t, term, len);
  t[len] = '\0';
  if (s->keep && ss_has(s->keep, t)) return 0; /* the file still holds it */
  if (pl->n_doomed == pl->cap_doomed) {
    size_t cap = pl->cap_doomed ? pl->cap_doomed * 2 : 64;
    doomed *bigger = realloc(pl->doomed, cap * sizeof *bigger);
    if (!bigger) return 1;
    pl->doomed = bigger;
    pl->cap_doomed = cap;
  }
  doomed *d = &pl->doomed[pl->n_doomed];
  if (!(d->id_term = strdup(t))) return 1;
  pl->n_doomed++;
  d->doc = id;
  snprintf(d->file_term, sizeof d->file_term, "%s", s->file_term);
  d->key = s->key;
  d->vanished = !s->keep;
  return 0;
}

/* Marks the articles of the file key that are not in keep (all of them
 * when keep is NULL). */
static int doom_file(pipeline *pl, const char *key, const strset *keep,
                     cr_error *err) {
  char term[CR_FILE_TERM_SIZE];
  cr_schema_file_term(key, term);
  doom_scan s = {pl, term, key, keep};
  int rc = cr_wdb_docs_with(pl->db, term, CR_PREFIX_ID, doom, &s, err);
  if (rc > 0) cr_error_set(err, CR_E_NOMEM, "out of memory pruning");
  return rc ? -1 : 0;
}

/* --prune, before reading: the articles of files that have gone. */
static int doom_vanished(pipeline *pl, cr_error *err) {
  for (size_t i = 0; i < pl->known.n; i++) {
    const char *key = pl->known.entries[i].key;
    if (exists(key)) continue;
    if (doom_file(pl, key, NULL, err) != 0) return -1;
    if (ss_add(&pl->vanished, key, strlen(key)) != 0) {
      cr_error_set(err, CR_E_NOMEM, "out of memory pruning");
      return -1;
    }
  }
  return 0;
}

/* After the first walk: what the files read in full no longer hold. */
static int doom_stale(pipeline *pl, cr_error *err) {
  for (src_file *f = pl->files; f; f = f->next) {
    if (!f->drops_stale || !f->read_done || f->had_problem) continue;
    ss_sort(&f->ids);
    if (doom_file(pl, f->key, &f->ids, err) != 0) return -1;
  }
  return 0;
}

/* Whether a doomed article still comes from its old file: nothing has
 * written its id again this run. 1, 0, or -1 with err filled. */
static int still_doomed(pipeline *pl, const doomed *d, cr_error *err) {
  return cr_wdb_doc_has_term(pl->db, d->doc, d->file_term, err);
}

/* Reads the unchanged files for the doomed ids nothing wrote again. */
static int restore_doomed(pipeline *pl, cr_error *err) {
  bool dry = pl->opts->dry_run;
  if (dry) ss_sort(&pl->seen);
  for (size_t i = 0; i < pl->n_doomed; i++) {
    /* A dry run wrote nothing: an id read again would have been. */
    int still = dry ? !ss_has(&pl->seen, pl->doomed[i].id_term)
                    : still_doomed(pl, &pl->doomed[i], err);
    if (still < 0) return -1;
    if (still && ss_add(&pl->removed, pl->doomed[i].id_term,
                        strlen(pl->doomed[i].id_term)) != 0) {
      cr_error_set(err, CR_E_NOMEM, "out of memory pruning");
      return -1;
    }
  }
  if (pl->removed.n == 0) return 0;
  ss_sort(&pl->removed);
  if (!dry && restart_workers(pl, err) != 0) {
    stop_workers(pl); /* those that did start */
    return -1;
  }
  walk_paths(pl, true);
  if (!dry) stop_workers(pl);
  ss_sort(&pl->restored);
  progress_clear(&pl->bar); /* the walk drew it again */
  if (pl->failed) {
    *err = pl->error;
    return -1;
  }
  return 0;
}

/* Deletes the doomed articles no file gave again, and forgets the files
 * that have gone. */
static int delete_doomed(pipeline *pl, cr_error *err) {
  for (size_t i = 0; i < pl->n_doomed; i++) {
    const doomed *d = &pl->doomed[i];
    int still = still_doomed(pl, d, err);
    if (still < 0 || (still && cr_wdb_delete_doc(pl->db, d->doc, err) != 0))
      return -1;
    if (still) pl->stats->pruned_articles++;
  }
  for (size_t i = 0; i < pl->vanished.n; i++) {
    char meta[PATH_MAX + 16];
    snprintf(meta, sizeof meta, "%s%s", SRC_META_PREFIX, pl->vanished.items[i]);
    if (cr_wdb_set_metadata(pl->db, meta, "", 0, err) != 0) return -1;
    snprintf(meta, sizeof meta, "%s%s", SRC_UNPRUNED_PREFIX,
             pl->vanished.items[i]);
    if (ss_has(&pl->unpruned, pl->vanished.items[i]) &&
        cr_wdb_set_metadata(pl->db, meta, "", 0, err) != 0)
      return -1;
    pl->stats->pruned_files++;
  }
  return 0;
}

/* Dry run: lists on standard output what --prune would remove, one
 * article a line ("remove ID (FILE: gone)"), and counts it. */
static void list_doomed(pipeline *pl) {
  for (size_t i = 0; i < pl->n_doomed; i++) {
    const doomed *d = &pl->doomed[i];
    if (ss_has(&pl->seen, d->id_term) || ss_has(&pl->restored, d->id_term))
      continue; /* written again, from its file or another */
    const char *id = d->id_term + strlen(CR_PREFIX_ID);
    char *safe_id = cr_sanitize_for_terminal(id, strlen(id));
    char *safe_key = cr_sanitize_for_terminal(d->key, strlen(d->key));
    printf("remove %s (%s: %s)\n", safe_id ? safe_id : id,
           safe_key ? safe_key : d->key,
           d->vanished ? "gone" : "no longer holds it");
    free(safe_id);
    free(safe_key);
    pl->stats->pruned_articles++;
  }
  pl->stats->pruned_files = pl->vanished.n;
  fflush(stdout);
}

/* After the first walk of an update. */
static int prune(pipeline *pl, cr_error *err) {
  if (doom_stale(pl, err) != 0 || restore_doomed(pl, err) != 0) return -1;
  if (*pl->opts->stop) return 0; /* the next run prunes again */
  if (pl->opts->dry_run) {
    list_doomed(pl);
    return 0;
  }
  if (delete_doomed(pl, err) != 0) return -1;
  /* Now the changed files' signatures can be written. */
  pthread_mutex_lock(&pl->lock);
  pl->pruned = true;
  for (src_file *f = pl->files; f; f = f->next)
    record_file(pl, f);
  bool failed = pl->failed;
  if (failed) *err = pl->error;
  pthread_mutex_unlock(&pl->lock);
  return failed ? -1 : 0;
}

/* ---- The whole run ---------------------------------------------------- */

static uint64_t tree_total; /* tree_bytes' sum (nftw passes no context) */

static int add_entry_size(const char *path, const struct stat *st, int flag,
                          struct FTW *ftw) {
  (void)path;
  (void)ftw;
  if (flag == FTW_F) tree_total += (uint64_t)st->st_blocks * 512;
  return 0;
}

/* Bytes on disk under path. */
static uint64_t tree_bytes(const char *path) {
  tree_total = 0;
  nftw(path, add_entry_size, 16, FTW_PHYS);
  return tree_total;
}

/* Megabytes free for an unprivileged writer on path's file system, or -1
 * if unknown. */
static double free_mb(const char *path) {
  struct statvfs vfs;
  if (statvfs(path, &vfs) != 0) return -1;
  return (double)vfs.f_bavail * (double)vfs.f_frsize / 1e6;
}

/* A run that failed because the disk is full says so in plain words,
 * with what it had written and what is free (called before the build's
 * leftovers are removed, which frees that space again). */
static void explain_full_disk(pipeline *pl, cr_error *err) {
  const char *where = pl->build_mode ? pl->building : pl->opts->index;
  double avail = free_mb(exists(where) ? where : pl->opts->index);
  /* A write that failed on a disk with (nearly) nothing free counts too:
   * Xapian does not always pass the cause on. */
  bool write_failed = strstr(err->message, "Error writing") ||
                      strstr(err->message, "is the disk full");
  bool full = strstr(err->message, strerror(ENOSPC)) != NULL ||
              (write_failed && avail >= 0 && avail < 1.0);
  if (!full) return;
  double input = (double)total_input_bytes(pl->opts) / 1e6;
  if (pl->build_mode) {
    double written = (double)tree_bytes(pl->building) / 1e6;
    cr_error_set(err, CR_E_IO,
                 "the disk is full (ENOSPC, no space left on device): the new "
                 "index for %.1f MB of input had taken %.1f MB in '%s' when "
                 "the space ran out, and %.1f MB are free; it is removed, "
                 "and nothing else changed. It needs more than %.1f MB: free "
                 "some space (or index elsewhere) and run again",
                 input, written, pl->building, avail > 0 ? avail : 0.0,
                 written);
  } else {
    cr_error_set(err, CR_E_IO,
                 "the disk is full (ENOSPC, no space left on device) while "
                 "updating '%s' with %.1f MB of input (%.1f MB free): what "
                 "was committed is kept, and a rerun after freeing space "
                 "finishes the job",
                 pl->opts->index, input, avail > 0 ? avail : 0.0);
  }
}

typedef struct unpruned_ctx {
  pipeline *pl;
  bool failed;
} unpruned_ctx;

static int add_unpruned(const char *key, size_t len, void *ctx) {
  unpruned_ctx *uc = ctx;
  size_t vlen = 0;
  char *value = cr_wdb_get_metadata(uc->pl->db, key, &vlen);
  if (!value) return 0; /* a cleared mark */
  free(value);
  size_t plen = strlen(SRC_UNPRUNED_PREFIX);
  if (ss_add(&uc->pl->unpruned, key + plen, len - plen) != 0) {
    uc->failed = true;
    return 1;
  }
  return 0;
}

/* The files changed since the last --prune (SRC_UNPRUNED_PREFIX). */
static int load_unpruned(pipeline *pl) {
  unpruned_ctx uc = {pl, false};
  cr_wdb_metadata_keys(pl->db, SRC_UNPRUNED_PREFIX, add_unpruned, &uc);
  ss_sort(&pl->unpruned);
  return uc.failed ? -1 : 0;
}

/* Whether dir holds an index (a dry run opens only what exists). */
static bool is_index(const char *dir) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/iamglass", dir);
  return exists(path);
}

/* Opens the index for the run, taking its lock. A dry run writes
 * nothing: it creates no index (pl->db stays NULL when there is none). */
static int open_index(pipeline *pl, cr_error *err) {
  const char *index = pl->opts->index;
  if (pl->opts->dry_run && !is_index(index)) return 0;
  pl->db = cr_wdb_open(
      index, pl->opts->dry_run ? CR_WDB_OPEN : CR_WDB_CREATE_OR_OPEN, err);
  if (pl->db) return 0;
  /* Xapian says "locked" also when it cannot make its lock file. */
  if (err && err->code == CR_E_LOCKED && access(index, R_OK | W_OK | X_OK) != 0)
    cr_error_set(err, CR_E_IO, "cannot write to index '%s': %s", index,
                 strerror(errno));
  else if (err && err->code == CR_E_LOCKED)
    cr_error_set(err, CR_E_LOCKED,
                 "index '%s' is being written by another indexer; wait for "
                 "it to finish",
                 index);
  return -1;
}

static void free_pipeline(pipeline *pl) {
  if (pl->workers) {
    for (unsigned i = 0; i < pl->n_workers; i++) {
      if (pl->workers[i].shard) cr_wdb_close(pl->workers[i].shard, NULL);
      queue_destroy(&pl->workers[i].q);
    }
    free(pl->workers);
  }
  while (pl->files) {
    src_file *next = pl->files->next;
    free(pl->files->key);
    ss_free(&pl->files->ids);
    free(pl->files);
    pl->files = next;
  }
  for (size_t i = 0; i < pl->n_doomed; i++)
    free(pl->doomed[i].id_term);
  free(pl->doomed);
  ss_free(&pl->vanished);
  ss_free(&pl->removed);
  ss_free(&pl->unpruned);
  ss_free(&pl->seen);
  ss_free(&pl->restored);
  src_table_free(&pl->known);
  for (size_t i = 0; i < pl->n_held; i++)
    free(pl->held[i]);
  free(pl->held);
  cr_textdict_free(pl->dict);
  if (pl->db) cr_wdb_close(pl->db, NULL);
  pthread_mutex_destroy(&pl->lock);
}

int pl_run(const pl_options *opts, pl_stats *stats, cr_error *err) {
  pipeline pl = {.opts = opts, .stats = stats};
  memset(stats, 0, sizeof *stats);
  pthread_mutex_init(&pl.lock, NULL);
  pl.n_workers = opts->jobs ? opts->jobs : 1;
  if (pl.n_workers > 64) pl.n_workers = 64;
  snprintf(pl.building, sizeof pl.building, "%s.building", opts->index);
  double started = progress_now();

  bool dry = opts->dry_run;
  pl.pruning = opts->prune || dry;
  if (dry) pl.n_workers = 0; /* nothing to write */
  if (!dry) recover_swap(opts->index, pl.building);
  /* Opening the index takes its lock, for the whole run. */
  if (open_index(&pl, err) != 0) {
    free_pipeline(&pl);
    return -1;
  }
  if (!pl.db) { /* a dry run, and no index yet: everything is new */
    pl.build_mode = true;
  } else if (dry) {
    pl.build_mode = cr_wdb_doccount(pl.db) == 0;
    if (!pl.build_mode && check_schema(pl.db, opts->index, &pl, err) != 0) {
      free_pipeline(&pl);
      return -1;
    }
  } else {
    /* Leftovers of a run that died or failed (a full disk, say) go first,
     * with the lock held, before anything is written: they may hold the
     * space this run needs. */
    remove_tree(pl.building);
    /* Commit the (possibly new, empty) index so it always opens. */
    if (check_schema(pl.db, opts->index, &pl, err) != 0 ||
        cr_wdb_commit(pl.db, err) != 0) {
      explain_full_disk(&pl, err);
      free_pipeline(&pl);
      return -1;
    }
    pl.build_mode = cr_wdb_doccount(pl.db) == 0;
  }
  stats->build_mode = pl.build_mode;
  if (!pl.build_mode && !dry && load_dict(&pl, err) != 0) {
    free_pipeline(&pl);
    return -1;
  }
  if (pl.db &&
      (src_table_load(&pl.known, pl.db) != 0 || load_unpruned(&pl) != 0)) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    free_pipeline(&pl);
    return -1;
  }
  if (pl.pruning && !pl.build_mode && doom_vanished(&pl, err) != 0) {
    free_pipeline(&pl);
    return -1;
  }
  if (!opts->quiet)
    progress_init(&pl.bar, opts->quiet, total_input_bytes(opts));
  else
    progress_init(&pl.bar, true, 0);

  int rc = dry ? 0 : start_workers(&pl, err);
  if (rc == 0) {
    walk_paths(&pl, false);
    /* Less text than a full sample: decide with what there is. */
    if (!pl.dict_decided && !dry) decide_dict(&pl);
  }
  stop_workers(&pl);
  progress_clear(&pl.bar);
  stats->interrupted = *opts->stop != 0;

  if (rc == 0 && pl.failed) {
    *err = pl.error;
    rc = -1;
  }
  if (rc == 0) {
    /* Whatever was written is kept, interrupted or not: files cut short
     * carry no signature, so the next run reads them again. */
    if (dry) {
      if (!pl.build_mode && !stats->interrupted) rc = prune(&pl, err);
    } else if (pl.build_mode && stats->added + stats->replaced > 0)
      rc = finish_build(&pl, err);
    else if (!pl.build_mode) {
      if (!stats->interrupted) rc = prune(&pl, err);
      stats->interrupted = *opts->stop != 0;
      bool changed = stats->added + stats->replaced + stats->pruned_files +
                         stats->pruned_articles >
                     0;
      if (rc == 0 && changed) rc = group_duplicates(&pl, &pl.db, 1, err);
      if (rc == 0) rc = cr_wdb_commit(pl.db, err);
    }
  }
  if (rc != 0 && !dry) explain_full_disk(&pl, err);
  /* A failed build is removed too: it holds space and nothing else. (A
   * swap stopped half way put the old index back first.) */
  if (!dry && (rc == 0 || (pl.build_mode && exists(opts->index))))
    remove_tree(pl.building);
  free_pipeline(&pl);
  stats->seconds = progress_now() - started;
  return rc;
}
