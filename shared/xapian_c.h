/* xapian_c.h — the small C API over the part of Xapian cronaca uses.
 *
 * Implemented in xapian_c.cc, the project's only C++ file. Handles are
 * opaque; no C++ type appears here and no exception crosses into C.
 *
 * One error contract for every call: a call that can fail takes a
 * cr_error (NULL if the caller wants no message) and returns -1 (or NULL,
 * for a call that makes a handle) with err filled; its results go through
 * out-parameters. So a failed count is never 0, a lookup that failed is
 * never "absent", and an iterator that threw half-way is never "done".
 * err's code says what kind of failure it was (CR_E_LOCKED,
 * CR_E_MODIFIED, ...). Calls without a cr_error cannot fail.
 *
 * Ownership: every *_new / *_open / query constructor returns a handle the
 * caller frees with the matching *_free / *_close. Query constructors copy
 * their sub-queries (Xapian queries are reference counted), so the caller
 * still frees the sub-queries it passed in.
 */
#ifndef CRONACA_XAPIAN_C_H
#define CRONACA_XAPIAN_C_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "error.h"

#ifdef __cplusplus
extern "C" {
/* The definitions promise C++ nothing ever leaves them. */
#define CR_NOEXCEPT noexcept
#else
#define CR_NOEXCEPT
#endif

typedef uint32_t cr_docid;

typedef struct cr_wdb cr_wdb;     /* a writable database */
typedef struct cr_rdb cr_rdb;     /* one or more databases opened to read */
typedef struct cr_doc cr_doc;     /* a document being built */
typedef struct cr_query cr_query; /* a query tree */
typedef struct cr_mset cr_mset;   /* one page of ranked results */

/* ---- Writing ---------------------------------------------------------- */

enum cr_wdb_flags {
  CR_WDB_CREATE_OR_OPEN = 0,      /* open, creating it if missing */
  CR_WDB_CREATE_OR_OVERWRITE = 1, /* start from an empty database */
  CR_WDB_OPEN = 2,                /* must exist already */
  /* For throw-away shards only: no fsync, and writes in place, so a crash
   * can leave the database unreadable. */
  CR_WDB_NO_SYNC = 1 << 4,
  CR_WDB_DANGEROUS = 1 << 5,
  /* Spelling words are counted over the whole session and written at
   * close, not at each commit: for shards nobody reads before they are
   * closed. Much cheaper; a word must then be in more documents if the
   * shard holds more than a commit's (spelling.h). */
  CR_WDB_SPELLING_AT_CLOSE = 1 << 6,
};

/* Opens (or creates) a glass database at path. A second writer on the
 * same path fails with CR_E_LOCKED. */
cr_wdb *cr_wdb_open(const char *path, int flags, cr_error *err) CR_NOEXCEPT;
/* Commits pending changes (unless inside a transaction, which is
 * cancelled) and closes. Frees the handle even when it fails. */
int cr_wdb_close(cr_wdb *db, cr_error *err) CR_NOEXCEPT;

int cr_wdb_commit(cr_wdb *db, cr_error *err) CR_NOEXCEPT;
int cr_wdb_begin_transaction(cr_wdb *db, cr_error *err) CR_NOEXCEPT;
int cr_wdb_commit_transaction(cr_wdb *db, cr_error *err) CR_NOEXCEPT;
int cr_wdb_cancel_transaction(cr_wdb *db, cr_error *err) CR_NOEXCEPT;

/* Adds doc, or replaces every document indexed by id_term with it. */
int cr_wdb_replace(cr_wdb *db, const char *id_term, const cr_doc *doc,
                   cr_error *err) CR_NOEXCEPT;
/* Deletes every document indexed by term (no error if there is none). */
int cr_wdb_delete(cr_wdb *db, const char *term, cr_error *err) CR_NOEXCEPT;
/* Deletes one document. */
int cr_wdb_delete_doc(cr_wdb *db, cr_docid id, cr_error *err) CR_NOEXCEPT;
/* Whether document id is indexed by term: 1, 0, or -1 with err filled
 * (no such document, say). */
int cr_wdb_doc_has_term(cr_wdb *db, cr_docid id, const char *term,
                        cr_error *err) CR_NOEXCEPT;
/* For each document indexed by term, calls fn with its docid and its
 * first term that starts with prefix (an empty string if it has none).
 * Returns 0, fn's first non-zero return, or -1 with err filled. */
typedef int (*cr_doc_term_fn)(cr_docid id, const char *term, size_t len,
                              void *ctx);
int cr_wdb_docs_with(cr_wdb *db, const char *term, const char *prefix,
                     cr_doc_term_fn fn, void *ctx, cr_error *err) CR_NOEXCEPT;

/* The number of documents, and of documents indexed by term, in *out:
 * 0, or -1 with err filled. */
int cr_wdb_doccount(cr_wdb *db, uint32_t *out, cr_error *err) CR_NOEXCEPT;
int cr_wdb_termfreq(cr_wdb *db, const char *term, uint32_t *out,
                    cr_error *err) CR_NOEXCEPT;

/* User metadata, committed with the documents. get sets *out to a
 * malloc'd, NUL-terminated copy (NULL and *len = 0 when the key is
 * absent) and returns 0, or -1 with err filled. */
int cr_wdb_set_metadata(cr_wdb *db, const char *key, const char *value,
                        size_t len, cr_error *err) CR_NOEXCEPT;
int cr_wdb_get_metadata(cr_wdb *db, const char *key, char **out, size_t *len,
                        cr_error *err) CR_NOEXCEPT;
/* Calls fn for each metadata key starting with prefix. Returns 0, fn's
 * first non-zero return, or -1 with err filled. */
typedef int (*cr_key_fn)(const char *key, size_t key_len, void *ctx);
int cr_wdb_metadata_keys(cr_wdb *db, const char *prefix, cr_key_fn fn,
                         void *ctx, cr_error *err) CR_NOEXCEPT;

/* Metadata: each term's largest wdf, where it is below the bound Xapian
 * knows (its collection frequency, or the database's largest wdf), under
 * this prefix + the term, in decimal; and under the second key the
 * revision they describe. */
#define CR_META_WDF_BOUND_PREFIX "cronaca:wmax:"
#define CR_META_WDF_BOUNDS "cronaca:wmax"
/* The largest wdf of each term of the documents a writer was given,
 * gathered as they are written, so that a new index's bounds need no
 * second read of every posting (a build's shards, compacted into it).
 * Terms under skip_prefix (NULL: none) are left out: the ids, one
 * document each. Past max_terms distinct terms the table is dropped and
 * the bounds are read instead: a build gives its workers a share each of
 * CR_WDF_BOUNDS_MAX_TERMS (some 70 bytes a term, so about 140 MB in
 * all at most). cr_wdf_bounds_new returns NULL when out of memory. */
#define CR_WDF_BOUNDS_MAX_TERMS 2000000u
typedef struct cr_wdf_bounds cr_wdf_bounds;
cr_wdf_bounds *cr_wdf_bounds_new(const char *skip_prefix,
                                 size_t max_terms) CR_NOEXCEPT;
void cr_wdf_bounds_free(cr_wdf_bounds *b) CR_NOEXCEPT;
/* From now on every document db writes (cr_wdb_replace) is noted in b,
 * which must outlive those writes. */
void cr_wdb_gather_bounds(cr_wdb *db, cr_wdf_bounds *b) CR_NOEXCEPT;

/* Stores the bounds above for every term in two documents or more (one
 * document's wdf is its collection frequency already), after removing
 * every key under the prefix, with the revision their commit makes, and
 * commits. A search prunes by them (cr_search_opts.prune) for as long as
 * nothing else is committed; an index without them, or changed since,
 * is pruned by Xapian's bounds. The bounds come from the n parts
 * gathered from every document db holds (a term's largest wdf over
 * them; replaced documents may leave a bound loose, never short), which
 * are emptied on the way, or, with n = 0 or a part that overflowed, from
 * reading every posting once. 0, or -1 with err filled. */
int cr_wdb_store_wdf_bounds(cr_wdb *db, cr_wdf_bounds *const *parts, size_t n,
                            cr_error *err) CR_NOEXCEPT;

/* Records a word for spelling suggestions ("did you mean"), as if freq_inc
 * more documents held it. */
int cr_wdb_add_spelling(cr_wdb *db, const char *word, unsigned freq_inc,
                        cr_error *err) CR_NOEXCEPT;

/* Calls fn for every document that has a value in slot, in docid order.
 * Returns 0, fn's first non-zero return, or -1 with err filled. */
typedef int (*cr_value_fn)(cr_docid id, const char *value, size_t len,
                           void *ctx);
int cr_wdb_values(cr_wdb *db, unsigned slot, cr_value_fn fn, void *ctx,
                  cr_error *err) CR_NOEXCEPT;
/* One value of a stored document: *out malloc'd, NULL when absent; 0, or
 * -1 with err filled (no such document, say). */
int cr_wdb_doc_value(cr_wdb *db, cr_docid id, unsigned slot, char **out,
                     size_t *len, cr_error *err) CR_NOEXCEPT;
/* Sets (len > 0) or removes (len == 0) one value of a stored document,
 * leaving its terms and data as they are. */
int cr_wdb_set_doc_value(cr_wdb *db, cr_docid id, unsigned slot,
                         const char *value, size_t len,
                         cr_error *err) CR_NOEXCEPT;

/* Merges the source databases into a new compact one at dest (Xapian's
 * compactor, fully compacted, multipass). dest must not exist. */
int cr_compact(const char *const *sources, size_t n_sources, const char *dest,
               cr_error *err) CR_NOEXCEPT;

/* ---- Documents -------------------------------------------------------- */

cr_doc *cr_doc_new(cr_error *err) CR_NOEXCEPT;
void cr_doc_free(cr_doc *doc) CR_NOEXCEPT;
/* Empties the document for reuse. */
int cr_doc_clear(cr_doc *doc, cr_error *err) CR_NOEXCEPT;
/* Adds term at a word position, raising its within-document frequency by
 * wdf_inc. */
int cr_doc_add_posting(cr_doc *doc, const char *term, size_t len,
                       uint32_t position, uint32_t wdf_inc,
                       cr_error *err) CR_NOEXCEPT;
/* Adds term without a position (ids, filters, dates). */
int cr_doc_add_term(cr_doc *doc, const char *term, size_t len, uint32_t wdf_inc,
                    cr_error *err) CR_NOEXCEPT;
int cr_doc_set_value(cr_doc *doc, unsigned slot, const char *value, size_t len,
                     cr_error *err) CR_NOEXCEPT;
int cr_doc_set_data(cr_doc *doc, const char *data, size_t len,
                    cr_error *err) CR_NOEXCEPT;
/* A word the index should learn for spelling suggestions when the
 * document is stored (cr_wdb_replace adds it to the spelling data). */
int cr_doc_add_spelling(cr_doc *doc, const char *word, size_t len,
                        cr_error *err) CR_NOEXCEPT;
/* Adds term once with its final within-document frequency wdf and its
 * n_positions positions (none: a term without positions), as wdf calls of
 * cr_doc_add_posting would: how cr_schema_build hands over its terms. */
int cr_doc_add_term_positions(cr_doc *doc, const char *term, size_t len,
                              uint32_t wdf, const uint32_t *positions,
                              size_t n_positions, cr_error *err) CR_NOEXCEPT;

/* ---- Reading ---------------------------------------------------------- */

/* Opens the databases at paths (each a database directory or a stub file,
 * whose lines may name local shards or `remote HOST:PORT` servers) and
 * searches them as one. Xapian gathers the collection statistics of every
 * shard, so weights are those of one big index. A remote shard that
 * cannot be reached fails with CR_E_NETWORK and a message naming it. */
cr_rdb *cr_rdb_open(const char *const *paths, size_t n_paths,
                    cr_error *err) CR_NOEXCEPT;
void cr_rdb_close(cr_rdb *db) CR_NOEXCEPT;
/* Brings the reader to the latest commit (after CR_E_MODIFIED). */
int cr_rdb_reopen(cr_rdb *db, cr_error *err) CR_NOEXCEPT;
/* As cr_wdb_doccount and cr_wdb_termfreq, for a reader. */
int cr_rdb_doccount(cr_rdb *db, uint32_t *out, cr_error *err) CR_NOEXCEPT;
int cr_rdb_termfreq(cr_rdb *db, const char *term, uint32_t *out,
                    cr_error *err) CR_NOEXCEPT;
/* User metadata (of the first database when several are open), as
 * cr_wdb_get_metadata. */
int cr_rdb_get_metadata(cr_rdb *db, const char *key, char **out, size_t *len,
                        cr_error *err) CR_NOEXCEPT;
/* How many databases are open as one (shards, several paths). */
size_t cr_rdb_shard_count(cr_rdb *db) CR_NOEXCEPT;
/* User metadata of the k-th of them (from 0) alone, as
 * cr_rdb_get_metadata: what differs between shards, such as their text
 * dictionaries. */
int cr_rdb_shard_metadata(cr_rdb *db, size_t k, const char *key, char **out,
                          size_t *len, cr_error *err) CR_NOEXCEPT;
/* One value of a document, as cr_wdb_doc_value. */
int cr_rdb_doc_value(cr_rdb *db, cr_docid id, unsigned slot, char **out,
                     size_t *len, cr_error *err) CR_NOEXCEPT;
/* As cr_wdb_values, for a reader. */
int cr_rdb_values(cr_rdb *db, unsigned slot, cr_value_fn fn, void *ctx,
                  cr_error *err) CR_NOEXCEPT;
/* The first document indexed by term (an id term names one) in *out, 0
 * when there is none: 0, or -1 with err filled. */
int cr_rdb_docid_of(cr_rdb *db, const char *term, cr_docid *out,
                    cr_error *err) CR_NOEXCEPT;
/* The max_terms terms that best characterise the documents in rset
 * (Xapian's relevance feedback), best first; only terms keep keeps (the
 * words of titles and bodies, say). fn gets each term and its weight. Returns
 * 0, fn's first non-zero return, or -1 with err filled. */
typedef int (*cr_term_weight_fn)(const char *term, size_t len, double weight,
                                 void *ctx);
/* A test of a term (NUL-terminated, len bytes): true to keep it. */
typedef bool (*cr_term_pred)(const char *term, size_t len);
int cr_rdb_expand(cr_rdb *db, const cr_docid *rset, size_t n_rset,
                  unsigned max_terms, cr_term_pred keep, cr_term_weight_fn fn,
                  void *ctx, cr_error *err) CR_NOEXCEPT;
/* Calls fn for each term in the whole index starting with prefix. Returns
 * 0, fn's first non-zero return, or -1 with err filled. */
int cr_rdb_allterms(cr_rdb *db, const char *prefix, cr_key_fn fn, void *ctx,
                    cr_error *err) CR_NOEXCEPT;
/* How many documents have a value in slot: 0 with *count set, or -1
 * with err filled. */
int cr_rdb_value_freq(cr_rdb *db, unsigned slot, uint32_t *count,
                      cr_error *err) CR_NOEXCEPT;
/* Best spelling correction for word from the index's spelling data: *out
 * malloc'd, or NULL when there is none; 0, or -1 with err filled. */
int cr_rdb_spelling_suggestion(cr_rdb *db, const char *word,
                               unsigned max_edit_distance, char **out,
                               cr_error *err) CR_NOEXCEPT;

/* The word positions of term in document id, ascending: writes the first
 * cap of them to out and returns how many there are (0 when the document
 * lacks the term or has no positions for it), or -1 with err filled. */
long cr_rdb_positions(cr_rdb *db, cr_docid id, const char *term, uint32_t *out,
                      size_t cap, cr_error *err) CR_NOEXCEPT;
/* cr_rdb_positions of one term in each of the documents ids[0..n), given
 * in ascending order: counts[k] is how many positions document ids[k] has,
 * at most cap (0 when it lacks the term), those first ones at out + k *
 * cap; unlike cr_rdb_positions the rest is not decoded. The term's posting
 * list, skipped to each document, tells which hold it, and only those
 * positions are read: each position read opens a cursor of its own on
 * glass's position table (two block reads), whether the document holds
 * the term or not. 0, or -1 with err filled. */
int cr_rdb_positions_in(cr_rdb *db, const char *term, const cr_docid *ids,
                        size_t n, uint32_t *out, size_t cap, long *counts,
                        cr_error *err) CR_NOEXCEPT;

/* ---- Queries ---------------------------------------------------------- */

enum cr_query_op {
  CR_OP_AND,
  CR_OP_OR,
  CR_OP_AND_NOT,   /* first sub-query minus the others */
  CR_OP_FILTER,    /* first sub-query, restricted to the others, unweighted */
  CR_OP_AND_MAYBE, /* first required, the others only add weight */
  CR_OP_PHRASE,    /* in order, within window positions */
  CR_OP_NEAR,      /* any order, within window positions */
  CR_OP_SYNONYM,   /* one term for weighting purposes */
  CR_OP_ELITE_SET, /* the window best-weighted terms of an OR */
};

/* Every query constructor returns a new query, or NULL with err filled
 * (out of memory, or an argument Xapian refuses). */

/* A single term; wqf is its within-query frequency (1 for most),
 * position its word position in the query (0 if none). */
cr_query *cr_query_term(const char *term, uint32_t wqf, uint32_t position,
                        cr_error *err) CR_NOEXCEPT;
/* Combines n sub-queries with op. window applies to PHRASE/NEAR (0 means
 * the number of sub-queries) and ELITE_SET (set size). n == 0 gives the
 * empty query, which matches nothing. An op not in enum cr_query_op fails
 * with CR_E_INVALID. */
cr_query *cr_query_combine(enum cr_query_op op, cr_query *const *subs, size_t n,
                           unsigned window, cr_error *err) CR_NOEXCEPT;
/* Documents whose value in slot lies in [lo, hi] (bytewise; NULL = open). */
cr_query *cr_query_value_range(unsigned slot, const char *lo, const char *hi,
                               cr_error *err) CR_NOEXCEPT;
/* Every term starting with prefix, OR'd (as a synonym), up to
 * max_expansion terms (0 = no limit). */
cr_query *cr_query_wildcard(const char *prefix, unsigned max_expansion,
                            cr_error *err) CR_NOEXCEPT;
/* q with every weight multiplied by factor (0 makes it a pure filter). */
cr_query *cr_query_scale(const cr_query *q, double factor,
                         cr_error *err) CR_NOEXCEPT;
/* Every document: a query of its own, which threads may make at once (as
 * cr_query_value_range with neither bound). */
cr_query *cr_query_match_all(cr_error *err) CR_NOEXCEPT;
void cr_query_free(cr_query *q) CR_NOEXCEPT;
/* Xapian's description of the query (for tests and --explain): malloc'd,
 * or NULL with err filled. */
char *cr_query_describe(const cr_query *q, cr_error *err) CR_NOEXCEPT;
/* Calls fn for each distinct term in the query (wildcards unexpanded).
 * Returns 0, fn's first non-zero return, or -1 with err filled. */
int cr_query_terms(const cr_query *q, cr_key_fn fn, void *ctx,
                   cr_error *err) CR_NOEXCEPT;

/* A test the matcher runs on candidate documents, for what terms cannot
 * tell: an exact phrase with its stop words and sentence breaks, a word
 * form rather than its stem. fn gets the candidate's values in text_slot
 * and card_slot (NULL, 0 when absent) and returns 1 to keep it, 0 to drop
 * it, -1 when memory ran out (the search then fails with CR_E_NOMEM). */
typedef int (*cr_check_fn)(const char *text, size_t text_len, const char *card,
                           size_t card_len, void *ctx);
/* The documents that fn keeps: a weightless filter, to be ANDed with the
 * query that ranks them (the matcher then tests only the documents that
 * query lets through). With n_terms >= 2, a document must first hold
 * terms[i] at position p + offsets[i] for some p (a phrase's stems at the
 * query's own distances, stop words counted): a cheap test before fn.
 * ctx must outlive every search with the query. It cannot be sent to a
 * remote server: cr_search then fails with CR_E_UNSUPPORTED. */
cr_query *cr_query_checked(const char *const *terms, const uint32_t *offsets,
                           size_t n_terms, unsigned text_slot,
                           unsigned card_slot, cr_check_fn fn, void *ctx,
                           cr_error *err) CR_NOEXCEPT;

/* ---- Searching -------------------------------------------------------- */

typedef struct cr_bm25 {
  double k1, k2, k3, b, min_normlen; /* Xapian::BM25Weight's parameters */
  double scale; /* every weight times this (1: BM25's own; impacts.h) */
} cr_bm25;

#define CR_MAX_COUNT_SLOTS 4

typedef struct cr_search_opts {
  cr_bm25 bm25;            /* weighting */
  uint32_t offset;         /* first result (0-based) */
  uint32_t count;          /* results wanted */
  uint32_t check_at_least; /* exact counts up to this many matches */
  int sort_slot;           /* -1: by relevance; else by this value slot */
  bool sort_descending;    /* with sort_slot: largest value first */
  int collapse_slot;       /* -1: no collapsing; else one hit per value */
  /* Value slots whose values are counted over the matches the matcher
   * looks at (all of them when check_at_least >= the document count). */
  unsigned count_slots[CR_MAX_COUNT_SLOTS];
  unsigned n_count_slots;
  /* -1: every match is counted; else matches with the same value in this
   * slot are counted once (copies of one article in two databases). Local
   * databases only: Xapian cannot send this counter to a remote server. */
  int count_once_slot;
  /* Every database is local: BM25 at b = 0 and k2 = 0 (over impacts) is
   * then scored by a weight of the binding's own, Xapian's BM25Weight
   * formula for formula (the same scores and bounds) without its
   * per-posting length arithmetic. A remote server knows only Xapian's
   * weights. */
  bool local;
  /* With local, ImpactBM25 and relevance order: a query of plain terms
   * (under OR, AND, AND_MAYBE and scaling, inside FILTERs and AND_NOTs)
   * is matched by the binding's own MaxScore over the terms' posting
   * lists, bounded by each term's largest wdf (cr_wdb_store_wdf_bounds):
   * the same hits and scores (each score summed in query order: sharded
   * and threaded searches give it to the last bit), fewer postings read.
   * Other queries run as without it. */
  bool prune;
} cr_search_opts;

/* Relevance order, 10 results, Xapian's BM25 defaults (k1 1, k2 0, k3 1,
 * b 0.5, min_normlen 0.5), no sort, no collapse. */
cr_search_opts cr_search_opts_default(void) CR_NOEXCEPT;

/* Runs q. Fails with CR_E_MODIFIED if the index changed while reading:
 * cr_rdb_reopen and run again. */
cr_mset *cr_search(cr_rdb *db, const cr_query *q, const cr_search_opts *opts,
                   cr_error *err) CR_NOEXCEPT;
/* Whether q matches at least n documents, into *out (n 0: true). The
 * matches are counted unweighted, and only when the query's own bounds
 * do not already tell: far cheaper than a search whose check_at_least is
 * n, which weighs every match it counts. 0, or -1 with err filled
 * (CR_E_MODIFIED as cr_search). */
int cr_rdb_matches_at_least(cr_rdb *db, const cr_query *q, uint32_t n,
                            bool *out, cr_error *err) CR_NOEXCEPT;
void cr_mset_free(cr_mset *m) CR_NOEXCEPT;

/* What the page itself holds, read from memory: these cannot fail, for
 * i < cr_mset_size(m). */
uint32_t cr_mset_size(const cr_mset *m) CR_NOEXCEPT; /* hits in this page */
uint32_t cr_mset_matches_estimated(const cr_mset *m) CR_NOEXCEPT;
/* Whether the estimate is the exact number of matches (the matcher's
 * lower and upper bounds meet). */
bool cr_mset_matches_exact(const cr_mset *m) CR_NOEXCEPT;
uint32_t cr_mset_rank(const cr_mset *m, uint32_t i) CR_NOEXCEPT; /* overall */
cr_docid cr_mset_docid(const cr_mset *m, uint32_t i) CR_NOEXCEPT;
double cr_mset_weight(const cr_mset *m, uint32_t i) CR_NOEXCEPT;
/* Documents folded into hit i by collapsing (0 without collapse). */
uint32_t cr_mset_collapse_count(const cr_mset *m, uint32_t i) CR_NOEXCEPT;

/* How many documents hold term, in *out, from the statistics the match
 * gathered for the query's terms (no lookup, even over remote shards; a
 * term outside the query is looked up). 0, or -1 with err filled. */
int cr_mset_termfreq(const cr_mset *m, const char *term, uint32_t *out,
                     cr_error *err) CR_NOEXCEPT;
/* Stored data / a value of hit i in *out, valid until cr_mset_free (NULL
 * with *len = 0 when absent): 0, or -1 with err filled (CR_E_MODIFIED
 * when the index changed since the search, say). */
int cr_mset_data(cr_mset *m, uint32_t i, const char **out, size_t *len,
                 cr_error *err) CR_NOEXCEPT;
int cr_mset_value(cr_mset *m, uint32_t i, unsigned slot, const char **out,
                  size_t *len, cr_error *err) CR_NOEXCEPT;
/* The counts of opts->count_slots[k]: fn gets each distinct value (in
 * ascending byte order) and how many matching documents have it. Returns
 * 0, fn's first non-zero return, or -1 with err filled. */
typedef int (*cr_count_fn)(const char *value, size_t len, uint32_t count,
                           void *ctx);
int cr_mset_value_counts(const cr_mset *m, unsigned k, cr_count_fn fn,
                         void *ctx, cr_error *err) CR_NOEXCEPT;
/* Calls fn for each query term that hit i's document contains, so
 * snippets can highlight what matched, in Enquire::get_matching_terms's
 * order. Wildcard expansions are not listed (Xapian reports the query's
 * own terms). Over local databases (cr_search_opts.local) the first call
 * answers for every hit from one posting list per query term. Returns 0,
 * fn's first non-zero return, or -1 with err filled. */
int cr_mset_matching_terms(cr_mset *m, uint32_t i, cr_key_fn fn, void *ctx,
                           cr_error *err) CR_NOEXCEPT;

/* ---- Fewer round trips to remote shards ------------------------------- */

/* Reads the values of key_slot and text_slot of hits [first, first + n)
 * now, so that cr_mset_value answers them from memory. Over remote shards
 * a document is a round trip, one at a time on each server (Xapian 1.4's
 * MSet::fetch() reads them one after the other): in relevance order one
 * more match of the same query brings both values of every hit as its
 * items' sort and collapse keys; hits it cannot bring (a value sort, more
 * documents tied at the last hit's weight than it returns, a page deep
 * down the list) are read whole, each database's beside the others'.
 * Local shards read as needed. 0, or -1 with err filled. */
int cr_mset_fetch(cr_mset *m, uint32_t first, uint32_t n, unsigned key_slot,
                  unsigned text_slot, cr_error *err) CR_NOEXCEPT;
/* Items cr_mset_fetch's match asks beyond twice the hits: ties at the
 * last hit's weight that it can return before a hit is read whole. */
#define CR_FETCH_SLACK 10
/* Hits before the ones cr_mset_fetch reads (--offset) beyond which they
 * are read whole: its match would return those hits' texts too. */
#define CR_FETCH_MAX_BEFORE 100
/* Query terms cr_mset_fetch_ids reports at most (one bit of a weight
 * each, exact in a double); with more, matching terms are read per hit. */
#define CR_FETCH_MAX_TERMS 52
/* For hits [first, first + n), whose unique terms are id_terms[0..n) (NULL
 * or "": not known), reads in one match what cr_mset_fetch did not bring:
 * the value of text_slot and, when terms, the matching terms
 * (cr_mset_matching_terms then answers from memory, with what Xapian's
 * term lists would say). Hits it cannot find are read per hit later, as
 * without it. 0, or -1 with err filled. */
int cr_mset_fetch_ids(cr_mset *m, uint32_t first, uint32_t n,
                      const char *const *id_terms, unsigned text_slot,
                      bool terms, cr_error *err) CR_NOEXCEPT;
/* The document counts of terms[0..n) in out (the number of documents for
 * ""), as n calls of cr_rdb_termfreq would give them, in one exchange
 * with each remote shard (the statistics of a match) rather than one per
 * term. 0, or -1 with err filled. */
int cr_rdb_termfreqs(cr_rdb *db, const char *const *terms, size_t n,
                     uint32_t *out, cr_error *err) CR_NOEXCEPT;

/* ---- Searching shards in threads -------------------------------------- */

/* Several readers of the same databases (one per thread: a Xapian handle
 * is not shared between threads) each search some of the shards, and
 * their pages are merged into one, the same as one search of them all:
 * every reader opened every shard, so the collection statistics, and the
 * weights, are those of the whole. Nothing of one reader's may meet
 * another thread while that thread runs, reference counts included
 * (Xapian's are not atomic): each thread builds its own queries, and the
 * parts of a merge are read and freed once their threads are joined. */

/* q, but only over the databases k of db (0-based, as opened) with
 * k % n_parts == part: a weightless filter that is empty on the others.
 * db must be the reader the query will run on. */
cr_query *cr_query_shard_part(const cr_query *q, cr_rdb *db, size_t part,
                              size_t n_parts, cr_error *err) CR_NOEXCEPT;
/* *same: whether a and b read the same revision of each of their
 * databases (local ones only). 0, or -1 with err filled. */
int cr_rdb_same_revisions(cr_rdb *a, cr_rdb *b, bool *same,
                          cr_error *err) CR_NOEXCEPT;
/* One page from the pages of n parts, each searched with opts but from
 * offset 0 and opts->offset + opts->count results: the hits ordered as
 * the matcher orders them (relevance then docid, or value then relevance
 * then docid), one per collapse key, cut at opts->offset and count; the
 * facet counts and match counts added up, and called exact when one
 * search would call its count exact (q over db, the whole query and a
 * reader of every shard, is asked for its bounds when the parts cannot
 * tell). Takes the parts (freed, even on failure); the merge reads hits'
 * data through them. NULL with err filled on failure. */
cr_mset *cr_mset_merge(cr_mset **parts, size_t n, const cr_search_opts *opts,
                       cr_rdb *db, const cr_query *q,
                       cr_error *err) CR_NOEXCEPT;

/* ---- The last line of defence ------------------------------------------ */

/* Makes an exception that Xapian lets escape from where nothing can catch
 * it (seen: a commit failing on a full disk throws again while Xapian
 * unwinds, and the C++ runtime would abort with "terminate called")
 * print "PROGRAM: what Xapian said" on stderr and exit with status 2. The
 * index keeps its last committed state (glass commits are atomic). Call
 * once, at the start of main. */
void cr_on_uncaught_exit(const char *program) CR_NOEXCEPT;

/* ---- Synonyms (synonyms.h says what the keys and values are) ---------- */

/* Adds value to the synonyms of key / removes it / removes every synonym
 * of key, committed with the database's next commit. 0, or -1 with err
 * filled. */
int cr_wdb_add_synonym(cr_wdb *db, const char *key, const char *value,
                       cr_error *err) CR_NOEXCEPT;
int cr_wdb_remove_synonym(cr_wdb *db, const char *key, const char *value,
                          cr_error *err) CR_NOEXCEPT;
int cr_wdb_clear_synonyms(cr_wdb *db, const char *key,
                          cr_error *err) CR_NOEXCEPT;
/* Calls fn for each synonym of key (in byte order): 0, fn's first
 * non-zero return, or -1 with err filled. */
int cr_wdb_synonyms(cr_wdb *db, const char *key, cr_key_fn fn, void *ctx,
                    cr_error *err) CR_NOEXCEPT;
/* The same over a search's databases: the synonyms of every local shard,
 * merged. A remote shard has none (Xapian's remote protocol does not
 * carry the synonym table). */
int cr_rdb_synonyms(cr_rdb *db, const char *key, cr_key_fn fn, void *ctx,
                    cr_error *err) CR_NOEXCEPT;
/* Calls fn for each key of the synonym table starting with prefix. */
int cr_rdb_synonym_keys(cr_rdb *db, const char *prefix, cr_key_fn fn, void *ctx,
                        cr_error *err) CR_NOEXCEPT;
int cr_wdb_synonym_keys(cr_wdb *db, const char *prefix, cr_key_fn fn, void *ctx,
                        cr_error *err) CR_NOEXCEPT;

/* ---- Inspecting a document being built (tests) ------------------------ */

/* What cr_doc_dump calls back with. A callback that returns non-zero
 * stops the dump; the one left NULL is not called. */
typedef struct cr_doc_dumper {
  /* Each term in byte order: its wdf and its n_positions positions,
   * ascending (none for a term without positions). */
  int (*term)(const char *term, size_t len, uint32_t wdf,
              const uint32_t *positions, size_t n_positions, void *ctx);
  /* Each value, by ascending slot. */
  int (*value)(unsigned slot, const char *value, size_t len, void *ctx);
  /* Each spelling word (cr_doc_add_spelling), in the order added. */
  int (*spelling)(const char *word, size_t len, void *ctx);
  void *ctx; /* passed to all three */
} cr_doc_dumper;

/* Lists everything doc holds through d: its terms, then its values, then
 * its spelling words. 0, the non-zero a callback returned, or -1 with err
 * filled if Xapian failed (or memory ran out). */
int cr_doc_dump(const cr_doc *doc, const cr_doc_dumper *d, cr_error *err);

#ifdef __cplusplus
}
#endif
#endif
