#!/usr/bin/env bash
# fuzz.sh — builds the libFuzzer targets with clang and runs each one.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
#
# Default 30 s per target, every target. Seeds come from corpus/ and
# tests/fuzz/seeds/; what a run discovers is kept in build-fuzz/corpus-*/
# (outside the repository). A crash leaves crash-* files in build-fuzz/ and
# makes this script fail: turn each into a regression test.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-30}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(analyzer query_parser snippet input output)
build="$here/build-fuzz"

command -v clang >/dev/null || { echo "fuzz: needs clang (apt-get install clang)" >&2; exit 2; }
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { CC=clang CXX=clang++ cmake -S "$here" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
        -DCRONACA_FUZZ=ON -DCRONACA_TESTS=OFF -DCRONACA_BENCH=OFF &&
       cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}"; } >"$log" 2>&1; then
  cat "$log" >&2
  exit 2
fi

status=0
for t in "${targets[@]}"; do
  work="$build/corpus-$t"
  mkdir -p "$work"
  seeds=("$here/corpus")
  [ -d "$here/tests/fuzz/seeds/$t" ] && seeds+=("$here/tests/fuzz/seeds/$t")
  echo "fuzz: $t for ${seconds}s" >&2
  if ! (cd "$build" && ASAN_OPTIONS=detect_leaks=1 "./tests/fuzz/fuzz_$t" -max_total_time="$seconds" \
        -max_len=65536 -timeout=10 -rss_limit_mb=2048 -print_final_stats=1 \
        "$work" "${seeds[@]}" 2>"$build/fuzz-$t.log"); then
    echo "fuzz: $t FAILED — see $build/fuzz-$t.log and the crash-* file" >&2
    tail -40 "$build/fuzz-$t.log" >&2
    status=1
  else
    grep -E '^stat::(number_of_executed_units|peak_rss_mb)|cov:' "$build/fuzz-$t.log" | tail -3 >&2
  fi
done
exit $status
