import Foundation
import Testing
@testable import Simulator

/// Directed floating-point cases with expectations worked out from the Arm pseudocode, and
/// randomized cross-checks of the host fast paths and directed rounding against independent
/// host computations (error-free transformations).
@Suite struct FPTests {
    // FPCR values
    static let rn: UInt32 = 0, rp: UInt32 = 1 << 22, rm: UInt32 = 2 << 22, rz: UInt32 = 3 << 22
    static let fz = FPStatus.fzBit, dn = FPStatus.dnBit, ahp = FPStatus.ahpBit
    static let ioc = FPFlag.ioc, dzc = FPFlag.dzc, ofc = FPFlag.ofc, ufc = FPFlag.ufc, ixc = FPFlag.ixc, idc = FPFlag.idc

    /// Run `f` with a fresh status for `fpcr`: (result, fpsr).
    func run(_ fpcr: UInt32 = 0, _ f: (inout FPStatus) -> UInt64) -> (UInt64, UInt32) {
        var st = FPStatus(fpcr: fpcr)
        let r = f(&st)
        return (r, st.fpsr)
    }

    func s(_ x: Float) -> UInt64 { UInt64(x.bitPattern) }
    func d(_ x: Double) -> UInt64 { x.bitPattern }

    // MARK: Signed zeros, infinities, invalid operations

    @Test func signedZeros() {
        #expect(run { FP.add(0, 0x8000_0000, .single, &$0) } == (0, 0))
        #expect(run(Self.rm) { FP.add(0, 0x8000_0000, .single, &$0) } == (0x8000_0000, 0))
        #expect(run { FP.add(0x8000_0000, 0x8000_0000, .single, &$0) } == (0x8000_0000, 0))
        #expect(run { FP.sub(0x8000_0000, 0, .single, &$0) } == (0x8000_0000, 0))
        #expect(run { FP.add(s(1), s(-1), .single, &$0) } == (0, 0))
        #expect(run(Self.rm) { FP.add(s(1), s(-1), .single, &$0) } == (0x8000_0000, 0))
        #expect(run(Self.rm) { FP.sub(d(2.5), d(2.5), .double, &$0) } == (1 << 63, 0))
        #expect(run { FP.mul(s(-0.0), s(5), .single, &$0) } == (0x8000_0000, 0))
        #expect(run { FP.div(s(1), s(-0.0), .single, &$0) } == (0xFF80_0000, Self.dzc))
        #expect(run { FP.sqrt(s(-0.0), .single, &$0) } == (0x8000_0000, 0))
        // Exact zero of a fused multiply-add: sign from the rounding mode.
        #expect(run(Self.rm) { FP.mulAdd(s(-6), s(2), s(3), .single, &$0) } == (0x8000_0000, 0))
        #expect(run { FP.mulAdd(s(-0.0), s(-0.0), s(3), .single, &$0) } == (0x8000_0000, 0))
    }

    @Test func invalidOperations() {
        let inf = s(.infinity), ninf = s(-.infinity)
        #expect(run { FP.add(inf, ninf, .single, &$0) } == (0x7FC0_0000, Self.ioc))
        #expect(run { FP.sub(inf, inf, .single, &$0) } == (0x7FC0_0000, Self.ioc))
        #expect(run { FP.mul(0, ninf, .single, &$0) } == (0x7FC0_0000, Self.ioc))
        #expect(run { FP.mulX(0, ninf, .single, &$0) } == (s(-2), 0))
        #expect(run { FP.mulX(d(.infinity), d(-0.0), .double, &$0) } == (d(-2), 0))
        #expect(run { FP.div(0, 0, .double, &$0) } == (0x7FF8_0000_0000_0000, Self.ioc))
        #expect(run { FP.div(inf, ninf, .single, &$0) } == (0x7FC0_0000, Self.ioc))
        #expect(run { FP.sqrt(s(-1), .single, &$0) } == (0x7FC0_0000, Self.ioc))
        #expect(run { FP.sqrt(ninf, .single, &$0) } == (0x7FC0_0000, Self.ioc))
        #expect(run { FP.mulAdd(ninf, inf, s(1), .single, &$0) } == (0x7FC0_0000, Self.ioc))
        #expect(run { FP.mulAdd(inf, inf, s(1), .single, &$0) } == (inf, 0))
        #expect(run { FP.div(s(3), inf, .single, &$0) } == (0, 0))
    }

    // MARK: NaNs

    @Test func nanPropagation() {
        let qa: UInt64 = 0x7FC0_0011, qb: UInt64 = 0xFFC0_0022, sa: UInt64 = 0x7F80_0033, sb: UInt64 = 0xFF80_0044
        #expect(run { FP.add(qa, qb, .single, &$0) } == (qa, 0))                 // first quiet NaN
        #expect(run { FP.add(qa, sb, .single, &$0) } == (0xFFC0_0044, Self.ioc)) // signalling beats quiet
        #expect(run { FP.add(sa, sb, .single, &$0) } == (0x7FC0_0033, Self.ioc))
        #expect(run { FP.mul(s(1), qb, .single, &$0) } == (qb, 0))
        #expect(run { FP.sub(s(1), qb, .single, &$0) } == (qb, 0))               // NaN not negated by FSUB
        #expect(run(Self.dn) { FP.add(qa, s(1), .single, &$0) } == (0x7FC0_0000, 0))
        #expect(run(Self.dn) { FP.div(sa, s(1), .single, &$0) } == (0x7FC0_0000, Self.ioc))
        #expect(run { FP.sqrt(sb, .single, &$0) } == (0xFFC0_0044, Self.ioc))
        let dq: UInt64 = 0x7FF8_0000_0000_0001, ds: UInt64 = 0xFFF0_0000_0000_0002
        #expect(run { FP.add(dq, ds, .double, &$0) } == (0xFFF8_0000_0000_0002, Self.ioc))
        // FPProcessNaNs3: addend, op1, op2; SNaN first.
        #expect(run { FP.mulAdd(qa, qb, sa, .single, &$0) } == (0x7FC0_0033, Self.ioc))
        #expect(run { FP.mulAdd(qa, qb, s(1), .single, &$0) } == (qa, 0))
        #expect(run { FP.mulAdd(s(1), qb, qa, .single, &$0) } == (qb, 0))
        // Quiet NaN addend with 0 × ∞: default NaN and IOC.
        #expect(run { FP.mulAdd(qa, 0, s(.infinity), .single, &$0) } == (0x7FC0_0000, Self.ioc))
        // FRECPS/FRSQRTS negate op1 before NaN processing.
        #expect(run { FP.recipStep(qa, s(1), .single, &$0) } == (0xFFC0_0011, 0))
        #expect(run { FP.rsqrtStep(s(1), qb, .single, &$0) } == (qb, 0))
        // Max/min propagate; MaxNum/MinNum prefer the number over one quiet NaN.
        #expect(run { FP.max(qa, s(1), .single, &$0) } == (qa, 0))
        #expect(run { FP.maxNum(qa, s(1), .single, &$0) } == (s(1), 0))
        #expect(run { FP.minNum(s(-3), qb, .single, &$0) } == (s(-3), 0))
        #expect(run { FP.maxNum(qa, sb, .single, &$0) } == (0xFFC0_0044, Self.ioc))
        #expect(run { FP.minNum(qa, qb, .single, &$0) } == (qa, 0))
        // Conversion keeps the payload's top bits.
        #expect(run { FP.convert(0x7F80_0001, from: .single, to: .double, rounding: .tieEven, &$0) }
                == (0x7FF8_0000_2000_0000, Self.ioc))
        #expect(run { FP.convert(0xFFF8_0000_2000_0001, from: .double, to: .single, rounding: .tieEven, &$0) }
                == (0xFFC0_0001, 0))
        #expect(run { FP.convert(0x7FF4_0000_0000_0000, from: .double, to: .half, rounding: .tieEven, &$0) }
                == (0x7F00, Self.ioc))
        #expect(run(Self.dn) { FP.convert(0x7E01, from: .half, to: .single, rounding: .tieEven, &$0) }
                == (0x7FC0_0000, 0))
        // FABS/FNEG never process NaNs.
        #expect(FP.abs(0xFF80_0001, .single) == 0x7F80_0001)
        #expect(FP.neg(0x7FF0_0000_0000_0001, .double) == 0xFFF0_0000_0000_0001)
    }

    // MARK: Denormals, flush-to-zero, tininess

    @Test func flushToZero() {
        let den: UInt64 = 0x0000_0001, nden: UInt64 = 0x8040_0000
        #expect(run { FP.add(den, 0, .single, &$0) } == (den, 0))
        #expect(run(Self.fz) { FP.add(den, 0, .single, &$0) } == (0, Self.idc))
        #expect(run(Self.fz) { FP.add(nden, 0x8000_0000, .single, &$0) } == (0x8000_0000, Self.idc))
        #expect(run(Self.fz) { FP.add(nden, s(1), .single, &$0) } == (s(1), Self.idc))
        // Exact denormal result: no underflow without FZ; flushed (UFC only) with FZ.
        #expect(run { FP.mul(0x0080_0000, s(0.5), .single, &$0) } == (0x0040_0000, 0))
        #expect(run(Self.fz) { FP.mul(0x0080_0000, s(0.5), .single, &$0) } == (0, Self.ufc))
        #expect(run(Self.fz) { FP.mul(0x8080_0000, s(0.5), .single, &$0) } == (0x8000_0000, Self.ufc))
        // FZ does not apply to half precision (no FZ16 in ARMv8.0).
        #expect(run(Self.fz) { FP.convert(0x0001, from: .half, to: .single, rounding: .tieEven, &$0) }
                == (0x3380_0000, 0))
        #expect(run(Self.fz) { FP.convert(0x3380_0000, from: .single, to: .half, rounding: .tieEven, &$0) }
                == (0x0001, 0))
        #expect(run(Self.fz) { FP.convert(0x0000_0001, from: .single, to: .double, rounding: .tieEven, &$0) }
                == (0, Self.idc))
        // Compares see flushed inputs as zero.
        #expect(run(Self.fz) { UInt64(FP.compare(den, 0x8000_0000, .single, signalNaNs: false, &$0)) } == (0b0110, Self.idc))
        #expect(run { UInt64(FP.compare(den, 0x8000_0000, .single, signalNaNs: false, &$0)) } == (0b0010, 0))
    }

    @Test func tininessBeforeRounding() {
        // (1 − 2^-24) × 2^-126 = 2^-126 − 2^-150: tiny before rounding, a tie that rounds up to the
        // smallest normal. Arm signals UFC (tininess before rounding) as well as IXC.
        let a: UInt64 = 0x3F7F_FFFF, minN: UInt64 = 0x0080_0000
        #expect(run { FP.mul(a, minN, .single, &$0) } == (minN, Self.ufc | Self.ixc))
        #expect(run(Self.rz) { FP.mul(a, minN, .single, &$0) } == (0x007F_FFFF, Self.ufc | Self.ixc))
        #expect(run(Self.rp) { FP.mul(a, minN, .single, &$0) } == (minN, Self.ufc | Self.ixc))
        #expect(run(Self.fz) { FP.mul(a, minN, .single, &$0) } == (0, Self.ufc))
        // Double: same shape.
        let ad: UInt64 = 0x3FEF_FFFF_FFFF_FFFF, minD: UInt64 = 0x0010_0000_0000_0000
        #expect(run { FP.mul(ad, minD, .double, &$0) } == (minD, Self.ufc | Self.ixc))
        #expect(run(Self.fz | Self.rp) { FP.mul(ad, minD, .double, &$0) } == (0, Self.ufc))
        // Inexact denormal result.
        #expect(run { FP.div(0x0000_0001, s(3), .single, &$0) } == (0, Self.ufc | Self.ixc))
        #expect(run(Self.rp) { FP.div(0x0000_0001, s(3), .single, &$0) } == (1, Self.ufc | Self.ixc))
        // Narrowing conversion to a denormal.
        #expect(run { FP.convert(0x3690_0000_0000_0001, from: .double, to: .single, rounding: .tieEven, &$0) }
                == (0x0000_0001, Self.ufc | Self.ixc))
    }

    // MARK: Overflow and rounding

    @Test func overflowPerRoundingMode() {
        let maxS: UInt64 = 0x7F7F_FFFF
        #expect(run(Self.rn) { FP.mul(maxS, s(2), .single, &$0) } == (0x7F80_0000, Self.ofc | Self.ixc))
        #expect(run(Self.rz) { FP.mul(maxS, s(2), .single, &$0) } == (maxS, Self.ofc | Self.ixc))
        #expect(run(Self.rm) { FP.mul(maxS, s(2), .single, &$0) } == (maxS, Self.ofc | Self.ixc))
        #expect(run(Self.rp) { FP.mul(maxS, s(2), .single, &$0) } == (0x7F80_0000, Self.ofc | Self.ixc))
        #expect(run(Self.rp) { FP.mul(maxS, s(-2), .single, &$0) } == (0xFF7F_FFFF, Self.ofc | Self.ixc))
        #expect(run(Self.rm) { FP.mul(maxS, s(-2), .single, &$0) } == (0xFF80_0000, Self.ofc | Self.ixc))
        // max + half an ulp rounds to infinity in RN (tie to even), max + less stays.
        let maxD: UInt64 = 0x7FEF_FFFF_FFFF_FFFF
        #expect(run { FP.add(maxD, 0x7C90_0000_0000_0000, .double, &$0) } == (0x7FF0_0000_0000_0000, Self.ofc | Self.ixc))
        #expect(run { FP.add(maxD, 0x7C8F_FFFF_FFFF_FFFF, .double, &$0) } == (maxD, Self.ixc))
        // Directed rounding of an inexact sum.
        let one = s(1), tiny = s(0x1p-30)
        #expect(run(Self.rp) { FP.add(one, tiny, .single, &$0) } == (0x3F80_0001, Self.ixc))
        #expect(run(Self.rm) { FP.add(one, tiny, .single, &$0) } == (one, Self.ixc))
        #expect(run(Self.rm) { FP.sub(one, tiny, .single, &$0) } == (0x3F7F_FFFF, Self.ixc))
        #expect(run(Self.rz) { FP.sub(one, tiny, .single, &$0) } == (0x3F7F_FFFF, Self.ixc))
        #expect(run(Self.rn) { FP.sub(one, tiny, .single, &$0) } == (one, Self.ixc))
        // Fused: one rounding. (1 + 2^-23)(1 − 2^-23) − 1 = −2^-46 exactly.
        #expect(run { FP.mulAdd(s(-1), 0x3F80_0001, 0x3F7F_FFFE, .single, &$0) } == (s(-0x1p-46), 0))
        #expect(run { FP.mulAdd(d(-1), 0x3FF0_0000_0000_0001, 0x3FEF_FFFF_FFFF_FFFE, .double, &$0) } == (d(-0x1p-104), 0))
        // FRECPS/FRSQRTS specials.
        #expect(run { FP.recipStep(s(.infinity), 0x8000_0000, .single, &$0) } == (s(2), 0))
        #expect(run { FP.rsqrtStep(0, s(-.infinity), .single, &$0) } == (s(1.5), 0))
        #expect(run { FP.recipStep(s(2), s(0.5), .single, &$0) } == (s(1), 0))
        #expect(run { FP.rsqrtStep(s(1), s(1), .single, &$0) } == (s(1), 0))
        #expect(run(Self.rm) { FP.recipStep(s(2), s(1), .single, &$0) } == (0x8000_0000, 0))
    }

    @Test func compares() {
        let q: UInt64 = 0x7FC0_0000, sn: UInt64 = 0x7F80_0001
        #expect(run { UInt64(FP.compare(q, s(1), .single, signalNaNs: false, &$0)) } == (0b0011, 0))
        #expect(run { UInt64(FP.compare(q, s(1), .single, signalNaNs: true, &$0)) } == (0b0011, Self.ioc))
        #expect(run { UInt64(FP.compare(sn, s(1), .single, signalNaNs: false, &$0)) } == (0b0011, Self.ioc))
        #expect(run { UInt64(FP.compare(0, 0x8000_0000, .single, signalNaNs: false, &$0)) } == (0b0110, 0))
        #expect(run { UInt64(FP.compare(s(1), s(2), .single, signalNaNs: false, &$0)) } == (0b1000, 0))
        #expect(run { UInt64(FP.compare(d(-1), d(-2), .double, signalNaNs: false, &$0)) } == (0b0010, 0))
        #expect(run { UInt64(FP.compare(s(-.infinity), s(-2), .single, signalNaNs: false, &$0)) } == (0b1000, 0))
        var st = FPStatus()
        #expect(!FP.compareEQ(q, q, .single, &st) && st.fpsr == 0)
        #expect(!FP.compareGE(q, s(1), .single, &st) && st.fpsr == Self.ioc)
        st = FPStatus()
        #expect(FP.compareGE(0x8000_0000, 0, .single, &st) && !FP.compareGT(0x8000_0000, 0, .single, &st))
        #expect(FP.compareGT(FP.abs(s(-3), .single), s(2), .single, &st) && st.fpsr == 0)
        // Max/min of zeros.
        #expect(run { FP.max(0x8000_0000, 0, .single, &$0) } == (0, 0))
        #expect(run { FP.min(0, 0x8000_0000, .single, &$0) } == (0x8000_0000, 0))
        #expect(run { FP.max(s(-.infinity), s(-1e30), .single, &$0) } == (s(-1e30), 0))
    }

    // MARK: Round to integral

    @Test func roundToIntegral() {
        func ri(_ x: Double, _ r: FPRounding, exact: Bool = false, _ fpcr: UInt32 = 0) -> (UInt64, UInt32) {
            run(fpcr) { FP.roundInt(d(x), .double, rounding: r, exact: exact, &$0) }
        }
        #expect(ri(2.5, .tieAway) == (d(3), 0))
        #expect(ri(-2.5, .tieAway) == (d(-3), 0))
        #expect(ri(2.5, .tieEven) == (d(2), 0))
        #expect(ri(3.5, .tieEven) == (d(4), 0))
        #expect(ri(-0.5, .negInf) == (d(-1), 0))
        #expect(ri(-0.5, .posInf) == (d(-0.0), 0))
        #expect(ri(-0.7, .zero) == (d(-0.0), 0))
        #expect(ri(0.3, .tieEven) == (d(0), 0))
        #expect(ri(0.5, .tieAway) == (d(1), 0))
        #expect(ri(0x1p52 + 1, .tieEven) == (d(0x1p52 + 1), 0))
        #expect(ri(2.5, .tieEven, exact: true) == (d(2), Self.ixc))       // FRINTX
        #expect(ri(2.0, .tieEven, exact: true) == (d(2), 0))
        #expect(run { FP.roundInt(s(-1.5), .single, rounding: .tieEven, exact: false, &$0) } == (s(-2), 0))
        #expect(run { FP.roundInt(0x7F80_0001, .single, rounding: .zero, exact: false, &$0) } == (0x7FC0_0001, Self.ioc))
        #expect(run(Self.fz) { FP.roundInt(0x8000_0001, .single, rounding: .negInf, exact: true, &$0) } == (0x8000_0000, Self.idc))
        #expect(run { FP.roundInt(0x8000_0001, .single, rounding: .negInf, exact: true, &$0) } == (s(-1), Self.ixc))
    }

    // MARK: Integer conversions

    @Test func floatToInt() {
        func cvt(_ v: UInt64, _ size: FPSize, signed: Bool, bits: Int, fbits: Int = 0, _ r: FPRounding) -> (UInt64, UInt32) {
            run { FP.toInt(v, from: size, signed: signed, intBits: bits, fbits: fbits, rounding: r, &$0) }
        }
        #expect(cvt(0x7FC0_0000, .single, signed: true, bits: 32, .zero) == (0, Self.ioc))
        #expect(cvt(0x7F80_0001, .single, signed: false, bits: 64, .zero) == (0, Self.ioc))
        #expect(cvt(s(0x1p31), .single, signed: true, bits: 32, .zero) == (0x7FFF_FFFF, Self.ioc))
        #expect(cvt(s(-0x1p31), .single, signed: true, bits: 32, .zero) == (0x8000_0000, 0))
        #expect(cvt(d(-2147483648.5), .double, signed: true, bits: 32, .zero) == (0x8000_0000, Self.ixc))
        #expect(cvt(d(-2147483648.5), .double, signed: true, bits: 32, .tieAway) == (0x8000_0000, Self.ioc))
        #expect(cvt(d(-2147483648.5), .double, signed: true, bits: 32, .tieEven) == (0x8000_0000, Self.ixc))
        #expect(cvt(d(-0.5), .double, signed: false, bits: 32, .tieEven) == (0, Self.ixc))
        #expect(cvt(d(-0.7), .double, signed: false, bits: 32, .tieEven) == (0, Self.ioc))
        #expect(cvt(d(-0.7), .double, signed: false, bits: 32, .zero) == (0, Self.ixc))
        #expect(cvt(d(-1), .double, signed: false, bits: 64, .zero) == (0, Self.ioc))
        #expect(cvt(d(.infinity), .double, signed: false, bits: 64, .zero) == (~0, Self.ioc))
        #expect(cvt(d(-.infinity), .double, signed: true, bits: 64, .zero) == (1 << 63, Self.ioc))
        #expect(cvt(d(0x1p64), .double, signed: false, bits: 64, .zero) == (~0, Self.ioc))
        #expect(cvt(d(0x1p64 - 2048), .double, signed: false, bits: 64, .zero) == (0xFFFF_FFFF_FFFF_F800, 0))
        #expect(cvt(d(-0x1p63), .double, signed: true, bits: 64, .zero) == (1 << 63, 0))
        #expect(cvt(d(2.5), .double, signed: true, bits: 64, .tieEven) == (2, Self.ixc))
        #expect(cvt(d(2.5), .double, signed: true, bits: 64, .tieAway) == (3, Self.ixc))
        #expect(cvt(d(-2.5), .double, signed: true, bits: 64, .tieAway) == (UInt64(bitPattern: -3), Self.ixc))
        #expect(cvt(d(-2.5), .double, signed: true, bits: 32, .negInf) == (0xFFFF_FFFD, Self.ixc))
        #expect(cvt(d(-2.5), .double, signed: true, bits: 32, .posInf) == (0xFFFF_FFFE, Self.ixc))
        // Fixed point.
        #expect(cvt(s(1.5), .single, signed: true, bits: 32, fbits: 1, .zero) == (3, 0))
        #expect(cvt(s(1.25), .single, signed: true, bits: 32, fbits: 1, .zero) == (2, Self.ixc))
        #expect(cvt(s(0.5), .single, signed: true, bits: 32, fbits: 32, .zero) == (0x7FFF_FFFF, Self.ioc))
        #expect(cvt(s(0.5), .single, signed: false, bits: 32, fbits: 32, .zero) == (0x8000_0000, 0))
        #expect(cvt(d(-0.5), .double, signed: true, bits: 64, fbits: 64, .zero) == (1 << 63, 0))
        // FZ: a flushed denormal converts as zero, with IDC.
        #expect(run(Self.fz) { FP.toInt(0x0000_0001, from: .single, signed: true, intBits: 32, rounding: .posInf, &$0) } == (0, Self.idc))
        #expect(run { FP.toInt(0x0000_0001, from: .single, signed: true, intBits: 32, rounding: .posInf, &$0) } == (1, Self.ixc))
    }

    @Test func intToFloat() {
        func cvt(_ v: UInt64, bits: Int, signed: Bool, fbits: Int = 0, _ size: FPSize, _ fpcr: UInt32 = 0) -> (UInt64, UInt32) {
            run(fpcr) { FP.fromInt(v, intBits: bits, signed: signed, fbits: fbits, to: size, rounding: $0.rounding, &$0) }
        }
        #expect(cvt(0x8000_0000, bits: 32, signed: true, .single) == (0xCF00_0000, 0))
        #expect(cvt(0xFFFF_FFFF_8000_0000, bits: 32, signed: false, .single) == (0x4F00_0000, 0))
        #expect(cvt(0xFFFF_FFFF, bits: 32, signed: false, .single) == (0x4F80_0000, Self.ixc))
        #expect(cvt(0xFFFF_FFFF, bits: 32, signed: false, .single, Self.rz) == (0x4F7F_FFFF, Self.ixc))
        #expect(cvt(0xFFFF_FFFF, bits: 32, signed: true, .single) == (s(-1), 0))
        #expect(cvt(0x0100_0001, bits: 32, signed: true, .single) == (s(0x1p24), Self.ixc))         // tie → even
        #expect(cvt(0x0100_0003, bits: 32, signed: true, .single) == (s(0x1p24 + 4), Self.ixc))
        #expect(cvt(1, bits: 64, signed: false, fbits: 64, .double) == (d(0x1p-64), 0))
        #expect(cvt(1 << 63, bits: 64, signed: true, .double) == (d(-0x1p63), 0))
        #expect(cvt(~0, bits: 64, signed: true, fbits: 1, .double) == (d(-0.5), 0))
        #expect(cvt(0, bits: 64, signed: true, .double, Self.rm) == (0, 0))
        #expect(cvt((1 << 53) + 1, bits: 64, signed: true, .double, Self.rp) == (d(0x1p53 + 2), Self.ixc))
    }

    // MARK: Precision conversions

    @Test func precisionConversions() {
        func cv(_ v: UInt64, _ from: FPSize, _ to: FPSize, _ fpcr: UInt32 = 0, _ r: FPRounding? = nil) -> (UInt64, UInt32) {
            run(fpcr) { FP.convert(v, from: from, to: to, rounding: r ?? $0.rounding, &$0) }
        }
        // 1 + 2^-24 is a tie for single: even → 1.0; round-to-odd (FCVTXN) → 1 + 2^-23.
        #expect(cv(0x3FF0_0000_1000_0000, .double, .single) == (0x3F80_0000, Self.ixc))
        #expect(cv(0x3FF0_0000_1000_0000, .double, .single, 0, .odd) == (0x3F80_0001, Self.ixc))
        #expect(cv(0x3FF0_0000_2000_0000, .double, .single, 0, .odd) == (0x3F80_0001, 0))
        #expect(cv(0x3FF0_0000_3000_0000, .double, .single, 0, .odd) == (0x3F80_0001, Self.ixc))
        // Round-to-odd overflow gives the largest normal.
        #expect(cv(0x47F0_0000_0000_0000, .double, .single, 0, .odd) == (0x7F7F_FFFF, Self.ofc | Self.ixc))
        // Half precision: IEEE overflow vs alternative half precision.
        #expect(cv(s(65520), .single, .half) == (0x7C00, Self.ofc | Self.ixc))
        #expect(cv(s(65504), .single, .half) == (0x7BFF, 0))
        #expect(cv(s(65520), .single, .half, Self.ahp) == (0x7C00, Self.ixc))   // 65536 is normal in AHP
        #expect(cv(s(131072), .single, .half, Self.ahp) == (0x7FFF, Self.ioc))
        #expect(cv(s(-.infinity), .single, .half, Self.ahp) == (0xFFFF, Self.ioc))
        #expect(cv(0xFFC0_0000, .single, .half, Self.ahp) == (0x8000, Self.ioc))
        #expect(cv(0x7C00, .half, .single, Self.ahp) == (s(65536), 0))
        #expect(cv(0x7C00, .half, .single) == (s(.infinity), 0))
        #expect(cv(0xFBFF, .half, .double) == (d(-65504), 0))
        #expect(cv(0x0001, .half, .double) == (d(0x1p-24), 0))
        #expect(cv(d(0x1p-25), .double, .half) == (0x0000, Self.ufc | Self.ixc))       // tie → even (0)
        #expect(cv(d(0x1p-25 + 0x1p-60), .double, .half) == (0x0001, Self.ufc | Self.ixc))
        // Double → single: widening is exact, denormal single inputs flush under FZ.
        #expect(cv(0x0000_0001, .single, .double) == (d(0x1p-149), 0))
        #expect(cv(d(0x1p-149), .double, .single, Self.fz) == (0, Self.ufc))
    }

    // MARK: Estimates

    @Test func estimates() {
        // RecipEstimate(256) = 511 → 1.0 → 0.99609375; exponents follow the operand's.
        #expect(run { FP.recipEstimate(s(1), .single, &$0) } == (0x3F7F_8000, 0))
        #expect(run { FP.recipEstimate(s(-2), .single, &$0) } == (0xBEFF_8000, 0))
        #expect(run { FP.recipEstimate(d(1), .double, &$0) } == (0x3FEF_F000_0000_0000, 0))
        #expect(run { FP.recipEstimate(0, .single, &$0) } == (0x7F80_0000, Self.dzc))
        #expect(run { FP.recipEstimate(s(-.infinity), .single, &$0) } == (0x8000_0000, 0))
        #expect(run { FP.recipEstimate(0x0000_0001, .single, &$0) } == (0x7F80_0000, Self.ofc | Self.ixc))
        #expect(run(Self.rz) { FP.recipEstimate(0x0000_0001, .single, &$0) } == (0x7F7F_FFFF, Self.ofc | Self.ixc))
        #expect(run(Self.fz) { FP.recipEstimate(0x0000_0001, .single, &$0) } == (0x7F80_0000, Self.dzc | Self.idc))
        #expect(run(Self.fz) { FP.recipEstimate(s(0x1p126), .single, &$0) } == (0, Self.ufc))
        #expect(run { FP.recipEstimate(s(0x1p126), .single, &$0) } == (0x007F_C000, 0))     // denormal result
        #expect(run { FP.recipEstimate(s(0x1p127), .single, &$0) } == (0x003F_E000, 0))
        // RecipSqrtEstimate(128) = 511: 1/sqrt(1) ≈ 0.99609375, 1/sqrt(4) ≈ 0.498.
        #expect(run { FP.rsqrtEstimate(s(1), .single, &$0) } == (0x3F7F_8000, 0))
        #expect(run { FP.rsqrtEstimate(s(4), .single, &$0) } == (0x3EFF_8000, 0))
        #expect(run { FP.rsqrtEstimate(s(-1), .single, &$0) } == (0x7FC0_0000, Self.ioc))
        #expect(run { FP.rsqrtEstimate(0x8000_0000, .single, &$0) } == (0xFF80_0000, Self.dzc))
        #expect(run { FP.rsqrtEstimate(s(.infinity), .single, &$0) } == (0, 0))
        // Every RecipEstimate/RecipSqrtEstimate value is within the architecture's stated ranges and
        // close to the real function.
        for a in 256..<512 {
            let r = FP.recipEstimate8(a)
            #expect((256..<512).contains(r))
            #expect(Swift.abs(Double(r) / 256 - 512 / (Double(a) + 0.5)) <= 1.0 / 512 + 1e-12)
        }
        for a in 128..<512 {
            let r = FP.rsqrtEstimate8(a)
            #expect((256..<512).contains(r))
        }
        // URECPE/URSQRTE.
        #expect(FP.unsignedRecipEstimate(0x8000_0000) == 0xFF80_0000)
        #expect(FP.unsignedRecipEstimate(0x7FFF_FFFF) == 0xFFFF_FFFF)
        #expect(FP.unsignedRecipEstimate(0xFFFF_FFFF) == UInt32(FP.recipEstimate8(511)) << 23)
        #expect(FP.unsignedRSqrtEstimate(0x4000_0000) == 0xFF80_0000)
        #expect(FP.unsignedRSqrtEstimate(0x3FFF_FFFF) == 0xFFFF_FFFF)
        // FRECPX.
        #expect(run { FP.recpX(s(1), .single, &$0) } == (0x4000_0000, 0))
        #expect(run { FP.recpX(0x8000_0001, .single, &$0) } == (0xFF00_0000, 0))
        #expect(run(Self.fz) { FP.recpX(0x0000_0001, .single, &$0) } == (0x7F00_0000, Self.idc))
        #expect(run { FP.recpX(s(-.infinity), .single, &$0) } == (0x8000_0000, 0))
        #expect(run { FP.recpX(0x7F80_0001, .single, &$0) } == (0x7FC0_0001, Self.ioc))
    }

    @Test func integerSquareRoot() {
        let cases: [UInt128] = [1 << 126, (1 << 126) + 1, UInt128.max, UInt128.max - 1, (1 << 127) - 1,
                                UInt128(UInt64.max) * UInt128(UInt64.max), UInt128(UInt64.max) * UInt128(UInt64.max) - 1,
                                UInt128(0xB504_F333_F9DE_6484) * UInt128(0xB504_F333_F9DE_6484)]
        for x in cases {
            let (r, inexact) = FP.isqrt(x)
            let (h, l) = r.multipliedFullWidth(by: r)
            let sq = UInt128(h) << 64 | UInt128(l)
            #expect(sq <= x)
            if r < .max {
                let (h1, l1) = (r + 1).multipliedFullWidth(by: r + 1)
                #expect(UInt128(h1) << 64 | UInt128(l1) > x)
            }
            #expect(inexact == (sq != x))
        }
    }

    @Test func expandImmediate() {
        #expect(FP.expandImm(0x70, .single) == s(1))
        #expect(FP.expandImm(0x00, .single) == s(2))
        #expect(FP.expandImm(0xF0, .double) == d(-1))
        #expect(FP.expandImm(0x60, .double) == d(0.5))
        #expect(FP.expandImm(0x7F, .half) == 0x3FC0)   // 1.9375
        #expect(FP.expandImm(0x31, .single) == s(17))
    }

    // MARK: Randomized cross-checks

    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// A random double or single bit pattern biased towards interesting exponents and fractions.
    static func randomOperand(_ g: inout SplitMix, _ size: FPSize, near other: UInt64? = nil) -> UInt64 {
        let f = UInt64(size.fracBits)
        var frac = g.next() & size.fracMask
        switch g.next() % 4 {
        case 0: frac |= size.fracMask >> (g.next() % f)
        case 1: frac &= ~(size.fracMask >> (g.next() % f))
        default: break
        }
        let expField: UInt64
        let bias = UInt64(size.bias), expMax = UInt64(size.expMax)
        if let o = other, g.next() % 2 == 0 {
            let e = Int((o >> f) & expMax) + Int(g.next() % 61) - 30
            expField = UInt64(Swift.max(1, Swift.min(Int(expMax) - 1, e)))
        } else {
            switch g.next() % 4 {
            case 0: expField = 1 + g.next() % (expMax - 1)
            case 1: expField = g.next() % 8
            case 2: expField = expMax - 1 - g.next() % 8
            default: expField = bias - 40 + g.next() % 80
            }
        }
        return (g.next() & 1) << UInt64(size.bits - 1) | expField << f | frac
    }

    /// Iteration multiplier for the randomized tests (environment FP_FUZZ_SCALE, default 1).
    static let fuzzScale = Int(ProcessInfo.processInfo.environment["FP_FUZZ_SCALE"] ?? "") ?? 1

    /// The host fast paths agree with the software path wherever they apply.
    @Test func fastPathsMatchSoftware() {
        var g = SplitMix(state: 12345)
        var hits = 0, tries = 0
        for size in [FPSize.single, .double] {
            for i in 0..<(30_000 * Self.fuzzScale) {
                let a = Self.randomOperand(&g, size)
                let b = Self.randomOperand(&g, size, near: a)
                let c = Self.randomOperand(&g, size, near: i % 2 == 0 ? a : b)
                let fpcr: UInt32 = [0, Self.fz, Self.dn, Self.fz | Self.dn][i % 4]
                func check(_ name: String, _ fast: (inout FPStatus) -> UInt64?, _ soft: (inout FPStatus) -> UInt64) {
                    var s1 = FPStatus(fpcr: fpcr), s2 = FPStatus(fpcr: fpcr)
                    tries += 1
                    guard let r1 = fast(&s1) else { return }
                    hits += 1
                    let r2 = soft(&s2)
                    #expect(r1 == r2 && s1.fpsr == s2.fpsr,
                            "\(name) \(size) \(String(a, radix: 16)) \(String(b, radix: 16)) \(String(c, radix: 16)): fast \(String(r1, radix: 16))/\(s1.fpsr) soft \(String(r2, radix: 16))/\(s2.fpsr)")
                }
                check("add", { FP.fastAdd(a, b, size, &$0) }, { FP.addSoft(a, b, size, negate2: false, &$0) })
                check("mul", { FP.fastMul(a, b, size, &$0) }, { FP.mulSoft(a, b, size, mulX: false, &$0) })
                check("div", { FP.fastDiv(a, b, size, &$0) }, { FP.divSoft(a, b, size, &$0) })
                check("sqrt", { FP.fastSqrt(a & ~size.signBit, size, &$0) }, { FP.sqrtSoft(a & ~size.signBit, size, &$0) })
                check("fma", { FP.fastMulAdd(c, a, b, size, &$0) }, { FP.mulAddSoft(c, a, b, size, &$0) })
                // Cancellation-heavy FMA: addend ≈ −a·b.
                if size == .single {
                    let p = Float(bitPattern: UInt32(a)) * Float(bitPattern: UInt32(b))
                    let c2 = UInt64((-p).bitPattern) ^ (g.next() % 4)
                    check("fma-cancel", { FP.fastMulAdd(c2, a, b, size, &$0) }, { FP.mulAddSoft(c2, a, b, size, &$0) })
                }
            }
        }
        #expect(hits * 3 > tries, "fast paths taken \(hits) of \(tries) times")
    }

    /// Directed rounding of the software path against the host round-to-nearest result corrected by
    /// the sign of the exact residual (normal, non-overflowing, non-tiny double results).
    @Test func directedRoundingMatchesResidual() {
        var g = SplitMix(state: 777)
        for i in 0..<(20_000 * Self.fuzzScale) {
            var a = Self.randomOperand(&g, .double)
            var b = Self.randomOperand(&g, .double, near: a)
            // keep exponents in a safe middle range
            a = a & ~(0x7FF << 52) | ((a >> 52 & 0x7FF) % 1200 + 400) << 52
            b = b & ~(0x7FF << 52) | ((b >> 52 & 0x7FF) % 1200 + 400) << 52
            let x = Double(bitPattern: a), y = Double(bitPattern: b)
            let rx = x.magnitude.squareRoot()
            let cases: [(String, Double, Double, (inout FPStatus) -> UInt64)] = [
                ("add", x + y, { let s = x + y; let bb = s - x; return (x - (s - bb)) + (y - bb) }(), { FP.add(a, b, .double, &$0) }),
                ("mul", x * y, (-(x * y)).addingProduct(x, y), { FP.mul(a, b, .double, &$0) }),
                ("div", x / y, x.addingProduct(-(x / y), y) * (y < 0 ? -1 : 1), { FP.div(a, b, .double, &$0) }),
                ("sqrt", rx, x.magnitude.addingProduct(-rx, rx), { FP.sqrt(a & ~(1 << 63), .double, &$0) }),
            ]
            for (name, nearest, residual, op) in cases {
                guard nearest.isNormal, nearest.magnitude > 0x1p-900, nearest.magnitude < 0x1p1000 else { continue }
                let mode = FPRounding(rawValue: UInt8(i % 4))!
                var expected = nearest
                switch mode {
                case .posInf: if residual > 0 { expected = nearest.nextUp }
                case .negInf: if residual < 0 { expected = nearest.nextDown }
                case .zero:
                    if residual != 0 && (residual > 0) != (nearest > 0) { expected = nearest > 0 ? nearest.nextDown : nearest.nextUp }
                default: break
                }
                var st = FPStatus(fpcr: UInt32(mode.rawValue) << 22)
                let r = op(&st)
                #expect(r == expected.bitPattern && st.fpsr == (residual != 0 ? Self.ixc : 0),
                        "\(name) \(mode) \(String(a, radix: 16)) \(String(b, radix: 16))")
            }
        }
    }
}
