// pmutest: the PMUv3 (Arm ARM D7 "The Performance Monitors Extension") against the architecture:
// identification, exact INST_RETIRED counts, EL filtering, exception events, CHAIN, the overflow
// interrupt, MDCR_EL2.HPMN/HPME and PMUSERENR_EL0. Runs from EL2 (the checks need EL1 and EL0
// below it). Each check prints "PASS <name>", "FAIL <name>: <detail>" or "SKIP <name>"; the last
// line is "pmutest: N passed, M failed".

/// Configure the EL we run at (idempotent; done on every arrival from above, ../common/Lower.swift).
func initCurrentEL() {
    switch readCurrentEL() {
    case 2:
        writeVBAR_EL2(vectorsEL2())
        writeSCTLR_EL2(sctlrEL2Base)
        writeHCR_EL2(1 << 31)                        // RW: EL1 is AArch64; no traps, no routing
        writeCPTR_EL2(0x33ff)                        // RES1 bits only
        writeMDCR_EL2(UInt64(PMU.counters))          // HPMN = N, HPME = 0, no PMU or debug traps
    case 1:
        initEL1()
    default:
        break
    }
}

// MARK: Checks

/// Run one check at `el` (2 or 1); SKIP it when `supported` is false.
func check(_ name: StaticString, at el: UInt64 = 2, skipUnless supported: Bool = true, _ body: Body) {
    runCheck(name, at: el, if: supported, body)
}

@_cdecl("pmutest_main")
public func pmutestMain() -> Never {
    let el = readCurrentEL()
    write("pmutest: started at EL"); writeDecimal(el); write("\n")
    if el == 2 {
        initCurrentEL()
        countingChecks()
        filterChecks()
        interruptChecks()
        partitionChecks()
    } else {
        failed &+= 1
        write("FAIL entry-el: got "); writeDecimal(el); write(", want 2\n")
    }
    writeSummary("pmutest")
    powerOff(enteredAt: el)
}
