#!/usr/bin/env bash
# `make update-guests`: moves every pin in images/guest-packages to the version Debian's archive
# serves today (for a pin that follows a meta-package, to the package that meta-package depends
# on now, e.g. linux-image-cloud-arm64 -> linux-image-6.1.0-57-cloud-arm64), then the Makefile
# rebuilds the images and rewrites the goldens. Review `git diff` and commit pins and goldens
# together.
# Usage: update-guests.sh PINS_FILE
set -euo pipefail
pins=$1
apt-get update -qq
candidate() {  # candidate PKG -> the archive's version of PKG:arm64
  # Architecture: all packages (u-boot-qemu) answer only to their plain name.
  { apt-cache policy "$1:arm64" 2>/dev/null; apt-cache policy "$1" 2>/dev/null; } | awk '/Candidate:/ { print $2; exit }'
}
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
changed=0
while IFS= read -r line; do
  if [[ -z $line || $line == \#* ]]; then echo "$line"; continue; fi
  read -r name version follows use <<<"$line"
  new=$name
  if [ "$follows" != "$name" ]; then
    new=$(apt-cache depends "$follows:arm64" 2>/dev/null | awk -v p="${name%%-[0-9]*}" '
      /Depends:/ { d = $2; sub(":arm64", "", d); if (index(d, p) == 1) { print d; exit } }')
    [ -n "$new" ] || { echo "update-guests: cannot resolve $follows:arm64 (is arm64 multiarch enabled?)" >&2; exit 1; }
  fi
  v=$(candidate "$new")
  [ -n "$v" ] && [ "$v" != "(none)" ] || { echo "update-guests: $new:arm64 is not in the archive" >&2; exit 1; }
  if [ "$new $v" != "$name $version" ]; then
    echo "update-guests: $name $version -> $new $v" >&2; changed=1
  fi
  printf '%-36s %-23s %-25s %s\n' "$new" "$v" "$follows" "$use"
done <"$pins" >"$tmp"
cp "$tmp" "$pins"
[ $changed = 1 ] || echo "update-guests: every pin is already the archive's current version" >&2
