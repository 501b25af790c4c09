/* test_e2e_shards.c — sharded and remote indexes, end to end.
 *
 * Before the tests (in Criterion's runner process), the same input is
 * indexed twice with the real indexer: once as one index ("single"), once
 * with --shards 2 ("sharded"). The input is the DICE corpus plus corpus/
 * when ../shared has it, corpus/ alone otherwise. Then:
 *   - the shards' layout: a stub, every article in exactly its own shard,
 *     each shard stamped with the schema;
 *   - searching the shards (locally, and served by two xapian-tcpsrv
 *     processes on loopback) gives the single index's ids, order and
 *     scores, for a table of queries;
 *   - incremental runs, --prune and bad --shards uses on small indexes of
 *     their own;
 *   - a server that is down is named in a clear error.
 */
#include <arpa/inet.h>
#include <criterion/criterion.h>
#include <criterion/hooks.h>
#include <jansson.h>
#include <math.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "analyzer.h"
#include "helpers.h"
#include "query_parser.h"
#include "schema.h"
#include "shards.h"
#include "xapian_c.h"

#define ENV_DIR "CRONACA_TEST_E2E_SHARDS_DIR"
#define DICE SHARED_DATA_DIR "/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz"

static char *tmp_dir;
static char single_idx[4096], sharded_idx[4096];

static void set_paths(const char *dir) {
  snprintf(single_idx, sizeof single_idx, "%s/single", dir);
  snprintf(sharded_idx, sizeof sharded_idx, "%s/sharded", dir);
}

ReportHook(PRE_ALL)(struct criterion_test_set *set) {
  (void)set;
  tmp_dir = th_setup_begin("e2e-shards", ENV_DIR);
  set_paths(tmp_dir);
  bool dice = th_exists(DICE);
  if (!dice)
    fprintf(stderr, "test_e2e_shards: %s absent: using corpus/ alone\n", DICE);
  th_run r = dice ? th_run_prog(INDEXER_BIN, NULL, "-q", "-d", single_idx, DICE,
                                CORPUS_DIR, NULL)
                  : th_run_prog(INDEXER_BIN, NULL, "-q", "-d", single_idx,
                                CORPUS_DIR, NULL);
  if (r.status != 0) th_setup_error(tmp_dir, "indexer (single)", &r);
  th_run_free(&r);
  r = dice ? th_run_prog(INDEXER_BIN, NULL, "-q", "--shards", "2", "-d",
                         sharded_idx, DICE, CORPUS_DIR, NULL)
           : th_run_prog(INDEXER_BIN, NULL, "-q", "--shards", "2", "-d",
                         sharded_idx, CORPUS_DIR, NULL);
  if (r.status != 0) th_setup_error(tmp_dir, "indexer --shards 2", &r);
  th_run_free(&r);
}

ReportHook(POST_ALL)(struct criterion_global_stats *stats) {
  (void)stats;
  th_setup_end(&tmp_dir);
}

static void need_indexes(void) {
  free(tmp_dir);
  tmp_dir = th_setup_enter(ENV_DIR);
  set_paths(tmp_dir);
}

/* ---- Comparing result lists ------------------------------------------- */

/* One query of the table, with the options that go with it. */
typedef struct qcase {
  const char *query;
  const char *opts[6]; /* extra searcher arguments, NULL-terminated */
} qcase;

static const qcase queries[] = {
    {"Russia", {NULL}},
    {"Corea del Nord armi Russia", {NULL}},
    {"\"Corea del Nord\"", {NULL}},
    {"\"polizia municipale\"", {NULL}},
    {"carabinieri furto Carpi", {NULL}},
    {"title:Carpi", {NULL}},
    {"+Modena calcio", {NULL}},
    {"incidente -auto", {NULL}},
    {"sindaco AND (Modena OR Carpi) NOT Sassuolo", {NULL}},
    {"date:2022 Russia", {NULL}},
    {"date:2022-09-01..2022-09-30", {NULL}},
    {"Ucraina", {"--sort", "date", NULL}},
    {"guerra", {"--since", "2022-01-01", NULL}},
    {"scuola bambini genitori", {"--all", NULL}},
    {"Modena", {"--offset", "10", NULL}},
    {"ospedale medici", {"-n", "30", NULL}},
};

/* Remote shards have no synonym table (Xapian's remote protocol does not
 * carry it): compared with them, the single index searches without its
 * synonyms too. */
static bool without_synonyms;

/* The searcher's --json output for one query over index, -n count unless
 * the case says otherwise. */
static json_t *search_json(const char *index, const qcase *q,
                           const char *offset, const char *count) {
  char *argv[32];
  size_t n = 0;
  argv[n++] = SEARCHER_BIN;
  argv[n++] = "-d";
  argv[n++] = (char *)index;
  argv[n++] = "--json";
  argv[n++] = "--no-snippets";
  if (without_synonyms) argv[n++] = "--no-synonyms";
  for (size_t i = 0; q->opts[i]; i++) {
    /* The reference page replaces -n and --offset. */
    if (offset &&
        (!strcmp(q->opts[i], "-n") || !strcmp(q->opts[i], "--offset"))) {
      i++;
      continue;
    }
    argv[n++] = (char *)q->opts[i];
  }
  if (offset) {
    argv[n++] = "--offset";
    argv[n++] = (char *)offset;
    argv[n++] = "-n";
    argv[n++] = (char *)count;
  }
  argv[n++] = (char *)q->query;
  argv[n] = NULL;
  th_run r = th_exec(argv, NULL);
  cr_assert_eq(r.status, 0, "searcher -d %s '%s': status %d: %s", index,
               q->query, r.status, r.err);
  json_t *js = th_json(r.out);
  th_run_free(&r);
  return js;
}

/* What orders a hit: its score, and its date under --sort date. Hits
 * with the same key may come in any order (Xapian breaks ties by docid,
 * and docids differ between one index and shards), so lists are compared
 * key by key and as sets within a key. */
static bool by_date; /* the case being compared sorts by date */

static void hit_key(json_t *hit, char *buf, size_t size) {
  json_t *date = by_date ? json_object_get(hit, "date") : NULL;
  snprintf(buf, size, "%s|%.17g", date ? json_string_value(date) : "",
           json_number_value(json_object_get(hit, "score")));
}

static const char *hit_id(json_t *hit) {
  return json_string_value(json_object_get(hit, "id"));
}

static bool has_id(json_t *hits, size_t from, size_t to, const char *id) {
  for (size_t i = from; i < to; i++)
    if (!strcmp(hit_id(json_array_get(hits, i)), id)) return true;
  return false;
}

/* True if ref (a long page from the top) holds id with key. */
static bool ref_has(json_t *ref, const char *key, const char *id) {
  for (size_t i = 0; i < json_array_size(ref); i++) {
    char k[128];
    json_t *h = json_array_get(ref, i);
    hit_key(h, k, sizeof k);
    if (!strcmp(k, key) && !strcmp(hit_id(h), id)) return true;
  }
  return false;
}

/* Checks that got (over shards) lists what want (over one index) lists:
 * the same keys in the same order, the same ids within each run of equal
 * keys; a run cut by the page's edge is checked against ref instead. */
static void same_hits(const qcase *q, const char *label, json_t *want,
                      json_t *got, json_t *ref, bool paged) {
  json_t *wh = json_object_get(want, "hits"),
         *gh = json_object_get(got, "hits");
  size_t n = json_array_size(wh);
  cr_assert_eq(json_array_size(gh), n, "%s '%s': %zu hits, want %zu", label,
               q->query, json_array_size(gh), n);
  size_t page = 10;
  for (size_t i = 0; q->opts[i]; i++)
    if (!strcmp(q->opts[i], "-n")) page = (size_t)atoi(q->opts[i + 1]);
  for (size_t s = 0; s < n;) {
    char key[128], k2[128];
    hit_key(json_array_get(wh, s), key, sizeof key);
    size_t e = s;
    for (; e < n; e++) {
      hit_key(json_array_get(wh, e), k2, sizeof k2);
      if (strcmp(k2, key)) break;
      hit_key(json_array_get(gh, e), k2, sizeof k2);
      cr_assert_str_eq(k2, key, "%s '%s': hit %zu has key %s, want %s", label,
                       q->query, e + 1, k2, key);
    }
    bool cut = (e == n && n == page) || (s == 0 && paged);
    for (size_t i = s; i < e; i++) {
      const char *id = hit_id(json_array_get(gh, i));
      if (cut)
        cr_assert(ref_has(ref, key, id),
                  "%s '%s': %s (key %s) is not a tie "
                  "of the single index",
                  label, q->query, id, key);
      else
        cr_assert(has_id(wh, s, e, id),
                  "%s '%s': hit %zu is %s, not among "
                  "the single index's hits %zu..%zu",
                  label, q->query, i + 1, id, s + 1, e);
    }
    s = e;
  }
}

/* Every query of the table over index gives what it gives over single. */
static void same_as_single(const char *index, const char *label) {
  size_t nonempty = 0;
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++) {
    const qcase *q = &queries[i];
    json_t *want = search_json(single_idx, q, NULL, NULL);
    json_t *got = search_json(index, q, NULL, NULL);
    json_t *ref = search_json(single_idx, q, "0", "200");
    bool paged = false;
    by_date = false;
    for (size_t k = 0; q->opts[k]; k++) {
      if (!strcmp(q->opts[k], "--offset")) paged = true;
      if (!strcmp(q->opts[k], "--sort")) by_date = true;
    }
    same_hits(q, label, want, got, json_object_get(ref, "hits"), paged);
    if (json_array_size(json_object_get(want, "hits"))) nonempty++;
    json_decref(want);
    json_decref(got);
    json_decref(ref);
  }
  cr_assert_geq(nonempty, 5, "too few queries matched anything (%zu)",
                nonempty);
}

/* The title and snippet of each hit over index, by id. Each shard packs
 * its texts with a dictionary of its own, so a hit from any shard but
 * the first is unreadable unless the searcher loads every shard's. */
static void texts_as_single(const char *index, const char *label) {
  static const char *const texts_queries[] = {
      "Modena sindaco", "Corea del Nord armi Russia", "carabinieri Carpi"};
  size_t checked = 0;
  for (size_t i = 0; i < sizeof texts_queries / sizeof *texts_queries; i++) {
    char *const ag[] = {SEARCHER_BIN,
                        "-d",
                        (char *)index,
                        "--json",
                        "-n",
                        "20",
                        (char *)texts_queries[i],
                        NULL};
    char *const aw[] = {SEARCHER_BIN,
                        "-d",
                        single_idx,
                        "--json",
                        "-n",
                        "200",
                        (char *)texts_queries[i],
                        NULL};
    th_run rg = th_exec(ag, NULL), rw = th_exec(aw, NULL);
    cr_assert_eq(rg.status, 0, "%s: %s", label, rg.err);
    cr_assert_eq(rw.status, 0, "single: %s", rw.err);
    json_t *got = json_loads(rg.out, 0, NULL),
           *want = json_loads(rw.out, 0, NULL);
    cr_assert(got && want, "%s: not JSON", label);
    json_t *gh = json_object_get(got, "hits"),
           *wh = json_object_get(want, "hits");
    for (size_t k = 0; k < json_array_size(gh); k++) {
      json_t *h = json_array_get(gh, k);
      const char *title = json_string_value(json_object_get(h, "title"));
      const char *snippet = json_string_value(json_object_get(h, "snippet"));
      cr_assert(title && *title && snippet && *snippet,
                "%s '%s': hit %zu (%s) has no title or snippet", label,
                texts_queries[i], k + 1, hit_id(h));
      for (size_t w = 0; w < json_array_size(wh); w++)
        if (!strcmp(hit_id(json_array_get(wh, w)), hit_id(h))) {
          cr_assert_str_eq(title,
                           json_string_value(
                               json_object_get(json_array_get(wh, w), "title")),
                           "%s: %s", label, hit_id(h));
          checked++;
        }
    }
    json_decref(got);
    json_decref(want);
    th_run_free(&rg);
    th_run_free(&rw);
  }
  cr_assert_geq(checked, 10, "%s: too few hits compared (%zu)", label, checked);
}

/* ---- Local shards ----------------------------------------------------- */

TestSuite(shards, .init = need_indexes, .timeout = 300);

typedef struct id_check {
  cr_rdb *shards[2];
  unsigned which; /* the shard whose ids are being listed */
  size_t n;
} id_check;

/* Each id term of shard `which` is where sh_shard_of puts it, and only
 * there. */
static int check_id(const char *term, size_t len, void *ctx) {
  id_check *c = ctx;
  char t[1024];
  snprintf(t, sizeof t, "%.*s", (int)len, term);
  const char *id = t + strlen(CR_PREFIX_ID);
  cr_assert_eq(sh_shard_of(id, 2), c->which, "id %s in shard %u", id, c->which);
  cr_assert_eq(th_termfreq(c->shards[c->which], t), 1, "id %s twice", id);
  cr_assert_eq(th_termfreq(c->shards[1 - c->which], t), 0,
               "id %s in both shards", id);
  c->n++;
  return 0;
}

Test(shards, layout_puts_each_article_in_its_own_shard) {
  char stub[4200], path[4200];
  snprintf(stub, sizeof stub, "%s/" SH_STUB_NAME, sharded_idx);
  cr_assert(th_exists(stub), "no stub %s", stub);
  sh_kind kind;
  unsigned n;
  cr_error err;
  cr_assert_eq(sh_detect(sharded_idx, &kind, &n, &err), 0, "%s", err.message);
  cr_assert_eq(kind, SH_SHARDED);
  cr_assert_eq(n, 2);

  const char *one[1] = {single_idx};
  cr_rdb *single = cr_rdb_open(one, 1, &err);
  cr_assert(single, "%s", err.message);
  id_check c = {{NULL, NULL}, 0, 0};
  uint32_t total = 0;
  for (unsigned k = 0; k < 2; k++) {
    sh_shard_path(path, sizeof path, sharded_idx, k);
    const char *p[1] = {path};
    c.shards[k] = cr_rdb_open(p, 1, &err);
    cr_assert(c.shards[k], "%s", err.message);
    uint32_t docs = th_doccount(c.shards[k]);
    cr_assert_gt(docs, 0, "shard %u is empty", k);
    total += docs;
    size_t len;
    char *v = th_rdb_metadata(c.shards[k], CR_META_SCHEMA, &len);
    cr_assert(v && !strcmp(v, CR_SCHEMA_VERSION), "shard %u unstamped", k);
    free(v);
  }
  cr_assert_eq(total, th_doccount(single),
               "%u documents in the shards, "
               "%u in the single index",
               total, th_doccount(single));
  for (c.which = 0; c.which < 2; c.which++)
    cr_rdb_allterms(c.shards[c.which], CR_PREFIX_ID, check_id, &c, NULL);
  cr_assert_eq(c.n, total);
  cr_rdb_close(c.shards[0]);
  cr_rdb_close(c.shards[1]);
  cr_rdb_close(single);
}

Test(shards, directory_searches_like_one_index) {
  same_as_single(sharded_idx, "-d DIR");
}

Test(shards, every_shards_texts_are_readable) {
  texts_as_single(sharded_idx, "sharded");
}

Test(shards, stub_file_searches_like_one_index) {
  char stub[4200];
  snprintf(stub, sizeof stub, "%s/" SH_STUB_NAME, sharded_idx);
  same_as_single(stub, "-d DIR/XAPIANDB");
}

/* A little JSON Lines input of its own: ids a0..a7. */
static void write_articles(const char *path, const char *word) {
  char buf[4096];
  size_t n = 0;
  for (int i = 0; i < 8; i++)
    n += (size_t)snprintf(buf + n, sizeof buf - n,
                          "{\"id\":\"a%d\",\"title\":\"Articolo %d\","
                          "\"text\":\"Testo %s numero %d.\"}\n",
                          i, i, word, i);
  th_write_file(path, buf, n);
}

Test(shards, reindexing_and_prune_work_per_shard) {
  char dir[4200], in[4200], other[4200];
  snprintf(dir, sizeof dir, "%s/incr", tmp_dir);
  snprintf(in, sizeof in, "%s/incr-in/a.jsonl", tmp_dir);
  snprintf(other, sizeof other, "%s/incr-in/b.txt", tmp_dir);
  write_articles(in, "primo");
  th_write_file(other, "Titolo a parte\n\nUn testo a parte.\n", 34);
  th_run r = th_run_prog(INDEXER_BIN, NULL, "-q", "--shards", "3", "-d", dir,
                         in, other, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_assert_eq(th_index_count(dir, NULL), 9);

  /* Changed file, no --shards: the layout is kept, each id replaced in
   * its own shard. */
  sleep(1); /* a new modification time, whatever the file system */
  write_articles(in, "secondo");
  r = th_run_prog(INDEXER_BIN, NULL, "-d", dir, in, other, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  cr_assert(strstr(r.err, "0 added, 8 replaced, 1 unchanged"), "%s", r.err);
  th_run_free(&r);
  cr_assert_eq(th_index_count(dir, NULL), 9);
  cr_assert_eq(th_index_count(dir, "second"), 8); /* the new text, stemmed */
  cr_assert_eq(th_index_count(dir, "prim"), 0);
  for (int i = 0; i < 8; i++) {
    char term[32];
    snprintf(term, sizeof term, "Qa%d", i);
    cr_assert_eq(th_index_count(dir, term), 1, "%s", term);
  }

  /* A vanished file's articles go, from whichever shard holds them. */
  cr_assert_eq(unlink(in), 0);
  r = th_run_prog(INDEXER_BIN, NULL, "-q", "--prune", "-d", dir, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_assert_eq(th_index_count(dir, NULL), 1);
}

/* n generated articles, one JSON line each. */
static void write_many(const char *path, int n) {
  FILE *f = fopen(path, "w");
  cr_assert_not_null(f);
  for (int i = 0; i < n; i++)
    fprintf(f,
            "{\"id\":\"m%d\",\"text\":\"Articolo %d sulla cronaca di "
            "Modena: carabinieri, furti e processi %d.\"}\n",
            i, i, i % 50);
  fclose(f);
}

/* Whether dir opens as an index; when it does not, why, into why. */
static bool opens(const char *dir, char *why, size_t size) {
  const char *p[1] = {dir};
  cr_error err;
  cr_rdb *db = cr_rdb_open(p, 1, &err);
  if (!db) {
    snprintf(why, size, "%s", err.message);
    return false;
  }
  cr_rdb_close(db);
  return true;
}

/* A new sharded index is named by its stub only once every shard the
 * stub names is complete: opened in a loop while it is built, it either
 * is not there yet or opens whole; killed with SIGKILL half way, it is
 * never an index that names a missing shard, and a rerun finishes it. */
Test(shards, a_new_sharded_index_opens_whenever_its_stub_is_there) {
  char in[4200], stub[4300];
  snprintf(in, sizeof in, "%s/growing.jsonl", tmp_dir);
  write_many(in, 6000);
  for (int kill9 = 0; kill9 < 2; kill9++) {
    char dir[4200], shard1[4300];
    snprintf(dir, sizeof dir, "%s/growing-%d", tmp_dir, kill9);
    snprintf(stub, sizeof stub, "%s/XAPIANDB", dir);
    snprintf(shard1, sizeof shard1, "%s/shard-01/iamglass", dir);
    char *const argv[] = {INDEXER_BIN, "-q", "-j1", "--shards", "2",
                          "-d",        dir,  in,    NULL};
    int pid = th_spawn(argv, NULL);
    unsigned named = 0, failed = 0;
    char why[1024] = "";
    int status = -1;
    for (;;) {
      int st;
      pid_t done = waitpid(pid, &st, WNOHANG);
      if (done == pid) {
        status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        break;
      }
      if (th_exists(stub)) {
        named++;
        if (!opens(dir, why, sizeof why)) failed++;
      }
      /* Killed once the first shard is done and the second is under way. */
      if (kill9 && th_exists(shard1)) {
        kill(pid, SIGKILL);
      }
      usleep(2000);
    }
    cr_expect_eq(failed, 0, "%u of %u opens of a named index failed: %s",
                 failed, named, why);
    if (!kill9) {
      cr_expect_eq(status, 0);
      cr_expect(opens(dir, why, sizeof why), "%s", why);
      continue;
    }
    cr_expect(!th_exists(stub) || opens(dir, why, sizeof why),
              "after SIGKILL: %s", why);
    th_run r = th_run_prog(INDEXER_BIN, NULL, "-q", "-d", dir, in, NULL);
    cr_expect_eq(r.status, 0, "rerun: %s", r.err);
    th_run_free(&r);
    cr_expect(opens(dir, why, sizeof why), "after the rerun: %s", why);
    cr_expect_eq(th_index_count(dir, NULL), 6000);
  }
}

/* Uses of --shards that would scatter an article over two shards. */
static const struct {
  const char *shards;
  bool single; /* the directory holds one ordinary index */
  const char *message;
} refused[] = {
    {"2", false, "holds 3 shards, not 2"},
    {"5", false, "holds 3 shards, not 5"},
    {"2", true, "is a single index"},
};

Test(shards, mismatched_shard_counts_are_refused) {
  char dir[4200];
  for (size_t i = 0; i < sizeof refused / sizeof *refused; i++) {
    snprintf(dir, sizeof dir, "%s/refused-%zu", tmp_dir, i);
    th_run r =
        refused[i].single
            ? th_run_prog(INDEXER_BIN, NULL, "-q", "-d", dir, CORPUS_DIR, NULL)
            : th_run_prog(INDEXER_BIN, NULL, "-q", "--shards", "3", "-d", dir,
                          CORPUS_DIR, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    th_run_free(&r);
    r = th_run_prog(INDEXER_BIN, NULL, "-q", "--shards", refused[i].shards,
                    "-d", dir, CORPUS_DIR, NULL);
    cr_assert_eq(r.status, 2);
    cr_assert(strstr(r.err, refused[i].message), "%s", r.err);
    th_run_free(&r);
  }
}

/* ---- Remote shards ---------------------------------------------------- */

static pid_t servers[3]; /* the third: killed by a test */
static int ports[3];
static char remote_stub[4200];

/* A port nothing listens on right now (the kernel's pick). */
static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  cr_assert_geq(fd, 0);
  struct sockaddr_in a = {.sin_family = AF_INET};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  cr_assert_eq(bind(fd, (struct sockaddr *)&a, sizeof a), 0);
  socklen_t len = sizeof a;
  getsockname(fd, (struct sockaddr *)&a, &len);
  close(fd);
  return ntohs(a.sin_port);
}

static bool accepts(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons(port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  bool ok = connect(fd, (struct sockaddr *)&a, sizeof a) == 0;
  close(fd);
  return ok;
}

/* Serves shard k with xapian-tcpsrv on a free loopback port. The server
 * dies with this process (PR_SET_PDEATHSIG) even if the test crashes. */
static void start_server(unsigned k) {
  char shard[4200], log[4200], port[16];
  sh_shard_path(shard, sizeof shard, sharded_idx, k % 2);
  snprintf(log, sizeof log, "%s/tcpsrv-%u.log", tmp_dir, k);
  ports[k] = free_port();
  snprintf(port, sizeof port, "%d", ports[k]);
  pid_t pid = fork();
  cr_assert_geq(pid, 0);
  if (pid == 0) {
    /* xapian-tcpsrv answers SIGTERM by signalling its whole process
     * group: give it a group of its own, or it takes the test with it. */
    setpgid(0, 0);
    prctl(PR_SET_PDEATHSIG, SIGTERM);
    FILE *f = freopen(log, "w", stdout);
    if (f) dup2(fileno(f), 2);
    execlp("xapian-tcpsrv", "xapian-tcpsrv", "--quiet", "--interface",
           "127.0.0.1", "--port", port, shard, (char *)NULL);
    _exit(127);
  }
  servers[k] = pid;
  for (int tries = 0; tries < 200 && !accepts(ports[k]); tries++) {
    int status;
    cr_assert_eq(waitpid(pid, &status, WNOHANG), 0,
                 "xapian-tcpsrv for %s exited (see %s)", shard, log);
    nanosleep(&(struct timespec){0, 50 * 1000 * 1000}, NULL);
  }
  cr_assert(accepts(ports[k]), "xapian-tcpsrv not listening on %d", ports[k]);
}

static void stop_servers(void) {
  for (unsigned k = 0; k < 3; k++) {
    if (servers[k] <= 0) continue;
    kill(servers[k], SIGTERM);
    waitpid(servers[k], NULL, 0);
    servers[k] = 0;
  }
}

static bool have_tcpsrv(void) {
  th_run r =
      th_run_prog("/bin/sh", NULL, "-c", "command -v xapian-tcpsrv", NULL);
  bool ok = r.status == 0;
  th_run_free(&r);
  return ok;
}

static void start_servers(void) {
  need_indexes();
  if (!have_tcpsrv()) return; /* the tests skip */
  for (unsigned k = 0; k < 2; k++)
    start_server(k);
  char text[128];
  int n =
      snprintf(text, sizeof text, "remote 127.0.0.1:%d\nremote 127.0.0.1:%d\n",
               ports[0], ports[1]);
  /* A stub of this test's own: tests run side by side, each with its own
   * servers, and another's stub names servers that stop with it. */
  snprintf(remote_stub, sizeof remote_stub, "%s/remote-%d.stub", tmp_dir,
           (int)getpid());
  th_write_file(remote_stub, text, (size_t)n);
}

TestSuite(remote, .init = start_servers, .fini = stop_servers, .timeout = 300);

Test(remote, tcpsrv_shards_search_like_one_index) {
  without_synonyms = true;
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  same_as_single(remote_stub, "remote");
}

Test(remote, remote_shards_texts_are_readable) {
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  texts_as_single(remote_stub, "remote");
}

Test(remote, batch_over_remote_shards_matches) {
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  char *const a1[] = {SEARCHER_BIN, "-d", remote_stub, "--no-snippets",
                      "--batch",    "-",  NULL};
  char *const a2[] = {SEARCHER_BIN, "-d", single_idx, "--no-snippets",
                      "--batch",    "-",  NULL};
  const char *in = "\"Corea del Nord\"\nguerra Ucraina\nCarpi\n";
  th_run r1 = th_exec(a1, in), r2 = th_exec(a2, in);
  cr_assert_eq(r1.status, 0, "%s", r1.err);
  cr_assert_eq(r2.status, 0, "%s", r2.err);
  /* Three lines each, with the same first hit and score. */
  char *s1 = r1.out, *s2 = r2.out;
  for (int i = 0; i < 3; i++) {
    json_t *j1 = json_loads(s1, JSON_DISABLE_EOF_CHECK, NULL);
    json_t *j2 = json_loads(s2, JSON_DISABLE_EOF_CHECK, NULL);
    cr_assert(j1 && j2, "line %d not JSON", i + 1);
    json_t *h1 = json_array_get(json_object_get(j1, "hits"), 0);
    json_t *h2 = json_array_get(json_object_get(j2, "hits"), 0);
    cr_assert(h1 && h2, "line %d has no hits", i + 1);
    cr_assert(fabs(json_number_value(json_object_get(h1, "score")) -
                   json_number_value(json_object_get(h2, "score"))) < 1e-9);
    json_decref(j1);
    json_decref(j2);
    s1 = strchr(s1, '\n') + 1;
    s2 = strchr(s2, '\n') + 1;
  }
  th_run_free(&r1);
  th_run_free(&r2);
}

/* A remote server cannot run the exact test of a phrase: the stems
 * decide there, and a note says so (locally it never appears). */
Test(remote, phrases_over_remote_shards_say_how_they_match) {
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  const char *queries[] = {"\"Corea del Nord\"", "ucrain*"};
  for (size_t i = 0; i < 2; i++) {
    char *const remote[] = {SEARCHER_BIN, "-d",           remote_stub,
                            "--json",     "--no-suggest", (char *)queries[i],
                            NULL};
    char *const local[] = {SEARCHER_BIN, "-d",           single_idx,
                           "--json",     "--no-suggest", (char *)queries[i],
                           NULL};
    th_run r = th_exec(remote, NULL), l = th_exec(local, NULL);
    cr_assert_eq(r.status, 0, "%s", r.err);
    cr_assert_eq(l.status, 0, "%s", l.err);
    cr_expect(strstr(r.out, "match by their stems"), "%s", r.out);
    cr_expect_null(strstr(l.out, "match by their stems"), "%s", l.out);
    cr_expect(strstr(r.out, "\"hits\": [{"), "remote finds: %s", r.out);
    th_run_free(&r);
    th_run_free(&l);
  }
}

Test(remote, a_server_that_is_down_is_named) {
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  int dead = free_port();
  char text[128], stub[4200], want[64];
  int n =
      snprintf(text, sizeof text, "remote 127.0.0.1:%d\nremote 127.0.0.1:%d\n",
               ports[0], dead);
  snprintf(stub, sizeof stub, "%s/half-down.stub", tmp_dir);
  th_write_file(stub, text, (size_t)n);
  th_run r = th_run_prog(SEARCHER_BIN, NULL, "-d", stub, "Russia", NULL);
  cr_assert_eq(r.status, 2, "status %d", r.status);
  snprintf(want, sizeof want, "remote shard 127.0.0.1:%d", dead);
  cr_assert(strstr(r.err, want), "no '%s' in: %s", want, r.err);
  cr_assert(strstr(r.err, "xapian-tcpsrv"), "%s", r.err);
  cr_assert_eq(strchr(r.err, '\n'), r.err + r.err_len - 1, "one line: %s",
               r.err);
  th_run_free(&r);
}

/* Over remote shards the hits' cards, texts and matching terms come in a
 * few matches rather than a document read per hit (cr_mset_fetch): the
 * page is the one the same shards give locally, byte for byte (ids,
 * order, scores, titles, snippets, exact counts, facets), whatever the
 * query asks. Phrases, quoted words and wildcards are left out here: locally
 * they are tested exactly, remotely by their stems (the next test). */
static const qcase remote_cases[] = {
    {"Modena sindaco", {NULL}},
    {"Corea del Nord armi Russia", {"-n", "20", NULL}},
    {"carabinieri furto Carpi", {"-n", "30", NULL}},
    {"incidente -auto", {NULL}},
    {"+Modena calcio", {NULL}},
    {"title:Carpi", {NULL}},
    {"sindaco AND (Modena OR Carpi) NOT Sassuolo", {NULL}},
    {"date:2022 Russia", {NULL}},
    /* Every weight 0: the page's edge is a tie, ties are read whole. */
    {"date:2022-09-01..2022-09-30", {NULL}},
    {"date:2022-09-01..2022-09-30", {"--offset", "5", NULL}},
    {"Ucraina", {"--sort", "date", NULL}},
    {"Ucraina guerra", {"--sort", "oldest", "-n", "5", NULL}},
    {"guerra", {"--since", "2022-01-01", NULL}},
    {"scuola bambini genitori", {"--all", NULL}},
    {"Modena", {"--offset", "10", NULL}},
    {"Modena Carpi", {"--offset", "15", NULL}},
    {"Modena Carpi", {"--offset", "25", "-n", "5", NULL}},
    {"Modena", {"--offset", "120", "-n", "5", NULL}}, /* read whole */
    {"ospedale medici", {"--collapse", NULL}},
    {"incidente stradale", {"--collapse", "-n", "20", NULL}},
    {"sindaco", {"--facet", "year", "--facet", "source", NULL}},
    {"furto", {"--facet", "author", "-n", "3", NULL}},
    {"a", {NULL}}, /* a stop word alone: nothing */
};

/* The searcher's JSON of q over index, snippets on, without what only a
 * remote search says (its notes) or can say (spelling suggestions). */
static json_t *page_json(const char *index, const qcase *q) {
  char *argv[32];
  size_t n = 0;
  argv[n++] = SEARCHER_BIN;
  argv[n++] = "-d";
  argv[n++] = (char *)index;
  argv[n++] = "--json";
  argv[n++] = "--no-synonyms";
  for (size_t i = 0; q->opts[i]; i++)
    argv[n++] = (char *)q->opts[i];
  argv[n++] = (char *)q->query;
  argv[n] = NULL;
  th_run r = th_exec(argv, NULL);
  cr_assert_eq(r.status, 0, "searcher -d %s '%s': status %d: %s", index,
               q->query, r.status, r.err);
  json_t *js = th_json(r.out);
  th_run_free(&r);
  json_object_del(js, "took_ms");
  json_object_del(js, "note");
  json_object_del(js, "suggestion");
  return js;
}

Test(remote, remote_pages_are_the_local_shards_pages) {
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  size_t ties = 0, snippets = 0;
  for (size_t i = 0; i < sizeof remote_cases / sizeof *remote_cases; i++) {
    const qcase *q = &remote_cases[i];
    json_t *local = page_json(sharded_idx, q);
    json_t *remote = page_json(remote_stub, q);
    /* An estimate is Xapian's own: remote servers each estimate their
     * shard's and the client adds them up, so only exact counts agree. */
    if (!json_is_true(json_object_get(local, "exact"))) {
      json_object_del(local, "estimated_matches");
      json_object_del(remote, "estimated_matches");
      json_object_del(local, "exact");
      json_object_del(remote, "exact");
    }
    char *l = json_dumps(local, JSON_SORT_KEYS | JSON_COMPACT);
    char *r = json_dumps(remote, JSON_SORT_KEYS | JSON_COMPACT);
    cr_expect_str_eq(r, l, "'%s' %s: remote\n%s\nlocal shards\n%s", q->query,
                     q->opts[0] ? q->opts[0] : "", r, l);
    json_t *hits = json_object_get(local, "hits");
    size_t n = json_array_size(hits);
    if (n >= 2 && json_number_value(
                      json_object_get(json_array_get(hits, n - 1), "score")) ==
                      json_number_value(json_object_get(
                          json_array_get(hits, n - 2), "score")))
      ties++;
    for (size_t k = 0; k < n; k++) {
      const char *snip = json_string_value(
          json_object_get(json_array_get(hits, k), "snippet"));
      if (snip && strstr(snip, "**")) snippets++; /* a word highlighted */
    }
    free(l);
    free(r);
    json_decref(local);
    json_decref(remote);
  }
  cr_expect_geq(ties, 1, "no page of the table ends in a tie");
  cr_expect_geq(snippets, 50, "too few highlighted snippets (%zu)", snippets);
}

/* What the bulk reads bring of each hit (cr_mset_fetch, cr_mset_fetch_ids)
 * is what reading its document and term list brings: card, text and
 * matching terms, for queries of every kind, phrases and wildcards
 * included (over remote shards they match by their stems), in relevance
 * order, by date and collapsed. */
static int add_key(const char *key, size_t len, void *ctx) {
  char *list = ctx;
  size_t at = strlen(list);
  if (at + len + 2 < 4096) {
    memcpy(list + at, key, len);
    list[at + len] = '|';
    list[at + len + 1] = '\0';
  }
  return 0;
}

static void expect_same_value(cr_mset *bulk, cr_mset *each, uint32_t i,
                              unsigned slot, const char *query) {
  const char *a, *b;
  size_t al = 0, bl = 0;
  cr_error err;
  cr_assert_eq(cr_mset_value(bulk, i, slot, &a, &al, &err), 0, "%s",
               err.message);
  cr_assert_eq(cr_mset_value(each, i, slot, &b, &bl, &err), 0, "%s",
               err.message);
  cr_expect(al == bl && (al == 0 || memcmp(a, b, al) == 0),
            "'%s' hit %u: slot %u differs (%zu bytes, %zu read whole)", query,
            i, slot, al, bl);
}

Test(remote, bulk_reads_are_the_documents_reads) {
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  static const char *const texts[] = {"\"Corea del Nord\"",
                                      "\"polizia municipale\" Carpi",
                                      "polizi* Modena",
                                      "Modena calcio sindaco",
                                      "date:2022-09-01..2022-09-30",
                                      "title:Carpi incidente",
                                      "carabinieri -furto",
                                      "Ucraina guerra Russia"};
  cr_error err;
  const char *paths[] = {remote_stub};
  cr_rdb *db = cr_rdb_open(paths, 1, &err);
  cr_assert(db, "%s", err.message);
  cr_analyzer *an = cr_analyzer_new("italian", &err);
  cr_assert(an, "%s", err.message);
  cr_qp_opts qp = cr_qp_opts_default();
  size_t compared = 0, with_terms = 0;
  for (size_t t = 0; t < sizeof texts / sizeof *texts; t++)
    for (int how = 0; how < 3; how++) {
      cr_parsed_query pq;
      cr_assert_eq(
          cr_parse_query(an, texts[t], strlen(texts[t]), &qp, &pq, &err), 0,
          "%s", err.message);
      cr_assert(pq.query, "'%s' parses to nothing", texts[t]);
      cr_search_opts so = cr_search_opts_default();
      so.count = 20;
      if (how == 1) so.sort_slot = CR_SLOT_DATE;
      if (how == 2) so.collapse_slot = CR_SLOT_CLUSTER;
      cr_mset *bulk = cr_search(db, pq.query, &so, &err);
      cr_assert(bulk, "%s", err.message);
      cr_mset *each = cr_search(db, pq.query, &so, &err);
      cr_assert(each, "%s", err.message);
      uint32_t n = cr_mset_size(bulk);
      cr_assert_eq(cr_mset_size(each), n);
      cr_assert_eq(cr_mset_fetch(bulk, 0, n, CR_SLOT_CARD, CR_SLOT_TEXT, &err),
                   0, "%s", err.message);
      char(*ids)[CR_ID_TERM_SIZE] = calloc(n ? n : 1, sizeof *ids);
      const char **id_terms = calloc(n ? n : 1, sizeof *id_terms);
      cr_assert(ids && id_terms);
      for (uint32_t i = 0; i < n; i++) {
        const char *card;
        size_t len = 0;
        cr_stored st;
        cr_assert_eq(cr_mset_value(bulk, i, CR_SLOT_CARD, &card, &len, &err),
                     0);
        cr_assert(card && cr_stored_parse(card, len, &st, &err) == 0);
        cr_schema_id_term(st.id, ids[i]);
        id_terms[i] = ids[i];
        cr_stored_free(&st);
      }
      cr_assert_eq(
          cr_mset_fetch_ids(bulk, 0, n, id_terms, CR_SLOT_TEXT, true, &err), 0,
          "%s", err.message);
      for (uint32_t i = 0; i < n; i++) {
        cr_expect_eq(cr_mset_docid(bulk, i), cr_mset_docid(each, i));
        cr_expect(cr_mset_weight(bulk, i) == cr_mset_weight(each, i));
        expect_same_value(bulk, each, i, CR_SLOT_CARD, texts[t]);
        expect_same_value(bulk, each, i, CR_SLOT_TEXT, texts[t]);
        static char a[4096], b[4096];
        a[0] = b[0] = '\0';
        cr_assert_eq(cr_mset_matching_terms(bulk, i, add_key, a, &err), 0);
        cr_assert_eq(cr_mset_matching_terms(each, i, add_key, b, &err), 0);
        cr_expect_str_eq(a, b, "'%s' (%d) hit %u: matching terms", texts[t],
                         how, i);
        with_terms += a[0] != '\0';
        compared++;
      }
      free(ids);
      free(id_terms);
      cr_mset_free(bulk);
      cr_mset_free(each);
      cr_parsed_query_free(&pq);
    }
  cr_expect_geq(compared, 200, "too few hits compared (%zu)", compared);
  cr_expect_geq(with_terms, 100, "too few hits with terms (%zu)", with_terms);
  cr_analyzer_free(an);
  cr_rdb_close(db);
}

/* ---- Issue 17 ------------------------------------------------------------ */

/* A sharded index and its stub are one database set: searched once, with
 * a warning. A -d that shares only some shards is refused by name. */
Test(shards, a_database_given_twice_is_searched_once) {
  char stub[4200], shard[4200];
  snprintf(stub, sizeof stub, "%s/XAPIANDB", sharded_idx);
  snprintf(shard, sizeof shard, "%s/shard-00", sharded_idx);
  th_run one = th_run_prog(SEARCHER_BIN, NULL, "-d", sharded_idx, "--json",
                           "--no-snippets", "-n", "100", "--facet", "year",
                           "Modena", NULL);
  cr_assert_eq(one.status, 0, "%s", one.err);
  th_run two = th_run_prog(SEARCHER_BIN, NULL, "-d", sharded_idx, "-d", stub,
                           "--json", "--no-snippets", "-n", "100", "--facet",
                           "year", "Modena", NULL);
  cr_assert_eq(two.status, 0, "%s", two.err);
  cr_expect(strstr(two.err, "searched once"), "no warning: %s", two.err);
  json_t *a = json_loads(one.out, 0, NULL), *b = json_loads(two.out, 0, NULL);
  cr_assert(a && b);
  cr_expect(json_equal(json_object_get(a, "hits"), json_object_get(b, "hits")),
            "other hits");
  cr_expect(
      json_equal(json_object_get(a, "facets"), json_object_get(b, "facets")),
      "other counts");
  json_decref(a);
  json_decref(b);
  th_run_free(&one);
  th_run_free(&two);
  /* A shard after its index adds nothing: left out. Before it, the index
   * would open it again: refused. */
  th_run r = th_run_prog(SEARCHER_BIN, NULL, "-d", sharded_idx, "-d", shard,
                         "--json", "Modena", NULL);
  cr_expect_eq(r.status, 0, "status %d: %s", r.status, r.err);
  cr_expect(strstr(r.err, "searched once"), "%s", r.err);
  th_run_free(&r);
  r = th_run_prog(SEARCHER_BIN, NULL, "-d", shard, "-d", sharded_idx, "Modena",
                  NULL);
  cr_expect_eq(r.status, 2, "status %d", r.status);
  cr_expect(strstr(r.err, "shard-00") && strstr(r.err, "once"), "%s", r.err);
  cr_expect_eq(strchr(r.err, '\n'), r.err + r.err_len - 1, "one line: %s",
               r.err);
  th_run_free(&r);
}

/* Over remote shards a query is not expanded (no synonym table comes
 * through); over local shards it is, as over one index. */
Test(remote, synonyms_come_from_local_shards_only) {
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  const qcase q = {"GdF", {"-n", "1000", NULL}};
  without_synonyms = false;
  json_t *remote = search_json(remote_stub, &q, NULL, NULL);
  json_t *local = search_json(sharded_idx, &q, NULL, NULL);
  json_t *single = search_json(single_idx, &q, NULL, NULL);
  without_synonyms = true;
  json_t *plain = search_json(single_idx, &q, NULL, NULL);
  size_t n_remote = json_array_size(json_object_get(remote, "hits")),
         n_local = json_array_size(json_object_get(local, "hits")),
         n_single = json_array_size(json_object_get(single, "hits")),
         n_plain = json_array_size(json_object_get(plain, "hits"));
  cr_expect_eq(n_remote, n_plain, "remote: GdF alone (%zu, %zu)", n_remote,
               n_plain);
  cr_expect_eq(n_local, n_single, "local shards: as one index");
  cr_expect_gt(n_single, n_plain, "one index: Guardia di Finanza too");
  json_decref(remote);
  json_decref(local);
  json_decref(single);
  json_decref(plain);
}

/* Xapian's remote protocol carries no spelling data: over remote shards
 * a rare word gets a note saying so, where local shards suggest. */
Test(remote, spelling_over_remote_shards_says_why_not) {
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  th_run r = th_run_prog(SEARCHER_BIN, NULL, "-d", sharded_idx, "--json",
                         "--no-snippets", "Frederico", NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  json_t *o = json_loads(r.out, 0, NULL);
  cr_assert(o, "%s", r.out);
  cr_expect(json_object_get(o, "suggestion"), "local shards: %s", r.out);
  json_decref(o);
  th_run_free(&r);
  r = th_run_prog(SEARCHER_BIN, NULL, "-d", remote_stub, "--json",
                  "--no-snippets", "Frederico", NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  o = json_loads(r.out, 0, NULL);
  cr_assert(o, "%s", r.out);
  const char *note = json_string_value(json_object_get(o, "note"));
  cr_expect(json_object_get(o, "suggestion") ||
                (note && strstr(note, "remote") && strstr(note, "spelling")),
            "remote shards: neither a suggestion nor a note: %s", r.out);
  json_decref(o);
  th_run_free(&r);
}

/* A remote shard that dies while the binding reads through it: the read
 * fails with CR_E_NETWORK and names the server, and never reads as the
 * end of the values or a count of 0. */
typedef struct killer {
  unsigned calls;
} killer;

static int kill_server(cr_docid id, const char *v, size_t len, void *ctx) {
  (void)id, (void)v, (void)len;
  if (((killer *)ctx)->calls++ == 0) {
    /* The whole group: xapian-tcpsrv serves each connection from a
     * child of its own. */
    kill(-servers[2], SIGKILL);
    waitpid(servers[2], NULL, 0);
    servers[2] = 0;
  }
  return 0;
}

static int count_term(const char *t, size_t len, void *ctx) {
  (void)t, (void)len;
  ++*(unsigned *)ctx;
  return 0;
}

Test(remote, a_remote_shard_killed_mid_iteration_fails) {
  if (!servers[0])
    cr_skip_test("xapian-tcpsrv not installed (Debian: xapian-tools)");
  start_server(2);
  char stub[4200], text[64];
  snprintf(stub, sizeof stub, "%s/dying.stub", tmp_dir);
  int n = snprintf(text, sizeof text, "remote 127.0.0.1:%d\n", ports[2]);
  th_write_file(stub, text, (size_t)n);
  const char *paths[] = {stub};
  cr_error err;
  cr_rdb *db = cr_rdb_open(paths, 1, &err);
  cr_assert_not_null(db, "%s", err.message);
  killer k = {0};
  cr_error_clear(&err);
  int rc = cr_rdb_values(db, CR_SLOT_CARD, kill_server, &k, &err);
  cr_expect_eq(rc, -1, "cr_rdb_values: %d after its server died", rc);
  cr_expect_eq(err.code, CR_E_NETWORK, "%s", err.message);
  cr_expect(strstr(err.message, "127.0.0.1"), "%s", err.message);
  cr_log_info("cr_rdb_values: %s", err.message);
  unsigned terms = 0;
  cr_error_clear(&err);
  rc = cr_rdb_allterms(db, "", count_term, &terms, &err);
  cr_expect_eq(rc, -1, "cr_rdb_allterms: %d after its server died", rc);
  cr_expect_eq(err.code, CR_E_NETWORK, "%s", err.message);
  uint32_t tf = 7;
  cr_error_clear(&err);
  cr_expect_eq(cr_rdb_termfreq(db, "corea", &tf, &err), -1, "a count of %u",
               tf);
  cr_expect_eq(err.code, CR_E_NETWORK, "%s", err.message);
  cr_rdb_close(db);
}
