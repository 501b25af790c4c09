/* build.c — building into INDEX.building and swapping the result in (see
 * build.h). */
#include "build.h"

#include <assert.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "meta.h"
#include "sizes.h"

/* ---- Paths -------------------------------------------------------------- */

bool build_path_exists(const char *path) {
  struct stat st;
  return stat(path, &st) == 0;
}

static int remove_entry(const char *path, const struct stat *st, int flag,
                        struct FTW *ftw) {
  (void)st;
  (void)flag;
  (void)ftw;
  remove(path);
  return 0;
}

void build_remove_tree(const char *path) {
  nftw(path, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
}

void build_recover_swap(const char *index, const char *building) {
  char old[PATH_MAX + 8];
  snprintf(old, sizeof old, "%s/old", building);
  if (!build_path_exists(index) && build_path_exists(old)) rename(old, index);
}

/* What Xapian leaves while it creates a glass database. */
static bool is_creation_leftover(const char *name) {
  size_t n = strlen(name);
  return !strcmp(name, "flintlock") || !strcmp(name, "v.tmp") ||
         (n > 6 && !strcmp(name + n - 6, ".glass"));
}

/* Whether a process holds Xapian's lock on the index (flintlock). */
static bool is_locked(const char *index) {
  char path[PATH_MAX + 16];
  snprintf(path, sizeof path, "%s/flintlock", index);
  int fd = open(path, O_RDWR | O_CLOEXEC);
  if (fd < 0) return errno != ENOENT; /* unreadable: assume a live one */
  struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
  bool locked = fcntl(fd, F_GETLK, &fl) != 0 || fl.l_type != F_UNLCK;
  close(fd);
  return locked;
}

bool build_clear_unfinished(const char *index) {
  char path[PATH_MAX + 300];
  snprintf(path, sizeof path, "%s/iamglass", index);
  if (build_path_exists(path)) return false;
  DIR *d = opendir(index);
  if (!d) return false;
  const struct dirent *e;
  bool leftovers = false, other = false;
  while ((e = readdir(d))) {
    if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
    if (is_creation_leftover(e->d_name))
      leftovers = true;
    else
      other = true;
  }
  closedir(d);
  if (!leftovers || other || is_locked(index)) return false;
  if (!(d = opendir(index))) return false;
  while ((e = readdir(d))) {
    if (!is_creation_leftover(e->d_name)) continue;
    snprintf(path, sizeof path, "%s/%s", index, e->d_name);
    unlink(path);
  }
  closedir(d);
  return true;
}

int build_make_dir(const char *building, cr_error *err) {
  if (mkdir(building, 0777) == 0 || errno == EEXIST) return 0;
  cr_error_set(err, CR_E_IO, "cannot create %s: %s", building, strerror(errno));
  return -1;
}

/* ---- Shards ------------------------------------------------------------- */

cr_wdb *build_open_shard(const char *path, cr_error *err) {
  return cr_wdb_open(path,
                     CR_WDB_CREATE_OR_OVERWRITE | CR_WDB_NO_SYNC |
                         CR_WDB_DANGEROUS | CR_WDB_SPELLING_AT_CLOSE,
                     err);
}

void build_shard_failed(cr_error *err, const char *path) {
  cr_error failed = *err;
  /* That complaint says nothing a user can act on: left out. */
  bool internal = strstr(failed.message, "DB_DANGEROUS") ||
                  strstr(failed.message, "cancel()");
  cr_error_set(err, failed.code,
               "cannot write the new index in '%s' (is the disk full, or the "
               "directory not writable?)%s%s",
               path, internal ? "" : ": ", internal ? "" : failed.message);
}

/* ---- Swapping the new index in ------------------------------------------ */

/* Whether path is the current directory (as ".", "$PWD", or any other
 * name for it): renaming it away would leave the caller's shell in a
 * deleted directory, and "." cannot be renamed at all. */
static bool is_cwd(const char *path) {
  struct stat a, b;
  return stat(path, &a) == 0 && stat(".", &b) == 0 && a.st_dev == b.st_dev &&
         a.st_ino == b.st_ino;
}

/* Moves the index built in fresh into the directory index, file by file,
 * where the directory itself cannot be swapped (it is the current
 * directory, or a mount point). The empty index's version file goes
 * first and the new one comes last, so the directory is never a mix of
 * the two: a crash in between leaves no index there (a rerun builds it
 * again), never a damaged one. */
static int swap_contents(const char *fresh, const char *index, cr_error *err) {
  char from[PATH_MAX + 300], to[PATH_MAX + 300];
  snprintf(to, sizeof to, "%s/iamglass", index);
  if (unlink(to) != 0 && errno != ENOENT) goto failed;
  /* The empty index's tables that the new one lacks would be stale. */
  DIR *d = opendir(index);
  if (!d) goto failed;
  const struct dirent *e;
  while ((e = readdir(d))) {
    size_t n = strlen(e->d_name);
    if (n <= 6 || strcmp(e->d_name + n - 6, ".glass") != 0) continue;
    snprintf(from, sizeof from, "%s/%s", fresh, e->d_name);
    snprintf(to, sizeof to, "%s/%s", index, e->d_name);
    if (!build_path_exists(from)) unlink(to);
  }
  closedir(d);
  if (!(d = opendir(fresh))) goto failed;
  int rc = 0;
  while (rc == 0 && (e = readdir(d))) {
    if (e->d_name[0] == '.' || !strcmp(e->d_name, "iamglass") ||
        !strcmp(e->d_name, "flintlock"))
      continue;
    snprintf(from, sizeof from, "%s/%s", fresh, e->d_name);
    snprintf(to, sizeof to, "%s/%s", index, e->d_name);
    rc = rename(from, to);
  }
  closedir(d);
  if (rc != 0) goto failed;
  snprintf(from, sizeof from, "%s/iamglass", fresh);
  snprintf(to, sizeof to, "%s/iamglass", index);
  if (rename(from, to) != 0) goto failed;
  int fd = open(index, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd >= 0) {
    fsync(fd);
    close(fd);
  }
  return 0;
failed:
  cr_error_set(err, CR_E_IO, "cannot move the new index into place at %s: %s",
               index, strerror(errno));
  return -1;
}

/* Puts the index at fresh in place of the one at index. */
static int swap_in(const char *fresh, const char *index, const char *building,
                   cr_error *err) {
  /* The current directory (or a mount point) is not renamed: its
   * contents are swapped instead. */
  if (is_cwd(index)) return swap_contents(fresh, index, err);
  /* One atomic exchange, so a crash never leaves INDEX missing (the empty
   * index lands in INDEX.building/new and goes with it). The two renames
   * are the fallback where the file system cannot exchange. */
  if (renameat2(AT_FDCWD, fresh, AT_FDCWD, index, RENAME_EXCHANGE) == 0)
    return 0;
  char old[PATH_MAX + 8];
  snprintf(old, sizeof old, "%s/old", building);
  if (rename(index, old) != 0) {
    if (errno == EBUSY) return swap_contents(fresh, index, err);
    cr_error_set(err, CR_E_IO, "cannot move the new index into place at %s: %s",
                 index, strerror(errno));
    return -1;
  }
  if (rename(fresh, index) != 0) {
    cr_error_set(err, CR_E_IO, "cannot move the new index into place at %s: %s",
                 index, strerror(errno));
    build_recover_swap(index, building);
    return -1;
  }
  return 0;
}

/* Groups near duplicates across the shards, written into each. */
static int group_shards(const char *const *paths, unsigned n, dup_stats *dups,
                        cr_error *err) {
  cr_wdb *shards[CR_MAX_WORKERS] = {NULL};
  unsigned opened = 0;
  int rc = n <= sizeof shards / sizeof *shards ? 0 : -1;
  if (rc != 0) cr_error_set(err, CR_E_INVALID, "too many shards: %u", n);
  for (unsigned i = 0; i < n && rc == 0; i++) {
    shards[i] = cr_wdb_open(paths[i], CR_WDB_OPEN | CR_WDB_NO_SYNC, err);
    if (shards[i])
      opened++;
    else
      rc = -1;
  }
  if (rc == 0)
    rc = dup_assign_groups(shards, opened, DUP_DEFAULT_THRESHOLD, dups, err);
  for (unsigned i = 0; i < opened; i++)
    if (cr_wdb_close(shards[i], rc == 0 ? err : NULL) != 0) {
      if (rc == 0) build_shard_failed(err, paths[i]);
      rc = -1;
    }
  return rc;
}

int build_finish(const char *const *shards, unsigned n, const char *building,
                 const char *index, const build_extras *extras, cr_wdb **empty,
                 dup_stats *dups, cr_error *err) {
  /* Bounds gathered from fewer shards than are compacted would be short. */
  assert(extras->n_bounds == 0 || extras->n_bounds == n);
  memset(dups, 0, sizeof *dups);
  if (group_shards(shards, n, dups, err) != 0) return -1;
  char fresh[PATH_MAX + 8];
  snprintf(fresh, sizeof fresh, "%s/new", building);
  build_remove_tree(fresh);
  if (cr_compact(shards, n, fresh, err) != 0) return -1;
  cr_wdb *db = cr_wdb_open(fresh, CR_WDB_OPEN, err);
  if (!db) return -1;
  if ((extras->record && extras->record(db, extras->record_ctx, err) != 0) ||
      meta_stamp(db, extras->language, err) != 0 ||
      meta_store_impacts(db, extras->impacts, err) != 0 ||
      meta_store_dict(db, extras->dict, err) != 0 ||
      cr_wdb_store_wdf_bounds(db, extras->bounds, extras->n_bounds, err) != 0 ||
      cr_wdb_close(db, err) != 0)
    return -1;
  /* Release the lock on the empty index, then swap directories. */
  int rc = cr_wdb_close(*empty, err);
  *empty = NULL;
  if (rc != 0) return -1;
  return swap_in(fresh, index, building, err);
}

/* ---- A full disk -------------------------------------------------------- */

static uint64_t tree_total; /* tree_bytes' sum (nftw passes no context) */

static int add_entry_size(const char *path, const struct stat *st, int flag,
                          struct FTW *ftw) {
  (void)path;
  (void)ftw;
  if (flag == FTW_F) tree_total += (uint64_t)st->st_blocks * 512;
  return 0;
}

/* Bytes on disk under path. */
static uint64_t tree_bytes(const char *path) {
  tree_total = 0;
  nftw(path, add_entry_size, 16, FTW_PHYS);
  return tree_total;
}

/* Megabytes free for an unprivileged writer on path's file system, or -1
 * if unknown. */
static double free_mb(const char *path) {
  struct statvfs vfs;
  if (statvfs(path, &vfs) != 0) return -1;
  return (double)vfs.f_bavail * (double)vfs.f_frsize / 1e6;
}

void build_explain_full_disk(cr_error *err, bool build_mode,
                             const char *building, const char *index,
                             uint64_t input_bytes) {
  const char *where = build_mode ? building : index;
  double avail = free_mb(build_path_exists(where) ? where : index);
  /* A write that failed on a disk with (nearly) nothing free counts too:
   * Xapian does not always pass the cause on. */
  bool write_failed = strstr(err->message, "Error writing") ||
                      strstr(err->message, "is the disk full");
  bool full = strstr(err->message, strerror(ENOSPC)) != NULL ||
              (write_failed && avail >= 0 && avail < 1.0);
  if (!full) return;
  double input = (double)input_bytes / 1e6;
  if (build_mode) {
    double written = (double)tree_bytes(building) / 1e6;
    cr_error_set(err, CR_E_IO,
                 "the disk is full (ENOSPC, no space left on device): the new "
                 "index for %.1f MB of input had taken %.1f MB in '%s' when "
                 "the space ran out, and %.1f MB are free; it is removed, "
                 "and nothing else changed. It needs more than %.1f MB: free "
                 "some space (or index elsewhere) and run again",
                 input, written, building, avail > 0 ? avail : 0.0, written);
  } else {
    cr_error_set(err, CR_E_IO,
                 "the disk is full (ENOSPC, no space left on device) while "
                 "updating '%s' with %.1f MB of input (%.1f MB free): what "
                 "was committed is kept, and a rerun after freeing space "
                 "finishes the job",
                 index, input, avail > 0 ? avail : 0.0);
  }
}
