/* shards.c — placing articles in shards, the stub file that joins them,
 * and the per-shard indexing passes (see shards.h). */
#include "shards.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"

#define STUB_HEADER "# cronaca shards: articles placed by a hash of their id\n"

unsigned sh_shard_of(const char *id, unsigned n) {
  if (n <= 1 || !id) return 0; /* no id: the first shard reports it */
  /* 64-bit FNV-1a, high half: independent of pipeline.c's 32-bit hash
   * that deals articles to workers, so every worker of a shard's pass
   * still gets a share. */
  return (unsigned)((cr_fnv1a64(id, strlen(id)) >> 32) % n);
}

void sh_shard_path(char *buf, size_t size, const char *dir, unsigned k) {
  snprintf(buf, size, "%s/shard-%02u", dir, k);
}

static bool is_file(const char *path) {
  struct stat st;
  return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* Reads our stub: after comments, exactly `auto shard-KK` for k = 0, 1...
 * Returns the count, or 0 if the file is not one we wrote. */
static unsigned read_stub(FILE *f, char *bad, size_t bad_size) {
  char line[1024];
  unsigned n = 0;
  while (fgets(line, sizeof line, f)) {
    line[strcspn(line, "\r\n")] = '\0';
    if (line[0] == '#' || line[0] == '\0') continue;
    char want[64];
    snprintf(want, sizeof want, "auto shard-%02u", n);
    if (strcmp(line, want) != 0 || n == SH_MAX_SHARDS) {
      snprintf(bad, bad_size, "%.200s", line);
      return 0;
    }
    n++;
  }
  if (n == 0) snprintf(bad, bad_size, "(no shards listed)");
  return n;
}

/* A file Xapian's glass backend keeps in an index directory (tables,
 * version, lock, replication changesets, files being written). */
static bool is_glass_file(const char *name) {
  size_t len = strlen(name);
  return !strcmp(name, "iamglass") || !strcmp(name, "flintlock") ||
         !strncmp(name, "changes", 7) ||
         (len > 6 && !strcmp(name + len - 6, ".glass")) ||
         (len > 4 && !strcmp(name + len - 4, ".tmp"));
}

/* Refuses a directory that holds anything but an index: a first build
 * replaces the directory whole, which would delete the user's files (a
 * corpus given as -d by mistake, say). 0 if dir is missing, empty or an
 * index's own. */
static int check_own_files(const char *dir, cr_error *err) {
  DIR *d = opendir(dir);
  if (!d) {
    if (errno == ENOENT) return 0;
    if (errno == ENOTDIR) {
      cr_error_set(err, CR_E_INVALID, "'%s' is a file, not an index directory",
                   dir);
      return -1;
    }
    cr_error_set(err, CR_E_IO, "cannot read '%s': %s", dir, strerror(errno));
    return -1;
  }
  const struct dirent *e;
  int rc = 0;
  while (rc == 0 && (e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..") ||
        is_glass_file(e->d_name))
      continue;
    cr_error_set(err, CR_E_INVALID,
                 "'%s' holds '%s', which is not part of an index: index "
                 "into a new or empty directory",
                 dir, e->d_name);
    rc = -1;
  }
  closedir(d);
  return rc;
}

int sh_detect(const char *dir, sh_kind *kind, unsigned *n, cr_error *err) {
  char path[PATH_MAX];
  *kind = SH_NONE;
  *n = 0;
  snprintf(path, sizeof path, "%s/%s", dir, SH_STUB_NAME);
  FILE *f = fopen(path, "r");
  /* A first sharded build that did not finish: its layout is in the
   * stub it will publish. */
  if (!f && errno == ENOENT) {
    snprintf(path, sizeof path, "%s/%s", dir, SH_PENDING_NAME);
    f = fopen(path, "r");
    if (!f && errno == ENOENT)
      snprintf(path, sizeof path, "%s/%s", dir, SH_STUB_NAME);
  }
  if (f) {
    char bad[256] = "";
    *n = read_stub(f, bad, sizeof bad);
    fclose(f);
    if (*n == 0) {
      cr_error_set(err, CR_E_INVALID,
                   "'%s' is not a stub this indexer wrote (line '%s'); "
                   "index each shard's own directory instead",
                   path, bad);
      return -1;
    }
    *kind = SH_SHARDED;
    return 0;
  }
  if (errno == ENOTDIR) {
    cr_error_set(err, CR_E_INVALID, "'%s' is a file, not an index directory",
                 dir);
    return -1;
  }
  if (errno != ENOENT) {
    cr_error_set(err, CR_E_IO, "cannot read '%s': %s", path, strerror(errno));
    return -1;
  }
  snprintf(path, sizeof path, "%s/iamglass", dir);
  if (is_file(path)) *kind = SH_SINGLE;
  return check_own_files(dir, err);
}

int sh_write_stub(const char *dir, const char *name, unsigned n,
                  cr_error *err) {
  char path[PATH_MAX], tmp[PATH_MAX + 8];
  snprintf(path, sizeof path, "%s/%s", dir, name);
  snprintf(tmp, sizeof tmp, "%s.tmp", path);
  FILE *f = fopen(tmp, "w");
  bool ok = f && fputs(STUB_HEADER, f) >= 0;
  for (unsigned k = 0; ok && k < n; k++)
    ok = fprintf(f, "auto shard-%02u\n", k) > 0;
  /* fsync before the rename: the stub is never seen half written. */
  if (ok) ok = fflush(f) == 0 && fsync(fileno(f)) == 0;
  if (f && fclose(f) != 0) ok = false;
  if (ok) ok = rename(tmp, path) == 0;
  if (!ok) {
    cr_error_set(err, CR_E_IO, "cannot write the stub '%s': %s", path,
                 strerror(errno));
    unlink(tmp);
    return -1;
  }
  return 0;
}

typedef struct shard_pick {
  unsigned k, n;
} shard_pick;

static bool keep_shard(const char *id, void *ctx) {
  const shard_pick *p = ctx;
  return sh_shard_of(id, p->n) == p->k;
}

/* Adds one pass's figures to the run's. */
static void add_stats(pl_stats *sum, const pl_stats *s, unsigned k) {
  sum->added += s->added;
  sum->replaced += s->replaced;
  sum->skipped += s->skipped;
  /* Every pass meets the same missing paths: counted once. */
  if (s->missing_paths > sum->missing_paths)
    sum->missing_paths = s->missing_paths;
  /* Each shard is grouped on its own: the groups add up. */
  sum->duplicate_groups += s->duplicate_groups;
  sum->duplicate_docs += s->duplicate_docs;
  /* Every shard prunes the same vanished file: counted once. */
  if (s->pruned_files > sum->pruned_files) sum->pruned_files = s->pruned_files;
  sum->pruned_articles += s->pruned_articles;
  sum->text_bytes += s->text_bytes;
  /* Every pass reads the same files from their old end (or mark). */
  if (s->appended_files > sum->appended_files)
    sum->appended_files = s->appended_files;
  if (s->resumed_files > sum->resumed_files)
    sum->resumed_files = s->resumed_files;
  /* Unchanged means unchanged for every shard. */
  if (k == 0 || s->unchanged_files < sum->unchanged_files)
    sum->unchanged_files = s->unchanged_files;
  sum->build_mode = (k == 0 || sum->build_mode) && s->build_mode;
  sum->interrupted = sum->interrupted || s->interrupted;
}

int sh_run(const pl_options *opts, unsigned n, pl_stats *stats, cr_error *err) {
  memset(stats, 0, sizeof *stats);
  if (n < 1 || n > SH_MAX_SHARDS) {
    cr_error_set(err, CR_E_INVALID, "--shards must be 1 to %d, not %u",
                 SH_MAX_SHARDS, n);
    return -1;
  }
  if (!opts->dry_run && mkdir(opts->index, 0777) != 0 && errno != EEXIST) {
    cr_error_set(err, CR_E_IO, "cannot create '%s': %s", opts->index,
                 strerror(errno));
    return -1;
  }
  /* A new index: the stub that joins the shards is published (renamed
   * into place) only once every shard it names is complete, so the index
   * never names a shard that is not there. Until then it waits under
   * another name, where a run that dies before the last shard is
   * finished by the next, which finds the layout in it. */
  char stub[PATH_MAX], pending[PATH_MAX];
  snprintf(stub, sizeof stub, "%s/%s", opts->index, SH_STUB_NAME);
  snprintf(pending, sizeof pending, "%s/%s", opts->index, SH_PENDING_NAME);
  struct stat st;
  bool published = stat(stub, &st) == 0;
  if (!opts->dry_run && !published &&
      sh_write_stub(opts->index, SH_PENDING_NAME, n, err) != 0)
    return -1;
  for (unsigned k = 0; k < n; k++) {
    char path[PATH_MAX];
    sh_shard_path(path, sizeof path, opts->index, k);
    shard_pick pick = {k, n};
    pl_options o = *opts;
    o.index = path;
    o.keep = keep_shard;
    o.keep_ctx = &pick;
    o.quiet_problems = k > 0;
    /* Stopped: the shards not reached are made empty, so what was done
     * is searchable; the next run fills them. */
    if (*opts->stop) {
      if (published || opts->dry_run) break;
      o.n_paths = 0;
    }
    pl_stats s;
    int rc = pl_run(&o, &s, err);
    add_stats(stats, &s, k);
    stats->seconds += s.seconds;
    if (rc != 0) return -1;
  }
  if (!opts->dry_run && !published && rename(pending, stub) != 0) {
    cr_error_set(err, CR_E_IO, "cannot write the stub '%s': %s", stub,
                 strerror(errno));
    return -1;
  }
  stats->interrupted = stats->interrupted || *opts->stop;
  return 0;
}
