/// Advanced SIMD three same (integer) and scalar three same (Arm ARM C4.1.x; instruction pages
/// SHADD ... ADDP). Fields: Q (30), U (29), size (23:22), opcode (15:11).
extension Core {
    func simdThreeSame(_ w: UInt32, scalar: Bool) {
        let q = w.bit(30) == 1, u = w.bit(29) == 1, size = w.bits(23, 22), opcode = w.bits(15, 11)
        let n = vreg(w.rn), m = vreg(w.rm), d = vreg(w.rd)
        if opcode == 0b00011 {
            // Logical: whole-register bit operations selected by U:size.
            let r: (UInt64, UInt64)
            switch (u, size) {
            case (false, 0): r = (n.lo & m.lo, n.hi & m.hi)                                       // AND
            case (false, 1): r = (n.lo & ~m.lo, n.hi & ~m.hi)                                     // BIC
            case (false, 2): r = (n.lo | m.lo, n.hi | m.hi)                                       // ORR
            case (false, _): r = (n.lo | ~m.lo, n.hi | ~m.hi)                                     // ORN
            case (true, 0): r = (n.lo ^ m.lo, n.hi ^ m.hi)                                        // EOR
            case (true, 1): r = (m.lo ^ ((m.lo ^ n.lo) & d.lo), m.hi ^ ((m.hi ^ n.hi) & d.hi))    // BSL
            case (true, 2): r = (d.lo ^ ((d.lo ^ n.lo) & m.lo), d.hi ^ ((d.hi ^ n.hi) & m.hi))    // BIT
            case (true, _): r = (d.lo ^ ((d.lo ^ n.lo) & ~m.lo), d.hi ^ ((d.hi ^ n.hi) & ~m.hi))  // BIF
            }
            setV(w.rd, r.0, q ? r.1 : 0)
            return
        }
        let eb = 8 << size
        if !scalar || size == 3, let r = threeSameFast(opcode, u, n, m, eb, q: q && !scalar) {
            setV(w.rd, r, q: q && !scalar)
            return
        }
        let count = scalar ? 1 : (q ? 128 : 64) / eb
        var r = V128.zero
        var sat = false
        // Pairwise forms are all handled by the fast path.
        for e in 0..<count {
            r[e, eb] = threeSameElement(opcode, u, n, m, d, e, eb, &sat)
        }
        saturated(sat)
        if scalar { setScalar(w.rd, r.lo, bytes: eb / 8) } else { setV(w.rd, r, q: q) }
    }

    /// Lane-wise fast paths (no saturation, no exact arithmetic) for the operations string and
    /// memory routines use; nil for everything else.
    @inline(__always)
    private func threeSameFast(_ opcode: Int, _ u: Bool, _ n: V128, _ m: V128, _ eb: Int, q: Bool) -> V128? {
        switch (opcode, u) {
        case (0b10000, false): return V128.map(n, m, eb, q: q) { $0 &+ $1 }                            // ADD
        case (0b10000, true): return V128.map(n, m, eb, q: q) { $0 &- $1 }                             // SUB
        case (0b10001, false): return V128.map(n, m, eb, q: q) { $0 & $1 != 0 ? ~0 : 0 }               // CMTST
        case (0b10001, true): return V128.map(n, m, eb, q: q) { $0 == $1 ? ~0 : 0 }                    // CMEQ
        case (0b00110, false): return V128.map(n, m, eb, q: q) { signed($0, eb) > signed($1, eb) ? ~0 : 0 }   // CMGT
        case (0b00110, true): return V128.map(n, m, eb, q: q) { $0 > $1 ? ~0 : 0 }                     // CMHI
        case (0b00111, false): return V128.map(n, m, eb, q: q) { signed($0, eb) >= signed($1, eb) ? ~0 : 0 }  // CMGE
        case (0b00111, true): return V128.map(n, m, eb, q: q) { $0 >= $1 ? ~0 : 0 }                    // CMHS
        case (0b01100, false): return V128.map(n, m, eb, q: q) { signed($0, eb) >= signed($1, eb) ? $0 : $1 }  // SMAX
        case (0b01100, true): return V128.map(n, m, eb, q: q) { max($0, $1) }                          // UMAX
        case (0b01101, false): return V128.map(n, m, eb, q: q) { signed($0, eb) <= signed($1, eb) ? $0 : $1 }  // SMIN
        case (0b01101, true): return V128.map(n, m, eb, q: q) { min($0, $1) }                          // UMIN
        case (0b10011, false): return V128.map(n, m, eb, q: q) { $0 &* $1 }                            // MUL
        case (0b10100, false): return V128.pairwise(n, m, eb, q: q) { signed($0, eb) >= signed($1, eb) ? $0 : $1 }  // SMAXP
        case (0b10100, true): return V128.pairwise(n, m, eb, q: q) { max($0, $1) }                     // UMAXP
        case (0b10101, false): return V128.pairwise(n, m, eb, q: q) { signed($0, eb) <= signed($1, eb) ? $0 : $1 }  // SMINP
        case (0b10101, true): return V128.pairwise(n, m, eb, q: q) { min($0, $1) }                     // UMINP
        case (0b10111, false): return V128.pairwise(n, m, eb, q: q) { $0 &+ $1 }                       // ADDP
        default: return nil
        }
    }

    /// One element of a non-logical, non-pairwise three-same operation.
    @inline(__always)
    private func threeSameElement(_ opcode: Int, _ u: Bool, _ n: V128, _ m: V128, _ d: V128, _ e: Int, _ eb: Int,
                                  _ sat: inout Bool) -> UInt64 {
        let x = n.int(e, eb, signed: !u), y = m.int(e, eb, signed: !u)
        let allOnes = ones(eb)
        switch opcode {
        case 0b00000: return trunc((x + y) >> 1, eb)                               // SHADD/UHADD
        case 0b00001: return satQ(x + y, eb, unsigned: u, &sat)                    // SQADD/UQADD
        case 0b00010: return trunc((x + y + 1) >> 1, eb)                           // SRHADD/URHADD
        case 0b00100: return trunc((x - y) >> 1, eb)                               // SHSUB/UHSUB
        case 0b00101: return satQ(x - y, eb, unsigned: u, &sat)                    // SQSUB/UQSUB
        case 0b00110: return x > y ? allOnes : 0                                   // CMGT/CMHI
        case 0b00111: return x >= y ? allOnes : 0                                  // CMGE/CMHS
        case 0b01000, 0b01001, 0b01010, 0b01011:                                   // [SU][Q][R]SHL
            return shiftByRegister(x, m[e, eb], eb, round: opcode & 2 != 0, saturate: opcode & 1 != 0,
                                   unsigned: u, &sat)
        case 0b01100: return trunc(max(x, y), eb)                                  // SMAX/UMAX
        case 0b01101: return trunc(min(x, y), eb)                                  // SMIN/UMIN
        case 0b01110: return trunc(abs(x - y), eb)                                 // SABD/UABD
        case 0b01111: return trunc(Int128(d[e, eb]) + abs(x - y), eb)              // SABA/UABA
        case 0b10000: return u ? (n[e, eb] &- m[e, eb]) & allOnes : (n[e, eb] &+ m[e, eb]) & allOnes  // SUB/ADD
        case 0b10001: return u ? (n[e, eb] == m[e, eb] ? allOnes : 0) : (n[e, eb] & m[e, eb] != 0 ? allOnes : 0)  // CMEQ/CMTST
        case 0b10010:                                                              // MLA/MLS
            let p = n[e, eb] &* m[e, eb]
            return (u ? d[e, eb] &- p : d[e, eb] &+ p) & allOnes
        case 0b10011: return u ? polyMul8(n[e, eb], m[e, eb]) & 0xFF : (n[e, eb] &* m[e, eb]) & allOnes  // PMUL/MUL
        default:                                                                   // SQDMULH/SQRDMULH
            return doublingMultiplyHigh(n.int(e, eb, signed: true), m.int(e, eb, signed: true), eb, round: u, &sat)
        }
    }
}
