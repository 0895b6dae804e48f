/// Advanced SIMD integer, permute, copy, table, modified-immediate and shift families (class
/// numbers 64..<192, see `SIMDIntClass`). Handlers decode the instruction word's fields again at
/// execute time; reserved size/Q combinations never get here (the decoder returns UNDEFINED).
/// Arithmetic follows the Arm ARM pseudocode: element values widened to exact integers (Int128),
/// then truncated or saturated; saturation sets FPSR.QC (bit 27, sticky).
extension Core {
    func simdInteger(_ cls: UInt8, _ w: UInt32, pc: UInt64) -> Bool {
        guard let c = SIMDIntClass(rawValue: cls) else { undefined(pc: pc); return true }
        switch c {
        case .threeSame: simdThreeSame(w, scalar: false)
        case .threeSameScalar: simdThreeSame(w, scalar: true)
        case .threeDifferent: simdThreeDifferent(w)
        case .threeDifferentScalar: simdThreeDifferentScalar(w)
        case .indexed: simdIndexed(w)
        case .indexedScalar: simdIndexedScalar(w)
        case .twoRegMisc: simdTwoRegMisc(w)
        case .twoRegMiscScalar: simdTwoRegMiscScalar(w)
        case .acrossLanes: simdAcrossLanes(w)
        case .pairwiseScalar: setScalar(w.rd, vLow(w.rn) &+ vHigh(w.rn), bytes: 8)
        case .shiftImmediate: simdShiftImmediate(w)
        case .shiftImmediateScalar: simdShiftImmediateScalar(w)
        case .copy: simdCopy(w)
        case .copyScalar:
            let size = A64.copySize(w), eb = 8 << size
            setScalar(w.rd, vreg(w.rn)[w.bits(20, 16) >> (size + 1), eb], bytes: eb / 8)
        case .modifiedImmediate: simdModifiedImmediate(w)
        case .permute: simdPermute(w)
        case .extract: simdExtract(w)
        case .table: simdTable(w)
        }
        return false
    }

    @inline(__always) func vreg(_ n: Int) -> V128 { V128(lo: vLow(n), hi: vHigh(n)) }

    /// Writes a vector result: all 128 bits when `q`, else the low 64 with bits 127:64 zeroed.
    @inline(__always) func setV(_ d: Int, _ r: V128, q: Bool) { setV(d, r.lo, q ? r.hi : 0) }

    /// Sets FPSR.QC when an operation saturated.
    @inline(__always) func saturated(_ sat: Bool) { if sat { self[.fpsr] |= 1 << 27 } }
}

/// A 128-bit SIMD&FP register value with element access by element size in bits (8...64).
struct V128 {
    var lo: UInt64
    var hi: UInt64

    static let zero = V128(lo: 0, hi: 0)

    subscript(_ i: Int, _ eb: Int) -> UInt64 {
        @inline(__always) get {
            let bit = i &* eb
            let word = bit < 64 ? lo : hi
            return eb == 64 ? word : (word >> UInt64(bit & 63)) & ((1 << UInt64(eb)) &- 1)
        }
        @inline(__always) set {
            let bit = i &* eb
            if eb == 64 {
                if bit < 64 { lo = newValue } else { hi = newValue }
                return
            }
            let sh = UInt64(bit & 63), mask: UInt64 = ((1 << UInt64(eb)) &- 1) << sh
            if bit < 64 { lo = (lo & ~mask) | ((newValue << sh) & mask) } else { hi = (hi & ~mask) | ((newValue << sh) & mask) }
        }
    }

    /// Applies `f` to each pair of `eb`-bit lanes of `n` and `m` (low 64 bits, and the high 64
    /// when `q`; the high half of the result is zero otherwise). `f` sees zero-extended lanes; its
    /// result is truncated to the lane. The fast path for simple lane-wise operations.
    @inline(__always)
    static func map(_ n: V128, _ m: V128, _ eb: Int, q: Bool, _ f: (UInt64, UInt64) -> UInt64) -> V128 {
        V128(lo: mapWord(n.lo, m.lo, eb, f), hi: q ? mapWord(n.hi, m.hi, eb, f) : 0)
    }

    @inline(__always)
    static func mapWord(_ a: UInt64, _ b: UInt64, _ eb: Int, _ f: (UInt64, UInt64) -> UInt64) -> UInt64 {
        if eb == 64 { return f(a, b) }
        let mask = ones(eb), step = UInt64(eb)
        var out: UInt64 = 0, sh: UInt64 = 0
        while sh < 64 {
            out |= (f((a >> sh) & mask, (b >> sh) & mask) & mask) << sh
            sh &+= step
        }
        return out
    }

    /// Pairwise fast path: `f` over adjacent lane pairs of the concatenation Vm:Vn (lanes < 64 bits,
    /// or 64-bit lanes with q).
    @inline(__always)
    static func pairwise(_ n: V128, _ m: V128, _ eb: Int, q: Bool, _ f: (UInt64, UInt64) -> UInt64) -> V128 {
        if eb == 64 { return V128(lo: f(n.lo, n.hi), hi: f(m.lo, m.hi)) }
        @inline(__always) func pairs(_ a: UInt64) -> UInt64 {
            let mask = ones(eb), step = UInt64(eb)
            var out: UInt64 = 0, sh: UInt64 = 0, o: UInt64 = 0
            while sh < 64 {
                out |= (f((a >> sh) & mask, (a >> (sh &+ step)) & mask) & mask) << o
                sh &+= 2 &* step
                o &+= step
            }
            return out
        }
        if q { return V128(lo: pairs(n.lo) | pairs(n.hi) << 32, hi: pairs(m.lo) | pairs(m.hi) << 32) }
        return V128(lo: pairs(n.lo) | pairs(m.lo) << 32, hi: 0)
    }

    /// Element `i` as an exact integer, signed or unsigned.
    @inline(__always) func int(_ i: Int, _ eb: Int, signed: Bool) -> Int128 {
        let raw = self[i, eb]
        return signed ? Int128(Int64(bitPattern: sext(raw, eb))) : Int128(raw)
    }
}

// Exact-integer helpers shared by the handlers. `eb` is the element size in bits.

/// A zero-extended `eb`-bit lane as a signed value.
@inline(__always) func signed(_ x: UInt64, _ eb: Int) -> Int64 { Int64(bitPattern: sext(x, eb)) }

/// The low `eb` bits of an exact result (modular arithmetic, as `res<esize-1:0>`).
@inline(__always) func trunc(_ v: Int128, _ eb: Int) -> UInt64 { UInt64(truncatingIfNeeded: v) & ones(eb) }

/// SignedSatQ / UnsignedSatQ: clamps to the `eb`-bit range, setting `sat` when it had to.
@inline(__always) func satQ(_ v: Int128, _ eb: Int, unsigned: Bool, _ sat: inout Bool) -> UInt64 {
    let lo: Int128 = unsigned ? 0 : -(Int128(1) << (eb - 1))
    let hi: Int128 = unsigned ? (Int128(1) << eb) - 1 : (Int128(1) << (eb - 1)) - 1
    if v < lo { sat = true; return trunc(lo, eb) }
    if v > hi { sat = true; return trunc(hi, eb) }
    return trunc(v, eb)
}

/// x >> s for s >= 0 (arithmetic on the exact value), adding the rounding constant 2^(s-1) first
/// when `round`: floor((x + 2^(s-1)) / 2^s) = (x >> s) + bit s-1 of x. Any s (shifts past the
/// value give its sign).
@inline(__always) func shiftRight(_ x: Int128, _ s: Int, round: Bool) -> Int128 {
    if s <= 0 { return x }
    let q = x >> Int128(min(s, 127))
    return round ? q + ((x >> Int128(min(s - 1, 127))) & 1) : q
}

/// The shift-by-register operations (SSHL, SRSHL, SQSHL, SQRSHL and unsigned forms): `x` (an
/// `eb`-bit element as an exact value) shifted by the signed low byte of `amount`; negative
/// amounts shift right, rounding when `round`; the result is truncated or saturated.
@inline(__always) func shiftByRegister(_ x: Int128, _ amount: UInt64, _ eb: Int, round: Bool, saturate: Bool,
                                       unsigned: Bool, _ sat: inout Bool) -> UInt64 {
    let sh = Int(Int8(truncatingIfNeeded: amount))
    if sh < 0 { return trunc(shiftRight(x, -sh, round: round), eb) }  // narrower than x: never saturates
    if sh >= eb {
        // Every bit leaves the element: zero, or saturation for a non-zero value.
        if !saturate || x == 0 { return 0 }
        return satQ(x < 0 ? Int128.min : Int128.max, eb, unsigned: unsigned, &sat)
    }
    let v = x << Int128(sh)  // |x| < 2^eb and sh < eb: exact in 128 bits
    return saturate ? satQ(v, eb, unsigned: unsigned, &sat) : trunc(v, eb)
}

/// Polynomial (carry-less) multiplication of two 8-bit values, 16-bit result.
@inline(__always) func polyMul8(_ a: UInt64, _ b: UInt64) -> UInt64 {
    var r: UInt64 = 0
    for i in 0..<8 where (b >> UInt64(i)) & 1 != 0 { r ^= a << UInt64(i) }
    return r
}
