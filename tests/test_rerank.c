/* test_rerank.c — the proximity bonus (searcher/rerank.c): hand-computed
 * tables of positions, the words the query parser hands it, and the
 * reordering of real hits. */
#include <criterion/criterion.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "helpers.h"
#include "rerank.h"
#include "search.h"

#define MAXP 8

/* A query word in a case: its term, query position, idf and positions in
 * the document (-1 ends them). */
typedef struct wcase {
  const char *term;
  uint32_t qpos;
  double idf;
  int pos[MAXP];
} wcase;

typedef struct bcase {
  const char *what;
  wcase w[6];
  size_t n;
  double bonus; /* with window 12, window_weight 1, pair_weight 0.5 */
} bcase;

/* "Quando è iniziata la crisi petrolifera del 1973?" against two SQuAD-it
 * paragraphs (positions as indexed: title 0-2, body from 100), with idf
 * 1..5 so the sums are easy to check by hand. */
static const bcase cases[] = {
    /* Window (98, 110] holds all five words: 1+2+3+4+5 = 15. In order and
     * close enough: crisi 103 -> petrolifera 104 (min idf 3) and
     * petrolifera 104 -> 1973 106 (4); quando 110 comes after iniziata
     * 107, and no crisi follows iniziata: 15 + 0.5 * 7 = 18.5. */
    {"the paragraph that answers",
     {{"quand", 0, 1, {110, -1}},
      {"iniz", 2, 2, {107, -1}},
      {"cris", 4, 3, {0, 103, 169, 197, -1}},
      {"petrolifer", 5, 4, {104, 133, 170, 194, 198, -1}},
      {"1973", 7, 5, {2, 106, 109, -1}}},
     5,
     18.5},
    /* Only the title has crisi and 1973 together (3 + 5); petrolifera
     * 142 and iniziata 144 make 6; no pair in query order. */
    {"a paragraph of the same article",
     {{"quand", 0, 1, {-1}},
      {"iniz", 2, 2, {144, -1}},
      {"cris", 4, 3, {0, -1}},
      {"petrolifer", 5, 4, {142, -1}},
      {"1973", 7, 5, {2, -1}}},
     5,
     8},
    /* A repeated word counts once in the window (2 + 1) and never pairs
     * with itself; a -> b is in order (min idf 1), b -> a is not. */
    {"repeats",
     {{"lavor", 0, 2, {5, -1}},
      {"tant", 1, 1, {6, -1}},
      {"lavor", 2, 2, {5, -1}}},
     3,
     3.5},
    /* 12 positions apart: never in one window of 12. */
    {"window edge, outside",
     {{"a", 0, 2, {0, -1}}, {"b", 1, 1, {12, -1}}},
     2,
     2},
    {"window edge, inside",
     {{"a", 0, 2, {0, -1}}, {"b", 1, 1, {11, -1}}},
     2,
     3},
    /* The document has the words swapped: the window, not the pair. */
    {"reversed", {{"a", 0, 2, {10, -1}}, {"b", 1, 1, {9, -1}}}, 2, 3},
    {"in order", {{"a", 0, 2, {9, -1}}, {"b", 1, 1, {10, -1}}}, 2, 3.5},
    /* "Corea del Nord": a stop word between them in the query and in the
     * text; allowed gap 2 + 2. */
    {"across a stop word",
     {{"core", 0, 3, {40, -1}}, {"nord", 2, 2, {42, -1}}},
     2,
     6},
    /* Gap 5 > 1 + 2 for neighbours in the query. */
    {"too far for a pair",
     {{"core", 0, 3, {40, -1}}, {"nord", 1, 2, {45, -1}}},
     2,
     5},
    {"no word found", {{"a", 0, 2, {-1}}, {"b", 1, 1, {-1}}}, 2, 0},
};

Test(rerank, bonus_table) {
  sr_rerank_opts o = {
      .depth = 10, .window = 12, .window_weight = 1, .pair_weight = 0.5};
  for (size_t c = 0; c < sizeof cases / sizeof *cases; c++) {
    sr_rr_word w[6];
    uint32_t pos[6][MAXP];
    for (size_t i = 0; i < cases[c].n; i++) {
      const wcase *wc = &cases[c].w[i];
      size_t k = 0;
      while (k < MAXP && wc->pos[k] >= 0) {
        pos[i][k] = (uint32_t)wc->pos[k];
        k++;
      }
      w[i] = (sr_rr_word){wc->term, wc->qpos, wc->idf, pos[i], k};
    }
    double got = sr_rerank_bonus(w, cases[c].n, &o);
    cr_expect(fabs(got - cases[c].bonus) < 1e-9, "%s: bonus %g, want %g",
              cases[c].what, got, cases[c].bonus);
  }
}

Test(rerank, weights_scale_the_two_parts) {
  /* The answering paragraph above: window 15, pairs 7. */
  const bcase *c = &cases[0];
  sr_rr_word w[5];
  uint32_t pos[5][MAXP];
  for (size_t i = 0; i < 5; i++) {
    size_t k = 0;
    while (k < MAXP && c->w[i].pos[k] >= 0) {
      pos[i][k] = (uint32_t)c->w[i].pos[k];
      k++;
    }
    w[i] = (sr_rr_word){c->w[i].term, c->w[i].qpos, c->w[i].idf, pos[i], k};
  }
  sr_rerank_opts only_window = {10, 12, 1, 0, 0},
                 only_pairs = {10, 12, 0, 1, 0};
  cr_expect_float_eq(sr_rerank_bonus(w, 5, &only_window), 15, 1e-9);
  cr_expect_float_eq(sr_rerank_bonus(w, 5, &only_pairs), 7, 1e-9);
  /* A window of 1 holds one word: the rarest found, 1973. */
  sr_rerank_opts one = {10, 1, 1, 0, 0};
  cr_expect_float_eq(sr_rerank_bonus(w, 5, &one), 5, 1e-9);
}

Test(rerank, idf) {
  static const struct {
    uint32_t n, N;
    double idf;
  } t[] = {
      {1, 12382, 9.018493593957157}, /* log(12381.5 / 1.5) */
      {3744, 12382, 0.835940859925415},
      {6190, 12382, 0.0003230235027684518},
      {6191, 12382, 0}, /* half the documents: no weight */
      {0, 12382, 0},    /* in no document */
      {5, 5, 0},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++)
    cr_expect(fabs(sr_rerank_idf(t[i].n, t[i].N) - t[i].idf) < 1e-12,
              "n %u N %u: %g", t[i].n, t[i].N, sr_rerank_idf(t[i].n, t[i].N));
}

/* The words the parser keeps for the bonus: in query order with their
 * query positions (stop words count), excluded and field words left out. */
Test(rerank, parser_words) {
  static const struct {
    const char *query;
    const char *words; /* "term@position ..." */
  } t[] = {
      {"Corea del Nord -Russia title:guerra \"armi nucleari\"",
       "core@0 nord@2 armi@5 nuclear@6"},
      {"guerra NOT (Russia Ucraina) pace", "guerr@0 pac@3"},
      {"guerra AND NOT pace Ucraina", "guerr@0"},
      {"Corea OR Giappone armi*", "core@0 giappon@1"},
      {"Quando è iniziata la crisi petrolifera del 1973?",
       "quand@0 iniz@2 cris@4 petrolifer@5 1973@7"},
      /* Only stop words: searched as typed, through their own terms, which
       * have no positions to rerank by. */
      {"il la del", ""},
      {"", ""},
  };
  cr_analyzer *an = cr_analyzer_new("italian", NULL);
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    cr_parsed_query pq;
    cr_error err;
    cr_qp_opts o = cr_qp_opts_default();
    cr_assert_eq(
        cr_parse_query(an, t[i].query, strlen(t[i].query), &o, &pq, &err), 0);
    char got[256] = "";
    for (size_t k = 0; k < pq.n_words; k++)
      snprintf(got + strlen(got), sizeof got - strlen(got), "%s%s@%u",
               k ? " " : "", pq.words[k].term, pq.words[k].position);
    cr_expect_str_eq(got, t[i].words, "'%s'", t[i].query);
    cr_parsed_query_free(&pq);
  }
  cr_analyzer_free(an);
}

/* Two articles with the same words: BM25 prefers the shorter, where they
 * stand far apart; the bonus prefers the one that says "crisi
 * petrolifera". */
Test(rerank, reorders_real_hits, .timeout = 60) {
  char *dir = th_mkdtemp("rerank");
  char idx[512], src[512];
  snprintf(idx, sizeof idx, "%s/idx", dir);
  snprintf(src, sizeof src, "%s/docs.jsonl", dir);
  static const char docs[] =
      "{\"id\":\"far\",\"title\":\"\",\"text\":\"Crisi di governo a Roma: il "
      "presidente ha parlato ieri sera ai cittadini della capitale, poi il "
      "tema petrolifero.\"}\n"
      "{\"id\":\"near\",\"title\":\"\",\"text\":\"La crisi petrolifera del "
      "1973 cambia il mondo, le abitudini di tutti gli automobilisti, i "
      "prezzi delle merci, i viaggi delle famiglie e le domeniche a piedi "
      "nelle grandi citta italiane ed europee.\"}\n"
      "{\"id\":\"x1\",\"title\":\"\",\"text\":\"Sport e calcio.\"}\n"
      "{\"id\":\"x2\",\"title\":\"\",\"text\":\"Meteo di domani.\"}\n"
      "{\"id\":\"x3\",\"title\":\"\",\"text\":\"Cronaca cittadina.\"}\n";
  th_write_file(src, docs, sizeof docs - 1);
  char *argv[] = {INDEXER_BIN, "-q", "-d", idx, src, NULL};
  th_run r = th_exec(argv, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);

  const char *paths[] = {idx};
  cr_error err;
  sr_engine *e = sr_open(paths, 1, NULL, &err);
  cr_assert(e, "%s", err.message);
  static const char q[] = "crisi petrolifera";
  static const struct {
    unsigned depth;
    const char *first;
  } t[] = {{0, "far"}, {10, "near"}, {2, "near"}, {1, "far"}};
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    sr_params p = sr_params_default();
    p.snippets = false;
    p.rerank.depth = t[i].depth;
    sr_page page;
    cr_assert_eq(sr_run(e, q, sizeof q - 1, &p, &page, &err), 0);
    cr_assert_eq(page.result.n_hits, 2);
    cr_expect_str_eq(page.result.hits[0].id, t[i].first, "depth %u",
                     t[i].depth);
    cr_expect_eq(page.result.hits[0].rank, 1);
    cr_expect_eq(page.result.hits[1].rank, 2);
    cr_expect(page.result.hits[0].score >= page.result.hits[1].score);
    sr_page_free(&page);
  }
  /* The second page of a reordered list is the rest of the same list. */
  sr_params p = sr_params_default();
  p.snippets = false;
  p.search.offset = 1;
  p.search.count = 1;
  sr_page page;
  cr_assert_eq(sr_run(e, q, sizeof q - 1, &p, &page, &err), 0);
  cr_assert_eq(page.result.n_hits, 1);
  cr_expect_str_eq(page.result.hits[0].id, "far");
  cr_expect_eq(page.result.hits[0].rank, 2);
  sr_page_free(&page);
  sr_close(e);
  th_rmtree(dir);
  free(dir);
}

/* The index's positions, read a word at a time (rerank.c's
 * positions_by_word: through each word's posting list, only where it has
 * the hit, or hit by hit for a word in more than list_max documents), and
 * the texts' (what remote shards use) give every hit the same bonus, so
 * the same order and the same scores to the last bit, over corpus/ and a
 * table of queries of several words: names, repeats, words few hits hold,
 * a title word. list_max 0 reads every word hit by hit, the default every
 * word of corpus/ through its list, 2 some words one way and some the
 * other. */
Test(rerank, index_and_text_positions_agree, .timeout = 120) {
  char *dir = th_mkdtemp("rerank-agree");
  char idx[512];
  snprintf(idx, sizeof idx, "%s/idx", dir);
  char *argv[] = {INDEXER_BIN, "-q", "-d", idx, CORPUS_DIR, NULL};
  th_run run = th_exec(argv, NULL);
  cr_assert_eq(run.status, 0, "%s", run.err);
  th_run_free(&run);
  const char *paths[] = {idx};
  cr_error err;
  sr_engine *e = sr_open(paths, 1, NULL, &err);
  cr_assert(e, "%s", err.message);
  static const char *queries[] = {
      "sindaco di Modena e consiglio comunale",
      "incidente stradale sulla via Emilia",
      "Federico sindaco Federico",
      "carabinieri arresto furto in appartamento",
      "quando ha vinto il campionato la squadra di calcio",
      "terremoto Emilia ricostruzione scuole",
      "Corea del Nord missili",
  };
  size_t reordered = 0;
  for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
    sr_params p = sr_params_default();
    p.snippets = false;
    p.suggest = false;
    p.rerank.depth = 0; /* BM25's order: reordered below, both ways */
    p.search.count = 20;
    sr_page page;
    cr_assert_eq(sr_run(e, queries[q], strlen(queries[q]), &p, &page, &err), 0,
                 "%s", err.message);
    uint32_t size = cr_mset_size(page.mset);
    uint32_t *o1 = malloc((size + 1) * sizeof *o1);
    uint32_t *o2 = malloc((size + 1) * sizeof *o2);
    double *s1 = malloc((size + 1) * sizeof *s1);
    double *s2 = malloc((size + 1) * sizeof *s2);
    cr_assert(o1 && o2 && s1 && s2);
    sr_rerank_opts ro = sr_rerank_opts_default();
    sr_rerank_text text = {e->an, e->tp};
    cr_assert_eq(sr_rerank_from(e->db, &page.parsed, page.mset, &ro, &text, o2,
                                s2, &err),
                 0, "%s", err.message);
    static const uint32_t list_max[] = {0, 2, SR_RERANK_LIST_MAX};
    for (size_t l = 0; l < sizeof list_max / sizeof *list_max; l++) {
      ro.list_max = list_max[l];
      cr_assert_eq(sr_rerank_from(e->db, &page.parsed, page.mset, &ro, NULL, o1,
                                  s1, &err),
                   0, "%s", err.message);
      for (uint32_t r = 0; r < size; r++) {
        cr_expect_eq(o1[r], o2[r], "'%s', list_max %u, rank %u", queries[q],
                     list_max[l], r);
        cr_expect(s1[r] == s2[r], "'%s', list_max %u, rank %u: %a against %a",
                  queries[q], list_max[l], r, s1[r], s2[r]);
        if (o1[r] != r) reordered++;
      }
    }
    free(o1);
    free(o2);
    free(s1);
    free(s2);
    sr_page_free(&page);
  }
  cr_expect_gt(reordered, 0, "no query reordered its hits: a weak table");
  sr_close(e);
  th_rmtree(dir);
  free(dir);
}
