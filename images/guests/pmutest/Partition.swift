// Who may use which counters: MDCR_EL2.HPMN reserves counters HPMN...N-1 to EL2, enabled by
// MDCR_EL2.HPME instead of PMCR_EL0.E (Arm ARM D7.3); PMUSERENR_EL0 gates EL0 (D7.5).

/// ESR_ELx.ISS of a trapped MRS X0 of an op0 = 3, op1 = 3, CRn = 9 register (PMU, EL0 view).
func pmuReadISS(crm: UInt64, op2: UInt64) -> UInt64 {
    3 << 20 | op2 << 17 | 3 << 14 | 9 << 10 | crm << 1 | 1
}

func partitionChecks() {
    check("hpmn.el1-view") {
        // EL1 sees N = HPMN. Without FEAT_FGT an access to a counter >= HPMN from EL1 is
        // CONSTRAINED UNPREDICTABLE (UNDEFINED, RAZ/WI, or some accessible counter): we check the
        // choice the simulator makes, UNDEFINED, which FEAT_FGT makes the rule. QEMU 7.2 reads it.
        writeMDCR_EL2(2)                                        // HPMN = 2, HPME = 0
        expect("PMCR_EL0.N at EL2", PMU.n(readPMCR()), UInt64(PMU.counters))
        expect("PMCR_EL0.N at EL1", run(at: 1) { PMU.n(readPMCR()) }, 2)
        _ = run(at: 1) {
            arm()
            _ = probeReadPMEVCNTR3()
            expectTaken(el: 1, offset: 0x200, ec: EC.unknown)
            return 0
        }
        writeMDCR_EL2(UInt64(PMU.counters))
        return 0
    }
    check("hpmn.hpme") {
        pmuReset()
        let window = measured(0, addrNops110())
        // HPME = 0: counters 2-5 do not count although PMCNTENSET_EL0 enables them.
        writeMDCR_EL2(2)
        measure(PMU.all, addrNops110(), 0)
        var got = Counts.read()
        expect("counter 1 (below HPMN, PMCR_EL0.E = 1)", got.c1, window)
        expect("counter 2 (HPME = 0)", got.c2, 0)
        expect("counter 5 (HPME = 0)", got.c5, 0)
        // HPME = 1, PMCR_EL0.E = 0: the other way round.
        writeMDCR_EL2(2 | PMU.hpme)
        writePMCR(0)
        for n in 0..<UInt64(PMU.counters) { writePMEVCNTR(n, 0) }
        measure(PMU.all, addrNops110(), 0)
        got = Counts.read()
        expect("counter 0 (PMCR_EL0.E = 0)", got.c0, 0)
        expect("counter 2 (HPME = 1)", got.c2, window)
        expect("counter 5 (HPME = 1)", got.c5, window)
        writeMDCR_EL2(UInt64(PMU.counters))
        writePMCR(PMU.e)
        return 0
    }
    check("hpmn.pmcr-p-el1") {
        // PMCR_EL0.P at EL1 resets only the counters EL1 sees.
        pmuReset()
        for n in 0..<UInt64(PMU.counters) { writePMEVCNTR(n, 5) }
        writeMDCR_EL2(2)
        _ = run(at: 1) { writePMCR(PMU.e | PMU.p); return 0 }
        writeMDCR_EL2(UInt64(PMU.counters))
        expect("counter 1 (below HPMN)", readPMEVCNTR(1), 0)
        expect("counter 2 (reserved to EL2)", readPMEVCNTR(2), 5)
        return 0
    }

    check("userenr.en0-traps", at: 1) {
        writePMUSERENR(0)
        expectEL0ReadTraps(addrEL0ReadPMCCNTR(), "ESR.ISS (MRS X0, PMCCNTR_EL0)", crm: 13)
        return 0
    }
    check("userenr.en1", at: 1) {
        writePMUSERENR(1)
        expectEL0ReadOfPMCCNTRPasses()
        writePMUSERENR(0)
        return 0
    }
    check("userenr.cr", at: 1) {
        // CR = 1, EN = 0: PMCCNTR_EL0 reads pass, PMCR_EL0 reads still trap.
        writePMUSERENR(4)
        expectEL0ReadOfPMCCNTRPasses()
        expectEL0ReadTraps(addrEL0ReadPMCR(), "ESR.ISS (MRS X0, PMCR_EL0)", crm: 12)
        writePMUSERENR(0)
        return 0
    }
}

/// From EL1: the EL0 probe at `probe` (an MRS X0 of the register at CRm = `crm`, op2 = 0) traps to
/// EL1 as a system-register access with that encoding.
func expectEL0ReadTraps(_ probe: UInt64, _ issWhat: StaticString, crm: UInt64) {
    arm()
    _ = run(at: 0, body(at: probe))
    expectTaken(el: 1, offset: 0x400, ec: EC.sysreg)
    expect(issWhat, taken.esr & 0x1ff_ffff, pmuReadISS(crm: crm, op2: 0))
}

/// From EL1: EL0 reads PMCCNTR_EL0 without an exception.
func expectEL0ReadOfPMCCNTRPasses() {
    arm()
    _ = run(at: 0, body(at: addrEL0ReadPMCCNTR()))
    armed = false
    expect("exceptions from the EL0 read of PMCCNTR_EL0", takenCount, 0)
}
