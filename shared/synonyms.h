/* synonyms.h — synonyms and abbreviations (CC = carabinieri, GdF =
 * Guardia di Finanza), kept in the index's Xapian synonym table.
 *
 * The file format (indexer --synonyms FILE; the default list,
 * shared/synonyms-italian.txt, is the same):
 *
 *   # a comment; blank lines are skipped
 *   CC, carabinieri, Arma dei carabinieri
 *   pm, pubblico ministero
 *   !CC, carabinieri      a line starting with ! removes: here the pair
 *   !pm                   and here every synonym of pm, both ways
 *
 * One group a line, comma-separated: each member stands for each other.
 * A member is one to CR_SYN_MAX_WORDS words (stop words aside) as they
 * would be typed in a query; case, accents and inflection do not matter,
 * since members are analysed like queries: "Pubblici Ministeri" is
 * "pubblico ministero". A line that cannot be read (one member, a member
 * of stop words only or of too many words, query syntax in it) is
 * reported as FILE:LINE and skipped; the other lines are kept.
 *
 * What the table holds: for each member M and each other member N of a
 * group, M's keys -> the text of N. A member has one key or two:
 * - its words, case- and accent-folded, stop words left out, joined by
 *   single spaces ("guardia finanza", "cc"): always;
 * - "Z" and its stems, the same way ("Zguard finanz", as Xapian's own
 *   QueryParser writes a stemmed term), when stemming changes some of its
 *   words: so "carabiniere" and "pubblici ministeri" find the groups of
 *   "carabinieri" and "pubblico ministero". A member whose words are their
 *   own stems (most abbreviations: cc, pm, nas, ris) has no Z key, or
 *   "naso" (stem nas) and "riso" (stem ris) would read as Nas and Ris.
 * The query parser looks up a run of plain words by both, words first:
 * exactly the strings it has in hand, one lookup each. A text is the
 * member's words folded, stop words kept, joined by single spaces
 * ("guardia di finanza"): the query parser analyses it as it analyses a
 * query, so its stems and their distances are those of the words typed.
 * Keys and texts are those of the index's language; the synonym table
 * changes nothing in the documents, so it needs no layout change.
 */
#ifndef CRONACA_SYNONYMS_H
#define CRONACA_SYNONYMS_H

#include <stdbool.h>
#include <stddef.h>

#include "analyzer.h"
#include "error.h"
#include "xapian_c.h"

#ifdef __cplusplus
extern "C" {
#endif

/* Content words a member may have (and a query's run of words looked up). */
#define CR_SYN_MAX_WORDS 4
/* Members a group may have. */
#define CR_SYN_MAX_MEMBERS 16
/* Bytes of a key or a text (Xapian's synonym keys must stay short). */
#define CR_SYN_MAX_BYTES 160
/* "cronaca:synonyms": "default" once the default list was loaded into the
 * index, "none" when it was built with --no-default-synonyms; absent in an
 * index that has not had them yet (the next indexer run loads them). */
#define CR_META_SYNONYMS "cronaca:synonyms"

/* One member of a group, analysed. */
typedef struct cr_syn_member {
  char words[CR_SYN_MAX_BYTES]; /* key: its words, folded, no stop words */
  char stems[CR_SYN_MAX_BYTES]; /* key: "Z" and its stems, or "" when
                                   they are its words */
  char text[CR_SYN_MAX_BYTES];  /* its words, folded, stop words kept */
} cr_syn_member;

/* The prefix of a key of stems. */
#define CR_SYN_STEMS_PREFIX "Z"

/* One line of a synonym file, read. */
typedef struct cr_syn_line {
  unsigned line; /* 1-based */
  bool remove;   /* it started with ! */
  size_t n;      /* members */
  cr_syn_member m[CR_SYN_MAX_MEMBERS];
} cr_syn_line;

/* Called for each good line; non-zero stops the read (returned). */
typedef int (*cr_syn_line_fn)(const cr_syn_line *l, void *ctx);
/* Called for each bad line, with why (a short phrase). */
typedef void (*cr_syn_bad_fn)(unsigned line, const char *why, void *ctx);

/* Reads a synonym file's text[0..len) with an (the index's language).
 * Returns 0 (bad lines go to bad), the non-zero line returned, or -1
 * when memory ran out. */
int cr_syn_parse(cr_analyzer *an, const char *text, size_t len,
                 cr_syn_line_fn line, cr_syn_bad_fn bad, void *ctx);

/* Analyses one member (a word or a few) into *m: 0, or -1 with why set
 * (a static string) when it cannot be one. */
int cr_syn_member_of(cr_analyzer *an, const char *text, size_t len,
                     cr_syn_member *m, const char **why);

/* What applying a file did. */
typedef struct cr_syn_stats {
  unsigned lines;   /* good lines applied */
  unsigned bad;     /* lines reported and skipped */
  unsigned added;   /* key -> text pairs written */
  unsigned removed; /* pairs removed */
} cr_syn_stats;

/* Reads a synonym file's text and writes it into db (committed with db's
 * next commit): groups added to what the table holds, ! lines removed.
 * Bad lines go to bad. 0, or -1 with err filled (Xapian failed, memory). */
int cr_syn_apply(cr_wdb *db, cr_analyzer *an, const char *text, size_t len,
                 cr_syn_bad_fn bad, void *bad_ctx, cr_syn_stats *st,
                 cr_error *err);

/* The default list for a Snowball language, or NULL when there is none
 * (only Italian has one). */
const char *cr_syn_default_list(const char *language);

#ifdef __cplusplus
}
#endif
#endif
