/* stats.h — the arithmetic behind every figure bench/RESULTS.md publishes.
 *
 * Latency: mean and nearest-rank percentiles. The p-th percentile of n
 * samples is the smallest sample such that at least p% of the samples are
 * less than or equal to it: sorted[ceil(p/100 * n) - 1] (sorted[0] for
 * p = 0). No interpolation, so every percentile is a latency that was
 * actually observed.
 *
 * Ranking quality: each query contributes the 1-based rank at which its
 * gold document appears in the system's result list (0 = not returned).
 * MRR@k is the mean over all queries of 1/rank when rank <= k, else 0;
 * recall@k is the fraction of queries whose gold document has rank <= k.
 * Queries a system failed to answer count as misses (rank 0), never as
 * absent: the denominator is always the number of queries asked.
 *
 * Pure functions over arrays: no I/O, so tests can check hand-computed
 * cases. bench/bench_stats.c is the command-line tool over them.
 */
#ifndef CRONACA_BENCH_STATS_H
#define CRONACA_BENCH_STATS_H

#include <stddef.h>

/* Summary of a set of latencies, in the unit they were given (ms). */
typedef struct bench_latency {
  size_t n;    /* number of samples */
  double mean; /* arithmetic mean */
  double min;  /* smallest sample */
  double p50;  /* nearest-rank median */
  double p95;  /* nearest-rank 95th percentile */
  double p99;  /* nearest-rank 99th percentile */
  double max;  /* largest sample */
} bench_latency;

/* Nearest-rank p-th percentile (0 <= p <= 100) of n ascending samples.
 * Returns 0.0 when n == 0. */
double bench_percentile(const double *sorted, size_t n, double p);

/* Summarises n samples (any order; the array is not modified). Returns 0,
 * or -1 when n == 0 or memory runs out (out is then all zeros). */
int bench_latency_summary(const double *samples, size_t n, bench_latency *out);

/* Ranking-quality accumulator: add one rank per query asked. */
typedef struct bench_rank_acc {
  size_t n;        /* queries asked */
  double rr_at_10; /* sum of 1/rank over queries with 1 <= rank <= 10 */
  size_t hits_10;  /* queries with 1 <= rank <= 10 */
  size_t hits_100; /* queries with 1 <= rank <= 100 */
} bench_rank_acc;

/* 1-based position of gold among ids[0..n_ids), or 0 when absent. */
size_t bench_rank_of(const char *gold, const char *const *ids, size_t n_ids);

/* Records one query whose gold document came at rank (0 = not found). */
void bench_rank_add(bench_rank_acc *acc, size_t rank);

/* MRR@10, recall@10 and recall@100 of the queries added so far (0 when
 * none were). */
double bench_mrr10(const bench_rank_acc *acc);
double bench_recall10(const bench_rank_acc *acc);
double bench_recall100(const bench_rank_acc *acc);

#endif
