/* bench_fts5 — the SQLite FTS5 peer: load the benchmark documents, and run
 * questions as ranked OR queries, timing each one.
 *
 *   bench_fts5 load DB DOCS.jsonl
 *       creates table docs USING fts5(id UNINDEXED, title, text,
 *       tokenize='unicode61 remove_diacritics 2') and inserts every JSON
 *       line ({"id", "title", "text"}) in one transaction.
 *   bench_fts5 optimize DB
 *       merges the FTS5 b-trees ('optimize') and VACUUMs the file.
 *   bench_fts5 query DB K < QUESTIONS
 *       one question per line; each becomes "tok1" OR "tok2" ... (tokens
 *       are runs of letters and digits, double-quoted, so no FTS5 syntax
 *       survives), ranked by bm25(docs), LIMIT K. Prints one results line
 *       per question: QNO <TAB> LATENCY_MS <TAB> ID1 ID2 ... The latency
 *       covers building the MATCH string, binding, and stepping every row.
 */
#include <jansson.h>
#include <sqlite3.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static int fail(sqlite3 *db, const char *what) {
  fprintf(stderr, "bench_fts5: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
  return 2;
}

static const char *json_str(json_t *obj, const char *key) {
  json_t *v = json_object_get(obj, key);
  return json_is_string(v) ? json_string_value(v) : "";
}

static int cmd_load(const char *path, const char *docs) {
  sqlite3 *db;
  if (sqlite3_open(path, &db) != SQLITE_OK) return fail(db, path);
  if (sqlite3_exec(db,
                   "CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, "
                   "text, tokenize='unicode61 remove_diacritics 2');"
                   "BEGIN;",
                   NULL, NULL, NULL) != SQLITE_OK)
    return fail(db, "create");
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db, "INSERT INTO docs(id, title, text) VALUES(?,?,?)",
                         -1, &st, NULL) != SQLITE_OK)
    return fail(db, "prepare");
  FILE *f = fopen(docs, "r");
  if (!f) {
    perror(docs);
    return 2;
  }
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  size_t n = 0, lineno = 0;
  while ((len = getline(&line, &cap, f)) >= 0) {
    lineno++;
    json_error_t jerr;
    json_t *o = json_loadb(line, (size_t)len, 0, &jerr);
    if (!json_is_object(o)) {
      fprintf(stderr, "bench_fts5: %s:%zu: %s\n", docs, lineno, jerr.text);
      json_decref(o);
      continue;
    }
    sqlite3_bind_text(st, 1, json_str(o, "id"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 2, json_str(o, "title"), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(st, 3, json_str(o, "text"), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(st) != SQLITE_DONE) return fail(db, "insert");
    sqlite3_reset(st);
    json_decref(o);
    n++;
  }
  free(line);
  fclose(f);
  sqlite3_finalize(st);
  if (sqlite3_exec(db, "COMMIT;", NULL, NULL, NULL) != SQLITE_OK)
    return fail(db, "commit");
  sqlite3_close(db);
  fprintf(stderr, "bench_fts5: loaded %zu documents\n", n);
  return 0;
}

static int cmd_optimize(const char *path) {
  sqlite3 *db;
  if (sqlite3_open(path, &db) != SQLITE_OK) return fail(db, path);
  if (sqlite3_exec(db, "INSERT INTO docs(docs) VALUES('optimize'); VACUUM;",
                   NULL, NULL, NULL) != SQLITE_OK)
    return fail(db, "optimize");
  sqlite3_close(db);
  return 0;
}

/* A byte that belongs to a token: ASCII letters and digits, and UTF-8
 * sequences other than the punctuation below (letters with accents etc.) */
static size_t punct_len(const unsigned char *s) {
  /* « » (C2 AB, C2 BB), ‘ ’ “ ” (E2 80 98/99/9C/9D), – — (E2 80 93/94),
   * … (E2 80 A6) */
  if (s[0] == 0xC2 && (s[1] == 0xAB || s[1] == 0xBB)) return 2;
  if (s[0] == 0xE2 && s[1] == 0x80 &&
      (s[2] == 0x98 || s[2] == 0x99 || s[2] == 0x9C || s[2] == 0x9D ||
       s[2] == 0x93 || s[2] == 0x94 || s[2] == 0xA6))
    return 3;
  return 0;
}

/* Writes the FTS5 MATCH expression for question q into out (cap bytes). */
static void build_match(const char *q, char *out, size_t cap) {
  const unsigned char *s = (const unsigned char *)q;
  size_t o = 0;
  int in_tok = 0;
  out[0] = '\0';
  while (*s) {
    size_t p = punct_len(s);
    int word = !p && (*s >= 0x80 || (*s >= '0' && *s <= '9') ||
                      (*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z'));
    if (word) {
      if (!in_tok) {
        if (o + 8 >= cap) break;
        if (o) o += (size_t)snprintf(out + o, cap - o, " OR ");
        out[o++] = '"';
        in_tok = 1;
      }
      if (o + 3 >= cap) break;
      out[o++] = (char)*s++;
    } else {
      if (in_tok) {
        out[o++] = '"';
        in_tok = 0;
      }
      s += p ? p : 1;
    }
  }
  if (in_tok && o + 1 < cap) out[o++] = '"';
  out[o] = '\0';
}

static int cmd_query(const char *path, int k) {
  sqlite3 *db;
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    return fail(db, path);
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(db,
                         "SELECT id FROM docs WHERE docs MATCH ? "
                         "ORDER BY bm25(docs) LIMIT ?",
                         -1, &st, NULL) != SQLITE_OK)
    return fail(db, "prepare");
  char *line = NULL;
  size_t cap = 0;
  ssize_t len;
  size_t qno = 0;
  size_t match_cap = 65536;
  char *match = malloc(match_cap);
  char *ids = malloc(65536);
  while ((len = getline(&line, &cap, stdin)) >= 0) {
    while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
      line[--len] = '\0';
    size_t nids = 0;
    ids[0] = '\0';
    double t0 = now_ms();
    build_match(line, match, match_cap);
    if (match[0]) {
      sqlite3_bind_text(st, 1, match, -1, SQLITE_STATIC);
      sqlite3_bind_int(st, 2, k);
      int rc;
      while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
        const char *id = (const char *)sqlite3_column_text(st, 0);
        if (id && nids + strlen(id) + 2 < 65536) {
          if (nids) ids[nids++] = ' ';
          memcpy(ids + nids, id, strlen(id) + 1);
          nids += strlen(id);
        }
      }
      if (rc != SQLITE_DONE)
        fprintf(stderr, "bench_fts5: query %zu: %s\n", qno, sqlite3_errmsg(db));
      sqlite3_reset(st);
    }
    double t1 = now_ms();
    printf("%zu\t%.6f\t%s\n", qno, t1 - t0, ids);
    qno++;
  }
  free(line);
  free(match);
  free(ids);
  sqlite3_finalize(st);
  sqlite3_close(db);
  return 0;
}

int main(int argc, char **argv) {
  if (argc == 4 && strcmp(argv[1], "load") == 0)
    return cmd_load(argv[2], argv[3]);
  if (argc == 3 && strcmp(argv[1], "optimize") == 0)
    return cmd_optimize(argv[2]);
  if (argc == 4 && strcmp(argv[1], "query") == 0)
    return cmd_query(argv[2], atoi(argv[3]));
  fprintf(stderr, "usage: bench_fts5 load DB DOCS.jsonl\n"
                  "       bench_fts5 optimize DB\n"
                  "       bench_fts5 query DB K < QUESTIONS\n");
  return 2;
}
