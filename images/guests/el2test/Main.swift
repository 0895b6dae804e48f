// el2test: EL2 virtualization checks against an EL1 payload: stage-2
// translation and its aborts, HCR_EL2/CPTR_EL2/MDCR_EL2/CNTHCTL_EL2 traps,
// virtual IRQ/FIQ/SError, and the GICv3 virtual CPU interface with list
// registers and the HW-linked virtual timer. Starts at EL2. Each check prints
// "PASS <name>" or "FAIL <name>: <detail>"; the last line is
// "el2test: N passed, M failed", then PSCI SYSTEM_OFF.

/// HCR_EL2 (Arm ARM, "HCR_EL2, Hypervisor Configuration Register") bits used here.
enum HCR {
    static let vm: UInt64 = 1 << 0, fmo: UInt64 = 1 << 3, imo: UInt64 = 1 << 4, amo: UInt64 = 1 << 5
    static let vf: UInt64 = 1 << 6, vi: UInt64 = 1 << 7, vse: UInt64 = 1 << 8
    static let twi: UInt64 = 1 << 13, twe: UInt64 = 1 << 14, tid1: UInt64 = 1 << 16, tid2: UInt64 = 1 << 17
    static let tid3: UInt64 = 1 << 18, tsc: UInt64 = 1 << 19, tacr: UInt64 = 1 << 21, tsw: UInt64 = 1 << 22
    static let tpc: UInt64 = 1 << 23, tpu: UInt64 = 1 << 24, ttlb: UInt64 = 1 << 25, tvm: UInt64 = 1 << 26
    static let tdz: UInt64 = 1 << 28, trvm: UInt64 = 1 << 30, rw: UInt64 = 1 << 31
    /// Every check runs EL1 under stage 2 with physical interrupts routed to EL2.
    static let base: UInt64 = rw | vm | imo | fmo | amo
}

/// CPTR_EL2: RES1 bits [13:12], [9:0]; TFP [10]; TCPAC [31].
let cptrBase: UInt64 = 0x33ff
/// CNTHCTL_EL2: EL1PCTEN [0], EL1PCEN [1].
let cnthctlBase: UInt64 = 3

/// EL2 and EL1 state every check starts from.
func resetEL2() {
    writeHCR_EL2(HCR.base)
    writeCPTR_EL2(cptrBase)
    writeMDCR_EL2(readMDCR_EL2() & 0x1f)       // keep HPMN; no debug or PMU traps
    writeCNTHCTL_EL2(cnthctlBase)
    writeCNTVOFF_EL2(0)
    initEL1()
    writeCNTV_CTL_EL0(0)
    writeCNTHP_CTL_EL2(0)
    writeICH_HCR_EL2(0)
    for lr in 0..<4 { writeLR(lr, 0) }
    writeICH_VMCR_EL2(0)
    hwLink = false
    el1UsesGIC = false
    el1HVCBeforeEOI = false
    hvc1Action = 0
    virt = Virtual()
    irqCount = 0
    lastIRQ = 1023
}

// MARK: Checks

/// Run one check at EL2 from a clean state.
func check(_ name: StaticString, _ body: () -> Void) {
    checkFailed = false
    resetEL2()
    disarm()
    body()
    disarm()
    if virt.unexpected != 0 { fail("unexpected exception at EL1, ESR", got: virt.unexpectedESR, want: 0) }
    resetEL2()
    report(name)
}

/// One exception was taken to EL2 from EL1 (AArch64, synchronous) with class `ec`.
func expectTrap(ec: UInt64, elr: UInt64) {
    expect("exceptions taken", takenCount, 1)
    if takenCount == 0 { return }
    expect("vector offset", taken.offset, 0x400)
    expect("ESR_EL2.EC", Syndrome(esr: taken.esr).ec, ec)
    expect("ESR_EL2.IL", Syndrome(esr: taken.esr).il, 1)
    expect("ELR_EL2", taken.elr, elr)
    expect("SPSR_EL2.M", taken.spsr & 0x1f, 0b00101)
}

func finish() -> Never {
    writeSummary("el2test")
    writeHCR_EL2(HCR.rw)                       // TSC = 0: the SMC reaches the firmware
    _ = psciSMC(psciSystemOff)
    halt()
}

@_cdecl("el2test_main")
public func el2testMain() -> Never {
    let el = readCurrentEL()
    write("el2test: started at EL"); writeDecimal(el); write("\n")
    if el != 2 {
        write("el2test: must start at EL2\n")
        failed = 1
        finish()
    }
    if probeTableSize() != UInt64(probeCount) * 16 {
        write("el2test: probe table and enum P disagree\n")
        failed = 1
        finish()
    }
    writeVBAR_EL2(vectorsEL2())
    writeSCTLR_EL2(sctlrEL2Base)
    gicInit()
    stage2Init()
    resetEL2()

    stage2Checks()
    trapChecks()
    virtualExceptionChecks()
    timerChecks()
    vgicChecks()
    finish()
}
