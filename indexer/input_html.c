/* input_html.c — a web page as one article, parsed by libxml2's HTML
 * parser (which copes with the tag soup real pages are):
 *
 *   title   <meta property="og:title">, else the first <h1>, else <title>
 *   date    <meta property="article:published_time">, name="date",
 *           "pubdate", "publish-date", "DC.date", itemprop="datePublished",
 *           else the first <time datetime="...">
 *   author  <meta name="author">, property="article:author" (not a link)
 *   source  <meta property="og:site_name">
 *   url     <link rel="canonical">, else <meta property="og:url">
 *   text    the text of <article> (of <body> when there is none), without
 *           <script>, <style>, <noscript>, <template>, <nav>, <header>,
 *           <footer>, <aside>, <form>; each block on a line of its own
 *
 * The page's own charset (<meta charset>) is honoured when its bytes are
 * not UTF-8; --encoding overrides it.
 */
#include <libxml/HTMLparser.h>
#include <libxml/tree.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "dates.h"
#include "input_internal.h"

/* A growable string. */
typedef struct sbuf {
  char *s;
  size_t n, cap;
  bool oom;
} sbuf;

static void sb_add(sbuf *b, const char *s, size_t n) {
  if (b->oom) return;
  if (b->n + n + 1 > b->cap) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + n + 1)
      cap *= 2;
    char *t = realloc(b->s, cap);
    if (!t) {
      b->oom = true;
      return;
    }
    b->s = t;
    b->cap = cap;
  }
  memcpy(b->s + b->n, s, n);
  b->n += n;
  b->s[b->n] = '\0';
}

static bool name_is(const xmlNode *n, const char *name) {
  return n->type == XML_ELEMENT_NODE && n->name &&
         strcasecmp((const char *)n->name, name) == 0;
}

static bool name_in(const xmlNode *n, const char *const *names) {
  for (; *names; names++)
    if (name_is(n, *names)) return true;
  return false;
}

/* Elements whose text is not the article's. */
static const char *const skipped[] = {
    "head",   "script", "style",  "noscript", "template",
    "nav",    "header", "footer", "aside",    "form",
    "iframe", "svg",    "button", "select",   NULL};
/* Elements that end a line of text. */
static const char *const blocks[] = {
    "p",  "div",   "br",      "li",      "ul",     "ol",         "h1",
    "h2", "h3",    "h4",      "h5",      "h6",     "blockquote", "pre",
    "tr", "table", "section", "article", "figure", "figcaption", "dd",
    "dt", "hr",    "main",    NULL};

/* Appends text with its runs of white space as one space. */
static void add_text(sbuf *b, const char *s) {
  for (; *s; s++) {
    bool space =
        *s == ' ' || *s == '\t' || *s == '\n' || *s == '\r' || *s == '\f';
    if (space) {
      if (b->n && b->s[b->n - 1] != ' ' && b->s[b->n - 1] != '\n')
        sb_add(b, " ", 1);
    } else {
      sb_add(b, s, 1);
    }
  }
}

static void end_line(sbuf *b) {
  while (b->n && b->s[b->n - 1] == ' ')
    b->s[--b->n] = '\0';
  if (b->n && b->s[b->n - 1] != '\n') sb_add(b, "\n", 1);
}

/* The text of the nodes from n on; skip: the element the title came
 * from, not repeated in the body. */
static void collect_text(const xmlNode *n, sbuf *b, const xmlNode *skip) {
  for (; n; n = n->next) {
    if (n == skip) continue;
    if (n->type == XML_TEXT_NODE || n->type == XML_CDATA_SECTION_NODE) {
      if (n->content) add_text(b, (const char *)n->content);
      continue;
    }
    if (n->type != XML_ELEMENT_NODE || name_in(n, skipped)) continue;
    bool block = name_in(n, blocks);
    if (block) end_line(b);
    collect_text(n->children, b, skip);
    if (block) end_line(b);
  }
}

/* The first element named name in document order, outside skipped ones
 * when outside_skipped. */
static const xmlNode *find(const xmlNode *n, const char *name,
                           bool outside_skipped) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (name_is(n, name)) return n;
    if (outside_skipped && name_in(n, skipped)) continue;
    const xmlNode *found = find(n->children, name, outside_skipped);
    if (found) return found;
  }
  return NULL;
}

/* The page's facts from <head> and the body's tags. */
typedef struct page {
  xmlChar *title, *h1, *og_title, *date, *time, *author, *source, *url, *og_url;
} page;

static void keep(xmlChar **slot, xmlChar *value) {
  if (!*slot && value && *value)
    *slot = value;
  else
    xmlFree(value);
}

static void scan_meta(const xmlNode *n, page *pg, bool in_skipped) {
  for (; n; n = n->next) {
    if (n->type != XML_ELEMENT_NODE) continue;
    if (name_is(n, "meta")) {
      xmlChar *key = xmlGetProp(n, (const xmlChar *)"property");
      if (!key) key = xmlGetProp(n, (const xmlChar *)"name");
      if (!key) key = xmlGetProp(n, (const xmlChar *)"itemprop");
      const char *k = (const char *)key;
      if (k) {
        xmlChar *v = xmlGetProp(n, (const xmlChar *)"content");
        if (!strcasecmp(k, "og:title"))
          keep(&pg->og_title, v);
        else if (!strcasecmp(k, "article:published_time") ||
                 !strcasecmp(k, "date") || !strcasecmp(k, "pubdate") ||
                 !strcasecmp(k, "publish-date") || !strcasecmp(k, "dc.date") ||
                 !strcasecmp(k, "dcterms.date") ||
                 !strcasecmp(k, "datepublished"))
          keep(&pg->date, v);
        else if ((!strcasecmp(k, "author") ||
                  !strcasecmp(k, "article:author")) &&
                 v && strncmp((const char *)v, "http", 4) != 0)
          keep(&pg->author, v);
        else if (!strcasecmp(k, "og:site_name"))
          keep(&pg->source, v);
        else if (!strcasecmp(k, "og:url"))
          keep(&pg->og_url, v);
        else
          xmlFree(v);
      }
      xmlFree(key);
    } else if (name_is(n, "link")) {
      xmlChar *rel = xmlGetProp(n, (const xmlChar *)"rel");
      if (rel && !strcasecmp((const char *)rel, "canonical"))
        keep(&pg->url, xmlGetProp(n, (const xmlChar *)"href"));
      xmlFree(rel);
    } else if (name_is(n, "time") && !in_skipped) {
      keep(&pg->time, xmlGetProp(n, (const xmlChar *)"datetime"));
    } else if (name_is(n, "title") && !pg->title) {
      keep(&pg->title, xmlNodeGetContent(n));
    }
    scan_meta(n->children, pg, in_skipped || name_in(n, skipped));
  }
}

/* A one-line, trimmed copy of an attribute or title: NULL when blank. */
static char *one_line(const xmlChar *v) {
  if (!v) return NULL;
  sbuf b = {0};
  add_text(&b, (const char *)v);
  while (b.n && (b.s[b.n - 1] == ' ' || b.s[b.n - 1] == '\n'))
    b.s[--b.n] = '\0';
  if (b.oom || b.n == 0 || b.s[0] == '\0') {
    free(b.s);
    return NULL;
  }
  if (b.s[0] == ' ') memmove(b.s, b.s + 1, b.n--);
  return b.s;
}

int in_read_html_stream(in_reader *r, in_stream *s, const char *member,
                        const char *id) {
  size_t len = 0;
  char *bytes = in_slurp(r, s, member, IN_MAX_TEXT_BYTES, "a web page", &len);
  if (!bytes) return 0;
  if (len == 0) {
    in_report(r, member, 0, "empty file");
    free(bytes);
    return 0;
  }
  /* UTF-8 bytes (or bytes --encoding decoded) are read as UTF-8; others
   * by the charset the page declares. */
  bool utf8 = (in_opts(r)->encoding && *in_opts(r)->encoding) ||
              in_utf8_invalid_at(bytes, len) == len;
  htmlDocPtr doc = htmlReadMemory(bytes, (int)len, NULL, utf8 ? "UTF-8" : NULL,
                                  HTML_PARSE_RECOVER | HTML_PARSE_NOERROR |
                                      HTML_PARSE_NOWARNING | HTML_PARSE_NONET |
                                      HTML_PARSE_NOBLANKS);
  int rc = 0;
  if (!doc || !xmlDocGetRootElement(doc)) {
    in_report(r, member, 0, "not a web page libxml2 can read");
    goto done;
  }
  if (!utf8 && !doc->encoding) {
    /* Neither UTF-8 nor declared: any guess could be wrong. */
    size_t bad = in_utf8_invalid_at(bytes, len);
    in_report(r, member, 0,
              "not UTF-8 and no charset declared: byte 0x%02x at offset "
              "%zu%s",
              (unsigned char)bytes[bad], bad, in_encoding_hint(r));
    goto done;
  }
  const xmlNode *root = xmlDocGetRootElement(doc);
  page pg = {0};
  scan_meta(root, &pg, false);
  const xmlNode *h1 = find(root, "h1", true);
  if (h1) pg.h1 = xmlNodeGetContent(h1);
  const xmlNode *from = find(root, "article", true);
  if (!from) from = find(root, "body", false);
  if (!from) from = root;
  char *title = one_line(pg.og_title);
  char *h1_text = one_line(pg.h1);
  if (!title) title = one_line(pg.h1);
  if (!title) title = one_line(pg.title);
  /* The <h1> that is the title is not the body's first line too. */
  const xmlNode *skip = title && h1_text && !strcmp(title, h1_text) ? h1 : NULL;
  free(h1_text);
  sbuf text = {0};
  collect_text(from->children, &text, skip);
  end_line(&text);
  char *author = one_line(pg.author), *source = one_line(pg.source);
  char *url = one_line(pg.url);
  if (!url) url = one_line(pg.og_url);
  char date_buf[11];
  const char *date = NULL;
  const xmlChar *dates[] = {pg.date, pg.time};
  for (size_t i = 0; i < 2 && !date; i++)
    if (dates[i] &&
        cr_date_parse((const char *)dates[i], strlen((const char *)dates[i]),
                      true, date_buf))
      date = date_buf;
  /* The text starts at its first letter. */
  const char *body = text.s ? text.s : "";
  while (*body == '\n' || *body == ' ')
    body++;
  if (text.oom) {
    in_report(r, member, 0, "out of memory");
  } else if (!*body) {
    in_report(r, member, 0, "a web page without text");
  } else {
    cr_article art = {.id = id,
                      .title = title,
                      .text = body,
                      .text_len = strlen(body),
                      .date = date,
                      .author = author,
                      .source = source,
                      .url = url,
                      .origin = r->file->key};
    rc = in_emit(r, &art, member, 0);
  }
  free(text.s);
  free(title);
  free(author);
  free(source);
  free(url);
  xmlChar *all[] = {pg.title,  pg.h1,     pg.og_title, pg.date,  pg.time,
                    pg.author, pg.source, pg.url,      pg.og_url};
  for (size_t i = 0; i < sizeof all / sizeof *all; i++)
    xmlFree(all[i]);
done:
  if (doc) xmlFreeDoc(doc);
  free(bytes);
  return rc;
}
