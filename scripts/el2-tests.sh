#!/usr/bin/env bash
# EL2 virtualization tests: images/guests/el2test on QEMU (the oracle) and on
# the release `sim` (virt and fvp). Every board must pass every check, and
# sim's PASS/FAIL sequence (status and check name, in order) must equal QEMU's.
# Usage: el2-tests.sh SIM BUILD_DIR      Ends with "el2-tests: N passed, M failed".
set -uo pipefail
SIM=$(realpath "$1"); BUILD=$(realpath "$2")
G=$BUILD/guests
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
source "$(dirname "$0")/units.sh"
pass=0; fail=0
ok()  { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1: $2"; }
summary='^el2test: [0-9]+ passed, [0-9]+ failed'

# checks FILE: the "PASS name" / "FAIL name" sequence, details dropped.
checks() { grep -E '^(PASS|FAIL) ' "$1" | sed -E 's/^((PASS|FAIL) [^:]*).*/\1/'; }

# judge NAME FILE EXIT: the run powered off (exit 0), printed its summary, and failed nothing.
judge() {
  local name=$1 out=$2 rc=$3
  if [ "$rc" != 0 ]; then bad "$name" "exit $rc: $(tail -3 "$out" | tr '\n' ' ')"; return 1; fi
  if ! grep -Eq "$summary" "$out"; then bad "$name" "no summary line: $(tail -3 "$out" | tr '\n' ' ')"; return 1; fi
  if grep -q '^FAIL ' "$out" || ! grep -Eq '^el2test: [0-9]+ passed, 0 failed' "$out"; then
    bad "$name" "$(grep -E '^FAIL |^el2test:.*failed' "$out" | head -20 | tr '\n' ';')"; return 1
  fi
  ok "$name ($(grep -Eo '[0-9]+ passed' "$out"))"
}

# The oracle. A missing QEMU is a failure, not a skip. Run once per process, judged in unit qemu-virt.
if ! listing && ! command -v qemu-system-aarch64 >/dev/null; then
  bad "qemu-virt" "qemu-system-aarch64 not found (Debian package qemu-system-arm; run make setup)"
  echo "el2-tests: $pass passed, $fail failed"; exit 1
fi
qemu_rc=
oracle() {
  [ -n "$qemu_rc" ] && return
  timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a53 -nic none \
    -nographic -no-reboot -kernel "$G/virt/el2test.elf" </dev/null >"$T/qemu.txt" 2>&1
  qemu_rc=$?
  checks "$T/qemu.txt" >"$T/qemu.checks"
}
if unit qemu-virt; then
  oracle
  judge "qemu-virt" "$T/qemu.txt" "$qemu_rc"
  [ -s "$T/qemu.checks" ] || bad "qemu-checks" "QEMU printed no PASS/FAIL lines"
fi

for b in virt fvp; do
  unit "sim-$b" || continue
  oracle
  timeout 300 "$SIM" --board $b --kernel "$G/$b/el2test.elf" --max-insns 500000000 </dev/null >"$T/$b.txt" 2>&1
  judge "sim-$b" "$T/$b.txt" $?
  checks "$T/$b.txt" >"$T/$b.checks"
  if [ -s "$T/qemu.checks" ] && cmp -s "$T/qemu.checks" "$T/$b.checks"; then ok "sim-$b-same-as-qemu"
  else bad "sim-$b-same-as-qemu" "$(diff "$T/qemu.checks" "$T/$b.checks" | grep '^[<>]' | head -20 | tr '\n' ';')"; fi
done

# Self-hosted debug (eltest's "debug." checks: breakpoints, watchpoints, software step, their
# enables and MDCR_EL2.TDE routing) on QEMU and on sim virt, both entered at EL2: sim passes every
# check, and QEMU gives the same PASS/FAIL line for each except those Tests/debug/qemu-differences.txt
# documents (which must still differ).
if unit self-hosted-debug; then
  debug_checks() { grep -E '^(PASS|FAIL|SKIP) debug\.' "$1" | sed -E 's/^((PASS|FAIL|SKIP) [^:]*).*/\1/'; }
  timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a53 -nic none \
    -nographic -no-reboot -kernel "$G/virt/eltest.elf" </dev/null >"$T/debug-qemu.txt" 2>&1
  timeout 120 "$SIM" --board virt --kernel "$G/virt/eltest.elf" </dev/null >"$T/debug-sim.txt" 2>&1
  debug_checks "$T/debug-qemu.txt" >"$T/debug-qemu.checks"
  debug_checks "$T/debug-sim.txt" >"$T/debug-sim.checks"
  documented=$(grep -vE '^(#|$)' "$(dirname "$0")/../Tests/debug/qemu-differences.txt" | sort)
  differing=$(diff "$T/debug-qemu.checks" "$T/debug-sim.checks" | sed -nE 's/^[<>] (PASS|FAIL|SKIP) //p' | sort -u)
  simfails=$(grep -E '^FAIL debug\.' "$T/debug-sim.txt" | head -5 | tr '\n' ';')
  n=$(grep -c '^PASS' "$T/debug-sim.checks")
  if [ "$n" -lt 20 ]; then bad "self-hosted-debug" "sim ran $n debug checks (want at least 20): $(tail -2 "$T/debug-sim.txt" | tr '\n' ' ')"
  elif [ -n "$simfails" ]; then bad "self-hosted-debug" "sim: $simfails"
  elif [ "$differing" != "$documented" ]; then
    bad "self-hosted-debug" "QEMU and sim differ on: $(echo $differing); documented: $(echo $documented)"
  else ok "self-hosted-debug ($n checks; same as QEMU but $(echo "$documented" | grep -c .) documented)"; fi
fi

# The system-register map at EL0, EL1 and under EL2's traps next to QEMU's, encoding by encoding (scripts/sysreg-sweep.sh).
if unit sysreg-sweep; then
  out=$("$(dirname "$0")/sysreg-sweep.sh" "$SIM" "$BUILD" 2>&1)
  if grep -q '^PASS ' <<<"$out"; then grep '^PASS ' <<<"$out"; pass=$((pass + 1))
  elif grep -q '^FAIL ' <<<"$out"; then grep '^FAIL ' <<<"$out"; fail=$((fail + 1))
  else bad "sysreg-sweep" "the sweep did not run: $(tail -2 <<<"$out" | tr '\n' ' ')"; fi
fi

# Firmware-faithful EL2 entry: images/guests/el1drop, entered at EL2, drops to EL1 with only
# HCR_EL2.RW and an ERET and uses the counter, timer, PMU, GIC registers and FP/SIMD there. It must
# pass everywhere, and print on each sim board the same PASS/FAIL lines as on QEMU.
if unit el1drop; then
  timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a53 -nic none \
    -nographic -no-reboot -kernel "$G/virt/el1drop.elf" </dev/null >"$T/drop-qemu.txt" 2>&1
  checks "$T/drop-qemu.txt" >"$T/drop-qemu.checks"
  for b in virt fvp; do
    timeout 60 "$SIM" --board $b --kernel "$G/$b/el1drop.elf" </dev/null >"$T/drop-$b.txt" 2>&1
    checks "$T/drop-$b.txt" >"$T/drop-$b.checks"
    n=$(grep -c '^PASS' "$T/drop-$b.checks")
    if grep -q '^FAIL' "$T/drop-$b.txt" "$T/drop-qemu.txt" || ! grep -q '^el1drop: [0-9]* passed, 0 failed' "$T/drop-$b.txt"; then
      bad "el1drop-$b" "$(grep -hE '^FAIL|^el1drop:' "$T/drop-qemu.txt" "$T/drop-$b.txt" | head -4 | tr '\n' ';')"
    elif [ "$n" -lt 10 ] || ! cmp -s "$T/drop-qemu.checks" "$T/drop-$b.checks"; then
      bad "el1drop-$b" "sim $n checks, not QEMU's: $(diff "$T/drop-qemu.checks" "$T/drop-$b.checks" | grep '^[<>]' | head -4 | tr '\n' ';')"
    else ok "el1drop-$b ($n checks, same as QEMU)"; fi
  done
fi

# GICv2 with the virtualization extensions (images/guests/gicv2test, two CPUs): distributor, SGI
# targeting and sources, priorities, active states, GICH list registers, GICV and the maintenance
# interrupt, on QEMU gic-version=2 and on sim --gic v2: every check passes, the same on both.
if unit gicv2test; then
  timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=2 -cpu cortex-a53 -smp 2 -nic none \
    -nographic -no-reboot -kernel "$G/virt/gicv2test.elf" </dev/null >"$T/v2-qemu.txt" 2>&1
  timeout 60 "$SIM" --board virt --gic v2 --cpus 2 --kernel "$G/virt/gicv2test.elf" </dev/null >"$T/v2-sim.txt" 2>&1
  checks "$T/v2-qemu.txt" >"$T/v2-qemu.checks"
  checks "$T/v2-sim.txt" >"$T/v2-sim.checks"
  n=$(grep -c '^PASS' "$T/v2-sim.checks")
  if grep -q '^FAIL' "$T/v2-sim.txt" "$T/v2-qemu.txt" || ! grep -q '^gicv2test: [0-9]* passed, 0 failed' "$T/v2-sim.txt"; then
    bad "gicv2test" "$(grep -hE '^FAIL|^gicv2test:' "$T/v2-qemu.txt" "$T/v2-sim.txt" | head -4 | tr '\n' ';')"
  elif [ "$n" -lt 25 ] || ! cmp -s "$T/v2-qemu.checks" "$T/v2-sim.checks"; then
    bad "gicv2test" "sim $n checks, not QEMU's: $(diff "$T/v2-qemu.checks" "$T/v2-sim.checks" | grep '^[<>]' | head -4 | tr '\n' ';')"
  else ok "gicv2test ($n checks, same as QEMU)"; fi
fi

# The SMMUv3 model from bare metal (images/guests/smmutest, sim virt --iommu smmuv3,stage=2 only: QEMU 7.2's
# SMMU has no stage 2 and translates PCI devices only): stream tables, STEs, stage-2 faults in the
# event queue, STE and translation invalidation, command errors, with the disk of virtio-mmio
# slot 31 doing the DMA.
if unit smmutest; then
  { printf 'smmutest sector 0\n'; head -c $((1048576 - 18)) /dev/zero; } >"$T/smmutest.img"
  timeout 60 "$SIM" --board virt --iommu smmuv3,stage=2 --drive "file=$T/smmutest.img,mode=snapshot" --kernel "$G/virt/smmutest.elf" \
    </dev/null >"$T/smmutest.txt" 2>&1
  n=$(grep -c '^PASS' "$T/smmutest.txt")
  if grep -q '^FAIL' "$T/smmutest.txt" || ! grep -q '^smmutest: [0-9]* passed, 0 failed' "$T/smmutest.txt" || [ "$n" -lt 12 ]; then
    bad "smmutest" "$(grep -hE '^FAIL|^smmutest:' "$T/smmutest.txt" | head -4 | tr '\n' ';')"
  else ok "smmutest ($n checks)"; fi
fi

echo "el2-tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
