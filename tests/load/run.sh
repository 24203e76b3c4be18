#!/usr/bin/env bash
# The whole suite beside busy processes, as on a shared CI runner or a laptop compiling something else.
# Usage: [NICE=19] tests/load/run.sh [BUSY] [RUNS] [pytest arguments...]
#   BUSY  processes that each keep one core at work (default 2)
#   RUNS  how many times the suite runs in a row (default 3); it stops at the first failing run
#   NICE  the suite's own niceness (default 0); 19 lets the busy processes win every contest for the CPU
set -euo pipefail
cd "$(dirname "$0")/../.."
busy="${1:-2}"
runs="${2:-3}"
shift $(( $# < 2 ? $# : 2 ))

pids=()
stop_busy() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; }
trap stop_busy EXIT
for _ in $(seq "$busy"); do
  .venv/bin/python -c 'while True: pass' &
  pids+=("$!")
done

for run in $(seq "$runs"); do
  echo "test under load: run $run of $runs beside $busy busy processes"
  started=$(date +%s)
  status=0
  nice -n "${NICE:-0}" .venv/bin/pytest -p no:cacheprovider "$@" || status=$?
  echo "test under load: run $run ended with status $status after $(( $(date +%s) - started )) s"
  [ "$status" = 0 ] || exit "$status"
done
