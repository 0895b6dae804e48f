import Testing
@testable import Simulator

/// System registers whose access depends on the Exception level and Security state, and the
/// debug/PMU registers the A53 has even with PMCR_EL0.N = 0 (found by the sysreg sweep against QEMU).
@Suite struct SysRegAccessTests {
    @Test func nonSecureEL1() throws {
        let b = try Bench()
        try b.run(ExceptionTests.vectors + "\n" + Bench.toEL1 + """
            mov x23, #0
            mrs x9, cntfrq_el0
            add x0, x9, #1000
            msr cntfrq_el0, x0          // writable only at the highest EL (EL3): UNDEFINED
            mov x10, x20
            mov x11, x23
            mrs x12, cntps_ctl_el1      // Secure EL1 and EL3 only: UNDEFINED in Non-secure EL1
            mov x13, x20
            mov x14, x23
            mrs x15, mdccsr_el0         // no DCC data
            mov x1, #0x80000000
            msr pmovsset_el0, x1
            mrs x16, pmovsclr_el0
            msr pmswinc_el0, x1         // no event counters: write-ignored
            mov x17, x23
            mrs x18, cntfrq_el0
            """)
        #expect(b.x(10) >> 26 == 0 && b.x(11) == 1, "MSR CNTFRQ_EL0 at EL1 is UNDEFINED")
        #expect(b.x(13) >> 26 == 0 && b.x(14) == 2, "CNTPS_CTL_EL1 at Non-secure EL1 is UNDEFINED")
        #expect(b.x(15) == 0)
        #expect(b.x(16) == 0x8000_0000, "PMOVSSET_EL0 sets the cycle counter's overflow flag")
        #expect(b.x(17) == 2, "MDCCSR_EL0, PMOVSSET_EL0 and PMSWINC_EL0 exist")
        #expect(b.x(18) == b.x(9), "the frequency did not change")
    }
}
