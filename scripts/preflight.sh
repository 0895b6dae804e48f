#!/usr/bin/env bash
# The start of `make test`: starts every external tool the suites depend on, the way the suites
# use it, and stops at the first one that does not work with one line naming the Debian package
# (or toolchain part) to install -- instead of a run of confusing failures later.
# Usage: preflight.sh             Prints "preflight: N tools ok" or one line and exits 1.
set -uo pipefail
T=$(mktemp -d); trap 'rm -rf "$T"' EXIT
TOOLS=$(dirname "$(command -v swiftc 2>/dev/null || echo /nonexistent/swiftc)")
n=0

# need WHAT FIX CMD...: CMD must exit 0; otherwise one line naming FIX and CMD's first complaint.
need() {
  local what=$1 fix=$2; shift 2
  "$@" >"$T/out" 2>"$T/err" </dev/null
  local rc=$?
  if [ $rc = 0 ]; then n=$((n + 1)); return; fi
  local why; why=$(grep -v '^\s*$' "$T/err" | head -1 | cut -c1-160)
  echo "preflight: $what does not work (${fix}): ${why:-exit status $rc}" >&2
  exit 1
}

need swiftc "Swift 6.3 on PATH" test -x "$TOOLS/swiftc"
for t in clang ld.lld llvm-objcopy llvm-objdump; do
  need "$t" "the Swift toolchain next to swiftc should have it" test -x "$TOOLS/$t"
done
need "the Embedded Swift aarch64 standard library" "Swift 6.3 toolchain" \
  test -d "$TOOLS/../lib/swift/embedded/aarch64-none-none-elf"
for h in libfdt.h:libfdt-dev gelf.h:libelf-dev slirp/libslirp.h:libslirp-dev; do
  need "/usr/include/${h%%:*}" "Debian package ${h##*:}" test -f "/usr/include/${h%%:*}"
done
need dtc "Debian package device-tree-compiler" sh -c "echo '/dts-v1/; / { #address-cells = <1>; #size-cells = <1>; chosen { }; };' | dtc -q -I dts -O dtb -o $T/t.dtb"
need cpio "Debian package cpio" sh -c "printf '' | cpio -o -H newc --quiet >/dev/null"
need python3 "Debian package python3" python3 -c 'import sys; sys.exit(sys.version_info < (3, 9))'
need pkg-config "Debian package pkg-config" pkg-config --version
need bc "Debian package bc" sh -c 'echo 1+1 | bc'
need dpkg-deb "Debian package dpkg" dpkg-deb --version
need mkfs.vfat "Debian package dosfstools" sh -c "truncate -s 40M $T/fat.img && mkfs.vfat -F 32 $T/fat.img"
need mcopy "Debian package mtools" sh -c "echo x >$T/x.txt && mcopy -i $T/fat.img $T/x.txt ::x.txt"
need sfdisk "Debian package fdisk" sh -c "echo 'start=2048, type=c' | sfdisk -q $T/fat.img"
need mkimage "Debian package u-boot-tools" sh -c "echo 'echo hi' >$T/b.cmd && mkimage -A arm64 -T script -C none -d $T/b.cmd $T/b.scr"
need "arm64 multiarch" "make setup enables it: dpkg --add-architecture arm64" \
  sh -c 'dpkg --print-foreign-architectures | grep -qx arm64'

# An aarch64 Linux program, as the differential suites build them, run under qemu-aarch64.
printf '.globl _start\n_start: mov x0, #7\n mov x8, #93\n svc #0\n' >"$T/p.s"
need "clang --target=aarch64-linux-gnu" "the Swift toolchain's clang" "$TOOLS/clang" --target=aarch64-linux-gnu -c "$T/p.s" -o "$T/p.o"
need "ld.lld" "the Swift toolchain's ld.lld" "$TOOLS/ld.lld" -static "$T/p.o" -o "$T/p"
need qemu-aarch64 "Debian package qemu-user" sh -c "qemu-aarch64 -cpu cortex-a53 $T/p; [ \$? = 7 ]"
# The user-mode suite's compilers (Tests/user: static C and C++ programs).
printf 'int main(void) { return 7; }\n' >"$T/c.c"
need aarch64-linux-gnu-gcc "Debian package gcc-aarch64-linux-gnu" aarch64-linux-gnu-gcc -static -o "$T/c" "$T/c.c"
printf '#include <string>\nint main() { return std::string("x").size() == 1 ? 0 : 1; }\n' >"$T/c.cc"
need aarch64-linux-gnu-g++ "Debian package g++-aarch64-linux-gnu" aarch64-linux-gnu-g++ -static -o "$T/cc" "$T/c.cc"

# The system emulators, as the suites start them (no default NIC: no option ROM needed).
need "qemu-system-aarch64 -M virt" "Debian package qemu-system-arm" \
  timeout 20 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3,dumpdtb="$T/virt.dtb" -cpu cortex-a53 -m 1G -nic none -nographic
# raspi3b makes no device tree of its own: it patches the one it is given, so give it one.
printf '\x00\x00\x00\x14' >"$T/k.bin"
need "qemu-system-aarch64 -M raspi3b" "Debian package qemu-system-arm" \
  timeout 20 qemu-system-aarch64 -M raspi3b,dumpdtb="$T/rpi3.dtb" -dtb "$T/t.dtb" -kernel "$T/k.bin" -nographic
need "qemu-system-aarch64 with a virtio-mmio NIC" "Debian package qemu-system-arm" \
  timeout 20 qemu-system-aarch64 -M virt,dumpdtb="$T/net.dtb" -cpu cortex-a53 -nic none -netdev user,id=n0 -device virtio-net-device,netdev=n0 -nographic
echo "preflight: $n tools ok"
