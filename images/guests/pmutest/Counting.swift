// Counting at EL2: what the PMU says it has, and exact counts of windows of known length. A
// window's count includes measure's fixed overhead; two windows that differ by k instructions
// must differ by exactly k.

func countingChecks() {
    check("id.pmcr-n") {
        expect("PMCR_EL0.N at EL2", PMU.n(readPMCR()), UInt64(PMU.counters))
        return 0
    }
    check("id.pmceid0") {
        let common: UInt64 = 1 << PMU.swIncr | 1 << PMU.instRetired | 1 << PMU.excTaken | 1 << PMU.excReturn
            | 1 << PMU.cpuCycles | 1 << PMU.chain
        expect("PMCEID0_EL0 & the common events", readPMCEID0() & common, common)
        return 0
    }
    check("id.pmceid0-a53", skipUnless: hasCacheEvents) {
        let memory: UInt64 = 1 << PMU.l1dCache | 1 << PMU.ldRetired | 1 << PMU.stRetired
        expect("PMCEID0_EL0 & the memory events", readPMCEID0() & memory, memory)
        return 0
    }

    check("inst.window") {
        pmuReset()
        let short = measured(0, addrNops10()), long = measured(0, addrNops110())
        expect("110-NOP window minus 10-NOP window", long &- short, 100)
        // The same window on the last counter, enabled alone.
        expect("counter 5 = counter 0 over the same window", measured(5, addrNops110()), long)
        return 0
    }
    check("inst.loop") {
        pmuReset()
        let short = measured(0, addrNops10())                   // overhead + 11
        let loop = measured(0, addrLoop3(), 1000)               // overhead + 3001
        expect("1000-iteration loop minus 10-NOP window", loop &- short, 3001 - 11)
        return 0
    }
    check("cycles.pmccntr") {
        // PMCCNTR_EL0 and a CPU_CYCLES counter enabled by one write count the same cycles;
        // PMCCFILTR_EL0.NSH = 0 stops the cycle counter at EL2.
        pmuReset()
        program(0, PMU.cpuCycles)
        writePMCCNTR(0)
        measure(PMU.cycle | 1, addrLoop3(), 100)
        let cycles = readPMCCNTR()
        expectAtLeast("PMCCNTR_EL0 over a 301-instruction body", cycles, 1)
        expect("PMCCNTR_EL0 - CPU_CYCLES", cycles &- readPMEVCNTR(0), 0)
        writePMCCFILTR(0)
        writePMCCNTR(0)
        measure(PMU.cycle, addrLoop3(), 100)
        expect("PMCCNTR_EL0 with NSH = 0 at EL2", readPMCCNTR(), 0)
        return 0
    }
    check("swinc") {
        pmuReset()
        program(0, PMU.swIncr)
        program(1, PMU.swIncr)
        writePMCNTENSET(1)                                      // counter 1 disabled: no count
        for _ in 0..<3 { writePMSWINC(3) }
        writePMCNTENCLR(1)
        expect("SW_INCR counter after 3 PMSWINC_EL0 writes", readPMEVCNTR(0), 3)
        expect("disabled SW_INCR counter", readPMEVCNTR(1), 0)
        return 0
    }

    check("exc.svc-el2") {
        // SVC at EL2 is taken to EL2; the handler ERETs. Nothing else is taken meanwhile.
        expectExceptionEvents(trips: 8, extra: 0, "EXC_TAKEN after 8 SVCs", "EXC_RETURN after 8 SVCs") {
            for _ in 0..<8 { svcRoundTrip() }
        }
        return 0
    }
    check("exc.hvc-el1") {
        // run(at: 1) adds one ERET down and one HVC #0xFFFF back (call_return does not ERET).
        expectExceptionEvents(trips: 5, extra: 1, "EXC_TAKEN after 5 HVCs from EL1", "EXC_RETURN after 5 HVCs from EL1") {
            _ = run(at: 1) {
                for _ in 0..<5 { hvcRoundTrip() }
                return 0
            }
        }
        return 0
    }

    check("chain") {
        // Counter 0 wraps 16 instructions into the window; CHAIN on counter 1 counts the wrap.
        pmuReset()
        let window = measured(0, addrNops110())
        program(1, PMU.chain)
        writePMEVCNTR(0, 0xffff_fff0)
        measure(3, addrNops110(), 0)
        expect("counter 0 after wrapping", readPMEVCNTR(0), (window &- 16) & 0xffff_ffff)
        expect("CHAIN counter 1", readPMEVCNTR(1), 1)
        expect("PMOVSSET_EL0 (counter 0 only)", readPMOVSSET() & PMU.all, 1)
        return 0
    }

    check("a53.loads", skipUnless: hasCacheEvents) {
        // The model's memory events: each LDR is one load retired and at least one L1D access.
        pmuReset()
        program(0, PMU.ldRetired)
        program(1, PMU.l1dCache)
        program(2, PMU.stRetired)
        program(3, PMU.instRetired)
        let window = measured(3, addrNops10())                  // overhead + 11
        writePMEVCNTR(3, 0)
        measure(0xf, addrLoadLoop(), 64)
        expect("LD_RETIRED after 64 loads", readPMEVCNTR(0), 64)
        expectAtLeast("L1D_CACHE after 64 loads", readPMEVCNTR(1), 64)
        expect("ST_RETIRED after 64 loads", readPMEVCNTR(2), 0)
        expect("INST_RETIRED minus 10-NOP window", readPMEVCNTR(3) &- window, 3 * 64 + 2 - 11)
        return 0
    }
    check("a53.stores", skipUnless: hasCacheEvents) {
        pmuReset()
        program(0, PMU.stRetired)
        program(1, PMU.l1dCache)
        program(2, PMU.ldRetired)
        measure(7, addrStoreLoop(), 64)
        expect("ST_RETIRED after 64 stores", readPMEVCNTR(0), 64)
        expectAtLeast("L1D_CACHE after 64 stores", readPMEVCNTR(1), 64)
        expect("LD_RETIRED after 64 stores", readPMEVCNTR(2), 0)
        return 0
    }
}

/// EXC_TAKEN (counter 0) and EXC_RETURN (counter 1) over `body`, which makes `trips` round trips
/// the handler counts (svc_round_trip, hvc_round_trip); `extra` exceptions each way are the
/// body's own doing.
func expectExceptionEvents(trips: UInt64, extra: UInt64, _ takenWhat: StaticString, _ returnWhat: StaticString,
                           _ body: () -> Void) {
    pmuReset()
    program(0, PMU.excTaken)
    program(1, PMU.excReturn)
    roundTrips = 0
    writePMCNTENSET(3)
    body()
    writePMCNTENCLR(3)
    expect("round trips handled", roundTrips, trips)
    expect(takenWhat, readPMEVCNTR(0), trips + extra)
    expect(returnWhat, readPMEVCNTR(1), trips + extra)
}
