/* test_termbag.c — an article's terms before they reach Xapian
 * (termbag.h): a table of addition sequences and the walk each gives
 * (every term once, its wdf summed, its positions in the order added),
 * then reuse after clearing, growth past the first allocations, the
 * caller's marks, a walk stopped by its callback, and a failed bag. How
 * cr_schema_build uses it: test_layout.c's dumps, unchanged by it. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "termbag.h"

#define NOPOS CR_TERMBAG_NO_POSITION

/* One cr_termbag_add. */
typedef struct bag_add {
  const char *term;
  uint32_t wdf_inc;
  uint32_t position;
  bool added; /* what it must answer */
} bag_add;

typedef struct bag_case {
  const char *name;
  bag_add adds[10];
  size_t n_adds;
  const char *walk; /* "term wdf [positions];" a term, in walk order */
} bag_case;

static const bag_case bag_cases[] = {
    {"one term, one position", {{"guerr", 1, 7, true}}, 1, "guerr 1 7;"},
    {"a term without positions", {{"Wdi", 1, NOPOS, true}}, 1, "Wdi 1;"},
    {"repeats sum their wdf and keep every position",
     {{"guerr", 1, 3, true}, {"guerr", 1, 9, false}, {"guerr", 1, 40, false}},
     3,
     "guerr 3 3,9,40;"},
    {"title words count three times",
     {{"russ", 3, 0, true}, {"russ", 1, 105, false}},
     2,
     "russ 4 0,105;"},
    {"terms walk in the order first added, positions stay with theirs",
     {{"b", 1, 0, true},
      {"a", 1, 1, true},
      {"b", 1, 2, false},
      {"c", 1, 3, true},
      {"a", 1, 4, false}},
     5,
     "b 2 0,2;a 2 1,4;c 1 3;"},
    {"positions out of order stay as added (Xapian sorts them)",
     {{"x", 1, 9, true}, {"x", 1, 2, false}},
     2,
     "x 2 9,2;"},
    {"a prefix makes another term",
     {{"costa", 1, 5, true},
      {"Ccosta", 1, NOPOS, true},
      {"Scosta", 1, 0, true}},
     3,
     "costa 1 5;Ccosta 1;Scosta 1 0;"},
    {"a term that is another's beginning is its own",
     {{"ab", 1, 0, true}, {"abc", 1, 1, true}, {"a", 1, 2, true}},
     3,
     "ab 1 0;abc 1 1;a 1 2;"},
    {"stop words counted without positions among positioned words",
     {{"Wdi", 1, NOPOS, true},
      {"guerr", 1, 1, true},
      {"Wdi", 1, NOPOS, false},
      {"guerr", 1, 4, false}},
     4,
     "Wdi 2;guerr 2 1,4;"},
};

/* cr_termbag_each's callback: each term as "term wdf p,p;" into a stream. */
static int print_term(const char *term, size_t len, uint32_t wdf,
                      const uint32_t *positions, size_t n, void *ctx) {
  FILE *f = ctx;
  fprintf(f, "%.*s %u", (int)len, term, wdf);
  for (size_t i = 0; i < n; i++)
    fprintf(f, "%c%u", i ? ',' : ' ', positions[i]);
  fputc(';', f);
  return 0;
}

/* The walk of b as print_term writes it (malloc'd). */
static char *walk_of(cr_termbag *b) {
  char *buf = NULL;
  size_t len = 0;
  FILE *f = open_memstream(&buf, &len);
  cr_assert_not_null(f);
  cr_assert_eq(cr_termbag_each(b, print_term, f), 0);
  fclose(f);
  return buf;
}

static void run_case(cr_termbag *b, const bag_case *c) {
  for (size_t i = 0; i < c->n_adds; i++) {
    const bag_add *a = &c->adds[i];
    bool added;
    cr_assert_eq(cr_termbag_add(b, a->term, strlen(a->term), a->wdf_inc,
                                a->position, &added),
                 0, "%s: add %zu", c->name, i);
    cr_assert_eq(added, a->added, "%s: add %zu answered %d", c->name, i, added);
  }
  char *walk = walk_of(b);
  cr_assert_str_eq(walk, c->walk, "%s", c->name);
  free(walk);
}

Test(termbag, table_of_addition_sequences) {
  for (size_t c = 0; c < sizeof bag_cases / sizeof *bag_cases; c++) {
    cr_termbag b;
    cr_termbag_init(&b);
    run_case(&b, &bag_cases[c]);
    cr_termbag_free(&b);
  }
}

Test(termbag, a_cleared_bag_holds_only_the_next_article) {
  cr_termbag b;
  cr_termbag_init(&b);
  for (size_t c = 0; c < sizeof bag_cases / sizeof *bag_cases; c++) {
    cr_termbag_clear(&b);
    run_case(&b, &bag_cases[c]);
  }
  cr_termbag_free(&b);
}

Test(termbag, many_terms_and_positions_through_growth) {
  cr_termbag b;
  cr_termbag_init(&b);
  enum { TERMS = 5000, REPEATS = 3 };
  char term[32];
  for (uint32_t r = 0; r < REPEATS; r++)
    for (uint32_t i = 0; i < TERMS; i++) {
      int n = snprintf(term, sizeof term, "t%u", i);
      bool added;
      cr_assert_eq(
          cr_termbag_add(&b, term, (size_t)n, 1, r * TERMS + i, &added), 0);
      cr_assert_eq(added, r == 0, "t%u, repeat %u", i, r);
    }
  cr_assert_eq(cr_termbag_count(&b), TERMS);
  char *walk = walk_of(&b);
  /* Term i's positions are i, TERMS + i, 2 TERMS + i. */
  const char *at = walk;
  for (uint32_t i = 0; i < TERMS; i++) {
    char want[64];
    int n = snprintf(want, sizeof want, "t%u %u %u,%u,%u;", i, REPEATS, i,
                     TERMS + i, 2 * TERMS + i);
    cr_assert_eq(strncmp(at, want, (size_t)n), 0, "term %u: %.40s", i, at);
    at += n;
  }
  cr_assert_eq(*at, '\0');
  free(walk);
  cr_termbag_free(&b);
}

Test(termbag, a_term_is_marked_once_until_cleared) {
  /* As the signature takes body stems: marked the first time only. */
  static const struct {
    const char *term;
    bool mark;  /* mark it after adding */
    bool fresh; /* what the mark answers */
  } steps[] = {{"guerr", false, false}, {"guerr", true, true},
               {"russ", true, true},    {"guerr", true, false},
               {"russ", false, false},  {"russ", true, false}};
  cr_termbag b;
  cr_termbag_init(&b);
  for (int round = 0; round < 2; round++) {
    for (size_t i = 0; i < sizeof steps / sizeof *steps; i++) {
      bool added;
      cr_assert_eq(cr_termbag_add(&b, steps[i].term, strlen(steps[i].term), 1,
                                  (uint32_t)i, &added),
                   0);
      if (steps[i].mark)
        cr_assert_eq(cr_termbag_mark_last(&b), steps[i].fresh,
                     "round %d, step %zu", round, i);
    }
    cr_termbag_clear(&b);
  }
  cr_termbag_free(&b);
}

Test(termbag, a_sealed_bag_walks_the_same_and_takes_no_more) {
  for (size_t c = 0; c < sizeof bag_cases / sizeof *bag_cases; c++) {
    cr_termbag b;
    cr_termbag_init(&b);
    run_case(&b, &bag_cases[c]);
    cr_termbag_seal(&b);
    char *walk = walk_of(&b);
    cr_assert_str_eq(walk, bag_cases[c].walk, "%s, sealed", bag_cases[c].name);
    free(walk);
    bool added;
    cr_assert_eq(cr_termbag_add(&b, "x", 1, 1, 0, &added), -1);
    cr_termbag_clear(&b); /* usable again */
    run_case(&b, &bag_cases[c]);
    cr_termbag_free(&b);
  }
}

static int stop_at_second(const char *term, size_t len, uint32_t wdf,
                          const uint32_t *positions, size_t n, void *ctx) {
  (void)term, (void)len, (void)wdf, (void)positions, (void)n;
  return ++*(int *)ctx == 2 ? 7 : 0;
}

Test(termbag, a_callback_stops_the_walk) {
  cr_termbag b;
  cr_termbag_init(&b);
  bool added;
  for (int i = 0; i < 4; i++)
    cr_assert_eq(cr_termbag_add(&b, "abcd" + i, 1, 1, (uint32_t)i, &added), 0);
  int calls = 0;
  cr_assert_eq(cr_termbag_each(&b, stop_at_second, &calls), 7);
  cr_assert_eq(calls, 2);
  cr_termbag_free(&b);
}

Test(termbag, a_failed_bag_says_so_until_cleared) {
  cr_termbag b;
  cr_termbag_init(&b);
  bool added;
  cr_assert_eq(cr_termbag_add(&b, "a", 1, 1, 0, &added), 0);
  b.failed = true; /* as an addition that ran out of memory leaves it */
  cr_assert_eq(cr_termbag_add(&b, "b", 1, 1, 1, &added), -1);
  cr_assert(!added);
  int calls = 0;
  cr_assert_eq(cr_termbag_each(&b, stop_at_second, &calls), -1);
  cr_assert_eq(calls, 0, "a failed bag is not walked");
  cr_termbag_clear(&b);
  cr_assert_eq(cr_termbag_add(&b, "b", 1, 1, 1, &added), 0);
  cr_assert(added);
  cr_termbag_free(&b);
}
