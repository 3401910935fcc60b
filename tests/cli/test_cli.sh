#!/usr/bin/env bash
# The native command line without a window: --train prints a table and exits
# 0 (a regression prints RMSE where a classification prints accuracy); a
# diverging session exits 3 with the divergence message; bad input
# exits non-zero with a message naming it. Usage: test_cli.sh path/to/nnplay
set -u
bin=$1
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
fails=0
check() {  # check NAME EXPECTED_RC PATTERN -- command...
  local name=$1 want=$2 pattern=$3; shift 4
  local out rc
  out=$("$@" 2>&1); rc=$?
  if [ "$rc" != "$want" ] || ! grep -qE -- "$pattern" <<<"$out"; then
    echo "FAIL $name: exit $rc (want $want), output:"; echo "$out" | head -20; fails=$((fails + 1))
  else
    echo "ok   $name"
  fi
}
check "preset trains" 0 '^done: 200 steps, train accuracy' -- "$bin" --preset momentum-vs-sgd --train 200
check "table rows" 0 '^ +200 ' -- "$bin" --preset momentum-vs-sgd --train 200
check "session file trains" 0 '^ +step +epoch' -- "$bin" "$here/diverges.json" --train 1
check "divergence exits 3" 3 'Training diverged at step' -- "$bin" "$here/diverges.json" --train 500
check "regression preset prints RMSE" 0 '^ +step +epoch +lr +batch loss +train loss +train RMSE +val RMSE$' -- "$bin" --preset regression-gaussians --train 50
check "regression preset trains" 0 '^done: 50 steps, train RMSE 0\.[0-9]{4}, validation RMSE 0\.[0-9]{4}$' -- "$bin" --preset regression-gaussians --train 50
check "regression divergence exits 3" 3 'Training diverged at step' -- "$bin" "$here/regression-diverges.json" --train 500
check "regression with softmax cannot train" 2 'choose a regression loss' -- "$bin" "$here/regression-softmax.json" --train 5
check "CSV points cannot train headless" 1 'holds 2 CSV points but no model' -- "$bin" "$here/curve.csv" --train 5
check "unknown preset" 1 'preset: no preset "nope"' -- "$bin" --preset nope --train 5
check "bad layout" 1 'ui: unknown layout "huge"' -- "$bin" --preset momentum-vs-sgd --ui huge --train 5
check "bad step count" 1 '--train takes a number' -- "$bin" --preset momentum-vs-sgd --train ten
check "kNN cannot train" 2 'kNN has no training steps' -- "$bin" --preset knn-1-vs-5 --train 5
check "missing file" 1 'cannot read' -- "$bin" /nonexistent/x.json --train 5
check "lists presets" 0 '^svm-vs-softmax$' -- "$bin" --list-presets
[ "$fails" = 0 ] && echo "cli: all passed" || { echo "cli: $fails failed"; exit 1; }
