// el1drop: a program entered at EL2 that drops to EL1 with only an ERET (boot.S), then uses what
// an EL1 kernel expects firmware to have left it: the physical counter and timer
// (CNTHCTL_EL2.EL1PCTEN/EL1PCEN), a zero CNTVOFF_EL2, MIDR/MPIDR through VPIDR/VMPIDR, the PMU
// (MDCR_EL2.HPMN = PMCR_EL0.N, no TPM), the GIC's system registers (ICC_SRE_EL2.Enable) and
// FP/SIMD (CPTR_EL2.TFP clear). A trap to EL2 instead prints "el1drop: trapped to EL2".
// Prints PASS/FAIL per check and `el1drop: N passed, M failed`, then powers off by PSCI (SMC).

@_silgen_name("read_cntp_ctl") func readCNTPCtl() -> UInt64
@_silgen_name("read_cntpct") func readCNTPCT() -> UInt64
@_silgen_name("read_cntvct") func readCNTVCT() -> UInt64
@_silgen_name("read_midr") func readMIDR() -> UInt64
@_silgen_name("read_mpidr") func readMPIDR() -> UInt64
@_silgen_name("read_pmcr") func readPMCR() -> UInt64
@_silgen_name("read_icc_sre") func readICCSRE() -> UInt64
@_silgen_name("read_current_el_raw") func readCurrentELRaw() -> UInt64
@_silgen_name("start_physical_timer") func startPhysicalTimer(_ ticks: UInt64)
@_silgen_name("stop_physical_timer") func stopPhysicalTimer()
@_silgen_name("fp_add") func fpAdd(_ a: UInt64, _ b: UInt64) -> UInt64

@_cdecl("el1drop_main")
public func el1dropMain() -> Never {
    expect("CurrentEL", readCurrentELRaw() >> 2, 1)
    report("el1.running")

    expect("CNTP_CTL_EL0", readCNTPCtl() & 1, 0)
    report("el1.physical-timer-registers")

    let t0 = readCNTPCT()
    var t1 = t0
    var spins: UInt64 = 0
    while t1 == t0 && spins < 1_000_000 { t1 = readCNTPCT(); spins &+= 1 }
    expectTrue("CNTPCT_EL0 advances", t1 > t0, got: t1 &- t0)
    report("el1.physical-counter")

    // CNTVOFF_EL2 = 0: the virtual count read after the physical one is not behind it, and
    // within a few reads' time of it.
    let p = readCNTPCT(), v = readCNTVCT()
    expectTrue("CNTVCT >= CNTPCT", v >= p, got: v)
    expectBelow("CNTVCT - CNTPCT", v &- p, 100_000)
    report("el1.virtual-offset-zero")

    startPhysicalTimer(1000)
    var ctl = readCNTPCtl()
    spins = 0
    while ctl & 4 == 0 && spins < 10_000_000 { ctl = readCNTPCtl(); spins &+= 1 }
    stopPhysicalTimer()
    expect("CNTP_CTL_EL0.ISTATUS", ctl & 4, 4)
    report("el1.physical-timer-fires")

    // VPIDR/VMPIDR as MIDR/MPIDR: the Cortex-A53's part number and CPU 0's affinity, bit 31 RES1.
    let midr = readMIDR()
    expect("MIDR_EL1 implementer", midr >> 24, 0x41)
    expect("MIDR_EL1 part number", (midr >> 4) & 0xFFF, 0xD03)
    report("el1.midr")
    let mpidr = readMPIDR()
    expect("MPIDR_EL1 Aff0", mpidr & 0xFF, 0)
    expect("MPIDR_EL1 bit 31", (mpidr >> 31) & 1, 1)
    report("el1.mpidr")

    // PMCR_EL0.N at EL1 is MDCR_EL2.HPMN: all six of the A53's counters.
    expect("PMCR_EL0.N", (readPMCR() >> 11) & 0x1F, 6)
    report("el1.pmu-counters")

    expect("ICC_SRE_EL1.SRE", readICCSRE() & 1, 1)
    report("el1.gic-system-registers")

    expect("FP add", fpAdd(40, 2), 42)
    report("el1.fp-simd")

    writeSummary("el1drop")
    powerOff(enteredAt: 2)   // SMC: EL2 exists
}

/// boot.S's EL2 vectors: EL1 trapped to an EL2 that was never set up.
@_cdecl("el2_trapped")
public func el2Trapped(_ esr: UInt64, _ elr: UInt64) -> Never {
    write("FAIL el1drop: trapped to EL2: ESR_EL2 "); writeHex(esr); write(" at "); writeHex(elr); write("\n")
    failed &+= 1
    writeSummary("el1drop")
    powerOff(enteredAt: 2)   // SMC: EL2 exists
}
