#!/usr/bin/env python3
"""Types into a shell on a simulated board's console, as a user would on a pseudo-terminal:
waits for the test initramfs's shell (minos.test=shell), runs a command whose answer the guest
computes, then powers off from the shell; the command must exit 0.

With --hotplug N it also takes CPU N offline and back online from the shell (PSCI CPU_OFF and
CPU_ON through whatever firmware the board runs) and checks the kernel's view of it each time.

Usage: shell-check.py NAME CPUS [--hotplug N] COMMAND...   (COMMAND boots the board with minos.test=shell)
Prints `PASS NAME` or `FAIL NAME: <step>` with the console tail.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console  # noqa: E402

name, cpus, argv = sys.argv[1], sys.argv[2], sys.argv[3:]
hotplug = None
if argv[:1] == ["--hotplug"]:
    hotplug, argv = argv[1], argv[2:]
con = Console(argv)
last = int(cpus) - 1

steps = [
    (None, rb"MINOS-INIT: shell", 240, "the shell never started"),
    (None, rb"# ", 60, "no prompt"),
    ("echo typed-$((6*7))-$(grep -c ^processor /proc/cpuinfo)-cpus\r", rb"typed-42-" + cpus.encode() + rb"-cpus",
     60, "the typed command did not run"),
]
if hotplug is not None:
    sysfs = "/sys/devices/system/cpu"
    steps += [
        (f"echo 0 >{sysfs}/cpu{hotplug}/online; echo off-$(cat {sysfs}/online)-$(cat {sysfs}/offline)\r",
         f"off-[0-9,-]+-{hotplug}\r".encode(), 60, f"CPU {hotplug} did not go offline"),
        (f"echo 1 >{sysfs}/cpu{hotplug}/online; echo on-$(cat {sysfs}/online)\r",
         f"on-0-{last}\r".encode(), 60, f"CPU {hotplug} did not come back online"),
    ]
steps += [
    ("poweroff -f\r", rb"reboot: Power down", 60, "poweroff -f from the shell did not power the board off"),
]
con.run_steps(name, steps)
con.expect_exit_zero(name)
