#!/usr/bin/env python3
"""`make calibrate`: runs images/calibrate/calibrate.S on `sim --board rpi3 --timing a53` and
prints each measurement next to the published Cortex-A53 figure it reproduces (Raspberry Pi 3 at
1.2 GHz; sources in ../shared/timing-a53.md and the README's "Timing" section), with the stated
tolerance and PASS/FAIL. Exit status 1 if any row fails.
Usage: calibrate.py SIM ELF"""
import re, subprocess, sys

sim, elf = sys.argv[1], sys.argv[2]
HZ = 1.2e9
run = subprocess.run([sim, "--board", "rpi3", "--kernel", elf, "--timing", "a53", "--expect", "calibrate: done"],
                     capture_output=True, text=True, timeout=600)
got = {m.group(1): int(m.group(2)) / 100 for m in re.finditer(r"^([a-z0-9-]+) (\d+)$", run.stdout, re.M)}

def ns(cycles): return cycles / HZ * 1e9
def gbps(cycles_per_64): return 64 / (cycles_per_64 / HZ) / 1e9

# (row, measurement, value shown from it, unit, published, low, high)
rows = [
    ("ADD/NOP throughput", "add-throughput", lambda c: 1 / c, "per cycle", 1.99, 1.99 * 0.9, 1.99 * 1.1),
    ("loads, 1 per cycle", "load-throughput", lambda c: 1 / c, "per cycle", 1.0, 0.9, 1.1),
    ("stores, 1 per cycle", "store-throughput", lambda c: 1 / c, "per cycle", 1.0, 0.9, 1.1),
    ("LDR x/w load-to-use", "ldr-load-to-use", round, "cycles", 3, 3, 3),
    ("LDRSW load-to-use", "ldrsw-load-to-use", round, "cycles", 4, 4, 4),
    ("line-crossing LDR load-to-use", "ldr-line-crossing-load-to-use", round, "cycles", 5, 5, 5),
    ("L2 hit load-to-use (128 KiB chase)", "l2-hit-load-to-use", lambda c: c, "cycles", 15.5, 15.5 * 0.8, 15.5 * 1.2),
    ("DRAM random read, 2 MiB chase", "dram-2mib-load", ns, "ns", 130, 130 * 0.75, 130 * 1.25),
    ("DRAM random read, 64 MiB chase", "dram-64mib-load", ns, "ns", 190, 190 * 0.75, 190 * 1.25),
    ("branch misprediction (random TBZ)", "branch-mispredict", lambda c: c, "cycles", "7-9", 7, 9),
    ("BL+RET", "bl-ret", lambda c: c, "cycles", 6, 5, 7),
    ("BLR+RET", "blr-ret", lambda c: c, "cycles", 8, 7, 9),
    ("MUL latency", "mul-latency", lambda c: c, "cycles", 4, 3, 5),
    ("MADD latency", "madd-latency", lambda c: c, "cycles", 5, 4, 6),
    ("UMULH latency", "umulh-latency", lambda c: c, "cycles", 6, 5, 7),
    ("FADD latency", "fadd-latency", lambda c: c, "cycles", 4, 3, 5),
    ("FMUL latency", "fmul-latency", lambda c: c, "cycles", 4, 3, 5),
    ("FMADD latency", "fmadd-latency", lambda c: c, "cycles", 8, 7, 9),
    ("memcpy bandwidth (8 MiB)", "memcpy-per-64-bytes", gbps, "GB/s", 1.13, 1.13 * 0.75, 1.13 * 1.25),
    ("memset bandwidth (8 MiB)", "memset-per-64-bytes", gbps, "GB/s", 1.53, 1.53 * 0.75, 1.53 * 1.25),
]
failed = 0
print(f"{'metric':38} {'sim':>9} {'A53':>8} {'accepted':>15}  unit")
for name, key, show, unit, published, low, high in rows:
    if key not in got:
        failed += 1
        why = "not measured (the program did not print it)"
        print(f"{name:38} {'-':>9} {published!s:>8} {f'{low:g}-{high:g}':>15}  {unit}  FAIL: {why}")
        continue
    value = show(got[key])
    ok = low - 1e-9 <= value <= high + 1e-9
    failed += 0 if ok else 1
    print(f"{name:38} {value:9.2f} {published!s:>8} {f'{low:.3g}-{high:.3g}':>15}  {unit}  {'PASS' if ok else 'FAIL'}")
print(f"calibrate: {len(rows) - failed} of {len(rows)} within tolerance")
sys.exit(1 if failed else 0)
