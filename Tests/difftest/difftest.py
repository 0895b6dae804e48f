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
  Tests/difftest/difftest.py --sim .build/release/sim --fp --seed 1 --count 20000      (FP/SIMD)
  Tests/difftest/difftest.py --fp --per-class --count 3000
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

FP/SIMD (issue M1.3, `--fp` or `--classes fp,vfp,vint,vldst`): the prologue also loads V0-V31 with
values biased toward FP special values and sets a random FPCR (RMode/FZ/DN/AHP); the epilogue also
dumps V0-V31, FPSR and FPCR, followed by a result log: after each FP/SIMD group, check lines
(tagged `// chk`, not counted) store the registers it wrote, NZCV after FP compares and FPSR to the
log at x25 (x24 is their scratch), so no result is lost to a later overwrite. See README.md.

Adding a class: write a `g_<name>(g)` method on Gen (or FPGen) that returns the lines of one group,
register it in CLASSES (or FP_GROUPS), and if it has new architectural state extend STATE_FIELDS,
`_epilogue` and `_prologue` so the state is initialised and dumped.
"""

import argparse
import os
import random
import re
import resource
import shutil
import struct
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
# FP/SIMD programs also dump V0-V31 (16 bytes each, at a 16-byte aligned offset), FPSR and FPCR.
FP_STATE_FIELDS = [(f"v{i}", 16) for i in range(32)] + [("fpsr", 8), ("fpcr", 8)]
FPLOG = 25               # FP/SIMD programs: the result log pointer (see Gen.fpchk)
FPTMP = 24               # FP/SIMD programs: scratch for the log and for set-up values
CHK = "// chk"           # marks the check lines after a group (not counted as instructions)


def is_log(line):
    """A result-log store (16 bytes at x25, post-incremented) of an FP/SIMD program."""
    return line.endswith(CHK) and "[x25], #16" in line


def state_fields(fp):
    return STATE_FIELDS + FP_STATE_FIELDS if fp else STATE_FIELDS

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
    return bool(s) and not s.endswith(":") and (not s.startswith(".") or s.startswith(".inst")) \
        and not s.startswith("//") and not s.endswith(CHK)


def insn_text(line):
    """The assembly text of an instruction line; for `.inst 0x... // text` lines, the text."""
    s = line.strip()
    if s.startswith(".inst") and "//" in s:
        return s.split("//", 1)[1].strip()
    return s.split("//")[0].strip()


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
    def __init__(self, name, init_regs, init_nzcv, init_tpidr, buf, groups, pool, fp=None, vpool=()):
        self.name = name
        self.init_regs = init_regs      # 31 values, x27 ignored (set to buf + 2048)
        self.init_nzcv = init_nzcv
        self.init_tpidr = init_tpidr
        self.buf = buf                  # BUF_SIZE bytes
        self.groups = groups
        self.pool = pool                # [(label, 64-bit value)]
        self.fault = None               # lines run after the state is written: must kill the program
        self.fp = fp                    # FP/SIMD programs: {"v": 32 128-bit values, "fpcr", "fpsr"}
        self.vpool = list(vpool)        # [(label, 128-bit value)] for LDR Q (literal)
        self.fields = state_fields(fp is not None)
        self.state_size = sum(n for _, n in self.fields)
        self.out_size = BUF_SIZE + self.state_size

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
        if self.fp:
            out.append("\tadrp x0, vinit")
            out.append("\tadd x0, x0, :lo12:vinit")
            for i in range(0, 32, 2):
                out.append(f"\tldp q{i}, q{i + 1}, [x0, #{16 * i}]")
            out += movs(0, self.fp["fpcr"])
            out.append("\tmsr fpcr, x0")
            out += movs(0, self.fp["fpsr"])
            out.append("\tmsr fpsr, x0")
        for r in range(31):
            if r != MEM:
                out += movs(r, self.init_regs[r])
        if self.fp:
            out.append(f"\tadrp x{FPLOG}, vlog")
            out.append(f"\tadd x{FPLOG}, x{FPLOG}, :lo12:vlog")

    def log_entries(self, k=None, groups=None):
        """[(group index, class, what, instruction)] for each 16-byte entry the first k groups log."""
        groups = self.groups if groups is None else groups
        entries = []
        for i, g in enumerate(groups[:k]):
            insn = main_insn(g.lines)
            sysreg = None
            for line in g.lines:
                m = re.match(r"\s*mrs x24, (\w+)", line)
                if m:
                    sysreg = m.group(1)
                if is_log(line):
                    reg = line.split()[1].rstrip(",")
                    what = sysreg if reg == f"x{FPTMP}" else "v" + reg[1:] if reg.startswith("q") else reg
                    entries.append((i, g.cls, what, insn))
        return entries

    def _epilogue(self, out, fault, nlog=0):
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
        if self.fp:
            for i in range(32):
                out.append(f"\tstr q{i}, [x27, #{res + 8 * 34 + 16 * i}]")
            out.append("\tmrs x0, fpsr")
            out.append(f"\tstr x0, [x27, #{res + 8 * 34 + 512}]")
            out.append("\tmrs x0, fpcr")
            out.append(f"\tstr x0, [x27, #{res + 8 * 34 + 520}]")
        out.append("\tmov x0, #1")
        out.append(f"\tsub x1, x27, #{BASE_OFF}")
        out.append(f"\tmov x2, #{self.out_size}")
        out.append("\tmov x8, #64")
        out.append("\tsvc #0")
        if nlog:
            out.append("\tmov x0, #1")
            out.append("\tadrp x1, vlog")
            out.append("\tadd x1, x1, :lo12:vlog")
            out += movs(2, 16 * nlog)
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
        nlog = len(self.log_entries(k, groups)) if self.fp else 0
        self._epilogue(out, fault, nlog)
        out.append("\t.p2align 3")
        out.append(".Lpool:")
        for label, value in self.pool:
            out.append(f"{label}:\t.quad 0x{value:016x}")
        if self.vpool:
            out.append("\t.p2align 4")
            for label, value in self.vpool:
                out.append(f"{label}:\t.quad 0x{value & MASK64:016x}, 0x{value >> 64:016x}")
        out.append("\t.data")
        out.append("\t.p2align 12")
        out.append(f"\t.space {BASE_OFF}")   # x27 = buf + BASE_OFF is a page boundary: accesses cross it
        out.append("buf:")
        for i in range(0, BUF_SIZE, 16):
            out.append("\t.byte " + ",".join(str(b) for b in self.buf[i:i + 16]))
        out.append("res:")
        out.append(f"\t.space {self.state_size}")
        if self.fp:
            out.append("\t.p2align 4")
            out.append("vinit:")
            for v in self.fp["v"]:
                out.append(f"\t.quad 0x{v & MASK64:016x}, 0x{v >> 64:016x}")
            out.append("vlog:")
            out.append(f"\t.space {16 * max(1, nlog)}")
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


# --------------------------------------------------------------------------------------------
# FP/SIMD generator (issue M1.3): value biasing and the FP/SIMD instruction classes
# --------------------------------------------------------------------------------------------

FP_EXP = {16: 5, 32: 8, 64: 11}          # exponent bits per format width
FPB = {"h": 16, "s": 32, "d": 64}         # scalar register prefix -> width
FPLS = {"b": 1, "h": 2, "s": 4, "d": 8, "q": 16}
VARR = ["2s", "4s", "2d"]                 # SIMD FP arrangements (no FP16 in ARMv8.0)
ARR = ["8b", "16b", "4h", "8h", "2s", "4s", "2d"]
ARR_NO2D = ARR[:6]
ARR_B = ["8b", "16b"]
ARR_HS = ["4h", "8h", "2s", "4s"]
WIDE = {"8h": ("8b", "16b"), "4s": ("4h", "8h"), "2d": ("2s", "4s")}   # wide -> (narrow, narrow upper half)


def ebits(t):
    """Element width of an arrangement or element suffix: 16b -> 8, 2d -> 64, s -> 32."""
    return {"b": 8, "h": 16, "s": 32, "d": 64}[t[-1]]


def vlist(first, n, suffix):
    """A register list of n consecutive registers (wrapping from v31 to v0): {v3.4s, v4.4s}."""
    return "{" + ", ".join(f"v{(first + i) % 32}.{suffix}" for i in range(n)) + "}"


def fp_bits(r, bits):
    """A bits-wide (16/32/64) floating-point pattern biased toward special values: signed zeros,
    infinities, quiet and signalling NaNs with payloads, denormals, min/max normal, 1.0 and friends,
    2^p neighbours (integer conversion limits), small integers and halves (rounding ties),
    values around 2^F (where FRINT stops mattering), the underflow and overflow regions, and
    rounding ties/edges for narrowing to single or half precision."""
    E = FP_EXP[bits]
    F = bits - 1 - E
    bias = (1 << (E - 1)) - 1
    emax = (1 << E) - 1
    sign = r.getrandbits(1) << (bits - 1)

    def enc(e, f):
        e = min(max(e, 0), emax)
        return sign | (e << F) | (f & ((1 << F) - 1))
    k = r.randrange(32)
    if k == 0:
        return enc(0, 0)
    if k == 1:
        return enc(emax, 0)
    if k == 2:
        return enc(emax, 1 << (F - 1))                                 # default-like quiet NaN
    if k == 3:
        return enc(emax, (1 << (F - 1)) | r.getrandbits(F - 1))        # quiet NaN with payload
    if k == 4:
        return enc(emax, r.randrange(1, 1 << (F - 1)))                 # signalling NaN
    if k == 5:
        return enc(0, r.choice([1, 2, (1 << F) - 1, 1 << (F - 1)]))    # denormal edges
    if k == 6:
        return enc(0, r.randrange(1, 1 << F))                          # denormal
    if k == 7:
        return enc(1, r.choice([0, 1, r.getrandbits(F)]))              # smallest normals
    if k == 8:
        return enc(emax - 1, r.choice([(1 << F) - 1, (1 << F) - 2, 0, r.getrandbits(F)]))   # largest normals
    if k in (9, 10):                                                   # 1.0, 0.5, 1.5, 2.0, 3.0, ...
        return enc(bias + r.choice([-1, 0, 0, 1, 2]),
                   r.choice([0, 0, 1 << (F - 1), 1, (1 << F) - 1, 1 << (F - 2)]))
    if k in (11, 12):                                                  # 2^p and neighbours
        p = r.choice([7, 8, 15, 16, 31, 32, 63, 64] if bits > 16 else [7, 8, 14, 15])
        return sign | ((min(bias + p, emax - 1) << F) + r.choice([0, 0, -1, 1]))
    if k == 13:                                                        # small integers and halves
        return sign | int.from_bytes(struct.pack({16: "<e", 32: "<f", 64: "<d"}[bits], r.randrange(24) / 2), "little")
    if k == 14:                                                        # around 2^F
        return enc(bias + r.randrange(F - 2, F + 2), r.getrandbits(F))
    if k == 15:                                                        # underflow region
        return enc(r.randrange(1, 4), r.getrandbits(F))
    if k == 16:                                                        # overflow region
        return enc(emax - r.randrange(1, 4), r.getrandbits(F))
    if k in (17, 18) and bits > 16:                                    # narrowing ties
        cut = r.choice([29, 42] if bits == 64 else [13])
        low = r.choice([1 << (cut - 1), (1 << (cut - 1)) - 1, (1 << (cut - 1)) + 1, 0, (1 << cut) - 1, 1])
        hi = r.getrandbits(F - cut) << cut
        if r.random() < 0.5:
            e = bias + r.randrange(-20, 20)
        else:
            e = bias + r.choice([-14, -15, -16, -24, -25, 15, 16, -126, -127, -149, -150, 127, 128])
        return enc(e, hi | low)
    if k in (19, 20):                                                  # edges of the narrower formats
        e = bias + r.choice([-14, -15, -24, -25, 15, 16, -126, -127, -149, -150, 127, 128, -1022, 1023])
        return enc(e, r.choice([0, r.getrandbits(F), (1 << F) - 1]))
    if k < 28:
        return enc(bias + r.randrange(-24, 24), r.getrandbits(F))
    return r.getrandbits(bits)


def fp_special(r, bits):
    """One of a few special values, so that pairs like 0 × inf, inf - inf, NaN vs sNaN meet often."""
    E = FP_EXP[bits]
    F = bits - 1 - E
    bias = (1 << (E - 1)) - 1
    emax = (1 << E) - 1
    sign = r.getrandbits(1) << (bits - 1)
    e, f = r.choice([(0, 0), (0, 0), (emax, 0), (emax, 0), (emax, 1 << (F - 1)), (emax, 1), (bias, 0), (bias, 0),
                     (0, 1), (emax - 1, (1 << F) - 1), (1, 0), (emax, (1 << (F - 1)) | 1)])
    return sign | (e << F) | f


def int_lane(r, bits):
    """A bits-wide integer biased toward saturation and sign boundaries."""
    m = (1 << bits) - 1
    k = r.randrange(12)
    if k == 0:
        return 0
    if k == 1:
        return 1
    if k == 2:
        return m
    if k == 3:
        return 1 << (bits - 1)
    if k == 4:
        return (1 << (bits - 1)) - 1
    if k == 5:
        return (1 << (bits - 1)) + 1
    if k == 6:
        return r.randrange(16)
    if k == 7:
        return (-r.randrange(1, 16)) & m
    if k == 8:
        return 1 << r.randrange(bits)
    return r.getrandbits(bits)


SPFIX_RE = re.compile(r"^\s*(mov x\d+, sp|sub sp, x27, #\d+)\s*$")
NO_DEST = ("fcmp", "fcmpe", "fccmp", "fccmpe", "msr", "prfm", "nop")


def main_insn(lines):
    """The instruction a group tests: its last counted instruction other than the SP restore."""
    insns = [line for line in lines if is_insn(line) and not SPFIX_RE.match(line)]
    return insns[-1].strip() if insns else ""


def log_dests(insn):
    """Registers an instruction writes, as [("v" | "x", number)]: the first operand (both for
    LDP/LDNP, the whole list for LDn), nothing for stores, compares and MSR."""
    parts = insn_text(insn).split(None, 1)
    if len(parts) < 2 or parts[0].startswith("st") or parts[0] in NO_DEST:
        return []
    op, rest = parts
    if rest.startswith("{"):
        return [("v", int(m.group(1))) for m in re.finditer(r"v(\d+)", rest[:rest.index("}")])]
    out = []
    for o in [o.strip() for o in rest.split(",")][:2 if op in ("ldp", "ldnp") else 1]:
        m = re.match(r"([xwbhsdqv])(\d+)$", o.split(".")[0])
        if m and not (m.group(1) in "xw" and m.group(2) == "31"):
            out.append(("x" if m.group(1) in "xw" else "v", int(m.group(2))))
    return out


def toolchain_tool(name):
    """A tool next to the Swift toolchain's swiftc (clang, llvm-objdump), else on PATH."""
    swiftc = shutil.which("swiftc")
    for cand in ([os.path.join(os.path.dirname(swiftc), name)] if swiftc else []) + [shutil.which(name) or ""]:
        if cand and os.access(cand, os.X_OK):
            return cand
    return None


CRYPTO_RE = re.compile(r"^(aes(e|d|mc|imc)|sha1(c|h|m|p|su0|su1)|sha256(h|h2|su0|su1))$")
VRAND_POOL = None


def vrand_pool():
    """(word, llvm text) pairs: random words of the "Data Processing -- Scalar Floating-Point and
    Advanced SIMD" space that llvm-objdump decodes for cortex-a53, without the Cryptographic
    Extension (QEMU implements it, we do not) and without general-register destinations x24-x27.
    Built once per process from a fixed seed, so a program seed always names the same words."""
    global VRAND_POOL
    if VRAND_POOL is not None:
        return VRAND_POOL
    clang, objdump = toolchain_tool("clang"), toolchain_tool("llvm-objdump")
    if not clang or not objdump:
        sys.exit("difftest: the vrand class needs clang and llvm-objdump (next to swiftc or on PATH)")
    r = random.Random("minos-difftest:vrand")
    words = [(r.getrandbits(32) & ~(7 << 25)) | (7 << 25) for _ in range(200000)]
    tmp = tempfile.mkdtemp(prefix="difftest-vrand-")
    try:
        with open(os.path.join(tmp, "w.s"), "w") as f:
            f.write("\t.text\n" + "".join(f"\t.inst 0x{w:08x}\n" for w in words))
        subprocess.run([clang, "--target=aarch64-linux-gnu", "-c", os.path.join(tmp, "w.s"), "-o",
                        os.path.join(tmp, "w.o")], check=True)
        out = subprocess.run([objdump, "-d", "--no-show-raw-insn", "--mcpu=cortex-a53", os.path.join(tmp, "w.o")],
                             check=True, capture_output=True, text=True).stdout
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    pool = []
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s*(.*)$", line)
        if not m or int(m.group(1), 16) % 4:
            continue
        text = " ".join(m.group(2).split("//")[0].split())
        mnem = text.split(" ")[0]
        if not text or text.startswith("<unknown>") or CRYPTO_RE.match(mnem) or (mnem.startswith("pmull") and ".1q" in text):
            continue
        if any(k == "x" and n in (FPTMP, FPLOG, WB, MEM) for k, n in log_dests(text)):
            continue
        pool.append((words[int(m.group(1), 16) // 4], text))
    VRAND_POOL = pool
    return pool


class FPGen:
    """FP/SIMD classes (mixed into Gen). V registers have no reserved roles; general-purpose
    destinations come from self.D (which leaves out x24/x25 in FP/SIMD programs)."""

    # ---- values and set-up -----------------------------------------------------------------

    def vvalue(self):
        """A 128-bit V register value: lanes of FP specials, lanes of integer boundaries, or random."""
        r = self.rng
        k = r.randrange(12)
        if k == 0:
            return r.getrandbits(128)
        if k == 1:
            return r.choice([0, (1 << 128) - 1, r.getrandbits(64)])
        fp = k < 8
        return self.lanes_value(r.choice([16, 32, 32, 64, 64] if fp else [8, 16, 32, 64]), fp)

    def lanes_value(self, bits, fp=True):
        r = self.rng
        v = 0
        special = fp and r.random() < 0.2
        for i in range(128 // bits):
            if special:
                x = fp_special(r, bits)
            else:
                x = (fp_bits(r, bits) if r.random() < 0.9 else r.getrandbits(bits)) if fp else int_lane(r, bits)
            v |= x << (i * bits)
        return v

    def fpcr_value(self):
        """FPCR with a random rounding mode, FZ, DN and AHP (the bits ARMv8.0 defines for AArch64)."""
        r = self.rng
        v = r.choice([0, 0, 1, 2, 3]) << 22
        if r.random() < 0.3:
            v |= 1 << 24
        if r.random() < 0.3:
            v |= 1 << 25
        if r.random() < 0.25:
            v |= 1 << 26
        return v

    def fpchk(self, lines, cls):
        """Check lines after an FP/SIMD group (tagged CHK, not counted): store the destination
        registers of the instruction under test, NZCV after compares, and FPSR (then usually clear
        it) to the result log at x25, so every group's results reach the output even when a later
        instruction overwrites them, and a difference names its group."""
        r = self.rng
        insn = main_insn(lines)
        for kind, n in log_dests(insn):
            lines.append(f"\tstr {'q' if kind == 'v' else 'x'}{n}, [x{FPLOG}], #16 {CHK}")
        if insn_text(insn).split(" ")[0] in ("fcmp", "fcmpe", "fccmp", "fccmpe"):
            lines += [f"\tmrs x{FPTMP}, nzcv {CHK}", f"\tstr x{FPTMP}, [x{FPLOG}], #16 {CHK}"]
        if cls not in NOFLAG_CLASSES and r.random() < 0.85:
            lines += [f"\tmrs x{FPTMP}, fpsr {CHK}", f"\tstr x{FPTMP}, [x{FPLOG}], #16 {CHK}"]
            if r.random() < 0.8:
                lines.append(f"\tmsr fpsr, xzr {CHK}")
        return lines

    def vr(self):
        return self.rng.randrange(32)

    def fpre(self):
        return self.rng.choice("sd")

    def vlit(self, value):
        label = f".Lvlit{len(self.vpool)}"
        self.vpool.append((label, value))
        return label

    def fplit(self, bits):
        """A 64-bit literal whose low `bits` hold an FP special value."""
        r = self.rng
        v = fp_special(r, bits) if r.random() < 0.2 else fp_bits(r, bits)
        if bits < 64:
            v |= (fp_bits(r, bits) if bits == 32 else r.getrandbits(64 - bits)) << bits
        label = f".Llit{len(self.pool)}"
        self.pool.append((label, v))
        return label

    def fpsetup(self, n, bits):
        """Lines loading an FP special value of `bits` into V<n> (upper bits zeroed)."""
        r = self.rng
        p = {16: "h", 32: "s", 64: "d"}[bits]
        if r.random() < 0.6:   # (there is no LDR H literal: a half value comes in with LDR S)
            return [f"\tldr {'s' if p == 'h' else p}{n}, {self.fplit(bits)}"]
        v = fp_special(r, bits) if r.random() < 0.2 else fp_bits(r, bits)
        if bits == 64:
            return movs(FPTMP, v) + [f"\tfmov d{n}, x{FPTMP}"]
        return movs(FPTMP, v) + [f"\tfmov s{n}, w{FPTMP}"]

    def fops(self, k, bits, p=0.6):
        """k random V register numbers for scalar FP operands; each set to a special value with probability p."""
        regs = [self.vr() for _ in range(k)]
        lines = []
        for n in dict.fromkeys(regs):
            if self.rng.random() < p:
                lines += self.fpsetup(n, bits)
        return regs, lines

    def vops(self, k, bits, fp=True, p=0.5):
        """k random V register numbers for vector operands; each reloaded with lanes of `bits`
        (FP specials or integer boundaries) with probability p."""
        regs = [self.vr() for _ in range(k)]
        lines = []
        for n in dict.fromkeys(regs):
            if self.rng.random() < p:
                lines.append(f"\tldr q{n}, {self.vlit(self.lanes_value(bits, fp))}")
        return regs, lines

    def fpimm(self):
        """An FMOV immediate: ±(16 + f)/16 × 2^e, e in -3..4."""
        r = self.rng
        v = (16 + r.randrange(16)) / 16 * 2.0 ** r.randrange(-3, 5)
        return repr(-v if r.random() < 0.5 else v)

    def cvt_int(self):
        """An integer for SCVTF/UCVTF: wide values that need rounding, near powers of two."""
        r = self.rng
        k = r.randrange(5)
        if k == 0:
            return r.getrandbits(r.randrange(20, 65))
        if k == 1:
            b = r.randrange(23, 64)
            return ((1 << b) + r.choice([1, -1, 3, 1 << max(0, b - 24), 1 << max(0, b - 25),
                                         (1 << max(0, b - 24)) | 1, 1 << max(0, b - 53), 1 << max(0, b - 54)])) & MASK64
        if k == 2:
            return (-r.getrandbits(r.randrange(20, 64))) & MASK64
        if k == 3:
            v = r.getrandbits(32)
            return v | (MASK64 ^ 0xFFFFFFFF) if v >> 31 else v
        return self.value()

    def gpr_src(self, bits, p=0.35):
        """A general register to read as a source (any register, 31 = zero register); sometimes set
        to an FP pattern or conversion-interesting integer first."""
        r = self.rng
        n = self.src()
        lines = []
        if n in self.D and r.random() < p:
            lines = movs(n, fp_bits(r, bits) if r.random() < 0.5 else self.cvt_int())
        return n, lines

    # ---- scalar floating point -------------------------------------------------------------

    def g_fp_mov(self):
        r = self.rng
        k = r.randrange(9)
        if k < 2:
            p = self.fpre()
            (n,), lines = self.fops(1, FPB[p])
            return lines + [f"\tfmov {p}{self.vr()}, {p}{n}"]
        if k < 4:
            return [f"\tfmov {self.fpre()}{self.vr()}, #{self.fpimm()}"]
        kind = r.choice(["ws", "sw", "xd", "dx", "xv", "vx"])
        if kind == "ws":
            return [f"\tfmov {W(self.dst())}, s{self.vr()}"]
        if kind == "xd":
            return [f"\tfmov {X(self.dst())}, d{self.vr()}"]
        if kind == "xv":
            return [f"\tfmov {X(self.dst())}, v{self.vr()}.d[1]"]
        n, lines = self.gpr_src(32 if kind == "sw" else 64)
        if kind == "sw":
            return lines + [f"\tfmov s{self.vr()}, {W(n)}"]
        if kind == "dx":
            return lines + [f"\tfmov d{self.vr()}, {X(n)}"]
        return lines + [f"\tfmov v{self.vr()}.d[1], {X(n)}"]

    def g_fp_dp1(self):
        r = self.rng
        op = r.choice(["fabs", "fneg", "fsqrt", "fsqrt", "frintn", "frintp", "frintm", "frintz", "frinta",
                       "frintx", "frinti", "fcvt", "fcvt", "fcvt"])
        if op == "fcvt":
            src, dst = r.sample("hsd", 2)
            (n,), lines = self.fops(1, FPB[src], 0.7)
            return lines + [f"\tfcvt {dst}{self.vr()}, {src}{n}"]
        p = self.fpre()
        (n,), lines = self.fops(1, FPB[p], 0.7)
        return lines + [f"\t{op} {p}{self.vr()}, {p}{n}"]

    def g_fp_dp2(self):
        r = self.rng
        op = r.choice(["fadd", "fsub", "fmul", "fdiv", "fmax", "fmin", "fmaxnm", "fminnm", "fnmul"])
        p = self.fpre()
        (n, m), lines = self.fops(2, FPB[p])
        return lines + [f"\t{op} {p}{self.vr()}, {p}{n}, {p}{m}"]

    def g_fp_dp3(self):
        r = self.rng
        op = r.choice(["fmadd", "fmsub", "fnmadd", "fnmsub"])
        p = self.fpre()
        (n, m, a), lines = self.fops(3, FPB[p])
        return lines + [f"\t{op} {p}{self.vr()}, {p}{n}, {p}{m}, {p}{a}"]

    def g_fp_cmp(self):
        r = self.rng
        op = r.choice(["fcmp", "fcmpe", "fccmp", "fccmpe"])
        p = self.fpre()
        if op in ("fcmp", "fcmpe"):
            if r.random() < 0.25:
                (n,), lines = self.fops(1, FPB[p])
                return lines + [f"\t{op} {p}{n}, #0.0"]
            (n, m), lines = self.fops(2, FPB[p])
            return lines + [f"\t{op} {p}{n}, {p}{m}"]
        (n, m), lines = self.fops(2, FPB[p])
        return lines + [f"\t{op} {p}{n}, {p}{m}, #{r.randrange(16)}, {self.cond()}"]

    def g_fp_csel(self):
        p = self.fpre()
        (n, m), lines = self.fops(2, FPB[p], 0.1)
        return lines + [f"\tfcsel {p}{self.vr()}, {p}{n}, {p}{m}, {self.cond()}"]

    def g_fp_cvt_int(self):
        r = self.rng
        sf = self.sf()
        p = self.fpre()
        if r.random() < 0.6:
            op = "fcvt" + r.choice("npmza") + r.choice("su")
            (n,), lines = self.fops(1, FPB[p], 0.7)
            return lines + [f"\t{op} {R(self.dst(), sf)}, {p}{n}"]
        n, lines = self.gpr_src(64 if sf else 32)
        return lines + [f"\t{r.choice(['scvtf', 'ucvtf'])} {p}{self.vr()}, {R(n, sf)}"]

    def g_fp_cvt_fixed(self):
        r = self.rng
        sf = self.sf()
        p = self.fpre()
        fbits = r.choice([1, 64 if sf else 32, r.randrange(1, (64 if sf else 32) + 1)])
        if r.random() < 0.5:
            op = r.choice(["fcvtzs", "fcvtzu"])
            (n,), lines = self.fops(1, FPB[p], 0.7)
            return lines + [f"\t{op} {R(self.dst(), sf)}, {p}{n}, #{fbits}"]
        n, lines = self.gpr_src(64 if sf else 32)
        return lines + [f"\t{r.choice(['scvtf', 'ucvtf'])} {p}{self.vr()}, {R(n, sf)}, #{fbits}"]

    def g_fp_fpcr(self):
        """Change FPCR (RMode/FZ/DN/AHP) mid-program; read FPCR/FPSR; write FPSR flags."""
        r = self.rng
        k = r.randrange(6)
        if k < 3:
            return movs(FPTMP, self.fpcr_value()) + [f"\tmsr fpcr, x{FPTMP}"]
        if k == 3:
            return [f"\tmrs {X(self.dst())}, fpcr"]
        if k == 4:
            return [f"\tmrs {X(self.dst())}, fpsr"]
        v = r.choice([0, 1 << 27, r.getrandbits(5) | r.getrandbits(1) << 7 | r.getrandbits(1) << 27])
        return movs(FPTMP, v) + [f"\tmsr fpsr, x{FPTMP}"]

    def g_fp_sysbits(self):
        """Random values (reserved and trap-enable bits included) written to FPCR or FPSR and read back."""
        r = self.rng
        reg = r.choice(["fpcr", "fpsr"])
        v = r.getrandbits(32) if r.random() < 0.7 else r.getrandbits(64)
        return movs(FPTMP, v) + [f"\tmsr {reg}, x{FPTMP}", f"\tmrs {X(self.dst())}, {reg}"]

    def g_fp_vset(self):
        """Reload a V register with special values (LDR literal, FMOV from a general register)."""
        r = self.rng
        k = r.randrange(6)
        n = self.vr()
        if k < 2:
            return [f"\tldr q{n}, {self.vlit(self.vvalue())}"]
        if k < 5:
            return self.fpsetup(n, [64, 32, 16][k - 2])
        return movs(FPTMP, fp_bits(r, 64)) + [f"\tfmov v{n}.d[1], x{FPTMP}"]

    # ---- terminal faults of FP/SIMD programs --------------------------------------------------

    # Encodings past ARMv8.0 (cortex-a53 has none of them): must be UNDEFINED (SIGILL). Crypto is
    # left out: QEMU's cortex-a53 implements AES/SHA1/SHA2/PMULL (ID_AA64ISAR0 = 0x11120).
    UNDEF_INSNS = [
        (0x1EE22820, "fadd h0, h1, h2 (FP16)"), (0x6E421C20, "fmul v0.8h, v1.8h, v2.8h (FP16)"),
        (0x1EF80020, "fcvtzs w0, h1 (FP16)"), (0x1EE70020, "fmov h0, w1 (FP16)"),
        (0x1EE0C020, "fabs h0, h1 (FP16)"), (0x1EE12000, "fcmp h0, h1 (FP16)"),
        (0x0EF9B820, "fcvtzs v0.4h, v1.4h (FP16)"), (0x4E30C820, "fmaxnmv h0, v1.8h (FP16)"),
        (0x6E828420, "sqrdmlah v0.4s, v1.4s, v2.4s (v8.1 RDM)"), (0x7E828C20, "sqrdmlsh s0, s1, s2 (v8.1 RDM)"),
        (0x4E829420, "sdot v0.4s, v1.16b, v2.16b (DotProd)"), (0x2FA2E020, "udot v0.2s, v1.8b, v2.4b[1] (DotProd)"),
        (0x1E7E0020, "fjcvtzs w0, d1 (v8.3 JSCVT)"), (0x6E82CC20, "fcmla v0.4s, v1.4s, v2.4s, #90 (FCMA)"),
        (0x6EC2F420, "fcadd v0.2d, v1.2d, v2.2d, #270 (FCMA)"), (0x1E28C020, "frint32x s0, s1 (v8.5 FRINTTS)"),
        (0x0E22EC20, "fmlal v0.2s, v1.2h, v2.2h (FHM)"), (0x1E634020, "bfcvt h0, s1 (BF16)"),
        (0xCE420C20, "sm3ss1 (SM3)"), (0xCE020C20, "eor3 (SHA3)"), (0xCE628020, "sha512h (SHA512)"),
    ]

    def fpfault(self):
        """A terminal fault for an FP/SIMD program: a SIMD&FP access to an unmapped address
        (SIGSEGV), an encoding from a later architecture version (SIGILL), or an integer one."""
        r = self.rng
        k = r.randrange(3)
        if k == 0:
            lines = movs(0, (r.randrange(0x1000, 0x4000) << 32) | (r.getrandbits(32) & ~0xF))
            op = r.choice(["ldr q1, [x0]", "str d1, [x0, #8]", "ldp q1, q2, [x0]", "stp s1, s2, [x0, #-8]!",
                           "ld1 {v1.16b, v2.16b, v3.16b, v4.16b}, [x0]", "st4 {v1.s, v2.s, v3.s, v4.s}[1], [x0]",
                           "ld3r {v1.8h, v2.8h, v3.8h}, [x0], #6", "ldur h1, [x0, #-1]", "str b1, [x0], #1"])
            return lines + ["\t" + op]
        if k == 1:
            word, text = r.choice(self.UNDEF_INSNS)
            return [f"\t.inst 0x{word:08x}   // {text}"]
        return self.fault()

    # ---- random encodings -------------------------------------------------------------------

    def g_vrand(self):
        """A random defined encoding of the scalar FP / Advanced SIMD data-processing space (see
        vrand_pool): field combinations the classes above may not produce."""
        w, text = self.rng.choice(vrand_pool())
        return [f"\t.inst 0x{w:08x}   // {text}"]

    # ---- Advanced SIMD floating point ------------------------------------------------------

    VFP3_VEC = ["fadd", "fsub", "fmul", "fdiv", "fmax", "fmin", "fmaxnm", "fminnm", "fmla", "fmls", "fmulx",
                "fcmeq", "fcmge", "fcmgt", "facge", "facgt", "fabd", "frecps", "frsqrts",
                "faddp", "fmaxp", "fminp", "fmaxnmp", "fminnmp"]
    VFP3_SCALAR = ["fmulx", "fcmeq", "fcmge", "fcmgt", "facge", "facgt", "fabd", "frecps", "frsqrts"]
    VFP2_CVT = [f"fcvt{a}{b}" for a in "npmza" for b in "su"]
    VFP2_VEC = ["fabs", "fneg", "fsqrt", "frintn", "frintp", "frintm", "frintz", "frinta", "frintx", "frinti",
                "scvtf", "ucvtf", "fcmeq", "fcmge", "fcmgt", "fcmle", "fcmlt", "frecpe", "frsqrte",
                "urecpe", "ursqrte"] + VFP2_CVT
    VFP2_SCALAR = ["scvtf", "ucvtf", "fcmeq", "fcmge", "fcmgt", "fcmle", "fcmlt", "frecpe", "frsqrte",
                   "frecpx"] + VFP2_CVT

    def g_vfp_3same(self):
        r = self.rng
        if r.random() < 0.75:
            op = r.choice(self.VFP3_VEC)
            t = r.choice(VARR)
            (d, n, m), lines = self.vops(3, ebits(t))
            return lines + [f"\t{op} v{d}.{t}, v{n}.{t}, v{m}.{t}"]
        op = r.choice(self.VFP3_SCALAR)
        p = self.fpre()
        (n, m), lines = self.fops(2, FPB[p])
        return lines + [f"\t{op} {p}{self.vr()}, {p}{n}, {p}{m}"]

    def g_vfp_2misc(self):
        r = self.rng
        if r.random() < 0.7:
            op = r.choice(self.VFP2_VEC)
            t = r.choice(["2s", "4s"] if op in ("urecpe", "ursqrte") else VARR)
            (d, n), lines = self.vops(2, ebits(t), fp=op not in ("urecpe", "ursqrte", "scvtf", "ucvtf") or r.random() < 0.3)
            zero = ", #0.0" if op.startswith("fcm") else ""
            return lines + [f"\t{op} v{d}.{t}, v{n}.{t}{zero}"]
        op = r.choice(self.VFP2_SCALAR)
        p = self.fpre()
        if op in ("scvtf", "ucvtf") and r.random() < 0.6:
            (n,), lines = self.vops(1, FPB[p], fp=False)
        else:
            (n,), lines = self.fops(1, FPB[p], 0.7)
        zero = ", #0.0" if op.startswith("fcm") else ""
        return lines + [f"\t{op} {p}{self.vr()}, {p}{n}{zero}"]

    def g_vfp_narrow(self):
        """FCVTN/FCVTN2, FCVTXN/FCVTXN2 (vector and scalar), FCVTL/FCVTL2."""
        r = self.rng
        k = r.choice(["fcvtn", "fcvtn2", "fcvtxn", "fcvtxn2", "fcvtxn_s", "fcvtl", "fcvtl2"])
        d = self.vr()
        if k in ("fcvtn", "fcvtn2"):
            wide, narrow = r.choice([("4s", "4h"), ("2d", "2s")])
            if k == "fcvtn2":
                narrow = {"4h": "8h", "2s": "4s"}[narrow]
            (n,), lines = self.vops(1, ebits(wide), p=0.4)
            return lines + [f"\t{k} v{d}.{narrow}, v{n}.{wide}"]
        if k in ("fcvtxn", "fcvtxn2"):
            (n,), lines = self.vops(1, 64, p=0.4)
            return lines + [f"\t{k} v{d}.{'4s' if k.endswith('2') else '2s'}, v{n}.2d"]
        if k == "fcvtxn_s":
            (n,), lines = self.fops(1, 64, 0.7)
            return lines + [f"\tfcvtxn s{d}, d{n}"]
        wide, narrow = r.choice([("4s", "4h"), ("2d", "2s")])
        if k == "fcvtl2":
            narrow = {"4h": "8h", "2s": "4s"}[narrow]
        (n,), lines = self.vops(1, ebits(narrow), p=0.4)
        return lines + [f"\t{k} v{d}.{wide}, v{n}.{narrow}"]

    def g_vfp_across(self):
        op = self.rng.choice(["fmaxv", "fminv", "fmaxnmv", "fminnmv"])
        (n,), lines = self.vops(1, 32, p=0.4)
        return lines + [f"\t{op} s{self.vr()}, v{n}.4s"]

    def g_vfp_pairwise(self):
        """Scalar pairwise: FADDP/FMAXP/FMINP/FMAXNMP/FMINNMP Sd, Vn.2S / Dd, Vn.2D."""
        op = self.rng.choice(["faddp", "fmaxp", "fminp", "fmaxnmp", "fminnmp"])
        p = self.fpre()
        (n,), lines = self.vops(1, FPB[p], p=0.4)
        return lines + [f"\t{op} {p}{self.vr()}, v{n}.{'2s' if p == 's' else '2d'}"]

    def g_vfp_elem(self):
        r = self.rng
        op = r.choice(["fmla", "fmls", "fmul", "fmulx"])
        if r.random() < 0.65:
            t = r.choice(VARR)
            e = t[-1]
            (d, n, m), lines = self.vops(3, ebits(t))
            return lines + [f"\t{op} v{d}.{t}, v{n}.{t}, v{m}.{e}[{r.randrange(128 // ebits(t))}]"]
        p = self.fpre()
        (n,), lines = self.fops(1, FPB[p])
        (m,), more = self.vops(1, FPB[p])
        return lines + more + [f"\t{op} {p}{self.vr()}, {p}{n}, v{m}.{p}[{r.randrange(128 // FPB[p])}]"]

    def g_vfp_imm(self):
        return [f"\tfmov v{self.vr()}.{self.rng.choice(VARR)}, #{self.fpimm()}"]

    def g_vfp_fixed(self):
        """Fixed-point SCVTF/UCVTF/FCVTZS/FCVTZU, vector and scalar, with #fbits."""
        r = self.rng
        op = r.choice(["scvtf", "ucvtf", "fcvtzs", "fcvtzu"])
        fp = op.startswith("fcvt") or r.random() < 0.3
        if r.random() < 0.65:
            t = r.choice(VARR)
            eb = ebits(t)
            (d, n), lines = self.vops(2, eb, fp=fp)
            return lines + [f"\t{op} v{d}.{t}, v{n}.{t}, #{r.choice([1, eb, r.randrange(1, eb + 1)])}"]
        p = self.fpre()
        eb = FPB[p]
        (n,), lines = self.fops(1, eb, 0.7) if fp else self.vops(1, eb, fp=False)
        return lines + [f"\t{op} {p}{self.vr()}, {p}{n}, #{r.choice([1, eb, r.randrange(1, eb + 1)])}"]

    # ---- Advanced SIMD integer -------------------------------------------------------------

    VINT3 = ([(op, ARR) for op in ["add", "sub", "cmeq", "cmge", "cmgt", "cmhi", "cmhs", "cmtst", "sqadd", "uqadd",
                                   "sqsub", "uqsub", "sshl", "ushl", "sqshl", "uqshl", "srshl", "urshl", "sqrshl",
                                   "uqrshl", "addp"]]
             + [(op, ARR_NO2D) for op in ["shadd", "uhadd", "srhadd", "urhadd", "shsub", "uhsub", "smax", "smin",
                                          "umax", "umin", "sabd", "uabd", "saba", "uaba", "smaxp", "sminp", "umaxp",
                                          "uminp", "mul", "mla", "mls"]]
             + [("pmul", ARR_B), ("sqdmulh", ARR_HS), ("sqrdmulh", ARR_HS)]
             + [(op, ARR_B) for op in ["and", "bic", "orr", "orn", "eor", "bsl", "bit", "bif"]])

    def g_vint_3same(self):
        r = self.rng
        op, arrs = r.choice(self.VINT3)
        t = r.choice(arrs)
        (d, n, m), lines = self.vops(3, ebits(t), fp=False)
        return lines + [f"\t{op} v{d}.{t}, v{n}.{t}, v{m}.{t}"]

    VINT3_LONG = ["saddl", "uaddl", "ssubl", "usubl", "sabal", "uabal", "sabdl", "uabdl", "smlal", "umlal",
                  "smlsl", "umlsl", "smull", "umull"]

    def g_vint_3diff(self):
        r = self.rng
        kind = r.choice(["long", "long", "long", "wide", "hn", "sq", "pmull"])
        upper = r.random() < 0.5
        two = "2" if upper else ""
        ta = r.choice(["4s", "2d"] if kind == "sq" else ["8h"] if kind == "pmull" else list(WIDE))
        tb = WIDE[ta][upper]
        (d, n, m), lines = self.vops(3, ebits(tb), fp=False)
        if kind == "wide":
            op = r.choice(["saddw", "uaddw", "ssubw", "usubw"])
            return lines + [f"\t{op}{two} v{d}.{ta}, v{n}.{ta}, v{m}.{tb}"]
        if kind == "hn":
            op = r.choice(["addhn", "subhn", "raddhn", "rsubhn"])
            return lines + [f"\t{op}{two} v{d}.{tb}, v{n}.{ta}, v{m}.{ta}"]
        op = {"long": lambda: r.choice(self.VINT3_LONG), "sq": lambda: r.choice(["sqdmlal", "sqdmlsl", "sqdmull"]),
              "pmull": lambda: "pmull"}[kind]()
        return lines + [f"\t{op}{two} v{d}.{ta}, v{n}.{tb}, v{m}.{tb}"]

    VINT2 = ([("rev64", ARR_NO2D), ("rev32", ["8b", "16b", "4h", "8h"]), ("rev16", ARR_B)]
             + [(op, ARR) for op in ["suqadd", "usqadd", "sqabs", "sqneg", "abs", "neg",
                                     "cmgt0", "cmge0", "cmeq0", "cmle0", "cmlt0"]]
             + [("cls", ARR_NO2D), ("clz", ARR_NO2D), ("cnt", ARR_B), ("not", ARR_B), ("rbit", ARR_B)]
             + [(op, "pairwise") for op in ["saddlp", "uaddlp", "sadalp", "uadalp"]]
             + [(op, "narrow") for op in ["xtn", "sqxtn", "uqxtn", "sqxtun", "shll"]])

    def g_vint_2misc(self):
        r = self.rng
        op, arrs = r.choice(self.VINT2)
        d = self.vr()
        if arrs == "pairwise":
            ta, tb = r.choice([("4h", "8b"), ("8h", "16b"), ("2s", "4h"), ("4s", "8h"), ("1d", "2s"), ("2d", "4s")])
            (n,), lines = self.vops(1, ebits(tb), fp=False)
            return lines + [f"\t{op} v{d}.{ta}, v{n}.{tb}"]
        if arrs == "narrow":
            ta = r.choice(list(WIDE))
            upper = r.random() < 0.5
            tb = WIDE[ta][upper]
            two = "2" if upper else ""
            if op == "shll":
                (n,), lines = self.vops(1, ebits(tb), fp=False)
                return lines + [f"\tshll{two} v{d}.{ta}, v{n}.{tb}, #{ebits(tb)}"]
            (n,), lines = self.vops(1, ebits(ta), fp=False)
            return lines + [f"\t{op}{two} v{d}.{tb}, v{n}.{ta}"]
        t = r.choice(arrs)
        (n,), lines = self.vops(1, ebits(t), fp=False)
        if op.endswith("0"):
            return lines + [f"\t{op[:-1]} v{d}.{t}, v{n}.{t}, #0"]
        return lines + [f"\t{op} v{d}.{t}, v{n}.{t}"]

    def g_vint_across(self):
        r = self.rng
        op = r.choice(["addv", "smaxv", "sminv", "umaxv", "uminv", "saddlv", "uaddlv"])
        t = r.choice(["8b", "16b", "4h", "8h", "4s"])
        res = {8: "h", 16: "s", 32: "d"}[ebits(t)] if op.endswith("lv") else t[-1]
        (n,), lines = self.vops(1, ebits(t), fp=False, p=0.4)
        return lines + [f"\t{op} {res}{self.vr()}, v{n}.{t}"]

    def g_vint_copy(self):
        """DUP (element, general), INS (element, general), UMOV, SMOV."""
        r = self.rng
        k = r.randrange(6)
        e = r.choice("bhsd")
        lanes = 128 // ebits(e)
        d, n = self.vr(), self.vr()
        arr = {"b": ARR_B, "h": ["4h", "8h"], "s": ["2s", "4s"], "d": ["2d"]}[e]
        if k == 0:
            return [f"\tdup v{d}.{r.choice(arr)}, v{n}.{e}[{r.randrange(lanes)}]"]
        if k == 1:
            g, lines = self.gpr_src(64, 0.2)
            return lines + [f"\tdup v{d}.{r.choice(arr)}, {R(g, e == 'd')}"]
        if k == 2:
            return [f"\tmov v{d}.{e}[{r.randrange(lanes)}], v{n}.{e}[{r.randrange(lanes)}]"]
        if k == 3:
            g, lines = self.gpr_src(64, 0.2)
            return lines + [f"\tins v{d}.{e}[{r.randrange(lanes)}], {R(g, e == 'd')}"]
        if k == 4:
            return [f"\tumov {R(self.dst(), e == 'd')}, v{n}.{e}[{r.randrange(lanes)}]"]
        e = r.choice("bhs")
        x = e == "s" or r.random() < 0.5
        return [f"\tsmov {R(self.dst(), x)}, v{n}.{e}[{r.randrange(128 // ebits(e))}]"]

    def g_vint_modimm(self):
        """MOVI/MVNI/ORR/BIC (vector, immediate) in every cmode, MOVI Dd and 2D."""
        r = self.rng
        d = self.vr()
        imm8 = r.choice([0, 0xFF, r.getrandbits(8), r.getrandbits(8)])
        k = r.randrange(6)
        if k == 0:
            return [f"\tmovi v{d}.{r.choice(ARR_B)}, #0x{imm8:x}"]
        if k == 1:
            op = r.choice(["movi", "mvni", "orr", "bic"])
            return [f"\t{op} v{d}.{r.choice(['4h', '8h'])}, #0x{imm8:x}, lsl #{r.choice([0, 8])}"]
        if k == 2:
            op = r.choice(["movi", "mvni", "orr", "bic"])
            return [f"\t{op} v{d}.{r.choice(['2s', '4s'])}, #0x{imm8:x}, lsl #{r.choice([0, 8, 16, 24])}"]
        if k == 3:
            op = r.choice(["movi", "mvni"])
            return [f"\t{op} v{d}.{r.choice(['2s', '4s'])}, #0x{imm8:x}, msl #{r.choice([8, 16])}"]
        imm = sum(0xFF << (8 * i) for i in range(8) if r.random() < 0.5)
        if k == 4:
            return [f"\tmovi d{d}, #0x{imm:016x}"]
        return [f"\tmovi v{d}.2d, #0x{imm:016x}"]

    def g_vint_shift(self):
        """Shift by immediate: right (plain, accumulate, rounding, insert), left (plain, insert,
        saturating), narrowing (rounding/saturating), lengthening."""
        r = self.rng
        kind = r.choice(["right", "right", "left", "narrow", "narrow", "long"])
        d = self.vr()
        if kind in ("right", "left"):
            t = r.choice(ARR)
            eb = ebits(t)
            (n,), lines = self.vops(1, eb, fp=False)
            if kind == "right":
                op = r.choice(["sshr", "ushr", "ssra", "usra", "srshr", "urshr", "srsra", "ursra", "sri"])
                sh = r.choice([1, eb, r.randrange(1, eb + 1)])
            else:
                op = r.choice(["shl", "sli", "sqshl", "uqshl", "sqshlu"])
                sh = r.choice([0, eb - 1, r.randrange(eb)])
            return lines + [f"\t{op} v{d}.{t}, v{n}.{t}, #{sh}"]
        ta = r.choice(list(WIDE))
        upper = r.random() < 0.5
        tb = WIDE[ta][upper]
        two = "2" if upper else ""
        nb = ebits(tb)
        if kind == "narrow":
            op = r.choice(["shrn", "rshrn", "sqshrn", "sqrshrn", "sqshrun", "sqrshrun", "uqshrn", "uqrshrn"])
            (n,), lines = self.vops(1, ebits(ta), fp=False)
            return lines + [f"\t{op}{two} v{d}.{tb}, v{n}.{ta}, #{r.choice([1, nb, r.randrange(1, nb + 1)])}"]
        (n,), lines = self.vops(1, nb, fp=False)
        if r.random() < 0.25:
            return lines + [f"\t{r.choice(['sxtl', 'uxtl'])}{two} v{d}.{ta}, v{n}.{tb}"]
        op = r.choice(["sshll", "ushll"])
        return lines + [f"\t{op}{two} v{d}.{ta}, v{n}.{tb}, #{r.randrange(nb)}"]

    def g_vint_elem(self):
        """Integer by element: MUL/MLA/MLS/SQDMULH/SQRDMULH and the long forms (H elements use V0-V15)."""
        r = self.rng
        d, n = self.vr(), self.vr()
        if r.random() < 0.5:
            op = r.choice(["mul", "mla", "mls", "sqdmulh", "sqrdmulh"])
            t = r.choice(ARR_HS)
            e = t[-1]
            m = r.randrange(16) if e == "h" else self.vr()
            (_, lines) = ([], [])
            if r.random() < 0.3:
                lines = [f"\tldr q{m}, {self.vlit(self.lanes_value(ebits(e), False))}"]
            return lines + [f"\t{op} v{d}.{t}, v{n}.{t}, v{m}.{e}[{r.randrange(128 // ebits(e))}]"]
        op = r.choice(["smull", "umull", "smlal", "umlal", "smlsl", "umlsl", "sqdmull", "sqdmlal", "sqdmlsl"])
        ta = r.choice(["4s", "2d"])
        upper = r.random() < 0.5
        tb = WIDE[ta][upper]
        e = tb[-1]
        m = r.randrange(16) if e == "h" else self.vr()
        lines = []
        if r.random() < 0.3:
            lines = [f"\tldr q{m}, {self.vlit(self.lanes_value(ebits(e), False))}"]
        return lines + [f"\t{op}{'2' if upper else ''} v{d}.{ta}, v{n}.{tb}, v{m}.{e}[{r.randrange(128 // ebits(e))}]"]

    def g_vint_perm(self):
        r = self.rng
        d, n, m = self.vr(), self.vr(), self.vr()
        if r.random() < 0.75:
            t = r.choice(ARR)
            return [f"\t{r.choice(['zip1', 'zip2', 'uzp1', 'uzp2', 'trn1', 'trn2'])} v{d}.{t}, v{n}.{t}, v{m}.{t}"]
        t = r.choice(ARR_B)
        return [f"\text v{d}.{t}, v{n}.{t}, v{m}.{t}, #{r.randrange(8 if t == '8b' else 16)}"]

    def g_vint_tbl(self):
        r = self.rng
        op = r.choice(["tbl", "tbx"])
        nregs = r.randrange(1, 5)
        t = r.choice(ARR_B)
        first, d, m = self.vr(), self.vr(), self.vr()
        lines = []
        if r.random() < 0.6:   # indices mostly in range, some just past the table
            idx = [r.randrange(16 * nregs + 8) if r.random() < 0.9 else r.getrandbits(8) for _ in range(16)]
            lines.append(f"\tldr q{m}, {self.vlit(int.from_bytes(bytes(idx), 'little'))}")
        return lines + [f"\t{op} v{d}.{t}, {vlist(first, nregs, '16b')}, v{m}.{t}"]

    def g_vint_scalar(self):
        """Scalar forms: three same, three different, two-register misc, pairwise, shift by
        immediate, by element, DUP (element)."""
        r = self.rng
        k = r.randrange(9)
        d, n, m = self.vr(), self.vr(), self.vr()
        if k == 0:
            op = r.choice(["add", "sub", "cmeq", "cmge", "cmgt", "cmhi", "cmhs", "cmtst", "sshl", "ushl", "srshl", "urshl"])
            (n, m), lines = self.vops(2, 64, fp=False)
            return lines + [f"\t{op} d{d}, d{n}, d{m}"]
        if k == 1:
            op = r.choice(["sqadd", "uqadd", "sqsub", "uqsub", "sqshl", "uqshl", "sqrshl", "uqrshl"])
            p = r.choice("bhsd")
            (n, m), lines = self.vops(2, ebits(p), fp=False)
            return lines + [f"\t{op} {p}{d}, {p}{n}, {p}{m}"]
        if k == 2:
            op = r.choice(["sqdmulh", "sqrdmulh"])
            p = r.choice("hs")
            (n, m), lines = self.vops(2, ebits(p), fp=False)
            return lines + [f"\t{op} {p}{d}, {p}{n}, {p}{m}"]
        if k == 3:
            op = r.choice(["sqdmlal", "sqdmlsl", "sqdmull"])
            pd, pn = r.choice([("s", "h"), ("d", "s")])
            (n, m), lines = self.vops(2, ebits(pn), fp=False)
            return lines + [f"\t{op} {pd}{d}, {pn}{n}, {pn}{m}"]
        if k == 4:
            op = r.choice(["abs", "neg", "cmgt0", "cmge0", "cmeq0", "cmle0", "cmlt0", "sqabs", "sqneg", "suqadd",
                           "usqadd", "sqxtn", "uqxtn", "sqxtun"])
            if op in ("sqxtn", "uqxtn", "sqxtun"):
                pd, pn = r.choice([("b", "h"), ("h", "s"), ("s", "d")])
                (n,), lines = self.vops(1, ebits(pn), fp=False)
                return lines + [f"\t{op} {pd}{d}, {pn}{n}"]
            p = r.choice("bhsd") if op in ("sqabs", "sqneg", "suqadd", "usqadd") else "d"
            (n,), lines = self.vops(1, ebits(p), fp=False)
            if op.endswith("0"):
                return lines + [f"\t{op[:-1]} d{d}, d{n}, #0"]
            return lines + [f"\t{op} {p}{d}, {p}{n}"]
        if k == 5:
            (n,), lines = self.vops(1, 64, fp=False)
            return lines + [f"\taddp d{d}, v{n}.2d"]
        if k == 6:
            kind = r.choice(["right", "left", "sat", "narrow"])
            if kind in ("right", "left"):
                (n,), lines = self.vops(1, 64, fp=False)
                if kind == "right":
                    op = r.choice(["sshr", "ushr", "ssra", "usra", "srshr", "urshr", "srsra", "ursra", "sri"])
                    return lines + [f"\t{op} d{d}, d{n}, #{r.choice([1, 64, r.randrange(1, 65)])}"]
                return lines + [f"\t{r.choice(['shl', 'sli'])} d{d}, d{n}, #{r.randrange(64)}"]
            if kind == "sat":
                p = r.choice("bhsd")
                (n,), lines = self.vops(1, ebits(p), fp=False)
                op = r.choice(["sqshl", "uqshl", "sqshlu"])
                return lines + [f"\t{op} {p}{d}, {p}{n}, #{r.randrange(ebits(p))}"]
            pd, pn = r.choice([("b", "h"), ("h", "s"), ("s", "d")])
            (n,), lines = self.vops(1, ebits(pn), fp=False)
            op = r.choice(["sqshrn", "sqrshrn", "uqshrn", "uqrshrn", "sqshrun", "sqrshrun"])
            return lines + [f"\t{op} {pd}{d}, {pn}{n}, #{r.randrange(1, ebits(pd) + 1)}"]
        if k == 7:
            if r.random() < 0.5:
                op = r.choice(["sqdmulh", "sqrdmulh"])
                p = r.choice("hs")
                m = r.randrange(16) if p == "h" else m
                return [f"\t{op} {p}{d}, {p}{n}, v{m}.{p}[{r.randrange(128 // ebits(p))}]"]
            op = r.choice(["sqdmull", "sqdmlal", "sqdmlsl"])
            pd, pn = r.choice([("s", "h"), ("d", "s")])
            m = r.randrange(16) if pn == "h" else m
            return [f"\t{op} {pd}{d}, {pn}{n}, v{m}.{pn}[{r.randrange(128 // ebits(pn))}]"]
        p = r.choice("bhsd")
        return [f"\tmov {p}{d}, v{n}.{p}[{r.randrange(128 // ebits(p))}]"]

    # ---- SIMD&FP loads and stores ------------------------------------------------------------

    def wb_base(self, total, imm, pre, align=1):
        """Set x26 = x27 + off so that the access of `total` bytes at x26 (+ imm when pre-indexed)
        lies in the buffer."""
        e = imm if pre else 0
        lo, hi = max(-BASE_OFF, -BASE_OFF - e), min(BASE_OFF, BUF_SIZE - BASE_OFF - total - e)
        off = self.rng.randrange(lo, hi + 1)
        off -= (off + e) % align
        if off + e < -BASE_OFF:
            off += align
        return add_const(WB, MEM, off)

    def regoff_addr(self, size):
        """Register-offset address for an access of `size` bytes: (set-up lines, "[base, index...]")."""
        r = self.rng
        log = size.bit_length() - 1
        ext = r.choice(["lsl", "uxtw", "sxtw", "sxtx"])
        s = r.random() < 0.5
        amount = log if s else 0
        bname, bn, lines, b = self.base(0, BUF_SIZE, self.al(size))
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
        return lines, f"[{bname}, {tail}]"

    def g_vldst_single(self):
        """LDR/STR B/H/S/D/Q: unsigned offset, unscaled (LDUR/STUR), pre/post-index, register offset, literal."""
        r = self.rng
        p = r.choice("bhsdqq")
        size = FPLS[p]
        load = r.random() < 0.5
        op = "ldr" if load else "str"
        rt = self.vr()
        mode = r.choice(["uimm", "uimm", "unscaled", "pre", "post", "regoff", "literal"])
        if mode == "literal" and not (load and p in "sdq"):
            mode = "uimm"
        if mode == "uimm":
            u = r.choice([0, 1, 4095, r.randrange(4096), r.randrange(64)])
            bname, bn, lines, _ = self.base(0, BUF_SIZE - size + 1, self.al(size), u * size)
            return lines + [f"\t{op} {p}{rt}, [{bname}, #{u * size}]"]
        if mode == "unscaled":
            disp = self.down(r.choice([-256, 255, r.randrange(-256, 256), r.randrange(-256, 256)]), size)
            bname, bn, lines, _ = self.base(0, BUF_SIZE - size + 1, self.al(size), disp)
            return lines + [f"\t{op.replace('ldr', 'ldur').replace('str', 'stur')} {p}{rt}, [{bname}, #{disp}]"]
        if mode in ("pre", "post"):
            imm = self.down(r.choice([-256, 255, r.randrange(-256, 256), r.randrange(-256, 256)]), size)
            if r.random() < 0.2:
                addr = f"[sp, #{imm}]!" if mode == "pre" else f"[sp], #{imm}"
                return self.sp_fix([f"\t{op} {p}{rt}, {addr}"])
            lines = self.wb_base(size, imm, mode == "pre", self.al(size))
            addr = f"[x26, #{imm}]!" if mode == "pre" else f"[x26], #{imm}"
            return lines + [f"\t{op} {p}{rt}, {addr}"]
        if mode == "regoff":
            lines, addr = self.regoff_addr(size)
            return lines + [f"\t{op} {p}{rt}, {addr}"]
        if p == "q":
            return [f"\tldr q{rt}, {self.vlit(self.vvalue())}"]
        return [f"\tldr {p}{rt}, {self.fplit(FPB[p])}"]

    def g_vldst_pair(self):
        """LDP/STP/LDNP/STNP S/D/Q: signed offset, pre/post-index."""
        r = self.rng
        p = r.choice("sdq")
        size = FPLS[p]
        op = r.choice(["ldp", "ldp", "stp", "stp", "ldnp", "stnp"])
        load = op.startswith("ld")
        mode = "off" if op.endswith("np") else r.choice(["off", "pre", "post"])
        imm = size * r.choice([-64, 63, r.randrange(-64, 64), r.randrange(-64, 64)])
        rt = self.vr()
        rt2 = self.vr()
        while load and rt2 == rt:
            rt2 = self.vr()
        regs = f"{p}{rt}, {p}{rt2}"
        if mode == "off":
            bname, bn, lines, _ = self.base(0, BUF_SIZE - 2 * size + 1, self.al(size), imm)
            return lines + [f"\t{op} {regs}, [{bname}, #{imm}]"]
        if r.random() < 0.2 and 0 <= SP_OFF + imm <= BUF_SIZE - 2 * size:
            addr = f"[sp, #{imm}]!" if mode == "pre" else f"[sp], #{imm}"
            return self.sp_fix([f"\t{op} {regs}, {addr}"])
        lines = self.wb_base(2 * size, imm, mode == "pre", self.al(size))
        addr = f"[x26, #{imm}]!" if mode == "pre" else f"[x26], #{imm}"
        return lines + [f"\t{op} {regs}, {addr}"]

    def struct_addr(self, total, esize, lines):
        """Addressing for LDn/STn: [base], or post-index by #total or by a register (x26 as base)."""
        r = self.rng
        k = r.randrange(5)
        if k < 2:
            bname, bn, setup, _ = self.base(0, BUF_SIZE - total + 1, self.al(esize))
            return setup + lines, f"[{bname}]", False
        if k == 2 and SP_OFF + total <= BUF_SIZE:
            return lines, f"[sp], #{total}", True
        setup = self.wb_base(total, 0, False, self.al(esize))
        if k == 3:
            return setup + lines, f"[x26], #{total}", False
        m = self.dst(zr=False)
        setup += self.setval(m, r.choice([total, 0, r.randrange(-4096, 4096) & MASK64, self.value()]))
        return setup + lines, f"[x26], x{m}", False

    def g_vldst_multi(self):
        """LD1-LD4/ST1-ST4 (multiple structures), 1-4 registers for LD1/ST1, list wrapping at v31."""
        r = self.rng
        nst = r.choice([1, 1, 2, 3, 4])
        ld = r.random() < 0.5
        op = ("ld" if ld else "st") + str(nst)
        t = r.choice(ARR + (["1d"] if nst == 1 else []))
        nregs = r.randrange(1, 5) if nst == 1 else nst
        total = nregs * (16 if t in ("16b", "8h", "4s", "2d") else 8)
        lines, addr, sp = self.struct_addr(total, ebits(t) // 8, [])
        out = lines + [f"\t{op} {vlist(self.vr(), nregs, t)}, {addr}"]
        return self.sp_fix(out) if sp else out

    def g_vldst_lane(self):
        """LD1-LD4/ST1-ST4 (single structure, one lane) and LD1R-LD4R (replicate)."""
        r = self.rng
        nst = r.randrange(1, 5)
        ld = r.random() < 0.5
        if ld and r.random() < 0.35:
            t = r.choice(ARR + ["1d"])
            esize = ebits(t) // 8
            lines, addr, sp = self.struct_addr(nst * esize, esize, [])
            out = lines + [f"\tld{nst}r {vlist(self.vr(), nst, t)}, {addr}"]
            return self.sp_fix(out) if sp else out
        e = r.choice("bhsd")
        esize = ebits(e) // 8
        lines, addr, sp = self.struct_addr(nst * esize, esize, [])
        op = ("ld" if ld else "st") + str(nst)
        out = lines + [f"\t{op} {vlist(self.vr(), nst, e)}[{r.randrange(16 // esize)}], {addr}"]
        return self.sp_fix(out) if sp else out


class Gen(FPGen):
    def __init__(self, rng, name, aligned=False, fp=False):
        self.rng = rng
        self.name = name
        self.aligned = aligned      # only naturally aligned data accesses (--aligned)
        self.labels = 0
        self.pool = []
        self.vpool = []             # 128-bit literals (FP/SIMD programs)
        # registers an instruction may write; FP/SIMD programs also keep x24 (scratch) and x25 (FPSR log)
        self.D = DEST if not fp else [r for r in DEST if r not in (FPTMP, FPLOG)]

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
            n = 31 if zr and self.rng.random() < 0.06 else self.rng.choice(self.D)
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
        lines.append(f"\tmov x{self.rng.choice(self.D)}, sp")
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
        n = r.choice(self.D)
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
            if special < 0.4 and rn != rm and rn in self.D and rm in self.D:
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
            n = r.choice(self.D)
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
        n = r.choice(self.D)
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
            n = 30 if kind == "ret" and r.random() < 0.5 else r.choice(self.D)
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
        n = r.choice(self.D)
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


# Instruction classes: name -> (weight, method). Integer classes (ARMv8.0) first; the default set.
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
INT_CLASSES = list(CLASSES)

# FP/SIMD classes (M1.3), by group: scalar FP, Advanced SIMD FP, Advanced SIMD integer, SIMD&FP loads/stores.
FP_GROUPS = {
    "fp": {
        "fp_mov": (3, Gen.g_fp_mov),
        "fp_dp1": (4, Gen.g_fp_dp1),
        "fp_dp2": (4, Gen.g_fp_dp2),
        "fp_dp3": (3, Gen.g_fp_dp3),
        "fp_cmp": (3, Gen.g_fp_cmp),
        "fp_csel": (2, Gen.g_fp_csel),
        "fp_cvt_int": (4, Gen.g_fp_cvt_int),
        "fp_cvt_fixed": (3, Gen.g_fp_cvt_fixed),
        "fp_fpcr": (2, Gen.g_fp_fpcr),
        "fp_sysbits": (1, Gen.g_fp_sysbits),
        "fp_vset": (3, Gen.g_fp_vset),
    },
    "vfp": {
        "vfp_3same": (5, Gen.g_vfp_3same),
        "vfp_2misc": (5, Gen.g_vfp_2misc),
        "vfp_narrow": (2, Gen.g_vfp_narrow),
        "vfp_across": (2, Gen.g_vfp_across),
        "vfp_pairwise": (2, Gen.g_vfp_pairwise),
        "vfp_elem": (3, Gen.g_vfp_elem),
        "vfp_imm": (1, Gen.g_vfp_imm),
        "vfp_fixed": (2, Gen.g_vfp_fixed),
    },
    "vint": {
        "vint_3same": (5, Gen.g_vint_3same),
        "vint_3diff": (3, Gen.g_vint_3diff),
        "vint_2misc": (4, Gen.g_vint_2misc),
        "vint_across": (2, Gen.g_vint_across),
        "vint_copy": (3, Gen.g_vint_copy),
        "vint_modimm": (2, Gen.g_vint_modimm),
        "vint_shift": (4, Gen.g_vint_shift),
        "vint_elem": (3, Gen.g_vint_elem),
        "vint_perm": (2, Gen.g_vint_perm),
        "vint_tbl": (2, Gen.g_vint_tbl),
        "vint_scalar": (4, Gen.g_vint_scalar),
    },
    "vrand": {
        "vrand": (4, Gen.g_vrand),
    },
    "vldst": {
        "vldst_single": (4, Gen.g_vldst_single),
        "vldst_pair": (3, Gen.g_vldst_pair),
        "vldst_multi": (3, Gen.g_vldst_multi),
        "vldst_lane": (3, Gen.g_vldst_lane),
    },
}
for _group in FP_GROUPS.values():
    CLASSES.update(_group)
FP_CLASSES = [c for g in FP_GROUPS.values() for c in g]
NOFLAG_CLASSES = {"fp_mov", "fp_csel", "fp_vset", "vint_copy", "vint_modimm", "vint_perm", "vint_tbl",
                  "vldst_single", "vldst_pair", "vldst_multi", "vldst_lane"}   # cannot set FPSR: no hash
GROUPS = {"int": INT_CLASSES, **{k: list(v) for k, v in FP_GROUPS.items()}, "fpsimd": FP_CLASSES}
CLASS_GROUP = {c: k for k, v in FP_GROUPS.items() for c in v}


def generate(seed, index, size, classes, aligned=False, fault_rate=0.0, tag=None):
    """Program `index` of a seed. Integer-only class sets give the same programs as before the
    FP/SIMD classes existed; with any FP/SIMD class the program also sets and dumps V0-V31/FPCR/FPSR.
    `tag` (used by --per-class) gives each class its own stream of programs."""
    rng = random.Random(f"minos-difftest:{seed}:{index}" if tag is None else f"minos-difftest:{seed}:{tag}:{index}")
    name = f"s{seed}-p{index:04d}" if tag is None else f"s{seed}-{tag}-p{index:04d}"
    fp = any(c in FP_CLASSES for c in classes)
    g = Gen(rng, name, aligned, fp)
    names = sorted(classes)
    weights = [CLASSES[c][0] for c in names]
    init = [g.value() for _ in range(31)]
    nzcv = rng.randrange(16) << 28
    tpidr = g.value()
    buf = bytes(rng.getrandbits(8) for _ in range(BUF_SIZE))
    fpstate = None
    if fp:
        for i in range(31):
            if rng.random() < 0.25:
                init[i] = fp_bits(rng, rng.choice([32, 64]))
        fpstate = {"v": [g.vvalue() for _ in range(32)], "fpcr": g.fpcr_value(), "fpsr": 0}
    groups, count = [], 0
    while count < size:
        cls = rng.choices(names, weights)[0]
        res = CLASSES[cls][1](g)
        group = res if isinstance(res, Group) else Group(cls, res)
        if fp and cls in FP_CLASSES:
            g.fpchk(group.lines, cls)
        groups.append(group)
        count += group.count()
    prog = Program(name, init, nzcv, tpidr, buf, groups, g.pool, fpstate, g.vpool)
    if rng.random() < fault_rate:
        prog.fault = g.fpfault() if fp else g.fault()
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


def parse_state(out, fields=STATE_FIELDS, nlog=0):
    """Dict of named state values and the buffer, or None when the output is incomplete (the
    result log of an FP/SIMD program, nlog 16-byte entries, follows the state)."""
    if len(out) != BUF_SIZE + sum(n for _, n in fields) + 16 * nlog:
        return None
    state = {}
    at = BUF_SIZE
    for name, n in fields:
        state[name] = int.from_bytes(out[at:at + n], "little")
        at += n
    return state, out[:BUF_SIZE]


def fmt_field(name, value):
    if name.startswith("v"):
        return f"0x{value >> 64:016x}_{value & MASK64:016x}"
    return f"0x{value:016x}"


def describe_diff(q, s, limit=8, fields=STATE_FIELDS, log=()):
    """Lines describing how the two results differ (log: the program's log_entries)."""
    lines = []
    state_end = BUF_SIZE + sum(n for _, n in fields)
    out_size = state_end + 16 * len(log)
    if q[0] != s[0] or len(q[1]) != out_size or len(s[1]) != out_size:
        lines.append(f"exit status: qemu {q[0]}, sim {s[0]}")
    for tag, res in (("qemu", q), ("sim", s)):
        if res[2].strip() and (q[0] != s[0] or len(res[1]) != out_size):
            lines.append(f"{tag} stderr: " + res[2].decode(errors="replace").strip().splitlines()[-1][:200])
    pq, ps = parse_state(q[1], fields, len(log)), parse_state(s[1], fields, len(log))
    if pq is None or ps is None:
        if q[1] != s[1]:
            lines.append(f"output length: qemu {len(q[1])}, sim {len(s[1])} bytes (expected {out_size})")
        return lines
    (sq, mq), (ss, ms) = pq, ps
    shown = 0
    for j, (gi, cls, what, insn) in enumerate(log):
        a, b = (int.from_bytes(x[state_end + 16 * j:state_end + 16 * j + 16], "little") for x in (q[1], s[1]))
        if a != b:
            if shown == limit:
                lines.append("  ... more log differences")
                break
            shown += 1
            if not what.startswith("v"):
                a, b = a & MASK64, b & MASK64
            lines.append(f"log {what} after group #{gi} ({cls}) `{insn}`: qemu {fmt_field(what, a)}, "
                         f"sim {fmt_field(what, b)}")
    for name, _ in fields:
        if sq[name] != ss[name]:
            lines.append(f"{name}: qemu {fmt_field(name, sq[name])}, sim {fmt_field(name, ss[name])}")
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


REG_RE = re.compile(r"\b([xw])(\d+)\b|\b(sp|wsp)\b|\b([bhsdqv])(\d+)\b")


def inputs_of(lines, state):
    """The before-values of the registers a group mentions."""
    names = []
    for line in lines:
        if line.strip().endswith(CHK):
            continue
        code = line.split("//")[0]
        if code.rstrip().endswith(":"):
            continue
        for m in REG_RE.finditer(code.split(None, 1)[1] if len(code.split(None, 1)) > 1 else ""):
            name = f"x{m.group(2)}" if m.group(1) else f"v{m.group(5)}" if m.group(4) else "sp"
            if name not in names:
                names.append(name)
    out = [f"{n}={fmt_field(n, state[n])}" for n in names if n in state]
    out.append(f"nzcv=0x{state['nzcv'] >> 28:x}")
    if "fpcr" in state:
        out.append(f"fpcr=0x{state['fpcr']:x}")
        out.append(f"fpsr=0x{state['fpsr']:x}")
    return ", ".join(out)


def reduced_program(prog, k, state, mem):
    """A program starting from the state before group k, running only group k."""
    regs = [state[f"x{i}"] for i in range(31)]
    # x26 holds an address relative to the buffer; keep it relative in the new layout
    regs[WB] = (regs[WB] - state["x27"]) & MASK64
    fp = None
    if prog.fp:
        fp = {"v": [state[f"v{i}"] for i in range(32)], "fpcr": state["fpcr"], "fpsr": state["fpsr"]}
    p = Program(prog.name + f"-g{k}", regs, state["nzcv"], state["tpidr_el0"], mem,
                [Group(prog.groups[k].cls, prog.groups[k].lines, prog.groups[k].label, 0)], prog.pool,
                fp, prog.vpool)
    text = p.asm()
    # restore x26 = x27 + offset right after the prologue
    text = text.replace("// group 0", "\tadd x26, x26, x27\n// group 0", 1)
    return text


SHAPE_RE = re.compile(r"\b([xwbhsdqv])\d+\b")


def shape(line):
    """An instruction with its register numbers and immediates blanked: `fadd v_.4s, v_.4s, v_.4s`."""
    code = insn_text(line)
    code = SHAPE_RE.sub(lambda m: m.group(1) + "_", code)
    code = re.sub(r"\[\d+\]", "[_]", code)
    code = re.sub(r"#[-+.\w]+", "#_", code)
    return re.sub(r"\.L\w+(\+\d+)?", "label", code)


def investigate(runner, prog, q, s, keep, bisect):
    """Report for one failing program (first differences, bisected group, minimal reproducer) and
    a summary {"cls", "insn", "kind"}; kind is "unimplemented" when sim raised SIGILL where QEMU did not."""
    fields = prog.fields
    info = {"cls": None, "insn": None, "kind": "wrong"}
    report = [f"FAIL {prog.name} ({len(prog.groups)} groups, {prog.count()} instructions)"]
    log = prog.log_entries if prog.fp else (lambda k=None: ())
    report += ["  " + line for line in describe_diff(q, s, fields=fields, log=log())]
    if keep:
        os.makedirs(keep, exist_ok=True)
        with open(os.path.join(keep, prog.name + ".s"), "w") as f:
            f.write(prog.asm())
    if not bisect:
        info["cls"] = "(not bisected)"
        return report, info
    stem = prog.name + "-bisect"
    if prog.fault:
        same, q, s = runner.check(prog.asm(fault=False), stem)
        if same:
            report.append("  the state agrees; the terminal fault differs:")
            report += ["    " + line.strip() for line in prog.fault]
            info.update(cls="fault", insn=prog.fault[-1].strip(), kind="fault")
            return report, info
    same0, q0, s0 = runner.check(prog.asm(0, fault=False), stem)
    if not same0:
        report.append("  prologue/epilogue alone already differ:")
        report += ["    " + line for line in describe_diff(q0, s0, fields=fields, log=log(0))]
        info.update(cls="prologue", insn="prologue/epilogue")
        return report, info
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
    info["cls"], info["insn"] = group.cls, main_insn(group.lines)
    if after[1][0] == 132 and after[0][0] != 132:
        info["kind"] = "unimplemented"
    report.append(f"  first differing group #{k} ({group.cls}), after {prog.count(k)} instructions"
                  f"{' [sim: SIGILL, not implemented?]' if info['kind'] == 'unimplemented' else ''}:")
    report += ["    " + line.strip() for line in group.lines if not line.strip().startswith("//")]
    parsed = parse_state(before[1], fields, len(log(lo)))
    if parsed:
        report.append("  registers before it: " + inputs_of(group.lines, parsed[0]))
    report.append("  state after it:")
    report += ["    " + line for line in describe_diff(*after, fields=fields, log=log(hi))]
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
    return report, info


def run_program(runner, prog, keep, bisect):
    """(passed, report lines, failure summary or None)."""
    try:
        same, q, s = runner.check(prog.asm(), prog.name)
        if same:
            return True, [], None
        report, info = investigate(runner, prog, q, s, keep, bisect)
        return False, report, info
    except RuntimeError as e:   # the generator produced something the assembler rejects
        errors = [line for line in str(e).splitlines() if "error:" in line] or [str(e)]
        return False, [f"FAIL {prog.name}: {e}"], {"cls": "assembler", "insn": errors[0].split("error:")[-1].strip(),
                                                     "kind": "generator"}


def main():
    ap = argparse.ArgumentParser(description="Differential testing of `sim user` against qemu-aarch64.")
    ap.add_argument("--sim", default=os.path.join(ROOT, ".build/release/sim"))
    ap.add_argument("--qemu", default="qemu-aarch64")
    ap.add_argument("--clang", default=None, help="clang with ld.lld next to it (default: the Swift toolchain's)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=20000, help="total instructions (default 20000)")
    ap.add_argument("--size", type=int, default=300, help="instructions per program (default 300)")
    ap.add_argument("--classes", default=None,
                    help="comma-separated instruction classes or class groups (int, fp, vfp, vint, vldst, fpsimd)")
    ap.add_argument("--fp", action="store_true", help="all FP/SIMD classes (the group fpsimd)")
    ap.add_argument("--per-class", action="store_true",
                    help="run every selected class on its own (--count instructions each) and tabulate")
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
            print(f"{name:16} weight {weight:2}  {CLASS_GROUP.get(name, 'int')}")
        print("groups: " + ", ".join(f"{k} ({len(v)} classes)" for k, v in GROUPS.items()))
        return 0

    def expand(text):
        out = []
        for c in (c.strip() for c in (text or "").split(",")):
            if c in GROUPS:
                out += [x for x in GROUPS[c] if x not in out]
            elif c and c not in out:
                out.append(c)
        return out
    if args.classes:
        classes = expand(args.classes)
    elif args.fp:
        classes = list(GROUPS["fpsimd"])
    else:
        classes = list(INT_CLASSES)
    excluded = expand(args.exclude)
    unknown = [c for c in classes + excluded if c not in CLASSES]
    classes = [c for c in classes if c not in excluded]
    if unknown:
        ap.error(f"unknown classes: {', '.join(unknown)} (see --list-classes)")
    if not classes:
        ap.error("no classes selected")
    if args.clang is None:
        swiftc = shutil.which("swiftc")
        args.clang = os.path.join(os.path.dirname(swiftc), "clang") if swiftc else "clang"
    args.sim = os.path.abspath(args.sim)
    if not os.path.exists(args.sim):
        ap.error(f"{args.sim} not found; run `swift build -c release` first")

    # (tag, class list, programs): one set, or with --per-class one set per class of --count each
    sets = [(c, [c]) for c in classes] if args.per_class else [(None, classes)]
    work = []
    total = 0
    for tag, cls in sets:
        programs, n = [], 0
        while n < args.count:
            p = generate(args.seed, len(programs), min(args.size, args.count - n), cls, args.aligned,
                         args.fault_rate, tag)
            programs.append(p)
            n += p.count()
        work.append((tag, programs, n))
        total += n

    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))   # no core files from killed QEMU runs
    start = time.time()
    workdir = tempfile.mkdtemp(prefix="difftest-")
    passed = failed = 0
    per_set = []
    failures = []          # summaries of the failing programs
    try:
        runner = Runner(args, workdir)
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [(tag, [pool.submit(run_program, runner, p, args.keep, not args.no_bisect) for p in programs], n)
                       for tag, programs, n in work]
            for tag, futs, n in futures:
                ok_set = bad_set = unimpl = 0
                for fut in futs:
                    ok, report, info = fut.result()
                    if ok:
                        passed += 1
                        ok_set += 1
                    else:
                        failed += 1
                        bad_set += 1
                        if info:
                            failures.append(info)
                            unimpl += info["kind"] == "unimplemented"
                        print("\n".join(report), flush=True)
                per_set.append((tag, ok_set, bad_set, unimpl, n))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if args.per_class:
        print("per class (programs of that class alone):")
        for tag, ok_set, bad_set, unimpl, n in per_set:
            extra = f", {unimpl} not implemented (SIGILL)" if unimpl else ""
            print(f"  {tag:18} {ok_set:4} passed, {bad_set:4} failed{extra} ({n} instructions)")
    if failures:
        print("failures by class of the first differing group:")
        by_cls = {}
        for f in failures:
            by_cls.setdefault(f["cls"], []).append(f)
        for c in sorted(by_cls, key=str):
            fs = by_cls[c]
            print(f"  {c}: {len(fs)} ({sum(f['kind'] == 'unimplemented' for f in fs)} not implemented)")
        for kind, title in (("unimplemented", "not implemented in sim (SIGILL where QEMU runs)"),
                            ("wrong", "wrong results"), ("fault", "fault delivery"),
                            ("generator", "generator/assembler problems")):
            shapes = {}
            for f in failures:
                if f["kind"] == kind and f["insn"]:
                    shapes.setdefault(shape(f["insn"]), []).append(f["insn"])
            if shapes:
                print(f"distinct {title}:")
                for sh in sorted(shapes):
                    print(f"  {sh}   ({len(shapes[sh])}x, e.g. {shapes[sh][0]})")
    print(f"difftest: seed {args.seed}, {sum(len(p) for _, p, _ in work)} programs, "
          f"{sum(len(q.groups) for _, p, _ in work for q in p)} groups (instructions under test; the rest "
          f"is their set-up) in {time.time() - start:.1f}s", file=sys.stderr)
    print(f"difftest: {passed} passed, {failed} failed ({total} instructions)")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
