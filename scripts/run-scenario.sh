#!/usr/bin/env bash
# `make run`: boot a hypervisor scenario interactively (default linux-pair: two Linux VMs).
# Usage: scripts/run-scenario.sh SIM BUILD BOARD [SCENARIO]   (QEMU=1: on qemu-system-aarch64: virt, or raspi3b for rpi3)
# The scenario's dtsi gets INTERACTIVE defined: the Linux VMs keep their kernel log and end
# in a shell instead of powering off. Console: every VM line carries its [vmN] prefix; input goes
# to vm0 until Ctrl-] opens the Minos shell (vm list, vm console N, ps, exit); Ctrl-A X quits.
set -euo pipefail
SIM=${1:?usage: run-scenario.sh SIM BUILD BOARD [SCENARIO]}
BUILD=$(realpath -m "${2:?usage: run-scenario.sh SIM BUILD BOARD [SCENARIO]}")
BOARD=${3:?usage: run-scenario.sh SIM BUILD BOARD [SCENARIO]}
NAME=${4:-linux-pair}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/scenario-lib.sh"
scenario_build
runner=sim-$BOARD
[ -n "${QEMU:-}" ] && runner=qemu-$BOARD
mkdir -p "$BUILD/run"
scenario_prepare "$NAME" "$runner" "$BUILD/run/$NAME-$runner" INTERACTIVE || exit 1
cat <<EOF
== $NAME on $runner: Minos with its VMs (lines are prefixed [vmN]).
== Typing goes to vm0's shell. Ctrl-] opens the Minos shell: 'vm console 1' switches to vm1,
== 'vm list', 'ps', 'exit'. 'poweroff -f' in a VM stops that VM; Ctrl-A X quits.
EOF
[ -n "$HVC_FILE" ] && echo "== vm0's virtio console writes to $HVC_FILE"
if [[ $runner == qemu-* ]]; then exec "${RUN_CMD[@]}" -nographic
else exec "${RUN_CMD[@]}"; fi
