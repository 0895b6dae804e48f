#!/usr/bin/env python3
"""--stats: runs the same command twice and checks that the statistics are identical (text, JSON
and the --stats-interval CSV), and that they add up: per core the busy cycles of each EL plus
idle and powered-off cycles are its cycles, the ELs' instructions are its instructions, the
exception classes sum to its exceptions, the cores sum to the totals. Usage:
stats-check.py SIM ARGS...   (the sim command line without --stats)."""
import csv, json, subprocess, sys, tempfile, os

def run(sim_args, d, tag):
    text, js = os.path.join(d, tag + ".txt"), os.path.join(d, tag + ".json")
    subprocess.run(sim_args + ["--stats", text, "--stats-interval", "100000"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    subprocess.run(sim_args + ["--stats", js, "--stats-format", "json"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=600)
    return open(text).read(), open(js).read(), open(text + ".csv").read()

def parse_text(t):
    out = {}
    for line in t.splitlines():
        if line.startswith("#"): continue
        key, value = line.split("#")[0].split()
        out[key] = float(value)
    return out

def main():
    sim_args = sys.argv[1:]
    problems = []
    with tempfile.TemporaryDirectory() as d:
        a, b = run(sim_args, d, "a"), run(sim_args, d, "b")
        for name, x, y in zip(("text", "json", "csv"), a, b):
            if x != y: problems.append(f"{name} statistics differ between two identical runs")
        stats = parse_text(a[0])
        js = json.loads(a[1])
        for k, v in stats.items():
            if abs(js.get(k, -1) - v) > 1e-6 * max(1, abs(v)): problems.append(f"{k}: text {v} json {js.get(k)}")
        cores = sorted({k.split(".")[0] for k in stats if k.startswith("cpu") and k[3].isdigit()})
        total_insts = 0
        for c in cores:
            g = lambda k: stats.get(f"{c}.{k}", 0)
            els = [e for e in range(4) if f"{c}.el{e}.cycles" in stats]
            busy = sum(g(f"el{e}.cycles") for e in els)
            if busy + g("idle_cycles") + g("off_cycles") != g("cycles"):
                problems.append(f"{c}: EL cycles {busy} + idle {g('idle_cycles')} + off {g('off_cycles')} != cycles {g('cycles')}")
            if sum(g(f"el{e}.instructions") for e in els) != g("instructions"):
                problems.append(f"{c}: EL instructions do not sum to {g('instructions')}")
            classes = sum(v for k, v in stats.items() if k.startswith(f"{c}.exceptions.el"))
            if classes != g("exceptions"): problems.append(f"{c}: exception classes sum to {classes}, not {g('exceptions')}")
            total_insts += g("instructions")
        if total_insts != stats["sim_insts"]: problems.append(f"cores' instructions {total_insts} != sim_insts {stats['sim_insts']}")
        rows = list(csv.DictReader(a[2].splitlines()))
        cycles = [int(r["cycle"]) for r in rows]
        if not rows or cycles != sorted(cycles) or int(rows[-1]["sim_insts"]) > stats["sim_insts"]:
            problems.append(f"--stats-interval rows are not increasing running totals ({len(rows)} rows)")
        elif any(c2 - c1 < 100_000 for c1, c2 in zip(cycles, cycles[1:])):
            problems.append("--stats-interval rows closer than the interval")
    for p in problems: print("FAIL " + p)
    exceptions = sum(stats.get(f"{c}.exceptions", 0) for c in cores)
    print(f"stats: {len(stats)} statistics, {len(rows)} interval rows, {int(exceptions)} exceptions, {len(problems)} problems")
    return 1 if problems else 0

if __name__ == "__main__":
    sys.exit(main())
