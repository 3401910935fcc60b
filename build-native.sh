#!/usr/bin/env bash
# Native desktop build (GLFW + OpenGL 3.3 core) for debugging.
#   ./build-native.sh [build|run] [app arguments...]
#   e.g. ./build-native.sh run --frames 60 --screenshot shot.png --demo
# Configures build/native with the same options as run-tests.sh (tests on,
# benchmarks off), so neither flips the other's cache and forces a rebuild.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
cmd=${1:-build}; [ $# -gt 0 ] && shift
scripts/setup.sh --no-npm
cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release -DNNPLAY_APP=ON -DNNPLAY_TESTS=ON \
  -DNNPLAY_BENCH=OFF -DNNPLAY_SANITIZE=OFF -DNNPLAY_FUZZ=OFF >/dev/null
ninja -C build/native -j"$(nproc)" nnplay
case "$cmd" in
  build) echo "built build/native/nnplay" ;;
  run) exec build/native/nnplay "$@" ;;
  *) echo "build-native.sh: unknown command '$cmd' (build or run)" >&2; exit 2 ;;
esac
