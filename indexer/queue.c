/* queue.c — the bounded job queue (see queue.h). */
#include "queue.h"

#include <stdlib.h>
#include <string.h>

job *jq_job_new(const cr_article *a, struct src_file *file) {
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
  j->terms = NULL;
  j->doc = NULL;
  return j;
}

void jq_job_free(job *j) {
  if (!j) return;
  if (j->terms) cr_schema_terms_free(j->terms);
  free(j->terms);
  cr_doc_free(j->doc);
  free(j);
}

void jq_init(job_queue *q) {
  memset(q, 0, sizeof *q);
  pthread_mutex_init(&q->lock, NULL);
  pthread_cond_init(&q->not_empty, NULL);
  pthread_cond_init(&q->not_full, NULL);
}

void jq_destroy(job_queue *q) {
  pthread_mutex_destroy(&q->lock);
  pthread_cond_destroy(&q->not_empty);
  pthread_cond_destroy(&q->not_full);
}

void jq_push(job_queue *q, job *j) {
  pthread_mutex_lock(&q->lock);
  while (q->count == JQ_DEPTH)
    pthread_cond_wait(&q->not_full, &q->lock);
  q->items[(q->head + q->count++) % JQ_DEPTH] = j;
  pthread_cond_signal(&q->not_empty);
  pthread_mutex_unlock(&q->lock);
}

job *jq_pop(job_queue *q) {
  pthread_mutex_lock(&q->lock);
  while (q->count == 0 && !q->closed)
    pthread_cond_wait(&q->not_empty, &q->lock);
  job *j = NULL;
  if (q->count) {
    j = q->items[q->head];
    q->head = (q->head + 1) % JQ_DEPTH;
    q->count--;
    pthread_cond_signal(&q->not_full);
  }
  pthread_mutex_unlock(&q->lock);
  return j;
}

void jq_close(job_queue *q) {
  pthread_mutex_lock(&q->lock);
  q->closed = true;
  pthread_cond_broadcast(&q->not_empty);
  pthread_mutex_unlock(&q->lock);
}
