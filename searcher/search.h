/* search.h — running one query against the open index.
 *
 * An sr_engine holds what every query reuses: the open databases and one
 * analyzer (creating either costs more than a typical query). sr_run
 * parses the text, runs it (reopening the index and retrying when a
 * writer changed it mid-read), and gathers the page of hits into an
 * out_result ready for output.h's renderers: stored fields parsed and
 * snippets made only for the hits shown.
 */
#ifndef CRONACA_SEARCH_H
#define CRONACA_SEARCH_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer.h"
#include "error.h"
#include "facets.h"
#include "output.h"
#include "query_parser.h"
#include "rerank.h"
#include "snippet.h"
#include "textpack.h"
#include "xapian_c.h"

typedef struct sr_engine sr_engine;

typedef struct sr_params {
  cr_qp_opts qp;           /* how the text becomes a query */
  cr_search_opts search;   /* page, weighting, order */
  sr_rerank_opts rerank;   /* the best hits reordered by word proximity
                              (relevance order only) */
  bool snippets;           /* make a snippet for each hit shown */
  cr_snippet_opts snippet; /* its length and highlight markers */
  bool collapse;           /* one hit per group of near duplicates */
  sr_facet_kind facets[SR_MAX_FACETS]; /* counted over all matches */
  size_t n_facets;
  bool suggest;        /* offer a spelling correction of rare words */
  bool strict_quotes;  /* a quote no article holds finds nothing, rather
                          than its words (quotes.h) */
  const char *like;    /* an article id: find articles like it; the
                          query text, if any, only filters */
  bool explain;        /* each hit's terms and their weights (explain.h) */
  bool exact_count;    /* count every match (--count): exact, slower */
  const char *only_id; /* an article id: the query runs on that article
                          alone (--show highlights with it) */
  unsigned threads;    /* threads a search of several local shards uses,
                          one per shard: 0 as many as the cores, 1 none */
  bool synonyms;       /* expand by the index's synonym table (expand.h),
                          which each thread reads on its own handle: not
                          through qp.synonyms, which every thread would
                          call with the one context */
} sr_params;

/* Defaults: 10 hits by relevance, snippets with OUT_MARK_* markers,
 * suggestions on, no collapsing, no facets. */
sr_params sr_params_default(void);

/* Opens the databases (directories or stub files) as one, and an analyzer
 * for language (NULL: the one the index was built for; Italian for an
 * index from before that was recorded). NULL with err filled on
 * failure. */
sr_engine *sr_open(const char *const *paths, size_t n_paths,
                   const char *language, cr_error *err);
void sr_close(sr_engine *e);

/* One page of results; everything it points to lives until sr_page_free. */
typedef struct sr_page {
  out_result result;         /* hand this to out_text / out_json */
  out_hit *hits;             /* result.hits */
  void *stored;              /* cr_stored per hit (parsed data) */
  char **snippets;           /* per hit, malloc'd or NULL */
  cr_parsed_query parsed;    /* the query (and the parser's note) */
  const cr_exact **patterns; /* its exact patterns snippets show */
  size_t n_patterns;
  cr_mset *mset; /* the hits' data is read from here */
  out_facet facets[SR_MAX_FACETS];
  char *suggestion;
} sr_page;

/* Runs text[0..len) (any bytes) and fills page. Returns -1 with err filled
 * only when the index cannot be read (or memory ran out), or --like names
 * an article the index does not have (CR_E_NOT_FOUND); a query that
 * matches nothing, or that has nothing searchable, is a success. */
int sr_run(sr_engine *e, const char *text, size_t len, const sr_params *p,
           sr_page *page, cr_error *err);
void sr_page_free(sr_page *page);

/* What the engine opened, for modules that read one article (show.c). */
cr_rdb *sr_engine_db(sr_engine *e);
cr_analyzer *sr_engine_analyzer(sr_engine *e);
cr_textpack *sr_engine_textpack(sr_engine *e);

#endif
