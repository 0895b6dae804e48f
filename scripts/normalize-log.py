#!/usr/bin/env python3
"""Normalizes a Linux console log for comparison with a golden log (Tests/golden/*.log).

The simulator is deterministic: the same kernel, initramfs, disk and options give the same
console output byte for byte. Normalization therefore only removes what is *expected* to
change without the simulated machine behaving differently. The rules, all of them:

 1. Timestamps "[    1.234567] " are removed. They follow the cycle-approximate timing model,
    which is meant to be recalibrated; the golden checks which lines appear and in what order.
 2. Durations measured in simulated time inside a line, for the same reason:
    "initialised in 16ms" -> "initialised in <N>ms", "audit(0.040:1)" -> "audit(<T>:1)".
 3. The kernel release and build identity, so a Debian point release of the same kernel series
    shows up as the messages that really changed, not as a diff on every line that names it:
    "6.1.0-56-cloud-arm64" -> "<release>", and the rest of the "Linux version" line (compiler,
    package version, build date) -> "<build>".
 4. 40-hex-digit hashes (the kernel's build-time signing key fingerprint) -> "<sha1>".
 5. Trailing whitespace, and carriage returns the console may emit.

Not normalized, on purpose: physical addresses (no KASLR seed is given, so they are the modelled
board's map), BogoMIPS and clocksource parameters (derived from the board's counter frequency),
sizes, counts and IDs. A change there is a change in the simulated machine.

Usage: normalize-log.py [FILE]   (reads standard input without FILE; writes standard output)
"""
import re
import sys

RULES = [
    (re.compile(r"^\[ *\d+\.\d+\] ?"), ""),                                   # 1
    (re.compile(r"\b(in) \d+(ms|us|ns)\b"), r"\1 <N>\2"),                      # 2
    (re.compile(r"\baudit\(\d+\.\d+:"), "audit(<T>:"),                         # 2
    (re.compile(r"^(Linux version )\S+ .*$"), r"\1<release> <build>"),          # 3
    (re.compile(r"\b\d+\.\d+\.\d+-\d+-[a-z0-9]+-arm64\b"), "<release>"),       # 3
    (re.compile(r"\b[0-9a-f]{40}\b"), "<sha1>"),                               # 4
]


def normalize(line):
    line = line.replace("\r", "").rstrip()
    for pattern, replacement in RULES:
        line = pattern.sub(replacement, line)
    return line


def main():
    src = open(sys.argv[1], errors="replace") if len(sys.argv) > 1 else sys.stdin
    for line in src:
        print(normalize(line))


if __name__ == "__main__":
    main()
