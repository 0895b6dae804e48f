#!/usr/bin/env bash
# Downloads the pinned Debian arm64 package NAME (images/guest-packages) into DIR as
# DIR/NAME_VERSION_arm64.deb (kept: a cached package is never downloaded again) and prints
# its path. One line and exit 1 when the pin is unknown or has vanished from the archive.
# Usage: fetch-package.sh NAME DIR
set -euo pipefail
name=$1; dir=$(realpath -m "$2")
pins=$(dirname "$(realpath "$0")")/guest-packages
read -r _ version _ < <(awk -v n="$name" '$1 == n { print; exit }' "$pins") || true
[ -n "${version:-}" ] || { echo "fetch: $name is not pinned in $pins" >&2; exit 1; }
mkdir -p "$dir"
# A .deb's file name carries the version without its epoch ("1:" is %3a in some mirrors' names).
deb=$dir/${name}_${version#*:}_arm64.deb
# Architecture: all packages (u-boot-qemu) have no :arm64 name.
spec="$name:arm64=$version"
apt-cache show "$spec" >/dev/null 2>&1 || ! apt-cache show "$name=$version" >/dev/null 2>&1 || spec="$name=$version"
if [ ! -s "$deb" ]; then
  echo "fetch: downloading $name $version (arm64)" >&2
  tmp=$(mktemp -d "$dir/.fetch.XXXXXX"); trap 'rm -rf "$tmp"' EXIT
  if ! (cd "$tmp" && apt-get download -q "$spec" >"$tmp/log" 2>&1); then
    if apt-cache show "$spec" >/dev/null 2>&1; then
      echo "fetch: apt-get download $spec failed: $(grep -v unsandboxed "$tmp/log" | tail -1)" >&2
    else
      echo "fetch: $name $version (pinned in images/guest-packages) is no longer in Debian's archive; run 'make update-guests' to move the pins to the archive's current versions and rewrite the goldens" >&2
    fi
    exit 1
  fi
  got=$(ls "$tmp"/*.deb)
  mv "$got" "$deb"
fi
echo "$deb"
