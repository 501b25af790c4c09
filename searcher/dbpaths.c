/* dbpaths.c — each database searched once (see dbpaths.h). */
#include "dbpaths.h"

#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "buffer.h"
#include "output.h"

/* Stubs naming stubs: deeper than this is a loop. */
#define MAX_STUB_DEPTH 8

/* The databases one -d opens, by key: "/real/path" or "remote HOST:PORT". */
typedef struct leaves {
  char **key;
  size_t n, cap;
  bool remote;
  bool oom;
} leaves;

static void add_leaf(leaves *l, const char *key) {
  if (l->oom) return;
  for (size_t i = 0; i < l->n; i++)
    if (strcmp(l->key[i], key) == 0) return;
  if (CR_ARRAY_GROW(l->key, l->n, l->cap) != 0 ||
      !(l->key[l->n] = strdup(key))) {
    l->oom = true;
    return;
  }
  l->n++;
}

static void free_leaves(leaves *l) {
  for (size_t i = 0; i < l->n; i++)
    free(l->key[i]);
  free(l->key);
  memset(l, 0, sizeof *l);
}

static void resolve(const char *path, int depth, leaves *l);

/* The lines of stub file path, as Xapian reads them: `auto|glass|chert
 * PATH` (relative to the stub's directory), `remote ...`, `#` comments. */
static void read_stub(const char *path, int depth, leaves *l) {
  FILE *f = fopen(path, "r");
  if (!f) {
    add_leaf(l, path); /* unreadable: Xapian will say so */
    return;
  }
  char dir[PATH_MAX];
  snprintf(dir, sizeof dir, "%s", path);
  char *slash = strrchr(dir, '/');
  if (slash)
    slash[1] = '\0';
  else
    dir[0] = '\0';
  char line[PATH_MAX + 64];
  while (fgets(line, sizeof line, f)) {
    size_t len = strcspn(line, "\r\n");
    line[len] = '\0';
    char *s = line + strspn(line, " \t");
    if (!*s || *s == '#') continue;
    size_t kw = strcspn(s, " \t");
    char *arg = s + kw + strspn(s + kw, " \t");
    if (kw == 6 && strncmp(s, "remote", 6) == 0) {
      char key[PATH_MAX + 80];
      snprintf(key, sizeof key, "remote %s", arg);
      add_leaf(l, key);
      l->remote = true;
    } else if (*arg && ((kw == 4 && strncmp(s, "auto", 4) == 0) ||
                        (kw == 5 && strncmp(s, "glass", 5) == 0) ||
                        (kw == 5 && strncmp(s, "chert", 5) == 0))) {
      char sub[2 * PATH_MAX + 2];
      snprintf(sub, sizeof sub, "%s%s", *arg == '/' ? "" : dir, arg);
      resolve(sub, depth + 1, l);
    } else {
      add_leaf(l, s); /* a line Xapian will judge */
    }
  }
  fclose(f);
}

static void resolve(const char *path, int depth, leaves *l) {
  struct stat st;
  if (depth > MAX_STUB_DEPTH || stat(path, &st) != 0) {
    add_leaf(l, path); /* Xapian's own message will name it */
    return;
  }
  if (S_ISDIR(st.st_mode)) {
    char stub[PATH_MAX + 16];
    snprintf(stub, sizeof stub, "%s/XAPIANDB", path);
    struct stat sst;
    if (stat(stub, &sst) == 0 && S_ISREG(sst.st_mode)) {
      read_stub(stub, depth, l);
      return;
    }
    char *real = realpath(path, NULL);
    add_leaf(l, real ? real : path);
    free(real);
    return;
  }
  read_stub(path, depth, l);
}

int sr_dbpaths_resolve(const char *const *args, size_t n, sr_dbpaths *out,
                       cr_error *err) {
  memset(out, 0, sizeof *out);
  leaves *each = calloc(n ? n : 1, sizeof *each);
  out->paths = calloc(n ? n : 1, sizeof *out->paths);
  int rc = each && out->paths ? 0 : -1;
  if (rc) cr_error_set(err, CR_E_NOMEM, "out of memory");
  for (size_t i = 0; rc == 0 && i < n; i++) {
    resolve(args[i], 0, &each[i]);
    if (each[i].oom) {
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      rc = -1;
      break;
    }
    /* Which earlier -d kept holds each of this one's databases. */
    size_t shared = 0, with = 0;
    for (size_t k = 0; k < each[i].n; k++) {
      bool seen = false;
      for (size_t j = 0; j < i && !seen; j++) {
        if (!each[j].key) continue; /* left out itself */
        for (size_t m = 0; m < each[j].n && !seen; m++)
          if (strcmp(each[i].key[k], each[j].key[m]) == 0) {
            seen = true;
            with = j;
          }
      }
      shared += seen;
    }
    if (shared == 0) {
      out->paths[out->n++] = args[i];
      out->remote |= each[i].remote;
    } else if (shared == each[i].n) {
      out_say("warning: '%s' names the same database as '%s': searched once",
              args[i], args[with]);
      free_leaves(&each[i]);
    } else {
      cr_error_set(err, CR_E_INVALID,
                   "'%s' and '%s' share some of their databases, whose "
                   "articles would count twice: give each database once",
                   args[with], args[i]);
      rc = -1;
    }
  }
  for (size_t i = 0; each && i < n; i++)
    free_leaves(&each[i]);
  free(each);
  if (rc) sr_dbpaths_free(out);
  return rc;
}

void sr_dbpaths_free(sr_dbpaths *d) {
  free(d->paths);
  memset(d, 0, sizeof *d);
}
