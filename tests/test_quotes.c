/* test_quotes.c — loosening a quote no article holds (searcher/quotes.c):
 * how its text is rewritten as plain words. Which quotes are loosened,
 * and what the query then finds, is tested end to end on corpus/
 * (test_e2e_names.c, quotes_no_article_holds_search_their_words). */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "quotes.h"

Test(quotes, the_text_becomes_plain_words) {
  static const struct {
    const char *in, *out;
  } cases[] = {
      {"Camminare a Fresno", "Camminare a Fresno"},
      {"Capitale nel XXI secolo", "Capitale nel XXI secolo"},
      /* The operators are words there ("or" and "and" are not Italian). */
      {"essere OR NOT essere", "essere or not essere"},
      {"Kim NEAR/3 Putin", "Kim near/3 Putin"},
      {"AND OR NOT NEAR", "and or not near"},
      /* Lower-case or longer ones were words already. */
      {"ORO ANDREA NOTE or", "ORO ANDREA NOTE or"},
      /* Parentheses, signs before words and fields are not syntax. */
      {"(a cura di) Rossi", " a cura di  Rossi"},
      {"-5 gradi +3", " 5 gradi  3"},
      {"Jong-un e U.S.A.-Cina", "Jong-un e U.S.A.-Cina"},
      {"title:guerra ore 10:30", "title guerra ore 10 30"},
      {"città\tdi  Modena", "città\tdi  Modena"},
      {"", ""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    cr_buf b = {0};
    sr_quote_as_words(&b, cases[i].in, strlen(cases[i].in));
    char *got = cr_buf_finish(&b, NULL);
    cr_assert_not_null(got);
    cr_expect_str_eq(got, cases[i].out, "[%s]", cases[i].in);
    free(got);
  }
}
