# Hypervisor scenarios: how one is turned into a simulator or QEMU command line, and how its
# console log is normalized for golden-log comparison. Sourced by scripts/hypervisor-tests.sh
# (CI), scripts/run-scenario.sh (make run) and scripts/bench-scenario.sh (make bench).
# The caller sets ROOT, BUILD and SIM.
#
# A runner is sim-<board> or qemu-<board>. Board virt-gicv2 is machine virt with a GICv2 (sim
# --gic v2, QEMU gic-version=2) and the hypervisor built for it: it reads the machine's files
# (dtsi, loads, expect, guests) and has its own golden log.
#
# A scenario is images/scenarios/<name>/ with:
#   <board>.dtsi  the /vms node, added to the board's own device tree (sim --dump-dtb, or QEMU's
#                 dumpdtb for runner qemu-virt) with dtc's /include/; run through cpp first
#                 when the scenario has a `loads` file (macros below)
#   loads         optional: `<board> <file under BUILD> <address> [<MACRO>]` lines, the images
#                 the boot loader places (sim --load, QEMU -device loader); MACRO becomes a cpp
#                 define holding the file's size (for `initrd = <... MACRO>`). Without it,
#                 every VM memory base gets hvguest linked for it at base + 0x80000.
#   devices       optional (devices-<board> for one board): words among `block block-pci net console sd`, the board's virtio devices to
#                 create (sim --drive/--net, its console is always there; QEMU -device ...
#                 in the same order, so both fill virt's slots from 0x0A003E00 down; block-pci
#                 is the disk as a modern virtio-pci function, QEMU's with iommu_platform=on). The
#                 block device is a generated disk image (scenario_disk); its md5 replaces
#                 @DISK_MD5@ in `expect`. `sd` puts a generated card (scenario_sdcard) in the
#                 board's SD slot (sim --sd; sim only).
#   qemu-options  optional: arguments added to the QEMU runners' command line, for the tree it
#                 dumps too (one line; the vpmu scenario's -icount: QEMU 7.2 counts INST_RETIRED
#                 only under icount; dma-pci's -M iommu=smmuv3)
#   sim-options-<machine>  optional: arguments added to sim's command line on that machine (one
#                 line; the dma scenario's --iommu smmuv3), for the tree it dumps too
#   runners       optional: the only runners the scenario runs on (one line)
#   expect, order, input, qemu-differences, golden-<board>.log: see scripts/hypervisor-tests.sh.
#
# SCENARIO_OVERRIDE="file=/abs/path ..." replaces load files (the golden-log self-test boots a
# modified initramfs this way).

SCEN=$ROOT/images/scenarios
QEMU_M=virt,virtualization=on,gic-version=3
QEMU_M_GICV2=virt,virtualization=on,gic-version=2
QEMU_REST=(-cpu cortex-a53 -smp 4 -m 1G -nic none)
# QEMU's Raspberry Pi 3 B: all cores enter at EL2 with the Pi's spin table, as the firmware's
# armstub leaves them. It has no device tree of its own: it gets the one sim boots rpi3 with (the
# upstream Pi 3 tree). Its first serial port is the PL011, the second the mini UART, the console.
QEMU_RPI3=(-M raspi3b -smp 4 -m 1G -serial null -serial mon:stdio)

# Golden-log normalization for hypervisor scenarios. What a guest kernel prints is normalized by
# scripts/normalize-log.py, the project's one set of Linux log rules (printk timestamps, durations,
# kernel release, key fingerprints), applied to each VM line's text after its "[vmN] " prefix.
# The hypervisor's own additions, all of them:
#   - CR dropped; QEMU's own messages (qemu-system-...) dropped
#   - "<n> ms" -> "N ms", "PC 0x..." -> "PC ADDR", "counter <n> kHz" -> "counter N kHz",
#     ", RAM ..." cut: timings, guest PCs, the counter and RAM size the runner gave
#   - sorted: VMs run in parallel, so their lines interleave differently run to run
#   - a VM's partial line dropped when that VM's next line repeats it whole: the hypervisor shows
#     the focused VM's unfinished line when it idles (a prompt), and prints the line again in full
#     when another line came between; where that happens depends on host timing (QEMU runs)
normalize() {
  tr -d '\r' | awk '
    match($0, /^\[vm[0-9]+\] /) { vm = substr($0, 1, RLENGTH)
      if (vm in held) { if (index($0, held[vm]) == 1 && length($0) > length(held[vm])) { delete held[vm] } else { print held[vm] } }
      held[vm] = $0; next }
    { print }
    END { for (vm in held) print held[vm] }' | sed -E 's/[0-9]+ ms/N ms/g; s/PC 0x[0-9a-f]+/PC ADDR/g; s/counter [0-9]+ kHz/counter N kHz/; s/, RAM .*//' \
    | sed -E 's/^(\[vm[0-9]+\]) (.*)$/\2\t\1/' | python3 "$ROOT/scripts/normalize-log.py" \
    | sed -E 's/^(.*)\t(\[vm[0-9]+\])$/\2 \1/' | grep -v -E '^$|^qemu-system' | sort
}

# board_cpus BOARD: the CPUs a scenario runs with: all the board has, at most 4.
board_cpus() {
  case $1 in espressobin) echo 2 ;; *) echo 4 ;; esac
}

# board_machine BOARD: the machine a hypervisor board runs on (virt-gicv2 -> virt).
board_machine() { echo "${1%-gicv2}"; }

# board_sim_options BOARD: what sim needs besides --board for it.
board_sim_options() { [[ $1 == *-gicv2 ]] && echo "--gic v2"; }

# scenario_build: the hypervisor for both boards and every image scenarios load.
scenario_build() {
  make -s -C "$ROOT/Sources/Hypervisor" BOARD=virt BUILD="$BUILD" >/dev/null || return 1
  make -s -C "$ROOT/Sources/Hypervisor" BOARD=virt-gicv2 BUILD="$BUILD" >/dev/null || return 1
  make -s -C "$ROOT/Sources/Hypervisor" BOARD=fvp BUILD="$BUILD" >/dev/null || return 1
  make -s -C "$ROOT/Sources/Hypervisor" BOARD=espressobin BUILD="$BUILD" >/dev/null || return 1
  make -s -C "$ROOT/Sources/Hypervisor" BOARD=rpi3 BUILD="$BUILD" >/dev/null || return 1
  for b in virt fvp espressobin rpi3; do
    make -s -C "$ROOT/images/guests" BUILD="$BUILD/guests" "$BUILD/guests/$b/hvguest.elf" >/dev/null || return 1
  done
  make -s -C "$SCEN" BUILD="$BUILD" >/dev/null || return 1
  if [ -f "$ROOT/images/cache/Image" ] || [ -L "$ROOT/images/cache/Image" ]; then
    make -s -C "$ROOT/images/linux" -f vm.mk BUILD="$BUILD/linux" CACHE="$ROOT/images/cache" >/dev/null || return 1
  fi
}

# scenario_disk FILE: the block device's image, 4 MiB of deterministic text (so its md5, and the
# golden log line holding it, never change).
scenario_disk() {
  [ -f "$1" ] || { awk 'BEGIN { for (i = 1; n < 4194304; i++) { s = sprintf("minos disk line %08d\n", i)
                                   if (n + length(s) > 4194304) s = substr(s, 1, 4194304 - n)
                                   printf "%s", s; n += length(s) } }' > "$1.$$" && mv "$1.$$" "$1"; }
}

# scenario_sdcard FILE: an 8 MiB SD card, an MBR with one FAT partition from 1 MiB holding
# minos.txt, made with Debian's sfdisk, mkfs.vfat and mtools; fixed volume id, label and file
# time, so the same bytes every time.
scenario_sdcard() {
  [ -f "$1" ] && return 0
  local part=$1.$$.part card=$1.$$    # made aside and renamed: runs in parallel never see half a card
  truncate -s 8M "$card" && printf 'label: dos\nlabel-id: 0x4d494e4f\nstart=2048, type=c\n' | sfdisk -q "$card" >/dev/null || return 1
  truncate -s 7M "$part" && mkfs.vfat -n MINOSSD --invariant "$part" >/dev/null || return 1
  printf 'hello from the SD card\n' > "$part.txt" && touch -d '2024-01-01 00:00:00 UTC' "$part.txt"
  MTOOLS_SKIP_CHECK=1 mcopy -m -i "$part" "$part.txt" ::minos.txt || return 1
  dd if="$part" of="$card" bs=1M seek=1 conv=notrunc status=none && rm -f "$part" "$part.txt" && mv "$card" "$1"
}

# scenario_prepare NAME RUNNER OUT [CPP_DEFINE...]: builds $OUT.dtb and sets
#   RUN_CMD   the command line that boots it (sim, or qemu-system-aarch64; console and
#             interactive options are the caller's: -nographic, --quiet, ...)
#   DISK_MD5  md5 of the block device's image ("" without one)
#   HVC_FILE  where QEMU writes the virtio console ("" on sim: it shares stdout)
# Returns 1 with a message on stdout when the scenario cannot be built for RUNNER.
scenario_prepare() {
  local name=$1 runner=$2 out=$3; shift 3
  local dir=$SCEN/$name board=${runner#*-} defines=("$@")
  local machine simopts qemum=$QEMU_M
  machine=$(board_machine "$board")
  read -r -a simopts <<< "$(board_sim_options "$board")"
  if [ -f "$dir/sim-options-$machine" ]; then local more; read -r -a more < "$dir/sim-options-$machine"; simopts+=("${more[@]}"); fi
  [[ $board == *-gicv2 ]] && qemum=$QEMU_M_GICV2
  RUN_CMD=(); DISK_MD5=""; HVC_FILE=""
  [ -f "$dir/$machine.dtsi" ] || { echo "$dir/$machine.dtsi: no configuration for board $machine"; return 1; }
  local qemuopts=() devs=() simdevs=() qemudevs=() l d
  [ -f "$dir/qemu-options" ] && read -r -a qemuopts < "$dir/qemu-options"
  local devfile=$dir/devices
  [ -f "$dir/devices-$machine" ] && devfile=$dir/devices-$machine     # a board without those devices
  [ -f "$devfile" ] && read -r -a devs < "$devfile"
  for d in "${devs[@]}"; do
    case $d in
      block|block-pci)
        scenario_disk "$BUILD/scenario-disk.img"
        DISK_MD5=$(md5sum < "$BUILD/scenario-disk.img" | cut -d' ' -f1)
        qemudevs+=(-drive "file=$BUILD/scenario-disk.img,if=none,format=raw,id=d0,snapshot=on")
        if [ "$d" = block ]; then
          simdevs+=(--drive "file=$BUILD/scenario-disk.img,mode=snapshot")
          qemudevs+=(-device virtio-blk-device,drive=d0)
        else
          simdevs+=(--device "virtio-blk-pci,drive=$BUILD/scenario-disk.img,mode=snapshot")
          qemudevs+=(-device virtio-blk-pci,drive=d0,disable-legacy=on,iommu_platform=on)
        fi ;;
      net)
        simdevs+=(--net user)
        qemudevs+=(-netdev user,id=n0 -device virtio-net-device,netdev=n0) ;;
      sd)
        [[ $runner == sim-* ]] || { echo "$dir/devices: an SD card is a sim-only device"; return 1; }
        scenario_sdcard "$BUILD/scenario-sdcard.img" || { echo "cannot make the SD card image"; return 1; }
        simdevs+=(--sd "file=$BUILD/scenario-sdcard.img,mode=snapshot") ;;
      console)
        HVC_FILE=$out.hvc
        qemudevs+=(-chardev "file,id=hvc0,path=$HVC_FILE" -device virtio-serial-device -device virtconsole,chardev=hvc0) ;;
      *) echo "$dir/devices: unknown device '$d' (block, block-pci, net, console, sd)"; return 1 ;;
    esac
  done
  # The base tree comes from the machine as the run configures it: its options and its PCI
  # devices (sim's tree has a PCI host only when a PCI device is there).
  if [[ $runner == qemu-virt* ]]; then
    qemu-system-aarch64 -M "$qemum,dumpdtb=$out-base.dtb" "${QEMU_REST[@]}" "${qemuopts[@]}" -nographic >/dev/null 2>&1
  else
    local pcidevs=() i
    for ((i = 0; i < ${#simdevs[@]}; i++)); do [ "${simdevs[i]}" = --device ] && pcidevs+=(--device "${simdevs[i + 1]}"); done
    "$SIM" --board "$machine" "${simopts[@]}" "${pcidevs[@]}" --cpus "$(board_cpus "$machine")" --dump-dtb "$out-base.dtb" >/dev/null 2>&1
  fi
  dtc -q -I dtb -O dts "$out-base.dtb" -o "$out-base.dts" || { echo "cannot read the $runner device tree"; return 1; }

  # Loads: the scenario's list, or hvguest at every VM memory base.
  local loads=() dtsi=$dir/$machine.dtsi
  if [ -f "$dir/loads" ]; then
    local b file addr macro path o
    while read -r b file addr macro; do
      [[ -z $b || $b == \#* || $b != "$machine" ]] && continue
      path=$BUILD/$file
      for o in ${SCENARIO_OVERRIDE:-}; do [ "${o%%=*}" = "$file" ] && path=${o#*=}; done
      [ -f "$path" ] || { echo "$dir/loads: $path does not exist (make images?)"; return 1; }
      loads+=("$path@$addr")
      [ -n "$macro" ] && defines+=("$macro=$(printf '0x%x' "$(stat -L -c %s "$path")")")
    done < "$dir/loads"
    # cpp as for Linux device trees: no predefined macros, '#' lines that are not directives kept.
    local cppargs=(-E -P -nostdinc -undef -x assembler-with-cpp) d
    for d in "${defines[@]}"; do cppargs+=("-D$d"); done
    clang "${cppargs[@]}" "$dtsi" -o "$out-vms.dtsi" || { echo "$dtsi: cpp failed"; return 1; }
    dtsi=$out-vms.dtsi
  else
    local base bin
    for base in $(grep -oE 'memory = <0x0 0x[0-9a-f]+' "$dtsi" | awk '{print $4}' | sort -u); do
      bin=$BUILD/scenarios/$machine/hvguest-$base.bin
      [ -f "$bin" ] && loads+=("$bin@$(printf '0x%x' $((base + 0x80000)))")
    done
  fi
  printf '/include/ "%s"\n/include/ "%s"\n' "$out-base.dts" "$dtsi" > "$out.dts"
  dtc -q -I dts -O dtb "$out.dts" -o "$out.dtb" || { echo "$dir/$board.dtsi does not compile"; return 1; }

  if [[ $runner == qemu-rpi3 ]]; then
    RUN_CMD=(qemu-system-aarch64 "${QEMU_RPI3[@]}" "${qemuopts[@]}" -kernel "$BUILD/rpi3/minos.bin" -dtb "$out.dtb")
    for l in "${loads[@]}"; do RUN_CMD+=(-device "loader,file=${l%@*},addr=${l##*@},force-raw=on"); done
  elif [[ $runner == qemu-* ]]; then
    RUN_CMD=(qemu-system-aarch64 -M "$qemum" "${QEMU_REST[@]}" "${qemuopts[@]}" -kernel "$BUILD/$board/minos.bin" -dtb "$out.dtb")
    for l in "${loads[@]}"; do RUN_CMD+=(-device "loader,file=${l%@*},addr=${l##*@},force-raw=on"); done
    RUN_CMD+=("${qemudevs[@]}")
  else
    HVC_FILE=""
    RUN_CMD=("$SIM" --board "$machine" "${simopts[@]}" --cpus "$(board_cpus "$machine")" --kernel "$BUILD/$board/minos.bin" --dtb "$out.dtb")
    for l in "${loads[@]}"; do RUN_CMD+=(--load "$l"); done
    RUN_CMD+=("${simdevs[@]}")
  fi
}
