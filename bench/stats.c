/* stats.c — latency percentiles and ranking metrics; see stats.h. */
#include "stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

double bench_percentile(const double *sorted, size_t n, double p) {
  if (n == 0) return 0.0;
  if (p <= 0.0) return sorted[0];
  if (p >= 100.0) return sorted[n - 1];
  /* Rank ceil(p/100 * n); the small epsilon keeps 95/100 * 20 = 19 exact
   * despite binary floating point. */
  double r = ceil(p / 100.0 * (double)n - 1e-9);
  size_t rank = r < 1.0 ? 1 : (size_t)r;
  if (rank > n) rank = n;
  return sorted[rank - 1];
}

int bench_latency_summary(const double *samples, size_t n, bench_latency *out) {
  memset(out, 0, sizeof *out);
  if (n == 0) return -1;
  double *a = malloc(n * sizeof *a);
  if (!a) return -1;
  memcpy(a, samples, n * sizeof *a);
  qsort(a, n, sizeof *a, cmp_double);
  double sum = 0.0;
  for (size_t i = 0; i < n; i++)
    sum += a[i];
  out->n = n;
  out->mean = sum / (double)n;
  out->min = a[0];
  out->max = a[n - 1];
  out->p50 = bench_percentile(a, n, 50.0);
  out->p95 = bench_percentile(a, n, 95.0);
  out->p99 = bench_percentile(a, n, 99.0);
  free(a);
  return 0;
}

size_t bench_rank_of(const char *gold, const char *const *ids, size_t n_ids) {
  for (size_t i = 0; i < n_ids; i++)
    if (ids[i] && strcmp(ids[i], gold) == 0) return i + 1;
  return 0;
}

void bench_rank_add(bench_rank_acc *acc, size_t rank) {
  acc->n++;
  if (rank >= 1 && rank <= 10) {
    acc->rr_at_10 += 1.0 / (double)rank;
    acc->hits_10++;
  }
  if (rank >= 1 && rank <= 100) acc->hits_100++;
}

double bench_mrr10(const bench_rank_acc *acc) {
  return acc->n ? acc->rr_at_10 / (double)acc->n : 0.0;
}

double bench_recall10(const bench_rank_acc *acc) {
  return acc->n ? (double)acc->hits_10 / (double)acc->n : 0.0;
}

double bench_recall100(const bench_rank_acc *acc) {
  return acc->n ? (double)acc->hits_100 / (double)acc->n : 0.0;
}
