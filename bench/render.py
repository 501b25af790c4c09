"""render — RESULTS.md from the dict bench/run saves as results.json.

render(res) returns the whole report as one string; it reads nothing but
res (no clock, no machine, no files), so the same results.json gives the
same RESULTS.md byte for byte. bench/report is its command line; bench/run
calls it after measuring. Each section that has a module of its own
(query_sets, names, bench_shards, growth) writes its part through that
module's report(); the rest is here. The schema of res is in
bench/README.md ("results.json").
"""
import bench_shards
import growth as growth_section
import names as names_section
import query_sets

SCHEMA = 1  # results.json's "schema": bumped when a key changes meaning
ONESHOT_QUERY = "Corea del Nord armi Russia"
SYSTEMS = ("cronaca", "scriptindex", "fts5", "lucene")
QUICK_GROWTH = [1000, 5000]  # the sizes a quick run measures (bench/run)


def f(x, fmt="%.2f"):
    return "—" if x is None else fmt % x


def ratio(a, b, fmt="%.2f×"):
    if a is None or b is None or b == 0:
        return "—"
    return fmt % (a / b)


def verdict(ok):
    if ok is None:
        return "not measured"
    return "**pass**" if ok else "**FAIL**"


def write_duplicates(w, d):
    w("## Near duplicates (DICE)\n")
    if d is None:
        return
    if "missing" in d:
        w("missing: %s\n" % d["missing"])
        return
    w("cronaca's indexer signs each article body (%d one-byte MinHash values "
      "of its analysed terms, value slot `CR_SLOT_MINHASH`; bodies under 20 "
      "distinct terms get none), pairs articles through 16 LSH bands and joins "
      "the pairs at estimated Jaccard ≥ %.1f (`DUP_DEFAULT_THRESHOLD`) into "
      "groups. Scored here against DICE's own list of duplicate pairs "
      "(`corpus/dice/duplicate.csv`: %d distinct pairs, %d with both articles "
      "indexed, %d with both signed) by `bench/bench_duplicates` over the "
      "index above: pairs between two DICE articles (SQuAD paragraphs "
      "ignored). DICE's pairs are mostly the *same event rewritten*, not "
      "reprinted text (a probe put their median word-set Jaccard near 0.18), so a "
      "text near-duplicate detector finds a minority of them; the thresholds "
      "are measured, not tuned on this list.\n"
      % (d["signature_bytes"], d["default_threshold"], d["gold_pairs_file"],
         d["gold_pairs_indexed"], d["gold_pairs_signed"]))
    w("| threshold | pairs found | of which DICE pairs | precision | recall |")
    w("| ---: | ---: | ---: | ---: | ---: |")
    for t in d["thresholds"]:
        p = t["pairs"]
        mark = " (default)" if abs(t["threshold"] - d["default_threshold"]) < 1e-9 else ""
        w("| %.1f%s | %d | %d | %.3f | %.3f |" % (t["threshold"], mark, p["found"],
                                                p["tp"], p["precision"], p["recall"]))
    g = d["groups"]
    gp = g["pairs"]
    pas = d.get("pass", {})
    w("\nStored groups (`CR_SLOT_CLUSTER`, default threshold): %s groups over "
      "all %s signed documents (%s articles in them); %d groups among DICE "
      "articles (%d articles, largest %d). Every pair within a group counts as "
      "found: %d pairs, %d DICE pairs, precision %.3f, recall %.3f.\n"
      % (pas.get("groups", "?"), pas.get("signed", d["signed"]),
         pas.get("grouped", g["keyed_documents"]), g["dice_groups"], g["dice_keyed"],
         g["largest_dice_group"], gp["found"], gp["tp"], gp["precision"],
         gp["recall"]))
    c = d["cost"]
    w("Indexing cost:\n")
    w("| | |\n| --- | --- |")
    w("| signature | %d bytes per article (%d articles: %.2f MB of values) |"
      % (d["signature_bytes"], d["signed"], c["signature_value_bytes"] / 1e6))
    if "slot_bytes" in d:
        w("| signature slot in the compacted index | %.2f MB (%.1f MB with, %.1f MB "
          "without; %.1f%%) |"
          % (d["slot_bytes"] / 1e6, d["compact_with_mb"], d["compact_without_mb"],
             100.0 * (d["compact_with_mb"] - d["compact_without_mb"])
             / d["compact_with_mb"]))
    w("| reading the signatures | %.1f ms |" % c["read_signatures_ms"])
    w("| `dup_find_pairs` at %.1f | %.1f ms (median of %d) |"
      % (d["default_threshold"], c["find_pairs_ms"], c["find_pairs_runs"]))
    if "assign_groups_ms" in pas:
        share = ""
        if d.get("index_s"):
            share = ", %.2f%% of the indexing time above" % (
                100.0 * pas["assign_groups_ms"] / 1e3 / d["index_s"])
        w("| whole pass, `dup_assign_groups` (read, pair, group, compare keys; "
          "%d rewritten) | %.1f ms%s |" % (pas["rewritten"], pas["assign_groups_ms"],
                                           share))
    elif "pass_missing" in d:
        w("| whole pass | missing: %s |" % d["pass_missing"])
    w("\nSigning itself (hashing each body's terms 64 ways) happens during "
      "analysis and is inside the indexing time above.\n")


def write_sections(w, sections, elapsed):
    """The table of where the run's wall time went."""
    w("## Run time by section\n")
    w("Wall time of each part of this run, in the order they ran; "
      "\"rest\" is start-up, machine details and saving raw results.\n")
    w("| section | time (s) | share |")
    w("| --- | ---: | ---: |")
    for name, t in sections:
        w("| %s | %.1f | %.0f%% |" % (name, t, 100.0 * t / elapsed if elapsed else 0))
    rest = max(elapsed - sum(t for _, t in sections), 0.0)
    w("| rest | %.1f | %.0f%% |" % (rest, 100.0 * rest / elapsed if elapsed else 0))
    w("| **total** | **%.1f** | 100%% |" % elapsed)
    w("")


def render(res):
    """RESULTS.md (one string, ending in a newline) from res, the dict of
    results.json."""
    if res.get("schema") != SCHEMA:
        raise ValueError("results.json schema %r, this report reads %d"
                         % (res.get("schema"), SCHEMA))
    run = res["run"]
    m = run["machine"]
    corpus = res.get("corpus")
    ix, q, qn, nm = res.get("indexing"), res.get("queries"), res.get("news"), res.get("names")
    one, dups, shards = res.get("oneshot"), res.get("duplicates"), res.get("shards")
    growth, plots = res.get("growth") or [], res.get("plots") or []
    sections = [(x["name"], x["s"]) for x in run["sections"]]
    elapsed = run["elapsed_s"]
    lucene_version = run["lucene_version"]
    query_sets.set_warmup(run["warmup"])
    quick = run["mode"] == "quick"
    L = []
    w = L.append
    w("# cronaca benchmark results\n")
    w("Measured by `bench/run`, written by `bench/report` from `results/results.json` "
      "— do not edit by hand.\n")
    w("```\n%s\n```\n" % run["command"])
    w("| | |\n| --- | --- |")
    w("| date | %s |" % run["date"])
    w("| machine | %s cores, %s, %s RAM, Linux %s |" % (m["nproc"], m["model"], m["mem"],
                                                      m["kernel"]))
    w("| load average at start | %s (machine shared: timings are noisy) |" % run["load"])
    w("| cronaca commit | %s |" % run["commit"])
    w("| mode | %s; %d repetition(s), medians quoted; systems alternated |"
      % ("**quick (a subset: see below)**" if quick else "full", run["reps"]))
    w("| run time | %.0f s ([by section](#run-time-by-section)) |" % elapsed)
    if corpus is None:
        w("\nThe benchmark data (`../shared`) is absent: nothing was measured.\n")
        write_sections(w, sections, elapsed)
        return "\n".join(L) + "\n"
    sub = corpus.get("subset")
    if sub:
        w("| corpus | **subset**: %d of the %d documents (every %dth, plus the %d DICE "
          "articles of `duplicate.csv` and the %d gold paragraphs of the questions "
          "asked): %d of %d DICE articles + %d of %d SQuAD-it paragraphs, %.1f MB of "
          "text (title + body, UTF-8) |"
          % (corpus["n_docs"], corpus["n_docs_all"], sub["doc_stride"],
             sub["dup_articles"], sub["gold_paragraphs"], corpus["n_dice"],
             corpus["n_dice_all"], corpus["n_squad"], corpus["n_squad_all"],
             corpus["text_mb"]))
    else:
        w("| corpus | %d documents: %d DICE articles + %d SQuAD-it paragraphs, "
          "%.1f MB of text (title + body, UTF-8) |"
          % (corpus["n_docs"], corpus["n_dice"], corpus["n_squad"], corpus["text_mb"]))
    w("| questions | %d of the %d SQuAD-it questions%s: %d dev, %d held-out |"
      % (corpus["n_asked"], corpus["n_questions"],
         " (every %dth, quick mode)" % corpus["stride"] if corpus["stride"] > 1 else "",
         corpus["n_dev"], corpus["n_heldout"]))
    w("| news queries | %d of `eval/news-queries.txt` (latency only) |" % corpus["n_news"])
    w("| names | `eval/names-dev.tsv` over an index of DICE alone (its own section) |")
    w("")
    if sub:
        w("> **Quick mode: these figures are on a subset** — %d of %d documents "
          "(%.1f MB of text) and %d of %d questions (%d in the shards section), "
          "growth at %s articles only, no `--shards 1`. They are "
          "**not comparable to a full run's** (`bench/run`): a smaller index is "
          "faster to build and search, "
          "and ranks each gold paragraph against fewer distractors, so quality "
          "and the targets' verdicts below are indicative only. Compare the "
          "ratios within this run.\n"
          % (corpus["n_docs"], corpus["n_docs_all"], corpus["text_mb"],
             corpus["n_asked"], corpus["n_questions"], corpus["n_shard_questions"],
             " and ".join("%gM" % (n / 1e6) if n >= 1000000 else "%gk" % (n / 1e3)
                          for n in ([r["n"] for r in growth] or QUICK_GROWTH))))

    # indexing
    w("## Indexing\n")
    w("Same documents for all (`docs.jsonl` for cronaca, FTS5 and Lucene, the same "
      "records in scriptindex's format). Time is wall time of the whole "
      "command; MB/s is text MB / time; peak RSS is GNU `time`'s `%M` "
      "(`/usr/bin/time -f %M`: the largest RSS of the command and the "
      "children it waited for); size is `du` "
      "of the index as written, then after `xapian-compact --multipass` "
      "(Xapian) or FTS5 `optimize` + `VACUUM`; Lucene's run ends with "
      "`forceMerge(1)` (inside its time), so its two sizes are one. Lucene "
      "stores the title and text, as cronaca does (for snippets), and runs in "
      "Java 17 with the JVM's default heap.\n")
    w("| system | time (s) | MB/s | peak RSS (MB) | index (MB) | compacted (MB) "
      "| throughput vs scriptindex | vs FTS5 | vs Lucene |")
    w("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
    names = {"cronaca": "cronaca `indexer`", "scriptindex": "Xapian `scriptindex -s italian`",
             "fts5": "SQLite FTS5",
             "lucene": "Lucene %s (ItalianAnalyzer, 2 threads, text stored)"
             % lucene_version}
    for s in SYSTEMS:
        r = ix[s]
        if "missing" in r:
            w("| %s | missing: %s | | | | | | | |" % (names[s], r["missing"]))
            continue
        w("| %s | %s | %s | %s | %s | %s | %s | %s | %s |" % (
            names[s], f(r["time"]), f(r["mbps"]), f(r["peak_mb"], "%.0f"),
            f(r["size"], "%.1f"), f(r.get("compact_mb"), "%.1f"),
            ratio(r["mbps"], ix["scriptindex"].get("mbps")),
            ratio(r["mbps"], ix["fts5"].get("mbps")),
            ratio(r["mbps"], ix["lucene"].get("mbps"))))
    c = ix["cronaca"]
    if c.get("rerun"):
        w("\ncronaca unchanged-input rerun: %.3f s, %.1f× faster than the first run."
          % (c["rerun"], c["time"] / c["rerun"]))
    w("")

    query_sets.report(w, q, qn, corpus, f, ratio, lucene_version)
    names_section.report(w, nm, lucene_version)

    w("## One-shot command line (process start to exit)\n")
    w("Median of %d runs of each, alternated, query `%s`, output discarded "
      "(`$BUILD` = `%s`, `$WORK` = `%s`):\n"
      % (run["oneshot_runs"], ONESHOT_QUERY, run["build_dir"], run["work_dir"]))
    w("| program | median (ms) | vs quest | vs sqlite3 |")
    w("| --- | ---: | ---: | ---: |")
    qm = one.get("quest", {}).get("median")
    sm = one.get("sqlite3", {}).get("median")
    for s in ("cronaca", "quest", "sqlite3"):
        r = one[s]
        if "median" not in r:
            w("| %s | missing: %s | | |" % (s, r.get("missing")))
        else:
            w("| `%s` | %.1f | %s | %s |" % (one["_cmds"].get(s, s), r["median"],
                                            ratio(r["median"], qm), ratio(r["median"], sm)))
    w("")

    write_duplicates(w, dups)

    # targets
    w("## Targets (issues #3 and #4)\n")
    if corpus.get("subset"):
        w("Quick mode: measured on the subset above, so these verdicts are "
          "indicative only; the targets are judged on a full run.\n")
    w("| target | measured | verdict |")
    w("| --- | --- | --- |")
    si = ix["scriptindex"].get("mbps")
    t1 = None if c.get("mbps") is None or si is None else c["mbps"] >= 6 * si
    w("| indexing ≥ 6× scriptindex throughput | %s | %s |"
      % (ratio(c.get("mbps"), si), verdict(t1)))
    fts_c = ix["fts5"].get("compact_mb")
    t2 = None if c.get("compact_mb") is None or fts_c is None else c["compact_mb"] <= fts_c
    w("| compacted index ≤ FTS5's | %s MB vs %s MB | %s |"
      % (f(c.get("compact_mb"), "%.1f"), f(fts_c, "%.1f"), verdict(t2)))
    w("| (cronaca's index as written ≤ FTS5's) | %s MB vs %s MB | %s |"
      % (f(c.get("size"), "%.1f"), f(ix["fts5"].get("size"), "%.1f"),
         verdict(None if c.get("size") is None or ix["fts5"].get("size") is None
                 else c["size"] <= ix["fts5"]["size"])))
    t3 = None if c.get("peak_mb") is None else c["peak_mb"] < 512
    w("| indexing peak RSS < 512 MB | %s MB | %s |" % (f(c.get("peak_mb"), "%.0f"),
                                                      verdict(t3)))
    t4 = None if not c.get("rerun") else c["time"] / c["rerun"] >= 10
    w("| unchanged rerun ≥ 10× faster | %s | %s |"
      % (ratio(c.get("time"), c.get("rerun"), "%.1f×"), verdict(t4)))
    cq = q.get("cronaca", {})
    mrr = cq.get("quality", {}).get("dev", {}).get("mrr10")
    w("| MRR@10 ≥ 0.83 (dev) | %s | %s |" % (f(mrr, "%.3f"),
                                            verdict(None if mrr is None else mrr >= 0.83)))
    cm = cq.get("latency", {}).get("mean")
    xm = q.get("xapian-qp", {}).get("latency", {}).get("mean")
    w("| mean latency ≤ 0.5× Xapian QP (reading ids only) | %s | %s |"
      % (ratio(cm, xm), verdict(None if cm is None or xm is None else cm <= 0.5 * xm)))
    p99 = cq.get("latency", {}).get("p99")
    w("| p99 < 5 ms | %s ms | %s |" % (f(p99, "%.2f"),
                                      verdict(None if p99 is None else p99 < 5)))
    om = one["cronaca"].get("median")
    w("| one-shot < 15 ms | %s ms | %s |" % (f(om, "%.1f"),
                                            verdict(None if om is None else om < 15)))
    w("")
    w("## Targets (issues #16 and #18: 12k documents, names-dev)\n")
    w("| target | measured | verdict |")
    w("| --- | --- | --- |")
    for title, qs in (("SQuAD-it", q), ("news queries", qn)):
        if qs is None:
            continue
        a = qs.get("cronaca", {}).get("latency", {}).get("mean")
        b = qs.get("lucene-steady", {}).get("latency", {}).get("mean")
        w("| %s: cronaca mean ≤ Lucene's after %d passes | %s vs %s ms (%s) | %s |"
          % (title, query_sets.WARMUP, f(a, "%.3f"), f(b, "%.3f"), ratio(a, b),
             verdict(None if a is None or b is None else a <= b)))
    for half in ("dev", "heldout"):
        m_ = cq.get("quality", {}).get(half, {}).get("mrr10")
        w("| SQuAD-it MRR@10 ≥ 0.81 (%s) | %s | %s |"
          % (half, f(m_, "%.3f"), verdict(None if m_ is None else m_ >= 0.81)))
    for line in names_section.target_rows(nm, verdict):
        w(line)
    w("")

    if shards:
        bench_shards.report(w, shards, corpus, f, ratio)
    growth_section.report(w, growth, plots, f, corpus.get("n_news", 0))
    write_sections(w, sections, elapsed)
    w("## Method\n")
    w("- Data preparation and runs: `bench/run` (measuring through "
      "`bench/benchlib.py`); this report: `bench/report results/results.json`; "
      "statistics: `bench_stats` (bench/stats.c, tests in tests/test_bench_stats.c).")
    w("- Xapian QueryParser: Italian stemmer, STEM_SOME, default operator OR, "
      "default flags, BM25, over the scriptindex index (script: `id : unique=Q "
      "boolean=Q field=id value=0`, `title : field=title index=S index`, `text : "
      "field=text index`).")
    w("- FTS5: `fts5(id UNINDEXED, title, text, tokenize='unicode61 "
      "remove_diacritics 2')`; each question becomes the OR of its "
      "double-quoted words, `ORDER BY bm25(docs)`.")
    w("- Lucene %s (Debian's liblucene8-java, Java 17): `bench/lucene/LuceneBench.java`; "
      "`ItalianAnalyzer`, BM25, 2 indexing threads, 256 MB RAM buffer, "
      "`forceMerge(1)`, title and text stored; each query escaped "
      "(`QueryParser.escape`) and parsed by the classic `MultiFieldQueryParser` "
      "over title and text, default OR; ids read from a doc value." % lucene_version)
    w("- The machine is shared: compare the ratios of one run rather than "
      "absolute figures across runs.")
    # Measurements bench/run does not make (bench/append.sh, runs by hand):
    # each {"title", "markdown"}, kept in results.json as written.
    for extra in res.get("by_hand", []):
        w("")
        w("## %s\n" % extra["title"])
        w(extra["markdown"].rstrip("\n"))
    return "\n".join(L) + "\n"

