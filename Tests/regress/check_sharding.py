#!/usr/bin/env python3
"""scripts/regress.py's fan-out: --shard slices partition the units, --jobs does not change the report.

Usage: check_sharding.py SIM BUILD

1. The unit lists of --shard 1/3, 2/3 and 3/3 are disjoint, and together they are the unsharded
   list, in its order (every suite, listing pass only).
2. On the quick suites (boot, el2): an unsharded --jobs 1 run, an unsharded --jobs 2 run, and the
   three shards run with --jobs 2 and joined by --merge give the same report: the same test cases
   with the same classnames, outcomes and failure texts, in the same order (times aside).
3. --merge refuses shard sets that miss a unit or hold one twice.
Prints PASS/FAIL lines; exit status 1 on any failure.
"""
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
REGRESS = os.path.join(ROOT, "scripts", "regress.py")
failures = 0


def check(ok, name, detail=""):
    global failures
    print(f"PASS {name}" if ok else f"FAIL {name}: {detail}")
    failures += 0 if ok else 1


def regress(*args):
    return subprocess.run([sys.executable, REGRESS, *args], cwd=ROOT, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT, text=True)


def canonical(path):
    """The report without what may differ between equal runs: times and the shard label."""
    out = []
    for suite in ET.parse(path).getroot().iter("testsuite"):
        out.append(("suite", suite.get("name"), suite.get("tests"), suite.get("failures")))
        for case in suite.iter("testcase"):
            f = case.find("failure")
            out.append((case.get("classname"), case.get("name"),
                        None if f is None else (f.get("message"), f.text)))
    return out


def main():
    sim, build = sys.argv[1], sys.argv[2]
    whole = regress(sim, build, "--list")
    units = whole.stdout.split()
    check(whole.returncode == 0 and len(units) > 50, "list-unsharded", f"exit {whole.returncode}, {len(units)} units")
    shards = [regress(sim, build, "--list", "--shard", f"{k}/3").stdout.split() for k in (1, 2, 3)]
    joined = [u for s in shards for u in s]
    check(len(joined) == len(set(joined)), "shards-disjoint", "a unit is in two shards")
    check(sorted(joined) == sorted(units), "shards-cover-all",
          f"missing {sorted(set(units) - set(joined))[:5]}, extra {sorted(set(joined) - set(units))[:5]}")
    check(all(s == [u for u in units if u in s] for s in shards), "shards-keep-order", "a shard reorders units")
    check(all(s for s in shards), "shards-not-empty", f"sizes {[len(s) for s in shards]}")

    with tempfile.TemporaryDirectory() as t:
        quick = ["--only", "boot", "el2"]
        r1 = regress(sim, build, *quick, "--jobs", "1", "--junit", f"{t}/j1.xml")
        r2 = regress(sim, build, *quick, "--jobs", "2", "--junit", f"{t}/j2.xml")
        check(r1.returncode == 0, "quick-suites-pass", r1.stdout[-400:])
        ref = canonical(f"{t}/j1.xml")
        check(len(ref) > 50 and canonical(f"{t}/j2.xml") == ref, "jobs-2-same-report-as-jobs-1",
              "the --jobs 2 report differs from --jobs 1")
        check(r1.stdout.replace("j1.xml", "j2.xml") == r2.stdout, "jobs-2-same-output-as-jobs-1",
              "the printed output differs")
        for k in (1, 2, 3):
            regress(sim, build, *quick, "--jobs", "2", "--shard", f"{k}/3", "--junit", f"{t}/s{k}.xml")
        m = regress("--merge", f"{t}/m.xml", f"{t}/s1.xml", f"{t}/s2.xml", f"{t}/s3.xml")
        check(m.returncode == 0 and canonical(f"{t}/m.xml") == ref, "merged-shards-same-report-as-unsharded",
              m.stdout[-400:] if m.returncode else "the merged report differs from the unsharded one")
        bad = regress("--merge", f"{t}/bad.xml", f"{t}/s1.xml", f"{t}/s3.xml", f"{t}/s3.xml")
        check(bad.returncode == 1 and "is in no shard's report" in bad.stdout and "ran in" in bad.stdout,
              "merge-refuses-missing-and-repeated-units", bad.stdout[-400:])
    print(f"check_sharding: {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
