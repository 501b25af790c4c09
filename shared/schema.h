/* schema.h — what an indexed article looks like inside the Xapian index.
 *
 * The indexer writes documents with cr_schema_build and the searcher reads
 * them back with cr_stored_parse; this header is the one place that says
 * which terms, values and data a document holds.
 *
 * Terms (every field is analysed with the shared analyzer):
 *   (no prefix)  the stem of every title, body, author and source word,
 *                with positions; title words come first and count
 *                CR_TITLE_WDF times, so they weigh more in BM25; the
 *                author and the source follow the body, each
 *                CR_BODY_POSITION_GAP positions on
 *   C            the word itself (folded, unstemmed) where it is written
 *                with a capital inside a sentence, and not in a place's
 *                name (via Aldo Moro): what tells the surname Costa from
 *                costo (Ccosta); no positions
 *   W            stop words as written (folded), no positions: a query
 *                of stop words alone finds them (Wnon)
 *   S            title stems, with positions           title:guerra
 *   A            author stems, with positions          author:"Fabrizio Grasso"
 *   XO           source stems (newspaper, site), with positions
 *   Q            the article id, exactly once per document
 *   XF           the source file the article came from (for --prune), as
 *                a hash of its path: short, and any path length fits
 *   Y / M / D    date as YYYY, YYYYMM, YYYYMMDD        date:2022-09
 *   A term's within-document frequency is not its count but its BM25
 *   impact (impacts.h): the count's tf part, normalised by the article's
 *   length, times CR_IMPACT_SCALE.
 * Values:
 *   CR_SLOT_DATE      "YYYYMMDD", sortable and range-filterable
 *   CR_SLOT_CLUSTER   near-duplicate cluster key, set by the indexer's
 *                     duplicate pass (indexer/duplicates.h) on articles
 *                     that have near duplicates; absent on the others
 *   CR_SLOT_AUTHOR    the author as given, for facet counts
 *   CR_SLOT_SOURCE    the source as given, for facet counts
 *   CR_SLOT_MINHASH   the body's near-duplicate signature (minhash.h), on
 *                     articles long enough to have one
 *   CR_SLOT_CARD      the article's card: id, title, date, author, source,
 *                     url (those it has), as tagged fields (schema.c);
 *                     enough to print a result line. A title derived from
 *                     the text is not stored, only marked: the reader
 *                     derives it again (cr_stored_derive_title)
 *   CR_SLOT_TEXT      the article's text (UTF-8) as zstd frames (a
 *                     head and the rest when it is long: textpack.h),
 *                     compressed with the index's text dictionary; read
 *                     for snippets and derived titles (the head only).
 *                     A value rather than the document data: Xapian runs
 *                     zlib over document data, at index time and again
 *                     when compacting, which on compressed text only costs
 *                     (14% of the indexer's CPU on DICE)
 * Data: none.
 * Spelling: title and body words (case-folded, letters only,
 *   CR_SPELLING_MIN_BYTES or longer) found in several articles (of a
 *   commit's, or of a new index's shard: CR_WDB_SPELLING_AT_CLOSE; how
 *   many is spelling.h's), with their article counts, for "did you
 *   mean".
 * Metadata: CR_META_SCHEMA holds CR_SCHEMA_VERSION; an index written with
 *   another layout is refused rather than misread. CR_META_LANGUAGE holds
 *   the Snowball language the terms were stemmed for (an update in another
 *   is refused; the searcher stems queries for it). CR_META_TEXTDICT holds
 *   the text dictionary, if the index has one. CR_META_BM25 holds the
 *   BM25 parameters and average length the impacts were computed with.
 */
#ifndef CRONACA_SCHEMA_H
#define CRONACA_SCHEMA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analyzer.h"
#include "article.h"
#include "error.h"
#include "impacts.h"
#include "minhash.h"
#include "sizes.h"
#include "termbag.h"
#include "textpack.h"
#include "xapian_c.h"

#ifdef __cplusplus
extern "C" {
#endif

#define CR_PREFIX_TITLE "S"
#define CR_PREFIX_AUTHOR "A"
#define CR_PREFIX_SOURCE "XO"
#define CR_PREFIX_ID "Q"
#define CR_PREFIX_FILE "XF"
#define CR_PREFIX_YEAR "Y"
#define CR_PREFIX_MONTH "M"
#define CR_PREFIX_DAY "D"
#define CR_PREFIX_NAME "C"
#define CR_PREFIX_STOP "W"

/* Whether term carries a field prefix (the list above): prefixes are
 * upper-case ASCII, and the words of texts never start with one, being
 * case-folded. */
bool cr_schema_is_prefixed(const char *term);
/* How many bytes of term its prefix takes (0 for a word). */
size_t cr_schema_prefix_len(const char *term);

enum cr_value_slot {
  CR_SLOT_DATE = 0,
  CR_SLOT_CLUSTER = 1,
  CR_SLOT_CARD = 2,
  CR_SLOT_AUTHOR = 3,
  CR_SLOT_SOURCE = 4,
  CR_SLOT_MINHASH = 5,
  CR_SLOT_TEXT = 6,
};

/* Shorter words are not worth suggesting (and are most often right). */
#define CR_SPELLING_MIN_BYTES 4

#define CR_META_SCHEMA "cronaca:schema"
#define CR_SCHEMA_VERSION "6"
#define CR_META_LANGUAGE "cronaca:language"

/* Whether an index's layout stamp (its CR_META_SCHEMA value, NULL when it
 * has none: layout 1, from before the stamp) is CR_SCHEMA_VERSION, the
 * layout this build writes and reads: the one check both programs make.
 * 0 if so; otherwise -1 with err (CR_E_INVALID) naming index, followed by
 * which (" (database 2 of 3)", or ""), both layouts and what to do. */
int cr_schema_check_stamp(const char *stamp, const char *index,
                          const char *which, cr_error *err);

/* Title words count this many times in the unprefixed terms. */
#define CR_TITLE_WDF 3
/* Body positions start after the title's, leaving a gap so a phrase never
 * runs from the title into the body. */
#define CR_BODY_POSITION_GAP 100

/* Fills doc (which the caller cleared) with the article's terms, values
 * and data (the text compressed by tp), and writes its id term ("Q" + id)
 * to id_term. Every term's wdf is its BM25 impact under imp (impacts.h).
 * Returns -1 with err filled if the article is unusable (no id).
 * cr_schema_analyse then cr_schema_finish. */
int cr_schema_build(cr_analyzer *an, cr_textpack *tp, const cr_impacts *imp,
                    const cr_article *art, cr_doc *doc, char *id_term,
                    size_t id_term_size, cr_error *err);

/* An article analysed, before its terms are weighed: what the indexer's
 * sampling learns an article's length from, and keeps for the worker
 * that writes it (the words are not analysed twice). */
typedef struct cr_schema_terms {
  cr_termbag bag;     /* the weighed terms, counted (termbag.h) */
  uint32_t length;    /* the article's length as impacts.h counts it: its
                         words, a given title's CR_TITLE_WDF times */
  bool has_signature; /* the body is long enough for one */
  uint8_t signature[CR_MINHASH_K]; /* the body's (minhash.h) */
} cr_schema_terms;

void cr_schema_terms_init(cr_schema_terms *t);
void cr_schema_terms_free(cr_schema_terms *t);

/* The analysis half of cr_schema_build: the article's terms into t (its
 * earlier content dropped), and its spelling words into doc (cleared by
 * the caller). -1 with err if the article is unusable or memory ran out. */
int cr_schema_analyse(cr_analyzer *an, const cr_article *art,
                      cr_schema_terms *t, cr_doc *doc, cr_error *err);

/* The rest of cr_schema_build, for the doc cr_schema_analyse gave t's
 * spelling words to: the terms weighed under imp, values, card, text, id
 * term (into id_term). -1 with err if memory ran out. */
int cr_schema_finish(cr_textpack *tp, const cr_impacts *imp,
                     const cr_article *art, cr_schema_terms *t, cr_doc *doc,
                     char *id_term, size_t id_term_size, cr_error *err);

/* The Q term of an article id into out (at least CR_ID_TERM_SIZE bytes):
 * "Q" + id, or for an id too long for a Xapian term (CR_XAPIAN_MAX_TERM
 * bytes), "Q" +
 * its first CR_ID_KEEP bytes + "#" + 16 hex digits of a 64-bit FNV-1a of
 * the whole id, so long ids that share a beginning stay apart. */
#define CR_ID_TERM_SIZE 242
#define CR_ID_KEEP 220
void cr_schema_id_term(const char *id, char *out);

/* The XF term of a source file key ("XF" + 16 hex digits of a 64-bit
 * FNV-1a of the key) into out (at least CR_FILE_TERM_SIZE bytes). A path
 * would be ~35 bytes in every document's termlist and cut at Xapian's
 * term limit; the hash is 18 and never cut. */
#define CR_FILE_TERM_SIZE 19
void cr_schema_file_term(const char *key, char *out);

/* The display title derived from a body: its first sentence, cut at a
 * word boundary to at most max_bytes (with "…" when cut). malloc'd. */
char *cr_schema_derive_title(const char *text, size_t len, size_t max_bytes);

/* Whether a text's first len bytes, not all of it, decide its derived
 * title: the title reads the leading blanks, then max_bytes + 2 bytes at
 * most (where the sentence ends, or that it goes on). */
bool cr_schema_title_within(const char *text, size_t len, size_t max_bytes);

/* Longest derived title, in bytes. */
#define CR_DERIVED_TITLE_MAX 120

/* A stored article read back from its card. Strings are NUL-terminated,
 * owned by buf, and NULL when the article lacks the field. text is not
 * filled by cr_stored_parse: the caller points it at the unpacked
 * CR_SLOT_TEXT value (cr_text_unpack) when it needs the text. When
 * title_derived is set, title stays NULL until cr_stored_derive_title. */
typedef struct cr_stored {
  const char *id, *title, *date, *author, *source, *url, *text;
  size_t text_len;
  bool title_derived;
  char *buf;           /* freed by cr_stored_free */
  char *derived_title; /* likewise */
} cr_stored;

/* Calls fn for the tokens of an article's words (title, body, author,
 * source) whose terms are among the n_terms terms and are not stop
 * words, with the position cr_schema_build gave them: the positions the
 * index holds for the unprefixed terms, read from the stored fields
 * instead (one read of a remote document rather than one per term),
 * found by cr_analyze_find (most words only counted). title_derived: the card's
 * mark (a derived title is not indexed). Returns 0, fn's first non-zero
 * return, or -1 if memory ran out. */
int cr_schema_word_positions(cr_analyzer *an, const char *const *terms,
                             size_t n_terms, const char *title,
                             bool title_derived, const char *text, size_t len,
                             const char *author, const char *source,
                             cr_token_fn fn, void *ctx);

/* Reads a card (the CR_SLOT_CARD value). -1 with err (CR_E_CORRUPT) if it
 * is damaged; out is then empty. */
int cr_stored_parse(const char *card, size_t len, cr_stored *out,
                    cr_error *err);
void cr_stored_free(cr_stored *s);

/* Sets s->title to the title derived from text[0..len) (the article's
 * unpacked text), as the indexer would have derived it. -1 if memory ran
 * out. */
int cr_stored_derive_title(cr_stored *s, const char *text, size_t len);

#ifdef __cplusplus
}
#endif
#endif
