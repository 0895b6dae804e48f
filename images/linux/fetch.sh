#!/usr/bin/env bash
# Downloads Debian's arm64 cloud kernel and busybox-static (whatever versions the archive has)
# into CACHE and unpacks them. Idempotent: cached packages are reused.
# Usage: fetch.sh CACHE_DIR
set -euo pipefail
CACHE=$1
mkdir -p "$CACHE"
cd "$CACHE"
kernel_pkg=$(apt-cache depends linux-image-cloud-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{sub(":arm64","",$2); print $2; exit}')
[ -n "$kernel_pkg" ] || { echo "fetch: cannot resolve linux-image-cloud-arm64:arm64 (is arm64 multiarch enabled and apt updated?)" >&2; exit 1; }
for pkg in "$kernel_pkg:arm64" busybox-static:arm64; do
  name=${pkg%%:*}
  if ! ls "$name"_*.deb >/dev/null 2>&1; then
    echo "fetch: downloading $pkg"
    apt-get download -q "$pkg" 2>&1 | grep -v "unsandboxed" || true
  fi
  deb=$(ls "$name"_*.deb | tail -1)
  if [ ! -d "$name" ]; then
    dpkg-deb -x "$deb" "$name.tmp" && mv "$name.tmp" "$name"
  fi
done
version=${kernel_pkg#linux-image-}
ln -sfn "$kernel_pkg/boot/vmlinuz-$version" Image
ln -sfn "$kernel_pkg/lib/modules/$version" modules
ln -sfn busybox-static/bin/busybox busybox
echo "fetch: kernel $version, $(ls busybox-static_*.deb)"
