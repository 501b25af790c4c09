/* engine.h — the search engine's insides, shared by engine.c (opening,
 * closing), query.c (parsing), page.c (gathering a page), search.c
 * (running a query) and parts.c (a thread per shard).
 * Not for the rest of the searcher: search.h is the engine's interface. */
#ifndef CRONACA_SEARCHER_ENGINE_H
#define CRONACA_SEARCHER_ENGINE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "search.h"

/* What one thread reads and parses with: a Xapian handle, an analyzer
 * and an unpacker are each for one thread at a time. The engine's own is
 * the main thread's; each other thread of a sharded search has one. */
typedef struct sr_reader {
  cr_rdb *db;               /* every -d, searched as one */
  cr_analyzer *an;          /* the parser's and the exact tests' */
  cr_textpack *tp;          /* unpacks the texts the exact tests read */
  cr_exact_scratch scratch; /* the exact tests' buffers */
  bool read_failed;         /* a term count or a synonym the parser asked for
                               could not be read (a commit came) */
  /* Remote shards: the counts the parser asks for, gathered in one
   * exchange (cr_rdb_termfreqs) by a first parse that only notes them. */
  bool noting;  /* the first parse: note each term, answer 1 */
  char **terms; /* the terms noted, then counted */
  uint32_t *counts;
  size_t n_terms, cap_terms;
  bool counted; /* counts[] holds their counts */
} sr_reader;

/* A thread searching some of the shards, and what its search made. */
typedef struct sr_worker {
  sr_reader rd; /* its own handles (db NULL until first used) */
  pthread_t thread;
  /* The query, set before the thread starts: */
  sr_engine *e;
  const sr_params *p;
  const cr_search_opts *so; /* from offset 0, offset + count hits */
  size_t part, n_parts;
  /* What it made, read after it is joined: */
  cr_parsed_query parsed; /* its own parse of the query text */
  cr_mset *mset;
  int rc; /* 0, or -1 with err filled */
  cr_error err;
} sr_worker;

/* Threads one query uses at most (the cores beyond are not used). */
#define SR_MAX_THREADS 64
/* Unless asked for (--threads), a thread searches at least this many
 * articles: each thread builds the whole query on every shard and parses
 * it again, and below this that costs more than it saves. Measured with
 * callgrind over 2 shards (bench/README.md): at 12,382 articles the main
 * thread's instructions fell 11% for 24% more in all; at 100,000, 33%
 * for 18% more. */
#define SR_THREAD_MIN_DOCS 25000

struct sr_engine {
  cr_rdb *db;          /* every -d, searched as one */
  bool local;          /* no remote shard: exact tests can run */
  bool hurried;        /* this query gave up its exact tests: the index kept
                          changing under them */
  sr_reader rd;        /* the main thread's: db, an and tp below */
  cr_analyzer *an;     /* shared by the query parser and the snippets */
  cr_textdict **dicts; /* the shards' text dictionaries, one of each */
  size_t n_dicts;
  cr_textpack *tp; /* unpacks the texts snippets are made from */
  bool remote;     /* a remote shard among them (no spelling data) */
  bool copies;     /* several -d: copies of one article may meet */
  char **paths;    /* the databases opened, for the other threads' readers */
  size_t n_paths;
  sr_worker *workers; /* SR_MAX_THREADS of them, [1, n_workers) open:
                       thread k's (0 is this thread) */
  size_t n_workers;
  const char *text; /* the query text being run (sr_run's clean copy) */
  size_t text_len;
};

/* How many times a query is rerun after the index changed under it
 * (CR_E_MODIFIED): a writer committing twice in a row during one query is
 * already rare; more than this means something is wrong. A query must
 * finish between two commits, so the pauses grow (1, 2, 4 ... 64 ms,
 * about 0.4 s in all): a slow query (a phrase whose candidates' texts are
 * read, under a sanitizer's slowdown) meets the writer's next pause. */
#define SR_ATTEMPTS 12

/* Errors a writer's commits can cause in a reader (engine.c says which):
 * a reopen and a retry tell them from real damage. */
bool sr_may_be_a_commit(int code);
/* A pause before retry number tries (from 1), for the writer to finish
 * its commit: longer each time. */
void sr_pause_before(int tries);
/* cr_qp_opts.synonyms over reader ctx (an sr_reader): fn is called with
 * each text filed under key, read on that reader's handle alone. 0, or -1
 * when the table could not be read after one reopen (a writer's commit
 * can stale a reader), which sets read_failed either way. */
int sr_reader_synonyms(const char *key, cr_key_fn fn, void *fn_ctx, void *ctx);
/* p->qp, with reader rd's synonym table when p->synonyms. */
cr_qp_opts sr_reader_qp(sr_reader *rd, const sr_params *p);
/* Forgets the term counts reader rd gathered for the last query. */
void sr_reader_forget_counts(sr_reader *rd);
/* Frees what reader rd holds (not rd). */
void sr_reader_close(sr_reader *rd);
/* Frees what worker w's last search left (the main thread's job: Xapian's
 * reference counts are not atomic). */
void sr_worker_reset(sr_worker *w);
/* Parses text into *out on rd's handles: the counts the parser asks
 * (first in one go when batch_counts), its exact tests when checks, then
 * --like's. 0, or -1 with err. */
int sr_build_query(sr_reader *rd, const sr_params *p, bool checks,
                   bool batch_counts, const char *text, size_t len,
                   cr_parsed_query *out, cr_error *err);
/* --show's query: on that one article alone. 0, or -1 with err filled. */
int sr_restrict_to_id(const sr_params *p, cr_parsed_query *parsed,
                      cr_error *err);

/* One attempt at running page's parsed query and gathering its hits
 * (page.c); last: the final attempt, which shows what it can read;
 * hurried: no counting past the page. 0, 1 to retry after a reopen, or
 * -1 with err filled. */
int sr_page_attempt(sr_engine *e, const sr_params *p, sr_page *page, bool last,
                    bool hurried, cr_error *err);
/* Frees what an attempt gathered, keeping the parsed query. */
void sr_page_drop_hits(sr_page *page);

/* Runs the parsed query of page (parts.c): over several local shards in a
 * thread per shard when that pays, with the page one search would give;
 * else here. NULL with err filled on failure. */
cr_mset *sr_search_parts(sr_engine *e, const sr_params *p, sr_page *page,
                         const cr_search_opts *so, cr_error *err);

#endif
