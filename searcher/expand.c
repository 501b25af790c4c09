/* expand.c — the synonym table for the query parser (expand.h). */
#include "expand.h"

#include <stdio.h>

#include "query_parser.h"

int sr_synonyms_lookup(const char *key, cr_key_fn fn, void *fn_ctx, void *ctx) {
  sr_engine *e = ctx;
  cr_error err;
  if (cr_rdb_synonyms(sr_engine_db(e), key, fn, fn_ctx, &err) >= 0) return 0;
  cr_error ignored;
  if (cr_rdb_reopen(sr_engine_db(e), &ignored) != 0) return -1;
  return cr_rdb_synonyms(sr_engine_db(e), key, fn, fn_ctx, &err) >= 0 ? 0 : -1;
}

int sr_synonyms_print(sr_engine *e, const char *text, size_t len,
                      cr_error *err) {
  cr_qp_opts qp = cr_qp_opts_default();
  qp.synonyms = sr_synonyms_lookup;
  qp.synonyms_ctx = e;
  cr_parsed_query pq;
  if (cr_parse_query(sr_engine_analyzer(e), text, len, &qp, &pq, err) != 0)
    return -1;
  for (size_t i = 0; i < pq.n_synonyms; i++)
    printf("synonym: %s = %s\n", pq.synonyms[i].from, pq.synonyms[i].to);
  cr_parsed_query_free(&pq);
  return 0;
}
