/* bench_stats — the command-line face of stats.c, called by bench/run.
 *
 * Both subcommands read a results file: one line per query answered,
 *
 *     QNO <TAB> LATENCY_MS <TAB> ID1 ID2 ... (space-separated, best first)
 *
 * where QNO is the query's number in the question file (0-based).
 *
 *   bench_stats latency RESULTS [WALL_SECONDS]
 *       latency summary as JSON: n, mean, min, p50, p95, p99, max (ms) and
 *       qps (n / WALL_SECONDS when given, else 1000 / mean).
 *   bench_stats rank GOLD RESULTS
 *       GOLD lines are QNO <TAB> GOLD_ID <TAB> SPLIT. Prints, per split and
 *       for "all", n, mrr10, recall10 and recall100 as JSON. A query of GOLD
 *       with no line in RESULTS counts as a miss.
 *
 * Exit status 0, or 2 with a message on bad usage or unreadable input.
 */
#include "stats.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define MAX_SPLITS 8

/* One parsed results line. */
typedef struct result {
  int present;    /* 1 when the results file had this query */
  double latency; /* ms */
  char **ids;     /* result ids, best first */
  size_t n_ids;   /* number of ids */
} result;

static void die(const char *msg, const char *what) {
  fprintf(stderr, "bench_stats: %s%s%s\n", msg, what ? ": " : "",
          what ? what : "");
  exit(2);
}

/* Reads RESULTS into *out (indexed by QNO); returns the array length. */
static size_t read_results(const char *path, result **out) {
  FILE *f = fopen(path, "r");
  if (!f) die(strerror(errno), path);
  result *a = NULL;
  size_t cap = 0;
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t len;
  size_t lineno = 0;
  while ((len = getline(&line, &line_cap, f)) >= 0) {
    lineno++;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    if (len == 0) continue;
    char *tab1 = strchr(line, '\t');
    if (!tab1) {
      fprintf(stderr, "bench_stats: %s:%zu: no tab, line skipped\n", path,
              lineno);
      continue;
    }
    *tab1 = '\0';
    char *end;
    long qno = strtol(line, &end, 10);
    if (*end || qno < 0) {
      fprintf(stderr, "bench_stats: %s:%zu: bad query number\n", path, lineno);
      continue;
    }
    char *lat = tab1 + 1;
    char *tab2 = strchr(lat, '\t');
    if (tab2) *tab2 = '\0';
    if ((size_t)qno >= cap) {
      size_t ncap = cap ? cap : 1024;
      while (ncap <= (size_t)qno)
        ncap *= 2;
      result *na = realloc(a, ncap * sizeof *na);
      if (!na) die("out of memory", NULL);
      memset(na + cap, 0, (ncap - cap) * sizeof *na);
      a = na;
      cap = ncap;
    }
    result *r = &a[qno];
    r->present = 1;
    r->latency = strtod(lat, NULL);
    if (tab2) {
      for (char *tok = strtok(tab2 + 1, " "); tok; tok = strtok(NULL, " ")) {
        char **nids = realloc(r->ids, (r->n_ids + 1) * sizeof *nids);
        if (!nids) die("out of memory", NULL);
        r->ids = nids;
        r->ids[r->n_ids++] = strdup(tok);
      }
    }
  }
  free(line);
  fclose(f);
  *out = a;
  return cap;
}

static void print_latency(const bench_latency *s, double qps) {
  printf("{\"n\": %zu, \"mean\": %.6f, \"min\": %.6f, \"p50\": %.6f, "
         "\"p95\": %.6f, \"p99\": %.6f, \"max\": %.6f, \"qps\": %.3f}\n",
         s->n, s->mean, s->min, s->p50, s->p95, s->p99, s->max, qps);
}

static int cmd_latency(const char *path, const char *wall) {
  result *a;
  size_t cap = read_results(path, &a);
  double *lat = malloc((cap ? cap : 1) * sizeof *lat);
  size_t n = 0;
  for (size_t i = 0; i < cap; i++)
    if (a[i].present) lat[n++] = a[i].latency;
  bench_latency s;
  if (bench_latency_summary(lat, n, &s) != 0) die("no latencies in", path);
  double qps = wall ? (double)n / strtod(wall, NULL)
                    : (s.mean > 0 ? 1000.0 / s.mean : 0.0);
  print_latency(&s, qps);
  free(lat);
  return 0;
}

static void print_acc(const char *name, const bench_rank_acc *acc) {
  printf("\"%s\": {\"n\": %zu, \"mrr10\": %.6f, \"recall10\": %.6f, "
         "\"recall100\": %.6f}",
         name, acc->n, bench_mrr10(acc), bench_recall10(acc),
         bench_recall100(acc));
}

static int cmd_rank(const char *gold_path, const char *results_path) {
  result *a;
  size_t cap = read_results(results_path, &a);
  FILE *f = fopen(gold_path, "r");
  if (!f) die(strerror(errno), gold_path);
  char names[MAX_SPLITS][32];
  bench_rank_acc accs[MAX_SPLITS];
  size_t n_splits = 0;
  bench_rank_acc all = {0};
  memset(accs, 0, sizeof accs);
  char *line = NULL;
  size_t line_cap = 0;
  ssize_t len;
  while ((len = getline(&line, &line_cap, f)) >= 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    char *gold = strchr(line, '\t');
    if (!gold) continue;
    *gold++ = '\0';
    char *split = strchr(gold, '\t');
    if (split)
      *split++ = '\0';
    else
      split = "all";
    size_t qno = (size_t)strtoul(line, NULL, 10);
    size_t rank = 0;
    if (qno < cap && a[qno].present)
      rank = bench_rank_of(gold, (const char *const *)a[qno].ids, a[qno].n_ids);
    size_t k;
    for (k = 0; k < n_splits; k++)
      if (strcmp(names[k], split) == 0) break;
    if (k == n_splits) {
      if (n_splits == MAX_SPLITS) die("too many splits in", gold_path);
      snprintf(names[k], sizeof names[k], "%s", split);
      n_splits++;
    }
    bench_rank_add(&accs[k], rank);
    bench_rank_add(&all, rank);
  }
  free(line);
  fclose(f);
  printf("{");
  for (size_t k = 0; k < n_splits; k++) {
    print_acc(names[k], &accs[k]);
    printf(", ");
  }
  print_acc("all", &all);
  printf("}\n");
  return 0;
}

int main(int argc, char **argv) {
  if (argc >= 3 && argc <= 4 && strcmp(argv[1], "latency") == 0)
    return cmd_latency(argv[2], argc == 4 ? argv[3] : NULL);
  if (argc == 4 && strcmp(argv[1], "rank") == 0)
    return cmd_rank(argv[2], argv[3]);
  fprintf(stderr, "usage: bench_stats latency RESULTS [WALL_SECONDS]\n"
                  "       bench_stats rank GOLD RESULTS\n");
  return 2;
}
