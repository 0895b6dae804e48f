/// Advanced SIMD shift by immediate and scalar shift by immediate (Arm ARM C4.1.x). The element
/// size is 8 << HighestSetBit(immh); right shifts are 2 * esize - immh:immb (1...esize), left
/// shifts immh:immb - esize (0...esize-1). Narrowing forms take 2 * esize sources.
extension Core {
    /// (esize in bits, immh:immb) of a shift-by-immediate word.
    @inline(__always) func shiftImmediateFields(_ w: UInt32) -> (Int, Int) {
        let immh = w.bits(22, 19)
        return (8 << (Int.bitWidth - 1 - immh.leadingZeroBitCount), w.bits(22, 16))
    }

    func simdShiftImmediate(_ w: UInt32) {
        let q = w.bit(30) == 1, u = w.bit(29) == 1, opcode = w.bits(15, 11)
        let (eb, immhb) = shiftImmediateFields(w)
        let n = vreg(w.rn), d = vreg(w.rd)
        var sat = false
        if opcode & 0b11100 == 0b10000 {
            // SHRN, RSHRN, SQSHRN, SQRSHRN, UQSHRN, UQRSHRN, SQSHRUN, SQRSHRUN.
            let count = 64 / eb, part = q ? count : 0, shift = 2 * eb - immhb
            var r = q ? d : V128.zero
            if opcode == 0b10000 && !u {
                // SHRN: plain truncating shift (no exact arithmetic needed).
                for e in 0..<count { r[part + e, eb] = (n[e, 2 * eb] >> UInt64(shift)) & ones(eb) }
            } else {
                for e in 0..<count { r[part + e, eb] = narrowingShift(opcode, u, n, e, eb, shift, &sat) }
            }
            saturated(sat)
            setV(w.rd, r, q: q)
            return
        }
        if opcode == 0b10100 {
            // SSHLL/USHLL: widen the low (Q = 0) or high half, then shift left.
            let count = 64 / eb, part = q ? count : 0, shift = immhb - eb
            var r = V128.zero
            for e in 0..<count { r[e, 2 * eb] = trunc(n.int(part + e, eb, signed: !u) << shift, 2 * eb) }
            setV(w.rd, r, q: true)
            return
        }
        switch (opcode, u) {
        case (0b00000, false):                                                         // SSHR
            let s = Int64(min(2 * eb - immhb, 63))
            setV(w.rd, V128.map(n, n, eb, q: q) { x, _ in UInt64(bitPattern: signed(x, eb) >> s) }, q: q)
            return
        case (0b00000, true):                                                          // USHR
            let s = 2 * eb - immhb
            setV(w.rd, V128.map(n, n, eb, q: q) { x, _ in s >= 64 ? 0 : x >> UInt64(s) }, q: q)
            return
        case (0b01010, false):                                                         // SHL
            let s = UInt64(immhb - eb)
            setV(w.rd, V128.map(n, n, eb, q: q) { x, _ in x << s }, q: q)
            return
        default: break
        }
        let count = (q ? 128 : 64) / eb
        var r = V128.zero
        for e in 0..<count { r[e, eb] = shiftElement(opcode, u, n, d, e, eb, immhb, &sat) }
        saturated(sat)
        setV(w.rd, r, q: q)
    }

    func simdShiftImmediateScalar(_ w: UInt32) {
        let u = w.bit(29) == 1, opcode = w.bits(15, 11)
        let (eb, immhb) = shiftImmediateFields(w)
        let n = vreg(w.rn), d = vreg(w.rd)
        var sat = false
        let r: UInt64
        if opcode & 0b11100 == 0b10000 {
            r = narrowingShift(opcode, u, V128(lo: n.lo & ones(2 * eb), hi: 0), 0, eb, 2 * eb - immhb, &sat)
        } else {
            r = shiftElement(opcode, u, n, d, 0, eb, immhb, &sat)
        }
        saturated(sat)
        setScalar(w.rd, r, bytes: eb / 8)
    }

    /// One element of a same-width shift by immediate.
    @inline(__always)
    private func shiftElement(_ opcode: Int, _ u: Bool, _ n: V128, _ d: V128, _ e: Int, _ eb: Int, _ immhb: Int,
                              _ sat: inout Bool) -> UInt64 {
        let right = 2 * eb - immhb, left = immhb - eb
        let x = n.int(e, eb, signed: !u), acc = d[e, eb], raw = n[e, eb]
        switch opcode {
        case 0b00000: return trunc(shiftRight(x, right, round: false), eb)                          // SSHR/USHR
        case 0b00010: return trunc(Int128(acc) + shiftRight(x, right, round: false), eb)            // SSRA/USRA
        case 0b00100: return trunc(shiftRight(x, right, round: true), eb)                           // SRSHR/URSHR
        case 0b00110: return trunc(Int128(acc) + shiftRight(x, right, round: true), eb)             // SRSRA/URSRA
        case 0b01000:                                                                               // SRI
            let mask = right >= eb ? 0 : ones(eb) >> UInt64(right)
            return (acc & ~mask) | ((right >= eb ? 0 : raw >> UInt64(right)) & mask)
        case 0b01010:                                                                               // SHL/SLI
            let shifted = (raw << UInt64(left)) & ones(eb)
            if !u { return shifted }
            let mask = (ones(eb) << UInt64(left)) & ones(eb)
            return (acc & ~mask) | shifted
        case 0b01100: return satQ(n.int(e, eb, signed: true) << left, eb, unsigned: true, &sat)     // SQSHLU
        default: return satQ(x << left, eb, unsigned: u, &sat)                                      // SQSHL/UQSHL
        }
    }

    /// Element `e` of a narrowing right shift: source element e of 2 * eb bits, result eb bits.
    /// opcode<0> rounds; U = 0: SHRN/RSHRN (truncating), SQSHRN/SQRSHRN; U = 1: SQSHRUN/SQRSHRUN,
    /// UQSHRN/UQRSHRN.
    @inline(__always)
    private func narrowingShift(_ opcode: Int, _ u: Bool, _ n: V128, _ e: Int, _ eb: Int, _ shift: Int,
                                _ sat: inout Bool) -> UInt64 {
        let round = opcode & 1 != 0, wb = 2 * eb
        switch (opcode & 0b10, u) {
        case (0, false): return trunc(shiftRight(Int128(n[e, wb]), shift, round: round), eb)                // SHRN/RSHRN
        case (0, true): return satQ(shiftRight(n.int(e, wb, signed: true), shift, round: round), eb, unsigned: true, &sat)
        default: return satQ(shiftRight(n.int(e, wb, signed: !u), shift, round: round), eb, unsigned: u, &sat)
        }
    }
}
