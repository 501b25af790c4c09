#!/usr/bin/env bash
# check-man.sh — a program's man page and its --help name the same options.
#
#   tests/install/check-man.sh PROGRAM MANPAGE
#
# Every option in PROGRAM --help (the option lines: indented at most 8
# spaces, starting with -) must have an entry (.TP tag) in the man page's
# OPTIONS section, and every option tagged there, or named in its SYNOPSIS,
# must be in --help. Also: the page renders without a groff warning.
# Exit 0 when they agree, 1 with the differences named, 2 on usage errors.
set -euo pipefail
prog=${1:?usage: check-man.sh PROGRAM MANPAGE}
page=${2:?usage: check-man.sh PROGRAM MANPAGE}
[ -x "$prog" ] || { echo "check-man: $prog is not an executable" >&2; exit 2; }
[ -r "$page" ] || { echo "check-man: cannot read $page" >&2; exit 2; }

# The options of one line of text, one per line: -x, --long-name.
options_of() { grep -oE -- '(^|[^A-Za-z0-9-])--?[A-Za-z0-9][A-Za-z0-9-]*' | sed -E 's/^[^-]*//'; }

# help_options PROGRAM: the options its --help lists, one a line.
source "$(dirname "${BASH_SOURCE[0]}")/help-options.sh"
help_opts=$(help_options "$prog")
[ -n "$help_opts" ] || { echo "check-man: no options found in $prog --help" >&2; exit 2; }

# Troff to plain words: \- is -, font changes and quotes go.
untroff() { sed -E 's/\\-/-/g; s/\\f[BIRP]//g; s/\\fR//g; s/"//g; s/^\.[A-Z]+ ?//'; }
man_opts=$(awk '
  /^\.SH/ { sect = $2; next }
  sect == "OPTIONS" && tp { print; tp = 0; next }
  sect == "OPTIONS" && /^\.TP/ { tp = 1 }' "$page" | untroff | options_of | sort -u)
synopsis_opts=$(awk '/^\.SH/ { sect = $2; next } sect == "SYNOPSIS"' "$page" | untroff | options_of | sort -u)

status=0
missing=$(comm -23 <(echo "$help_opts") <(echo "$man_opts"))
if [ -n "$missing" ]; then
  echo "check-man: in $prog --help but without an entry under OPTIONS in $page:" $missing >&2
  status=1
fi
stale=$(comm -13 <(echo "$help_opts") <(sort -u <(echo "$man_opts") <(echo "$synopsis_opts")))
if [ -n "$stale" ]; then
  echo "check-man: in $page but not in $prog --help:" $stale >&2
  status=1
fi
if command -v groff >/dev/null; then
  warnings=$(groff -k -man -ww -z -Tutf8 "$page" 2>&1 || true)
  if [ -n "$warnings" ]; then
    echo "check-man: groff warns about $page:" >&2
    echo "$warnings" >&2
    status=1
  fi
fi
((status)) || echo "check-man: $(basename "$page"): $(echo "$help_opts" | wc -l) options, the same as $prog --help" >&2
exit $status
