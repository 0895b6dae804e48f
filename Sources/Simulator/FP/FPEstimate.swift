/// FPRecipEstimate (FRECPE), FPRSqrtEstimate (FRSQRTE), FPRecpX (FRECPX), UnsignedRecipEstimate
/// (URECPE), UnsignedRSqrtEstimate (URSQRTE), with the ARMv8.0 8-bit estimate functions
/// RecipEstimate() and RecipSqrtEstimate() computed from their pseudocode definitions.
extension FP {
    /// RecipEstimate(a), 256 ≤ a < 512 a fixed-point value in [0.5, 1) in steps of 1/512:
    /// the reciprocal of the interval midpoint, rounded to 1/256, in 256...511.
    @inline(__always)
    static func recipEstimate8(_ a: Int) -> Int {
        let a2 = a * 2 + 1             // round to nearest
        let b = (1 << 19) / a2
        return (b + 1) >> 1            // round to nearest
    }

    /// RecipSqrtEstimate(a), 128 ≤ a < 512: a in [0.25, 0.5) in steps of 1/512 or [0.5, 1) in steps
    /// of 1/256 (bottom bit ignored); the result in 256...511 represents 1/sqrt(a) in [1, 2).
    @inline(__always)
    static func rsqrtEstimate8(_ aIn: Int) -> Int {
        var a = aIn
        if a < 256 {
            a = a * 2 + 1
        } else {
            a = (a >> 1) << 1
            a = (a + 1) * 2
        }
        // b = largest b such that a·b² < 2^28 (b < 2^14/sqrt(a)), starting from 512.
        var b = 512
        // Jump near the answer, then settle exactly as the pseudocode's loop would.
        let guess = Int((Double(1 << 28) / Double(a)).squareRoot())
        if guess - 2 > b { b = guess - 2 }
        while a * (b + 1) * (b + 1) < (1 << 28) { b += 1 }
        return (b + 1) >> 1
    }

    /// FPRecipEstimate (FRECPE).
    public static func recipEstimate(_ op: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        let operand = op & size.mask
        let u = unpack(operand, size, fz: st.fz, &st)
        switch u.type {
        case .qnan, .snan: return processNaN(u.type, operand, size, &st)
        case .infinity: return zero(u.sign, size)
        case .zero:
            st.fpsr |= FPFlag.dzc
            return infinity(u.sign, size)
        case .nonzero: break
        }
        let e = u.topExp
        let tinyLimit: Int
        switch size { case .half: tinyLimit = -16; case .single: tinyLimit = -128; case .double: tinyLimit = -1024 }
        if e < tinyLimit {
            let overflowToInf: Bool
            switch st.rounding {
            case .posInf: overflowToInf = !u.sign
            case .negInf: overflowToInf = u.sign
            case .zero: overflowToInf = false
            default: overflowToInf = true
            }
            st.fpsr |= FPFlag.ofc | FPFlag.ixc
            return overflowToInf ? infinity(u.sign, size) : maxNormal(u.sign, size)
        }
        if st.fz && size != .half && e >= -size.minExp {
            st.fpsr |= FPFlag.ufc
            return zero(u.sign, size)
        }
        // Fraction left-aligned in 52 bits, exponent field as in the operand.
        var fraction = (operand & size.fracMask) << UInt64(52 - size.fracBits)
        var exp = Int((operand >> UInt64(size.fracBits)) & UInt64(size.expMax))
        if exp == 0 {
            if (fraction >> 51) & 1 == 0 {
                exp = -1
                fraction = (fraction << 2) & ((1 << 52) - 1)
            } else {
                fraction = (fraction << 1) & ((1 << 52) - 1)
            }
        }
        let scaled = 256 | Int(fraction >> 44)
        var resultExp = 2 * size.bias - 1 - exp   // 29 / 253 / 2045 − exp
        let estimate = recipEstimate8(scaled)
        var frac = UInt64(estimate & 0xFF) << 44
        if resultExp == 0 {
            frac = (1 << 51) | (frac >> 1)
        } else if resultExp == -1 {
            frac = (1 << 50) | (frac >> 2)
            resultExp = 0
        }
        return (u.sign ? size.signBit : 0) | UInt64(resultExp) << UInt64(size.fracBits)
            | (frac >> UInt64(52 - size.fracBits))
    }

    /// FPRSqrtEstimate (FRSQRTE).
    public static func rsqrtEstimate(_ op: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        let operand = op & size.mask
        let u = unpack(operand, size, fz: st.fz, &st)
        switch u.type {
        case .qnan, .snan: return processNaN(u.type, operand, size, &st)
        case .zero:
            st.fpsr |= FPFlag.dzc
            return infinity(u.sign, size)
        default: break
        }
        if u.sign {
            st.fpsr |= FPFlag.ioc
            return size.defaultNaN
        }
        if u.isInf { return 0 }
        var fraction = (operand & size.fracMask) << UInt64(52 - size.fracBits)
        var exp = Int((operand >> UInt64(size.fracBits)) & UInt64(size.expMax))
        if exp == 0 {
            while (fraction >> 51) & 1 == 0 {
                fraction = (fraction << 1) & ((1 << 52) - 1)
                exp -= 1
            }
            fraction = (fraction << 1) & ((1 << 52) - 1)
        }
        let scaled = exp & 1 == 0 ? (256 | Int(fraction >> 44)) : (128 | Int(fraction >> 45))
        let k: Int
        switch size { case .half: k = 44; case .single: k = 380; case .double: k = 3068 }
        let resultExp = (k - exp) >> 1   // floor division, as the pseudocode's DIV
        let estimate = rsqrtEstimate8(scaled)
        return UInt64(resultExp) << UInt64(size.fracBits) | UInt64(estimate & 0xFF) << UInt64(size.fracBits - 8)
    }

    /// FPRecpX (FRECPX): the exponent inverted, fraction cleared.
    public static func recpX(_ op: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        let operand = op & size.mask
        let u = unpack(operand, size, fz: st.fz, &st)
        if u.isNaN { return processNaN(u.type, operand, size, &st) }
        let exp = (operand >> UInt64(size.fracBits)) & UInt64(size.expMax)
        let signBits = operand & size.signBit
        if exp == 0 { return signBits | UInt64(size.expMax - 1) << UInt64(size.fracBits) }
        return signBits | ((~exp) & UInt64(size.expMax)) << UInt64(size.fracBits)
    }

    /// UnsignedRecipEstimate (URECPE) on one 32-bit element.
    public static func unsignedRecipEstimate(_ op: UInt32) -> UInt32 {
        if op >> 31 == 0 { return 0xFFFF_FFFF }
        return UInt32(recipEstimate8(Int(op >> 23))) << 23
    }

    /// UnsignedRSqrtEstimate (URSQRTE) on one 32-bit element.
    public static func unsignedRSqrtEstimate(_ op: UInt32) -> UInt32 {
        if op >> 30 == 0 { return 0xFFFF_FFFF }
        return UInt32(rsqrtEstimate8(Int(op >> 23))) << 23
    }
}
