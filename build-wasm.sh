#!/usr/bin/env bash
# Builds nnplay's two web builds and, with `serve`, serves them.
#   ./build-wasm.sh [build|serve|tests] [--port N] [--no-isolation] [--fast]
#   build  (default) threaded (SIMD + pthreads) and fallback (SIMD only) builds -> build/site/
#   serve  build, then serve build/site on http://localhost:8080 with COOP/COEP headers
#   tests  also build the engine's tests as WebAssembly (run-tests.sh uses this)
#   --fast compile and link at -O1 (quick iteration) instead of -O3, in their
#          own folders build/web-fast-*, so switching back and forth rebuilds nothing
# build/site is removed first: if a build fails there is no site to test or serve.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
cmd=build; port=8080; serve_args=(); fast=0
while [ $# -gt 0 ]; do
  case "$1" in
    build|serve|tests) cmd=$1 ;;
    --port) port=${2:?--port needs a number}; shift ;;
    --no-isolation) serve_args+=(--no-isolation) ;;
    --fast) fast=1 ;;
    -h|--help) sed -n 2,9p "$0"; exit 0 ;;
    *) echo "build-wasm.sh: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done

site=build/site
rm -rf "$site"

if [ "$cmd" = tests ]; then scripts/setup.sh; else scripts/setup.sh --no-browser --no-npm; fi
# Emscripten's tools need Debian's node modules (acorn) on the module path.
export NODE_PATH=/usr/share/nodejs:/usr/lib/nodejs
jobs=$(nproc)
prefix=build/web; opt=-O3
[ $fast = 1 ] && prefix=build/web-fast && opt=-O1
# CMake puts the configuration's flags on the link line too: -O1 also links fast.
opt_flags=(-DCMAKE_CXX_FLAGS_RELEASE="$opt -DNDEBUG" -DCMAKE_C_FLAGS_RELEASE="$opt -DNDEBUG")

# The engine's tests as WebAssembly: every test file in the fallback build;
# in the threaded build, the files whose code runs on the thread pool (the
# fast engine, its kernels and evaluation, kNN, the trainer, cross-
# validation), where one and several threads must agree. Compiling every
# test twice would cost the test command several minutes for code that does
# not depend on threads.
threaded_tests='/test_(fast_[a-z_]+|knn[a-z_]*|scores_fast|convnet_train|trainer[a-z_]*|cv)[.]cpp$'
for variant in threaded fallback; do
  dir=$prefix-$variant
  threads=ON; [ $variant = fallback ] && threads=OFF
  filter=''; [ $variant = threaded ] && filter=$threaded_tests
  echo "[build-wasm] $variant build in $dir"
  # Every option is given on every run (the tests are always configured and
  # only built by `tests`), so no invocation leaves a different cache behind
  # for the next; cmake regenerates only when something changed.
  emcmake cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release "${opt_flags[@]}" \
    -DNNPLAY_THREADS=$threads -DNNPLAY_APP=ON -DNNPLAY_TESTS=ON -DNNPLAY_BENCH=OFF -DNNPLAY_TEST_FILTER="$filter" \
    -DCMAKE_CROSSCOMPILING_EMULATOR="/usr/bin/node;--no-experimental-fetch" >/dev/null
  ninja -C "$dir" -j"$jobs" $( [ "$cmd" = tests ] && echo all || echo nnplay nnplay_image_data )
done

mkdir -p "$site/threaded" "$site/fallback"
cp web/index.html web/shell.js web/shell.css "$site/"
cp web/notes-example.html web/notes-example.css "$site/"  # example course notes with embedded demos (README: Embedding in course notes)
cp $prefix-threaded/nnplay.js $prefix-threaded/nnplay.wasm $prefix-threaded/nnplay.worker.js "$site/threaded/"
cp $prefix-fallback/nnplay.js $prefix-fallback/nnplay.wasm "$site/fallback/"
[ -d assets ] && cp -r assets "$site/assets"
# The image mode's subsets, fetched by the page only when Images is opened
# (none if the data sets are not installed: the app then says so).
mkdir -p "$site/data"
cp $prefix-threaded/data/*.nnimg "$site/data/" 2>/dev/null || echo "[build-wasm] no image subsets (run scripts/setup.sh for the image mode)"
echo "[build-wasm] site ready in $site ($(du -sh "$site" | cut -f1); wasm: threaded $(stat -c %s "$site/threaded/nnplay.wasm") B, fallback $(stat -c %s "$site/fallback/nnplay.wasm") B)"

if [ "$cmd" = serve ]; then
  exec node web/serve.mjs --root "$site" --port "$port" "${serve_args[@]}"
fi
