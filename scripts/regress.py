#!/usr/bin/env python3
"""Boot-log regression: runs the scenario suites headless and writes one JUnit XML report.

Usage: regress.py SIM BUILD [--junit FILE] [--only SUITE ...]

Each suite is a script that boots boards and scenarios, compares console logs with golden
logs (normalized by scripts/normalize-log.py, the one place that says what may differ between
runs), and prints one line per check: `PASS name` or `FAIL name: detail`, indented lines after a
FAIL carrying its diff. This driver turns those lines into JUnit test cases (suite = script),
prints them as they come, and ends with `regress: N passed, M failed`. A suite that exits
non-zero without reporting a failure is itself a failure, so a crash cannot pass silently.
"""
import argparse
import os
import subprocess
import sys
import time
import xml.etree.ElementTree as ET

# Suite name -> script (run with SIM and BUILD). Board x scenario coverage lives in the scripts:
# bare Linux (linux-tests), hypervisor + test guests and hypervisor + Linux VMs (hypervisor-tests),
# bare-metal EL2 checks against QEMU (el2-tests), boot/CLI/bad-input checks (boot-tests).
SUITES = [
    ("boot", "scripts/boot-tests.sh"),
    ("linux", "scripts/linux-tests.sh"),
    ("hypervisor", "scripts/hypervisor-tests.sh"),
    ("el2", "scripts/el2-tests.sh"),
]


def split_failure(body):
    """`name: detail` or `name (detail)` -> (name, detail); a colon inside parentheses stays in the detail."""
    paren = body.find(" (")
    colon = body.find(": ")
    if paren != -1 and (colon == -1 or paren < colon):
        return body[:paren].strip(), body[paren + 2:].rstrip(")").strip() or "failed"
    if colon != -1:
        return body[:colon].strip(), body[colon + 2:].strip() or "failed"
    return body.strip(), "failed"


def run_suite(name, script, sim, build, root):
    """Runs one suite; returns (cases, exit code, seconds, tail of output)."""
    cases = []          # [name, failure detail or None, diff lines]
    start = time.time()
    proc = subprocess.Popen([os.path.join(root, script), sim, build], cwd=root,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, errors="replace")
    tail = []
    for line in proc.stdout:
        line = line.rstrip("\n")
        print(line, flush=True)
        tail = (tail + [line])[-20:]
        if line.startswith("PASS "):
            cases.append([line[5:].strip(), None, []])
        elif line.startswith("FAIL "):
            cases.append(list(split_failure(line[5:])) + [[]])
        elif cases and cases[-1][1] is not None and (line.startswith(" ") or line.startswith("\t")):
            cases[-1][2].append(line)
    code = proc.wait()
    return cases, code, time.time() - start, tail


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("sim")
    ap.add_argument("build")
    ap.add_argument("--junit", help="JUnit XML report (default BUILD/regress/junit.xml)")
    ap.add_argument("--only", nargs="*", help="suite names to run")
    args = ap.parse_args()
    root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    sim, build = os.path.abspath(args.sim), os.path.abspath(args.build)
    junit = args.junit or os.path.join(build, "regress", "junit.xml")

    suites = ET.Element("testsuites", name="minos-regress")
    passed = failed = 0
    for name, script in SUITES:
        if args.only and name not in args.only:
            continue
        if not os.path.exists(os.path.join(root, script)):
            print(f"FAIL {name}: {script} is missing")
            failed += 1
            continue
        cases, code, seconds, tail = run_suite(name, script, sim, build, root)
        bad = [c for c in cases if c[1] is not None]
        if code != 0 and not bad:
            # The script died (or failed) without naming a check: report it as a case of its own.
            cases.append([f"{name} suite", f"exit {code} with no FAIL line", tail])
            bad = cases[-1:]
        suite = ET.SubElement(suites, "testsuite", name=name, tests=str(len(cases)),
                              failures=str(len(bad)), time=f"{seconds:.1f}")
        for test, detail, diff in cases:
            case = ET.SubElement(suite, "testcase", classname=name, name=test)
            if detail is not None:
                f = ET.SubElement(case, "failure", message=detail[:500])
                f.text = "\n".join(diff)
        passed += len(cases) - len(bad)
        failed += len(bad)
    suites.set("tests", str(passed + failed))
    suites.set("failures", str(failed))
    os.makedirs(os.path.dirname(junit), exist_ok=True)
    ET.ElementTree(suites).write(junit, encoding="utf-8", xml_declaration=True)
    print(f"regress: JUnit report in {junit}")
    print(f"regress: {passed} passed, {failed} failed")
    return 0 if failed == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
