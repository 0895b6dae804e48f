#!/usr/bin/env bash
# Extracts upstream device trees from the pinned Debian generic arm64 kernel package
# (linux-image-*-arm64 in images/guest-packages) into CACHE/dtbs/<package>/, then copies the ones
# named on the command line (paths under usr/lib/linux-image-*/, e.g. arm/fvp-base-revc.dtb) to
# CACHE/<basename>. The same kernel (boards the cloud kernel does not support: rpi3) and the few
# modules its test initramfs loads go to CACHE/generic/<package>/, linked as CACHE/Image-generic and
# CACHE/modules-generic. The package (~70 MB) is deleted once that is out. Idempotent.
# Usage: fetch-dtb.sh CACHE_DIR DTB_PATH...
set -euo pipefail
CACHE=$(realpath -m "$1"); shift
here=$(dirname "$(realpath "$0")")
pkg=$(awk '$1 ~ /^linux-image-[0-9.]+-[0-9]+-arm64$/ { print $1; exit }' "$here/../guest-packages")
[ -n "$pkg" ] || { echo "fetch-dtb: no generic kernel (linux-image-*-arm64) pinned in images/guest-packages" >&2; exit 1; }
dtbs=$CACHE/dtbs/$pkg
# The modules the generic kernel's initramfs images carry: the Pi's watchdog (power-off), and the
# ESPRESSObin's SD stack (Xenon SDHCI, its GPIO regulator) with FAT, for a VM that mounts the card.
mods=(drivers/watchdog/bcm2835_wdt drivers/mmc/host/sdhci drivers/mmc/host/sdhci-pltfm
      drivers/mmc/host/sdhci-xenon-driver drivers/regulator/gpio-regulator fs/fat/fat fs/fat/vfat fs/nls/nls_cp437 fs/nls/nls_ascii)
version=${pkg#linux-image-}
missing=0
for m in "${mods[@]}"; do [ -f "$CACHE/generic/$pkg/lib/modules/$version/kernel/$m.ko" ] || missing=1; done
if [ ! -d "$dtbs" ] || [ ! -d "$CACHE/generic/$pkg" ] || [ $missing = 1 ]; then
  rm -rf "$dtbs"
  tmp=$(mktemp -d "$CACHE/.dtb.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
  deb=$("$here/../fetch-package.sh" "$pkg" "$tmp")
  pats=('*.dtb' './boot/vmlinuz-*')
  for m in "${mods[@]}"; do pats+=("*/kernel/$m.ko"); done
  dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards "${pats[@]}"
  src=$(find "$tmp" -type d -path '*/usr/lib/linux-image-*' -prune | head -1)
  [ -n "$src" ] || { echo "fetch-dtb: $pkg holds no device trees" >&2; exit 1; }
  rm -rf "$CACHE/generic/$pkg" && mkdir -p "$CACHE/generic/$pkg" "$CACHE/dtbs"
  mv "$tmp/boot" "$tmp/lib" "$CACHE/generic/$pkg/"
  mv "$src" "$dtbs"
fi
ln -sfn "$CACHE/generic/$pkg/boot/vmlinuz-$version" "$CACHE/Image-generic"
ln -sfn "$CACHE/generic/$pkg/lib/modules/$version" "$CACHE/modules-generic"
for d in "$@"; do
  [ -f "$dtbs/$d" ] || { echo "fetch-dtb: $pkg has no $d" >&2; exit 1; }
  cp "$dtbs/$d" "$CACHE/$(basename "$d").tmp" && mv "$CACHE/$(basename "$d").tmp" "$CACHE/$(basename "$d")"
  echo "$pkg" > "$CACHE/$(basename "$d").source"
done
