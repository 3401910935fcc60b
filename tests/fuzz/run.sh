#!/usr/bin/env bash
# Replays and fuzzes nnplay's libFuzzer targets (built by NNPLAY_FUZZ=ON).
#   tests/fuzz/run.sh BUILD_DIR [SECONDS_PER_TARGET] [TARGET...]
# For each target: replays every seed and every regression file (inputs that
# once crashed it), then fuzzes for SECONDS_PER_TARGET (0: replay only),
# starting from the seeds, regressions and the corpus kept in
# BUILD_DIR/fuzz-corpus/<target>. A crash is saved under test-output/fuzz/;
# once fixed, copy it into tests/fuzz/<target>/regressions/.
# Targets run in parallel, NNPLAY_FUZZ_JOBS (default: the number of cores)
# at a time, each on one core. Prints "fuzz <target>: N executions, OK|FAILED"
# per target, in the order given, and exits 1 if any target failed.
set -uo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
build=${1:?usage: run.sh BUILD_DIR [SECONDS] [TARGET...]}; shift
secs=${1:-30}; [ $# -gt 0 ] && shift
targets=("$@")
[ ${#targets[@]} -gt 0 ] || targets=(session url csv images load_text)
out="$root/test-output/fuzz"; mkdir -p "$out"
# Leaks are checked by the sanitizer stage; here every other finding stops the run.
export ASAN_OPTIONS=detect_leaks=0:abort_on_error=1:symbolize=1
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
shopt -s nullglob
# One target: replay, then fuzz. Prints its result lines; returns 1 on failure.
one() {
  local t=$1 bin="$build/tests/fuzz/fuzz_$1"
  if [ ! -x "$bin" ]; then echo "fuzz $t: FAILED (no $bin)"; return 1; fi
  local files=("$here/$t"/seeds/* "$here/$t"/regressions/*)
  local log="$out/$t.log"
  # 1. Replay: each file once (a crash or a failed property check fails).
  if ! "$bin" "${files[@]}" >"$log" 2>&1; then
    echo "fuzz $t: FAILED replaying its seeds/regressions (see $log)"; tail -n 30 "$log"; return 1
  fi
  if [ "$secs" = 0 ]; then echo "fuzz $t: replayed ${#files[@]} files, OK"; return 0; fi
  # 2. Fuzz for a bounded time. -timeout: one input taking 30 s is a finding
  #    (generous: a loaded machine must not turn slowness into a false finding).
  local corpus="$build/fuzz-corpus/$t" r
  mkdir -p "$corpus"
  local dirs=("$corpus" "$here/$t/seeds"); [ -d "$here/$t/regressions" ] && dirs+=("$here/$t/regressions")
  if "$bin" -max_total_time="$secs" -timeout=30 -rss_limit_mb=2048 -print_final_stats=1 \
       -artifact_prefix="$out/$t-" "${dirs[@]}" >>"$log" 2>&1; then
    r=OK
  else
    r=FAILED
  fi
  local n
  n=$(grep -E '^stat::number_of_executed_units' "$log" | tail -n1 | awk '{print $2}')
  echo "fuzz $t: replayed ${#files[@]} files, ${n:-?} executions in ${secs}s, $r"
  if [ $r = FAILED ]; then
    grep -E 'ERROR: |runtime error|fuzz check failed|Test unit written' "$log" | head -n 8
    return 1
  fi
}

par=${NNPLAY_FUZZ_JOBS:-$(nproc)}
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$par" ]; do wait -n; done
  ( one "$t" >"$out/$t.result" 2>&1; echo $? >"$out/$t.status" ) &
done
wait
status=0
for t in "${targets[@]}"; do
  cat "$out/$t.result"
  [ "$(cat "$out/$t.status" 2>/dev/null)" = 0 ] || status=1
done
exit $status
