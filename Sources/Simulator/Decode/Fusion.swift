/// Superinstructions: a compare (SUBS, or ADDS immediate) followed by B.cond in the same page becomes one slot, so the hot
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
        // ADDS immediate: loop counters counting up to zero (ADDS W1, W1, #1; B.NE).
        case .addsImm64: fused = .cmnImmBcc64
        case .addsImm32: fused = .cmnImmBcc32
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
    /// ConditionHolds() as data, four conditions a word (EQ NE CS CC, MI PL VS VC, HI LS GE LT,
    /// GT LE AL NV), checked against `CPUState.holds` by FusionTests.
    @_transparent
    static func conditionMask(_ cond: UInt8) -> UInt16 {
        let word: UInt64
        switch cond >> 2 {
        case 0: word = 0x3333_CCCC_0F0F_F0F0
        case 1: word = 0x5555_AAAA_00FF_FF00
        case 2: word = 0x55AA_AA55_F3F3_0C0C
        default: word = 0xFFFF_FFFF_F5FA_0A05
        }
        return UInt16(truncatingIfNeeded: word &>> (UInt64(cond & 3) &* 16))
    }

    /// NZCV (N = bit 3 ... V = bit 0) of `a + b = r`, operands already cut to the width.
    @_transparent
    static func additionFlags(_ a: UInt64, _ b: UInt64, _ r: UInt64, wide: Bool) -> UInt64 {
        let top: UInt64 = wide ? 63 : 31
        let n = (r &>> top) & 1, z: UInt64 = r == 0 ? 1 : 0, c: UInt64 = r < a ? 1 : 0
        let v = (((a ^ r) & (b ^ r)) &>> top) & 1
        return n << 3 | z << 2 | c << 1 | v
    }

    /// ConditionHolds() on NZCV in bits 3:0.
    @_transparent
    static func holds(_ cond: UInt8, nzcv: UInt64) -> Bool {
        (UInt64(conditionMask(cond)) &>> nzcv) & 1 != 0
    }

    /// NZCV (N = bit 3 ... V = bit 0) of `a - b = r`, operands already cut to the width.
    @_transparent
    static func subtractionFlags(_ a: UInt64, _ b: UInt64, _ r: UInt64, wide: Bool) -> UInt64 {
        let top: UInt64 = wide ? 63 : 31
        let n = (r &>> top) & 1, z: UInt64 = r == 0 ? 1 : 0, c: UInt64 = a >= b ? 1 : 0
        let v = (((a ^ b) & (a ^ r)) &>> top) & 1
        return n << 3 | z << 2 | c << 1 | v
    }
}

extension Op {
    /// A compare fused with the B.cond after it: two instructions in one slot.
    var isFusedCompareAndBranch: Bool {
        switch self {
        case .cmpImmBcc64, .cmpImmBcc32, .cmpRegBcc64, .cmpRegBcc32, .cmnImmBcc64, .cmnImmBcc32: return true
        default: return false
        }
    }
}
