/* input_fields.c — which JSON key or CSV column gives which article field.
 *
 * JSON reads the names of corpus/FORMAT.md (id, title, text/body/content,
 * date, author, source, url), after any --field FIELD=KEY the user gave.
 * A CSV header is a schema someone chose, so its columns are matched
 * also by common synonyms (headline, publication_date, byline...),
 * case-insensitively, with a space the same as an underscore. In JSON
 * such a synonym is not read but warned about, once per file, with the
 * --field that would read it.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include "hash.h"
#include "input_internal.h"

static const char *const field_names[IN_N_FIELDS] = {
    "id", "title", "text", "date", "author", "source", "url"};

/* The names JSON reads, per field, in order. */
static const char *const json_keys[IN_N_FIELDS][4] = {
    [IN_F_ID] = {"id"},
    [IN_F_TITLE] = {"title"},
    [IN_F_TEXT] = {"text", "body", "content"},
    [IN_F_DATE] = {"date"},
    [IN_F_AUTHOR] = {"author"},
    [IN_F_SOURCE] = {"source"},
    [IN_F_URL] = {"url"},
};

/* Synonyms a CSV column is also known by (and JSON keys warned about). */
static const char *const synonyms[IN_N_FIELDS][12] = {
    [IN_F_ID] = {"guid", "uuid", "article_id", "doc_id"},
    [IN_F_TITLE] = {"headline", "titolo", "heading", "titre"},
    [IN_F_TEXT] = {"testo", "article", "articolo", "full_text", "fulltext",
                   "article_text", "body_text", "corpo"},
    [IN_F_DATE] = {"publication_date", "published", "pubdate", "data",
                   "date_published", "published_at", "datetime", "publish_date",
                   "pub_date", "data_pubblicazione"},
    [IN_F_AUTHOR] = {"byline", "autore", "authors", "author_name", "by",
                     "firma", "writer"},
    [IN_F_SOURCE] = {"publisher", "testata", "site_name", "publication",
                     "newspaper", "fonte"},
    [IN_F_URL] = {"link", "permalink", "href"},
};

const char *in_field_name(enum in_field f) {
  return (unsigned)f < IN_N_FIELDS ? field_names[f] : "?";
}

static int field_by_name(const char *name, size_t n) {
  for (int f = 0; f < IN_N_FIELDS; f++)
    if (strlen(field_names[f]) == n &&
        strncasecmp(field_names[f], name, n) == 0)
      return f;
  if (n == 4 && strncasecmp(name, "body", 4) == 0) return IN_F_TEXT;
  return -1;
}

int in_options_add_field(in_options *o, const char *spec, char *err,
                         size_t err_size) {
  const char *eq = strchr(spec, '=');
  int f = eq ? field_by_name(spec, (size_t)(eq - spec)) : -1;
  if (!eq || eq[1] == '\0' || f < 0) {
    snprintf(err, err_size,
             "--field takes FIELD=KEY, FIELD one of id, title, text, date, "
             "author, source, url (as in --field title=headline), not '%s'",
             spec);
    return -1;
  }
  if (o->n_field_keys[f] == IN_MAX_FIELD_KEYS) {
    snprintf(err, err_size, "--field %s given more than %d times",
             field_names[f], IN_MAX_FIELD_KEYS);
    return -1;
  }
  o->field_keys[f][o->n_field_keys[f]++] = eq + 1;
  return 0;
}

size_t in_field_keys(const in_options *o, enum in_field f, const char **keys,
                     size_t max) {
  size_t n = 0;
  for (unsigned i = 0; o && i < o->n_field_keys[f] && n < max; i++)
    keys[n++] = o->field_keys[f][i];
  for (size_t i = 0; i < 4 && json_keys[f][i] && n < max; i++)
    keys[n++] = json_keys[f][i];
  return n;
}

/* Whether a column's name is this name: case aside, a space or a hyphen
 * the same as an underscore, surrounding blanks ignored. */
static bool same_name(const char *column, const char *name) {
  while (*column == ' ' || *column == '\t')
    column++;
  size_t n = strlen(column);
  while (n > 0 && (column[n - 1] == ' ' || column[n - 1] == '\t' ||
                   column[n - 1] == '\r'))
    n--;
  size_t i = 0;
  for (; i < n && name[i]; i++) {
    char a = column[i], b = name[i];
    if (a == ' ' || a == '-') a = '_';
    if (a >= 'A' && a <= 'Z') a = (char)(a - 'A' + 'a');
    if (a != b) return false;
  }
  return i == n && name[i] == '\0';
}

int in_field_of_column(const in_options *o, const char *name, int *rank) {
  /* A --field names its column exactly. */
  for (int f = 0; o && f < IN_N_FIELDS; f++)
    for (unsigned i = 0; i < o->n_field_keys[f]; i++)
      if (strcmp(o->field_keys[f][i], name) == 0) {
        *rank = (int)i;
        return f;
      }
  for (int f = 0; f < IN_N_FIELDS; f++)
    for (size_t i = 0; i < 4 && json_keys[f][i]; i++)
      if (same_name(name, json_keys[f][i])) {
        *rank = 10 + (int)i;
        return f;
      }
  for (int f = 0; f < IN_N_FIELDS; f++)
    for (size_t i = 0; i < 12 && synonyms[f][i]; i++)
      if (same_name(name, synonyms[f][i])) {
        *rank = 20 + (int)i;
        return f;
      }
  return -1;
}

int in_field_looks_like(const char *key) {
  static const int warned_fields[] = {IN_F_TITLE, IN_F_DATE, IN_F_AUTHOR};
  for (size_t k = 0; k < 3; k++) {
    int f = warned_fields[k];
    for (size_t i = 0; i < 12 && synonyms[f][i]; i++)
      if (same_name(key, synonyms[f][i])) return f;
  }
  return -1;
}

void in_options_tag(const in_options *o, char tag[17]) {
  tag[0] = '\0';
  if (!o) return;
  char buf[4096];
  size_t n = 0;
  bool any = false;
  /* Each part ends in a NUL, so "a"+"bc" differs from "ab"+"c". */
#define PART(s)                                                                \
  do {                                                                         \
    const char *p_ = (s) ? (s) : "";                                           \
    any = any || *p_;                                                          \
    int k_ = snprintf(buf + n, sizeof buf - n, "%s", p_);                      \
    n += k_ > 0 ? (size_t)k_ : 0;                                              \
    if (n >= sizeof buf - 1) n = sizeof buf - 2;                               \
    buf[n++] = '\0';                                                           \
  } while (0)
  PART(o->encoding);
  PART(o->id_prefix);
  for (int f = 0; f < IN_N_FIELDS; f++)
    for (unsigned i = 0; i < o->n_field_keys[f]; i++) {
      PART(field_names[f]);
      PART(o->field_keys[f][i]);
    }
#undef PART
  if (any) snprintf(tag, 17, "%016llx", (unsigned long long)cr_fnv1a64(buf, n));
}
