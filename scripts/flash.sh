#!/usr/bin/env bash
# `make flash BOARD=... DEVICE=/dev/sdX`: writes build/<board>/sdcard.img to a card, carefully.
# Refuses (one line, exit 2) a missing or nonexistent DEVICE, a device that is mounted (or one of
# its partitions is), and -- unless FORCE=1 -- anything that is not a removable block device or is
# larger than 256 GiB (no SD card is; a disk is). Shows what will be overwritten and asks for
# "yes" on standard input; then writes with dd, syncs, and verifies by reading the image back.
# Usage: flash.sh IMAGE DEVICE
set -uo pipefail
image=${1:-}; device=${2:-}
die() { echo "flash: $*" >&2; exit 2; }
[ -n "$image" ] && [ -f "$image" ] || die "no card image '${image}': run make image BOARD=... first"
[ -n "$device" ] || die "give the card's device: make flash BOARD=... DEVICE=/dev/sdX (see lsblk)"
[ -e "$device" ] || die "$device does not exist"
real=$(realpath "$device")
if grep -qE "^($real|$real[p]?[0-9]+) " /proc/mounts; then
  die "$device is mounted ($(grep -E "^($real|$real[p]?[0-9]+) " /proc/mounts | awk '{print $1 " on " $2}' | head -1)): unmount it first"
fi
if [ -b "$real" ]; then
  name=$(basename "$real")
  size=$(blockdev --getsize64 "$real" 2>/dev/null || echo 0)
  removable=$(cat "/sys/block/$name/removable" 2>/dev/null || echo 0)
  if [ "${FORCE:-}" != 1 ]; then
    [ "$removable" = 1 ] || die "$device is not a removable device (a system disk?); FORCE=1 if you are sure"
    [ "$size" -le $((256 << 30)) ] || die "$device is $((size >> 30)) GiB, larger than any SD card; FORCE=1 if you are sure"
  fi
  what="block device $device, $((size >> 20)) MiB"
else
  [ "${FORCE:-}" = 1 ] || die "$device is not a block device; FORCE=1 to write the image into a plain file"
  what="file $device"
fi
echo "flash: will overwrite $what with $image ($(( $(stat -c %s "$image") >> 20 )) MiB). Type yes to go on:"
read -r answer || answer=""
[ "$answer" = yes ] || die "not confirmed; nothing written"
dd if="$image" of="$device" bs=4M conv=fsync,notrunc status=none || die "writing $device failed"
sync
cmp -n "$(stat -c %s "$image")" "$image" "$device" >/dev/null || die "verification failed: $device does not read back as $image"
echo "flash: $device written and verified"
