extension A64 {
    static let branchesAndSystem: [Encoding] = [
        Encoding("B", "0 00101 imm26:26") { w in Insn(.b, imm: sext(UInt64(w.bits(25, 0)) << 2, 28)) },
        Encoding("BL", "1 00101 imm26:26") { w in Insn(.bl, rd: 30, imm: sext(UInt64(w.bits(25, 0)) << 2, 28)) },
        Encoding("B.cond", "0101010 0 imm19:19 0 cond:4") { w in
            Insn(.bCond, a: w.bits(3, 0), imm: sext(UInt64(w.bits(23, 5)) << 2, 21))
        },
        Encoding("CBZ/CBNZ", "sf 011010 op imm19:19 Rt") { w in
            let op: Op = w.bit(24) == 0 ? (w.sf ? .cbz64 : .cbz32) : (w.sf ? .cbnz64 : .cbnz32)
            return Insn(op, rn: src(w.rd), imm: sext(UInt64(w.bits(23, 5)) << 2, 21))
        },
        Encoding("TBZ/TBNZ", "b5 011011 op b40:5 imm14:14 Rt") { w in
            Insn(w.bit(24) == 0 ? .tbz : .tbnz, rn: src(w.rd), a: w.bit(31) << 5 | w.bits(23, 19),
                 imm: sext(UInt64(w.bits(18, 5)) << 2, 16))
        },
        Encoding("BR", "1101011 0000 11111 000000 Rn 00000") { w in Insn(.br, rn: src(w.rn)) },
        Encoding("BLR", "1101011 0001 11111 000000 Rn 00000") { w in Insn(.blr, rd: 30, rn: src(w.rn)) },
        Encoding("RET", "1101011 0010 11111 000000 Rn 00000") { w in Insn(.ret, rn: src(w.rn)) },
        Encoding("ERET", "1101011 0100 11111 000000 11111 00000") { _ in Insn(.eret) },
        // DRPS and DCPS1-3 exist only in Debug state, which we do not model: the PE is always in
        // Non-debug state, where the Arm ARM makes them UNDEFINED.
        Encoding("DRPS (Debug state only)", "1101011 0101 11111 000000 11111 00000") { _ in Insn(.undefined) },
        Encoding("SVC", "11010100 000 imm16:16 000 01") { w in Insn(.exceptionGen, a: ExceptionGen.svc.rawValue, imm: UInt64(w.bits(20, 5))) },
        Encoding("HVC", "11010100 000 imm16:16 000 10") { w in Insn(.exceptionGen, a: ExceptionGen.hvc.rawValue, imm: UInt64(w.bits(20, 5))) },
        Encoding("SMC", "11010100 000 imm16:16 000 11") { w in Insn(.exceptionGen, a: ExceptionGen.smc.rawValue, imm: UInt64(w.bits(20, 5))) },
        Encoding("BRK", "11010100 001 imm16:16 000 00") { w in Insn(.exceptionGen, a: ExceptionGen.brk.rawValue, imm: UInt64(w.bits(20, 5))) },
        Encoding("DCPS1/DCPS2/DCPS3 (Debug state only)", "11010100 101 imm16:16 000 LL:2") { _ in Insn(.undefined) },
        Encoding("HLT", "11010100 010 imm16:16 000 00") { w in Insn(.exceptionGen, a: ExceptionGen.hlt.rawValue, imm: UInt64(w.bits(20, 5))) },
        // System instruction space: L op0 op1 CRn CRm op2 Rt.
        Encoding("HINT", "1101010100 0 00 011 0010 CRm:4 op2:3 11111") { w in
            switch w.bits(11, 5) {
            case 0b0000_001: return Insn(.hint, a: Hint.yield.rawValue)
            case 0b0000_010: return Insn(.wait, a: 1)
            case 0b0000_011: return Insn(.wait, a: 0)
            case 0b0000_100: return Insn(.hint, a: Hint.sev.rawValue)
            case 0b0000_101: return Insn(.hint, a: Hint.sevl.rawValue)
            case 0b1111_010: return Insn(.hint, a: Hint.timelineMarker.rawValue)
            // Every other hint, allocated by later versions or not, executes as NOP on ARMv8.0.
            default: return Insn(.nop)
            }
        },
        Encoding("CLREX", "1101010100 0 00 011 0011 CRm:4 010 11111") { _ in Insn(.clrex) },
        Encoding("DSB", "1101010100 0 00 011 0011 CRm:4 100 11111") { w in Insn(.barrier, a: 0, b: w.bits(11, 8)) },
        Encoding("DMB", "1101010100 0 00 011 0011 CRm:4 101 11111") { w in Insn(.barrier, a: 1, b: w.bits(11, 8)) },
        Encoding("ISB", "1101010100 0 00 011 0011 CRm:4 110 11111") { _ in Insn(.barrier, a: 2) },
        Encoding("MSR (immediate)", "1101010100 0 00 op1:3 0100 CRm:4 op2:3 11111") { w in
            let op1 = w.bits(18, 16), op2 = w.bits(7, 5)
            // ARMv8.0 PSTATE fields: SPSel (0,5), DAIFSet (3,6), DAIFClr (3,7).
            guard (op1 == 0 && op2 == 5) || (op1 == 3 && (op2 == 6 || op2 == 7)) else { return Insn(.undefined) }
            return Insn(.msrImm, a: op1, b: op2, imm: UInt64(w.bits(11, 8)))
        },
        Encoding("SYS", "1101010100 0 01 op1:3 CRn:4 CRm:4 op2:3 Rt") { w in
            Insn(.sys, rd: src(w.rd), a: 0, imm: UInt64(w.bits(18, 5)))
        },
        Encoding("SYSL", "1101010100 1 01 op1:3 CRn:4 CRm:4 op2:3 Rt") { w in
            Insn(.sys, rd: dst(w.rd), a: 1, imm: UInt64(w.bits(18, 5)))
        },
        Encoding("MSR (register)", "1101010100 0 1 o0 op1:3 CRn:4 CRm:4 op2:3 Rt") { w in
            Insn(.sysreg, rd: src(w.rd), a: 0, imm: UInt64(w.bits(20, 5)))
        },
        Encoding("MRS", "1101010100 1 1 o0 op1:3 CRn:4 CRm:4 op2:3 Rt") { w in
            Insn(.sysreg, rd: dst(w.rd), a: 1, imm: UInt64(w.bits(20, 5)))
        },
    ]
}

/// Exception-generating instructions, in `Insn.a` of `.exceptionGen`.
public enum ExceptionGen: Int {
    case svc, hvc, smc, brk, hlt
}

/// Hints with an effect, in `Insn.a` of `.hint`.
public enum Hint: Int {
    case yield, sev, sevl
    /// HINT #0x7A: a `--timeline` marker (Core.timelineMarker); a NOP everywhere else.
    case timelineMarker
}
