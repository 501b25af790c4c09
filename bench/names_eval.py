#!/usr/bin/env python3
"""names_eval — cronaca on the people-search set, quickly and alone.

    bench/names_eval.py --build-dir DIR [--index DIR] [--data DIR]
                        [--rebuild] [--per-query] [-- SEARCHER-OPTIONS...]

Indexes DICE alone (../shared/corpus/dice/dice_gazzettadimodena_texts.jsonl.gz)
with DIR/indexer, runs every query of ../shared/eval/names-dev.tsv as typed
through `DIR/searcher --batch --json --no-snippets -n 10`, and prints
P@10 and MRR@10 per kind (surname, full name); definitions in
bench/names.py. Options after `--` go to the searcher unchanged.

The index is DIR/bench-names/idx-dice unless --index names one. The
default one is rebuilt when DIR/indexer is newer than it (so a change to
the analysis is measured, not an old index); an --index that exists is
reused as it is, and one that does not is built there. --rebuild always
rebuilds. bench/run's names section measures the same for every peer.
"""
import argparse
import os
import shutil
import subprocess
import sys
import time

BENCH = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(BENCH)
sys.path.insert(0, BENCH)
import names  # noqa: E402


def build_index(indexer, src, idx):
    """Indexes src into a fresh idx; returns seconds. Exit 1 (records
    skipped) is reported and accepted; anything else is fatal."""
    tmp = idx + ".building"
    for p in (tmp,):
        if os.path.exists(p):
            shutil.rmtree(p)
    t0 = time.perf_counter()
    r = subprocess.run([indexer, "-q", "-d", tmp, src], stderr=subprocess.PIPE)
    dt = time.perf_counter() - t0
    err = r.stderr.decode("utf-8", "replace").strip()
    if r.returncode not in (0, 1):
        sys.exit("names_eval: indexer exited %d: %s" % (r.returncode, err[-500:]))
    if r.returncode == 1:
        print("names_eval: indexer skipped some records: %s" % err[-300:], file=sys.stderr)
    if os.path.exists(idx):
        shutil.rmtree(idx)
    os.rename(tmp, idx)
    return dt


def main():
    ap = argparse.ArgumentParser(description="cronaca's P@10 / MRR@10 per kind on "
                                 "names-dev.tsv over an index of DICE alone.")
    ap.add_argument("--build-dir", required=True, help="CMake build directory "
                    "(holds indexer and searcher)")
    ap.add_argument("--index", help="index of DICE to use (built there if absent; "
                    "default BUILD/bench-names/idx-dice, rebuilt when the indexer "
                    "is newer)")
    ap.add_argument("--data", default=os.path.join(ROOT, "..", "shared"),
                    help="benchmark data (default ../shared)")
    ap.add_argument("--rebuild", action="store_true", help="rebuild the index")
    ap.add_argument("--per-query", action="store_true",
                    help="also print each query's P@10, first relevant rank and "
                         "relevant count")
    ap.add_argument("searcher_args", nargs="*", help="after --: searcher options")
    args = ap.parse_args()

    build = os.path.abspath(args.build_dir)
    indexer = os.path.join(build, "indexer")
    searcher = os.path.join(build, "searcher")
    for p in (indexer, searcher):
        if not os.access(p, os.X_OK):
            sys.exit("names_eval: %s not built (cmake --build %s)" % (p, build))
    data = os.path.abspath(args.data)
    src, tsv = names.dice_path(data), names.names_path(data)
    for p in (src, tsv):
        if not os.path.exists(p):
            sys.exit("names_eval: %s absent" % p)

    default = not args.index
    idx = os.path.abspath(args.index or os.path.join(build, "bench-names", "idx-dice"))
    os.makedirs(os.path.dirname(idx), exist_ok=True)
    stale = default and os.path.exists(idx) and \
        os.path.getmtime(indexer) > os.path.getmtime(idx)
    if args.rebuild or stale or not os.path.exists(idx):
        why = "rebuild asked" if args.rebuild else \
            "indexer newer than the index" if stale else "no index yet"
        print("names_eval: indexing DICE into %s (%s)" % (idx, why), file=sys.stderr)
        dt = build_index(indexer, src, idx)
        print("names_eval: indexed in %.1f s" % dt, file=sys.stderr)
    else:
        print("names_eval: reusing %s" % idx, file=sys.stderr)

    queries = names.read_queries(tsv)
    work = os.path.dirname(idx)
    qfile = os.path.join(work, "names-queries.txt")
    names.write_query_file(queries, qfile)
    try:
        ranked = names.cronaca_ranked(searcher, idx, qfile, len(queries),
                                      os.path.join(work, "names-cronaca.json"),
                                      extra=args.searcher_args)
    except RuntimeError as e:
        sys.exit("names_eval: %s" % e)
    s = names.score(queries, ranked)
    if args.per_query:
        print("kind\tP@10\tfirst\trelevant\tquery")
        for (kind, q, rel), ids in zip(queries, ranked):
            top = (ids or [])[:names.K]
            hits = [i for i, x in enumerate(top, 1) if x in rel]
            print("%s\t%.2f\t%s\t%d\t%s" % (kind, len(hits) / min(names.K, len(rel)),
                                            hits[0] if hits else "-", len(rel), q))
        print()
    print("names-dev, index of DICE alone, top 10, each query as typed "
          "(%d surname, %d full name)" % (s["surname"]["n"], s["fullname"]["n"]))
    for line in names.format_table([("cronaca", s)]):
        print(line)


if __name__ == "__main__":
    main()
