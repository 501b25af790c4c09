"""names — the people-search set (names-dev.tsv) scored per kind.

names-dev.tsv (../shared/eval/names-dev.tsv; read the README there) holds
lines `dev<TAB>kind<TAB>query<TAB>id,id,...`: kind is `surname` or
`fullname`, the ids are the DICE articles (DICE's own numeric ids) that
name that person. Each query is run as typed against an index of DICE
alone, top 10, and scored:

  P@10   = relevant hits in the top 10 / min(10, relevant articles),
  MRR@10 = 1 / rank of the first relevant hit within the top 10, else 0,

each averaged over the queries of a kind. A query a system failed on
counts as a miss (P@10 and MRR@10 of 0).

Used by bench/run (the names section, every system) and by
bench/names_eval.py (cronaca alone, quickly). Stdlib only.
"""
import json
import os
import subprocess

KINDS = ("surname", "fullname")
K = 10


def read_queries(path):
    """Returns [(kind, query, set of relevant ids)] in file order."""
    out = []
    with open(path, encoding="utf-8") as f:
        for lineno, line in enumerate(f, 1):
            line = line.rstrip("\n")
            if not line:
                continue
            cols = line.split("\t")
            if len(cols) != 4 or cols[1] not in KINDS:
                raise ValueError("%s:%d: not dev<TAB>kind<TAB>query<TAB>ids" % (path, lineno))
            out.append((cols[1], cols[2], {x for x in cols[3].split(",") if x}))
    return out


def write_query_file(queries, path):
    """One query per line, as typed (bench/run's systems read this)."""
    with open(path, "w", encoding="utf-8") as f:
        for _, q, _ in queries:
            f.write(q + "\n")


def score(queries, ranked):
    """ranked[i] is the list of ids returned for queries[i] (None if the
    system failed on it). Returns {kind: {"n", "p10", "mrr10"}}.

    Hand-computed cases (python3 -m doctest bench/names.py): 2 relevant,
    one found at rank 2: P@10 1/2, MRR 1/2; 12 relevant, 5 in the top 10
    from rank 1: P@10 5/10, MRR 1; a failed query counts 0.

    >>> q = [("surname", "A", {"1", "2"}), ("fullname", "B", {str(i) for i in range(12)}),
    ...      ("fullname", "C", {"x"})]
    >>> r = score(q, [["9", "1"], ["0", "a", "1", "b", "2", "c", "3", "d", "4", "e", "5"],
    ...               None])
    >>> r["surname"]
    {'n': 1, 'p10': 0.5, 'mrr10': 0.5}
    >>> r["fullname"]
    {'n': 2, 'p10': 0.25, 'mrr10': 0.5}
    """
    acc = {k: {"n": 0, "p10": 0.0, "mrr10": 0.0} for k in KINDS}
    for (kind, _, rel), ids in zip(queries, ranked):
        a = acc[kind]
        a["n"] += 1
        if not ids or not rel:
            continue
        top = [str(x) for x in ids[:K]]
        a["p10"] += sum(1 for x in top if x in rel) / min(K, len(rel))
        for r, x in enumerate(top, 1):
            if x in rel:
                a["mrr10"] += 1.0 / r
                break
    for a in acc.values():
        if a["n"]:
            a["p10"] /= a["n"]
            a["mrr10"] /= a["n"]
    return acc


def read_results_tsv(path, n, strip_prefix=""):
    """Reads a results file (QNO<TAB>LATENCY_MS<TAB>ID1 ID2 ...) into the
    list score() takes; ids lose strip_prefix (e.g. "dice-")."""
    ranked = [None] * n
    with open(path, encoding="utf-8") as f:
        for line in f:
            cols = line.rstrip("\n").split("\t")
            if len(cols) < 2:
                continue
            qno = int(cols[0])
            ids = cols[2].split() if len(cols) > 2 else []
            if strip_prefix:
                ids = [x[len(strip_prefix):] if x.startswith(strip_prefix) else x
                       for x in ids]
            if 0 <= qno < n:
                ranked[qno] = ids
    return ranked


def cronaca_ranked(searcher, idx, qfile, n, raw_json, k=K, extra=()):
    """Runs `searcher --batch` (JSON lines, no snippets) over qfile; returns
    the list score() takes. Raises RuntimeError if the searcher fails or
    answers a different number of queries."""
    cmd = [searcher, "--no-snippets", "-d", idx, "-n", str(k), "--json"] + list(extra) \
        + ["--batch", qfile]
    with open(raw_json, "wb") as out:
        r = subprocess.run(cmd, stdout=out, stderr=subprocess.PIPE)
    if r.returncode != 0:
        raise RuntimeError("searcher exited %d: %s"
                           % (r.returncode, r.stderr.decode("utf-8", "replace")[-300:]))
    ranked = []
    with open(raw_json, encoding="utf-8") as f:
        for line in f:
            try:
                o = json.loads(line)
                ranked.append([str(h["id"]) for h in o.get("hits", [])])
            except (ValueError, KeyError, TypeError):
                ranked.append(None)
    if len(ranked) != n:
        raise RuntimeError("searcher --batch gave %d answers for %d queries"
                           % (len(ranked), n))
    return ranked


def dice_path(data_dir):
    return os.path.join(data_dir, "corpus/dice/dice_gazzettadimodena_texts.jsonl.gz")


def names_path(data_dir):
    return os.path.join(data_dir, "eval/names-dev.tsv")


def format_table(rows):
    """rows: [(system label, score() result)] -> markdown table lines."""
    out = ["| system | surname P@10 | surname MRR@10 | full name P@10 | "
           "full name MRR@10 |",
           "| --- | ---: | ---: | ---: | ---: |"]
    for label, s in rows:
        if isinstance(s, str):
            out.append("| %s | missing: %s | | | |" % (label, s))
            continue
        out.append("| %s | %.3f | %.3f | %.3f | %.3f |" % (
            label, s["surname"]["p10"], s["surname"]["mrr10"],
            s["fullname"]["p10"], s["fullname"]["mrr10"]))
    return out


# ---- bench/run's names section ----------------------------------------

SYSTEMS = ("cronaca", "scriptindex", "fts5", "lucene")
LABELS = {"cronaca": "cronaca",
          "scriptindex": "Xapian QueryParser, STEM_SOME, over `scriptindex -s italian`",
          "fts5": "SQLite FTS5 unicode61 remove_diacritics 2, bm25",
          "lucene": "Lucene %s ItalianAnalyzer, BM25"}


def prepare(data_dir, work):
    """Writes the DICE documents (id = DICE's id as a string, no title) as
    names-docs.jsonl and names-docs.si, and the queries as names-queries.txt,
    under work. Returns the queries, or None if the data is absent."""
    import gzip
    src, tsv = dice_path(data_dir), names_path(data_dir)
    if not (os.path.exists(src) and os.path.exists(tsv)):
        return None
    with gzip.open(src, "rt", encoding="utf-8") as f, \
            open(os.path.join(work, "names-docs.jsonl"), "w", encoding="utf-8") as js, \
            open(os.path.join(work, "names-docs.si"), "w", encoding="utf-8") as si:
        for line in f:
            o = json.loads(line)
            d = {"id": str(o["id"]), "title": "", "text": o.get("text") or ""}
            js.write(json.dumps(d, ensure_ascii=False) + "\n")
            si.write("id=%s\ntext=%s\n\n" % (d["id"], d["text"].replace("\n", "\n=")))
    queries = read_queries(tsv)
    write_query_file(queries, os.path.join(work, "names-queries.txt"))
    return queries


def measure(tools, work, data_dir):
    """Indexes DICE alone with every system, runs names-dev's queries (top
    10) and scores them. Returns {"n": {kind: count}, system: {"index_s",
    "score"} or {"missing"}}, or None if the data is absent."""
    import benchlib
    import lucene_peer
    queries = prepare(data_dir, work)
    if queries is None:
        benchlib.log("names: %s or %s absent" % (dice_path(data_dir), names_path(data_dir)))
        return None
    docs_jsonl = os.path.join(work, "names-docs.jsonl")
    docs_si = os.path.join(work, "names-docs.si")
    qf = os.path.join(work, "names-queries.txt")
    n = len(queries)
    res = {"n": {k: sum(1 for q in queries if q[0] == k) for k in KINDS}}
    for s in SYSTEMS:
        idx = os.path.join(work, "nidx-" + s)
        out = os.path.join(work, "nres-%s.tsv" % s)
        try:
            benchlib.log("names: %s indexes DICE" % s)
            t, _ = benchlib.index_system(s, tools, work, docs_jsonl, docs_si, idx)
            benchlib.log("names: %s answers %d queries" % (s, n))
            if s == "cronaca":
                benchlib.cronaca_batch(tools, idx, qf, K, out)
            elif s == "scriptindex":
                if not tools.have(tools.xapian_qp):
                    raise benchlib.Missing("xapian_qp not built")
                benchlib.peer_batch([tools.xapian_qp, idx, str(K)], qf, out)
            elif s == "fts5":
                benchlib.peer_batch([tools.fts5, "query", idx, str(K)], qf, out)
            else:
                lucene_peer.query(tools.lucene, idx, qf, K, out)
            res[s] = {"index_s": t, "score": score(queries, read_results_tsv(out, n))}
        except benchlib.Missing as e:
            res[s] = {"missing": str(e)}
            benchlib.log("names: %s missing: %s" % (s, e))
        benchlib.rmrf(idx)
    return res


def report(w, res, lucene_version="8"):
    """The names section of RESULTS.md."""
    w("## People's names (names-dev, DICE alone)\n")
    if res is None:
        w("Not measured: `corpus/dice/` or `eval/names-dev.tsv` is absent.\n")
        return
    w("`../shared/eval/names-dev.tsv`: %d surnames and %d full names that share "
      "their Snowball stem with a common word (Lugli/luglio, Costa/costo), each "
      "judged relevant in the DICE articles that DICE's own named-entity "
      "annotation tags with that person. Each system indexes the 10,372 DICE "
      "articles alone and runs every query as typed, top 10. P@10 = relevant "
      "hits in the top 10 / min(10, relevant articles), averaged; MRR@10 = "
      "1/rank of the first relevant hit (0 beyond 10). The same for cronaca "
      "alone: `bench/names_eval.py --build-dir BUILD`.\n"
      % (res["n"]["surname"], res["n"]["fullname"]))
    rows = []
    for s in SYSTEMS:
        r = res.get(s, {"missing": "not run"})
        lab = LABELS[s] % lucene_version if s == "lucene" else LABELS[s]
        rows.append((lab, r.get("score") or r.get("missing", "?")))
    for line in format_table(rows):
        w(line)
    w("")


# Issue 16's targets on names-dev (and above every peer on each figure).
TARGETS = (("surname", "p10", 0.85), ("surname", "mrr10", 0.85),
           ("fullname", "p10", 0.97), ("fullname", "mrr10", 0.95))


def target_rows(res, verdict):
    """Lines of the targets table for the names targets."""
    out = []
    if res is None or "score" not in res.get("cronaca", {}):
        return ["| names-dev targets | not measured | not measured |"]
    c = res["cronaca"]["score"]
    for kind, fig, floor in TARGETS:
        peers = [res[s]["score"][kind][fig] for s in SYSTEMS[1:] if "score" in res.get(s, {})]
        v = c[kind][fig]
        best = max(peers) if peers else None
        ok = v >= floor and (best is None or v > best)
        out.append("| names-dev %s %s ≥ %.2f and above every peer | %.3f (best peer %s) "
                   "| %s |" % ("full name" if kind == "fullname" else kind,
                               "P@10" if fig == "p10" else "MRR@10", floor, v,
                               "—" if best is None else "%.3f" % best, verdict(ok)))
    return out
