/// Scalar floating-point arithmetic, comparisons and conversions on the FP core (`FP`), with
/// FPCR controlling rounding, FZ, DN and AHP and FPSR accumulating the exception flags.
extension Core {
    /// The FPCR/FPSR pair for the FP core; `commit` writes the accumulated flags back.
    var fpStatus: FPStatus { FPStatus(fpcr: UInt32(truncatingIfNeeded: self[.fpcr]), fpsr: UInt32(truncatingIfNeeded: self[.fpsr])) }
    func commit(_ st: FPStatus) { self[.fpsr] = UInt64(st.fpsr) }

    static func fpSize(ptype: Int) -> FPSize { ptype == 1 ? .double : (ptype == 0 ? .single : .half) }

    func fpScalarArith(_ c: FPScalarClass, _ w: UInt32, pc: UInt64) -> Bool {
        let d = w.rd, n = w.rn, m = w.rm
        let size: FPSize = w.bit(22) == 1 ? .double : .single
        let bytes = size == .double ? 8 : 4
        var st = fpStatus
        switch c {
        case .squareRoot:
            setScalar(d, FP.sqrt(scalar(n, bytes: bytes), size, &st), bytes: bytes)
        case .convertPrecision:
            let from = Core.fpSize(ptype: w.bits(23, 22)), to = Core.fpSize(ptype: w.bits(16, 15))
            let r = FP.convert(scalar(n, bytes: from.rawValue / 8), from: from, to: to, rounding: st.rounding, &st)
            setScalar(d, r, bytes: to.rawValue / 8)
        case .roundIntegral:
            let mode = w.bits(17, 15)
            let rounding: FPRounding
            switch mode {
            case 0: rounding = .tieEven
            case 1: rounding = .posInf
            case 2: rounding = .negInf
            case 3: rounding = .zero
            case 4: rounding = .tieAway
            default: rounding = st.rounding // FRINTX (6), FRINTI (7)
            }
            setScalar(d, FP.roundInt(scalar(n, bytes: bytes), size, rounding: rounding, exact: mode == 6, &st), bytes: bytes)
        case .compare:
            let b = w.bit(3) == 1 ? 0 : scalar(m, bytes: bytes)
            let nzcv = FP.compare(scalar(n, bytes: bytes), b, size, signalNaNs: w.bit(4) == 1, &st)
            state.pointee.setFlags(UInt64(nzcv) << 28)
        case .conditionalCompare:
            if Core.conditionHolds(state, UInt8(w.bits(15, 12))) {
                let nzcv = FP.compare(scalar(n, bytes: bytes), scalar(m, bytes: bytes), size, signalNaNs: w.bit(4) == 1, &st)
                state.pointee.setFlags(UInt64(nzcv) << 28)
            } else {
                state.pointee.setFlags(UInt64(w.bits(3, 0)) << 28)
            }
        case .twoSource:
            let a = scalar(n, bytes: bytes), b = scalar(m, bytes: bytes)
            let r: UInt64
            switch w.bits(15, 12) {
            case 0: r = FP.mul(a, b, size, &st)
            case 1: r = FP.div(a, b, size, &st)
            case 2: r = FP.add(a, b, size, &st)
            case 3: r = FP.sub(a, b, size, &st)
            case 4: r = FP.max(a, b, size, &st)
            case 5: r = FP.min(a, b, size, &st)
            case 6: r = FP.maxNum(a, b, size, &st)
            case 7: r = FP.minNum(a, b, size, &st)
            default: r = FP.neg(FP.mul(a, b, size, &st), size) // FNMUL
            }
            setScalar(d, r, bytes: bytes)
        case .threeSource:
            let a = scalar(w.ra, bytes: bytes), x1 = scalar(n, bytes: bytes), x2 = scalar(m, bytes: bytes)
            let r: UInt64
            switch (w.bit(21), w.bit(15)) {
            case (0, 0): r = FP.mulAdd(a, x1, x2, size, &st)                               // FMADD
            case (0, _): r = FP.mulAdd(a, FP.neg(x1, size), x2, size, &st)                 // FMSUB
            case (1, 0): r = FP.mulAdd(FP.neg(a, size), FP.neg(x1, size), x2, size, &st)   // FNMADD
            default: r = FP.mulAdd(FP.neg(a, size), x1, x2, size, &st)                     // FNMSUB
            }
            setScalar(d, r, bytes: bytes)
        case .toInteger, .toFixed:
            let signed = w.bit(16) == 0
            let rounding: FPRounding
            let fbits: Int
            if c == .toFixed {
                rounding = .zero
                fbits = 64 - w.bits(15, 10)
            } else {
                fbits = 0
                rounding = w.bits(18, 17) == 2 ? .tieAway : [FPRounding.tieEven, .posInf, .negInf, .zero][w.bits(20, 19)]
            }
            let bits = w.sf ? 64 : 32
            x[dst(d)] = FP.toInt(scalar(n, bytes: bytes), from: size, signed: signed, intBits: bits, fbits: fbits, rounding: rounding, &st)
        case .fromInteger, .fromFixed:
            let signed = w.bit(16) == 0
            let bits = w.sf ? 64 : 32
            let value = w.sf ? x[src(n)] : x[src(n)] & 0xFFFF_FFFF
            let fbits = c == .fromFixed ? 64 - w.bits(15, 10) : 0
            setScalar(d, FP.fromInt(value, intBits: bits, signed: signed, fbits: fbits, to: size, rounding: st.rounding, &st), bytes: bytes)
        default:
            undefined(pc: pc)
            return true
        }
        commit(st)
        return false
    }
}
