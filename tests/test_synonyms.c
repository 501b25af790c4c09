/* test_synonyms.c — synonym files (shared/synonyms.h): what each line
 * becomes, which lines are refused and where, what the index's synonym
 * table holds after a file is applied, and what the query parser makes of
 * the table (a table of queries and Xapian's description of each). */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "query_parser.h"
#include "synonyms.h"
#include "xapian_c.h"

static cr_analyzer *an;

static void setup(void) { an = cr_analyzer_new("italian", NULL); }
static void teardown(void) { cr_analyzer_free(an); }

TestSuite(synonyms, .init = setup, .fini = teardown);

/* ---- The file format ----------------------------------------------------- */

/* Every line read, as "LINE[!] words|stems|text ; ..." and every bad one
 * as "LINE: why", one a line. */
typedef struct listing {
  char out[4096];
} listing;

static int list_line(const cr_syn_line *l, void *ctx) {
  listing *s = ctx;
  size_t n = strlen(s->out);
  n += (size_t)snprintf(s->out + n, sizeof s->out - n, "%u%s", l->line,
                        l->remove ? "!" : "");
  for (size_t i = 0; i < l->n; i++)
    n += (size_t)snprintf(s->out + n, sizeof s->out - n, "%s%s|%s|%s",
                          i ? " ; " : " ", l->m[i].words, l->m[i].stems,
                          l->m[i].text);
  snprintf(s->out + n, sizeof s->out - n, "\n");
  return 0;
}

static void list_bad(unsigned line, const char *why, void *ctx) {
  listing *s = ctx;
  size_t n = strlen(s->out);
  snprintf(s->out + n, sizeof s->out - n, "%u: %s\n", line, why);
}

typedef struct fcase {
  const char *text;
  const char *want;
} fcase;

Test(synonyms, the_file_format) {
  static const fcase cases[] = {
      {"CC, carabinieri\n", "1 cc||cc ; carabinieri|Zcarabinier|carabinieri\n"},
      {"GdF, Guardia di Finanza",
       "1 gdf||gdf ; guardia finanza|Zguard finanz|guardia di finanza\n"},
      {"  pm ,pubblico   ministero  # the prosecutor\n",
       "1 pm||pm ; pubblico ministero|Zpubblic minister|pubblico ministero\n"},
      {"# only a comment\n\n   \n", ""},
      {"Città, CITTA'\n", "1: its members are the same word\n"},
      {"!CC, carabinieri\n",
       "1! cc||cc ; carabinieri|Zcarabinier|carabinieri\n"},
      {"!pm\n", "1! pm||pm\n"},
      {"CC\n", "1: a group needs two members or more, separated by commas\n"},
      {"CC,, carabinieri\n",
       "1: an empty member (two commas, or one at an end)\n"},
      {"CC, carabinieri,\n",
       "1: an empty member (two commas, or one at an end)\n"},
      {"di, carabinieri\n", "1: a member of stop words alone\n"},
      {"guardia costiera nucleo operativo speciale, cc\n",
       "1: a member of more than 4 words\n"},
      {"\"CC\", carabinieri\n", "1: query syntax (\" ( ) * :) in a member\n"},
      {"title:CC, carabinieri\n", "1: query syntax (\" ( ) * :) in a member\n"},
      /* Bad lines are skipped, the others kept, each with its number. */
      {"CC, carabinieri\nsolo\n\nPolstrada, Polizia stradale\r\n",
       "1 cc||cc ; carabinieri|Zcarabinier|carabinieri\n"
       "2: a group needs two members or more, separated by commas\n"
       "4 polstrada|Zpolstrad|polstrada ; polizia stradale|Zpoliz "
       "stradal|polizia stradale\n"},
      /* Case, accents and elision fold as in queries. */
      {"Gup, giudice dell'udienza preliminare",
       "1 gup||gup ; giudice udienza preliminare|Zgiudic udienz "
       "prelimin|giudice udienza preliminare\n"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    listing s = {""};
    cr_expect_eq(cr_syn_parse(an, cases[i].text, strlen(cases[i].text),
                              list_line, list_bad, &s),
                 0);
    cr_expect_str_eq(s.out, cases[i].want, "for «%s»: got %s", cases[i].text,
                     s.out);
  }
}

Test(synonyms, the_default_list_reads_cleanly) {
  const char *list = cr_syn_default_list("italian");
  cr_assert_not_null(list);
  listing s = {""};
  cr_assert_eq(cr_syn_parse(an, list, strlen(list), list_line, list_bad, &s),
               0);
  cr_expect_null(strchr(s.out, ':'), "a bad line in the default list: %s",
                 s.out);
  cr_expect_null(cr_syn_default_list("english"));
}

/* ---- The table, written ------------------------------------------------- */

static int join(const char *t, size_t len, void *ctx) {
  char *out = ctx;
  snprintf(out + strlen(out), 512 - strlen(out), "%s[%.*s]", *out ? " " : "",
           (int)len, t);
  return 0;
}

static void synonyms_of(cr_wdb *db, const char *key, char out[512]) {
  out[0] = '\0';
  cr_error err;
  cr_assert_geq(cr_wdb_synonyms(db, key, join, out, &err), 0, "%s",
                err.message);
}

static void apply(cr_wdb *db, const char *text, cr_syn_stats *st) {
  cr_error err;
  cr_assert_eq(cr_syn_apply(db, an, text, strlen(text), NULL, NULL, st, &err),
               0, "%s", err.message);
}

Test(synonyms, a_file_adds_and_removes) {
  char *dir = th_mkdtemp("synonyms");
  char path[4200];
  snprintf(path, sizeof path, "%s/index", dir);
  cr_error err;
  cr_wdb *db = cr_wdb_open(path, CR_WDB_CREATE_OR_OPEN, &err);
  cr_assert_not_null(db, "%s", err.message);
  cr_syn_stats st;
  apply(db, "CC, carabinieri\nGdF, Guardia di Finanza, Fiamme gialle\nbad\n",
        &st);
  cr_expect_eq(st.lines, 2);
  cr_expect_eq(st.bad, 1);
  cr_expect_eq(st.added, 2 + 6);
  char got[512];
  synonyms_of(db, "cc", got);
  cr_expect_str_eq(got, "[carabinieri]");
  synonyms_of(db, "carabinieri", got);
  cr_expect_str_eq(got, "[cc]");
  synonyms_of(db, "Zcarabinier", got);
  cr_expect_str_eq(got, "[cc]", "the stems' key: carabiniere, Carabinieri");
  synonyms_of(db, "gdf", got);
  cr_expect_str_eq(got, "[fiamme gialle] [guardia di finanza]");
  synonyms_of(db, "Zguard finanz", got);
  cr_expect_str_eq(got, "[fiamme gialle] [gdf]");
  synonyms_of(db, "Zgdf", got);
  cr_expect_str_eq(got, "", "an abbreviation has no stems' key");
  /* A second file adds to the first: nothing is replaced. */
  apply(db, "CC, Arma\n", &st);
  synonyms_of(db, "cc", got);
  cr_expect_str_eq(got, "[arma] [carabinieri]");
  /* ! removes a pair, both ways ... */
  apply(db, "!CC, Arma\n", &st);
  cr_expect_eq(st.removed, 2);
  synonyms_of(db, "cc", got);
  cr_expect_str_eq(got, "[carabinieri]");
  synonyms_of(db, "arma", got);
  cr_expect_str_eq(got, "");
  /* ... and a lone member all of its synonyms, and itself from theirs. */
  apply(db, "!GdF\n", &st);
  synonyms_of(db, "gdf", got);
  cr_expect_str_eq(got, "");
  synonyms_of(db, "Zguard finanz", got);
  cr_expect_str_eq(got, "[fiamme gialle]");
  synonyms_of(db, "Zfiamm giall", got);
  cr_expect_str_eq(got, "[guardia di finanza]");
  cr_wdb_close(db, NULL);
  th_rmtree(dir);
  free(dir);
}

/* ---- The parser over a table ----------------------------------------------
 */

/* A little table: key -> texts, as the index would hold it. */
static const struct {
  const char *key, *texts[3];
} table[] = {
    {"cc", {"carabinieri"}},
    {"carabinieri", {"cc"}},
    {"Zcarabinier", {"cc"}},
    {"gdf", {"fiamme gialle", "guardia di finanza"}},
    {"guardia finanza", {"fiamme gialle", "gdf"}},
    {"Zguard finanz", {"fiamme gialle", "gdf"}},
    {"nas", {"nucleo antisofisticazioni"}},
};

static int lookup(const char *key, cr_key_fn fn, void *fn_ctx, void *ctx) {
  ++*(int *)ctx;
  for (size_t i = 0; i < sizeof table / sizeof *table; i++)
    if (strcmp(table[i].key, key) == 0)
      for (size_t k = 0; k < 3 && table[i].texts[k]; k++)
        fn(table[i].texts[k], strlen(table[i].texts[k]), fn_ctx);
  return 0;
}

typedef struct pcase {
  const char *text;
  const char *query;    /* Xapian's description */
  const char *synonyms; /* "from=to;..." */
} pcase;

Test(synonyms, the_parser_expands_words_and_runs) {
  static const pcase cases[] = {
      {"cc", "Query((cc@1 SYNONYM carabinier))", "cc=carabinieri;"},
      {"carabinieri furto", "Query(((carabinier@1 SYNONYM cc) OR furt@2))",
       "carabinieri=cc;"},
      /* By the stems' key: another form of the word. */
      {"Carabinieri",
       "Query(((carabinier@1 SYNONYM cc) AND_MAYBE 2 * "
       "Ccarabinieri))",
       "carabinieri=cc;"},
      /* A run of words, stop words between: one group, a phrase. */
      /* A run of words, stop words between: its group beside the words
       * (they still find what they found), a phrase of their stems. */
      {"Guardia di Finanza",
       "Query((((guard@1 AND_MAYBE 2 * Cguardia) OR (finanz@3 AND_MAYBE 2 * "
       "Cfinanza) OR ((guard@1 PHRASE 3 finanz@3) SYNONYM (fiamm PHRASE 2 "
       "giall) SYNONYM gdf)) OR 2 * (guard PHRASE 3 finanz)))",
       "guardia finanza=fiamme gialle;guardia finanza=gdf;"},
      /* Required, the group takes the words' place. */
      {"+guardia +finanza",
       "Query(((guard@1 PHRASE 2 finanz@2) SYNONYM (fiamm PHRASE 2 giall) "
       "SYNONYM gdf))",
       "guardia finanza=fiamme gialle;guardia finanza=gdf;"},
      {"gdf Carpi",
       "Query(((gdf@1 SYNONYM (fiamm PHRASE 2 giall) SYNONYM (guard PHRASE 3 "
       "finanz)) OR (carp@2 AND_MAYBE 0.2999999999999999889 * Ccarpi)))",
       "gdf=fiamme gialle;gdf=guardia di finanza;"},
      /* A quoted phrase is as typed: no synonyms. */
      {"\"Guardia di Finanza\"", "Query((guard@1 PHRASE 3 finanz@3))", ""},
      {"\"cc\"", "Query(cc@1)", ""},
      /* Fields are left alone. */
      {"title:cc", "Query(Scc@1)", ""},
      /* Excluded: its synonyms go too. */
      {"furto -cc", "Query((furt@1 AND_NOT (cc@2 SYNONYM carabinier)))",
       "cc=carabinieri;"},
      /* naso's stem is nas, but Nas is an abbreviation: only its word. */
      {"naso", "Query(nas@1)", ""},
      {"Nas",
       "Query(((nas@1 SYNONYM (nucle PHRASE 2 antisofist)) "
       "AND_MAYBE 2 * Cnas))",
       "nas=nucleo antisofisticazioni;"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int lookups = 0;
    cr_qp_opts o = cr_qp_opts_default();
    o.synonyms = lookup;
    o.synonyms_ctx = &lookups;
    cr_parsed_query pq;
    cr_error err;
    cr_assert_eq(
        cr_parse_query(an, cases[i].text, strlen(cases[i].text), &o, &pq, &err),
        0, "%s", err.message);
    char *d = cr_query_describe(pq.query, NULL);
    cr_expect_str_eq(d, cases[i].query, "for «%s»: got %s", cases[i].text, d);
    free(d);
    char syn[512] = "";
    for (size_t k = 0; k < pq.n_synonyms; k++)
      snprintf(syn + strlen(syn), sizeof syn - strlen(syn), "%s=%s;",
               pq.synonyms[k].from, pq.synonyms[k].to);
    cr_expect_str_eq(syn, cases[i].synonyms, "for «%s»", cases[i].text);
    cr_parsed_query_free(&pq);
  }
}
