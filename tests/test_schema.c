/* test_schema.c — the document layout: what cr_schema_build writes and
 * what cr_stored_parse reads back, through a real on-disk index. */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <utf8proc.h>

#include "helpers.h"
#include "schema.h"
#include "xapian_c.h"

static char *dir;
static char path[4096];
static cr_analyzer *an;

static void setup(void) {
  dir = th_mkdtemp("schema");
  snprintf(path, sizeof path, "%s/db", dir);
  cr_error err;
  an = cr_analyzer_new("italian", &err);
  cr_assert_not_null(an, "%s", err.message);
}

static void teardown(void) {
  cr_analyzer_free(an);
  th_rmtree(dir);
  free(dir);
}

TestSuite(schema, .init = setup, .fini = teardown);

/* Real articles, as the readers hand them over, and what must come back. */
static const struct {
  cr_article art;
  const char *title; /* expected displayed title */
  bool derived;
  const char *date; /* expected stored date (invalid ones dropped) */
} cases[] = {
    {{.id = "articles/russia-corea-del-nord-armi.txt",
      .title = "Russia e Corea del Nord, le armi",
      .text = "Secondo l’intelligence americana Mosca compra armi.",
      .date = "2022-09-06",
      .author = "Francesco Grasso",
      .source = "Wired Italia",
      .url = "https://www.wired.it/x"},
     "Russia e Corea del Nord, le armi",
     false,
     "2022-09-06"},
    {{.id = "1006",
      .title = NULL,
      .text = "MODENA. Il sindaco Frederico Rossi presenta il bilancio. Poi "
              "altro.",
      .date = NULL},
     "MODENA. Il sindaco Frederico Rossi presenta il bilancio",
     true,
     NULL},
    {{.id = "ansa-2022-0907",
      .title = "Città e «guerra»",
      .text = "Testo breve.",
      .date = "2022-13-45x",
      .source = "ANSA"},
     "Città e «guerra»",
     false,
     NULL},
    /* Invalid UTF-8 and a NUL in a field are stored as U+FFFD. */
    {{.id = "bad-\xff-id",
      .title = "Titolo \xc3 rotto",
      .text = "a\0b",
      .date = "2020-01-02"},
     "Titolo \xEF\xBF\xBD rotto",
     false,
     "2020-01-02"},
};

static cr_mset *find(cr_rdb *db, const char *id_term) {
  cr_query *q = cr_query_term(id_term, 1, 0, NULL);
  cr_search_opts o = cr_search_opts_default();
  cr_error err;
  cr_mset *m = cr_search(db, q, &o, &err);
  cr_query_free(q);
  cr_assert_not_null(m, "%s", err.message);
  cr_assert_eq(cr_mset_size(m), 1, "%s", id_term);
  return m;
}

Test(schema, an_article_reads_back_from_its_card_and_data) {
  size_t n = sizeof cases / sizeof *cases;
  char id_terms[8][256];
  cr_error err;
  cr_wdb *w = cr_wdb_open(path, CR_WDB_CREATE_OR_OVERWRITE, &err);
  cr_assert_not_null(w, "%s", err.message);
  cr_doc *doc = cr_doc_new(NULL);
  cr_textpack *tp = cr_textpack_new(NULL);
  cr_assert_not_null(tp);
  for (size_t i = 0; i < n; i++) {
    cr_article a = cases[i].art;
    a.text_len = i == 3 ? 3 : strlen(a.text);
    cr_doc_clear(doc, NULL);
    cr_assert_eq(
        cr_schema_build(an, tp, th_impacts(), &a, doc, id_terms[i], 256, &err),
        0, "%s", err.message);
    cr_assert_eq(cr_wdb_replace(w, id_terms[i], doc, &err), 0);
  }
  cr_doc_free(doc);
  cr_assert_eq(cr_wdb_close(w, &err), 0);

  const char *paths[] = {path};
  cr_rdb *db = cr_rdb_open(paths, 1, &err);
  cr_assert_not_null(db, "%s", err.message);
  for (size_t i = 0; i < n; i++) {
    cr_mset *m = find(db, id_terms[i]);
    size_t len;
    const char *card = th_mset_value(m, 0, CR_SLOT_CARD, &len);
    cr_assert_not_null(card);
    cr_stored st;
    cr_assert_eq(cr_stored_parse(card, len, &st, &err), 0, "%s", err.message);
    const cr_article *a = &cases[i].art;
    if (i == 3)
      cr_expect_str_eq(st.id, "bad-\xEF\xBF\xBD-id");
    else
      cr_expect_str_eq(st.id, a->id);
    cr_expect_eq(st.title_derived, cases[i].derived, "case %zu", i);
    if (cases[i].derived)
      cr_expect_null(st.title, "case %zu: a derived title is not stored", i);
    else
      cr_expect_str_eq(st.title, cases[i].title);
    if (cases[i].date)
      cr_expect_str_eq(st.date, cases[i].date);
    else
      cr_expect_null(st.date, "case %zu: a date is never invented", i);
    if (a->author)
      cr_expect_str_eq(st.author, a->author);
    else
      cr_expect_null(st.author);
    if (a->source) cr_expect_str_eq(st.source, a->source);
    if (a->url) cr_expect_str_eq(st.url, a->url);
    cr_expect_null(st.text, "the card never carries the text");
    const char *packed = th_mset_value(m, 0, CR_SLOT_TEXT, &len);
    const char *text = cr_text_unpack(tp, packed, len, &len, &err);
    cr_assert_not_null(text, "%s", err.message);
    if (cases[i].derived) {
      cr_assert_eq(cr_stored_derive_title(&st, text, len), 0);
      cr_expect_str_eq(st.title, cases[i].title, "case %zu", i);
    }
    if (i == 3) {
      cr_expect_eq(len, 5);
      cr_expect(memcmp(text,
                       "a\xEF\xBF\xBD"
                       "b",
                       5) == 0);
    } else {
      cr_expect_eq(len, strlen(a->text));
      cr_expect(memcmp(text, a->text, len) == 0);
    }
    cr_stored_free(&st);
    cr_mset_free(m);
  }
  /* Title words are searchable under their prefix, dates as terms. */
  cr_expect_eq(th_termfreq(db, "Score"), 1);
  cr_expect_eq(th_termfreq(db, "Y2022"), 1);
  cr_expect_eq(th_termfreq(db, "D20200102"), 1);
  cr_expect_eq(th_termfreq(db, "Y2019"), 0);
  cr_rdb_close(db);
  cr_textpack_free(tp);
}

/* Author and source facet values are cut at 200 bytes, before a
 * character, never inside one (issue 17: they were stored invalid). */
Test(schema, facet_values_are_cut_between_characters) {
  static const size_t ascii[] = {198, 199, 200, 197};
  cr_error err;
  cr_wdb *w = cr_wdb_open(path, CR_WDB_CREATE_OR_OVERWRITE, &err);
  cr_assert_not_null(w, "%s", err.message);
  cr_doc *doc = cr_doc_new(NULL);
  cr_textpack *tp = cr_textpack_new(NULL);
  char id_terms[4][256], names[4][300];
  for (size_t i = 0; i < 4; i++) {
    /* ascii[i] letters, then accented letters (2 bytes) and a euro sign */
    memset(names[i], 'a', ascii[i]);
    snprintf(names[i] + ascii[i], sizeof names[i] - ascii[i],
             "\xc3\xa8\xc3\xa8\xe2\x82\xac\xe2\x82\xac");
    char id[16];
    snprintf(id, sizeof id, "f%zu", i);
    cr_article a = {.id = id,
                    .title = "T",
                    .text = "testo",
                    .text_len = 5,
                    .author = names[i],
                    .source = names[i]};
    cr_doc_clear(doc, NULL);
    cr_assert_eq(
        cr_schema_build(an, tp, th_impacts(), &a, doc, id_terms[i], 256, &err),
        0, "%s", err.message);
    cr_assert_eq(cr_wdb_replace(w, id_terms[i], doc, &err), 0);
  }
  cr_doc_free(doc);
  cr_assert_eq(cr_wdb_close(w, &err), 0);
  const char *paths[] = {path};
  cr_rdb *db = cr_rdb_open(paths, 1, &err);
  cr_assert_not_null(db, "%s", err.message);
  for (size_t i = 0; i < 4; i++) {
    cr_mset *m = find(db, id_terms[i]);
    for (unsigned slot = CR_SLOT_AUTHOR; slot <= CR_SLOT_SOURCE; slot++) {
      size_t len;
      const char *v = th_mset_value(m, 0, slot, &len);
      cr_assert_not_null(v);
      cr_expect(len <= 200 && len >= 197, "case %zu: %zu bytes", i, len);
      char *copy = strndup(v, len);
      bool valid = true;
      for (size_t k = 0; k < len && valid;) {
        utf8proc_int32_t cp;
        utf8proc_ssize_t n =
            utf8proc_iterate((const utf8proc_uint8_t *)copy + k,
                             (utf8proc_ssize_t)(len - k), &cp);
        valid = n > 0;
        k += valid ? (size_t)n : 0;
      }
      cr_expect(valid, "case %zu slot %u: invalid UTF-8 (%zu bytes)", i, slot,
                len);
      cr_expect(strncmp(copy, names[i], len) == 0, "case %zu: not a prefix", i);
      free(copy);
    }
    cr_mset_free(m);
  }
  cr_rdb_close(db);
  cr_textpack_free(tp);
}

/* Damaged cards are refused, never read past their end. */
Test(schema, damaged_cards_are_refused) {
  static const struct {
    const char *bytes;
    size_t len;
    bool ok;
  } cards[] = {
      {"", 0, true}, /* no fields at all */
      {"i\x03"
       "abc",
       5, true},
      {"i\x04"
       "abc",
       5, false},                              /* length past the end */
      {"i", 1, false},                         /* tag without length */
      {"i\x80", 2, false},                     /* unfinished varint */
      {"i\xff\xff\xff\xff\xff\x01", 7, false}, /* absurd length */
      {"z\x01"
       "xi\x01"
       "y",
       6, true}, /* unknown tag skipped */
  };
  for (size_t i = 0; i < sizeof cards / sizeof *cards; i++) {
    cr_stored st;
    cr_error err;
    int rc = cr_stored_parse(cards[i].bytes, cards[i].len, &st, &err);
    cr_expect_eq(rc == 0, cards[i].ok, "card %zu", i);
    if (rc == 0 && i == 6) cr_expect_str_eq(st.id, "y");
    if (rc != 0) cr_expect_eq(err.code, CR_E_CORRUPT);
    cr_stored_free(&st);
  }
}

Test(schema, derived_titles_stop_at_the_first_sentence) {
  static const struct {
    const char *text;
    size_t max;
    const char *title;
  } t[] = {
      /* A full stop ends the title without being shown. */
      {"Il sindaco parla. Poi va via.", 120, "Il sindaco parla"},
      {"CARPI. Il sindaco parla. Poi.", 120, "CARPI. Il sindaco parla"},
      {"Chi vince? Nessuno.", 120, "Chi vince?"},
      {"  prima riga\nseconda", 120, "prima riga"},
      {"una frase molto lunga senza punto", 12, "una frase\xE2\x80\xA6"},
      {"", 120, ""},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    char *got = cr_schema_derive_title(t[i].text, strlen(t[i].text), t[i].max);
    cr_expect_str_eq(got, t[i].title, "case %zu", i);
    free(got);
  }
}

/* A page without snippets derives a title from the text's head alone
 * (textpack.h): every prefix cr_schema_title_within accepts gives the
 * whole text's title. Each text is tried at every prefix length. */
Test(schema, a_head_that_decides_a_title_gives_the_whole_texts_title) {
  static const struct {
    const char *text;
    size_t max;
  } t[] = {
      {"Il sindaco parla. Poi va via.", 12},
      {"Il sindaco parla. Poi va via.", 16},
      {"Il sindaco parla. Poi va via.", 17},
      {"Il sindaco parla! Poi va via.", 16},
      {"Chi vince? Nessuno.", 9},
      {"CARPI. Il sindaco parla di città. Poi.", 24},
      {"   \n  prima riga lunga\nseconda", 10},
      {"una frase molto lunga senza punto né fine", 12},
      {"perché è così: città, età, più già.", 14},
      {"Lunga.Senza.Spazi.Dopo.I.Punti.E.Così.Via", 10},
      {"La Corea del Nord vende razzi. Il resto.", 30},
  };
  for (size_t i = 0; i < sizeof t / sizeof *t; i++) {
    size_t len = strlen(t[i].text);
    char *whole = cr_schema_derive_title(t[i].text, len, t[i].max);
    size_t decided = 0;
    for (size_t n = 0; n <= len; n++) {
      if (!cr_schema_title_within(t[i].text, n, t[i].max)) continue;
      if (!decided) decided = n;
      char *head = cr_schema_derive_title(t[i].text, n, t[i].max);
      cr_expect_str_eq(head, whole, "case %zu, first %zu bytes", i, n);
      free(head);
    }
    /* The head needed is the blanks and max + 2 bytes, no more. */
    size_t blanks = strspn(t[i].text, " \n\r\t");
    if (len >= blanks + t[i].max + 2)
      cr_expect_eq(decided, blanks + t[i].max + 2, "case %zu", i);
    else
      cr_expect_eq(decided, 0, "case %zu: too short to tell", i);
    free(whole);
  }
}

/* A source file's term: "XF" and 16 hex digits, distinct for paths that
 * differ only at their end, whatever their length. */
Test(schema, file_terms_are_short_hashes_of_the_path) {
  char long_a[600], long_b[600];
  memset(long_a, 'd', sizeof long_a);
  memcpy(long_a, "/archivio/", 10);
  long_a[sizeof long_a - 1] = '\0';
  memcpy(long_b, long_a, sizeof long_b);
  long_b[sizeof long_b - 2] = 'e';
  const char *keys[] = {
      "/work/shared/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz",
      "/work/shared/corpus/dice/dice_gazzettadimodena_texts.jsonl",
      "/srv/notizie/città/2022-09-06.txt",
      "",
      long_a,
      long_b,
  };
  size_t n = sizeof keys / sizeof *keys;
  char terms[6][CR_FILE_TERM_SIZE];
  for (size_t i = 0; i < n; i++) {
    cr_schema_file_term(keys[i], terms[i]);
    cr_expect_eq(strlen(terms[i]), 18, "case %zu: %s", i, terms[i]);
    cr_expect_eq(strncmp(terms[i], CR_PREFIX_FILE, 2), 0);
    cr_expect_eq(strspn(terms[i] + 2, "0123456789abcdef"), 16);
    for (size_t k = 0; k < i; k++)
      cr_expect_str_neq(terms[i], terms[k], "cases %zu and %zu", k, i);
  }
  char again[CR_FILE_TERM_SIZE];
  cr_schema_file_term(keys[0], again);
  cr_expect_str_eq(again, terms[0], "the same path, the same term");
}

/* Ids are kept whole up to Xapian's term limit; longer ones (URLs, say)
 * keep their beginning and a hash of the rest, so two long ids that
 * differ only at the end never overwrite each other. */
Test(schema, id_terms_keep_long_ids_apart) {
  static char id240[241], id244[245], id250[251], id250b[251], id4k[4001];
  memset(id240, 'y', 240);
  memset(id244, 'y', 244);
  memset(id250, 'y', 250);
  memcpy(id250b, id250, sizeof id250b);
  id250b[249] = 'z';
  memset(id4k, 'u', 4000);
  static const struct {
    const char *id;
    size_t want_len; /* of the term */
    bool whole;      /* the term is "Q" + id */
  } cases[] = {
      {"1852701", 8, true},
      {"https://gazzettadimodena.it/cronaca/2022/09/06/notizia", 55, true},
      {"città/2022-09-06.txt", 22, true},
      {id240, 241, true},
      {id244, 1 + CR_ID_KEEP + 1 + 16, false},
      {id250, 1 + CR_ID_KEEP + 1 + 16, false},
      {id250b, 1 + CR_ID_KEEP + 1 + 16, false},
      {id4k, 1 + CR_ID_KEEP + 1 + 16, false},
  };
  size_t n = sizeof cases / sizeof *cases;
  char terms[8][CR_ID_TERM_SIZE];
  for (size_t i = 0; i < n; i++) {
    cr_schema_id_term(cases[i].id, terms[i]);
    cr_expect_eq(strlen(terms[i]), cases[i].want_len, "case %zu", i);
    cr_expect_leq(strlen(terms[i]), 245, "Xapian's term limit");
    cr_expect_eq(strncmp(terms[i], CR_PREFIX_ID, 1), 0);
    if (cases[i].whole)
      cr_expect_str_eq(terms[i] + 1, cases[i].id, "case %zu", i);
    else
      cr_expect_eq(strncmp(terms[i] + 1, cases[i].id, CR_ID_KEEP), 0);
    for (size_t k = 0; k < i; k++)
      cr_expect_str_neq(terms[i], terms[k], "cases %zu and %zu", k, i);
  }
}

/* The words' own terms (layout 5): C + the word where it is capitalised
 * inside a sentence and not in a place's name, W + each stop word, and
 * the author's and source's words among the article's. Each row is one
 * article; "has" terms must be in its document, "lacks" terms must not. */
Test(schema, name_and_stop_word_terms) {
  static const struct {
    const char *title, *text, *author, *source;
    const char *has[6];
    const char *lacks[6];
  } rows[] = {
      {NULL,
       "Il consigliere Cesare Costa ha detto che i costi salgono.",
       NULL,
       NULL,
       {"Ccesare", "Ccosta", "cost", "Wil", "Wha", NULL},
       {"Cil", "Ccosti", "il", NULL}},
      /* At a sentence's start a capital is grammar. */
      {NULL,
       "Costa molto. Neri ha vinto, dice Mario Neri.",
       NULL,
       NULL,
       {"Cneri", "Cmario", "cost", NULL},
       {"Ccosta", "Cmolto", NULL}},
      /* A street, a square, a school named after a person. */
      {NULL,
       "Incendio in via Aldo Moro e in piazza Garibaldi, scuola Guido "
       "Reni. Lo dice Giulia Moro.",
       NULL,
       NULL,
       {"Cgiulia", "Cmoro", "mor", NULL},
       {"Caldo", "Cgaribaldi", "Cguido", "Creni", NULL}},
      {NULL,
       "Arrivano via Roma, poi Moro parla.",
       NULL,
       NULL,
       {"Cmoro", NULL},
       {"Croma", NULL}},
      /* Accents folded in the word, elided articles dropped. */
      {NULL,
       "Lo ha detto il presidente dell'Università Niccolò Rossi.",
       NULL,
       NULL,
       {"Cuniversita", "Cniccolo", "Crossi", "Wil", NULL},
       {"Cdell", "Wdell", NULL}},
      /* Authors and sources: words of the article, and names. */
      {"Titolo Qui",
       "testo breve del pezzo.",
       "Fabrizio Grasso",
       "Gazzetta del Mattino",
       {"Afabriz", "Agrass", "XOgazzett", "grass", "fabriz", "Cgrasso"},
       {"Ctitolo", NULL}},
  };
  for (size_t i = 0; i < sizeof rows / sizeof *rows; i++) {
    char db_path[4200];
    snprintf(db_path, sizeof db_path, "%s/names-%zu", dir, i);
    cr_error err;
    cr_wdb *w = cr_wdb_open(db_path, CR_WDB_CREATE_OR_OVERWRITE, &err);
    cr_assert_not_null(w, "%s", err.message);
    cr_doc *doc = cr_doc_new(NULL);
    cr_textpack *tp = cr_textpack_new(NULL);
    cr_article a = {.id = "x",
                    .title = rows[i].title,
                    .text = rows[i].text,
                    .text_len = strlen(rows[i].text),
                    .author = rows[i].author,
                    .source = rows[i].source};
    char id_term[256];
    cr_assert_eq(cr_schema_build(an, tp, th_impacts(), &a, doc, id_term,
                                 sizeof id_term, &err),
                 0, "%s", err.message);
    cr_assert_eq(cr_wdb_replace(w, id_term, doc, &err), 0, "%s", err.message);
    cr_doc_free(doc);
    cr_textpack_free(tp);
    cr_assert_eq(cr_wdb_close(w, &err), 0);
    const char *paths[] = {db_path};
    cr_rdb *db = cr_rdb_open(paths, 1, &err);
    cr_assert_not_null(db, "%s", err.message);
    for (size_t k = 0; k < 6 && rows[i].has[k]; k++)
      cr_expect_eq(th_termfreq(db, rows[i].has[k]), 1, "row %zu: %s", i,
                   rows[i].has[k]);
    for (size_t k = 0; k < 6 && rows[i].lacks[k]; k++)
      cr_expect_eq(th_termfreq(db, rows[i].lacks[k]), 0, "row %zu: %s", i,
                   rows[i].lacks[k]);
    cr_rdb_close(db);
  }
}
