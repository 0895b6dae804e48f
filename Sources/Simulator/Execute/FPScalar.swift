/// Scalar floating-point instructions (class numbers 0..<64, see `FPScalarClass`).
extension Core {
    /// VFPExpandImm(): the 8-bit FMOV immediate as a single- or double-precision pattern.
    static func expandFPImmediate(_ imm8: UInt64, double: Bool) -> UInt64 {
        let a = imm8 >> 7, b = (imm8 >> 6) & 1, cdefgh = imm8 & 0x3F
        if double {
            let exp = (b ^ 1) << 10 | (b == 1 ? 0xFF : 0) << 2 | (cdefgh >> 4)
            return a << 63 | exp << 52 | (cdefgh & 0xF) << 48
        }
        let exp = (b ^ 1) << 7 | (b == 1 ? 0x1F : 0) << 2 | (cdefgh >> 4)
        return a << 31 | exp << 23 | (cdefgh & 0xF) << 19
    }

    func fpScalar(_ cls: UInt8, _ w: UInt32, pc: UInt64) -> Bool {
        guard let c = FPScalarClass(rawValue: cls) else { undefined(pc: pc); return true }
        let d = w.rd, n = w.rn, m = w.rm
        let double = w.bit(22) == 1
        let bytes = double ? 8 : 4
        let sign: UInt64 = double ? 1 << 63 : 1 << 31
        switch c {
        case .moveRegister: setScalar(d, scalar(n, bytes: bytes), bytes: bytes)
        case .absolute: setScalar(d, scalar(n, bytes: bytes) & ~sign, bytes: bytes)
        case .negate: setScalar(d, scalar(n, bytes: bytes) ^ sign, bytes: bytes)
        case .moveGeneral:
            let toGeneral = w.bit(16) == 0
            switch (w.bit(31), w.bits(20, 19)) {
            case (0, _):
                if toGeneral { x[dst(d)] = scalar(n, bytes: 4) } else { setScalar(d, x[src(n)] & 0xFFFF_FFFF, bytes: 4) }
            case (1, 0):
                if toGeneral { x[dst(d)] = scalar(n, bytes: 8) } else { setScalar(d, x[src(n)], bytes: 8) }
            default:
                // The upper 64 bits of a 128-bit register; the lower half is preserved.
                if toGeneral { x[dst(d)] = vHigh(n) } else { v[2 * d + 1] = x[src(n)] }
            }
        case .moveImmediate:
            setScalar(d, Core.expandFPImmediate(UInt64(w.bits(20, 13)), double: double), bytes: bytes)
        case .conditionalSelect:
            let pick = Core.conditionHolds(state, UInt8(w.bits(15, 12))) ? n : m
            setScalar(d, scalar(pick, bytes: bytes), bytes: bytes)
        default:
            return fpScalarArith(c, w, pc: pc)
        }
        return false
    }
}
