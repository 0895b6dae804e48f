/// Advanced SIMD integer encodings, three-register classes (Arm ARM C4.1.x "Data Processing --
/// Scalar Floating-Point and Advanced SIMD": Advanced SIMD three same, three different, and
/// their scalar forms). ARMv8.0 only: the FP opcodes of these classes belong to the SIMD FP
/// family; SQRDMLAH (v8.1), the dot products (v8.2) and PMULL.1Q (Crypto) stay undecoded.
///
/// Builders return `Insn(.simd, a: class, imm: word)`; reserved size/Q combinations are rejected
/// here, so the execute handlers only see allocated encodings.
enum SIMDIntClass: UInt8 {
    case threeSame = 64, threeSameScalar, threeDifferent, threeDifferentScalar
    case twoRegMisc, twoRegMiscScalar, acrossLanes, pairwiseScalar
    case copy, copyScalar, modifiedImmediate, shiftImmediate, shiftImmediateScalar
    case indexed, indexedScalar, permute, extract, table
}

extension A64 {
    /// The whole Advanced SIMD integer family, spliced into `A64.encodings`.
    static let simdInteger: [Encoding] = simdThreeSame + simdThreeDifferent + simdByElement + simdTwoRegAndShift + simdPermuteAndCopy

    /// An instruction of class `c`, or UNDEFINED when `ok` is false (a reserved size/Q combination).
    static func si(_ c: SIMDIntClass, _ w: UInt32, _ ok: Bool = true) -> Insn {
        ok ? Insn(.simd, a: Int(c.rawValue), imm: UInt64(w)) : Insn(.undefined)
    }

    // Reserved size (bits 23:22) and Q (bit 30) combinations, as the Arm ARM tables mark them.
    /// size = 11 reserved.
    static func noD(_ w: UInt32) -> Bool { w.bits(23, 22) != 3 }
    /// size:Q = 110 reserved (2D allowed, 1D not).
    static func no1D(_ w: UInt32) -> Bool { w.bits(23, 22) != 3 || w.bit(30) == 1 }
    /// Only size = 01 or 10 (H and S).
    static func hs(_ w: UInt32) -> Bool { w.bits(23, 22) == 1 || w.bits(23, 22) == 2 }
    /// Only size = 11 (the scalar D forms).
    static func onlyD(_ w: UInt32) -> Bool { w.bits(23, 22) == 3 }

    static let simdThreeSame: [Encoding] = [
        // Advanced SIMD three same (integer opcodes 00000-10111).
        Encoding("SHADD/UHADD", "0 Q U 01110 size:2 1 Rm 00000 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("SQADD/UQADD (vector)", "0 Q U 01110 size:2 1 Rm 00001 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("SRHADD/URHADD", "0 Q U 01110 size:2 1 Rm 00010 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("AND (vector)", "0 Q 0 01110 00 1 Rm 00011 1 Rn Rd") { w in si(.threeSame, w) },
        Encoding("BIC (vector, register)", "0 Q 0 01110 01 1 Rm 00011 1 Rn Rd") { w in si(.threeSame, w) },
        Encoding("ORR (vector, register)", "0 Q 0 01110 10 1 Rm 00011 1 Rn Rd") { w in si(.threeSame, w) },
        Encoding("ORN (vector)", "0 Q 0 01110 11 1 Rm 00011 1 Rn Rd") { w in si(.threeSame, w) },
        Encoding("EOR (vector)", "0 Q 1 01110 00 1 Rm 00011 1 Rn Rd") { w in si(.threeSame, w) },
        Encoding("BSL", "0 Q 1 01110 01 1 Rm 00011 1 Rn Rd") { w in si(.threeSame, w) },
        Encoding("BIT", "0 Q 1 01110 10 1 Rm 00011 1 Rn Rd") { w in si(.threeSame, w) },
        Encoding("BIF", "0 Q 1 01110 11 1 Rm 00011 1 Rn Rd") { w in si(.threeSame, w) },
        Encoding("SHSUB/UHSUB", "0 Q U 01110 size:2 1 Rm 00100 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("SQSUB/UQSUB (vector)", "0 Q U 01110 size:2 1 Rm 00101 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("CMGT/CMHI (vector, register)", "0 Q U 01110 size:2 1 Rm 00110 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("CMGE/CMHS (vector, register)", "0 Q U 01110 size:2 1 Rm 00111 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("SSHL/USHL (vector)", "0 Q U 01110 size:2 1 Rm 01000 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("SQSHL/UQSHL (vector, register)", "0 Q U 01110 size:2 1 Rm 01001 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("SRSHL/URSHL (vector)", "0 Q U 01110 size:2 1 Rm 01010 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("SQRSHL/UQRSHL (vector)", "0 Q U 01110 size:2 1 Rm 01011 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("SMAX/UMAX", "0 Q U 01110 size:2 1 Rm 01100 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("SMIN/UMIN", "0 Q U 01110 size:2 1 Rm 01101 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("SABD/UABD", "0 Q U 01110 size:2 1 Rm 01110 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("SABA/UABA", "0 Q U 01110 size:2 1 Rm 01111 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("ADD/SUB (vector)", "0 Q U 01110 size:2 1 Rm 10000 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("CMTST/CMEQ (vector, register)", "0 Q U 01110 size:2 1 Rm 10001 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },
        Encoding("MLA/MLS (vector)", "0 Q U 01110 size:2 1 Rm 10010 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("MUL (vector)", "0 Q 0 01110 size:2 1 Rm 10011 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("PMUL", "0 Q 1 01110 size:2 1 Rm 10011 1 Rn Rd") { w in si(.threeSame, w, w.bits(23, 22) == 0) },
        Encoding("SMAXP/UMAXP", "0 Q U 01110 size:2 1 Rm 10100 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("SMINP/UMINP", "0 Q U 01110 size:2 1 Rm 10101 1 Rn Rd") { w in si(.threeSame, w, noD(w)) },
        Encoding("SQDMULH/SQRDMULH (vector)", "0 Q U 01110 size:2 1 Rm 10110 1 Rn Rd") { w in si(.threeSame, w, hs(w)) },
        Encoding("ADDP (vector)", "0 Q 0 01110 size:2 1 Rm 10111 1 Rn Rd") { w in si(.threeSame, w, no1D(w)) },

        // Advanced SIMD scalar three same (integer opcodes).
        Encoding("SQADD/UQADD (scalar)", "01 U 11110 size:2 1 Rm 00001 1 Rn Rd") { w in si(.threeSameScalar, w) },
        Encoding("SQSUB/UQSUB (scalar)", "01 U 11110 size:2 1 Rm 00101 1 Rn Rd") { w in si(.threeSameScalar, w) },
        Encoding("CMGT/CMHI (scalar, register)", "01 U 11110 size:2 1 Rm 00110 1 Rn Rd") { w in si(.threeSameScalar, w, onlyD(w)) },
        Encoding("CMGE/CMHS (scalar, register)", "01 U 11110 size:2 1 Rm 00111 1 Rn Rd") { w in si(.threeSameScalar, w, onlyD(w)) },
        Encoding("SSHL/USHL (scalar)", "01 U 11110 size:2 1 Rm 01000 1 Rn Rd") { w in si(.threeSameScalar, w, onlyD(w)) },
        Encoding("SQSHL/UQSHL (scalar, register)", "01 U 11110 size:2 1 Rm 01001 1 Rn Rd") { w in si(.threeSameScalar, w) },
        Encoding("SRSHL/URSHL (scalar)", "01 U 11110 size:2 1 Rm 01010 1 Rn Rd") { w in si(.threeSameScalar, w, onlyD(w)) },
        Encoding("SQRSHL/UQRSHL (scalar)", "01 U 11110 size:2 1 Rm 01011 1 Rn Rd") { w in si(.threeSameScalar, w) },
        Encoding("ADD/SUB (scalar)", "01 U 11110 size:2 1 Rm 10000 1 Rn Rd") { w in si(.threeSameScalar, w, onlyD(w)) },
        Encoding("CMTST/CMEQ (scalar, register)", "01 U 11110 size:2 1 Rm 10001 1 Rn Rd") { w in si(.threeSameScalar, w, onlyD(w)) },
        Encoding("SQDMULH/SQRDMULH (scalar)", "01 U 11110 size:2 1 Rm 10110 1 Rn Rd") { w in si(.threeSameScalar, w, hs(w)) },
    ]

    static let simdThreeDifferent: [Encoding] = [
        // Advanced SIMD three different. Q selects the "2" forms (upper halves of the narrow operands).
        Encoding("SADDL/UADDL", "0 Q U 01110 size:2 1 Rm 0000 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SADDW/UADDW", "0 Q U 01110 size:2 1 Rm 0001 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SSUBL/USUBL", "0 Q U 01110 size:2 1 Rm 0010 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SSUBW/USUBW", "0 Q U 01110 size:2 1 Rm 0011 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("ADDHN/RADDHN", "0 Q U 01110 size:2 1 Rm 0100 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SABAL/UABAL", "0 Q U 01110 size:2 1 Rm 0101 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SUBHN/RSUBHN", "0 Q U 01110 size:2 1 Rm 0110 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SABDL/UABDL", "0 Q U 01110 size:2 1 Rm 0111 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SMLAL/UMLAL (vector)", "0 Q U 01110 size:2 1 Rm 1000 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SQDMLAL (vector)", "0 Q 0 01110 size:2 1 Rm 1001 00 Rn Rd") { w in si(.threeDifferent, w, hs(w)) },
        Encoding("SMLSL/UMLSL (vector)", "0 Q U 01110 size:2 1 Rm 1010 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SQDMLSL (vector)", "0 Q 0 01110 size:2 1 Rm 1011 00 Rn Rd") { w in si(.threeDifferent, w, hs(w)) },
        Encoding("SMULL/UMULL (vector)", "0 Q U 01110 size:2 1 Rm 1100 00 Rn Rd") { w in si(.threeDifferent, w, noD(w)) },
        Encoding("SQDMULL (vector)", "0 Q 0 01110 size:2 1 Rm 1101 00 Rn Rd") { w in si(.threeDifferent, w, hs(w)) },
        // size = 11 is PMULL.1Q of the Crypto extension, which this family leaves undecoded.
        Encoding("PMULL (8-bit)", "0 Q 0 01110 size:2 1 Rm 1110 00 Rn Rd") { w in si(.threeDifferent, w, w.bits(23, 22) == 0) },

        // Advanced SIMD scalar three different.
        Encoding("SQDMLAL (scalar)", "01 0 11110 size:2 1 Rm 1001 00 Rn Rd") { w in si(.threeDifferentScalar, w, hs(w)) },
        Encoding("SQDMLSL (scalar)", "01 0 11110 size:2 1 Rm 1011 00 Rn Rd") { w in si(.threeDifferentScalar, w, hs(w)) },
        Encoding("SQDMULL (scalar)", "01 0 11110 size:2 1 Rm 1101 00 Rn Rd") { w in si(.threeDifferentScalar, w, hs(w)) },
    ]

    /// The two element sizes of a by-element encoding, one line each (their index and Vm fields
    /// differ): `shape` has ELEMENT where size, L, M and Vm go. H (size 01): index H:L:M, Vm in
    /// V0-V15; S (size 10): index H:L, Vm = M:Vm. Sizes 00 and 11 are reserved for the integer
    /// forms (size 1x is also where the FP forms sit, with other opcodes).
    static func byElement(_ name: String, _ c: SIMDIntClass, _ shape: String) -> [Encoding] {
        let form = c == .indexedScalar ? "by element, scalar" : "by element"
        return [Encoding("\(name) (\(form), H)", shape.replacing("ELEMENT", with: "01 L M vm:4")) { w in si(c, w) },
                Encoding("\(name) (\(form), S)", shape.replacing("ELEMENT", with: "10 L vm:5")) { w in si(c, w) }]
    }

    static let simdByElement: [Encoding] = [
        // Advanced SIMD vector x indexed element (integer opcodes).
        byElement("MLA", .indexed, "0 Q 1 01111 ELEMENT 0000 H 0 Rn Rd"),
        byElement("SMLAL/UMLAL", .indexed, "0 Q U 01111 ELEMENT 0010 H 0 Rn Rd"),
        byElement("SQDMLAL", .indexed, "0 Q 0 01111 ELEMENT 0011 H 0 Rn Rd"),
        byElement("MLS", .indexed, "0 Q 1 01111 ELEMENT 0100 H 0 Rn Rd"),
        byElement("SMLSL/UMLSL", .indexed, "0 Q U 01111 ELEMENT 0110 H 0 Rn Rd"),
        byElement("SQDMLSL", .indexed, "0 Q 0 01111 ELEMENT 0111 H 0 Rn Rd"),
        byElement("MUL", .indexed, "0 Q 0 01111 ELEMENT 1000 H 0 Rn Rd"),
        byElement("SMULL/UMULL", .indexed, "0 Q U 01111 ELEMENT 1010 H 0 Rn Rd"),
        byElement("SQDMULL", .indexed, "0 Q 0 01111 ELEMENT 1011 H 0 Rn Rd"),
        byElement("SQDMULH", .indexed, "0 Q 0 01111 ELEMENT 1100 H 0 Rn Rd"),
        byElement("SQRDMULH", .indexed, "0 Q 0 01111 ELEMENT 1101 H 0 Rn Rd"),
        // Advanced SIMD scalar x indexed element (integer opcodes).
        byElement("SQDMLAL", .indexedScalar, "01 0 11111 ELEMENT 0011 H 0 Rn Rd"),
        byElement("SQDMLSL", .indexedScalar, "01 0 11111 ELEMENT 0111 H 0 Rn Rd"),
        byElement("SQDMULL", .indexedScalar, "01 0 11111 ELEMENT 1011 H 0 Rn Rd"),
        byElement("SQDMULH", .indexedScalar, "01 0 11111 ELEMENT 1100 H 0 Rn Rd"),
        byElement("SQRDMULH", .indexedScalar, "01 0 11111 ELEMENT 1101 H 0 Rn Rd"),
    ].flatMap { $0 }
}
