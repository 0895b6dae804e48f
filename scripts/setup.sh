#!/usr/bin/env bash
# Installs the Debian packages given as arguments if any is missing, and enables arm64
# multiarch for guest packages. Quick and silent when everything is already there.
set -euo pipefail
missing=()
for p in "$@"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ! dpkg --print-foreign-architectures | grep -qx arm64; then
  echo "setup: enabling arm64 multiarch"
  dpkg --add-architecture arm64
  need_update=1
fi
if [ ${#missing[@]} -gt 0 ] || [ -n "${need_update:-}" ]; then
  [ ${#missing[@]} -gt 0 ] && echo "setup: installing ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  [ ${#missing[@]} -gt 0 ] && apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "setup: swift is not on PATH (Swift 6.3 is required)" >&2; exit 1; }
exit 0
