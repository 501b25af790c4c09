/* test_readme.c — every example in README.md runs and prints what the
 * README shows.
 *
 * An example is a `$ COMMAND` line inside an indented code block; the
 * lines after it, up to the next `$` line or the end of the block, are
 * what it prints (standard output and standard error together). Blocks
 * run in README order, in one scratch directory, from the repository's
 * root with the built programs first on PATH, so `indexer -d
 * /tmp/cronaca-index corpus` builds the index the later examples search.
 * The README's paths /tmp/cronaca-index and /srv/cronaca are mapped into
 * the scratch directory. Blocks that need servers (a command naming
 * xapian-*, remote, or an address of 10.0.0.x) or name another index
 * are not run.
 *
 * Timings differ from run to run and are compared as "T": "took_ms": N,
 * "N.N ms", "N.NN s, N.N MB/s".
 *
 * When the output changes on purpose (ranking, the corpus, a message),
 * regenerate the README's examples from a real run:
 *
 *     CRONACA_README_UPDATE=1 build/tests/test_readme
 *
 * which rewrites README.md's example outputs in place (check the diff). */
#include <criterion/criterion.h>
#include <regex.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

#define README SOURCE_DIR "/README.md"
#define MAX_LINES 4096

/* The README, split into lines (without their newlines). */
static char *text;
static char *line[MAX_LINES];
static size_t n_lines;

static void split(void) {
  n_lines = 0;
  for (char *p = text; *p && n_lines < MAX_LINES;) {
    line[n_lines++] = p;
    char *nl = strchr(p, '\n');
    if (!nl) break;
    *nl = '\0';
    p = nl + 1;
  }
}

static bool indented(const char *l) { return strncmp(l, "    ", 4) == 0; }
static bool blank(const char *l) { return l[strspn(l, " \t")] == '\0'; }
static bool is_command(const char *l) { return strncmp(l, "    $ ", 6) == 0; }

/* Whether a block's commands can run here: no server, no network. */
static bool runnable(size_t from, size_t to) {
  bool any = false;
  for (size_t i = from; i < to; i++) {
    if (!is_command(line[i])) continue;
    any = true;
    const char *c = line[i] + 6;
    if (strstr(c, "xapian-") || strstr(c, "remote") || strstr(c, "10.0.0."))
      return false;
    /* Only indexes mapped into the scratch directory are touched. */
    for (const char *d = c; (d = strstr(d, "-d ")); d += 3)
      if (strncmp(d + 3, "/tmp/cronaca-index", 18) != 0 &&
          strncmp(d + 3, "/srv/cronaca/", 13) != 0)
        return false;
  }
  return any;
}

/* s with every occurrence of from replaced by to: malloc'd. */
static char *replace(const char *s, const char *from, const char *to) {
  size_t fl = strlen(from), tl = strlen(to), n = 0;
  for (const char *p = s; (p = strstr(p, from)); p += fl)
    n++;
  char *out = malloc(strlen(s) + n * (tl > fl ? tl - fl : 0) + 1);
  char *o = out;
  for (const char *p = s;;) {
    const char *q = strstr(p, from);
    if (!q) {
      strcpy(o, p);
      break;
    }
    memcpy(o, p, (size_t)(q - p));
    o += q - p;
    memcpy(o, to, tl);
    o += tl;
    p = q + fl;
  }
  return out;
}

/* s with each match of the extended regex pattern replaced by to. */
static char *replace_re(char *s, const char *pattern, const char *to) {
  regex_t re;
  cr_assert_eq(regcomp(&re, pattern, REG_EXTENDED), 0, "%s", pattern);
  size_t cap = strlen(s) * 2 + 64, o = 0;
  char *out = malloc(cap);
  const char *p = s;
  regmatch_t m;
  while (regexec(&re, p, 1, &m, p == s ? 0 : REG_NOTBOL) == 0 &&
         m.rm_eo > m.rm_so) {
    size_t need = o + (size_t)m.rm_so + strlen(to) + 1;
    if (need > cap) out = realloc(out, cap = need * 2);
    memcpy(out + o, p, (size_t)m.rm_so);
    o += (size_t)m.rm_so;
    strcpy(out + o, to);
    o += strlen(to);
    p += m.rm_eo;
  }
  size_t rest = strlen(p);
  if (o + rest + 1 > cap) out = realloc(out, o + rest + 1);
  memcpy(out + o, p, rest + 1);
  regfree(&re);
  free(s);
  return out;
}

/* Timings as T. */
static char *normalise(const char *s) {
  char *t = strdup(s);
  t = replace_re(t, "\"took_ms\": [0-9.e+-]+", "\"took_ms\": T");
  t = replace_re(t, "[0-9]+(\\.[0-9]+)? ms\\b", "T ms");
  t = replace_re(t, "[0-9]+(\\.[0-9]+)? s, [0-9]+(\\.[0-9]+)? MB/s",
                 "T s, T MB/s");
  return t;
}

/* What the README shows for the command at line i: its output lines,
 * without the block's indentation, trailing blank lines dropped. Sets
 * *end to the line after them. */
static char *shown(size_t i, size_t block_end, size_t *end) {
  size_t j = i + 1;
  while (j < block_end && !is_command(line[j]))
    j++;
  *end = j;
  while (j > i + 1 && blank(line[j - 1]))
    j--;
  size_t len = 0;
  for (size_t k = i + 1; k < j; k++)
    len += strlen(line[k]) + 1;
  char *out = malloc(len + 1), *o = out;
  for (size_t k = i + 1; k < j; k++) {
    const char *l = indented(line[k]) ? line[k] + 4 : "";
    o += sprintf(o, "%s\n", l);
  }
  *o = '\0';
  return out;
}

/* Runs one README command in dir; its output with the paths mapped back
 * to the README's. */
static char *run_command(const char *command, const char *dir) {
  char index[4200], srv[4200];
  snprintf(index, sizeof index, "%s/cronaca-index", dir);
  snprintf(srv, sizeof srv, "%s/srv/cronaca", dir);
  char *c1 = replace(command, "/tmp/cronaca-index", index);
  char *c2 = replace(c1, "/srv/cronaca", srv);
  char bin[4096];
  snprintf(bin, sizeof bin, "%s", SEARCHER_BIN);
  *strrchr(bin, '/') = '\0';
  size_t n = strlen(c2) + strlen(bin) + strlen(srv) + 256;
  char *script = malloc(n);
  snprintf(script, n,
           "exec 2>&1; mkdir -p '%s'; cd '" SOURCE_DIR "' && PATH='%s':$PATH; "
           "NO_COLOR=1; export NO_COLOR; %s",
           srv, bin, c2);
  char *const argv[] = {"/bin/sh", "-c", script, NULL};
  th_run r = th_exec(argv, NULL);
  char *m1 = replace(r.out, index, "/tmp/cronaca-index");
  char *out = replace(m1, srv, "/srv/cronaca");
  free(m1);
  th_run_free(&r);
  free(script);
  free(c1);
  free(c2);
  return out;
}

/* Appends s to the growing README copy. */
static void put(char **buf, size_t *len, const char *s) {
  size_t n = strlen(s);
  *buf = realloc(*buf, *len + n + 1);
  memcpy(*buf + *len, s, n + 1);
  *len += n;
}

Test(readme, every_example_prints_what_the_readme_shows, .timeout = 300) {
  size_t size;
  text = th_read_file(README, &size);
  cr_assert_not_null(text, "cannot read %s", README);
  split();
  bool update = getenv("CRONACA_README_UPDATE") != NULL;
  char *dir = th_mkdtemp("readme");
  char *rewritten = NULL;
  size_t rlen = 0, ran = 0;
  for (size_t i = 0; i < n_lines;) {
    /* An indented block starts after a blank line. */
    if (!indented(line[i]) || (i > 0 && !blank(line[i - 1]))) {
      put(&rewritten, &rlen, line[i++]);
      put(&rewritten, &rlen, "\n");
      continue;
    }
    size_t end = i;
    while (end < n_lines && (indented(line[end]) || blank(line[end])))
      end++;
    while (end > i && blank(line[end - 1]))
      end--;
    bool run = runnable(i, end);
    for (size_t k = i; k < end;) {
      put(&rewritten, &rlen, line[k]);
      put(&rewritten, &rlen, "\n");
      if (!run || !is_command(line[k])) {
        k++;
        continue;
      }
      size_t next;
      char *want = shown(k, end, &next);
      char *got = run_command(line[k] + 6, dir);
      ran++;
      char *nw = normalise(want), *ng = normalise(got);
      if (!update)
        cr_expect_str_eq(ng, nw,
                         "README.md:%zu: $ %s\n--- got:\n%s--- README:\n%s",
                         k + 1, line[k] + 6, got, want);
      /* The output as the README shows it: indented, no trailing blank. */
      size_t gl = strlen(got);
      while (gl > 0 && got[gl - 1] == '\n')
        got[--gl] = '\0';
      for (char *p = got; gl > 0 && p;) {
        char *nl = strchr(p, '\n');
        if (nl) *nl = '\0';
        put(&rewritten, &rlen, *p ? "    " : "");
        put(&rewritten, &rlen, p);
        put(&rewritten, &rlen, "\n");
        p = nl ? nl + 1 : NULL;
      }
      /* The blank lines that followed the old output stay. */
      size_t last = next;
      while (last > k + 1 && blank(line[last - 1]))
        last--;
      for (size_t b = last; b < next; b++)
        put(&rewritten, &rlen, "\n");
      free(want);
      free(got);
      free(nw);
      free(ng);
      k = next;
    }
    i = end;
  }
  cr_expect_gt(ran, 5, "only %zu examples found in %s", ran, README);
  if (update) {
    /* The original ended with a newline, as the copy does. */
    th_write_file(README, rewritten, rlen);
    fprintf(stderr, "test_readme: %zu examples regenerated in %s\n", ran,
            README);
  }
  free(rewritten);
  th_rmtree(dir);
  free(dir);
  free(text);
}
