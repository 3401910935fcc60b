#!/usr/bin/env bash
# Installs everything nnplay needs on Debian 12, idempotently:
#   apt packages, a deb-src entry for Dear ImGui's source, ImGui 1.90.1 into
#   third_party/imgui (git-ignored), and the npm packages of the browser tests.
# Usage: scripts/setup.sh [--no-browser] [--no-npm]
#   --no-browser  skip the test-only tools: Chromium, Xvfb and friends, and
#                 clang with its sanitizer/libFuzzer runtimes (run-tests.sh's
#                 sanitizer and fuzz stages)
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
want_browser=1; want_npm=1
for a in "$@"; do
  case "$a" in
    --no-browser) want_browser=0 ;;
    --no-npm) want_npm=0 ;;
    *) echo "setup.sh: unknown option $a" >&2; exit 2 ;;
  esac
done

log() { printf '[setup] %s\n' "$*"; }

pkgs=(build-essential cmake ninja-build pkg-config emscripten
      libglfw3-dev libeigen3-dev catch2 nlohmann-json3-dev
      dpkg-dev git ca-certificates libstb-dev fonts-dejavu-core)
pkgs+=(zlib1g-dev)  # deflate for compressed links (native); the web build uses scripts/fetch-zlib.sh
if [ "$want_browser" = 1 ]; then
  pkgs+=(chromium xvfb xdotool imagemagick x11-utils mesa-utils libgl1-mesa-dri)
  # Sanitizers and libFuzzer: clang 14 and its runtimes; llvm for
  # llvm-symbolizer (readable stack traces in sanitizer reports).
  pkgs+=(clang libclang-rt-14-dev llvm)
fi
if ! command -v node >/dev/null 2>&1; then pkgs+=(nodejs); fi
if ! command -v npm >/dev/null 2>&1; then pkgs+=(npm); fi

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

sudo_cmd=()
if [ "$(id -u)" != 0 ]; then
  if command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo_cmd=(sudo)
  else sudo_cmd=(NONE); fi
fi

srcfile=/etc/apt/sources.list.d/nnplay-imgui-src.sources
imgui_dir="$here/third_party/imgui"
need_src=0
[ -f "$imgui_dir/imgui.cpp" ] || need_src=1

if [ "${sudo_cmd[*]}" = NONE ]; then
  if [ ${#missing[@]} -gt 0 ]; then
    echo "nnplay needs packages that are not installed, and this user cannot install them."
    echo "Run this, then run the command again:"
    echo "  sudo apt-get update && sudo apt-get install -y ${missing[*]}"
    exit 1
  fi
  if [ "$need_src" = 1 ] && [ ! -f "$srcfile" ]; then
    echo "nnplay needs Dear ImGui's source from Debian's source archive. Run, then retry:"
    echo "  sudo scripts/setup.sh"
    exit 1
  fi
fi

updated=0
apt_update() { if [ "$updated" = 0 ]; then log "apt-get update"; "${sudo_cmd[@]}" apt-get update -qq; updated=1; fi; }

if [ ${#missing[@]} -gt 0 ]; then
  apt_update
  log "installing: ${missing[*]}"
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
fi

if [ "$need_src" = 1 ]; then
  if [ ! -f "$srcfile" ]; then
    # Same mirror and key as apt's own entry; trixie carries ImGui 1.90.1 with Emscripten fixes.
    main_src=/etc/apt/sources.list.d/debian.sources
    uri=$(awk '/^URIs:/ && $2 ~ /debian\/?$/ {print $2; exit}' "$main_src" 2>/dev/null || true)
    key=$(awk '/^Signed-By:/ {print $2; exit}' "$main_src" 2>/dev/null || true)
    [ -n "$uri" ] || uri=http://deb.debian.org/debian
    [ -n "$key" ] || key=/usr/share/keyrings/debian-archive-keyring.gpg
    log "adding deb-src entry $srcfile ($uri)"
    printf 'Types: deb-src\nURIs: %s\nSuites: bookworm trixie\nComponents: main\nSigned-By: %s\n' "$uri" "$key" \
      | "${sudo_cmd[@]}" tee "$srcfile" >/dev/null
    updated=0
  fi
  apt_update
  tmp=$(mktemp -d)
  log "apt-get source imgui"
  (cd "$tmp" && apt-get source -qq --download-only imgui=1.90.1+ds-1 2>/dev/null || apt-get source -qq --download-only imgui)
  tarball=$(ls "$tmp"/imgui_*.orig.tar.* | head -n1)
  mkdir -p "$imgui_dir"
  tar -xf "$tarball" -C "$imgui_dir" --strip-components=1
  rm -rf "$tmp"
  [ -f "$imgui_dir/imgui.cpp" ] || { echo "setup.sh: ImGui source not found in $tarball" >&2; exit 1; }
  log "ImGui $(grep -m1 'define IMGUI_VERSION ' "$imgui_dir/imgui.h" | awk '{print $3}') in third_party/imgui"
fi

"$here/scripts/fetch-zlib.sh"  # zlib's source for the WebAssembly builds (after the deb-src entry)
if [ "$want_npm" = 1 ] && [ ! -d "$here/node_modules/playwright-core" ]; then
  log "npm install (playwright-core)"
  (cd "$here" && npm install --no-audit --no-fund --loglevel=error)
fi
log "ready"
