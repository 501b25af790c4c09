#!/usr/bin/env bash
# tsan.sh — the tests that run the indexer's threads, under ThreadSanitizer.
#
#   scripts/tsan.sh [TEST...]
#       default: test_concurrency test_e2e_indexer test_e2e_shards test_crash_safety
#
# Builds build-tsan/ (-DCRONACA_TSAN=ON: every object, the programs the
# tests run included) and runs the tests with each report written to
# build-tsan/tsan/ rather than to the programs' stderr, which the tests
# read. Any report fails the run, and the first ones are shown. The
# indexer's workers (indexer/pipeline.c) are the project's only threads;
# Xapian, Criterion and the other libraries are not instrumented.
# tests/tsan.supp suppresses only reports inside third-party code, each
# with its reason. Exit 0: no report and every test passed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tests=("$@")
((${#tests[@]})) || tests=(test_concurrency test_e2e_indexer test_e2e_shards test_crash_safety)
build="$here/build-tsan"

"$here/scripts/setup.sh" "$build" -DCRONACA_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRONACA_BENCH=OFF

logs="$build/tsan"
rm -rf "$logs"
mkdir -p "$logs"
# halt_on_error=0: a report does not stop the program (the tests see exit
# 66 at its end, TSan's exitcode), so one run shows every race it meets.
export TSAN_OPTIONS="log_path=$logs/tsan halt_on_error=0 second_deadlock_stack=1 suppressions=$here/tests/tsan.supp"
# Fewer SIGKILL trials: the instrumented indexer is several times slower.
export CRONACA_CRASH_TRIALS=${CRONACA_CRASH_TRIALS:-8}
regex="^($(IFS='|'; echo "${tests[*]}"))\$"
status=0
ctest --test-dir "$build" --output-on-failure -j"$(nproc)" -R "$regex" || status=1

reports=$(find "$logs" -name 'tsan.*' -size +0 | wc -l)
if ((reports)); then
  echo "tsan: ThreadSanitizer wrote $reports reports (in $logs); the first:" >&2
  find "$logs" -name 'tsan.*' -size +0 | head -3 | xargs -r head -60 >&2
  status=1
else
  echo "tsan: no ThreadSanitizer report in ${tests[*]}" >&2
fi
exit $status
