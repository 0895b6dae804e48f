// eltest: exceptions, vectors, ERET between ELs and stage-1 translation,
// checked one small thing at a time. Starts at EL3, EL2 or EL1; checks that
// need a higher EL than the entry EL print SKIP. Each check prints
// "PASS <name>" or "FAIL <name>: <detail>"; the last line is
// "eltest: N passed, M failed".

/// The EL we started at: the highest one we control.
var topEL: UInt64 = 0

// MARK: Per-EL configuration

/// Configure the EL we run at (idempotent; done on every arrival from above, ../common/Lower.swift).
func initCurrentEL() {
    switch readCurrentEL() {
    case 3:
        writeVBAR_EL3(vectorsEL3())
        writeSCTLR_EL3(sctlrEL2Base)
        writeCPTR_EL3(0)
        writeMDCR_EL3(0)
        // SCR_EL3: NS (EL2/EL1 Non-secure), RES1 [5:4], HCE (HVC enabled),
        // SMD = 0 (SMC enabled), RW (EL2 is AArch64).
        writeSCR_EL3(1 << 0 | 0x30 | 1 << 8 | 1 << 10)
    case 2:
        writeVBAR_EL2(vectorsEL2())
        writeSCTLR_EL2(sctlrEL2Base)
        // HCR_EL2: RW (EL1 is AArch64); TSC, TGE, VM, AMO/IMO/FMO all 0.
        writeHCR_EL2(1 << 31)
        writeCPTR_EL2(0x33ff)                        // RES1 bits only: no traps
        writeMDCR_EL2(readMDCR_EL2() & 0x1f)         // keep HPMN; TDE = 0, no debug traps
    case 1:
        initEL1()
    default:
        break
    }
}

// MARK: Checks

/// Run one check at `el`; skip it unless we started at `needs` or above.
func check(_ name: StaticString, at el: UInt64, needs: UInt64 = 0, skipUnless supported: Bool = true,
           _ body: Body) {
    runCheck(name, at: el, if: el <= topEL && needs <= topEL && supported, body)
}

@_cdecl("eltest_main")
public func eltestMain() -> Never {
    topEL = readCurrentEL()
    initCurrentEL()
    write("eltest: started at EL"); writeDecimal(topEL); write("\n")

    exceptionChecks()
    translationChecks()
    debugChecks()

    writeSummary("eltest")
    powerOff(enteredAt: topEL)
}
