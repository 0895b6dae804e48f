#!/usr/bin/env python3
"""Drives Debian's U-Boot for QEMU's virt (qemu_arm64), started from the boot flash (`sim --bios`
or QEMU's -bios), through a pseudo-terminal: it finds 1 GiB of RAM from the device tree at the start
of RAM, stops autoboot for a key, lists the PCI bus (the host bridge and a modern virtio-blk-pci
function), scans virtio, lists the PCI block device the command line gave it (1 MiB of the Linux
suite's deterministic bytes), reads its first sector into memory, shows its first bytes and powers
the board off through PSCI.

Usage: uboot-qemu-check.py NAME COMMAND...      Prints `PASS NAME` or `FAIL NAME: <step>`.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from ptyconsole import Console  # noqa: E402

name, argv = sys.argv[1], sys.argv[2:]
con = Console(argv)
con.run_steps(name, [
    (None, rb"U-Boot 2023\.01", 120, "no U-Boot banner"),
    (None, rb"DRAM:  1 GiB", 60, "U-Boot did not find the RAM from the device tree at the start of RAM"),
    (None, rb"Hit any key to stop autoboot", 120, "no autoboot prompt"),
    (" ", rb"=> ", 60, "a key did not stop autoboot"),
    ("pci\r", rb"00\.01\.00 +0x1af4 +0x1042 +Mass storage controller", 60, "pci did not list the virtio-blk-pci function"),
    ("virtio scan\r", rb"=> ", 60, "virtio scan did not return to the prompt"),
    ("virtio info\r", rb"Device 0: [^\r\n]*VirtIO Block Device", 60, "virtio info listed no block device"),
    (None, rb"Capacity: 1\.0 MB = 0\.0 GB \(2048 x 512\)", 10, "the disk's capacity is not 2048 sectors"),
    ("virtio read 40000000 0 1\r", rb"1 blocks read: OK", 60, "virtio read failed"),
    ("md.b 40000000 10\r", rb"40000000: 07 8a 12 95 1d a0 28 ab 33 b6 3e c1 49 cc 54 d7", 60, "sector 0 is not the disk's bytes"),
    ("poweroff\r", rb"poweroff", 60, "poweroff was not accepted"),
])
con.expect_exit_zero(name)
