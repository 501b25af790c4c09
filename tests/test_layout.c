/* test_layout.c — the document layout, whole: for each shape of article,
 * everything cr_schema_build puts in its document, as Xapian's
 * api_termgen.cc tests its term generator. A change to the schema shows
 * as a diff of this table.
 *
 * A dump lists, one a line:
 *   term:wdf[pos,pos,...]   every term in byte order (no [] without
 *                           positions)
 *   value N: ...            every value by slot: text values as they are
 *                           (bytes outside printable ASCII as \xNN), the
 *                           minhash print as its length and FNV-1a hash,
 *                           the packed text as its length class and
 *                           whether it unpacks to the article's text
 *   spelling: w w ...       the words given to the spelling data
 *
 * To see the dumps of the current schema (to update the table after a
 * deliberate change), run with CRONACA_LAYOUT_PRINT=1: each case's dump
 * is printed as a C string on stderr. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "helpers.h"
#include "schema.h"
#include "textpack.h"
#include "xapian_c.h"

/* ---- The dump ------------------------------------------------------------ */

/* What the dump callbacks write into. */
typedef struct dump_ctx {
  FILE *out;             /* an open_memstream */
  cr_textpack *tp;       /* to unpack the text value */
  const cr_article *art; /* to compare it with */
  bool in_spelling;      /* the "spelling:" line is open */
} dump_ctx;

static void put_escaped(FILE *out, const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c < 0x7f && c != '\\')
      fputc(c, out);
    else
      fprintf(out, "\\x%02x", c);
  }
}

static int dump_term(const char *term, size_t len, uint32_t wdf,
                     const uint32_t *positions, size_t n, void *ctx) {
  dump_ctx *d = ctx;
  put_escaped(d->out, term, len);
  fprintf(d->out, ":%u", wdf);
  if (n) {
    fputc('[', d->out);
    for (size_t i = 0; i < n; i++)
      fprintf(d->out, "%s%u", i ? "," : "", positions[i]);
    fputc(']', d->out);
  }
  fputc('\n', d->out);
  return 0;
}

static int dump_value(unsigned slot, const char *value, size_t len, void *ctx) {
  dump_ctx *d = ctx;
  fprintf(d->out, "value %u: ", slot);
  if (slot == CR_SLOT_MINHASH) {
    fprintf(d->out, "minhash %zu bytes, fnv %016llx", len,
            (unsigned long long)cr_fnv1a64(value, len));
  } else if (slot == CR_SLOT_TEXT) {
    /* zstd's bytes may change with its version: what is fixed is that
     * the value unpacks to the text. */
    cr_error err;
    size_t n = 0;
    const char *text = cr_text_unpack(d->tp, value, len, &n, &err);
    bool same =
        text && n == d->art->text_len && memcmp(text, d->art->text, n) == 0;
    fprintf(d->out, "packed text, %s", same ? "unpacks to the text" : "");
    if (!same && text) {
      fputs("unpacks to \"", d->out);
      put_escaped(d->out, text, n);
      fputc('"', d->out);
    } else if (!same) {
      fprintf(d->out, "does not unpack: %s", err.message);
    }
  } else {
    put_escaped(d->out, value, len);
  }
  fputc('\n', d->out);
  return 0;
}

static int dump_spelling(const char *word, size_t len, void *ctx) {
  dump_ctx *d = ctx;
  fputs(d->in_spelling ? " " : "spelling: ", d->out);
  d->in_spelling = true;
  put_escaped(d->out, word, len);
  return 0;
}

/* The whole dump of the document built from art (malloc'd). ahead: the
 * way the indexer's sampling builds it, analysed first (cr_schema_analyse,
 * by another analyzer) and finished later with terms kept between. */
static char *dump_article(const cr_article *art, bool ahead) {
  cr_error err;
  cr_analyzer *an = cr_analyzer_new("italian", &err);
  cr_assert_not_null(an, "%s", err.message);
  cr_textpack *tp = cr_textpack_new(NULL);
  cr_assert_not_null(tp);
  cr_doc *doc = cr_doc_new(NULL);
  cr_assert_not_null(doc);
  char id_term[CR_ID_TERM_SIZE];
  if (ahead) {
    cr_analyzer *sampler = cr_analyzer_new("italian", &err);
    cr_assert_not_null(sampler, "%s", err.message);
    cr_schema_terms t;
    cr_schema_terms_init(&t);
    cr_assert_eq(cr_schema_analyse(sampler, art, &t, doc, &err), 0, "%s",
                 err.message);
    cr_analyzer_free(sampler);
    cr_assert_eq(cr_schema_finish(tp, th_impacts(), art, &t, doc, id_term,
                                  sizeof id_term, &err),
                 0, "%s", err.message);
    cr_schema_terms_free(&t);
  } else {
    cr_assert_eq(cr_schema_build(an, tp, th_impacts(), art, doc, id_term,
                                 sizeof id_term, &err),
                 0, "%s", err.message);
  }
  char *buf = NULL;
  size_t len = 0;
  dump_ctx d = {open_memstream(&buf, &len), tp, art, false};
  cr_assert_not_null(d.out);
  cr_doc_dumper dumper = {dump_term, dump_value, dump_spelling, &d};
  cr_assert_eq(cr_doc_dump(doc, &dumper, &err), 0, "%s", err.message);
  if (d.in_spelling) fputc('\n', d.out);
  fclose(d.out);
  cr_doc_free(doc);
  cr_textpack_free(tp);
  cr_analyzer_free(an);
  return buf;
}

/* Prints dump as a C string literal, one line of the dump a line. */
static void print_literal(const char *name, const char *dump) {
  fprintf(stderr, "/* %s */\n", name);
  for (const char *p = dump; *p;) {
    const char *nl = strchr(p, '\n');
    size_t n = nl ? (size_t)(nl - p) : strlen(p);
    fputs("     \"", stderr);
    for (size_t i = 0; i < n; i++) {
      if (p[i] == '"' || p[i] == '\\') fputc('\\', stderr);
      fputc(p[i], stderr);
    }
    fputs(nl ? "\\n\"\n" : "\"\n", stderr);
    p += n + (nl ? 1 : 0);
  }
}

#define TEXT(s) .text = s, .text_len = sizeof s - 1

/* ---- The table ------------------------------------------------------------
 */

static const struct layout_case {
  const char *name;
  cr_article art;
  const char *dump;
} cases[] = {
    {"title and body",
     {.id = "1001",
      .title = "Russia e Corea del Nord",
      TEXT("Mosca compra armi dalla Corea del Nord.")},
     "Ccorea:178\n"
     "Cnord:178\n"
     "Q1001:0\n"
     "Score:133[2]\n"
     "Snord:133[4]\n"
     "Sruss:133[0]\n"
     "Wdalla:133\n"
     "Wdel:178\n"
     "We:171\n"
     "armi:133[106]\n"
     "compr:133[105]\n"
     "core:178[2,108]\n"
     "mosc:133[104]\n"
     "nord:178[4,110]\n"
     "russ:171[0]\n"
     "value 2: i\\x041001t\\x17Russia e Corea del Nord\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: russia corea nord mosca compra armi\n"},
    {"no title: the first sentence is shown, not indexed again",
     {.id = "1002",
      TEXT("MODENA. Il sindaco presenta il bilancio. Poi altro.")},
     "Q1002:0\n"
     "Wil:160\n"
     "altro:133[7]\n"
     "bilanc:133[5]\n"
     "moden:133[0]\n"
     "poi:133[6]\n"
     "present:133[3]\n"
     "sindac:133[2]\n"
     "value 2: i\\x041002T\\x00\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: modena sindaco presenta bilancio altro\n"},
    {"author and source: words after the body, and under A and XO",
     {.id = "1003",
      .title = "Armi",
      TEXT("Il Cremlino smentisce."),
      .author = "Fabrizio Grasso",
      .source = "Wired Italia",
      .url = "https://www.wired.it/x"},
     "Afabriz:133[0]\n"
     "Agrass:133[1]\n"
     "Ccremlino:133\n"
     "Cgrasso:133\n"
     "Citalia:133\n"
     "Q1003:0\n"
     "Sarmi:133[0]\n"
     "Wil:133\n"
     "XOital:133[1]\n"
     "XOwired:133[0]\n"
     "armi:171[0]\n"
     "cremlin:133[101]\n"
     "fabriz:133[202]\n"
     "grass:133[203]\n"
     "ital:133[304]\n"
     "sment:133[102]\n"
     "wired:133[303]\n"
     "value 2: i\\x041003t\\x04Armia\\x0fFabrizio Grassos\\x0cWired "
     "Italiau\\x16https://www.wired.it/x\n"
     "value 3: Fabrizio Grasso\n"
     "value 4: Wired Italia\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: armi cremlino smentisce fabrizio grasso wired italia\n"},
    {"a date: Y, M and D terms and the date value",
     {.id = "1004", .title = "Oggi", TEXT("Piove."), .date = "2022-09-06"},
     "D20220906:0\n"
     "M202209:0\n"
     "Q1004:0\n"
     "Soggi:133[0]\n"
     "Y2022:0\n"
     "oggi:171[0]\n"
     "piov:133[100]\n"
     "value 0: 20220906\n"
     "value 2: i\\x041004t\\x04Oggid\\x0a2022-09-06\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: oggi piove\n"},
    {"a date not in ISO form is dropped, never guessed",
     {.id = "1005", .title = "Ieri", TEXT("Nevica."), .date = "06/09/2022"},
     "Q1005:0\n"
     "Sier:133[0]\n"
     "ier:171[0]\n"
     "nevic:133[100]\n"
     "value 2: i\\x041005t\\x04Ieri\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: ieri nevica\n"},
    {"capitalised names: inside a sentence, not at its start",
     {.id = "1006",
      TEXT("Costa ha parlato. Ieri il ministro Costa ha firmato il costo.")},
     "Ccosta:133\n"
     "Q1006:0\n"
     "Wha:160\n"
     "Wil:160\n"
     "cost:171[0,6,10]\n"
     "firm:133[8]\n"
     "ier:133[3]\n"
     "ministr:133[5]\n"
     "parl:133[2]\n"
     "value 2: i\\x041006T\\x00\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: costa parlato ieri ministro firmato\n"},
    {"a place's name after via is not a person's",
     {.id = "1007",
      TEXT(
          "La sede in via Aldo Moro accoglie Mario Rossi e piazza Garibaldi.")},
     "Cmario:133\n"
     "Crossi:133\n"
     "Q1007:0\n"
     "We:133\n"
     "Win:133\n"
     "Wla:133\n"
     "accogl:133[6]\n"
     "aldo:133[4]\n"
     "garibald:133[11]\n"
     "mar:133[7]\n"
     "mor:133[5]\n"
     "piazz:133[10]\n"
     "ross:133[8]\n"
     "sed:133[1]\n"
     "via:133[3]\n"
     "value 2: i\\x041007T\\x00\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: sede aldo moro accoglie mario rossi piazza garibaldi\n"},
    {"stop words: W terms, no stems, positions still counted",
     {.id = "1008", .title = "Non per noi", TEXT("Non è per noi.")},
     "Q1008:0\n"
     "We:133\n"
     "Wnoi:178\n"
     "Wnon:178\n"
     "Wper:178\n"
     "value 2: i\\x041008t\\x0bNon per noi\n"
     "value 6: packed text, unpacks to the text\n"},
    {"hyphenated names",
     {.id = "1009", TEXT("Kim Jong-un prova il missile Mahojer-6.")},
     "6:133[7]\n"
     "Cjong:133\n"
     "Cmahojer:133\n"
     "Q1009:0\n"
     "Wil:133\n"
     "jong:133[1]\n"
     "kim:133[0]\n"
     "mahojer:133[6]\n"
     "missil:133[5]\n"
     "prov:133[3]\n"
     "un:133[2]\n"
     "value 2: i\\x041009T\\x00\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: jong prova missile mahojer\n"},
    {"elision, with either apostrophe and with a space",
     {.id = "1010",
      TEXT("Secondo l’intelligence dell'Iran e dell' OPEC, un'ulteriore "
           "prova.")},
     "Ciran:133\n"
     "Copec:133\n"
     "Q1010:0\n"
     "We:133\n"
     "intelligenc:133[1]\n"
     "iran:133[2]\n"
     "opec:133[4]\n"
     "prov:133[6]\n"
     "second:133[0]\n"
     "ulterior:133[5]\n"
     "value 2: i\\x041010T\\x00\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: secondo intelligence iran opec ulteriore prova\n"},
    {"numbers, acronyms and guillemets",
     {.id = "1011",
      TEXT("Nel 2022 l'Onu contò 1.500 morti, il 3,5% in più: «guerra».")},
     "1500:133[4]\n"
     "2022:133[1]\n"
     "3,5:133[7]\n"
     "Conu:133\n"
     "Q1011:0\n"
     "Wil:133\n"
     "Win:133\n"
     "Wnel:133\n"
     "Wpiu:133\n"
     "cont:133[3]\n"
     "guerr:133[10]\n"
     "mort:133[5]\n"
     "onu:133[2]\n"
     "value 2: i\\x041011T\\x00\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: cont\\xc3\\xb2 morti guerra\n"},
    {"the source file: an XF term of its path's hash",
     {.id = "dump-7",
      .title = "Titolo",
      TEXT("Testo."),
      .origin = "/data/feed/dump.jsonl"},
     "Qdump-7:0\n"
     "Stitol:133[0]\n"
     "XF12f672cbdf95b692:0\n"
     "test:133[100]\n"
     "titol:171[0]\n"
     "value 2: i\\x06dump-7t\\x06Titolo\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: titolo testo\n"},
    {"a body long enough for a minhash print",
     {.id = "1013",
      TEXT("Il consiglio comunale di Bologna ha approvato ieri sera il nuovo "
           "piano regolatore della città, dopo una discussione durata sei "
           "ore tra maggioranza e opposizione sui parcheggi, sulle piste "
           "ciclabili e sul verde pubblico dei quartieri periferici.")},
     "Cbologna:133\n"
     "Q1013:0\n"
     "Wdei:133\n"
     "Wdella:133\n"
     "Wdi:133\n"
     "We:160\n"
     "Wha:133\n"
     "Wil:160\n"
     "Wsei:133\n"
     "Wsui:133\n"
     "Wsul:133\n"
     "Wsulle:133\n"
     "Wtra:133\n"
     "Wuna:133\n"
     "approv:133[6]\n"
     "bologn:133[4]\n"
     "ciclabil:133[29]\n"
     "citt:133[14]\n"
     "comunal:133[2]\n"
     "consigl:133[1]\n"
     "discussion:133[17]\n"
     "dop:133[15]\n"
     "dur:133[18]\n"
     "ier:133[7]\n"
     "maggior:133[22]\n"
     "nuov:133[10]\n"
     "opposizion:133[24]\n"
     "ore:133[20]\n"
     "parchegg:133[26]\n"
     "perifer:133[36]\n"
     "pian:133[11]\n"
     "pist:133[28]\n"
     "pubblic:133[33]\n"
     "quartier:133[35]\n"
     "regol:133[12]\n"
     "ser:133[8]\n"
     "verd:133[32]\n"
     "value 2: i\\x041013T\\x00\n"
     "value 5: minhash 64 bytes, fnv 9d7763ef6441bb36\n"
     "value 6: packed text, unpacks to the text\n"
     "spelling: consiglio comunale bologna approvato ieri sera nuovo piano "
     "regolatore citt\\xc3\\xa0 dopo discussione durata maggioranza "
     "opposizione parcheggi piste ciclabili verde pubblico quartieri "
     "periferici\n"},
};

Test(layout, every_shape_of_article_dumps_as_its_table_says) {
  bool print = getenv("CRONACA_LAYOUT_PRINT") != NULL;
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *dump = dump_article(&cases[i].art, false);
    if (print) print_literal(cases[i].name, dump);
    cr_expect_str_eq(dump, cases[i].dump, "%s: the dump is\n%s", cases[i].name,
                     dump);
    free(dump);
  }
}

/* The indexer analyses its first articles while it samples their lengths
 * and writes them later: the documents are the same. */
Test(layout, an_article_analysed_ahead_dumps_the_same) {
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    char *dump = dump_article(&cases[i].art, true);
    cr_expect_str_eq(dump, cases[i].dump, "%s: the dump is\n%s", cases[i].name,
                     dump);
    free(dump);
  }
}

static int stop_at_first(const char *term, size_t len, uint32_t wdf,
                         const uint32_t *positions, size_t n, void *ctx) {
  (void)term, (void)len, (void)wdf, (void)positions, (void)n;
  ++*(int *)ctx;
  return 7;
}

/* cr_doc_dump's own contract: a callback's non-zero stops it, returned. */
Test(layout, a_callback_stops_the_dump) {
  cr_doc *doc = cr_doc_new(NULL);
  cr_assert_not_null(doc);
  cr_assert_eq(cr_doc_add_term(doc, "a", 1, 1, NULL), 0);
  cr_assert_eq(cr_doc_add_term(doc, "b", 1, 1, NULL), 0);
  int calls = 0;
  cr_doc_dumper d = {.term = stop_at_first, .ctx = &calls};
  cr_error err;
  cr_expect_eq(cr_doc_dump(doc, &d, &err), 7);
  cr_expect_eq(calls, 1);
  cr_doc_free(doc);
}
