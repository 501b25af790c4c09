/* input_encoding.c — --encoding: an in_stream that reads another stream
 * in a legacy encoding (Latin-1, Windows-1252, ...) and gives UTF-8,
 * through glibc's iconv. Every reader sits on top of it unchanged, and
 * line numbers stay those of the file (no encoding iconv offers for
 * this turns one newline into two).
 *
 * A byte sequence the encoding does not define (0x81 in Windows-1252) is
 * no reason to lose the file: it becomes U+FFFD, and the first such byte
 * of a file is reported once as a warning. */
#include <errno.h>
#include <iconv.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "input_internal.h"

struct in_decoder {
  in_stream *inner;      /* the encoded bytes */
  in_reader *r;          /* for the warning */
  const char *member;    /* for the warning */
  iconv_t cd;            /* encoding -> UTF-8 */
  char in[IN_BLOCK / 4]; /* encoded bytes not yet converted */
  size_t in_have;        /* how many */
  bool eof;              /* inner is at its end */
  bool warned;           /* the undecodable-byte warning was given */
  uint64_t offset;       /* encoded bytes converted so far */
  char pend[16];         /* decoded bytes a small read had no room for */
  size_t pend_n;         /* how many */
};

/* "latin1" and "cp1252" as users write them; iconv knows both, and
 * "latin-1", "windows1252" too after this. */
static const char *iconv_name(const char *enc, char *buf, size_t size) {
  static const struct {
    const char *alias, *name;
  } aliases[] = {{"latin-1", "ISO-8859-1"},  {"latin9", "ISO-8859-15"},
                 {"latin-9", "ISO-8859-15"}, {"windows1252", "CP1252"},
                 {"win1252", "CP1252"},      {"ansi", "CP1252"}};
  for (size_t i = 0; i < sizeof aliases / sizeof *aliases; i++)
    if (strcasecmp(enc, aliases[i].alias) == 0) return aliases[i].name;
  snprintf(buf, size, "%s", enc);
  return buf;
}

bool in_encoding_known(const char *encoding) {
  char buf[64];
  iconv_t cd = iconv_open("UTF-8", iconv_name(encoding, buf, sizeof buf));
  if (cd == (iconv_t)-1) return false;
  iconv_close(cd);
  return true;
}

static ssize_t decode(in_stream *s, char *buf, size_t n);

/* Reads decoded bytes; a read of fewer than 16 bytes (the end of a
 * buffer sized for the file) goes through pend, since one character
 * may decode to more bytes than asked for. */
static ssize_t decoder_read(in_stream *s, char *buf, size_t n) {
  in_decoder *d = s->handle;
  if (d->pend_n == 0 && n >= sizeof d->pend) return decode(s, buf, n);
  if (d->pend_n == 0) {
    ssize_t k = decode(s, d->pend, sizeof d->pend);
    if (k <= 0) return k;
    d->pend_n = (size_t)k;
  }
  size_t k = n < d->pend_n ? n : d->pend_n;
  memcpy(buf, d->pend, k);
  memmove(d->pend, d->pend + k, d->pend_n - k);
  d->pend_n -= k;
  return (ssize_t)k;
}

/* Decodes into buf, which holds at least 16 bytes. */
static ssize_t decode(in_stream *s, char *buf, size_t n) {
  in_decoder *d = s->handle;
  size_t out_left = n;
  char *out = buf;
  for (;;) {
    if (!d->eof && d->in_have < sizeof d->in / 2) {
      ssize_t k = d->inner->read(d->inner, d->in + d->in_have,
                                 sizeof d->in - d->in_have);
      if (k < 0) {
        s->error = d->inner->error;
        return -1;
      }
      if (k == 0) d->eof = true;
      d->in_have += (size_t)k;
    }
    if (d->in_have == 0) break; /* the end */
    char *in = d->in;
    size_t in_left = d->in_have;
    size_t rc = iconv(d->cd, &in, &in_left, &out, &out_left);
    int e = errno;
    size_t used = d->in_have - in_left;
    d->offset += used;
    memmove(d->in, in, in_left);
    d->in_have = in_left;
    if (rc == (size_t)-1 && e == EILSEQ) {
      /* A byte the encoding does not define: U+FFFD, once reported. */
      if (out_left < 3) break;
      if (!d->warned) {
        in_warn(d->r, d->member,
                "byte 0x%02x at offset %llu is not %s: read as U+FFFD",
                (unsigned char)d->in[0], (unsigned long long)d->offset,
                in_opts(d->r)->encoding);
        d->warned = true;
      }
      memcpy(out, "\xEF\xBF\xBD", 3);
      out += 3;
      out_left -= 3;
      memmove(d->in, d->in + 1, --d->in_have);
      d->offset++;
      continue;
    }
    if (rc == (size_t)-1 && e == EINVAL && d->eof) {
      /* A sequence cut by the end of the file (multi-byte encodings). */
      d->in_have = 0;
      break;
    }
    /* E2BIG (out is full) or EINVAL (an incomplete sequence: read on). */
    if (out_left < n || (rc == (size_t)-1 && e == E2BIG)) break;
  }
  return (ssize_t)(n - out_left);
}

in_decoder *in_decoder_open(in_reader *r, in_stream *inner, const char *member,
                            in_stream *out) {
  const char *enc = in_opts(r)->encoding;
  char buf[64];
  in_decoder *d = calloc(1, sizeof *d);
  if (!d) {
    in_report(r, member, 0, "out of memory");
    return NULL;
  }
  d->cd = iconv_open("UTF-8", iconv_name(enc, buf, sizeof buf));
  if (d->cd == (iconv_t)-1) {
    in_report(r, member, 0, "unknown encoding '%s' (see iconv --list)", enc);
    free(d);
    return NULL;
  }
  d->inner = inner;
  d->r = r;
  d->member = member;
  memset(out, 0, sizeof *out);
  out->read = decoder_read;
  out->handle = d;
  out->r = r;
  return d;
}

void in_decoder_close(in_decoder *d) {
  if (!d) return;
  iconv_close(d->cd);
  free(d);
}
