#!/usr/bin/python3
"""Draws the summary picture of a `sim --timeline` trace: on top, what each core ran over
simulated time (one colour per VM, the hypervisor and idle in greys); below, the exits to EL2 by
reason. Uses Debian's python3-matplotlib (make setup). Usage: timeline-png.py TRACE.json OUT.png"""
import collections, json, re, sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt

trace_path, out = sys.argv[1], sys.argv[2]
trace = json.load(open(trace_path))
events = trace["traceEvents"]
board = trace.get("otherData", {}).get("board", "?")
cores = sorted({e["tid"] for e in events if e["ph"] == "M" and e["name"] == "thread_name"})


def group(name):
    """A slice's legend entry: its VM for vCPUs, else the slice's own name."""
    m = re.match(r"VMID (\d+) ", name)
    return f"VMID {m.group(1)}" if m else name


fixed = {"hypervisor (EL2)": "#555555", "idle (WFI)": "#dddddd", "idle (WFE)": "#eeeeee", "firmware (EL3)": "#222222"}
palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2", "#17becf"]
colours = {}
def colour(g):
    if g in fixed:
        return fixed[g]
    if g not in colours:
        colours[g] = palette[len(colours) % len(palette)]
    return colours[g]

fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 7.5), gridspec_kw={"height_ratios": [1.2, 1]})
busy = collections.defaultdict(lambda: collections.Counter())
bars = collections.defaultdict(list)
for e in events:
    if e["ph"] == "X":
        g = group(e["name"])
        bars[(e["tid"], g)].append((e["ts"] / 1000, e["dur"] / 1000))
        busy[e["tid"]][g] += e["dur"]
for (core, g), spans in sorted(bars.items()):
    top.broken_barh(spans, (core - 0.4, 0.8), facecolors=colour(g), label=g)
handles, labels = top.get_legend_handles_labels()
seen = {}
for h, l in zip(handles, labels):
    seen.setdefault(l, h)
top.legend(seen.values(), seen.keys(), loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
top.set_yticks(cores, [f"cpu{c}" for c in cores])
top.invert_yaxis()
top.set_xlabel("simulated time (ms)")
top.set_title(f"{trace_path.rsplit('/', 1)[-1]} on sim {board}: what each core ran")

exits = collections.Counter(e["name"] for e in events if e.get("cat") == "exit")
common = exits.most_common(14)
bottom.barh([n for n, _ in common], [c for _, c in common], color="#4c72b0")
bottom.invert_yaxis()
bottom.set_xlabel("exits to EL2")
bottom.set_title(f"exits to EL2 by reason ({sum(exits.values())} in all)")
for i, (_, c) in enumerate(common):
    bottom.text(c, i, f" {c}", va="center", fontsize=8)
bottom.tick_params(axis="y", labelsize=8)
fig.tight_layout()
fig.savefig(out, dpi=100)
print(f"timeline: {out}")
