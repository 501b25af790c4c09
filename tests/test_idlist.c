/* test_idlist.c — the id sets --prune keeps. */
#include <criterion/criterion.h>
#include <string.h>

#include "idlist.h"

Test(idlist, finds_what_was_added_and_nothing_else) {
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
  idlist l = {0};
  for (size_t i = 0; i < sizeof added / sizeof *added; i++)
    cr_assert_eq(idl_add(&l, added[i], strlen(added[i])), 0);
  idl_sort(&l);
  cr_expect_eq(l.n, 7, "the repeat is dropped");
  for (size_t i = 0; i < sizeof added / sizeof *added; i++)
    cr_expect(idl_has(&l, added[i]), "%s", added[i]);
  for (size_t i = 0; i < sizeof absent / sizeof *absent; i++)
    cr_expect_not(idl_has(&l, absent[i]), "%s", absent[i]);
  idl_free(&l);
  cr_expect_eq(l.n, 0);
  idl_sort(&l);
  cr_expect_not(idl_has(&l, "Q1"), "an empty list has nothing");
  /* Only len bytes are kept. */
  cr_assert_eq(idl_add(&l, "Qabc-tail", 4), 0);
  idl_sort(&l);
  cr_expect(idl_has(&l, "Qabc"));
  idl_free(&l);
}
