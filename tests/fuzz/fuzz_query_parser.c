/* fuzz_query_parser.c — libFuzzer target: anything a person could type
 * as a query must parse into a query or a note, never a crash. */
#include <stdint.h>
#include <stdlib.h>

#include "query_parser.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static cr_analyzer *an;
  if (!an) an = cr_analyzer_new("italian", NULL);
  cr_qp_opts opts = cr_qp_opts_default();
  opts.all_required = size > 0 && (data[0] & 1);
  cr_parsed_query pq;
  cr_error err;
  if (cr_parse_query(an, (const char *)data, size, &opts, &pq, &err) == 0) {
    if (pq.query) free(cr_query_describe(pq.query, NULL));
    cr_parsed_query_free(&pq);
  }
  return 0;
}
