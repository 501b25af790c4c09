#!/usr/bin/env bash
# test.sh — sets cronaca up and runs every test.
#
#   scripts/test.sh            release build + ctest, then the same tests
#                              under AddressSanitizer and UBSan
#   scripts/test.sh --quick    release build + ctest only
#   scripts/test.sh --fuzz N   all of the above, then each libFuzzer target
#                              for N seconds (scripts/fuzz.sh; CI: 20)
#   scripts/test.sh --werror   (with any of the above) a compiler warning
#                              fails the build (-DCRONACA_WERROR=ON; CI)
#
# Not here: scripts/tsan.sh (ThreadSanitizer), scripts/test-package.sh (the
# Debian package, installed system-wide) and scripts/format.sh --check;
# .ci/run runs them all.
#
# Tests that need the real corpora in ../shared skip with a message when
# they are absent.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
jobs=$(nproc)
quick=false
fuzz_seconds=0
cmake_args=()
while (($#)); do
  case "$1" in
  --quick) quick=true ;;
  --werror) cmake_args+=(-DCRONACA_WERROR=ON) ;;
  --fuzz) fuzz_seconds=${2:?--fuzz needs seconds per target}; shift ;;
  *) echo "test: unknown option $1 (see the top of $0)" >&2; exit 2 ;;
  esac
  shift
done

"$here/scripts/setup.sh" "$here/build" ${cmake_args[@]+"${cmake_args[@]}"}
ctest --test-dir "$here/build" --output-on-failure -j"$jobs"

if ! $quick; then
  echo "test: the same tests under ASan + UBSan" >&2
  "$here/scripts/setup.sh" "$here/build-asan" -DCRONACA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug -DCRONACA_BENCH=OFF \
    ${cmake_args[@]+"${cmake_args[@]}"}
  # Fewer SIGKILL trials: the sanitized indexer is several times slower.
  CRONACA_CRASH_TRIALS=8 \
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    ctest --test-dir "$here/build-asan" --output-on-failure -j"$jobs"
fi

if ((fuzz_seconds > 0)); then
  echo "test: each fuzz target for ${fuzz_seconds}s" >&2
  "$here/scripts/fuzz.sh" "$fuzz_seconds"
fi
