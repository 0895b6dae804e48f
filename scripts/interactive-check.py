#!/usr/bin/env python3
"""Checks `make run`'s console multiplexing the way a user drives it: boots linux-pair through
scripts/run-scenario.sh on a pseudo-terminal, waits for both VMs' shells, runs a command in vm0
(the default input focus), opens the Minos shell with Ctrl-], moves the keyboard to vm1 with
`vm console 1`, runs a command there, and powers both VMs off from their shells.

With --default-flow it starts `SIM --board BOARD` alone instead (sim's default flow, which must
be the same scenario: `swift run sim --board fvp`).

Usage: interactive-check.py SIM BUILD BOARD [--qemu | --default-flow]
Prints `PASS interactive-<runner>` or `FAIL interactive-<runner>: <step>` with the console tail.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console  # noqa: E402

sim, build, board = sys.argv[1:4]
qemu = "--qemu" in sys.argv[4:]
default_flow = "--default-flow" in sys.argv[4:]
name = f"interactive-{'qemu' if qemu else 'sim'}-{board}" + ("-default-flow" if default_flow else "")
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
env = dict(os.environ, QEMU="1") if qemu else dict(os.environ)
env.pop("QEMU", None) if not qemu else None
command = [sim, "--board", board] if default_flow else [os.path.join(root, "scripts/run-scenario.sh"), sim, build, board, "linux-pair"]
con = Console(command, env)

steps = [
    (None, rb"MINOS-VM: work: interactive shell", 240, "vm1 never reached its shell"),
    (None, rb"MINOS-VM: disk: interactive shell", 240, "vm0 never reached its shell"),
    (None, rb"\[vm0\] [^\n]*# ", 60, "no vm0 prompt"),
    ("echo focus-$((6*7))-here\r", rb"\[vm0\] focus-42-here", 60, "vm0 did not run the typed command"),
    ("\x1d", rb"minos> ", 30, "Ctrl-] did not open the Minos shell"),
    ("vm console 1\r", rb"console input now goes to vm1", 30, "vm console 1 was not accepted"),
    ("echo other-$((7*6))-vm\r", rb"\[vm1\] other-42-vm", 60, "vm1 did not run the typed command"),
    ("poweroff -f\r", rb"vm1 \(linux-work\) stopped", 60, "vm1 did not power off"),
    ("poweroff -f\r", rb"all VMs stopped", 60, "vm0 did not power off after vm1 stopped"),
]
con.run_steps(name, steps)
if b"[vm1] focus-42-here" in con.out or b"[vm0] other-42-vm" in con.out:
    con.fail(name, "a command ran in the VM that did not have the focus")
con.expect_exit_zero(name)
