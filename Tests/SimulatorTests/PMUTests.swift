import Testing
@testable import Simulator

/// The Cortex-A53's PMUv3 event counters as software drives them: events, filters, PMSELR views,
/// the counters EL2 reserves with MDCR_EL2.HPMN, and the overflow interrupt.
@Suite struct PMUTests {
    @Test func eventCountersCountTheirEvents() throws {
        let b = try Bench()
        try b.run(Bench.toEL1 + """
            mov x0, #0x08
            msr pmevtyper0_el0, x0      // INST_RETIRED
            mov x0, #0x11
            msr pmevtyper1_el0, x0      // CPU_CYCLES
            msr pmevtyper2_el0, xzr     // SW_INCR
            mov x0, #0x03
            msr pmevtyper3_el0, x0      // L1D_CACHE_REFILL: not in PMCEID0, counts nothing
            ldr x0, =0x80000008
            msr pmevtyper4_el0, x0      // INST_RETIRED with P: not at EL1
            mov x0, #0x3f
            msr pmcntenset_el0, x0
            mov x0, #3
            msr pmcr_el0, x0            // E, and P resets the event counters
            isb
            mov x9, #100
            1: subs x9, x9, #1
            b.ne 1b
            mov x0, #4
            msr pmswinc_el0, x0
            msr pmswinc_el0, x0
            mov x0, #5                  // counter 0 does not count SW_INCR: only counter 2 moves
            msr pmswinc_el0, x0
            msr pmcr_el0, xzr           // stop
            mrs x10, pmevcntr0_el0
            mrs x11, pmevcntr1_el0
            mrs x12, pmevcntr2_el0
            mrs x13, pmevcntr3_el0
            mrs x14, pmevcntr4_el0
            mov x0, #1
            msr pmselr_el0, x0
            mrs x15, pmxevcntr_el0
            mrs x16, pmxevtyper_el0
            mrs x17, pmcr_el0
            mrs x18, pmceid0_el0
            """)
        #expect((200...215).contains(b.x(10)), "the loop's 200 instructions and the few around it: \(b.x(10))")
        #expect(b.x(11) >= b.x(10), "at least a cycle per instruction")
        #expect(b.x(12) == 3, "three software increments")
        #expect(b.x(13) == 0, "an event PMCEID0 does not advertise counts nothing")
        #expect(b.x(14) == 0, "P filters out EL1")
        #expect(b.x(15) == b.x(11) && b.x(16) == 0x11, "PMSELR_EL0.SEL = 1 selects counter 1")
        #expect((b.x(17) >> 11) & 0x1F == 6, "PMCR_EL0.N: the A53's six counters")
        let counted: UInt64 = 1 << 0x00 | 1 << 0x08 | 1 << 0x09 | 1 << 0x0A | 1 << 0x11 | 1 << 0x1D | 1 << 0x1E
        #expect(b.x(18) == counted, "PMCEID0_EL0 advertises what is counted: \(String(b.x(18), radix: 16))")
    }

    /// INST_RETIRED counted from the run's first instruction equals the simulator's own count,
    /// and the ERET that leaves EL2 counts at EL2 (where it ran), not at EL1.
    @Test func instructionsRetiredMatchTheSimulatorsCount() throws {
        let b = try Bench()
        try b.run(Bench.toEL1 + """
            mov x9, #100
            1: subs x9, x9, #1
            b.ne 1b
            mrs x11, pmevcntr1_el0
            mrs x10, pmevcntr0_el0
            """, setup: { c in
                c.pmu.type[0] = 0x0800_0008        // INST_RETIRED, NSH: every EL
                c.pmu.type[1] = 0x8800_0008        // INST_RETIRED, P and NSH: EL2 only
                c[.pmcntenEL0] = 3
                c[.pmcrEL0] = 1
                c.pmu.active = true
            })
        // The last MRS reads what retired before it; it and the closing WFI retire after.
        #expect(b.core.state.pointee.retired == b.x(10) + 2, "sim \(b.core.state.pointee.retired), INST_RETIRED \(b.x(10))")
        #expect(b.x(11) == 5, "EL2 ran five instructions, the ERET last: \(b.x(11))")
    }

    /// CHAIN (0x1E): counter 1 counts counter 0's overflows, and only while it is enabled.
    @Test func chainedCounterCountsOverflows() throws {
        let b = try Bench()
        try b.run(Bench.toEL1 + """
            mov x0, #0x08
            msr pmevtyper0_el0, x0      // INST_RETIRED
            mov x0, #0x1e
            msr pmevtyper1_el0, x0      // CHAIN
            msr pmevtyper3_el0, x0      // CHAIN above counter 2, which is disabled
            ldr x0, =0xFFFFFFF0         // 16 before overflow
            msr pmevcntr0_el0, x0
            msr pmevcntr2_el0, x0
            msr pmevcntr1_el0, xzr
            msr pmevcntr3_el0, xzr
            mov x0, #0xB                // counters 0, 1 and 3
            msr pmcntenset_el0, x0
            mov x0, #1
            msr pmcr_el0, x0
            isb
            mov x9, #100
            1: subs x9, x9, #1
            b.ne 1b
            msr pmcr_el0, xzr
            mrs x10, pmevcntr0_el0
            mrs x11, pmevcntr1_el0
            mrs x12, pmevcntr3_el0
            mrs x13, pmovsclr_el0
            """)
        #expect((180...200).contains(b.x(10)), "counter 0 wrapped and went on: \(b.x(10))")
        #expect(b.x(11) == 1, "counter 1 counted the one overflow: \(b.x(11))")
        #expect(b.x(12) == 0, "counter 3 chains a counter that did not count")
        #expect(b.x(13) & 3 == 1, "counter 0 overflowed, counter 1 did not: \(b.x(13))")
    }

    /// Under `--timing a53` the model's events count: 64 loads, one per line of a buffer not touched
    /// before, are 64 LD_RETIRED and 64 L1D_CACHE_REFILL; the loop's B.NE is predicted 64 times.
    @Test func timingModelEventsCount() throws {
        let b = try Bench(timing: .a53)
        try b.run(Bench.toEL1 + """
            mov x0, #0x03
            msr pmevtyper0_el0, x0      // L1D_CACHE_REFILL
            mov x0, #0x06
            msr pmevtyper1_el0, x0      // LD_RETIRED
            mov x0, #0x12
            msr pmevtyper2_el0, x0      // BR_PRED
            mov x0, #0x7
            msr pmcntenset_el0, x0
            ldr x1, =0x40100000
            mov x9, #64
            mov x0, #3
            msr pmcr_el0, x0            // E, P: reset and start
            isb
            1: ldr x2, [x1], #64
            subs x9, x9, #1
            b.ne 1b
            msr pmcr_el0, xzr
            isb
            mrs x10, pmevcntr0_el0
            mrs x11, pmevcntr1_el0
            mrs x12, pmevcntr2_el0
            mrs x18, pmceid0_el0
            """)
        #expect(b.x(10) == 64, "one refill per new line: \(b.x(10))")
        #expect(b.x(11) == 64, "one load per iteration: \(b.x(11))")
        #expect(b.x(12) == 64, "one conditional branch per iteration: \(b.x(12))")
        #expect(b.x(18) & (1 << 0x03 | 1 << 0x06 | 1 << 0x12) == 1 << 0x03 | 1 << 0x06 | 1 << 0x12, "PMCEID0_EL0 advertises them")
    }

    /// Counters at and above MDCR_EL2.HPMN belong to EL2: EL1 sees N = HPMN and cannot access them.
    @Test func hypervisorReservesCounters() throws {
        let b = try Bench()
        try b.run(ExceptionTests.vectors + """

            mov x0, #2
            msr mdcr_el2, x0            // HPMN = 2
            mov x0, #0x08
            msr pmevtyper3_el0, x0      // EL2 programs its own counter: NSH counts at EL2
            orr x0, x0, #(1 << 27)
            msr pmevtyper3_el0, x0
            mov x0, #(1 << 3)
            msr pmcntenset_el0, x0
            mov x0, #(2 | (1 << 7))
            msr mdcr_el2, x0            // HPME enables it, without PMCR_EL0.E
            isb
            nop
            nop
            mrs x9, pmevcntr3_el0
            \(Bench.toEL1)
            mov x23, #0
            mrs x10, pmcr_el0
            mrs x11, pmevcntr3_el0      // reserved to EL2: UNDEFINED at EL1
            mov x12, x20
            mov x13, x23
            mrs x14, pmevcntr1_el0
            """)
        #expect((1...4).contains(b.x(9)), "HPME counts EL2's instructions: \(b.x(9))")
        #expect((b.x(10) >> 11) & 0x1F == 2, "EL1 reads N = HPMN")
        #expect(b.x(12) >> 26 == 0 && b.x(13) == 1, "PMEVCNTR3_EL0 is UNDEFINED at EL1")
    }

    @Test func overflowRaisesTheInterrupt() throws {
        let b = try Bench()
        try b.run(InterruptTests.setup + """
            mov x0, #0x08
            msr pmevtyper0_el0, x0      // INST_RETIRED
            ldr x0, =0xFFFFFF38         // 200 before overflow
            msr pmevcntr0_el0, x0
            mov x0, #1
            msr pmintenset_el1, x0
            msr pmcntenset_el0, x0
            msr pmcr_el0, x0
            isb
            mrs x9, isr_el1
            mov x10, #1000
            1: subs x10, x10, #1
            b.ne 1b
            mrs x10, pmovsclr_el0
            mrs x11, isr_el1
            mrs x12, icc_iar1_el1
            mov x0, #1
            msr pmovsclr_el0, x0
            msr icc_eoir1_el1, x12
            isb
            mrs x13, isr_el1
            msr pmcr_el0, xzr
            mrs x14, pmevcntr0_el0
            """)
        #expect(b.x(9) == 0, "nothing pending before")
        #expect(b.x(10) == 1, "counter 0 overflowed")
        #expect(b.x(11) & 0x80 != 0 && b.x(12) == 23, "PMUIRQ: PPI 7 (INTID 23), pending while IRQs are masked")
        #expect(b.x(13) & 0x80 == 0, "clearing the overflow drops the level")
        #expect((1790...1820).contains(b.x(14)), "the counter wrapped and went on: \(b.x(14))")
    }
}
