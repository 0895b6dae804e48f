#!/usr/bin/env bash
# Builds a gzip'd newc initramfs: busybox, the modules its /init may load (virtio, the Pi's watchdog;
# with `sd`, the ESPRESSObin's SD stack and FAT; with `pci`, virtio-pci) when MODULES_DIR has them, and /init.
# Usage: build-initramfs.sh CACHE_DIR INIT_SCRIPT OUTPUT [MODULES_DIR [sd|pci]]   (default CACHE_DIR/modules)
set -euo pipefail
CACHE=$(realpath "$1"); INIT=$(realpath "$2"); OUT=$(realpath -m "$3"); MODULES=$(realpath "${4:-$CACHE/modules}")
root=$(mktemp -d); trap 'rm -rf "$root"' EXIT
mkdir -p "$root"/{bin,sbin,dev,proc,sys,tmp,mnt,etc,lib/modules}
cp "$CACHE/busybox" "$root/bin/busybox"
version=$(basename "$MODULES")
mods="$root/lib/modules/$version"
mkdir -p "$mods"
# Load order: virtio_ring, virtio, virtio_mmio, then the device drivers.
for m in drivers/virtio/virtio_ring drivers/virtio/virtio drivers/virtio/virtio_mmio \
         drivers/block/virtio_blk drivers/net/net_failover drivers/net/virtio_net drivers/char/virtio_console \
         net/core/failover drivers/watchdog/bcm2835_wdt \
         $([ "${5:-}" = sd ] && echo drivers/regulator/gpio-regulator drivers/mmc/host/sdhci drivers/mmc/host/sdhci-pltfm \
             drivers/mmc/host/sdhci-xenon-driver fs/fat/fat fs/fat/vfat fs/nls/nls_cp437 fs/nls/nls_ascii) \
         $([ "${5:-}" = pci ] && echo drivers/virtio/virtio_pci_legacy_dev drivers/virtio/virtio_pci_modern_dev drivers/virtio/virtio_pci); do
  src="$MODULES/kernel/$m.ko"
  [ -f "$src" ] && cp "$src" "$mods/"
done
cp "$INIT" "$root/init"
chmod +x "$root/init"
# Reproducible bytes: fixed timestamps (the archive otherwise records when it was built, and a guest's
# decompression time -- so the order of its boot log lines -- would depend on that).
find "$root" -exec touch -h -d "@${SOURCE_DATE_EPOCH:-0}" {} +
(cd "$root" && find . | sort | cpio -o -H newc --quiet --reproducible 2>/dev/null || find . | sort | cpio -o -H newc --quiet) | gzip -n -9 > "$OUT"
echo "initramfs: $OUT ($(stat -c %s "$OUT") bytes)"
