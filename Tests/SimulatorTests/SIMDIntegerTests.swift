import Testing
@testable import Simulator

/// Advanced SIMD integer semantics with known answers (encodings from clang, expected values
/// worked out by hand from the Arm ARM pseudocode). The random differential test against
/// qemu-aarch64 is Tests/simd-oracle; these pin the corner cases down by name.
@Suite struct SIMDIntegerTests {
    static let qc: UInt64 = 1 << 27

    func v(_ b: Bench, _ n: Int) -> (UInt64, UInt64) { (b.core.vLow(n), b.core.vHigh(n)) }

    @Test func saturationSetsStickyQC() throws {
        let b = try Bench()
        try b.run("""
            sqadd v2.16b, v0.16b, v1.16b     // 0x7f + 1 saturates
            mrs x0, fpsr
            add v3.16b, v0.16b, v1.16b       // wraps, QC stays set
            mrs x1, fpsr
            msr fpsr, xzr
            uqsub v4.8h, v1.8h, v0.8h        // 0x0101 - 0x7f7f saturates to 0
            mrs x2, fpsr
            msr fpsr, xzr
            sqadd d5, d6, d7                 // INT64_MAX + 1
            uqadd s8, s6, s7                 // 0xffffffff + 1: the scalar is the low 32 bits
            mrs x3, fpsr
            msr fpsr, xzr
            sqadd v9.8b, v1.8b, v1.8b        // no saturation
            mrs x4, fpsr
            """, setup: { c in
                c.setV(0, 0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F)
                c.setV(1, 0x0101_0101_0101_0101, 0x0101_0101_0101_0101)
                c.setV(6, 0x7FFF_FFFF_FFFF_FFFF, 0x1234)
                c.setV(7, 1, 0x5678)
            })
        #expect(v(b, 2) == (0x7F7F_7F7F_7F7F_7F7F, 0x7F7F_7F7F_7F7F_7F7F))
        #expect(v(b, 3) == (0x8080_8080_8080_8080, 0x8080_8080_8080_8080))
        #expect(v(b, 4) == (0, 0))
        #expect(v(b, 5) == (0x7FFF_FFFF_FFFF_FFFF, 0))
        #expect(v(b, 8) == (0xFFFF_FFFF, 0))
        #expect(v(b, 9) == (0x0202_0202_0202_0202, 0))
        #expect(b.x(0) == Self.qc && b.x(1) == Self.qc && b.x(2) == Self.qc && b.x(3) == Self.qc)
        #expect(b.x(4) == 0)
    }

    @Test func roundingShifts() throws {
        let b = try Bench()
        try b.run("""
            srshl v2.8b, v0.8b, v1.8b
            urshr d3, d4, #64
            urshr d5, d6, #64
            sqrshrn v7.8b, v8.8h, #4
            mrs x0, fpsr
            """, setup: { c in
                // Bytes (lane 0 first): 5, -5, 7, -128, 127, 3, 1, -1 shifted by -1, -1, -2, -128, -8, 1, 7, 0.
                c.setV(0, 0xFF01_037F_8007_FB05, 0xFFFF)
                c.setV(1, 0x0007_01F8_80FE_FFFF, 0)
                c.setV(4, 0x8000_0000_0000_0000, 0)
                c.setV(6, 0x7FFF_FFFF_FFFF_FFFF, 0)
                // Halves: 8, 2040, -8, -2048 | -2064, 23, 24, 0.
                c.setV(8, 0xF800_FFF8_07F8_0008, 0x0000_0018_0017_F7F0)
            })
        // (5+1)>>1 = 3, (-5+1)>>1 = -2, (7+2)>>2 = 2, 0, (127+128)>>8 = 0, 6, 0x80 (wraps), -1.
        #expect(v(b, 2) == (0xFF80_0600_0002_FE03, 0))
        #expect(v(b, 3) == (1, 0))
        #expect(v(b, 5) == (0, 0))
        // 1, 128 -> 127 (sat), 0, -128, -129 -> -128 (sat), 1, 2, 0.
        #expect(v(b, 7) == (0x0002_0180_8000_7F01, 0))
        #expect(b.x(0) == Self.qc)
    }

    @Test func doublingMultiplyHigh() throws {
        let b = try Bench()
        try b.run("""
            sqrdmulh v2.8h, v0.8h, v1.8h
            mrs x0, fpsr
            msr fpsr, xzr
            sqdmulh v3.8h, v0.8h, v1.8h
            mrs x1, fpsr
            msr fpsr, xzr
            sqdmlal v4.4s, v5.4h, v6.4h
            mrs x2, fpsr
            msr fpsr, xzr
            sqrdmulh h7, h0, v1.h[2]
            mrs x3, fpsr
            """, setup: { c in
                // Halves: 0x8000, 0x4000, 0x7fff, -1 | 1, 0x8000, 0x1234, 0.
                c.setV(0, 0xFFFF_7FFF_4000_8000, 0x0000_1234_8000_0001)
                // Halves: 0x8000, 0x4000, 0x7fff, -1 | 0x4000, 0x7fff, 0x5678, 0.
                c.setV(1, 0xFFFF_7FFF_4000_8000, 0x0000_5678_7FFF_4000)
                // Accumulators: INT32_MAX, 0 | INT32_MIN, 5; products 1*1, 0x8000^2, -1*1, 0.
                c.setV(4, 0x0000_0000_7FFF_FFFF, 0x0000_0005_8000_0000)
                c.setV(5, 0x0000_FFFF_8000_0001, 0)
                c.setV(6, 0x0000_0001_8000_0001, 0)
            })
        #expect(v(b, 2) == (0x0000_7FFE_2000_7FFF, 0x0000_0C4C_8001_0001))
        #expect(v(b, 3) == (0x0000_7FFE_2000_7FFF, 0x0000_0C4C_8001_0000))
        #expect(b.x(0) == Self.qc && b.x(1) == Self.qc)
        #expect(v(b, 4) == (0x7FFF_FFFF_7FFF_FFFF, 0x0000_0005_8000_0000))
        #expect(b.x(2) == Self.qc)
        // 0x8000 * v1.h[2] (0x7fff): (-2^31 + 2^16 + 2^15) >> 16 = -32767.
        #expect(v(b, 7) == (0x8001, 0))
        #expect(b.x(3) == 0)
    }

    @Test func tableLookup() throws {
        let b = try Bench()
        try b.run("""
            tbl v10.16b, {v31.16b, v0.16b}, v2.16b
            tbx v11.16b, {v31.16b, v0.16b}, v2.16b
            tbx v12.8b, {v1.16b}, v2.8b
            """, setup: { c in
                c.setV(31, 0x0706_0504_0302_0100, 0x0F0E_0D0C_0B0A_0908)
                c.setV(0, 0x1716_1514_1312_1110, 0x1F1E_1D1C_1B1A_1918)
                c.setV(1, 0xA7A6_A5A4_A3A2_A1A0, 0xAFAE_ADAC_ABAA_A9A8)
                // Indices: 0, 17, 31, 32, 255, 16, 15, 64 | 1, 2, 3, 4, 5, 6, 7, 40.
                c.setV(2, 0x400F_10FF_201F_1100, 0x2807_0605_0403_0201)
                c.setV(11, 0xEEEE_EEEE_EEEE_EEEE, 0xEEEE_EEEE_EEEE_EEEE)
                c.setV(12, 0xCCCC_CCCC_CCCC_CCCC, 0xCCCC_CCCC_CCCC_CCCC)
            })
        #expect(v(b, 10) == (0x000F_1000_001F_1100, 0x0007_0605_0403_0201))
        #expect(v(b, 11) == (0xEE0F_10EE_EE1F_1100, 0xEE07_0605_0403_0201))
        #expect(v(b, 12) == (0xCCAF_CCCC_CCCC_CCA0, 0))
    }

    @Test func permutes() throws {
        let b = try Bench()
        try b.run("""
            uzp1 v2.4s, v0.4s, v1.4s
            uzp2 v3.4s, v0.4s, v1.4s
            trn1 v4.4s, v0.4s, v1.4s
            trn2 v5.4s, v0.4s, v1.4s
            zip1 v6.4s, v0.4s, v1.4s
            zip2 v7.4s, v0.4s, v1.4s
            uzp1 v8.8b, v10.8b, v11.8b
            zip2 v9.8b, v10.8b, v11.8b
            trn2 v12.8b, v10.8b, v11.8b
            ext v13.16b, v0.16b, v1.16b, #12
            ext v14.8b, v10.8b, v11.8b, #3
            """, setup: { c in
                c.setV(0, 0xA1_0000_00A0, 0xA3_0000_00A2)
                c.setV(1, 0xB1_0000_00B0, 0xB3_0000_00B2)
                c.setV(10, 0x0706_0504_0302_0100, 0xFFFF)
                c.setV(11, 0x1716_1514_1312_1110, 0xFFFF)
            })
        #expect(v(b, 2) == (0xA2_0000_00A0, 0xB2_0000_00B0))
        #expect(v(b, 3) == (0xA3_0000_00A1, 0xB3_0000_00B1))
        #expect(v(b, 4) == (0xB0_0000_00A0, 0xB2_0000_00A2))
        #expect(v(b, 5) == (0xB1_0000_00A1, 0xB3_0000_00A3))
        #expect(v(b, 6) == (0xB0_0000_00A0, 0xB1_0000_00A1))
        #expect(v(b, 7) == (0xB2_0000_00A2, 0xB3_0000_00A3))
        #expect(v(b, 8) == (0x1614_1210_0604_0200, 0))
        #expect(v(b, 9) == (0x1707_1606_1505_1404, 0))
        #expect(v(b, 12) == (0x1707_1505_1303_1101, 0))
        #expect(v(b, 13) == (0xB0_0000_00A3, 0xB2_0000_00B1))
        #expect(v(b, 14) == (0x1211_1007_0605_0403, 0))
    }

    @Test func immediatesAndCopies() throws {
        let b = try Bench()
        try b.run("""
            movi v0.2d, #0xff00ff0000ff00ff
            movi d1, #0xff000000000000ff
            mvni v2.4s, #0x12, msl #8
            bic v3.8h, #0x80, lsl #8
            orr v4.2s, #0x5, lsl #16
            movi v5.8b, #0xab
            smov w0, v6.b[15]
            smov x1, v6.h[0]
            umov w2, v6.s[3]
            mov x3, v6.d[1]
            ins v7.s[1], w4
            dup v8.8h, w4
            dup v9.2d, v6.d[1]
            mov h10, v6.h[5]
            """, setup: { c in
                c.setV(1, ~0, ~0)
                c.setV(3, ~0, ~0)
                c.setV(4, 0, 0xDEAD)
                c.setV(5, 0, 0xDEAD)
                c.setV(6, 0x0123_4567_89AB_8001, 0x8076_5432_10FE_DCBA)
                c.setV(7, 0x1111_1111_2222_2222, 0x3333_3333_4444_4444)
                c.x[4] = 0x1122_3344_5566_7788
            })
        #expect(v(b, 0) == (0xFF00_FF00_00FF_00FF, 0xFF00_FF00_00FF_00FF))
        #expect(v(b, 1) == (0xFF00_0000_0000_00FF, 0))
        #expect(v(b, 2) == (0xFFFF_ED00_FFFF_ED00, 0xFFFF_ED00_FFFF_ED00))
        #expect(v(b, 3) == (0x7FFF_7FFF_7FFF_7FFF, 0x7FFF_7FFF_7FFF_7FFF))
        #expect(v(b, 4) == (0x0005_0000_0005_0000, 0))
        #expect(v(b, 5) == (0xABAB_ABAB_ABAB_ABAB, 0))
        #expect(b.x(0) == 0xFFFF_FF80)
        #expect(b.x(1) == 0xFFFF_FFFF_FFFF_8001)
        #expect(b.x(2) == 0x8076_5432)
        #expect(b.x(3) == 0x8076_5432_10FE_DCBA)
        #expect(v(b, 7) == (0x5566_7788_2222_2222, 0x3333_3333_4444_4444))
        #expect(v(b, 8) == (0x7788_7788_7788_7788, 0x7788_7788_7788_7788))
        #expect(v(b, 9) == (0x8076_5432_10FE_DCBA, 0x8076_5432_10FE_DCBA))
        #expect(v(b, 10) == (0x10FE, 0))
    }

    @Test func narrowingAndWideningHalves() throws {
        let b = try Bench()
        try b.run("""
            xtn2 v2.16b, v0.8h
            sqxtun v3.8b, v0.8h
            mrs x0, fpsr
            msr fpsr, xzr
            uaddlv s4, v1.8h
            sshll2 v5.2d, v1.4s, #3
            addhn v6.4h, v0.4s, v1.4s
            raddhn2 v7.8h, v0.4s, v1.4s
            cls v8.8b, v0.8b
            """, setup: { c in
                // Halves: 0x0100, 0xff80, 0x0042, 0x7fff | 0x8000, 0x00ff, 0x0001, 0xffff.
                c.setV(0, 0x7FFF_0042_FF80_0100, 0xFFFF_0001_00FF_8000)
                c.setV(1, 0xFFFF_FFFF_FFFF_FFFF, 0x8000_0000_0000_8000)
                c.setV(2, 0x1234_5678_9ABC_DEF0, 0x5555)
                c.setV(7, 0x1234_5678_9ABC_DEF0, 0x5555)
            })
        // XTN2 keeps the low half and writes truncated bytes above it.
        #expect(v(b, 2) == (0x1234_5678_9ABC_DEF0, 0xFF01_FF00_FF42_8000))
        // Signed halves to unsigned bytes: 256 -> 255, -128 -> 0, 0x42, 0x7fff -> 255, ...
        #expect(v(b, 3) == (0x0001_FF00_FF42_00FF, 0))
        #expect(b.x(0) == Self.qc)
        #expect(v(b, 4) == (0x4_0000 + 0x8000 + 0x8000 - 4, 0))
        #expect(v(b, 5) == (0x4_0000, 0xFFFF_FFFC_0000_0000))
        // (0x7fff0042ff800100 lanes + 0xffffffff) >> 16 etc.
        #expect(v(b, 6).1 == 0)
        #expect(v(b, 7).0 == 0x1234_5678_9ABC_DEF0)
        #expect(v(b, 8) == (0x0007_0700_0700_0607, 0))  // CLS of 00 01 80 ff 42 00 ff 7f
    }

    /// Reserved size/Q combinations and extensions this core lacks decode as UNDEFINED.
    @Test func reservedEncodingsAreUndefined() {
        let d = Decoder.shared
        for word: UInt32 in [
            0x0EE0_0C00,  // sqadd v0.1d (size:Q = 110)
            0x0EE0_8400,  // add v0.1d
            0x0F40_5400,  // shl with immh = 1xxx and Q = 0
            0x4E08_2C00,  // smov x0, v0.d[0]
            0x2E00_4000,  // ext v0.8b with index 8
            0x0EE0_E000,  // pmull v0.1q (Crypto)
            0x2E80_8400,  // sqrdmlah v0.2s (ARMv8.1)
            0x0E20_B400,  // unallocated three-same opcode 10110 with size 00 (sqdmulh .8b)
        ] {
            #expect(d.decode(word).op == .undefined, "\(String(word, radix: 16))")
        }
        for word: UInt32 in [0x4EE0_8400, 0x5F40_5400, 0x4E08_3C00] {  // add v0.2d; shl d0, d0, #0; mov x0, v0.d[0]
            #expect(d.decode(word).op == .simd, "\(String(word, radix: 16))")
        }
    }
}
