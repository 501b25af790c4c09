/* test_explain.c — how --explain names index terms (searcher/explain.c).
 * Each table row is one case. */
#include <criterion/criterion.h>

#include "explain.h"

Test(explain, term_names) {
  static const struct {
    const char *term, *want;
  } cases[] = {
      {"russ", "russ"},
      {"Crussia", "name:russia"},
      {"Sguerr", "title:guerr"},
      {"Aross", "author:ross"},
      {"XOgazzett", "source:gazzett"},
      {"Wnon", "stop:non"},
      {"Q1007", "id:1007"},
      {"Y2022", "year:2022"},
      {"M202209", "month:202209"},
      {"D20220906", "day:20220906"},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char out[64];
    sr_explain_term_name(cases[i].term, out, sizeof out);
    cr_expect_str_eq(out, cases[i].want, "%s", cases[i].term);
  }
  char small[6];
  sr_explain_term_name("Sguerra", small, sizeof small);
  cr_expect_str_eq(small, "title");
}
