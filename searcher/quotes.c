/* quotes.c — loosening the quotes no article holds (see quotes.h). */
#include "quotes.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"

/* Whether no article holds quote q of text: 1 none, 0 some (or the
 * count could not be had: then the quote stays), -1 memory ran out. */
static int held_nowhere(sr_engine *e, const sr_params *p, const char *text,
                        const cr_qquote *q, cr_error *err) {
  cr_parsed_query alone;
  cr_error perr;
  if (sr_build_query(&e->rd, p, e->local && !e->hurried, e->remote,
                     text + q->from, q->to - q->from, &alone, &perr) != 0) {
    if (perr.code != CR_E_NOMEM) return 0;
    *err = perr;
    return -1;
  }
  int none = 0;
  if (alone.query) {
    /* Weightless, one hit: Xapian's matcher stops at the first article
     * that passes (on one database; over several it reads them through). */
    cr_error serr = {0};
    cr_query *q = cr_query_scale(alone.query, 0, &serr);
    cr_mset *m = NULL;
    if (q) {
      cr_search_opts so = cr_search_opts_default();
      so.count = 1;
      so.check_at_least = 1;
      m = cr_search(e->db, q, &so, &serr);
    }
    if (m) {
      none = cr_mset_size(m) == 0;
    } else if (serr.code == CR_E_NOMEM) {
      *err = serr;
      none = -1;
    }
    cr_mset_free(m);
    cr_query_free(q);
  }
  cr_parsed_query_free(&alone);
  return none;
}

static bool is_space(char c) {
  return c == ' ' || (unsigned char)c < 0x20 || c == 0x7f;
}

void sr_quote_as_words(cr_buf *t, const char *s, size_t n) {
  for (size_t i = 0; i < n;) {
    if (is_space(s[i])) {
      cr_buf_putc(t, s[i++]);
      continue;
    }
    size_t end = i;
    while (end < n && !is_space(s[end]))
      end++;
    size_t w = end - i;
    bool op =
        (w == 2 && !memcmp(s + i, "OR", 2)) ||
        (w == 3 && (!memcmp(s + i, "AND", 3) || !memcmp(s + i, "NOT", 3))) ||
        (w >= 4 && !memcmp(s + i, "NEAR", 4));
    for (size_t k = i; k < end; k++) {
      char c = s[k];
      if (c == '(' || c == ')' || c == ':' ||
          (k == i && (c == '+' || c == '-')))
        c = ' ';
      else if (op && c >= 'A' && c <= 'Z')
        c = (char)(c - 'A' + 'a');
      cr_buf_putc(t, c);
    }
    i = end;
  }
}

int sr_loosen_quotes(sr_engine *e, const sr_params *p,
                     const cr_parsed_query *pq, const char *text, size_t len,
                     char **out, size_t *out_len, char **note, cr_error *err) {
  *out = NULL;
  *note = NULL;
  if (pq->n_quotes == 0 || p->like || p->strict_quotes) return 0;
  cr_buf t = {0}, n = {0};
  size_t copied = 0, loosened = 0; /* text before copied is in t */
  for (size_t i = 0; i < pq->n_quotes; i++) {
    const cr_qquote *q = &pq->quotes[i];
    int none = held_nowhere(e, p, text, q, err);
    if (none < 0) {
      cr_buf_free(&t);
      cr_buf_free(&n);
      return -1;
    }
    if (!none) continue;
    cr_buf_append(&t, text + copied, q->from - copied);
    cr_buf_putc(&t, '(');
    sr_quote_as_words(&t, text + q->at, q->len);
    cr_buf_putc(&t, ')');
    copied = q->to;
    loosened++;
    cr_buf_printf(&n,
                  "%sno article holds \"%.*s\" as typed: its words were "
                  "searched",
                  n.n ? "; " : "", (int)q->len, text + q->at);
  }
  if (loosened == 0) return 0; /* every quote found something */
  cr_buf_append(&t, text + copied, len - copied);
  *out = cr_buf_finish(&t, out_len);
  *note = cr_buf_finish(&n, NULL);
  if (*out && *note) return 1;
  free(*out);
  free(*note);
  *out = *note = NULL;
  cr_error_set(err, CR_E_NOMEM, "out of memory");
  return -1;
}
