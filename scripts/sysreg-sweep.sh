#!/usr/bin/env bash
# System-register sweep (M2.12): images/bench/sysreg-sweep.S does MRS then MSR of every op0 2/3
# encoding on sim and on QEMU (-cpu cortex-a53, virtualization on), once per configuration below
# (the exception level, EL2's traps, what EL1 opens to EL0), and this lists the encodings where
# the two differ, as "<config> S<op0>_<op1>_C<n>_C<m>_<op2> MRS sim/qemu MSR sim/qemu" with the
# sweep's result letters (see the .S: '.' completed, 'U' UNDEFINED, 'S' trapped to EL1, '2'
# trapped to EL2, ...), then compares that list with the documented one
# (Tests/sysreg/qemu-differences.txt): PASS when equal, else FAIL naming the lines (exit 1).
# Usage: scripts/sysreg-sweep.sh SIM BUILD
set -euo pipefail
SIM=$(realpath "${1:?usage: sysreg-sweep.sh SIM BUILD}")
BUILD=$(realpath -m "${2:?usage: sysreg-sweep.sh SIM BUILD}")/sysreg-sweep
ROOT=$(cd "$(dirname "$0")/.." && pwd)
TOOLS=$(dirname "$(command -v swiftc)")
mkdir -p "$BUILD"
rm -f "$BUILD"/*.txt

# HCR_EL2: el1-minos is what the hypervisor gives a guest (VM aside: no stage 2 here), el1-traps
# adds every trap of an MRS/MSR (TID1-3, TIDCP, TACR, TVM; not TRVM, which would trap the
# sweep's own reads of ESR_EL1). MDCR_EL2 keeps HPMN = 6 (all
# counters to EL1) and adds TPMCR/TPM/TDA/TDOSA/TDRA; CPTR_EL2 TFP, then TTA and TCPAC;
# CNTHCTL_EL2 traps CNTP_* (minos) and CNTPCT (traps). el0-closed gives EL0 nothing (SCTLR_EL1
# UCT/UCI/DZE/UMA clear, CNTKCTL_EL1 0, PMUSERENR_EL0 0, MDSCR_EL1.TDCC, CPACR_EL1 traps FP);
# el0-open everything; el0-pmu the PMU's partial enables (PMUSERENR_EL0 SW, CR, ER without EN).
configs="
# name      EL HCR        MDCR  CPTR       CNTHCTL SCTLR      CNTKCTL PMUSERENR MDSCR  CPACR
el1         1  0x80000000 0x6   0x33ff     0x3     0x30d00800 0x0     0x0       0x0    0x300000
el0-closed  0  0x80000000 0x6   0x33ff     0x3     0x30d00800 0x0     0x0       0x1000 0x0
el0-open    0  0x80000000 0x6   0x33ff     0x3     0x34d5ca00 0x303   0xf       0x0    0x300000
el0-pmu     0  0x80000000 0x6   0x33ff     0x3     0x34d5ca00 0x303   0xe       0x0    0x300000
el1-minos   1  0x8008663a 0x6   0x37ff     0x1     0x30d00800 0x0     0x0       0x0    0x300000
el1-traps   1  0x847f663a 0xe66 0x801037ff 0x0     0x30d00800 0x0     0x0       0x0    0x300000
el0-traps   0  0x847f663a 0xe66 0x801037ff 0x0     0x34d5ca00 0x303   0xf       0x0    0x300000
"

: >"$BUILD/differences.txt"
while read -r name el hcr mdcr cptr cnthctl sctlr cntkctl pmuserenr mdscr cpacr; do
  case "$name" in ''|'#'*) continue ;; esac
  out=$BUILD/$name
  "$TOOLS/clang" --target=aarch64-none-elf -c "$ROOT/images/bench/sysreg-sweep.S" -o "$out.o" \
    -DSWEEP_EL="$el" -DHCR="$hcr" -DMDCR="$mdcr" -DCPTR="$cptr" -DCNTHCTL="$cnthctl" -DSCTLR="$sctlr" \
    -DCNTKCTL="$cntkctl" -DPMUSERENR="$pmuserenr" -DMDSCR="$mdscr" -DCPACR="$cpacr"
  "$TOOLS/ld.lld" -static -nostdlib -Ttext=0x40080000 -e _start -o "$out.elf" "$out.o"
  timeout 600 "$SIM" --board virt --cpus 1 --kernel "$out.elf" --quiet </dev/null | tr -d '\r' \
    | grep -E '^[0-9a-f]{3} |^E$' >"$out.sim.txt" || true
  timeout 600 qemu-system-aarch64 -M virt,virtualization=on,gic-version=3 -cpu cortex-a53 -m 128M -nic none \
    -nographic -kernel "$out.elf" </dev/null 2>/dev/null | tr -d '\r' | grep -E '^[0-9a-f]{3} |^E$' >"$out.qemu.txt" || true
  for f in sim qemu; do
    [ "$(tail -1 "$out.$f.txt")" = E ] || { echo "sysreg-sweep: the $f run of $name did not finish ($out.$f.txt)" >&2; exit 1; }
  done
  paste -d'\n' "$out.sim.txt" "$out.qemu.txt" | awk -v config="$name" '
    NR % 2 == 1 { s = $0; next }
    { q = $0; if (s == q) next
      split(s, a, " "); split(q, b, " "); h = a[1]
      op0 = substr(h, 1, 1); op1 = substr(h, 2, 1); crn = index("0123456789abcdef", substr(h, 3, 1)) - 1
      for (i = 0; i < 128; i++) {
        sr = substr(a[2], 2 * i + 1, 1); sw = substr(a[2], 2 * i + 2, 1)
        qr = substr(b[2], 2 * i + 1, 1); qw = substr(b[2], 2 * i + 2, 1)
        if (sr != qr || sw != qw) printf "%s S%s_%s_C%d_C%d_%d MRS %s/%s MSR %s/%s\n", config, op0, op1, crn, int(i / 8), i % 8, sr, qr, sw, qw
      } }' >>"$BUILD/differences.txt"
done <<<"$configs"

# Each found difference must match a documented line (fnmatch: '*' in the encoding), and each
# documented line must match a found difference.
python3 - "$ROOT/Tests/sysreg/qemu-differences.txt" "$BUILD/differences.txt" "$(grep -cvE '^(#|$)' <<<"$configs")" <<'PY'
import fnmatch, sys
documented = [l.strip() for l in open(sys.argv[1]) if l.strip() and not l.startswith('#')]
found = [l.strip() for l in open(sys.argv[2]) if l.strip()]
new = [f for f in found if not any(fnmatch.fnmatchcase(f, d) for d in documented)]
stale = [d for d in documented if not any(fnmatch.fnmatchcase(f, d) for f in found)]
if not new and not stale:
    print(f"PASS sysreg-sweep ({sys.argv[3]} configurations; {len(found)} differences from QEMU, all documented)")
    sys.exit(0)
print(f"FAIL sysreg-sweep: undocumented differences (sim/qemu): {'; '.join(new[:20]) or 'none'}"
      f"{' ...' if len(new) > 20 else ''}; documented but gone: {'; '.join(stale) or 'none'} (Tests/sysreg/qemu-differences.txt)")
sys.exit(1)
PY
