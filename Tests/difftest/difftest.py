#!/usr/bin/env python3
"""Differential testing of `sim user` against `qemu-aarch64 -cpu cortex-a53` (issue M1.2, item 7).

A seeded generator writes random AArch64 assembly programs. Each program
  * sets every general register, NZCV, TPIDR_EL0 and SP to random or boundary values,
  * runs about 300 random instructions drawn from every instruction class (see CLASSES),
  * stores x0-x30, SP, NZCV and TPIDR_EL0 to a result area and write()s that together with the
    4 KiB scratch buffer the memory instructions work on, then exits with status 0.
Each program is assembled and linked statically (clang + ld.lld), run under both QEMU and our
simulator, and the outputs (stdout bytes and exit status) must be identical. A share of the
programs (--fault-rate) end, after writing their state, with an instruction that must kill them
(SIGSEGV, SIGBUS, SIGILL or SIGTRAP), so the exit status checks fault delivery. For a failing
program the instruction group responsible is found by bisection over truncated programs, and a
minimal reproducer (the state just before that group, then the group alone) is written and
re-checked.

Usage:
  Tests/difftest/difftest.py --sim .build/release/sim --seed 1 --count 20000 [-j 2] [--keep DIR]
  Tests/difftest/difftest.py --list-classes
  Tests/difftest/difftest.py --classes dp2,ldst_pair --seed 7 --count 5000
Ends with `difftest: N passed, M failed (K instructions)`; exit status 1 when any program failed.
Stdlib only.

Register conventions inside a program:
  x27  stable memory base = buf + 2048, a page boundary (never a destination; the result area
       is at x27 + 2048)
  x26  writeback base: reset from x27 right before every pre/post-index instruction
  sp   buf + 1024 between groups; every group that writes SP copies it to a register (so the
       value is checked) and restores it
Control flow is forward-only, so every program terminates. Instructions are emitted in *groups*
(set-up + instruction under test, or a whole LDXR/STXR sequence); branches and labels only cross
group boundaries, so a branch never skips half of a group.

Adding a class (e.g. FP/SIMD in M1.3): write a `g_<name>(g)` method on Gen that returns the lines
of one group, register it in CLASSES, and if it has new architectural state extend STATE_FIELDS,
`_epilogue` and `_prologue` so the state is initialised and dumped.
"""

import argparse
import os
import random
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

BUF_SIZE = 4096
BASE_OFF = 2048          # x27 = buf + BASE_OFF
SP_OFF = 1024            # sp = buf + SP_OFF between groups (16-byte aligned)
MEM = 27                 # stable base register
WB = 26                  # writeback base register
DEST = [r for r in range(31) if r not in (MEM, WB)]   # registers an instruction may write

# Dumped state after the buffer: (name, bytes).
STATE_FIELDS = [(f"x{i}", 8) for i in range(31)] + [("sp", 8), ("nzcv", 8), ("tpidr_el0", 8)]
STATE_SIZE = sum(n for _, n in STATE_FIELDS)
OUT_SIZE = BUF_SIZE + STATE_SIZE

CONDS = ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al", "nv"]
MASK64 = (1 << 64) - 1


def X(n):
    return "xzr" if n == 31 else f"x{n}"


def W(n):
    return "wzr" if n == 31 else f"w{n}"


def R(n, sf):
    return X(n) if sf else W(n)


def RS(n, sf):
    """Register name where 31 means the stack pointer."""
    if n == 31:
        return "sp" if sf else "wsp"
    return R(n, sf)


def is_insn(line):
    s = line.strip()
    return bool(s) and not s.endswith(":") and not s.startswith(".") and not s.startswith("//")


# --------------------------------------------------------------------------------------------
# Generator
# --------------------------------------------------------------------------------------------

class Group:
    __slots__ = ("cls", "lines", "label", "skip")

    def __init__(self, cls, lines, label=None, skip=0):
        self.cls = cls
        self.lines = lines
        self.label = label     # forward label this group branches to, placed after `skip` more groups
        self.skip = skip

    def count(self):
        return sum(1 for line in self.lines if is_insn(line))


class Program:
    def __init__(self, name, init_regs, init_nzcv, init_tpidr, buf, groups, pool):
        self.name = name
        self.init_regs = init_regs      # 31 values, x27 ignored (set to buf + 2048)
        self.init_nzcv = init_nzcv
        self.init_tpidr = init_tpidr
        self.buf = buf                  # BUF_SIZE bytes
        self.groups = groups
        self.pool = pool                # [(label, 64-bit value)]
        self.fault = None               # lines run after the state is written: must kill the program

    def count(self, k=None):
        return sum(g.count() for g in self.groups[:k])

    # ---- assembly text ----------------------------------------------------------------------

    def _prologue(self, out):
        out.append("_start:")
        out.append("\tadrp x27, buf")
        out.append("\tadd x27, x27, :lo12:buf")
        out.append(f"\tadd x27, x27, #{BASE_OFF}")
        out.append(f"\tsub sp, x27, #{BASE_OFF - SP_OFF}")
        out += movs(0, self.init_nzcv)
        out.append("\tmsr nzcv, x0")
        out += movs(0, self.init_tpidr)
        out.append("\tmsr tpidr_el0, x0")
        for r in range(31):
            if r != MEM:
                out += movs(r, self.init_regs[r])

    def _epilogue(self, out, fault):
        out.append(".Lepilogue:")
        res = BUF_SIZE - BASE_OFF
        for r in range(31):
            out.append(f"\tstr x{r}, [x27, #{res + 8 * r}]")
        out.append("\tmov x0, sp")
        out.append(f"\tstr x0, [x27, #{res + 8 * 31}]")
        out.append("\tmrs x0, nzcv")
        out.append(f"\tstr x0, [x27, #{res + 8 * 32}]")
        out.append("\tmrs x0, tpidr_el0")
        out.append(f"\tstr x0, [x27, #{res + 8 * 33}]")
        out.append("\tmov x0, #1")
        out.append(f"\tsub x1, x27, #{BASE_OFF}")
        out.append(f"\tmov x2, #{OUT_SIZE}")
        out.append("\tmov x8, #64")
        out.append("\tsvc #0")
        if fault and self.fault:
            out.append("// terminal fault")
            out += self.fault
        out.append("\tmov x0, #0")
        out.append("\tmov x8, #93")
        out.append("\tsvc #0")

    def asm(self, k=None, groups=None, fault=True):
        """The program's text; with k, only the first k groups (pending labels go at the end)."""
        groups = self.groups if groups is None else groups
        if k is None:
            k = len(groups)
        out = [f"// difftest program {self.name}: {k} of {len(groups)} groups",
               "\t.text", "\t.globl _start", "\t.p2align 2"]
        self._prologue(out)
        pending = {}
        for i in range(k):
            g = groups[i]
            out.append(f"// group {i} ({g.cls})")
            out += g.lines
            if g.label:
                pending.setdefault(i + g.skip, []).append(g.label)
            for label in pending.pop(i, []):
                out.append(f"{label}:")
        for i in sorted(pending):
            for label in pending[i]:
                out.append(f"{label}:")
        self._epilogue(out, fault)
        out.append("\t.p2align 3")
        out.append(".Lpool:")
        for label, value in self.pool:
            out.append(f"{label}:\t.quad 0x{value:016x}")
        out.append("\t.data")
        out.append("\t.p2align 12")
        out.append(f"\t.space {BASE_OFF}")   # x27 = buf + BASE_OFF is a page boundary: accesses cross it
        out.append("buf:")
        for i in range(0, BUF_SIZE, 16):
            out.append("\t.byte " + ",".join(str(b) for b in self.buf[i:i + 16]))
        out.append("res:")
        out.append(f"\t.space {STATE_SIZE}")
        return "\n".join(out) + "\n"


def movs(r, value, sf=True):
    """MOVZ/MOVN/MOVK lines setting register r to a 64-bit value."""
    value &= MASK64
    halves = [(value >> (16 * i)) & 0xFFFF for i in range(4)]
    if sum(h == 0xFFFF for h in halves) > sum(h == 0 for h in halves):
        first = next((i for i in range(4) if halves[i] != 0xFFFF), 0)
        lines = [f"\tmovn x{r}, #0x{(~halves[first]) & 0xFFFF:x}, lsl #{16 * first}"]
        rest = [i for i in range(4) if i != first and halves[i] != 0xFFFF]
    else:
        first = next((i for i in range(4) if halves[i] != 0), 0)
        lines = [f"\tmovz x{r}, #0x{halves[first]:x}, lsl #{16 * first}"]
        rest = [i for i in range(4) if i != first and halves[i] != 0]
    for i in rest:
        lines.append(f"\tmovk x{r}, #0x{halves[i]:x}, lsl #{16 * i}")
    return lines


def add_const(rd, rn, delta):
    """Lines setting x<rd> = x<rn> + delta (|delta| < 2^24), rn may be 31 for SP."""
    op = "add" if delta >= 0 else "sub"
    d = abs(delta)
    src = "sp" if rn == 31 else f"x{rn}"
    dst = "sp" if rd == 31 else f"x{rd}"
    lines = [f"\t{op} {dst}, {src}, #{d & 0xFFF}"]
    if d >> 12:
        lines.append(f"\t{op} {dst}, {dst}, #{d >> 12}, lsl #12")
    return lines


class Gen:
    def __init__(self, rng, name, aligned=False):
        self.rng = rng
        self.name = name
        self.aligned = aligned      # only naturally aligned data accesses (--aligned)
        self.labels = 0
        self.pool = []

    # ---- random helpers ---------------------------------------------------------------------

    def value(self):
        r = self.rng
        k = r.randrange(20)
        if k == 0:
            return r.choice([0, 1, 2, MASK64, MASK64 - 1])
        if k == 1:
            return r.choice([0x7FFFFFFFFFFFFFFF, 0x8000000000000000, 0x8000000000000001, 0x7FFFFFFFFFFFFFFE])
        if k == 2:
            return r.choice([0x7FFFFFFF, 0x80000000, 0xFFFFFFFF, 0x100000000, 0xFFFFFFFF00000000,
                             0xFFFFFFFF80000000, 0xFFFFFFFF7FFFFFFF, 0x80000001, 0x1FFFFFFFF])
        if k == 3:
            return r.randrange(256)
        if k == 4:
            return (-r.randrange(1, 256)) & MASK64
        if k == 5:
            return 1 << r.randrange(64)
        if k == 6:
            return (1 << r.randrange(1, 64)) - 1
        if k == 7:
            v = r.getrandbits(32)
            return v | (MASK64 ^ 0xFFFFFFFF) if v >> 31 else v
        if k == 8:
            return r.getrandbits(32)
        if k == 9:
            return r.getrandbits(32) << 32
        if k == 10:
            return r.randrange(64)
        if k == 11:
            return r.getrandbits(16) << (16 * r.randrange(4))
        return r.getrandbits(64)

    def al(self, size):
        """Alignment to use for an access of `size` bytes."""
        return size if self.aligned else 1

    def down(self, v, size):
        return v - v % self.al(size)

    def sf(self):
        return self.rng.random() < 0.6

    def dst(self, zr=True, avoid=()):
        """A destination register number (31 = zero register / SP, depending on the form)."""
        while True:
            n = 31 if zr and self.rng.random() < 0.06 else self.rng.choice(DEST)
            if n not in avoid:
                return n

    def src(self, zr=True):
        return 31 if zr and self.rng.random() < 0.06 else self.rng.randrange(31)

    def cond(self):
        return self.rng.choice(CONDS)

    def label(self):
        self.labels += 1
        return f".Lb{self.labels}"

    def lit(self):
        label = f".Llit{len(self.pool)}"
        self.pool.append((label, self.value()))
        return label

    def sp_fix(self, lines):
        """After an instruction that wrote SP: copy SP to a register (checked), then restore it."""
        lines.append(f"\tmov x{self.rng.choice(DEST)}, sp")
        lines.append(f"\tsub sp, x27, #{BASE_OFF - SP_OFF}")
        return lines

    def setval(self, r, value=None):
        return movs(r, self.value() if value is None else value)

    def bitmask(self, sf):
        r = self.rng
        size = r.choice([2, 4, 8, 16, 32, 64] if sf else [2, 4, 8, 16, 32])
        ones = r.randrange(1, size)
        rot = r.randrange(size)
        pat = (1 << ones) - 1
        pat = ((pat >> rot) | (pat << (size - rot))) & ((1 << size) - 1)
        v = 0
        for i in range(0, 64 if sf else 32, size):
            v |= pat << i
        return v

    # ---- data processing (immediate) -------------------------------------------------------

    def g_setval(self):
        r = self.rng
        n = r.choice(DEST)
        if r.random() < 0.3:
            v = r.getrandbits(32)
            lines = [f"\tmovz w{n}, #0x{v & 0xFFFF:x}"]
            if v >> 16:
                lines.append(f"\tmovk w{n}, #0x{v >> 16:x}, lsl #16")
            return lines
        return self.setval(n)

    def g_movewide(self):
        r = self.rng
        sf = self.sf()
        op = r.choice(["movz", "movn", "movk", "movk"])
        hw = r.randrange(4 if sf else 2)
        imm = r.choice([0, 0xFFFF, r.getrandbits(16), r.getrandbits(16)])
        return [f"\t{op} {R(self.dst(), sf)}, #0x{imm:x}, lsl #{16 * hw}"]

    def g_addsub_imm(self):
        r = self.rng
        sf = self.sf()
        op = r.choice(["add", "adds", "sub", "subs"])
        imm = r.choice([0, 1, 4095, r.randrange(4096), r.randrange(4096)])
        shift = ", lsl #12" if r.random() < 0.3 else ""
        rn = self.src()
        if op.endswith("s"):
            rd = self.dst()
            return [f"\t{op} {R(rd, sf)}, {RS(rn, sf)}, #{imm}{shift}"]
        rd = self.dst(zr=r.random() < 0.3)   # 31 = SP here
        lines = [f"\t{op} {RS(rd, sf)}, {RS(rn, sf)}, #{imm}{shift}"]
        return self.sp_fix(lines) if rd == 31 else lines

    def g_logical_imm(self):
        r = self.rng
        sf = self.sf()
        op = r.choice(["and", "orr", "eor", "ands"])
        imm = self.bitmask(sf)
        rn = self.src()
        if op == "ands":
            return [f"\tands {R(self.dst(), sf)}, {R(rn, sf)}, #0x{imm:x}"]
        rd = self.dst(zr=r.random() < 0.3)   # 31 = SP here
        lines = [f"\t{op} {RS(rd, sf)}, {R(rn, sf)}, #0x{imm:x}"]
        return self.sp_fix(lines) if rd == 31 else lines

    def g_bitfield(self):
        r = self.rng
        sf = self.sf()
        size = 64 if sf else 32
        rd, rn = R(self.dst(), sf), R(self.src(), sf)
        if r.random() < 0.5:
            op = r.choice(["sbfm", "bfm", "ubfm"])
            return [f"\t{op} {rd}, {rn}, #{r.randrange(size)}, #{r.randrange(size)}"]
        kind = r.choice(["asr", "lsr", "lsl", "sbfx", "ubfx", "bfxil", "sbfiz", "ubfiz", "bfi", "ext"])
        if kind in ("asr", "lsr", "lsl"):
            return [f"\t{kind} {rd}, {rn}, #{r.randrange(size)}"]
        if kind == "ext":
            op = r.choice(["sxtb", "sxth", "uxtb", "uxth"] + (["sxtw"] if sf else []))
            if op.startswith("u"):
                return [f"\t{op} {W(self.dst())}, {W(self.src())}"]
            return [f"\t{op} {rd}, {W(self.src())}"]
        lsb = r.randrange(size)
        width = r.randrange(1, size - lsb + 1)
        return [f"\t{kind} {rd}, {rn}, #{lsb}, #{width}"]

    def g_extr(self):
        r = self.rng
        sf = self.sf()
        size = 64 if sf else 32
        rd, rn, rm = self.dst(), self.src(), self.src()
        if r.random() < 0.3:
            return [f"\tror {R(rd, sf)}, {R(rn, sf)}, #{r.randrange(size)}"]
        return [f"\textr {R(rd, sf)}, {R(rn, sf)}, {R(rm, sf)}, #{r.randrange(size)}"]

    def g_adr(self):
        r = self.rng
        rd = self.dst(zr=False)
        target = r.choice(["buf", "_start", ".Lpool", ".Lepilogue", "res"])
        if r.random() < 0.5:
            return [f"\tadr x{rd}, {target}{r.randrange(-4096, 4096):+d}"]
        return [f"\tadrp x{rd}, {target}{r.randrange(-(1 << 20), 1 << 20):+d}"]

    # ---- data processing (register) --------------------------------------------------------

    def g_addsub_shift(self):
        r = self.rng
        sf = self.sf()
        op = r.choice(["add", "adds", "sub", "subs"])
        shift = r.choice(["lsl", "lsr", "asr"])
        amount = r.randrange(64 if sf else 32)
        rd, rn, rm = self.dst(), self.src(), self.src()
        suffix = f", {shift} #{amount}" if r.random() < 0.8 else ""
        return [f"\t{op} {R(rd, sf)}, {R(rn, sf)}, {R(rm, sf)}{suffix}"]

    def g_addsub_ext(self):
        r = self.rng
        sf = self.sf()
        op = r.choice(["add", "adds", "sub", "subs"])
        ext = r.choice(["uxtb", "uxth", "uxtw", "uxtx", "sxtb", "sxth", "sxtw", "sxtx"])
        amount = r.randrange(5)
        rm_x = sf and ext in ("uxtx", "sxtx")
        rn, rm = self.src(), self.src()
        tail = f"{ext} #{amount}" if amount or r.random() < 0.5 else ext
        if op.endswith("s"):
            rd = self.dst()
            return [f"\t{op} {R(rd, sf)}, {RS(rn, sf)}, {R(rm, rm_x)}, {tail}"]
        rd = self.dst(zr=r.random() < 0.3)   # 31 = SP here
        lines = [f"\t{op} {RS(rd, sf)}, {RS(rn, sf)}, {R(rm, rm_x)}, {tail}"]
        return self.sp_fix(lines) if rd == 31 else lines

    def g_logical_shift(self):
        r = self.rng
        sf = self.sf()
        op = r.choice(["and", "bic", "orr", "orn", "eor", "eon", "ands", "bics"])
        shift = r.choice(["lsl", "lsr", "asr", "ror"])
        amount = r.randrange(64 if sf else 32)
        rd, rn, rm = self.dst(), self.src(), self.src()
        if r.random() < 0.1:
            return [f"\t{r.choice(['mov', 'mvn'])} {R(rd, sf)}, {R(rm, sf)}"]
        suffix = f", {shift} #{amount}" if r.random() < 0.8 else ""
        return [f"\t{op} {R(rd, sf)}, {R(rn, sf)}, {R(rm, sf)}{suffix}"]

    def g_adc(self):
        r = self.rng
        sf = self.sf()
        op = r.choice(["adc", "adcs", "sbc", "sbcs", "ngc", "ngcs"])
        rd, rn, rm = self.dst(), self.src(), self.src()
        if op.startswith("ngc"):
            return [f"\t{op} {R(rd, sf)}, {R(rm, sf)}"]
        return [f"\t{op} {R(rd, sf)}, {R(rn, sf)}, {R(rm, sf)}"]

    def g_condcmp(self):
        r = self.rng
        sf = self.sf()
        op = r.choice(["ccmp", "ccmn"])
        rn = self.src()
        if r.random() < 0.5:
            operand = R(self.src(), sf)
        else:
            operand = f"#{r.randrange(32)}"
        return [f"\t{op} {R(rn, sf)}, {operand}, #{r.randrange(16)}, {self.cond()}"]

    def g_condsel(self):
        r = self.rng
        sf = self.sf()
        rd, rn, rm = self.dst(), self.src(), self.src()
        if r.random() < 0.3:
            cond = r.choice(CONDS[:14])
            op = r.choice(["cset", "csetm", "cinc", "cinv", "cneg"])
            if op in ("cset", "csetm"):
                return [f"\t{op} {R(rd, sf)}, {cond}"]
            return [f"\t{op} {R(rd, sf)}, {R(rn, sf)}, {cond}"]
        op = r.choice(["csel", "csinc", "csinv", "csneg"])
        return [f"\t{op} {R(rd, sf)}, {R(rn, sf)}, {R(rm, sf)}, {self.cond()}"]

    def g_dp1(self):
        r = self.rng
        sf = self.sf()
        ops = ["rbit", "rev16", "rev", "clz", "cls"] + (["rev32"] if sf else [])
        op = r.choice(ops)
        return [f"\t{op} {R(self.dst(), sf)}, {R(self.src(), sf)}"]

    def g_dp2(self):
        r = self.rng
        sf = self.sf()
        kind = r.random()
        rd = self.dst()
        if kind < 0.4:
            op = r.choice(["udiv", "sdiv"])
            lines = []
            rn, rm = self.src(zr=False), self.src(zr=False)
            special = r.random()
            if special < 0.4 and rn != rm and rn in DEST and rm in DEST:
                if special < 0.15:
                    lines += self.setval(rm, 0)
                else:
                    lines += self.setval(rm, MASK64 if sf else r.choice([0xFFFFFFFF, MASK64]))
                    int_min = 1 << 63 if sf else r.choice([0x80000000, 0xFFFFFFFF80000000, 0x1280000000])
                    lines += self.setval(rn, int_min)
            elif r.random() < 0.1:
                rm = 31
            lines.append(f"\t{op} {R(rd, sf)}, {R(rn, sf)}, {R(rm, sf)}")
            return lines
        if kind < 0.75:
            op = r.choice(["lslv", "lsrv", "asrv", "rorv", "lsl", "lsr", "asr", "ror"])
            return [f"\t{op} {R(rd, sf)}, {R(self.src(), sf)}, {R(self.src(), sf)}"]
        op = r.choice(["crc32b", "crc32h", "crc32w", "crc32x", "crc32cb", "crc32ch", "crc32cw", "crc32cx"])
        return [f"\t{op} {W(rd)}, {W(self.src())}, {R(self.src(), op.endswith('x'))}"]

    def g_dp3(self):
        r = self.rng
        op = r.choice(["madd", "msub", "mul", "mneg", "smaddl", "smsubl", "umaddl", "umsubl",
                       "smull", "umull", "smnegl", "umnegl", "smulh", "umulh"])
        rd, rn, rm, ra = self.dst(), self.src(), self.src(), self.src()
        if op in ("madd", "msub", "mul", "mneg"):
            sf = self.sf()
            if op in ("mul", "mneg"):
                return [f"\t{op} {R(rd, sf)}, {R(rn, sf)}, {R(rm, sf)}"]
            return [f"\t{op} {R(rd, sf)}, {R(rn, sf)}, {R(rm, sf)}, {R(ra, sf)}"]
        if op in ("smulh", "umulh"):
            return [f"\t{op} {X(rd)}, {X(rn)}, {X(rm)}"]
        if op.endswith("l") and not op.endswith("addl") and not op.endswith("subl"):
            return [f"\t{op} {X(rd)}, {W(rn)}, {W(rm)}"]
        return [f"\t{op} {X(rd)}, {W(rn)}, {W(rm)}, {X(ra)}"]

    def g_sysreg(self):
        r = self.rng
        k = r.randrange(4)
        if k == 0:
            n = r.choice(DEST)
            v = r.randrange(16) << 28
            if r.random() < 0.3:
                v |= r.getrandbits(64) & ~(0xF << 28)   # RES0 bits: MRS must read them as zero
            return self.setval(n, v) + [f"\tmsr nzcv, x{n}"]
        if k == 1:
            return [f"\tmrs {X(self.dst())}, nzcv"]
        if k == 2:
            return [f"\tmsr tpidr_el0, {X(self.src())}"]
        return [f"\tmrs {X(self.dst())}, tpidr_el0"]

    def g_hint(self):
        r = self.rng
        k = r.randrange(8)
        if k == 0:
            return ["\tnop"]
        if k == 1:
            return [f"\thint #{r.choice([1, 6, 7] + list(range(8, 128)))}"]
        if k == 2:
            return [f"\tdmb {r.choice(['sy', 'ish', 'ishld', 'ishst', 'osh', 'nsh', 'ld', 'st', '#' + str(r.randrange(16))])}"]
        if k == 3:
            return [f"\tdsb {r.choice(['sy', 'ish', 'ishld', 'ishst', 'osh', 'nsh', 'ld', 'st', '#' + str(r.randrange(16))])}"]
        if k == 4:
            return ["\tisb" if r.random() < 0.7 else f"\tisb #{r.randrange(16)}"]
        if k == 5:
            return ["\tclrex" if r.random() < 0.7 else f"\tclrex #{r.randrange(16)}"]
        if k == 6:
            return ["\tyield"]
        return ["\tnop", "\tnop"]

    def g_cache(self):
        """EL0 cache maintenance Linux allows (SCTLR_EL1.UCI/DZE/UCT set) and the cache ID registers."""
        r = self.rng
        k = r.randrange(4)
        if k == 0:
            return [f"\tmrs {X(self.dst())}, {r.choice(['ctr_el0', 'dczid_el0'])}"]
        # any address inside the buffer (DC ZVA zeroes the enclosing 64-byte block, also inside)
        bname, n, lines, _ = self.base(0, BUF_SIZE, 1)
        if n == 31:   # Xt = 31 is XZR here, not SP
            bname = "x27"
        op = "dc zva" if k == 1 else r.choice(["dc cvac", "dc cvau", "dc civac", "ic ivau"])
        return lines + [f"\t{op}, {bname}"]

    # ---- terminal faults (after the state is written) ------------------------------------

    def fault(self):
        """Lines that must end the program with a signal (Linux: SIGSEGV, SIGBUS, SIGILL, SIGTRAP)."""
        r = self.rng
        k = r.randrange(5)
        if k == 0:   # SIGSEGV: an address far from anything QEMU or sim user maps
            lines = movs(0, (r.randrange(0x1000, 0x4000) << 32) | (r.getrandbits(32) & ~0xF))
            op = r.choice(["ldr x1, [x0]", "str x1, [x0]", "ldrb w1, [x0, #1]", "ldp x1, x2, [x0]",
                           "stp x1, x2, [x0, #-16]!", "ldxr x1, [x0]", "ldar w1, [x0]", "stlr x1, [x0]",
                           "dc zva, x0", "ldur w1, [x0, #-3]", "ldr x1, [x0], #8", "br x0", "blr x0"])
            return lines + ["\t" + op]
        if k == 1:   # SIGILL: UDF, HLT, HVC, SMC, ERET, EL1 system registers, CNTPCT (EL0PCTEN = 0)
            return ["\t" + r.choice([f"udf #{r.getrandbits(16)}", f"hlt #{r.getrandbits(16)}", f"hvc #{r.getrandbits(16)}",
                                     f"smc #{r.getrandbits(16)}", "eret", "mrs x1, sctlr_el1", "msr ttbr0_el1, x1",
                                     "mrs x1, currentel", "msr spsel, #1", "msr daifset, #2", "mrs x1, daif",
                                     "mrs x1, cntpct_el0", "ic iallu", "mrs x1, vbar_el1", "drps"])]
        if k == 2:   # SIGTRAP
            return [f"\tbrk #{r.getrandbits(16)}"]
        if k == 3:   # SIGBUS: unaligned exclusive or acquire/release access
            op = r.choice(["ldxr x1, [x0]", "ldxr w1, [x0]", "ldxrh w1, [x0]", "ldaxr x1, [x0]", "ldar x1, [x0]",
                           "ldarh w1, [x0]", "stlr w1, [x0]", "stlrh w1, [x0]", "ldxp x1, x2, [x0]",
                           "ldxp w1, w2, [x0]", "ldaxp x1, x2, [x0]"])
            size = 16 if "ldxp x" in op or "ldaxp x" in op else 8 if "x1, [" in op or "ldxp w" in op else \
                2 if "h w1" in op else 4
            off = r.choice([o for o in range(1, size)])
            return [f"\tadd x0, x27, #{8 * r.randrange(64) + off}", "\t" + op]
        # SIGBUS: misaligned branch target (PC alignment fault)
        return [f"\tadr x0, .Lepilogue+{r.choice([1, 2, 3])}", f"\t{r.choice(['br', 'blr'])} x0"]

    # ---- tagged addresses (Linux enables TBI for EL0: the top byte is ignored) -----------

    def g_ldst_tagged(self):
        r = self.rng
        n = r.choice(DEST)
        tag = r.randrange(1, 256)
        k = r.randrange(4)
        if k == 0:
            op, size, x, load = self.single()
            t = self.down(r.randrange(0, BUF_SIZE - size + 1), size)
            lines = add_const(n, MEM, t - BASE_OFF) + [f"\tmovk x{n}, #0x{tag << 8:x}, lsl #48"]
            return lines + [f"\t{op} {R(self.rt_for(load, avoid=(n,)), x)}, [x{n}]"]
        if k == 1:
            x = self.sf()
            size = 8 if x else 4
            t = self.down(r.randrange(0, BUF_SIZE - 2 * size + 1), size)
            lines = add_const(n, MEM, t - BASE_OFF) + [f"\tmovk x{n}, #0x{tag << 8:x}, lsl #48"]
            if r.random() < 0.5:
                rt = self.dst(avoid=(n,))
                return lines + [f"\tldp {R(rt, x)}, {R(self.dst(avoid=(n, rt)), x)}, [x{n}]"]
            return lines + [f"\tstp {R(self.rt_for(False), x)}, {R(self.rt_for(False), x)}, [x{n}]"]
        if k == 2:   # post-index writeback keeps the tag
            op, size, x, load = self.single()
            t = self.down(r.randrange(0, BUF_SIZE - size + 1), size)
            lines = add_const(n, MEM, t - BASE_OFF) + [f"\tmovk x{n}, #0x{tag << 8:x}, lsl #48"]
            return lines + [f"\t{op} {R(self.rt_for(load, avoid=(n,)), x)}, [x{n}], #{self.down(r.randrange(-256, 256), size)}"]
        size = r.choice([4, 8])
        t = size * r.randrange(BUF_SIZE // size)
        lines = add_const(n, MEM, t - BASE_OFF) + [f"\tmovk x{n}, #0x{tag << 8:x}, lsl #48"]
        rt = self.dst(zr=False, avoid=(n,))
        st = self.rt_for(False, avoid=(n,))
        ws = self.dst(zr=False, avoid=(n, st))
        return lines + [f"\tldxr {R(rt, size == 8)}, [x{n}]", f"\tstxr w{ws}, {R(st, size == 8)}, [x{n}]"]

    # ---- branches (forward only) -----------------------------------------------------------

    def branch(self, lines, label):
        return Group("branch", lines, label, self.rng.choice([0, 0, 1, 1, 2, 3, 5]))

    def g_branch(self):
        r = self.rng
        label = self.label()
        kind = r.choice(["bcond", "cbz", "tbz", "b", "bl", "br", "blr", "ret"])
        if kind == "bcond":
            lines = [f"\tb.{self.cond()} {label}"]
        elif kind == "cbz":
            sf = self.sf()
            lines = [f"\t{r.choice(['cbz', 'cbnz'])} {R(self.src(), sf)}, {label}"]
        elif kind == "tbz":
            sf = self.sf()
            lines = [f"\t{r.choice(['tbz', 'tbnz'])} {R(self.src(), sf)}, #{r.randrange(64 if sf else 32)}, {label}"]
        elif kind in ("b", "bl"):
            lines = [f"\t{kind} {label}"]
        else:
            n = 30 if kind == "ret" and r.random() < 0.5 else r.choice(DEST)
            lines = [f"\tadr x{n}, {label}"]
            lines.append("\tret" if kind == "ret" and n == 30 and r.random() < 0.5 else f"\t{kind} x{n}")
        return self.branch(lines, label)

    # ---- loads and stores ------------------------------------------------------------------

    SINGLE = [  # mnemonic stem, access size, register width is X
        ("strb", 1, False), ("strh", 2, False), ("str", 4, False), ("str", 8, True),
        ("ldrb", 1, False), ("ldrh", 2, False), ("ldr", 4, False), ("ldr", 8, True),
        ("ldrsb", 1, False), ("ldrsb", 1, True), ("ldrsh", 2, False), ("ldrsh", 2, True),
        ("ldrsw", 4, True),
    ]

    def single(self):
        op, size, x = self.rng.choice(self.SINGLE)
        return op, size, x, op.startswith("ld")

    def rt_for(self, load, avoid=()):
        """Data register: loads may not write the reserved bases; stores may read anything."""
        if load:
            return self.dst(avoid=avoid)
        while True:
            n = self.rng.choice(list(range(32)))
            if n not in avoid:
                return n

    def base(self, lo, hi, align=1, disp=0):
        """A base register for an access at base + disp: returns (name, number, set-up lines, t).

        Picks the stable base x27, SP, or a scratch register loaded with an address, such that
        t = base + disp - buf lies in [lo, hi) and is a multiple of `align`."""
        r = self.rng
        choices = []
        if lo <= BASE_OFF + disp < hi and (BASE_OFF + disp) % align == 0:
            choices.append("x27")
        if lo <= SP_OFF + disp < hi and (SP_OFF + disp) % align == 0:
            choices.append("sp")
        choices += ["reg", "reg"]
        kind = r.choice(choices)
        if kind == "x27":
            return "x27", MEM, [], BASE_OFF + disp
        if kind == "sp":
            return "sp", 31, [], SP_OFF + disp
        t = r.randrange(lo, hi)
        t -= t % align
        n = r.choice(DEST)
        return f"x{n}", n, add_const(n, MEM, t - disp - BASE_OFF), t

    def g_ldst_uimm(self):
        r = self.rng
        op, size, x, load = self.single()
        u = r.choice([0, 1, 4095, r.randrange(4096), r.randrange(64)])
        bname, bn, lines, _ = self.base(0, BUF_SIZE - size + 1, size, u * size)
        rt = self.rt_for(load)
        return lines + [f"\t{op} {R(rt, x)}, [{bname}, #{u * size}]"]

    def g_ldst_unscaled(self):
        r = self.rng
        op, size, x, load = self.single()
        op = op.replace("ldr", "ldur").replace("str", "stur")
        disp = self.down(r.choice([-256, 255, r.randrange(-256, 256), r.randrange(-256, 256)]), size)
        bname, bn, lines, _ = self.base(0, BUF_SIZE - size + 1, self.al(size), disp)
        rt = self.rt_for(load)
        return lines + [f"\t{op} {R(rt, x)}, [{bname}, #{disp}]"]

    def g_ldst_prepost(self):
        r = self.rng
        op, size, x, load = self.single()
        imm = self.down(r.choice([-256, 255, r.randrange(-256, 256), r.randrange(-256, 256)]), size)
        pre = r.random() < 0.5
        if r.random() < 0.25:
            rt = self.rt_for(load)
            addr = f"[sp, #{imm}]!" if pre else f"[sp], #{imm}"
            return self.sp_fix([f"\t{op} {R(rt, x)}, {addr}"])
        rt = self.rt_for(load, avoid=(WB,))
        lines = add_const(WB, MEM, self.down(r.randrange(-1024, 1024), size))
        addr = f"[x26, #{imm}]!" if pre else f"[x26], #{imm}"
        return lines + [f"\t{op} {R(rt, x)}, {addr}"]

    def g_ldst_regoff(self):
        r = self.rng
        prefetch = r.random() < 0.1
        op, size, x, load = ("prfm", 8, True, False) if prefetch else self.single()
        log = size.bit_length() - 1
        ext = r.choice(["lsl", "uxtw", "sxtw", "sxtx"])
        s = r.random() < 0.5
        amount = log if s else 0
        bname, bn, lines, b = self.base(0, BUF_SIZE, self.al(size))
        # target t with (t - b) a multiple of 1 << amount, inside the buffer, non-negative for UXTW
        lo = b if ext == "uxtw" else 0
        if lo > BUF_SIZE - size:
            lo = 0
            ext = "sxtw"
        while True:
            t = r.randrange(lo, BUF_SIZE - size + 1)
            if (t - b) % (1 << amount) == 0 and t % self.al(size) == 0:
                break
        idx = (t - b) >> amount
        m = self.dst(zr=False, avoid=(bn,))
        if ext in ("uxtw", "sxtw"):
            idx = (idx & 0xFFFFFFFF) | (self.value() & ~0xFFFFFFFF)
        lines += self.setval(m, idx & MASK64)
        if ext == "lsl":
            tail = f"x{m}, lsl #{amount}" if s else f"x{m}"
        else:
            reg = f"x{m}" if ext == "sxtx" else f"w{m}"
            tail = f"{reg}, {ext} #{amount}" if s else f"{reg}, {ext}"
        if prefetch:
            return lines + [f"\tprfm #{r.randrange(32)}, [{bname}, {tail}]"]
        rt = self.rt_for(load)
        return lines + [f"\t{op} {R(rt, x)}, [{bname}, {tail}]"]

    def g_ldst_literal(self):
        r = self.rng
        k = r.randrange(6)
        step = 8 if self.aligned else 4
        target = f"{self.lit()}+{r.choice([0, 0, 4]) if step == 4 else 0}"
        if r.random() < 0.3:   # any word of the pool from which 8 bytes are still inside it
            target = f".Lpool+{step * r.randrange((8 // step) * (len(self.pool) - 1) + 1)}"
        if k == 0:
            return [f"\tprfm #{r.randrange(32)}, {target}"]
        op, reg = r.choice([("ldr", X), ("ldr", W), ("ldrsw", X)])
        return [f"\t{op} {reg(self.dst())}, {target}"]

    def g_prefetch(self):
        """PRFM never faults, even on unmapped or random addresses."""
        r = self.rng
        op = f"#{r.randrange(32)}" if r.random() < 0.5 else r.choice(["pldl1keep", "pldl2strm", "pstl1keep", "plil3keep"])
        rn = r.randrange(31)
        k = r.randrange(3)
        if k == 0:
            return [f"\tprfm {op}, [x{rn}, #{8 * r.randrange(4096)}]"]
        if k == 1:
            return [f"\tprfum {op}, [x{rn}, #{r.randrange(-256, 256)}]"]
        return [f"\tprfm {op}, [x{rn}, x{self.src(zr=False)}, lsl #3]"]

    def g_ldst_pair(self):
        r = self.rng
        op, size, x = r.choice([("stp", 4, False), ("stp", 8, True), ("ldp", 4, False), ("ldp", 8, True),
                                ("ldpsw", 4, True), ("stnp", 4, False), ("stnp", 8, True),
                                ("ldnp", 4, False), ("ldnp", 8, True)])
        load = op.startswith("ld")
        mode = "off" if op.endswith("np") else r.choice(["off", "pre", "post"])
        imm = size * r.choice([-64, 63, r.randrange(-64, 64), r.randrange(-64, 64)])
        if mode == "off":
            bname, bn, lines, _ = self.base(0, BUF_SIZE - 2 * size + 1, self.al(size), imm)
            rt = self.rt_for(load)
            rt2 = self.rt_for(load, avoid=(rt,) if load else ())
            return lines + [f"\t{op} {R(rt, x)}, {R(rt2, x)}, [{bname}, #{imm}]"]
        if r.random() < 0.25:
            rt = self.rt_for(load)
            rt2 = self.rt_for(load, avoid=(rt,) if load else ())
            addr = f"[sp, #{imm}]!" if mode == "pre" else f"[sp], #{imm}"
            return self.sp_fix([f"\t{op} {R(rt, x)}, {R(rt2, x)}, {addr}"])
        rt = self.rt_for(load, avoid=(WB,))
        rt2 = self.rt_for(load, avoid=(WB, rt) if load else (WB,))
        lines = add_const(WB, MEM, self.down(r.randrange(-1024, 1024), size))
        addr = f"[x26, #{imm}]!" if mode == "pre" else f"[x26], #{imm}"
        return lines + [f"\t{op} {R(rt, x)}, {R(rt2, x)}, {addr}"]

    def filler(self, avoid):
        """A register-only instruction that leaves the registers in `avoid` alone."""
        r = self.rng
        rd = self.dst(avoid=avoid)
        return [f"\t{r.choice(['add', 'eor', 'sub', 'orr'])} x{rd}, {X(self.src())}, {X(self.src())}"] \
            if rd != 31 else ["\tnop"]

    def g_exclusive(self):
        r = self.rng
        pair = r.random() < 0.3
        if pair:
            x = self.sf()
            size = 16 if x else 8
            suffix, rx = "p", x
        else:
            suffix, size, rx = r.choice([("b", 1, False), ("h", 2, False), ("", 4, False), ("", 8, True)])
        acq = r.choice(["ld", "lda"])
        rel = r.choice(["st", "stl"])
        if r.random() < 0.15:
            bname, bn, lines = "sp", 31, []
        else:
            bname, bn, lines, _ = self.base(0, BUF_SIZE - size + 1, size)
        fail = r.random() < 0.15          # CLREX between: the store must fail and not write
        solo = fail and r.random() < 0.5  # no load at all (after CLREX)
        if not solo:
            rt = self.dst(zr=False, avoid=(bn,))
            if pair:
                rt2 = self.dst(zr=False, avoid=(bn, rt))
                lines.append(f"\t{acq}xp {R(rt, rx)}, {R(rt2, rx)}, [{bname}]")
            else:
                lines.append(f"\t{acq}xr{suffix} {R(rt, rx)}, [{bname}]")
            for _ in range(r.randrange(3)):
                lines += self.filler((bn,))
        if fail:
            lines.append("\tclrex")
        # store: data registers may not be the base; the status register is none of them
        st = self.rt_for(False, avoid=(bn,))
        if pair:
            st2 = self.rt_for(False, avoid=(bn,))
            ws = self.dst(zr=False, avoid=(bn, st, st2))
            lines.append(f"\t{rel}xp w{ws}, {R(st, rx)}, {R(st2, rx)}, [{bname}]")
        else:
            ws = self.dst(zr=False, avoid=(bn, st))
            lines.append(f"\t{rel}xr{suffix} w{ws}, {R(st, rx)}, [{bname}]")
        return lines

    def g_acqrel(self):
        r = self.rng
        suffix, size, rx = r.choice([("b", 1, False), ("h", 2, False), ("", 4, False), ("", 8, True)])
        bname, bn, lines, _ = self.base(0, BUF_SIZE - size + 1, size)
        if r.random() < 0.5:
            return lines + [f"\tldar{suffix} {R(self.dst(), rx)}, [{bname}]"]
        if r.random() < 0.2:  # LDAXR on its own (leaves the monitor open; later STXRs reload it)
            return lines + [f"\tldaxr{suffix} {R(self.dst(avoid=(bn,)), rx)}, [{bname}]"]
        return lines + [f"\tstlr{suffix} {R(self.rt_for(False), rx)}, [{bname}]"]


# Instruction classes: name -> (weight, method). Integer ARMv8.0 only for now (FP/SIMD: M1.3).
CLASSES = {
    "setval": (4, Gen.g_setval),
    "movewide": (3, Gen.g_movewide),
    "addsub_imm": (4, Gen.g_addsub_imm),
    "addsub_shift": (4, Gen.g_addsub_shift),
    "addsub_ext": (4, Gen.g_addsub_ext),
    "logical_imm": (4, Gen.g_logical_imm),
    "logical_shift": (4, Gen.g_logical_shift),
    "bitfield": (4, Gen.g_bitfield),
    "extr": (2, Gen.g_extr),
    "adr": (2, Gen.g_adr),
    "adc": (3, Gen.g_adc),
    "condcmp": (3, Gen.g_condcmp),
    "condsel": (3, Gen.g_condsel),
    "dp1": (3, Gen.g_dp1),
    "dp2": (4, Gen.g_dp2),
    "dp3": (4, Gen.g_dp3),
    "sysreg": (1, Gen.g_sysreg),
    "hint": (1, Gen.g_hint),
    "cache": (1, Gen.g_cache),
    "ldst_tagged": (1, Gen.g_ldst_tagged),
    "branch": (3, Gen.g_branch),
    "ldst_uimm": (4, Gen.g_ldst_uimm),
    "ldst_unscaled": (3, Gen.g_ldst_unscaled),
    "ldst_prepost": (3, Gen.g_ldst_prepost),
    "ldst_regoff": (3, Gen.g_ldst_regoff),
    "ldst_literal": (2, Gen.g_ldst_literal),
    "ldst_pair": (4, Gen.g_ldst_pair),
    "prefetch": (1, Gen.g_prefetch),
    "exclusive": (3, Gen.g_exclusive),
    "acqrel": (2, Gen.g_acqrel),
}


def generate(seed, index, size, classes, aligned=False, fault_rate=0.0):
    rng = random.Random(f"minos-difftest:{seed}:{index}")
    name = f"s{seed}-p{index:04d}"
    g = Gen(rng, name, aligned)
    names = sorted(classes)
    weights = [CLASSES[c][0] for c in names]
    init = [g.value() for _ in range(31)]
    nzcv = rng.randrange(16) << 28
    tpidr = g.value()
    buf = bytes(rng.getrandbits(8) for _ in range(BUF_SIZE))
    groups, count = [], 0
    while count < size:
        cls = rng.choices(names, weights)[0]
        res = CLASSES[cls][1](g)
        group = res if isinstance(res, Group) else Group(cls, res)
        groups.append(group)
        count += group.count()
    prog = Program(name, init, nzcv, tpidr, buf, groups, g.pool)
    if rng.random() < fault_rate:
        prog.fault = g.fault()
    return prog


# --------------------------------------------------------------------------------------------
# Building and running
# --------------------------------------------------------------------------------------------

class Runner:
    def __init__(self, args, workdir):
        self.sim = args.sim
        self.qemu = args.qemu
        self.clang = args.clang
        self.workdir = workdir
        self.timeout = args.timeout

    def build(self, text, stem):
        src = os.path.join(self.workdir, stem + ".s")
        elf = os.path.join(self.workdir, stem)
        with open(src, "w") as f:
            f.write(text)
        p = subprocess.run([self.clang, "--target=aarch64-linux-gnu", "-mcpu=cortex-a53", "-nostdlib", "-static",
                            "-fuse-ld=lld", "-Wl,--no-relax", "-o", elf, src],
                           capture_output=True, text=True)
        if p.returncode != 0:
            raise RuntimeError(f"assembling {src} failed:\n{p.stderr}")
        return elf

    def run(self, cmd):
        try:
            p = subprocess.run(cmd, capture_output=True, timeout=self.timeout, cwd=self.workdir)
        except subprocess.TimeoutExpired:
            return ("timeout", b"", b"")
        rc = p.returncode if p.returncode >= 0 else 128 - p.returncode
        return (rc, p.stdout, p.stderr)

    def both(self, elf):
        q = self.run([self.qemu, "-cpu", "cortex-a53", elf])
        s = self.run([self.sim, "user", elf])
        return q, s

    def check(self, text, stem):
        """(same, qemu result, sim result) for one program text."""
        elf = self.build(text, stem)
        q, s = self.both(elf)
        same = q[0] == s[0] and q[1] == s[1]
        return same, q, s


def parse_state(out):
    """Dict of named state values and the buffer, or None when the output is incomplete."""
    if len(out) != OUT_SIZE:
        return None
    state = {}
    at = BUF_SIZE
    for name, n in STATE_FIELDS:
        state[name] = int.from_bytes(out[at:at + n], "little")
        at += n
    return state, out[:BUF_SIZE]


def describe_diff(q, s, limit=8):
    """Lines describing how the two results differ."""
    lines = []
    if q[0] != s[0] or len(q[1]) != OUT_SIZE or len(s[1]) != OUT_SIZE:
        lines.append(f"exit status: qemu {q[0]}, sim {s[0]}")
    for tag, res in (("qemu", q), ("sim", s)):
        if res[2].strip() and (q[0] != s[0] or len(res[1]) != OUT_SIZE):
            lines.append(f"{tag} stderr: " + res[2].decode(errors="replace").strip().splitlines()[-1][:200])
    pq, ps = parse_state(q[1]), parse_state(s[1])
    if pq is None or ps is None:
        if q[1] != s[1]:
            lines.append(f"output length: qemu {len(q[1])}, sim {len(s[1])} bytes (expected {OUT_SIZE})")
        return lines
    (sq, mq), (ss, ms) = pq, ps
    for name, _ in STATE_FIELDS:
        if sq[name] != ss[name]:
            lines.append(f"{name}: qemu 0x{sq[name]:016x}, sim 0x{ss[name]:016x}")
    shown = 0
    for off in range(0, BUF_SIZE, 8):
        if mq[off:off + 8] != ms[off:off + 8]:
            if shown == limit:
                lines.append("  ... more memory differences")
                break
            a = int.from_bytes(mq[off:off + 8], "little")
            b = int.from_bytes(ms[off:off + 8], "little")
            lines.append(f"mem buf+0x{off:03x} (x27{off - BASE_OFF:+d}): qemu 0x{a:016x}, sim 0x{b:016x}")
            shown += 1
    return lines


REG_RE = re.compile(r"\b([xw])(\d+)\b|\b(sp|wsp)\b")


def inputs_of(lines, state):
    """The before-values of the registers a group mentions."""
    names = []
    for line in lines:
        code = line.split("//")[0]
        if code.rstrip().endswith(":"):
            continue
        for m in REG_RE.finditer(code.split(None, 1)[1] if len(code.split(None, 1)) > 1 else ""):
            name = f"x{m.group(2)}" if m.group(1) else "sp"
            if name not in names:
                names.append(name)
    out = [f"{n}=0x{state[n]:016x}" for n in names if n in state]
    out.append(f"nzcv=0x{state['nzcv'] >> 28:x}")
    return ", ".join(out)


def reduced_program(prog, k, state, mem):
    """A program starting from the state before group k, running only group k."""
    regs = [state[f"x{i}"] for i in range(31)]
    # x26 holds an address relative to the buffer; keep it relative in the new layout
    regs[WB] = (regs[WB] - state["x27"]) & MASK64
    p = Program(prog.name + f"-g{k}", regs, state["nzcv"], state["tpidr_el0"], mem,
                [Group(prog.groups[k].cls, prog.groups[k].lines, prog.groups[k].label, 0)], prog.pool)
    text = p.asm()
    # restore x26 = x27 + offset right after the prologue
    text = text.replace("// group 0", "\tadd x26, x26, x27\n// group 0", 1)
    return text


def investigate(runner, prog, q, s, keep, bisect):
    """Report for one failing program: first differences, bisected group, minimal reproducer."""
    report = [f"FAIL {prog.name} ({len(prog.groups)} groups, {prog.count()} instructions)"]
    report += ["  " + line for line in describe_diff(q, s)]
    if keep:
        os.makedirs(keep, exist_ok=True)
        with open(os.path.join(keep, prog.name + ".s"), "w") as f:
            f.write(prog.asm())
    if not bisect:
        return report
    stem = prog.name + "-bisect"
    if prog.fault:
        same, q, s = runner.check(prog.asm(fault=False), stem)
        if same:
            report.append("  the state agrees; the terminal fault differs:")
            report += ["    " + line.strip() for line in prog.fault]
            return report
    same0, q0, s0 = runner.check(prog.asm(0, fault=False), stem)
    if not same0:
        report.append("  prologue/epilogue alone already differ:")
        report += ["    " + line for line in describe_diff(q0, s0)]
        return report
    lo, hi = 0, len(prog.groups)   # prefix lo agrees, prefix hi differs
    before = q0
    after = (q, s)
    while hi - lo > 1:
        mid = (lo + hi) // 2
        same, qm, sm = runner.check(prog.asm(mid, fault=False), stem)
        if same:
            lo, before = mid, qm
        else:
            hi, after = mid, (qm, sm)
    k = hi - 1
    group = prog.groups[k]
    report.append(f"  first differing group #{k} ({group.cls}), after {prog.count(k)} instructions:")
    report += ["    " + line.strip() for line in group.lines if not line.strip().startswith("//")]
    parsed = parse_state(before[1])
    if parsed:
        report.append("  registers before it: " + inputs_of(group.lines, parsed[0]))
    report.append("  state after it:")
    report += ["    " + line for line in describe_diff(*after)]
    if parsed:
        text = reduced_program(prog, k, parsed[0], parsed[1])
        same, _, _ = runner.check(text, prog.name + "-min")
        where = ""
        if keep:
            where = os.path.join(keep, f"{prog.name}-g{k}.s")
            with open(where, "w") as f:
                f.write(text)
            where = " -> " + where
        report.append(f"  reduced program (state before the group + the group alone): "
                      f"{'does NOT reproduce (hidden state?)' if same else 'reproduces'}{where}")
    return report


def run_program(runner, prog, keep, bisect):
    try:
        same, q, s = runner.check(prog.asm(), prog.name)
        if same:
            return True, []
        return False, investigate(runner, prog, q, s, keep, bisect)
    except RuntimeError as e:   # the generator produced something the assembler rejects
        return False, [f"FAIL {prog.name}: {e}"]


def main():
    ap = argparse.ArgumentParser(description="Differential testing of `sim user` against qemu-aarch64.")
    ap.add_argument("--sim", default=os.path.join(ROOT, ".build/release/sim"))
    ap.add_argument("--qemu", default="qemu-aarch64")
    ap.add_argument("--clang", default=None, help="clang with ld.lld next to it (default: the Swift toolchain's)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20000, help="total instructions (default 20000)")
    ap.add_argument("--size", type=int, default=300, help="instructions per program (default 300)")
    ap.add_argument("--classes", default=None, help="comma-separated subset of instruction classes")
    ap.add_argument("--list-classes", action="store_true")
    ap.add_argument("--keep", default=None, help="directory for failing programs and reproducers")
    ap.add_argument("--exclude", default=None, help="comma-separated classes to leave out")
    ap.add_argument("--fault-rate", type=float, default=0.2,
                    help="share of programs that end with a faulting instruction after the dump (default 0.2)")
    ap.add_argument("--no-bisect", action="store_true")
    ap.add_argument("--aligned", action="store_true",
                    help="only naturally aligned data accesses (to look past an alignment bug)")
    ap.add_argument("--timeout", type=float, default=30)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    args = ap.parse_args()

    if args.list_classes:
        for name, (weight, _) in sorted(CLASSES.items()):
            print(f"{name:16} weight {weight}")
        return 0
    classes = list(CLASSES) if not args.classes else [c.strip() for c in args.classes.split(",") if c.strip()]
    excluded = [c.strip() for c in (args.exclude or "").split(",") if c.strip()]
    unknown = [c for c in classes + excluded if c not in CLASSES]
    classes = [c for c in classes if c not in excluded]
    if unknown:
        ap.error(f"unknown classes: {', '.join(unknown)} (see --list-classes)")
    if args.clang is None:
        swiftc = shutil.which("swiftc")
        args.clang = os.path.join(os.path.dirname(swiftc), "clang") if swiftc else "clang"
    args.sim = os.path.abspath(args.sim)
    if not os.path.exists(args.sim):
        ap.error(f"{args.sim} not found; run `swift build -c release` first")

    programs, total = [], 0
    while total < args.count:
        p = generate(args.seed, len(programs), min(args.size, args.count - total), classes, args.aligned,
                     args.fault_rate)
        programs.append(p)
        total += p.count()

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))   # no core files from killed QEMU runs
    start = time.time()
    workdir = tempfile.mkdtemp(prefix="difftest-")
    passed = failed = 0
    try:
        runner = Runner(args, workdir)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(run_program, runner, p, args.keep, not args.no_bisect) for p in programs]
            for fut in futures:
                ok, report = fut.result()
                if ok:
                    passed += 1
                else:
                    failed += 1
                    print("\n".join(report), flush=True)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    print(f"difftest: seed {args.seed}, {len(programs)} programs in {time.time() - start:.1f}s", file=sys.stderr)
    print(f"difftest: {passed} passed, {failed} failed ({total} instructions)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
