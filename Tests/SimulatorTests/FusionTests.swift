import Testing
@testable import Simulator

/// The compare-and-branch superinstruction's data: its condition masks and flags agree with the
/// architecture's ConditionHolds() and the lazily evaluated NZCV, and only CMP + B.cond fuse.
@Suite struct FusionTests {
    @Test func conditionMasksMatchConditionHolds() {
        for cond in UInt8(0)..<16 {
            for nzcv in UInt64(0)..<16 {
                #expect(Fusion.holds(cond, nzcv: nzcv) == CPUState.holds(cond, nzcv << 28), "cond \(cond) nzcv \(nzcv)")
            }
        }
    }

    /// AddWithCarry() as the Arm ARM states it: C from the unsigned sum, V from the signed one,
    /// each compared with the truncated result (here through Swift's overflow-reporting adds).
    static func addWithCarry(_ x: UInt64, _ y: UInt64, carry: Bool, wide: Bool) -> (UInt64, UInt64) {
        let r: UInt64, c: Bool, v: Bool, n: UInt64
        if wide {
            let (u1, c1) = x.addingReportingOverflow(y), (u2, c2) = u1.addingReportingOverflow(carry ? 1 : 0)
            let (s1, v1) = Int64(bitPattern: x).addingReportingOverflow(Int64(bitPattern: y))
            let (_, v2) = s1.addingReportingOverflow(carry ? 1 : 0)
            r = u2; c = c1 || c2; v = v1 != v2; n = r >> 63
        } else {
            let x32 = UInt32(truncatingIfNeeded: x), y32 = UInt32(truncatingIfNeeded: y)
            let (u1, c1) = x32.addingReportingOverflow(y32), (u2, c2) = u1.addingReportingOverflow(carry ? 1 : 0)
            let (s1, v1) = Int32(bitPattern: x32).addingReportingOverflow(Int32(bitPattern: y32))
            let (_, v2) = s1.addingReportingOverflow(carry ? 1 : 0)
            r = UInt64(u2); c = c1 || c2; v = v1 != v2; n = r >> 31
        }
        return (r, n << 3 | (r == 0 ? 4 : 0) | (c ? 2 : 0) | (v ? 1 : 0))
    }

    @Test func subtractionAndAdditionFlagsMatchAddWithCarry() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
        let edges: [UInt64] = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ~0]
        var pairs = edges.flatMap { a in edges.map { (a, $0) } }
        for _ in 0..<2000 { pairs.append((next(), next() >> (next() & 63))) }
        for (a, b) in pairs {
            for wide in [true, false] {
                let m: UInt64 = wide ? ~0 : 0xFFFF_FFFF
                let (sum, addFlags) = Self.addWithCarry(a, b, carry: false, wide: wide)
                #expect(Fusion.additionFlags(a & m, b & m, sum, wide: wide) == addFlags, "\(a) + \(b) wide \(wide)")
                let (diff, subFlags) = Self.addWithCarry(a, ~b, carry: true, wide: wide)   // a - b = a + NOT(b) + 1
                #expect(Fusion.subtractionFlags(a & m, b & m, diff, wide: wide) == subFlags, "\(a) - \(b) wide \(wide)")
                // The lazily recorded flags give the same NZCV.
                #expect(CPUState.nzcv(wide ? .sub64 : .sub32, a: a & m, b: b & m, r: diff, materialized: 0) == subFlags << 28)
            }
        }
    }

    @Test func onlyCompareThenBranchFuses() {
        let d = Decoder.shared
        let bne = d.decode(0x5400_0041)                                 // b.ne .+8
        let cmpImm = d.decode(0xF100_141F)                              // cmp x0, #5
        let fused = Fusion.compareAndBranch(cmpImm, next: bne)
        #expect(fused?.op == .cmpImmBcc64)
        #expect(fused.map { Int64(bitPattern: $0.imm) >> 32 } == 8)      // the branch offset, from the B.cond
        #expect(fused.map { $0.imm & 0xFFFF_FFFF } == 5)
        #expect(fused.map { UInt16($0.a) | UInt16($0.b) << 8 } == Fusion.conditionMask(1))
        #expect(Fusion.compareAndBranch(d.decode(0xEB01_001F), next: bne)?.op == .cmpRegBcc64)   // cmp x0, x1
        #expect(Fusion.compareAndBranch(d.decode(0xEB01_101F), next: bne) == nil)              // cmp x0, x1, lsl #4
        #expect(Fusion.compareAndBranch(d.decode(0xF100_141F), next: d.decode(0x1400_0002)) == nil)  // cmp; b
        #expect(Fusion.compareAndBranch(d.decode(0xAB01_001F), next: bne) == nil)              // cmn x0, x1
        #expect(Fusion.compareAndBranch(d.decode(0x3100_0421), next: bne)?.op == .cmnImmBcc32)  // adds w1, w1, #1
    }
}
