#!/usr/bin/env bash
# `make image BOARD=espressobin`: the SD card a user flashes -- an MBR with one FAT32 partition
# holding Minos (minos.bin), its device tree with the default scenario's /vms (minos.dtb: the
# board's upstream tree, as the simulator boots it, plus images/scenarios/linux-pair), the guests'
# kernel and initramfs, and boot.scr (made with mkimage) which Debian's U-Boot distro boot runs:
# it loads each guest file where the scenario's `loads` put it, then Minos and its tree, and
# booti's Minos. The board's own boot flash (TF-A, U-Boot) is not touched.
# Usage: make-image.sh SIM BUILD BOARD    ->  BUILD/BOARD/sdcard.img; prints its md5.
set -euo pipefail
SIM=$(realpath "${1:?usage: make-image.sh SIM BUILD BOARD}")
BUILD=$(realpath -m "${2:?usage: make-image.sh SIM BUILD BOARD}")
BOARD=${3:?usage: make-image.sh SIM BUILD BOARD}
ROOT=$(cd "$(dirname "$0")/.." && pwd)
source "$ROOT/scripts/scenario-lib.sh"
case $BOARD in
  espressobin) ;;
  *) echo "make-image: no card image for board '$BOARD' yet (espressobin)" >&2; exit 2 ;;
esac
scenario_build
work=$BUILD/$BOARD/image
rm -rf "$work"; mkdir -p "$work/files"
scenario_prepare linux-pair "sim-$BOARD" "$work/linux-pair" >"$work/prepare.log" || { cat "$work/prepare.log" >&2; exit 1; }
cp "$work/linux-pair.dtb" "$work/files/minos.dtb"
cp "$BUILD/$BOARD/minos.bin" "$work/files/minos.bin"
# The host VM owns the SD controller and mounts this very card: it prints this file.
echo "Minos linux-pair card for $BOARD" > "$work/files/minos.txt"
{
  echo "# Minos with the linux-pair VMs: made by scripts/make-image.sh"
  echo "echo Loading the Minos guests"
  args=("${RUN_CMD[@]}")
  for ((i = 0; i < ${#args[@]}; i++)); do
    [ "${args[i]}" = --load ] || continue
    file=${args[i + 1]%@*}; addr=${args[i + 1]##*@}
    cp -n "$file" "$work/files/$(basename "$file")"
    echo "load \${devtype} \${devnum}:\${distro_bootpart} $addr $(basename "$file")"
  done
  echo "load \${devtype} \${devnum}:\${distro_bootpart} \${fdt_addr_r} minos.dtb"
  echo "load \${devtype} \${devnum}:\${distro_bootpart} \${kernel_addr_r} minos.bin"
  echo "echo Starting Minos"
  echo "booti \${kernel_addr_r} - \${fdt_addr_r}"
} >"$work/boot.cmd"
SOURCE_DATE_EPOCH=0 mkimage -A arm64 -O linux -T script -C none -n "Minos linux-pair" -d "$work/boot.cmd" "$work/files/boot.scr" >"$work/mkimage.log"
size=$(( ($(du -sm "$work/files" | cut -f1) + 16) / 8 * 8 + 40 ))   # MiB: files, FAT overhead, margin
"$ROOT/images/linux/build-sdcard.sh" "$BUILD/$BOARD/sdcard.img" "$size" "$work"/files/*
echo "make-image: $BUILD/$BOARD/sdcard.img ($size MiB) md5 $(md5sum <"$BUILD/$BOARD/sdcard.img" | cut -d' ' -f1)"
