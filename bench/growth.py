"""growth — the growth section of bench/run: synthetic corpora of 10k, 100k
(and 1M) articles from bench/gen_corpus.py, indexed by cronaca, SQLite FTS5
and Lucene, each answering two query sets, top 10: 100 SQuAD-it questions
and the news keyword queries. cronaca and Lucene also give the steady state
after query_sets.WARMUP passes in one process; FTS5 runs once.

Imported by bench/run (measure, save, merge, plot) and bench/report
(report); measures through benchlib. Rows are saved to growth.json so a
later run can reuse the long ones (--growth-from).
"""
import datetime
import json
import os
import shutil
import subprocess

import benchlib
import gen_corpus
import query_sets

SYSTEMS = ("cronaca", "fts5", "lucene")
LABELS = {"cronaca": "cronaca", "fts5": "SQLite FTS5", "lucene": "Lucene"}


def queries_of(tools, work, run, system):
    """Runs one query set (run: a query_sets.Runners) on system; returns
    {"lat": first pass, "steady": after WARMUP passes (cronaca, Lucene)}."""
    if system == "cronaca":
        got = run.cronaca(10, "g") + \
            (run.cronaca_steady(10, "g") if query_sets.WARMUP else [])
    elif system == "lucene":
        got = run.lucene_(10, "g")
    else:
        got = run.fts5(10, "g")
    out = {}
    for row, tsv, wall in got:
        out["steady" if row.endswith("-steady") else "lat"] = \
            benchlib.stats_latency(tools, tsv, wall)
    return out


def measure(tools, work, corpus, sizes, news=None):
    """One row per size: each system's indexing (time, peak RSS, size) and
    its latency on the growth questions ("lat", "steady") and, with news
    (a query file), on the news queries ("news", "news_steady")."""
    qf = os.path.join(work, "questions_growth.txt")
    rows = []
    for n in sizes:
        src = os.path.join(work, "gen-%d.jsonl" % n)
        if not os.path.exists(src):
            benchlib.log("growth: generating %d articles" % n)
            gen_corpus.generate(corpus["dice"], n, src + ".tmp")
            os.rename(src + ".tmp", src)
        mb = os.path.getsize(src) / 1e6
        row = {"n": n, "mb": mb}
        for s in SYSTEMS:
            idx = os.path.join(work, "gidx-%s-%d" % (s, n))
            try:
                benchlib.log("growth: %s on %d articles" % (s, n))
                t, rss = benchlib.index_system(s, tools, work, src, None, idx)
                row[s] = {"time": t, "rss": rss, "size": benchlib.du_mb(idx)}
                sets = [("", qf)] + ([("news", news)] if news else [])
                for key, qfile in sets:
                    run = query_sets.Runners(tools, work, tools.lucene, qfile,
                                             "g%d%s" % (n, key), indexes={s: idx})
                    got = queries_of(tools, work, run, s)
                    for k, v in got.items():
                        row[s][k if not key else (key if k == "lat" else key + "_" + k)] = v
            except benchlib.Missing as e:
                row.setdefault(s, {})["missing"] = str(e)
            benchlib.rmrf(idx)
        rows.append(row)
    return rows


def save(rows, m, out_dir):
    """Writes the growth rows to out_dir/growth.json (OUT/results/), each
    with the date and commit of the run that measured it (this one, or the
    earlier run a merged row came from), so a later run can reuse the long
    ones (--growth-from)."""
    stamp = {"date": datetime.datetime.now().strftime("%Y-%m-%d %H:%M"),
             "commit": m["commit"]}
    kept = [dict(r, run=r.get("run") or stamp) for r in rows]
    with open(os.path.join(out_dir, "growth.json"), "w") as fj:
        json.dump({"rows": kept}, fj, indent=1)


def merge(rows, path):
    """Adds to rows (this run's) the rows of the growth.json at path whose
    sizes this run did not measure; they keep their run's date and commit."""
    with open(path) as fj:
        earlier = json.load(fj)["rows"]
    have = {r["n"] for r in rows}
    rows = rows + [r for r in earlier if r["n"] not in have and "run" in r]
    return sorted(rows, key=lambda r: r["n"])


def plot(rows, out_dir):
    """The growth plots (gnuplot, log-log): one line per system. Returns the
    PNG names made."""
    if not shutil.which("gnuplot"):
        return []
    dat = os.path.join(out_dir, "growth.dat")
    ok = [r for r in rows if any("time" in r.get(s, {}) for s in SYSTEMS)]
    if len(ok) < 2:
        return []

    def g(r, s, *keys):
        v = r.get(s, {})
        for k in keys:
            v = v.get(k) if isinstance(v, dict) else None
        return "NaN" if v is None else "%.6f" % v

    fields = (("time",), ("size",), ("rss",), ("lat", "mean"), ("lat", "p99"))
    with open(dat, "w") as fd:
        fd.write("# n " + " ".join("%s_%s" % (s, "_".join(k)) for s in SYSTEMS
                                   for k in fields) + "\n")
        for r in ok:
            fd.write(" ".join([str(r["n"])] + [g(r, s, *k) for s in SYSTEMS
                                               for k in fields]) + "\n")
    plots = [("growth-index-time.png", "indexing time (s)", 0),
             ("growth-index-size.png", "index size on disk (MB)", 1),
             ("growth-peak-rss.png", "peak RSS while indexing (MB)", 2),
             ("growth-query-latency.png", "mean query latency, top 10, first pass (ms)", 3)]
    titles = {"cronaca": "cronaca", "fts5": "SQLite FTS5", "lucene": "Lucene"}
    made = []
    for png, ylabel, col in plots:
        lines = ["'%s' using 1:%d with linespoints title '%s'"
                 % (dat if i == 0 else "", 2 + i * len(fields) + col, titles[s])
                 for i, s in enumerate(SYSTEMS)]
        script = ("set terminal pngcairo size 720,440\nset output '%s'\n"
                  "set logscale xy\nset xlabel 'articles'\nset ylabel '%s'\n"
                  "set key top left\nset grid\nplot %s\n"
                  % (os.path.join(out_dir, png), ylabel, ", ".join(lines)))
        r = subprocess.run(["gnuplot"], input=script, text=True, capture_output=True)
        if r.returncode == 0:
            made.append(png)
        else:
            benchlib.log("gnuplot failed: " + r.stderr[-200:])
    return made


def report(w, growth, plots, f, n_news):
    w("## Growth\n")
    if not growth:
        w("Not measured in this run (`bench/run` measures 10k and 100k articles, "
          "`--quick` 1k and 5k; `--growth-full` adds 1M).\n")
        return
    w("Synthetic corpora from `bench/gen_corpus.py` (real DICE sentences "
      "recombined into articles, fixed seed), indexed as above (Lucene with "
      "its text stored).\n")
    w("| articles | text MB | " + " | ".join(
        "%s index (s) | size (MB) | peak RSS (MB)" % LABELS[s] for s in SYSTEMS) + " |")
    w("| ---: | ---: | " + " | ".join("---: | ---: | ---:" for _ in SYSTEMS) + " |")

    def mark(r):
        return "%d%s" % (r["n"], " †" if r.get("run") else "")

    for r in growth:
        cells = [mark(r), "%.0f" % r["mb"]]
        for s in SYSTEMS:
            x = r.get(s, {})
            if "time" not in x:
                cells += ["missing: %s" % x.get("missing", "not measured by that run"),
                          "", ""]
                continue
            cells += [f(x["time"]), f(x["size"], "%.0f"), f(x["rss"], "%.0f")]
        w("| " + " | ".join(cells) + " |")
    w("")
    w("Query latency, mean / p99 (ms), top 10 (cronaca without snippets): "
      "100 SQuAD-it questions and the %d news queries; first pass of a fresh "
      "process, and after %d passes in the same process (cronaca, Lucene; "
      "FTS5 runs once).\n" % (n_news, query_sets.WARMUP))
    w("| articles | system | questions, first pass | after %d | news, first pass "
      "| after %d |" % (query_sets.WARMUP, query_sets.WARMUP))
    w("| ---: | --- | ---: | ---: | ---: | ---: |")

    def ms(lat):
        if not lat:
            return "—"
        return "%s / %s" % (f(lat.get("mean"), "%.2f"), f(lat.get("p99"), "%.2f"))

    for r in growth:
        for s in SYSTEMS:
            x = r.get(s, {})
            if "time" not in x:
                w("| %s | %s | missing: %s | | | |"
                  % (mark(r), LABELS[s], x.get("missing", "not measured by that run")))
                continue
            w("| %s | %s | %s | %s | %s | %s |" % (
                mark(r), LABELS[s], ms(x.get("lat")), ms(x.get("steady")),
                ms(x.get("news")), ms(x.get("news_steady"))))
    w("")
    runs = {}
    for r in growth:
        if r.get("run"):
            runs.setdefault((r["run"]["date"], r["run"]["commit"]), []).append("%d" % r["n"])
    for (date, commit), ns in runs.items():
        w("† %s articles: measured by an earlier run (%s, commit %s), taken "
          "from its `growth.json` (`--growth-from`), not by this one.\n"
          % (", ".join(ns), date, commit))
    for png in plots:
        w("![%s](%s)\n" % (os.path.basename(png)[:-4], png))
