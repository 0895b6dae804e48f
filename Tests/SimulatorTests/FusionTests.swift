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

    @Test func subtractionAndAdditionFlagsMatchLazyFlags() {
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
        let edges: [UInt64] = [0, 1, 0x7FFF_FFFF, 0x8000_0000, 0xFFFF_FFFF, 0x7FFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_0000, ~0]
        var pairs = edges.flatMap { a in edges.map { (a, $0) } }
        for _ in 0..<2000 { pairs.append((next(), next() >> (next() & 63))) }
        for (a, b) in pairs {
            let r64 = a &- b
            #expect(Fusion.subtractionFlags(a, b, r64, wide: true) << 28 == CPUState.nzcv(.sub64, a: a, b: b, r: r64, materialized: 0))
            let a32 = a & 0xFFFF_FFFF, b32 = b & 0xFFFF_FFFF, r32 = (a32 &- b32) & 0xFFFF_FFFF
            #expect(Fusion.subtractionFlags(a32, b32, r32, wide: false) << 28 == CPUState.nzcv(.sub32, a: a32, b: b32, r: r32, materialized: 0))
            let s64 = a &+ b, s32 = (a32 &+ b32) & 0xFFFF_FFFF
            #expect(Fusion.additionFlags(a, b, s64, wide: true) << 28 == CPUState.nzcv(.add64, a: a, b: b, r: s64, materialized: 0))
            #expect(Fusion.additionFlags(a32, b32, s32, wide: false) << 28 == CPUState.nzcv(.add32, a: a32, b: b32, r: s32, materialized: 0))
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
