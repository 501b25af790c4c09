"""query_sets — the query-latency and ranking-quality sections of bench/run,
for each query set: SQuAD-it's questions (latency and quality) and the news
keyword queries (../shared/eval/news-queries.txt; latency only, they have
no judgements), on the same indexes of the 12k documents.

Imported by bench/run (measure) and bench/report (report); measures
through benchlib.

Rows, each a system as an application runs it:
  cronaca            searcher --batch --json --no-snippets, one pass
  cronaca-steady     the same process given the queries WARMUP+1 times in a
                     row: the last pass (after WARMUP warm-up passes)
  cronaca+snippets   searcher --batch --json, with snippets, one pass
  xapian-qp          bench/xapian_qp over scriptindex's index (reads the ids only)
  xapian-qp+snippets xapian_qp --snippets (MSet::snippet of each hit's text)
  lucene             LuceneBench: the first pass of a fresh JVM
  lucene-steady      the same JVM's pass after WARMUP warm-up passes
  fts5               bench_fts5, one pass (at LIMIT 100 with judgements)
"""
import os

import benchlib
import lucene_peer

WARMUP = lucene_peer.WARMUP  # bench/run --warmup N sets it (set_warmup)
LAT_ROWS = ("cronaca", "cronaca-steady", "cronaca+snippets", "xapian-qp",
            "xapian-qp+snippets", "lucene", "lucene-steady", "fts5")
QUALITY_ROWS = ("cronaca", "xapian-qp", "lucene", "fts5")
LABELS = {
    "cronaca": "cronaca `searcher --batch --no-snippets`",
    "cronaca-steady": "cronaca, after %d passes in the process",
    "cronaca+snippets": "cronaca `searcher --batch` (with snippets)",
    "xapian-qp": "Xapian QueryParser (bench/xapian_qp, ids only)",
    "xapian-qp+snippets": "Xapian QueryParser + `MSet::snippet`",
    "lucene": "Lucene %s, first pass (fresh JVM)",
    "lucene-steady": "Lucene %s, after %d passes",
    "fts5": "SQLite FTS5 bm25",
}
# Which index each runner needs (a key of bench/run's indexing results).
NEEDS = {"cronaca": "cronaca", "cronaca-steady": "cronaca", "xapian-qp": "scriptindex",
         "lucene": "lucene", "fts5": "fts5"}


def set_warmup(n):
    """The warm-up passes before the steady-state pass; 0 measures no
    steady state."""
    global WARMUP
    WARMUP = n


def label(row, lucene_version):
    s = LABELS[row]
    if row == "lucene-steady":
        return s % (lucene_version, WARMUP)
    if row == "cronaca-steady":
        return s % WARMUP
    return s % lucene_version if row.startswith("lucene") else s


def repeat_file(src, times):
    """src's lines times over, in a file beside it; returns its path."""
    dst = "%s.x%d" % (src, times)
    with open(src, encoding="utf-8") as f:
        body = f.read()
    if body and not body.endswith("\n"):
        body += "\n"
    with open(dst, "w", encoding="utf-8") as f:
        f.write(body * times)
    return dst


def last_pass(src_tsv, n, dst_tsv):
    """Keeps the last n result lines of src_tsv, numbered from 0; returns
    the sum of their latencies in seconds (the pass's time inside the
    process: its QPS is n / that)."""
    lines = open(src_tsv, encoding="utf-8").read().splitlines()[-n:]
    total = 0.0
    with open(dst_tsv, "w", encoding="utf-8") as out:
        for i, line in enumerate(lines):
            cols = line.split("\t")
            total += float(cols[1])
            out.write("%d\t%s\n" % (i, "\t".join(cols[1:])))
    return total / 1e3


class Runners:
    """Runs one query set on every system. Each method returns
    [(row, results file, wall seconds for QPS)] or raises benchlib.Missing."""

    def __init__(self, tools, work, lucene, qf, tag, indexes=None):
        self.tools, self.work, self.lucene = tools, work, lucene
        self.qf, self.tag = qf, tag
        self.indexes = indexes or {}  # system -> index path (default WORK/idx-SYSTEM)
        self.n = sum(1 for _ in open(qf, encoding="utf-8"))

    def out(self, row, k, rep):
        return os.path.join(self.work, "res-%s-%s-k%d-%s.tsv" % (self.tag, row, k, rep))

    def idx(self, system):
        return self.indexes.get(system) or os.path.join(self.work, "idx-" + system)

    def cronaca(self, k, rep, snippets=False):
        row = "cronaca+snippets" if snippets else "cronaca"
        out = self.out(row, k, rep)
        wall = benchlib.cronaca_batch(self.tools, self.idx("cronaca"), self.qf, k, out,
                                      snippets=snippets)
        return [(row, out, wall)]

    def cronaca_steady(self, k, rep):
        many = repeat_file(self.qf, WARMUP + 1)
        raw = self.out("cronaca-passes", k, rep)
        benchlib.cronaca_batch(self.tools, self.idx("cronaca"), many, k, raw)
        out = self.out("cronaca-steady", k, rep)
        return [("cronaca-steady", out, last_pass(raw, self.n, out))]

    def xapian_qp(self, k, rep, snippets=False):
        row = "xapian-qp+snippets" if snippets else "xapian-qp"
        if not self.tools.have(self.tools.xapian_qp):
            raise benchlib.Missing("xapian_qp not built")
        out = self.out(row, k, rep)
        cmd = [self.tools.xapian_qp] + (["--snippets"] if snippets else []) + \
            [self.idx("scriptindex"), str(k)]
        return [(row, out, benchlib.peer_batch(cmd, self.qf, out))]

    def lucene_(self, k, rep, steady=True):
        steady = steady and WARMUP > 0
        if self.lucene is None:
            raise benchlib.Missing("Lucene not available")
        first = self.out("lucene", k, rep)
        second = self.out("lucene-steady", k, rep) if steady else None
        _, r = lucene_peer.query(self.lucene, self.idx("lucene"), self.qf, k,
                                 first, second, warmup=WARMUP)
        # first pass: from the JVM's start (start-up, opening the index) to
        # its end, like the other systems' process wall time
        res = [("lucene", first, r["start_ms"] / 1e3 + r["first_s"])]
        if steady:
            res.append(("lucene-steady", second, r["steady_s"]))
        return res

    def fts5(self, k, rep):
        if not self.tools.have(self.tools.fts5):
            raise benchlib.Missing("bench_fts5 not built")
        out = self.out("fts5", k, rep)
        return [("fts5", out, benchlib.peer_batch(
            [self.tools.fts5, "query", self.idx("fts5"), str(k)], self.qf, out))]


def measure(tools, work, reps, idx_ok, lucene, qf, gold=None, tag="squad"):
    """Latency (top 10, reps repetitions, systems alternated) of every row on
    the queries in qf and, with gold (bench_stats rank's GOLD file), quality
    at top 100. FTS5 runs once: at LIMIT 100 with gold (that pass gives its
    latency and quality), else at 10. Returns {row: {"latency", "quality",
    "missing"}}."""
    run = Runners(tools, work, lucene, qf, tag)
    res = {s: {"lat": []} for s in LAT_ROWS}
    rows_of = {"cronaca": ["cronaca"], "cronaca-steady": ["cronaca-steady"],
               "xapian-qp": ["xapian-qp"], "lucene": ["lucene", "lucene-steady"],
               "fts5": ["fts5"]}
    for r, rows in rows_of.items():
        if not idx_ok(NEEDS[r]):
            for s in rows:
                res[s]["missing"] = "no index (%s missing)" % NEEDS[r]
    if WARMUP == 0:
        for s in ("cronaca-steady", "lucene-steady"):
            res[s]["missing"] = "not measured (--warmup 0)"
    for s in ("cronaca+snippets", "xapian-qp+snippets"):
        base = s.split("+")[0]
        if "missing" in res[base]:
            res[s]["missing"] = res[base]["missing"]

    def go(name, rows, fn):
        if all("missing" in res[s] for s in rows):
            return []
        try:
            benchlib.log("queries (%s): %s" % (tag, name))
            return fn()
        except benchlib.Missing as e:
            for s in rows:
                res[s]["missing"] = str(e)
            return []

    def add_latency(got):
        for row, out, wall in got:
            res[row]["lat"].append(benchlib.stats_latency(tools, out, wall))

    timed = [("cronaca", lambda rep: run.cronaca(10, rep)),
             ("cronaca-steady", lambda rep: run.cronaca_steady(10, rep)),
             ("xapian-qp", lambda rep: run.xapian_qp(10, rep)),
             ("lucene", lambda rep: run.lucene_(10, rep))]
    for rep in range(reps):
        order = timed[rep % len(timed):] + timed[:rep % len(timed)]
        for name, fn in order:
            add_latency(go("%s top 10 (rep %d/%d)" % (name, rep + 1, reps),
                           rows_of[name], lambda: fn(rep)))
    add_latency(go("cronaca with snippets", ["cronaca+snippets"],
                   lambda: run.cronaca(10, "s", snippets=True)))
    add_latency(go("xapian_qp with snippets", ["xapian-qp+snippets"],
                   lambda: run.xapian_qp(10, "s", snippets=True)))
    fk = 100 if gold else 10
    got = go("fts5 top %d" % fk, ["fts5"], lambda: run.fts5(fk, "once"))
    add_latency(got)
    if gold:
        for _, out, _ in got:
            res["fts5"]["quality"] = benchlib.stats_rank(tools, gold, out)
        quality = [("cronaca", lambda: run.cronaca(100, "q")),
                   ("xapian-qp", lambda: run.xapian_qp(100, "q")),
                   ("lucene", lambda: run.lucene_(100, "q", steady=False))]
        for name, fn in quality:
            for row, out, _ in go("%s top 100 (quality)" % name, [name], fn):
                res[row]["quality"] = benchlib.stats_rank(tools, gold, out)
    for r in res.values():
        if r["lat"]:
            # median over repetitions, figure by figure
            r["latency"] = {key: benchlib.median([x[key] for x in r["lat"]])
                            for key in ("mean", "p50", "p95", "p99", "max", "qps")}
            r["latency"]["n"] = r["lat"][0]["n"]
    return res


def report_latency(w, q, title, what, f, ratio, lucene_version):
    """One latency table: every row of LAT_ROWS that was measured or missing."""
    w("### %s\n" % title)
    w(what + "\n")
    w("| system | mean (ms) | p50 | p95 | p99 | max | QPS | mean vs Xapian QP | "
      "vs Lucene (after %d) | vs FTS5 |" % WARMUP)
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")

    def mean(s):
        return q.get(s, {}).get("latency", {}).get("mean")

    xm, lm, fm = mean("xapian-qp"), mean("lucene-steady"), mean("fts5")
    for s in LAT_ROWS:
        r = q.get(s)
        if r is None:
            continue
        name = label(s, lucene_version)
        if "latency" not in r:
            w("| %s | missing: %s | | | | | | | | |" % (name, r.get("missing", "?")))
            continue
        L_ = r["latency"]
        w("| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            name, f(L_["mean"], "%.3f"), f(L_["p50"], "%.3f"), f(L_["p95"], "%.3f"),
            f(L_["p99"], "%.3f"), f(L_["max"], "%.2f"), f(L_["qps"], "%.0f"),
            ratio(L_["mean"], xm), ratio(L_["mean"], lm), ratio(L_["mean"], fm)))
    w("")


def report(w, q, qn, corpus, f, ratio, lucene_version):
    """The query-latency section (SQuAD-it, then the news queries) and the
    ranking-quality section."""
    w("## Query latency (one process, all queries in a row)\n")
    w("Latency of each query as measured inside the process (cronaca: the "
      "`took_ms` of `searcher --batch --json`; peers: around parse + match + "
      "reading the result ids), top 10. Percentiles are nearest-rank "
      "(an observed latency, no interpolation). QPS = queries / wall time of "
      "the whole process, start-up included; for the rows \"after %d passes\" "
      "it is queries / that pass's time inside the process (Lucene: the "
      "pass's wall time; cronaca: the sum of its `took_ms`). Warm-up: "
      "cronaca and Xapian start each run in a fresh process and pass once; "
      "Lucene's first pass is a fresh JVM's (JIT cold), its steady state is "
      "the same JVM's pass after %d warm-up passes over the same queries, and "
      "cronaca's steady state is measured the same way (the queries %d times "
      "in one `--batch` file, the last pass). FTS5 runs once (with "
      "judgements at LIMIT 100: its cost is scoring every match, whatever the "
      "limit).\n" % (WARMUP, WARMUP, WARMUP + 1))
    report_latency(w, q, "SQuAD-it questions (%d)" % corpus["n_asked"],
                   "Long natural-language questions, as typed.", f, ratio,
                   lucene_version)
    if qn is not None:
        report_latency(w, qn, "News keyword queries (%d)" % corpus.get("n_news", 0),
                       "`../shared/eval/news-queries.txt`: 2 to 4 content words "
                       "from DICE leads, the kind typed into a newsroom's search "
                       "box (no judgements).", f, ratio, lucene_version)
    w("## Ranking quality (SQuAD-it)\n")
    w("Each question is run as typed (Lucene: escaped, so `?` is not a "
      "wildcard); the gold document is the paragraph that holds its answer. "
      "MRR@10 counts 1/rank for ranks 1–10; recall@k is the share of "
      "questions whose paragraph is in the top k. A question that failed "
      "counts as a miss. **Dev** (articles 0–23) is the tuning half; "
      "**held-out** (24–47) is reported only, never tuned on.\n")
    w("| system | dev MRR@10 | dev R@10 | dev R@100 | held-out MRR@10 | "
      "held-out R@10 | held-out R@100 |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for s in QUALITY_ROWS:
        r = q.get(s, {})
        name = label(s, lucene_version).replace(", first pass (fresh JVM)", "")
        if "quality" not in r:
            w("| %s | missing: %s | | | | | |" % (name, r.get("missing", "?")))
            continue
        d, h = r["quality"].get("dev", {}), r["quality"].get("heldout", {})
        w("| %s | %s | %s | %s | %s | %s | %s |" % (
            name, f(d.get("mrr10"), "%.3f"), f(d.get("recall10"), "%.3f"),
            f(d.get("recall100"), "%.3f"), f(h.get("mrr10"), "%.3f"),
            f(h.get("recall10"), "%.3f"), f(h.get("recall100"), "%.3f")))
    w("")
