#!/usr/bin/env bash
# helgrind.sh — the searcher's thread per shard under valgrind's helgrind,
# which follows every access inside Xapian as well. ThreadSanitizer
# (scripts/tsan.sh) instruments only the project's own code: two threads
# racing in Xapian (a handle one thread's and used by another, a
# reference count Xapian does not make atomic) show there only where the
# race reaches an intercepted memcpy or a Xapian header's inline code.
#
#   scripts/helgrind.sh
#
# Builds build-valgrind/ (as scripts/valgrind.sh: glibc's malloc, which
# valgrind follows) and runs test_search_threads' program test with each
# searcher run under helgrind (CRONACA_TEST_WRAPPER, tests/helpers.c; the
# indexer that builds the test's shards runs as it is): --threads 3, 2 and
# 1 over the 3 shards of corpus/ and DICE, the test's table of queries. A
# report makes that run exit 99, which fails the test; the logs are kept
# in build-valgrind/helgrind/. About 5 minutes on 2 cores.
#
# Exit 0: no report and the test passed.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
command -v valgrind >/dev/null || { echo "helgrind: apt-get install valgrind" >&2; exit 2; }
build="$here/build-valgrind"
"$here/scripts/setup.sh" "$build" -DCRONACA_TCMALLOC=OFF -DCRONACA_BENCH=OFF

logs="$build/helgrind"
rm -rf "$logs"
mkdir -p "$logs"
export CRONACA_TEST_WRAPPER="valgrind --tool=helgrind -q --error-exitcode=99 \
--log-file=$logs/hg-%p.log"
export CRONACA_TEST_WRAP_SEARCHER_ONLY=1
status=0
"$build/tests/test_search_threads" --jobs 1 \
  --filter 'threads/the_program_prints_the_same_in_threads' || status=1
runs=$(ls "$logs" | wc -l)
dirty=$(find "$logs" -name 'hg-*.log' -size +0 | wc -l)
echo "helgrind: $runs searcher runs under helgrind, $dirty with reports" >&2
if ((dirty)); then
  find "$logs" -name 'hg-*.log' -size +0 | head -2 | xargs -r head -60 >&2
  status=1
fi
exit $status
