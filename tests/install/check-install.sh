#!/usr/bin/env bash
# check-install.sh — `cmake --install` puts exactly the expected files in
# place, and the installed programs, man pages and completion work.
#
#   tests/install/check-install.sh BUILD_DIR CORPUS_DIR
#
# Installs into a temporary DESTDIR with the prefix /usr (as the Debian
# package does), then: the file list is the expected one, the programs run
# under their installed names (indexing CORPUS_DIR and one query), and
# `man -w` finds both pages. Exit 0 on success, 1 naming what is wrong.
set -euo pipefail
build=${1:?usage: check-install.sh BUILD_DIR CORPUS_DIR}
corpus=${2:?usage: check-install.sh BUILD_DIR CORPUS_DIR}
root=$(mktemp -d)
trap 'rm -rf "$root"' EXIT
status=0
fail() { echo "check-install: $*" >&2; status=1; }

if ! DESTDIR="$root/dest" cmake --install "$build" --prefix /usr >"$root/log" 2>&1; then
  cat "$root/log" >&2
  echo "check-install: cmake --install failed (log above)" >&2
  exit 1
fi
expected="usr/bin/cronaca-indexer
usr/bin/cronaca-searcher
usr/share/bash-completion/completions/cronaca-indexer
usr/share/bash-completion/completions/cronaca-searcher
usr/share/doc/cronaca/FORMAT.md
usr/share/doc/cronaca/README.md
usr/share/man/man1/cronaca-indexer.1.gz
usr/share/man/man1/cronaca-searcher.1.gz
usr/share/zsh/vendor-completions/_cronaca"
got=$(cd "$root/dest" && find . -type f -o -type l | sed 's|^\./||' | sort)
if [ "$got" != "$expected" ]; then
  fail "installed files differ from the expected ones:"
  diff <(echo "$expected") <(echo "$got") >&2 || true
fi

bin=$root/dest/usr/bin
if [ -x "$bin/cronaca-searcher" ] && [ -x "$bin/cronaca-indexer" ]; then
  "$bin/cronaca-searcher" --version | grep -q cronaca || fail "cronaca-searcher --version does not say cronaca"
  "$bin/cronaca-indexer" -q -d "$root/index" "$corpus" || fail "cronaca-indexer -d INDEX $corpus exited $?"
  hits=$("$bin/cronaca-searcher" -d "$root/index" -n 1 --no-snippets "Corea del Nord armi Russia") ||
    fail "cronaca-searcher exited $?"
  grep -q "Corea del Nord" <<<"$hits" || fail "cronaca-searcher found no 'Corea del Nord' article: $hits"
fi

if command -v man >/dev/null; then
  for page in cronaca-indexer cronaca-searcher; do
    where=$(MANPATH="$root/dest/usr/share/man" man -w "$page" 2>&1) || fail "man -w $page: $where"
    text=$(MANWIDTH=80 man -l "$root/dest/usr/share/man/man1/$page.1.gz" 2>&1) || fail "man -l $page: $text"
    grep -q "^NAME" <<<"$text" || fail "man $page shows no NAME section"
  done
else
  echo "check-install: man not installed, man -w not tried (scripts/setup.sh installs man-db)" >&2
fi
((status)) || echo "check-install: cmake --install gives the $(echo "$expected" | wc -l) expected files, and they work" >&2
exit $status
