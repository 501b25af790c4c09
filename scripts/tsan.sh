#!/usr/bin/env bash
# tsan.sh — the tests that run the indexer's and the searcher's threads, under
# ThreadSanitizer.
#
#   scripts/tsan.sh
#
# Builds build-tsan/ (-DCRONACA_TSAN=ON: the indexer the tests run is
# built with -fsanitize=thread, every source of its and of the library,
# and so is searcher_tsan, which test_search_threads runs for its thread
# per shard; the tests themselves are not: Criterion cannot start under
# TSan) and runs the tests that drive those threads, each report written
# to build-tsan/tsan/ rather than to the programs' stderr, which the tests
# read. Any report fails the run, and the first are shown.
# Xapian and the other libraries are not instrumented; tests/tsan.supp
# would suppress reports inside them only, each with its reason.
#
#   test_concurrency    the indexer rewriting while searchers read
#   test_e2e_indexer    every indexing path, SIGINT and SIGKILL included
#                       (not the 10,372-article DICE run: too slow here)
#   test_e2e_shards     shards built in parallel (not the remote tests:
#                       they run only the searcher and xapian-tcpsrv)
#   test_crash_safety   SIGKILL at random moments (4 trials) and SIGINT
#   test_search_threads the searcher's thread per shard (its own TSan
#                       build, searcher_tsan), over the shards of corpus/
#
# Exit 0: no report and every test passed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# Each test, and the Criterion filter of what it runs.
runs=(
  "test_concurrency *"
  "test_e2e_indexer !(*dice*)"
  "test_e2e_shards shards/*"
  "test_crash_safety *"
  "test_search_threads threads/the_program_prints_the_same_in_threads"
)
build="$here/build-tsan"

"$here/scripts/setup.sh" "$build" -DCRONACA_TSAN=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCRONACA_BENCH=OFF

logs="$build/tsan"
rm -rf "$logs"
mkdir -p "$logs"
# halt_on_error=0: a report does not stop the program (the tests see exit
# 66 at its end, TSan's exitcode), so one run shows every race it meets.
export TSAN_OPTIONS="log_path=$logs/tsan halt_on_error=0 second_deadlock_stack=1 suppressions=$here/tests/tsan.supp"
# Fewer SIGKILL trials: the instrumented indexer is several times slower.
export CRONACA_CRASH_TRIALS=${CRONACA_CRASH_TRIALS:-4}
status=0
for run in "${runs[@]}"; do
  t=${run%% *}
  filter=${run#* }
  t0=$SECONDS
  if "$build/tests/$t" --jobs 1 --filter "$filter" >"$logs/$t.out" 2>&1; then
    echo "tsan: $t passed ($((SECONDS - t0)) s)" >&2
  else
    tail -40 "$logs/$t.out" >&2
    echo "tsan: $t FAILED ($((SECONDS - t0)) s; output above and in $logs/$t.out)" >&2
    status=1
  fi
done

reports=$(find "$logs" -name 'tsan.*' -size +0 | wc -l)
if ((reports)); then
  echo "tsan: ThreadSanitizer wrote $reports reports (in $logs); the first:" >&2
  find "$logs" -name 'tsan.*' -size +0 | head -3 | xargs -r head -60 >&2
  status=1
else
  echo "tsan: no ThreadSanitizer report" >&2
fi
exit $status
