/* test_input_formats.c — the readers of issue 20's formats and options
 * (indexer/input_csv.c, input_json.c, input_html.c, input_encoding.c,
 * input_fields.c): CSV tables, JSON arrays, web pages, --encoding,
 * --field and --id-prefix. Each case is one line of a table: a file's
 * name and bytes, the options, and what the readers must give (articles
 * as "id|title|author|date", problems and warnings as "file[:line]:
 * reason" prefixes).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "helpers.h"
#include "input.h"

#define MAX_SEEN 32

typedef struct seen {
  char buf[MAX_SEEN * 3][512]; /* "A id|title|author|date", "P ...", "W ..." */
  char body[MAX_SEEN][400];    /* each article's text, cut */
  char url[MAX_SEEN][100];     /* each article's url */
  char source[MAX_SEEN][100];  /* each article's source */
  size_t n, n_articles;
  const char *strip; /* prefix removed from paths */
  const in_options *options;
} seen;

static const char *rel(const seen *s, const char *path) {
  size_t k = strlen(s->strip);
  return strncmp(path, s->strip, k) == 0 ? path + k : path;
}

static int on_article(const cr_article *a, const in_where *w, void *ctx) {
  (void)w;
  seen *s = ctx;
  if (s->n < MAX_SEEN * 3 && s->n_articles < MAX_SEEN) {
    snprintf(s->buf[s->n++], 512, "A %s|%s|%s|%s", a->id,
             a->title ? a->title : "", a->author ? a->author : "",
             a->date ? a->date : "");
    size_t n = a->text_len < 399 ? a->text_len : 399;
    memcpy(s->body[s->n_articles], a->text, n);
    s->body[s->n_articles][n] = '\0';
    snprintf(s->url[s->n_articles], 100, "%s", a->url ? a->url : "");
    snprintf(s->source[s->n_articles], 100, "%s", a->source ? a->source : "");
    s->n_articles++;
  }
  return 0;
}

static void on_problem(const in_where *w, const char *reason, void *ctx) {
  seen *s = ctx;
  if (s->n >= MAX_SEEN * 3) return;
  char line[32] = "";
  if (w->line)
    snprintf(line, sizeof line, ":%llu", (unsigned long long)w->line);
  snprintf(s->buf[s->n++], 512, "P %s%s: %s", rel(s, w->path), line, reason);
}

static void on_warning(const char *where, const char *message, void *ctx) {
  seen *s = ctx;
  if (s->n >= MAX_SEEN * 3) return;
  snprintf(s->buf[s->n++], 512, "W %s: %s", rel(s, where), message);
}

static int on_file(const in_file *f, void *ctx) {
  seen *s = ctx;
  in_file g = *f;
  g.options = s->options;
  return in_read(&g, on_article, on_problem, ctx);
}

static char *tmp;
static char tmp_slash[4200];

static void setup(void) {
  tmp = th_mkdtemp("formats");
  snprintf(tmp_slash, sizeof tmp_slash, "%s/", tmp);
}
static void teardown(void) {
  th_rmtree(tmp);
  free(tmp);
}
TestSuite(formats, .init = setup, .fini = teardown, .timeout = 60);

/* Writes name with data and reads it (as a directory walk finds it). */
static void read_one(const char *name, const char *data, in_options *o,
                     seen *s) {
  memset(s, 0, sizeof *s);
  char path[4400];
  snprintf(path, sizeof path, "%s/%s", tmp, name);
  th_write_file(path, data, strlen(data));
  s->strip = tmp_slash;
  if (o) {
    o->warn_fn = on_warning;
    o->warn_ctx = s;
  }
  s->options = o;
  in_walk(tmp, on_file, on_problem, s);
  remove(path);
}

static const char *all(const seen *s) {
  static char out[MAX_SEEN * 3 * 520];
  out[0] = '\0';
  for (size_t i = 0; i < s->n; i++) {
    strcat(out, s->buf[i]);
    strcat(out, "\n");
  }
  return out;
}

/* Whether the readers gave exactly these lines, in order. */
static void expect_lines(const seen *s, const char *const *want,
                         const char *what) {
  size_t n = 0;
  while (want[n])
    n++;
  cr_expect_eq(s->n, n, "%s: %zu lines, wanted %zu:\n%s", what, s->n, n,
               all(s));
  for (size_t i = 0; i < n && i < s->n; i++)
    cr_expect(strncmp(s->buf[i], want[i], strlen(want[i])) == 0,
              "%s: line %zu is\n  %s\nnot\n  %s", what, i + 1, s->buf[i],
              want[i]);
}

/* ---- The table --------------------------------------------------------- */

typedef struct format_case {
  const char *what;      /* what the case shows */
  const char *name;      /* the file's name */
  const char *data;      /* its bytes */
  const char *fields[3]; /* --field specs */
  const char *encoding;  /* --encoding */
  const char *prefix;    /* --id-prefix */
  const char *want[8];   /* the lines, in order, as prefixes */
  const char *body0;     /* the first article's text starts so */
} format_case;

static const format_case cases[] = {
    /* CSV */
    {"DICE's header; quoted commas, quotes and line breaks", "dice.csv",
     "id,url,title,sub title,text,publication_date\n"
     "57,https://x/57,\"Titolo, con virgola\",Sotto,\"Riga uno\n"
     "riga \"\"due\"\"\",2022-09-06\n"
     "58,https://x/58,Secondo,,Testo due,06/09/2022\n",
     .want = {"A 57|Titolo, con virgola||2022-09-06",
              "A 58|Secondo||2022-09-06"},
     .body0 = "Riga uno\nriga \"due\""},
    {"synonyms: headline, body, byline, published", "syn.csv",
     "Headline,Body,Byline,Published\nUno,Testo,Anna Neri,2023-01-02\n",
     .want = {"A syn.csv:2|Uno|Anna Neri|2023-01-02"}},
    {"semicolons (Excel in Italian), a BOM", "excel.csv",
     "\xEF\xBB\xBFid;titolo;testo;data\n1;Uno;Primo testo;1 marzo 2023\n",
     .want = {"A 1|Uno||2023-03-01"}},
    {"a .tsv is tab-separated", "t.tsv",
     "id\ttitle\ttext\n7\tSette, otto\tTesto\n", .want = {"A 7|Sette, otto||"}},
    {"rows keep their own line numbers after a multi-line field", "lines.csv",
     "title,text\nA,\"uno\ndue\ntre\"\nB,bad,row\n\nC,quattro\n",
     .want = {"A lines.csv:2|A||",
              "P lines.csv:5: 3 fields, but the header has 2",
              "A lines.csv:7|C||"}},
    {"a stray quote spoils only its row", "quote.csv",
     "id,text\n1,\"uno\" x\n2,due\n",
     .want = {"P quote.csv:2: bad quoting", "A 2|||"}},
    {"a quote never closed", "open.csv", "id,text\n1,\"uno\n2,due\n",
     .want = {"P open.csv:2: a quoted field is not closed"}},
    {"no text column: said once", "notext.csv", "id,titolo\n1,a\n2,b\n",
     .want = {"P notext.csv:1: the header names no text column"}},
    {"an empty text", "empty.csv", "id,text\n1,  \n2,due\n",
     .want = {"P empty.csv:2: empty text", "A 2|||"}},
    {"--field names a column", "field.csv",
     "codice,corpo,quando\nX9,Testo,2020-02-02\n",
     .fields = {"id=codice", "text=corpo", "date=quando"},
     .want = {"A X9|||2020-02-02"}},
    {"invalid UTF-8 in a row: the hint", "bad8.csv", "id,text\n1,citt\xe0\n",
     .want = {"P bad8.csv:2: invalid UTF-8 in the text; if it is Latin-1"}},
    {"--encoding decodes a CSV", "enc.csv", "id,text\n1,citt\xe0\n",
     .encoding = "latin1", .want = {"A 1|||"}, .body0 = "città"},

    /* JSON */
    {"an array of articles, line numbers of its elements", "a.json",
     "[\n  {\"id\": 1, \"text\": \"uno\", \"title\": \"T1\"},\n"
     "  42,\n"
     "  {\"title\": \"senza id\",\n   \"text\": \"due\"}\n]\n",
     .want = {"A 1|T1||", "P a.json:3: not a JSON object but a number",
              "A a.json:4|senza id||"}},
    {"one object on many lines", "one.json",
     "{\n  \"id\": \"x\",\n  \"text\": \"uno\",\n  \"date\": "
     "\"2021-05-06\"\n}\n",
     .want = {"A x|||2021-05-06"}},
    {"JSON Lines named .json", "lines.json",
     "{\"id\": 1, \"text\": \"uno\"}\n{\"id\": 2, \"text\": \"due\"}\n",
     .want = {"A 1|||", "A 2|||"}},
    {"a broken element ends the array", "broken.json",
     "[{\"id\": 1, \"text\": \"uno\"},\n {\"id\": 2, \"text\": }]\n",
     .want = {"A 1|||", "P broken.json:2: malformed JSON"}},
    {"an array not closed", "open.json", "[{\"id\": 1, \"text\": \"uno\"},\n",
     .want = {"A 1|||", "P open.json:2: the array is not closed"}},
    {"an empty array", "empty.json", "[ ]\n", .want = {NULL}},
    {"keys that look like fields: one warning per file and field", "warn.json",
     "[{\"id\": 1, \"text\": \"a\", \"headline\": \"H\", \"byline\": \"B\"},\n"
     " {\"id\": 2, \"text\": \"b\", \"headline\": \"H2\"}]\n",
     .want = {"W warn.json: key \"headline\" looks like the title but is not "
              "read: to read it, --field title=headline",
              "W warn.json: key \"byline\" looks like the author", "A 1|||",
              "A 2|||"}},
    {"--field reads them", "mapped.json",
     "[{\"id\": 1, \"text\": \"a\", \"headline\": \"H\", \"byline\": \"B\", "
     "\"published\": \"2020-01-02\"}]\n",
     .fields = {"title=headline", "author=byline", "date=published"},
     .want = {"A 1|H|B|2020-01-02"}},
    {"--field text=KEY in JSON Lines", "corpo.jsonl",
     "{\"id\": 1, \"corpo\": \"testo\"}\n{\"id\": 2}\n",
     .fields = {"text=corpo"},
     .want = {"A 1|||", "P corpo.jsonl:2: no \"corpo\" (or \"text\""}},
    {"invalid UTF-8 in JSON Lines: the hint", "l1.jsonl",
     "{\"id\": 1, \"text\": \"citt\xe0\"}\n",
     .want =
         {
             "P l1.jsonl:1: invalid UTF-8 (column",
         }},
    {"--encoding decodes JSON Lines", "l1enc.jsonl",
     "{\"id\": 1, \"text\": \"citt\xe0 \xabvecchia\xbb\"}\n",
     .encoding = "latin1", .want = {"A 1|||"}, .body0 = "città «vecchia»"},

    /* HTML */
    {"a news page: meta tags, navigation left out", "p.html",
     "<html><head><title>T | Sito</title>"
     "<meta property=\"og:title\" content=\"Il titolo\">"
     "<meta property=\"og:site_name\" content=\"Il Sito\">"
     "<meta property=\"article:published_time\" "
     "content=\"2017-08-16T19:45:00+02:00\">"
     "<meta name=\"author\" content=\"Anna Neri\">"
     "<link rel=\"canonical\" href=\"https://x/p\">"
     "<script>var spia = 1;</script><style>p{}</style></head>"
     "<body><nav>Menu Meteo</nav><header>Testata</header>"
     "<article><h1>Il titolo</h1><p>Primo <b>paragrafo</b>.</p>"
     "<p>Secondo&nbsp;paragrafo &egrave; qui.</p><aside>Leggi anche</aside>"
     "</article><footer>Diritti</footer></body></html>",
     .want = {"A p.html|Il titolo|Anna Neri|2017-08-16"},
     .body0 = "Primo paragrafo.\nSecondo\xc2\xa0paragrafo è qui.\n"},
    {"no meta: <h1>, <time datetime>, the body", "q.htm",
     "<html><head><title>Dal titolo</title></head><body>"
     "<h1>Dal primo h1</h1><p>Il <time datetime=\"2016-02-11\">11 "
     "febbraio</time>: testo<br>a capo.</p></body></html>",
     .want = {"A q.htm|Dal primo h1||2016-02-11"},
     .body0 = "Il 11 febbraio: testo\na capo.\n"},
    {"only <title>", "r.html",
     "<title>Solo titolo</title><div>Corpo della pagina</div>",
     .want = {"A r.html|Solo titolo||"}, .body0 = "Corpo della pagina"},
    {"a page in Latin-1 that says so", "l1.html",
     "<html><head><meta charset=\"iso-8859-1\"><title>Citt\xe0</title>"
     "</head><body><p>Perch\xe9 s\xec.</p></body></html>",
     .want = {"A l1.html|Città||"}, .body0 = "Perché sì."},
    {"a page in Latin-1 that does not say so", "l1x.html",
     "<html><body><h1>Citt\xe0</h1><p>Perch\xe9.</p></body></html>",
     .want = {"P l1x.html: not UTF-8 and no charset declared: byte 0xe0"}},
    {"... read with --encoding", "l1y.html",
     "<html><body><h1>Citt\xe0</h1><p>Perch\xe9.</p></body></html>",
     .encoding = "latin1", .want = {"A l1y.html|Città||"}, .body0 = "Perché."},
    {"a page with no text", "vuota.html",
     "<html><head><title>Vuota</title><script>x()</script></head></html>",
     .want = {"P vuota.html: a web page without text"}},

    /* Encodings and ids */
    {"a Latin-1 text without --encoding: the hint", "vecchio.txt",
     "Titolo\n\nPerch\xe9 no.\n",
     .want = {"P vecchio.txt: not UTF-8 text: byte 0xe9 at offset 13; if it "
              "is Latin-1 or Windows-1252, index it with --encoding cp1252"}},
    {"... with --encoding latin1", "vecchio2.txt",
     "Titolo \xe8\n\n12 maggio 1998\n\nPerch\xe9 no.\n", .encoding = "latin1",
     .want = {"A vecchio2.txt|Titolo è||1998-05-12"}},
    {"Windows-1252: curly quotes and the euro", "win.txt",
     "Titolo\n\n\x93"
     "Costa 5 \x80 \x97 dice l\x92oste\x94\n",
     .encoding = "cp1252", .want = {"A win.txt|Titolo||"},
     .body0 = "“Costa 5 € — dice l’oste”"},
    {"a byte Windows-1252 lacks becomes U+FFFD, with a warning", "win2.txt",
     "Titolo\n\nA\x81"
     "B\n",
     .encoding = "windows-1252",
     .want = {"W win2.txt: byte 0x81 at offset 9 is not windows-1252",
              "A win2.txt|Titolo||"},
     .body0 = "A\xEF\xBF\xBD"
              "B"},
    {"--id-prefix on JSON ids", "p.jsonl", "{\"id\": 57, \"text\": \"a\"}\n",
     .prefix = "dice:", .want = {"A dice:57|||"}},
    {"--id-prefix on a text file's path", "p.txt", "Titolo\n\nCorpo.\n",
     .prefix = "corpus/", .want = {"A corpus/p.txt|Titolo||"}},
};

Test(formats, table) {
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    const format_case *c = &cases[i];
    in_options o = {.encoding = c->encoding, .id_prefix = c->prefix};
    char err[256];
    for (size_t k = 0; k < 3 && c->fields[k]; k++)
      cr_assert_eq(in_options_add_field(&o, c->fields[k], err, sizeof err), 0,
                   "%s", err);
    seen *s = malloc(sizeof *s);
    cr_assert_not_null(s);
    read_one(c->name, c->data, &o, s);
    expect_lines(s, c->want, c->what);
    if (c->body0)
      cr_expect(s->n_articles > 0 &&
                    strncmp(s->body[0], c->body0, strlen(c->body0)) == 0,
                "%s: the text is\n  '%s'\nnot\n  '%s'", c->what,
                s->n_articles ? s->body[0] : "", c->body0);
    free(s);
  }
}

Test(formats, html_url_and_source) {
  seen *s = malloc(sizeof *s);
  read_one("u.html",
           "<head><meta property=\"og:url\" content=\"https://x/og\">"
           "<meta property=\"og:site_name\" content=\"Gazzetta\"></head>"
           "<body><p>Testo</p></body>",
           NULL, s);
  cr_assert_eq(s->n_articles, 1, "%s", all(s));
  cr_expect_str_eq(s->url[0], "https://x/og");
  cr_expect_str_eq(s->source[0], "Gazzetta");
  free(s);
}

Test(formats, field_option_errors) {
  static const char *const bad[] = {"title", "=x", "titolo=headline",
                                    "title=", NULL};
  for (size_t i = 0; bad[i]; i++) {
    in_options o = {0};
    char err[256];
    cr_expect_eq(in_options_add_field(&o, bad[i], err, sizeof err), -1, "%s",
                 bad[i]);
    cr_expect(strstr(err, "FIELD=KEY"), "%s", err);
  }
  cr_expect(in_encoding_known("latin1"));
  cr_expect(in_encoding_known("cp1252"));
  cr_expect(!in_encoding_known("klingon-8"));
}

/* The corpus's own fixtures read cleanly, with the known fields. */
Test(formats, corpus_fixtures) {
  static const struct {
    const char *path;
    const char *want[4];
  } fixtures[] = {
      {CORPUS_DIR "/tabelle/dice-estratto.csv",
       {"A 2101|Alba, la fiera del tartufo bianco apre con 800 espositori||"
        "2018-10-06",
        "A 2102|Trieste, nuove corse notturne per il tram di Opicina||"
        "2017-03-14",
        "A 2103|Matera inaugura il nuovo acquedotto dei Sassi||2016-05-21"}},
      {CORPUS_DIR "/redazione.json",
       {"A redazione-2015-0412|Orvieto, concluso il restauro della facciata "
        "del Duomo|Marta Benedetti|2015-04-12",
        "A redazione-2014-1019|Marradi, trentamila visitatori alla sagra "
        "delle castagne|Piero Guidi|2014-10-19",
        "A 2104|Cagliari, il porto turistico raddoppia i posti barca||"
        "2013-11-30"}},
      {CORPUS_DIR "/pagine/palio-siena.html",
       {"A " CORPUS_DIR "/pagine/palio-siena.html|Palio di Siena, vince la "
        "contrada della Selva|Giovanni Lenzi|2017-08-16"}},
      {CORPUS_DIR "/pagine/mosaici-ravenna.htm",
       {"A " CORPUS_DIR "/pagine/mosaici-ravenna.htm|I mosaici bizantini di "
        "Ravenna in mostra a Parigi||2016-02-11"}},
  };
  for (size_t i = 0; i < sizeof fixtures / sizeof *fixtures; i++) {
    seen *s = calloc(1, sizeof *s);
    s->strip = "";
    in_walk(fixtures[i].path, on_file, on_problem, s);
    expect_lines(s, fixtures[i].want, fixtures[i].path);
    if (strstr(fixtures[i].path, "palio"))
      cr_expect(!strstr(s->body[0], "Meteo") && !strstr(s->body[0], "var ") &&
                    !strstr(s->body[0], "Diritti") &&
                    !strstr(s->body[0], "Leggi anche"),
                "navigation, scripts and asides are left out: %s", s->body[0]);
    free(s);
  }
  /* The Latin-1 file: refused with the hint, read with --encoding. */
  seen *s = calloc(1, sizeof *s);
  s->strip = CORPUS_DIR "/";
  in_walk(CORPUS_DIR "/latin1/urbino-1998.latin1", on_file, on_problem, s);
  cr_expect(s->n == 1 && strstr(s->buf[0], "--encoding"), "%s", all(s));
  memset(s, 0, sizeof *s);
  in_options o = {.encoding = "latin1", .warn_fn = on_warning, .warn_ctx = s};
  s->strip = CORPUS_DIR "/";
  s->options = &o;
  in_walk(CORPUS_DIR "/latin1/urbino-1998.latin1", on_file, on_problem, s);
  cr_expect(s->n_articles == 1 && strstr(s->body[0], "Perché il Palazzo") &&
                strstr(s->body[0], "«una boccata d'ossigeno»") &&
                strstr(s->buf[0], "|1998-05-12"),
            "%s / %s", all(s), s->body[0]);
  free(s);
}
