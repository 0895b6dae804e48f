#!/usr/bin/env bash
# Hypervisor scenarios on QEMU (virt) and on our simulator (virt, fvp), 4 CPUs each.
# Usage: scripts/hypervisor-tests.sh SIM BUILD [SCENARIO...]
#
# A scenario is images/scenarios/<name>/ with <board>.dtsi (the /vms node
# added to the board's own device tree) and `expect` (one extended regular
# expression per line that the console must show; lines starting with `!`
# must not appear), and optionally `input`, bytes fed to the console. Every
# VM's memory base gets hvguest linked for that slot, loaded at base + 0x80000. A run also fails on any FAIL or PANIC line.
# Golden logs: images/scenarios/<name>/golden.log, compared after
# normalization (see normalize()) when present (not for scenarios with
# console input: prompts and VM lines share lines there); `UPDATE_GOLDEN=1`
# rewrites them from QEMU (sim for fvp).
# Ends with `hypervisor-tests: N passed, M failed`.
set -uo pipefail
SIM=${1:?usage: hypervisor-tests.sh SIM BUILD [SCENARIO...]}
BUILD=${2:?usage: hypervisor-tests.sh SIM BUILD [SCENARIO...]}
shift 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
SCEN=$ROOT/images/scenarios
WORK=$BUILD/hypervisor-tests
mkdir -p "$WORK"
TIMEOUT=${TIMEOUT:-120}
RUNNERS=${RUNNERS:-"qemu-virt sim-virt sim-fvp"}
passed=0; failed=0

make -s -C "$ROOT/Sources/Hypervisor" BOARD=virt BUILD="$BUILD" >/dev/null || exit 1
make -s -C "$ROOT/Sources/Hypervisor" BOARD=fvp BUILD="$BUILD" >/dev/null || exit 1
for b in virt fvp; do
  make -s -C "$ROOT/images/guests" BUILD="$BUILD/guests" "$BUILD/guests/$b/hvguest.elf" >/dev/null || exit 1
done
make -s -C "$SCEN" BUILD="$BUILD" >/dev/null || exit 1

# Timestamps, counts of milliseconds and addresses the run may vary in; VM
# lines interleave differently run to run (VMs run in parallel), so the
# normalized log is the sorted set of lines.
normalize() {
  tr -d '\r' | sed -E 's/[0-9]+ ms/N ms/g; s/PC 0x[0-9a-f]+/PC ADDR/g; s/counter [0-9]+ kHz/counter N kHz/; s/, RAM .*//' \
    | grep -v -E '^$|^qemu-system' | sort
}

scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=($(cd "$SCEN" && ls -d */ | tr -d /))

for name in "${scenarios[@]}"; do
  dir=$SCEN/$name
  for runner in $RUNNERS; do
    board=${runner#*-}
    [ -f "$dir/$board.dtsi" ] || continue
    out=$WORK/$name-$runner
    # The board's own device tree plus the scenario's /vms node.
    if [[ $runner == qemu-* ]]; then
      qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb=$out-base.dtb \
        -cpu cortex-a53 -smp 4 -m 1G -nographic >/dev/null 2>&1
    else
      "$SIM" --board "$board" --cpus 4 --dump-dtb "$out-base.dtb" >/dev/null 2>&1
    fi
    dtc -q -I dtb -O dts "$out-base.dtb" -o "$out-base.dts"
    printf '/include/ "%s"\n/include/ "%s"\n' "$out-base.dts" "$dir/$board.dtsi" > "$out.dts"
    if ! dtc -q -I dts -O dtb "$out.dts" -o "$out.dtb"; then
      echo "FAIL $name on $runner: $dir/$board.dtsi does not compile"; failed=$((failed + 1)); continue
    fi
    loads=()
    for base in $(grep -oE 'memory = <0x0 0x[0-9a-f]+' "$dir/$board.dtsi" | awk '{print $4}' | sort -u); do
      bin=$BUILD/scenarios/$board/hvguest-$base.bin
      [ -f "$bin" ] || continue
      addr=$(printf '0x%x' $((base + 0x80000)))
      if [[ $runner == qemu-* ]]; then loads+=(-device "loader,file=$bin,addr=$addr,force-raw=on")
      else loads+=(--load "$bin@$addr"); fi
    done
    input=/dev/null
    [ -f "$dir/input" ] && input=$dir/input
    if [[ $runner == qemu-* ]]; then
      timeout "$TIMEOUT" qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a53 \
        -smp 4 -m 1G -nographic -kernel "$BUILD/virt/minos.bin" -dtb "$out.dtb" "${loads[@]}" \
        <"$input" >"$out.log" 2>&1
    else
      timeout "$TIMEOUT" "$SIM" --board "$board" --cpus 4 --kernel "$BUILD/$board/minos.bin" \
        --dtb "$out.dtb" "${loads[@]}" --quiet <"$input" >"$out.log" 2>&1
    fi
    rc=$?
    problems=()
    [ $rc -eq 0 ] || problems+=("exit code $rc")
    while IFS= read -r pattern; do
      [ -z "$pattern" ] && continue
      if [[ $pattern == !* ]]; then
        grep -qE -- "${pattern#!}" "$out.log" && problems+=("unexpected: ${pattern#!}")
      else
        grep -qE -- "$pattern" "$out.log" || problems+=("missing: $pattern")
      fi
    done < "$dir/expect"
    grep -qE '(^|\] )FAIL|PANIC' "$out.log" && problems+=("$(grep -m1 -E '(^|\] )FAIL|PANIC' "$out.log")")
    golden=$dir/golden-$board.log
    if [ ${#problems[@]} -eq 0 ] && [ ! -f "$dir/input" ]; then
      if [ -n "${UPDATE_GOLDEN:-}" ] && [[ $runner == qemu-* || $board != virt ]]; then
        normalize < "$out.log" > "$golden"
      elif [ -f "$golden" ] && ! diff -q <(normalize < "$out.log") "$golden" >/dev/null; then
        problems+=("golden log differs: diff <(normalize < $out.log) $golden")
      fi
    fi
    if [ ${#problems[@]} -eq 0 ]; then
      echo "PASS $name on $runner"; passed=$((passed + 1))
    else
      echo "FAIL $name on $runner (log: $out.log)"; printf '    %s\n' "${problems[@]}"; failed=$((failed + 1))
    fi
  done
done
echo "hypervisor-tests: $passed passed, $failed failed"
[ $failed -eq 0 ]
