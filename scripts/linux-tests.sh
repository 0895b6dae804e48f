#!/usr/bin/env bash
# Linux boot tests against the release `sim`: Debian's cloud kernel and the busybox initramfs
# (images/linux) on virt and fvp with 1, 4 and 8 CPUs; virtio block, console and net; Debian's
# upstream fvp-base-revc.dtb; golden console logs (Tests/golden, normalized by
# scripts/normalize-log.py, which states the rules).
# Usage: linux-tests.sh SIM BUILD_DIR
#   UPDATE_GOLDEN=1 writes the goldens from this run instead of comparing (`make golden`).
# Ends with "linux-tests: N passed, M failed".
set -uo pipefail
SIM=$(realpath "$1"); BUILD=$(realpath "$2")
HERE=$(cd "$(dirname "$0")/.." && pwd)
GOLDEN=$HERE/Tests/golden
NORMALIZE=$HERE/scripts/normalize-log.py
L=$BUILD/linux
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
source "$HERE/scripts/units.sh"
pass=0; fail=0
ok()  { pass=$((pass+1)); echo "PASS $1"; }
bad() { fail=$((fail+1)); echo "FAIL $1: $2"; }

# bad_input NAME PATTERN CMD...: exit 2 with exactly one stderr line matching PATTERN, no crash.
bad_input() {
  local name=$1 pattern=$2; shift 2
  "$@" >"$T/out" 2>"$T/err" </dev/null; local rc=$?
  local lines; lines=$(wc -l <"$T/err")
  if [ "$rc" = 2 ] && [ "$lines" = 1 ] && grep -Eq -- "$pattern" "$T/err"; then ok "$name"
  else bad "$name" "exit $rc, $lines stderr lines: $(head -c 300 "$T/err")"; fi
}

# boot NAME RC_WANTED SIM-ARGS...: boots Debian's kernel with the test initramfs; console to
# $T/NAME.log, the summary line to $T/NAME.err; passes when the exit status is RC_WANTED.
boot() {
  local name=$1 want=$2; shift 2
  local started=$SECONDS
  "$SIM" --kernel "${KERNEL:-$L/Image}" --initrd "${INITRD:-$L/initramfs.cpio.gz}" --max-insns 8000000000 "$@" \
    >"$T/$name.log" 2>"$T/$name.err" </dev/null
  local rc=$?
  if [ "$rc" = "$want" ]; then ok "$name"
  else bad "$name" "exit $rc, wanted $want: $(tail -1 "$T/$name.err"); $(grep -E 'MINOS|panic|Oops' "$T/$name.log" | tail -3)"; fi
  echo "     $(($SECONDS - started)) s: $(tail -1 "$T/$name.err")"
}

# golden NAME: the normalized console log of boot NAME equals Tests/golden/NAME.log.
golden() {
  local name=$1
  python3 "$NORMALIZE" "$T/$name.log" >"$T/$name.norm"
  if [ "${UPDATE_GOLDEN:-}" = 1 ]; then
    mkdir -p "$GOLDEN"
    cp "$T/$name.norm" "$GOLDEN/$name.log"
    # kernel.txt records the cloud kernel (the pinned one most goldens come from).
    if grep -q '^\[ *[0-9.]*\] Linux version [^ ]*-cloud-' "$T/$name.log"; then
      sed -n 's/^\[ *[0-9.]*\] \(Linux version .*\)/\1/p' "$T/$name.log" | head -1 >"$GOLDEN/kernel.txt"
    fi
    ok "golden-$name (written)"
  elif [ ! -f "$GOLDEN/$name.log" ]; then
    bad "golden-$name" "no $GOLDEN/$name.log: run make golden"
  elif diff -u --label "golden/$name.log" --label "this run (normalized)" "$GOLDEN/$name.log" "$T/$name.norm" >"$T/$name.diff"; then
    ok "golden-$name"
  else
    bad "golden-$name" "$(grep -c '^[-+][^-+]' "$T/$name.diff") lines differ; first hunks:"
    head -40 "$T/$name.diff" | sed 's/^/     /'
    local now; now=$(sed -n 's/^\[ *[0-9.]*\] \(Linux version .*\)/\1/p' "$T/$name.log" | head -1)
    if [ -f "$GOLDEN/kernel.txt" ] && [ "$now" != "$(cat "$GOLDEN/kernel.txt")" ]; then
      echo "     (the goldens were made with another kernel: $(cat "$GOLDEN/kernel.txt"); this run: $now."
      echo "      If the diff is only the kernel's own changes, run make golden.)"
    fi
  fi
}

# expects CPUS TIMER_MHZ: sets EXPECT to the --expect options for lines every boot must show
# (GIC, the last CPU's redistributor, the arch timer at the board's frequency, SMP, /init's end).
expects() {
  EXPECT=(--expect 'GICv3: 256 SPIs implemented' --expect 'GICv3: CPU0: found redistributor 0 region 0:0x'
          --expect "GICv3: CPU$(($1 - 1)): found redistributor" --expect "arch_timer: cp15 timer\\(s\\) running at $2MHz"
          --expect "SMP: Total of $1 processors activated" --expect 'MINOS-INIT: done')
}

if [ ! -f "$L/Image" ] || [ ! -f "$L/initramfs.cpio.gz" ] || [ ! -f "$L/fvp-base-revc.dtb" ] \
   || [ ! -f "$L/Image-generic" ] || [ ! -f "$L/initramfs-generic.cpio.gz" ] || [ ! -f "$L/bcm2837-rpi-3-b-plus.dtb" ] || [ ! -f "$L/armada-3720-espressobin.dtb" ] \
   || [ ! -f "$L/u-boot-rpi_arm64.elf" ] || [ ! -f "$L/u-boot-rpi_arm64.bin" ] || [ ! -f "$L/u-boot-qemu_arm64.bin" ] || [ ! -f "$L/rpi3-bl31.bin" ] \
   || [ ! -f "$L/u-boot-espressobin.bin" ] || [ ! -f "$L/initramfs-pci.cpio.gz" ]; then
  bad "linux-images" "run make images first ($L)"
  echo "linux-tests: $pass passed, $fail failed"; exit 1
fi

# The goldens record the kernel they were made with: it must be the pinned one
# (images/guest-packages; `make update-guests` moves both together).
if unit golden-kernel-is-pinned; then
read -r kpkg kver _ < <(awk '$1 ~ /^linux-image-.*-cloud-arm64$/ { print; exit }' "$HERE/images/guest-packages")
if [ "${UPDATE_GOLDEN:-}" != 1 ]; then
  if grep -qF "Linux version ${kpkg#linux-image-} " "$GOLDEN/kernel.txt" && grep -qF "Debian $kver " "$GOLDEN/kernel.txt"; then
    ok "golden-kernel-is-pinned ($kpkg $kver)"
  else bad "golden-kernel-is-pinned" "Tests/golden/kernel.txt is not $kpkg $kver (pinned): $(cat "$GOLDEN/kernel.txt")"; fi
fi
fi

# A 1 MiB disk of deterministic bytes: the guest checksums /dev/vda and writes sector 1.
listing || python3 -c "import sys; sys.stdout.buffer.write(bytes((i * 131 + 7) % 251 for i in range(1 << 20)))" >"$T/disk.orig"
listing || want=$(md5sum <"$T/disk.orig" | cut -d' ' -f1)

# disk_checks NAME DISK: what /init reports about /dev/vda and hvc0, and the sector it wrote.
disk_checks() {
  local name=$1 disk=$2
  grep -q "MINOS-INIT: vda 2048 sectors, md5 $want" "$T/$name.log" && ok "$name-virtio-blk-read" || bad "$name-virtio-blk-read" "$(grep vda "$T/$name.log")"
  [ "$(head -c 533 "$disk" | tail -c 21)" = "written by the guest" ] && ok "$name-virtio-blk-write" || bad "$name-virtio-blk-write" "sector 1 unchanged"
  grep -q "MINOS-INIT: hello on hvc0" "$T/$name.log" && ok "$name-virtio-console" || bad "$name-virtio-console" "no hvc0 line"
}

# Debian's cloud kernel entered at EL2 with 4 CPUs: KVM initialises and the busybox /init runs.
for b in virt fvp; do
  unit linux-$b-4cpu || continue
  mhz=$([ $b = virt ] && echo 62.50 || echo 100.00)
  cp "$T/disk.orig" "$T/disk-$b.img"
  name=linux-$b-4cpu
  expects 4 $mhz
  boot $name 0 --board $b --cpus 4 --append "console=ttyAMA0" --drive "file=$T/disk-$b.img" "${EXPECT[@]}"
  if grep -q 'kvm \[1\]: Hyp mode initialized successfully' "$T/$name.log" && grep -q 'MINOS-INIT: cpus 4' "$T/$name.log" \
     && grep -q 'MINOS-INIT: shell arithmetic 328350' "$T/$name.log"; then ok "$name-el2-kvm-init"
  else bad "$name-el2-kvm-init" "$(grep -E 'MINOS|kvm|panic|Oops' "$T/$name.log" | tail -5)"; fi
  disk_checks $name "$T/disk-$b.img"
  golden $name
done

# virt with a GICv2 (--gic v2, a GIC-400 with GICH/GICV), entered at EL2: Linux drives the GIC
# through its memory-mapped CPU interface, KVM initialises its vGICv2 (maintenance IRQ, GICH, GICV),
# 4 CPUs come up through SGIs, the disk and console work; GIC and KVM lines as on QEMU's gic-version=2.
for cpus in 1 4; do
  name=linux-virt-gicv2-${cpus}cpu
  unit $name || continue
  cp "$T/disk.orig" "$T/disk-$name.img"
  boot $name 0 --board virt --gic v2 --cpus $cpus --append "console=ttyAMA0" --drive "file=$T/disk-$name.img" \
    --expect "SMP: Total of $cpus processors activated" --expect 'MINOS-INIT: done'
  if grep -q 'GIC: Using split EOI/Deactivate mode' "$T/$name.log" && ! grep -q 'GICv3' "$T/$name.log" \
     && grep -q 'kvm \[1\]: vgic interrupt IRQ9' "$T/$name.log" && grep -q 'kvm \[1\]: Hyp mode initialized successfully' "$T/$name.log" \
     && grep -q "MINOS-INIT: cpus $cpus" "$T/$name.log"; then ok "$name-gicv2-kvm-init"
  else bad "$name-gicv2-kvm-init" "$(grep -E 'GIC|kvm|MINOS-INIT: cpus|panic|Oops' "$T/$name.log" | tail -5)"; fi
  disk_checks $name "$T/disk-$name.img"
  if [ $cpus = 1 ]; then
    # QEMU's lines about the GIC and KVM (but GICv2m's MSI frame, which sim does not model).
    timeout 120 qemu-system-aarch64 -M virt,virtualization=on,gic-version=2 -cpu cortex-a53 -m 1G -nic none -nographic -no-reboot \
      -kernel "$L/Image" -initrd "$L/initramfs.cpio.gz" -append console=ttyAMA0 </dev/null >"$T/$name-qemu.log" 2>&1
    gic_lines() { sed -E 's/^\[ *[0-9.]+\] //' "$1" | grep -E '^(GIC|kvm \[1\]|Root IRQ)' | grep -v GICv2m; }
    if [ -n "$(gic_lines "$T/$name-qemu.log")" ] && [ "$(gic_lines "$T/$name-qemu.log")" = "$(gic_lines "$T/$name.log")" ]; then
      ok "$name-same-gic-lines-as-qemu"
    else bad "$name-same-gic-lines-as-qemu" "$(diff <(gic_lines "$T/$name-qemu.log") <(gic_lines "$T/$name.log") | grep '^[<>]' | head -4 | tr '\n' ';')"; fi
  fi
  golden $name
done

# One CPU on virt, no --expect: /init's `poweroff -f` (PSCI SYSTEM_OFF) ends the simulator with exit 0.
if unit linux-virt-1cpu; then
boot linux-virt-1cpu 0 --board virt --cpus 1 --append "console=ttyAMA0"
grep -q "MINOS-INIT: done" "$T/linux-virt-1cpu.log" && grep -q "GICv3: CPU0: found redistributor" "$T/linux-virt-1cpu.log" \
  && grep -q "arch_timer: cp15 timer" "$T/linux-virt-1cpu.log" && grep -q "SMP: Total of 1 processors activated" "$T/linux-virt-1cpu.log" \
  && grep -q "reboot: Power down" "$T/linux-virt-1cpu.log" && ok "linux-virt-1cpu-poweroff-log" || bad "linux-virt-1cpu-poweroff-log" "$(tail -3 "$T/linux-virt-1cpu.log")"
golden linux-virt-1cpu
fi

# The translator (--engine jit) against the reference interpreter on Debian's kernel with 2 CPUs:
# the same console to the byte, and the same instructions, simulated time and CPI; also with a
# translation cache of 1 MiB, which the boot fills and empties many times.
if unit linux-virt-2cpu-engines-agree; then
  for e in "jit" "interpret" "jit --jit-cache 1"; do
    # shellcheck disable=SC2086
    timeout 300 "$SIM" --engine $e --board virt --cpus 2 --kernel "$L/Image" --initrd "$L/initramfs.cpio.gz" --append console=ttyAMA0 \
      </dev/null 2>&1 | sed -E 's/, [0-9.]+ s host, [0-9.]+ MIPS//' >"$T/engines-${e// /}.log"
  done
  for e in jit jit--jit-cache1; do
    if grep -q "MINOS-INIT: done" "$T/engines-$e.log" && grep -q "^sim: powered off" "$T/engines-$e.log" \
       && cmp -s "$T/engines-$e.log" "$T/engines-interpret.log"; then ok "linux-virt-2cpu-engines-agree-$e"
    else bad "linux-virt-2cpu-engines-agree-$e" "$(diff "$T/engines-$e.log" "$T/engines-interpret.log" | grep '^[<>]' | head -4 | tr '\n' ';')"; fi
  done
fi

# One CPU on fvp with the disk in snapshot mode: the guest writes, the file stays as it was.
if unit linux-fvp-1cpu; then
cp "$T/disk.orig" "$T/disk-snap.img"
expects 1 100.00
boot linux-fvp-1cpu 0 --board fvp --cpus 1 --append "console=ttyAMA0" --drive "file=$T/disk-snap.img,mode=snapshot" "${EXPECT[@]}"
cmp -s "$T/disk-snap.img" "$T/disk.orig" && grep -q "MINOS-INIT: vda 2048 sectors, md5 $want" "$T/linux-fvp-1cpu.log" \
  && ok "linux-fvp-1cpu-virtio-blk-snapshot" || bad "linux-fvp-1cpu-virtio-blk-snapshot" "file changed or no vda line"
golden linux-fvp-1cpu
fi

# Debian's own upstream fvp-base-revc.dtb (8 CPUs, virtio block at 0x1C130000 SPI 42): the same
# boot. Devices it lists that are not modelled read as zero; none may abort or oops.
if unit linux-fvp-upstream-dtb-8cpu; then
cp "$T/disk.orig" "$T/disk-dtb.img"
name=linux-fvp-upstream-dtb-8cpu
expects 8 100.00
boot $name 0 --board fvp --cpus 8 --dtb "$L/fvp-base-revc.dtb" --append "console=ttyAMA0" --drive "file=$T/disk-dtb.img" \
  --fail-on 'Internal error|Unable to handle|WARNING:|Kernel panic' "${EXPECT[@]}"
grep -q "Machine model: FVP Base RevC" "$T/$name.log" && ok "$name-model" || bad "$name-model" "$(grep 'Machine model' "$T/$name.log")"
disk_checks $name "$T/disk-dtb.img"
golden $name
fi

# qemu_pci_workload NAME MACHINE DISK-OPTIONS SERIAL-DEVICE...: the oracle for a PCI-disk boot:
# QEMU runs the same kernel and initramfs-pci with the disk as virtio-blk-pci (DISK-OPTIONS) and
# hvc0 on SERIAL-DEVICE, and must print NAME's workload lines (sim shows hvc0's output on its
# console; QEMU's goes to a chardev file).
qemu_pci_workload() {
  local name=$1 machine=$2 diskopts=$3; shift 3
  cp "$T/disk.orig" "$T/disk-$name-qemu.img"
  timeout 120 qemu-system-aarch64 -M "$machine" -cpu cortex-a53 -smp 4 -m 1G -nic none -nographic -no-reboot \
    -kernel "$L/Image" -initrd "$L/initramfs-pci.cpio.gz" -append console=ttyAMA0 \
    -drive "file=$T/disk-$name-qemu.img,if=none,format=raw,id=d" -device "virtio-blk-pci,drive=d,$diskopts" \
    "$@" -device virtconsole,chardev=c -chardev "file,id=c,path=$T/$name-qemu-hvc.txt" </dev/null >"$T/$name-qemu.log" 2>&1
  workload() { grep -a '^MINOS-INIT:' "$1" | grep -v 'on hvc0' | sed -E 's/memory [0-9]+ kB/memory N kB/'; }
  if grep -q 'MINOS-INIT: vda 2048' "$T/$name-qemu.log" && grep -q 'MINOS-INIT: hello on hvc0' "$T/$name-qemu-hvc.txt" \
     && [ "$(workload "$T/$name-qemu.log")" = "$(workload "$T/$name.log")" ]; then
    ok "$name-same-as-qemu"
  else bad "$name-same-as-qemu" "$(diff <(workload "$T/$name-qemu.log") <(workload "$T/$name.log") | tr '\n' ';')"; fi
}

# PCIe on virt: the disk and the virtio console as virtio-pci functions (INTx) behind the ECAM host
# bridge, 4 CPUs; Linux's pci-host-generic enumerates them and assigns the BARs, virtio_pci binds
# them. QEMU with the same modern devices prints the same workload lines.
if unit linux-virt-pci; then
  name=linux-virt-pci
  cp "$T/disk.orig" "$T/disk-pci.img"
  INITRD=$L/initramfs-pci.cpio.gz boot $name 0 --board virt --cpus 4 --append "console=ttyAMA0" \
    --device "virtio-blk-pci,drive=$T/disk-pci.img" --device virtio-console-pci \
    --fail-on 'Internal error|Unable to handle|WARNING:|Kernel panic' --expect 'MINOS-INIT: done'
  if grep -q 'pci 0000:00:01.0: \[1af4:1042\] type 00 class 0x010000' "$T/$name.log" && grep -q 'pci 0000:00:02.0: \[1af4:1043\]' "$T/$name.log" \
     && grep -q 'virtio-pci 0000:00:01.0: enabling device' "$T/$name.log"; then ok "$name-enumerated"
  else bad "$name-enumerated" "$(grep -E 'pci|virtio' "$T/$name.log" | tail -5 | tr '\n' ';')"; fi
  disk_checks $name "$T/disk-pci.img"
  qemu_pci_workload $name virt,virtualization=on disable-legacy=on -device virtio-serial-pci,disable-legacy=on
  golden $name
fi

# The SMMUv3 (--iommu smmuv3, at QEMU's iommu=smmuv3 place, stages 1 and 2): Linux's arm-smmu-v3
# driver probes it, puts the PCI disk and every virtio-mmio transport in iommu groups and maps their
# DMA through stage-1 domains (linux-virt-smmu-net: stage 2 only, so stage-2 domains) (the devices offer VIRTIO_F_ACCESS_PLATFORM, so rings and buffers are IOVAs); the disk
# and console work as without, and as on QEMU with the same kernel, initramfs and devices.
if unit linux-virt-smmu; then
  name=linux-virt-smmu
  cp "$T/disk.orig" "$T/disk-smmu.img"
  INITRD=$L/initramfs-pci.cpio.gz boot $name 0 --board virt --cpus 4 --iommu smmuv3 --append "console=ttyAMA0" \
    --device "virtio-blk-pci,drive=$T/disk-smmu.img" --fail-on 'Internal error|Unable to handle|WARNING:|Kernel panic|smmuv3: event' \
    --expect 'MINOS-INIT: done'
  if grep -q 'arm-smmu-v3 9050000.smmuv3: ias 48-bit, oas 48-bit' "$T/$name.log" && grep -q 'virtio-pci 0000:00:01.0: Adding to iommu group' "$T/$name.log" \
     && grep -q 'virtio-mmio a003e00.virtio_mmio: Adding to iommu group' "$T/$name.log"; then ok "$name-devices-behind-smmu"
  else bad "$name-devices-behind-smmu" "$(grep -E 'smmu|iommu' "$T/$name.log" | tail -4 | tr '\n' ';')"; fi
  disk_checks $name "$T/disk-smmu.img"
  qemu_pci_workload $name virt,virtualization=on,iommu=smmuv3 disable-legacy=on,iommu_platform=on -device virtio-serial-device
  grep -q 'virtio-pci 0000:00:01.0: Adding to iommu group' "$T/$name-qemu.log" && ok "$name-qemu-disk-behind-smmu" \
    || bad "$name-qemu-disk-behind-smmu" "$(grep -E 'smmu|iommu' "$T/$name-qemu.log" | tail -3 | tr '\n' ';')"
  golden $name
fi

# The GICv3 ITS (--its, as QEMU's its=on): Linux finds it, gives each of 4 CPUs an LPI pending
# table, and the PCI disk's virtio interrupts arrive as MSI-X through the ITS (LPIs), the
# virtio-mmio console's as SPIs; the disk works as without.
if unit linux-virt-its; then
  name=linux-virt-its
  cp "$T/disk.orig" "$T/disk-its.img"
  INITRD=$L/initramfs-pci.cpio.gz boot $name 0 --board virt --cpus 4 --its --append "console=ttyAMA0 minos.test=interrupts" \
    --device "virtio-blk-pci,drive=$T/disk-its.img" --fail-on 'Internal error|Unable to handle|WARNING:|Kernel panic' --expect 'MINOS-INIT: done'
  if grep -q 'ITS \[mem 0x08080000-0x0809ffff\]' "$T/$name.log" && grep -q 'GICv3: CPU3: using allocated LPI pending table' "$T/$name.log" \
     && grep -q 'PCI/MSI: .*its@8080000 domain created' "$T/$name.log" && grep -q 'MINOS-INIT: irq virtio[0-9]-req.0 via ITS-MSI' "$T/$name.log" \
     && grep -q 'MINOS-INIT: irq virtio[0-9]-config via ITS-MSI' "$T/$name.log" && grep -q 'MINOS-INIT: irq virtio[0-9] via GICv3' "$T/$name.log"; then
    ok "$name-msi-x-through-its"
  else bad "$name-msi-x-through-its" "$(grep -E 'ITS|LPI|MINOS-INIT: irq' "$T/$name.log" | tail -6 | tr '\n' ';')"; fi
  disk_checks $name "$T/disk-its.img"
  golden $name
fi

# Networking: DHCP, wget from a host HTTP server on loopback, a host client through hostfwd; on
# virt also with the device on PCI and with the devices behind the SMMUv3 (--iommu smmuv3).
for b in virt fvp virt-pci virt-smmu; do
  unit linux-$b-net || continue
  started=$SECONDS
  python3 "$HERE/Tests/linux/net.py" --sim "$SIM" --linux "$L" --board ${b%-*} --cpus 4 $([ $b = virt-pci ] && echo --pci) \
    $([ $b = virt-smmu ] && echo --smmu) >"$T/net-$b.out" 2>&1
  cat "$T/net-$b.out"
  pass=$((pass + $(grep -c '^PASS' "$T/net-$b.out"))); fail=$((fail + $(grep -c '^FAIL' "$T/net-$b.out")))
  grep -q '^PASS\|^FAIL' "$T/net-$b.out" || bad "linux-$b-net" "the test driver failed: $(tail -3 "$T/net-$b.out")"
  echo "     $(($SECONDS - started)) s"
done

# Raspberry Pi 3 B+ (rpi3): Debian's generic kernel with its upstream bcm2837-rpi-3-b-plus.dtb (no
# --dtb: the board boots the upstream tree), 4 CPUs released from the spin table, console on the
# mini UART (ttyS1) and, in another run, on the PL011 (ttyAMA0); /init powers off through the PM
# watchdog (bcm2835_wdt), which ends the run with exit 0.
# same_as_qemu: the oracle: the same kernel, tree and initramfs on QEMU's raspi3b print the same workload lines.
# (The memory figure is masked: QEMU pads the tree it passes to 50 KB, 9 more reserved pages.)
same_as_qemu() {
  timeout 300 qemu-system-aarch64 -M raspi3b -kernel "$L/Image-generic" -dtb "$L/bcm2837-rpi-3-b-plus.dtb" \
    -initrd "$L/initramfs-generic.cpio.gz" -append "console=ttyS1,115200" -serial null -serial stdio \
    -display none -no-reboot -nic none </dev/null >"$T/qemu-rpi3.log" 2>&1
  workload() { grep -a '^MINOS-INIT:' "$1" | sed -E 's/memory [0-9]+ kB/memory N kB/'; }
  if grep -q 'MINOS-INIT: done' "$T/qemu-rpi3.log" && [ "$(workload "$T/qemu-rpi3.log")" = "$(workload "$T/linux-rpi3-4cpu-ttyS1.log")" ]; then
    ok "linux-rpi3-same-as-qemu-raspi3b"
  else bad "linux-rpi3-same-as-qemu-raspi3b" "$(diff <(workload "$T/qemu-rpi3.log") <(workload "$T/linux-rpi3-4cpu-ttyS1.log") | tr '\n' ';')"; fi
}
rpi3=(--board rpi3 --cpus 4 --fail-on 'Internal error|Unable to handle|Kernel panic|Oops|WARNING: CPU:')
for c in ttyS1 ttyAMA0; do
  name=linux-rpi3-4cpu-$c
  unit $name || continue
  KERNEL=$L/Image-generic INITRD=$L/initramfs-generic.cpio.gz boot $name 0 "${rpi3[@]}" --append "console=$c,115200"
  lines=("Machine model: Raspberry Pi 3 Model B\+" "arch_timer: cp15 timer\(s\) running at 19.20MHz" "SMP: Total of 4 processors activated"
        "3f215040.serial: ttyS1 at MMIO 0x3f215040" "3f201000.serial: ttyAMA0 at MMIO 0x3f201000" "raspberrypi-firmware soc:firmware: Attached to firmware"
        "MINOS-INIT: cpus 4, memory" "MINOS-INIT: done" "bcm2835-wdt bcm2835-wdt: Broadcom BCM2835 watchdog timer" "reboot: Power down")
  missing=$(for w in "${lines[@]}"; do grep -Eq -- "$w" "$T/$name.log" || echo "$w;"; done)
  [ -z "$missing" ] && ok "$name-log" || bad "$name-log" "missing: $missing"
  golden $name
  [ $c = ttyS1 ] && same_as_qemu
done
# Debian's TF-A (rpi3/bl31.bin) as the board's EL3 firmware: the simulator plays BL1/BL2 (BL31
# entered with its bl_params_t, the other cores held in BL1's trusted mailbox), Linux finds PSCI
# in the firmware, brings up 4 CPUs with CPU_ON, KVM initialises at EL2, and `poweroff -f` goes
# through PSCI SYSTEM_OFF to the firmware's watchdog power-off.
if unit linux-rpi3-4cpu-bl31; then
name=linux-rpi3-4cpu-bl31
KERNEL=$L/Image-generic INITRD=$L/initramfs-generic.cpio.gz boot $name 0 "${rpi3[@]}" --firmware "$L/rpi3-bl31.bin" --append "console=ttyS1,115200"
lines=("NOTICE:  BL31: v2\\.8" "INFO:    Entry point address = 0x200000" "psci: PSCIv1.1 detected in firmware" "SMP: Total of 4 processors activated"
      "CPU3: Booted secondary processor 0x0000000003" "kvm \\[1\\]: Hyp mode initialized successfully" "MINOS-INIT: cpus 4, memory" "MINOS-INIT: done" "reboot: Power down")
missing=$(for w in "${lines[@]}"; do grep -Eq -- "$w" "$T/$name.log" || echo "$w;"; done)
[ -z "$missing" ] && ok "$name-log" || bad "$name-log" "missing: $missing"
golden $name
fi
# CPU hotplug through the firmware: CPU_OFF parks the core in the trusted mailbox (a warm reset
# through RMR_EL3), CPU_ON releases it again.
if unit linux-rpi3-bl31-hotplug; then
python3 "$HERE/scripts/shell-check.py" linux-rpi3-bl31-hotplug 4 --hotplug 2 "$SIM" "${rpi3[@]}" --firmware "$L/rpi3-bl31.bin" \
  --kernel "$L/Image-generic" --initrd "$L/initramfs-generic.cpio.gz" --append "console=ttyS1,115200 minos.test=shell" \
  --max-insns 8000000000 >"$T/hotplug.out" 2>&1
cat "$T/hotplug.out"
pass=$((pass + $(grep -c '^PASS' "$T/hotplug.out"))); fail=$((fail + $(grep -c '^FAIL' "$T/hotplug.out")))
fi
# The tree Linux gets through the firmware: PSCI over SMC on every CPU, BL31's memory reserved.
if unit linux-rpi3-bl31-tree; then
"$SIM" --board rpi3 --firmware "$L/rpi3-bl31.bin" --kernel "$L/Image-generic" --dump-dtb "$T/bl31.dtb" 2>"$T/dump.err"
dts=$(dtc -q -I dtb -O dts "$T/bl31.dtb" 2>&1)
if grep -Eq '/memreserve/\s+0x0*10000000 0x0*100000;' <<<"$dts" && [ "$(fdtget "$T/bl31.dtb" /psci method)" = smc ] \
   && [ "$(fdtget "$T/bl31.dtb" /cpus/cpu@3 enable-method)" = psci ] && ! grep -q cpu-release-addr <<<"$dts"; then ok "linux-rpi3-bl31-tree"
else bad "linux-rpi3-bl31-tree" "$(cat "$T/dump.err"; grep -E 'memreserve|enable-method|method' <<<"$dts" | head -5 | tr '\n' ';')"; fi
bad_input "firmware-no-protocol" "--firmware: board virt boots no EL3 firmware image" "$SIM" --board virt --kernel "$L/Image" --firmware "$L/rpi3-bl31.bin"
bad_input "firmware-and-entry-el" "--entry-el does not apply" "$SIM" --board rpi3 --kernel "$L/Image-generic" --firmware "$L/rpi3-bl31.bin" --entry-el 2
bad_input "firmware-too-big" "Image-generic: .* bytes: board rpi3's BL31 must be 1 to 131072 bytes" "$SIM" --board rpi3 --kernel "$L/Image-generic" --firmware "$L/Image-generic"
bad_input "firmware-no-payload" "--firmware: give the payload" "$SIM" --board rpi3 --firmware "$L/rpi3-bl31.bin"
fi
# An interactive shell on the mini UART, typed into through a pseudo-terminal.
if unit linux-rpi3-shell-ttyS1; then
python3 "$HERE/scripts/shell-check.py" linux-rpi3-shell-ttyS1 4 "$SIM" "${rpi3[@]}" --kernel "$L/Image-generic" \
  --initrd "$L/initramfs-generic.cpio.gz" --append "console=ttyS1,115200 minos.test=shell" --max-insns 8000000000 >"$T/shell.out" 2>&1
cat "$T/shell.out"
pass=$((pass + $(grep -c '^PASS' "$T/shell.out"))); fail=$((fail + $(grep -c '^FAIL' "$T/shell.out")))
fi
# Debian's U-Boot (rpi_arm64) on the same board: it reads the board revision and memory from the
# mailbox, finds the SD controllers, stops autoboot for a key, answers at its prompt and resets.
if unit linux-rpi3-u-boot; then
python3 "$HERE/scripts/uboot-check.py" linux-rpi3-u-boot "$SIM" --board rpi3 --cpus 4 --kernel "$L/u-boot-rpi_arm64.elf" \
  --max-insns 20000000000 >"$T/uboot.out" 2>&1
cat "$T/uboot.out"
pass=$((pass + $(grep -c '^PASS' "$T/uboot.out"))); fail=$((fail + $(grep -c '^FAIL' "$T/uboot.out")))
fi
# Debian's U-Boot qemu_arm64 as virt's boot firmware (sim --bios, QEMU -bios): to its prompt, then
# pci lists the virtio-blk-pci disk and virtio scan/info/read find its bytes; the same steps on QEMU.
if unit linux-virt-u-boot-bios; then
  for runner in sim qemu; do
    cp "$T/disk.orig" "$T/uboot-$runner.img"
    if [ $runner = sim ]; then
      cmd=("$SIM" --board virt --bios "$L/u-boot-qemu_arm64.bin" --device "virtio-blk-pci,drive=$T/uboot-$runner.img" --max-insns 20000000000)
    else
      cmd=(qemu-system-aarch64 -M virt,virtualization=on -cpu cortex-a53 -m 1G -nic none -nographic -no-reboot
           -bios "$L/u-boot-qemu_arm64.bin" -drive "file=$T/uboot-$runner.img,if=none,format=raw,id=d" -device virtio-blk-pci,drive=d,disable-legacy=on)
    fi
    python3 "$HERE/scripts/uboot-qemu-check.py" linux-virt-u-boot-bios-$runner "${cmd[@]}" >"$T/uboot-bios.out" 2>&1
    cat "$T/uboot-bios.out"
    pass=$((pass + $(grep -c '^PASS' "$T/uboot-bios.out"))); fail=$((fail + $(grep -c '^FAIL' "$T/uboot-bios.out")))
  done
fi
# Raw U-Boot (u-boot.bin, what users name kernel8.img): no ELF or Image header, so the board
# loads it where the Pi firmware puts a raw kernel, 0x80000, and starts it there.
if unit linux-rpi3-u-boot-raw-kernel8; then
"$SIM" --board rpi3 --cpus 4 --kernel "$L/u-boot-rpi_arm64.bin" --expect 'U-Boot 2023\.01' --expect 'DRAM: +960 MiB' \
  --expect '^Net: ' --max-insns 2000000000 </dev/null >"$T/uboot-raw.out" 2>&1 \
  && ok "linux-rpi3-u-boot-raw-kernel8" || bad "linux-rpi3-u-boot-raw-kernel8" "$(tail -2 "$T/uboot-raw.out" | tr '\n' ';')"
fi
# The board's SD card (--sd, snapshot: the image stays as it is): an MBR with a FAT32 partition
# holding the kernel, tree and initramfs, as a Pi's card; U-Boot lists it, loads them, booti.
if unit linux-rpi3-u-boot-sd-booti; then
"$HERE/images/linux/build-sdcard.sh" "$T/sd.img" 80 "$L/Image-generic" "$L/bcm2837-rpi-3-b-plus.dtb" "$L/initramfs-generic.cpio.gz"
sd_md5=$(md5sum <"$T/sd.img")
python3 "$HERE/scripts/uboot-check.py" linux-rpi3-u-boot-sd-booti --sd-files Image-generic,bcm2837-rpi-3-b-plus.dtb,initramfs-generic.cpio.gz \
  "$SIM" --board rpi3 --cpus 4 --kernel "$L/u-boot-rpi_arm64.elf" --sd "file=$T/sd.img,mode=snapshot" --max-insns 40000000000 >"$T/uboot-sd.out" 2>&1
cat "$T/uboot-sd.out"
pass=$((pass + $(grep -c '^PASS' "$T/uboot-sd.out"))); fail=$((fail + $(grep -c '^FAIL' "$T/uboot-sd.out")))
[ "$(md5sum <"$T/sd.img")" = "$sd_md5" ] && ok "linux-rpi3-sd-snapshot-untouched" || bad "linux-rpi3-sd-snapshot-untouched" "the image changed"
bad_input "sd-no-slot" "--sd: board virt has no SD card slot" "$SIM" --board virt --kernel "$L/Image" --sd "file=$T/sd.img"
bad_input "sd-missing" "/nonexistent.img: no such file" "$SIM" --board rpi3 --kernel "$L/Image-generic" --sd file=/nonexistent.img
fi

# ESPRESSObin (Armada 3720): Debian's generic kernel with its upstream armada-3720-espressobin.dtb,
# entered at EL2 as U-Boot's booti would; both CPUs through the simulator's PSCI (Marvell's TF-A:
# 1.1), the GIC-500 at its place, the console on the Armada UART (ttyMV0), KVM, poweroff.
eb=(--board espressobin --cpus 2 --fail-on 'Internal error|Unable to handle|Kernel panic|Oops|WARNING: CPU:')
if unit linux-espressobin-2cpu; then
name=linux-espressobin-2cpu
KERNEL=$L/Image-generic INITRD=$L/initramfs-generic.cpio.gz boot $name 0 "${eb[@]}" --append "console=ttyMV0,115200"
lines=("Machine model: Globalscale Marvell ESPRESSOBin Board" "psci: PSCIv1.1 detected in firmware" "GICv3: 192 SPIs implemented"
      "GICv3: CPU1: found redistributor 1 region 0:0x00000000d1d60000" "arch_timer: cp15 timer\\(s\\) running at 12.50MHz"
      "SMP: Total of 2 processors activated" "kvm \\[1\\]: Hyp mode initialized successfully"
      "d0012000.serial: ttyMV0 at MMIO 0xd0012000" "MINOS-INIT: cpus 2, memory" "MINOS-INIT: done" "reboot: Power down")
missing=$(for w in "${lines[@]}"; do grep -Eq -- "$w" "$T/$name.log" || echo "$w;"; done)
[ -z "$missing" ] && ok "$name-log" || bad "$name-log" "missing: $missing"
golden $name
fi
# The shell on ttyMV0 through a pseudo-terminal (the UART's RX interrupt), CPU 1 unplugged and back.
if unit linux-espressobin-shell-ttyMV0; then
python3 "$HERE/scripts/shell-check.py" linux-espressobin-shell-ttyMV0 2 --hotplug 1 "$SIM" "${eb[@]}" --kernel "$L/Image-generic" \
  --initrd "$L/initramfs-generic.cpio.gz" --append "console=ttyMV0,115200 minos.test=shell" --max-insns 8000000000 >"$T/eb-shell.out" 2>&1
cat "$T/eb-shell.out"
pass=$((pass + $(grep -c '^PASS' "$T/eb-shell.out"))); fail=$((fail + $(grep -c '^FAIL' "$T/eb-shell.out")))
fi

# Debian's U-Boot (mvebu_espressobin-88f3720) as the board's BL33, loaded at 0 and entered at EL2
# as TF-A does: its environment saved to the SPI NOR flash survives a restart (two runs on one
# --spi-flash file), and it loads Linux, its tree and initramfs from the SD card's FAT partition
# through the Xenon SDHCI (SDMA) and booti's them to the shell.
ub=("$SIM" --board espressobin --cpus 2 --kernel "$L/u-boot-espressobin.bin" --max-insns 40000000000)
if unit linux-espressobin-u-boot-env; then
python3 -c "import sys; sys.stdout.buffer.write(b'\xff' * (4 << 20))" >"$T/spi-flash.img"
for step in save load; do
  python3 "$HERE/scripts/uboot-espressobin-check.py" linux-espressobin-u-boot-env-$step $step "saved-in-flash-$$" "${ub[@]}" \
    --spi-flash "file=$T/spi-flash.img" >"$T/ub-$step.out" 2>&1
  cat "$T/ub-$step.out"
  pass=$((pass + $(grep -c '^PASS' "$T/ub-$step.out"))); fail=$((fail + $(grep -c '^FAIL' "$T/ub-$step.out")))
done
fi
if unit linux-espressobin-u-boot-sd-booti; then
"$HERE/images/linux/build-sdcard.sh" "$T/eb-sd.img" 80 "$L/Image-generic" "$L/armada-3720-espressobin.dtb" "$L/initramfs-generic.cpio.gz"
python3 "$HERE/scripts/uboot-espressobin-check.py" linux-espressobin-u-boot-sd-booti sd Image-generic,armada-3720-espressobin.dtb,initramfs-generic.cpio.gz \
  "${ub[@]}" --sd "file=$T/eb-sd.img,mode=snapshot" >"$T/ub-sd.out" 2>&1
cat "$T/ub-sd.out"
pass=$((pass + $(grep -c '^PASS' "$T/ub-sd.out"))); fail=$((fail + $(grep -c '^FAIL' "$T/ub-sd.out")))
head -c 1048576 /dev/zero >"$T/small-flash.img"
bad_input "spi-flash-size" "small-flash.img: 1048576 bytes: a SPI flash image is 4, 8, 16 MiB" "$SIM" --board espressobin --kernel "$L/u-boot-espressobin.bin" --spi-flash "file=$T/small-flash.img"
bad_input "spi-flash-no-chip" "--spi-flash: board rpi3 has no SPI flash" "$SIM" --board rpi3 --kernel "$L/Image-generic" --spi-flash "file=$T/spi-flash.img"
fi

if unit bad-input; then
bad_input "drive-missing" "/nonexistent.img: no such file" "$SIM" --board virt --kernel "$L/Image" --drive file=/nonexistent.img
printf x >"$T/odd.img"
bad_input "drive-bad-size" "not a multiple of 512" "$SIM" --board virt --kernel "$L/Image" --drive "file=$T/odd.img"
bad_input "drive-bad-syntax" "drive" "$SIM" --board virt --kernel "$L/Image" --drive "path=x"
bad_input "net-bad" "net" "$SIM" --board virt --kernel "$L/Image" --net "tap,ifname=x"
bad_input "net-bad-option" "dnsforward=maybe" "$SIM" --board virt --kernel "$L/Image" --net "user,dnsforward=maybe"
fi

echo "linux-tests: $pass passed, $fail failed"
[ "$fail" = 0 ]
