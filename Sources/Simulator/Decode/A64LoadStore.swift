extension A64 {
    /// Integer load/store kind from size:opc (the Arm ARM's table for the integer register forms).
    static func loadKind(size: Int, opc: Int) -> LoadKind? {
        switch (size, opc) {
        case (0, 0): return .strB
        case (0, 1): return .ldrB
        case (0, 2): return .ldrsbX
        case (0, 3): return .ldrsbW
        case (1, 0): return .strH
        case (1, 1): return .ldrH
        case (1, 2): return .ldrshX
        case (1, 3): return .ldrshW
        case (2, 0): return .strW
        case (2, 1): return .ldrW
        case (2, 2): return .ldrsw
        case (3, 0): return .strX
        case (3, 1): return .ldrX
        case (3, 2): return .prfm
        default: return nil
        }
    }

    /// Fast handlers for the base + immediate form of each kind.
    static func immediateOp(_ k: LoadKind) -> Op? {
        switch k {
        case .ldrX: return .ldrX
        case .ldrW: return .ldrW
        case .ldrH: return .ldrH
        case .ldrB: return .ldrB
        case .ldrsw: return .ldrsw
        case .ldrshX: return .ldrshX
        case .ldrshW: return .ldrshW
        case .ldrsbX: return .ldrsbX
        case .ldrsbW: return .ldrsbW
        case .strX: return .strX
        case .strW: return .strW
        case .strH: return .strH
        case .strB: return .strB
        case .prfm: return nil
        }
    }

    /// Single-register base + immediate. An SP base takes the general `ldst` form, whose handler
    /// makes the SP alignment check (SCTLR_ELx.SA/SA0), so the fast forms never need it.
    static func single(_ k: LoadKind, rt: Int, rn: Int, offset: UInt64) -> Insn {
        if k == .prfm { return Insn(.nop) }
        let t = k.isStore ? src(rt) : dst(rt)
        if spReg(rn) == Reg.sp {
            return Insn(.ldst, rd: t, rn: Reg.sp, a: Int(k.rawValue), b: Int(AddrMode.offset.rawValue), imm: offset)
        }
        return Insn(immediateOp(k)!, rd: t, rn: spReg(rn), imm: offset)
    }

    static let loadsAndStores: [Encoding] = [
        Encoding("LDR/STR (unsigned immediate)", "size:2 111 0 01 opc:2 imm12:12 Rn Rt") { w in
            guard let k = loadKind(size: w.bits(31, 30), opc: w.bits(23, 22)) else { return Insn(.undefined) }
            return single(k, rt: w.rd, rn: w.rn, offset: UInt64(w.bits(21, 10)) << UInt64(w.bits(31, 30)))
        },
        Encoding("LDUR/STUR (unscaled immediate)", "size:2 111 0 00 opc:2 0 imm9:9 00 Rn Rt") { w in
            guard let k = loadKind(size: w.bits(31, 30), opc: w.bits(23, 22)) else { return Insn(.undefined) }
            return single(k, rt: w.rd, rn: w.rn, offset: sext(UInt64(w.bits(20, 12)), 9))
        },
        Encoding("LDTR/STTR (unprivileged)", "size:2 111 0 00 opc:2 0 imm9:9 10 Rn Rt") { w in
            guard let k = loadKind(size: w.bits(31, 30), opc: w.bits(23, 22)), k != .prfm else { return Insn(.undefined) }
            return Insn(.ldst, rd: k.isStore ? src(w.rd) : dst(w.rd), rn: spReg(w.rn), a: Int(k.rawValue),
                        b: Int(AddrMode.offset.rawValue) | 0x80, imm: sext(UInt64(w.bits(20, 12)), 9))
        },
        Encoding("LDR/STR (immediate, post/pre-indexed)", "size:2 111 0 00 opc:2 0 imm9:9 pre 1 Rn Rt") { w in
            guard let k = loadKind(size: w.bits(31, 30), opc: w.bits(23, 22)), k != .prfm else { return Insn(.undefined) }
            let mode: AddrMode = w.bit(11) == 1 ? .preIndex : .postIndex
            return Insn(.ldst, rd: k.isStore ? src(w.rd) : dst(w.rd), rn: spReg(w.rn), a: Int(k.rawValue),
                        b: Int(mode.rawValue), imm: sext(UInt64(w.bits(20, 12)), 9))
        },
        Encoding("LDR/STR (register offset)", "size:2 111 0 00 opc:2 1 Rm option:3 S 10 Rn Rt") { w in
            guard let k = loadKind(size: w.bits(31, 30), opc: w.bits(23, 22)) else { return Insn(.undefined) }
            let option = w.bits(15, 13)
            // Only UXTW, LSL (UXTX), SXTW and SXTX index registers are allocated.
            if option & 2 == 0 { return Insn(.undefined) }
            if k == .prfm { return Insn(.nop) }
            let shift = w.bit(12) == 1 ? w.bits(31, 30) : 0
            let fast: Op?
            switch k {
            case .ldrX: fast = .ldrXr
            case .ldrW: fast = .ldrWr
            case .ldrB: fast = .ldrBr
            case .strX: fast = .strXr
            case .strW: fast = .strWr
            case .strB: fast = .strBr
            default: fast = nil
            }
            if let op = fast, spReg(w.rn) != Reg.sp {       // an SP base: the general form (see single)
                return Insn(op, rd: k.isStore ? src(w.rd) : dst(w.rd), rn: spReg(w.rn), rm: src(w.rm), ra: option, b: shift)
            }
            return Insn(.ldst, rd: k.isStore ? src(w.rd) : dst(w.rd), rn: spReg(w.rn), rm: src(w.rm), ra: option,
                        a: Int(k.rawValue), b: Int(AddrMode.register.rawValue), imm: UInt64(shift))
        },
        Encoding("LDR (literal)", "opc:2 011 0 00 imm19:19 Rt") { w in
            let kinds: [LoadKind] = [.ldrW, .ldrX, .ldrsw, .prfm]
            let k = kinds[w.bits(31, 30)]
            if k == .prfm { return Insn(.nop) }
            return Insn(.ldrLit, rd: dst(w.rd), a: Int(k.rawValue), imm: sext(UInt64(w.bits(23, 5)) << 2, 21))
        },
        Encoding("LDP/STP", "opc:2 101 0 0 mode:2 L imm7:7 Rt2 Rn Rt") { w in
            let opc = w.bits(31, 30), mode = w.bits(24, 23), load = w.bit(22) == 1
            let kind: PairKind
            switch (opc, load) {
            case (0, _): kind = .w
            case (2, _): kind = .x
            case (1, true) where mode != 0: kind = .sw
            default: return Insn(.undefined)
            }
            let scale = kind == .x ? 3 : 2
            let addr: AddrMode = [.offset, .postIndex, .offset, .preIndex][mode]
            let t = load ? dst(w.rd) : src(w.rd), t2 = load ? dst(w.rt2) : src(w.rt2)
            let op: Op = kind == .x ? (load ? .ldpX : .stpX) : (load ? .ldp : .stp)
            return Insn(op, rd: t, rn: spReg(w.rn), rm: t2, a: Int(kind.rawValue), b: Int(addr.rawValue),
                        imm: sext(UInt64(w.bits(21, 15)), 7) << UInt64(scale))
        },
        Encoding("Load/store exclusive", "size:2 001000 0 L o1 Rs o0 Rt2 Rn Rt") { w in
            let size = w.bits(31, 30), load = w.bit(22) == 1, pair = w.bit(21) == 1, ordered = w.bit(15) == 1
            if pair && size < 2 { return Insn(.undefined) }
            let kind: ExclusiveKind
            switch (load, pair, ordered) {
            case (true, false, false): kind = .ldxr
            case (true, false, true): kind = .ldaxr
            case (false, false, false): kind = .stxr
            case (false, false, true): kind = .stlxr
            case (true, true, false): kind = .ldxp
            case (true, true, true): kind = .ldaxp
            case (false, true, false): kind = .stxp
            case (false, true, true): kind = .stlxp
            }
            // Pairs transfer two registers of half the pair size: size field 2 -> 2x32 bits, 3 -> 2x64 bits.
            return Insn(.exclusive, rd: w.rd, rn: spReg(w.rn), rm: w.rm, ra: w.rt2, a: Int(kind.rawValue), b: size)
        },
        Encoding("LDAR/STLR", "size:2 001000 1 L 0 Rs 1 Rt2 Rn Rt") { w in
            let load = w.bit(22) == 1
            return Insn(.exclusive, rd: w.rd, rn: spReg(w.rn), a: Int((load ? ExclusiveKind.ldar : .stlr).rawValue), b: w.bits(31, 30))
        },
    ]
}
