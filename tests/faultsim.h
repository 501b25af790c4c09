/* faultsim.h — failing the N-th allocation, for the fault-injection test
 * (SQLite FTS5's do_faultsim_test).
 *
 * test_faultsim is linked with -Wl,--wrap=malloc,--wrap=calloc,... so
 * every call the project's own objects make to malloc, calloc, realloc,
 * strdup and strndup goes through here (calls inside shared libraries,
 * such as libxapian or libutf8proc, do not). jansson's allocations are
 * routed here too (fs_hook_jansson). Nothing fails until fs_arm.
 */
#ifndef CRONACA_TEST_FAULTSIM_H
#define CRONACA_TEST_FAULTSIM_H

#include <stdbool.h>

/* From now on, the n-th allocation (1-based) fails; with persistent, so
 * does every one after it. Resets the counts. */
void fs_arm(long n, bool persistent);
/* Stops failing; returns how many allocations were made to fail. */
long fs_disarm(void);
/* Allocations counted since fs_arm. */
long fs_count(void);

/* Between fs_pause and fs_resume (nested), nothing is counted or failed:
 * for the test's own bookkeeping. */
void fs_pause(void);
void fs_resume(void);

/* Makes jansson allocate through the wrapped malloc. */
void fs_hook_jansson(void);

#endif
