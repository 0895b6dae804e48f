#!/usr/bin/env python3
"""Types into a shell on a simulated board's console, as a user would on a pseudo-terminal:
waits for the test initramfs's shell (minos.test=shell), runs a command whose answer the guest
computes, then powers off from the shell; the command must exit 0.

Usage: shell-check.py NAME CPUS COMMAND...     (COMMAND boots the board with minos.test=shell)
Prints `PASS NAME` or `FAIL NAME: <step>` with the console tail.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console  # noqa: E402

name, cpus, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
con = Console(argv)

steps = [
    (None, rb"MINOS-INIT: shell", 240, "the shell never started"),
    (None, rb"# ", 60, "no prompt"),
    ("echo typed-$((6*7))-$(grep -c ^processor /proc/cpuinfo)-cpus\r", rb"typed-42-" + cpus.encode() + rb"-cpus",
     60, "the typed command did not run"),
    ("poweroff -f\r", rb"reboot: Power down", 60, "poweroff -f from the shell did not power the board off"),
]
con.run_steps(name, steps)
con.expect_exit_zero(name)
