#!/usr/bin/env bash
# Downloads Debian's generic arm64 kernel package (linux-image-arm64, whatever version the archive
# has) into CACHE and extracts only the upstream FVP Base RevC device tree from it
# (usr/lib/linux-image-*/arm/fvp-base-revc.dtb), as CACHE/fvp-base-revc.dtb. The package itself
# (~70 MB) is deleted after extraction; the dtb stays cached. Idempotent.
# Usage: fetch-dtb.sh CACHE_DIR
set -euo pipefail
CACHE=$1
mkdir -p "$CACHE"
cd "$CACHE"
[ -f fvp-base-revc.dtb ] && exit 0
pkg=$(apt-cache depends linux-image-arm64:arm64 2>/dev/null | awk '/Depends: linux-image-[0-9]/{sub(":arm64","",$2); print $2; exit}')
[ -n "$pkg" ] || { echo "fetch-dtb: cannot resolve linux-image-arm64:arm64 (is arm64 multiarch enabled and apt updated?)" >&2; exit 1; }
tmp=$(mktemp -d "$PWD/dtb.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
echo "fetch-dtb: downloading $pkg:arm64 for its fvp-base-revc.dtb"
(cd "$tmp" && apt-get download -q "$pkg:arm64" 2>&1 | grep -v "unsandboxed" || true)
deb=$(ls "$tmp"/"$pkg"_*.deb 2>/dev/null | head -1)
[ -n "$deb" ] || { echo "fetch-dtb: apt-get download $pkg:arm64 failed" >&2; exit 1; }
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$tmp" --wildcards '*/arm/fvp-base-revc.dtb'
dtb=$(find "$tmp" -name fvp-base-revc.dtb | head -1)
[ -n "$dtb" ] || { echo "fetch-dtb: $pkg has no arm/fvp-base-revc.dtb" >&2; exit 1; }
cp "$dtb" fvp-base-revc.dtb.tmp && mv fvp-base-revc.dtb.tmp fvp-base-revc.dtb
basename "$deb" > fvp-base-revc.dtb.source
echo "fetch-dtb: fvp-base-revc.dtb from $(basename "$deb")"
