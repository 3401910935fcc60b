#!/usr/bin/env bash
# Builds nnplay's two web builds and, with `serve`, serves them.
#   ./build-wasm.sh [build|serve|tests] [--port N] [--no-isolation] [--fast]
#   build  (default) threaded (SIMD + pthreads) and fallback (SIMD only) builds -> build/site/
#   serve  build, then serve build/site on http://localhost:8080 with COOP/COEP headers
#   tests  also build the engine's tests as WebAssembly (run-tests.sh uses this)
#   --fast link at -O1 (quick iteration) instead of -O3
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
cmd=build; port=8080; serve_args=(); opt=Release; with_tests=OFF
while [ $# -gt 0 ]; do
  case "$1" in
    build|serve|tests) cmd=$1 ;;
    --port) port=${2:?--port needs a number}; shift ;;
    --no-isolation) serve_args+=(--no-isolation) ;;
    --fast) opt=RelWithDebInfo ;;
    -h|--help) sed -n 2,8p "$0"; exit 0 ;;
    *) echo "build-wasm.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ "$cmd" = tests ] && with_tests=ON

if [ "$cmd" = tests ]; then scripts/setup.sh; else scripts/setup.sh --no-browser --no-npm; fi
# Emscripten's tools need Debian's node modules (acorn) on the module path.
export NODE_PATH=/usr/share/nodejs:/usr/lib/nodejs
jobs=$(nproc)

for variant in threaded fallback; do
  dir=build/web-$variant
  threads=ON; [ $variant = fallback ] && threads=OFF
  echo "[build-wasm] $variant build in $dir"
  if [ ! -f "$dir/build.ninja" ] || ! grep -q "NNPLAY_TESTS:BOOL=$with_tests" "$dir/CMakeCache.txt" 2>/dev/null; then
    emcmake cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=$opt -DNNPLAY_THREADS=$threads \
      -DNNPLAY_TESTS=$with_tests -DNNPLAY_BENCH=OFF \
      -DCMAKE_CROSSCOMPILING_EMULATOR="/usr/bin/node;--no-experimental-fetch" >/dev/null
  fi
  ninja -C "$dir" -j"$jobs" $( [ $with_tests = ON ] && echo all || echo nnplay )
done

site=build/site
rm -rf "$site"
mkdir -p "$site/threaded" "$site/fallback"
cp web/index.html web/shell.js web/shell.css "$site/"
cp build/web-threaded/nnplay.js build/web-threaded/nnplay.wasm build/web-threaded/nnplay.worker.js "$site/threaded/"
cp build/web-fallback/nnplay.js build/web-fallback/nnplay.wasm "$site/fallback/"
[ -d assets ] && cp -r assets "$site/assets"
echo "[build-wasm] site ready in $site ($(du -sh "$site" | cut -f1))"

if [ "$cmd" = serve ]; then
  exec node web/serve.mjs --root "$site" --port "$port" "${serve_args[@]}"
fi
