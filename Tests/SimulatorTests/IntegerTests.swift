import Testing
@testable import Simulator

/// Integer instruction semantics, with encodings from clang and expected values computed in Swift.
@Suite struct IntegerTests {
    @Test func addSubFlags() throws {
        let b = try Bench()
        try b.run("""
            mov x0, #-1
            adds x1, x0, #1          // carry out, zero
            mrs x2, nzcv
            mov w3, #0x7fffffff
            adds w4, w3, #1          // signed overflow in 32 bits
            mrs x5, nzcv
            mov x6, #5
            subs x7, x6, #7          // borrow: C clear, N set
            mrs x8, nzcv
            cmp x6, #5
            cset x9, eq
            """)
        #expect(b.x(1) == 0)
        #expect(b.x(2) == 0x6000_0000)        // Z C
        #expect(b.x(4) == 0x8000_0000)
        #expect(b.x(5) == 0x9000_0000)        // N V
        #expect(b.x(7) == UInt64(bitPattern: -2))
        #expect(b.x(8) == 0x8000_0000)        // N
        #expect(b.x(9) == 1)
    }

    @Test func logicalImmediates() throws {
        let values: [UInt64] = [0x5555_5555_5555_5555, 0xFF00_FF00_FF00_FF00, 0x0000_0000_FFFF_FFFF, 0x8000_0000_0000_0001,
                                0x00FF_FFFF_FFFF_FF00, 0x3333_3333_3333_3333, 0xFFFF_FFFF_FFFF_FFFE]
        let b = try Bench()
        try b.run(values.enumerated().map { "orr x\($0.offset), xzr, #\($0.element)" }.joined(separator: "\n"))
        for (i, v) in values.enumerated() { #expect(b.x(i) == v, "orr x\(i)") }
    }

    @Test func bitfieldMoves() throws {
        let b = try Bench()
        let v: UInt64 = 0xF0E1_D2C3_B4A5_9687
        try b.run("""
            ubfx x1, x0, #8, #12
            sbfx x2, x0, #60, #4
            ubfiz x3, x0, #4, #8
            sbfiz x4, x0, #16, #8
            mov x5, #-1
            bfi x5, x0, #8, #16
            mov x6, #0
            bfxil x6, x0, #4, #8
            lsl w7, w0, #3
            asr x8, x0, #5
            sxtw x9, w0
            uxth w10, w0
            sxtb w11, w0
            extr x12, x0, x5, #12
            ror w13, w0, #7
            """, setup: { $0.x[0] = v })
        #expect(b.x(1) == (v >> 8) & 0xFFF)
        #expect(b.x(2) == UInt64(bitPattern: Int64(bitPattern: v) >> 60))
        #expect(b.x(3) == (v & 0xFF) << 4)
        #expect(b.x(4) == UInt64(bitPattern: Int64(Int8(truncatingIfNeeded: v))) << 16)
        #expect(b.x(5) == (~UInt64(0xFFFF00)) | ((v & 0xFFFF) << 8))
        #expect(b.x(6) == (v >> 4) & 0xFF)
        #expect(b.x(7) == UInt64(UInt32(truncatingIfNeeded: v) << 3))
        #expect(b.x(8) == UInt64(bitPattern: Int64(bitPattern: v) >> 5))
        #expect(b.x(9) == UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: v))))
        #expect(b.x(10) == v & 0xFFFF)
        #expect(b.x(11) == UInt64(UInt32(bitPattern: Int32(Int8(truncatingIfNeeded: v)))))
        #expect(b.x(12) == (b.x(5) >> 12) | (v << 52))
        let w = UInt32(truncatingIfNeeded: v)
        #expect(b.x(13) == UInt64((w >> 7) | (w << 25)))
    }

    @Test func multiplyDivide() throws {
        let b = try Bench()
        try b.run("""
            mov x0, #-3
            mov x1, #7
            mul x2, x0, x1
            smulh x3, x0, x1
            umulh x4, x0, x1
            sdiv x5, x0, x1
            udiv x6, x1, xzr          // division by zero gives zero
            mov x7, #0x8000000000000000
            mov x8, #-1
            sdiv x9, x7, x8            // INT64_MIN / -1 = INT64_MIN
            smaddl x10, w0, w1, x1
            umsubl x11, w0, w1, x1
            madd w12, w0, w1, w1
            """)
        #expect(b.x(2) == UInt64(bitPattern: -21))
        #expect(b.x(3) == UInt64.max)
        #expect(b.x(4) == 6)
        #expect(b.x(5) == 0)
        #expect(b.x(6) == 0)
        #expect(b.x(9) == 0x8000_0000_0000_0000)
        #expect(b.x(10) == UInt64(bitPattern: -21 + 7))
        #expect(b.x(11) == 7 &- UInt64(0xFFFF_FFFD) &* 7)
        #expect(b.x(12) == UInt64(UInt32(bitPattern: -14)))
    }

    @Test func conditionalSelectAndCompare() throws {
        let b = try Bench()
        try b.run("""
            mov x0, #3
            mov x1, #5
            cmp x0, x1
            csel x2, x0, x1, lt
            csinc x3, x0, x1, ge
            csinv x4, x0, x1, ge
            csneg x5, x0, x1, ge
            ccmp x0, #3, #0, lt      // condition true: compare 3 with 3 -> Z
            cset x6, eq
            ccmp x0, x1, #0b0010, gt // condition false: flags = 0b0010 (C)
            mrs x7, nzcv
            adc x8, xzr, xzr
            """)
        #expect(b.x(2) == 3)
        #expect(b.x(3) == 6)
        #expect(b.x(4) == ~UInt64(5))
        #expect(b.x(5) == UInt64(bitPattern: -5))
        #expect(b.x(6) == 1)
        #expect(b.x(7) == 0x2000_0000)
        #expect(b.x(8) == 1)
    }

    @Test func oneSourceAndCRC() throws {
        let b = try Bench()
        try b.run("""
            movz x0, #0x1234, lsl #48
            movk x0, #0x5678
            rbit x1, x0
            rev x2, x0
            rev16 w3, w0
            clz x4, x0
            cls w5, w0
            mov w6, #0xffffffff
            mov w7, #0x31
            crc32b w8, w6, w7
            crc32cx w9, w6, x0
            """)
        let v: UInt64 = 0x1234_0000_0000_5678
        var r: UInt64 = 0
        for k in 0..<64 where v & (1 << UInt64(k)) != 0 { r |= 1 << UInt64(63 - k) }
        #expect(b.x(1) == r)
        #expect(b.x(2) == v.byteSwapped)
        #expect(b.x(3) == 0x7856)
        #expect(b.x(4) == 3)
        #expect(b.x(5) == 16)
        // CRC32 of "1" with an all-ones seed, without final inversion: the standard CRC-32 of "1" is 0x83DCEFB7.
        #expect(b.x(8) == UInt64(~UInt32(0x83DC_EFB7)))
        #expect(b.x(9) == UInt64(CRC32.update(0xFFFF_FFFF, value: v, bytes: 8, castagnoli: true)))
    }

    @Test func loadsAndStores() throws {
        let b = try Bench()
        try b.run("""
            mov x0, #0x40100000
            mov x1, #0x1122
            movk x1, #0x3344, lsl #16
            movk x1, #0x8899, lsl #48
            str x1, [x0]
            ldr w2, [x0]
            ldrsh x3, [x0, #6]
            ldrb w4, [x0, #1]
            ldrsb w5, [x0, #7]
            str x1, [x0, #16]!
            ldr x6, [x0], #-8
            mov x7, #1
            ldr x8, [x0, x7, lsl #3]
            stp x1, x7, [x0, #-16]!
            ldp x9, x10, [x0]
            ldpsw x11, x12, [x0]
            ldur w13, [x0, #4]
            ldr x14, lit
            b 1f
            .balign 8
            lit: .quad 0xfeedfacecafebeef
            1:
            ldxr x15, [x0]
            stxr w16, x7, [x0]
            stxr w17, x7, [x0]
            ldr x18, [x0]
            """)
        let v: UInt64 = 0x8899_0000_3344_1122
        #expect(b.x(2) == 0x3344_1122)
        #expect(b.x(3) == UInt64(bitPattern: Int64(Int16(bitPattern: 0x8899))))
        #expect(b.x(4) == 0x11)
        #expect(b.x(5) == UInt64(UInt32(bitPattern: Int32(Int8(bitPattern: 0x88)))))
        #expect(b.x(6) == v)
        #expect(b.x(8) == v)
        #expect(b.x(0) == 0x400F_FFF8)
        #expect(b.x(9) == v && b.x(10) == 1)
        #expect(b.x(11) == 0x3344_1122 && b.x(12) == UInt64(bitPattern: Int64(Int32(bitPattern: 0x8899_0000))))
        #expect(b.x(13) == 0x8899_0000)
        #expect(b.x(14) == 0xFEED_FACE_CAFE_BEEF)
        #expect(b.x(15) == v)
        #expect(b.x(16) == 0, "first store-exclusive succeeds")
        #expect(b.x(17) == 1, "second fails: the monitor was cleared")
        #expect(b.x(18) == 1)
    }

    @Test func mmuOffUnalignedIsAlignmentFault() throws {
        let b = try Bench()
        try b.run("""
            adr x1, vectors
            msr vbar_el2, x1
            movz x0, #0x4010, lsl #16
            orr x0, x0, #1
            ldr x2, [x0]
            mov x3, #1
            wfi
            .balign 2048
            vectors:
            .skip 0x200
            mrs x4, esr_el2
            mrs x5, far_el2
            wfi
            """)
        #expect(b.x(3) == 0, "the faulting load does not complete")
        #expect(b.x(4) >> 26 == 0x25)
        #expect(b.x(4) & 0x3F == 0x21)
        #expect(b.x(5) == 0x4010_0001)
    }
}
