/* test_hmap.c — the hash table (hmap.h): a table of key sequences with
 * what each put answers, then growth, equal hashes told apart by `same`,
 * iteration and clearing, and its users (the schema's term bags,
 * termbag.h: test_termbag.c; id_origins, the spelling counter) through
 * their own calls. Allocation
 * failures: test_faultsim.c. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "hmap.h"
#include "id_origins.h"
#include "spelling.h"

/* A sequence of puts of 32-bit values: each key in turn, and whether it
 * was added (+) or already there (=); then the count. */
typedef struct put_case {
  const char *name;
  size_t first_cap;
  uint64_t keys[12];
  size_t n_keys;
  const char *added; /* one + or = a key */
  size_t count;
} put_case;

static const put_case put_cases[] = {
    {"one key", 2, {7}, 1, "+", 1},
    {"a key twice", 2, {7, 7}, 2, "+=", 1},
    {"hash 0 is kept as 1", 4, {0, 1, 0}, 3, "+==", 1},
    {"keys that probe to one slot", 4, {1, 5, 9, 13, 1, 13}, 6, "++++==", 4},
    {"growth from 2 slots keeps every key",
     2,
     {1, 2, 3, 4, 5, 6, 7, 8, 1, 8},
     10,
     "++++++++==",
     8},
    {"large hashes", 8, {UINT64_MAX, UINT64_MAX - 1, UINT64_MAX}, 3, "++=", 2},
};

Test(hmap, table_of_put_sequences) {
  for (size_t c = 0; c < sizeof put_cases / sizeof *put_cases; c++) {
    const put_case *pc = &put_cases[c];
    cr_hmap m;
    cr_hmap_init(&m, sizeof(uint32_t), pc->first_cap);
    for (size_t i = 0; i < pc->n_keys; i++) {
      bool added;
      uint32_t *v = cr_hmap_put(&m, pc->keys[i], NULL, NULL, &added);
      cr_assert_not_null(v, "%s: key %zu", pc->name, i);
      cr_assert_eq(added, pc->added[i] == '+', "%s: key %zu added %d", pc->name,
                   i, added);
      if (added) {
        cr_assert_eq(*v, 0, "%s: a new value is zeroed", pc->name);
        *v = (uint32_t)i + 100;
      }
      cr_assert_eq(cr_hmap_get(&m, pc->keys[i], NULL, NULL), v, "%s", pc->name);
    }
    cr_assert_eq(cr_hmap_count(&m), pc->count, "%s: count %zu", pc->name,
                 cr_hmap_count(&m));
    cr_assert_leq(2 * cr_hmap_count(&m), m.cap, "%s: at most half full",
                  pc->name);
    cr_hmap_free(&m);
  }
}

Test(hmap, many_keys_keep_their_values_through_growth) {
  cr_hmap m;
  cr_hmap_init(&m, sizeof(uint64_t) * 2, 16);
  enum { N = 20000 };
  for (uint64_t i = 0; i < N; i++) {
    bool added;
    uint64_t *v = cr_hmap_put(&m, cr_fnv1a64((const char *)&i, sizeof i), NULL,
                              NULL, &added);
    cr_assert(v && added);
    cr_assert_eq((uintptr_t)v % 8, 0, "values are 8-byte aligned");
    v[0] = i, v[1] = ~i;
  }
  cr_assert_eq(cr_hmap_count(&m), N);
  for (uint64_t i = 0; i < N; i++) {
    uint64_t *v =
        cr_hmap_get(&m, cr_fnv1a64((const char *)&i, sizeof i), NULL, NULL);
    cr_assert(v && v[0] == i && v[1] == ~i, "key %llu", (unsigned long long)i);
  }
  uint64_t absent = N + 1;
  cr_assert_null(cr_hmap_get(
      &m, cr_fnv1a64((const char *)&absent, sizeof absent), NULL, NULL));
  /* Iteration meets every key once. */
  size_t cursor = 0, seen = 0;
  uint64_t sum = 0, h;
  void *value;
  while (cr_hmap_next(&m, &cursor, &h, &value)) {
    seen++;
    sum += ((uint64_t *)value)[0];
  }
  cr_assert_eq(seen, N);
  cr_assert_eq(sum, (uint64_t)N * (N - 1) / 2);
  /* Cleared: empty, the memory kept, usable again. */
  size_t cap = m.cap;
  cr_hmap_clear(&m);
  cr_assert_eq(cr_hmap_count(&m), 0);
  cr_assert_eq(m.cap, cap);
  cursor = 0;
  cr_assert_not(cr_hmap_next(&m, &cursor, NULL, NULL));
  bool added;
  cr_assert_not_null(cr_hmap_put(&m, 42, NULL, NULL, &added));
  cr_assert(added);
  cr_hmap_free(&m);
  cr_assert_null(cr_hmap_get(&m, 42, NULL, NULL), "freed: empty");
}

/* Words with one hash: `same` keeps them apart. */
typedef struct named {
  const char *word;
} named;

static bool same_word(const void *value, const void *ctx) {
  return strcmp(((const named *)value)->word, ctx) == 0;
}

Test(hmap, equal_hashes_told_apart_by_same) {
  cr_hmap m;
  cr_hmap_init(&m, sizeof(named), 4);
  static const char *words[] = {"costa", "costo", "lugli", "costa", "luglio"};
  static const bool added_as[] = {true, true, true, false, true};
  for (size_t i = 0; i < 5; i++) {
    bool added;
    named *v = cr_hmap_put(&m, 99, same_word, words[i], &added);
    cr_assert_not_null(v);
    cr_assert_eq(added, added_as[i], "%s", words[i]);
    if (added) v->word = words[i];
    cr_assert_str_eq(v->word, words[i]);
  }
  cr_assert_eq(cr_hmap_count(&m), 4);
  cr_assert_null(cr_hmap_get(&m, 99, same_word, "moro"));
  cr_assert_str_eq(((named *)cr_hmap_get(&m, 99, same_word, "lugli"))->word,
                   "lugli");
  cr_hmap_free(&m);
}

/* The users through their own calls. */

Test(hmap, id_origins_says_which_file_gave_an_id) {
  id_origins *t = io_new();
  cr_assert_not_null(t);
  char msg[1024];
  cr_assert_eq(io_begin_file(t, "a.jsonl"), 0);
  cr_assert_not(io_note(t, "57", msg, sizeof msg));
  cr_assert_not(io_note(t, "57", msg, sizeof msg), "twice in one file");
  cr_assert_eq(io_begin_file(t, "b.csv"), 0);
  cr_assert(io_note(t, "57", msg, sizeof msg));
  cr_assert(strstr(msg, "\"57\" was read from a.jsonl"), "%s", msg);
  cr_assert_not(io_note(t, "58", msg, sizeof msg));
  cr_assert_not(io_end_file(t, msg, sizeof msg));
  io_free(t);
}

Test(hmap, spelling_counts_words_per_document) {
  cr_spelling *sp = cr_spelling_new();
  cr_assert_not_null(sp);
  static const char *docs[][3] = {{"corea", "russia", "armi"},
                                  {"corea", "russia", NULL},
                                  {"corea", NULL, NULL}};
  for (size_t d = 0; d < 3; d++) {
    for (size_t w = 0; w < 3 && docs[d][w]; w++) {
      const char *word = docs[d][w];
      cr_assert_eq(cr_spelling_add(sp, word, strlen(word),
                                   cr_fnv1a64(word, strlen(word))),
                   0);
    }
    cr_spelling_end_doc(sp);
  }
  /* Two hashes alike, two words: counted apart. */
  cr_assert_eq(cr_spelling_add(sp, "pace", 4, 7), 0);
  cr_assert_eq(cr_spelling_add(sp, "pane", 4, 7), 0);
  cr_assert_eq(cr_spelling_add(sp, "pace", 4, 7), 0);
  size_t cursor = 0, len;
  const char *word;
  unsigned count;
  char got[256] = "";
  while (cr_spelling_next(sp, &cursor, &word, &len, &count)) {
    char one[64];
    snprintf(one, sizeof one, "%.*s:%u ", (int)len, word, count);
    strcat(got, one);
  }
  /* armi and pane (in one document) are too rare; the order is the
   * table's, so compare as sets. */
  cr_assert(strstr(got, "corea:3 ") && strstr(got, "russia:2 ") &&
                strstr(got, "pace:2 ") && !strstr(got, "armi") &&
                !strstr(got, "pane"),
            "%s", got);
  cr_spelling_clear(sp);
  cursor = 0;
  cr_assert_not(cr_spelling_next(sp, &cursor, &word, &len, &count));
  cr_spelling_free(sp);
}
