/* progress.c — a one-line progress bar on a terminal. */
#include "progress.h"

#include <stdio.h>
#include <time.h>
#include <unistd.h>

double progress_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void progress_init(progress *p, bool quiet, uint64_t total_bytes) {
  p->enabled = !quiet && isatty(STDERR_FILENO);
  p->drawn = false;
  p->started = progress_now();
  p->last_draw = 0;
  p->total_bytes = total_bytes;
}

void progress_update(progress *p, uint64_t articles, uint64_t text_bytes,
                     uint64_t input_bytes) {
  if (!p->enabled) return;
  double now = progress_now();
  if (now - p->last_draw < 0.1) return;
  p->last_draw = now;
  double elapsed = now - p->started;
  double mb = (double)text_bytes / 1e6;
  double rate = elapsed > 0 ? mb / elapsed : 0;
  char eta[32] = "";
  if (p->total_bytes > 0 && input_bytes > 0 && input_bytes <= p->total_bytes) {
    double frac = (double)input_bytes / (double)p->total_bytes;
    double left = elapsed / frac - elapsed;
    snprintf(eta, sizeof eta, "  %3.0f%%  ETA %.0fs", frac * 100, left);
  }
  fprintf(stderr, "\r\033[K%llu articles  %.1f MB  %.1f MB/s%s",
          (unsigned long long)articles, mb, rate, eta);
  fflush(stderr);
  p->drawn = true;
}

void progress_clear(progress *p) {
  if (p->drawn) {
    fputs("\r\033[K", stderr);
    fflush(stderr);
    p->drawn = false;
  }
}
