#!/usr/bin/env bash
# The benchmarks, one command: installs what they need (Debian
# packages via scripts/setup.sh, the JavaScript peers from bench/package.json
# via npm), builds nnplay's bench natively and as both WebAssembly builds,
# runs every implementation in one process each on this machine, prints the
# table and writes bench/results/latest.json and latest.md.
#   ./bench/run.sh [--quick] [--no-build] [--only DIGITS] [--builds LIST]
#   --quick     about a fifth of the measuring time per figure (noisier)
#   --no-build  reuse the existing build/bench-* binaries
#   --only 123  only these workloads (digits 1-9, as nnplay_bench --only) and
#               only the peers that run one of them
#   --builds native,threaded   only these of nnplay's builds (native,
#               threaded, fallback; default all three)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
quick=(); build=1; only=""; builds="native,threaded,fallback"
while [ $# -gt 0 ]; do
  case "$1" in
    --quick) quick=(--quick) ;;
    --no-build) build=0 ;;
    --only) only=${2:?--only needs workload digits}; shift ;;
    --builds) builds=${2:?--builds needs a list}; shift ;;
    -h|--help) sed -n 2,14p "$0"; exit 0 ;;
    *) echo "bench/run.sh: unknown option '$1' (see --help)" >&2; exit 2 ;;
  esac
  shift
done
# wants W...: true if any of the workload digits is selected
wants() { [ -z "$only" ] && return 0; local w; for w in "$@"; do [[ "$only" == *"$w"* ]] && return 0; done; return 1; }
has_build() { [[ ",$builds," == *",$1,"* ]]; }
only_arg=(); [ -n "$only" ] && only_arg=(--only "$only")
log() { printf '[bench] %s\n' "$*" >&2; }
jobs=${BENCH_JOBS:-$(nproc)}
# Emscripten's tools need Debian's node modules (acorn) on the module path.
export NODE_PATH=/usr/share/nodejs:/usr/lib/nodejs
# --no-liftoff: WebAssembly compiled by the optimising tier up front. V8 otherwise
# starts in its baseline tier and switches per function on a later call, so a
# hot loop inside a function called once would be timed in baseline code.
node_run=(node --no-experimental-fetch --no-liftoff)

if [ "$build" = 1 ]; then
  scripts/setup.sh --no-browser --no-npm
  if [ ! -f bench/node_modules/convnetjs/package.json ] || [ ! -d bench/node_modules/@tensorflow/tfjs-backend-wasm ]; then
    log "npm install --prefix bench (convnetjs, @tensorflow/tfjs-core, -backend-wasm, -backend-cpu)"
    npm install --prefix bench --no-audit --no-fund --loglevel=error
  fi
  if [ ! -f build/bench-native/build.ninja ]; then
    cmake -S . -B build/bench-native -G Ninja -DCMAKE_BUILD_TYPE=Release -DNNPLAY_APP=OFF \
      -DNNPLAY_TESTS=OFF -DNNPLAY_BENCH=ON >/dev/null
  fi
  if has_build native; then
    log "building native bench (build/bench-native)"
    ninja -C build/bench-native -j"$jobs" nnplay_bench
  fi
  for variant in threaded fallback; do
    has_build $variant || continue
    dir=build/bench-wasm-$variant
    threads=ON; [ $variant = fallback ] && threads=OFF
    if [ ! -f "$dir/build.ninja" ]; then
      emcmake cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Release -DNNPLAY_APP=OFF -DNNPLAY_TESTS=OFF \
        -DNNPLAY_BENCH=ON -DNNPLAY_THREADS=$threads \
        -DCMAKE_CROSSCOMPILING_EMULATOR="/usr/bin/node;--no-experimental-fetch" >/dev/null
    fi
    log "building WebAssembly bench, $variant ($dir)"
    ninja -C "$dir" -j"$jobs" nnplay_bench
  done
fi

raw=bench/results/raw
rm -rf "$raw"
mkdir -p "$raw"
run() {  # name, command...
  local name=$1; shift
  log "running $name"
  "$@" > "$root/$raw/$name.json"
}
if has_build native; then
  run nnplay-native build/bench-native/bench/nnplay_bench --impl nnplay-native "${quick[@]}" "${only_arg[@]}"
fi
if has_build threaded; then
  run nnplay-wasm-threaded "${node_run[@]}" build/bench-wasm-threaded/bench/nnplay_bench.js --impl nnplay-wasm-threaded "${quick[@]}" "${only_arg[@]}"
fi
if has_build fallback; then
  run nnplay-wasm-fallback "${node_run[@]}" build/bench-wasm-fallback/bench/nnplay_bench.js --impl nnplay-wasm-fallback "${quick[@]}" "${only_arg[@]}"
fi
if wants 1 3; then (cd bench && run convnetjs node js/convnetjs.mjs "${quick[@]}"); fi
if wants 2; then (cd bench && run tfplayground-js node js/tfplayground.mjs "${quick[@]}"); fi
if wants 3 5 7; then
  (cd bench && run tfjs-wasm "${node_run[@]}" js/tfjs.mjs wasm "${quick[@]}")
  (cd bench && run tfjs-cpu node js/tfjs.mjs cpu "${quick[@]}")
fi
# Workload 6 (ConvNetJS's MNIST demo net): its peers in their own scripts.
if wants 6; then
  (cd bench && run convnetjs-conv node js/conv_convnetjs.mjs "${quick[@]}")
  (cd bench && run tfjs-wasm-conv "${node_run[@]}" js/conv_tfjs.mjs wasm "${quick[@]}")
  (cd bench && run tfjs-cpu-conv node js/conv_tfjs.mjs cpu "${quick[@]}")
fi
node bench/js/report.mjs "$raw" bench/results
