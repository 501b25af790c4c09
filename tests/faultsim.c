/* faultsim.c — the allocation interposer (see faultsim.h). */
#include "faultsim.h"

#include <jansson.h>
#include <stddef.h>
#include <string.h>

void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t size);
void *__real_realloc(void *p, size_t n);

static long fail_at;    /* 0: not armed */
static bool persistent; /* every allocation after fail_at fails too */
static long count;      /* allocations since fs_arm */
static long injected;   /* failures made since fs_arm */
static int paused;      /* fs_pause depth */

void fs_arm(long n, bool p) {
  fail_at = n;
  persistent = p;
  count = injected = 0;
}

long fs_disarm(void) {
  fail_at = 0;
  return injected;
}

long fs_count(void) { return count; }
void fs_pause(void) { paused++; }
void fs_resume(void) { paused--; }

/* Whether this allocation is to fail. */
static bool fail_now(void) {
  if (!fail_at || paused) return false;
  count++;
  if (count == fail_at || (persistent && count > fail_at)) {
    injected++;
    return true;
  }
  return false;
}

void *__wrap_malloc(size_t n) { return fail_now() ? NULL : __real_malloc(n); }

void *__wrap_calloc(size_t n, size_t size) {
  return fail_now() ? NULL : __real_calloc(n, size);
}

void *__wrap_realloc(void *p, size_t n) {
  return fail_now() ? NULL : __real_realloc(p, n);
}

char *__wrap_strdup(const char *s) {
  size_t n = strlen(s) + 1;
  char *out = __wrap_malloc(n);
  if (out) memcpy(out, s, n);
  return out;
}

char *__wrap_strndup(const char *s, size_t max) {
  size_t n = strnlen(s, max);
  char *out = __wrap_malloc(n + 1);
  if (out) {
    memcpy(out, s, n);
    out[n] = '\0';
  }
  return out;
}

static void *json_alloc(size_t n) { return __wrap_malloc(n); }
static void json_release(void *p) { free(p); }

void fs_hook_jansson(void) { json_set_alloc_funcs(json_alloc, json_release); }
