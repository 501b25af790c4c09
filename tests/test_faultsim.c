/* test_faultsim.c — every allocation failure, in turn, over the parser,
 * snippets, exact patterns, the schema, the renderers and the readers
 * (SQLite FTS5's do_faultsim_test).
 *
 * Each case runs once without faults for its answer (a description of
 * what the call produced: the query's description, the snippet, the
 * document's every term and value, the rendered output, the articles
 * read). Then, for N = 1, 2, 3... until a run makes no allocation fail,
 * it runs with the N-th allocation failing (once, then also every one
 * after it): each run must give the same answer byte for byte, or a
 * clean out-of-memory failure; under ASan, nothing may leak or crash.
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "exact.h"
#include "faultsim.h"
#include "format.h"
#include "hash.h"
#include "helpers.h"
#include "hmap.h"
#include "id_origins.h"
#include "input.h"
#include "input_internal.h" /* in_classify */
#include "output.h"
#include "query_parser.h"
#include "schema.h"
#include "snippet.h"
#include "spelling.h"
#include "textpack.h"
#include "utf8.h"
#include "xapian_c.h"

/* What a run gave: an answer (described in out), a clean out-of-memory
 * failure, or something else (a defect). */
enum outcome { ANSWER, NOMEM, OTHER };

typedef enum outcome (*run_fn)(const void *arg, cr_buf *out);

static cr_analyzer *an;

static void setup(void) {
  cr_error err;
  an = cr_analyzer_new("italian", &err);
  cr_assert_not_null(an, "%s", err.message);
  fs_hook_jansson();
}

static void teardown(void) { cr_analyzer_free(an); }

TestSuite(faultsim, .init = setup, .fini = teardown);

/* Runs one case under every allocation failure in turn. */
static void faultsim(const char *what, run_fn run, const void *arg) {
  cr_buf ref = {0};
  cr_assert_eq(run(arg, &ref), ANSWER, "%s: fails without faults", what);
  cr_assert_eq(ref.rc, 0);
  long n = 1;
  for (;; n++) {
    long once = 0;
    for (int persistent = 0; persistent < 2; persistent++) {
      cr_buf got = {0};
      fs_arm(n, persistent);
      enum outcome o = run(arg, &got);
      long injected = fs_disarm();
      if (!persistent) once = injected;
      cr_assert_eq(got.rc, 0);
      if (o == ANSWER)
        cr_assert(got.n == ref.n && memcmp(got.p, ref.p, ref.n) == 0,
                  "%s, allocation %ld failing%s: a different answer:\n%s\n"
                  "--- instead of ---\n%s",
                  what, n, persistent ? " (and all after)" : "",
                  got.p ? got.p : "", ref.p);
      else
        cr_assert(o == NOMEM && injected > 0,
                  "%s, allocation %ld failing%s: %s", what, n,
                  persistent ? " (and all after)" : "",
                  o == NOMEM ? "out of memory without a failure"
                             : "a failure that is not out of memory");
      cr_buf_free(&got);
    }
    if (once == 0) break;
    cr_assert_lt(n, 200000, "%s: never completes", what);
  }
  /* What the failures left behind (caches, scratch) changes nothing. */
  cr_buf again = {0};
  cr_assert_eq(run(arg, &again), ANSWER, "%s: fails after the faults", what);
  cr_assert_str_eq(again.p, ref.p, "%s: another answer after the faults", what);
  cr_buf_free(&again);
  cr_buf_free(&ref);
  cr_log_info("%s: %ld allocations failed in turn", what, n - 1);
}

/* ---- The query parser -------------------------------------------------- */

static int check_stub(const char *text, size_t text_len, const char *card,
                      size_t card_len, void *ctx) {
  (void)text, (void)text_len, (void)card, (void)card_len, (void)ctx;
  return 1;
}

/* Every capitalised word reads as a name in a tenth of its stem's
 * articles. */
static long termfreq_stub(const char *term, void *ctx) {
  (void)ctx;
  return term[0] >= 'A' && term[0] <= 'Z' ? 10 : 100;
}

typedef struct query_case {
  const char *text;
  bool all;
  const char *since, *until;
} query_case;

static const query_case queries[] = {
    {"Corea del Nord armi Russia", false, NULL, NULL},
    {"\"Polizia di Stato\" Sassuolo", false, NULL, NULL},
    {"furto* rame -Modena", false, NULL, NULL},
    {"Cesare Costa", false, NULL, NULL},
    {"Quando è nato Kim Jong-un?", false, NULL, NULL},
    {"date:2022-09 terremoto OR scossa", false, NULL, NULL},
    {"title:(guerra OR pace) NOT Mosca", false, NULL, NULL},
    {"missile NEAR/3 Pyongyang NEAR satellite", true, NULL, NULL},
    {"author:\"Fabrizio Grasso\" l’intelligence dell' OPEC", false, NULL, NULL},
    {"non è", false, NULL, NULL},
    {"\"Non è\"", false, NULL, NULL},
    {"ucrain* grano date:2022-09-01..2022-09-30", false, "2022-01-01",
     "2022-12-31"},
    {"((Onu clima) Dubai", false, NULL, NULL},
    {"\"Kim Jong-un\" title:missil* +test", false, "2022", NULL},
};

static enum outcome run_query(const void *arg, cr_buf *out) {
  const query_case *c = arg;
  cr_qp_opts o = cr_qp_opts_default();
  o.all_required = c->all;
  o.since = c->since;
  o.until = c->until;
  o.check = check_stub;
  o.termfreq = termfreq_stub;
  cr_parsed_query pq;
  cr_error err = {0};
  int rc = cr_parse_query(an, c->text, strlen(c->text), &o, &pq, &err);
  fs_pause();
  enum outcome result = ANSWER;
  if (rc != 0) {
    result = err.code == CR_E_NOMEM ? NOMEM : OTHER;
  } else {
    char *d = pq.query ? cr_query_describe(pq.query, NULL) : NULL;
    cr_buf_printf(out, "query: %s\nnote: %s\n", d ? d : "(none)",
                  pq.note ? pq.note : "(none)");
    free(d);
    for (size_t i = 0; i < pq.n_words; i++)
      cr_buf_printf(out, "word %s@%u\n", pq.words[i].term,
                    pq.words[i].position);
    for (size_t i = 0; i < pq.n_checks; i++) {
      const cr_qp_check *k = pq.checks[i];
      cr_buf_printf(out, "check%s%s:", k->wanted ? "" : " (unwanted)",
                    k->pattern.title_only ? " title" : "");
      for (size_t w = 0; w < k->pattern.n; w++)
        cr_buf_printf(out, " %s%s%s", k->pattern.words[w].elided ? "'" : "",
                      k->pattern.words[w].form,
                      k->pattern.words[w].prefix ? "*" : "");
      cr_buf_putc(out, '\n');
    }
    cr_buf_printf(out, "filtered %d phrase %d\n", pq.filtered, pq.has_phrase);
    cr_parsed_query_free(&pq);
  }
  fs_resume();
  return result;
}

Test(faultsim, query_parser) {
  for (size_t i = 0; i < sizeof queries / sizeof *queries; i++)
    faultsim(queries[i].text, run_query, &queries[i]);
}

/* ---- Snippets and exact patterns --------------------------------------- */

static char *article_text(const char *name, size_t *len) {
  char path[4096];
  snprintf(path, sizeof path, "%s/articles/%s", CORPUS_DIR, name);
  char *text = th_read_file(path, len);
  cr_assert_not_null(text, "%s", path);
  return text;
}

typedef struct snippet_case {
  const char *name;
  const char *text;
  size_t len;
  const char *words;    /* analysed for the matched terms */
  const char *patterns; /* '|'-separated phrases; a trailing * a prefix */
  size_t max_bytes;
  const char *hl_start, *hl_end;
} snippet_case;

static int add_term(const cr_token *t, void *ctx) {
  cr_buf *terms = ctx; /* NUL-separated */
  if (!t->is_stop) cr_buf_append(terms, t->term, t->term_len + 1);
  return 0;
}

typedef struct exact_sink {
  cr_exact *x;
} exact_sink;

static int add_exact_word(const cr_token *t, void *ctx) {
  exact_sink *s = ctx;
  cr_exact_add(s->x, t->word, t->word_len, false, t->elided);
  return 0;
}

/* The patterns of a '|'-separated list, as the parser would make them. */
static size_t make_patterns(const char *list, cr_exact *x, size_t max) {
  size_t n = 0;
  for (const char *p = list; p && *p && n < max;) {
    const char *bar = strchr(p, '|');
    size_t len = bar ? (size_t)(bar - p) : strlen(p);
    memset(&x[n], 0, sizeof x[n]);
    if (len > 0 && p[len - 1] == '*') {
      cr_exact_add(&x[n], p, len - 1, true, false);
    } else {
      exact_sink s = {&x[n]};
      cr_analyze(an, p, len, 0, add_exact_word, &s);
    }
    n++;
    p = bar ? bar + 1 : p + len;
  }
  return n;
}

static enum outcome run_snippet(const void *arg, cr_buf *out) {
  const snippet_case *c = arg;
  fs_pause();
  cr_buf tb = {0};
  cr_analyze(an, c->words, strlen(c->words), 0, add_term, &tb);
  const char *terms[64];
  size_t n_terms = 0;
  for (size_t i = 0; i < tb.n && n_terms < 64; i += strlen(tb.p + i) + 1)
    terms[n_terms++] = tb.p + i;
  cr_exact x[8];
  const cr_exact *px[8];
  size_t n_x = make_patterns(c->patterns, x, 8);
  for (size_t i = 0; i < n_x; i++)
    px[i] = &x[i];
  fs_resume();
  cr_snippet_opts o = {.max_bytes = c->max_bytes,
                       .hl_start = c->hl_start,
                       .hl_end = c->hl_end,
                       .patterns = px,
                       .n_patterns = n_x};
  char *s = cr_snippet(an, c->text, c->len, terms, n_terms, &o);
  /* And each pattern alone, as the matcher tests a candidate. */
  int found[8];
  cr_exact_scratch scratch = {0};
  for (size_t i = 0; i < n_x; i++)
    found[i] =
        cr_exact_find(an, &x[i], c->text, c->len, i % 2 ? &scratch : NULL);
  cr_exact_scratch_free(&scratch);
  fs_pause();
  enum outcome result = s ? ANSWER : NOMEM;
  for (size_t i = 0; i < n_x; i++)
    if (found[i] < 0) result = NOMEM;
  cr_buf_printf(out, "%s\n", s ? s : "");
  for (size_t i = 0; i < n_x; i++)
    cr_buf_printf(out, "pattern %zu: %d\n", i, found[i]);
  free(s);
  cr_buf_free(&tb);
  fs_resume();
  return result;
}

Test(faultsim, snippets) {
  size_t len_armi, len_rame;
  char *armi = article_text("russia-corea-del-nord-armi.txt", &len_armi);
  char *rame = article_text("carabinieri-furto-rame.txt", &len_rame);
  static const char hostile[] = "Titolo\x1b[31m rosso\xff\xfe e \xe2\x80\xae"
                                "bidi\xe2\x80\x8b armi Russia\x07 fine.";
  const snippet_case cases[] = {
      {"armi", armi, len_armi, "Russia Corea Nord armi",
       "Corea del Nord|munizion*", 0, "**", "**"},
      {"armi, short", armi, len_armi, "intelligence Pyongyang", NULL, 80,
       "\x1b[1m", "\x1b[0m"},
      {"rame", rame, len_rame, "furto rame carabinieri", "furt*|rame", 160, "[",
       "]"},
      {"no hit", rame, len_rame, "Sassuolo", NULL, 0, "**", "**"},
      {"hostile", hostile, sizeof hostile - 1, "armi Russia", "armi Russia", 40,
       "**", "**"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++)
    faultsim(cases[i].name, run_snippet, &cases[i]);
  free(armi);
  free(rame);
}

/* ---- The schema -------------------------------------------------------- */

/* Every call schema.c makes on the document, in order. */
static cr_buf doc_log;

int __real_cr_doc_add_posting(cr_doc *doc, const char *term, size_t len,
                              uint32_t position, uint32_t wdf_inc);
int __real_cr_doc_add_term(cr_doc *doc, const char *term, size_t len,
                           uint32_t wdf_inc);
int __real_cr_doc_set_value(cr_doc *doc, unsigned slot, const char *value,
                            size_t len);
int __real_cr_doc_set_data(cr_doc *doc, const char *data, size_t len);
int __real_cr_doc_add_spelling(cr_doc *doc, const char *word, size_t len);

int __wrap_cr_doc_add_posting(cr_doc *doc, const char *term, size_t len,
                              uint32_t position, uint32_t wdf_inc) {
  fs_pause();
  cr_buf_printf(&doc_log, "P %.*s %u %u\n", (int)len, term, position, wdf_inc);
  fs_resume();
  return __real_cr_doc_add_posting(doc, term, len, position, wdf_inc);
}

int __wrap_cr_doc_add_term(cr_doc *doc, const char *term, size_t len,
                           uint32_t wdf_inc) {
  fs_pause();
  cr_buf_printf(&doc_log, "T %.*s %u\n", (int)len, term, wdf_inc);
  fs_resume();
  return __real_cr_doc_add_term(doc, term, len, wdf_inc);
}

static void log_bytes(const char *what, unsigned slot, const char *v,
                      size_t len) {
  fs_pause();
  cr_buf_printf(&doc_log, "%s %u %zu:", what, slot, len);
  for (size_t i = 0; i < len; i++)
    cr_buf_printf(&doc_log, "%02x", (unsigned char)v[i]);
  cr_buf_putc(&doc_log, '\n');
  fs_resume();
}

int __wrap_cr_doc_set_value(cr_doc *doc, unsigned slot, const char *value,
                            size_t len) {
  log_bytes("V", slot, value, len);
  return __real_cr_doc_set_value(doc, slot, value, len);
}

int __wrap_cr_doc_set_data(cr_doc *doc, const char *data, size_t len) {
  log_bytes("D", 0, data, len);
  return __real_cr_doc_set_data(doc, data, len);
}

int __wrap_cr_doc_add_spelling(cr_doc *doc, const char *word, size_t len) {
  fs_pause();
  cr_buf_printf(&doc_log, "S %.*s\n", (int)len, word);
  fs_resume();
  return __real_cr_doc_add_spelling(doc, word, len);
}

static enum outcome run_schema(const void *arg, cr_buf *out) {
  const cr_article *art = arg;
  fs_pause();
  cr_doc *doc = cr_doc_new(NULL);
  cr_buf_free(&doc_log);
  fs_resume();
  cr_textpack *tp = cr_textpack_new(NULL);
  char id_term[256] = "";
  cr_error err = {0};
  int rc = tp ? cr_schema_build(an, tp, th_impacts(), art, doc, id_term,
                                sizeof id_term, &err)
              : -1;
  if (!tp) err.code = CR_E_NOMEM;
  cr_textpack_free(tp);
  fs_pause();
  enum outcome result = ANSWER;
  if (rc != 0)
    result = err.code == CR_E_NOMEM ? NOMEM : OTHER;
  else
    cr_buf_printf(out, "%s\n%s", id_term, doc_log.p ? doc_log.p : "");
  cr_buf_free(&doc_log);
  cr_doc_free(doc);
  fs_resume();
  return result;
}

typedef struct card_case {
  const char *card;
  size_t len;
} card_case;

static enum outcome run_card(const void *arg, cr_buf *out) {
  const card_case *c = arg;
  cr_stored s;
  cr_error err = {0};
  int rc = cr_stored_parse(c->card, c->len, &s, &err);
  int drc = rc == 0 ? cr_stored_derive_title(&s, "Primo. Secondo", 14) : 0;
  fs_pause();
  enum outcome result = ANSWER;
  if (rc != 0)
    result = err.code == CR_E_NOMEM ? NOMEM : OTHER;
  else if (drc != 0)
    result = NOMEM;
  else
    cr_buf_printf(out, "%s|%s|%s|%s|%s|%s|%d\n", s.id ? s.id : "-",
                  s.title ? s.title : "-", s.date ? s.date : "-",
                  s.author ? s.author : "-", s.source ? s.source : "-",
                  s.url ? s.url : "-", s.title_derived);
  if (rc == 0) cr_stored_free(&s);
  fs_resume();
  return result;
}

Test(faultsim, schema) {
  size_t len;
  char *seed = article_text("russia-corea-del-nord-armi.txt", &len);
  const cr_article arts[] = {
      {.id = "articles/russia-corea-del-nord-armi.txt",
       .title = "Secondo l’intelligence Usa, la Russia compra armi",
       .text = seed,
       .text_len = len,
       .date = "2022-09-06",
       .author = "Fabrizio Grasso",
       .source = "Wired Italia",
       .url = "https://www.wired.it/x",
       .origin = "/corpus/articles/russia-corea-del-nord-armi.txt"},
      {.id = "1006",
       .text = "MODENA. Il sindaco Frederico Rossi presenta il bilancio in "
               "via Aldo Moro. Poi altro.",
       .text_len = 83},
      {.id = "ansa-2022-0907",
       .title = "Città e «guerra»",
       .text = "Testo breve.",
       .text_len = 12,
       .date = "2022-13-45x",
       .source = "ANSA"},
      {.id = "bad-\xff-id",
       .title = "Titolo \xc3 rotto",
       .text = "a\0b \xff Città",
       .text_len = 12,
       .author = "Autore \x80",
       .date = "2020-01-02"},
  };
  for (size_t i = 0; i < sizeof arts / sizeof *arts; i++)
    faultsim(arts[i].id, run_schema, &arts[i]);
  static const char card[] = "i\x04"
                             "1006"
                             "T\x00"
                             "d\x0a"
                             "2022-09-06"
                             "a\x0f"
                             "Fabrizio Grasso"
                             "z\x03"
                             "new"
                             "u\x05"
                             "https";
  card_case cc = {card, sizeof card - 1};
  faultsim("card", run_card, &cc);
  free(seed);
}

/* ---- The hash table and its users ------------------------------------- */

/* Puts that grow the table from 2 slots to 512, keys met again; the
 * answer is each put's outcome and the values at the end. */
static enum outcome run_hmap(const void *arg, cr_buf *out) {
  (void)arg;
  cr_hmap m;
  cr_hmap_init(&m, sizeof(uint32_t), 2);
  enum outcome result = ANSWER;
  for (uint32_t i = 0; i < 300 && result == ANSWER; i++) {
    bool added;
    uint32_t *v =
        cr_hmap_put(&m, (uint64_t)(i % 200) * 7919, NULL, NULL, &added);
    if (!v) {
      result = NOMEM;
      break;
    }
    if (added) *v = i;
  }
  fs_pause();
  uint64_t sum = 0;
  size_t cursor = 0;
  void *value;
  while (cr_hmap_next(&m, &cursor, NULL, &value))
    sum += *(uint32_t *)value;
  if (result == ANSWER)
    cr_buf_printf(out, "%zu keys, values summing to %llu\n", cr_hmap_count(&m),
                  (unsigned long long)sum);
  fs_resume();
  cr_hmap_free(&m);
  return result;
}

/* Three files of a run giving overlapping ids: the messages said. */
static enum outcome run_id_origins(const void *arg, cr_buf *out) {
  (void)arg;
  id_origins *t = io_new();
  if (!t) return NOMEM;
  enum outcome result = ANSWER;
  char msg[1024];
  static const char *files[] = {"dice.csv", "corpus.jsonl", "altra.csv"};
  for (int f = 0; f < 3 && result == ANSWER; f++) {
    if (io_begin_file(t, files[f]) != 0) {
      result = NOMEM;
      break;
    }
    for (int id = 0; id < 3000; id++) {
      char name[16];
      snprintf(name, sizeof name, "%d", id * (f + 1) % 5000);
      bool replaced = io_note(t, name, msg, sizeof msg);
      fs_pause();
      if (replaced && msg[0]) cr_buf_printf(out, "%s\n", msg);
      fs_resume();
    }
    if (io_end_file(t, msg, sizeof msg)) {
      fs_pause();
      cr_buf_printf(out, "%s\n", msg);
      fs_resume();
    }
  }
  io_free(t);
  /* Out of memory in the table only loses warnings ("nothing worse"):
   * the answer may be shorter, never different, so it is not compared. */
  if (result == ANSWER) {
    fs_pause();
    cr_buf_truncate(out, 0);
    cr_buf_puts(out, "done");
    fs_resume();
  }
  return result;
}

/* Words of a window counted, about 3,000 (the table grows once), then
 * listed (sorted: the order is the table's). */
static int by_string(const void *a, const void *b) {
  return strcmp(*(char *const *)a, *(char *const *)b);
}

static enum outcome run_spelling(const void *arg, cr_buf *out) {
  (void)arg;
  cr_spelling *sp = cr_spelling_new();
  if (!sp) return NOMEM;
  enum outcome result = ANSWER;
  for (int d = 0; d < 60 && result == ANSWER; d++) {
    for (int w = 0; w < 100; w++) {
      char word[32];
      int n = snprintf(word, sizeof word, "parola%d", (d * 100 + w) * 7 % 3001);
      if (cr_spelling_add(sp, word, (size_t)n, cr_fnv1a64(word, (size_t)n)) !=
          0) {
        result = NOMEM;
        break;
      }
    }
    cr_spelling_end_doc(sp);
  }
  if (result == ANSWER) {
    fs_pause();
    char *lines[4096];
    size_t n = 0, cursor = 0, len;
    const char *word;
    unsigned count;
    while (n < 4096 && cr_spelling_next(sp, &cursor, &word, &len, &count)) {
      cr_buf line = {0};
      cr_buf_printf(&line, "%.*s %u", (int)len, word, count);
      lines[n++] = cr_buf_finish(&line, NULL);
    }
    qsort(lines, n, sizeof *lines, by_string);
    for (size_t i = 0; i < n; i++) {
      cr_buf_printf(out, "%s\n", lines[i]);
      free(lines[i]);
    }
    fs_resume();
  }
  cr_spelling_free(sp);
  return result;
}

Test(faultsim, hash_tables) {
  faultsim("hmap", run_hmap, NULL);
  faultsim("id_origins", run_id_origins, NULL);
  faultsim("spelling", run_spelling, NULL);
}

/* ---- The renderers ----------------------------------------------------- */

static const out_facet_value years[] = {{"2023", 3},
                                        {"20\xff"
                                         "22",
                                         12}};
static const out_facet facets[] = {{"year", years, 2}, {"author", NULL, 0}};
static const out_hit hits[] = {
    {.rank = 1,
     .score = 12.345678,
     .id = "articles/russia-corea-del-nord-armi.txt",
     .title = "Secondo l’intelligence Usa, la Russia\x1b[2J compra armi",
     .date = "2022-09-06",
     .author = "Fabrizio \xe2\x80\x8bGrasso",
     .source = "Wired\xff Italia",
     .snippet = "…nelle **armi** di Pyongyang\xe2\x80\xa8 **Russia**…"},
    {.rank = 2, .score = 3.5, .id = "gazzetta-2022-0907", .similar = 2},
};
static const char query[] = "Corea \"del Nord\"\0\xff armi";
static const out_result results[] = {
    {.query = query,
     .query_len = sizeof query - 1,
     .estimated = 20,
     .took_ms = 0.8123,
     .note = "an unclosed quote was closed at the end",
     .hits = hits,
     .n_hits = 2,
     .suggestion = "Corea del\x07 Nord",
     .facets = facets,
     .n_facets = 2},
    {.query = "nulla", .query_len = 5, .exact = true, .took_ms = 0.1},
    {.query = "x", .query_len = 1, .estimated = 5, .error = "bad \xff query"},
};

static enum outcome run_output(const void *arg, cr_buf *out) {
  const out_result *r = arg;
  char *js = out_json(r);
  fs_pause();
  char *text = NULL;
  size_t text_len = 0;
  FILE *f = open_memstream(&text, &text_len);
  cr_assert_not_null(f);
  fs_resume();
  out_style style = {.bold = true};
  int rc = out_text(f, r, &style);
  out_field fields[OUT_N_FIELDS];
  size_t n_fields = out_fields_default(fields);
  for (int fmt = OUT_FORMAT_JSONL; fmt <= OUT_FORMAT_TSV; fmt++)
    rc |= out_rows(f, r, (out_format)fmt, fields, n_fields, true);
  char *count = out_count_json(r);
  char *clean = out_utf8_clean(r->query, r->query_len);
  char *safe = cr_sanitize_for_terminal(r->query, r->query_len);
  fs_pause();
  fclose(f);
  enum outcome result =
      js && rc == 0 && clean && safe && count ? ANSWER : NOMEM;
  cr_buf_printf(out, "%s\n%s\n%s\n%s\n%s\n", js ? js : "", text,
                clean ? clean : "", safe ? safe : "", count ? count : "");
  free(js);
  free(count);
  free(text);
  free(clean);
  free(safe);
  fs_resume();
  return result;
}

Test(faultsim, output) {
  for (size_t i = 0; i < sizeof results / sizeof *results; i++)
    faultsim(results[i].query, run_output, &results[i]);
}

/* ---- The readers ------------------------------------------------------- */

typedef struct read_sink {
  cr_buf *out;
  bool nomem; /* a record was skipped for want of memory */
} read_sink;

static int on_article(const cr_article *a, const in_where *w, void *ctx) {
  read_sink *s = ctx;
  fs_pause();
  cr_buf_printf(s->out,
                "article %s:%llu id=%s title=%s date=%s author=%s "
                "source=%s url=%s text=%zu:%.*s\n",
                w->member ? w->member : "", (unsigned long long)w->line, a->id,
                a->title ? a->title : "-", a->date ? a->date : "-",
                a->author ? a->author : "-", a->source ? a->source : "-",
                a->url ? a->url : "-", a->text_len, (int)a->text_len, a->text);
  fs_resume();
  return 0;
}

static void on_problem(const in_where *w, const char *reason, void *ctx) {
  read_sink *s = ctx;
  fs_pause();
  if (strstr(reason, "out of memory")) s->nomem = true;
  cr_buf_printf(s->out, "problem %s:%llu: %s\n", w->member ? w->member : "",
                (unsigned long long)w->line, reason);
  fs_resume();
}

static enum outcome run_read(const void *arg, cr_buf *out) {
  const in_file *f = arg;
  read_sink s = {out, false};
  int rc = in_read(f, on_article, on_problem, &s);
  if (s.nomem) return NOMEM; /* reported and skipped, as documented */
  return rc == 0 ? ANSWER : OTHER;
}

/* An input file of the directory, named as in_walk would name it. */
static in_file input_file(const char *dir, const char *name, char *path,
                          size_t size) {
  snprintf(path, size, "%s/%s", dir, name);
  in_file f = {.path = path, .key = path, .id_base = name, .size = -1};
  cr_assert(in_classify(name, &f.format, &f.compressed), "%s", name);
  return f;
}

Test(faultsim, input) {
  char *dir = th_mkdtemp("faultsim");
  char path[4096];
  static const char lines[] =
      "\xEF\xBB\xBF{\"id\": 7, \"title\": \"Mosca smentisce\", \"text\": "
      "\"Il portavoce Dmitrij Peskov.\", \"date\": \"7 settembre 2022\", "
      "\"author\": \"Redazione\", \"extra\": [1, 2, {\"a\": null}]}\n"
      "{\"id\": \"x\", \"text\": \n"
      "\n"
      "{\"text\": \"con \\u0000 NUL e \\u00e8 accento\", \"source\": "
      "\"ANSA\", \"url\": \"https://x\"}\n"
      "[1, 2]\n"
      "{\"id\": \"vuoto\", \"text\": \"  \\u2028 \"}\n"
      "{\"id\": \"ultimo\", \"body\": \"senza a capo\"}";
  snprintf(path, sizeof path, "%s/dump.jsonl", dir);
  th_write_file(path, lines, sizeof lines - 1);
  size_t len;
  char *seed = article_text("russia-corea-del-nord-armi.txt", &len);
  snprintf(path, sizeof path, "%s/a.txt", dir);
  th_write_file(path, seed, len);
  free(seed);
  /* The same, compressed and in an archive (libarchive's own allocations
   * are not counted; the readers' around them are). */
  char cmd[8192];
  snprintf(cmd, sizeof cmd,
           "cd '%s' && gzip -k dump.jsonl && tar cf both.tar a.txt dump.jsonl",
           dir);
  cr_assert_eq(system(cmd), 0, "%s", cmd);
  static const char *const names[] = {"dump.jsonl", "a.txt", "dump.jsonl.gz",
                                      "both.tar"};
  for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
    char p[4096];
    in_file f = input_file(dir, names[i], p, sizeof p);
    if (f.format == IN_TEXT) f.size = (int64_t)len;
    faultsim(names[i], run_read, &f);
  }
  th_rmtree(dir);
  free(dir);
}
