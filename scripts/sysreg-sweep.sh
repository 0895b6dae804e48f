#!/usr/bin/env bash
# System-register sweep (M2.12; EL1 only so far): images/bench/sysreg-sweep.S does MRS then MSR of
# every op0 2/3 encoding at EL1 on sim and on QEMU (-cpu cortex-a53, virtualization on) and this
# lists the encodings where the two differ, as "S<op0>_<op1>_C<n>_C<m>_<op2> MRS sim/qemu MSR
# sim/qemu" with the sweep's result letters ('.' completed, 'U' UNDEFINED, '2' trapped to EL2, a hex
# digit: another exception class), then compares that list with the documented one
# (Tests/sysreg/qemu-differences.txt): PASS when equal, else FAIL naming the lines (exit 1).
# Usage: scripts/sysreg-sweep.sh SIM BUILD
set -euo pipefail
SIM=$(realpath "${1:?usage: sysreg-sweep.sh SIM BUILD}")
BUILD=$(realpath -m "${2:?usage: sysreg-sweep.sh SIM BUILD}")/sysreg-sweep
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=$(dirname "$(command -v swiftc)")
mkdir -p "$BUILD"
"$TOOLS/clang" --target=aarch64-none-elf -c "$ROOT/images/bench/sysreg-sweep.S" -o "$BUILD/sweep.o"
"$TOOLS/ld.lld" -static -nostdlib -Ttext=0x40080000 -e _start -o "$BUILD/sweep.elf" "$BUILD/sweep.o"
"$SIM" --board virt --cpus 1 --kernel "$BUILD/sweep.elf" --quiet </dev/null | tr -d '\r' | grep -E '^[0-9a-f]{3} |^E$' >"$BUILD/sim.txt"
timeout 600 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a53 -m 128M -nic none -nographic \
  -kernel "$BUILD/sweep.elf" </dev/null 2>/dev/null | tr -d '\r' | grep -E '^[0-9a-f]{3} |^E$' >"$BUILD/qemu.txt"
for f in sim qemu; do
  [ "$(tail -1 "$BUILD/$f.txt")" = E ] || { echo "sysreg-sweep: the $f run did not finish ($BUILD/$f.txt)" >&2; exit 1; }
done
paste -d'\n' "$BUILD/sim.txt" "$BUILD/qemu.txt" | awk '
  NR % 2 == 1 { s = $0; next }
  { q = $0; if (s == q) next
    split(s, a, " "); split(q, b, " "); h = a[1]
    op0 = substr(h, 1, 1); op1 = substr(h, 2, 1); crn = index("0123456789abcdef", substr(h, 3, 1)) - 1
    for (i = 0; i < 128; i++) {
      sr = substr(a[2], 2 * i + 1, 1); sw = substr(a[2], 2 * i + 2, 1)
      qr = substr(b[2], 2 * i + 1, 1); qw = substr(b[2], 2 * i + 2, 1)
      if (sr != qr || sw != qw) printf "S%s_%s_C%d_C%d_%d MRS %s/%s MSR %s/%s\n", op0, op1, crn, int(i / 8), i % 8, sr, qr, sw, qw
    } }' >"$BUILD/differences.txt"
documented=$ROOT/Tests/sysreg/qemu-differences.txt
grep -vE '^(#|$)' "$documented" | sort >"$BUILD/documented.txt"
sort "$BUILD/differences.txt" >"$BUILD/found.txt"
new=$(comm -13 "$BUILD/documented.txt" "$BUILD/found.txt" | paste -sd';')
stale=$(comm -23 "$BUILD/documented.txt" "$BUILD/found.txt" | paste -sd';')
if [ -z "$new$stale" ]; then
  echo "PASS sysreg-sweep-el1 ($(wc -l <"$BUILD/found.txt") documented differences from QEMU)"
else
  echo "FAIL sysreg-sweep-el1: undocumented differences (sim/qemu): ${new:-none}; documented but gone: ${stale:-none} (Tests/sysreg/qemu-differences.txt)"
  exit 1
fi
