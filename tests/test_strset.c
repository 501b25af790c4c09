/* test_strset.c — the string sets pruning keeps (id terms, file keys). */
#include <criterion/criterion.h>
#include <string.h>

#include "strset.h"

Test(strset, finds_what_was_added_and_nothing_else) {
  static const char *const added[] = {
      "Q1852701",
      "Qdice-273321",
      "Qcittà/2022-09-06.txt",
      "Q1852701",
      "Qstdin:3f0c2a9b1d4e5f60",
      "Q",
      "Qa",
      "Qb",
  };
  static const char *const absent[] = {
      "Q18527", "Q18527010", "", "QA", "Qcitta/2022-09-06.txt", "Qc"};
  strset l = {0};
  for (size_t i = 0; i < sizeof added / sizeof *added; i++)
    cr_assert_eq(ss_add(&l, added[i], strlen(added[i])), 0);
  ss_sort(&l);
  cr_expect_eq(l.n, 7, "the repeat is dropped");
  for (size_t i = 0; i < sizeof added / sizeof *added; i++)
    cr_expect(ss_has(&l, added[i]), "%s", added[i]);
  for (size_t i = 0; i < sizeof absent / sizeof *absent; i++)
    cr_expect_not(ss_has(&l, absent[i]), "%s", absent[i]);
  ss_free(&l);
  cr_expect_eq(l.n, 0);
  ss_sort(&l);
  cr_expect_not(ss_has(&l, "Q1"), "an empty list has nothing");
  /* Only len bytes are kept. */
  cr_assert_eq(ss_add(&l, "Qabc-tail", 4), 0);
  ss_sort(&l);
  cr_expect(ss_has(&l, "Qabc"));
  ss_free(&l);
}
