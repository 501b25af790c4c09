"""benchlib — what bench/run and its sections measure with: running a
command for its wall time and peak RSS, sizes on disk, the programs of a
build (Tools), indexing with each system, a batch of queries through
cronaca or a peer into a results file, and bench_stats over those files.

bench/run (the driver) and its section modules (query_sets, names,
bench_shards, growth, lucene_peer) import it; bench/report (the report)
does not: it reads results.json only. A system that cannot be measured
raises Missing, whose reason goes into the results.
"""
import contextlib
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
SYSTEMS = ("cronaca", "scriptindex", "fts5", "lucene")
SCRIPT = ("id : unique=Q boolean=Q field=id value=0\n"
          "title : field=title index=S index\n"
          "text : field=text index\n")

def log(msg):
    print("[bench] " + msg, file=sys.stderr, flush=True)


@contextlib.contextmanager
def section(sections, name):
    """Times the body as one section of the run: appends (name, wall
    seconds) to sections and logs it as it finishes."""
    t0 = time.perf_counter()
    try:
        yield
    finally:
        dt = time.perf_counter() - t0
        sections.append((name, dt))
        log("section %s: %.1f s" % (name, dt))


class Missing(Exception):
    """A system could not be measured: the reason goes into RESULTS.md."""


# GNU time (Debian: time) measures peak RSS. The driver cannot take it from
# os.wait4 of its own children: Linux keeps the RSS high-water mark across
# execve, so a process forked from this ~100 MB Python driver reports at
# least the driver's RSS, whatever it runs. GNU time is a small process (1-2
# MB), so what it reports is the command's own peak.
GNU_TIME = "/usr/bin/time"


def run_measured(cmd, stdin=None, stdout=None, env=None, rss=False):
    """Runs cmd; returns (wall seconds, peak RSS in MB). With rss, the peak
    RSS of the process and the descendants it waited for, from GNU time's
    %M (None if GNU time is not installed); without, None and no wrapper
    (so the wall time of short commands carries no extra fork and exec).
    Raises Missing on failure, with the end of the command's stderr."""
    import tempfile
    timed = rss and os.access(GNU_TIME, os.X_OK)
    with tempfile.TemporaryFile() as errf, \
            tempfile.NamedTemporaryFile(prefix="bench-time-") as tf:
        full = [GNU_TIME, "-f", "%M", "-o", tf.name] + list(cmd) if timed else cmd
        t0 = time.perf_counter()
        try:
            p = subprocess.Popen(full, stdin=stdin, stdout=stdout or subprocess.DEVNULL,
                                 stderr=errf, env=env)
        except OSError as e:
            raise Missing("%s: %s" % (cmd[0], e))
        p.wait()
        wall = time.perf_counter() - t0
        errf.seek(0)
        err = errf.read().decode("utf-8", "replace")
        # GNU time writes "Command exited with non-zero status N" (or
        # "terminated by signal") before the line of the format.
        report = open(tf.name, encoding="utf-8", errors="replace").read() if timed else ""
    if p.returncode != 0:
        raise Missing("%s exited %d: %s" % (os.path.basename(cmd[0]), p.returncode,
                                             err.strip()[-300:]))
    if not rss:
        return wall, None
    if not timed:
        log("%s not installed (Debian: time): peak RSS not measured" % GNU_TIME)
        return wall, None
    try:
        kb = int(report.split()[-1])
    except (IndexError, ValueError):
        log("could not read GNU time's report %r: peak RSS not measured" % report)
        return wall, None
    return wall, kb / 1024.0


def du_mb(path):
    total = 0
    if os.path.isfile(path):
        return os.stat(path).st_blocks * 512 / 1e6
    for d, _, files in os.walk(path):
        for f in files:
            total += os.stat(os.path.join(d, f)).st_blocks * 512
    return total / 1e6


def rmrf(path):
    if os.path.isdir(path):
        shutil.rmtree(path)
    elif os.path.exists(path):
        os.remove(path)


def median(xs):
    return statistics.median(xs) if xs else None



class Tools:
    def __init__(self, build):
        self.build = build
        self.indexer = os.path.join(build, "indexer")
        self.searcher = os.path.join(build, "searcher")
        self.stats = os.path.join(build, "bench", "bench_stats")
        self.fts5 = os.path.join(build, "bench", "bench_fts5")
        self.xapian_qp = os.path.join(build, "bench", "xapian_qp")
        self.duplicates = os.path.join(build, "bench", "bench_duplicates")
        self.lucene = None  # lucene_peer.build()'s {"cp", "version"}, when available
        self.lucene_missing = "not built"

    def have(self, path):
        return os.access(path, os.X_OK)


def build_all(build):
    if not os.path.exists(os.path.join(build, "CMakeCache.txt")):
        subprocess.run(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release"],
                       stdout=subprocess.DEVNULL, check=False)
    for targets in (["bench_stats", "bench_fts5", "xapian_qp", "bench_duplicates"],
                    ["indexer"], ["searcher"]):
        r = subprocess.run(["cmake", "--build", build, "-j2", "--target"] + targets,
                           stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        if r.returncode != 0:
            log("build of %s failed (reported as missing if absent): %s"
                % (" ".join(targets), r.stderr.decode()[-400:]))


def index_system(system, tools, work, docs_jsonl, docs_si, idx):
    """Builds system's index at idx; returns (seconds, peak RSS MB)."""
    rmrf(idx)
    if system == "cronaca":
        if not tools.have(tools.indexer):
            raise Missing("indexer not built")
        return run_measured([tools.indexer, "-q", "-d", idx, docs_jsonl], rss=True)
    if system == "scriptindex":
        if not shutil.which("scriptindex"):
            raise Missing("scriptindex not installed (Debian: xapian-omega)")
        return run_measured(["scriptindex", "-s", "italian", "--overwrite", idx,
                             os.path.join(work, "index.script"), docs_si], rss=True)
    if system == "fts5":
        if not tools.have(tools.fts5):
            raise Missing("bench_fts5 not built (libsqlite3-dev)")
        return run_measured([tools.fts5, "load", idx, docs_jsonl], rss=True)
    if system == "lucene":
        if tools.lucene is None:
            raise Missing(tools.lucene_missing)
        import lucene_peer  # it imports this module
        t, rss, _ = lucene_peer.index(tools.lucene, docs_jsonl, idx)
        return t, rss
    raise ValueError(system)


def compact_system(system, tools, idx):
    """Returns (seconds, compacted size MB). Lucene's index is merged to one
    segment by its indexing run (forceMerge(1), inside its time)."""
    if system == "lucene":
        return 0.0, du_mb(idx)
    out = idx + ".compact"
    rmrf(out)
    if system in ("cronaca", "scriptindex"):
        if not shutil.which("xapian-compact"):
            raise Missing("xapian-compact not installed (xapian-tools)")
        t, _ = run_measured(["xapian-compact", "--multipass", idx, out])
    else:
        shutil.copyfile(idx, out)
        t, _ = run_measured([tools.fts5, "optimize", out])
    size = du_mb(out)
    rmrf(out)
    return t, size



def du_bytes(path):
    """Apparent size in bytes of the files under path."""
    n = 0
    for d, _, files in os.walk(path):
        for fn in files:
            n += os.path.getsize(os.path.join(d, fn))
    return n


def cronaca_batch(tools, idx, questions, k, out_tsv, snippets=False):
    """Runs searcher --batch; converts its JSON lines to a results file.
    Returns wall seconds."""
    if not tools.have(tools.searcher):
        raise Missing("searcher not built")
    raw = out_tsv + ".json"
    cmd = [tools.searcher, "-d", idx, "-n", str(k), "--json", "--batch", questions]
    if not snippets:
        cmd.insert(1, "--no-snippets")
    with open(raw, "wb") as f:
        wall, _ = run_measured(cmd, stdout=f)
    n_bad = 0
    with open(raw, encoding="utf-8") as f, open(out_tsv, "w") as out:
        for qno, line in enumerate(f):
            try:
                o = json.loads(line)
                ids = " ".join(str(h["id"]) for h in o.get("hits", []))
                out.write("%d\t%.6f\t%s\n" % (qno, float(o["took_ms"]), ids))
            except (ValueError, KeyError, TypeError):
                n_bad += 1
    n_q = sum(1 for _ in open(questions, encoding="utf-8"))
    if n_bad or qno + 1 != n_q:
        raise Missing("searcher --batch gave %d unreadable lines, %d answers for %d "
                      "questions" % (n_bad, qno + 1, n_q))
    return wall


def peer_batch(cmd, questions, out_tsv):
    with open(questions, "rb") as q, open(out_tsv, "wb") as out:
        wall, _ = run_measured(cmd, stdin=q, stdout=out)
    return wall


def stats_latency(tools, tsv, wall):
    r = subprocess.run([tools.stats, "latency", tsv, "%.6f" % wall],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def stats_rank(tools, gold, tsv):
    r = subprocess.run([tools.stats, "rank", gold, tsv],
                       capture_output=True, text=True, check=True)
    return json.loads(r.stdout)


def fts5_match(q):
    import re
    toks = re.findall(r"\w+", q)
    return " OR ".join('"%s"' % t for t in toks)



def machine_info():
    model = "?"
    mem = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = "%.1f GB" % (int(line.split()[1]) / 1024 / 1024)
                break
    except OSError:
        pass
    try:
        commit = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short", "HEAD"],
                                capture_output=True, text=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", ROOT, "status", "--porcelain"],
                               capture_output=True, text=True).stdout.strip()
        if dirty:
            commit += " (with uncommitted changes)"
    except OSError:
        commit = "?"
    return {"nproc": os.cpu_count(), "model": model, "mem": mem,
            "kernel": platform.release(), "commit": commit,
            "load": "%.2f %.2f %.2f" % os.getloadavg()}

