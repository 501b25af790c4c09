/* query.c — a reader's query: parsed with the index's term counts and
 * the exact tests on stored texts (over remote shards the counts in one
 * exchange), then --like's and --show's restrictions. */
#include <stdlib.h>
#include <string.h>

#include "buffer.h"
#include "engine.h"
#include "like.h"
#include "schema.h"

/* The exact test of one candidate (cr_qp_opts.check): does its title or
 * its text hold the pattern? Damaged text is a text that does not. */
static int exact_check(const char *text, size_t text_len, const char *card,
                       size_t card_len, void *ctx) {
  const cr_qp_check *c = ctx;
  sr_reader *e = c->env;
  cr_stored st;
  cr_error err;
  bool derived = false;
  if (card && cr_stored_parse(card, card_len, &st, &err) == 0) {
    int rc = st.title ? cr_exact_find(e->an, &c->pattern, st.title,
                                      strlen(st.title), &e->scratch)
                      : 0;
    derived = st.title_derived;
    cr_stored_free(&st);
    if (rc != 0) return rc;
  }
  /* A derived title is the text's first sentence: the text holds it. */
  if ((c->pattern.title_only && !derived) || !text) return 0;
  size_t len = 0;
  const char *body = cr_text_unpack(e->tp, text, text_len, &len, &err);
  if (!body) return err.code == CR_E_NOMEM ? -1 : 0;
  if (c->pattern.title_only) {
    char *title = cr_schema_derive_title(body, len, CR_DERIVED_TITLE_MAX);
    if (!title) return -1;
    int rc =
        cr_exact_find(e->an, &c->pattern, title, strlen(title), &e->scratch);
    free(title);
    return rc;
  }
  return cr_exact_find(e->an, &c->pattern, body, len, &e->scratch);
}

/* The index's count of a term (cr_qp_opts.termfreq). */
static long index_termfreq(const char *term, void *ctx) {
  sr_reader *e = ctx;
  uint32_t n;
  for (size_t i = 0; i < e->n_terms; i++)
    if (strcmp(e->terms[i], term) == 0) {
      if (e->counted) return (long)e->counts[i];
      if (e->noting) return 1;
    }
  if (e->noting) {
    char *t = NULL;
    if (CR_ARRAY_GROW(e->terms, e->n_terms, e->cap_terms) == 0 &&
        (t = strdup(term)))
      e->terms[e->n_terms++] = t;
    return 1;
  }
  if (cr_rdb_termfreq(e->db, term, &n, NULL) == 0) return (long)n;
  e->read_failed = true;
  return -1;
}

cr_qp_opts sr_reader_qp(sr_reader *rd, const sr_params *p) {
  cr_qp_opts qp = p->qp;
  if (p->synonyms) {
    qp.synonyms = sr_reader_synonyms;
    qp.synonyms_ctx = rd;
  }
  return qp;
}

/* --like: the article's similar-words query, filtered by whatever the
 * query text says (dates, fields, words). */
static int use_like(cr_rdb *db, const sr_params *p, cr_parsed_query *parsed,
                    cr_error *err) {
  cr_query *like = sr_like_query(db, p->like, p->collapse, err);
  if (!like) return -1;
  cr_query *q = like;
  if (parsed->query) {
    cr_query *both[2] = {like, parsed->query};
    q = cr_query_combine(CR_OP_FILTER, both, 2, 0, err);
    cr_query_free(like);
    cr_query_free(parsed->query);
  } else {
    /* No text is fine with --like: drop the "nothing to search" note. */
    free(parsed->note);
    parsed->note = NULL;
  }
  parsed->query = q;
  return q ? 0 : -1; /* cr_query_combine said why */
}

/* --show's query: on that one article alone. 0, or -1 with err filled. */
int sr_restrict_to_id(const sr_params *p, cr_parsed_query *parsed,
                      cr_error *err) {
  if (!p->only_id || !parsed->query) return 0;
  char id_term[CR_ID_TERM_SIZE];
  cr_schema_id_term(p->only_id, id_term);
  cr_query *both[2] = {parsed->query, cr_query_term(id_term, 1, 0, err)};
  cr_query *q =
      both[1] ? cr_query_combine(CR_OP_FILTER, both, 2, 0, err) : NULL;
  cr_query_free(both[1]);
  cr_query_free(parsed->query);
  parsed->query = q;
  return q ? 0 : -1; /* the binding said why */
}

/* Gathers the counts the parser will ask for text in one exchange: a
 * first parse notes the terms, cr_rdb_termfreqs counts them all. Over
 * remote shards each count would be a round trip to every server (a
 * SQuAD question asks 6 to 10). A term the real parse asks beyond them is
 * counted then; counts that could not be had are asked one by one. 0, or
 * -1 with err filled (memory ran out). */
static int gather_counts(sr_reader *rd, const sr_params *p, const char *text,
                         size_t len, cr_error *err) {
  sr_reader_forget_counts(rd);
  cr_qp_opts qp = sr_reader_qp(rd, p);
  qp.termfreq = index_termfreq;
  qp.termfreq_ctx = rd;
  cr_parsed_query first;
  rd->noting = true;
  int rc = cr_parse_query(rd->an, text, len, &qp, &first, err);
  rd->noting = false;
  if (rc != 0) return -1;
  cr_parsed_query_free(&first);
  if (rd->n_terms == 0) return 0;
  if (!(rd->counts = malloc(rd->n_terms * sizeof *rd->counts))) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  cr_error cerr;
  if (cr_rdb_termfreqs(rd->db, (const char *const *)rd->terms, rd->n_terms,
                       rd->counts, &cerr) != 0) {
    sr_reader_forget_counts(rd); /* one by one, and the parse sees what fails */
    return cerr.code == CR_E_NOMEM ? (*err = cerr, -1) : 0;
  }
  rd->counted = true;
  return 0;
}

/* The query of text for reader rd: parsed with rd's term counts (gathered
 * first in one go when batch_counts), and its exact tests when checks,
 * then --like's and --show's. Every thread's is the same query, built on
 * its own handles. 0, or -1 with err. */
int sr_build_query(sr_reader *rd, const sr_params *p, bool checks,
                   bool batch_counts, const char *text, size_t len,
                   cr_parsed_query *out, cr_error *err) {
  if (batch_counts && gather_counts(rd, p, text, len, err) != 0) return -1;
  cr_qp_opts qp = sr_reader_qp(rd, p);
  qp.termfreq = index_termfreq;
  qp.termfreq_ctx = rd;
  if (checks) {
    qp.check = exact_check;
    qp.check_env = rd;
  }
  rd->read_failed = false;
  if (cr_parse_query(rd->an, text, len, &qp, out, err) != 0 ||
      (p->like && use_like(rd->db, p, out, err) != 0))
    return -1;
  /* A count that met a writer's newer commit leaves Xapian's reader
   * answering the next search with nothing: a reopen puts it right (the
   * parser read the count as unknown). */
  cr_error ignored;
  if (rd->read_failed) cr_rdb_reopen(rd->db, &ignored);
  return 0;
}
