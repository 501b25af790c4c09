#!/usr/bin/env bash
# million.sh — cronaca and Lucene on N synthetic articles (default
# 1,000,000) in one run, by hand, as bench/growth.py measures a growth row:
# indexing (GNU time: wall, CPU, peak RSS; du -sb), then 100 SQuAD-it
# questions and the news queries, top 10, first pass and after 10 passes
# in the process (cronaca: the file given 11 times to --batch; Lucene:
# LuceneBench's warm-up). bench/run --growth-full does the same inside the
# full bench; this runs the 1M row alone.
#
#   bench/million.sh [N] [BUILD_DIR] [WORK_DIR] [QUESTIONS]
#
# INDEX_ARGS (say "--shards 2") goes to the indexer; THREADS (say "1 2")
# searches the index once per --threads value, each in its own files.
#
# Writes WORK_DIR/run.log (each step with the load average) and the
# latency files; prints the summary. Needs ~10 GB in WORK_DIR.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
n=${1:-1000000}
build=$(cd "${2:-$here/build}" && pwd)
work=${3:-/tmp/cronaca-million}
questions=${4:-}
mkdir -p "$work"
cd "$work"
log() { echo "$(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg): $*" | tee -a run.log; }
log "start, commit $(git -C "$here" rev-parse --short HEAD)"
[ -f gen.jsonl ] || python3 "$here/bench/gen_corpus.py" \
  "$here/../shared/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz" "$n" gen.jsonl >/dev/null
log "generated $n articles"
if [ -n "$questions" ]; then head -100 "$questions" >q.txt; fi
[ -s q.txt ] || { echo "million.sh: give QUESTIONS (one a line; the first 100 are asked)" >&2; exit 2; }
cp "$here/../shared/eval/news-queries.txt" news.txt
rm -rf idx-cronaca
/usr/bin/time -v "$build/indexer" -q ${INDEX_ARGS:-} -d idx-cronaca gen.jsonl 2>cronaca-index.time
log "cronaca indexed: $(du -sb idx-cronaca | cut -f1) bytes"
jars=$(ls /usr/share/java/lucene-core-8*.jar /usr/share/java/lucene-analyzers-common-8*.jar \
  /usr/share/java/lucene-queryparser-8*.jar | tr '\n' ':')
mkdir -p cls
javac -nowarn -d cls -cp "$jars" "$here/bench/lucene/LuceneBench.java"
cp="cls:$jars"
rm -rf idx-lucene
/usr/bin/time -v java -cp "$cp" LuceneBench index idx-lucene gen.jsonl >lucene-index.report 2>lucene-index.time
log "lucene indexed: $(du -sb idx-lucene | cut -f1) bytes"
threads=${THREADS:-default}
for qs in q news; do
  k=$(wc -l <$qs.txt)
  for _ in $(seq 11); do cat $qs.txt; done >$qs-x11.txt
  for t in $threads; do
    targ=(); [ "$t" = default ] || targ=(--threads "$t")
    "$build/searcher" -d idx-cronaca "${targ[@]}" --batch $qs.txt --json --no-snippets -n 10 >cr$t-$qs-first.jsonl
    "$build/searcher" -d idx-cronaca "${targ[@]}" --batch $qs-x11.txt --json --no-snippets -n 10 | tail -n "$k" >cr$t-$qs-steady.jsonl
  done
  java -cp "$cp" LuceneBench query idx-lucene 10 10 $qs.txt lu-$qs-first.tsv lu-$qs-steady.tsv >lu-$qs.report
  log "queried $qs"
done
THREADS="$threads" python3 - <<'PY'
import json, os
def st(l):
    l = sorted(l); n = len(l)
    return "mean %.2f p99 %.2f ms" % (sum(l) / n, l[min(n - 1, int(n * 0.99))])
for qs in ("q", "news"):
    for k in ("first", "steady"):
        lu = [float(x.split("\t")[1]) for x in open("lu-%s-%s.tsv" % (qs, k))]
        for t in os.environ["THREADS"].split():
            cr = [json.loads(x)["took_ms"] for x in open("cr%s-%s-%s.jsonl" % (t, qs, k))]
            print("%-4s %-6s cronaca (threads %s) %s | Lucene %s" % (qs, k, t, st(cr), st(lu)))
PY
grep -E "Elapsed|Maximum res|User time|System time" cronaca-index.time lucene-index.time
