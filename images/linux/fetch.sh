#!/usr/bin/env bash
# Unpacks the pinned Debian arm64 cloud kernel, busybox-static, zsh-static and sash
# (images/guest-packages) into CACHE and points CACHE/Image, CACHE/modules, CACHE/busybox,
# CACHE/zsh and CACHE/sash at them. Idempotent: packages
# are downloaded once (images/fetch-package.sh) and unpacked once per version.
# Usage: fetch.sh CACHE_DIR
set -euo pipefail
CACHE=$(realpath -m "$1")
here=$(dirname "$(realpath "$0")")
pins=$here/../guest-packages
kernel_pkg=$(awk '$1 ~ /^linux-image-.*-cloud-arm64$/ { print $1; exit }' "$pins")
[ -n "$kernel_pkg" ] || { echo "fetch: no cloud kernel (linux-image-*-cloud-arm64) pinned in images/guest-packages" >&2; exit 1; }
mkdir -p "$CACHE"
unpack() {  # unpack NAME -> prints the directory holding the unpacked package
  local deb dir
  deb=$("$here/../fetch-package.sh" "$1" "$CACHE/debs")
  dir=$CACHE/$(basename "$deb" .deb)
  if [ ! -d "$dir" ]; then
    rm -rf "$dir.tmp"
    dpkg-deb -x "$deb" "$dir.tmp" && mv "$dir.tmp" "$dir"
  fi
  echo "$dir"
}
kdir=$(unpack "$kernel_pkg")
bdir=$(unpack busybox-static)
zdir=$(unpack zsh-static)
sdir=$(unpack sash)
version=${kernel_pkg#linux-image-}
[ -f "$kdir/boot/vmlinuz-$version" ] || { echo "fetch: $kernel_pkg has no boot/vmlinuz-$version" >&2; exit 1; }
ln -sfn "$kdir/boot/vmlinuz-$version" "$CACHE/Image"
ln -sfn "$kdir/lib/modules/$version" "$CACHE/modules"
ln -sfn "$bdir/bin/busybox" "$CACHE/busybox"
ln -sfn "$zdir/bin/zsh-static" "$CACHE/zsh"
ln -sfn "$sdir/bin/sash" "$CACHE/sash"
echo "fetch: kernel $(basename "$kdir"), $(basename "$bdir"), $(basename "$zdir"), $(basename "$sdir")"
