/// Scalar floating-point encodings (Arm ARM C4.1.x "Data Processing -- Scalar Floating-Point").
/// ARMv8.0 has single (ptype 00) and double (ptype 01); half-precision arithmetic (ptype 11) is
/// ARMv8.2-FP16 and stays UNDEFINED.
enum FPScalarClass: UInt8 {
    case moveRegister = 0, absolute, negate, moveGeneral, moveImmediate, conditionalSelect
    case squareRoot, convertPrecision, roundIntegral, compare, conditionalCompare
    case twoSource, threeSource, toInteger, fromInteger, toFixed, fromFixed
}

extension A64 {
    static func fp(_ c: FPScalarClass, _ w: UInt32) -> Insn { Insn(.simd, a: Int(c.rawValue), imm: UInt64(w)) }

    static let fpScalar: [Encoding] = [
        Encoding("FMOV (register)", "0 0 0 11110 0 ptype0 1 000000 10000 Rn Rd") { w in fp(.moveRegister, w) },
        Encoding("FABS (scalar)", "0 0 0 11110 0 ptype0 1 000001 10000 Rn Rd") { w in fp(.absolute, w) },
        Encoding("FNEG (scalar)", "0 0 0 11110 0 ptype0 1 000010 10000 Rn Rd") { w in fp(.negate, w) },
        Encoding("FMOV (general)", "sf 0 0 11110 ptype:2 1 rmode:2 11 dir 000000 Rn Rd") { w in
            // (sf, ptype, rmode): (0, 00, 00) W<->S, (1, 01, 00) X<->D, (1, 10, 01) X<->V.D[1].
            switch (w.bit(31), w.bits(23, 22), w.bits(20, 19)) {
            case (0, 0, 0), (1, 1, 0), (1, 2, 1): return fp(.moveGeneral, w)
            default: return Insn(.undefined)
            }
        },
        Encoding("FMOV (scalar, immediate)", "0 0 0 11110 0 ptype0 1 imm8:8 100 00000 Rd") { w in fp(.moveImmediate, w) },
        Encoding("FCSEL", "0 0 0 11110 0 ptype0 1 Rm cond:4 11 Rn Rd") { w in fp(.conditionalSelect, w) },
        Encoding("FSQRT (scalar)", "0 0 0 11110 0 ptype0 1 000011 10000 Rn Rd") { w in fp(.squareRoot, w) },
        Encoding("FCVT (scalar, precision)", "0 0 0 11110 ptype:2 1 0001 opc:2 10000 Rn Rd") { w in
            // Source and destination types among single (00), double (01), half (11); not equal.
            let from = w.bits(23, 22), to = w.bits(16, 15)
            guard from != 2, to != 2, from != to else { return Insn(.undefined) }
            return fp(.convertPrecision, w)
        },
        Encoding("FRINT{N,P,M,Z,A,X,I} (scalar)", "0 0 0 11110 0 ptype0 1 001 rmode:3 10000 Rn Rd") { w in
            w.bits(17, 15) == 5 ? Insn(.undefined) : fp(.roundIntegral, w)
        },
        Encoding("FCMP/FCMPE", "0 0 0 11110 0 ptype0 1 Rm 00 1000 Rn E Z 000") { w in fp(.compare, w) },
        Encoding("FCCMP/FCCMPE", "0 0 0 11110 0 ptype0 1 Rm cond:4 01 Rn E nzcv:4") { w in fp(.conditionalCompare, w) },
        Encoding("FP data-processing (2 source)", "0 0 0 11110 0 ptype0 1 Rm opcode:4 10 Rn Rd") { w in
            w.bits(15, 12) > 8 ? Insn(.undefined) : fp(.twoSource, w)
        },
        Encoding("FP data-processing (3 source)", "0 0 0 11111 0 ptype0 o1 Rm o0 Ra Rn Rd") { w in fp(.threeSource, w) },
        Encoding("FCVT{N,P,M,Z}{S,U} (scalar, integer)", "sf 0 0 11110 0 ptype0 1 rmode:2 00 U 000000 Rn Rd") { w in
            fp(.toInteger, w)
        },
        Encoding("FCVTA{S,U} (scalar)", "sf 0 0 11110 0 ptype0 1 00 10 U 000000 Rn Rd") { w in fp(.toInteger, w) },
        Encoding("SCVTF/UCVTF (scalar, integer)", "sf 0 0 11110 0 ptype0 1 00 01 U 000000 Rn Rd") { w in fp(.fromInteger, w) },
        Encoding("FCVTZS/FCVTZU (scalar, fixed-point)", "sf 0 0 11110 0 ptype0 0 11 00 U scale:6 Rn Rd") { w in
            !w.sf && w.bit(15) == 0 ? Insn(.undefined) : fp(.toFixed, w)
        },
        Encoding("SCVTF/UCVTF (scalar, fixed-point)", "sf 0 0 11110 0 ptype0 0 00 01 U scale:6 Rn Rd") { w in
            !w.sf && w.bit(15) == 0 ? Insn(.undefined) : fp(.fromFixed, w)
        },
    ]
}
