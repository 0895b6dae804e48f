/// Advanced SIMD three different, vector x indexed element (integer), and their scalar forms
/// (Arm ARM C4.1.x). Widening forms read the low (Q = 0) or high (Q = 1, the "2" forms) half of
/// their narrow operands; narrowing forms write the low half (zeroing the rest) or the high half
/// (keeping the low half).
extension Core {
    /// The widening multiply family shared by three-different and by-element forms.
    enum LongMultiply { case mul, mla, mls, sqdmull, sqdmlal, sqdmlsl }

    /// a * b on exact values, combined with the accumulator `acc` (a `wb`-bit element); the SQDM*
    /// forms double and saturate the product, then saturate the accumulation.
    @inline(__always)
    func longMultiply(_ k: LongMultiply, _ a: Int128, _ b: Int128, _ acc: UInt64, _ wb: Int, _ sat: inout Bool) -> UInt64 {
        switch k {
        case .mul: return trunc(a * b, wb)
        case .mla: return trunc(Int128(acc) + a * b, wb)
        case .mls: return trunc(Int128(acc) - a * b, wb)
        case .sqdmull, .sqdmlal, .sqdmlsl:
            let product = signedValue(satQ(2 * a * b, wb, unsigned: false, &sat), wb)
            if k == .sqdmull { return trunc(product, wb) }
            let s = signedValue(acc, wb)
            return satQ(k == .sqdmlal ? s + product : s - product, wb, unsigned: false, &sat)
        }
    }

    /// SQDMULH / SQRDMULH of one element pair: the high half of the doubled product.
    @inline(__always)
    func doublingMultiplyHigh(_ a: Int128, _ b: Int128, _ eb: Int, round: Bool, _ sat: inout Bool) -> UInt64 {
        satQ((2 * a * b + (round ? Int128(1) << (eb - 1) : 0)) >> eb, eb, unsigned: false, &sat)
    }

    func simdThreeDifferent(_ w: UInt32) {
        let q = w.bit(30) == 1, u = w.bit(29) == 1, size = w.bits(23, 22), opcode = w.bits(15, 12)
        let eb = 8 << size, wb = 2 * eb, count = 64 / eb, part = q ? count : 0
        let n = vreg(w.rn), m = vreg(w.rm), d = vreg(w.rd)
        var sat = false
        if opcode == 0b0100 || opcode == 0b0110 {
            // ADDHN/RADDHN, SUBHN/RSUBHN: the high half of each wide sum or difference.
            var r = q ? d : V128.zero
            for e in 0..<count {
                let a = Int128(n[e, wb]), b = Int128(m[e, wb])
                let s = (opcode == 0b0100 ? a + b : a - b) + (u ? Int128(1) << (eb - 1) : 0)
                r[part + e, eb] = trunc(s >> eb, eb)
            }
            setV(w.rd, r, q: q)
            return
        }
        var r = V128.zero
        for e in 0..<count {
            let a = n.int(part + e, eb, signed: !u), b = m.int(part + e, eb, signed: !u)
            let acc = d[e, wb]
            switch opcode {
            case 0b0000: r[e, wb] = trunc(a + b, wb)                                   // SADDL/UADDL
            case 0b0001: r[e, wb] = trunc(Int128(n[e, wb]) + b, wb)                    // SADDW/UADDW
            case 0b0010: r[e, wb] = trunc(a - b, wb)                                   // SSUBL/USUBL
            case 0b0011: r[e, wb] = trunc(Int128(n[e, wb]) - b, wb)                    // SSUBW/USUBW
            case 0b0101: r[e, wb] = trunc(Int128(acc) + abs(a - b), wb)                // SABAL/UABAL
            case 0b0111: r[e, wb] = trunc(abs(a - b), wb)                              // SABDL/UABDL
            case 0b1000: r[e, wb] = longMultiply(.mla, a, b, acc, wb, &sat)            // SMLAL/UMLAL
            case 0b1001: r[e, wb] = longMultiply(.sqdmlal, a, b, acc, wb, &sat)        // SQDMLAL
            case 0b1010: r[e, wb] = longMultiply(.mls, a, b, acc, wb, &sat)            // SMLSL/UMLSL
            case 0b1011: r[e, wb] = longMultiply(.sqdmlsl, a, b, acc, wb, &sat)        // SQDMLSL
            case 0b1100: r[e, wb] = longMultiply(.mul, a, b, acc, wb, &sat)            // SMULL/UMULL
            case 0b1101: r[e, wb] = longMultiply(.sqdmull, a, b, acc, wb, &sat)        // SQDMULL
            default: r[e, wb] = polyMul8(n[part + e, 8], m[part + e, 8])               // PMULL
            }
        }
        saturated(sat)
        setV(w.rd, r, q: true)
    }

    func simdThreeDifferentScalar(_ w: UInt32) {
        let eb = 8 << w.bits(23, 22), wb = 2 * eb
        let kind: LongMultiply = [.sqdmlal, .sqdmlsl, .sqdmull][(w.bits(15, 12) - 0b1001) / 2]
        var sat = false
        let r = longMultiply(kind, vreg(w.rn).int(0, eb, signed: true), vreg(w.rm).int(0, eb, signed: true),
                             vLow(w.rd) & ones(wb), wb, &sat)
        saturated(sat)
        setScalar(w.rd, r, bytes: wb / 8)
    }

    /// The by-element operand: (register, index) from size, H, L, M and bits 19:16.
    func indexedOperand(_ w: UInt32) -> (Int, Int) {
        if w.bits(23, 22) == 1 { return (w.bits(19, 16), w.bit(11) << 2 | w.bit(21) << 1 | w.bit(20)) }
        return (w.bits(20, 16), w.bit(11) << 1 | w.bit(21))
    }

    func simdIndexed(_ w: UInt32) {
        let q = w.bit(30) == 1, u = w.bit(29) == 1, opcode = w.bits(15, 12)
        let eb = 8 << w.bits(23, 22), wb = 2 * eb
        let (mreg, index) = indexedOperand(w)
        let n = vreg(w.rn), d = vreg(w.rd), mv = vreg(mreg)
        var r = V128.zero
        var sat = false
        switch opcode {
        case 0b0000, 0b0100, 0b1000, 0b1100, 0b1101:
            // Same-width forms: MLA, MLS, MUL, SQDMULH, SQRDMULH.
            let count = (q ? 128 : 64) / eb, b = mv[index, eb]
            for e in 0..<count {
                let a = n[e, eb]
                switch opcode {
                case 0b0000: r[e, eb] = (d[e, eb] &+ a &* b) & ones(eb)
                case 0b0100: r[e, eb] = (d[e, eb] &- a &* b) & ones(eb)
                case 0b1000: r[e, eb] = (a &* b) & ones(eb)
                default:
                    r[e, eb] = doublingMultiplyHigh(n.int(e, eb, signed: true), mv.int(index, eb, signed: true), eb,
                                                    round: opcode == 0b1101, &sat)
                }
            }
            saturated(sat)
            setV(w.rd, r, q: q)
        default:
            // Widening forms.
            // opcode<3:2> 00 accumulate, 01 subtract, 10 plain; opcode<0> doubling and saturating.
            let kind: LongMultiply = opcode & 1 == 0 ? [.mla, .mls, .mul][opcode >> 2] : [.sqdmlal, .sqdmlsl, .sqdmull][opcode >> 2]
            let count = 64 / eb, part = q ? count : 0, b = mv.int(index, eb, signed: !u)
            for e in 0..<count {
                r[e, wb] = longMultiply(kind, n.int(part + e, eb, signed: !u), b, d[e, wb], wb, &sat)
            }
            saturated(sat)
            setV(w.rd, r, q: true)
        }
    }

    func simdIndexedScalar(_ w: UInt32) {
        let opcode = w.bits(15, 12), eb = 8 << w.bits(23, 22), wb = 2 * eb
        let (mreg, index) = indexedOperand(w)
        let a = vreg(w.rn).int(0, eb, signed: true), b = vreg(mreg).int(index, eb, signed: true)
        var sat = false
        switch opcode {
        case 0b1100, 0b1101:
            let r = doublingMultiplyHigh(a, b, eb, round: opcode == 0b1101, &sat)
            saturated(sat)
            setScalar(w.rd, r, bytes: eb / 8)
        default:
            let kind: LongMultiply = [.sqdmlal, .sqdmlsl, .sqdmull][opcode >> 2]
            let r = longMultiply(kind, a, b, vLow(w.rd) & ones(wb), wb, &sat)
            saturated(sat)
            setScalar(w.rd, r, bytes: wb / 8)
        }
    }
}

/// A `wb`-bit pattern as a signed exact value.
@inline(__always) func signedValue(_ raw: UInt64, _ wb: Int) -> Int128 { Int128(Int64(bitPattern: sext(raw, wb))) }
