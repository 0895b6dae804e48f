#!/usr/bin/env python3
"""Differential test of the Advanced SIMD integer families against qemu-aarch64 (M1.3).

A seeded generator writes static AArch64 Linux programs that
  * load random 128-bit values (biased to lane edge cases) into V0-V31 and X0-X26;
  * execute random instructions of the Advanced SIMD integer, permute, copy, table,
    modified-immediate and shift families (see templates.py), each followed by a record of its
    destination register and FPSR (QC), FPSR being cleared before most instructions;
  * store all V registers, X0-X26 and FPSR, write() the records and the final state, and exit.
Instruction words are drawn from the templates with random fields; llvm-objdump (Cortex-A53,
ARMv8.0) decides which words are allocated instructions of these families, qemu-aarch64
(-cpu cortex-a53) what they do. Each program runs under qemu and under `sim user`; the outputs
must be identical byte for byte. For a difference, the first differing record names the
instruction; its operands (reconstructed from qemu's records) and both results are printed.

V28-V31 hold small signed bytes and are never written: shift-by-register and table-lookup
instructions mostly take their shift counts and indices from them.

A second check (run first) decodes random words from the same encoding spaces, registers and
reserved size/Q combinations included, with both `sim decode-words` and llvm-objdump: ours must
decode exactly the words llvm prints as instructions of these families (everything else is
UNDEFINED, or FP and left to another family), each under an encoding whose name matches llvm's
mnemonic.

Usage:
  Tests/simd-oracle/simd_oracle.py [--sim .build/release/sim] [--seed 1] [--count 30000]
      [--words 50000] [--per-program 100] [-j 2] [--keep DIR] [--show 10] [--only decode|execute]
Prints `simd-oracle: N passed, M failed` (decoded words + executed instructions) and exits 1 on
any failure. Stdlib only.
"""

import argparse
import os
import random
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from templates import TEMPLATES, MNEMONICS, parse  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
OBJDUMP_FLAGS = ["-d", "--no-show-raw-insn", "--mcpu=cortex-a53"]
QC = 1 << 27
RECORD = 32          # bytes per instruction record: result (16), FPSR (8), padding (8)
POOL = 64            # edge-value vectors that sources are reloaded from
SMALL = range(28, 32)


# ------------------------------------------------------------------------------------------
# Tools
# ------------------------------------------------------------------------------------------

def tool(name):
    swiftc = shutil.which("swiftc")
    for cand in ([os.path.join(os.path.dirname(os.path.realpath(swiftc)), name)] if swiftc else []) + \
            [shutil.which(name) or "", "/usr/bin/" + name]:
        if cand and os.access(cand, os.X_OK):
            return cand
    sys.exit("simd-oracle: %s not found (looked next to swiftc, on PATH, in /usr/bin)" % name)


def disassemble(words, workdir, clang, objdump):
    """llvm-objdump's text for each word ('<unknown>' when it decodes nothing)."""
    asm, obj = os.path.join(workdir, "words.s"), os.path.join(workdir, "words.o")
    with open(asm, "w") as f:
        f.write("\t.text\n" + "".join("\t.inst 0x%08x\n" % w for w in words))
    subprocess.run([clang, "--target=aarch64-linux-gnu", "-c", asm, "-o", obj], check=True)
    out = subprocess.run([objdump] + OBJDUMP_FLAGS + [obj], check=True, capture_output=True, text=True).stdout
    texts = ["<unknown>"] * len(words)
    for line in out.splitlines():
        m = re.match(r"^\s*([0-9a-f]+):\s*(.*)$", line)
        if m and int(m.group(1), 16) % 4 == 0 and int(m.group(1), 16) // 4 < len(words):
            texts[int(m.group(1), 16) // 4] = m.group(2).strip()
    return texts


def mnemonic(text):
    return text.split()[0] if text else ""


SIMD_REG = re.compile(r"(?<![\w.])[vqdshb]\d{1,2}(?:\.\w+)?(?![\w])")


def in_scope(text):
    """Whether llvm's text is an instruction of these families (PMULL.1Q is Crypto)."""
    operands = text.partition("//")[0][len(mnemonic(text)):]
    return mnemonic(text) in MNEMONICS and SIMD_REG.search(operands) is not None and ".1q" not in operands


# ------------------------------------------------------------------------------------------
# Random values and instruction words
# ------------------------------------------------------------------------------------------

def lane_value(rng, bits):
    top = 1 << bits
    special = [0, 1, 2, top - 1, top - 2, top >> 1, (top >> 1) - 1, (top >> 1) + 1, top >> 2,
               (top >> 1) - 2, rng.randrange(0, 16), top - rng.randrange(1, 16)]
    r = rng.random()
    if r < 0.35:
        return rng.choice(special)
    if r < 0.5:
        # Near a power of two, for narrowing saturation and rounding.
        p = rng.randrange(0, bits)
        return ((1 << p) + rng.randrange(-2, 3)) % top
    return rng.getrandbits(bits)


def vector_value(rng):
    bits = rng.choice([8, 16, 32, 64])
    v = 0
    for i in range(128 // bits):
        v |= lane_value(rng, bits) << (i * bits)
    return v


def edge_value(rng):
    """A vector whose lanes are mostly extreme values, often repeated (min * min and the like)."""
    bits = rng.choice([8, 16, 32, 64])
    top = 1 << bits
    special = [0, 1, top - 1, top >> 1, (top >> 1) - 1, (top >> 1) + 1, top - 2, 2, top >> 2]
    lanes = []
    for i in range(128 // bits):
        r = rng.random()
        if lanes and r < 0.3:
            lanes.append(lanes[-1])
        elif r < 0.85:
            lanes.append(rng.choice(special))
        else:
            lanes.append(rng.getrandbits(bits))
    return sum(x << (i * bits) for i, x in enumerate(lanes))


def small_value(rng):
    """Bytes usable as shift counts (signed) and table indices."""
    v = 0
    for i in range(16):
        c = rng.random()
        if c < 0.4:
            b = rng.randrange(-9, 10)
        elif c < 0.8:
            b = rng.randrange(-66, 67)
        else:
            b = rng.choice([-128, 127, -64, 64, -63, 63, -33, 33, -32, 32, -16, 16, -8, 8, 0])
        v |= (b & 0xFF) << (8 * i)
    return v


class Template:
    def __init__(self, name, pattern, roles):
        self.name, self.pattern, self.roles = name, pattern, roles
        self.mask, self.value, self.fields = parse(pattern)

    def word(self, rng):
        w = self.value | (rng.getrandbits(32) & ~self.mask)
        for name, lo, width in self.fields:
            if name == "Rd":
                v = rng.choice(list(range(26)) + [31]) if "xd" in self.roles else rng.randrange(28)
            elif name == "Rn":
                v = rng.choice(list(range(26)) + [31]) if "xn" in self.roles else rng.randrange(32)
            elif name == "Rm" and ("shf" in self.roles or "tbl" in self.roles) and rng.random() < 0.75:
                v = rng.choice(SMALL)
            else:
                continue
            w = (w & ~(((1 << width) - 1) << lo)) | (v << lo)
        return w

    def writes_x(self):
        return "xd" in self.roles


def generate_words(rng, count, clang, objdump, workdir):
    """`count` (word, template, text) triples of in-scope instructions, templates evenly mixed."""
    templates = [Template(*t) for t in TEMPLATES]
    out = []
    while len(out) < count:
        batch = [(t, t.word(rng)) for t in (rng.choice(templates) for _ in range(max(256, 2 * (count - len(out)))))]
        texts = disassemble([w for _, w in batch], workdir, clang, objdump)
        for (t, w), text in zip(batch, texts):
            if in_scope(text) and len(out) < count:
                out.append((w, t, text))
    return out


# ------------------------------------------------------------------------------------------
# Programs
# ------------------------------------------------------------------------------------------

class Program:
    def __init__(self, rng, insns):
        self.vinit = [vector_value(rng) for _ in range(28)] + [small_value(rng) for _ in SMALL]
        self.xinit = [rng.choice([vector_value(rng) & (2**64 - 1), rng.getrandbits(64)]) for _ in range(26)]
        self.pool = [edge_value(rng) for _ in range(POOL)]
        self.insns = insns                                   # (word, template, text)
        self.clear = [rng.random() < 0.8 for _ in insns]     # clear FPSR before the instruction?
        # Source (and sometimes destination) registers reloaded from the edge-value pool first.
        self.reloads = []
        for w, t, _ in insns:
            regs = set()
            if "xn" not in t.roles and rng.random() < 0.35:
                regs.add((w >> 5) & 31)
            if rng.random() < 0.35:
                regs |= {(w >> 16) & 31, (w >> 16) & 15}
            if "xd" not in t.roles and rng.random() < 0.15:
                regs.add(w & 31)
            self.reloads.append([(r, rng.randrange(POOL)) for r in sorted(regs) if r not in SMALL])

    def source(self):
        L = ["\t.text", "\t.globl _start", "_start:",
             "\tadrp x0, vinit", "\tadd x0, x0, :lo12:vinit"]
        for i in range(0, 32, 2):
            L.append("\tldp q%d, q%d, [x0], #32" % (i, i + 1))
        L += ["\tadrp x28, xinit", "\tadd x28, x28, :lo12:xinit"]
        for i in range(0, 26, 2):
            L.append("\tldp x%d, x%d, [x28], #16" % (i, i + 1))
        L += ["\tadrp x26, pool", "\tadd x26, x26, :lo12:pool"]
        L += ["\tadrp x28, out", "\tadd x28, x28, :lo12:out", "\tmsr fpsr, xzr"]
        for (w, t, text), clear, reloads in zip(self.insns, self.clear, self.reloads):
            for reg, k in reloads:
                L.append("\tldr q%d, [x26, #%d]" % (reg, 16 * k))
            if clear:
                L.append("\tmsr fpsr, xzr")
            L.append("\t.inst 0x%08x  // %s" % (w, text))
            d = w & 31
            if t.writes_x():
                L.append("\tstp x%d, xzr, [x28], #16" % d if d != 31 else "\tstp xzr, xzr, [x28], #16")
            else:
                L.append("\tstr q%d, [x28], #16" % d)
            L += ["\tmrs x27, fpsr", "\tstp x27, xzr, [x28], #16"]
        for i in range(0, 32, 2):
            L.append("\tstp q%d, q%d, [x28], #32" % (i, i + 1))
        for i in range(0, 26, 2):
            L.append("\tstp x%d, x%d, [x28], #16" % (i, i + 1))
        L += ["\tmrs x27, fpsr", "\tstp x27, xzr, [x28], #16",
              "\tmov x0, #1", "\tadrp x1, out", "\tadd x1, x1, :lo12:out", "\tsub x2, x28, x1",
              "\tmov x8, #64", "\tsvc #0", "\tmov x0, #0", "\tmov x8, #93", "\tsvc #0",
              "\t.data", "\t.balign 16", "vinit:"]
        for v in self.vinit:
            L.append("\t.quad 0x%016x, 0x%016x" % (v & (2**64 - 1), v >> 64))
        L.append("xinit:")
        L += ["\t.quad 0x%016x" % x for x in self.xinit]
        L.append("pool:")
        for v in self.pool:
            L.append("\t.quad 0x%016x, 0x%016x" % (v & (2**64 - 1), v >> 64))
        L += ["\t.bss", "\t.balign 16", "out:", "\t.space %d" % self.out_size()]
        return "\n".join(L) + "\n"

    def out_size(self):
        return RECORD * len(self.insns) + 32 * 16 + 14 * 16

    def records(self, out):
        recs = []
        for i in range(len(self.insns)):
            lo, hi, fpsr = struct.unpack_from("<QQQ", out, RECORD * i)
            recs.append((lo | hi << 64, fpsr))
        return recs


def build(prog, path, clang):
    with open(path + ".s", "w") as f:
        f.write(prog.source())
    subprocess.run([clang, "--target=aarch64-linux-gnu", "-nostdlib", "-static", "-fuse-ld=lld",
                    path + ".s", "-o", path], check=True)


def run(cmd):
    p = subprocess.run(cmd, capture_output=True, timeout=60)
    return p.returncode, p.stdout, p.stderr.decode(errors="replace")


def hex128(v):
    return "%016x_%016x" % (v >> 64, v & (2**64 - 1))


def diagnose(prog, q, s):
    """(failing instruction count, report lines) for differing outputs."""
    if q[0] != 0 or len(q[1]) != prog.out_size():
        return len(prog.insns), ["qemu failed: exit %d, %d bytes: %s" % (q[0], len(q[1]), q[2].strip()[:300])]
    if s[0] != 0 or len(s[1]) != prog.out_size():
        head = ["sim failed: exit %d, %d bytes: %s" % (s[0], len(s[1]), s[2].strip()[:300])]
    else:
        head = []
    qr = prog.records(q[1])
    sr = prog.records(s[1] + bytes(max(0, prog.out_size() - len(s[1]))))
    # Registers as qemu saw them, to show the operands of the first differing instruction.
    v = list(prog.vinit)
    x = list(prog.xinit) + [0] * 6
    for i, ((w, t, text), a, b) in enumerate(zip(prog.insns, qr, sr)):
        n, m, d = (w >> 5) & 31, (w >> 16) & 31, w & 31
        for reg, k in prog.reloads[i]:
            v[reg] = prog.pool[k]
        if a != b:
            lines = head + ["instruction %d: %08x  %s   (template %s)" % (i, w, text, t.name)]
            if "xn" in t.roles:
                lines.append("  x%d = %016x" % (n, x[n] if n != 31 else 0))
            else:
                lines.append("  v%d = %s" % (n, hex128(v[n])))
                if "tbl" in t.roles:
                    for k in range(1, ((w >> 13) & 3) + 1):
                        lines.append("  v%d = %s" % ((n + k) % 32, hex128(v[(n + k) % 32])))
            lines.append("  v%d = %s   (Rm field; by element: Vm is bits 19:16 or 20:16)" % (m, hex128(v[m])))
            if m & 15 != m:
                lines.append("  v%d = %s" % (m & 15, hex128(v[m & 15])))
            if not t.writes_x():
                lines.append("  v%d = %s   (destination before)" % (d, hex128(v[d])))
            fpsr_in = 0 if prog.clear[i] else (qr[i - 1][1] if i else 0)
            lines.append("  FPSR before %08x" % fpsr_in)
            lines.append("  qemu: %s  FPSR %08x" % (hex128(a[0]), a[1]))
            lines.append("  sim:  %s  FPSR %08x" % (hex128(b[0]), b[1]))
            return i, lines
        if t.writes_x():
            if d != 31:
                x[d] = a[0] & (2**64 - 1)
        else:
            v[d] = a[0]
    return len(prog.insns), head + ["records agree; final state differs"]


def oracle(args):
    clang, objdump = tool("clang"), tool("llvm-objdump")
    rng = random.Random(args.seed)
    workdir = args.keep or tempfile.mkdtemp(prefix="simd-oracle-")
    os.makedirs(workdir, exist_ok=True)
    try:
        insns = generate_words(rng, args.count, clang, objdump, workdir)
        progs = [Program(rng, insns[i:i + args.per_program]) for i in range(0, len(insns), args.per_program)]

        def one(k):
            path = os.path.join(workdir, "prog%03d" % k)
            build(progs[k], path, clang)
            q = run(["qemu-aarch64", "-cpu", "cortex-a53", path])
            s = run([args.sim, "user", path])
            return k, q, s

        failed = passed = unchecked = 0
        reports = []
        with ThreadPoolExecutor(max_workers=args.jobs) as pool:
            for k, q, s in pool.map(one, range(len(progs))):
                if q[:2] == s[:2] and q[0] == 0:
                    passed += len(progs[k].insns)
                    continue
                i, lines = diagnose(progs[k], q, s)
                passed += i
                failed += 1
                unchecked += max(0, len(progs[k].insns) - i - 1)
                reports.append(["program %d (%s/prog%03d.s):" % (k, workdir, k)] + ["  " + l for l in lines])
        for rep in reports[:args.show]:
            print("\n".join(rep))
        # Per-class coverage, to see that every template produced instructions.
        counts = {}
        for _, t, _ in insns:
            counts[t.name] = counts.get(t.name, 0) + 1
        missing = [t[0] for t in TEMPLATES if t[0] not in counts]
        if missing:
            print("simd-oracle: templates that produced no instruction: " + ", ".join(missing))
        print("simd-oracle: seed %d, %d programs, %d templates, %d distinct mnemonics"
              % (args.seed, len(progs), len(counts), len({mnemonic(x) for _, _, x in insns})))
        if unchecked:
            print("simd-oracle: %d instructions after a failing one not checked" % unchecked)
        print("simd-oracle execute: %d instructions: %d passed, %d failed" % (len(insns), passed, failed))
        return passed, failed + len(missing)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


# ------------------------------------------------------------------------------------------
# Decode check: which words are allocated, against llvm-objdump
# ------------------------------------------------------------------------------------------

def our_names():
    """The encoding names of these families, read from the Swift tables."""
    names = set()
    for path in ("A64SIMDIntegerThreeReg.swift", "A64SIMDIntegerMisc.swift", "A64SIMDIntegerPermute.swift"):
        src = open(os.path.join(ROOT, "Sources", "Simulator", "Decode", path)).read()
        names |= set(re.findall(r'Encoding\("([^"]+)"', src))
        for base, cls in re.findall(r'byElement\("([^"]+)", \.(indexed|indexedScalar),', src):
            form = "by element, scalar" if cls == "indexedScalar" else "by element"
            names |= {"%s (%s, %s)" % (base, form, size) for size in "HS"}
        block = re.search(r"modifiedImmediateNames: \[String\] = \[(.*?)\]", src, re.S)
        if block:
            names |= set(re.findall(r'"([^"]+)"', block.group(1)))
    return names


# llvm's alias mnemonics for our encoding names, beyond the names' own mnemonics.
ALIASES = {
    "ORR (vector, register)": {"mov"}, "NOT": {"mvn"}, "SSHLL/USHLL": {"sxtl", "sxtl2", "uxtl", "uxtl2"},
    "INS (general)": {"mov"}, "INS (element)": {"mov"}, "UMOV": {"mov"}, "DUP (element, scalar)": {"mov"},
}


def class_mnemonics(name):
    """The llvm mnemonics a word of our encoding `name` may print as."""
    base = name.split(" (")[0].lower()
    if base.startswith("orr/bic"):
        return {"orr", "bic"}
    names = set()
    for part in base.split("/"):
        names |= {part, part + "2"}
    return names | ALIASES.get(name, set())


def decode_check(args):
    """Random words in these families' encoding spaces: ours must decode exactly those that llvm
    decodes to an instruction of the families (and leave FP, crypto, later extensions and
    unallocated words alone)."""
    clang, objdump = tool("clang"), tool("llvm-objdump")
    rng = random.Random(args.seed)
    templates = [Template(*t) for t in TEMPLATES]
    words = []
    for i in range(args.words):
        t = templates[i % len(templates)]
        # Fully random fields, registers included, and sometimes a flipped fixed bit (neighbours).
        w = t.value | (rng.getrandbits(32) & ~t.mask)
        if rng.random() < 0.3:
            w ^= 1 << rng.choice([b for b in range(32) if t.mask >> b & 1])
        words.append(w)
    workdir = args.keep or tempfile.mkdtemp(prefix="simd-decode-")
    os.makedirs(workdir, exist_ok=True)
    try:
        texts = disassemble(words, workdir, clang, objdump)
        raw = os.path.join(workdir, "words.bin")
        with open(raw, "wb") as f:
            f.write(struct.pack("<%dI" % len(words), *words))
        out = subprocess.run([args.sim, "decode-words", raw], check=True, capture_output=True, text=True).stdout
        ours = [line.partition(" ")[2] for line in out.splitlines()]
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
    mine = our_names()
    failures = []
    for w, text, name in zip(words, texts, ours):
        expected = in_scope(text)
        got = name in mine
        if expected != got:
            failures.append("%08x  llvm: %-44s ours: %s" % (w, text, name))
        elif got and mnemonic(text) not in class_mnemonics(name):
            failures.append("%08x  llvm: %-44s ours: %s (wrong class)" % (w, text, name))
    for f in failures[:args.show * 3]:
        print("  " + f)
    print("simd-oracle decode: %d words (%d of them instructions of these families for llvm): %d passed, %d failed"
          % (len(words), sum(map(in_scope, texts)), len(words) - len(failures), len(failures)))
    return len(words) - len(failures), len(failures)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sim", default=os.path.join(ROOT, ".build", "release", "sim"))
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--count", type=int, default=30000, help="instructions to execute (default 30000)")
    ap.add_argument("--words", type=int, default=50000, help="words for the decode check (default 50000)")
    ap.add_argument("--per-program", type=int, default=100)
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--keep", help="keep the programs (.s and executables) in this directory")
    ap.add_argument("--show", type=int, default=10, help="failing programs to report")
    ap.add_argument("--only", choices=["decode", "execute"], help="run one of the two checks")
    args = ap.parse_args()
    args.sim = os.path.abspath(args.sim)
    if not os.access(args.sim, os.X_OK):
        sys.exit("simd-oracle: %s not found; run `swift build -c release` first" % args.sim)
    passed = failed = 0
    for name, check in (("decode", decode_check), ("execute", oracle)):
        if args.only in (None, name):
            p, f = check(args)
            passed, failed = passed + p, failed + f
    print("simd-oracle: %d passed, %d failed" % (passed, failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
