/* expand.c — the synonym table for the query parser (expand.h). */
#include "expand.h"

#include <stdio.h>

#include "engine.h"
#include "query_parser.h"

/* On the reader's own handle: a thread of a sharded search parses with
 * its reader while the others search with theirs (Xapian's handles are
 * for one thread at a time). */
int sr_reader_synonyms(const char *key, cr_key_fn fn, void *fn_ctx, void *ctx) {
  sr_reader *rd = ctx;
  cr_error err;
  if (cr_rdb_synonyms(rd->db, key, fn, fn_ctx, &err) >= 0) return 0;
  /* The reopened reader is past the others' revision: the caller of a
   * thread's parse sees read_failed and runs the search again. */
  rd->read_failed = true;
  cr_error ignored;
  if (cr_rdb_reopen(rd->db, &ignored) != 0) return -1;
  return cr_rdb_synonyms(rd->db, key, fn, fn_ctx, &err) >= 0 ? 0 : -1;
}

int sr_synonyms_print(sr_engine *e, const char *text, size_t len,
                      cr_error *err) {
  cr_qp_opts qp = cr_qp_opts_default();
  qp.synonyms = sr_reader_synonyms;
  qp.synonyms_ctx = &e->rd;
  cr_parsed_query pq;
  if (cr_parse_query(sr_engine_analyzer(e), text, len, &qp, &pq, err) != 0)
    return -1;
  for (size_t i = 0; i < pq.n_synonyms; i++)
    printf("synonym: %s = %s\n", pq.synonyms[i].from, pq.synonyms[i].to);
  cr_parsed_query_free(&pq);
  return 0;
}
