/* test_input.c — the indexer's input side (indexer/input*.c): the article
 * text parser, JSON Lines with good and bad lines, compressed streams,
 * tar and zip archives, standard input, the directory walk, junk files,
 * a very long line, and the DICE file read whole.
 *
 * Inputs are written to a scratch directory by each test (bad inputs are
 * never part of corpus/); compressed files and archives are made with the
 * system's gzip, xz, zstd, bzip2, tar and zip, and a case is skipped when
 * its tool is missing. */
#include <criterion/criterion.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "hash.h"
#include "helpers.h"
#include "input.h"

/* ---- Collecting what the readers report -------------------------------- */

#define MAX_SEEN 64

/* Everything one walk + read produced, as strings easy to compare. */
typedef struct seen {
  char *articles[MAX_SEEN]; /* "id|title|author|date" */
  char *bodies[MAX_SEEN];   /* the first 60 bytes of each body */
  char *problems[MAX_SEEN]; /* "path[:member][:line]: reason", path relative
                               to the scratch directory */
  size_t n_articles, n_problems;
  uint64_t total;    /* articles counted past MAX_SEEN too */
  const char *strip; /* prefix removed from paths in problems */
  int stop_after;    /* article_fn returns 1 after this many (0: never) */
} seen;

static int on_article(const cr_article *a, const in_where *w, void *ctx) {
  (void)w;
  seen *s = ctx;
  cr_assert_not_null(a->id);
  cr_assert_not_null(a->text);
  s->total++;
  if (s->n_articles < MAX_SEEN) {
    char buf[1024];
    snprintf(buf, sizeof buf, "%s|%s|%s|%s", a->id, a->title ? a->title : "",
             a->author ? a->author : "", a->date ? a->date : "");
    s->articles[s->n_articles] = strdup(buf);
    size_t n = a->text_len < 60 ? a->text_len : 60;
    s->bodies[s->n_articles] = strndup(a->text, n);
    s->n_articles++;
  }
  return s->stop_after && s->total >= (uint64_t)s->stop_after ? 1 : 0;
}

static void on_problem(const in_where *w, const char *reason, void *ctx) {
  seen *s = ctx;
  if (s->n_problems >= MAX_SEEN) return;
  const char *path = w->path;
  if (s->strip && strncmp(path, s->strip, strlen(s->strip)) == 0)
    path += strlen(s->strip);
  char buf[1024], line[32] = "";
  if (w->line)
    snprintf(line, sizeof line, ":%llu", (unsigned long long)w->line);
  snprintf(buf, sizeof buf, "%s%s%s%s: %s", path, w->member ? ":" : "",
           w->member ? w->member : "", line, reason);
  s->problems[s->n_problems++] = strdup(buf);
}

static int on_file(const in_file *f, void *ctx) {
  return in_read(f, on_article, on_problem, ctx);
}

static void seen_free(seen *s) {
  for (size_t i = 0; i < s->n_articles; i++) {
    free(s->articles[i]);
    free(s->bodies[i]);
  }
  for (size_t i = 0; i < s->n_problems; i++)
    free(s->problems[i]);
}

/* The articles' ids, comma-separated. */
static const char *ids(const seen *s) {
  static char buf[4096];
  buf[0] = '\0';
  for (size_t i = 0; i < s->n_articles; i++) {
    if (i) strcat(buf, ",");
    strncat(buf, s->articles[i], strcspn(s->articles[i], "|"));
  }
  return buf;
}

static bool has_problem(const seen *s, const char *prefix) {
  for (size_t i = 0; i < s->n_problems; i++)
    if (strncmp(s->problems[i], prefix, strlen(prefix)) == 0) return true;
  return false;
}

static const char *all_problems(const seen *s) {
  static char buf[8192];
  buf[0] = '\0';
  for (size_t i = 0; i < s->n_problems; i++) {
    strncat(buf, s->problems[i], 400);
    strcat(buf, "\n");
  }
  return buf;
}

/* ---- Scratch files ----------------------------------------------------- */

static char *tmp;            /* this test's scratch directory */
static char tmp_slash[4200]; /* "tmp/", stripped from problem paths */

static void setup(void) {
  tmp = th_mkdtemp("input");
  snprintf(tmp_slash, sizeof tmp_slash, "%s/", tmp);
}
static void teardown(void) {
  th_rmtree(tmp);
  free(tmp);
}

TestSuite(input, .init = setup, .fini = teardown, .timeout = 120);

static char *at(const char *name) {
  static char bufs[8][4200];
  static int k;
  char *b = bufs[k++ % 8];
  snprintf(b, 4200, "%s/%s", tmp, name);
  return b;
}

static void put(const char *name, const char *data, size_t len) {
  th_write_file(at(name), data, len);
}
#define PUT(name, literal) put(name, literal, sizeof literal - 1)

/* Runs a shell command in the scratch directory; false if it failed. */
static bool sh(const char *fmt, const char *arg) {
  char cmd[8192], full[8400];
  snprintf(cmd, sizeof cmd, fmt, arg);
  snprintf(full, sizeof full, "cd '%s' && %s", tmp, cmd);
  char *argv[] = {"/bin/sh", "-c", full, NULL};
  th_run r = th_exec(argv, NULL);
  bool ok = r.status == 0;
  th_run_free(&r);
  return ok;
}

static bool have_tool(const char *name) {
  char cmd[256];
  snprintf(cmd, sizeof cmd, "command -v %s >/dev/null 2>&1", name);
  return sh("%s", cmd);
}

/* Walks and reads path, collecting into s. */
static void read_all(const char *path, seen *s) {
  s->strip = tmp_slash;
  in_walk(path, on_file, on_problem, s);
}

/* ---- Article text ------------------------------------------------------ */

/* Article text files as the parser sees them: the fields it finds and the
 * start of the body. */
static const struct {
  const char *name; /* what the case shows */
  const char *in;
  const char *title, *author, *date; /* NULL: none */
  const char *body;                  /* the body's first bytes */
} text_cases[] = {
    {"seed shape", "Titolo\n\nFabrizio Grasso\n06/09/2022\n\nCorpo.\n",
     "Titolo", "Fabrizio Grasso", "2022-09-06",
     "Fabrizio Grasso\n06/09/2022\n\nCorpo."},
    {"no blank after title", "Titolo\nMario Rossi\n2022-09-06\nCorpo.\n",
     "Titolo", "Mario Rossi", "2022-09-06", "Mario Rossi\n2022-09-06\nCorpo."},
    {"date before author", "Titolo\n\n6 settembre 2022\nAnna Bianchi\n\nCorpo.",
     "Titolo", "Anna Bianchi", "2022-09-06", "6 settembre 2022\nAnna Bianchi"},
    {"weekday date", "Titolo\n\nmartedì 6 settembre 2022\n\nCorpo.", "Titolo",
     NULL, "2022-09-06", "martedì 6 settembre 2022\n\nCorpo."},
    {"date only", "Titolo\n6 set. 2022\n\nCorpo.", "Titolo", NULL, "2022-09-06",
     "6 set. 2022\n\nCorpo."},
    {"dateline: the place stays in the body",
     "Titolo\n\nRoma, 6 settembre 2022\n\nCorpo.", "Titolo", NULL, "2022-09-06",
     "Roma, 6 settembre 2022"},
    {"dateline in capitals", "Titolo\n\nCARPI, 6 settembre 2022\n\nCorpo.",
     "Titolo", NULL, "2022-09-06", "CARPI, 6 settembre 2022"},
    {"a name alone may be a sub-heading", "Titolo\n\nGiulia Ferrari\n\nCorpo.",
     "Titolo", NULL, NULL, "Giulia Ferrari\n\nCorpo."},
    {"sub-heading is not an author", "Titolo\n\nVigili del Fuoco\n\nCorpo.",
     "Titolo", NULL, NULL, "Vigili del Fuoco\n\nCorpo."},
    {"short sub-heading is not an author", "Titolo\n\nSerie B\n\nCorpo.",
     "Titolo", NULL, NULL, "Serie B\n\nCorpo."},
    {"'di' by-line alone", "Titolo\n\ndi Giulia Ferrari\n\nCorpo.", "Titolo",
     "Giulia Ferrari", NULL, "di Giulia Ferrari\n\nCorpo."},
    {"'di' by-line", "Titolo\n\ndi Luca Romano\n12/03/2023\n\nCorpo.", "Titolo",
     "Luca Romano", "2023-03-12", "di Luca Romano\n12/03/2023"},
    {"surname Di Maio kept", "Titolo\n\nLuigi Di Maio\n12/03/2023\n\nCorpo.",
     "Titolo", "Luigi Di Maio", "2023-03-12", "Luigi Di Maio\n"},
    {"initial and apostrophe", "Titolo\n\nF. D'Amico\n1/3/2021\n\nCorpo.",
     "Titolo", "F. D'Amico", "2021-03-01", "F. D'Amico\n"},
    {"CRLF lines", "Titolo\r\n\r\nMario Rossi\r\n06.09.2022\r\n\r\nCorpo.\r\n",
     "Titolo", "Mario Rossi", "2022-09-06", "Mario Rossi\r\n06.09.2022"},
    {"byte order mark", "\xEF\xBB\xBFTitolo\n\nCorpo.", "Titolo", NULL, NULL,
     "Corpo."},
    {"leading blank lines", "\n\n  Titolo  \n\nCorpo.", "Titolo", NULL, NULL,
     "Corpo."},
    {"short first body line is body",
     "Titolo\nMosca Attacca\nLe truppe avanzano.", "Titolo", NULL, NULL,
     "Mosca Attacca\nLe truppe"},
    {"sentence is not an author", "Titolo\n\nPiove molto.\n\nCorpo.", "Titolo",
     NULL, NULL, "Piove molto."},
    {"impossible date is body", "Titolo\n\n31/02/2022\n\nCorpo.", "Titolo",
     NULL, NULL, "31/02/2022"},
    {"header without body", "Titolo\n\nMario Rossi\n06/09/2022\n", "Titolo",
     NULL, NULL, "Mario Rossi"},
    {"one line only", "Solo una riga senza altro", NULL, NULL, NULL,
     "Solo una riga"},
    {"title then blanks only", "Titolo\n\n\n", NULL, NULL, NULL, "Titolo"},
    {"long first line is body",
     "Questa prima riga è lunghissima e continua senza fermarsi per molto "
     "tempo, ben oltre la lunghezza di un titolo qualsiasi, perché è un "
     "paragrafo di testo scritto tutto di seguito, senza andare mai a capo, "
     "come capita nei testi incollati da una pagina web, dove ogni paragrafo "
     "è una riga sola e il titolo manca del tutto; il parser non deve "
     "inventarlo.\nSeconda riga.",
     NULL, NULL, NULL, "Questa prima riga"},
    {"empty", "", NULL, NULL, NULL, ""},
    {"blank", "  \n \n", NULL, NULL, NULL, ""},
};

Test(input, article_text_table) {
  for (size_t i = 0; i < sizeof text_cases / sizeof *text_cases; i++) {
    size_t len = strlen(text_cases[i].in);
    char *copy = malloc(len + 1);
    memcpy(copy, text_cases[i].in, len + 1);
    cr_article art;
    memset(&art, 0xAB, sizeof art); /* every field must be set */
    char date[11], author[IN_AUTHOR_BYTES];
    in_parse_article_text(copy, len, &art, date, author);
    const char *name = text_cases[i].name;
#define FIELD_EQ(field, want)                                                  \
  do {                                                                         \
    if (want)                                                                  \
      cr_expect(art.field &&strcmp(art.field, want) == 0,                      \
                "%s: " #field " \"%s\", want \"%s\"", name,                    \
                art.field ? art.field : "(null)", want);                       \
    else                                                                       \
      cr_expect_null(art.field, "%s: " #field " \"%s\", want none", name,      \
                     art.field);                                               \
  } while (0)
    FIELD_EQ(title, text_cases[i].title);
    FIELD_EQ(author, text_cases[i].author);
    FIELD_EQ(date, text_cases[i].date);
    const char *body = text_cases[i].body;
    cr_expect(art.text_len >= strlen(body) &&
                  strncmp(art.text, body, strlen(body)) == 0,
              "%s: body \"%.*s\", want \"%s...\"", name, (int)art.text_len,
              art.text, body);
    cr_expect(art.text + art.text_len == copy + len, "%s: body to the end",
              name);
    free(copy);
  }
}

Test(input, the_seed_article) {
  char seed[4096];
  snprintf(seed, sizeof seed, "%s/articles/russia-corea-del-nord-armi.txt",
           CORPUS_DIR);
  seen s = {0};
  read_all(seed, &s);
  cr_assert_eq(s.n_articles, 1, "%s", all_problems(&s));
  char want[8192];
  snprintf(want, sizeof want,
           "%s|Secondo l’intelligence Usa, la Russia sta comprando armi "
           "dalla Corea del Nord|Fabrizio Grasso|2022-09-06",
           seed);
  cr_expect_str_eq(s.articles[0], want);
  /* The header lines stay in the body, then the text. */
  cr_expect(strncmp(s.bodies[0],
                    "Fabrizio Grasso\n06/09/2022\n\nSecondo "
                    "l’Intelligence Usa Mosca",
                    52) == 0,
            "%s", s.bodies[0]);
  seen_free(&s);
}

/* ---- JSON Lines -------------------------------------------------------- */

Test(input, jsonl_ids_fields_and_body_keys) {
  PUT("a.jsonl",
      "{\"id\": 57, \"text\": \"numerico\"}\n"
      "{\"id\": \"x-1\", \"title\": \"T\", \"body\": \"chiave body\", "
      "\"date\": \"6 settembre 2022\", \"author\": \"A B\"}\n"
      "\n"
      "   \n"
      "{\"content\": \"senza id\", \"date\": \"ieri\", \"title\": \"  \"}\n"
      "{\"id\": \"d\", \"text\": \"data ISO\", \"date\": "
      "\"2022-09-06T10:30:00Z\", \"source\": \"S\", \"url\": \"u\", "
      "\"extra\": [1, 2]}\n"
      "{\"id\": \"null-text\", \"text\": null, \"body\": \"dal body\"}\n"
      "{\"id\": \"last\", \"text\": \"senza a capo\"}");
  seen s = {0};
  read_all(at("a.jsonl"), &s);
  cr_expect_eq(s.n_problems, 0, "%s", all_problems(&s));
  cr_assert_eq(s.n_articles, 6, "%s", ids(&s));
  cr_expect_str_eq(s.articles[0], "57|||");
  cr_expect_str_eq(s.articles[1], "x-1|T|A B|2022-09-06");
  cr_expect_str_eq(s.bodies[1], "chiave body");
  /* no id: file id base and line; an unreadable date is left out */
  char want[4300];
  snprintf(want, sizeof want, "%s:5|||", at("a.jsonl"));
  cr_expect_str_eq(s.articles[2], want);
  cr_expect_str_eq(s.articles[3], "d|||2022-09-06");
  cr_expect_str_eq(s.bodies[4], "dal body");
  cr_expect_str_eq(s.articles[5], "last|||");
  seen_free(&s);
}

/* Bad lines and what is reported for each; their neighbours are read. */
Test(input, jsonl_bad_lines_reported_with_line_numbers) {
  PUT("bad.jsonl",
      "{\"id\":\"ok1\",\"text\":\"prima\"}\n"         /* 1 */
      "{\"id\":\"broken\",\"text\":\n"                /* 2 */
      "[1,2,3]\n"                                     /* 3 */
      "{\"id\":\"bad-utf8\",\"text\":\"citt\xc3\"}\n" /* 4 */
      "{\"id\":\"notext\"}\n"                         /* 5 */
      "\n"                                            /* 6 */
      "{\"id\":\"ok2\",\"text\":\"seconda\"}\n"       /* 7 */
      "\"solo una stringa\"\n"                        /* 8 */
      "{\"id\":{\"a\":1},\"text\":\"id oggetto\"}\n"  /* 9 */
      "{\"id\":\"empty\",\"text\":\"  \"}\n"          /* 10 */
      "{\"id\":\"nul\",\"title\":\"T\\u0000i\",\"text\":\"a\\u0000b\"}\n" /* 11
                                                                           */
      "{\"id\":\"two\",\"text\":\"x\"} {\"id\":\"y\"}\n"            /* 12 */
      "{\"id\":\"ok3\",\"text\":\"terza\"}\n"                       /* 13 */
      "{\"id\":\"ws\",\"text\":\" \\n\\t\\u00a0\\u3000 \\r\\n\"}\n" /* 14 */
      "{\"id\":\"zw\",\"text\":\"\\u200b\\u2028\"}\n");             /* 15 */
  seen s = {0};
  read_all(at("bad.jsonl"), &s);
  /* A NUL in a string is dropped, the record kept. */
  cr_expect_str_eq(ids(&s), "ok1,ok2,nul,ok3");
  cr_expect(s.n_articles > 2 && !strcmp(s.bodies[2], "ab") &&
                !strcmp(s.articles[2], "nul|Ti||"),
            "%s", s.n_articles > 2 ? s.articles[2] : "");
  static const char *const want[] = {
      "bad.jsonl:2: malformed JSON",
      "bad.jsonl:3: not a JSON object but an array",
      "bad.jsonl:4: invalid UTF-8",
      "bad.jsonl:5: no \"text\"",
      "bad.jsonl:8: not a JSON object but a string",
      "bad.jsonl:9: \"id\" is an object",
      "bad.jsonl:10: empty text",
      "bad.jsonl:12: malformed JSON",
      /* Only white space, of any kind, is no text, like "". */
      "bad.jsonl:14: empty text",
      "bad.jsonl:15: empty text",
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    cr_expect(has_problem(&s, want[i]), "missing \"%s\" in:\n%s", want[i],
              all_problems(&s));
  cr_expect_eq(s.n_problems, sizeof want / sizeof *want, "%s",
               all_problems(&s));
  cr_expect_null(strstr(all_problems(&s), "JSON_"),
                 "a library's flag names in a message: %s", all_problems(&s));
  seen_free(&s);
}

Test(input, jsonl_a_callback_can_stop_the_read) {
  PUT("stop.jsonl", "{\"id\":1,\"text\":\"a\"}\n{\"id\":2,\"text\":\"b\"}\n"
                    "{\"id\":3,\"text\":\"c\"}\n");
  seen s = {.stop_after = 2};
  s.strip = tmp_slash;
  in_file f = {.path = at("stop.jsonl"),
               .key = at("stop.jsonl"),
               .id_base = "stop.jsonl",
               .size = -1,
               .format = IN_JSONL};
  cr_expect_eq(in_read(&f, on_article, on_problem, &s), IN_READ_STOPPED);
  cr_expect_str_eq(ids(&s), "1,2");
  seen_free(&s);
}

/* A 40 MB line is read whole and its neighbours too; not quadratic (the
 * suite's timeout would catch that). */
Test(input, jsonl_a_very_long_line) {
  size_t body = 40u << 20;
  char *line = malloc(body + 256);
  cr_assert_not_null(line);
  size_t n = (size_t)sprintf(line, "{\"id\":\"ok1\",\"text\":\"a\"}\n"
                                   "{\"id\":\"long\",\"text\":\"");
  memset(line + n, 'x', body);
  n += body;
  n += (size_t)sprintf(line + n, "\"}\n{\"id\":\"ok2\",\"text\":\"b\"}\n");
  put("long.jsonl", line, n);
  free(line);
  seen s = {0};
  read_all(at("long.jsonl"), &s);
  cr_expect_eq(s.n_problems, 0, "%s", all_problems(&s));
  cr_expect_str_eq(ids(&s), "ok1,long,ok2");
  seen_free(&s);
}

/* ---- Compressed streams ------------------------------------------------ */

static const char small_jsonl[] =
    "{\"id\":\"c1\",\"text\":\"compresso\",\"date\":\"06/09/2022\"}\n"
    "{\"id\":\"c2\",\"text\":\n"
    "{\"id\":\"c3\",\"text\":\"ancora\"}\n";

Test(input, compressed_jsonl) {
  static const struct {
    const char *tool, *ext;
  } tools[] = {{"gzip", "gz"}, {"xz", "xz"}, {"zstd", "zst"}, {"bzip2", "bz2"}};
  for (size_t i = 0; i < sizeof tools / sizeof *tools; i++) {
    if (!have_tool(tools[i].tool)) {
      cr_log_warn("%s not installed: .%s case skipped", tools[i].tool,
                  tools[i].ext);
      continue;
    }
    char name[64], cmd[256];
    snprintf(name, sizeof name, "n-%s.jsonl", tools[i].ext);
    put(name, small_jsonl, sizeof small_jsonl - 1);
    snprintf(cmd, sizeof cmd, "%s -q %s", tools[i].tool, name);
    cr_assert(sh("%s", cmd), "%s failed", cmd);
    snprintf(name, sizeof name, "n-%s.jsonl.%s", tools[i].ext, tools[i].ext);
    seen s = {0};
    read_all(at(name), &s);
    cr_expect_str_eq(ids(&s), "c1,c3", "%s", name);
    cr_expect_str_eq(s.articles[0], "c1|||2022-09-06", "%s", name);
    char want[128];
    snprintf(want, sizeof want, "%s:2: malformed JSON", name);
    cr_expect(has_problem(&s, want), "%s: %s", name, all_problems(&s));
    seen_free(&s);
  }
}

Test(input, compressed_article_text_and_a_liar) {
  PUT("a.txt", "Titolo\n\nMario Rossi\n2021-01-02\n\nCorpo compresso.\n");
  cr_assert(sh("%s", "gzip -q a.txt"));
  /* Named .gz but not gzip at all: refused, not read as plain text. */
  PUT("liar.jsonl.gz", "{\"id\":\"l\",\"text\":\"in chiaro\"}\n");
  seen s = {0};
  read_all(tmp, &s);
  cr_expect_str_eq(ids(&s), "a.txt.gz");
  cr_expect_str_eq(s.articles[0], "a.txt.gz|Titolo|Mario Rossi|2021-01-02");
  cr_expect(has_problem(&s, "liar.jsonl.gz: not gzip-compressed"), "%s",
            all_problems(&s));
  seen_free(&s);
}

/* ---- Archives ---------------------------------------------------------- */

/* Writes the members of a small archive tree under src/. */
static void write_members(void) {
  PUT("src/notizie/a.txt", "Primo\n\nAnna Bianchi\n01/02/2020\n\nUno.\n");
  PUT("src/notizie/b.jsonl", "{\"id\":\"j1\",\"text\":\"dal tar\"}\n"
                             "nonsense\n"
                             "{\"text\":\"senza id\"}\n");
  PUT("src/notizie/.nascosto.txt", "Nascosto\n\nNo.\n");
  PUT("src/leggimi.md", "# non un articolo\n");
  PUT("src/z.jsonl", "{\"id\":\"gz1\",\"text\":\"membro compresso\"}\n");
  cr_assert(sh("%s", "gzip -q src/z.jsonl"));
}

Test(input, tar_and_zip_archives) {
  write_members();
  static const struct {
    const char *name, *cmd, *tool;
  } archives[] = {
      {"t.tar", "tar -cf t.tar -C src notizie z.jsonl.gz", "tar"},
      {"t.tar.gz", "tar -czf t.tar.gz -C src notizie z.jsonl.gz", "gzip"},
      {"t.tgz", "tar -czf t.tgz -C src notizie z.jsonl.gz", "gzip"},
      {"t.tar.xz", "tar -cJf t.tar.xz -C src notizie z.jsonl.gz", "xz"},
      {"t.tar.zst", "tar --zstd -cf t.tar.zst -C src notizie z.jsonl.gz",
       "zstd"},
      {"t.zip", "cd src && zip -qr ../t.zip notizie z.jsonl.gz", "zip"},
  };
  for (size_t i = 0; i < sizeof archives / sizeof *archives; i++) {
    if (!have_tool(archives[i].tool) || !have_tool("tar")) {
      cr_log_warn("%s not installed: %s case skipped", archives[i].tool,
                  archives[i].name);
      continue;
    }
    const char *name = archives[i].name;
    cr_assert(sh("%s", archives[i].cmd), "%s failed", archives[i].cmd);
    seen s = {0};
    read_all(at(name), &s);
    char want[1024];
    /* Members come in the archive's order, whatever it is: all four,
     * each once. */
    cr_expect_eq(s.n_articles, 4, "%s: %s", name, ids(&s));
    const char *got = ids(&s);
    snprintf(want, sizeof want, "%s/notizie/a.txt", at(name));
    cr_expect(strstr(got, want), "%s: %s", name, got);
    snprintf(want, sizeof want, "%s/notizie/b.jsonl:3", at(name));
    cr_expect(strstr(got, want), "%s: %s", name, got);
    cr_expect(strstr(got, "j1,") || strstr(got, ",j1"), "%s: %s", name, got);
    cr_expect(strstr(got, "gz1"), "%s: %s", name, got);
    snprintf(want, sizeof want, "%s:notizie/b.jsonl:2: malformed JSON", name);
    cr_expect(has_problem(&s, want), "%s: %s", name, all_problems(&s));
    cr_expect_eq(s.n_problems, 1, "%s: %s", name, all_problems(&s));
    snprintf(want, sizeof want,
             "%s/notizie/a.txt|Primo|Anna Bianchi|2020-02-01", at(name));
    bool found = false;
    for (size_t k = 0; k < s.n_articles; k++)
      found = found || strcmp(s.articles[k], want) == 0;
    cr_expect(found, "%s: text member fields", name);
    seen_free(&s);
  }
}

Test(input, damaged_archive_is_reported) {
  write_members();
  cr_assert(sh("%s", "tar -czf t.tar.gz -C src notizie && "
                     "head -c 300 t.tar.gz > cut.tar.gz"));
  seen s = {0};
  read_all(at("cut.tar.gz"), &s);
  cr_expect_geq(s.n_problems, 1, "a cut archive is reported");
  seen_free(&s);
  PUT("junk.zip", "questo non è uno zip");
  seen z = {0};
  read_all(at("junk.zip"), &z);
  cr_expect(has_problem(&z, "junk.zip: "), "%s", all_problems(&z));
  cr_expect_eq(z.n_articles, 0);
  seen_free(&z);
}

/* ---- Standard input ---------------------------------------------------- */

/* Reads "-" with fd 0 taken from the file name (plain or compressed). */
static void read_stdin_from(const char *file, seen *s) {
  int fd = open(at(file), O_RDONLY);
  cr_assert_geq(fd, 0);
  int saved = dup(0);
  dup2(fd, 0);
  close(fd);
  read_all("-", s);
  dup2(saved, 0);
  close(saved);
}

Test(input, standard_input_plain_and_gzipped) {
  put("in.jsonl", small_jsonl, sizeof small_jsonl - 1);
  seen s = {0};
  read_stdin_from("in.jsonl", &s);
  cr_expect_str_eq(ids(&s), "c1,c3");
  cr_expect(has_problem(&s, "-:2: malformed JSON"), "%s", all_problems(&s));
  seen_free(&s);

  cr_assert(sh("%s", "gzip -q in.jsonl"));
  seen z = {0};
  read_stdin_from("in.jsonl.gz", &z);
  cr_expect_str_eq(ids(&z), "c1,c3");
  seen_free(&z);

  PUT("none.jsonl", "{\"text\":\"senza id da stdin\"}\n");
  seen n = {0};
  read_stdin_from("none.jsonl", &n);
  /* Named by a hash of the line, not by its number (which the next run
   * would reuse). */
  const char *line = "{\"text\":\"senza id da stdin\"}";
  char want[64];
  snprintf(want, sizeof want, "stdin:%016llx",
           (unsigned long long)cr_fnv1a64(line, strlen(line)));
  cr_expect_str_eq(ids(&n), want);
  seen_free(&n);

  /* Nothing at all on standard input is said plainly, as for a file. */
  PUT("nothing.jsonl", "");
  seen e = {0};
  read_stdin_from("nothing.jsonl", &e);
  cr_expect_str_eq(ids(&e), "");
  cr_expect(has_problem(&e, "-: empty input"), "%s", all_problems(&e));
  seen_free(&e);
}

/* ---- The directory walk and junk --------------------------------------- */

Test(input, directory_walk_sorted_recursive_hidden_skipped) {
  PUT("root/b.txt", "B\n\nCorpo b.\n");
  PUT("root/a/z.txt", "Z\n\nCorpo z.\n");
  PUT("root/a/y.jsonl", "{\"id\":\"y1\",\"text\":\"y\"}\n");
  PUT("root/c.md", "ignorato: non è un formato di input\n");
  PUT("root/.nascosto.txt", "Nascosto\n\nNo.\n");
  PUT("root/.git/x.txt", "Nascosto\n\nNo.\n");
  PUT("root/A.txt", "A maiuscola\n\nCorpo.\n");
  cr_assert(sh("%s", "ln -s .. root/a/loop"));
  seen s = {0};
  read_all(at("root/"), &s);
  /* Byte order ("A" before "a"); the link back to root is not followed;
   * text ids are relative to the root, JSON ids their own. */
  cr_expect_str_eq(ids(&s), "A.txt,y1,a/z.txt,b.txt");
  cr_expect_eq(s.n_problems, 0, "%s", all_problems(&s));
  seen_free(&s);
}

Test(input, ids_of_named_files_and_dot_paths) {
  PUT("d/x.txt", "X\n\nCorpo.\n");
  PUT("d/notes.dat", "Un file dal nome qualsiasi\n\nletto come testo.\n");
  cr_assert_eq(chdir(tmp), 0);
  seen s = {0};
  read_all("./d/x.txt", &s);
  read_all("d/notes.dat", &s); /* named: read as text whatever its name */
  read_all("./d", &s);         /* walked: .dat is no input */
  read_all(".", &s);
  cr_expect_str_eq(ids(&s), "d/x.txt,d/notes.dat,x.txt,d/x.txt");
  seen_free(&s);
}

Test(input, junk_empty_and_unreadable_files) {
  PUT("j/binario.txt", "\x7f"
                       "ELF\0\0\0\x01\x02 testo");
  PUT("j/latin1.txt", "Citt\xe0 di Modena\n\nPerch\xe9 s\xec.\n");
  PUT("j/vuoto.txt", "");
  PUT("j/bianco.txt", " \n\t\n");
  PUT("j/vuoto.jsonl", "");
  PUT("j/ok.txt", "Buono\n\nCorpo.\n");
  seen s = {0};
  read_all(at("j"), &s);
  read_all(at("non-esiste.txt"), &s);
  cr_expect_str_eq(ids(&s), "ok.txt");
  static const char *const want[] = {
      "j/binario.txt: binary file: not UTF-8 text",
      "j/latin1.txt: not UTF-8 text: byte 0xe0 at offset 4; if it is "
      "Latin-1 or Windows-1252, index it with --encoding cp1252",
      "j/vuoto.txt: empty file",
      "j/bianco.txt: empty file",
      "j/vuoto.jsonl: empty file",
      "non-esiste.txt: cannot read: No such file",
  };
  for (size_t i = 0; i < sizeof want / sizeof *want; i++)
    cr_expect(has_problem(&s, want[i]), "missing \"%s\" in:\n%s", want[i],
              all_problems(&s));
  cr_expect_eq(s.n_problems, sizeof want / sizeof *want, "%s",
               all_problems(&s));
  seen_free(&s);
}

/* ---- Real data --------------------------------------------------------- */

Test(input, the_sample_corpus_reads_cleanly) {
  seen s = {0};
  read_all(CORPUS_DIR, &s);
  cr_expect_eq(s.n_problems, 0, "%s", all_problems(&s));
  cr_expect_geq(s.total, 30);
  seen_free(&s);
}

Test(input, the_dice_file_gives_every_article) {
  char dice[4096];
  snprintf(dice, sizeof dice,
           "%s/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz",
           SHARED_DATA_DIR);
  if (access(dice, R_OK) != 0) cr_skip_test("%s is absent", dice);
  seen s = {0};
  read_all(dice, &s);
  cr_expect_eq(s.n_problems, 0, "%s", all_problems(&s));
  cr_expect_eq(s.total, 10372);
  cr_expect(strncmp(s.articles[0], "57|", 3) == 0 || s.n_articles == 0,
            "numeric ids: %s", s.n_articles ? s.articles[0] : "");
  seen_free(&s);
}
