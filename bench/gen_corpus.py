#!/usr/bin/env python3
"""gen_corpus.py — deterministic synthetic news corpora for the growth bench.

Builds N articles as JSON Lines ({"id": "gen-<n>", "text": ...}) by
recombining real sentences of the DICE corpus: article k copies the sentence
count of a randomly chosen real article and fills it with randomly chosen
real sentences. The generator is a SplitMix64 stream with a fixed seed, so
the same DICE file, N and seed always give byte-identical output, whatever
the Python version.

    gen_corpus.py DICE.jsonl.gz N OUT.jsonl [--seed S]
"""
import argparse
import gzip
import json
import re
import sys

MASK = (1 << 64) - 1


class SplitMix64:
    """SplitMix64 (Steele, Lea, Flood 2014): tiny, fast, fully specified."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n):
        return self.next() % n  # bias < n / 2^64: irrelevant here


SENTENCE_END = re.compile(r"(?<=[.!?])\s+(?=[A-ZÀ-Ý«\"0-9])")


def load_sentences(dice_path):
    sentences, lengths = [], []
    with gzip.open(dice_path, "rt", encoding="utf-8") as f:
        for line in f:
            text = json.loads(line).get("text") or ""
            parts = [s.strip() for s in SENTENCE_END.split(text) if s.strip()]
            if parts:
                sentences.extend(parts)
                lengths.append(len(parts))
    return sentences, lengths


def generate(dice_path, n, out_path, seed=20240601):
    sentences, lengths = load_sentences(dice_path)
    rng = SplitMix64(seed)
    total = 0
    with open(out_path, "w", encoding="utf-8") as out:
        for k in range(n):
            count = min(max(lengths[rng.below(len(lengths))], 1), 80)
            text = " ".join(sentences[rng.below(len(sentences))]
                            for _ in range(count))
            total += len(text.encode("utf-8"))
            out.write(json.dumps({"id": "gen-%d" % k, "text": text},
                                 ensure_ascii=False) + "\n")
    return total


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dice")
    ap.add_argument("n", type=int)
    ap.add_argument("out")
    ap.add_argument("--seed", type=int, default=20240601)
    a = ap.parse_args()
    total = generate(a.dice, a.n, a.out, a.seed)
    print("%d articles, %.1f MB of text" % (a.n, total / 1e6), file=sys.stderr)


if __name__ == "__main__":
    main()
