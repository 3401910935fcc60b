#!/usr/bin/env bash
# Runs every test of nnplay, installing what is missing first:
#   1. the engine's Catch2 tests, natively (CTest)
#   2. the same tests compiled to WebAssembly and run under node (CTest), in
#      the threaded and the fallback configuration
#   3. browser end-to-end tests of both web builds (playwright-core + Chromium)
#   4. the native app under Xvfb for a fixed number of frames, with a screenshot
# Screenshots go to test-output/. The last line is "summary: N passed, M failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export NODE_PATH=/usr/share/nodejs:/usr/lib/nodejs
mkdir -p test-output
passed=0; failed=0; stages=()
jobs=$(nproc)

stage() { printf '\n=== %s ===\n' "$1"; }
note() { stages+=("$1"); }

# ctest's "N% tests passed, F tests failed out of T" line -> counts.
run_ctest() {
  local name=$1 dir=$2 out
  out=$(ctest --test-dir "$dir" --output-on-failure -j"$jobs" 2>&1); local rc=$?
  echo "$out" | tail -n 25
  local line total fail
  line=$(echo "$out" | grep -E 'tests passed, [0-9]+ tests? failed out of [0-9]+' | tail -n1)
  if [ -z "$line" ]; then failed=$((failed + 1)); note "$name: ctest did not run"; return; fi
  total=$(echo "$line" | sed -E 's/.*out of ([0-9]+).*/\1/')
  fail=$(echo "$line" | sed -E 's/.* ([0-9]+) tests? failed.*/\1/')
  [ "$rc" != 0 ] && [ "$fail" = 0 ] && fail=1
  passed=$((passed + total - fail)); failed=$((failed + fail))
  note "$name: $((total - fail)) passed, $fail failed"
}

stage "set-up"
if ! scripts/setup.sh; then echo "set-up failed"; echo "summary: 0 passed, 1 failed"; exit 1; fi

stage "native build and engine tests"
if cmake -S . -B build/native -G Ninja -DCMAKE_BUILD_TYPE=Release -DNNPLAY_BENCH=OFF >/dev/null &&
   ninja -C build/native -j"$jobs"; then
  run_ctest "native engine tests" build/native
else
  failed=$((failed + 1)); note "native build: FAILED"
fi

stage "WebAssembly builds (threaded + fallback) and engine tests under node"
if ./build-wasm.sh tests; then
  run_ctest "wasm threaded engine tests" build/web-threaded
  run_ctest "wasm fallback engine tests" build/web-fallback
else
  failed=$((failed + 1)); note "web build: FAILED"
fi

stage "browser end-to-end tests (headless Chromium)"
if [ -f build/site/index.html ]; then
  out=$(timeout 900 node tests/e2e/run.mjs 2>&1); echo "$out"
  line=$(echo "$out" | grep -E '^e2e: [0-9]+ passed, [0-9]+ failed' | tail -n1)
  if [ -n "$line" ]; then
    p=$(echo "$line" | sed -E 's/e2e: ([0-9]+) passed.*/\1/'); f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed/\1/')
    passed=$((passed + p)); failed=$((failed + f)); note "browser e2e: $p passed, $f failed"
  else
    failed=$((failed + 1)); note "browser e2e: did not finish"
  fi
else
  failed=$((failed + 1)); note "browser e2e: no site to test"
fi

# ---- local server stage (web/serve.mjs; tests/web/serve.test.mjs) ----
stage "local server: path checks, bind address, CSP"
out=$(timeout 120 node tests/web/serve.test.mjs 2>&1); echo "$out" | grep -v '^ok  '
line=$(echo "$out" | grep -E '^serve: [0-9]+ passed, [0-9]+ failed' | tail -n1)
if [ -n "$line" ]; then
  p=$(echo "$line" | sed -E 's/serve: ([0-9]+) passed.*/\1/'); f=$(echo "$line" | sed -E 's/.* ([0-9]+) failed/\1/')
  passed=$((passed + p)); failed=$((failed + f)); note "local server: $p passed, $f failed"
else
  failed=$((failed + 1)); note "local server: test did not finish"
fi
# ---- end of local server stage ----

stage "native app under Xvfb"
rm -f test-output/native.png
if [ -x build/native/nnplay ] &&
   timeout 120 xvfb-run -a -s "-screen 0 1280x800x24" build/native/nnplay --frames 90 --demo --screenshot test-output/native.png; then
  # A real frame has the canvas, regions and panels: far from one flat colour.
  sd=$(convert test-output/native.png -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0)
  if awk -v s="$sd" 'BEGIN { exit !(s > 0.05) }'; then
    passed=$((passed + 1)); note "native under Xvfb: 1 passed, 0 failed (screenshot test-output/native.png)"
  else
    failed=$((failed + 1)); note "native under Xvfb: screenshot looks blank (stddev $sd)"
  fi
else
  failed=$((failed + 1)); note "native under Xvfb: FAILED to run"
fi

printf '\n=== results ===\n'
for s in "${stages[@]}"; do echo "  $s"; done
echo "summary: $passed passed, $failed failed"
[ "$failed" = 0 ]
