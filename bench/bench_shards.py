"""bench_shards.py — the scale-out section of bench/run: indexing
throughput with `indexer --shards 1/2/4`, and query latency over one local
index, N local shards and N remote shards (one xapian-tcpsrv per shard on
loopback), on the same documents and questions as the rest of the run.

Imported by bench/run (measure) and bench/report (report); measures
through benchlib.
"""
import os
import shutil
import socket
import subprocess
import time

import benchlib

SHARD_COUNTS = (1, 2, 4)
QUERY_SYSTEMS = ("one index", "2 local shards", "2 local shards, one thread",
                 "4 local shards", "2 remote shards", "4 remote shards")
# Searched with CRONACA_THREADS=1: what the thread per shard gains.
ONE_THREAD = {"2 local shards, one thread": 2}


def index_name(n):
    return "single" if n == 0 else "%d shard%s" % (n, "s" if n > 1 else "")


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_servers(shard_dirs, work):
    """One xapian-tcpsrv per shard on loopback; returns (processes, stub
    path). Each server gets a session of its own: on SIGTERM xapian-tcpsrv
    signals its whole process group, which would otherwise include us."""
    if not shutil.which("xapian-tcpsrv"):
        raise RuntimeError("xapian-tcpsrv not installed (Debian: xapian-tools)")
    procs, lines = [], []
    for d in shard_dirs:
        port = free_port()
        log = open(os.path.join(work, "tcpsrv-%d.log" % port), "wb")
        procs.append(subprocess.Popen(
            ["xapian-tcpsrv", "--quiet", "--interface", "127.0.0.1", "--port",
             str(port), d], stdout=log, stderr=log, start_new_session=True))
        lines.append("remote 127.0.0.1:%d\n" % port)
        for _ in range(200):  # until it accepts connections
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if procs[-1].poll() is not None:
                    stop_servers(procs)
                    raise RuntimeError("xapian-tcpsrv exited (see %s)" % log.name)
                time.sleep(0.05)
    stub = os.path.join(work, "remote-%d.stub" % len(shard_dirs))
    with open(stub, "w") as f:
        f.writelines(lines)
    return procs, stub


def stop_servers(procs):
    for p in procs:
        p.terminate()
    for p in procs:
        try:
            p.wait(timeout=10)
        except subprocess.TimeoutExpired:
            p.kill()
            p.wait()


def measure(tools, work, corpus, reps, counts=SHARD_COUNTS, single=None):
    """Returns {"indexing": {n: {...}}, "queries": {system: {...}}}; a
    figure that could not be measured carries "missing". counts are the
    --shards values indexed (2 and 4 are searched); single, if given, is
    (seconds, index directory) of a single index already built from the
    same documents by the same command (bench/run's indexing section),
    used instead of indexing one again. Shard counts not in
    counts are absent from "indexing"."""
    docs = os.path.join(work, "docs.jsonl")
    idx = {n: os.path.join(work, "idx-shards-%d" % n) for n in (0,) + tuple(counts)}
    ix = {n: {"times": []} for n in idx}
    if single:
        ix[0] = {"times": [single[0]], "reused": True}
        idx[0] = single[1]
    order = list(idx)
    for rep in range(reps):
        k = rep % len(order)
        for n in order[k:] + order[:k]:  # alternate who goes first
            if "missing" in ix[n] or ix[n].get("reused"):
                continue
            benchlib.rmrf(idx[n])
            cmd = [tools.indexer, "-q", "-d", idx[n], docs]
            if n:
                cmd[2:2] = ["--shards", str(n)]
            try:
                benchlib.log("indexing into %s (rep %d/%d)" % (index_name(n), rep + 1, reps))
                t, _ = benchlib.run_measured(cmd)
                ix[n]["times"].append(t)
            except benchlib.Missing as e:
                ix[n]["missing"] = str(e)
    for n, r in ix.items():
        if r["times"]:
            r["time"] = benchlib.median(r["times"])
            r["mbps"] = corpus["text_mb"] / r["time"]

    qf = os.path.join(work, "questions_shards.txt")
    targets = {"one index": idx[0]}
    targets.update({"%d local shards" % n: idx[n] for n in (2, 4) if n in idx})
    targets.update({s: idx[n] for s, n in ONE_THREAD.items() if n in idx})
    q = {s: {"lat": []} for s in QUERY_SYSTEMS}
    servers = []
    try:
        for n in (2, 4):
            name = "%d remote shards" % n
            if n not in ix or "missing" in ix[n]:
                q[name]["missing"] = "no index"
                continue
            try:
                procs, stub = start_servers(
                    [os.path.join(idx[n], "shard-%02d" % k) for k in range(n)], work)
                servers += procs
                targets[name] = stub
            except RuntimeError as e:
                q[name]["missing"] = str(e)
        for rep in range(reps):
            names = [s for s in QUERY_SYSTEMS if s in targets]
            k = rep % len(names)
            for s in names[k:] + names[:k]:
                if "missing" in q[s]:
                    continue
                out = os.path.join(work, "res-shards-%s-%d.tsv" % (s.replace(" ", "-"), rep))
                try:
                    benchlib.log("queries: %s (rep %d/%d)" % (s, rep + 1, reps))
                    if s in ONE_THREAD:
                        os.environ["CRONACA_THREADS"] = "1"
                    try:
                        wall = benchlib.cronaca_batch(tools, targets[s], qf, 10, out)
                    finally:
                        os.environ.pop("CRONACA_THREADS", None)
                    q[s]["lat"].append(benchlib.stats_latency(tools, out, wall))
                except benchlib.Missing as e:
                    q[s]["missing"] = str(e)
    finally:
        stop_servers(servers)
    for s, r in q.items():
        if r["lat"]:
            r["latency"] = {key: benchlib.median([x[key] for x in r["lat"]])
                            for key in ("mean", "p50", "p95", "p99", "qps")}
        elif "missing" not in r:
            r["missing"] = "not measured"
    return {"indexing": ix, "queries": q}


def report(w, res, corpus, f, ratio):
    """Writes the section's Markdown through w (one line per call)."""
    w("## Several shards, local and remote\n")
    w("`indexer --shards N` on the same documents (one pass over the input "
      "per shard, each with the usual workers), and `searcher --batch` top 10 "
      "without snippets over one index, over the shards' stub (`-d DIR`), and "
      "over a stub of `remote 127.0.0.1:PORT` lines, one `xapian-tcpsrv` per "
      "shard on loopback. Latency is the searcher's own `took_ms` (network "
      "round trips included), over %d questions%s.\n"
      % (corpus["n_shard_questions"],
         " (every %dth of those asked above: a remote query costs round trips)"
         % corpus["shard_stride"]
         if corpus["shard_stride"] > 1 else ", those asked above"))
    w("| index | time (s) | MB/s | vs single |")
    w("| --- | ---: | ---: | ---: |")
    # Shard counts are keys: ints as measured, strings once read from JSON.
    ix = {int(n): r for n, r in res["indexing"].items()}
    base = ix[0].get("time")
    for n in (0,) + SHARD_COUNTS:
        r = ix.get(n)
        name = "single (no `--shards`)" if n == 0 else "`--shards %d`" % n
        if r is None:
            w("| %s | skipped in quick mode (one shard ≈ the single index) | | |"
              % name)
            continue
        if r.get("reused"):
            name += ", the indexing section's run"
        if "time" not in r:
            w("| %s | missing: %s | | |" % (name, r.get("missing", "?")))
            continue
        w("| %s | %s | %s | %s |" % (name, f(r["time"]), f(r["mbps"], "%.1f"),
                                    ratio(base, r["time"], "%.2f×")))
    w("")
    w("| searched as | mean (ms) | p50 | p95 | p99 | queries/s | mean vs one index |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    q = res["queries"]
    one = q["one index"].get("latency", {}).get("mean")
    for s in QUERY_SYSTEMS:
        if s not in q:  # a run from before this way of searching
            continue
        r = q[s]
        if "latency" not in r:
            w("| %s | missing: %s | | | | | |" % (s, r.get("missing", "?")))
            continue
        L = r["latency"]
        w("| %s | %s | %s | %s | %s | %s | %s |"
          % (s, f(L["mean"], "%.3f"), f(L["p50"], "%.3f"), f(L["p95"], "%.3f"),
             f(L["p99"], "%.3f"), f(L["qps"], "%.0f"), ratio(L["mean"], one)))
    w("")
