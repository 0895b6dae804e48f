#!/usr/bin/env python3
"""Floating-point oracle vectors for Tests/SimulatorTests/FPOracleTests.swift.

Builds a static AArch64 program (driver.S, generated here) that reads records
{kind, fpcr, a, b, c} from stdin, runs one FP instruction per record with that FPCR and a
cleared FPSR, and writes {result, fpsr} to stdout; runs it under `qemu-aarch64 -cpu cortex-a53`;
writes vectors.txt: one line per vector, hex fields

    kind fpcr a b c result fpsr

Operands are generated from a fixed seed (specials, random values, and values aimed at rounding
boundaries, tininess, overflow and integer limits), each tuple under all four rounding modes with
random FZ/DN (and AHP for half conversions).

Usage: python3 Tests/fp-oracle/gen.py [--out Tests/fp-oracle/vectors.txt] [--scale 1.0]
"""
import argparse
import os
import random
import shutil
import struct
import subprocess
import sys
import tempfile
from fractions import Fraction

HERE = os.path.dirname(os.path.abspath(__file__))

# ---------------------------------------------------------------------------------------------
# Formats

FMT = {
    'h': dict(bits=16, e=5, f=10),
    's': dict(bits=32, e=8, f=23),
    'd': dict(bits=64, e=11, f=52),
}


def bias(t): return (1 << (FMT[t]['e'] - 1)) - 1


def mk(t, sign, exp_field, frac):
    f = FMT[t]
    return (sign << (f['bits'] - 1)) | (exp_field << f['f']) | frac


def frac_mask(t): return (1 << FMT[t]['f']) - 1


def exp_max(t): return (1 << FMT[t]['e']) - 1


def to_fraction(t, v):
    """Exact value of a finite bit pattern (IEEE interpretation)."""
    f = FMT[t]
    sign = v >> (f['bits'] - 1) & 1
    e = v >> f['f'] & exp_max(t)
    m = v & frac_mask(t)
    if e == exp_max(t):
        return None
    if e == 0:
        val = Fraction(m, 1 << f['f']) * Fraction(2) ** (1 - bias(t))
    else:
        val = Fraction(m + (1 << f['f']), 1 << f['f']) * Fraction(2) ** (e - bias(t))
    return -val if sign else val


def from_fraction(t, x):
    """Nearest (ties-to-even) bit pattern for a rational, saturating to max normal."""
    f = FMT[t]
    sign = 1 if x < 0 else 0
    x = abs(x)
    if x == 0:
        return sign << (f['bits'] - 1)
    # exponent
    e = x.numerator.bit_length() - x.denominator.bit_length()
    while Fraction(2) ** e > x:
        e -= 1
    while Fraction(2) ** (e + 1) <= x:
        e += 1
    emin = 1 - bias(t)
    if e < emin:
        e = emin
        scaled = x / Fraction(2) ** (emin - f['f'])
        field = 0
    else:
        scaled = x / Fraction(2) ** (e - f['f'])
        field = e + bias(t)
    q = scaled.numerator // scaled.denominator
    r = scaled - q
    if r > Fraction(1, 2) or (r == Fraction(1, 2) and q & 1):
        q += 1
    if field == 0:
        if q >> f['f']:
            field = 1
        return (sign << (f['bits'] - 1)) | (field << f['f']) | (q & frac_mask(t))
    if q >> (f['f'] + 1):
        q >>= 1
        field += 1
    if field >= exp_max(t):
        return (sign << (f['bits'] - 1)) | ((exp_max(t) << f['f']) - 1)
    return (sign << (f['bits'] - 1)) | (field << f['f']) | (q & frac_mask(t))


# ---------------------------------------------------------------------------------------------
# Operand generators

class Gen:
    def __init__(self, rng):
        self.r = rng

    def specials(self, t):
        em, fm, F = exp_max(t), frac_mask(t), FMT[t]['f']
        b = bias(t)
        vals = [
            mk(t, 0, 0, 0), mk(t, 1, 0, 0),                       # zeros
            mk(t, 0, em, 0), mk(t, 1, em, 0),                     # infinities
            mk(t, 0, em, 1 << (F - 1)), mk(t, 1, em, (1 << (F - 1)) | 0x15),   # quiet NaNs
            mk(t, 0, em, 1), mk(t, 1, em, 0x2A),                  # signalling NaNs
            mk(t, 0, em, fm), mk(t, 0, em, fm >> 1),              # qNaN all payload, sNaN all payload
            mk(t, 0, 0, 1), mk(t, 1, 0, 1), mk(t, 0, 0, fm), mk(t, 1, 0, 1 << (F - 1)),  # denormals
            mk(t, 0, 1, 0), mk(t, 1, 1, 0), mk(t, 0, 1, 1),       # min normals
            mk(t, 0, em - 1, fm), mk(t, 1, em - 1, fm),           # max normals
            mk(t, 0, b, 0), mk(t, 1, b, 0), mk(t, 0, b + 1, 0), mk(t, 0, b - 1, 0),
            mk(t, 0, b, 1 << (F - 1)), mk(t, 1, b + 1, 1 << (F - 2)),   # 1.5, -2.5
            mk(t, 0, b, fm), mk(t, 0, b - 1, fm),
        ]
        return vals

    def rand_frac(self, t):
        F = FMT[t]['f']
        k = self.r.randrange(6)
        if k == 0:
            return self.r.getrandbits(F)
        if k == 1:
            return frac_mask(t) ^ (1 << self.r.randrange(F))      # nearly all ones
        if k == 2:
            return 1 << self.r.randrange(F)                        # single bit
        if k == 3:
            return frac_mask(t) if self.r.random() < 0.5 else 0
        if k == 4:
            return self.r.getrandbits(F) & ~((1 << self.r.randrange(F)) - 1)  # low zeros
        return self.r.getrandbits(F) | ((1 << self.r.randrange(F)) - 1)       # low ones

    def rand_exp(self, t, kind=None):
        em = exp_max(t)
        b = bias(t)
        k = kind if kind is not None else self.r.randrange(8)
        if k == 0:
            return self.r.randrange(1, em)
        if k in (1, 2, 3):
            return max(1, min(em - 1, b + self.r.randrange(-30, 30)))
        if k == 4:
            return self.r.randrange(0, 4)                          # denormal / near min
        if k == 5:
            return self.r.randrange(em - 4, em)                    # near max
        if k == 6:
            return max(1, min(em - 1, b + self.r.randrange(-4, 5)))
        return self.r.randrange(0, em + 1)                         # anything incl. inf/NaN

    def rand(self, t):
        if self.r.random() < 0.12:
            return self.r.choice(self.specials(t))
        return mk(t, self.r.getrandbits(1), self.rand_exp(t), self.rand_frac(t))

    def rand_finite(self, t, kind=None):
        return mk(t, self.r.getrandbits(1), min(self.rand_exp(t, kind), exp_max(t) - 1), self.rand_frac(t))

    def near(self, t, v, spread=3):
        """A value whose exponent is close to v's (for cancellation)."""
        f = FMT[t]
        e = v >> f['f'] & exp_max(t)
        e2 = max(0, min(exp_max(t) - 1, e + self.r.randrange(-spread, spread + 1)))
        frac = v & frac_mask(t)
        if self.r.random() < 0.5:
            frac ^= self.r.getrandbits(self.r.randrange(1, 8))
        else:
            frac = self.rand_frac(t)
        return mk(t, self.r.getrandbits(1), e2, frac & frac_mask(t))

    def perturb(self, t, v):
        d = self.r.randrange(-3, 4)
        return max(0, min(v + d, (1 << FMT[t]['bits']) - 1))

    def tiny_target(self, t):
        """A value at/near the smallest normal, or a denormal."""
        F = FMT[t]['f']
        minn = Fraction(2) ** (1 - bias(t))
        k = self.r.randrange(4)
        if k == 0:
            x = minn * (1 - Fraction(self.r.randrange(1, 5), 1 << (F + 2)))
        elif k == 1:
            x = minn * (1 + Fraction(self.r.randrange(-4, 5), 1 << (F + 3)))
        elif k == 2:
            x = minn * Fraction(self.r.randrange(1, 1 << 12), 1 << self.r.randrange(1, 20))
        else:
            x = minn * 2 * (1 - Fraction(1, 1 << (F + 1)))
        return -x if self.r.random() < 0.5 else x

    def huge_target(self, t):
        F = FMT[t]['f']
        maxv = (2 - Fraction(1, 1 << F)) * Fraction(2) ** bias(t)
        x = maxv * (1 + Fraction(self.r.randrange(-8, 9), 1 << (F + 2)))
        return -x if self.r.random() < 0.5 else x

    def binary_pair(self, t, op):
        r = self.r.random()
        if r < 0.15:
            return self.r.choice(self.specials(t)), self.r.choice(self.specials(t))
        if r < 0.35:
            a = self.rand(t)
            return a, self.rand(t)
        a = self.rand_finite(t, self.r.choice([1, 2, 6, 0, 4]))
        fa = to_fraction(t, a)
        if op in ('fadd', 'fsub', 'fabd', 'fmax', 'fmin', 'fmaxnm', 'fminnm'):
            if r < 0.6:
                return a, self.near(t, a)
            if r < 0.7:
                return a, a ^ (1 << (FMT[t]['bits'] - 1)) if self.r.random() < 0.5 else a
            if r < 0.8:
                return a, from_fraction(t, self.huge_target(t) - fa) if fa is not None else self.rand(t)
            # tiny operands of opposite signs: denormal or barely normal sums (flushed under FZ)
            a = self.rand_finite(t, 4)
            sb = 1 << (FMT[t]['bits'] - 1)
            b = self.near(t, a, spread=1) & ~sb
            b |= (a & sb) if op in ('fsub', 'fabd') else (~a & sb)
            return a, b
        if op in ('fmul', 'fnmul', 'fmulx', 'fdiv', 'frecps', 'frsqrts'):
            if fa is None or fa == 0:
                return a, self.rand(t)
            if r < 0.55:
                tgt = self.tiny_target(t)
            elif r < 0.7:
                tgt = self.huge_target(t)
            elif r < 0.8 and op in ('frecps', 'frsqrts'):
                tgt = Fraction(2 if op == 'frecps' else 3) * (1 + Fraction(self.r.randrange(-4, 5), 1 << 30))
            else:
                return a, self.rand_finite(t, self.r.choice([1, 2, 6]))
            if op == 'fdiv':
                return a, from_fraction(t, fa / tgt)
            b = from_fraction(t, tgt / fa)
            return a, self.perturb(t, b) if self.r.random() < 0.5 else b
        return a, self.rand(t)

    def ternary(self, t):
        r = self.r.random()
        if r < 0.15:
            return tuple(self.r.choice(self.specials(t)) for _ in range(3))
        if r < 0.3:
            return self.rand(t), self.rand(t), self.rand(t)
        a = self.rand_finite(t, self.r.choice([1, 2, 6, 4]))
        b = self.rand_finite(t, self.r.choice([1, 2, 6, 4]))
        fa, fb = to_fraction(t, a), to_fraction(t, b)
        p = fa * fb
        if r < 0.6:        # cancellation
            c = from_fraction(t, -p) if p != 0 else self.rand(t)
            c = self.perturb(t, c) if self.r.random() < 0.6 else c
        elif r < 0.75:     # tiny result
            c = from_fraction(t, self.tiny_target(t) - p)
        elif r < 0.85:     # near overflow
            c = from_fraction(t, self.huge_target(t) - p)
        else:
            c = self.rand_finite(t)
        return a, b, c

    def unary(self, t, op):
        r = self.r.random()
        F = FMT[t]['f']
        if r < 0.15:
            return self.r.choice(self.specials(t))
        if op.startswith('frint'):
            # values k + {0, 0.25, 0.5, 0.75, ±ulp}
            if r < 0.7:
                k = self.r.choice([0, 1, 2, 3, 7, 100, (1 << 20) + 1, (1 << (F - 1)) + 1, 1 << F])
                fr = self.r.choice([Fraction(0), Fraction(1, 4), Fraction(1, 2), Fraction(3, 4), Fraction(1, 3)])
                x = k + fr
                if x == 0:
                    x = Fraction(1, 2)
                v = from_fraction(t, -x if self.r.random() < 0.5 else x)
                return self.perturb(t, v) if self.r.random() < 0.3 else v
            return self.rand_finite(t)
        if op == 'fsqrt':
            if r < 0.4:
                a = self.rand_finite(t, self.r.choice([1, 2, 6, 4]))
                fa = to_fraction(t, a)
                sq = from_fraction(t, abs(fa) * abs(fa))
                return sq & ~(1 << (FMT[t]['bits'] - 1))
            if r < 0.85:
                return self.rand_finite(t) & ~(1 << (FMT[t]['bits'] - 1))
            return self.rand(t)
        if op in ('frecpe', 'frsqrte', 'frecpx'):
            if r < 0.4:
                return mk(t, self.r.getrandbits(1), self.rand_exp(t, 4), self.rand_frac(t))
            if r < 0.5:
                return mk(t, self.r.getrandbits(1), self.r.choice([exp_max(t) - 1, exp_max(t) - 2, exp_max(t) - 3]),
                          self.rand_frac(t))
            v = self.rand(t)
            if op == 'frsqrte' and self.r.random() < 0.7:
                v &= ~(1 << (FMT[t]['bits'] - 1))
            return v
        return self.rand(t)

    def to_int_value(self, t, ibits, fbits, signed):
        r = self.r.random()
        if r < 0.15:
            return self.r.choice(self.specials(t))
        if r < 0.6:
            lim = [Fraction(0), Fraction(1 << (ibits - 1)), Fraction(1 << ibits), Fraction(1),
                   (Fraction(1 << (ibits - 1))) - 1, (Fraction(1 << ibits)) - 1,
                   Fraction(self.r.getrandbits(self.r.randrange(1, ibits + 1)))]
            x = self.r.choice(lim)
            x += self.r.choice([Fraction(0), Fraction(1, 2), Fraction(-1, 2), Fraction(1, 4),
                                Fraction(-3, 4), Fraction(1), Fraction(-1), Fraction(3, 2)])
            x /= Fraction(2) ** fbits
            if self.r.random() < 0.5:
                x = -x
            v = from_fraction(t, x)
            return self.perturb(t, v) if self.r.random() < 0.3 else v
        return self.rand_finite(t, self.r.choice([1, 2, 6, 0]))

    def int_value(self, ibits):
        r = self.r.random()
        if r < 0.2:
            return self.r.choice([0, 1, (1 << ibits) - 1, 1 << (ibits - 1), (1 << (ibits - 1)) - 1,
                                  (1 << (ibits - 1)) + 1, 2, 3])
        if r < 0.6:
            n = self.r.randrange(1, ibits + 1)
            v = self.r.getrandbits(n) | (1 << (n - 1))
            # ties at 24/53 bits: set a pattern of low bits
            if self.r.random() < 0.5 and n > 25:
                k = self.r.randrange(n - 26, n - 23) if n > 27 else 1
                v = (v >> k << k) | (1 << (k - 1) if k > 0 else 0)
            return v
        return self.r.getrandbits(ibits)


# ---------------------------------------------------------------------------------------------
# Instruction kinds: name -> (asm, operand class)

def kinds():
    K = []
    R = {'s': ('s', 'w'), 'd': ('d', 'x')}
    for t in 'sd':
        v, g = R[t]
        for op in ['fadd', 'fsub', 'fmul', 'fnmul', 'fmulx', 'fdiv', 'fmax', 'fmin', 'fmaxnm', 'fminnm',
                   'frecps', 'frsqrts', 'fabd']:
            K.append((f'{op}.{t}', f'{op} {v}16, {v}0, {v}1\n fmov {g}9, {v}16', ('bin', t, op)))
        for op in ['fmadd', 'fmsub', 'fnmadd', 'fnmsub']:
            K.append((f'{op}.{t}', f'{op} {v}16, {v}0, {v}1, {v}2\n fmov {g}9, {v}16', ('ter', t, op)))
        for op in ['fsqrt', 'frecpe', 'frsqrte', 'frecpx', 'fabs', 'fneg', 'frintn', 'frintp', 'frintm',
                   'frintz', 'frinta', 'frintx', 'frinti']:
            K.append((f'{op}.{t}', f'{op} {v}16, {v}0\n fmov {g}9, {v}16', ('un', t, op)))
        for op in ['fcmp', 'fcmpe']:
            K.append((f'{op}.{t}', f'{op} {v}0, {v}1\n mrs x9, nzcv\n lsr x9, x9, #28', ('bin', t, op)))
        for op in ['fcmeq', 'fcmge', 'fcmgt', 'facge', 'facgt']:
            K.append((f'{op}.{t}', f'{op} {v}16, {v}0, {v}1\n fmov {g}9, {v}16', ('bin', t, op)))
        for rnd in 'npmza':
            for sg in 'su':
                for ib, gr in ((32, 'w'), (64, 'x')):
                    K.append((f'fcvt{rnd}{sg}.{gr}.{t}', f'fcvt{rnd}{sg} {gr}9, {v}0', ('toint', t, ib, 0)))
        for sg in 'su':
            for ib, gr, fbl in ((32, 'w', (1, 8, 31, 32)), (64, 'x', (1, 16, 63, 64))):
                for fb in fbl:
                    K.append((f'fcvtz{sg}.{gr}.{t}.{fb}', f'fcvtz{sg} {gr}9, {v}0, #{fb}', ('toint', t, ib, fb)))
        for sg in 'su':
            for ib, gr, fbl in ((32, 'w', (0, 1, 16, 32)), (64, 'x', (0, 1, 32, 64))):
                for fb in fbl:
                    imm = f', #{fb}' if fb else ''
                    K.append((f'{sg}cvtf.{t}.{gr}.{fb}', f'{sg}cvtf {v}16, {gr}0{imm}\n fmov {g}9, {v}16',
                              ('fromint', t, ib, fb)))
    conv = [('s', 'd'), ('d', 's'), ('h', 's'), ('h', 'd'), ('s', 'h'), ('d', 'h')]
    for dst, src in conv:
        g = 'x' if dst == 'd' else 'w'
        dv = 'd' if dst == 'd' else 's'
        K.append((f'fcvt.{dst}{src}', f'fcvt {dst}16, {src}0\n fmov {g}9, {dv}16', ('cvt', src, dst)))
    K.append(('fcvtxn.sd', 'fcvtxn s16, d0\n fmov w9, s16', ('cvt', 'd', 's')))
    K.append(('urecpe', 'urecpe v16.2s, v0.2s\n fmov w9, s16', ('u32',)))
    K.append(('ursqrte', 'ursqrte v16.2s, v0.2s\n fmov w9, s16', ('u32',)))
    return K


DRIVER_HEAD = r"""
    .text
    .globl _start
_start:
    adrp x19, inbuf
    add x19, x19, :lo12:inbuf
    mov x20, x19
1:  mov x0, #0
    mov x1, x20
    mov x2, #65536
    mov x8, #63            // read
    svc #0
    cmp x0, #0
    b.le 2f
    add x20, x20, x0
    b 1b
2:  adrp x21, outbuf
    add x21, x21, :lo12:outbuf
    mov x26, x21
loop:
    cmp x19, x20
    b.hs finish
    ldp w22, w23, [x19]
    ldp x0, x1, [x19, #8]
    ldr x2, [x19, #24]
    fmov d0, x0
    fmov d1, x1
    fmov d2, x2
    msr fpcr, x23
    msr fpsr, xzr
    mov x9, #0
    adr x24, jtab
    ldrsw x25, [x24, x22, lsl #2]
    add x25, x24, x25
    br x25
done:
    mrs x10, fpsr
    stp x9, x10, [x21], #16
    add x19, x19, #32
    b loop
finish:
    mov x0, #1
    mov x1, x26
    sub x2, x21, x26
    mov x8, #64            // write (qemu writes it all for a pipe)
    svc #0
    mov x0, #0
    mov x8, #93
    svc #0
"""


def driver_source(K):
    out = [DRIVER_HEAD, '    .p2align 2', 'jtab:']
    out += [f'    .word k{i} - jtab' for i in range(len(K))]
    for i, (_, asm, _) in enumerate(K):
        out.append(f'k{i}:')
        out += ['    ' + line.strip() for line in asm.split('\n')]
        out.append('    b done')
    out.append('    .bss\n    .p2align 4\ninbuf: .space 0x2000000\noutbuf: .space 0x1000000\n')
    return '\n'.join(out) + '\n'


def build_driver(K, workdir):
    bindir = os.path.dirname(shutil.which('swiftc') or '/opt/swift/usr/bin/swiftc')
    clang = os.path.join(bindir, 'clang')
    src = os.path.join(workdir, 'driver.S')
    exe = os.path.join(workdir, 'driver')
    with open(src, 'w') as f:
        f.write(driver_source(K))
    subprocess.run([clang, '--target=aarch64-linux-gnu', '-nostdlib', '-static', '-fuse-ld=lld',
                    '-o', exe, src], check=True)
    return exe


# ---------------------------------------------------------------------------------------------

def fpcrs_for(rng, cls):
    """Four FPCR values (one per rounding mode) with random FZ/DN, plus AHP for half conversions."""
    fz = rng.getrandbits(1)
    dn = rng.getrandbits(1)
    ahp = rng.getrandbits(1) if cls[0] == 'cvt' and 'h' in cls[1:] else 0
    return [(rm << 22) | (fz << 24) | (dn << 25) | (ahp << 26) for rm in range(4)]


def tuples_for(g, name, cls, n):
    out = []
    if cls[0] == 'bin':
        t, op = cls[1], cls[2]
        base = op.split('.')[0]
        sp = g.specials(t)
        # every pair of a small special set, then random pairs
        small = [sp[i] for i in (0, 1, 2, 3, 4, 6, 10, 14, 19, 21)]
        for a in small:
            for b in small:
                out.append((a, b, 0))
        while len(out) < n + len(small) ** 2:
            a, b = g.binary_pair(t, base)
            out.append((a, b, 0))
    elif cls[0] == 'ter':
        t = cls[1]
        sp = g.specials(t)
        small = [sp[i] for i in (0, 1, 2, 3, 4, 6, 19)]
        for a in small:
            for b in small:
                for c in (small[0], small[1], small[2], small[4], small[5], sp[21]):
                    if g.r.random() < 0.35:
                        out.append((a, b, c))
        while len(out) < n:
            a, b, c = g.ternary(t)
            out.append((a, b, c))
    elif cls[0] == 'un':
        t, op = cls[1], cls[2]
        out += [(v, 0, 0) for v in g.specials(t)]
        while len(out) < n:
            out.append((g.unary(t, op), 0, 0))
    elif cls[0] == 'toint':
        t, ib, fb = cls[1], cls[2], cls[3]
        out += [(v, 0, 0) for v in g.specials(t)[:14]]
        while len(out) < n:
            out.append((g.to_int_value(t, ib, fb, name[5] == 's'), 0, 0))
    elif cls[0] == 'fromint':
        ib = cls[2]
        while len(out) < n:
            v = g.int_value(ib)
            if ib == 32 and g.r.random() < 0.3:
                v |= g.r.getrandbits(32) << 32    # upper garbage must be ignored
            out.append((v, 0, 0))
    elif cls[0] == 'cvt':
        src, dst = cls[1], cls[2]
        out += [(v, 0, 0) for v in g.specials(src)]
        while len(out) < n:
            r = g.r.random()
            if r < 0.3 and src != 'h':
                # values near the destination's rounding boundaries, tiny and huge limits
                F = FMT[src]['f'] - FMT[dst]['f']
                if F > 0:
                    v = g.rand_finite(src, g.r.choice([1, 6]))
                    v = v & ~((1 << F) - 1) | g.r.choice([1 << (F - 1), (1 << (F - 1)) + 1, (1 << (F - 1)) - 1,
                                                            1, (1 << F) - 1])
                    out.append((v, 0, 0))
                    continue
            if r < 0.6 and src != 'h' and FMT[dst]['bits'] < FMT[src]['bits']:
                tgt = g.tiny_target(dst) if g.r.random() < 0.6 else g.huge_target(dst)
                v = from_fraction(src, tgt)
                out.append((g.perturb(src, v), 0, 0))
                continue
            out.append((g.rand(src), 0, 0))
    elif cls[0] == 'u32':
        while len(out) < n:
            r = g.r.random()
            v = g.r.getrandbits(32)
            if r < 0.2:
                v >>= g.r.randrange(0, 3)
            out.append((v, 0, 0))
    return out


def count_for(cls, scale):
    base = {'bin': 110, 'ter': 180, 'un': 90, 'toint': 36, 'fromint': 30, 'cvt': 260, 'u32': 200}[cls[0]]
    if cls[0] == 'un' and cls[2] in ('frecpe', 'frsqrte', 'fsqrt'):
        base = 180
    if cls[0] == 'toint' and cls[3] == 0:
        base = 60
    return max(1, int(base * scale))


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('--out', default=os.path.join(HERE, 'vectors.txt'))
    ap.add_argument('--scale', type=float, default=1.0)
    ap.add_argument('--seed', type=int, default=20240601)
    ap.add_argument('--qemu', default='qemu-aarch64')
    args = ap.parse_args()

    K = kinds()
    rng = random.Random(args.seed)
    g = Gen(rng)
    records = []
    for idx, (name, _, cls) in enumerate(K):
        for (a, b, c) in tuples_for(g, name, cls, count_for(cls, args.scale)):
            fpcrs = fpcrs_for(rng, cls)
            if cls[0] == 'u32':
                fpcrs = fpcrs[:1]
            for fpcr in fpcrs:
                records.append((idx, fpcr, a, b, c))

    with tempfile.TemporaryDirectory() as work:
        exe = build_driver(K, work)
        data = b''.join(struct.pack('<IIQQQ', *r) for r in records)
        res = subprocess.run([args.qemu, '-cpu', 'cortex-a53', exe], input=data, capture_output=True, check=True)
    out = res.stdout
    if len(out) != 16 * len(records):
        sys.exit(f'short output: {len(out)} bytes for {len(records)} records')
    with open(args.out, 'w') as f:
        f.write('# kind fpcr a b c result fpsr (hex); generated by gen.py under qemu-aarch64 -cpu cortex-a53\n')
        for i, (idx, fpcr, a, b, c) in enumerate(records):
            result, fpsr = struct.unpack_from('<QQ', out, 16 * i)
            f.write(f'{K[idx][0]} {fpcr:x} {a:x} {b:x} {c:x} {result:x} {fpsr:x}\n')
    print(f'{len(records)} vectors, {len(K)} kinds -> {args.out}')


if __name__ == '__main__':
    main()
