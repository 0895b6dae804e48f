/// Scalar floating-point encodings (Arm ARM C4.1.x "Data Processing -- Scalar Floating-Point").
/// ARMv8.0 has single (ptype 00) and double (ptype 01); half-precision arithmetic (ptype 11) is
/// ARMv8.2-FP16 and stays UNDEFINED.
enum FPScalarClass: UInt8 {
    case moveRegister = 0, absolute, negate, moveGeneral, moveImmediate, conditionalSelect
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
    ]
}
