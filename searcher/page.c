/* page.c — one attempt at a page: the match, the hits' order (the
 * rerank), and each hit's card, title, snippet and explanation (over
 * remote shards read in bulk first: cr_mset_fetch, cr_mset_fetch_ids). */
#include <stdlib.h>
#include <string.h>

#include "engine.h"
#include "explain.h"
#include "hit_terms.h"
#include "schema.h"

/* Matches a date-filtered search counts beyond its page (about 1 ms). */
#define SR_FILTER_COUNT 1000

/* Frees what one attempt gathered, keeping the parsed query. */
void sr_page_drop_hits(sr_page *page) {
  cr_stored *st = page->stored;
  for (size_t i = 0; i < page->result.n_hits; i++) {
    if (page->hits)
      sr_explain_free((out_explain_term *)page->hits[i].why,
                      page->hits[i].n_why);
    if (st) cr_stored_free(&st[i]);
    if (page->snippets) free(page->snippets[i]);
  }
  free(page->stored);
  free(page->snippets);
  free(page->hits);
  for (size_t f = 0; f < page->result.n_facets; f++)
    sr_facet_free(&page->facets[f]);
  page->result.n_facets = 0;
  page->result.facets = NULL;
  cr_mset_free(page->mset);
  page->stored = NULL;
  page->snippets = NULL;
  page->hits = NULL;
  page->mset = NULL;
  page->result.hits = NULL;
  page->result.n_hits = 0;
  page->result.estimated = 0;
  page->result.exact = false;
}

/* Unpacks a hit's text (packed: its CR_SLOT_TEXT value, NULL if it has
 * none) into st for the snippet, whole, or only as far as its derived
 * title needs; then derives the title if the card has none. Damaged text
 * leaves both empty. -1 if memory ran out. */
static int unpack_text(cr_textpack *tp, bool snippets, const char *packed,
                       size_t packed_len, cr_stored *st) {
  cr_error uerr;
  const char *text = NULL;
  size_t len = 0;
  if (packed && !snippets) {
    bool whole;
    text = cr_text_unpack_head(tp, packed, packed_len, &len, &whole, &uerr);
    if (text && !whole &&
        !cr_schema_title_within(text, len, CR_DERIVED_TITLE_MAX))
      text = NULL; /* blanks before the title: the whole text, then */
  }
  if (packed && !text)
    text = cr_text_unpack(tp, packed, packed_len, &len, &uerr);
  if (snippets) {
    st->text = text;
    st->text_len = len;
  }
  if (st->title_derived && text && cr_stored_derive_title(st, text, len) != 0)
    return -1;
  return 0;
}

/* Reads hit i's stored data and makes its snippet into slot k, shown at
 * rank with score. Returns 1 if the data could not be read (the index
 * changed: retry), -1 with err filled (memory ran out, say), 0
 * otherwise. */
static int gather_hit_once(sr_engine *e, const sr_params *p, sr_page *page,
                           uint32_t i, size_t k, uint32_t rank, double score,
                           bool last, cr_error *err) {
  cr_stored *st = &((cr_stored *)page->stored)[k];
  size_t len = 0;
  const char *card;
  cr_error rerr;
  int read = cr_mset_value(page->mset, i, CR_SLOT_CARD, &card, &len, &rerr);
  /* No card: the index changed under us, or (last attempt) the document
   * really has none, and is shown with what is known: its rank. */
  if ((read != 0 || !card) && !last) return 1;
  cr_error perr;
  if (!card || cr_stored_parse(card, len, st, &perr) != 0) {
    /* An unreadable card is shown as what little is known, never a crash. */
    memset(st, 0, sizeof *st);
  }
  out_hit *h = &page->hits[k];
  h->rank = rank;
  h->score = score;
  h->snippet = NULL;
  h->similar = p->collapse ? cr_mset_collapse_count(page->mset, i) : 0;
  if (p->snippets || st->title_derived) {
    /* The text is read only here: a page without snippets never inflates
     * it, except the head of one whose title is derived. Damaged text
     * gives an empty snippet, never a failed search. */
    size_t packed_len = 0;
    const char *packed;
    read =
        cr_mset_value(page->mset, i, CR_SLOT_TEXT, &packed, &packed_len, &rerr);
    /* No text at all (an empty one still packs to a frame): the read
     * failed, most likely because the index changed after the card was
     * read. Retry rather than show a card without its text. */
    if ((read != 0 || !packed) && !last) {
      cr_stored_free(st);
      return 1;
    }
    if (unpack_text(e->tp, p->snippets, packed, packed_len, st) != 0) {
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      return -1;
    }
  }
  h->id = st->id ? st->id : "";
  h->title = st->title;
  h->date = st->date;
  h->author = st->author;
  h->source = st->source;
  h->url = st->url;
  sr_hit_terms t = {0};
  if ((p->snippets || p->explain) &&
      sr_hit_terms_read(page->mset, i, &t, &rerr) != 0) {
    if (sr_may_be_a_commit(rerr.code) && !last) return 1;
    cr_error_set(err, rerr.code, "%s", rerr.message);
    return -1;
  }
  if (p->snippets) {
    cr_snippet_opts so = p->snippet;
    so.patterns = page->patterns;
    so.n_patterns = page->n_patterns;
    char *snip = cr_snippet(e->an, st->text, st->text ? st->text_len : 0,
                            (const char *const *)t.terms, t.n, &so);
    if (!snip) {
      sr_hit_terms_free(&t);
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      return -1;
    }
    page->snippets[k] = snip;
    h->snippet = snip;
  }
  if (p->explain) {
    out_explain_term *why = NULL;
    size_t n_why = 0;
    cr_error xerr;
    cr_error_clear(&xerr);
    if (sr_explain_terms(e->db, &p->search.bm25, h->id,
                         (const char *const *)t.terms, t.n, &why, &n_why,
                         &xerr) != 0) {
      sr_hit_terms_free(&t);
      free(page->snippets[k]); /* the hit is not counted: nothing frees */
      page->snippets[k] = NULL;
      if (!(sr_may_be_a_commit(xerr.code) && !last)) return -1;
      cr_stored_free(st);
      return 1;
    }
    h->explained = true;
    h->why = why;
    h->n_why = n_why;
    h->bm25 = cr_mset_weight(page->mset, i);
    h->bonus = score - h->bm25;
  }
  sr_hit_terms_free(&t);
  st->text = NULL; /* the unpacked text lives only until the next hit */
  st->text_len = 0;
  return 0;
}

/* gather_hit_once, which may stop half-way: a hit not gathered is not
 * counted (sr_page_drop_hits frees only those counted), so what it holds is
 * freed here. */
static int gather_hit(sr_engine *e, const sr_params *p, sr_page *page,
                      uint32_t i, size_t k, uint32_t rank, double score,
                      bool last, cr_error *err) {
  int rc = gather_hit_once(e, p, page, i, k, rank, score, last, err);
  if (rc != 0) {
    cr_stored_free(&((cr_stored *)page->stored)[k]);
    free(page->snippets[k]);
    page->snippets[k] = NULL;
  }
  return rc;
}

/* Asks the matcher to count the facets' slots (each slot once: years and
 * months share the date), noting which count belongs to which facet. */
static int count_facet_slots(sr_engine *e, const sr_params *p,
                             cr_search_opts *so, unsigned spy_of[],
                             cr_error *err) {
  for (size_t f = 0; f < p->n_facets; f++) {
    unsigned slot = sr_facet_slot(p->facets[f]), k = 0;
    while (k < so->n_count_slots && so->count_slots[k] != slot)
      k++;
    if (k == so->n_count_slots && k < CR_MAX_COUNT_SLOTS)
      so->count_slots[so->n_count_slots++] = slot;
    spy_of[f] = k;
  }
  /* Counts over all matches, not only those the page needed. */
  if (p->n_facets) return cr_rdb_doccount(e->db, &so->check_at_least, err);
  return 0;
}

static int gather_facets(const sr_params *p, sr_page *page,
                         const unsigned spy_of[], cr_error *err) {
  page->result.facets = page->facets;
  for (size_t f = 0; f < p->n_facets; f++) {
    if (sr_facet_collect(page->mset, spy_of[f], p->facets[f], &page->facets[f],
                         err) != 0)
      return -1;
    page->result.n_facets++;
  }
  return 0;
}

/* Whether this search reorders its best hits: relevance order, words to
 * look for, and a page that starts within the hits reordered. */
static bool reranks(const sr_params *p, const sr_page *page) {
  return p->rerank.depth > 0 && p->search.sort_slot < 0 &&
         page->parsed.n_words >= 2 && p->search.offset < p->rerank.depth;
}

/* Over remote shards every read of a hit's document is a round trip, one
 * at a time on each server: the cards and texts of all the hits come in
 * one more match (cr_mset_fetch), and the texts it could not bring and,
 * for snippets, the matching terms in another, of the hits' id terms read
 * from their cards (cr_mset_fetch_ids). What neither brings is read per
 * hit, as before. 0, or -1 with err filled. */
static int fetch_remote(const sr_params *p, sr_page *page, cr_error *err) {
  uint32_t size = cr_mset_size(page->mset);
  if (size == 0) return 0;
  if (cr_mset_fetch(page->mset, 0, size, CR_SLOT_CARD, CR_SLOT_TEXT, err) != 0)
    return -1;
  char *ids = calloc(size, CR_ID_TERM_SIZE);
  const char **id_terms = calloc(size, sizeof *id_terms);
  int rc = 0;
  if (!ids || !id_terms) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    rc = -1;
  }
  for (uint32_t i = 0; rc == 0 && i < size; i++) {
    const char *card;
    size_t len = 0;
    cr_stored st;
    cr_error ignored; /* a hit without its id is read per hit */
    if (cr_mset_value(page->mset, i, CR_SLOT_CARD, &card, &len, &ignored) !=
            0 ||
        !card || cr_stored_parse(card, len, &st, &ignored) != 0)
      continue;
    if (st.id) {
      cr_schema_id_term(st.id, ids + (size_t)i * CR_ID_TERM_SIZE);
      id_terms[i] = ids + (size_t)i * CR_ID_TERM_SIZE;
    }
    cr_stored_free(&st);
  }
  if (rc == 0)
    rc = cr_mset_fetch_ids(page->mset, 0, size, id_terms, CR_SLOT_TEXT,
                           p->snippets || p->explain, err);
  free(ids);
  free(id_terms);
  return rc;
}

/* The order hits are shown in: BM25's, or reordered (rerank.h). Fills
 * order and score for the n hits of the mset. Returns 0, 1 to retry after
 * a reopen, or -1 with err filled. */
static int order_hits(sr_engine *e, const sr_params *p, sr_page *page,
                      uint32_t n, uint32_t *order, double *score,
                      cr_error *err) {
  if (!reranks(p, page)) {
    for (uint32_t r = 0; r < n; r++) {
      order[r] = r;
      score[r] = cr_mset_weight(page->mset, r);
    }
    return 0;
  }
  cr_error rerr;
  cr_error_clear(&rerr);
  /* Over remote shards the positions come from the texts the page read in
   * one go (cr_mset_fetch): a term list and position lists per hit would
   * each be a round trip. */
  sr_rerank_text text = {e->an, e->tp};
  if (sr_rerank_from(e->db, &page->parsed, page->mset, &p->rerank,
                     e->remote ? &text : NULL, order, score, &rerr) == 0)
    return 0;
  if (sr_may_be_a_commit(rerr.code)) return 1;
  if (rerr.code == CR_E_NOMEM) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  /* Positions this index cannot give (an old remote server): BM25's
   * order, which sr_rerank left in place. */
  return 0;
}

/* One attempt at running the query and gathering its page. Returns 0, 1
 * to retry after a reopen, or -1 with err filled. */
int sr_page_attempt(sr_engine *e, const sr_params *p, sr_page *page, bool last,
                    bool hurried, cr_error *err) {
  cr_search_opts so = p->search;
  so.local = !e->remote;
  so.prune = so.local;
  /* Reordering needs the hits from the first one to the depth: the page
   * is cut from them afterwards. */
  uint32_t skip = 0;
  if (reranks(p, page)) {
    skip = so.offset;
    uint32_t end = so.offset + so.count;
    so.count = end > p->rerank.depth ? end : p->rerank.depth;
    so.offset = 0;
  }
  if (so.check_at_least < so.offset + so.count)
    so.check_at_least = so.offset + so.count;
  /* Xapian estimates a date range's matches from the slot's bounds
   * alone: on the sample corpus "date:2022.." said 2 of 29. A phrase's
   * from its words' frequencies: on DICE "centro storico" said about 50
   * of 420. Counting up to SR_FILTER_COUNT of them makes small counts
   * exact (result.exact says when they are). */
  if (!hurried &&
      (page->parsed.filtered || page->parsed.has_phrase ||
       page->parsed.n_checks > 0) &&
      so.check_at_least < so.offset + so.count + SR_FILTER_COUNT)
    so.check_at_least = so.offset + so.count + SR_FILTER_COUNT;
  if (p->collapse)
    so.collapse_slot = CR_SLOT_CLUSTER;
  else if (e->copies)
    so.collapse_slot = CR_SLOT_CARD;
  /* Copies of one article in two databases (a backup and the live index)
   * have the same card: shown once, counted once (not over remote shards,
   * which cannot run the counter that skips them). */
  if (e->copies && !e->remote) so.count_once_slot = CR_SLOT_CARD;
  unsigned spy_of[SR_MAX_FACETS];
  if (count_facet_slots(e, p, &so, spy_of, err) != 0)
    return err && sr_may_be_a_commit(err->code) ? 1 : -1;
  /* --count: every match looked at, so the count is exact. */
  if (p->exact_count) {
    uint32_t docs;
    if (cr_rdb_doccount(e->db, &docs, err) != 0)
      return err && sr_may_be_a_commit(err->code) ? 1 : -1;
    if (so.check_at_least < docs) so.check_at_least = docs;
  }
  page->mset = sr_search_parts(e, p, page, &so, err);
  if (!page->mset) return err && sr_may_be_a_commit(err->code) ? 1 : -1;
  /* Remote shards: what the rerank and the page read of every hit, in
   * a few matches, before they read it. */
  if (e->remote && fetch_remote(p, page, err) != 0)
    return err && sr_may_be_a_commit(err->code) ? 1 : -1;
  uint32_t size = cr_mset_size(page->mset);
  page->result.estimated = cr_mset_matches_estimated(page->mset);
  page->result.exact = cr_mset_matches_exact(page->mset);
  if (gather_facets(p, page, spy_of, err) != 0) return -1;
  if (size <= skip) return 0;
  uint32_t n = size - skip;
  if (n > p->search.count) n = p->search.count;
  uint32_t *order = malloc(size * sizeof *order);
  double *score = malloc(size * sizeof *score);
  page->hits = calloc(n, sizeof *page->hits);
  page->stored = calloc(n, sizeof(cr_stored));
  page->snippets = calloc(n, sizeof *page->snippets);
  int rc = 0;
  if (!order || !score || !page->hits || !page->stored || !page->snippets) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    rc = -1;
  }
  if (rc == 0) rc = order_hits(e, p, page, size, order, score, err);
  page->result.hits = page->hits;
  for (uint32_t k = 0; rc == 0 && k < n; k++) {
    uint32_t i = order[skip + k];
    uint32_t rank = cr_mset_rank(page->mset, 0) + skip + k + 1;
    rc = gather_hit(e, p, page, i, k, rank, score[skip + k], last, err);
    if (rc == 0) page->result.n_hits++;
  }
  free(order);
  free(score);
  return rc;
}
