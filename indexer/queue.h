/* queue.h — the bounded queue that carries articles from the reader to a
 * worker.
 *
 * The reader copies each article out of its buffers into one allocation
 * (a job) and pushes it onto the queue of the worker its id hashes to;
 * the worker pops it, writes it and frees it. A queue holds at most
 * JQ_DEPTH jobs: a reader ahead of its writers waits, so memory stays
 * bounded whatever the input's size.
 */
#ifndef CRONACA_QUEUE_H
#define CRONACA_QUEUE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>

#include "schema.h"

#define JQ_DEPTH 256 /* articles waiting per worker: bounds memory */

struct src_file; /* the input file a job came from (pipeline.c) */

/* An article copied out of the reader's buffers, one allocation. */
typedef struct job {
  cr_article art;        /* strings point into the same allocation */
  struct src_file *file; /* the file it came from */
  size_t bytes;          /* the text's length, for counts and flushes */
  /* An article the sampling analysed (pipeline.c): its terms and the
   * document that holds its spelling words, for cr_schema_finish; both
   * NULL for the others. */
  cr_schema_terms *terms;
  cr_doc *doc;
} job;

/* A ring of JQ_DEPTH jobs, with one lock and two conditions. */
typedef struct job_queue {
  job *items[JQ_DEPTH]; /* the ring */
  size_t head, count;   /* first job, and how many wait */
  bool closed;          /* no more pushes: pop drains, then says NULL */
  pthread_mutex_t lock; /* guards the fields above */
  pthread_cond_t not_empty, not_full;
} job_queue;

/* Copies the article's strings and text into one malloc'd job (freed by
 * jq_job_free); NULL if memory ran out. */
job *jq_job_new(const cr_article *a, struct src_file *file);
/* Frees j and what it was given (terms, doc). NULL is fine. */
void jq_job_free(job *j);

void jq_init(job_queue *q);
/* The queue must be closed and drained (or never used). */
void jq_destroy(job_queue *q);
/* Adds j, waiting while the queue is full. */
void jq_push(job_queue *q, job *j);
/* The next job, waiting while the queue is empty; NULL once it is closed
 * and drained. */
job *jq_pop(job_queue *q);
/* No more jobs: wakes every waiting pop. */
void jq_close(job_queue *q);

#endif
