/* progress.h — the progress bar on stderr (the closing summary is
 * main.c's print_summary).
 *
 * The bar is drawn only when stderr is a terminal (and not with -q), at
 * most ten times a second, and erased before any other message. */
#ifndef CRONACA_PROGRESS_H
#define CRONACA_PROGRESS_H

#include <stdbool.h>
#include <stdint.h>

typedef struct progress {
  bool enabled;         /* drawing the bar at all */
  bool drawn;           /* a bar is on screen now */
  double started;       /* monotonic seconds at start */
  double last_draw;     /* when the bar was last drawn */
  uint64_t total_bytes; /* sum of input sizes (0 unknown) */
} progress;

/* Monotonic seconds, for the bar and the run's wall time. */
double progress_now(void);
/* quiet: -q was given. Draws only if stderr is a terminal. */
void progress_init(progress *p, bool quiet, uint64_t total_bytes);
/* articles done, text bytes analysed, input bytes consumed. */
void progress_update(progress *p, uint64_t articles, uint64_t text_bytes,
                     uint64_t input_bytes);
/* Erases the bar (before printing a message, or at the end). */
void progress_clear(progress *p);

#endif
