/* meta.c — the index's layout stamp, language and text dictionary (see
 * meta.h). */
#include "meta.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "schema.h"

int meta_stamp(cr_wdb *db, const char *language, cr_error *err) {
  return cr_wdb_set_metadata(db, CR_META_SCHEMA, CR_SCHEMA_VERSION,
                             strlen(CR_SCHEMA_VERSION), err) != 0 ||
                 cr_wdb_set_metadata(db, CR_META_LANGUAGE, language,
                                     strlen(language), err) != 0
             ? -1
             : 0;
}

int meta_check(cr_wdb *db, const char *index, const char *asked, char *language,
               size_t size, cr_error *err) {
  size_t len = 0;
  uint32_t docs;
  if (cr_wdb_doccount(db, &docs, err) != 0) return -1;
  if (docs == 0) {
    /* An empty index (a shard that got nothing yet, say) keeps its
     * language unless told otherwise. */
    char *had;
    if (cr_wdb_get_metadata(db, CR_META_LANGUAGE, &had, &len, err) != 0)
      return -1;
    snprintf(language, size, "%s", asked ? asked : had ? had : "italian");
    free(had);
    return meta_stamp(db, language, err);
  }
  char *stamp;
  if (cr_wdb_get_metadata(db, CR_META_SCHEMA, &stamp, &len, err) != 0)
    return -1;
  int rc = cr_schema_check_stamp(stamp, index, "", err);
  free(stamp);
  if (rc != 0) return -1;
  /* Indexes from before the stamp were built for the default, Italian. */
  char *was;
  if (cr_wdb_get_metadata(db, CR_META_LANGUAGE, &was, &len, err) != 0)
    return -1;
  snprintf(language, size, "%s", was ? was : "italian");
  free(was);
  bool same = !asked || strcmp(language, asked) == 0;
  if (!same)
    cr_error_set(err, CR_E_INVALID,
                 "index '%s' was built with --language %s, not %s: update it "
                 "in %s (the default), or index into a new directory",
                 index, language, asked, language);
  return same ? 0 : -1;
}

int meta_store_impacts(cr_wdb *db, const cr_impacts *imp, cr_error *err) {
  char text[CR_IMPACTS_TEXT_SIZE];
  cr_impacts_format(imp, text, sizeof text);
  return cr_wdb_set_metadata(db, CR_META_BM25, text, strlen(text), err);
}

int meta_load_impacts(cr_wdb *db, const char *index, cr_impacts *imp,
                      cr_error *err) {
  size_t len = 0;
  char *text;
  if (cr_wdb_get_metadata(db, CR_META_BM25, &text, &len, err) != 0) return -1;
  bool ok = text && cr_impacts_parse(text, len, imp);
  free(text);
  if (!ok)
    cr_error_set(err, CR_E_INVALID,
                 "index '%s' records no usable BM25 parameters (%s): "
                 "rebuild it into a new directory",
                 index, CR_META_BM25);
  return ok ? 0 : -1;
}

int meta_store_dict(cr_wdb *db, const cr_textdict *dict, cr_error *err) {
  if (!dict) return 0;
  size_t len = 0;
  const char *bytes = cr_textdict_bytes(dict, &len);
  return cr_wdb_set_metadata(db, CR_META_TEXTDICT, bytes, len, err);
}

int meta_load_dict(cr_wdb *db, cr_textdict **dict, cr_error *err) {
  size_t len = 0;
  *dict = NULL;
  char *bytes;
  if (cr_wdb_get_metadata(db, CR_META_TEXTDICT, &bytes, &len, err) != 0)
    return -1;
  if (bytes) *dict = cr_textdict_load(bytes, len, CR_TEXTDICT_PACK, err);
  bool ok = !bytes || *dict;
  free(bytes);
  return ok ? 0 : -1;
}
