#!/usr/bin/env python3
"""Decoder coverage against llvm-objdump (issue M1.2, item 8).

Over a large fixed-seed sample of 32-bit words, the words our A64 decoder executes as ARMv8.0
integer/system instructions must be exactly those llvm-objdump (with a Cortex-A53, i.e. ARMv8.0,
feature set) decodes to instructions, integer, system and FP/SIMD alike (the Cryptographic Extension,
which we do not implement, must be UNDEFINED). System-register accesses (MRS, MSR
(register), SYS, SYSL) are judged at execute time by our register table, so for those words both
sides only have to agree on the class.

Encodings that llvm decodes but the Arm ARM lets (or makes) us raise UNDEFINED are listed in
EXCEPTIONS below, each with its rule. CONSTRAINED UNPREDICTABLE encodings that both sides decode
(load/store exclusive with Rs/Rt2 not 11111, writeback with Rn == Rt, load pair with Rt == Rt2)
need no exception: executing them is one of the permitted behaviours.

Besides defined-ness, words both sides decode must agree on the encoding class: llvm's mnemonic
(aliases included) must be one of CLASS_MNEMONICS[our class name].

Usage: Tests/decoder-coverage/check.py [--count N] [--seed S] [--sim PATH] [--objdump PATH] [--keep DIR]
Needs `swift build` first (uses .build/debug/sim unless --sim is given). Stdlib only.
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

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# --------------------------------------------------------------------------------------------
# Word generation
# --------------------------------------------------------------------------------------------

# Bits 28:25 values of the integer top-level groups (Arm ARM, "Top-level encodings for A64").
GROUPS = {
    "data-processing (immediate) 100x": [0b1000, 0b1001],
    "branches, exceptions, system 101x": [0b1010, 0b1011],
    "loads and stores x1x0": [0b0100, 0b0110, 0b1100, 0b1110],
    "data-processing (register) x101": [0b0101, 0b1101],
}

# Narrow encoding classes that a group-biased sample still hits rarely: (mask, value).
NARROW = [
    (0xFFC00000, 0xD5000000),  # system instructions (L op0 op1 CRn CRm op2 Rt)
    (0xFFFFF000, 0xD5033000),  # barriers, CLREX, SB
    (0xFFFFF000, 0xD5032000),  # hints
    (0xFFF8F01F, 0xD500401F),  # MSR (immediate) and the v8.4+ PSTATE instructions (Rt = 11111)
    (0xFF000000, 0xD4000000),  # exception generation
    (0xFE000000, 0xD6000000),  # unconditional branch (register)
    (0xFE1F0000, 0xD61F0000),  # unconditional branch (register), op2 = 11111
    (0xFE1FFC00, 0xD61F0000),  # ... and op3 = 000000 (BR, BLR, RET; PAuth forms have op3 != 0)
    (0xFE1FFFFF, 0xD61F03E0),  # ... and Rn = 11111, op4 = 00000 (ERET, DRPS)
    (0xFFE0001C, 0xD4A00000),  # DCPS1-3 and neighbours
    (0x3F000000, 0x08000000),  # load/store exclusive, LDAR/STLR, CAS
    (0x3F1F7C00, 0x081F7C00),  # ... with Rs = Rt2 = 11111
    (0x3B000000, 0x38000000),  # load/store register (unscaled/imm9/register/atomics/PAC)
    (0x3A000000, 0x28000000),  # load/store pair
    (0x3B000000, 0x18000000),  # load register (literal)
    (0x1F000000, 0x1B000000),  # data-processing (3 source)
    (0x5FE00000, 0x1AC00000),  # data-processing (1 and 2 source)
    (0x5FFE0000, 0x5AC00000),  # data-processing (1 source), opcode2 = 0000x (PAuth at 00001)
    (0x1FE00000, 0x1A400000),  # conditional compare
    (0x1FE00000, 0x1A800000),  # conditional select
    (0x1FE00000, 0x1A200000),  # data-processing (register) op2 = 0001, unallocated neighbour
    (0x1FE00000, 0x1A000000),  # add/subtract with carry and v8.4 RMIF/SETF (bits 15:10 != 0)
    (0x1F800000, 0x13000000),  # bitfield
    (0x1F800000, 0x13800000),  # extract
    (0xFFE00000, 0xD5400000),  # above the system space (unallocated)
]


def generate(count, seed):
    rng = random.Random(seed)
    words = []
    uniform = count * 45 // 100
    grouped = count * 45 // 100
    narrow = count - uniform - grouped
    for _ in range(uniform):
        words.append(rng.getrandbits(32))
    names = sorted(GROUPS)
    for i in range(grouped):
        g = rng.choice(GROUPS[names[i % len(names)]])
        words.append((rng.getrandbits(32) & ~(0xF << 25)) | (g << 25))
    for i in range(narrow):
        mask, value = NARROW[i % len(NARROW)]
        words.append((rng.getrandbits(32) & ~mask) | value)
    return words


# --------------------------------------------------------------------------------------------
# Tools
# --------------------------------------------------------------------------------------------

def toolchain_dir():
    swiftc = shutil.which("swiftc")
    return os.path.dirname(os.path.realpath(swiftc)) if swiftc else None


def find_clang():
    tc = toolchain_dir()
    for cand in ([os.path.join(tc, "clang")] if tc else []) + [shutil.which("clang") or ""]:
        if cand and os.access(cand, os.X_OK):
            return cand
    sys.exit("decoder-coverage: no clang found (looked next to swiftc and on PATH)")


def find_objdump():
    tc = toolchain_dir()
    for cand in ([os.path.join(tc, "llvm-objdump")] if tc else []) + ["/usr/bin/llvm-objdump",
                                                                       shutil.which("llvm-objdump") or ""]:
        if cand and os.access(cand, os.X_OK):
            return cand
    sys.exit("decoder-coverage: no llvm-objdump found (looked next to swiftc, /usr/bin and PATH)")


# Cortex-A53 is the ARMv8.0 core we model: LLVM enables v8.0 + CRC + crypto + FP/SIMD for it,
# and none of the v8.1+ extensions (LSE, RDM, PAN, LOR, VH, PAuth, RCPC, ...). Without --mcpu,
# recent llvm-objdump decodes every extension it knows.
OBJDUMP_FLAGS = ["-d", "--no-show-raw-insn", "--mcpu=cortex-a53"]


def llvm_view(words, workdir, clang, objdump):
    asm = os.path.join(workdir, "words.s")
    obj = os.path.join(workdir, "words.o")
    with open(asm, "w") as f:
        f.write("\t.text\n")
        f.writelines("\t.inst 0x%08x\n" % w for w in words)
    subprocess.run([clang, "--target=aarch64-linux-gnu", "-c", asm, "-o", obj], check=True)
    out = subprocess.run([objdump] + OBJDUMP_FLAGS + [obj], check=True, capture_output=True, text=True).stdout
    texts = [None] * len(words)
    line_re = re.compile(r"^\s*([0-9a-f]+):\s*(.*)$")
    for line in out.splitlines():
        m = line_re.match(line)
        if not m:
            continue
        addr = int(m.group(1), 16)
        if addr % 4 or addr // 4 >= len(words):
            continue
        texts[addr // 4] = m.group(2).strip()
    missing = [i for i, t in enumerate(texts) if t is None]
    if missing:
        sys.exit("decoder-coverage: llvm-objdump printed no line for %d words (first at index %d)"
                 % (len(missing), missing[0]))
    return texts


def our_view(words, workdir, sim):
    raw = os.path.join(workdir, "words.bin")
    with open(raw, "wb") as f:
        f.write(struct.pack("<%dI" % len(words), *words))
    out = subprocess.run([sim, "decode-words", raw], check=True, capture_output=True, text=True).stdout
    names = []
    for i, line in enumerate(out.splitlines()):
        hexword, _, name = line.partition(" ")
        if int(hexword, 16) != words[i]:
            sys.exit("decoder-coverage: sim decode-words line %d is for %s, expected %08x" % (i, hexword, words[i]))
        names.append(name)
    if len(names) != len(words):
        sys.exit("decoder-coverage: sim decode-words printed %d lines for %d words" % (len(names), len(words)))
    return names


# --------------------------------------------------------------------------------------------
# Classification of llvm's text
# --------------------------------------------------------------------------------------------

FP_REG = re.compile(r"(?<![\w.])[vqdshbzp]\d{1,2}(?:\.\w+)?(?![\w])")
FP_MNEMONIC = re.compile(r"^(f\w+|[su]cvtf|bf(?:cvt|dot|mmla|mlal)\w*|aes\w+|sha\w+|pmull\w*|ld[1-4]r?|st[1-4])$")


CRYPTO = re.compile(r"^(aes(e|d|mc|imc)|sha1(c|h|m|p|su0|su1)|sha256(h|h2|su0|su1))$")


def classify(text):
    """'unknown', 'fpsimd' or 'int' for one llvm-objdump instruction text."""
    if text.startswith("<unknown>") or text.startswith(".inst") or text.startswith(".word"):
        return "unknown"
    mnemonic, _, operands = text.partition("\t") if "\t" in text else text.partition(" ")
    mnemonic = mnemonic.strip()
    # UDF is the permanently UNDEFINED encoding: the architecture says UNDEFINED, as do we.
    if mnemonic == "udf":
        return "unknown"
    operands = re.sub(r"<[^>]*>", "", operands.split("//")[0])
    if FP_MNEMONIC.match(mnemonic) or FP_REG.search(operands) or "{" in operands:
        return "fpsimd"
    return "int"


def mnemonic_of(text):
    return re.split(r"[\s]", text, 1)[0]


# --------------------------------------------------------------------------------------------
# Justified exceptions: words where llvm decodes something and we raise UNDEFINED, each allowed
# by an Arm ARM rule. Each entry: (name, predicate(word, llvm_text, our_name), reason).
# Predicates are narrow: they must name the exact fields involved.
# --------------------------------------------------------------------------------------------

def bits(w, hi, lo):
    return (w >> lo) & ((1 << (hi - lo + 1)) - 1)


def is_system_space(w):
    return w & 0xFFC00000 == 0xD5000000


def op0_zero_generic(w, text, ours):
    # Any L, op0 = 0b00, and llvm prints only the generic S0_op1_Cn_Cm_op2 name (it has no
    # instruction for the encoding and falls back to its catch-all MSR/MRS form).
    return is_system_space(w) and bits(w, 20, 19) == 0 and re.search(r"\bS0_\d_C\d+_C\d+_\d\b", text) is not None


def later_pstate_field(w, text, ours):
    # MSR (immediate) space (op0 = 00, CRn = 0100, Rt = 11111) with op1:op2 other than the three
    # ARMv8.0 PSTATE fields; llvm decodes some later ones (SME's SMSTART/SMSTOP, PM) for any CPU.
    return w & 0xFFF8F01F == 0xD500401F and (bits(w, 18, 16), bits(w, 7, 5)) not in {(0, 5), (3, 6), (3, 7)}


def debug_state_only(w, text, ours):
    # DCPS1/DCPS2/DCPS3 (LL != 00) and DRPS.
    return (w & 0xFFE0001C == 0xD4A00000 and w & 3 != 0) or w == 0xD6BF03E0


EXCEPTIONS = [
    ("system op0=00 unallocated", op0_zero_generic,
     "Arm ARM, System instruction class encoding space: with op0 = 0b00 only the HINT, barrier/CLREX "
     "and MSR (immediate) groups are allocated in ARMv8.0 (and MSR (immediate) only for SPSel, DAIFSet, "
     "DAIFClr with Rt = 11111); every other op0 = 0b00 encoding is unallocated. op0 = 0b00 names no "
     "System register, so the register table does not apply. llvm prints its catch-all S0_* name."),
    ("PSTATE fields of later versions", later_pstate_field,
     "Arm ARM, MSR (immediate): ARMv8.0 allocates only op1:op2 = 000:101 (SPSel), 011:110 (DAIFSet) "
     "and 011:111 (DAIFClr); the decode pseudocode makes every other op1:op2 UNDEFINED. PAN (v8.1), "
     "UAO (v8.2), DIT (v8.4), SSBS/TCO (v8.5), ALLINT (v8.8), PM (v9.4) and SVCR (SME: SMSTART/SMSTOP) "
     "are later additions."),
    ("Debug state only (DCPSn, DRPS)", debug_state_only,
     "Arm ARM, DCPS1/DCPS2/DCPS3 and DRPS: UNDEFINED in Non-debug state. We model no halting debug, so "
     "the PE is always in Non-debug state. The table lists them with builders that return UNDEFINED."),
]


# --------------------------------------------------------------------------------------------
# Class agreement: for words both sides decode, llvm's mnemonic (aliases included) must belong to
# the encoding class our decoder matched. Catches a word landing in the wrong class.
# --------------------------------------------------------------------------------------------

LOADS = {"str", "strb", "strh", "ldr", "ldrb", "ldrh", "ldrsb", "ldrsh", "ldrsw"}
CLASS_MNEMONICS = {
    "ADR": {"adr"},
    "ADRP": {"adrp"},
    "ADD/SUB (immediate)": {"add", "adds", "sub", "subs", "cmp", "cmn", "mov"},
    "Logical (immediate)": {"and", "ands", "orr", "eor", "tst", "mov"},
    "Move wide (immediate)": {"movz", "movn", "movk", "mov"},
    "Bitfield": {"sbfm", "bfm", "ubfm", "sbfx", "sbfiz", "bfxil", "bfi", "bfc", "ubfx", "ubfiz",
                 "asr", "lsl", "lsr", "sxtb", "sxth", "sxtw", "uxtb", "uxth"},
    "EXTR": {"extr", "ror"},
    "B": {"b"},
    "BL": {"bl"},
    "B.cond": {"b." + c for c in "eq ne hs lo mi pl vs vc hi ls ge lt gt le al nv".split()},
    "CBZ/CBNZ": {"cbz", "cbnz"},
    "TBZ/TBNZ": {"tbz", "tbnz"},
    "BR": {"br"},
    "BLR": {"blr"},
    "RET": {"ret"},
    "ERET": {"eret"},
    "SVC": {"svc"},
    "HVC": {"hvc"},
    "SMC": {"smc"},
    "BRK": {"brk"},
    "HLT": {"hlt"},
    # Every HINT encoding executes (as NOP when it does nothing on ARMv8.0); llvm names some
    # later hints even for Cortex-A53.
    "HINT": {"nop", "yield", "wfe", "wfi", "sev", "sevl", "hint", "esb", "psb", "tsb", "csdb", "bti",
             "dgh", "clrbhb", "chkfeat", "stshh", "gcsb", "pacm"},
    "CLREX": {"clrex"},
    "DSB": {"dsb", "ssbb", "pssbb"},
    "DMB": {"dmb"},
    "ISB": {"isb"},
    "MSR (immediate)": {"msr"},
    "SYS": {"sys", "ic", "dc", "at", "tlbi", "cfp", "dvp", "cpp", "cosp", "brb", "trcit"},
    "SYSL": {"sysl"},
    "MSR (register)": {"msr"},
    "MRS": {"mrs"},
    "Logical (shifted register)": {"and", "ands", "orr", "orn", "eor", "eon", "bic", "bics", "tst", "mvn", "mov"},
    "ADD/SUB (shifted register)": {"add", "adds", "sub", "subs", "cmp", "cmn", "neg", "negs"},
    "ADD/SUB (extended register)": {"add", "adds", "sub", "subs", "cmp", "cmn"},
    "ADC/SBC": {"adc", "adcs", "sbc", "sbcs", "ngc", "ngcs"},
    "CCMN/CCMP (register)": {"ccmn", "ccmp"},
    "CCMN/CCMP (immediate)": {"ccmn", "ccmp"},
    "Conditional select": {"csel", "csinc", "csinv", "csneg", "cset", "csetm", "cinc", "cinv", "cneg"},
    "Data-processing (3 source)": {"madd", "msub", "smaddl", "smsubl", "umaddl", "umsubl", "smulh", "umulh",
                                   "mul", "mneg", "smull", "smnegl", "umull", "umnegl"},
    "Data-processing (2 source)": {"udiv", "sdiv", "lslv", "lsrv", "asrv", "rorv", "lsl", "lsr", "asr", "ror"}
                                  | {"crc32" + c + s for c in ("", "c") for s in "bhwx"},
    "Data-processing (1 source)": {"rbit", "rev16", "rev32", "rev", "rev64", "clz", "cls"},
    "LDR/STR (unsigned immediate)": LOADS | {"prfm"},
    "LDUR/STUR (unscaled immediate)": {"stur", "sturb", "sturh", "ldur", "ldurb", "ldurh", "ldursb", "ldursh",
                                       "ldursw", "prfum"},
    "LDTR/STTR (unprivileged)": {"sttr", "sttrb", "sttrh", "ldtr", "ldtrb", "ldtrh", "ldtrsb", "ldtrsh", "ldtrsw"},
    "LDR/STR (immediate, post/pre-indexed)": LOADS,
    # RPRFM (v8.9) sits on PRFM (register) prefetch operations that ARMv8.0 treats as NOP hints.
    "LDR/STR (register offset)": LOADS | {"prfm", "rprfm"},
    "LDR (literal)": {"ldr", "ldrsw", "prfm"},
    "LDP/STP": {"stp", "ldp", "stnp", "ldnp", "ldpsw"},
    "Load/store exclusive": {p + s for p in ("stxr", "stlxr", "ldxr", "ldaxr") for s in ("", "b", "h")}
                            | {"stxp", "stlxp", "ldxp", "ldaxp"},
    "LDAR/STLR": {"ldar", "ldarb", "ldarh", "stlr", "stlrb", "stlrh"},
}


# --------------------------------------------------------------------------------------------
# Comparison
# --------------------------------------------------------------------------------------------

def expected_system_name(w):
    """For op0 != 0 in the system space, the class both sides must agree on."""
    L, op0 = bits(w, 21, 21), bits(w, 20, 19)
    if op0 == 1:
        return "SYSL" if L else "SYS"
    return "MRS" if L else "MSR (register)"


def compare(words, texts, names):
    failures = []
    excepted = {name: 0 for name, _, _ in EXCEPTIONS}
    stats = {"int": 0, "fpsimd": 0, "unknown": 0}
    for w, text, ours in zip(words, texts, names):
        kind = classify(text)
        stats[kind] += 1
        ours_defined = ours != "UNDEFINED"
        problem = None
        if kind == "int" and not ours_defined:
            for name, pred, _ in EXCEPTIONS:
                if pred(w, text, ours):
                    excepted[name] += 1
                    break
            else:
                problem = "llvm decodes an integer/system instruction, ours is UNDEFINED"
        elif kind == "fpsimd":
            # FP/SIMD is implemented (M1.3) except the Cryptographic Extension, which Cortex-A53's
            # LLVM model enables but our ID_AA64ISAR0_EL1 does not advertise: AES/SHA/PMULL.1Q.
            mnem = mnemonic_of(text)
            crypto = bool(CRYPTO.match(mnem)) or (mnem.startswith("pmull") and ".1q" in text)
            if crypto and ours_defined:
                problem = "crypto extension is not implemented, ours decodes"
            elif not crypto and not ours_defined:
                problem = "llvm decodes an FP/SIMD instruction, ours is UNDEFINED"
        elif kind == "unknown" and ours_defined:
            problem = "llvm says unallocated, ours decodes"
        elif kind == "int" and is_system_space(w) and bits(w, 20, 19) != 0 and ours != expected_system_name(w):
            problem = "system space op0!=0 must be %s" % expected_system_name(w)
        elif kind == "int" and mnemonic_of(text) not in CLASS_MNEMONICS.get(ours, ()):
            problem = "llvm's mnemonic is not one of class %s" % ours
        if problem:
            failures.append((w, text, ours, problem))
    return failures, excepted, stats


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--count", type=int, default=200000, help="number of words (default 200000)")
    ap.add_argument("--seed", type=int, default=0x4D494E4F, help="random seed (default 0x4D494E4F)")
    ap.add_argument("--sim", default=os.path.join(ROOT, ".build", "debug", "sim"), help="sim binary")
    ap.add_argument("--objdump", help="llvm-objdump to use (default: the Swift toolchain's, else /usr/bin's)")
    ap.add_argument("--keep", help="directory to keep words.bin, words.s, words.o in")
    ap.add_argument("--show", type=int, default=30, help="mismatches to print (default 30)")
    ap.add_argument("--list-exceptions", action="store_true", help="print the exception list and exit")
    args = ap.parse_args()

    if args.list_exceptions:
        for name, _, reason in EXCEPTIONS:
            print("%s:\n    %s" % (name, reason))
        return 0
    if not os.access(args.sim, os.X_OK):
        sys.exit("decoder-coverage: %s not found; run `swift build` first" % args.sim)

    clang, objdump = find_clang(), args.objdump or find_objdump()
    words = generate(args.count, args.seed)
    workdir = args.keep or tempfile.mkdtemp(prefix="decoder-coverage-")
    os.makedirs(workdir, exist_ok=True)
    try:
        names = our_view(words, workdir, args.sim)
        texts = llvm_view(words, workdir, clang, objdump)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)

    failures, excepted, stats = compare(words, texts, names)
    print("decoder-coverage: oracle %s %s; seed %#x; llvm says %d integer/system, %d FP/SIMD, %d unallocated"
          % (objdump, " ".join(OBJDUMP_FLAGS[2:]), args.seed, stats["int"], stats["fpsimd"], stats["unknown"]))
    for name, n in excepted.items():
        print("decoder-coverage: exception '%s': %d words" % (name, n))
    seen = set()
    shown = 0
    for w, text, ours, problem in failures:
        if shown >= args.show:
            break
        if w in seen:
            continue
        seen.add(w)
        shown += 1
        print("  %08x  llvm: %-40s ours: %-36s %s" % (w, text, ours, problem))
    print("decoder-coverage: %d passed, %d failed" % (len(words) - len(failures), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
