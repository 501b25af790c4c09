"""lucene_peer — Lucene 8 as a bench peer: builds and drives
bench/lucene/LuceneBench.java (Debian's liblucene8-java and a JDK).

bench/run imports it. build() compiles the harness with javac against the
Debian jars into BUILD/bench/lucene/ (again only when the source is newer)
and returns the class path; a missing JDK or jar is a Missing reason,
never a failure of the run. index() and query() run it under bench/run's
run_measured (wall time, GNU time's peak RSS).

LuceneBench's warm-up: one JVM answers the queries once (the first pass,
JIT cold, index files just opened), then WARMUP more passes, then one last
pass (the steady state after WARMUP passes). Both passes are reported.
"""
import glob
import json
import os
import shutil
import subprocess

import benchlib

JAVA_DIR = "/usr/share/java"
# Debian names the 8.8.1 jars 8.7.0; take whatever 8.x is installed.
JARS = ("lucene-core", "lucene-analyzers-common", "lucene-queryparser")
SOURCE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lucene",
                      "LuceneBench.java")
WARMUP = 10


class Unavailable(Exception):
    """Lucene cannot be measured here (no JDK, no jars, no compile)."""


def find_jars(java_dir=JAVA_DIR):
    """The jar paths, or Unavailable naming what is absent."""
    out = []
    for name in JARS:
        cands = sorted(glob.glob(os.path.join(java_dir, "%s-8*.jar" % name))) or \
            [p for p in [os.path.join(java_dir, name + ".jar")] if os.path.exists(p)]
        if not cands:
            raise Unavailable("%s jar not in %s (Debian: liblucene8-java)" % (name, java_dir))
        out.append(cands[-1])
    return out


def version(jars):
    """Lucene's version as its core jar's manifest states it (e.g. 8.8.1)."""
    import zipfile
    try:
        with zipfile.ZipFile(jars[0]) as z:
            for line in z.read("META-INF/MANIFEST.MF").decode().splitlines():
                if line.startswith("Implementation-Version:") or \
                        line.startswith("Specification-Version:"):
                    return line.split(":", 1)[1].strip().split()[0]
    except (OSError, KeyError, zipfile.BadZipFile):
        pass
    return "8"


def build(build_dir, compile=True):
    """Compiles LuceneBench into BUILD/bench/lucene (without compile, only
    checks it is there); returns {"cp": class path, "version": Lucene
    version}. Raises Unavailable."""
    for tool in ("javac", "java"):
        if not shutil.which(tool):
            raise Unavailable("%s not installed (Debian: openjdk-17-jdk-headless)" % tool)
    jars = find_jars()
    classes = os.path.join(build_dir, "bench", "lucene")
    stamp = os.path.join(classes, "LuceneBench.class")
    if not compile:
        if not os.path.exists(stamp):
            raise Unavailable("LuceneBench not built (bench/run without --no-build)")
    elif not os.path.exists(stamp) or os.path.getmtime(stamp) < os.path.getmtime(SOURCE):
        os.makedirs(classes, exist_ok=True)
        r = subprocess.run(["javac", "-nowarn", "-d", classes, "-cp", ":".join(jars),
                            SOURCE], capture_output=True, text=True)
        if r.returncode != 0:
            raise Unavailable("javac failed: " + r.stderr.strip()[-300:])
    return {"cp": ":".join([classes] + jars), "version": version(jars)}


def command(lu, *args):
    return ["java", "-cp", lu["cp"], "LuceneBench"] + [str(a) for a in args]


def index(lu, docs_jsonl, idx):
    """Indexes docs_jsonl into a fresh idx; returns (seconds, peak RSS MB,
    the harness's report {"docs", "bad", "add_s", "merge_s"})."""
    benchlib.rmrf(idx)
    rep = idx + ".report"
    with open(rep, "wb") as out:
        t, rss = benchlib.run_measured(command(lu, "index", idx, docs_jsonl), stdout=out,
                                  rss=True)
    with open(rep) as f:
        report = json.loads(f.read().strip().splitlines()[-1])
    if report.get("bad"):
        benchlib.log("lucene: %d unreadable lines in %s" % (report["bad"], docs_jsonl))
    return t, rss, report


def query(lu, idx, questions, k, out_first, out_steady=None, warmup=WARMUP):
    """Runs the questions in one JVM: the first pass into out_first and, with
    out_steady, warmup more passes and a last one into out_steady. Returns
    (process wall seconds, report {"start_ms", "first_s", "steady_s"})."""
    rep = out_first + ".report"
    args = ["query", idx, k, warmup if out_steady else 0, questions, out_first]
    if out_steady:
        args.append(out_steady)
    with open(rep, "wb") as out:
        wall, _ = benchlib.run_measured(command(lu, *args), stdout=out)
    with open(rep) as f:
        report = json.loads(f.read().strip().splitlines()[-1])
    return wall, report
