/* test_e2e_spelling.c — "Forse cercavi" on real news (DICE, 10,372
 * articles of the Gazzetta di Modena), end to end: typos in queries that
 * find plenty are corrected, real rare names the archive holds are not.
 * Skipped when ../shared/corpus/dice is absent. */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"

static char *dir;
static char idx[4096];
static char dice[4096];

static void build(void) {
  snprintf(dice, sizeof dice,
           "%s/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz",
           SHARED_DATA_DIR);
  dir = th_mkdtemp("spelling");
  snprintf(idx, sizeof idx, "%s/index", dir);
  if (!th_exists(dice)) return;
  char *const argv[] = {INDEXER_BIN, "-q", "-j", "2", "-d", idx, dice, NULL};
  th_run r = th_exec(argv, NULL);
  cr_assert_eq(r.status, 0, "indexer: %s", r.err);
  th_run_free(&r);
}

static void teardown(void) {
  th_rmtree(dir);
  free(dir);
}

TestSuite(spelling, .init = build, .fini = teardown, .timeout = 600);

/* The suggestion for query ("" if none), and its match count. */
static void suggest(const char *query, char *out, size_t size, long *matches) {
  char *const argv[] = {SEARCHER_BIN,    "-d",          idx,
                        "--json",        "-n",          "1",
                        "--no-snippets", (char *)query, NULL};
  th_run r = th_exec(argv, NULL);
  cr_assert_eq(r.status, 0, "searcher %s: %s", query, r.err);
  json_error_t jerr;
  json_t *o = json_loads(r.out, 0, &jerr);
  cr_assert_not_null(o, "%s: %s", query, r.out);
  const char *s = json_string_value(json_object_get(o, "suggestion"));
  snprintf(out, size, "%s", s ? s : "");
  *matches = (long)json_integer_value(json_object_get(o, "estimated_matches"));
  json_decref(o);
  th_run_free(&r);
}

typedef struct scase {
  const char *query;
  const char *suggestion; /* "" for none */
} scase;

/* Each query finds plenty (furto, polizia... are in hundreds of
 * articles): the suggestion is about its one rare word. */
static const scase cases[] = {
    /* Typos: words no article holds, or long ones in one article and
     * never a name, one edit from a word hundreds of times as common. */
    {"furto Sasuolo", "furto Sassuolo"},
    {"rapina Castelfrnco", "rapina Castelfranco"},
    {"incidente autostarda", "incidente autostrada"},
    {"furto appartamnto", "furto appartamento"},
    {"polizia muncipale", "polizia municipale"},
    {"furto celliulare", "furto cellulare"},
    /* Real rare surnames and places of DICE, each one edit from a common
     * word (arresti, commesso, volante, leggi, ieri, presso, soldi): never
     * "corrected". */
    {"arresto Agresti", ""},
    {"furto Commisso", ""},
    {"polizia Violante", ""},
    {"sindaco Beggi", ""},
    {"furto Vieri", ""},
    {"furto Bresso", ""},
    {"furto Boldi", ""},
    /* Rare words the archive holds more than twice: left alone. */
    {"rapina Formiggine", ""},
    {"furto carabineri", ""},
    /* Nothing rare. */
    {"furto Sassuolo", ""},
};

Test(spelling, typos_corrected_and_rare_names_kept) {
  if (!th_exists(dice)) cr_skip_test("%s is absent: skipped", dice);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char got[512];
    long matches;
    suggest(cases[i].query, got, sizeof got, &matches);
    cr_expect_gt(matches, 10, "%s: finds plenty (%ld)", cases[i].query,
                 matches);
    cr_expect_str_eq(got, cases[i].suggestion, "%s", cases[i].query);
  }
}
