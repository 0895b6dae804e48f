/// FPAdd, FPSub, FPMul, FPMulX, FPDiv, FPSqrt, FPMulAdd, FPRecipStepFused, FPRSqrtStepFused,
/// FPMax/FPMin/FPMaxNum/FPMinNum, FPCompare*, FPAbs/FPNeg.
extension FP {
    // MARK: Add / subtract

    /// FPAdd (FADD).
    public static func add(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        if let r = fastAdd(op1, op2, size, &st) { return r }
        return addSoft(op1, op2, size, negate2: false, &st)
    }

    /// FPSub (FSUB).
    public static func sub(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        if let r = fastAdd(op1, op2 ^ size.signBit, size, &st) { return r }
        return addSoft(op1, op2, size, negate2: true, &st)
    }

    /// FPAdd, or FPSub when `negate2` (the NaN operand is propagated unnegated).
    static func addSoft(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, negate2: Bool, _ st: inout FPStatus) -> UInt64 {
        let rounding = st.rounding
        let u1 = unpack(op1, size, fz: st.fz, &st)
        var u2 = unpack(op2, size, fz: st.fz, &st)
        if let r = processNaNs(u1, u2, op1, op2, size, &st) { return r }
        if negate2 { u2.sign.toggle() }
        if u1.isInf && u2.isInf && u1.sign != u2.sign {
            st.fpsr |= FPFlag.ioc
            return size.defaultNaN
        }
        if u1.isInf { return infinity(u1.sign, size) }
        if u2.isInf { return infinity(u2.sign, size) }
        if u1.isZero && u2.isZero && u1.sign == u2.sign { return zero(u1.sign, size) }
        return roundSum(addExact(exact(u1), exact(u2)), size, rounding, &st)
    }

    // MARK: Multiply

    /// FPMul (FMUL; FNMUL is FPNeg of this result).
    public static func mul(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        if let r = fastMul(op1, op2, size, &st) { return r }
        return mulSoft(op1, op2, size, mulX: false, &st)
    }

    /// FPMulX (FMULX): like FPMul but 0 × ∞ gives ±2.0.
    public static func mulX(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        if let r = fastMul(op1, op2, size, &st) { return r }
        return mulSoft(op1, op2, size, mulX: true, &st)
    }

    static func mulSoft(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, mulX: Bool, _ st: inout FPStatus) -> UInt64 {
        let u1 = unpack(op1, size, fz: st.fz, &st)
        let u2 = unpack(op2, size, fz: st.fz, &st)
        if let r = processNaNs(u1, u2, op1, op2, size, &st) { return r }
        let sign = u1.sign != u2.sign
        if (u1.isInf && u2.isZero) || (u1.isZero && u2.isInf) {
            if mulX { return powerOfTwo(1, sign, size) }
            st.fpsr |= FPFlag.ioc
            return size.defaultNaN
        }
        if u1.isInf || u2.isInf { return infinity(sign, size) }
        if u1.isZero || u2.isZero { return zero(sign, size) }
        let p = mulExact(u1, u2)
        return round(p.sign, p.exp, p.sig, size, st.rounding, &st)
    }

    // MARK: Divide

    /// FPDiv (FDIV).
    public static func div(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        if let r = fastDiv(op1, op2, size, &st) { return r }
        return divSoft(op1, op2, size, &st)
    }

    static func divSoft(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        let u1 = unpack(op1, size, fz: st.fz, &st)
        let u2 = unpack(op2, size, fz: st.fz, &st)
        if let r = processNaNs(u1, u2, op1, op2, size, &st) { return r }
        let sign = u1.sign != u2.sign
        if (u1.isInf && u2.isInf) || (u1.isZero && u2.isZero) {
            st.fpsr |= FPFlag.ioc
            return size.defaultNaN
        }
        if u1.isInf || u2.isZero {
            if !u1.isInf { st.fpsr |= FPFlag.dzc }
            return infinity(sign, size)
        }
        if u1.isZero || u2.isInf { return zero(sign, size) }
        // Normalise both significands to bit 63 and divide (a·2^64 or a·2^63) by b: a 64-bit quotient.
        let na = u1.sig.leadingZeroBitCount, nb = u2.sig.leadingZeroBitCount
        let a = u1.sig << UInt64(na), b = u2.sig << UInt64(nb)
        var exp = (u1.exp - na) - (u2.exp - nb)
        let q: UInt64, r: UInt64
        if a < b {
            (q, r) = b.dividingFullWidth((a, 0))
            exp -= 64
        } else {
            (q, r) = b.dividingFullWidth((a >> 1, a << 63))
            exp -= 63
        }
        return round(sign, exp, UInt128(q | (r != 0 ? 1 : 0)), size, st.rounding, &st)
    }

    // MARK: Square root

    /// FPSqrt (FSQRT).
    public static func sqrt(_ op: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        if let r = fastSqrt(op, size, &st) { return r }
        return sqrtSoft(op, size, &st)
    }

    static func sqrtSoft(_ op: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        let u = unpack(op, size, fz: st.fz, &st)
        if u.isNaN { return processNaN(u.type, op, size, &st) }
        if u.isZero { return zero(u.sign, size) }
        if u.isInf && !u.sign { return infinity(false, size) }
        if u.sign {
            st.fpsr |= FPFlag.ioc
            return size.defaultNaN
        }
        // value = sig·2^exp: shift sig up by an amount keeping exp even, leading bit at 126 or 127.
        var shift = u.sig.leadingZeroBitCount + 64 - 1
        if (u.exp - shift) & 1 != 0 { shift += 1 }
        let (root, inexact) = isqrt(UInt128(u.sig) << UInt128(shift))
        return round(false, (u.exp - shift) >> 1, UInt128(root | (inexact ? 1 : 0)), size, st.rounding, &st)
    }

    // MARK: Fused multiply-add

    /// FPMulAdd: addend + op1 × op2 with a single rounding (FMADD Rd = Ra + Rn×Rm is
    /// `mulAdd(ra, rn, rm)`; FMSUB/FMLS negate op1 with `neg` first, FNMADD negates addend and op1,
    /// FNMSUB negates the addend — as the pseudocode does, so NaN operands come out negated too).
    public static func mulAdd(_ addend: UInt64, _ op1: UInt64, _ op2: UInt64, _ size: FPSize,
                              _ st: inout FPStatus) -> UInt64 {
        if let r = fastMulAdd(addend, op1, op2, size, &st) { return r }
        return mulAddSoft(addend, op1, op2, size, &st)
    }

    static func mulAddSoft(_ addend: UInt64, _ op1: UInt64, _ op2: UInt64, _ size: FPSize,
                           _ st: inout FPStatus) -> UInt64 {
        let rounding = st.rounding
        let ua = unpack(addend, size, fz: st.fz, &st)
        let u1 = unpack(op1, size, fz: st.fz, &st)
        let u2 = unpack(op2, size, fz: st.fz, &st)
        let invalidProduct = (u1.isInf && u2.isZero) || (u1.isZero && u2.isInf)
        let nan = processNaNs3(ua, u1, u2, addend, op1, op2, size, &st)
        if ua.type == .qnan && invalidProduct {
            st.fpsr |= FPFlag.ioc
            return size.defaultNaN
        }
        if let r = nan { return r }
        let signP = u1.sign != u2.sign
        let infP = u1.isInf || u2.isInf
        let zeroP = u1.isZero || u2.isZero
        if invalidProduct || (ua.isInf && infP && ua.sign != signP) {
            st.fpsr |= FPFlag.ioc
            return size.defaultNaN
        }
        if ua.isInf { return infinity(ua.sign, size) }
        if infP { return infinity(signP, size) }
        if ua.isZero && zeroP && ua.sign == signP { return zero(ua.sign, size) }
        let p = zeroP ? FPExact(sign: signP, exp: 0, sig: 0) : mulExact(u1, u2)
        return roundSum(addExact(exact(ua), p), size, rounding, &st)
    }

    /// FPRecipStepFused (FRECPS): 2.0 − op1 × op2, fused.
    public static func recipStep(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        stepFused(op1, op2, size, rsqrt: false, &st)
    }

    /// FPRSqrtStepFused (FRSQRTS): (3.0 − op1 × op2) / 2, fused.
    public static func rsqrtStep(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        stepFused(op1, op2, size, rsqrt: true, &st)
    }

    static func stepFused(_ op1In: UInt64, _ op2: UInt64, _ size: FPSize, rsqrt: Bool, _ st: inout FPStatus) -> UInt64 {
        let rounding = st.rounding
        let op1 = (op1In & size.mask) ^ size.signBit   // FPNeg(op1), before NaN propagation
        let u1 = unpack(op1, size, fz: st.fz, &st)
        let u2 = unpack(op2, size, fz: st.fz, &st)
        if let r = processNaNs(u1, u2, op1, op2, size, &st) { return r }
        if (u1.isInf && u2.isZero) || (u1.isZero && u2.isInf) {
            // FPTwo / FPOnePointFive
            return rsqrt ? (powerOfTwo(0, false, size) | size.quietBit) : powerOfTwo(1, false, size)
        }
        if u1.isInf || u2.isInf { return infinity(u1.sign != u2.sign, size) }
        let p = (u1.isZero || u2.isZero) ? FPExact(sign: false, exp: 0, sig: 0) : mulExact(u1, u2)
        var s = addExact(FPExact(sign: false, exp: 0, sig: rsqrt ? 3 : 2), p)
        if rsqrt { s.exp -= 1 }
        return roundSum(s, size, rounding, &st)
    }

    // MARK: Maximum / minimum

    /// FPMax (FMAX).
    public static func max(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        maxMin(op1, op2, size, isMax: true, &st)
    }

    /// FPMin (FMIN).
    public static func min(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        maxMin(op1, op2, size, isMax: false, &st)
    }

    /// FPMaxNum (FMAXNM): a single quiet NaN loses to a number.
    public static func maxNum(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        let (a, b) = numOperands(op1, op2, size, replacement: infinity(true, size), &st)
        return maxMin(a, b, size, isMax: true, &st)
    }

    /// FPMinNum (FMINNM).
    public static func minNum(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        let (a, b) = numOperands(op1, op2, size, replacement: infinity(false, size), &st)
        return maxMin(a, b, size, isMax: false, &st)
    }

    @inline(__always)
    static func numOperands(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, replacement: UInt64,
                            _ st: inout FPStatus) -> (UInt64, UInt64) {
        let t1 = unpack(op1, size, fz: st.fz, &st).type
        let t2 = unpack(op2, size, fz: st.fz, &st).type
        if t1 == .qnan && t2 != .qnan { return (replacement, op2) }
        if t1 != .qnan && t2 == .qnan { return (op1, replacement) }
        return (op1, op2)
    }

    /// Signed ordering key of a non-NaN unpacked operand (zeros of either sign compare equal).
    @inline(__always)
    static func orderKey(_ u: FPUnpacked, _ op: UInt64, _ size: FPSize) -> Int64 {
        if u.isZero { return 0 }
        let mag = Int64(bitPattern: op & size.mask & ~size.signBit)
        return u.sign ? -mag : mag
    }

    static func maxMin(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, isMax: Bool, _ st: inout FPStatus) -> UInt64 {
        let u1 = unpack(op1, size, fz: st.fz, &st)
        let u2 = unpack(op2, size, fz: st.fz, &st)
        if let r = processNaNs(u1, u2, op1, op2, size, &st) { return r }
        let k1 = orderKey(u1, op1, size), k2 = orderKey(u2, op2, size)
        let first = isMax ? k1 > k2 : k1 < k2
        let (u, op) = first ? (u1, op1) : (u2, op2)
        if u.isZero {
            return zero(isMax ? (u1.sign && u2.sign) : (u1.sign || u2.sign), size)
        }
        return op & size.mask
    }

    // MARK: Compare

    /// FPCompare (FCMP/FCMPE, FCCMP/FCCMPE): returns NZCV as a 4-bit value (N = 8, Z = 4, C = 2, V = 1).
    /// `signalNaNs` (the E forms) raises IOC for quiet NaNs too.
    public static func compare(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, signalNaNs: Bool,
                               _ st: inout FPStatus) -> UInt32 {
        let u1 = unpack(op1, size, fz: st.fz, &st)
        let u2 = unpack(op2, size, fz: st.fz, &st)
        if u1.isNaN || u2.isNaN {
            if u1.type == .snan || u2.type == .snan || signalNaNs { st.fpsr |= FPFlag.ioc }
            return 0b0011
        }
        let k1 = orderKey(u1, op1, size), k2 = orderKey(u2, op2, size)
        if k1 == k2 { return 0b0110 }
        return k1 < k2 ? 0b1000 : 0b0010
    }

    /// FPCompareEQ (FCMEQ): quiet; IOC only for signalling NaNs.
    public static func compareEQ(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> Bool {
        let u1 = unpack(op1, size, fz: st.fz, &st)
        let u2 = unpack(op2, size, fz: st.fz, &st)
        if u1.isNaN || u2.isNaN {
            if u1.type == .snan || u2.type == .snan { st.fpsr |= FPFlag.ioc }
            return false
        }
        return orderKey(u1, op1, size) == orderKey(u2, op2, size)
    }

    /// FPCompareGE (FCMGE, FCMLE with swapped operands; FACGE on `abs` operands): signalling.
    public static func compareGE(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> Bool {
        let u1 = unpack(op1, size, fz: st.fz, &st)
        let u2 = unpack(op2, size, fz: st.fz, &st)
        if u1.isNaN || u2.isNaN {
            st.fpsr |= FPFlag.ioc
            return false
        }
        return orderKey(u1, op1, size) >= orderKey(u2, op2, size)
    }

    /// FPCompareGT (FCMGT, FCMLT with swapped operands; FACGT on `abs` operands): signalling.
    public static func compareGT(_ op1: UInt64, _ op2: UInt64, _ size: FPSize, _ st: inout FPStatus) -> Bool {
        let u1 = unpack(op1, size, fz: st.fz, &st)
        let u2 = unpack(op2, size, fz: st.fz, &st)
        if u1.isNaN || u2.isNaN {
            st.fpsr |= FPFlag.ioc
            return false
        }
        return orderKey(u1, op1, size) > orderKey(u2, op2, size)
    }

    // MARK: Sign manipulation (no flags, no NaN processing)

    /// FPAbs (FABS).
    @inline(__always) public static func abs(_ op: UInt64, _ size: FPSize) -> UInt64 { op & size.mask & ~size.signBit }
    /// FPNeg (FNEG).
    @inline(__always) public static func neg(_ op: UInt64, _ size: FPSize) -> UInt64 { (op & size.mask) ^ size.signBit }

    /// VFPExpandImm (FMOV immediate): the 8-bit encoded constant as a bit pattern.
    public static func expandImm(_ imm8: UInt8, _ size: FPSize) -> UInt64 {
        let e = size.expBits, f = size.fracBits
        let b6 = UInt64(imm8 >> 6) & 1
        var exp: UInt64 = (b6 ^ 1) << UInt64(e - 1)
        if b6 != 0 { exp |= ((1 << UInt64(e - 3)) - 1) << 2 }
        exp |= UInt64(imm8 >> 4) & 3
        let frac = UInt64(imm8 & 0xF) << UInt64(f - 4)
        return UInt64(imm8 >> 7) << UInt64(size.bits - 1) | exp << UInt64(f) | frac
    }
}
