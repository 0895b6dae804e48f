#!/usr/bin/env python3
"""Boot-log regression: runs the scenario suites headless and writes one JUnit XML report.

Usage: regress.py SIM BUILD [--junit FILE] [--only SUITE ...] [--jobs N] [--shard K/N] [--list]
       regress.py --merge OUT SHARD.xml ...

Each suite is a script that boots boards and scenarios, compares console logs with golden
logs (normalized by scripts/normalize-log.py, the one place that says what may differ between
runs), and prints one line per check: `PASS name` or `FAIL name: detail`, indented lines after a
FAIL carrying its diff. A suite is cut into units (scripts/units.sh): a listing pass per suite
builds what its units share and names them; then every unit runs as its own process, up to
--jobs at a time, and its output is printed whole, in listing order, so the report does not
depend on --jobs. --shard K/N runs the K-th of N disjoint slices of the unit list (unit i goes to
shard i mod N + 1), so CI systems that fan out run the matrix across machines; --merge joins
their reports into the one an unsharded run writes, and fails when a unit is missing or twice.
The driver turns check lines into JUnit test cases (suite = script, classname = suite.unit),
ends with `regress: N passed, M failed`. A unit that exits non-zero without reporting a failure,
or reports no check at all, is itself a failure, so a crash cannot pass silently.
"""
import argparse
import concurrent.futures
import os
import re
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

# Suite name -> script (run with SIM and BUILD). Board x scenario coverage lives in the scripts:
# bare Linux (linux-tests), hypervisor + test guests and hypervisor + Linux VMs (hypervisor-tests),
# bare-metal EL2 checks against QEMU (el2-tests), boot/CLI/bad-input checks (boot-tests), EL0 Linux
# programs under `sim user` against qemu-aarch64 (user-tests).
SUITES = [
    ("boot", "scripts/boot-tests.sh"),
    ("linux", "scripts/linux-tests.sh"),
    ("hypervisor", "scripts/hypervisor-tests.sh"),
    ("el2", "scripts/el2-tests.sh"),
    ("user", "scripts/user-tests.sh"),
]
LISTING = "(listing)"            # the pseudo-unit a suite's listing-pass failures belong to
SUMMARY = re.compile(r"^[a-z0-9-]+-tests: \d+ passed, \d+ failed$")


def split_failure(body):
    """`name: detail` or `name (detail)` -> (name, detail); a colon inside parentheses stays in the detail."""
    paren = body.find(" (")
    colon = body.find(": ")
    if paren != -1 and (colon == -1 or paren < colon):
        return body[:paren].strip(), body[paren + 2:].rstrip(")").strip() or "failed"
    if colon != -1:
        return body[:colon].strip(), body[colon + 2:].strip() or "failed"
    return body.strip(), "failed"


def parse_cases(lines):
    """Check lines -> [name, failure detail or None, diff lines]."""
    cases = []
    for line in lines:
        if line.startswith("PASS "):
            cases.append([line[5:].strip(), None, []])
        elif line.startswith("FAIL "):
            cases.append(list(split_failure(line[5:])) + [[]])
        elif cases and cases[-1][1] is not None and (line.startswith(" ") or line.startswith("\t")):
            cases[-1][2].append(line)
    return cases


def run_script(script, sim, build, root, env):
    """Runs a suite script with extra environment; returns (output lines, exit code, seconds)."""
    start = time.time()
    proc = subprocess.run([os.path.join(root, script), sim, build], cwd=root, env={**os.environ, **env},
                          stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    return proc.stdout.splitlines(), proc.returncode, time.time() - start


def list_units(name, script, sim, build, root):
    """The listing pass: (unit names, failure cases of the pass itself)."""
    lines, code, _ = run_script(script, sim, build, root, {"REGRESS_LIST": "1"})
    units = [l[5:].strip() for l in lines if l.startswith("UNIT ")]
    bad = [c for c in parse_cases(lines) if c[1] is not None]
    if code != 0 and not bad:
        bad = [[f"{name} listing", f"exit {code} with no FAIL line", lines[-20:]]]
    if len(set(units)) != len(units):
        bad.append([f"{name} listing", "a unit name appears twice", sorted(u for u in units if units.count(u) > 1)])
    return units, bad


def run_unit(name, script, unit, sim, build, root):
    """Runs one unit; returns (cases, printed lines, seconds)."""
    lines, code, seconds = run_script(script, sim, build, root, {"REGRESS_UNITS": unit, "REGRESS_PREPARED": "1"})
    cases = parse_cases(lines)
    if code != 0 and not any(c[1] is not None for c in cases):
        cases.append([f"{unit} unit", f"exit {code} with no FAIL line", lines[-20:]])
    elif not cases:
        cases.append([f"{unit} unit", "the unit reported no check", lines[-20:]])
    return cases, [l for l in lines if not SUMMARY.match(l)], seconds


def write_report(path, suites_order, units, results, shard):
    """JUnit XML: one testsuite per suite, cases in unit order; each testsuite records its whole
    unit list and the shard, so --merge can check that the shards covered it exactly once."""
    root = ET.Element("testsuites", name="minos-regress")
    passed = failed = 0
    for name in suites_order:
        suite = ET.SubElement(root, "testsuite", name=name)
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="units", value=" ".join(units.get(name, [])))
        ET.SubElement(props, "property", name="shard", value=shard)
        tests = bad = 0
        seconds = 0.0
        for (suite_name, unit), (cases, secs) in results:
            if suite_name != name:
                continue
            seconds += secs
            for test, detail, diff in cases:
                case = ET.SubElement(suite, "testcase", classname=f"{name}.{unit}", name=test)
                tests += 1
                if detail is not None:
                    bad += 1
                    f = ET.SubElement(case, "failure", message=detail[:500])
                    f.text = "\n".join(diff)
        suite.set("tests", str(tests))
        suite.set("failures", str(bad))
        suite.set("time", f"{seconds:.1f}")
        passed += tests - bad
        failed += bad
    root.set("tests", str(passed + failed))
    root.set("failures", str(failed))
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    ET.ElementTree(root).write(path, encoding="utf-8", xml_declaration=True)
    return passed, failed


def merge(out, inputs):
    """Joins shard reports; each unit of each suite's list must come from exactly one shard."""
    order, units, seen, results, problems = [], {}, {}, {}, []
    for path in inputs:
        try:
            tree = ET.parse(path)
        except (OSError, ET.ParseError) as e:
            print(f"regress: {path}: not a regress report: {e}", file=sys.stderr)
            return 2
        for suite in tree.getroot().iter("testsuite"):
            name = suite.get("name")
            props = {p.get("name"): p.get("value") for p in suite.iter("property")}
            listed = props.get("units", "").split()
            if name not in units:
                order.append(name)
                units[name] = listed
            elif units[name] != listed:
                problems.append(f"{path}: suite {name} lists other units than {inputs[0]} (different checkouts?)")
            ran = []
            for case in suite.iter("testcase"):
                unit = case.get("classname", "").split(".", 1)[-1]
                if unit not in ran:
                    ran.append(unit)
                results.setdefault((name, unit), []).append(case)
            for unit in ran:
                if (name, unit) in seen:
                    problems.append(f"unit {name}/{unit} ran in {seen[(name, unit)]} and in {path}")
                seen[(name, unit)] = path
            results.setdefault((name, "time"), []).append(float(suite.get("time", "0")))
    root = ET.Element("testsuites", name="minos-regress")
    passed = failed = 0
    for name in order:
        for unit in units[name]:
            if (name, unit) not in seen:
                problems.append(f"unit {name}/{unit} is in no shard's report")
        suite = ET.SubElement(root, "testsuite", name=name)
        props = ET.SubElement(suite, "properties")
        ET.SubElement(props, "property", name="units", value=" ".join(units[name]))
        ET.SubElement(props, "property", name="shard", value="merged")
        cases = [c for u in [LISTING] + units[name] for c in results.get((name, u), [])]
        for c in cases:
            suite.append(c)
        bad = sum(1 for c in cases if c.find("failure") is not None)
        suite.set("tests", str(len(cases)))
        suite.set("failures", str(bad))
        suite.set("time", f"{sum(results.get((name, 'time'), [])):.1f}")
        passed += len(cases) - bad
        failed += bad
    root.set("tests", str(passed + failed))
    root.set("failures", str(failed))
    ET.ElementTree(root).write(out, encoding="utf-8", xml_declaration=True)
    for p in problems:
        print(f"FAIL merge: {p}")
    print(f"regress: merged {len(inputs)} reports into {out}")
    print(f"regress: {passed} passed, {failed} failed")
    return 0 if failed == 0 and not problems else 1


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sim", nargs="?")
    ap.add_argument("build", nargs="?")
    ap.add_argument("--junit", help="JUnit XML report (default BUILD/regress/junit.xml)")
    ap.add_argument("--only", nargs="*", help="suite names to run")
    ap.add_argument("--jobs", type=int, default=1, help="units run at once (default 1)")
    ap.add_argument("--shard", default="1/1", help="K/N: run the K-th of N disjoint slices of the units")
    ap.add_argument("--list", action="store_true", help="print this shard's units (suite/unit) and run none")
    ap.add_argument("--merge", nargs="+", metavar=("OUT", "SHARD"), help="join shard reports into OUT")
    args = ap.parse_args()
    if args.merge:
        if len(args.merge) < 2:
            ap.error("--merge OUT SHARD.xml ...")
        return merge(args.merge[0], args.merge[1:])
    if not args.sim or not args.build:
        ap.error("SIM and BUILD are required")
    m = re.fullmatch(r"(\d+)/(\d+)", args.shard)
    if not m or not 1 <= int(m.group(1)) <= int(m.group(2)):
        ap.error(f"--shard {args.shard}: want K/N with 1 <= K <= N")
    if args.jobs < 1:
        ap.error("--jobs: at least 1")
    k, n = int(m.group(1)), int(m.group(2))
    unknown = set(args.only or []) - {s for s, _ in SUITES}
    if unknown:
        ap.error(f"--only: no suite {', '.join(sorted(unknown))} (suites: {', '.join(s for s, _ in SUITES)})")
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sim, build = os.path.abspath(args.sim), os.path.abspath(args.build)
    junit = args.junit or os.path.join(build, "regress", "junit.xml")

    # The listing pass, serially (it builds what the units share): the global unit list.
    suites = [(s, p) for s, p in SUITES if not args.only or s in args.only]
    units, work, results = {}, [], []
    for name, script in suites:
        if not os.path.exists(os.path.join(root, script)):
            units[name] = []
            if k == 1:
                results.append(((name, LISTING), ([[f"{name} suite", f"{script} is missing", []]], 0.0)))
            continue
        units[name], bad = list_units(name, script, sim, build, root)
        if bad and k == 1:                  # reported once, by the first shard
            results.append(((name, LISTING), (bad, 0.0)))
        work += [(name, script, u) for u in units[name]]
    mine = [w for i, w in enumerate(work) if i % n == k - 1]
    if args.list:
        for name, _, unit in mine:
            print(f"{name}/{unit}")
        return 0
    for (name, unit), (cases, _) in results:
        for test, detail, diff in cases:
            print(f"FAIL {test}: {detail}")
            for l in diff:
                print(f"    {l}")

    with concurrent.futures.ThreadPoolExecutor(max_workers=args.jobs) as pool:
        futures = [pool.submit(run_unit, name, script, unit, sim, build, root) for name, script, unit in mine]
        for (name, _, unit), future in zip(mine, futures):
            cases, lines, seconds = future.result()
            for line in lines:
                print(line)
            for test, detail, diff in cases:
                if test == f"{unit} unit":           # the driver's own verdict on the unit
                    print(f"FAIL {test}: {detail}")
                    for l in diff:
                        print(f"    {l}")
            sys.stdout.flush()
            results.append(((name, unit), (cases, seconds)))
    passed, failed = write_report(junit, [s for s, _ in suites], units, results, f"{k}/{n}")
    print(f"regress: JUnit report in {junit}")
    print(f"regress: {passed} passed, {failed} failed" + (f" (shard {k}/{n}: {len(mine)} of {len(work)} units)" if n > 1 else ""))
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BrokenPipeError:                 # output piped into head, less, ...: stop quietly
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(1)
