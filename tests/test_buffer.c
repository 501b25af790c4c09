/* test_buffer.c — the growable buffer's sticky error and the array
 * helper (buffer.h). Allocation failures themselves: test_faultsim.c. */
#include <criterion/criterion.h>
#include <stdlib.h>
#include <string.h>

#include "buffer.h"

Test(buffer, sticky_error_and_printf) {
  cr_buf b = {0};
  cr_buf_puts(&b, "a");
  cr_buf_printf(&b, "%d-%s", 42, "x");
  char big[600];
  memset(big, 'y', sizeof big - 1);
  big[sizeof big - 1] = '\0';
  cr_buf_printf(&b, "%s", big); /* longer than printf's first attempt */
  cr_assert_eq(b.n, 5 + 599);
  cr_buf_truncate(&b, 3);
  cr_assert_str_eq(b.p, "a42");
  b.rc = 2; /* as after a failed allocation: everything is a no-op */
  cr_buf_puts(&b, "more");
  cr_assert_eq(b.n, 3);
  cr_assert_null(cr_buf_finish(&b, NULL));
  cr_assert_null(b.p);
  size_t len = 9;
  char *empty = cr_buf_finish(&b, &len);
  cr_assert_str_eq(empty, "");
  cr_assert_eq(len, 0);
  free(empty);
}

Test(buffer, arrays_grow_by_doubling) {
  int *a = NULL;
  size_t n = 0, cap = 0;
  for (int i = 0; i < 100; i++) {
    cr_assert_eq(CR_ARRAY_GROW(a, n, cap), 0);
    a[n++] = i;
  }
  cr_assert_eq(cap, 128);
  cr_assert_eq(a[99], 99);
  free(a);
}
