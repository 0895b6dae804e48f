#!/usr/bin/env bash
# Builds a raw SD card image as a Pi's boot medium looks: an MBR with one FAT32 partition (type
# 0x0c) from 1 MiB holding the given files. Used to boot the rpi3 board through U-Boot from --sd.
# Usage: build-sdcard.sh OUTPUT SIZE_MIB FILE...
set -euo pipefail
out=$1; size=$2; shift 2
tmp=$out.tmp
rm -f "$tmp"
truncate -s "${size}M" "$tmp"
echo 'start=2048, type=c' | sfdisk -q "$tmp"
mkfs.vfat -F 32 -n MINOS --offset 2048 "$tmp" $(( (size - 1) * 1024 )) >/dev/null
for f in "$@"; do mcopy -i "$tmp@@1M" "$f" "::$(basename "$f")"; done
mv "$tmp" "$out"
