#!/usr/bin/env python3
"""readme-options.py — README.md's option tables are made from --help.

    scripts/readme-options.py README.md INDEXER SEARCHER           # check
    scripts/readme-options.py --update README.md INDEXER SEARCHER  # rewrite

Each program's --help is the one source of its options (the man-page and
completion tests check those against it too). In README.md, a table that
follows the marker line

    <!-- options: generated from `indexer --help` by scripts/readme-options.py -->

(or `searcher --help`) holds one row per option line of that --help, in
its order: the option and its value name as code, the description with
its continuation lines joined. Without --update the tables are checked:
exit 0 when each is the one its --help makes, 1 with a diff when one is
not (then run with --update, or change the help text in the program), 2
on a usage error, a program that fails or a marker without a table.
ctest runs the check as readme_options.
"""
import argparse
import difflib
import re
import subprocess
import sys

MARKER = re.compile(r"^<!-- options: generated from `(\w+) --help` by "
                    r"scripts/readme-options\.py -->$")
# An option line: indented at most 8 spaces, starting with -. Its options
# (-d, --index), at most one value name (INDEX, K1,B, F=KEY), then the
# description, after two spaces or, past a long value name, one.
OPTION_LINE = re.compile(r"^ {1,8}-")
VALUE_NAME = re.compile(r"^[A-Z][A-Z0-9_]*([,=][A-Z0-9_]+)*$")


def split_option_line(line):
    """(options as printed, description, column the description starts at)."""
    words = [(m.group(), m.start()) for m in re.finditer(r"\S+", line)]
    opts, i = [], 0
    while i < len(words) and words[i][0].startswith("-"):
        opts.append(words[i][0])
        i += 1
    if i < len(words) and VALUE_NAME.match(words[i][0]):
        opts.append(words[i][0])
        i += 1
    col = words[i][1] if i < len(words) else None
    return " ".join(opts), line[col:].strip() if col is not None else "", col


def help_options(program):
    """[(options, description)] from PROGRAM --help: each option line with
    the lines after it indented to its description, which continue it."""
    out = subprocess.run([program, "--help"], capture_output=True, text=True,
                         check=True).stdout
    rows = []
    desc_col = None
    for line in out.splitlines():
        if OPTION_LINE.match(line):
            opts, desc, desc_col = split_option_line(line)
            rows.append([opts, desc])
            continue
        indent = len(line) - len(line.lstrip(" "))
        if rows and line.strip() and desc_col is not None and indent >= desc_col:
            rows[-1][1] += " " + line.strip()
        else:
            desc_col = None
    return rows


def escape(text):
    """Markdown-safe text: what --help prints shows as printed."""
    return re.sub(r"([\\`*_<>|\[\]])", r"\\\1", text)


def table(rows):
    """The README table of rows, as lines."""
    out = ["| option | meaning |", "| --- | --- |"]
    for opts, desc in rows:
        # "-d, --index INDEX" -> `-d`, `--index INDEX`
        shown = ", ".join("`%s`" % o for o in opts.split(", "))
        out.append("| %s | %s |" % (shown, escape(desc)))
    return out


def main():
    ap = argparse.ArgumentParser(description="Check (or --update) README.md's "
                                 "option tables against the programs' --help.")
    ap.add_argument("--update", action="store_true", help="rewrite the tables in place")
    ap.add_argument("readme")
    ap.add_argument("indexer")
    ap.add_argument("searcher")
    args = ap.parse_args()
    programs = {"indexer": args.indexer, "searcher": args.searcher}
    with open(args.readme, encoding="utf-8") as f:
        lines = f.read().split("\n")
    new, seen, i = [], set(), 0
    try:
        while i < len(lines):
            new.append(lines[i])
            m = MARKER.match(lines[i])
            i += 1
            if not m:
                continue
            name = m.group(1)
            if name not in programs:
                raise ValueError("line %d: no program %r" % (i, name))
            j = i
            while j < len(lines) and lines[j].startswith("|"):
                j += 1
            if j == i:
                raise ValueError("line %d: the marker is not followed by a table" % i)
            new += table(help_options(programs[name]))
            seen.add(name)
            i = j
    except (ValueError, OSError, subprocess.CalledProcessError) as e:
        print("readme-options: %s: %s" % (args.readme, e), file=sys.stderr)
        return 2
    if seen != set(programs):
        print("readme-options: %s: no marked table for %s" % (
            args.readme, ", ".join(sorted(set(programs) - seen))), file=sys.stderr)
        return 2
    if new == lines:
        print("readme-options: the option tables of %s are --help's" % args.readme,
              file=sys.stderr)
        return 0
    if args.update:
        with open(args.readme, "w", encoding="utf-8") as f:
            f.write("\n".join(new))
        print("readme-options: rewrote the option tables of %s" % args.readme,
              file=sys.stderr)
        return 0
    sys.stdout.writelines(difflib.unified_diff(
        [x + "\n" for x in lines], [x + "\n" for x in new], args.readme,
        "from --help"))
    print("readme-options: the option tables of %s differ from --help: change the "
          "help text, or run scripts/readme-options.py --update %s INDEXER SEARCHER"
          % (args.readme, args.readme), file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
