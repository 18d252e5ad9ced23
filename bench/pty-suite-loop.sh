#!/usr/bin/env bash
# The whole scenario suite on the pseudo-terminal rig (rigs/sim-pty.json: native serialport, a
# console port that vanishes with power, a serial relay), N times in a row as CI runs it (CI=1:
# 2 workers), counting runs and failed tests. A measurement, not a test: run it under the load
# you care about. Each run's output stays in $OUT/run-N.log.
#   bench/pty-suite-loop.sh [N=10] [extra playwright args...]
set -uo pipefail
cd "$(dirname "$0")/.."
n=${1:-10}
shift || true
out=${OUT:-reports/pty-loop}
mkdir -p "$out"
runs=0 failedRuns=0 failedTests=0 passedTests=0
for i in $(seq 1 "$n"); do
  log="$out/run-$i.log"
  CI=1 OTA_HIL_RIG=rigs/sim-pty.json OTA_HIL_REPORTS="$out/reports-$i" npx playwright test --reporter=line "$@" >"$log" 2>&1
  rc=$?
  runs=$((runs + 1))
  # Playwright's summary: "  N failed", "  N flaky", "  N passed (..)".
  f=$(grep -aEo '^ +[0-9]+ (failed|flaky)' "$log" | awk '{s+=$1} END {print s+0}')
  p=$(grep -aEo '^ +[0-9]+ passed' "$log" | awk '{s+=$1} END {print s+0}')
  [ "$rc" -ne 0 ] && [ "$f" -eq 0 ] && f=1 # no summary: the run itself failed
  failedTests=$((failedTests + f))
  passedTests=$((passedTests + p))
  [ "$f" -gt 0 ] && failedRuns=$((failedRuns + 1))
  echo "run $i: exit $rc, $p passed, $f failed (load $(cut -d' ' -f1 /proc/loadavg))"
  grep -aE '^ +[0-9]+\) ' "$log" | sed 's/^/    /'
done
echo "pty-rig suite: $runs runs, $failedRuns with failures, $failedTests failed tests, $passedTests passed tests"
[ "$failedRuns" -eq 0 ]
