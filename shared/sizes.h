/* sizes.h — the sizes cronaca holds to, each defined once.
 *
 * Dependency-free: the programs print their --help and notes from these
 * (CR_NUM_TEXT makes a number a string literal), so a limit changed here is a
 * limit changed everywhere it is said. Plain integer literals only, for
 * CR_NUM_TEXT.
 */
#ifndef CRONACA_SIZES_H
#define CRONACA_SIZES_H

#define CR_NUM_TEXT_(x) #x
/* The decimal text of a limit, as a string literal:
 * CR_NUM_TEXT(CR_SNIPPET_BYTES) is "220". */
#define CR_NUM_TEXT(x) CR_NUM_TEXT_(x)

/* Articles per commit when updating an index (indexer --commit-every's
 * default); also the spelling window a shard's words are counted over
 * before they need more documents (spelling.h). */
#define CR_COMMIT_EVERY 5000

/* Worker threads (and so build shards) at most, however many cores. */
#define CR_MAX_WORKERS 64

/* Xapian refuses terms longer than this (bytes). */
#define CR_XAPIAN_MAX_TERM 245
/* A field term (prefix + value: a file key, a name) is cut to this, a few
 * bytes inside Xapian's limit. */
#define CR_FIELD_TERM_MAX 240

/* Author and source values kept for facet counts (bytes): the field as
 * given, cut at a character boundary. */
#define CR_FACET_VALUE_MAX 200
/* A facet value as shown ("2022-09", an author): room for the longest,
 * NUL included. */
#define CR_FACET_SHOWN_SIZE 256

/* A snippet's length (bytes of the article, about), by default. */
#define CR_SNIPPET_BYTES 220

/* A .txt file's first line is its title only up to this (bytes). */
#define CR_TEXT_TITLE_MAX 300

#endif
