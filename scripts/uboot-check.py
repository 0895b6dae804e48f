#!/usr/bin/env python3
"""Drives Debian's U-Boot (rpi_arm64) on a simulated Raspberry Pi 3 through a pseudo-terminal as a
user would: stops autoboot with a key, runs commands at the `U-Boot>` prompt whose answers come
from the board model (the firmware's board revision and memory split, the controllers it found),
then `reset`s the board through the PM watchdog -- or, given the files on the SD card, lists its
FAT partition, loads Linux, its device tree and initramfs from it and `booti`s them to the
initramfs's shell, types a command there and powers the board off from it.

Usage: uboot-check.py NAME [--sd-files KERNEL,DTB,INITRD] COMMAND...
Prints `PASS NAME` or `FAIL NAME: <step>`.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console, uboot_sd_boot_steps  # noqa: E402

# --sd-files KERNEL,DTB,INITRD (optional, before the command): the card holds them; boot Linux.
name, argv = sys.argv[1], sys.argv[2:]
sd_files = []
if argv[0] == "--sd-files":
    sd_files, argv = argv[1].split(","), argv[2:]
con = Console(argv)
steps = [
    (None, rb"RPI 3 Model B\+ \(0xa020d3\)", 120, "U-Boot did not identify the board from the firmware's mailbox"),
    (None, rb"DRAM:  960 MiB", 5, "U-Boot did not get the ARM memory split"),
    (None, rb"Hit any key to stop autoboot", 120, "no autoboot prompt"),
    (" ", rb"U-Boot> ", 60, "a key did not stop autoboot"),
    ("mmc list\r", rb"mmc@7e202000: 0", 60, "mmc list did not list the sdhost controller"),
    ("coninfo\r", rb"serial", 60, "coninfo gave no serial console"),
]
if sd_files:
    # The card (--sd): its FAT partition, then Linux loaded from it and started with booti.
    steps += [("mmc info\r", rb"High Capacity: Yes", 60, "mmc info did not find the card")]
    steps += uboot_sd_boot_steps(sd_files, rb"U-Boot> ", "ttyS1,115200", 4)
else:
    steps += [("reset\r", rb"resetting", 60, "reset was not accepted")]
con.run_steps(name, steps)
status = con.exit_status()
if status == 0:     # a guest-requested reset or power-off ends the run with exit 0 (sim --help)
    print(f"PASS {name}")
else:
    con.fail(name, f"exit status {status}, wanted 0 (reset)")
