#!/usr/bin/env bash
# setup.sh — installs what cronaca needs on Debian and builds it.
#
#   scripts/setup.sh [BUILD_DIR] [extra cmake arguments...]
#   scripts/setup.sh --packages-only
#
# Installs the Debian packages (only those missing; needs root or sudo),
# then configures and builds into BUILD_DIR (default: build/). Safe to run
# again: it does only what is left to do. --packages-only stops after the
# packages (CI checks the formatting before it builds).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
packages_only=false
if [ "${1:-}" = --packages-only ]; then
  packages_only=true
  shift
fi
build_dir=${1:-"$here/build"}
shift || true

# Build and library dependencies; the reliability tests' tools (xapian-check,
# clang and libFuzzer, strace); the style gate (clang-format 14, the
# version .clang-format is checked with); the install's tests and the
# Debian package (dpkg-shlibdeps in dpkg-dev, file for CPack, man-db for
# man -w, zsh for its completion); then the peers the benchmark compares
# against (Xapian's own tools, SQLite's shell, Lucene 8 and a JDK for
# bench/lucene's harness).
packages=(
  build-essential cmake pkg-config
  libxapian-dev libstemmer-dev libcriterion-dev
  libutf8proc-dev libjansson-dev libarchive-dev libzstd-dev
  libxml2-dev libcsv-dev libxxhash-dev libgoogle-perftools-dev
  xapian-tools
  clang libclang-rt-14-dev strace
  clang-format-14
  dpkg-dev file man-db zsh
  xapian-omega sqlite3 libsqlite3-dev gnuplot-nox time
  liblucene8-java openjdk-17-jdk-headless
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "setup: run as root (or install sudo) to install: ${missing[*]}" >&2; exit 2; }
    sudo=sudo
  fi
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

$packages_only && exit 0

# Quiet on success; the whole log on failure, so errors are never hidden.
log=$(mktemp)
trap 'rm -f "$log"' EXIT
if ! { cmake -S "$here" -B "$build_dir" -DCMAKE_BUILD_TYPE=Release "$@" &&
       cmake --build "$build_dir" -j"$(nproc)"; } >"$log" 2>&1; then
  cat "$log" >&2
  echo "setup: build failed (log above)" >&2
  exit 2
fi
grep -i "warning" "$log" >&2 || true
echo "setup: built indexer and searcher in $build_dir" >&2
