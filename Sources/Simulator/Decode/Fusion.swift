/// Superinstructions: a compare followed by B.cond in the same page becomes one slot, so the hot
/// loop dispatches once and tests the condition on the compare's operands without reading back the
/// lazily recorded flags. The B.cond keeps its own slot (branches may target it); the fused slot
/// retires both and skips it. A write to the B.cond's word also forgets the slot before it
/// (`MemoryRegion.invalidateCode`), so a rewritten branch is never run from a stale fusion.
enum Fusion {
    /// The fused form of `first` when `next` is a B.cond, or nil. The compare's immediate stays in
    /// the low 32 bits of `imm` (ADD/SUB immediates are at most 0xFFF000), the branch's signed byte
    /// offset, relative to the B.cond, in the high 32; `a` and `b` hold the condition's mask
    /// (`conditionMask`), low byte first.
    static func compareAndBranch(_ first: Insn, next: Insn) -> Insn? {
        guard next.op == .bCond else { return nil }
        let fused: Op
        switch first.op {
        case .subsImm64: fused = .cmpImmBcc64
        case .subsImm32: fused = .cmpImmBcc32
        // Register compares without a shift (CMP Xn, Xm): the shifted forms stay as they are.
        case .subsReg64 where first.b == 0: fused = .cmpRegBcc64
        case .subsReg32 where first.b == 0: fused = .cmpRegBcc32
        default: return nil
        }
        var insn = first
        insn.op = fused
        let mask = conditionMask(next.a)
        insn.a = UInt8(truncatingIfNeeded: mask)
        insn.b = UInt8(truncatingIfNeeded: mask >> 8)
        insn.imm = (first.imm & 0xFFFF_FFFF) | (next.imm << 32)
        insn.cost = first.cost &+ next.cost
        return insn
    }

    /// The 16 NZCV values (N = bit 3 ... V = bit 0) for which condition `cond` holds, as a bit mask:
    /// ConditionHolds() evaluated once at decode time, so the hot loop tests one bit.
    static func conditionMask(_ cond: UInt8) -> UInt16 {
        var mask: UInt16 = 0
        for nzcv in 0..<16 where CPUState.holds(cond, UInt64(nzcv) << 28) { mask |= 1 << UInt16(nzcv) }
        return mask
    }

    /// NZCV (N = bit 3 ... V = bit 0) of `a - b = r`, operands already cut to the width.
    @inline(__always)
    static func subtractionFlags(_ a: UInt64, _ b: UInt64, _ r: UInt64, wide: Bool) -> UInt64 {
        let top: UInt64 = wide ? 63 : 31
        let n = (r &>> top) & 1, z: UInt64 = r == 0 ? 1 : 0, c: UInt64 = a >= b ? 1 : 0
        let v = (((a ^ b) & (a ^ r)) &>> top) & 1
        return n << 3 | z << 2 | c << 1 | v
    }

    /// ConditionHolds() for the flags of `a - b = r` (operands already cut to the width), without
    /// forming NZCV: equality and the orderings come straight from the operands.
    @inline(__always)
    static func subtractionHolds(_ cond: UInt8, _ a: UInt64, _ b: UInt64, _ r: UInt64, wide: Bool) -> Bool {
        let result: Bool
        switch cond >> 1 {
        case 0: result = a == b                                                  // EQ
        case 1: result = a >= b                                                  // CS: no borrow
        case 2: result = (wide ? r >> 63 : r >> 31) & 1 == 1                     // MI
        case 3: result = (wide ? ((a ^ b) & (a ^ r)) >> 63 : ((a ^ b) & (a ^ r)) >> 31) & 1 == 1  // VS
        case 4: result = a > b                                                   // HI
        case 5:                                                                  // GE
            result = wide ? Int64(bitPattern: a) >= Int64(bitPattern: b)
                          : Int32(truncatingIfNeeded: a) >= Int32(truncatingIfNeeded: b)
        case 6:                                                                  // GT
            result = wide ? Int64(bitPattern: a) > Int64(bitPattern: b)
                          : Int32(truncatingIfNeeded: a) > Int32(truncatingIfNeeded: b)
        default: result = true                                                   // AL, NV
        }
        return (cond & 1 != 0 && cond != 15) ? !result : result
    }
}
