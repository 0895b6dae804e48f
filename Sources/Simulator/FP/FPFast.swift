/// Host fast paths. Each applies only when it provably matches the pseudocode bit for bit:
/// FPCR.RMode is round-to-nearest (FZ/DN cannot matter: all operands and the result are normal),
/// operands are normal numbers in a range where the exactness test below is itself exact, and the
/// result is a finite normal number strictly above the smallest normal (so tininess before rounding
/// cannot have occurred). IXC comes from an error-free transformation; everything else (NaNs,
/// infinities, zeros, denormals, directed rounding, overflow, tininess) returns nil → software path.
/// The swift tests check these against the software path on random operands.
extension FP {
    /// Biased exponent field of a single.
    @inline(__always) static func expS(_ v: UInt64) -> UInt64 { (v >> 23) & 0xFF }
    /// Biased exponent field of a double.
    @inline(__always) static func expD(_ v: UInt64) -> UInt64 { (v >> 52) & 0x7FF }

    /// Result acceptable: finite, normal and above the smallest normal magnitude.
    @inline(__always) static func okS(_ r: UInt32) -> Bool {
        let m = r & 0x7FFF_FFFF
        return m > 0x0080_0000 && m < 0x7F80_0000
    }
    @inline(__always) static func okD(_ r: UInt64, minExp: UInt64 = 1) -> Bool {
        let e = expD(r)
        return e >= minExp && e < 0x7FF && (r & 0x7FFF_FFFF_FFFF_FFFF) > 0x0010_0000_0000_0000
    }

    /// Double operands for mul/div/sqrt must have exponents ≥ 2^-916 (biased 107) so that the
    /// FMA-based exactness test cannot lose a nonzero remainder to underflow.
    static let safeExpD: UInt64 = 107

    @inline(__always)
    static func fastAdd(_ a: UInt64, _ b: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64? {
        guard st.fpcr & (3 << 22) == 0 else { return nil }
        switch size {
        case .single:
            let ea = expS(a), eb = expS(b)
            guard ea &- 1 < 253, eb &- 1 < 253 else { return nil }   // 1...253
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: a)), y = Float(bitPattern: UInt32(truncatingIfNeeded: b))
            let s = x + y
            guard okS(s.bitPattern) else { return nil }
            let bb = s - x
            let err = (x - (s - bb)) + (y - bb)
            if err != 0 { st.fpsr |= FPFlag.ixc }
            return UInt64(s.bitPattern)
        case .double:
            let ea = expD(a), eb = expD(b)
            guard ea &- 1 < 2045, eb &- 1 < 2045 else { return nil }  // 1...2045
            let x = Double(bitPattern: a), y = Double(bitPattern: b)
            let s = x + y
            guard okD(s.bitPattern) else { return nil }
            let bb = s - x
            let err = (x - (s - bb)) + (y - bb)
            if err != 0 { st.fpsr |= FPFlag.ixc }
            return s.bitPattern
        case .half:
            return nil
        }
    }

    @inline(__always)
    static func fastMul(_ a: UInt64, _ b: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64? {
        guard st.fpcr & (3 << 22) == 0 else { return nil }
        switch size {
        case .single:
            let ea = expS(a), eb = expS(b)
            guard ea &- 1 < 254, eb &- 1 < 254 else { return nil }
            // The product of two singles is exact in double; one rounding to single.
            let p = Double(Float(bitPattern: UInt32(truncatingIfNeeded: a))) * Double(Float(bitPattern: UInt32(truncatingIfNeeded: b)))
            let r = Float(p)
            guard okS(r.bitPattern) else { return nil }
            if Double(r) != p { st.fpsr |= FPFlag.ixc }
            return UInt64(r.bitPattern)
        case .double:
            let ea = expD(a), eb = expD(b)
            guard ea &- 1 < 2046, eb &- 1 < 2046 else { return nil }
            let x = Double(bitPattern: a), y = Double(bitPattern: b)
            let p = x * y
            guard okD(p.bitPattern, minExp: safeExpD) else { return nil }
            if (-p).addingProduct(x, y) != 0 { st.fpsr |= FPFlag.ixc }
            return p.bitPattern
        case .half:
            return nil
        }
    }

    @inline(__always)
    static func fastDiv(_ a: UInt64, _ b: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64? {
        guard st.fpcr & (3 << 22) == 0 else { return nil }
        switch size {
        case .single:
            let ea = expS(a), eb = expS(b)
            guard ea &- 1 < 254, eb &- 1 < 254 else { return nil }
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: a)), y = Float(bitPattern: UInt32(truncatingIfNeeded: b))
            let q = x / y
            guard okS(q.bitPattern) else { return nil }
            if Double(q) * Double(y) != Double(x) { st.fpsr |= FPFlag.ixc }   // exact products in double
            return UInt64(q.bitPattern)
        case .double:
            let ea = expD(a), eb = expD(b)
            guard ea >= safeExpD, ea < 2047, eb &- 1 < 2046 else { return nil }
            let x = Double(bitPattern: a), y = Double(bitPattern: b)
            let q = x / y
            guard okD(q.bitPattern, minExp: safeExpD) else { return nil }
            if x.addingProduct(-q, y) != 0 { st.fpsr |= FPFlag.ixc }
            return q.bitPattern
        case .half:
            return nil
        }
    }

    @inline(__always)
    static func fastSqrt(_ a: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64? {
        guard st.fpcr & (3 << 22) == 0 else { return nil }
        switch size {
        case .single:
            guard a & 0x8000_0000 == 0, expS(a) &- 1 < 254 else { return nil }
            let x = Float(bitPattern: UInt32(truncatingIfNeeded: a))
            let r = x.squareRoot()
            if Double(r) * Double(r) != Double(x) { st.fpsr |= FPFlag.ixc }
            return UInt64(r.bitPattern)
        case .double:
            guard a >> 63 == 0, expD(a) >= safeExpD, expD(a) < 2047 else { return nil }
            let x = Double(bitPattern: a)
            let r = x.squareRoot()
            if (-x).addingProduct(r, r) != 0 { st.fpsr |= FPFlag.ixc }
            return r.bitPattern
        case .half:
            return nil
        }
    }

    /// Single only: the exact product in double, the sum rounded to odd in double (53 ≥ 2·24 + 2
    /// bits, so rounding that to single is the correctly rounded fused result).
    @inline(__always)
    static func fastMulAdd(_ c: UInt64, _ a: UInt64, _ b: UInt64, _ size: FPSize, _ st: inout FPStatus) -> UInt64? {
        guard size == .single, st.fpcr & (3 << 22) == 0 else { return nil }
        guard expS(a) &- 1 < 254, expS(b) &- 1 < 254, expS(c) &- 1 < 254 else { return nil }
        let p = Double(Float(bitPattern: UInt32(truncatingIfNeeded: a))) * Double(Float(bitPattern: UInt32(truncatingIfNeeded: b)))
        let z = Double(Float(bitPattern: UInt32(truncatingIfNeeded: c)))
        var s = p + z
        let bb = s - p
        let err = (p - (s - bb)) + (z - bb)
        if err != 0 && s.bitPattern & 1 == 0 && s != 0 {
            s = (err > 0) == (s > 0) ? s.nextAwayFromZero : s.nextTowardZero
        }
        let r = Float(s)
        guard okS(r.bitPattern) else { return nil }
        if err != 0 || Double(r) != s { st.fpsr |= FPFlag.ixc }
        return UInt64(r.bitPattern)
    }
}

extension Double {
    @inline(__always) var nextAwayFromZero: Double { self > 0 ? nextUp : nextDown }
    @inline(__always) var nextTowardZero: Double { self > 0 ? nextDown : nextUp }
}
