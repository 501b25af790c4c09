#!/usr/bin/env python3
"""cost_ab — what a change costs against a reference build, measured side
by side: indexing (wall time, CPU time, peak RSS, index size) and query
latency (mean and p99 of `took_ms`, without snippets), the two builds
alternated round by round so that both see the same machine.

    bench/cost_ab.py --base BUILD_A --new BUILD_B --docs DOCS.jsonl \\
        --queries QUESTIONS.txt --queries NEWS.txt [--rounds 5] [--work DIR]

BUILD_A and BUILD_B are build directories holding `indexer` and
`searcher` (for issue 16: the build of 7ade5c2 and of the change). Every
round indexes DOCS with each build (`-q -j 2`, a fresh index each time),
then runs each query file through each build's searcher against its own
index. Prints a Markdown table of the means over the rounds, each round's
figures, and the load average before and after; `--json FILE` keeps
them. The ratios are what to quote: absolute times on a shared machine
drift from one run to the next.
"""
import argparse
import json
import os
import resource
import sys

import benchlib


def cpu_of_children():
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def index_once(build, docs, idx):
    """Wall seconds, CPU seconds, peak RSS (MB) and size (MB) of one build
    of a fresh index."""
    benchlib.rmrf(idx)
    cpu0 = cpu_of_children()
    wall, rss = benchlib.run_measured(
        [os.path.join(build, "indexer"), "-q", "-j", "2", "-d", idx, docs],
        rss=True)
    return {"wall": wall, "cpu": cpu_of_children() - cpu0, "rss": rss,
            "size": benchlib.du_mb(idx)}


def latency_once(tools, build, idx, queries, tsv):
    """Mean and p99 (ms, nearest rank) of one pass over the queries."""
    tools.searcher = os.path.join(build, "searcher")
    wall = benchlib.cronaca_batch(tools, idx, queries, 10, tsv)
    st = benchlib.stats_latency(tools, tsv, wall)
    return {"mean": st["mean"], "p99": st["p99"]}


def mean(xs):
    return sum(xs) / len(xs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--base", required=True, help="reference build directory")
    ap.add_argument("--new", required=True, help="build directory of the change")
    ap.add_argument("--docs", required=True, help="JSON Lines to index")
    ap.add_argument("--queries", action="append", default=[],
                    help="a query file, one query a line (repeatable)")
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--work", default="/tmp/cost_ab", help="scratch directory")
    ap.add_argument("--stats", help="bench_stats (default: the new build's)")
    ap.add_argument("--json", help="write the figures to this file too")
    a = ap.parse_args()
    if a.rounds < 1:
        ap.error("--rounds must be at least 1")
    os.makedirs(a.work, exist_ok=True)
    tools = benchlib.Tools(a.new)
    if a.stats:
        tools.stats = a.stats
    builds = {"base": a.base, "new": a.new}
    runs = {b: {"index": [], "queries": {q: [] for q in a.queries}} for b in builds}
    load = {"before": os.getloadavg()}
    for r in range(a.rounds):
        # Alternate which build goes first, so neither always follows the other.
        order = ["base", "new"] if r % 2 == 0 else ["new", "base"]
        for b in order:
            idx = os.path.join(a.work, "idx-" + b)
            runs[b]["index"].append(index_once(builds[b], a.docs, idx))
            benchlib.log("round %d %s: indexing %.2f s" %
                         (r + 1, b, runs[b]["index"][-1]["wall"]))
        for q in a.queries:
            for b in order:
                idx = os.path.join(a.work, "idx-" + b)
                tsv = os.path.join(a.work, "lat-%s.tsv" % b)
                runs[b]["queries"][q].append(latency_once(tools, builds[b], idx, q, tsv))
    load["after"] = os.getloadavg()

    def row(name, key, fmt, of):
        if any(x[key] is None for b in builds for x in of(b)):
            return "| %s | not measured | not measured | |" % name
        base = mean([x[key] for x in of("base")])
        new = mean([x[key] for x in of("new")])
        return "| %s | %s | %s | %+.1f%% |" % (name, fmt % base, fmt % new,
                                             100.0 * (new / base - 1))
    print("| over %d rounds (means) | base | new | change |" % a.rounds)
    print("| --- | ---: | ---: | ---: |")
    idx_of = lambda b: runs[b]["index"]
    print(row("indexing wall time (s)", "wall", "%.2f", idx_of))
    print(row("indexing CPU time (s)", "cpu", "%.2f", idx_of))
    print(row("indexing peak RSS (MB, GNU time)", "rss", "%.0f", idx_of))
    print(row("index size (MB)", "size", "%.1f", idx_of))
    for q in a.queries:
        q_of = lambda b, q=q: runs[b]["queries"][q]
        name = os.path.basename(q)
        print(row("%s: mean (ms)" % name, "mean", "%.3f", q_of))
        print(row("%s: p99 (ms)" % name, "p99", "%.3f", q_of))
    print()
    print("Rounds (base / new): indexing wall " + ", ".join(
        "%.2f / %.2f" % (x["wall"], y["wall"])
        for x, y in zip(runs["base"]["index"], runs["new"]["index"])) + " s.")
    print("Load average before %.2f %.2f %.2f, after %.2f %.2f %.2f." %
          (load["before"] + load["after"]))
    if a.json:
        with open(a.json, "w") as f:
            json.dump({"builds": builds, "rounds": a.rounds, "load": load,
                       "runs": runs}, f, indent=1)
    return 0


if __name__ == "__main__":
    sys.exit(main())
