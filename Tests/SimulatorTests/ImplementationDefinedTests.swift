import Testing
@testable import Simulator

/// The Cortex-A53's IMPLEMENTATION DEFINED registers and their ACTLR_EL2/EL3 write gates, RMR,
/// and what happens at the edge of AArch32 (advertised at EL0/EL1, not executed).
@Suite struct ImplementationDefinedTests {
    @Test func writesFromEL1NeedTheACTLR_EL2EnableBit() throws {
        let b = try Bench()
        let outcome = try b.run(ExceptionTests.vectors + """
            msr actlr_el2, xzr          // the hypervisor closes every IMPLEMENTATION DEFINED register
            """ + "\n" + Bench.toEL1 + """
            mrs x10, s3_1_c15_c2_0      // CPUACTLR_EL1: reads are never gated
            mov x23, #0
            mov x0, #0x40
            msr s3_1_c15_c2_1, x0       // CPUECTLR_EL1 write: traps to EL2
            mov x11, x20
            mov x12, x23
            hvc #0                      // back at EL2 (ESR in x20): open CPUECTLR only
            nop
            mrs x13, s3_1_c11_c0_2      // L2CTLR_EL1
            """, setup: { c in c[.actlrEL2] = 0x73 })
        #expect(b.x(10) == 0x090C_A000, "CPUACTLR_EL1 reads its TRM reset value \(outcome)")
        #expect(b.x(12) == 1, "one exception")
        #expect(b.x(11) >> 26 == 0x18, "MSR trapped as a system-register access")
        #expect(b.x(11) & 1 == 0, "direction: write")
        #expect(b.x(13) >> 24 & 3 == 0, "L2CTLR_EL1 counts one core in this cluster")
    }

    @Test func openedWritesLandAndRMR_EL1DoesNotExist() throws {
        let b = try Bench()
        try b.run(ExceptionTests.vectors + """
            mov x0, #0x2                // ACTLR_EL2.CPUECTLR
            msr actlr_el2, x0
            """ + "\n" + Bench.toEL1 + """
            mov x23, #0
            mov x0, #0x41
            msr s3_1_c15_c2_1, x0
            mrs x10, s3_1_c15_c2_1
            mov x11, x23
            mrs x12, s3_0_c12_c0_2      // RMR_EL1 exists only where EL1 is the highest EL
            mov x13, x20
            """)
        #expect(b.x(10) == 0x41)
        #expect(b.x(11) == 0, "no trap with the enable bit set")
        #expect(b.x(13) >> 26 == 0, "RMR_EL1 is UNDEFINED (EC 0) on a core with EL3")
    }

    @Test func writesFromEL2TrapToEL3UntilFirmwareOpensThem() throws {
        let b = try Bench(entryEL: 3)
        try b.run("""
            b start
            .balign 2048
            vbar3:
            .rept 16
            mrs x20, esr_el3
            add x23, x23, #1
            mrs x24, elr_el3
            add x24, x24, #4
            msr elr_el3, x24
            eret
            .balign 128
            .endr
            start:
            adr x1, vbar3
            msr vbar_el3, x1
            mov x0, #0x431              // NS, RW, HCE
            msr scr_el3, x0
            mov x0, #0x3c9              // EL2h
            msr spsr_el3, x0
            adr x0, el2
            msr elr_el3, x0
            eret
            el2:
            mov x0, #0x1
            msr s3_1_c11_c0_3, x0       // L2ECTLR_EL1: ACTLR_EL3 resets to 0, so this traps to EL3
            mov x10, x20
            mov x11, x23
            mrs x12, s3_1_c11_c0_3
            """)
        #expect(b.x(11) == 1)
        #expect(b.x(10) >> 26 == 0x18)
        #expect(b.x(12) == 0, "the trapped write changed nothing")
    }

    @Test func returnToAArch32EndsTheRunAsALimitation() throws {
        let b = try Bench()
        let outcome = try b.run(ExceptionTests.vectors + Bench.toEL1 + """
            mov x0, #0x10               // AArch32 User mode
            msr spsr_el1, x0
            adr x0, el1
            msr elr_el1, x0
            eret
            """)
        guard case .limitation(let what) = outcome else { Issue.record("outcome \(outcome)"); return }
        #expect(what.contains("AArch32"))
    }

    @Test func returnToAArch64EL1WhileEL1IsAArch32IsIllegal() throws {
        let b = try Bench()
        try b.run(ExceptionTests.vectors + """
            mrs x0, hcr_el2
            bic x0, x0, #(1 << 31)      // RW = 0: EL1 is AArch32
            msr hcr_el2, x0
            """ + "\n" + Bench.toEL1 + """
            mov x10, #1                 // not reached: PSTATE.IL is set, and this is an Illegal State exception
            """)
        #expect(b.x(20) >> 26 == 0x0E, "Illegal Execution State, taken at EL2")
        #expect(b.x(10) == 0)
    }

    @Test func blParamsLayoutMatchesTFA() {
        let base: UInt64 = 0x100D_F000
        let b = TFAParams.bl31(at: base, bl33: 0x20_0000, dtb: 0x800_0000)
        func u64(_ o: Int) -> UInt64 { (0..<8).reduce(0) { $0 | UInt64(b[o + $1]) << (8 * UInt64($1)) } }
        func u32(_ o: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(b[o + $1]) << (8 * UInt32($1)) } }
        #expect(b[0] == 0x05 && b[1] == 0x02, "PARAM_BL_PARAMS, VERSION_2")
        let node = Int(u64(8) - base)
        #expect(u32(node) == 5, "BL33_IMAGE_ID")
        #expect(u64(node + 24) == 0, "one node")
        let ep = Int(u64(node + 16) - base)
        #expect(b[ep] == 0x01 && u32(ep + 4) & 1 == 1, "PARAM_EP, Non-secure")
        #expect(u64(ep + 8) == 0x20_0000, "pc at ENTRY_POINT_INFO_PC_OFFSET")
        #expect(u32(ep + 16) == 0x3C9, "EL2h, masked")
        #expect(u64(ep + 0x18) == 0x800_0000, "x0 at ENTRY_POINT_INFO_ARGS_OFFSET is the tree")
        #expect(u64(node + 8) - base + 24 == UInt64(b.count), "image_info_t ends the block")
    }
}
