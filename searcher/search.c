/* search.c — running one query: its text cleaned and parsed, quotes no
 * article holds loosened, attempts retried while a writer commits, and
 * the spelling suggestion. */
#include "search.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine.h"
#include "impacts.h"
#include "quotes.h"
#include "schema.h"
#include "suggest.h"

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
  p.synonyms = false;
  return p;
}

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
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
  cr_qp_opts qp = sr_reader_qp(&e->rd, p);
  if (cr_parse_query(e->an, sugg, strlen(sugg), &qp, &pq, &ignored) != 0)
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
      sr_page_drop_hits(page);
      sr_pause_before(tries);
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
    rc = sr_page_attempt(e, p, page, tries == SR_ATTEMPTS - 1, hurried, err);
    if (rc < 0 && err && err->code == CR_E_UNSUPPORTED && e->local) {
      /* A remote shard cannot run the exact tests: from now on the stems
       * decide, for this query and the next. */
      e->local = false;
      sr_page_drop_hits(page);
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

void sr_page_free(sr_page *page) {
  if (!page) return;
  sr_page_drop_hits(page);
  free(page->suggestion);
  free(page->patterns);
  cr_parsed_query_free(&page->parsed);
  memset(page, 0, sizeof *page);
}
