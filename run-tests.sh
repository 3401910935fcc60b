#!/usr/bin/env bash
# Runs every test of nnplay, installing what is missing first:
#   1. natively: every engine and claim test (CTest), built with clang,
#      AddressSanitizer and UndefinedBehaviorSanitizer (build/san), and the
#      native app under Xvfb for a few hundred frames, with a screenshot
#   2. fuzzing: every libFuzzer target of tests/fuzz replays its seeds and
#      past crashes, then fuzzes for NNPLAY_FUZZ_SECONDS (10) each (build/san)
#   3. the same engine tests compiled to WebAssembly and run under node
#      (CTest), in the threaded and the fallback configuration
#   4. browser end-to-end tests of both web builds (playwright-core + Chromium),
#      with a seeded random-interaction soak of NNPLAY_SOAK_SECONDS (30) per build;
#      in two lanes (two browsers at once) when there are two cores or more
#   5. the local server's path checks, bind address and CSP
# The optimised native build (build-native.sh, gcc) is not part of it: the
# native tests run once, under the sanitizers, and the optimised engine code
# is tested in the two WebAssembly builds.
# Screenshots go to test-output/. The summary lists each stage's result and
# duration; the last line is "summary: N passed, M failed".
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")"
export NODE_PATH=/usr/share/nodejs:/usr/lib/nodejs
mkdir -p test-output
passed=0; failed=0; stages=(); times=()
jobs=$(nproc)
# Seconds each fuzz target fuzzes after replaying its seeds and past crashes
# (5 targets, two at a time: the fuzz stage stays under a minute).
fuzz_secs=${NNPLAY_FUZZ_SECONDS:-10}
# Seconds of random interaction per web build in the soak (tests/e2e/soak.test.mjs).
export NNPLAY_SOAK_SECONDS=${NNPLAY_SOAK_SECONDS:-30}

stage_name=""; stage_start=$SECONDS; t0=$SECONDS
end_stage() {
  [ -n "$stage_name" ] && times+=("$(printf '%-52s %4d s' "$stage_name" $((SECONDS - stage_start)))")
  stage_name=""
}
stage() { end_stage; stage_name=$1; stage_start=$SECONDS; printf '\n=== %s ===\n' "$1"; }
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

stage "native: every engine test and the app, with ASan + UBSan (clang, -O2)"
# One clang tree for the engine and claim tests, the app and the fuzz targets.
# Every finding is fatal (-fno-sanitize-recover); leaks are reported, except
# those of the system's GL/X11 libraries (tests/sanitize/lsan.supp).
san_ok=0
export ASAN_OPTIONS=${ASAN_OPTIONS:-abort_on_error=1:detect_stack_use_after_return=1:strict_string_checks=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
export LSAN_OPTIONS=${LSAN_OPTIONS:-suppressions=$PWD/tests/sanitize/lsan.supp:print_suppressions=0}
if cmake -S . -B build/san -G Ninja -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER=clang \
     -DCMAKE_CXX_COMPILER=clang++ -DNNPLAY_APP=ON -DNNPLAY_TESTS=ON -DNNPLAY_BENCH=OFF \
     -DNNPLAY_SANITIZE=ON -DNNPLAY_FUZZ=ON -DNNPLAY_TEST_FILTER= >/dev/null &&
   ninja -C build/san -j"$jobs"; then
  san_ok=1
  run_ctest "native engine tests (ASan + UBSan)" build/san
  rm -f test-output/native.png
  # The app's run checks memory errors and undefined behaviour, not leaks:
  # the system GL driver's allocations are reported from a module unloaded
  # at exit, which a suppression cannot name (the engine tests check leaks).
  # A real frame has the canvas, regions and panels: far from one flat colour.
  if ASAN_OPTIONS="$ASAN_OPTIONS:detect_leaks=0" \
     timeout 300 xvfb-run -a -s "-screen 0 1280x800x24" build/san/nnplay --frames 300 --demo \
       --open concepts,convnet,help --screenshot test-output/native.png >test-output/native.log 2>&1; then
    sd=$(convert test-output/native.png -format '%[fx:standard_deviation]' info: 2>/dev/null || echo 0)
    if awk -v s="$sd" 'BEGIN { exit !(s > 0.05) }'; then
      passed=$((passed + 1)); note "native app (300 frames under Xvfb, ASan + UBSan): 1 passed, 0 failed (test-output/native.png)"
    else
      failed=$((failed + 1)); note "native app: screenshot looks blank (stddev $sd)"
    fi
  else
    tail -n 40 test-output/native.log
    failed=$((failed + 1)); note "native app under Xvfb: FAILED (test-output/native.log)"
  fi
else
  failed=$((failed + 1)); note "native build (ASan + UBSan): FAILED"
fi

stage "fuzzing: replay seeds and past crashes, then ${fuzz_secs} s per target"
if [ $san_ok = 1 ]; then
  out=$(tests/fuzz/run.sh build/san "$fuzz_secs" 2>&1); echo "$out"
  p=$(echo "$out" | grep -cE '^fuzz [a-z_]+: .*OK$'); f=$(echo "$out" | grep -cE '^fuzz [a-z_]+: .*FAILED')
  passed=$((passed + p)); failed=$((failed + f))
  note "fuzz targets: $p passed, $f failed ($(echo "$out" | grep -oE '[0-9]+ executions' | awk '{n += $1} END {print n + 0}') executions)"
else
  failed=$((failed + 1)); note "fuzzing: not run (the native build failed)"
fi

stage "WebAssembly builds (threaded + fallback) and engine tests under node"
# build-wasm.sh removes build/site before building, and the browser tests run
# only when this build succeeded: never against a site left from an earlier one.
web_ok=0
if ./build-wasm.sh tests; then
  web_ok=1
  run_ctest "wasm threaded engine tests" build/web-threaded
  run_ctest "wasm fallback engine tests" build/web-fallback
else
  rm -rf build/site
  failed=$((failed + 1)); note "web build: FAILED"
fi

stage "browser end-to-end tests (headless Chromium)"
if [ $web_ok = 0 ]; then
  failed=$((failed + 1)); note "browser e2e: not run (the web build failed)"
elif [ -f build/site/index.html ]; then
  # Two lanes (two browsers at once) on two or more cores: one lane keeps
  # about 1.3 cores busy, so two finish the stage in about two thirds the time.
  lanes=1; [ "$jobs" -ge 2 ] && lanes=2
  out=$(timeout 1200 node tests/e2e/run.mjs --lanes $lanes 2>&1); echo "$out"
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

end_stage
printf '\n=== results ===\n'
for s in "${stages[@]}"; do echo "  $s"; done
echo "stage times (total $((SECONDS - t0)) s):"
for s in "${times[@]}"; do echo "  $s"; done
echo "summary: $passed passed, $failed failed"
[ "$failed" = 0 ]
