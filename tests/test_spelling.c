/* test_spelling.c — the spelling policy (shared/spelling.h): which query
 * words the searcher looks up, how far, and which corrections it takes,
 * as a table of cases. */
#include <criterion/criterion.h>

#include "spelling.h"

typedef struct pcase {
  const char *what;
  cr_suggest_case c;
  unsigned edits;         /* cr_suggest_max_edits */
  uint32_t correction_tf; /* a correction this common ... */
  bool accepted;          /* ... is taken */
} pcase;

static const pcase cases[] = {
    /* Few matches: the rules of before. */
    {"few: a word in no article, short", {0, 0, 0, 5}, 1, 2, true},
    {"few: in one article, long: two edits", {1, 1, 0, 9}, 2, 3, true},
    {"few: correction too rare", {1, 1, 0, 9}, 2, 2, false},
    {"few: correction in one article", {0, 0, 0, 6}, 1, 1, false},
    {"few: a word in two articles is not rare", {2, 2, 0, 9}, 0, 900, false},
    {"few: a name in one article is still corrected",
     {1, 1, 1, 9},
     2,
     50,
     true},
    /* Plenty of matches ("furto Sasuolo"). */
    {"plenty: in no article", {6516, 0, 0, 7}, 1, 802, true},
    {"plenty: in no article, short", {6516, 0, 0, 5}, 1, 100, true},
    {"plenty: in no article, correction not common enough",
     {6516, 0, 0, 7},
     1,
     99,
     false},
    {"plenty: long typo in one article, never a name",
     {6516, 1, 0, 8},
     1,
     711,
     true},
    {"plenty: in two articles, 100 times", {6516, 2, 0, 10}, 1, 200, true},
    {"plenty: in two articles, not 100 times", {6516, 2, 0, 10}, 1, 199, false},
    {"plenty: a surname (Agresti -> arresti)", {2806, 1, 1, 7}, 0, 5000, false},
    {"plenty: a short rare word (vocali -> locali)",
     {6516, 1, 0, 6},
     0,
     493,
     false},
    {"plenty: in three articles", {6516, 3, 0, 10}, 0, 5000, false},
    {"just past few", {11, 0, 0, 9}, 1, 100, true},
    {"just past few, not common enough", {11, 0, 0, 9}, 1, 50, false},
};

Test(spelling, the_policy_table) {
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const pcase *k = &cases[i];
    cr_expect_eq(cr_suggest_candidate(&k->c), k->edits > 0, "%s: candidate",
                 k->what);
    cr_expect_eq(cr_suggest_max_edits(&k->c), k->edits, "%s: edits", k->what);
    cr_expect_eq(cr_suggest_accept(&k->c, k->correction_tf), k->accepted,
                 "%s: accepted", k->what);
  }
}
