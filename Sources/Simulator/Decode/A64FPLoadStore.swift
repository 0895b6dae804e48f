/// SIMD&FP register loads and stores (Arm ARM C3.2.x, the V = 1 forms of the load/store classes).
extension A64 {
    /// log2 of the access size from size:opc<1> (B, H, S, D, Q); nil when unallocated.
    static func fpAccessLog2(size: Int, opc1: Int) -> Int? {
        if opc1 == 1 { return size == 0 ? 4 : nil }
        return size
    }

    static func fpSingle(_ w: UInt32, mode: AddrMode, offset: (Int) -> UInt64) -> Insn {
        guard let lg = fpAccessLog2(size: w.bits(31, 30), opc1: w.bit(23)) else { return Insn(.undefined) }
        let load = w.bit(22) == 1
        return Insn(load ? .fpLoad : .fpStore, rd: w.rd, rn: spReg(w.rn), a: lg, b: Int(mode.rawValue), imm: offset(lg))
    }

    static let fpLoadsAndStores: [Encoding] = [
        Encoding("LDR/STR SIMD&FP (unsigned immediate)", "size:2 111 1 01 opc:2 imm12:12 Rn Rt") { w in
            fpSingle(w, mode: .offset) { UInt64(w.bits(21, 10)) << UInt64($0) }
        },
        Encoding("LDUR/STUR SIMD&FP", "size:2 111 1 00 opc:2 0 imm9:9 00 Rn Rt") { w in
            fpSingle(w, mode: .offset) { _ in sext(UInt64(w.bits(20, 12)), 9) }
        },
        Encoding("LDR/STR SIMD&FP (post-index)", "size:2 111 1 00 opc:2 0 imm9:9 01 Rn Rt") { w in
            fpSingle(w, mode: .postIndex) { _ in sext(UInt64(w.bits(20, 12)), 9) }
        },
        Encoding("LDR/STR SIMD&FP (pre-index)", "size:2 111 1 00 opc:2 0 imm9:9 11 Rn Rt") { w in
            fpSingle(w, mode: .preIndex) { _ in sext(UInt64(w.bits(20, 12)), 9) }
        },
        Encoding("LDR/STR SIMD&FP (register offset)", "size:2 111 1 00 opc:2 1 Rm option:3 S 10 Rn Rt") { w in
            let option = w.bits(15, 13)
            guard option & 2 != 0, let lg = fpAccessLog2(size: w.bits(31, 30), opc1: w.bit(23)) else { return Insn(.undefined) }
            return Insn(w.bit(22) == 1 ? .fpLoad : .fpStore, rd: w.rd, rn: spReg(w.rn), rm: src(w.rm), ra: option,
                        a: lg, b: Int(AddrMode.register.rawValue), imm: UInt64(w.bit(12) == 1 ? lg : 0))
        },
        Encoding("LDR SIMD&FP (literal)", "opc:2 011 1 00 imm19:19 Rt") { w in
            let opc = w.bits(31, 30)
            if opc == 3 { return Insn(.undefined) }
            return Insn(.fpLoadLiteral, rd: w.rd, a: opc + 2, imm: sext(UInt64(w.bits(23, 5)) << 2, 21))
        },
        Encoding("LDP/STP SIMD&FP", "opc:2 101 1 0 mode:2 L imm7:7 Rt2 Rn Rt") { w in
            let opc = w.bits(31, 30), mode = w.bits(24, 23)
            if opc == 3 { return Insn(.undefined) }
            let lg = opc + 2
            let addr: AddrMode = [.offset, .postIndex, .offset, .preIndex][mode]
            return Insn(w.bit(22) == 1 ? .fpLoadPair : .fpStorePair, rd: w.rd, rn: spReg(w.rn), rm: w.rt2, a: lg,
                        b: Int(addr.rawValue), imm: sext(UInt64(w.bits(21, 15)), 7) << UInt64(lg))
        },
        Encoding("LD/ST multiple structures", "0 Q 0011000 L 000000 opcode:4 size:2 Rn Rt") { w in
            simdMultiple(w)
        },
        Encoding("LD/ST multiple structures (post-index)", "0 Q 0011001 L 0 Rm opcode:4 size:2 Rn Rt") { w in
            simdMultiple(w)
        },
        Encoding("LD/ST single structure", "0 Q 0011010 L R 00000 opcode:3 S size:2 Rn Rt") { w in
            simdSingle(w)
        },
        Encoding("LD/ST single structure (post-index)", "0 Q 0011011 L R Rm opcode:3 S size:2 Rn Rt") { w in
            simdSingle(w)
        },
    ]

    /// Multiple structures: opcode gives (registers, elements per structure).
    static func simdMultiple(_ w: UInt32) -> Insn {
        let opcode = w.bits(15, 12), size = w.bits(11, 10), q = w.bit(30)
        let valid: [Int: Int] = [0b0000: 4, 0b0010: 1, 0b0100: 3, 0b0110: 1, 0b0111: 1, 0b1000: 2, 0b1010: 1]
        guard let selem = valid[opcode] else { return Insn(.undefined) }
        // One-element-per-structure forms allow 1D; interleaved forms do not.
        if selem > 1 && size == 3 && q == 0 { return Insn(.undefined) }
        return Insn(.simdStructure, imm: UInt64(w))
    }

    static func simdSingle(_ w: UInt32) -> Insn {
        let opcode = w.bits(15, 13), s = w.bit(12), size = w.bits(11, 10), load = w.bit(22) == 1
        switch opcode >> 1 {
        case 0: break
        case 1: if size & 1 != 0 { return Insn(.undefined) }
        case 2:
            if size >= 2 || (size == 1 && s == 1) { return Insn(.undefined) }
        default:
            if !load || s == 1 { return Insn(.undefined) }
        }
        return Insn(.simdStructure, imm: UInt64(w))
    }
}
