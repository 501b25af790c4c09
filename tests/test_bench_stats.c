/* Tests for bench/stats.c: the code that computes the latency percentiles
 * and ranking metrics published in bench/RESULTS.md. Every expected value
 * below was computed by hand. stats.c is compiled into this test directly
 * (it is a bench module, not part of libcronaca). */
#include <criterion/criterion.h>

#include "../bench/stats.c"

#define EPS 1e-9

/* Equal within EPS: the expected values are exact or simple fractions. */
static int near(double a, double b) { return fabs(a - b) < EPS; }

/* Nearest-rank percentiles: a table of (samples, p, expected). */
typedef struct pct_case {
  double v[20];
  size_t n;
  double p;
  double want;
} pct_case;

#define ONE_TO_20                                                              \
  { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20 }

static const pct_case pct_cases[] = {
    /* n = 1: every percentile is the sample */
    {{7}, 1, 50, 7},
    {{7}, 1, 99, 7},
    /* n = 4: rank ceil(0.5*4) = 2 -> 2nd; ceil(0.95*4) = 4 -> 4th */
    {{1, 2, 3, 4}, 4, 50, 2},
    {{1, 2, 3, 4}, 4, 95, 4},
    {{1, 2, 3, 4}, 4, 25, 1},
    {{1, 2, 3, 4}, 4, 26, 2},
    /* n = 5: median rank ceil(2.5) = 3 */
    {{10, 20, 30, 40, 50}, 5, 50, 30},
    {{10, 20, 30, 40, 50}, 5, 0, 10},
    {{10, 20, 30, 40, 50}, 5, 100, 50},
    /* n = 20: p95 rank 19 exactly (no float drift to 20), p99 rank 20 */
    {ONE_TO_20, 20, 95, 19},
    {ONE_TO_20, 20, 99, 20},
    {ONE_TO_20, 20, 50, 10},
};

Test(bench_stats, percentile_table) {
  for (size_t i = 0; i < sizeof pct_cases / sizeof pct_cases[0]; i++) {
    const pct_case *c = &pct_cases[i];
    double got = bench_percentile(c->v, c->n, c->p);
    cr_expect(near(got, c->want), "case %zu: p%g of %zu = %g, want %g", i, c->p,
              c->n, got, c->want);
  }
}

Test(bench_stats, percentile_empty) {
  cr_expect(near(bench_percentile(NULL, 0, 50), 0.0));
}

Test(bench_stats, latency_summary_unsorted) {
  /* 100 samples 1..100 in reverse order, plus the input must stay as is. */
  double v[100];
  for (int i = 0; i < 100; i++)
    v[i] = 100 - i;
  bench_latency s;
  cr_assert_eq(bench_latency_summary(v, 100, &s), 0);
  cr_expect_eq(s.n, 100);
  cr_expect(near(s.mean, 50.5));
  cr_expect(near(s.min, 1));
  cr_expect(near(s.max, 100));
  cr_expect(near(s.p50, 50));
  cr_expect(near(s.p95, 95));
  cr_expect(near(s.p99, 99));
  cr_expect(near(v[0], 100), "input was modified");
}

Test(bench_stats, latency_summary_skewed) {
  /* 0.5 0.5 0.5 1 8: mean 10.5/5 = 2.1, p50 rank 3 = 0.5, p95/p99 rank 5 */
  double v[] = {8, 0.5, 1, 0.5, 0.5};
  bench_latency s;
  cr_assert_eq(bench_latency_summary(v, 5, &s), 0);
  cr_expect(near(s.mean, 2.1));
  cr_expect(near(s.p50, 0.5));
  cr_expect(near(s.p95, 8));
  cr_expect(near(s.p99, 8));
}

Test(bench_stats, latency_summary_empty) {
  bench_latency s;
  cr_expect_eq(bench_latency_summary(NULL, 0, &s), -1);
  cr_expect_eq(s.n, 0);
}

Test(bench_stats, rank_of) {
  const char *ids[] = {"a", "squad-0-1", "b", NULL, "squad-0-1"};
  cr_expect_eq(bench_rank_of("squad-0-1", ids, 5), 2);
  cr_expect_eq(bench_rank_of("a", ids, 5), 1);
  cr_expect_eq(bench_rank_of("squad-0", ids, 5), 0, "prefix is no match");
  cr_expect_eq(bench_rank_of("zzz", ids, 5), 0);
  cr_expect_eq(bench_rank_of("a", ids, 0), 0);
}

Test(bench_stats, mrr_and_recall) {
  /* ranks 1, 2, 0 (missing), 10, 11, 100, 101:
   * MRR@10 = (1 + 1/2 + 1/10) / 7 = 1.6 / 7
   * recall@10 = 3/7 (ranks 1, 2, 10), recall@100 = 5/7 (+ 11, 100) */
  bench_rank_acc acc = {0};
  size_t ranks[] = {1, 2, 0, 10, 11, 100, 101};
  for (size_t i = 0; i < 7; i++)
    bench_rank_add(&acc, ranks[i]);
  cr_expect_eq(acc.n, 7);
  cr_expect(near(bench_mrr10(&acc), 1.6 / 7));
  cr_expect(near(bench_recall10(&acc), 3.0 / 7));
  cr_expect(near(bench_recall100(&acc), 5.0 / 7));
}

Test(bench_stats, perfect_and_empty) {
  bench_rank_acc acc = {0};
  cr_expect(near(bench_mrr10(&acc), 0.0), "no queries gives 0");
  for (int i = 0; i < 4; i++)
    bench_rank_add(&acc, 1);
  cr_expect(near(bench_mrr10(&acc), 1.0));
  cr_expect(near(bench_recall10(&acc), 1.0));
  cr_expect(near(bench_recall100(&acc), 1.0));
  /* half the queries at rank 4: (4*1 + 4*0.25) / 8 = 0.625 */
  for (int i = 0; i < 4; i++)
    bench_rank_add(&acc, 4);
  cr_expect(near(bench_mrr10(&acc), 0.625));
}
