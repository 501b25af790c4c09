#!/usr/bin/env bash
# append.sh — what one record appended to a big JSON Lines dump costs.
#
#   bench/append.sh [N] [BUILD_DIR]
#   RESUME=1 bench/append.sh [N] [BUILD_DIR]
#
# Builds an index of N synthetic articles (default 300000; gen_corpus.py
# over DICE, or plain generated text when DICE is absent), appends one
# record, and times the update beside the first build. Before issue 20 the
# update re-read the whole dump ("1 added, 300000 replaced"); now only what
# follows the dump's old end is read.
#
# With RESUME=1, instead: a first build of the dump stopped by SIGINT half
# way through (after half the time a full build took, measured first),
# then the rerun, which reads the dump from where the stop left it; the
# rerun's time and counts beside the full build's.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-300000}
build=${2:-"$here/build"}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dice="$here/../shared/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz"
if [ -f "$dice" ]; then
  python3 "$here/bench/gen_corpus.py" "$dice" "$n" "$work/dump.jsonl"
else
  python3 - "$n" "$work/dump.jsonl" <<'PY'
import sys
n, out = int(sys.argv[1]), sys.argv[2]
words = "sindaco consiglio comunale lavori strada scuola ospedale treno".split()
with open(out, "w") as f:
    for i in range(n):
        text = " ".join(words[(i * 7 + k) % len(words)] for k in range(60))
        f.write('{"id": "gen-%d", "text": "%s %d"}\n' % (i, text, i))
PY
fi
echo "append: $n records, $(du -h "$work/dump.jsonl" | cut -f1)" >&2
if [ "${RESUME:-0}" = 1 ]; then
  start=$(date +%s.%N)
  full=$( { /usr/bin/time -f "%e s" "$build/indexer" -d "$work/full" "$work/dump.jsonl"; } 2>&1 | tail -2)
  took=$(echo "$(date +%s.%N) - $start" | bc)
  echo "full build: $full" >&2
  rm -rf "$work/full"
  half=$(echo "$took / 2" | bc -l)
  "$build/indexer" -d "$work/index" "$work/dump.jsonl" 2> "$work/stopped" &
  pid=$!
  sleep "$half"
  kill -INT "$pid"
  wait "$pid" || true
  echo "stopped after ${half%.*} s: $(tail -1 "$work/stopped")" >&2
  resumed=$( { /usr/bin/time -f "%e s" "$build/indexer" -d "$work/index" "$work/dump.jsonl"; } 2>&1 | tail -2)
  echo "rerun: $resumed" >&2
  exit 0
fi
first=$( { /usr/bin/time -f "%e s" "$build/indexer" -d "$work/index" "$work/dump.jsonl"; } 2>&1 | tail -2)
echo "first build: $first" >&2
echo '{"id": "appended-1", "text": "Un articolo aggiunto in coda al dump."}' >> "$work/dump.jsonl"
update=$( { /usr/bin/time -f "%e s" "$build/indexer" -d "$work/index" "$work/dump.jsonl"; } 2>&1 | tail -2)
echo "append of one record: $update" >&2
