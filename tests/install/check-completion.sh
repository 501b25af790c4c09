#!/usr/bin/env bash
# check-completion.sh — bash and zsh complete every option a program's
# --help lists, and the values of a few.
#
#   tests/install/check-completion.sh INDEXER SEARCHER SOURCE_DIR
#
# The programs are put on PATH as cronaca-indexer and cronaca-searcher (the
# names completion is registered for). bash: _cronaca is called as
# bash-completion would call it. zsh (skipped when zsh is not installed):
# an interactive zsh in a pseudo-terminal (zpty) is sent Tab and its
# listing read. Exit 0 on agreement, 1 naming what is missing, 2 on usage.
set -euo pipefail
indexer=${1:?usage: check-completion.sh INDEXER SEARCHER SOURCE_DIR}
searcher=${2:?usage}
src=${3:?usage}
bash_file=$src/scripts/completions/cronaca.bash
zsh_dir=$src/scripts/completions
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir "$work/bin"
ln -s "$(realpath "$indexer")" "$work/bin/cronaca-indexer"
ln -s "$(realpath "$searcher")" "$work/bin/cronaca-searcher"
export PATH="$work/bin:$PATH"

# help_options PROGRAM: the options its --help lists, one a line.
source "$(dirname "${BASH_SOURCE[0]}")/help-options.sh"
long_options() { help_options "$1" | grep -- '^--'; }

status=0
fail() { echo "check-completion: $*" >&2; status=1; }

# bash: COMP_WORDS as bash splits them (at '=' too), the reply one a line.
bash_complete() {
  bash --norc -c 'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1));
    COMPREPLY=(); _cronaca; printf "%s\n" "${COMPREPLY[@]}"' _ "$bash_file" "$@" 2>&1
}
for prog in cronaca-indexer cronaca-searcher; do
  want=$(long_options "$prog")
  got=$(bash_complete "$prog" -- | sort -u)
  missing=$(comm -23 <(echo "$want") <(echo "$got"))
  extra=$(comm -13 <(echo "$want") <(echo "$got") | grep -- '^--' || true)
  [ -z "$missing" ] || fail "bash: '$prog --<Tab>' lacks" $missing
  [ -z "$extra" ] || fail "bash: '$prog --<Tab>' offers options --help has not:" $extra
done
expect_bash() { # EXPECTED WORDS...: the reply holds EXPECTED
  local expected=$1 got
  shift
  got=$(bash_complete "$@")
  grep -qxF -- "$expected" <<<"$got" || fail "bash: '$*<Tab>' gives '${got//$'\n'/ }', not $expected"
}
expect_bash date cronaca-searcher --sort ""
expect_bash date cronaca-searcher --sort = d
expect_bash author cronaca-searcher --facet au
expect_bash italian cronaca-indexer --language ital
expect_bash "$src/corpus" cronaca-searcher -d "$src/cor"
expect_bash "$src/corpus" cronaca-indexer -d /tmp/x "$src/cor"

if ! command -v zsh >/dev/null; then
  echo "check-completion: zsh not installed, its completion not tried (scripts/setup.sh installs it)" >&2
else
  # Each LINE typed with a Tab at its end; what zsh then prints, escapes
  # out. After the Tab, the line is erased and a marker printed: zsh reads
  # typed-ahead keys only once the completion is done, so all before the
  # marker is its output, however slow the machine.
  zsh_complete() {
    ZDOTDIR=$work FPATH_DIR=$zsh_dir DUMP=$work/zcompdump zsh -f -c '
      zmodload zsh/zpty
      zpty z "zsh -f -i"
      zpty -w z "PS1=%%\\ ; LISTMAX=1000; fpath=($FPATH_DIR \$fpath); autoload -Uz compinit; compinit -u -d $DUMP; print \${:-REA}DY"
      # zsh drops keys typed before its first prompt is set up: wait for it.
      out=""
      for i in {1..300}; do
        while zpty -r -t z line; do out+=$line; done
        [[ $out == *READY* ]] && break
        sleep 0.1
      done
      n=0
      for typed in "$@"; do
        n=$((n + 1))
        zpty -w -n z "$typed"$'\''\t'\''
        zpty -w -n z $'\''\C-u'\''
        zpty -w z "print \${:-MA}RK$n"
        out=""
        for i in {1..300}; do
          while zpty -r -t z line; do out+=$line; done
          [[ $out == *MARK$n* ]] && break
          sleep 0.1
        done
        print -r -- "== $typed"
        print -r -- "$out"
      done
      zpty -d z' zsh-test "$@" | sed -E 's/\x1b\[[0-9;?]*[A-Za-z]//g; s/\r//g'
  }
  out=$(zsh_complete "cronaca-searcher --" "cronaca-indexer --" "cronaca-searcher --sort " "cronaca-searcher --facet ")
  section() { awk -v s="== $1" '$0 == s { on = 1; next } /^== / { on = 0 } on' <<<"$out"; }
  for prog in cronaca-indexer cronaca-searcher; do
    listing=$(section "$prog --")
    for opt in $(long_options "$prog"); do
      grep -qE -- "(^|[^A-Za-z0-9-])$opt([^A-Za-z0-9-]|$)" <<<"$listing" || fail "zsh: '$prog --<Tab>' lacks $opt"
    done
  done
  section "cronaca-searcher --sort " | grep -q relevance || fail "zsh: '--sort <Tab>' does not offer relevance"
  section "cronaca-searcher --facet " | grep -q author || fail "zsh: '--facet <Tab>' does not offer author"
fi
((status)) || echo "check-completion: bash$(command -v zsh >/dev/null && echo " and zsh") complete every option of --help" >&2
exit $status
