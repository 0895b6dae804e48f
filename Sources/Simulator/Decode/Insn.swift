/// A predecoded instruction: 16 bytes, operands resolved (register 31 mapped to ZR/SP/sink,
/// immediates expanded), cached per physical page. Field meaning depends on `op`; see the decoder.
public struct Insn {
    public var op: Op
    /// Cycle cost from the timing table, added to the core's cycle counter on retirement.
    public var cost: UInt8
    public var rd: UInt8
    public var rn: UInt8
    public var rm: UInt8
    public var ra: UInt8
    /// Small operands: shift type/amount, condition, access size, bit positions.
    public var a: UInt8
    public var b: UInt8
    public var imm: UInt64

    @inline(__always)
    public init(_ op: Op, rd: Int = Reg.sink, rn: Int = Reg.zr, rm: Int = Reg.zr, ra: Int = Reg.zr,
                a: Int = 0, b: Int = 0, imm: UInt64 = 0) {
        self.op = op
        self.cost = 1
        self.rd = UInt8(truncatingIfNeeded: rd)
        self.rn = UInt8(truncatingIfNeeded: rn)
        self.rm = UInt8(truncatingIfNeeded: rm)
        self.ra = UInt8(truncatingIfNeeded: ra)
        self.a = UInt8(truncatingIfNeeded: a)
        self.b = UInt8(truncatingIfNeeded: b)
        self.imm = imm
    }

    /// The slot value of a page not yet decoded (costs nothing: decoding re-dispatches).
    public static let undecoded: Insn = { var i = Insn(.undecoded); i.cost = 0; return i }()
    /// Sentinel after the last slot of a page: execution continues on the next page.
    public static let pageEnd: Insn = { var i = Insn(.pageEnd); i.cost = 0; return i }()
    public static let debugStop: Insn = { var i = Insn(.debugStop); i.cost = 0; return i }()
}

/// Operations after decoding. Hot forms are specialised by width so handlers do not branch on it;
/// cold ones carry the width in a field and go to `@inline(never)` handlers.
public enum Op: UInt16 {
    case undecoded
    case pageEnd
    /// UNDEFINED: raise the Unknown-reason exception. `imm` holds the raw word for traces.
    case undefined

    // Data processing (immediate). imm = operand; rd/rn resolved for SP where the encoding allows.
    case addImm64, addImm32, addsImm64, addsImm32, subImm64, subImm32, subsImm64, subsImm32
    case andImm64, andImm32, orrImm64, orrImm32, eorImm64, eorImm32, andsImm64, andsImm32
    /// MOVZ/MOVN after folding: rd = imm.
    case movConst
    /// MOVK: a = shift, imm = 16-bit value; b = 1 for 32-bit.
    case movk64, movk32
    /// ADR/ADRP: rd = pc + imm, or (pc & ~0xFFF) + imm.
    case adr, adrp
    /// Bitfield moves split by shape (see decoder); a, b = shift amounts, imm = mask; ra = 1 for 32-bit.
    case ubfx, ubfiz, sbfx, sbfiz, bfxil, bfi
    /// EXTR: a = lsb; b = 1 for 32-bit.
    case extr64, extr32

    // Branches. imm = signed byte offset (two's complement).
    case b, bl, bCond, cbz64, cbz32, cbnz64, cbnz32, tbz, tbnz, br, blr, ret
    /// SUBS (immediate, or register without shift) or ADDS immediate fused with the B.cond after it
    /// (Fusion): imm low 32 = the immediate, high 32 = the branch offset from the B.cond; a, b = the
    /// condition's mask.
    case cmpImmBcc64, cmpImmBcc32, cmpRegBcc64, cmpRegBcc32, cmnImmBcc64, cmnImmBcc32

    // Data processing (register). a = shift type, b = shift amount, ra = 1 to invert Rm (BIC/ORN/EON/BICS).
    case addReg64, addReg32, addsReg64, addsReg32, subReg64, subReg32, subsReg64, subsReg32
    case andReg64, andReg32, orrReg64, orrReg32, eorReg64, eorReg32, andsReg64, andsReg32
    case movReg64, movReg32
    /// Extended register: a = extend option, b = left shift; ra = 1 for 32-bit.
    case addExt, addsExt, subExt, subsExt
    /// ADC/SBC family: ra = 1 for 32-bit.
    case adc, adcs, sbc, sbcs
    /// CSEL family: a = condition; ra = 1 for 32-bit.
    case csel, csinc, csinv, csneg
    /// CCMN/CCMP: a = condition, b = nzcv when false; imm = immediate (rm = zr) or register; ra bit0 = 32-bit, bit1 = immediate.
    case ccmn, ccmp
    /// One-source: ra = 1 for 32-bit.
    case rbit, rev16, rev32, rev64, clz, cls
    /// Two-source: ra = 1 for 32-bit.
    case udiv, sdiv, lslv, lsrv, asrv, rorv
    /// CRC32{B,H,W,X} and CRC32C: a = log2(size), b = 1 for the Castagnoli polynomial.
    case crc32
    /// Three-source: ra holds the accumulator register; b = 1 for 32-bit.
    case madd64, madd32, msub64, msub32, smaddl, smsubl, umaddl, umsubl, smulh, umulh

    // Loads and stores, base + imm (unsigned scaled offset or unscaled).
    case ldrX, ldrW, ldrH, ldrB, ldrsw, ldrshX, ldrshW, ldrsbX, ldrsbW
    case strX, strW, strH, strB
    /// Register offset: address = Rn + extend(Rm, option ra) << b.
    case ldrXr, ldrWr, ldrBr, strXr, strWr, strBr
    /// Any single-register load/store with writeback or register offset. a = access kind (LoadKind),
    /// b = addressing mode (AddrMode); for register offset, ra = extend option, imm = shift.
    case ldst
    /// Load literal: rd = mem[pc + imm]; a = kind.
    case ldrLit
    /// Pairs: a = kind (PairKind), b = addressing mode; imm = byte offset.
    case ldp, stp
    /// 64-bit register pairs (the commonest form, function prologues/epilogues): a fast path.
    case ldpX, stpX
    /// Exclusives and acquire/release: a = ExclusiveKind raw, b = log2(size); rm = status register (Rs); ra = Rt2.
    case exclusive

    // SIMD&FP loads and stores (cold). rd = Rt, rn = base, rm = Rt2 or Rm; a = log2(bytes);
    // b = addressing mode; ra = extend option; imm = offset or register shift.
    case fpLoad, fpStore, fpLoadPair, fpStorePair, fpLoadLiteral
    /// LD1-LD4/ST1-LD4 (multiple, single, replicate): imm = the instruction word.
    case simdStructure
    /// Every other SIMD&FP instruction: a = class (SIMDClass), imm = the instruction word.
    case simd

    // System.
    case nop
    case hint
    case barrier
    case clrex
    /// MSR (immediate) to PSTATE fields: a = op1, b = op2, imm = CRm.
    case msrImm
    /// MRS/MSR (register): imm = op0:op1:CRn:CRm:op2 (16 bits), rd = Rt, a = 1 for read.
    case sysreg
    /// SYS/SYSL (DC, IC, AT, TLBI): imm = op1:CRn:CRm:op2, rd = Rt, a = 1 for SYSL.
    case sys
    /// SVC/HVC/SMC/BRK/HLT: a = which, imm = imm16.
    case exceptionGen
    case eret
    /// WFI/WFE: a = 1 for WFE.
    case wait
    /// Not an instruction: fills a debugger's one-instruction page (`Core.debugPage`), where the
    /// next instruction is in the same page and a normal block would have gone on to it.
    case debugStop
    /// `--timing a53`: a conditional branch (its op in `rm`) through the branch predictor.
    case predictedBranch
    /// `--timing a53`: BL, BLR, BR or RET (`Jump` in `rm`) through the return stack and the
    /// indirect predictor.
    case predictedJump
}

/// Single-register load/store kinds (size and extension), shared by `ldst` and `ldrLit`.
public enum LoadKind: UInt8 {
    case ldrX, ldrW, ldrH, ldrB, ldrsw, ldrshX, ldrshW, ldrsbX, ldrsbW
    case strX, strW, strH, strB
    case prfm

    public var size: Int {
        switch self {
        case .ldrX, .strX: return 8
        case .ldrW, .ldrsw, .strW: return 4
        case .ldrH, .ldrshX, .ldrshW, .strH: return 2
        case .ldrB, .ldrsbX, .ldrsbW, .strB, .prfm: return 1
        }
    }

    public var isStore: Bool { self == .strX || self == .strW || self == .strH || self == .strB }
}

/// Addressing modes for `ldst` and pairs.
public enum AddrMode: UInt8 {
    /// base + imm, no writeback.
    case offset
    /// base += imm, then access.
    case preIndex
    /// access at base, then base += imm.
    case postIndex
    /// base + extend(Rm) << imm.
    case register
}

/// Pair kinds for LDP/STP.
public enum PairKind: UInt8 {
    case x, w, sw
}

/// Exclusive and ordered access kinds.
public enum ExclusiveKind: UInt8 {
    case ldxr, ldaxr, stxr, stlxr, ldxp, ldaxp, stxp, stlxp, ldar, stlr
}
