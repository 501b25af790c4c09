#!/usr/bin/env bash
# valgrind.sh — the end-to-end tests with every indexer and searcher run
# under valgrind memcheck: no invalid reads or writes, no leaks.
#
#   scripts/valgrind.sh [TEST...]     default: test_e2e_indexer test_e2e_searcher
#
# Uses a release build of its own, build-valgrind/, with glibc's malloc:
# memcheck cannot follow tcmalloc's (it reports mismatched frees inside
# libstdc++ and tcmalloc's own start-up as a leak). The tests
# run the programs through CRONACA_TEST_WRAPPER (tests/helpers.c); a
# memcheck error makes that run exit 99, which fails its test, and the
# logs are kept in build-valgrind/valgrind/. Runs the tests start with fork/exec of
# their own (the SIGKILL/SIGINT and terminal tests) are not wrapped.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
tests=("$@")
((${#tests[@]})) || tests=(test_e2e_indexer test_e2e_searcher)
command -v valgrind >/dev/null || { echo "valgrind: apt-get install valgrind" >&2; exit 2; }
build="$here/build-valgrind"
"$here/scripts/setup.sh" "$build" -DCRONACA_TCMALLOC=OFF -DCRONACA_BENCH=OFF

logs="$build/valgrind"
rm -rf "$logs"
mkdir -p "$logs"
# Definite and indirect leaks are errors; "still reachable" memory (static
# tables of libstemmer, Xapian, glibc) is not a leak.
export CRONACA_TEST_WRAPPER="valgrind --tool=memcheck -q --error-exitcode=99 \
--leak-check=full --errors-for-leak-kinds=definite,indirect \
--show-leak-kinds=definite,indirect --track-origins=yes --log-file=$logs/vg-%p.log"
status=0
for t in "${tests[@]}"; do
  echo "valgrind: $t" >&2
  # The DICE test (10,372 articles) takes longer than its time limit
  # under memcheck; the readers it uses run in the other tests too.
  "$build/tests/$t" --jobs 1 --filter '!(*dice*)' || status=1
done
runs=$(ls "$logs" | wc -l)
dirty=$(find "$logs" -name 'vg-*.log' -size +0 | wc -l)
echo "valgrind: $runs program runs under memcheck, $dirty with errors" >&2
if ((dirty)); then
  find "$logs" -name 'vg-*.log' -size +0 -exec head -40 {} \; >&2
  status=1
fi
exit $status
