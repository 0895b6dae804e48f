/// Shared pseudocode pieces: FPUnpack, FPProcessNaN(s), FPRound and constants.
/// Everything here follows the Arm ARM shared pseudocode (library/float) for ARMv8.0:
/// FZ flushes single/double only (there is no FZ16), tininess is detected before rounding.
public enum FP {}

extension FP {
    // MARK: Constants

    @inline(__always) static func zero(_ sign: Bool, _ size: FPSize) -> UInt64 { sign ? size.signBit : 0 }
    @inline(__always) static func infinity(_ sign: Bool, _ size: FPSize) -> UInt64 { (sign ? size.signBit : 0) | size.infBits }
    @inline(__always) static func maxNormal(_ sign: Bool, _ size: FPSize) -> UInt64 { (sign ? size.signBit : 0) | size.maxNormalBits }
    /// ±2^k as a bit pattern (k must be a normal exponent).
    @inline(__always) static func powerOfTwo(_ k: Int, _ sign: Bool, _ size: FPSize) -> UInt64 {
        (sign ? size.signBit : 0) | UInt64(k + size.bias) << UInt64(size.fracBits)
    }

    // MARK: Unpack

    /// FPUnpack / FPUnpackCV. `fz` is FPCR.FZ (ignored for half: ARMv8.0 has no FZ16);
    /// `ahp` treats a half-precision all-ones exponent as a normal number.
    @inline(__always)
    static func unpack(_ op: UInt64, _ size: FPSize, fz: Bool, ahp: Bool = false, _ st: inout FPStatus) -> FPUnpacked {
        let f = UInt64(size.fracBits)
        let frac = op & size.fracMask
        let expField = Int((op >> f) & UInt64(size.expMax))
        let sign = (op >> UInt64(size.bits - 1)) & 1 != 0
        if expField == 0 {
            if frac == 0 { return FPUnpacked(type: .zero, sign: sign, exp: 0, sig: 0) }
            if fz && size != .half {
                st.fpsr |= FPFlag.idc
                return FPUnpacked(type: .zero, sign: sign, exp: 0, sig: 0)
            }
            return FPUnpacked(type: .nonzero, sign: sign, exp: size.minExp - size.fracBits, sig: frac)
        }
        if expField == size.expMax && !(ahp && size == .half) {
            if frac == 0 { return FPUnpacked(type: .infinity, sign: sign, exp: 0, sig: 0) }
            return FPUnpacked(type: frac & size.quietBit != 0 ? .qnan : .snan, sign: sign, exp: 0, sig: 0)
        }
        return FPUnpacked(type: .nonzero, sign: sign, exp: expField - size.bias - size.fracBits,
                          sig: frac | (1 << f))
    }

    // MARK: NaNs

    /// FPProcessNaN: quiet a signalling NaN (IOC), or the default NaN when FPCR.DN is set.
    @inline(__always)
    static func processNaN(_ type: FPType, _ op: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64 {
        var r = op & size.mask
        if type == .snan {
            r |= size.quietBit
            st.fpsr |= FPFlag.ioc
        }
        if st.dn { r = size.defaultNaN }
        return r
    }

    /// FPProcessNaNs: signalling NaNs first, then quiet NaNs, first operand first.
    @inline(__always)
    static func processNaNs(_ u1: FPUnpacked, _ u2: FPUnpacked, _ op1: UInt64, _ op2: UInt64,
                            _ size: FPSize, _ st: inout FPStatus) -> UInt64? {
        if u1.type == .snan { return processNaN(.snan, op1, size, &st) }
        if u2.type == .snan { return processNaN(.snan, op2, size, &st) }
        if u1.type == .qnan { return processNaN(.qnan, op1, size, &st) }
        if u2.type == .qnan { return processNaN(.qnan, op2, size, &st) }
        return nil
    }

    /// FPProcessNaNs3.
    @inline(__always)
    static func processNaNs3(_ u1: FPUnpacked, _ u2: FPUnpacked, _ u3: FPUnpacked,
                             _ op1: UInt64, _ op2: UInt64, _ op3: UInt64,
                             _ size: FPSize, _ st: inout FPStatus) -> UInt64? {
        if u1.type == .snan { return processNaN(.snan, op1, size, &st) }
        if u2.type == .snan { return processNaN(.snan, op2, size, &st) }
        if u3.type == .snan { return processNaN(.snan, op3, size, &st) }
        if u1.type == .qnan { return processNaN(.qnan, op1, size, &st) }
        if u2.type == .qnan { return processNaN(.qnan, op2, size, &st) }
        if u3.type == .qnan { return processNaN(.qnan, op3, size, &st) }
        return nil
    }

    // MARK: Rounding

    /// Classification of the discarded part ("error" in the pseudocode) relative to half an ulp.
    enum RoundError: Int { case exact = 0, belowHalf, half, aboveHalf }

    /// The pseudocode's round_up decision, written for sign-magnitude values (valid for FPRound,
    /// FPRoundInt and FPToFixed alike).
    @inline(__always)
    static func roundUp(_ rounding: FPRounding, _ sign: Bool, _ odd: Bool, _ err: RoundError) -> Bool {
        switch rounding {
        case .tieEven: return err == .aboveHalf || (err == .half && odd)
        case .tieAway: return err == .aboveHalf || err == .half
        case .posInf: return err != .exact && !sign
        case .negInf: return err != .exact && sign
        case .zero, .odd: return false
        }
    }

    /// Split `sig` into `sig >> shift` and the class of the discarded bits (shift ≥ 0).
    @inline(__always)
    static func split(_ sig: UInt128, _ shift: Int) -> (UInt128, RoundError) {
        if shift == 0 { return (sig, .exact) }
        if shift > 128 { return (0, sig == 0 ? .exact : .belowHalf) }
        let half: UInt128 = 1 << UInt128(shift - 1)
        let rem = shift == 128 ? sig : sig & ((1 << UInt128(shift)) &- 1)
        let q = shift == 128 ? 0 : sig >> UInt128(shift)
        let err: RoundError = rem == 0 ? .exact : rem < half ? .belowHalf : rem == half ? .half : .aboveHalf
        return (q, err)
    }

    /// FPRound / FPRoundCV of the nonzero real ±sig × 2^exp. `ahp` selects the alternative
    /// half-precision result format. FZ (single/double) flushes tiny results to zero with UFC only.
    static func round(_ sign: Bool, _ exp: Int, _ sig: UInt128, _ size: FPSize, _ rounding: FPRounding,
                      _ st: inout FPStatus, ahp: Bool = false) -> UInt64 {
        let f = size.fracBits
        let minExp = size.minExp
        let t = 127 - sig.leadingZeroBitCount
        let e = exp + t
        let signBits: UInt64 = sign ? size.signBit : 0
        if e < minExp && st.fz && size != .half {
            st.fpsr |= FPFlag.ufc
            return signBits
        }
        var biased = Swift.max(e - minExp + 1, 0)
        let shift = t - f + (biased == 0 ? minExp - e : 0)
        var mant: UInt64
        var err: RoundError
        if shift <= 0 {
            mant = UInt64(truncatingIfNeeded: sig << UInt128(-shift))
            err = .exact
        } else {
            let (q, e2) = split(sig, shift)
            mant = UInt64(truncatingIfNeeded: q)
            err = e2
        }
        if biased == 0 && err != .exact { st.fpsr |= FPFlag.ufc }
        let overflowToInf: Bool
        switch rounding {
        case .tieEven, .tieAway: overflowToInf = true
        case .posInf: overflowToInf = !sign
        case .negInf: overflowToInf = sign
        case .zero, .odd: overflowToInf = false
        }
        if roundUp(rounding, sign, mant & 1 != 0, err) {
            mant += 1
            if mant == 1 << UInt64(f) { biased = 1 }
            if mant == 1 << UInt64(f + 1) {
                biased += 1
                mant >>= 1
            }
        }
        if err != .exact && rounding == .odd { mant |= 1 }
        var inexact = err != .exact
        let result: UInt64
        if !(ahp && size == .half) {
            if biased >= size.expMax {
                result = overflowToInf ? infinity(sign, size) : maxNormal(sign, size)
                st.fpsr |= FPFlag.ofc
                inexact = true
            } else {
                result = signBits | UInt64(biased) << UInt64(f) | (mant & size.fracMask)
            }
        } else {
            if biased > size.expMax {
                result = signBits | 0x7FFF
                st.fpsr |= FPFlag.ioc
                inexact = false
            } else {
                result = signBits | UInt64(biased) << UInt64(f) | (mant & size.fracMask)
            }
        }
        if inexact { st.fpsr |= FPFlag.ixc }
        return result
    }

    /// Round an exact value, with the pseudocode's "exact zero takes its sign from the rounding mode".
    @inline(__always)
    static func roundSum(_ x: FPExact, _ size: FPSize, _ rounding: FPRounding, _ st: inout FPStatus) -> UInt64 {
        if x.sig == 0 { return zero(rounding == .negInf, size) }
        return round(x.sign, x.exp, x.sig, size, rounding, &st)
    }

    // MARK: Exact arithmetic helpers

    /// Shift right, ORing any bits shifted out into bit 0.
    @inline(__always)
    static func shiftRightJam(_ x: UInt128, _ n: Int) -> UInt128 {
        if n <= 0 { return x }
        if n >= 128 { return x != 0 ? 1 : 0 }
        let out = x & ((1 << UInt128(n)) &- 1)
        return (x >> UInt128(n)) | (out != 0 ? 1 : 0)
    }

    /// Exact signed sum of two exact values (each with at most 126 significant bits). The result is
    /// exact or sticky-jammed with its leading bit at position ≥ 124.
    static func addExact(_ a: FPExact, _ b: FPExact) -> FPExact {
        if a.sig == 0 { return b }
        if b.sig == 0 { return a }
        var x = a, y = b
        let nx = x.sig.leadingZeroBitCount - 2, ny = y.sig.leadingZeroBitCount - 2
        x.sig <<= UInt128(nx); x.exp -= nx
        y.sig <<= UInt128(ny); y.exp -= ny
        if y.exp > x.exp || (y.exp == x.exp && y.sig > x.sig) { swap(&x, &y) }
        y.sig = shiftRightJam(y.sig, x.exp - y.exp)
        if x.sign == y.sign {
            return FPExact(sign: x.sign, exp: x.exp, sig: x.sig + y.sig)
        }
        return FPExact(sign: x.sign, exp: x.exp, sig: x.sig - y.sig)
    }

    /// The exact product of two unpacked nonzero (or zero) operands.
    @inline(__always)
    static func mulExact(_ u1: FPUnpacked, _ u2: FPUnpacked) -> FPExact {
        let (hi, lo) = u1.sig.multipliedFullWidth(by: u2.sig)
        return FPExact(sign: u1.sign != u2.sign, exp: u1.exp + u2.exp, sig: UInt128(hi) << 64 | UInt128(lo))
    }

    @inline(__always)
    static func exact(_ u: FPUnpacked) -> FPExact {
        FPExact(sign: u.sign, exp: u.exp, sig: u.type == .nonzero ? UInt128(u.sig) : 0)
    }

    /// floor(sqrt(x)) and whether the root is inexact, for x with its leading bit at 126 or 127:
    /// a host estimate, one integer Newton step, then an exact ±1 correction.
    static func isqrt(_ x: UInt128) -> (UInt64, Bool) {
        let hi = UInt64(truncatingIfNeeded: x >> 64), lo = UInt64(truncatingIfNeeded: x)
        let est = (Double(hi) * 0x1p64 + Double(lo)).squareRoot()
        var r: UInt64 = est >= 0x1p64 ? .max : UInt64(est)
        if r > hi {
            let (q, _) = r.dividingFullWidth((hi, lo))
            r = UInt64(truncatingIfNeeded: (UInt128(r) + UInt128(q)) >> 1)
        }
        @inline(__always) func square(_ v: UInt64) -> UInt128 {
            let (h, l) = v.multipliedFullWidth(by: v)
            return UInt128(h) << 64 | UInt128(l)
        }
        while square(r) > x { r -= 1 }
        while r < .max && square(r + 1) <= x { r += 1 }
        return (r, square(r) != x)
    }
}
