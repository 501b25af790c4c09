/* pipeline.c — the reader, the workers and the run described in
 * pipeline.h. The pieces they use have their own files: the job queue
 * (queue.c), build mode's directories and swap (build.c), the index's
 * stamp and dictionary (meta.c), and what --prune removes (prune.c). */
#include "pipeline.h"

#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "build.h"
#include "duplicates.h"
#include "hash.h"
#include "id_origins.h"
#include "input.h"
#include "meta.h"
#include "progress.h"
#include "prune.h"
#include "queue.h"
#include "schema.h"
#include "sources.h"
#include "strset.h"
#include "textpack.h"
#include "utf8.h"
#include "xapian_c.h"

/* Build mode: a shard is flushed to disk after this much text or this
 * many articles. Xapian buffers postings in maps until a flush; small
 * maps are cheaper to fill than big ones, so on DICE flushing every
 * ~500 articles took 22% less CPU than Xapian's default (10,000) and
 * peak memory from 219 to 39 MB. On 200k synthetic articles flushing
 * every 512 KB or 256 KB cost 3-4% more CPU than every 1 MB, 4 MB (at
 * 100k) 15% more (bench/README.md, "Indexing cost"). */
#define SHARD_FLUSH_BYTES (1u << 20)
#define SHARD_FLUSH_DOCS 1000u

/* ---- Files in flight -------------------------------------------------- */

/* An input file whose articles are being written. Its signature is
 * recorded once the reader has finished it and every article is written. */
typedef struct src_file {
  char *key; /* absolute path (NULL: standard input) */
  char signature[96];
  unsigned pending;     /* articles dealt out but not yet written */
  bool read_done;       /* the reader has finished the file completely */
  bool recorded;        /* signature written (or queued for the build) */
  bool drops_stale;     /* updating with --prune (or --dry-run): the articles
                           it no longer holds go */
  bool was_known;       /* it had a signature: written only after pruning */
  bool had_problem;     /* some of it could not be read */
  bool resumable;       /* plain JSON Lines, updating: a stop inside it leaves
                           a resume mark (sources.h) */
  bool stopped;         /* the read was cut short by a stop (Ctrl-C) */
  bool had_mark;        /* the index holds a resume mark for it */
  int64_t resume_end;   /* then: the byte after the last record handed on */
  uint64_t resume_line; /* the lines up to it */
  strset ids;           /* then: the id terms read from it this run */
  struct src_file *next;
} src_file;

/* ---- Shared state ----------------------------------------------------- */

typedef struct pipeline pipeline;

typedef struct worker {
  pipeline *pl;
  unsigned index; /* its place in pl->workers */
  job_queue q;    /* the articles dealt to it */
  pthread_t thread;
  cr_wdb *shard;           /* build mode: this worker's own shard */
  cr_wdf_bounds *bounds;   /* build mode: its terms' largest wdfs */
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
  src_table known;        /* signatures from the previous run */
  src_table marks;        /* resume marks of files a stop cut short */
  cr_textdict *dict;      /* the index's text dictionary, or NULL */
  bool dict_decided;      /* dict is final: articles go to the workers */
  cr_impacts impacts;     /* BM25's parameters the articles are weighed by */
  bool impacts_decided;   /* impacts.avg_length is final */
  cr_analyzer *sampler;   /* build mode: measures the first articles */
  uint64_t sampled_words; /* their lengths' sum */
  unsigned n_sampled;     /* how many */
  job **held;             /* build mode: the first articles, held back
                             as the dictionary's training sample */
  size_t n_held, cap_held, held_bytes;
  src_file *files; /* every file read this run */
  /* Pruning (prune.h): the articles marked to go, the files gone, and
   * the doomed ids an unchanged file is read again for. */
  prune_set doomed;
  bool pruning;    /* --prune, or --dry-run (which shows what it would do) */
  bool pruned;     /* the update's pruning is done */
  strset unpruned; /* keys of files changed since the last --prune */
  strset seen;     /* dry run: id terms the first walk read */
  strset restored; /* dry run: removed ids another file holds */
  progress bar;
  id_origins *origins;    /* which file of the run gave each id */
  uint64_t files_seen;    /* input files met by the walk, read or not */
  uint64_t input_done;    /* bytes of finished input files */
  uint64_t input_current; /* bytes of the current file consumed */

  /* A fatal error: everything stops. Set under lock (with error), but
   * read without it by the reader and the workers, hence atomic. */
  atomic_bool failed;
  pthread_mutex_t lock;  /* guards everything below, and db writes */
  uint64_t since_commit; /* update mode: articles since last commit */
  cr_error error;        /* why it failed */
};

/* Whether the run has failed (any thread, any time). */
static bool has_failed(pipeline *pl) { return atomic_load(&pl->failed); }

/* Prints a message (fmt with two strings) on stderr, erasing the bar. */
static void report(pipeline *pl, const char *fmt, const char *a,
                   const char *b) {
  progress_clear(&pl->bar);
  fprintf(stderr, fmt, a, b);
}

/* Makes err the run's error, unless it already failed. Called with
 * pl->lock held. */
static void fail_locked(pipeline *pl, const cr_error *err) {
  if (has_failed(pl)) return;
  pl->error = *err;
  atomic_store(&pl->failed, true);
}

/* fail_locked, taking the lock. */
static void fail(pipeline *pl, const cr_error *err) {
  pthread_mutex_lock(&pl->lock);
  fail_locked(pl, err);
  pthread_mutex_unlock(&pl->lock);
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
  /* Read to its end: a stop's mark in it is done with. */
  snprintf(key, sizeof key, "%s%s", SRC_RESUME_PREFIX, f->key);
  if (rc == 0 && f->had_mark)
    rc = cr_wdb_set_metadata(pl->db, key, "", 0, &err);
  if (rc != 0) fail_locked(pl, &err);
}

/* Writes into db the resume mark of every file a stop cut short after
 * some records, all of them written (they are in db's next commit). */
static int write_resume_marks(pipeline *pl, cr_wdb *db, cr_error *err) {
  for (src_file *f = pl->files; f; f = f->next) {
    if (!f->key || !f->resumable || !f->stopped || f->read_done || f->pending ||
        f->resume_end <= 0)
      continue;
    char key[PATH_MAX + 16], mark[160];
    snprintf(key, sizeof key, "%s%s", SRC_RESUME_PREFIX, f->key);
    src_resume_mark(mark, sizeof mark, f->resume_end, f->resume_line,
                    f->signature);
    if (cr_wdb_set_metadata(db, key, mark, strlen(mark), err) != 0) return -1;
  }
  return 0;
}

/* ---- Workers ---------------------------------------------------------- */

/* Writes one analysed article: into the worker's own shard (build mode)
 * or, taking turns, into the index (update mode, committing every
 * commit_every articles). Counts it, and records its file's signature
 * once the file is done. */
static void write_doc(worker *w, job *j, cr_doc *doc, const char *id_term) {
  pipeline *pl = w->pl;
  cr_error err;
  if (pl->build_mode) {
    uint32_t had;
    if (cr_wdb_termfreq(w->shard, id_term, &had, &err) != 0 ||
        cr_wdb_replace(w->shard, id_term, doc, &err) != 0) {
      build_shard_failed(&err, w->shard_path);
      fail(pl, &err);
      return;
    }
    w->unflushed_bytes += j->bytes;
    if (++w->unflushed_docs >= SHARD_FLUSH_DOCS ||
        w->unflushed_bytes >= SHARD_FLUSH_BYTES) {
      w->unflushed_docs = 0;
      w->unflushed_bytes = 0;
      if (cr_wdb_commit(w->shard, &err) != 0) {
        build_shard_failed(&err, w->shard_path);
        fail(pl, &err);
        return;
      }
    }
    pthread_mutex_lock(&pl->lock);
    if (had > 0)
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
  if (!has_failed(pl)) {
    uint32_t had;
    if (cr_wdb_termfreq(pl->db, id_term, &had, &err) != 0 ||
        cr_wdb_replace(pl->db, id_term, doc, &err) != 0) {
      fail_locked(pl, &err);
    } else {
      if (had > 0)
        pl->stats->replaced++;
      else
        pl->stats->added++;
      pl->stats->text_bytes += j->bytes;
      j->file->pending--;
      record_file(pl, j->file);
      if (++pl->since_commit >= pl->opts->commit_every) {
        pl->since_commit = 0;
        if (cr_wdb_commit(pl->db, &err) != 0) fail_locked(pl, &err);
      }
    }
  }
  pthread_mutex_unlock(&pl->lock);
}

/* A worker's thread: analyses and writes the jobs of its queue until it
 * is closed, then closes its shard (build mode). */
static void *worker_main(void *arg) {
  worker *w = arg;
  pipeline *pl = w->pl;
  cr_error err;
  cr_analyzer *an = cr_analyzer_new(pl->language, &err);
  cr_doc *doc = an ? cr_doc_new(&err) : NULL;
  if (!an || !doc) fail(pl, &err);
  cr_textpack *tp = NULL;
  /* The worker's own analyses, one article at a time: the memory stays. */
  cr_schema_terms terms;
  cr_schema_terms_init(&terms);
  job *j;
  char id_term[CR_ID_TERM_SIZE];
  while ((j = jq_pop(&w->q)) != NULL) {
    /* The dictionary is final once articles reach the workers. */
    if (!tp && !(tp = cr_textpack_new(pl->dict))) {
      cr_error_set(&err, CR_E_NOMEM, "out of memory");
      fail(pl, &err);
    }
    if (an && doc && tp && !has_failed(pl)) {
      /* An article the sampling analysed comes with its terms and doc. */
      cr_schema_terms *t = j->terms ? j->terms : &terms;
      cr_doc *d = j->terms ? j->doc : doc;
      bool ok = j->terms || (cr_doc_clear(doc, &err) == 0 &&
                             cr_schema_analyse(an, &j->art, t, d, &err) == 0);
      if (ok && cr_schema_finish(tp, &pl->impacts, &j->art, t, d, id_term,
                                 sizeof id_term, &err) == 0)
        write_doc(w, j, d, id_term);
      else
        fail(pl, &err);
    }
    jq_job_free(j);
  }
  cr_textpack_free(tp);
  cr_schema_terms_free(&terms);
  cr_doc_free(doc);
  cr_analyzer_free(an);
  /* Closing a shard flushes its buffered postings: done here, each worker
   * its own, they flush side by side rather than one after the other. */
  if (w->shard) {
    if (cr_wdb_close(w->shard, &err) != 0) {
      build_shard_failed(&err, w->shard_path);
      fail(pl, &err);
    }
    w->shard = NULL;
  }
  return NULL;
}

/* ---- Reader ----------------------------------------------------------- */

typedef struct read_ctx {
  pipeline *pl;
  src_file *file; /* the file being read (NULL while walking) */
  bool restoring; /* reading unchanged files for removed ids only */
} read_ctx;

static uint32_t hash_id(const char *s) { return cr_fnv1a32(s, strlen(s)); }

/* Where w is, as messages name it: "path[:member][:line]". */
static void format_where(const in_where *w, char *buf, size_t size) {
  size_t n = (size_t)snprintf(buf, size, "%s", w->path);
  if (w->member && n < size)
    n += (size_t)snprintf(buf + n, size - n, ":%s", w->member);
  if (w->line && n < size)
    snprintf(buf + n, size - n, ":%llu", (unsigned long long)w->line);
}

/* Reports msg about w on stderr with fmt, whose two %s are where and
 * msg. File and member names, and JSON errors quoting the input, may hold
 * newlines or terminal escapes: one line, printed safely. */
static void report_at(pipeline *pl, const in_where *w, const char *fmt,
                      const char *msg) {
  char where[PATH_MAX + 64];
  format_where(w, where, sizeof where);
  char *safe_where = cr_sanitize_for_terminal(where, strlen(where));
  char *safe_msg = cr_sanitize_for_terminal(msg, strlen(msg));
  report(pl, fmt, safe_where ? safe_where : where, safe_msg ? safe_msg : msg);
  free(safe_where);
  free(safe_msg);
}

/* Reports and counts a bad record or an unreadable path. */
static void problem(pipeline *pl, const in_where *w, const char *reason) {
  if (pl->opts->quiet_problems) return; /* an earlier pass reported it */
  report_at(pl, w, "indexer: %s: %s (skipped)\n", reason);
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

/* An id an earlier file of this run gave too: said once, not counted as
 * skipped (the later copy wins, as always). */
static void note_origin(pipeline *pl, const char *id, const in_where *w,
                        bool end_of_file) {
  char msg[1024];
  bool say = end_of_file ? io_end_file(pl->origins, msg, sizeof msg)
                         : io_note(pl->origins, id, msg, sizeof msg) && *msg;
  if (!say || pl->opts->quiet_problems) return;
  report_at(pl, w, "indexer: %s: warning: %s\n", msg);
}

/* Deals j to the worker its id hashes to. */
static void dispatch(pipeline *pl, job *j) {
  jq_push(&pl->workers[hash_id(j->art.id) % pl->n_workers].q, j);
}

/* Trains the text dictionary on the held articles (if they are text
 * enough), then deals them out: from now on articles go straight to the
 * workers. */
static void decide_dict(pipeline *pl) {
  const char **texts = malloc(pl->n_held * sizeof *texts + 1);
  size_t *lens = malloc(pl->n_held * sizeof *lens + 1);
  if (texts && lens && !has_failed(pl)) {
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

/* Fixes the new index's average length from the articles measured. */
static void decide_impacts(pipeline *pl) {
  double avg = pl->n_sampled ? (double)pl->sampled_words / pl->n_sampled : 0;
  pl->impacts.avg_length = avg >= 1 ? avg : 1;
  pl->impacts_decided = true;
  cr_analyzer_free(pl->sampler);
  pl->sampler = NULL;
}

/* An article the sampling analysed, until its job takes it. */
typedef struct sampled {
  cr_schema_terms *terms;
  cr_doc *doc;
} sampled;

static void sampled_free(sampled *sa) {
  if (sa->terms) cr_schema_terms_free(sa->terms);
  free(sa->terms);
  cr_doc_free(sa->doc);
  *sa = (sampled){0};
}

/* Build mode: measures one of the first CR_IMPACT_SAMPLE articles read,
 * whichever shard keeps it, so every shard of a build (and one index of
 * the same articles) weighs by the same average. Measuring is analysing:
 * the analysis is kept in *sa for the worker that writes the article
 * (every sampled article is held until the average is known), so that
 * its words are not analysed twice. Non-zero stops the read. */
static int sample_article(pipeline *pl, const cr_article *art,
                          const in_where *w, sampled *sa) {
  cr_error err;
  sa->terms = malloc(sizeof *sa->terms);
  sa->doc = sa->terms ? cr_doc_new(&err) : NULL;
  if (!sa->terms || !sa->doc) {
    free(sa->terms);
    sa->terms = NULL;
    cr_error_set(&err, CR_E_NOMEM, "out of memory reading %s", w->path);
    fail(pl, &err);
    return 1;
  }
  cr_schema_terms_init(sa->terms);
  if (cr_schema_analyse(pl->sampler, art, sa->terms, sa->doc, &err) != 0) {
    sampled_free(sa);
    if (err.code != CR_E_NOMEM) return 0; /* the worker reports it */
    fail(pl, &err);
    return 1;
  }
  cr_termbag_seal(&sa->terms->bag); /* held until the average is known */
  pl->sampled_words += sa->terms->length;
  if (++pl->n_sampled == CR_IMPACT_SAMPLE) {
    decide_impacts(pl);
    if (!pl->dict_decided && pl->held_bytes >= CR_TEXTDICT_SAMPLE)
      decide_dict(pl);
  }
  return 0;
}

/* Holds j back for the dictionary's sample (and, until the average
 * length is known, the impacts'); false if memory ran out. */
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
  if (pl->held_bytes >= CR_TEXTDICT_SAMPLE && pl->impacts_decided)
    decide_dict(pl);
  return true;
}

/* An article read: counted (a dry run), noted for pruning, and dealt to
 * its worker with what the sampling made of it (*sa, which its job
 * takes). Non-zero stops the read. */
static int deal_article(const cr_article *art, const in_where *w, read_ctx *rc,
                        sampled *sa) {
  pipeline *pl = rc->pl;
  if (pl->opts->keep && !pl->opts->keep(art->id, pl->opts->keep_ctx))
    return 0; /* another shard's article */
  if (rc->restoring || rc->file->drops_stale || pl->opts->dry_run) {
    char id_term[CR_ID_TERM_SIZE];
    cr_schema_id_term(art->id, id_term);
    if (rc->restoring && !ss_has(&pl->doomed.removed, id_term)) return 0;
    bool ok = true;
    if (!rc->restoring && rc->file->drops_stale)
      ok = ss_add(&rc->file->ids, id_term, strlen(id_term)) == 0;
    if (ok && pl->opts->dry_run) {
      /* Nothing is written: what would be, is counted. */
      strset *into = rc->restoring ? &pl->restored : &pl->seen;
      ok = ss_add(into, id_term, strlen(id_term)) == 0;
      if (!rc->restoring) {
        uint32_t had = 0;
        cr_error err;
        if (pl->db && cr_wdb_termfreq(pl->db, id_term, &had, &err) != 0) {
          fail(pl, &err);
          return 1;
        }
        if (had > 0)
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
  job *j = jq_job_new(art, rc->file);
  if (!j) {
    cr_error err;
    cr_error_set(&err, CR_E_NOMEM, "out of memory reading %s", w->path);
    fail(pl, &err);
    return 1;
  }
  j->terms = sa->terms; /* the job's from here on */
  j->doc = sa->doc;
  *sa = (sampled){0};
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

/* An article read: measured by the sampling while it runs, then dealt.
 * Non-zero stops the read. */
static int take_article(const cr_article *art, const in_where *w, void *ctx) {
  read_ctx *rc = ctx;
  pipeline *pl = rc->pl;
  if (*pl->opts->stop || has_failed(pl)) return 1;
  if (!rc->restoring && pl->origins) note_origin(pl, art->id, w, false);
  sampled sa = {0};
  if (pl->sampler && sample_article(pl, art, w, &sa) != 0) return 1;
  int r = deal_article(art, w, rc, &sa);
  sampled_free(&sa); /* another shard's, or not written */
  return r;
}

/* take_article, noting where a read resumed after this article would
 * start (a stop returns before the article is taken). */
static int on_article(const cr_article *art, const in_where *w, void *ctx) {
  read_ctx *rc = ctx;
  int r = take_article(art, w, ctx);
  if (r == 0 && rc->file && rc->file->resumable) {
    rc->file->resume_end = w->record_end;
    rc->file->resume_line = w->line;
  }
  return r;
}

/* An input file found by the walk: skipped if unchanged since the last
 * run (or, restoring, read only if it was), else read. ctx is a read_ctx
 * (file NULL), as on_problem expects for the walk's unreadable paths
 * too. Non-zero stops the walk. */
static int on_file(const in_file *f, void *ctx) {
  pipeline *pl = ((read_ctx *)ctx)->pl;
  bool restoring = ((read_ctx *)ctx)->restoring;
  if (*pl->opts->stop || has_failed(pl)) return 1;
  pl->files_seen++;
  char signature[96], hash[SRC_HASH_SIZE], tag[17];
  in_options_tag(pl->opts->input, tag);
  src_signature(signature, sizeof signature, f->size, f->mtime_ns, NULL);
  const char *known = f->key ? src_table_get(&pl->known, f->key) : NULL;
  /* Read with other options (--encoding...), a file reads differently. */
  bool unchanged =
      known && src_same_time(known, signature) && src_same_tag(known, tag);
  /* Only a plain JSON Lines file has byte offsets to resume from; a dry
   * run writes no mark. */
  bool resumable = f->key && !restoring && !pl->opts->dry_run &&
                   f->format == IN_JSONL && !f->compressed;
  const char *mark = resumable ? src_table_get(&pl->marks, f->key) : NULL;
  /* One read of the file's bytes tells whether it is the one recorded
   * (or a stop's mark was made on), whole or with lines appended. */
  src_prior prior[SRC_MAX_PRIORS] = {
      {.signature = known},
      {.signature = mark ? src_mark_signature(mark) : NULL}};
  /* A new time on the same bytes (a touch, a copy) is no change: read
   * again, the file's copy of an id would win over a newer one another
   * file gave since. Its new time is recorded, so the next run need not
   * hash it again. */
  bool have_hash = !unchanged && f->key && f->size >= 0 &&
                   src_read_file(f->path, hash, prior, SRC_MAX_PRIORS);
  if (have_hash) {
    src_signature(signature, sizeof signature, f->size, f->mtime_ns, hash);
    src_signature_tag(signature, sizeof signature, tag);
  }
  if (known && !unchanged && have_hash && prior[0].same &&
      src_same_tag(known, tag)) {
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
  sf->resumable = resumable;
  sf->had_mark = mark != NULL;
  pthread_mutex_lock(&pl->lock);
  sf->next = pl->files;
  pl->files = sf;
  pthread_mutex_unlock(&pl->lock);

  read_ctx rc = {pl, sf, restoring};
  pl->input_current = 0;
  in_file with_options = *f;
  with_options.options = pl->opts->input;
  /* A file a stop cut short (Ctrl-C) goes on from its mark, when its
   * bytes up to there are those the mark was made on; records appended
   * to a JSON Lines dump: only they are read. Neither with --prune,
   * which must see every id the file holds, nor when building anew. */
  if (mark && have_hash && !pl->pruning && !pl->build_mode &&
      src_resume_point(mark, &prior[1], tag, &with_options.start_offset,
                       &with_options.start_line)) {
    pl->stats->resumed_files++;
  } else if (known && !restoring && have_hash && !pl->pruning &&
             f->format == IN_JSONL && !f->compressed &&
             src_same_tag(known, tag) && prior[0].grown) {
    with_options.start_offset = prior[0].size;
    with_options.start_line = prior[0].lines;
    pl->stats->appended_files++;
  }
  with_options.quiet_warnings = restoring || pl->opts->quiet_problems;
  if (!restoring && pl->origins && io_begin_file(pl->origins, f->path) != 0) {
    io_free(pl->origins); /* out of memory: no more warnings */
    pl->origins = NULL;
  }
  in_status status = in_read(&with_options, on_article, on_problem, &rc);
  if (!restoring && pl->origins) {
    in_where end = {f->path, NULL, 0, 0, 0};
    note_origin(pl, NULL, &end, true);
  }
  pl->input_done += (uint64_t)(f->size > 0 ? f->size : 0);
  pl->input_current = 0;
  pthread_mutex_lock(&pl->lock);
  /* A file read to its end (even with bad records, which are reported and
   * would be bad again) is done; one cut short by a stop is not, nor one
   * that could not be read (unreadable, a read error), which a later run
   * must read again rather than skip as unchanged. */
  sf->read_done = status == IN_READ_DONE && !*pl->opts->stop && !has_failed(pl);
  sf->stopped = !sf->read_done && status == IN_READ_STOPPED && *pl->opts->stop;
  record_file(pl, sf);
  pthread_mutex_unlock(&pl->lock);
  return status == IN_READ_STOPPED ? 1 : 0;
}

/* ---- Totals for the progress bar -------------------------------------- */

static int add_size(const in_file *f, void *ctx) {
  if (f->size > 0) *(uint64_t *)ctx += (uint64_t)f->size;
  return 0;
}

/* Bytes of every input named (standard input counts as 0). */
static uint64_t total_input_bytes(const pl_options *o) {
  uint64_t total = 0;
  for (size_t i = 0; i < o->n_paths; i++)
    if (strcmp(o->paths[i], "-") != 0)
      in_walk(o->paths[i], add_size, NULL, &total);
  return total;
}

/* ---- Build mode: shards to one compact index -------------------------- */

/* Opens each worker's shard in INDEX.building. */
static int open_shards(pipeline *pl, cr_error *err) {
  if (build_make_dir(pl->building, err) != 0) return -1;
  for (unsigned i = 0; i < pl->n_workers; i++) {
    worker *w = &pl->workers[i];
    snprintf(w->shard_path, sizeof w->shard_path, "%s/shard-%u", pl->building,
             i);
    if (!(w->shard = build_open_shard(w->shard_path, err))) return -1;
    if (!(w->bounds = cr_wdf_bounds_new(CR_PREFIX_ID, CR_WDF_BOUNDS_MAX_TERMS /
                                                          pl->n_workers))) {
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      return -1;
    }
    cr_wdb_gather_bounds(w->shard, w->bounds);
  }
  return 0;
}

/* Writes the signatures of the files read in full into db, the new
 * index (a build_extras record callback; ctx is the pipeline). */
static int record_signatures(cr_wdb *db, void *ctx, cr_error *err) {
  pipeline *pl = ctx;
  if (*pl->opts->stop && write_resume_marks(pl, db, err) != 0) return -1;
  for (src_file *f = pl->files; f; f = f->next) {
    if (!f->recorded || !f->key) continue;
    char key[PATH_MAX + 8];
    snprintf(key, sizeof key, "%s%s", SRC_META_PREFIX, f->key);
    if (cr_wdb_set_metadata(db, key, f->signature, strlen(f->signature), err))
      return -1;
  }
  return 0;
}

/* Build mode's end: the shards compacted into a new index, with the
 * signatures, stamp and dictionary, swapped in place of the empty one. */
static int finish_build(pipeline *pl, cr_error *err) {
  const char *shards[CR_MAX_WORKERS];
  cr_wdf_bounds *bounds[CR_MAX_WORKERS];
  for (unsigned i = 0; i < pl->n_workers; i++) {
    shards[i] = pl->workers[i].shard_path;
    bounds[i] = pl->workers[i].bounds;
  }
  build_extras extras = {pl->language,      pl->dict, &pl->impacts,
                         record_signatures, pl,       bounds,
                         pl->n_workers};
  dup_stats ds;
  int rc = build_finish(shards, pl->n_workers, pl->building, pl->opts->index,
                        &extras, &pl->db, &ds, err);
  pl->stats->duplicate_groups = ds.groups;
  pl->stats->duplicate_docs = ds.grouped_docs;
  return rc;
}

/* Update mode: near-duplicate groups are a property of the whole index,
 * recomputed after every run that changed it and committed with the
 * run's last batch. */
static int group_duplicates(pipeline *pl, cr_error *err) {
  dup_stats ds;
  if (dup_assign_groups(&pl->db, 1, DUP_DEFAULT_THRESHOLD, &ds, err) != 0)
    return -1;
  pl->stats->duplicate_groups = ds.groups;
  pl->stats->duplicate_docs = ds.grouped_docs;
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
    jq_init(&pl->workers[i].q);
  }
  if (pl->build_mode && open_shards(pl, err) != 0) return -1;
  return spawn_workers(pl, err);
}

static void stop_workers(pipeline *pl) {
  for (unsigned i = 0; i < pl->n_workers; i++)
    jq_close(&pl->workers[i].q);
  for (unsigned i = 0; i < pl->n_workers; i++)
    pthread_join(pl->workers[i].thread, NULL);
}

/* Update mode: the workers again, after stop_workers. */
static int restart_workers(pipeline *pl, cr_error *err) {
  for (unsigned i = 0; i < pl->n_workers; i++) {
    jq_destroy(&pl->workers[i].q);
    jq_init(&pl->workers[i].q);
  }
  return spawn_workers(pl, err);
}

/* Reads every path: what changed since the last run, or (restoring) what
 * did not, for the removed ids only. */
static void walk_paths(pipeline *pl, bool restoring) {
  read_ctx walk = {pl, NULL, restoring};
  for (size_t i = 0;
       i < pl->opts->n_paths && !*pl->opts->stop && !has_failed(pl); i++) {
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
             ".txt, .jsonl, .ndjson, .json, .csv, .tsv, .html, .htm, "
             "compressed .gz/.zst/.xz, .tar*, .zip");
  }
}

/* ---- Pruning an update ------------------------------------------------ */

/* After the first walk: marks what the files read in full no longer
 * hold. */
static int doom_stale(pipeline *pl, cr_error *err) {
  for (src_file *f = pl->files; f; f = f->next) {
    if (!f->drops_stale || !f->read_done || f->had_problem) continue;
    ss_sort(&f->ids);
    if (prune_doom_file(&pl->doomed, pl->db, f->key, &f->ids, err) != 0)
      return -1;
  }
  return 0;
}

/* Reads the unchanged files for the doomed ids nothing wrote again. */
static int restore_doomed(pipeline *pl, cr_error *err) {
  bool dry = pl->opts->dry_run;
  if (dry) ss_sort(&pl->seen);
  if (prune_collect_removed(&pl->doomed, pl->db, dry ? &pl->seen : NULL, err) !=
      0)
    return -1;
  if (pl->doomed.removed.n == 0) return 0;
  if (!dry && restart_workers(pl, err) != 0) {
    stop_workers(pl); /* those that did start */
    return -1;
  }
  walk_paths(pl, true);
  if (!dry) stop_workers(pl);
  ss_sort(&pl->restored);
  progress_clear(&pl->bar); /* the walk drew it again */
  if (has_failed(pl)) {
    *err = pl->error;
    return -1;
  }
  return 0;
}

/* After the first walk of an update (prune.h): marks, restores, then
 * deletes, or with --dry-run lists. A stop before the end deletes
 * nothing. */
static int prune(pipeline *pl, cr_error *err) {
  if (doom_stale(pl, err) != 0 || restore_doomed(pl, err) != 0) return -1;
  if (*pl->opts->stop) return 0; /* the next run prunes again */
  if (pl->opts->dry_run) {
    prune_list(&pl->doomed, &pl->seen, &pl->restored, stdout,
               &pl->stats->pruned_articles, &pl->stats->pruned_files);
    return 0;
  }
  if (prune_delete(&pl->doomed, pl->db, &pl->unpruned,
                   &pl->stats->pruned_articles, &pl->stats->pruned_files,
                   err) != 0)
    return -1;
  /* Now the changed files' signatures can be written. */
  pthread_mutex_lock(&pl->lock);
  pl->pruned = true;
  for (src_file *f = pl->files; f; f = f->next)
    record_file(pl, f);
  bool failed = has_failed(pl);
  if (failed) *err = pl->error;
  pthread_mutex_unlock(&pl->lock);
  return failed ? -1 : 0;
}

/* ---- The whole run ---------------------------------------------------- */

/* A failed run's error in plain words when the disk is full (build.h). */
static void explain_full_disk(pipeline *pl, cr_error *err) {
  build_explain_full_disk(err, pl->build_mode, pl->building, pl->opts->index,
                          total_input_bytes(pl->opts));
}

/* Update mode: texts are packed with the dictionary the index was built
 * with (none if it was built from too little text). */
static int load_dict(pipeline *pl, cr_error *err) {
  pl->dict_decided = true;
  return meta_load_dict(pl->db, &pl->dict, err);
}

/* Update mode: the index's own BM25 parameters, which a --bm25 asked for
 * must match. */
static int load_impacts(pipeline *pl, cr_error *err) {
  pl->impacts_decided = true;
  const pl_options *o = pl->opts;
  if (meta_load_impacts(pl->db, o->index, &pl->impacts, err) != 0) return -1;
  /* Impacts of other parameters would not add up with the stored ones. */
  if (o->bm25_given &&
      (o->bm25_k1 != pl->impacts.k1 || o->bm25_b != pl->impacts.b)) {
    cr_error_set(err, CR_E_INVALID,
                 "index '%s' was built with --bm25 %g,%g, not %g,%g: update "
                 "it without --bm25, or index into a new directory",
                 o->index, pl->impacts.k1, pl->impacts.b, o->bm25_k1,
                 o->bm25_b);
    return -1;
  }
  return 0;
}

/* Build mode: the parameters asked for, and the analyzer the first
 * articles are measured with. */
static int begin_impacts(pipeline *pl, cr_error *err) {
  if (pl->opts->bm25_given) {
    pl->impacts.k1 = pl->opts->bm25_k1;
    pl->impacts.b = pl->opts->bm25_b;
  }
  pl->sampler = cr_analyzer_new(pl->language, err);
  return pl->sampler ? 0 : -1;
}

/* Decides the run's language and refuses an index it cannot update
 * (meta.h). */
static int check_schema(pipeline *pl, cr_error *err) {
  return meta_check(pl->db, pl->opts->index, pl->opts->language, pl->language,
                    sizeof pl->language, err);
}

/* Whether dir holds an index (a dry run opens only what exists). */
static bool is_index(const char *dir) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/iamglass", dir);
  return build_path_exists(path);
}

/* Build mode for an empty index, update mode otherwise. A count that
 * failed stops the run: read as empty, it would replace the index. */
static int choose_mode(pipeline *pl, cr_error *err) {
  uint32_t docs;
  if (cr_wdb_doccount(pl->db, &docs, err) != 0) return -1;
  pl->build_mode = docs == 0;
  return 0;
}

/* Opens the index for the run, taking its lock. A dry run writes
 * nothing: it creates no index (pl->db stays NULL when there is none). */
static int open_index(pipeline *pl, cr_error *err) {
  const char *index = pl->opts->index;
  if (pl->opts->dry_run && !is_index(index)) return 0;
  /* A run killed while Xapian created the index left it unopenable. */
  if (!pl->opts->dry_run) build_clear_unfinished(index);
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

/* Frees what the run holds, closing the index and any shard left open. */
static void free_pipeline(pipeline *pl) {
  io_free(pl->origins);
  cr_analyzer_free(pl->sampler);
  if (pl->workers) {
    for (unsigned i = 0; i < pl->n_workers; i++) {
      if (pl->workers[i].shard) cr_wdb_close(pl->workers[i].shard, NULL);
      cr_wdf_bounds_free(pl->workers[i].bounds);
      jq_destroy(&pl->workers[i].q);
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
  prune_free(&pl->doomed);
  ss_free(&pl->unpruned);
  ss_free(&pl->seen);
  ss_free(&pl->restored);
  src_table_free(&pl->known);
  src_table_free(&pl->marks);
  for (size_t i = 0; i < pl->n_held; i++)
    jq_job_free(pl->held[i]);
  free(pl->held);
  cr_textdict_free(pl->dict);
  if (pl->db) cr_wdb_close(pl->db, NULL);
  pthread_mutex_destroy(&pl->lock);
}

int pl_run(const pl_options *opts, pl_stats *stats, cr_error *err) {
  pipeline pl = {.opts = opts,
                 .stats = stats,
                 .origins = io_new(),
                 .impacts = cr_impacts_default()};
  memset(stats, 0, sizeof *stats);
  atomic_init(&pl.failed, false);
  pthread_mutex_init(&pl.lock, NULL);
  pl.n_workers = opts->jobs ? opts->jobs : 1;
  if (pl.n_workers > CR_MAX_WORKERS) pl.n_workers = CR_MAX_WORKERS;
  snprintf(pl.building, sizeof pl.building, "%s.building", opts->index);
  double started = progress_now();

  bool dry = opts->dry_run;
  pl.pruning = opts->prune || dry;
  if (dry) pl.n_workers = 0; /* nothing to write */
  if (!dry) build_recover_swap(opts->index, pl.building);
  /* Opening the index takes its lock, for the whole run. */
  if (open_index(&pl, err) != 0) {
    free_pipeline(&pl);
    return -1;
  }
  if (!pl.db) { /* a dry run, and no index yet: everything is new */
    pl.build_mode = true;
  } else if (dry) {
    if (choose_mode(&pl, err) != 0 ||
        (!pl.build_mode && check_schema(&pl, err) != 0)) {
      free_pipeline(&pl);
      return -1;
    }
  } else {
    /* Leftovers of a run that died or failed (a full disk, say) go first,
     * with the lock held, before anything is written: they may hold the
     * space this run needs. */
    build_remove_tree(pl.building);
    /* Commit the (possibly new, empty) index so it always opens. */
    if (check_schema(&pl, err) != 0 || cr_wdb_commit(pl.db, err) != 0) {
      explain_full_disk(&pl, err);
      free_pipeline(&pl);
      return -1;
    }
    if (choose_mode(&pl, err) != 0) {
      free_pipeline(&pl);
      return -1;
    }
  }
  stats->build_mode = pl.build_mode;
  if (pl.build_mode && !dry && begin_impacts(&pl, err) != 0) {
    free_pipeline(&pl);
    return -1;
  }
  if (!pl.build_mode && !dry &&
      (load_impacts(&pl, err) != 0 || load_dict(&pl, err) != 0)) {
    free_pipeline(&pl);
    return -1;
  }
  if (pl.db &&
      (src_table_load(&pl.known, pl.db, err) != 0 ||
       src_table_load_prefix(&pl.marks, pl.db, SRC_RESUME_PREFIX, err) != 0 ||
       prune_load_unpruned(pl.db, &pl.unpruned, err) != 0)) {
    free_pipeline(&pl);
    return -1;
  }
  if (pl.pruning && !pl.build_mode &&
      prune_doom_vanished(&pl.doomed, pl.db, &pl.known, err) != 0) {
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
    /* Fewer articles or less text than a full sample: decide with what
     * there is. */
    if (!pl.impacts_decided) decide_impacts(&pl);
    if (!pl.dict_decided && !dry) decide_dict(&pl);
  }
  stop_workers(&pl);
  progress_clear(&pl.bar);
  stats->interrupted = *opts->stop != 0;

  if (rc == 0 && has_failed(&pl)) {
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
      if (rc == 0 && stats->interrupted) {
        pthread_mutex_lock(&pl.lock);
        rc = write_resume_marks(&pl, pl.db, err);
        pthread_mutex_unlock(&pl.lock);
      }
      bool changed = stats->added + stats->replaced + stats->pruned_files +
                         stats->pruned_articles >
                     0;
      if (rc == 0 && changed) rc = group_duplicates(&pl, err);
      if (rc == 0) rc = cr_wdb_commit(pl.db, err);
    }
  }
  if (rc != 0 && !dry) explain_full_disk(&pl, err);
  /* A failed build is removed too: it holds space and nothing else. (A
   * swap stopped half way put the old index back first.) */
  if (!dry && (rc == 0 || (pl.build_mode && build_path_exists(opts->index))))
    build_remove_tree(pl.building);
  free_pipeline(&pl);
  stats->seconds = progress_now() - started;
  return rc;
}
