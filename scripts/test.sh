#!/usr/bin/env bash
# test.sh — sets cronaca up and runs every test.
#
#   scripts/test.sh            release build + ctest, then the same tests
#                              under AddressSanitizer and UBSan
#   scripts/test.sh --quick    release build + ctest only
#
# Tests that need the real corpora in ../shared skip with a message when
# they are absent.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)

"$here/scripts/setup.sh" "$here/build"
ctest --test-dir "$here/build" --output-on-failure -j"$jobs"

if [ "${1:-}" != "--quick" ]; then
  echo "test: the same tests under ASan + UBSan" >&2
  "$here/scripts/setup.sh" "$here/build-asan" -DCRONACA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCRONACA_BENCH=OFF
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$here/build-asan" --output-on-failure -j"$jobs"
fi
