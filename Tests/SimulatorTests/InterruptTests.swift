import Testing
@testable import Simulator

/// GICv3 and the generic timer driven the way an OS drives them, from EL1 on the virt board.
@Suite struct InterruptTests {
    /// Common set-up: vectors (IRQ at VBAR_EL1 + 0x280 acknowledges into x20, counts in x21, EOIs),
    /// GIC distributor and redistributor enabled, PMR open, Group 1 enabled, drop to EL1.
    static let setup = """
        b start
        .balign 2048
    vectors:
        .skip 0x280
        mrs x20, icc_iar1_el1
        add x21, x21, #1
        msr icc_eoir1_el1, x20
        mov x0, #0
        msr cntp_ctl_el0, x0       // stop the timer so the level drops
        eret
    start:
        adr x0, vectors
        msr vbar_el1, x0
        ldr x1, =0x08000000        // GICD
        mov w0, #3
        str w0, [x1]               // EnableGrp0 | EnableGrp1
        ldr x1, =0x080A0000        // GICR of CPU 0
        str wzr, [x1, #0x14]       // WAKER: wake up
        ldr x2, =0x080B0000        // SGI_base
        mov w0, #-1
        str w0, [x2, #0x80]        // all SGIs/PPIs in Group 1
        str w0, [x2, #0x100]       // and enabled
        mov x0, #3
        msr cnthctl_el2, x0        // EL1 may use the physical counter and timer
    \(Bench.toEL1)
        mov x0, #0xff
        msr icc_pmr_el1, x0
        mov x0, #1
        msr icc_igrpen1_el1, x0
        isb

    """

    @Test func timerInterruptWakesWFI() throws {
        let b = try Bench()
        try b.run(Self.setup + """
            mrs x10, cntpct_el0
            mov x0, #1000
            msr cntp_tval_el0, x0
            mov x0, #1
            msr cntp_ctl_el0, x0
            msr daifclr, #2
            wfi
            mrs x11, cntpct_el0
            mov x12, x21
            mov x13, x20
            """)
        #expect(b.x(12) == 1, "one interrupt taken")
        #expect(b.x(13) == 30, "the EL1 physical timer's PPI (INTID 30 on virt)")
        #expect(b.x(11) >= b.x(10) + 1000, "WFI slept until the timer fired")
    }

    @Test func softwareGeneratedInterrupt() throws {
        let b = try Bench()
        try b.run(Self.setup + """
            msr daifclr, #2
            mov x0, #(5 << 24)        // SGI 5 to the CPU with Aff0 = 0 (TargetList bit 0)
            orr x0, x0, #1
            msr icc_sgi1r_el1, x0
            isb
            mov x12, x21
            mov x13, x20
            mrs x14, icc_rpr_el1
            """)
        #expect(b.x(12) == 1)
        #expect(b.x(13) == 5)
        #expect(b.x(14) == 0xFF, "idle after EOI")
    }

    @Test func maskedInterruptStaysPending() throws {
        let b = try Bench()
        try b.run(Self.setup + """
            mov x0, #(7 << 24)
            orr x0, x0, #1
            msr icc_sgi1r_el1, x0
            isb
            mov x12, x21               // masked by PSTATE.I: not taken
            mrs x13, icc_hppir1_el1
            mov x0, #0x80
            msr icc_pmr_el1, x0        // priority 0 < 0x80: still eligible
            msr daifclr, #2
            isb
            mov x14, x21
            """)
        #expect(b.x(12) == 0)
        #expect(b.x(13) == 7)
        #expect(b.x(14) == 1)
    }

    /// A core waiting in WFE on an exclusively loaded flag wakes when another core writes the
    /// flag, even when the writer then sleeps in WFI and no core is left running. The writer is
    /// core 1 (it runs after core 0 in each quantum): it sleeps until its EL2 timer fires, writes
    /// the flag, and waits for good.
    @Test func storeToMonitoredLocationWakesWFE() throws {
        let b = try Bench(cpus: 2)
        let outcome = try b.run(Self.setup + """
            ldr x0, =0xC4000003        // PSCI CPU_ON, MPIDR 1
            mov x1, #1
            adr x2, secondary
            mov x3, #0
            smc #0
            ldr x1, =0x40800000
            ldr x5, =0x40800020
            mov w6, #1
            str w6, [x5]               // ready
            2: ldxr w2, [x1]
            cbnz w2, 3f
            wfe
            b 2b
            3: ldr x3, =0x40800010
            mov w4, #7
            str w4, [x3]
            b finish
            secondary:
            ldr x1, =0x080C0000        // GICR of CPU 1: wake, PPIs in Group 1 and enabled
            str wzr, [x1, #0x14]
            ldr x2, =0x080D0000
            mov w0, #-1
            str w0, [x2, #0x80]
            str w0, [x2, #0x100]
            mov x0, #0xff
            msr icc_pmr_el1, x0
            mov x0, #1
            msr icc_igrpen1_el1, x0
            isb
            ldr x1, =0x40800020
            4: ldr w2, [x1]
            cbz w2, 4b
            mov x0, #2000
            msr cnthp_tval_el2, x0
            mov x0, #1
            msr cnthp_ctl_el2, x0
            wfi                        // PSTATE.I masks the IRQ; WFI still wakes
            ldr x1, =0x40800000
            mov w2, #1
            str w2, [x1]
            msr cnthp_ctl_el2, xzr
            isb
            mrs x20, icc_iar1_el1      // acknowledge and complete: nothing is left pending
            msr icc_eoir1_el1, x20
            str w20, [x1, #0x30]
            wfi
            b .
            finish:
            """, maxInstructions: 5_000_000)
        #expect(b.machine.memory.read64(0x4080_0010) == 7, "the waiter saw the flag")
        #expect(outcome == .deadlock, "both cores end waiting for good")
    }

    /// The PMU cycle counter runs only with PMCR_EL0.E and PMCNTENSET_EL0[31], holds its value
    /// while stopped, and PMCR_EL0.C resets it. (At EL2 it counts only with PMCCFILTR_EL0.NSH.)
    @Test func cycleCounterFollowsItsEnables() throws {
        let b = try Bench()
        try b.run("""
            mov x0, #(1 << 27)
            msr pmccfiltr_el0, x0
            mrs x10, pmccntr_el0        // stopped since reset
            mov x0, #(1 << 31)
            msr pmcntenset_el0, x0
            mov x0, #1
            msr pmcr_el0, x0            // E
            isb
            mov x9, #100
            1: subs x9, x9, #1
            b.ne 1b
            mrs x11, pmccntr_el0
            msr pmcr_el0, xzr           // stop
            mrs x12, pmccntr_el0
            mov x9, #100
            2: subs x9, x9, #1
            b.ne 2b
            mrs x13, pmccntr_el0
            mov x0, #4
            msr pmcr_el0, x0            // C: reset, still stopped
            mrs x14, pmccntr_el0
            mrs x15, pmcr_el0
            """)
        #expect(b.x(10) == 0)
        #expect(b.x(11) >= 200, "counted the loop's cycles")
        #expect(b.x(12) >= b.x(11) && b.x(13) == b.x(12), "holds its value while stopped")
        #expect(b.x(14) == 0 && b.x(15) & 0x7F == 0, "C resets it and reads as zero")
    }
}

