#!/usr/bin/env bash
# format.sh — formats the C and C++ sources with clang-format 14, by the
# repository's .clang-format.
#
#   scripts/format.sh               reformat every source file in place
#   scripts/format.sh --check       change nothing: name each file that
#                                   differs, show how, and fail (CI)
#   scripts/format.sh [--check] FILE...     only these files
#
# The sources: every tracked *.c, *.cc, *.h in shared/, indexer/,
# searcher/, tests/ (with tests/fuzz/) and bench/ (its top level). Only
# clang-format 14 is used: other versions format differently, and the
# check must give the same answer everywhere (scripts/setup.sh installs
# clang-format-14). A table clang-format would pack or split is kept by
# hand between `// clang-format off` and `// clang-format on`, with a
# comment above saying why. Exit: 0 formatted (or, with --check, nothing
# to change), 1 files differ (--check), 2 clang-format 14 missing.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
check=false
if [ "${1:-}" = --check ]; then
  check=true
  shift
fi

cf=""
for c in clang-format-14 clang-format; do
  if command -v "$c" >/dev/null && "$c" --version | grep -qE 'version 14\.'; then
    cf=$c
    break
  fi
done
[ -n "$cf" ] || {
  echo "format: needs clang-format 14 (apt-get install clang-format-14, or scripts/setup.sh)" >&2
  exit 2
}

cd "$here"
if (($#)); then
  files=("$@")
elif git rev-parse --is-inside-work-tree >/dev/null 2>&1; then
  mapfile -t files < <(git ls-files -- \
    'shared/*.c' 'shared/*.cc' 'shared/*.h' 'indexer/*.c' 'indexer/*.h' \
    'searcher/*.c' 'searcher/*.h' 'tests/*.c' 'tests/*.cc' 'tests/*.h' \
    ':(glob)bench/*.c' ':(glob)bench/*.cc' ':(glob)bench/*.h')
else
  mapfile -t files < <(find shared indexer searcher tests -name '*.c' -o -name '*.cc' -o -name '*.h';
    find bench -maxdepth 1 -name '*.c' -o -maxdepth 1 -name '*.cc' -o -maxdepth 1 -name '*.h')
fi
((${#files[@]})) || { echo "format: no source files found" >&2; exit 2; }

if ! $check; then
  "$cf" -i "${files[@]}"
  echo "format: ${#files[@]} files formatted with $("$cf" --version | grep -oE 'version [0-9.]+')" >&2
  exit 0
fi

log=$(mktemp)
trap 'rm -f "$log"' EXIT
if "$cf" --dry-run --Werror "${files[@]}" 2>"$log"; then
  echo "format: ${#files[@]} files, all formatted as .clang-format says" >&2
  exit 0
fi
mapfile -t bad < <(grep -oE '^[^:]+:[0-9]+:[0-9]+: error' "$log" | cut -d: -f1 | uniq | sort -u)
echo "format: ${#bad[@]} of ${#files[@]} files are not formatted as .clang-format says:" >&2
for f in "${bad[@]}"; do
  echo "  $f ($(grep -c "^$f:[0-9]*:[0-9]*: error" "$log") places)" >&2
done
# How, for the first few: the diff clang-format would apply.
shown=0
for f in "${bad[@]}"; do
  ((shown < 5)) || break
  "$cf" "$f" | diff -u --label "$f" --label "$f (formatted)" "$f" - | head -40 >&2 || true
  shown=$((shown + 1))
done
echo "format: run scripts/format.sh to fix them (or scripts/format.sh FILE...), then commit" >&2
exit 1
