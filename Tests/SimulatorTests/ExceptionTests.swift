import Testing
@testable import Simulator

/// Exception entry/return, routing, syndromes and system-register access rules.
@Suite struct ExceptionTests {
    /// Vectors at EL1 and EL2 that record ESR/ELR/SPSR into x20-x22 and return to ELR + 4 (so an
    /// SVC/HVC, whose ELR is already the next instruction, is followed by a NOP in the tests).
    static let vectors = """
        b start
        .balign 2048
    vbar1:
        .rept 16
        mrs x20, esr_el1
        mrs x21, elr_el1
        mrs x22, spsr_el1
        add x23, x23, #1
        add x24, x21, #4
        msr elr_el1, x24
        eret
        .balign 128
        .endr
    vbar2:
        .rept 16
        mrs x20, esr_el2
        mrs x21, elr_el2
        mrs x22, spsr_el2
        add x23, x23, #1
        add x24, x21, #4
        msr elr_el2, x24
        eret
        .balign 128
        .endr
    start:
        adr x1, vbar1
        msr vbar_el1, x1
        adr x1, vbar2
        msr vbar_el2, x1

    """

    @Test func svcAtEL1() throws {
        let b = try Bench()
        try b.run(Self.vectors + """
            mov x0, #0x3c5         // EL1h, DAIF masked
            msr spsr_el2, x0
            adr x0, el1
            msr elr_el2, x0
            eret
            el1:
            svc #0x1234
            nop
            mrs x25, currentel
            """)
        #expect(b.x(20) == (0x15 << 26 | 1 << 25 | 0x1234))
        #expect(b.x(23) == 1)
        #expect(b.x(25) == 1 << 2)
        #expect(b.x(22) & 0xF == 0x5, "SPSR records EL1h")
    }

    /// MDCR_EL2.TDE routes debug exceptions from EL1 to EL2: BRK arrives there with its immediate.
    @Test func brkUnderTDEGoesToEL2() throws {
        let b = try Bench()
        try b.run(Self.vectors + """
            mov x0, #(1 << 8 | 6)  // TDE, HPMN = 6
            msr mdcr_el2, x0
            \(Bench.toEL1)
            brk #0x42
            mrs x25, currentel
            """)
        #expect(b.x(20) == (0x3C << 26 | 1 << 25 | 0x42), "ESR_EL2: BRK, IL, imm16")
        #expect(b.x(23) == 1 && b.x(25) == 1 << 2, "taken once, to EL2, and back to EL1")
    }

    @Test func undefinedAndBrkAndHvc() throws {
        let b = try Bench()
        try b.run(Self.vectors + """
            mov x0, #0x3c5
            msr spsr_el2, x0
            adr x0, el1
            msr elr_el2, x0
            mov x0, #(1 << 31)
            msr hcr_el2, x0
            eret
            el1:
            .inst 0x00000000
            mov x26, x20
            brk #7
            mov x27, x20
            hvc #0x42
            nop
            mov x28, x20
            mrs x29, hcr_el2        // EL2 register from EL1: UNDEFINED
            mov x30, x20
            """)
        #expect(b.x(26) >> 26 == 0, "UNDEFINED is EC 0")
        #expect(b.x(27) == (0x3C << 26 | 1 << 25 | 7))
        #expect(b.x(28) == (0x16 << 26 | 1 << 25 | 0x42), "HVC taken to EL2")
        #expect(b.x(30) >> 26 == 0)
        #expect(b.x(23) == 4)
    }

    @Test func el0SysregTrapsAndSPSel() throws {
        let b = try Bench()
        try b.run(Self.vectors + """
            \(Bench.toEL1)
            mov x0, #0x4010
            lsl x0, x0, #16
            msr sp_el0, x0
            mov x0, #0             // EL0t
            msr spsr_el1, x0
            adr x0, el0
            msr elr_el1, x0
            eret
            el0:
            mov x25, sp
            mrs x26, ctr_el0       // SCTLR_EL1.UCT = 0: trapped to EL1 with EC 0x18
            mov x27, x20
            svc #1
            nop
            mov x28, x20
            """)
        #expect(b.x(25) == 0x4010_0000, "EL0 uses SP_EL0")
        #expect(b.x(27) >> 26 == 0x18)
        #expect(b.x(27) & 1 == 1, "direction: read")
        #expect(b.x(28) == (0x15 << 26 | 1 << 25 | 1))
    }

    @Test func psciVersionAndCPUOn() throws {
        let b = try Bench(cpus: 2)
        try b.run("""
            mov x0, #0x84000000     // PSCI_VERSION
            smc #0
            mov x19, x0
            ldr x0, =0xC4000003     // CPU_ON(1, second, 0x77)
            mov x1, #1
            adr x2, second
            mov x3, #0x77
            smc #0
            mov x20, x0
            ldr x0, =0xC4000003     // again: ALREADY_ON
            mov x1, #1
            adr x2, second
            smc #0
            mov x21, x0
            ldr x0, =0xC4000004     // AFFINITY_INFO(1, 0)
            mov x1, #1
            mov x2, #0
            smc #0
            mov x22, x0
            ldr x0, =0xC4000003     // no such CPU
            mov x1, #9
            smc #0
            mov x23, x0
            b 1f
            second:
            mov x5, x0
            mrs x6, mpidr_el1
            wfi
            1:
            """)
        #expect(b.x(19) == 0x1_0000)
        #expect(b.x(20) == 0)
        #expect(b.x(21) == UInt64(bitPattern: -4))
        #expect(b.x(22) == 0)
        #expect(b.x(23) == UInt64(bitPattern: -2))
        let second = b.machine.cores[1]
        #expect(second.x[5] == 0x77)
        #expect(second.x[6] == 0x8000_0001)
    }

    @Test func spAlignmentCheck() throws {
        let b = try Bench()
        try b.run(Self.vectors + """
            \(Bench.toEL1)
            mrs x0, sctlr_el1
            orr x0, x0, #(1 << 3)      // SA
            msr sctlr_el1, x0
            isb
            ldr x0, =0x40100008
            mov sp, x0
            ldr x1, [sp]               // SP misaligned: SP alignment fault, EC 0x26
            mov x25, x20
            add sp, sp, #8
            ldr x2, [sp]               // aligned: fine
            mov x26, x23
            """)
        #expect(b.x(25) >> 26 == 0x26)
        #expect(b.x(26) == 1)
    }
}
