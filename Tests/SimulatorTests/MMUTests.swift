import Testing
@testable import Simulator

/// Stage-1 walks from page tables written by the test, checked through loads and AT.
@Suite struct MMUTests {
    /// Writes a little-endian descriptor.
    func put(_ b: Bench, _ addr: UInt64, _ desc: UInt64) throws {
        try b.machine.memory.write((0..<8).map { UInt8(truncatingIfNeeded: desc >> UInt64(8 * $0)) }, at: addr)
    }

    /// EL1 with a 4 KiB granule, T0SZ = 25 (start at level 1): RAM identity-mapped by a 1 GiB block,
    /// one 4 KiB page remapped, one read-only page, one page with AF = 0.
    @Test func fourKilobyteGranule() throws {
        let b = try Bench()
        let l1: UInt64 = 0x4200_0000, l2: UInt64 = 0x4200_1000, l3: UInt64 = 0x4200_2000
        let normal: UInt64 = 1 << 10 | 3 << 8 | 0 << 2          // AF, inner shareable, MAIR index 0
        try put(b, l1 + 8, 0x4000_0000 | normal | 1)               // 1 GiB block: [0x40000000, 0x80000000)
        try put(b, l1 + 0, l2 | 3)                                 // [0, 1 GiB) -> level-2 table
        try put(b, l2 + 8 * 5, l3 | 3)                             // [0x00A00000, 0x00C00000) -> level-3 table
        try put(b, l3 + 8 * 0, 0x4300_0000 | normal | 3)            // VA 0x00A00000 -> PA 0x43000000
        try put(b, l3 + 8 * 1, 0x4300_1000 | normal | 1 << 7 | 3)   // read-only
        try put(b, l3 + 8 * 2, 0x4300_2000 | 3 << 8 | 3)           // AF = 0
        try b.machine.memory.write([0xEF, 0xBE, 0xAD, 0xDE], at: 0x4300_0000)
        try b.run("""
            b start
            .balign 2048
            vbar:
            .skip 0x200
            mrs x20, esr_el1
            mrs x21, far_el1
            add x23, x23, #1
            mrs x24, elr_el1
            add x24, x24, #4
            msr elr_el1, x24
            eret
            start:
            adr x1, vbar
            msr vbar_el1, x1
            \(Bench.toEL1)
            mov x0, #0xff
            msr mair_el1, x0
            mov x0, #25              // T0SZ = 25, 4K granule, EPD1
            orr x0, x0, #(1 << 23)
            msr tcr_el1, x0
            ldr x0, =0x42000000
            msr ttbr0_el1, x0
            isb
            mrs x0, sctlr_el1
            orr x0, x0, #1
            msr sctlr_el1, x0
            isb
            ldr x2, =0x00A00000
            ldr w3, [x2]                 // remapped page
            mov x4, #1
            str w4, [x2, #0x1000]        // read-only: permission fault, level 3
            mov x5, x20
            mov x6, x21
            ldr w7, [x2, #0x2000]        // AF = 0: access flag fault, level 3
            mov x8, x20
            ldr x9, =0x00E00000
            ldr w10, [x9]                // unmapped level-2 entry: translation fault, level 2
            mov x11, x20
            at s1e1r, x2
            mrs x12, par_el1
            at s1e1w, x9
            mrs x13, par_el1
            """)
        #expect(b.x(3) == 0xDEAD_BEEF)
        #expect(b.x(5) >> 26 == 0x25 && b.x(5) & 0x3F == 0x0F && b.x(5) & (1 << 6) != 0, "permission fault L3, WnR")
        #expect(b.x(6) == 0x00A0_1000)
        #expect(b.x(8) & 0x3F == 0x0B, "access flag fault L3")
        #expect(b.x(11) & 0x3F == 0x06, "translation fault L2")
        #expect(b.x(12) == 0x4300_0000, "PAR holds the PA")
        #expect(b.x(13) & 1 == 1 && (b.x(13) >> 1) & 0x3F == 0x06, "PAR reports the fault")
        #expect(b.x(23) == 3)
    }

    /// 64 KiB granule, T0SZ = 32: level 2 is the start level, 512 MiB blocks.
    @Test func sixtyFourKilobyteGranule() throws {
        let b = try Bench()
        let l2: UInt64 = 0x4200_0000, l3: UInt64 = 0x4201_0000
        let normal: UInt64 = 1 << 10 | 3 << 8
        try put(b, l2 + 8 * 2, 0x4000_0000 | normal | 1)           // VA [1 GiB, 1.5 GiB) identity
        try put(b, l2 + 8 * 0, l3 | 3)
        try put(b, l3 + 8 * 3, 0x4302_0000 | normal | 3)           // VA 0x30000 -> PA 0x43020000
        try b.machine.memory.write([0x78, 0x56, 0x34, 0x12], at: 0x4302_0010)
        try b.run("""
            \(Bench.toEL1)
            mov x0, #0xff
            msr mair_el1, x0
            mov x0, #32
            orr x0, x0, #(1 << 14)     // TG0 = 64K
            orr x0, x0, #(1 << 23)
            msr tcr_el1, x0
            ldr x0, =0x42000000
            msr ttbr0_el1, x0
            mrs x0, sctlr_el1
            orr x0, x0, #1
            msr sctlr_el1, x0
            isb
            ldr x2, =0x30010
            ldr w3, [x2]
            """)
        #expect(b.x(3) == 0x1234_5678)
    }

    /// TLBI by VA drops every cached page of the mapping that holds the VA: after a 2 MiB block
    /// is remapped and invalidated by its first page's address, a second page of the block (read
    /// before, so cached) translates to the new output address; a page elsewhere stays cached.
    @Test func tlbiByVADropsTheWholeBlock() throws {
        let b = try Bench()
        let l1: UInt64 = 0x4200_0000, l2: UInt64 = 0x4200_1000
        let normal: UInt64 = 1 << 10 | 3 << 8 | 1                     // AF, ISH, MAIR 0, block
        try put(b, l1 + 8, 0x4000_0000 | normal)                         // code and data: 1 GiB block
        try put(b, l1 + 0, l2 | 3)
        try put(b, l2 + 8 * 5, 0x4300_0000 | normal)                     // VA 0x00A00000: 2 MiB block -> 0x43000000
        try b.machine.memory.write([1, 0, 0, 0], at: 0x4300_2000)
        try b.machine.memory.write([2, 0, 0, 0], at: 0x4360_2000)
        try b.run("""
            \(Bench.toEL1)
            mov x0, #0xff
            msr mair_el1, x0
            mov x0, #25
            orr x0, x0, #(1 << 23)
            msr tcr_el1, x0
            ldr x0, =0x42000000
            msr ttbr0_el1, x0
            isb
            mrs x0, sctlr_el1
            orr x0, x0, #1
            msr sctlr_el1, x0
            isb
            ldr x2, =0x00A02000   // TLB slot 2: no other page used here shares it
            ldr w3, [x2]                 // cached: page 1 of the old block
            ldr x4, =0x42001028          // the level-2 descriptor of the block
            ldr x5, =(0x43600000 | (1 << 10) | (3 << 8) | 1)
            str x5, [x4]
            dsb ishst
            ldr x6, =0x00A00000
            lsr x6, x6, #12
            tlbi vae1is, x6              // by the block's first page
            dsb ish
            isb
            ldr w7, [x2]                 // page 1 again: the new block
            """)
        #expect(b.x(3) == 1)
        #expect(b.x(7) == 2, "the whole block was invalidated")
    }
}

