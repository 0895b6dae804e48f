/// Advanced SIMD two-register miscellaneous (integer), its scalar form, and across lanes (Arm ARM
/// C4.1.x). Fields: Q (30), U (29), size (23:22), opcode (16:12).
extension Core {
    func simdTwoRegMisc(_ w: UInt32) {
        let q = w.bit(30) == 1, u = w.bit(29) == 1, size = w.bits(23, 22), opcode = w.bits(16, 12)
        let eb = 8 << size, count = (q ? 128 : 64) / eb
        let n = vreg(w.rn), d = vreg(w.rd)
        var r = V128.zero
        var sat = false
        switch opcode {
        case 0b00000, 0b00001:
            // REV64 / REV32 / REV16: reverse elements within 64-, 32- or 16-bit containers.
            let container = opcode == 1 ? 16 : (u ? 32 : 64)
            let flip = container / eb - 1
            for e in 0..<count { r[e, eb] = n[e ^ flip, eb] }
        case 0b00010, 0b00110:
            // SADDLP/UADDLP, SADALP/UADALP: adjacent pairs widened and added.
            let wb = 2 * eb
            for e in 0..<count / 2 {
                let s = n.int(2 * e, eb, signed: !u) + n.int(2 * e + 1, eb, signed: !u)
                r[e, wb] = trunc(s + (opcode == 0b00110 ? Int128(d[e, wb]) : 0), wb)
            }
        case 0b00011:
            // SUQADD: signed accumulator + unsigned operand; USQADD: unsigned accumulator + signed operand.
            for e in 0..<count {
                r[e, eb] = satQ(d.int(e, eb, signed: !u) + n.int(e, eb, signed: u), eb, unsigned: u, &sat)
            }
        case 0b00100:
            for e in 0..<count { r[e, eb] = u ? countLeadingZeros(n[e, eb], eb) : countLeadingSignBits(n[e, eb], eb) }
        case 0b00101:
            if !u {                                                           // CNT
                for e in 0..<count { r[e, 8] = UInt64(n[e, 8].nonzeroBitCount) }
            } else if size == 0 {                                             // NOT
                r = V128(lo: ~n.lo, hi: ~n.hi)
            } else {                                                          // RBIT
                for e in 0..<(q ? 16 : 8) { r[e, 8] = UInt64(UInt8(truncatingIfNeeded: n[e, 8]).bitReversed) }
            }
        case 0b00111:                                                         // SQABS / SQNEG
            for e in 0..<count {
                let x = n.int(e, eb, signed: true)
                r[e, eb] = satQ(u ? -x : abs(x), eb, unsigned: false, &sat)
            }
        case 0b10010, 0b10011, 0b10100:
            narrowOrShll(opcode, u, size, n, d, q: q, &r, &sat)
        default:
            // Compares with zero (CMGT, CMGE, CMEQ, CMLE, CMLT) and ABS/NEG, lane-wise.
            r = V128.map(n, n, eb, q: q) { x, _ in compareZeroOrAbs(opcode, u, signed(x, eb), eb) }
        }
        saturated(sat)
        // SHLL always writes 128 bits; the narrowing "2" forms have copied the low half into r.
        setV(w.rd, r, q: q || opcode == 0b10011)
    }

    /// XTN, SQXTUN, SQXTN, UQXTN (narrow into the low or, for Q = 1, high half) and SHLL (widen).
    private func narrowOrShll(_ opcode: Int, _ u: Bool, _ size: Int, _ n: V128, _ d: V128, q: Bool,
                              _ r: inout V128, _ sat: inout Bool) {
        let eb = 8 << size, wb = 2 * eb, count = 64 / eb, part = q ? count : 0
        if opcode == 0b10011 {
            for e in 0..<count { r[e, wb] = n[part + e, eb] << UInt64(eb) }
            return
        }
        if q { r = d }
        for e in 0..<count {
            let v: UInt64
            switch (opcode, u) {
            case (0b10010, false): v = n[e, wb] & ones(eb)                                          // XTN
            case (0b10010, true): v = satQ(n.int(e, wb, signed: true), eb, unsigned: true, &sat)    // SQXTUN
            default: v = satQ(n.int(e, wb, signed: !u), eb, unsigned: u, &sat)                      // SQXTN/UQXTN
            }
            r[part + e, eb] = v
        }
    }

    /// CMGT/CMGE/CMEQ/CMLE/CMLT against zero and ABS/NEG for one signed element.
    @inline(__always)
    private func compareZeroOrAbs(_ opcode: Int, _ u: Bool, _ x: Int64, _ eb: Int) -> UInt64 {
        let t = ones(eb)
        switch (opcode, u) {
        case (0b01000, false): return x > 0 ? t : 0
        case (0b01000, true): return x >= 0 ? t : 0
        case (0b01001, false): return x == 0 ? t : 0
        case (0b01001, true): return x <= 0 ? t : 0
        case (0b01010, _): return x < 0 ? t : 0
        default: return UInt64(bitPattern: u ? 0 &- x : (x < 0 ? 0 &- x : x)) & t
        }
    }

    func simdTwoRegMiscScalar(_ w: UInt32) {
        let u = w.bit(29) == 1, size = w.bits(23, 22), opcode = w.bits(16, 12)
        let eb = 8 << size
        let n = vreg(w.rn), d = vreg(w.rd)
        var r = V128.zero
        var sat = false
        switch opcode {
        case 0b00011: r[0, eb] = satQ(d.int(0, eb, signed: !u) + n.int(0, eb, signed: u), eb, unsigned: u, &sat)
        case 0b00111:
            let x = n.int(0, eb, signed: true)
            r[0, eb] = satQ(u ? -x : abs(x), eb, unsigned: false, &sat)
        case 0b10010: r[0, eb] = satQ(n.int(0, 2 * eb, signed: true), eb, unsigned: true, &sat)   // SQXTUN
        case 0b10100: r[0, eb] = satQ(n.int(0, 2 * eb, signed: !u), eb, unsigned: u, &sat)        // SQXTN/UQXTN
        default: r[0, eb] = compareZeroOrAbs(opcode, u, signed(n[0, eb], eb), eb)
        }
        saturated(sat)
        setScalar(w.rd, r.lo, bytes: eb / 8)
    }

    func simdAcrossLanes(_ w: UInt32) {
        let q = w.bit(30) == 1, u = w.bit(29) == 1, opcode = w.bits(16, 12)
        let eb = 8 << w.bits(23, 22), count = (q ? 128 : 64) / eb
        let n = vreg(w.rn)
        // Sums of at most 16 lanes fit in 64 bits.
        @inline(__always) func lane(_ e: Int) -> Int64 { u ? Int64(bitPattern: n[e, eb]) : signed(n[e, eb], eb) }
        var acc = lane(0)
        for e in 1..<count {
            let x = lane(e)
            switch opcode {
            case 0b01010: acc = max(acc, x)
            case 0b11010: acc = min(acc, x)
            default: acc += x
            }
        }
        // SADDLV/UADDLV produce a 2*esize result; the others an esize one.
        let rb = opcode == 0b00011 ? 2 * eb : eb
        setScalar(w.rd, UInt64(bitPattern: acc) & ones(rb), bytes: rb / 8)
    }
}

/// CLZ of an `eb`-bit element.
@inline(__always) func countLeadingZeros(_ x: UInt64, _ eb: Int) -> UInt64 {
    UInt64(x.leadingZeroBitCount - (64 - eb))
}

/// CLS of an `eb`-bit element: leading bits equal to the sign bit, not counting the sign bit.
@inline(__always) func countLeadingSignBits(_ x: UInt64, _ eb: Int) -> UInt64 {
    // Bit j of v is x<j+1> EOR x<j> for j < eb - 1, zero above.
    let s = sext(x, eb), v = (s ^ (s << 1)) >> 1
    return UInt64(v.leadingZeroBitCount - 65 + eb)
}

extension UInt8 {
    var bitReversed: UInt8 {
        var v = self, r: UInt8 = 0
        for _ in 0..<8 { r = r << 1 | v & 1; v >>= 1 }
        return r
    }
}
