#!/usr/bin/env bash
# Wall time of one hypervisor scenario on our simulator next to QEMU running the same minos.bin
# and guests (board virt, the one both model), for `make bench`.
# Usage: scripts/bench-scenario.sh SIM BUILD [SCENARIO]   (default linux-pair)
# Prints one line: `scenario <name>: sim X s, qemu Y s, ratio Z (...)`, ratio = sim / qemu; a run
# that does not end with every VM stopped prints `scenario <name>: FAILED ...` and exits 1.
# QEMU's time is host time (MTTCG, one thread per CPU); ours is one host thread for all CPUs.
set -uo pipefail
SIM=${1:?usage: bench-scenario.sh SIM BUILD [SCENARIO]}
BUILD=$(realpath -m "${2:?usage: bench-scenario.sh SIM BUILD [SCENARIO]}")
NAME=${3:-linux-pair}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/scenario-lib.sh"
scenario_build || exit 1
WORK=$BUILD/bench-scenario
mkdir -p "$WORK"

# run RUNNER: boots the scenario once; sets SECS (wall seconds) and leaves the log in $WORK.
run() {
  local runner=$1 out=$WORK/$NAME-$1 start end
  scenario_prepare "$NAME" "$runner" "$out" >/dev/null || { echo "scenario $NAME: FAILED to prepare $runner"; exit 1; }
  start=$(date +%s.%N)
  if [[ $runner == qemu-* ]]; then timeout 300 "${RUN_CMD[@]}" -nographic </dev/null >"$out.log" 2>&1
  else timeout 300 "${RUN_CMD[@]}" </dev/null >"$out.log" 2>&1; fi
  local rc=$?
  end=$(date +%s.%N)
  SECS=$(echo "$end - $start" | bc)
  if [ $rc -ne 0 ] || ! grep -q "minos: all VMs stopped" "$out.log"; then
    echo "scenario $NAME: FAILED on $runner (exit $rc, log $out.log)"; exit 1
  fi
}

run sim-virt; sim=$SECS
insns=$(grep -oE '[0-9]+ instructions' "$WORK/$NAME-sim-virt.log" | awk '{print $1}')
run qemu-virt; qemu=$SECS
printf 'scenario %s: sim %.1f s, qemu %.1f s, ratio %.2f (board virt, 4 CPUs; sim %.2f G instructions, %.0f MIPS)\n' \
  "$NAME" "$sim" "$qemu" "$(echo "$sim / $qemu" | bc -l)" "$(echo "${insns:-0} / 1000000000" | bc -l)" \
  "$(echo "${insns:-0} / $sim / 1000000" | bc -l)"
