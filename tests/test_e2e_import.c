/* test_e2e_import.c — issue 20's importing and upkeep, run as a user runs
 * the programs: the corpus's CSV, JSON array, web pages and Latin-1 file;
 * --field, --id-prefix and the warning for ids that meet across files;
 * --delete and --delete-from, with --dry-run. */
#include <criterion/criterion.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "helpers.h"
#include "xapian_c.h"

static char *tmp;

static void setup(void) { tmp = th_mkdtemp("e2e-import"); }
static void teardown(void) {
  th_rmtree(tmp);
  free(tmp);
}

TestSuite(import, .init = setup, .fini = teardown, .timeout = 300);

static char *path_in(const char *name) { return th_path_in(tmp, name); }

static void put(const char *name, const char *text) {
  th_write_file(path_in(name), text, strlen(text));
}

/* The first hit's line of searcher --json for query, or "". */
static char *search_json(const char *index, const char *query) {
  th_run r = th_run_prog(SEARCHER_BIN, NULL, "-d", index, "--json", "-n", "1",
                         query, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  char *out = r.out;
  r.out = NULL;
  th_run_free(&r);
  return out;
}

Test(import, the_corpus_formats_give_their_known_answers) {
  char *index = path_in("index");
  th_run r = th_run_prog(INDEXER_BIN, NULL, "-d", index, CORPUS_DIR, NULL);
  cr_assert_eq(r.status, 0, "the corpus reads cleanly: %s", r.err);
  cr_expect(strstr(r.err, "64 added"), "%s", r.err);
  th_run_free(&r);
  /* CSV: ids, DICE's publication_date, a title with a comma. */
  cr_expect_eq(th_index_count(index, "Q2101"), 1);
  cr_expect_eq(th_index_count(index, "D20181006"), 1);
  char *j = search_json(index, "tartufo");
  cr_expect(strstr(j, "\"id\": \"2101\"") &&
                strstr(j, "\"title\": \"Alba, la fiera del tartufo bianco"),
            "%s", j);
  free(j);
  /* The JSON array, its "body" key and ISO date with a time. */
  cr_expect_eq(th_index_count(index, "Qredazione-2015-0412"), 1);
  j = search_json(index, "darsena");
  cr_expect(strstr(j, "\"id\": \"2104\"") && strstr(j, "2013-11-30"), "%s", j);
  free(j);
  /* HTML: meta tags give the fields; navigation and scripts are not
   * searchable. */
  j = search_json(index, "contrada Selva");
  cr_expect(strstr(j, "\"id\": \"pagine/palio-siena.html\"") &&
                strstr(j, "\"author\": \"Giovanni Lenzi\"") &&
                strstr(j, "\"source\": \"Corriere di Siena\"") &&
                strstr(j, "\"date\": \"2017-08-16\""),
            "%s", j);
  free(j);
  static const char *const not_text[] = {"Oroscopo", "tracciamento", "Cookie",
                                         "statistichevisite"};
  for (size_t i = 0; i < 4; i++) {
    j = search_json(index, not_text[i]);
    cr_expect(strstr(j, "\"estimated_matches\": 0"), "%s: %s", not_text[i], j);
    free(j);
  }
  j = search_json(index, "Louvre");
  cr_expect(strstr(j, "pagine/mosaici-ravenna.htm") && strstr(j, "2016-02-11"),
            "%s", j);
  free(j);
}

Test(import, a_latin1_file_is_named_and_read_with_encoding) {
  char *index = path_in("index");
  const char *file = CORPUS_DIR "/latin1/urbino-1998.latin1";
  /* With other articles, so the second run is an update that knows the
   * file: read with --encoding, it is not "unchanged". */
  th_run r = th_run_prog(INDEXER_BIN, NULL, "-d", index,
                         CORPUS_DIR "/notizie.jsonl", file, NULL);
  cr_expect_eq(r.status, 1, "%s", r.err);
  cr_expect(strstr(r.err, "urbino-1998.latin1: not UTF-8 text: byte 0xe9") &&
                strstr(r.err, "--encoding cp1252"),
            "%s", r.err);
  th_run_free(&r);
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, "--encoding", "latin1", file,
                  NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "1 added, 0 replaced, 0 unchanged"), "%s", r.err);
  th_run_free(&r);
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, "--encoding", "latin1", file,
                  NULL);
  cr_expect(strstr(r.err, "0 added, 0 replaced, 1 unchanged"),
            "the same options again: unchanged: %s", r.err);
  th_run_free(&r);
  char *j = search_json(index, "città Urbino");
  cr_expect(strstr(j, "Urbino, riapre il Palazzo Ducale") &&
                strstr(j, "1998-05-12") && strstr(j, "«una boccata"),
            "%s", j);
  free(j);
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, "--encoding", "klingon", file,
                  NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "iconv does not know 'klingon'"), "%s", r.err);
  th_run_free(&r);
}

Test(import, field_mapping_and_its_warning) {
  char *index = path_in("index");
  put("feed.json", "[{\"id\": \"f1\", \"text\": \"Testo del feed\", "
                   "\"headline\": \"Titolo del feed\", \"byline\": \"Ada "
                   "Neri\", \"published\": \"2021-03-04\"}]\n");
  th_run r =
      th_run_prog(INDEXER_BIN, NULL, "-d", index, path_in("feed.json"), NULL);
  cr_expect_eq(r.status, 0, "a warning skips nothing: %s", r.err);
  cr_expect(strstr(r.err, "feed.json: warning: key \"headline\" looks like "
                          "the title but is not read: to read it, --field "
                          "title=headline") &&
                strstr(r.err, "--field date=published") &&
                strstr(r.err, "--field author=byline"),
            "%s", r.err);
  th_run_free(&r);
  char *again = path_in("index2");
  r = th_run_prog(INDEXER_BIN, NULL, "-d", again, "--field", "title=headline",
                  "--field", "author=byline", "--field", "date=published",
                  path_in("feed.json"), NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(!strstr(r.err, "warning"), "%s", r.err);
  th_run_free(&r);
  char *j = search_json(again, "feed");
  cr_expect(strstr(j, "\"title\": \"Titolo del feed\"") &&
                strstr(j, "\"author\": \"Ada Neri\"") &&
                strstr(j, "\"date\": \"2021-03-04\""),
            "%s", j);
  free(j);
  r = th_run_prog(INDEXER_BIN, NULL, "-d", again, "--field", "titolo=x",
                  path_in("feed.json"), NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "--field takes FIELD=KEY"), "%s", r.err);
  th_run_free(&r);
}

Test(import, ids_meeting_across_files_are_said_and_prefixed_apart) {
  char *index = path_in("index");
  put("dice.csv", "id,title,text\n1001,Uno,Testo uno\n1002,Due,Testo due\n"
                  "1003,Tre,Tre\n1004,Quattro,Quattro\n1005,Cinque,Cinque\n");
  th_run r =
      th_run_prog(INDEXER_BIN, NULL, "-d", index, CORPUS_DIR "/notizie.jsonl",
                  path_in("dice.csv"), NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "dice.csv:2: warning: id \"1001\" was read from ") &&
                strstr(r.err, "notizie.jsonl earlier in this run: this copy "
                              "replaces it"),
            "%s", r.err);
  cr_expect(strstr(r.err, "dice.csv: warning: 2 more ids replaced articles"),
            "three shown, the rest counted: %s", r.err);
  cr_expect(strstr(r.err, "16 added, 5 replaced"), "%s", r.err);
  th_run_free(&r);
  /* A run of its own with a prefix keeps both. */
  char *apart = path_in("apart");
  r = th_run_prog(INDEXER_BIN, NULL, "-q", "-d", apart,
                  CORPUS_DIR "/notizie.jsonl", NULL);
  th_run_free(&r);
  r = th_run_prog(INDEXER_BIN, NULL, "-d", apart, "--id-prefix",
                  "dice:", path_in("dice.csv"), NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "5 added, 0 replaced") && !strstr(r.err, "warning"),
            "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(apart, "Q1001"), 1);
  cr_expect_eq(th_index_count(apart, "Qdice:1001"), 1);
  cr_expect_eq(th_index_count(apart, NULL), 21);
}

Test(import, delete_by_id_and_from_a_file) {
  char *index = path_in("index");
  th_run r = th_run_prog(INDEXER_BIN, NULL, "-q", "-d", index,
                         CORPUS_DIR "/notizie.jsonl", NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  /* A dry run lists, deletes nothing. */
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, "-n", "--delete", "1001",
                  "nope", NULL);
  cr_expect_eq(r.status, 1, "an id not there is reported: %s", r.err);
  cr_expect_str_eq(r.out, "remove 1001\n");
  cr_expect(strstr(r.err, "nope: not in the index") &&
                strstr(r.err, "dry run, nothing written: 1 would be removed, "
                              "1 not in the index"),
            "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, "Q1001"), 1);
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, "--delete", "1001", "1002",
                  NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "2 removed, 0 not in the index"), "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, "Q1001"), 0);
  cr_expect_eq(th_index_count(index, NULL), 14);
  /* One id a line, blanks ignored, from a file and from stdin. */
  put("ids.txt", "1003\n\n  1004  \r\n");
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, "--delete-from",
                  path_in("ids.txt"), NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  r = th_run_prog(INDEXER_BIN, "1005\n", "-q", "-d", index, "--delete-from",
                  "-", NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 11);
  /* The file is unchanged: the next run skips it, the articles stay
   * deleted. */
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, CORPUS_DIR "/notizie.jsonl",
                  NULL);
  cr_expect(strstr(r.err, "1 unchanged files skipped"), "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(index, NULL), 11);
  /* Sharded: each id is deleted from its shard. */
  char *sharded = path_in("sharded");
  r = th_run_prog(INDEXER_BIN, NULL, "-q", "--shards", "2", "-d", sharded,
                  CORPUS_DIR "/notizie.jsonl", NULL);
  th_run_free(&r);
  r = th_run_prog(INDEXER_BIN, NULL, "-d", sharded, "--delete", "1001", "1006",
                  NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  cr_expect_eq(th_index_count(sharded, NULL), 14);
  cr_expect_eq(th_index_count(sharded, "Q1006"), 0);
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, "--delete", NULL);
  cr_expect_eq(r.status, 2);
  cr_expect(strstr(r.err, "no ids given"), "%s", r.err);
  th_run_free(&r);
}

/* Appends text to the file name in the scratch directory. */
static void append(const char *name, const char *text) {
  FILE *f = fopen(path_in(name), "a");
  cr_assert_not_null(f);
  fputs(text, f);
  fclose(f);
}

/* Appends one record to dump.jsonl (the file dump) and updates index:
 * only that record is read, from the dump's old end. */
static void append_one_read_from_old_end(const char *index, const char *dump,
                                         const char *record) {
  append("dump.jsonl", record);
  th_run r = th_run_prog(INDEXER_BIN, NULL, "-d", index, dump, NULL);
  cr_expect_eq(r.status, 0, "%s", r.err);
  cr_expect(strstr(r.err, "1 added, 0 replaced") &&
                strstr(r.err, "1 file read from its old end"),
            "%s", r.err);
  th_run_free(&r);
}

Test(import, an_append_to_a_dump_reads_only_the_new_records) {
  /* path_in's buffers are reused: these are kept. */
  char index[4200], dump[4200], cut[4200];
  snprintf(index, sizeof index, "%s", path_in("index"));
  snprintf(dump, sizeof dump, "%s", path_in("dump.jsonl"));
  snprintf(cut, sizeof cut, "%s", path_in("cut.jsonl"));
  FILE *f = fopen(dump, "w");
  cr_assert_not_null(f);
  for (int i = 1; i <= 50; i++)
    fprintf(f, "{\"id\": \"r%d\", \"text\": \"record numero %d\"}\n", i, i);
  fprintf(f, "{\"text\": \"senza id alla riga 51\"}\n");
  fclose(f);
  th_run r = th_run_prog(INDEXER_BIN, NULL, "-d", index, dump, NULL);
  cr_assert(strstr(r.err, "51 added"), "%s", r.err);
  th_run_free(&r);
  /* One record appended: one added, nothing replaced; its line number
   * goes on from the old end. */
  append_one_read_from_old_end(index, dump,
                               "{\"text\": \"aggiunto alla riga 52\"}\n");
  char term[4300];
  snprintf(term, sizeof term, "Q%s:52", dump);
  cr_expect_eq(th_index_count(index, term), 1,
               "the appended record is line 52");
  cr_expect_eq(th_index_count(index, NULL), 52);
  /* A change before the old end: the whole file is read again. */
  char *text = th_read_file(dump, NULL);
  cr_assert_not_null(text);
  text[strlen("{\"id\": \"r")] = 'R';
  th_write_file(dump, text, strlen(text));
  free(text);
  append("dump.jsonl", "{\"id\": \"r53\", \"text\": \"altro\"}\n");
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, dump, NULL);
  cr_expect(strstr(r.err, "2 added, 51 replaced") && !strstr(r.err, "old end"),
            "%s", r.err);
  th_run_free(&r);
  /* With --prune every id must be seen: read whole. */
  append("dump.jsonl", "{\"id\": \"r54\", \"text\": \"ancora\"}\n");
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, "--prune", dump, NULL);
  cr_expect(strstr(r.err, "1 added, 53 replaced") &&
                strstr(r.err, "1 article pruned"),
            "%s", r.err);
  th_run_free(&r);
  /* An old end inside a line (no final line break): read whole. */
  put("cut.jsonl", "{\"id\": \"c1\", \"text\": \"uno\"}");
  r = th_run_prog(INDEXER_BIN, NULL, "-q", "-d", index, cut, NULL);
  th_run_free(&r);
  append("cut.jsonl", "\n{\"id\": \"c2\", \"text\": \"due\"}\n");
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, cut, NULL);
  cr_expect(strstr(r.err, "1 added, 1 replaced") && !strstr(r.err, "old end"),
            "%s", r.err);
  th_run_free(&r);
}

/* An index from before today's content hash holds FNV-1a 64 in its
 * signatures: an append to its dump is still read from the old end (the
 * old hash computed once more), and the signature written is today's. */
Test(import, an_append_to_a_dump_an_older_index_hashed_reads_the_new_records) {
  char index[4200], dump[4200];
  snprintf(index, sizeof index, "%s", path_in("index"));
  snprintf(dump, sizeof dump, "%s", path_in("dump.jsonl"));
  const char *records = "{\"id\": \"v1\", \"text\": \"primo\"}\n"
                        "{\"id\": \"v2\", \"text\": \"secondo\"}\n";
  th_write_file(dump, records, strlen(records));
  th_run r = th_run_prog(INDEXER_BIN, NULL, "-q", "-d", index, dump, NULL);
  cr_assert_eq(r.status, 0, "%s", r.err);
  th_run_free(&r);
  /* The signature as that index wrote it: size, time, FNV-1a. */
  char abs[PATH_MAX], key[PATH_MAX + 8];
  cr_assert_not_null(realpath(dump, abs));
  snprintf(key, sizeof key, "src:%s", abs);
  cr_error err;
  cr_wdb *db = cr_wdb_open(index, CR_WDB_OPEN, &err);
  cr_assert_not_null(db, "%s", err.message);
  char *now;
  size_t len;
  cr_assert_eq(cr_wdb_get_metadata(db, key, &now, &len, &err), 0);
  cr_assert_not_null(now, "no signature under %s", key);
  char *third = strchr(strchr(now, ':') + 1, ':');
  cr_assert_not_null(third);
  cr_expect_eq(third[1], 'x', "today's hash: %s", now);
  char old[128];
  snprintf(old, sizeof old, "%.*s:%016" PRIx64, (int)(third - now), now,
           cr_fnv1a64(records, strlen(records)));
  free(now);
  cr_assert_eq(cr_wdb_set_metadata(db, key, old, strlen(old), &err), 0);
  cr_assert_eq(cr_wdb_close(db, &err), 0, "%s", err.message);
  append_one_read_from_old_end(index, dump,
                               "{\"id\": \"v3\", \"text\": \"terzo\"}\n");
  cr_expect_eq(th_index_count(index, NULL), 3);
  /* Nothing changed since: skipped, as with today's signature. */
  r = th_run_prog(INDEXER_BIN, NULL, "-d", index, dump, NULL);
  cr_expect(strstr(r.err, "0 added, 0 replaced"), "%s", r.err);
  th_run_free(&r);
}
