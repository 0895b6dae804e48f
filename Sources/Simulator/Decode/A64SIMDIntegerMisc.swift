/// Advanced SIMD integer encodings, one-source classes (Arm ARM C4.1.x: Advanced SIMD two-register
/// miscellaneous, across lanes, scalar pairwise, shift by immediate, and their scalar forms).
/// FP opcodes of the same classes (FCVT*, FRINT*, FCM* zero, FMAXV, URECPE/URSQRTE, SCVTF/UCVTF and
/// FCVTZS/FCVTZU by immediate...) are left to the SIMD FP family.
extension A64 {
    /// Shift by immediate: immh (bits 22:19) = 0000 is the modified-immediate class; immh = 1xxx
    /// (64-bit elements) needs Q = 1.
    static func shiftOK(_ w: UInt32) -> Bool {
        let immh = w.bits(22, 19)
        return immh != 0 && (immh & 8 == 0 || w.bit(30) == 1)
    }

    /// Narrowing and lengthening shifts: immh = 1xxx is reserved.
    static func shiftNarrowOK(_ w: UInt32) -> Bool {
        let immh = w.bits(22, 19)
        return immh != 0 && immh & 8 == 0
    }

    /// Scalar shifts that exist only for 64-bit elements (SSHR, SRI, SHL, ...): immh = 1xxx.
    static func shiftScalarDOK(_ w: UInt32) -> Bool { w.bits(22, 19) & 8 != 0 }

    /// Across lanes: size:Q = 100 (two S lanes) and size = 11 are reserved.
    static func acrossOK(_ w: UInt32) -> Bool {
        let size = w.bits(23, 22)
        return size != 3 && !(size == 2 && w.bit(30) == 0)
    }

    static let simdTwoRegAndShift: [Encoding] = [
        // Advanced SIMD two-register miscellaneous (integer opcodes).
        Encoding("REV64", "0 Q 0 01110 size:2 10000 00000 10 Rn Rd") { w in si(.twoRegMisc, w, noD(w)) },
        Encoding("REV32 (vector)", "0 Q 1 01110 size:2 10000 00000 10 Rn Rd") { w in si(.twoRegMisc, w, w.bits(23, 22) < 2) },
        Encoding("REV16 (vector)", "0 Q 0 01110 size:2 10000 00001 10 Rn Rd") { w in si(.twoRegMisc, w, w.bits(23, 22) == 0) },
        Encoding("SADDLP/UADDLP", "0 Q U 01110 size:2 10000 00010 10 Rn Rd") { w in si(.twoRegMisc, w, noD(w)) },
        Encoding("SUQADD/USQADD (vector)", "0 Q U 01110 size:2 10000 00011 10 Rn Rd") { w in si(.twoRegMisc, w, no1D(w)) },
        Encoding("CLS/CLZ (vector)", "0 Q U 01110 size:2 10000 00100 10 Rn Rd") { w in si(.twoRegMisc, w, noD(w)) },
        Encoding("CNT", "0 Q 0 01110 size:2 10000 00101 10 Rn Rd") { w in si(.twoRegMisc, w, w.bits(23, 22) == 0) },
        Encoding("NOT", "0 Q 1 01110 00 10000 00101 10 Rn Rd") { w in si(.twoRegMisc, w) },
        Encoding("RBIT (vector)", "0 Q 1 01110 01 10000 00101 10 Rn Rd") { w in si(.twoRegMisc, w) },
        Encoding("SADALP/UADALP", "0 Q U 01110 size:2 10000 00110 10 Rn Rd") { w in si(.twoRegMisc, w, noD(w)) },
        Encoding("SQABS/SQNEG (vector)", "0 Q U 01110 size:2 10000 00111 10 Rn Rd") { w in si(.twoRegMisc, w, no1D(w)) },
        Encoding("CMGT/CMGE (vector, zero)", "0 Q U 01110 size:2 10000 01000 10 Rn Rd") { w in si(.twoRegMisc, w, no1D(w)) },
        Encoding("CMEQ/CMLE (vector, zero)", "0 Q U 01110 size:2 10000 01001 10 Rn Rd") { w in si(.twoRegMisc, w, no1D(w)) },
        Encoding("CMLT (vector, zero)", "0 Q 0 01110 size:2 10000 01010 10 Rn Rd") { w in si(.twoRegMisc, w, no1D(w)) },
        Encoding("ABS/NEG (vector)", "0 Q U 01110 size:2 10000 01011 10 Rn Rd") { w in si(.twoRegMisc, w, no1D(w)) },
        Encoding("XTN/SQXTUN (vector)", "0 Q U 01110 size:2 10000 10010 10 Rn Rd") { w in si(.twoRegMisc, w, noD(w)) },
        Encoding("SHLL", "0 Q 1 01110 size:2 10000 10011 10 Rn Rd") { w in si(.twoRegMisc, w, noD(w)) },
        Encoding("SQXTN/UQXTN (vector)", "0 Q U 01110 size:2 10000 10100 10 Rn Rd") { w in si(.twoRegMisc, w, noD(w)) },

        // Advanced SIMD scalar two-register miscellaneous (integer opcodes).
        Encoding("SUQADD/USQADD (scalar)", "01 U 11110 size:2 10000 00011 10 Rn Rd") { w in si(.twoRegMiscScalar, w) },
        Encoding("SQABS/SQNEG (scalar)", "01 U 11110 size:2 10000 00111 10 Rn Rd") { w in si(.twoRegMiscScalar, w) },
        Encoding("CMGT/CMGE (scalar, zero)", "01 U 11110 size:2 10000 01000 10 Rn Rd") { w in si(.twoRegMiscScalar, w, onlyD(w)) },
        Encoding("CMEQ/CMLE (scalar, zero)", "01 U 11110 size:2 10000 01001 10 Rn Rd") { w in si(.twoRegMiscScalar, w, onlyD(w)) },
        Encoding("CMLT (scalar, zero)", "01 0 11110 size:2 10000 01010 10 Rn Rd") { w in si(.twoRegMiscScalar, w, onlyD(w)) },
        Encoding("ABS/NEG (scalar)", "01 U 11110 size:2 10000 01011 10 Rn Rd") { w in si(.twoRegMiscScalar, w, onlyD(w)) },
        Encoding("SQXTUN (scalar)", "01 1 11110 size:2 10000 10010 10 Rn Rd") { w in si(.twoRegMiscScalar, w, noD(w)) },
        Encoding("SQXTN/UQXTN (scalar)", "01 U 11110 size:2 10000 10100 10 Rn Rd") { w in si(.twoRegMiscScalar, w, noD(w)) },

        // Advanced SIMD across lanes (integer opcodes).
        Encoding("SADDLV/UADDLV", "0 Q U 01110 size:2 11000 00011 10 Rn Rd") { w in si(.acrossLanes, w, acrossOK(w)) },
        Encoding("SMAXV/UMAXV", "0 Q U 01110 size:2 11000 01010 10 Rn Rd") { w in si(.acrossLanes, w, acrossOK(w)) },
        Encoding("SMINV/UMINV", "0 Q U 01110 size:2 11000 11010 10 Rn Rd") { w in si(.acrossLanes, w, acrossOK(w)) },
        Encoding("ADDV", "0 Q 0 01110 size:2 11000 11011 10 Rn Rd") { w in si(.acrossLanes, w, acrossOK(w)) },

        // Advanced SIMD scalar pairwise (integer opcode).
        Encoding("ADDP (scalar)", "01 0 11110 size:2 11000 11011 10 Rn Rd") { w in si(.pairwiseScalar, w, onlyD(w)) },

        // Advanced SIMD shift by immediate (immh:immb in bits 22:16; immh != 0000).
        Encoding("SSHR/USHR (vector)", "0 Q U 011110 immh:4 immb:3 00000 1 Rn Rd") { w in si(.shiftImmediate, w, shiftOK(w)) },
        Encoding("SSRA/USRA (vector)", "0 Q U 011110 immh:4 immb:3 00010 1 Rn Rd") { w in si(.shiftImmediate, w, shiftOK(w)) },
        Encoding("SRSHR/URSHR (vector)", "0 Q U 011110 immh:4 immb:3 00100 1 Rn Rd") { w in si(.shiftImmediate, w, shiftOK(w)) },
        Encoding("SRSRA/URSRA (vector)", "0 Q U 011110 immh:4 immb:3 00110 1 Rn Rd") { w in si(.shiftImmediate, w, shiftOK(w)) },
        // SRI and SQSHLU have U = 1; U stays a field so that the modified-immediate patterns
        // (immh = 0000, op a field) refine these.
        Encoding("SRI (vector)", "0 Q U 011110 immh:4 immb:3 01000 1 Rn Rd") { w in si(.shiftImmediate, w, w.bit(29) == 1 && shiftOK(w)) },
        Encoding("SHL/SLI (vector)", "0 Q U 011110 immh:4 immb:3 01010 1 Rn Rd") { w in si(.shiftImmediate, w, shiftOK(w)) },
        Encoding("SQSHLU (vector)", "0 Q U 011110 immh:4 immb:3 01100 1 Rn Rd") { w in si(.shiftImmediate, w, w.bit(29) == 1 && shiftOK(w)) },
        Encoding("SQSHL/UQSHL (vector, immediate)", "0 Q U 011110 immh:4 immb:3 01110 1 Rn Rd") { w in si(.shiftImmediate, w, shiftOK(w)) },
        Encoding("SHRN/SQSHRUN (vector)", "0 Q U 011110 immh:4 immb:3 10000 1 Rn Rd") { w in si(.shiftImmediate, w, shiftNarrowOK(w)) },
        Encoding("RSHRN/SQRSHRUN (vector)", "0 Q U 011110 immh:4 immb:3 10001 1 Rn Rd") { w in si(.shiftImmediate, w, shiftNarrowOK(w)) },
        Encoding("SQSHRN/UQSHRN (vector)", "0 Q U 011110 immh:4 immb:3 10010 1 Rn Rd") { w in si(.shiftImmediate, w, shiftNarrowOK(w)) },
        Encoding("SQRSHRN/UQRSHRN (vector)", "0 Q U 011110 immh:4 immb:3 10011 1 Rn Rd") { w in si(.shiftImmediate, w, shiftNarrowOK(w)) },
        Encoding("SSHLL/USHLL", "0 Q U 011110 immh:4 immb:3 10100 1 Rn Rd") { w in si(.shiftImmediate, w, shiftNarrowOK(w)) },

        // Advanced SIMD scalar shift by immediate.
        Encoding("SSHR/USHR (scalar)", "01 U 111110 immh:4 immb:3 00000 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftScalarDOK(w)) },
        Encoding("SSRA/USRA (scalar)", "01 U 111110 immh:4 immb:3 00010 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftScalarDOK(w)) },
        Encoding("SRSHR/URSHR (scalar)", "01 U 111110 immh:4 immb:3 00100 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftScalarDOK(w)) },
        Encoding("SRSRA/URSRA (scalar)", "01 U 111110 immh:4 immb:3 00110 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftScalarDOK(w)) },
        Encoding("SRI (scalar)", "01 1 111110 immh:4 immb:3 01000 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftScalarDOK(w)) },
        Encoding("SHL/SLI (scalar)", "01 U 111110 immh:4 immb:3 01010 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftScalarDOK(w)) },
        Encoding("SQSHLU (scalar)", "01 1 111110 immh:4 immb:3 01100 1 Rn Rd") { w in si(.shiftImmediateScalar, w, w.bits(22, 19) != 0) },
        Encoding("SQSHL/UQSHL (scalar, immediate)", "01 U 111110 immh:4 immb:3 01110 1 Rn Rd") { w in si(.shiftImmediateScalar, w, w.bits(22, 19) != 0) },
        Encoding("SQSHRUN (scalar)", "01 1 111110 immh:4 immb:3 10000 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftNarrowOK(w)) },
        Encoding("SQRSHRUN (scalar)", "01 1 111110 immh:4 immb:3 10001 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftNarrowOK(w)) },
        Encoding("SQSHRN/UQSHRN (scalar)", "01 U 111110 immh:4 immb:3 10010 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftNarrowOK(w)) },
        Encoding("SQRSHRN/UQRSHRN (scalar)", "01 U 111110 immh:4 immb:3 10011 1 Rn Rd") { w in si(.shiftImmediateScalar, w, shiftNarrowOK(w)) },
    ]
}
