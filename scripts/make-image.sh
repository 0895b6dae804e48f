#!/usr/bin/env bash
# `make image BOARD=espressobin|rpi3`: the SD card a user flashes -- an MBR with one FAT32 partition
# holding Minos (minos.bin), its device tree with the default scenario's /vms (minos.dtb: the
# board's upstream tree, as the simulator boots it, plus images/scenarios/linux-pair) and the guests.
#   espressobin: the guests' files and boot.scr (made with mkimage), which Debian's U-Boot distro
#     boot runs: it loads each guest file where the scenario's `loads` put it, then Minos and its
#     tree, and booti's Minos. The board's own boot flash (TF-A, U-Boot) is not touched.
#   rpi3: what the Pi's GPU firmware reads: config.txt (64-bit, UART on, kernel=minos.bin at
#     0x80000, the tree at 0x03E00000, the guests as one ramdisk at 0x04000000: a newc cpio whose
#     files the /vms nodes name in kernel_image/initrd_image). Second path: Debian's U-Boot
#     (u-boot.bin; kernel=u-boot.bin in config.txt) runs boot.scr, which loads the same three files
#     and booti's Minos. The GPU firmware (bootcode.bin, start.elf, fixup.dat) is not in Debian's
#     main archive: FIRMWARE_DIR=DIR copies them from DIR.
# Usage: make-image.sh SIM BUILD BOARD    ->  BUILD/BOARD/sdcard.img; prints its md5.
set -euo pipefail
SIM=$(realpath "${1:?usage: make-image.sh SIM BUILD BOARD}")
BUILD=$(realpath -m "${2:?usage: make-image.sh SIM BUILD BOARD}")
BOARD=${3:?usage: make-image.sh SIM BUILD BOARD}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/scenario-lib.sh"
case $BOARD in
  espressobin|rpi3) ;;
  *) echo "make-image: no card image for board '$BOARD' (espressobin, rpi3)" >&2; exit 2 ;;
esac
if [ -n "${FIRMWARE_DIR:-}" ]; then
  [ "$BOARD" = rpi3 ] || { echo "make-image: FIRMWARE_DIR is for rpi3 (the Pi's GPU firmware)" >&2; exit 2; }
  for f in bootcode.bin start.elf fixup.dat; do
    [ -f "$FIRMWARE_DIR/$f" ] || { echo "make-image: FIRMWARE_DIR=$FIRMWARE_DIR has no $f" >&2; exit 2; }
  done
fi
scenario_build
work=$BUILD/$BOARD/image
rm -rf "$work"; mkdir -p "$work/files"
scenario_prepare linux-pair "sim-$BOARD" "$work/linux-pair" >"$work/prepare.log" || { cat "$work/prepare.log" >&2; exit 1; }
cp "$work/linux-pair.dtb" "$work/files/minos.dtb"
cp "$BUILD/$BOARD/minos.bin" "$work/files/minos.bin"
# The ESPRESSObin's host VM owns the SD controller and mounts this very card: it prints this file.
echo "Minos linux-pair card for $BOARD" > "$work/files/minos.txt"
# The guest files the scenario loads: FILE@ADDR pairs from its command line.
guests=()
args=("${RUN_CMD[@]}")
for ((i = 0; i < ${#args[@]}; i++)); do [ "${args[i]}" = --load ] && guests+=("${args[i + 1]}"); done

if [ "$BOARD" = espressobin ]; then
  {
    echo "# Minos with the linux-pair VMs: made by scripts/make-image.sh"
    echo "echo Loading the Minos guests"
    for g in "${guests[@]}"; do
      file=${g%@*}; addr=${g##*@}
      cp -n "$file" "$work/files/$(basename "$file")"
      echo "load \${devtype} \${devnum}:\${distro_bootpart} $addr $(basename "$file")"
    done
    echo "load \${devtype} \${devnum}:\${distro_bootpart} \${fdt_addr_r} minos.dtb"
    echo "load \${devtype} \${devnum}:\${distro_bootpart} \${kernel_addr_r} minos.bin"
    echo "echo Starting Minos"
    echo "booti \${kernel_addr_r} - \${fdt_addr_r}"
  } >"$work/boot.cmd"
else
  # One ramdisk for every guest file; each /vms node names its files in it (the VM's entry is
  # where its kernel goes, its initrd base where its initramfs goes).
  mkdir -p "$work/ramdisk"
  for g in "${guests[@]}"; do cp -n "${g%@*}" "$work/ramdisk/$(basename "${g%@*}")"; done
  find "$work/ramdisk" -exec touch -h -d @0 {} +
  (cd "$work/ramdisk" && ls | LC_ALL=C sort | cpio -o -H newc --quiet --reproducible) >"$work/files/minos-ramdisk.cpio"
  dtb=$work/files/minos.dtb
  for vm in $(fdtget -l "$dtb" /vms); do
    read -r hi lo < <(fdtget -t x "$dtb" "/vms/$vm" entry)
    entry=$(printf '0x%x' $(( (0x$hi << 32) | 0x$lo )))
    initrd=""
    if read -r hi lo _ < <(fdtget -t x "$dtb" "/vms/$vm" initrd 2>/dev/null); then initrd=$(printf '0x%x' $(( (0x$hi << 32) | 0x$lo ))); fi
    for g in "${guests[@]}"; do
      addr=$(printf '0x%x' "${g##*@}")
      [ "$addr" = "$entry" ] && fdtput -t s "$dtb" "/vms/$vm" kernel_image "$(basename "${g%@*}")"
      [ -n "$initrd" ] && [ "$addr" = "$initrd" ] && fdtput -t s "$dtb" "/vms/$vm" initrd_image "$(basename "${g%@*}")"
    done
  done
  cat >"$work/files/config.txt" <<'CONFIG'
# Minos on the Raspberry Pi 3, made by `make image BOARD=rpi3` (scripts/make-image.sh).
arm_64bit=1
enable_uart=1
kernel=minos.bin
kernel_address=0x80000
device_tree=minos.dtb
device_tree_address=0x03e00000
initramfs minos-ramdisk.cpio 0x04000000
# The U-Boot path instead: kernel=u-boot.bin (and nothing else here); its distro boot runs boot.scr.
CONFIG
  cp "$BUILD/linux/u-boot-rpi_arm64.bin" "$work/files/u-boot.bin"
  if [ -n "${FIRMWARE_DIR:-}" ]; then cp "$FIRMWARE_DIR"/{bootcode.bin,start.elf,fixup.dat} "$work/files/"; fi
  {
    echo "# Minos with the linux-pair VMs: made by scripts/make-image.sh"
    echo "load \${devtype} \${devnum}:\${distro_bootpart} 0x04000000 minos-ramdisk.cpio"
    echo "setenv minos_ramdisk_size \${filesize}"
    echo "load \${devtype} \${devnum}:\${distro_bootpart} 0x03e00000 minos.dtb"
    echo "load \${devtype} \${devnum}:\${distro_bootpart} \${kernel_addr_r} minos.bin"
    echo "echo Starting Minos"
    echo "booti \${kernel_addr_r} 0x04000000:\${minos_ramdisk_size} 0x03e00000"
  } >"$work/boot.cmd"
fi
SOURCE_DATE_EPOCH=0 mkimage -A arm64 -O linux -T script -C none -n "Minos linux-pair" -d "$work/boot.cmd" "$work/files/boot.scr" >"$work/mkimage.log"
size=$(( ($(du -sm "$work/files" | cut -f1) + 16) / 8 * 8 + 40 ))   # MiB: files, FAT overhead, margin
"$ROOT/images/linux/build-sdcard.sh" "$BUILD/$BOARD/sdcard.img" "$size" "$work"/files/*
echo "make-image: $BUILD/$BOARD/sdcard.img ($size MiB) md5 $(md5sum <"$BUILD/$BOARD/sdcard.img" | cut -d' ' -f1)"
