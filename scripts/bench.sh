#!/usr/bin/env bash
# `make bench`: host MIPS of fixed workloads on the release `sim`, next to QEMU (TCG) running the
# same ELF on the same machine. QEMU's MIPS is our retired-instruction count over QEMU's wall time
# (the workloads are deterministic, so both execute the same instruction stream); QEMU's time
# includes its start-up (~0.1 s).
set -euo pipefail
SIM=$1; BENCH=$2; BUSYBOX=${3:-}
# Each target's workload runs RUNS times (BENCH_RUNS, default 3), sim and QEMU alternating; the
# summary gives the median with the min and max of the runs.
RUNS=${BENCH_RUNS:-3}
# stats VALUES...: "median (min-max)" of the values, or "-" without any.
stats() {
  [ $# -gt 0 ] || { echo -; return; }
  local sorted; sorted=$(printf '%s\n' "$@" | sort -g | tr '\n' ' ')
  read -r -a v <<<"$sorted"
  printf '%.2f (%.2f-%.2f)' "${v[$(( ${#v[@]} / 2 ))]}" "${v[0]}" "${v[$(( ${#v[@]} - 1 ))]}"
}
printf '%-34s %12s %9s %9s %9s %9s\n' workload instructions sim_s sim_MIPS qemu_s qemu_MIPS
# machine NAME LABEL: workload NAME.elf on sim and on QEMU, one row.
machine() {
  local name=$1 label=$2 line insns simt mips start qt qmips
  line=$("$SIM" --board virt --kernel "$BENCH/$name.elf" 2>&1 >/dev/null | tail -1)
  insns=$(sed -E 's/.* ([0-9]+) instructions.*/\1/' <<<"$line")
  simt=$(sed -E 's/.* ([0-9.]+) s host.*/\1/' <<<"$line")
  mips=$(sed -E 's/.* ([0-9.]+) MIPS.*/\1/' <<<"$line")
  start=$(date +%s.%N)
  timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a53 -m 1G -nic none -nographic \
    -kernel "$BENCH/$name.elf" </dev/null >/dev/null 2>&1 || true
  qt=$(echo "$(date +%s.%N) - $start" | bc -l)
  qmips=$(echo "$insns / $qt / 1000000" | bc -l)
  printf '%-34s %12d %9.3f %9.1f %9.3f %9.1f   (sim/qemu speed %.2f)\n' "$label" "$insns" "$simt" "$mips" "$qt" "$qmips" "$(echo "$mips / $qmips" | bc -l)"
  [ "$name" = int ] && int_runs+=("$mips")
  return 0
}
int_runs=()
for k in $(seq "$RUNS"); do machine int "(a) integer compute loop"; done
machine mmu "(b) MMU on, TLB misses, exceptions"

# Workload (a) on the reference interpreter (--engine interpret; the rows above translate).
line=$("$SIM" --engine interpret --board virt --kernel "$BENCH/int.elf" 2>&1 >/dev/null | tail -1)
printf '%-34s %12d %9.3f %9.1f   (--engine interpret)\n' "(a) integer loop, interpreter" \
  "$(sed -E 's/.* ([0-9]+) instructions.*/\1/' <<<"$line")" "$(sed -E 's/.* ([0-9.]+) s host.*/\1/' <<<"$line")" \
  "$(sed -E 's/.* ([0-9.]+) MIPS.*/\1/' <<<"$line")"

# The debug build (`swift run sim`) on workload (a), next to the release build's figure above:
# the simulator's modules are optimised in debug builds too (Package.swift).
DEBUG_SIM=$(dirname "$(dirname "$SIM")")/debug/sim
if [ -x "$DEBUG_SIM" ]; then
  line=$("$DEBUG_SIM" --board virt --kernel "$BENCH/int.elf" 2>&1 >/dev/null | tail -1)
  printf '%-34s %12d %9.3f %9.1f   (debug build, swift run)\n' "(a) integer loop, debug build" \
    "$(sed -E 's/.* ([0-9]+) instructions.*/\1/' <<<"$line")" "$(sed -E 's/.* ([0-9.]+) s host.*/\1/' <<<"$line")" \
    "$(sed -E 's/.* ([0-9.]+) MIPS.*/\1/' <<<"$line")"
fi

# (c) A real workload in user mode: busybox gzip -9 over a fixed 4 MiB input.
gzip_runs=()
if [ -n "$BUSYBOX" ] && [ -f "$BUSYBOX" ]; then
  input=$(mktemp); trap 'rm -f "$input"' EXIT
  python3 -c "
import random, sys
r = random.Random(1234)
words = [''.join(r.choice('abcdefghijklmnopqrstuvwxyz') for _ in range(r.randint(2, 9))) for _ in range(500)]
out = []
n = 0
while n < (4 << 20):
    line = ' '.join(r.choice(words) for _ in range(12)) + ' %d\n' % r.randint(0, 99999)
    out.append(line); n += len(line)
sys.stdout.write(''.join(out)[:4 << 20])" >"$input"
  for k in $(seq "$RUNS"); do
    start=$(date +%s.%N)
    line=$("$SIM" user --stats "$BUSYBOX" gzip -9 -c "$input" 2>&1 >/dev/null | tail -1)
    simt=$(echo "$(date +%s.%N) - $start" | bc -l)
    insns=$(sed -E 's/.* ([0-9]+) instructions.*/\1/' <<<"$line")
    start=$(date +%s.%N)
    qemu-aarch64 -cpu cortex-a53 "$BUSYBOX" gzip -9 -c "$input" >/dev/null
    qt=$(echo "$(date +%s.%N) - $start" | bc -l)
    printf '%-34s %12d %9.3f %9.1f %9.3f %9.1f   (sim/qemu speed %.2f)\n' "(c) busybox gzip -9, 4 MiB (user)" "$insns" "$simt" \
      "$(echo "$insns / $simt / 1000000" | bc -l)" "$qt" "$(echo "$insns / $qt / 1000000" | bc -l)" "$(echo "$qt / $simt" | bc -l)"
    gzip_runs+=("$(echo "$simt / $qt" | bc -l)")
  done
fi

# (d) Debian's cloud kernel on virt, 1 CPU, entered at EL2 (KVM initialises), to the initramfs' poweroff, next to QEMU
# booting the same kernel and initramfs at EL2 (virtualization=on). (e) The same on fvp with 4 CPUs, next to QEMU's
# virt with 4 CPUs (QEMU has no FVP model; both boot the same kernel and initramfs to the same poweroff).
LINUX=${4:-}
boot_ratio_1=- boot_ratio_4=-
# boot LABEL SIM-BOARD CPUS: sets RATIO to sim wall / QEMU wall and prints the row.
boot() {
  local label=$1 board=$2 cpus=$3 start simt insns qt line
  start=$(date +%s.%N)
  line=$("$SIM" --board "$board" --cpus "$cpus" --kernel "$LINUX/Image" --initrd "$LINUX/initramfs.cpio.gz" --append "console=ttyAMA0" \
    --max-insns 16000000000 2>&1 >/dev/null | tail -1)
  simt=$(echo "$(date +%s.%N) - $start" | bc -l)
  insns=$(sed -E 's/.* ([0-9]+) instructions.*/\1/' <<<"$line")
  start=$(date +%s.%N)
  timeout 300 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a53 -smp "$cpus" -m 1G -nic none -nographic -no-reboot \
    -kernel "$LINUX/Image" -initrd "$LINUX/initramfs.cpio.gz" -append "console=ttyAMA0" </dev/null >/dev/null 2>&1 || true
  qt=$(echo "$(date +%s.%N) - $start" | bc -l)
  RATIO=$(echo "$simt / $qt" | bc -l)
  printf '%-34s %12d %9.3f %9.1f %9.3f %9s   (sim/qemu wall %.2f)\n' "$label" "$insns" "$simt" \
    "$(echo "$insns / $simt / 1000000" | bc -l)" "$qt" "-" "$RATIO"
}
a53_mips=- functional_mips=-
declare -A insns=()
if [ -n "$LINUX" ] && [ -f "$LINUX/Image" ]; then
  boot1_runs=() boot4_runs=()
  for k in $(seq "$RUNS"); do boot "(d) Linux boot to poweroff (virt)" virt 1; boot1_runs+=("$RATIO"); done
  for k in $(seq "$RUNS"); do boot "(e) Linux boot, fvp 4 CPUs" fvp 4; boot4_runs+=("$RATIO"); done
  # (g) The boot of (d) under each timing model (the timing issue M2.5): the summary line's own MIPS,
  # three runs each, alternating, printed as median (min-max); the target uses the median.
  declare -A runs=()
  for k in 1 2 3; do
    for timing in simple a53; do
      line=$("$SIM" --board virt --cpus 1 --timing $timing --kernel "$LINUX/Image" --initrd "$LINUX/initramfs.cpio.gz" \
        --append "console=ttyAMA0" --max-insns 16000000000 2>&1 >/dev/null | tail -1)
      runs[$timing]+="$(sed -E 's/.* ([0-9.]+) MIPS.*/\1/' <<<"$line") "
      insns[$timing]=$(sed -E 's/.* ([0-9]+) instructions.*/\1/' <<<"$line")
    done
  done
  for timing in simple a53; do
    read -r lo mid hi < <(tr ' ' '\n' <<<"${runs[$timing]}" | grep . | sort -n | tr '\n' ' '; echo)
    printf '%-34s %12d %9s %9.1f   (MIPS of 3 runs: min %s, max %s)\n' "(g) Linux boot (virt), --timing $timing" "${insns[$timing]}" "-" "$mid" "$lo" "$hi"
    [ $timing = a53 ] && a53_mips=$mid || functional_mips=$mid
  done
fi

# (f) The hypervisor scenario, and the issue's targets next to what this run measured.
BUILD=${5:-}
pair_runs=()
if [ -n "$BUILD" ]; then
  for k in $(seq "$RUNS"); do
    line=$("$(dirname "$0")/bench-scenario.sh" "$SIM" "$BUILD" linux-pair)
    echo "$line"
    r=$(sed -nE 's/.* ratio ([0-9.]+) .*/\1/p' <<<"$line")
    [ -n "$r" ] && pair_runs+=("$r")
  done
fi
# target LABEL GOAL VALUES...: one row of the summary, median (min-max) of the runs ("not run"
# when the workload was skipped).
target() {
  local label=$1 goal=$2; shift 2
  if [ $# = 0 ]; then printf '  %-40s %22s   %s\n' "$label" "not run" "$goal"
  else printf '  %-40s %22s   %s\n' "$label" "$(stats "$@")" "$goal"; fi
}
printf '\n%-42s %22s   %s\n' "targets (speed issue M2.7)" "median (min-max), $RUNS runs" "target"
target "Linux boot, virt 1 CPU: sim/qemu wall" "<= 2.0" ${boot1_runs[@]+"${boot1_runs[@]}"}
target "Linux boot, fvp 4 CPUs: sim/qemu wall" "<= 2.0" ${boot4_runs[@]+"${boot4_runs[@]}"}
target "gzip -9 (sim user): sim/qemu-aarch64" "<= 3.0" ${gzip_runs[@]+"${gzip_runs[@]}"}
target "integer loop: MIPS" ">= 1000" ${int_runs[@]+"${int_runs[@]}"}
target "linux-pair: sim/qemu wall" "<= 1.0" ${pair_runs[@]+"${pair_runs[@]}"}
printf '%-42s %22s   %s\n' "targets (timing issue M2.5)" "median (min-max)" "target"
target "Linux boot, --timing a53: MIPS" ">= 100 (--timing simple: $functional_mips)" $([ "$a53_mips" = - ] || echo "$a53_mips")
