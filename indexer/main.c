/* main.c — the indexer command line: options, signals, the summary and
 * the exit status. The work itself is pipeline.c's. */
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "delete.h"
#include "input.h"
#include "pipeline.h"
#include "shards.h"
#include "sizes.h"
#include "xapian_c.h"

enum { EXIT_SKIPPED = 1, EXIT_FATAL = 2, EXIT_INTERRUPTED = 130 };

static volatile sig_atomic_t stop_requested;

static void on_signal(int sig) {
  (void)sig;
  stop_requested = 1;
}

static void usage(FILE *out) {
  fputs(
      "Usage: indexer -d INDEX [options] PATH...\n"
      "       indexer -d INDEX --delete ID... | --delete-from FILE\n"
      "Index Italian news articles into a Xapian index.\n"
      "\n"
      "PATH is a file, a directory (walked recursively) or - for JSON Lines\n"
      "on standard input. Formats by name: .txt article text, .jsonl/.ndjson\n"
      "JSON Lines, .json a JSON array (or one object, or JSON Lines),\n"
      ".csv/.tsv a table with a header row, .html/.htm a web page;\n"
      "compressed .gz/.zst/.xz, archives .tar*/.tgz/.zip.\n"
      "\n"
      "Options:\n"
      "  -d, --index INDEX     index directory (created if missing)\n"
      "  -j, --jobs N          worker threads (default: number of cores)\n"
      "      --shards N        split the index into N shards, "
      "INDEX/shard-00...,\n"
      "                        joined by the stub INDEX/XAPIANDB (searcher -d\n"
      "                        INDEX searches them as one); later runs on a\n"
      "                        sharded INDEX keep its shards without the "
      "option\n"
      "      --prune           remove the articles of files that have gone,\n"
      "                        and those a changed file no longer holds\n"
      "                        (without it, nothing is ever removed)\n"
      "  -n, --dry-run         write nothing: say what would be added and\n"
      "                        replaced, and list on stdout what --prune\n"
      "                        would remove\n"
      "      --language LANG   Snowball stemming language (default: the "
      "index's,\n"
      "                        italian for a new one)\n"
      "      --bm25 K1,B       BM25's k1 and b for a new index (default 1,1;\n"
      "                        an index keeps its own)\n"
      "      --commit-every N  articles per commit when updating "
      "(default " CR_NUM_TEXT(
          CR_COMMIT_EVERY) ")\n"
                           "      --encoding ENC    the inputs are in ENC, not "
                           "UTF-8 (latin1, "
                           "cp1252,\n"
                           "                        iso-8859-15, any name "
                           "iconv knows)\n"
                           "      --field F=KEY     read field F (id, title, "
                           "text, date, author,\n"
                           "                        source, url) from the JSON "
                           "key or CSV column "
                           "KEY\n"
                           "                        (repeatable: --field "
                           "title=headline)\n"
                           "      --id-prefix P     prepend P to the id of "
                           "every article read\n"
                           "                        (P=dice: keeps 57 apart "
                           "from another file's "
                           "57)\n"
                           "      --delete          the operands are article "
                           "ids, not paths: "
                           "remove\n"
                           "                        those articles (with -n, "
                           "list them)\n"
                           "      --delete-from F   remove the ids listed in "
                           "F, one a line (- for\n"
                           "                        standard input)\n"
                           "  -q, --quiet           no progress bar and no "
                           "summary\n"
                           "  -h, --help            show this help\n"
                           "      --version         show the version\n"
                           "\n"
                           "Exit status: 0 success, 1 some input was skipped "
                           "(reported on stderr\n"
                           "as file:line), 2 usage or fatal error (also a PATH "
                           "that is not there,\n"
                           "after indexing the others), 130 interrupted (what "
                           "was done is\n"
                           "committed).\n",
      out);
}

/* Prints a reader's warning (nothing is skipped). */
static void print_warning(const char *where, const char *message, void *ctx) {
  (void)ctx;
  fprintf(stderr, "indexer: %s: warning: %s\n", where, message);
}

static bool parse_bm25(const char *s, double *k1, double *b) {
  char tail;
  if (sscanf(s, "%lf,%lf%c", k1, b, &tail) != 2) return false;
  return *k1 > 0 && *k1 <= 100 && *b >= 0 && *b <= 1;
}

static int parse_count(const char *s, const char *what, unsigned *out) {
  char *end;
  long v = strtol(s, &end, 10);
  if (*s == '\0' || *end != '\0' || v < 1 || v > 1000000) {
    fprintf(stderr, "indexer: %s must be a positive number, not '%s'\n", what,
            s);
    return -1;
  }
  *out = (unsigned)v;
  return 0;
}

/* "1 article", "2 articles". */
static const char *plural(unsigned long long n, const char *one,
                          const char *many) {
  return n == 1 ? one : many;
}

static void print_summary(const pl_stats *s, bool prune, bool dry_run) {
  double mb = (double)s->text_bytes / 1e6;
  unsigned long long pa = s->pruned_articles, pf = s->pruned_files;
  if (dry_run) {
    fprintf(stderr,
            "indexer: dry run, nothing written: %s%llu would be added, %llu "
            "replaced, %llu unchanged files skipped, %llu bad records "
            "skipped; %s%llu %s to remove (%llu vanished %s)",
            s->interrupted ? "interrupted: " : "", (unsigned long long)s->added,
            (unsigned long long)s->replaced,
            (unsigned long long)s->unchanged_files,
            (unsigned long long)s->skipped, prune ? "" : "with --prune, ", pa,
            plural(pa, "article", "articles"), pf, plural(pf, "file", "files"));
    fprintf(stderr, "; %.2f s\n", s->seconds);
    return;
  }
  fprintf(stderr,
          "indexer: %s%llu added, %llu replaced, %llu unchanged files "
          "skipped, %llu bad records skipped",
          s->interrupted ? "interrupted: " : "", (unsigned long long)s->added,
          (unsigned long long)s->replaced,
          (unsigned long long)s->unchanged_files,
          (unsigned long long)s->skipped);
  if (s->appended_files)
    fprintf(stderr, ", %llu %s read from %s old end (appended to)",
            (unsigned long long)s->appended_files,
            plural(s->appended_files, "file", "files"),
            plural(s->appended_files, "its", "their"));
  if (prune)
    fprintf(stderr, ", %llu %s pruned (%llu vanished %s)", pa,
            plural(pa, "article", "articles"), pf, plural(pf, "file", "files"));
  if (s->duplicate_groups)
    fprintf(stderr, "; %u %s of near duplicates (%u articles)",
            (unsigned)s->duplicate_groups,
            plural(s->duplicate_groups, "group", "groups"),
            (unsigned)s->duplicate_docs);
  fprintf(stderr, "; %.2f s, %.1f MB/s\n", s->seconds,
          s->seconds > 0 ? mb / s->seconds : 0.0);
}

/* Reconciles --shards (*shards, 0 if not given) with what INDEX already
 * holds: a sharded index keeps its shard count, since every article's
 * shard depends on it. */
static int choose_layout(const char *index, unsigned *shards, cr_error *err) {
  sh_kind kind;
  unsigned have;
  if (sh_detect(index, &kind, &have, err) != 0) return -1;
  if (kind == SH_SINGLE && *shards) {
    cr_error_set(err, CR_E_INVALID,
                 "'%s' is a single index: shard into a new directory "
                 "(indexer --shards %u -d NEWDIR ...)",
                 index, *shards);
    return -1;
  }
  if (kind == SH_SHARDED && *shards && *shards != have) {
    cr_error_set(err, CR_E_INVALID,
                 "'%s' holds %u shards, not %u: articles are placed by id "
                 "among %u, so re-shard into a new directory",
                 index, have, *shards, have);
    return -1;
  }
  if (kind == SH_SHARDED) *shards = have;
  if (*shards > SH_MAX_SHARDS) {
    cr_error_set(err, CR_E_INVALID, "--shards must be at most %d",
                 SH_MAX_SHARDS);
    return -1;
  }
  return 0;
}

/* indexer --delete ID... / --delete-from FILE: the operands are ids. */
static int run_delete(const pl_options *o, const char *const *args, size_t n,
                      const char *const *from, size_t n_from,
                      const char *prefix) {
  if (o->prune) {
    fputs("indexer: --delete and --prune are two runs: delete first, then "
          "prune\n",
          stderr);
    return EXIT_FATAL;
  }
  char **ids = NULL;
  size_t n_ids = 0, cap = 0;
  cr_error err;
  cr_error_clear(&err);
  int status = 0;
  for (size_t i = 0; i < n_from && status == 0; i++)
    if (dl_read_ids(from[i], &ids, &n_ids, &cap, &err) != 0) {
      fprintf(stderr, "indexer: %s\n", err.message);
      status = EXIT_FATAL;
    }
  /* --id-prefix names the ids as a run with it made them. */
  size_t np = prefix ? strlen(prefix) : 0;
  for (size_t i = 0; i < n && status == 0; i++) {
    if (n_ids == cap) {
      cap = cap ? cap * 2 : 64;
      char **bigger = realloc(ids, cap * sizeof *bigger);
      if (!bigger) {
        status = EXIT_FATAL;
        break;
      }
      ids = bigger;
    }
    ids[n_ids++] = strdup(args[i]);
  }
  for (size_t i = 0; i < n_ids && status == 0; i++) {
    if (!ids[i]) {
      status = EXIT_FATAL;
      break;
    }
    if (np) {
      char *p = malloc(np + strlen(ids[i]) + 1);
      if (!p) {
        status = EXIT_FATAL;
        break;
      }
      memcpy(p, prefix, np);
      strcpy(p + np, ids[i]);
      free(ids[i]);
      ids[i] = p;
    }
  }
  if (status == 0 && n_ids == 0) {
    fputs("indexer: --delete: no ids given (indexer -d INDEX --delete ID..., "
          "or --delete-from FILE)\n",
          stderr);
    status = EXIT_FATAL;
  }
  dl_stats st;
  if (status == 0 && dl_run(o->index, (const char *const *)ids, n_ids,
                            o->dry_run, &st, &err) != 0) {
    fprintf(stderr, "indexer: %s\n", err.message);
    status = EXIT_FATAL;
  }
  if (status == 0) {
    if (!o->quiet)
      fprintf(stderr, "indexer: %s%llu %s, %llu not in the index\n",
              o->dry_run ? "dry run, nothing written: " : "",
              (unsigned long long)st.removed,
              o->dry_run ? "would be removed" : "removed",
              (unsigned long long)st.missing);
    status = st.missing ? EXIT_SKIPPED : 0;
  }
  for (size_t i = 0; i < n_ids; i++)
    free(ids[i]);
  free(ids);
  return status;
}

int main(int argc, char **argv) {
  cr_on_uncaught_exit("indexer");
  enum {
    OPT_PRUNE = 256,
    OPT_LANGUAGE,
    OPT_COMMIT,
    OPT_VERSION,
    OPT_SHARDS,
    OPT_ENCODING,
    OPT_FIELD,
    OPT_ID_PREFIX,
    OPT_DELETE,
    OPT_DELETE_FROM,
    OPT_BM25,
  };
  static const struct option longopts[] = {
      {"index", required_argument, NULL, 'd'},
      {"jobs", required_argument, NULL, 'j'},
      {"quiet", no_argument, NULL, 'q'},
      {"help", no_argument, NULL, 'h'},
      {"prune", no_argument, NULL, OPT_PRUNE},
      {"dry-run", no_argument, NULL, 'n'},
      {"language", required_argument, NULL, OPT_LANGUAGE},
      {"commit-every", required_argument, NULL, OPT_COMMIT},
      {"version", no_argument, NULL, OPT_VERSION},
      {"shards", required_argument, NULL, OPT_SHARDS},
      {"encoding", required_argument, NULL, OPT_ENCODING},
      {"field", required_argument, NULL, OPT_FIELD},
      {"id-prefix", required_argument, NULL, OPT_ID_PREFIX},
      {"delete", no_argument, NULL, OPT_DELETE},
      {"delete-from", required_argument, NULL, OPT_DELETE_FROM},
      {"bm25", required_argument, NULL, OPT_BM25},
      {NULL, 0, NULL, 0},
  };
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  pl_options o = {.jobs = cores > 0 ? (unsigned)cores : 1,
                  .commit_every = CR_COMMIT_EVERY,
                  .stop = &stop_requested};
  unsigned shards = 0; /* 0: whatever INDEX already is */
  static in_options input = {.warn_fn = print_warning};
  o.input = &input;
  char field_err[256];
  bool deleting = false;
  const char *delete_from[64];
  size_t n_delete_from = 0;
  int c;
  while ((c = getopt_long(argc, argv, "d:j:qhn", longopts, NULL)) != -1) {
    switch (c) {
    case 'd':
      o.index = optarg;
      break;
    case 'j':
      if (parse_count(optarg, "-j", &o.jobs) != 0) return EXIT_FATAL;
      break;
    case 'q':
      o.quiet = true;
      break;
    case 'h':
      usage(stdout);
      return 0;
    case OPT_PRUNE:
      o.prune = true;
      break;
    case 'n':
      o.dry_run = true;
      break;
    case OPT_LANGUAGE:
      o.language = optarg;
      break;
    case OPT_BM25:
      if (!parse_bm25(optarg, &o.bm25_k1, &o.bm25_b)) {
        fprintf(
            stderr,
            "indexer: --bm25 wants K1,B (k1 0..100, b 0..1; e.g. 1.2,0.75), "
            "not '%s'\n",
            optarg);
        return EXIT_FATAL;
      }
      o.bm25_given = true;
      break;
    case OPT_COMMIT:
      if (parse_count(optarg, "--commit-every", &o.commit_every) != 0)
        return EXIT_FATAL;
      break;
    case OPT_SHARDS:
      if (parse_count(optarg, "--shards", &shards) != 0) return EXIT_FATAL;
      break;
    case OPT_ENCODING:
      if (!in_encoding_known(optarg)) {
        fprintf(stderr,
                "indexer: --encoding: iconv does not know '%s' (try latin1, "
                "cp1252, iso-8859-15; iconv --list names them all)\n",
                optarg);
        return EXIT_FATAL;
      }
      input.encoding = optarg;
      break;
    case OPT_FIELD:
      if (in_options_add_field(&input, optarg, field_err, sizeof field_err)) {
        fprintf(stderr, "indexer: %s\n", field_err);
        return EXIT_FATAL;
      }
      break;
    case OPT_ID_PREFIX:
      input.id_prefix = optarg;
      break;
    case OPT_DELETE:
      deleting = true;
      break;
    case OPT_DELETE_FROM:
      if (n_delete_from == sizeof delete_from / sizeof *delete_from) {
        fputs("indexer: too many --delete-from files\n", stderr);
        return EXIT_FATAL;
      }
      delete_from[n_delete_from++] = optarg;
      deleting = true;
      break;
    case OPT_VERSION:
      printf("indexer (cronaca) %s\n", CRONACA_VERSION);
      return 0;
    default:
      usage(stderr);
      return EXIT_FATAL;
    }
  }
  if (!o.index) {
    fputs("indexer: no index given: use -d INDEX (see --help)\n", stderr);
    return EXIT_FATAL;
  }
  if (deleting)
    return run_delete(&o, (const char *const *)argv + optind,
                      (size_t)(argc - optind), delete_from, n_delete_from,
                      input.id_prefix);
  if (optind >= argc && !o.prune && !o.dry_run) {
    fputs("indexer: nothing to index: name files or directories (see --help)\n",
          stderr);
    return EXIT_FATAL;
  }
  /* An unknown language is a usage error, found before anything is
   * created. */
  cr_error lang_err;
  cr_analyzer *probe = cr_analyzer_new(o.language, &lang_err);
  if (!probe) {
    fprintf(stderr, "indexer: %s\n", lang_err.message);
    return EXIT_FATAL;
  }
  cr_analyzer_free(probe);

  /* "idx/" is "idx": the swap of a first build renames the directory,
   * and a trailing slash would make lstat follow a symlink. */
  char trimmed[PATH_MAX];
  snprintf(trimmed, sizeof trimmed, "%s", o.index);
  for (size_t n = strlen(trimmed); n > 1 && trimmed[n - 1] == '/'; n--)
    trimmed[n - 1] = '\0';
  o.index = trimmed;
  /* "." or "..": INDEX.building must be a sibling with a name, not
   * "..building" inside the index. */
  char whole[PATH_MAX];
  const char *base = strrchr(o.index, '/');
  base = base ? base + 1 : o.index;
  if ((!strcmp(base, ".") || !strcmp(base, "..")) && realpath(o.index, whole))
    o.index = whole;
  /* Through a symlink, build where it points: a first build replaces
   * the index directory, which would replace the link itself. */
  char real[PATH_MAX];
  struct stat st;
  if (lstat(o.index, &st) == 0 && S_ISLNK(st.st_mode)) {
    if (!realpath(o.index, real)) {
      fprintf(stderr, "indexer: '%s' is a symlink to a missing path\n",
              o.index);
      return EXIT_FATAL;
    }
    o.index = real;
  }
  o.paths = (const char *const *)argv + optind;
  o.n_paths = (size_t)(argc - optind);

  /* Ctrl-C and kill: finish what is in flight, commit, exit 130. */
  struct sigaction sa;
  memset(&sa, 0, sizeof sa);
  sa.sa_handler = on_signal;
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  sigaction(SIGHUP, &sa, NULL);

  pl_stats stats;
  cr_error err;
  cr_error_clear(&err);
  if (choose_layout(o.index, &shards, &err) != 0) {
    fprintf(stderr, "indexer: %s\n", err.message);
    return EXIT_FATAL;
  }
  int rc = shards ? sh_run(&o, shards, &stats, &err) : pl_run(&o, &stats, &err);
  if (rc != 0) {
    fprintf(stderr, "indexer: %s\n", err.message);
    return EXIT_FATAL;
  }
  if (!o.quiet) print_summary(&stats, o.prune, o.dry_run);
  if (stats.interrupted) return EXIT_INTERRUPTED;
  if (stats.missing_paths) return EXIT_FATAL; /* what was there is indexed */
  return stats.skipped ? EXIT_SKIPPED : 0;
}
