#!/usr/bin/python3
"""Checks a `sim --timeline` trace of a hypervisor scenario: it validates against the trace-event
schema (Tests/timeline/trace-event.schema.json, with Debian's python3-jsonschema), each core's
slices follow one another without overlap, and it shows what a Minos run must show: on every core
the hypervisor and a VM's vCPU, exits to EL2 (data aborts, HVCs, IRQs), list-register injections,
the hypervisor's scheduling markers and console lines. Prints one PASS or FAIL line.
Usage: timeline-check.py TRACE.json"""
import collections, json, os, sys

import jsonschema

path = sys.argv[1]
schema = json.load(open(os.path.join(os.path.dirname(__file__), "..", "Tests", "timeline", "trace-event.schema.json")))
problems = []
try:
    trace = json.load(open(path))
    jsonschema.validate(trace, schema)
except (ValueError, jsonschema.exceptions.ValidationError, jsonschema.exceptions.RefResolutionError) as e:
    print(f"FAIL timeline {path}: {str(e).splitlines()[0]}")
    sys.exit(1)

events = trace["traceEvents"]
cores = sorted({e["tid"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"})
slices = collections.defaultdict(list)
for e in events:
    if e["ph"] == "X":
        slices[e["tid"]].append(e)
for core in cores:
    track = sorted(slices[core], key=lambda e: e["ts"])
    names = {e["name"] for e in track}
    if "hypervisor (EL2)" not in names or not any(n.startswith("VMID ") for n in names):
        problems.append(f"cpu{core} shows {sorted(names)}, not the hypervisor and a vCPU")
    for a, b in zip(track, track[1:]):
        if a["ts"] + a["dur"] > b["ts"] + 0.002:      # ts has three decimals
            problems.append(f"cpu{core}: '{a['name']}' at {a['ts']} overlaps '{b['name']}' at {b['ts']}")
            break
exits = collections.Counter(e["name"].split(" ")[0] for e in events if e.get("cat") == "exit")
for kind in ("data", "HVC", "IRQ"):
    if exits[kind] == 0:
        problems.append(f"no '{kind}' exits to EL2 (exits: {dict(exits.most_common(6))})")
for cat, what in (("gic", "list-register injections"), ("marker", "hypervisor markers"), ("console", "console lines")):
    if not any(e.get("cat") == cat for e in events):
        problems.append(f"no {what} (cat '{cat}')")
if not any(e["ph"] == "C" for e in events):
    problems.append("no list-register occupancy counter")
if problems:
    print(f"FAIL timeline {path}: " + "; ".join(problems))
    sys.exit(1)
print(f"PASS timeline ({len(events)} events, {len(cores)} cores, {sum(exits.values())} exits to EL2, schema valid)")
