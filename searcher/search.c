/* search.c — parse, run, and gather one page of results. */
#include "search.h"

#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "buffer.h"
#include "dbpaths.h"
#include "engine.h"
#include "explain.h"
#include "like.h"
#include "quotes.h"
#include "schema.h"
#include "suggest.h"

/* How many times a query is rerun after the index changed under it
 * (CR_E_MODIFIED): a writer committing twice in a row during one query is
 * already rare; more than this means something is wrong. A query must
 * finish between two commits, so the pauses grow (1, 2, 4 ... 64 ms,
 * about 0.4 s in all): a slow query (a phrase whose candidates' texts are
 * read, under a sanitizer's slowdown) meets the writer's next pause. */
#define SR_ATTEMPTS 12
#define SR_PAUSE_MAX_MS 64

/* Matches a date-filtered search counts beyond its page (about 1 ms). */
#define SR_FILTER_COUNT 1000

sr_params sr_params_default(void) {
  sr_params p = {0}; /* a field added later is off, never garbage */
  p.qp = cr_qp_opts_default();
  /* BM25 over the impacts the index stores (impacts.h): its k1 and b
   * are the index's, tuned on the dev half of SQuAD-it (bench/RESULTS.md,
   * "Ranking"). A bonus for query words found near each other would add
   * 0.007 MRR@10, but Xapian's NEAR reads positions for every candidate:
   * mean latency 0.3 -> 20 ms. That bonus is the rerank's (rerank.h), on
   * the best hits only. */
  p.search = cr_search_opts_default();
  p.search.bm25 = cr_bm25_impacts();
  /* The proximity bonus, for the first hits only (rerank.h): MRR@10
   * 0.796 -> 0.812 on the same dev half (rerank.c says why 20 hits). */
  p.rerank = sr_rerank_opts_default();
  p.search.count = 10;
  p.snippets = true;
  p.snippet.max_bytes = CR_SNIPPET_BYTES;
  p.snippet.hl_start = OUT_MARK_START;
  p.snippet.hl_end = OUT_MARK_END;
  p.collapse = false;
  p.n_facets = 0;
  p.suggest = true;
  p.like = NULL;
  p.only_id = NULL;
  p.exact_count = false;
  p.threads = 0;
  p.explain = false;
  return p;
}

/* Errors a writer's commits can cause in a reader. Xapian reports the
 * revision being read as overwritten with DatabaseModifiedError, but glass
 * sometimes meets the overwritten blocks first and says DatabaseError
 * ("EOF reading block") or DatabaseCorruptError (seen in
 * tests/test_concurrency.c). A reopen and a retry tell these from real
 * damage, which fails again. */
bool sr_may_be_a_commit(int code) {
  return code == CR_E_MODIFIED || code == CR_E_IO || code == CR_E_CORRUPT;
}

/* A pause before retry number tries, for the writer to finish its
 * commit: longer each time. */
static void pause_before(int tries) {
  long ms = tries < 7 ? 1L << (tries - 1) : SR_PAUSE_MAX_MS;
  struct timespec pause = {ms / 1000, (ms % 1000) * 1000000L};
  nanosleep(&pause, NULL);
}

/* Documents in another layout would print as empty results: say so.
 * Every database is asked: each indexer run stamps its own. */
static int check_schema(cr_rdb *db, const char *path, cr_error *err) {
  uint32_t docs;
  if (cr_rdb_doccount(db, &docs, err) != 0) return -1;
  if (docs == 0) return 0;
  int rc = 0;
  for (size_t k = 0; rc == 0 && k < cr_rdb_shard_count(db); k++) {
    size_t len = 0;
    char *stamp;
    if (cr_rdb_shard_metadata(db, k, CR_META_SCHEMA, &stamp, &len, err) != 0)
      return -1;
    char which[48] = "";
    if (cr_rdb_shard_count(db) > 1)
      snprintf(which, sizeof which, " (database %zu of %zu)", k + 1,
               cr_rdb_shard_count(db));
    rc = cr_schema_check_stamp(stamp, path, which, err);
    free(stamp);
  }
  return rc;
}

/* Adds shard k's text dictionary, unless one with its id is there. */
static int add_dict(sr_engine *e, size_t k, cr_error *err) {
  size_t len = 0;
  char *bytes;
  if (cr_rdb_shard_metadata(e->db, k, CR_META_TEXTDICT, &bytes, &len, err) != 0)
    return -1;
  if (!bytes) return 0; /* built from too little text for one */
  cr_textdict *d = cr_textdict_load(bytes, len, CR_TEXTDICT_UNPACK, err);
  free(bytes);
  if (!d) return -1;
  for (size_t i = 0; i < e->n_dicts; i++)
    if (cr_textdict_id(e->dicts[i]) == cr_textdict_id(d)) {
      cr_textdict_free(d); /* shards built in one run share theirs */
      return 0;
    }
  cr_textdict **more = realloc(e->dicts, (e->n_dicts + 1) * sizeof *more);
  if (!more || cr_textpack_also(e->tp, d) != 0) {
    if (more) e->dicts = more;
    cr_textdict_free(d);
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  e->dicts = more;
  e->dicts[e->n_dicts++] = d;
  return 0;
}

/* Texts are unpacked with the dictionary their index was built with:
 * each shard (or -d) may have its own. */
static int open_textpack(sr_engine *e, cr_error *err) {
  if (!(e->tp = cr_textpack_new(NULL))) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  for (size_t k = 0; k < cr_rdb_shard_count(e->db); k++)
    if (add_dict(e, k, err) != 0) return -1;
  return 0;
}

/* Queries are stemmed for the language the index was built for, unless
 * the user asks for another (then warned: their terms rarely meet). A
 * language Snowball does not know fails first, with one message. */
static int open_analyzer(sr_engine *e, const char *path, const char *language,
                         cr_error *err) {
  size_t len = 0;
  char *built;
  if (cr_rdb_shard_metadata(e->db, 0, CR_META_LANGUAGE, &built, &len, err) != 0)
    return -1;
  e->an = cr_analyzer_new(language ? language : built, err);
  if (!e->an) {
    free(built);
    return -1;
  }
  if (language && built && strcmp(language, built) != 0)
    out_say("warning: '%s' was built with --language %s; searching it with "
            "%s finds fewer matches",
            path, built, language);
  /* Several databases stemmed for different languages: one analyzer
   * serves them all, the first one's. */
  for (size_t k = 1; built && k < cr_rdb_shard_count(e->db); k++) {
    char *other;
    if (cr_rdb_shard_metadata(e->db, k, CR_META_LANGUAGE, &other, &len, err) !=
        0) {
      free(built);
      return -1;
    }
    bool differs = other && strcmp(other, built) != 0;
    if (differs)
      out_say("warning: the databases were built with different languages "
              "(%s, %s); queries are stemmed for %s",
              built, other, language ? language : built);
    free(other);
    if (differs) break;
  }
  free(built);
  return 0;
}

/* The paths opened, for the readers of other threads. */
static int keep_paths(sr_engine *e, const sr_dbpaths *once, cr_error *err) {
  if (!(e->paths = calloc(once->n, sizeof *e->paths))) goto oom;
  for (size_t i = 0; i < once->n; i++, e->n_paths++)
    if (!(e->paths[i] = strdup(once->paths[i]))) goto oom;
  return 0;
oom:
  cr_error_set(err, CR_E_NOMEM, "out of memory");
  return -1;
}

sr_engine *sr_open(const char *const *paths, size_t n_paths,
                   const char *language, cr_error *err) {
  /* Each database once: the same one twice would show every article
   * twice and double every count (dbpaths.h). */
  sr_dbpaths once;
  if (sr_dbpaths_resolve(paths, n_paths, &once, err) != 0) return NULL;
  sr_engine *e = calloc(1, sizeof *e);
  if (!e) {
    sr_dbpaths_free(&once);
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return NULL;
  }
  e->remote = once.remote;
  e->copies = once.n > 1;
  /* Opening, too, can meet a commit in progress; so can reading the
   * layout stamp, which then looks absent: try again before refusing. */
  for (int tries = 0; tries < SR_ATTEMPTS; tries++) {
    if (tries > 0) pause_before(tries);
    e->db = cr_rdb_open(once.paths, once.n, err);
    e->local = true;
    if (e->db && check_schema(e->db, once.paths[0], err) == 0) {
      if (open_analyzer(e, once.paths[0], language, err) == 0 &&
          open_textpack(e, err) == 0 && keep_paths(e, &once, err) == 0) {
        sr_dbpaths_free(&once);
        e->rd.db = e->db;
        e->rd.an = e->an;
        e->rd.tp = e->tp;
        return e;
      }
      sr_dbpaths_free(&once);
      sr_close(e);
      return NULL;
    }
    cr_rdb_close(e->db);
    e->db = NULL;
    if (!err || !(sr_may_be_a_commit(err->code) || err->code == CR_E_INVALID))
      break;
  }
  sr_dbpaths_free(&once);
  free(e);
  return NULL;
}

/* Forgets the term counts gathered for the last query. */
static void forget_counts(sr_reader *rd) {
  for (size_t i = 0; i < rd->n_terms; i++)
    free(rd->terms[i]);
  free(rd->terms);
  free(rd->counts);
  rd->terms = NULL;
  rd->counts = NULL;
  rd->n_terms = rd->cap_terms = 0;
  rd->counted = false;
}

void sr_reader_close(sr_reader *rd) {
  forget_counts(rd);
  cr_textpack_free(rd->tp);
  cr_exact_scratch_free(&rd->scratch);
  cr_rdb_close(rd->db);
  cr_analyzer_free(rd->an);
}

/* Frees what worker w's last search left (the main thread's job: Xapian's
 * reference counts are not atomic). */
void sr_worker_reset(sr_worker *w) {
  cr_mset_free(w->mset);
  w->mset = NULL;
  cr_parsed_query_free(&w->parsed);
  memset(&w->parsed, 0, sizeof w->parsed);
}

void sr_close(sr_engine *e) {
  if (!e) return;
  for (size_t k = 1; k < e->n_workers; k++) {
    sr_worker_reset(&e->workers[k]);
    sr_reader_close(&e->workers[k].rd);
  }
  free(e->workers);
  for (size_t i = 0; i < e->n_paths; i++)
    free(e->paths[i]);
  free(e->paths);
  cr_textpack_free(e->tp);
  cr_exact_scratch_free(&e->rd.scratch);
  forget_counts(&e->rd);
  for (size_t i = 0; i < e->n_dicts; i++)
    cr_textdict_free(e->dicts[i]);
  free(e->dicts);
  cr_rdb_close(e->db);
  cr_analyzer_free(e->an);
  free(e);
}

/* ---- What the parser asks of the index --------------------------------- */

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
  e->count_failed = true;
  return -1;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

/* The matched terms of one hit, for its snippet. */
typedef struct term_list {
  char **terms;
  size_t n, cap;
  bool oom;
} term_list;

static int add_term(const char *key, size_t key_len, void *ctx) {
  term_list *t = ctx;
  char *s = NULL;
  if (CR_ARRAY_GROW(t->terms, t->n, t->cap) != 0 ||
      !(s = strndup(key, key_len))) {
    t->oom = true;
    return 1;
  }
  t->terms[t->n++] = s;
  return 0;
}

static void term_list_free(term_list *t) {
  for (size_t i = 0; i < t->n; i++)
    free(t->terms[i]);
  free(t->terms);
}

/* Frees what one attempt gathered, keeping the parsed query. */
static void drop_hits(sr_page *page) {
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
     * it, except for a title to derive (a few kB, microseconds). Damaged
     * text gives an empty snippet, never a failed search. */
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
    cr_error uerr;
    st->text =
        packed ? cr_text_unpack(e->tp, packed, packed_len, &st->text_len, &uerr)
               : NULL;
    if (st->title_derived && st->text &&
        cr_stored_derive_title(st, st->text, st->text_len) != 0) {
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
  term_list t = {0};
  if ((p->snippets || p->explain) &&
      cr_mset_matching_terms(page->mset, i, add_term, &t, &rerr) < 0) {
    term_list_free(&t);
    if (sr_may_be_a_commit(rerr.code) && !last) return 1;
    cr_error_set(err, rerr.code, "%s", rerr.message);
    return -1;
  }
  if (t.oom) {
    term_list_free(&t);
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  if (p->snippets) {
    cr_snippet_opts so = p->snippet;
    so.patterns = page->patterns;
    so.n_patterns = page->n_patterns;
    char *snip = cr_snippet(e->an, st->text, st->text ? st->text_len : 0,
                            (const char *const *)t.terms, t.n, &so);
    if (!snip) {
      term_list_free(&t);
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
      term_list_free(&t);
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
  term_list_free(&t);
  st->text = NULL; /* the unpacked text lives only until the next hit */
  st->text_len = 0;
  return 0;
}

/* gather_hit_once, which may stop half-way: a hit not gathered is not
 * counted (drop_hits frees only those counted), so what it holds is freed
 * here. */
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
  forget_counts(rd);
  cr_qp_opts qp = p->qp;
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
    forget_counts(rd); /* one by one, and the parse sees what fails */
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
  cr_qp_opts qp = p->qp;
  qp.termfreq = index_termfreq;
  qp.termfreq_ctx = rd;
  if (checks) {
    qp.check = exact_check;
    qp.check_env = rd;
  }
  rd->count_failed = false;
  if (cr_parse_query(rd->an, text, len, &qp, out, err) != 0 ||
      (p->like && use_like(rd->db, p, out, err) != 0))
    return -1;
  /* A count that met a writer's newer commit leaves Xapian's reader
   * answering the next search with nothing: a reopen puts it right (the
   * parser read the count as unknown). */
  cr_error ignored;
  if (rd->count_failed) cr_rdb_reopen(rd->db, &ignored);
  return 0;
}

/* One attempt at running the query and gathering its page. Returns 0, 1
 * to retry after a reopen, or -1 with err filled. */
static int attempt(sr_engine *e, const sr_params *p, sr_page *page, bool last,
                   bool hurried, cr_error *err) {
  cr_search_opts so = p->search;
  so.local = !e->remote;
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

/* Copies the len bytes of a query without the colour codes a paste
 * from a terminal may carry: in "\e[31mRussia" the "31m" would glue to
 * the word. Such sequences (ESC [ digits letter) go; other control
 * characters already separate words. Returns the copy's length. */
static size_t copy_without_colour_codes(char *out, const char *q, size_t len) {
  size_t n = 0;
  for (size_t i = 0; i < len; i++) {
    if (q[i] == '\x1b' && i + 1 < len && q[i + 1] == '[') {
      size_t j = i + 2;
      while (j < len && (isdigit((unsigned char)q[j]) || q[j] == ';'))
        j++;
      if (j < len && isalpha((unsigned char)q[j])) {
        i = j; /* the whole sequence */
        continue;
      }
    }
    out[n++] = q[i];
  }
  return n;
}

/* Adds text to the page's note, after the parser's ("; " between).
 * -1 if memory ran out. */
static int add_note(sr_page *page, const char *text) {
  const char *old = page->parsed.note;
  size_t ol = old ? strlen(old) : 0, tl = strlen(text);
  char *note = malloc(ol + 2 + tl + 1);
  if (!note) return -1;
  if (old) {
    memcpy(note, old, ol);
    memcpy(note + ol, "; ", 2);
    ol += 2;
  }
  memcpy(note + ol, text, tl + 1);
  free(page->parsed.note);
  page->parsed.note = note;
  page->result.note = note;
  return 0;
}

/* Parses the query for this engine into page->parsed (with --like's
 * query when asked). 0, or -1 with err filled. */
static int parse(sr_engine *e, const sr_params *p, const char *text, size_t len,
                 sr_page *page, cr_error *err) {
  if (sr_build_query(&e->rd, p, e->local && !e->hurried, e->remote, text, len,
                     &page->parsed, err) != 0)
    return -1;
  if (page->parsed.unchecked &&
      add_note(page, e->local
                         ? "the index kept changing while phrases, quoted "
                           "words and wildcards were checked: they match by "
                           "their stems"
                         : "over remote shards, phrases, quoted words and "
                           "wildcards match by their stems, not as typed") !=
          0) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  if (sr_restrict_to_id(p, &page->parsed, err) != 0) return -1;
  page->result.note = page->parsed.note;
  /* The patterns snippets show: those not excluded. */
  free(page->patterns);
  page->n_patterns = 0;
  page->patterns = malloc((page->parsed.n_checks + 1) * sizeof *page->patterns);
  if (!page->patterns) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  for (size_t i = 0; i < page->parsed.n_checks; i++)
    if (page->parsed.checks[i]->wanted)
      page->patterns[page->n_patterns++] = &page->parsed.checks[i]->pattern;
  return 0;
}

/* A date filter or --sort date on an index where no article has a date
 * finds nothing, or an arbitrary order: say why. An index whose values
 * cannot be read gets no note (the search itself will tell). */
static int note_if_dateless(sr_engine *e, const sr_params *p, sr_page *page) {
  if (!page->parsed.filtered && p->search.sort_slot != CR_SLOT_DATE) return 0;
  uint32_t docs = 0, dated = 0;
  cr_error ignored;
  if (cr_rdb_doccount(e->db, &docs, &ignored) != 0 || docs == 0 ||
      cr_rdb_value_freq(e->db, CR_SLOT_DATE, &dated, &ignored) != 0 ||
      dated > 0)
    return 0;
  return add_note(page, page->parsed.filtered
                            ? "no article in this index has a date: date "
                              "filters match nothing"
                            : "no article in this index has a date: --sort "
                              "date keeps no order");
}

/* Whether the suggestion sugg finds something, and at least the found
 * matches of the query it corrects: a correction that finds nothing
 * ("Corea del Nord" -> "Corsa del Nord") or less helps no one. (Not
 * strictly more: "sindaco Federico" finds as many articles as "sindaco
 * Frederico", the mayor's, and is still the one to read.) Counted, not
 * ranked: at 200,000 articles the ranked counts of 6 questions' 5,000 to
 * 11,000 matches were a third of what 100 questions cost. Any failure:
 * no. */
static bool finds_as_much(sr_engine *e, const sr_params *p, const char *sugg,
                          uint32_t found) {
  cr_parsed_query pq;
  cr_error ignored;
  if (cr_parse_query(e->an, sugg, strlen(sugg), &p->qp, &pq, &ignored) != 0)
    return false;
  bool more = false;
  if (pq.query && cr_rdb_matches_at_least(e->db, pq.query, found ? found : 1,
                                          &more, &ignored) != 0)
    more = false;
  cr_parsed_query_free(&pq);
  return more;
}

/* sr_run's copies of the query: as typed, and as searched (the same one
 * unless quotes were loosened). */
static void free_texts(char *typed, char *searched) {
  if (searched != typed) free(searched);
  free(typed);
}

int sr_run(sr_engine *e, const char *text, size_t len, const sr_params *p,
           sr_page *page, cr_error *err) {
  memset(page, 0, sizeof *page);
  double t0 = now_ms();
  page->result.query = text;
  page->result.query_len = len;
  char *clean = malloc(len + 1);
  if (!clean) {
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  e->hurried = false;
  size_t clean_len = copy_without_colour_codes(clean, text, len);
  e->text = clean;
  e->text_len = clean_len;
  if (parse(e, p, clean, clean_len, page, err) != 0) {
    free(clean);
    return -1;
  }
  /* Quotes no article holds are searched by their words (quotes.h); the
   * suggestion is still made for the query as typed. */
  char *typed = clean, *loose, *loose_note;
  size_t typed_len = clean_len, loose_len;
  int lrc = sr_loosen_quotes(e, p, &page->parsed, clean, clean_len, &loose,
                             &loose_len, &loose_note, err);
  if (lrc > 0) {
    clean = loose;
    clean_len = loose_len;
    e->text = clean;
    e->text_len = clean_len;
    cr_parsed_query_free(&page->parsed);
    lrc = parse(e, p, clean, clean_len, page, err);
    if (lrc == 0 && add_note(page, loose_note) != 0) {
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      lrc = -1;
    }
    free(loose_note);
  }
  if (lrc < 0) {
    free_texts(typed, clean);
    return -1;
  }
  if (note_if_dateless(e, p, page) != 0) {
    free_texts(typed, clean);
    cr_error_set(err, CR_E_NOMEM, "out of memory");
    return -1;
  }
  if (!page->parsed.query) { /* nothing searchable: zero hits, a note */
    free_texts(typed, clean);
    page->result.exact = true;
    page->result.took_ms = now_ms() - t0;
    return 0;
  }
  int rc = 1;
  for (int tries = 0; rc > 0 && tries < SR_ATTEMPTS; tries++) {
    if (tries > 0) {
      drop_hits(page);
      pause_before(tries);
      /* The reopen itself can meet a commit in progress. */
      if (cr_rdb_reopen(e->db, err) != 0) {
        rc = err && sr_may_be_a_commit(err->code) ? 1 : -1;
        continue;
      }
      for (size_t k = 1; k < e->n_workers; k++) {
        cr_error ignored; /* a failed one is reopened before it is used */
        cr_rdb_reopen(e->workers[k].rd.db, &ignored);
      }
    }
    /* Half the attempts gone: the writer commits faster than this query
     * runs. Counting past the page (exact phrase counts) goes, so the
     * page itself can be had; the count then says "about". */
    bool hurried = tries >= SR_ATTEMPTS / 2;
    if (hurried && !e->hurried && page->parsed.n_checks > 0) {
      /* Reading the candidates' texts takes longer than the writer's
       * commits leave: the stems decide, and a note says so. */
      e->hurried = true;
      cr_parsed_query_free(&page->parsed);
      if (parse(e, p, clean, clean_len, page, err) != 0) {
        rc = -1;
        break;
      }
    }
    rc = attempt(e, p, page, tries == SR_ATTEMPTS - 1, hurried, err);
    if (rc < 0 && err && err->code == CR_E_UNSUPPORTED && e->local) {
      /* A remote shard cannot run the exact tests: from now on the stems
       * decide, for this query and the next. */
      e->local = false;
      drop_hits(page);
      cr_parsed_query_free(&page->parsed);
      rc = parse(e, p, clean, clean_len, page, err) == 0 ? 1 : -1;
      tries = -1;
    }
  }
  /* Still failing: a real I/O error or damage keeps its own message. */
  if (rc > 0 && err && err->code == CR_E_MODIFIED)
    cr_error_set(err, CR_E_MODIFIED,
                 "the index kept changing while it was read; try again");
  /* How rare a word must be to be corrected depends on what the query
   * finds (spelling.h): among plenty of matches, a rare word is as often
   * a real one ("placenta") as a typo. */
  if (rc == 0 && p->suggest && !p->like) {
    bool rare = false;
    cr_error serr;
    if (sr_suggest(e->db, e->an, typed, typed_len, page->parsed.query,
                   page->mset, page->result.estimated, &page->suggestion, &rare,
                   &serr) != 0) {
      /* A suggestion is a courtesy: the results stand without it. A
       * lookup that met a newer commit leaves Xapian's reader answering
       * the next query with nothing, not an error: reopen (a failed
       * reopen shows in the next query's own retries). */
      if (serr.code == CR_E_NOMEM) {
        cr_error_set(err, CR_E_NOMEM, "%s", serr.message);
        rc = -1;
      } else if (serr.code == CR_E_MODIFIED) {
        cr_error ignored;
        cr_rdb_reopen(e->db, &ignored);
      }
    }
    if (page->suggestion &&
        !finds_as_much(e, p, page->suggestion, page->result.estimated)) {
      free(page->suggestion);
      page->suggestion = NULL;
    }
    page->result.suggestion = page->suggestion;
    /* Xapian's remote protocol carries no spelling data: a word remote
     * shards alone hold is never corrected. Say so rather than stay
     * silent where local shards would answer. */
    if (!page->suggestion && rare && e->remote &&
        add_note(page, "no spelling suggestion from remote shards (Xapian's "
                       "remote protocol has no spelling data)") != 0) {
      cr_error_set(err, CR_E_NOMEM, "out of memory");
      rc = -1;
    }
  }
  free_texts(typed, clean);
  page->result.took_ms = now_ms() - t0;
  return rc == 0 ? 0 : -1;
}

cr_rdb *sr_engine_db(sr_engine *e) { return e->db; }
cr_analyzer *sr_engine_analyzer(sr_engine *e) { return e->an; }
cr_textpack *sr_engine_textpack(sr_engine *e) { return e->tp; }

void sr_page_free(sr_page *page) {
  if (!page) return;
  drop_hits(page);
  free(page->suggestion);
  free(page->patterns);
  cr_parsed_query_free(&page->parsed);
  memset(page, 0, sizeof *page);
}
