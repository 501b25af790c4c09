/* test_hostile.c — articles written to attack the reader's terminal, the
 * JSON consumers and the file system.
 *
 * Every hostile article contains the word "ostile", so one query finds
 * them all. The searcher's text output on a terminal must carry no raw
 * control character, escape sequence or bidirectional override (only its
 * own bold on/off); its JSON must parse; and neither program may touch a
 * path named by an article (ids, archive members, symlink members). */
#include <archive.h>
#include <archive_entry.h>
#include <criterion/criterion.h>
#include <jansson.h>
#include <pty.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "helpers.h"
#include "output.h"

static char *tmp;
static char box[4096], in_dir[4096], idx[4096], secret[4096];

/* JSON Lines articles: each a known attack, by JSON escape. */
static const char *const hostile_jsonl[] = {
    /* colour, clear screen, cursor moves */
    "{\"id\":\"csi\",\"title\":\"Titolo \\u001b[31mrosso\\u001b[0m ostile\","
    "\"author\":\"A\\u0007B\",\"source\":\"S\\u001b[8mZ\","
    "\"text\":\"ostile \\u001b[2J\\u001b[H schermo pulito \\u001b[1A su\"}",
    /* window title and clipboard (OSC 0 and OSC 52) */
    "{\"id\":\"osc\",\"title\":\"\\u001b]0;titolo finto\\u0007 ostile\","
    "\"text\":\"ostile \\u001b]52;c;cm0gLXJmIH4=\\u0007 appunti\"}",
    /* C1 controls: CSI as one code point, NEL, and DEL */
    "{\"id\":\"c1\",\"title\":\"C1 \\u009b31m ostile \\u0085 \\u007f\","
    "\"text\":\"ostile \\u009b2J e \\u0090 stringa \\u009c fine\"}",
    /* carriage return and backspace that overwrite what was shown */
    "{\"id\":\"cr\",\"title\":\"Vero\\rFalso ostile\\b\\b\","
    "\"text\":\"ostile\\rriscritto\\u0008\\u0008 \\u000b\\u000c tab\\tfine\"}",
    /* bidirectional overrides (Trojan Source) */
    "{\"id\":\"bidi\",\"title\":\"ostile \\u202eenilno\\u202c "
    "\\u2066x\\u2069\","
    "\"text\":\"ostile \\u202dsinistra\\u202c e \\u2067destra\\u2069\"}",
    /* NUL inside a string (refused: a bad record), and a bell */
    "{\"id\":\"nul\",\"title\":\"prima\\u0000dopo ostile\",\"text\":\"ostile "
    "\\u0000 nulla "
    "\\u0007\"}",
    /* ids that look like paths outside the index */
    "{\"id\":\"../../escape-id\",\"title\":\"Percorso ostile\",\"text\":"
    "\"ostile ../../escape-text\"}",
    "{\"id\":\"/tmp/escape-abs\",\"title\":\"Assoluto ostile\",\"text\":"
    "\"ostile\",\"url\":\"file:///etc/passwd\"}",
};

/* A text article with raw bytes: ESC sequences and C1 in UTF-8. (Invalid
 * UTF-8 makes a file "binary": skipped, see test_e2e_indexer.c.) */
static const char hostile_txt[] = "Titolo \x1b[5mlampeggiante\x1b[0m ostile\n"
                                  "Autore \x1b]0;x\x07\n"
                                  "\n"
                                  "Testo ostile con \xc2\x9b"
                                  "6n richiesta, \x08\x7f byte di controllo e "
                                  "\x1b[?1049h schermo alternativo.\n";

/* A tar whose members try to leave the archive: a relative escape, an
 * absolute path, and a symlink to a file outside the input. */
static void write_tar(const char *path) {
  struct archive *a = archive_write_new();
  archive_write_set_format_pax_restricted(a);
  cr_assert_eq(archive_write_open_filename(a, path), ARCHIVE_OK);
  const char *names[] = {"../../escape-member.txt", "/tmp/escape-abs.txt"};
  const char body[] = "Membro ostile\n\nUn membro che vuole uscire.\n";
  for (size_t i = 0; i < 2; i++) {
    struct archive_entry *e = archive_entry_new();
    archive_entry_set_pathname(e, names[i]);
    archive_entry_set_filetype(e, AE_IFREG);
    archive_entry_set_perm(e, 0644);
    archive_entry_set_size(e, sizeof body - 1);
    archive_write_header(a, e);
    archive_write_data(a, body, sizeof body - 1);
    archive_entry_free(e);
  }
  struct archive_entry *l = archive_entry_new();
  archive_entry_set_pathname(l, "link.txt");
  archive_entry_set_filetype(l, AE_IFLNK);
  archive_entry_set_perm(l, 0777);
  archive_entry_set_symlink(l, secret);
  archive_write_header(a, l);
  archive_entry_free(l);
  archive_write_close(a);
  archive_write_free(a);
}

static void setup(void) {
  tmp = th_mkdtemp("hostile");
  snprintf(box, sizeof box, "%s/box", tmp);
  snprintf(in_dir, sizeof in_dir, "%s/box/in", tmp);
  snprintf(idx, sizeof idx, "%s/box/index", tmp);
  snprintf(secret, sizeof secret, "%s/secret.txt", tmp);
  /* Outside the input: must never be indexed. */
  const char s[] = "Segreto\n\nsegretissimo ostile\n";
  th_write_file(secret, s, sizeof s - 1);
  char path[4200];
  snprintf(path, sizeof path, "%s/hostile.jsonl", in_dir);
  char buf[8192] = "";
  for (size_t i = 0; i < sizeof hostile_jsonl / sizeof *hostile_jsonl; i++) {
    strcat(buf, hostile_jsonl[i]);
    strcat(buf, "\n");
  }
  th_write_file(path, buf, strlen(buf));
  snprintf(path, sizeof path, "%s/raw.txt", in_dir);
  th_write_file(path, hostile_txt, sizeof hostile_txt - 1);
  snprintf(path, sizeof path, "%s/members.tar", in_dir);
  write_tar(path);
}

static void teardown(void) {
  th_rmtree(tmp);
  free(tmp);
}

TestSuite(hostile, .init = setup, .fini = teardown, .timeout = 120);

static void index_box(void) {
  char *const argv[] = {INDEXER_BIN, "-q", "-d", idx, in_dir, NULL};
  th_run r = th_exec(argv, NULL);
  /* 1: the empty symlink member is reported and skipped. */
  cr_assert(r.status == 0 || r.status == 1, "indexer: %d: %s", r.status, r.err);
  th_run_free(&r);
}

/* The searcher on a pseudo-terminal, as a person would see it. */
static char *on_terminal(const char *query) {
  int master;
  pid_t pid = forkpty(&master, NULL, NULL, NULL);
  cr_assert(pid >= 0, "forkpty failed");
  if (pid == 0) {
    unsetenv("NO_COLOR");
    execl(SEARCHER_BIN, SEARCHER_BIN, "-d", idx, "-n", "50", query,
          (char *)NULL);
    _exit(127);
  }
  static char buf[1 << 16];
  size_t len = 0;
  ssize_t n;
  while (len < sizeof buf - 1 &&
         (n = read(master, buf + len, sizeof buf - 1 - len)) > 0)
    len += (size_t)n;
  buf[len] = '\0';
  int status;
  waitpid(pid, &status, 0);
  close(master);
  cr_expect(WIFEXITED(status) && WEXITSTATUS(status) == 0, "searcher failed");
  return buf;
}

/* The first byte that must not reach a terminal, or NULL. Allowed: our own
 * bold sequences, and the pty's CR LF line ends. */
static const char *unsafe_byte(const char *s) {
  const unsigned char *u = (const unsigned char *)s;
  for (size_t i = 0; u[i]; i++) {
    const char *p = s + i;
    if (strncmp(p, OUT_BOLD_START, strlen(OUT_BOLD_START)) == 0) {
      i += strlen(OUT_BOLD_START) - 1;
      continue;
    }
    if (strncmp(p, OUT_BOLD_END, strlen(OUT_BOLD_END)) == 0) {
      i += strlen(OUT_BOLD_END) - 1;
      continue;
    }
    if (u[i] == '\n' || (u[i] == '\r' && u[i + 1] == '\n')) continue;
    if (u[i] < 0x20 || u[i] == 0x7f) return p;
    if (u[i] == 0xc2 && u[i + 1] >= 0x80 && u[i + 1] <= 0x9f) return p;
    if (u[i] == 0xe2 && u[i + 1] == 0x80 && u[i + 2] >= 0xaa &&
        u[i + 2] <= 0xae)
      return p;
    if (u[i] == 0xe2 && u[i + 1] == 0x81 && u[i + 2] >= 0xa6 &&
        u[i + 2] <= 0xa9)
      return p;
  }
  return NULL;
}

Test(hostile, nothing_raw_reaches_the_terminal) {
  index_box();
  const char *queries[] = {"ostile", "rosso schermo", "titolo finto",
                           "\"schermo alternativo\"", "sinistra destra"};
  for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
    char *out = on_terminal(queries[q]);
    cr_expect(strstr(out, "1. "), "%s: no results: %s", queries[q], out);
    const char *bad = unsafe_byte(out);
    cr_expect_null(bad, "%s: raw byte 0x%02x at \"%.40s\"", queries[q],
                   bad ? (unsigned char)*bad : 0, bad ? bad : "");
  }
  /* Every hostile article was indexed and shown: 8 JSON lines (the one
   * with a NUL escape too, the NUL dropped), the text file and the 2
   * archive members (the symlink member is skipped). */
  char *out = on_terminal("ostile");
  cr_expect(strstr(out, "11 of 11 matches"), "%s", out);
}

/* Queries as hostile as the articles: the JSON still parses, one line
 * per query in --batch. */
Test(hostile, json_stays_valid) {
  index_box();
  const char *queries[] = {"ostile",
                           "\x1b[31m ostile",
                           "\xff\xfe ostile",
                           "\"ostile",
                           "ostile \\u0000 \\",
                           "\xc2\x9b ostile",
                           "title:\x07 ostile",
                           "\xe2\x80\xae ostile"};
  size_t n = sizeof queries / sizeof *queries;
  char batch[4096] = "";
  for (size_t i = 0; i < n; i++) {
    char *const argv[] = {SEARCHER_BIN,       "-d", idx, "--json", "-n", "50",
                          (char *)queries[i], NULL};
    th_run r = th_exec(argv, NULL);
    cr_expect_eq(r.status, 0, "%zu: %s", i, r.err);
    json_error_t jerr;
    json_t *o = json_loads(r.out, 0, &jerr);
    cr_expect_not_null(o, "query %zu: invalid JSON (%s): %s", i, jerr.text,
                       r.out);
    cr_expect(json_array_size(json_object_get(o, "hits")) > 0,
              "query %zu: no hits", i);
    json_decref(o);
    th_run_free(&r);
    strcat(batch, queries[i]);
    strcat(batch, "\n");
  }
  char *const argv[] = {SEARCHER_BIN, "-d", idx, "--batch", "-", NULL};
  th_run r = th_exec(argv, batch);
  cr_expect_eq(r.status, 0, "%s", r.err);
  size_t lines = 0;
  for (char *line = strtok(r.out, "\n"); line; line = strtok(NULL, "\n")) {
    json_error_t jerr;
    json_t *o = json_loads(line, 0, &jerr);
    cr_expect_not_null(o, "batch line %zu: invalid JSON (%s): %s", lines,
                       jerr.text, line);
    json_decref(o);
    lines++;
  }
  cr_expect_eq(lines, n);
  th_run_free(&r);
}

/* Every path either program asked the kernel about, from strace's log. */
static char *traced(char *const argv[], const char *log) {
  char *args[32] = {"/usr/bin/strace", "-f", "-qq",      "-e",
                    "trace=%file",     "-o", (char *)log};
  size_t n = 7;
  for (size_t i = 0; argv[i] && n < 31; i++)
    args[n++] = argv[i];
  args[n] = NULL;
  th_run r = th_exec(args, NULL);
  th_run_free(&r);
  char *text = th_read_file(log, NULL);
  cr_assert_not_null(text, "no strace log");
  return text;
}

Test(hostile, articles_name_no_paths_the_programs_touch) {
  if (!th_exists("/usr/bin/strace"))
    cr_skip_test("strace is missing (apt-get install strace): skipped");
  char log[4200];
  snprintf(log, sizeof log, "%s/strace.log", tmp);
  char *const index_argv[] = {INDEXER_BIN, "-q", "-d", idx, in_dir, NULL};
  char *trace = traced(index_argv, log);
  cr_expect(!strstr(trace, "escape"),
            "the indexer touched a path named by an article:\n%s", trace);
  cr_expect(!strstr(trace, "/etc/passwd"), "%s", trace);
  cr_expect(!strstr(trace, secret), "the indexer followed a symlink member");
  free(trace);

  char *const search_argv[] = {
      SEARCHER_BIN, "-d", idx, "-n", "50", "ostile percorso assoluto", NULL};
  trace = traced(search_argv, log);
  cr_expect(!strstr(trace, "escape"),
            "the searcher touched a path named by an article:\n%s", trace);
  free(trace);

  /* Nothing was written outside the index, and the secret beside the
   * input was not read through the symlink member. */
  char *const find[] = {"/usr/bin/find", tmp, "-name", "*escape*", NULL};
  th_run r = th_exec(find, NULL);
  cr_expect_eq(r.out_len, 0, "files made from article names: %s", r.out);
  th_run_free(&r);
  char *const search[] = {SEARCHER_BIN, "-d",           idx,
                          "--json",     "segretissimo", NULL};
  r = th_exec(search, NULL);
  cr_expect(strstr(r.out, "\"hits\": []"), "the secret was indexed: %s", r.out);
  th_run_free(&r);
}
