/// Advanced SIMD floating-point encodings, vector and scalar (Arm ARM C4.1.x, the FP opcodes of
/// the three-same, two-register-misc, across-lanes, pairwise, by-element, modified-immediate and
/// shift-by-immediate classes). Single and double precision; FP16 (ARMv8.2) stays UNDEFINED.
enum SIMDFloatClass: UInt8 {
    case threeSame = 192, scalarThreeSame, twoMisc, scalarTwoMisc, acrossLanes, scalarPairwise
    case byElement, scalarByElement, moveImmediate, fixedConvert, scalarFixedConvert
    case convertNarrow, convertLong
}

extension A64 {
    static func sf(_ c: SIMDFloatClass, _ w: UInt32) -> Insn { Insn(.simd, a: Int(c.rawValue), imm: UInt64(w)) }

    /// Valid (U, a, opcode<2:0>) combinations of the FP three-same class, vector and scalar.
    static let fpThreeSameVector: Set<Int> = [0b000_000, 0b000_001, 0b000_010, 0b000_011, 0b000_100, 0b000_110, 0b000_111,
                                               0b010_000, 0b010_001, 0b010_010, 0b010_110, 0b010_111,
                                               0b100_000, 0b100_010, 0b100_011, 0b100_100, 0b100_101, 0b100_110, 0b100_111,
                                               0b110_000, 0b110_010, 0b110_100, 0b110_101, 0b110_110]
    static let fpThreeSameScalar: Set<Int> = [0b000_011, 0b000_100, 0b000_111, 0b010_111, 0b100_100, 0b100_101,
                                               0b110_010, 0b110_100, 0b110_101]

    /// Valid (U, a, opcode) of the FP two-register-misc class (vector); scalar allows a subset.
    static let fpTwoMiscVector: Set<Int> = [0b00_11000, 0b00_11001, 0b00_11010, 0b00_11011, 0b00_11100, 0b00_11101,
                                             0b01_01100, 0b01_01101, 0b01_01110, 0b01_01111, 0b01_11000, 0b01_11001,
                                             0b01_11010, 0b01_11011, 0b01_11100, 0b01_11101,
                                             0b10_11000, 0b10_11001, 0b10_11010, 0b10_11011, 0b10_11100, 0b10_11101,
                                             0b11_01100, 0b11_01101, 0b11_01111, 0b11_11001, 0b11_11010, 0b11_11011,
                                             0b11_11100, 0b11_11101, 0b11_11111]
    static let fpTwoMiscScalar: Set<Int> = [0b00_11010, 0b00_11011, 0b00_11100, 0b00_11101,
                                             0b01_01100, 0b01_01101, 0b01_01110, 0b01_11010, 0b01_11011, 0b01_11101, 0b01_11111,
                                             0b10_11010, 0b10_11011, 0b10_11100, 0b10_11101,
                                             0b11_01100, 0b11_01101, 0b11_11010, 0b11_11011, 0b11_11101]

    static let simdFloat: [Encoding] = [
        Encoding("FP three same (vector)", "0 Q U 01110 a sz 1 Rm 11 op:3 1 Rn Rd") { w in
            let key = w.bit(29) << 5 | w.bit(23) << 4 | w.bits(13, 11)
            guard fpThreeSameVector.contains(key), !(w.bit(22) == 1 && w.bit(30) == 0) else { return Insn(.undefined) }
            return sf(.threeSame, w)
        },
        Encoding("FP three same (scalar)", "01 U 11110 a sz 1 Rm 11 op:3 1 Rn Rd") { w in
            let key = w.bit(29) << 5 | w.bit(23) << 4 | w.bits(13, 11)
            return fpThreeSameScalar.contains(key) ? sf(.scalarThreeSame, w) : Insn(.undefined)
        },
        Encoding("FP two-register misc (vector, 01100-01111)", "0 Q U 01110 a sz 10000 011 op:2 10 Rn Rd") { w in fpTwoMisc(w, vector: true) },
        Encoding("FP two-register misc (scalar, 01100-01111)", "01 U 11110 a sz 10000 011 op:2 10 Rn Rd") { w in fpTwoMisc(w, vector: false) },
        Encoding("FP two-register misc (vector, 11000-11011)", "0 Q U 01110 a sz 10000 110 op:2 10 Rn Rd") { w in fpTwoMisc(w, vector: true) },
        Encoding("FP two-register misc (scalar, 11000-11011)", "01 U 11110 a sz 10000 110 op:2 10 Rn Rd") { w in fpTwoMisc(w, vector: false) },
        Encoding("FP two-register misc (vector, 11100-11101)", "0 Q U 01110 a sz 10000 1110 op 10 Rn Rd") { w in fpTwoMisc(w, vector: true) },
        Encoding("FP two-register misc (scalar, 11100-11101)", "01 U 11110 a sz 10000 1110 op 10 Rn Rd") { w in fpTwoMisc(w, vector: false) },
        Encoding("FP two-register misc (vector, 11111)", "0 Q U 01110 a sz 10000 11111 10 Rn Rd") { w in fpTwoMisc(w, vector: true) },
        Encoding("FP two-register misc (scalar, 11111)", "01 U 11110 a sz 10000 11111 10 Rn Rd") { w in fpTwoMisc(w, vector: false) },
        Encoding("FCVTN/FCVTN2, FCVTXN/FCVTXN2 (vector)", "0 Q U 01110 0 sz 10000 10110 10 Rn Rd") { w in
            // FCVTN: double->single (sz 1) or single->half (sz 0); FCVTXN (U = 1) double->single only.
            w.bit(29) == 1 && w.bit(22) == 0 ? Insn(.undefined) : sf(.convertNarrow, w)
        },
        Encoding("FCVTXN (scalar)", "01 1 11110 0 1 10000 10110 10 Rn Rd") { w in sf(.convertNarrow, w) },
        Encoding("FCVTL/FCVTL2", "0 Q 0 01110 0 sz 10000 10111 10 Rn Rd") { w in sf(.convertLong, w) },
        Encoding("FMAXNMV/FMINNMV/FMAXV/FMINV", "0 1 1 01110 a 0 11000 011 op:2 10 Rn Rd") { w in
            [0b01100, 0b01111].contains(w.bits(16, 12)) ? sf(.acrossLanes, w) : Insn(.undefined)
        },
        Encoding("FP pairwise (scalar)", "01 1 11110 a sz 11000 op:5 10 Rn Rd") { w in
            let op = w.bits(16, 12)
            guard op == 0b01100 || op == 0b01111 || (op == 0b01101 && w.bit(23) == 0) else { return Insn(.undefined) }
            return sf(.scalarPairwise, w)
        },
        Encoding("FMLA/FMLS/FMUL/FMULX (by element)", "0 Q U 01111 1 sz L M Rm4:4 op:4 H 0 Rn Rd") { w in
            fpByElementValid(w, vector: true) ? sf(.byElement, w) : Insn(.undefined)
        },
        Encoding("FMLA/FMLS/FMUL/FMULX (scalar, by element)", "01 U 11111 1 sz L M Rm4:4 op:4 H 0 Rn Rd") { w in
            fpByElementValid(w, vector: false) ? sf(.scalarByElement, w) : Insn(.undefined)
        },
        Encoding("FMOV (vector, immediate)", "0 Q op 0111100000 abc:3 1111 0 1 defgh:5 Rd") { w in
            // op = 1 is the double-precision form and needs Q = 1.
            w.bit(29) == 1 && w.bit(30) == 0 ? Insn(.undefined) : sf(.moveImmediate, w)
        },
        Encoding("SCVTF/UCVTF/FCVTZS/FCVTZU (vector, fixed-point)", "0 Q U 011110 immh:4 immb:3 111 op2 op1 1 Rn Rd") { w in
            fpFixedValid(w, vector: true) ? sf(.fixedConvert, w) : Insn(.undefined)
        },
        Encoding("SCVTF/UCVTF/FCVTZS/FCVTZU (scalar, fixed-point)", "01 U 111110 immh:4 immb:3 111 op2 op1 1 Rn Rd") { w in
            fpFixedValid(w, vector: false) ? sf(.scalarFixedConvert, w) : Insn(.undefined)
        },
    ]

    static func fpTwoMisc(_ w: UInt32, vector: Bool) -> Insn {
        let key = w.bit(29) << 6 | w.bit(23) << 5 | w.bits(16, 12)
        guard (vector ? fpTwoMiscVector : fpTwoMiscScalar).contains(key) else { return Insn(.undefined) }
        if vector && w.bit(22) == 1 && w.bit(30) == 0 { return Insn(.undefined) }
        // URECPE/URSQRTE operate on 32-bit elements only.
        if w.bits(16, 12) == 0b11100 && w.bit(23) == 1 && w.bit(22) == 1 { return Insn(.undefined) }
        return sf(vector ? .twoMisc : .scalarTwoMisc, w)
    }

    static func fpByElementValid(_ w: UInt32, vector: Bool) -> Bool {
        let op = w.bits(15, 12), u = w.bit(29)
        guard op == 0b0001 || op == 0b0101 || op == 0b1001 else { return false }
        if u == 1 && op != 0b1001 { return false }
        // Double: index H only (L must be 0); vector double needs Q = 1.
        if w.bit(22) == 1 && (w.bit(21) == 1 || (vector && w.bit(30) == 0)) { return false }
        return true
    }

    static func fpFixedValid(_ w: UInt32, vector: Bool) -> Bool {
        let immh = w.bits(22, 19), op = w.bits(12, 11)
        // opcode 11100 (SCVTF/UCVTF) or 11111 (FCVTZS/FCVTZU); immh 01xx single, 1xxx double.
        guard op == 0b00 || op == 0b11, immh >= 4 else { return false }
        if vector && immh >= 8 && w.bit(30) == 0 { return false }
        return true
    }
}
