/* meta.h — what the indexer records about the index as a whole, in its
 * metadata (schema.h names the keys): the layout stamp, the language the
 * terms are stemmed for, BM25's parameters (impacts.h), and the text dictionary
 * the texts are packed with. The files' signatures are sources.h's. */
#ifndef CRONACA_META_H
#define CRONACA_META_H

#include <stddef.h>

#include "error.h"
#include "impacts.h"
#include "textpack.h"
#include "xapian_c.h"

/* Stamps db with the document layout this indexer writes
 * (CR_SCHEMA_VERSION) and the language its terms are stemmed for. 0, or
 * -1 with err filled. */
int meta_stamp(cr_wdb *db, const char *language, cr_error *err);

/* Decides the language of a run on the index db (named index in
 * messages) and refuses an index it cannot update. An index that holds
 * documents in another layout would be misread by the searcher after an
 * update, and terms stemmed for another language would never meet: both
 * are refused rather than mixed. An empty index takes asked (NULL: the
 * language it had, else italian) and is stamped; one with documents
 * keeps its own, and asked, if given, must be it. Writes the language
 * into language (size bytes). 0, or -1 with err filled. */
int meta_check(cr_wdb *db, const char *index, const char *asked, char *language,
               size_t size, cr_error *err);

/* Records imp as the BM25 parameters db's impacts are computed with. */
int meta_store_impacts(cr_wdb *db, const cr_impacts *imp, cr_error *err);

/* The BM25 parameters db's impacts were computed with, into *imp. 0;
 * -1 with err filled when they cannot be read, or db (named index in
 * messages) holds documents and none are recorded. */
int meta_load_impacts(cr_wdb *db, const char *index, cr_impacts *imp,
                      cr_error *err);

/* Records dict (NULL: none, nothing written) as db's text dictionary. */
int meta_store_dict(cr_wdb *db, const cr_textdict *dict, cr_error *err);

/* The text dictionary db's texts are packed with, into *dict (NULL when
 * the index was built from too little text for one). 0, or -1 with err
 * filled when the stored one cannot be loaded. */
int meta_load_dict(cr_wdb *db, cr_textdict **dict, cr_error *err);

#endif
