#!/usr/bin/env bash
# test-package.sh — builds the Debian package, installs it with apt-get as a
# user would, tries it, and removes it.
#
#   scripts/test-package.sh [BUILD_DIR]     default: build/ (scripts/setup.sh)
#
# Needs root or sudo (it installs cronaca system-wide, then purges it) and
# refuses to run when cronaca is already installed. Checks: the package's
# Depends name the runtime libraries; `apt-get install ./cronaca_*.deb`
# installs it (no download: its dependencies are the -dev packages'
# libraries, already here); cronaca-indexer indexes corpus/ and
# cronaca-searcher finds the seed article; `man -w` finds both pages; the
# completion is in place; `apt-get purge` leaves nothing behind. The .deb
# is kept in BUILD_DIR/package/. Exit 0 on success, 1 on a failed check,
# 2 when it cannot run here (the message says why).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
build=$(realpath "${1:-$here/build}")
t0=$SECONDS
say() { echo "test-package: $*" >&2; }
cannot() { say "$*"; exit 2; }

command -v dpkg-deb >/dev/null && command -v apt-get >/dev/null ||
  cannot "needs Debian's dpkg and apt-get"
command -v cpack >/dev/null || cannot "needs cpack (the Debian package cmake; scripts/setup.sh installs it)"
[ -f "$build/CPackConfig.cmake" ] || cannot "no $build/CPackConfig.cmake: build first (scripts/setup.sh $build)"
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  command -v sudo >/dev/null || cannot "run as root (or install sudo): it installs and removes the package"
  sudo=sudo
fi
if dpkg-query -W -f='${Status}' cronaca 2>/dev/null | grep -q "ok installed"; then
  cannot "the package cronaca is already installed ($(dpkg-query -W -f='${Version}' cronaca)); this test installs and purges it: 'apt-get purge cronaca' first"
fi
for f in /usr/bin/cronaca-indexer /usr/bin/cronaca-searcher; do
  [ ! -e "$f" ] || cannot "$f exists, from no package (a 'cmake --install --prefix /usr'?): remove it first"
done

work=$(mktemp -d)
installed=false
cleanup() {
  if $installed; then
    say "purging the package"
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=120 cronaca >"$work/purge.log" 2>&1 ||
      { cat "$work/purge.log" >&2; say "apt-get purge cronaca failed (log above)"; }
  fi
  rm -rf "$work"
}
trap cleanup EXIT
status=0
fail() { say "FAILED: $*"; status=1; }

# Build the .deb. apt-get reads it as user _apt: world-readable directory.
out=$build/package
rm -rf "$out"
mkdir -p "$out"
chmod 755 "$out"
if ! cpack -G DEB --config "$build/CPackConfig.cmake" -B "$out" >"$work/cpack.log" 2>&1; then
  cat "$work/cpack.log" >&2
  fail "cpack -G DEB failed (log above)"
  exit 1
fi
rm -rf "$out/_CPack_Packages"
debs=("$out"/cronaca_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || { fail "cpack made no single cronaca_*.deb in $out: ${debs[*]}"; exit 1; }
deb=${debs[0]}
chmod 644 "$deb"
say "built $(basename "$deb") ($(du -k "$deb" | cut -f1) KB) in $((SECONDS - t0)) s"

depends=$(dpkg-deb -f "$deb" Depends)
contents=$(dpkg-deb -c "$deb")
for lib in libxapian30 libstemmer0d libutf8proc2 libjansson4 libarchive13 libzstd1 libtcmalloc-minimal4; do
  grep -qE "(^|, )$lib( |,|$)" <<<"$depends" || fail "Depends lacks $lib: $depends"
done
for f in ./usr/bin/cronaca-indexer ./usr/bin/cronaca-searcher \
  ./usr/share/man/man1/cronaca-indexer.1.gz ./usr/share/man/man1/cronaca-searcher.1.gz \
  ./usr/share/bash-completion/completions/cronaca-searcher ./usr/share/zsh/vendor-completions/_cronaca; do
  grep -q " $f\$" <<<"$contents" || fail "the package lacks $f"
done

# Install it as a user would. Offline when the dependencies are present.
if ! $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends \
  -o DPkg::Lock::Timeout=120 "$deb" >"$work/install.log" 2>&1; then
  cat "$work/install.log" >&2
  fail "apt-get install $deb failed (log above; a dependency apt could not find?)"
  exit 1
fi
installed=true
say "installed with apt-get in $((SECONDS - t0)) s"

[ "$(command -v cronaca-searcher)" = /usr/bin/cronaca-searcher ] ||
  fail "cronaca-searcher on PATH is '$(command -v cronaca-searcher)', not /usr/bin/cronaca-searcher"
[ "$(command -v cronaca-indexer)" = /usr/bin/cronaca-indexer ] ||
  fail "cronaca-indexer on PATH is '$(command -v cronaca-indexer)', not /usr/bin/cronaca-indexer"
/usr/bin/cronaca-searcher --version >/dev/null || fail "cronaca-searcher --version exited $?"
if /usr/bin/cronaca-indexer -q -d "$work/index" "$here/corpus" 2>"$work/indexer.err"; then
  hits=$(/usr/bin/cronaca-searcher -d "$work/index" -n 1 --no-snippets "Corea del Nord armi Russia" 2>&1) ||
    fail "cronaca-searcher exited $?: $hits"
  grep -q "Secondo l’intelligence Usa, la Russia sta comprando armi dalla Corea del Nord" <<<"$hits" ||
    fail "cronaca-searcher did not rank the seed article first: $hits"
  json=$(/usr/bin/cronaca-searcher -d "$work/index" --json -n 1 '"Corea del Nord"' 2>&1) ||
    fail "cronaca-searcher --json exited $?: $json"
  grep -q '"hits": \[{"rank": 1' <<<"$json" || fail "cronaca-searcher --json found no hit: $json"
else
  fail "cronaca-indexer -d INDEX corpus exited $?: $(cat "$work/indexer.err")"
fi

for page in cronaca-indexer cronaca-searcher; do
  if ! command -v man >/dev/null; then
    fail "man is not installed (scripts/setup.sh installs man-db)"
    break
  fi
  where=$(man -w "$page" 2>&1) || {
    if grep -rqs 'path-exclude.*/usr/share/man' /etc/dpkg/dpkg.cfg.d/; then
      fail "man -w $page: $where; dpkg is told not to install man pages here (path-exclude in /etc/dpkg/dpkg.cfg.d/)"
    else
      fail "man -w $page: $where"
    fi
    continue
  }
  [ "$where" = "/usr/share/man/man1/$page.1.gz" ] || fail "man -w $page gives $where"
done
bash --norc -c 'source /usr/share/bash-completion/completions/cronaca-searcher;
  COMP_WORDS=(cronaca-searcher --so); COMP_CWORD=1; _cronaca; [ "${COMPREPLY[*]}" = --sort ]' ||
  fail "the installed bash completion does not complete 'cronaca-searcher --so' to --sort"

# Remove it: nothing of it may stay.
if $sudo env DEBIAN_FRONTEND=noninteractive apt-get purge -y -qq -o DPkg::Lock::Timeout=120 cronaca >"$work/purge.log" 2>&1; then
  installed=false
  for f in /usr/bin/cronaca-indexer /usr/bin/cronaca-searcher /usr/share/man/man1/cronaca-searcher.1.gz \
    /usr/share/zsh/vendor-completions/_cronaca /usr/share/doc/cronaca; do
    [ ! -e "$f" ] || fail "$f is still there after apt-get purge cronaca"
  done
else
  cat "$work/purge.log" >&2
  fail "apt-get purge cronaca failed (log above)"
fi

if ((status)); then
  say "the package $(basename "$deb") failed (above)"
else
  say "$(basename "$deb") installs with apt-get, indexes corpus/, answers, has its man pages and completion, and purges cleanly ($((SECONDS - t0)) s)"
fi
exit $status
