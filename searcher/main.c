/* main.c — the searcher's command line.
 *
 *   searcher -d INDEX [options] QUERY...
 *   searcher -d INDEX --show ID [QUERY...]
 *
 * Reads the options, opens the index, and runs one query (printed for
 * people, or as JSON with --json) or a file of queries (--batch, one JSON
 * object per line), or reads one article (--show). The work itself lives
 * in the engine (search.h), show.c, explain.c, output.c and format.c.
 * Exit status: 0 success (a query that matches nothing included), 2 usage
 * or fatal errors.
 */
#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analyzer.h"
#include "dates.h"
#include "expand.h"
#include "format.h"
#include "output.h"
#include "schema.h"
#include "search.h"
#include "show.h"
#include "sizes.h"

#ifndef CRONACA_VERSION
#define CRONACA_VERSION "unknown"
#endif

#define EXIT_USAGE 2
/* No one reads a million results; the cap keeps -n from asking Xapian for
 * absurd allocations. */
#define MAX_COUNT 1000000ul
#define MAX_COUNT_TEXT "1000000"

static const char usage_text[] =
    "usage: searcher -d INDEX [options] QUERY...\n"
    "       searcher -d INDEX [options] --batch FILE\n"
    "       searcher -d INDEX --show ID [QUERY...]\n"
    "       searcher --analyze TEXT\n"
    "\n"
    "Searches the cronaca index INDEX (a directory, sharded or not, or a\n"
    "Xapian stub file whose lines name shards: `auto DIR`, `remote\n"
    "HOST:PORT` for xapian-tcpsrv; repeat -d to search several as one) and\n"
    "prints the best matches.\n"
    "\n"
    "  -d INDEX           the index (may be repeated; a database named\n"
    "                     twice is searched once; default: $CRONACA_INDEX)\n"
    "  -n N               results to show (default 10, at most 1000000)\n"
    "  --offset N         skip the first N results (paging)\n"
    "  --all              every word required (default: any, ranked)\n"
    "  --sort ORDER       'relevance' (default), 'date' (newest first) or\n"
    "                     '-date' / 'oldest' (oldest first)\n"
    "  --reverse          with --sort date: oldest first\n"
    "  --since DATE       only articles from DATE on (2022-09-06,\n"
    "                     06/09/2022, 6 settembre 2022, 2022-09; relative:\n"
    "                     oggi, ieri, 7d, 2w, 1m, 1y, \"ultimi 7 giorni\")\n"
    "  --until DATE       only articles up to DATE\n"
    "  --count            print the exact number of matches only\n"
    "  --explain          per hit, the query terms it holds and what each\n"
    "                     adds to its score (BM25), the query's scaling and\n"
    "                     the proximity bonus\n"
    "  --show ID          print article ID whole (a query, if given, is\n"
    "                     highlighted in it); unknown ID: exit 2\n"
    "  --json             print one JSON object (same as --format json)\n"
    "  --format FORMAT    text (default), json, jsonl (one hit a line), csv\n"
    "                     or tsv (a header line, then one hit a line)\n"
    "  --fields LIST      for jsonl, csv, tsv: comma-separated, of rank, id,\n"
    "                     score, date, title, author, source, url, snippet\n"
    "                     (default: all, in that order)\n"
    "  --highlight MARKUP matched words in snippets and --show: ansi\n"
    "                     (bold), markdown (**word**), html\n"
    "                     (<mark>word</mark>) or none (default: ansi on\n"
    "                     a terminal, else markdown)\n"
    "  --batch FILE       one query per line ('-': standard input), one\n"
    "                     JSON object per line out\n"
    "  --no-snippets      leave snippets out (faster, for benchmarks)\n"
    "  --collapse         one article per group of near duplicates, marked\n"
    "                     (+N similar)\n"
    "  --facet FIELD      count all matches per year, month, author or\n"
    "                     source (repeatable)\n"
    "  --facet-limit N    values shown per facet (default 15 on screen,\n"
    "                     all in JSON; 0: all)\n"
    "  --like ID          articles most like article ID (a query, if given,\n"
    "                     only filters them)\n"
    "  --no-suggest       no \"Forse cercavi\" spelling suggestion\n"
    "  --no-synonyms      no expansion by the index's synonyms (CC, "
    "carabinieri)\n"
    "  --strict-quotes    a quote no article holds as typed finds nothing\n"
    "                     (default: its words are searched, with a note)\n"
    "  --analyze TEXT     print the terms the analyzer makes of TEXT\n"
    "  --language LANG    Snowball language (default: the index's, else\n"
    "                     italian)\n"
    "  --rerank N         reorder the best N hits by how close the query\n"
    "                     words stand in them (default 20; 0: BM25 only)\n"
    "  --threads N        threads a search of several local shards uses,\n"
    "                     one per shard (default: $CRONACA_THREADS, else\n"
    "                     the free cores, one per 25,000 articles; 1: none)\n"
    "  --help, --version\n"
    "\n"
    "Every option also takes its value as -n=5 or --offset=5.\n"
    "\n"
    "Query language: words (any, best first), \"exact phrase\", +required,\n"
    "-excluded, -\"excluded phrase\", AND, OR, NOT, ( ), title:x author:x\n"
    "source:x, id:ID, prefix*, date:2022-09, date:2022-09-01..2022-09-30,\n"
    "date:oggi, date:ieri, date:7d (CRONACA_TODAY=YYYY-MM-DD fixes today).\n"
    "Snippets mark matched words **like this** (bold on a terminal).\n"
    "\n"
    "Limits: a snippet is about " CR_NUM_TEXT(
        CR_SNIPPET_BYTES) " bytes of the "
                          "article, around its best\n"
                          "match; an article without a title shows its first "
                          "sentence, cut at\n" CR_NUM_TEXT(
                              CR_DERIVED_TITLE_MAX) " bytes (the indexer takes "
                                                    "a .txt file's "
                                                    "first line for a title\n"
                                                    "only up to " CR_NUM_TEXT(
                                                        CR_TEXT_TITLE_MAX) " by"
                                                                           "tes"
                                                                           "); "
                                                                           "aut"
                                                                           "hor"
                                                                           " an"
                                                                           "d "
                                                                           "sou"
                                                                           "rce"
                                                                           " "
                                                                           "fac"
                                                                           "ets"
                                                                           " ke"
                                                                           "ep"
                                                                           " " CR_NUM_TEXT(
                                                                               CR_FACET_VALUE_MAX) " bytes.\n";

typedef struct cli {
  const char **paths; /* -d, in order */
  size_t n_paths;
  char *query; /* the QUERY words joined by spaces, or NULL */
  size_t query_len;
  const char *batch;              /* --batch FILE */
  const char *analyze;            /* --analyze TEXT */
  bool no_synonyms;               /* --no-synonyms */
  const char *language;           /* --language, NULL: italian */
  const char *show;               /* --show ID */
  bool count;                     /* --count */
  out_format format;              /* --format (--json: OUT_FORMAT_JSON) */
  out_field fields[OUT_N_FIELDS]; /* --fields */
  size_t n_fields;
  bool fields_given;
  const char *highlight; /* --highlight, NULL: by the terminal */
  bool reverse;          /* --reverse */
  uint32_t facet_limit;  /* --facet-limit, 0: the renderers' default */
  bool facet_limit_given;
  char since[11], until[11];
  sr_params params;
} cli;

/* A usage error: the message (the argument made safe to print) and where
 * to look. */
static void usage_error(const char *fmt, const char *arg) {
  out_say(fmt, arg);
  fputs("(searcher --help for the options)\n", stderr);
}

/* Parses a whole non-negative number no larger than max. */
static bool parse_count(const char *s, unsigned long max, uint32_t *out) {
  if (!s || !*s || *s == '-' || *s == '+') return false;
  char *end;
  errno = 0;
  unsigned long v = strtoul(s, &end, 10);
  if (errno || *end || v > max) return false;
  *out = (uint32_t)v;
  return true;
}

/* A full date, or for a partial one (2022-09) its first (since) or last
 * (until) day, as YYYY-MM-DD. */
static bool parse_date_option(const char *s, bool since, char out[11]) {
  size_t len = strlen(s);
  if (cr_date_parse(s, len, false, out)) return true;
  char lo[9], hi[9];
  if (!cr_date_range(s, len, lo, hi)) return false;
  const char *d = since ? lo : hi;
  snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
  return true;
}

/* Appends a query word, separated by a space. */
static bool add_word(cli *c, const char *w) {
  size_t n = strlen(w);
  char *q = realloc(c->query, c->query_len + n + 2);
  if (!q) return false;
  if (c->query) q[c->query_len++] = ' ';
  memcpy(q + c->query_len, w, n + 1);
  c->query = q;
  c->query_len += n;
  return true;
}

/* Single-dash options are only -d, -n, -h, -nN and -X=VALUE: "-dazi" or
 * "-hamas" are excluded query words, not options with glued values. */
static bool looks_like_option(const char *a) {
  if (a[0] != '-' || a[1] == '\0') return false;
  if (a[1] == '-') return true;
  if (a[2] == '\0' || a[2] == '=')
    return a[1] == 'd' || a[1] == 'n' || a[1] == 'h';
  if (a[1] != 'n') return false;
  for (const char *p = a + 2; *p; p++)
    if (*p < '0' || *p > '9') return false;
  return true;
}

/* Parses argv into c. Options may come before or after the query words,
 * and an argument starting with '-' that is not an option is a query word
 * ("Russia -Ucraina" excludes a word); "--" ends the options. Returns 0 to
 * go on, 1 when --help/--version was handled, -1 on a usage error. */
static int parse_args(int argc, char **argv, cli *c) {
  bool words_only = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (words_only || !looks_like_option(a)) {
      if (!add_word(c, a)) return -1;
      continue;
    }
    if (strcmp(a, "--") == 0) {
      words_only = true;
      continue;
    }
    /* Options that take a value: "-d X", "-dX", "-d=X", "--opt X",
     * "--opt=X". */
    const char *name = a, *val = NULL;
    char opt[32];
    if (a[1] != '-') { /* -d, -n, -h, -nN */
      snprintf(opt, sizeof opt, "-%c", a[1]);
      name = opt;
      if (a[2]) val = a[2] == '=' ? a + 3 : a + 2;
    } else if (strchr(a, '=')) {
      size_t n = (size_t)(strchr(a, '=') - a);
      if (n >= sizeof opt) n = sizeof opt - 1;
      memcpy(opt, a, n);
      opt[n] = '\0';
      name = opt;
      val = strchr(a, '=') + 1;
    }
    static const char *const flags[] = {"-h",
                                        "--help",
                                        "--version",
                                        "--json",
                                        "--all",
                                        "--no-snippets",
                                        "--collapse",
                                        "--no-suggest",
                                        "--count",
                                        "--reverse",
                                        "--explain",
                                        "--no-synonyms",
                                        "--strict-quotes"};
    bool is_flag = false;
    for (size_t k = 0; k < sizeof flags / sizeof *flags; k++)
      if (strcmp(name, flags[k]) == 0) is_flag = true;
    if (is_flag && val) {
      usage_error("%s takes no value", name);
      return -1;
    }
    if (!is_flag && !val) {
      if (i + 1 >= argc) {
        usage_error("%s needs a value", name);
        return -1;
      }
      val = argv[++i];
    }
    if (!strcmp(name, "-h") || !strcmp(name, "--help")) {
      fputs(usage_text, stdout);
      return 1;
    } else if (!strcmp(name, "--version")) {
      printf("searcher (cronaca) %s\n", CRONACA_VERSION);
      return 1;
    } else if (!strcmp(name, "--json")) {
      c->format = OUT_FORMAT_JSON;
    } else if (!strcmp(name, "--format")) {
      if (!out_format_parse(val, &c->format)) {
        usage_error("--format is text, json, jsonl, csv or tsv, not '%s'", val);
        return -1;
      }
    } else if (!strcmp(name, "--fields")) {
      char bad[64];
      if (!out_fields_parse(val, c->fields, &c->n_fields, bad, sizeof bad)) {
        usage_error("--fields: unknown field '%s' (rank, id, score, date, "
                    "title, author, source, url, snippet)",
                    bad);
        return -1;
      }
      c->fields_given = true;
    } else if (!strcmp(name, "--highlight")) {
      if (strcmp(val, "ansi") && strcmp(val, "markdown") &&
          strcmp(val, "html") && strcmp(val, "none")) {
        usage_error("--highlight is ansi, markdown, html or none, not '%s'",
                    val);
        return -1;
      }
      c->highlight = val;
    } else if (!strcmp(name, "--explain")) {
      c->params.explain = true;
    } else if (!strcmp(name, "--count")) {
      c->count = true;
    } else if (!strcmp(name, "--show")) {
      c->show = val;
    } else if (!strcmp(name, "--reverse")) {
      c->reverse = true;
    } else if (!strcmp(name, "--facet-limit")) {
      if (!parse_count(val, 1000000, &c->facet_limit)) {
        usage_error("--facet-limit wants a number of values (0: all), not "
                    "'%s'",
                    val);
        return -1;
      }
      c->facet_limit_given = true;
    } else if (!strcmp(name, "--all")) {
      c->params.qp.all_required = true;
    } else if (!strcmp(name, "--no-snippets")) {
      c->params.snippets = false;
    } else if (!strcmp(name, "--collapse")) {
      c->params.collapse = true;
    } else if (!strcmp(name, "--no-suggest")) {
      c->params.suggest = false;
    } else if (!strcmp(name, "--no-synonyms")) {
      c->no_synonyms = true;
    } else if (!strcmp(name, "--strict-quotes")) {
      c->params.strict_quotes = true;
    } else if (!strcmp(name, "--like")) {
      c->params.like = val;
    } else if (!strcmp(name, "--facet")) {
      sr_facet_kind k;
      if (!sr_facet_parse(val, &k)) {
        usage_error("--facet is year, month, author or source, not '%s'", val);
        return -1;
      }
      bool seen = false;
      for (size_t f = 0; f < c->params.n_facets; f++)
        seen |= c->params.facets[f] == k;
      if (!seen) c->params.facets[c->params.n_facets++] = k;
    } else if (!strcmp(name, "-d")) {
      const char **p = realloc(c->paths, (c->n_paths + 1) * sizeof *p);
      if (!p) return -1;
      c->paths = p;
      c->paths[c->n_paths++] = val;
    } else if (!strcmp(name, "-n")) {
      if (!parse_count(val, MAX_COUNT, &c->params.search.count)) {
        usage_error("-n wants a number of results, 0 to " MAX_COUNT_TEXT
                    ", not '%s'",
                    val);
        return -1;
      }
    } else if (!strcmp(name, "--rerank")) {
      uint32_t depth;
      if (!parse_count(val, 1000, &depth)) {
        usage_error("--rerank wants a number of hits (0 to 1000), not '%s'",
                    val);
        return -1;
      }
      c->params.rerank.depth = depth;
    } else if (!strcmp(name, "--threads")) {
      uint32_t n;
      if (!parse_count(val, 64, &n) || n == 0) {
        usage_error("--threads wants a number of threads (1 to 64), not '%s'",
                    val);
        return -1;
      }
      c->params.threads = n;
    } else if (!strcmp(name, "--offset")) {
      if (!parse_count(val, UINT32_MAX / 2, &c->params.search.offset)) {
        usage_error("--offset wants a number, not '%s'", val);
        return -1;
      }
    } else if (!strcmp(name, "--sort")) {
      if (!strcmp(val, "date") || !strcmp(val, "newest")) {
        c->params.search.sort_slot = CR_SLOT_DATE;
        c->params.search.sort_descending = true;
      } else if (!strcmp(val, "-date") || !strcmp(val, "oldest")) {
        c->params.search.sort_slot = CR_SLOT_DATE;
        c->params.search.sort_descending = false;
      } else if (!strcmp(val, "relevance")) {
        c->params.search.sort_slot = -1;
      } else {
        usage_error("--sort is 'relevance', 'date' or '-date' (oldest "
                    "first), not '%s'",
                    val);
        return -1;
      }
    } else if (!strcmp(name, "--since") || !strcmp(name, "--until")) {
      bool since = name[2] == 's';
      char *out = since ? c->since : c->until;
      if (!parse_date_option(val, since, out)) {
        usage_error("not a date: '%s' (try 2022-09-06, 6 settembre 2022, "
                    "ieri or 7d)",
                    val);
        return -1;
      }
      if (since)
        c->params.qp.since = c->since;
      else
        c->params.qp.until = c->until;
    } else if (!strcmp(name, "--batch")) {
      c->batch = val;
    } else if (!strcmp(name, "--analyze")) {
      c->analyze = val;
    } else if (!strcmp(name, "--language")) {
      c->language = val;
    } else if (!strcmp(name, "--bm25")) {
      /* The index stores BM25's tf part (impacts.h): k1 and b are its. */
      usage_error("--bm25 %s: BM25's k1 and b are fixed when an index is "
                  "built: give --bm25 to the indexer",
                  val);
      return -1;
    } else {
      usage_error("unknown option '%s'", name);
      return -1;
    }
  }
  return 0;
}

static int print_term(const cr_token *t, void *ctx) {
  (void)ctx;
  if (!t->is_stop) {
    fwrite(t->term, 1, t->term_len, stdout);
    fputc('\n', stdout);
  }
  return 0;
}

static void report_open_error(const cli *c, const cr_error *err);

/* --analyze: the terms of TEXT in --language, else (with -d) in the
 * language the index was built with, as its queries are; else Italian. */
static int run_analyze(const cli *c) {
  cr_error err;
  cr_error_clear(&err);
  char *built = NULL;
  if (!c->language && c->n_paths > 0) {
    cr_rdb *db = cr_rdb_open(c->paths, c->n_paths, &err);
    if (!db) {
      report_open_error(c, &err);
      return EXIT_USAGE;
    }
    size_t len = 0;
    int read =
        cr_rdb_shard_metadata(db, 0, CR_META_LANGUAGE, &built, &len, &err);
    cr_rdb_close(db);
    if (read != 0) {
      report_open_error(c, &err);
      return EXIT_USAGE;
    }
  }
  cr_analyzer *an = cr_analyzer_new(c->language ? c->language : built, &err);
  free(built);
  if (!an) {
    out_say("%s", err.message);
    return EXIT_USAGE;
  }
  int rc = cr_analyze(an, c->analyze, strlen(c->analyze), 0, print_term, NULL);
  cr_analyzer_free(an);
  if (rc < 0) {
    out_say("%s", "out of memory");
    return EXIT_USAGE;
  }
  /* With an index: the synonyms its queries would be expanded with. */
  if (c->n_paths > 0 && !c->no_synonyms) {
    sr_engine *e = sr_open(c->paths, c->n_paths, c->language, &err);
    if (!e) {
      report_open_error(c, &err);
      return EXIT_USAGE;
    }
    rc = sr_synonyms_print(e, c->analyze, strlen(c->analyze), &err);
    sr_close(e);
    if (rc != 0) {
      out_say("%s", err.message);
      return EXIT_USAGE;
    }
  }
  return 0;
}

/* The message for an index that cannot be opened names the path at fault
 * and what to do: create it if it is missing, fix its permissions if it
 * cannot be read, check it if it is there but damaged. */
static void report_open_error(const cli *c, const cr_error *err) {
  /* Opened but not readable as ours, or a remote shard down: the message
   * says it all, and "create it" would mislead. */
  if (err->code == CR_E_INVALID || err->code == CR_E_NETWORK) {
    out_say("%s", err->message);
    return;
  }
  struct stat st;
  for (size_t i = 0; i < c->n_paths; i++) {
    const char *p = c->paths[i];
    if (stat(p, &st) != 0) {
      out_say("cannot open index '%s': %s (create it with: indexer "
              "-d %s PATH)",
              p, strerror(errno), p);
      return;
    }
    if (access(p, S_ISDIR(st.st_mode) ? R_OK | X_OK : R_OK) != 0) {
      out_say("cannot read index '%s': %s", p, strerror(errno));
      return;
    }
  }
  if (err->code == CR_E_CORRUPT || err->code == CR_E_NOT_FOUND)
    out_say("%s (check it with: xapian-check %s)", err->message, c->paths[0]);
  else /* a remote server down, say: the message names it */
    out_say("%s", err->message);
}

/* Prints one query's page: text for people, one JSON line, rows for
 * scripts, or with --count the number of matches. */
static int print_page(const cli *c, sr_page *page, bool bold) {
  if (c->facet_limit_given)
    page->result.facet_limit = c->facet_limit ? c->facet_limit : SIZE_MAX;
  bool json = c->format == OUT_FORMAT_JSON || c->batch;
  if (c->count && !json) {
    if (page->result.note) out_say("%s", page->result.note);
    printf("%u\n", page->result.estimated);
    return ferror(stdout) ? -1 : 0;
  }
  if (c->format == OUT_FORMAT_JSONL || c->format == OUT_FORMAT_CSV ||
      c->format == OUT_FORMAT_TSV) {
    if (page->result.note) out_say("%s", page->result.note);
    out_field def[OUT_N_FIELDS];
    size_t n = c->fields_given ? c->n_fields : out_fields_default(def);
    return out_rows(stdout, &page->result, c->format,
                    c->fields_given ? c->fields : def, n, true);
  }
  if (json) {
    char *js =
        c->count ? out_count_json(&page->result) : out_json(&page->result);
    if (!js) return -1;
    fputs(js, stdout);
    fputc('\n', stdout);
    free(js);
    return 0;
  }
  if (page->result.note) out_say("%s", page->result.note);
  out_style style = {.bold = bold};
  return out_text(stdout, &page->result, &style);
}

/* --explain: the synonyms the query was expanded with, beside the hits.
 * syn holds room for page's (set_synonyms' caller frees it). */
static out_synonym *set_synonyms(const cli *c, sr_page *page) {
  if (!c->params.explain || page->parsed.n_synonyms == 0) return NULL;
  out_synonym *syn = calloc(page->parsed.n_synonyms, sizeof *syn);
  if (!syn) return NULL;
  for (size_t i = 0; i < page->parsed.n_synonyms; i++)
    syn[i] = (out_synonym){page->parsed.synonyms[i].from,
                           page->parsed.synonyms[i].to};
  page->result.synonyms = syn;
  page->result.n_synonyms = page->parsed.n_synonyms;
  return syn;
}

/* --batch: one query per line, one JSON object per line, in order. A
 * query that fails still gets its line (with "error"), so line N of the
 * output always answers line N of the input. */
static int run_batch(const cli *c, sr_engine *e) {
  FILE *in = strcmp(c->batch, "-") == 0 ? stdin : fopen(c->batch, "r");
  if (!in) {
    out_say("cannot read '%s': %s", c->batch, strerror(errno));
    return EXIT_USAGE;
  }
  int status = 0;
  char *line = NULL;
  size_t cap = 0;
  ssize_t n;
  unsigned long lineno = 0;
  while ((n = getline(&line, &cap, in)) >= 0) {
    lineno++;
    size_t len = (size_t)n;
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      len--;
    sr_page page;
    cr_error err;
    cr_error_clear(&err);
    if (sr_run(e, line, len, &c->params, &page, &err) != 0) {
      out_say("%s:%lu: %s", c->batch, lineno, err.message);
      page.result.error = err.message;
      status = EXIT_USAGE;
    }
    if (print_page(c, &page, false) != 0) status = EXIT_USAGE;
    sr_page_free(&page);
  }
  if (ferror(in)) {
    out_say("error reading '%s': %s", c->batch, strerror(errno));
    status = EXIT_USAGE;
  }
  free(line);
  if (in != stdin) fclose(in);
  return status;
}

/* The markers --highlight asks for; bold: whether titles are bold. */
static void choose_highlight(cli *c, bool *bold) {
  const char *h = c->highlight;
  if (!h) {
    if (*bold) {
      c->params.snippet.hl_start = OUT_BOLD_START;
      c->params.snippet.hl_end = OUT_BOLD_END;
    }
    return;
  }
  *bold = !strcmp(h, "ansi") && c->format == OUT_FORMAT_TEXT;
  if (!strcmp(h, "ansi")) {
    c->params.snippet.hl_start = OUT_BOLD_START;
    c->params.snippet.hl_end = OUT_BOLD_END;
  } else if (!strcmp(h, "html")) {
    c->params.snippet.hl_start = "<mark>";
    c->params.snippet.hl_end = "</mark>";
  } else if (!strcmp(h, "none")) {
    c->params.snippet.hl_start = "";
    c->params.snippet.hl_end = "";
  } else {
    c->params.snippet.hl_start = OUT_MARK_START;
    c->params.snippet.hl_end = OUT_MARK_END;
  }
}

/* --show: the article, whole; a query highlights it. */
static int run_show(const cli *c, sr_engine *e, bool bold) {
  sr_article a;
  cr_error err;
  cr_error_clear(&err);
  if (sr_show(e, c->show, c->query, c->query_len, &c->params, &a, &err) != 0) {
    out_say("%s", err.message);
    return EXIT_USAGE;
  }
  int rc = 0;
  if (c->format == OUT_FORMAT_JSON || c->format == OUT_FORMAT_JSONL) {
    char *js = sr_article_json(&a, c->query, c->query_len);
    if (js) {
      fputs(js, stdout);
      fputc('\n', stdout);
    }
    rc = js ? 0 : -1;
    free(js);
  } else {
    if (a.queried && !a.matched)
      out_say("the query does not match article '%s': nothing highlighted",
              c->show);
    rc = sr_article_text(stdout, &a, bold);
  }
  sr_article_free(&a);
  return rc == 0 ? 0 : EXIT_USAGE;
}

/* Checks the options that go together, after all are read. */
static bool options_agree(cli *c) {
  if (c->reverse) {
    if (c->params.search.sort_slot < 0) {
      usage_error("%s", "--reverse goes with --sort date (newest first "
                        "becomes oldest first)");
      return false;
    }
    c->params.search.sort_descending = !c->params.search.sort_descending;
  }
  if (c->batch && c->format != OUT_FORMAT_TEXT &&
      c->format != OUT_FORMAT_JSON) {
    usage_error("%s", "--batch writes one JSON object per query: --format "
                      "jsonl, csv and tsv are for one query");
    return false;
  }
  if (c->fields_given && c->format != OUT_FORMAT_JSONL &&
      c->format != OUT_FORMAT_CSV && c->format != OUT_FORMAT_TSV) {
    usage_error("%s", "--fields goes with --format jsonl, csv or tsv");
    return false;
  }
  if (c->show && (c->format == OUT_FORMAT_CSV || c->format == OUT_FORMAT_TSV)) {
    usage_error("%s", "--show prints text or JSON (--json, --format jsonl), "
                      "not CSV or TSV");
    return false;
  }
  if (c->show && (c->batch || c->count || c->params.like)) {
    usage_error("%s", "--show reads one article: not with --batch, --count "
                      "or --like");
    return false;
  }
  if (c->count) {
    c->params.exact_count = true;
    c->params.search.count = 0;
    c->params.search.offset = 0;
    c->params.snippets = false;
    c->params.suggest = false;
  }
  return true;
}

static int run(cli *c) {
  /* CRONACA_INDEX names the index when -d does not. */
  const char *env = getenv("CRONACA_INDEX");
  if (c->n_paths == 0 && env && *env) {
    const char **p = realloc(c->paths, sizeof *p);
    if (!p) return EXIT_USAGE;
    p[0] = env;
    c->paths = p;
    c->n_paths = 1;
  }
  if (!options_agree(c)) return EXIT_USAGE;
  /* CRONACA_THREADS, when --threads is not given. */
  const char *threads = getenv("CRONACA_THREADS");
  uint32_t n_threads;
  if (c->params.threads == 0 && threads && *threads) {
    if (!parse_count(threads, 64, &n_threads) || n_threads == 0) {
      usage_error("CRONACA_THREADS wants a number of threads (1 to 64), not "
                  "'%s'",
                  threads);
      return EXIT_USAGE;
    }
    c->params.threads = n_threads;
  }
  if (c->analyze) return run_analyze(c);
  if (c->n_paths == 0) {
    usage_error("%s", "no index: name one with -d INDEX (or set "
                      "CRONACA_INDEX)");
    return EXIT_USAGE;
  }
  if (c->batch && c->query) {
    usage_error("%s", "give either --batch FILE or a query, not both");
    return EXIT_USAGE;
  }
  if (!c->batch && !c->query && !c->params.like && !c->show) {
    usage_error("%s", "no query: searcher -d INDEX WORDS...");
    return EXIT_USAGE;
  }
  /* Bold only on a terminal that can show it: not with NO_COLOR, not on
   * TERM=dumb (Emacs shells, some CI logs). */
  const char *no_color = getenv("NO_COLOR"), *term = getenv("TERM");
  bool bold = c->format == OUT_FORMAT_TEXT && !c->batch &&
              isatty(STDOUT_FILENO) && !(no_color && *no_color) &&
              !(term && !strcmp(term, "dumb"));
  choose_highlight(c, &bold);
  cr_error err;
  cr_error_clear(&err);
  sr_engine *e = sr_open(c->paths, c->n_paths, c->language, &err);
  if (!e) {
    report_open_error(c, &err);
    return EXIT_USAGE;
  }
  c->params.synonyms = !c->no_synonyms;
  int status = 0;
  if (c->show) {
    status = run_show(c, e, bold);
  } else if (c->batch) {
    status = run_batch(c, e);
  } else {
    sr_page page;
    if (sr_run(e, c->query, c->query_len, &c->params, &page, &err) != 0) {
      out_say("%s", err.message);
      status = EXIT_USAGE;
    } else {
      out_synonym *syn = set_synonyms(c, &page);
      if (print_page(c, &page, bold) != 0) status = EXIT_USAGE;
      free(syn);
    }
    sr_page_free(&page);
  }
  sr_close(e);
  if (fflush(stdout) != 0) {
    out_say("cannot write the results: %s", strerror(errno));
    status = EXIT_USAGE;
  }
  return status;
}

int main(int argc, char **argv) {
  cr_on_uncaught_exit("searcher");
  /* A big buffer: --batch writes thousands of lines. */
  static char outbuf[1 << 16];
  setvbuf(stdout, outbuf, _IOFBF, sizeof outbuf);
  cli c;
  memset(&c, 0, sizeof c);
  c.params = sr_params_default();
  int rc = parse_args(argc, argv, &c);
  int status = rc < 0 ? EXIT_USAGE : rc > 0 ? 0 : run(&c);
  free(c.query);
  free(c.paths);
  fflush(stdout);
  return status;
}
