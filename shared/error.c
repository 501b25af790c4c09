/* error.c — filling cr_error. */
#include "error.h"

#include <stdarg.h>
#include <stdio.h>

void cr_error_set(cr_error *err, int code, const char *fmt, ...) {
  if (!err) return;
  err->code = code;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(err->message, sizeof err->message, fmt, ap);
  va_end(ap);
}

void cr_error_clear(cr_error *err) {
  if (!err) return;
  err->code = CR_OK;
  err->message[0] = '\0';
}
