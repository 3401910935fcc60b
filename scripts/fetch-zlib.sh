#!/usr/bin/env bash
# Puts zlib's C source into third_party/zlib (git-ignored) for the
# WebAssembly builds, from Debian's source archive: the same version as the
# native zlib1g-dev of bookworm, so both builds produce the same links.
# Needs the deb-src entry scripts/setup.sh writes. Idempotent.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
dir="$here/third_party/zlib"
[ -f "$dir/deflate.c" ] && exit 0
version=1:1.2.13.dfsg-1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
echo "[setup] apt-get source zlib=$version"
(cd "$tmp" && apt-get source -qq --download-only "zlib=$version" 2>/dev/null || apt-get source -qq --download-only zlib)
tarball=$(ls "$tmp"/zlib_*.orig.tar.* | head -n1)
mkdir -p "$dir"
tar -xf "$tarball" -C "$dir" --strip-components=1
[ -f "$dir/deflate.c" ] || { echo "fetch-zlib.sh: zlib source not found in $tarball" >&2; exit 1; }
echo "[setup] zlib $(grep -m1 'define ZLIB_VERSION ' "$dir/zlib.h" | awk '{print $3}') in third_party/zlib"
