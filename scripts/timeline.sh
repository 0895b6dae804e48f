#!/usr/bin/env bash
# `make timeline`: boots a hypervisor scenario (default linux-pair) on sim's virt board with
# --timeline, checks the trace against the trace-event format (scripts/timeline-check.py) and
# draws its summary picture (scripts/timeline-png.py): per-core occupancy by VM over time and a
# histogram of exits to EL2 by reason.
# Usage: scripts/timeline.sh SIM BUILD [SCENARIO]   Writes BUILD/timeline/SCENARIO.{json,png,log}.
set -uo pipefail
SIM=$(realpath "${1:?usage: timeline.sh SIM BUILD [SCENARIO]}")
BUILD=$(realpath -m "${2:?usage: timeline.sh SIM BUILD [SCENARIO]}")
NAME=${3:-linux-pair}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/scenario-lib.sh"
scenario_build || { echo "timeline: cannot build the hypervisor"; exit 1; }
OUT=$BUILD/timeline
mkdir -p "$OUT"
scenario_prepare "$NAME" sim-virt "$OUT/$NAME" >/dev/null || { echo "timeline: cannot prepare $NAME"; exit 1; }
timeout 600 "${RUN_CMD[@]}" --timeline "$OUT/$NAME.json" </dev/null >"$OUT/$NAME.log" 2>&1
rc=$?
if [ $rc -ne 0 ] || ! grep -q "minos: all VMs stopped" "$OUT/$NAME.log"; then
  echo "timeline: $NAME did not finish (exit $rc, log $OUT/$NAME.log)"; exit 1
fi
# Debian's python3 (python3-jsonschema, python3-matplotlib from make setup), whatever else is on PATH.
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
rm -f "$OUT/$NAME.png"
"$PY" "$ROOT/scripts/timeline-check.py" "$OUT/$NAME.json" || exit 1
"$PY" "$ROOT/scripts/timeline-png.py" "$OUT/$NAME.json" "$OUT/$NAME.png" >/dev/null || exit 1
echo "timeline: $OUT/$NAME.json ($(du -h "$OUT/$NAME.json" | cut -f1)), $OUT/$NAME.png"
