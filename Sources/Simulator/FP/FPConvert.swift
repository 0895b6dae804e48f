/// FPRoundInt, FPToFixed, FixedToFP, FPConvert (with alternative half precision), FCVTXN.
extension FP {
    // MARK: Round to integral

    /// FPRoundInt (FRINTN/P/M/Z/A with an explicit mode and `exact: false`; FRINTI with the FPCR
    /// mode; FRINTX with the FPCR mode and `exact: true`, the only form that raises IXC).
    public static func roundInt(_ op: UInt64, _ size: FPSize, rounding: FPRounding, exact: Bool,
                                _ st: inout FPStatus) -> UInt64 {
        let u = unpack(op, size, fz: st.fz, &st)
        switch u.type {
        case .qnan, .snan: return processNaN(u.type, op, size, &st)
        case .infinity: return infinity(u.sign, size)
        case .zero: return zero(u.sign, size)
        case .nonzero: break
        }
        if u.exp >= 0 { return op & size.mask }   // already an integer
        var (mag, err) = split(UInt128(u.sig), -u.exp)
        if roundUp(rounding, u.sign, mag & 1 != 0, err) { mag += 1 }
        if err != .exact && exact { st.fpsr |= FPFlag.ixc }
        if mag == 0 { return zero(u.sign, size) }
        return round(u.sign, 0, mag, size, .zero, &st)   // exact
    }

    // MARK: Floating-point to integer

    /// FPToFixed (FCVT{N,P,M,Z,A}{S,U}, fixed-point FCVTZS/FCVTZU with `fbits`): the `intBits`-bit
    /// (32 or 64) result, zero-extended. NaN gives 0 with IOC; out-of-range values saturate with IOC.
    public static func toInt(_ op: UInt64, from size: FPSize, signed: Bool, intBits: Int, fbits: Int = 0,
                             rounding: FPRounding, _ st: inout FPStatus) -> UInt64 {
        let u = unpack(op, size, fz: st.fz, &st)
        var mag: UInt128 = 0
        var err = RoundError.exact
        var huge = false
        switch u.type {
        case .qnan, .snan:
            st.fpsr |= FPFlag.ioc
            return 0
        case .zero:
            return 0
        case .infinity:
            huge = true
        case .nonzero:
            let e = u.exp + fbits
            if e >= 0 {
                if e + 64 - u.sig.leadingZeroBitCount > 66 { huge = true } else { mag = UInt128(u.sig) << UInt128(e) }
            } else {
                (mag, err) = split(UInt128(u.sig), -e)
                if roundUp(rounding, u.sign, mag & 1 != 0, err) { mag += 1 }
            }
        }
        let intMask: UInt128 = (1 << UInt128(intBits)) - 1
        var result: UInt128
        var overflow = false
        if signed {
            let limit: UInt128 = 1 << UInt128(intBits - 1)
            if !u.sign {
                if huge || mag > limit - 1 { overflow = true; result = limit - 1 } else { result = mag }
            } else {
                if huge || mag > limit { overflow = true; result = limit } else { result = (0 &- mag) & intMask }
            }
        } else {
            if u.sign {
                if huge || mag != 0 { overflow = true }
                result = 0
            } else {
                if huge || mag > intMask { overflow = true; result = intMask } else { result = mag }
            }
        }
        if overflow {
            st.fpsr |= FPFlag.ioc
        } else if err != .exact {
            st.fpsr |= FPFlag.ixc
        }
        return UInt64(truncatingIfNeeded: result & intMask)
    }

    // MARK: Integer to floating-point

    /// FixedToFP (SCVTF/UCVTF, with `fbits` for the fixed-point forms) from the low `intBits` bits of `v`.
    public static func fromInt(_ v: UInt64, intBits: Int, signed: Bool, fbits: Int = 0, to size: FPSize,
                               rounding: FPRounding, _ st: inout FPStatus) -> UInt64 {
        var x = intBits == 64 ? v : v & ((1 << UInt64(intBits)) - 1)
        var sign = false
        if signed && (x >> UInt64(intBits - 1)) & 1 != 0 {
            sign = true
            x = (0 &- x) & (intBits == 64 ? ~0 : (1 << UInt64(intBits)) - 1)
        }
        if x == 0 { return 0 }
        return round(sign, -fbits, UInt128(x), size, rounding, &st)
    }

    // MARK: Precision conversion

    /// FPConvert (FCVT between half/single/double, FCVTL/FCVTN; FCVTXN is `rounding: .odd`).
    /// FPCR.AHP selects alternative half precision for half sources and results; FZ applies to
    /// single/double sources and results only.
    public static func convert(_ op: UInt64, from: FPSize, to: FPSize, rounding: FPRounding,
                               _ st: inout FPStatus) -> UInt64 {
        let ahp = st.ahp
        let u = unpack(op, from, fz: st.fz, ahp: ahp, &st)
        let altHP = to == .half && ahp
        switch u.type {
        case .qnan, .snan:
            let r: UInt64
            if altHP {
                r = zero(u.sign, to)
            } else if st.dn {
                r = to.defaultNaN
            } else {
                r = convertNaN(op, from: from, to: to)
            }
            if u.type == .snan || altHP { st.fpsr |= FPFlag.ioc }
            return r
        case .infinity:
            if altHP {
                st.fpsr |= FPFlag.ioc
                return (u.sign ? to.signBit : 0) | 0x7FFF
            }
            return infinity(u.sign, to)
        case .zero:
            return zero(u.sign, to)
        case .nonzero:
            return round(u.sign, u.exp, UInt128(u.sig), to, rounding, &st, ahp: altHP)
        }
    }

    /// FPConvertNaN: keep the sign and the top payload bits, force quiet.
    static func convertNaN(_ op: UInt64, from: FPSize, to: FPSize) -> UInt64 {
        let sign = (op >> UInt64(from.bits - 1)) & 1
        let frac51: UInt64
        switch from {
        case .double: frac51 = op & ((1 << 51) - 1)
        case .single: frac51 = (op & ((1 << 22) - 1)) << 29
        case .half: frac51 = (op & ((1 << 9) - 1)) << 42
        }
        let payload: UInt64
        switch to {
        case .double: payload = frac51
        case .single: payload = frac51 >> 29
        case .half: payload = frac51 >> 42
        }
        return sign << UInt64(to.bits - 1) | to.defaultNaN | payload
    }
}
