#!/usr/bin/env bash
# Builds a raw SD card image as a Pi's boot medium looks: an MBR with one FAT32 partition (type
# 0x0c) from 1 MiB holding the given files. Used to boot the rpi3 board through U-Boot from --sd,
# and for the cards make image writes. Reproducible: the disk id, the volume id and every file's
# time are fixed (SOURCE_DATE_EPOCH, default 2024-01-01), so the same files give the same bytes.
# Usage: build-sdcard.sh OUTPUT SIZE_MIB FILE...
set -euo pipefail
out=$1; size=$2; shift 2
tmp=$out.tmp
stage=$(mktemp -d); trap 'rm -rf "$stage"' EXIT
rm -f "$tmp"
truncate -s "${size}M" "$tmp"
printf 'label: dos\nlabel-id: 0x4d494e4f\nstart=2048, type=c\n' | sfdisk -q "$tmp"
mkfs.vfat -F 32 -n MINOS --invariant --offset 2048 "$tmp" $(( (size - 1) * 1024 )) >/dev/null
for f in "$@"; do
  cp "$f" "$stage/$(basename "$f")"
  touch -d "@${SOURCE_DATE_EPOCH:-1704067200}" "$stage/$(basename "$f")"
  MTOOLS_SKIP_CHECK=1 mcopy -m -i "$tmp@@1M" "$stage/$(basename "$f")" "::$(basename "$f")"
done
mv "$tmp" "$out"
