#!/usr/bin/env python3
"""Drives Debian's U-Boot (mvebu_espressobin-88f3720) on a simulated ESPRESSObin through a
pseudo-terminal as a user would: stops autoboot with a key at the `=>` prompt, then one of
  save IMAGE-VALUE   sf probe, setenv minos_test VALUE, saveenv to the SPI flash, reset
  load VALUE         sf probe, printenv minos_test must show VALUE (it survived the restart)
  sd KERNEL,DTB,INITRD
                     mmc info, ls mmc 0:1, fatload Linux, its tree and initramfs from the card and
                     booti them to the initramfs's shell, type a command there, power off.

Usage: uboot-espressobin-check.py NAME MODE ARG COMMAND...
Prints `PASS NAME` or `FAIL NAME: <step>`.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console, uboot_sd_boot_steps  # noqa: E402

name, mode, arg, argv = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4:]
con = Console(argv)
steps = [
    (None, rb"DRAM:  1 GiB", 120, "U-Boot did not size the RAM from the decoder windows"),
    (None, rb"Hit any key to stop autoboot", 300, "no autoboot prompt"),
    (" ", rb"=> ", 60, "a key did not stop autoboot"),
]
if mode in ("save", "load"):
    steps += [("sf probe\r", rb"SF: Detected mx25l3205d", 60, "sf probe did not find the SPI NOR flash")]
if mode == "save":
    steps += [
        (f"setenv minos_test {arg}\r", rb"=> ", 30, "setenv failed"),
        ("saveenv\r", rb"Writing to SPI flash\.\.\.done\s+OK", 120, "saveenv did not write the SPI flash"),
        ("reset\r", rb"resetting", 60, "reset was not accepted"),
    ]
elif mode == "load":
    steps += [
        (f"printenv minos_test\r", f"minos_test={arg}".encode(), 30, "the saved variable did not survive the restart"),
        ("reset\r", rb"resetting", 60, "reset was not accepted"),
    ]
else:
    steps += [("mmc dev 0\r", rb"mmc0 is current device", 60, "mmc dev 0 found no card")]
    steps += [("mmc info\r", rb"High Capacity: Yes", 60, "mmc info did not describe the card")]
    steps += uboot_sd_boot_steps(arg.split(","), rb"=> ", "ttyMV0,115200", 2)
con.run_steps(name, steps)
status = con.exit_status()
if status == 0:     # a guest-requested reset or power-off ends the run with exit 0
    print(f"PASS {name}")
else:
    con.fail(name, f"exit status {status}, wanted 0")
