#!/usr/bin/env bash
# Hypervisor scenarios on QEMU (virt with a GICv3 and with a GICv2, rpi3) and on our simulator
# (the same, fvp, espressobin), 4 CPUs each (espressobin 2).
# Usage: scripts/hypervisor-tests.sh SIM BUILD [SCENARIO...]
#
# A scenario is images/scenarios/<name>/ (layout: scripts/scenario-lib.sh): <board>.dtsi
# (the /vms node), what to load (hvguest per VM, or a `loads` list: Linux kernels and
# initramfs images), virtio `devices`, and `expect` (or `expect-<board>` where the board's
# CPU count changes what the scenario shows, `expect-<runner>` where one runner's limits do; one
# extended regular expression per line
# that the console must show; lines starting with `!` must not appear; @DISK_MD5@ stands for
# the block device image's md5), and optionally `input`, bytes fed to the console, and `order`:
# sequences of extended regular expressions (one a line, sequences separated by blank lines,
# `#` lines are comments) whose first matches must come in that order in the log, each after the
# previous one's line. A run also fails on any FAIL or PANIC line, except on a QEMU runner the FAIL
# lines its `qemu-differences` documents (`<runner> <extended regular expression>` lines, `#`
# comments: where QEMU 7.2 itself departs from the architecture); each documented line must
# still appear there, so the file stays true. Such a QEMU run has no golden log (the board's golden
# log comes from sim instead).
# Golden logs: images/scenarios/<name>/golden-<board>.log, compared after normalization
# (scenario-lib.sh normalize(), the one place its rules live) when present (not for scenarios
# with console input: prompts and VM lines share lines there); a difference prints the diff.
# `UPDATE_GOLDEN=1` rewrites them from QEMU (sim for fvp).
# After the scenarios, when linux-pair ran: a self-test of the golden comparison (golden_selftest,
# QEMU) and make run's console multiplexing driven through a pty (scripts/interactive-check.py, sim fvp).
# Ends with `hypervisor-tests: N passed, M failed`.
set -uo pipefail
SIM=${1:?usage: hypervisor-tests.sh SIM BUILD [SCENARIO...]}
BUILD=$(realpath -m "${2:?usage: hypervisor-tests.sh SIM BUILD [SCENARIO...]}")
shift 2
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/scenario-lib.sh"
source "$ROOT/scripts/units.sh"
WORK=$BUILD/hypervisor-tests
mkdir -p "$WORK"
TIMEOUT=${TIMEOUT:-120}
RUNNERS=${RUNNERS:-"qemu-virt sim-virt qemu-virt-gicv2 sim-virt-gicv2 sim-fvp sim-espressobin sim-rpi3 qemu-rpi3"}
passed=0; failed=0

# What every unit reads is built once: in the listing pass (scripts/regress.py sets
# REGRESS_PREPARED for the unit runs that follow it) or before a whole run.
if [ -z "${REGRESS_PREPARED:-}" ]; then
  scenario_build || { echo "FAIL scenario-build: the hypervisor, guests or scenario images do not build"; exit 1; }
  scenario_disk "$BUILD/scenario-disk.img" && scenario_sdcard "$BUILD/scenario-sdcard.img" \
    || { echo "FAIL scenario-build: cannot make the scenario disk or SD card images"; exit 1; }
fi

# check_order ORDER LOG: adds to the caller's `problems` when a sequence of ORDER is out of order.
check_order() {
  local after=0 pattern n
  while IFS= read -r pattern; do
    [[ $pattern == \#* ]] && continue
    if [ -z "$pattern" ]; then after=0; continue; fi          # a new sequence starts over
    [ "$after" = lost ] && continue
    n=$(P=$pattern awk -v s="$after" 'NR > s && $0 ~ ENVIRON["P"] { print NR; exit }' "$2")
    if [ -z "$n" ]; then
      problems+=("out of order: no '$pattern' after line $after")
      after=lost
    else
      after=$n
    fi
  done < "$1"
}

# check NAME RUNNER: boot one scenario on one runner, print PASS or FAIL with the problems.
check() {
  local name=$1 runner=$2 board=${2#*-} machine
  machine=$(board_machine "$board")
  local dir=$SCEN/$name out=$WORK/$1-$2
  if ! scenario_prepare "$name" "$runner" "$out" >"$out.prepare"; then
    echo "FAIL $name on $runner: $(cat "$out.prepare")"; failed=$((failed + 1)); return
  fi
  local input=/dev/null
  [ -f "$dir/input" ] && input=$dir/input
  if [[ $runner == qemu-* ]]; then
    timeout "$TIMEOUT" "${RUN_CMD[@]}" -nographic <"$input" >"$out.log" 2>&1
  else
    timeout "$TIMEOUT" "${RUN_CMD[@]}" --quiet <"$input" >"$out.log" 2>&1
  fi
  local rc=$?
  # QEMU's virtio console went to a file; on sim it shares the console.
  [ -n "$HVC_FILE" ] && [ -f "$HVC_FILE" ] && cat "$HVC_FILE" >> "$out.log"
  local problems=()
  # A board whose CPU count changes what a scenario can show has its own expect-<board>, a runner
  # whose limits do (documented in qemu-differences) its expect-<runner>.
  # A virt-gicv2 runner reads virt's files where it has none of its own (sim-virt-gicv2 then sim-virt).
  local expect=$dir/expect machine_runner=${runner%%-*}-$machine f
  for f in "expect-$machine" "expect-$board" "expect-$machine_runner" "expect-$runner"; do
    [ -f "$dir/$f" ] && expect=$dir/$f
  done
  [ $rc -eq 0 ] || problems+=("exit code $rc")
  while IFS= read -r pattern; do
    [ -z "$pattern" ] && continue
    pattern=${pattern//@DISK_MD5@/$DISK_MD5}
    if [[ $pattern == !* ]]; then
      grep -qE -- "${pattern#!}" "$out.log" && problems+=("unexpected: ${pattern#!}")
    else
      grep -qE -- "$pattern" "$out.log" || problems+=("missing: $pattern")
    fi
  done < "$expect"
  [ -f "$dir/order" ] && check_order "$dir/order" "$out.log"
  # QEMU's documented departures: tolerated where documented, and required to still be there.
  local known=() k r
  if [[ $runner == qemu-* && -f $dir/qemu-differences ]]; then
    while read -r r k; do [[ $r == "$runner" || $r == "$machine_runner" ]] && known+=("$k"); done < <(grep -vE '^(#|$)' "$dir/qemu-differences")
  fi
  for k in "${known[@]}"; do grep -qE -- "$k" "$out.log" || problems+=("documented QEMU difference not seen (qemu-differences): $k"); done
  local failures
  failures=$(grep -E '(^|\] )FAIL|PANIC' "$out.log" | { if [ ${#known[@]} -gt 0 ]; then grep -vE -f <(printf '%s\n' "${known[@]}"); else cat; fi; })
  [ -n "$failures" ] && problems+=("$(head -1 <<<"$failures")")
  # The golden log: written (UPDATE_GOLDEN) by QEMU for virt, by sim for the other boards; a QEMU
  # run with documented differences has none, and sim-virt writes virt's instead.
  local golden=$dir/golden-$board.log writer=0
  [[ $runner == qemu-* || $machine != virt ]] && writer=1
  [ ${#known[@]} -gt 0 ] && golden=""
  [[ $runner == sim-* && $machine == virt && -f $dir/qemu-differences ]] && grep -qE "^qemu-($machine|$board) " "$dir/qemu-differences" && writer=1
  # A scenario QEMU does not run (its `runners` name no qemu-<board>): sim writes the golden.
  [[ $runner == sim-* && -f $dir/runners && " $(cat "$dir/runners") " != *" qemu-$board "* ]] && writer=1
  if [ ${#problems[@]} -eq 0 ] && [ ! -f "$dir/input" ] && [ -n "$golden" ]; then
    if [ -n "${UPDATE_GOLDEN:-}" ] && [ "$writer" = 1 ]; then
      normalize < "$out.log" > "$golden"
    elif [ -f "$golden" ] && ! normalize < "$out.log" | diff -q - "$golden" >/dev/null; then
      problems+=("golden log differs (- $golden, + this run, normalized):")
      while IFS= read -r l; do problems+=("  $l"); done < <(normalize < "$out.log" | diff -U0 "$golden" - | grep -E '^[-+][^-+]' | head -20)
    fi
  fi
  if [ ${#problems[@]} -eq 0 ]; then
    echo "PASS $name on $runner"; passed=$((passed + 1))
  else
    echo "FAIL $name on $runner (log: $out.log)"; printf '    %s\n' "${problems[@]}"; failed=$((failed + 1))
  fi
}

# golden_selftest: the golden comparison must catch a one-line change to a guest's init. Builds
# an initramfs whose vm-init prints one line differently, boots linux-pair with it on QEMU, and
# passes only if that run FAILs with a diff naming the changed line (- old, + new).
golden_selftest() {
  local t; t=$(mktemp -d); trap 'rm -rf "$t"' RETURN
  sed 's/\(echo "MINOS-VM: work: arithmetic \$sum\)"/\1 (changed by the golden self-test)"/' \
    "$ROOT/images/linux/vm-init" > "$t/vm-init"
  if cmp -s "$t/vm-init" "$ROOT/images/linux/vm-init"; then
    echo "FAIL golden-selftest: the arithmetic line of images/linux/vm-init was not found to change"; failed=$((failed + 1)); return
  fi
  "$ROOT/images/linux/build-initramfs.sh" "$ROOT/images/cache" "$t/vm-init" "$t/initramfs.cpio.gz" >/dev/null
  local out
  out=$(passed=0 failed=0; SCENARIO_OVERRIDE="linux/vm-initramfs.cpio.gz=$t/initramfs.cpio.gz" WORK=$t UPDATE_GOLDEN= \
        check linux-pair qemu-virt)
  if [[ $out == FAIL* ]] && grep -qE '^ +\+\[vm1\] MINOS-VM: work: arithmetic [0-9]+ \(changed by the golden self-test\)$' <<<"$out" \
     && grep -qE '^ +-\[vm1\] MINOS-VM: work: arithmetic [0-9]+$' <<<"$out"; then
    echo "PASS golden-selftest"; passed=$((passed + 1))
  else
    echo "FAIL golden-selftest: the changed init line was not reported as a golden-log difference:"
    sed 's/^/    /' <<<"$out"; failed=$((failed + 1))
  fi
}

scenarios=("$@")
[ ${#scenarios[@]} -eq 0 ] && scenarios=($(cd "$SCEN" && ls -d */ | tr -d /))

for name in "${scenarios[@]}"; do
  for runner in $RUNNERS; do
    [ -f "$SCEN/$name/$(board_machine "${runner#*-}").dtsi" ] || continue
    if [ -f "$SCEN/$name/runners" ] && [[ " $(cat "$SCEN/$name/runners") " != *" $runner "* ]]; then continue; fi
    unit "$name@$runner" || continue
    check "$name" "$runner"
  done
done
if [[ " ${scenarios[*]} " == *" linux-pair "* && " $RUNNERS " == *" qemu-virt "* && -z ${UPDATE_GOLDEN:-} ]] && unit golden-selftest; then
  golden_selftest
fi
# make run as a user drives it (pty, Ctrl-], vm console 1), on its default board.
if [[ " ${scenarios[*]} " == *" linux-pair "* && " $RUNNERS " == *" sim-fvp "* && -z ${UPDATE_GOLDEN:-} ]] && unit interactive-fvp; then
  if python3 "$ROOT/scripts/interactive-check.py" "$SIM" "$BUILD" fvp > "$WORK/interactive.out" 2>&1; then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
  fi
  grep -v '^==' "$WORK/interactive.out"
fi
# gdb-multiarch against sim --gdb on the mixed scenario: breakpoint, registers, stepi, watchpoint,
# threads, and a run identical to one without gdb (scripts/gdb-check.sh).
if [[ " ${scenarios[*]} " == *" mixed "* && " $RUNNERS " == *" sim-fvp "* && -z ${UPDATE_GOLDEN:-} ]] && unit gdb-fvp; then
  out=$("$ROOT/scripts/gdb-check.sh" "$SIM" "$BUILD" 2>&1)
  grep -E '^(PASS|FAIL) ' <<<"$out" || echo "FAIL gdb-fvp: $(tail -2 <<<"$out" | tr '\n' ' ')"
  if grep -q '^FAIL ' <<<"$out" || ! grep -q '^PASS ' <<<"$out"; then failed=$((failed + 1)); else passed=$((passed + 1)); fi
fi
# --timeline on linux-pair: a trace that validates against the trace-event schema and shows the
# hypervisor, both VMs, exits, injections, markers and console lines; its picture is drawn.
if [[ " ${scenarios[*]} " == *" linux-pair "* && " $RUNNERS " == *" sim-virt "* && -z ${UPDATE_GOLDEN:-} ]] && unit timeline-virt; then
  out=$("$ROOT/scripts/timeline.sh" "$SIM" "$BUILD" linux-pair 2>&1)
  grep -E '^(PASS|FAIL) ' <<<"$out" || echo "FAIL timeline-virt: $(tail -2 <<<"$out" | tr '\n' ' ')"
  if grep -q '^FAIL ' <<<"$out" || ! grep -q '^PASS ' <<<"$out" || [ ! -s "$BUILD/timeline/linux-pair.png" ]; then
    failed=$((failed + 1)); else passed=$((passed + 1)); fi
fi
# The card a user flashes (make image BOARD=espressobin), booted as the board boots it: Debian's
# U-Boot runs its distro boot, finds boot.scr on the card, loads the guests, Minos and its tree,
# and booti's Minos, whose two Linux VMs run to the end. The booted file is the one make-image left.
if [[ " ${scenarios[*]} " == *" linux-pair "* && " $RUNNERS " == *" sim-espressobin "* && -z ${UPDATE_GOLDEN:-} ]] && unit image-espressobin; then
  problems=()
  if ! "$ROOT/scripts/make-image.sh" "$SIM" "$BUILD" espressobin >"$WORK/image.out" 2>&1; then
    problems+=("make-image failed: $(tail -2 "$WORK/image.out" | tr '\n' ' ')")
  else
    card=$BUILD/espressobin/sdcard.img
    made=$(sed -nE 's/.* md5 ([0-9a-f]{32})$/\1/p' "$WORK/image.out")
    booted=$(md5sum <"$card" | cut -d' ' -f1)
    echo "     card $card md5 $booted"
    [ "$made" = "$booted" ] || problems+=("the card's md5 $booted is not the one make-image printed ($made)")
    dd if="$card" of="$WORK/card-fat.img" bs=1M skip=1 status=none
    fsck.fat -n "$WORK/card-fat.img" >"$WORK/fsck.out" 2>&1 || problems+=("fsck.fat: $(tail -1 "$WORK/fsck.out")")
    timeout 600 "$SIM" --board espressobin --cpus 2 --kernel "$BUILD/linux/u-boot-espressobin.bin" --sd "file=$card,mode=snapshot" \
      --max-insns 80000000000 --quiet </dev/null >"$WORK/image-boot.log" 2>&1 || problems+=("the boot did not end with a power-off")
    for m in 'Found U-Boot script /boot.scr' 'minos: Minos hypervisor \(Embedded Swift\) on board espressobin' \
             '\[vm0\] MINOS-VM: sd: mmcblk0p1 mounted, minos.txt: Minos linux-pair card for espressobin' \
             '\[vm0\] MINOS-VM: sd: done' '\[vm1\] MINOS-VM: work: done' 'minos: all VMs stopped; powering off'; do
      grep -qE -- "$m" "$WORK/image-boot.log" || problems+=("missing: $m")
    done
  fi
  if [ ${#problems[@]} -eq 0 ]; then echo "PASS image-espressobin-sd-u-boot-minos"; passed=$((passed + 1))
  else echo "FAIL image-espressobin-sd-u-boot-minos (log: $WORK/image-boot.log)"; printf '    %s\n' "${problems[@]}"; failed=$((failed + 1)); fi
fi
# The Pi card (make image BOARD=rpi3), booted both ways it can be on the board, through the GPU
# firmware sim plays: as made (config.txt: minos.bin, the tree, the guests' ramdisk), and switched to
# the U-Boot path as its config.txt says (kernel=u-boot.bin: Debian's U-Boot runs boot.scr); then that
# card with a boot.scr whose data no longer matches its CRC, which U-Boot must refuse to run.
if [[ " ${scenarios[*]} " == *" linux-pair "* && " $RUNNERS " == *" sim-rpi3 "* && -z ${UPDATE_GOLDEN:-} ]] && unit image-rpi3; then
  problems=()
  card=$BUILD/rpi3/sdcard.img
  if ! "$ROOT/scripts/make-image.sh" "$SIM" "$BUILD" rpi3 >"$WORK/image-rpi3.out" 2>&1; then
    problems+=("make-image failed: $(tail -2 "$WORK/image-rpi3.out" | tr '\n' ' ')")
  else
    made=$(sed -nE 's/.* md5 ([0-9a-f]{32})$/\1/p' "$WORK/image-rpi3.out")
    booted=$(md5sum <"$card" | cut -d' ' -f1)
    echo "     card $card md5 $booted"
    [ "$made" = "$booted" ] || problems+=("the card's md5 $booted is not the one make-image printed ($made)")
    dd if="$card" of="$WORK/rpi3-fat.img" bs=1M skip=1 status=none
    fsck.fat -n "$WORK/rpi3-fat.img" >"$WORK/rpi3-fsck.out" 2>&1 || problems+=("fsck.fat: $(tail -1 "$WORK/rpi3-fsck.out")")
    minos=('minos: Minos hypervisor \(Embedded Swift\) on board rpi3' 'minos: boot ramdisk 0x4000000-' \
           '\[vm0\] MINOS-VM: work: done' '\[vm1\] MINOS-VM: work: done' 'minos: all VMs stopped; powering off')
    timeout 600 "$SIM" --board rpi3 --cpus 4 --sd "file=$card,mode=snapshot" --quiet </dev/null >"$WORK/image-rpi3-firmware.log" 2>&1 \
      || problems+=("the firmware-path boot did not end with a power-off")
    for m in "${minos[@]}"; do grep -qE -- "$m" "$WORK/image-rpi3-firmware.log" || problems+=("firmware path: missing: $m"); done
    cp "$card" "$WORK/u-boot-card.img"
    printf 'arm_64bit=1\nenable_uart=1\nkernel=u-boot.bin\n' >"$WORK/config.txt"
    MTOOLS_SKIP_CHECK=1 mcopy -o -i "$WORK/u-boot-card.img@@1M" "$WORK/config.txt" ::config.txt
    timeout 600 "$SIM" --board rpi3 --cpus 4 --sd "file=$WORK/u-boot-card.img,mode=snapshot" \
      --max-insns 80000000000 --quiet </dev/null >"$WORK/image-rpi3-u-boot.log" 2>&1 || problems+=("the U-Boot boot did not end with a power-off")
    for m in 'Found U-Boot script /boot.scr' 'Starting Minos' "${minos[@]}"; do
      grep -qE -- "$m" "$WORK/image-rpi3-u-boot.log" || problems+=("U-Boot path: missing: $m")
    done
    cp "$WORK/u-boot-card.img" "$WORK/badcrc.img"
    MTOOLS_SKIP_CHECK=1 mcopy -n -i "$WORK/badcrc.img@@1M" ::boot.scr "$WORK/boot.scr"
    printf 'X' | dd of="$WORK/boot.scr" bs=1 seek=100 conv=notrunc status=none
    MTOOLS_SKIP_CHECK=1 mcopy -o -i "$WORK/badcrc.img@@1M" "$WORK/boot.scr" ::boot.scr
    timeout 300 "$SIM" --board rpi3 --cpus 4 --sd "file=$WORK/badcrc.img,mode=snapshot" \
      --max-insns 20000000000 --expect 'Bad data crc' --quiet </dev/null >"$WORK/image-rpi3-badcrc.log" 2>&1
    grep -q 'Bad data crc' "$WORK/image-rpi3-badcrc.log" || problems+=("a boot.scr with a bad CRC: U-Boot did not say 'Bad data crc'")
    grep -q 'Starting Minos' "$WORK/image-rpi3-badcrc.log" && problems+=("a boot.scr with a bad CRC still ran")
  fi
  if [ ${#problems[@]} -eq 0 ]; then echo "PASS image-rpi3-firmware-and-u-boot-minos"; passed=$((passed + 1))
  else echo "FAIL image-rpi3-firmware-and-u-boot-minos (logs: $WORK/image-rpi3-*.log)"; printf '    %s\n' "${problems[@]}"; failed=$((failed + 1)); fi
fi
echo "hypervisor-tests: $passed passed, $failed failed"
[ $failed -eq 0 ]
