// Self-hosted debug checks (Arm ARM D2, "AArch64 Self-hosted Debug"): breakpoints, watchpoints
// and software step with their enables (OS lock, double lock, MDSCR_EL1.MDE/KDE, PSTATE.D, the
// EL a comparator is programmed for), at EL0 and EL1 with EL1 as the debug target, then routed
// to EL2 by MDCR_EL2.TDE. Run on sim and on QEMU, whose "debug." lines must be the same.

@_silgen_name("read_mdscr_el1") func readMDSCR() -> UInt64
@_silgen_name("write_mdscr_el1") func writeMDSCR(_ v: UInt64)
@_silgen_name("write_oslar_el1") func writeOSLAR(_ v: UInt64)
@_silgen_name("read_oslsr_el1") func readOSLSR() -> UInt64
@_silgen_name("write_osdlr_el1") func writeOSDLR(_ v: UInt64)
@_silgen_name("write_contextidr_el1") func writeCONTEXTIDR(_ v: UInt64)
@_silgen_name("write_dbgbvr0_el1") func writeDBGBVR0(_ v: UInt64)
@_silgen_name("write_dbgbcr0_el1") func writeDBGBCR0(_ v: UInt64)
@_silgen_name("write_dbgbvr4_el1") func writeDBGBVR4(_ v: UInt64)
@_silgen_name("write_dbgbcr4_el1") func writeDBGBCR4(_ v: UInt64)
@_silgen_name("write_dbgwvr0_el1") func writeDBGWVR0(_ v: UInt64)
@_silgen_name("write_dbgwcr0_el1") func writeDBGWCR0(_ v: UInt64)
@_silgen_name("dbg_nop") func dbgNop() -> UInt64
@_silgen_name("dbg_nop_unmasked") func dbgNopUnmasked() -> UInt64
@_silgen_name("addr_dbg_nop") func addrDbgNop() -> UInt64
@_silgen_name("addr_dbg_nop_unmasked") func addrDbgNopUnmasked() -> UInt64
@_silgen_name("addr_dbg_store_x") func addrDbgStoreX() -> UInt64
@_silgen_name("addr_dbg_load_x") func addrDbgLoadX() -> UInt64
@_silgen_name("addr_dbg_store_b") func addrDbgStoreB() -> UInt64
@_silgen_name("addr_dbg_step_body") func addrDbgStepBody() -> UInt64
@_silgen_name("addr_dbg_step_svc") func addrDbgStepSVC() -> UInt64
@_silgen_name("addr_dbg_step_ldxr") func addrDbgStepLDXR() -> UInt64
@_silgen_name("addr_dbg_read_mdscr") func addrDbgReadMDSCR() -> UInt64
@_silgen_name("addr_dbg_var") func addrDbgVar() -> UInt64
@_silgen_name("addr_dbg_log_esr") func addrDbgLogESR() -> UInt64
@_silgen_name("addr_dbg_log_elr") func addrDbgLogELR() -> UInt64

/// Field values (Arm ARM: MDSCR_EL1, DBGBCR<n>_EL1, DBGWCR<n>_EL1, MDCR_EL2, ESR_ELx.EC).
enum DBG {
    static let ss: UInt64 = 1, kde: UInt64 = 1 << 13, mde: UInt64 = 1 << 15
    static let tde: UInt64 = 1 << 8
    /// PMC/PAC: which ELs a comparator matches at.
    static let el1: UInt64 = 0b01, el0: UInt64 = 0b10
    /// LSC: which accesses a watchpoint matches.
    static let load: UInt64 = 0b01, store: UInt64 = 0b10
    static let bpLower: UInt64 = 0x30, bpSame: UInt64 = 0x31, stepLower: UInt64 = 0x32
    static let wpLower: UInt64 = 0x34, sysreg: UInt64 = 0x18
    /// ISS of a debug exception: IFSC/DFSC = 0b100010 ("debug event").
    static let debugStatus: UInt64 = 0x22

    /// E, PMC, BAS = 0b1111 (the whole A64 instruction), LBN, BT.
    static func bcr(pmc: UInt64, type: UInt64 = 0, lbn: UInt64 = 0) -> UInt64 {
        type << 20 | lbn << 16 | 0xF << 5 | pmc << 1 | 1
    }
    /// E, PAC, LSC, BAS, MASK.
    static func wcr(pac: UInt64, lsc: UInt64, bas: UInt64 = 0xFF, mask: UInt64 = 0) -> UInt64 {
        mask << 24 | bas << 5 | lsc << 3 | pac << 1 | 1
    }
}

// MARK: The software-step log, kept by the exception handler while a step check runs.

var stepLogging = false
var stepCount = 0
let stepLogSize = 32

func stepLogESR() -> UnsafeMutablePointer<UInt64> { UnsafeMutablePointer(bitPattern: UInt(addrDbgLogESR()))! }
func stepLogELR() -> UnsafeMutablePointer<UInt64> { UnsafeMutablePointer(bitPattern: UInt(addrDbgLogELR()))! }

/// From the vectors: a software-step exception (or an SVC the step crosses) while logging is
/// logged and resumed where it stopped, the step re-armed (SPSR.SS = 1) for the next instruction.
func logStep(_ frame: UnsafeMutablePointer<UInt64>) -> Bool {
    let esr = frame[Slot.esr]
    let ec = (esr >> 26) & 0x3f
    guard stepLogging, ec == DBG.stepLower || ec == DBG.stepLower + 1 || ec == EC.svc else { return false }
    if stepCount < stepLogSize {
        stepLogESR()[stepCount] = esr
        stepLogELR()[stepCount] = frame[Slot.elr]
    }
    stepCount &+= 1
    if ec != EC.svc { frame[Slot.spsr] |= 1 << 21 }
    return true
}

func startStepLog() { stepCount = 0; stepLogging = true }

/// Up to ten expected ELRs (no arrays: they would need the heap this guest does not have).
typealias ELRs = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

/// The log holds exactly the first `count` of `elrs`, each a step exception of class `ec` (ISV
/// clear on the first and on `restartAt`, set on the others), except where `svcAt` names the entry
/// of an SVC; `exAt` the entry whose stepped instruction was a load-exclusive (EX set).
func expectStepLog(ec: UInt64, _ elrs: ELRs, count: Int, svcAt: Int = -1, restartAt: Int = -1, exAt: Int = -1) {
    stepLogging = false
    expect("step exceptions", UInt64(stepCount), UInt64(count))
    var expected = elrs
    let want = withUnsafeMutableBytes(of: &expected) { $0.baseAddress!.assumingMemoryBound(to: UInt64.self) }
    for i in 0..<min(min(stepCount, count), stepLogSize) {
        let esr = stepLogESR()[i]
        expect("logged ELR", stepLogELR()[i], want[i])
        if i == svcAt { expect("logged EC (SVC)", (esr >> 26) & 0x3f, EC.svc); continue }
        let isv: UInt64 = i == 0 || i == restartAt ? 0 : 1
        expect("step EC", (esr >> 26) & 0x3f, ec)
        expect("step ISS (ISV, EX, IFSC)", esr & 0x1ff_ffff, isv << 24 | (i == exAt ? 1 << 6 : 0) | DBG.debugStatus)
    }
}

func clearDebug() {
    writeDBGBCR0(0); writeDBGBCR4(0); writeDBGWCR0(0); writeMDSCR(0); writeOSDLR(0)
}

func dbgVar() -> UnsafeMutablePointer<UInt64> { UnsafeMutablePointer(bitPattern: UInt(addrDbgVar()))! }
/// dbg_store_b stores a byte at dbg_var + dbgVar()[16].
func setStoreOffset(_ offset: UInt64) { dbgVar()[16] = offset }

/// A debug exception was taken from a lower EL to `el` with class `ec`, at `elr`.
func expectDebugTaken(el: UInt64, ec: UInt64, iss: UInt64, elr: UInt64, offset: UInt64 = 0x400) {
    expectTaken(el: el, offset: offset, ec: ec)
    expect("ESR.ISS", taken.esr & 0x1ff_ffff, iss)
    expect("ELR", taken.elr, elr)
}

/// Watchpoint 0 on dbg_var with control `wcr`: an EL0 byte store at dbg_var + `missing` passes,
/// one at dbg_var + `hitting` stops before it stores, with FAR the byte's address.
func expectByteStoreWatch(_ wcr: UInt64, missing: UInt64, hitting: UInt64) {
    writeDBGWVR0(addrDbgVar()); writeDBGWCR0(wcr); writeMDSCR(DBG.mde)
    setStoreOffset(missing)
    _ = run(at: 0, body(at: addrDbgStoreB()))
    setStoreOffset(hitting)
    arm()
    _ = run(at: 0, body(at: addrDbgStoreB()))
    expectDebugTaken(el: 1, ec: DBG.wpLower, iss: 1 << 6 | DBG.debugStatus, elr: addrDbgStoreB() + 20)
    expect("FAR", taken.far, addrDbgVar() + hitting)
    clearDebug()
}

func debugChecks() {
    check("debug.oslock-reset", at: 1) {
        expect("OSLSR_EL1 (OSLM, OSLK) after reset", readOSLSR() & 0xB, 0xA)
        writeOSLAR(0)
        expect("OSLSR_EL1 after OSLAR 0", readOSLSR() & 0xB, 0x8)
        return 0
    }

    // Breakpoints, debug target EL1.
    check("debug.bp-el0", at: 1) {
        writeDBGBVR0(addrDbgNop()); writeDBGBCR0(DBG.bcr(pmc: DBG.el0)); writeMDSCR(DBG.mde)
        arm()
        _ = run(at: 0, body(at: addrDbgNop()))
        expectDebugTaken(el: 1, ec: DBG.bpLower, iss: DBG.debugStatus, elr: addrDbgNop())
        clearDebug(); return 0
    }
    check("debug.bp-el0-needs-mde", at: 1) {
        writeDBGBVR0(addrDbgNop()); writeDBGBCR0(DBG.bcr(pmc: DBG.el0)); writeMDSCR(0)
        _ = run(at: 0, body(at: addrDbgNop()))          // any exception fails the check
        clearDebug(); return 0
    }
    check("debug.bp-el0-os-lock", at: 1) {
        writeOSLAR(1)
        writeDBGBVR0(addrDbgNop()); writeDBGBCR0(DBG.bcr(pmc: DBG.el0)); writeMDSCR(DBG.mde)
        _ = run(at: 0, body(at: addrDbgNop()))
        writeOSLAR(0)
        clearDebug(); return 0
    }
    check("debug.bp-el0-double-lock", at: 1) {
        writeOSDLR(1)
        writeDBGBVR0(addrDbgNop()); writeDBGBCR0(DBG.bcr(pmc: DBG.el0)); writeMDSCR(DBG.mde)
        _ = run(at: 0, body(at: addrDbgNop()))
        clearDebug(); return 0
    }
    check("debug.bp-pmc-el1-only", at: 1) {
        writeDBGBVR0(addrDbgNop()); writeDBGBCR0(DBG.bcr(pmc: DBG.el1)); writeMDSCR(DBG.mde)
        _ = run(at: 0, body(at: addrDbgNop()))
        clearDebug(); return 0
    }
    check("debug.bp-el1-kde", at: 1) {
        writeDBGBVR0(addrDbgNopUnmasked() + 4); writeDBGBCR0(DBG.bcr(pmc: DBG.el1)); writeMDSCR(DBG.mde | DBG.kde)
        arm()
        _ = dbgNopUnmasked()
        expectDebugTaken(el: 1, ec: DBG.bpSame, iss: DBG.debugStatus, elr: addrDbgNopUnmasked() + 4, offset: 0x200)
        clearDebug(); return 0
    }
    check("debug.bp-el1-masked-by-d", at: 1) {
        writeDBGBVR0(addrDbgNop()); writeDBGBCR0(DBG.bcr(pmc: DBG.el1)); writeMDSCR(DBG.mde | DBG.kde)
        _ = dbgNop()                                    // PSTATE.D is set here
        clearDebug(); return 0
    }
    check("debug.bp-el1-needs-kde", at: 1) {
        writeDBGBVR0(addrDbgNopUnmasked() + 4); writeDBGBCR0(DBG.bcr(pmc: DBG.el1)); writeMDSCR(DBG.mde)
        _ = dbgNopUnmasked()
        clearDebug(); return 0
    }
    check("debug.bp-linked-context-id", at: 1) {
        // Breakpoint 0 (linked address match) fires only while breakpoint 4 (linked context ID) matches.
        writeDBGBVR4(0x42); writeDBGBCR4(DBG.bcr(pmc: 0b11, type: 0b0011))
        writeDBGBVR0(addrDbgNop()); writeDBGBCR0(DBG.bcr(pmc: DBG.el0, type: 0b0001, lbn: 4)); writeMDSCR(DBG.mde)
        writeCONTEXTIDR(0x43)
        _ = run(at: 0, body(at: addrDbgNop()))
        writeCONTEXTIDR(0x42)
        arm()
        _ = run(at: 0, body(at: addrDbgNop()))
        expectDebugTaken(el: 1, ec: DBG.bpLower, iss: DBG.debugStatus, elr: addrDbgNop())
        writeCONTEXTIDR(0)
        clearDebug(); return 0
    }

    // Watchpoints, debug target EL1.
    check("debug.wp-store-el0", at: 1) {
        dbgVar()[0] = 0x11
        writeDBGWVR0(addrDbgVar()); writeDBGWCR0(DBG.wcr(pac: DBG.el0, lsc: DBG.store)); writeMDSCR(DBG.mde)
        arm()
        _ = run(at: 0, body(at: addrDbgStoreX()))
        expectDebugTaken(el: 1, ec: DBG.wpLower, iss: 1 << 6 | DBG.debugStatus, elr: addrDbgStoreX() + 12)
        expect("FAR", taken.far, addrDbgVar())
        expect("the store did not happen", dbgVar()[0], 0x11)
        clearDebug(); return 0
    }
    check("debug.wp-load-only", at: 1) {
        writeDBGWVR0(addrDbgVar()); writeDBGWCR0(DBG.wcr(pac: DBG.el0, lsc: DBG.load)); writeMDSCR(DBG.mde)
        _ = run(at: 0, body(at: addrDbgStoreX()))       // a store does not match
        expect("the store happened", dbgVar()[0], 0x55)
        arm()
        _ = run(at: 0, body(at: addrDbgLoadX()))
        expectDebugTaken(el: 1, ec: DBG.wpLower, iss: DBG.debugStatus, elr: addrDbgLoadX() + 12)
        expect("FAR", taken.far, addrDbgVar())
        clearDebug(); return 0
    }
    // BAS = 0b00110000: bytes 4 and 5 of the doubleword.
    check("debug.wp-byte-select", at: 1) {
        expectByteStoreWatch(DBG.wcr(pac: DBG.el0, lsc: DBG.store, bas: 0x30), missing: 3, hitting: 5); return 0
    }
    // MASK = 6: the whole 64-byte block at dbg_var.
    check("debug.wp-address-mask", at: 1) {
        expectByteStoreWatch(DBG.wcr(pac: DBG.el0, lsc: DBG.store, mask: 6), missing: 64, hitting: 40); return 0
    }

    // Software step of EL0, debug target EL1. call_lower's ERET has SPSR.SS = 0: the first step
    // exception comes before any instruction ran (ISV clear).
    check("debug.ss-el0", at: 1) {
        let l = addrLowerEntryEL0(), b = addrDbgStepBody()
        startStepLog(); writeMDSCR(DBG.ss)
        _ = run(at: 0, body(at: b))
        writeMDSCR(0)
        expectStepLog(ec: DBG.stepLower, (l, l + 4, l + 8, b, b + 4, b + 8, b + 12, l + 12, 0, 0), count: 8)
        return 0
    }
    check("debug.ss-el0-over-svc", at: 1) {
        // The SVC completes (SPSR.SS = 0 when it is taken): after its handler, a step exception
        // with ISV clear at the instruction after it.
        let l = addrLowerEntryEL0(), s = addrDbgStepSVC()
        startStepLog(); writeMDSCR(DBG.ss)
        _ = run(at: 0, body(at: s))
        writeMDSCR(0)
        expectStepLog(ec: DBG.stepLower, (l, l + 4, l + 8, s, s + 4, s + 4, s + 8, l + 12, 0, 0), count: 8, svcAt: 4, restartAt: 5)
        return 0
    }
    check("debug.ss-el0-load-exclusive", at: 1) {
        let l = addrLowerEntryEL0(), x = addrDbgStepLDXR()
        startStepLog(); writeMDSCR(DBG.ss)
        _ = run(at: 0, body(at: x))
        writeMDSCR(0)
        expectStepLog(ec: DBG.stepLower, (l, l + 4, l + 8, x, x + 4, x + 8, x + 12, x + 16, x + 20, l + 12), count: 10, exAt: 6)
        return 0
    }

    // Routed to EL2 by MDCR_EL2.TDE: EL1 is below the target, so KDE and PSTATE.D do not matter.
    check("debug.tde-bp-el1", at: 2, needs: 2) {
        writeDBGBVR0(addrDbgNop()); writeDBGBCR0(DBG.bcr(pmc: DBG.el1)); writeMDSCR(DBG.mde)
        writeMDCR_EL2(readMDCR_EL2() | DBG.tde)
        arm()
        _ = callLower(body(at: addrDbgNop()), 0)
        writeMDCR_EL2(readMDCR_EL2() & ~DBG.tde)
        expectDebugTaken(el: 2, ec: DBG.bpLower, iss: DBG.debugStatus, elr: addrDbgNop())
        clearDebug(); return 0
    }
    check("debug.tde-wp-el0", at: 2, needs: 2) {
        writeDBGWVR0(addrDbgVar()); writeDBGWCR0(DBG.wcr(pac: DBG.el0, lsc: DBG.store)); writeMDSCR(DBG.mde)
        writeMDCR_EL2(readMDCR_EL2() | DBG.tde)
        arm()
        _ = run(at: 0, body(at: addrDbgStoreX()))
        writeMDCR_EL2(readMDCR_EL2() & ~DBG.tde)
        expectDebugTaken(el: 2, ec: DBG.wpLower, iss: 1 << 6 | DBG.debugStatus, elr: addrDbgStoreX() + 12)
        expect("FAR", taken.far, addrDbgVar())
        clearDebug(); return 0
    }
    check("debug.tde-ss-el1", at: 2, needs: 2) {
        let l = addrLowerEntryEL1(), b = addrDbgStepBody()
        writeMDCR_EL2(readMDCR_EL2() | DBG.tde)
        startStepLog(); writeMDSCR(DBG.ss)
        _ = callLower(body(at: b), 0)
        writeMDSCR(0)
        writeMDCR_EL2(readMDCR_EL2() & ~DBG.tde)
        expectStepLog(ec: DBG.stepLower, (l, l + 4, l + 8, b, b + 4, b + 8, b + 12, l + 12, 0, 0), count: 8)
        return 0
    }
    check("debug.tde-traps-el1-registers", at: 2, needs: 2) {
        writeMDCR_EL2(readMDCR_EL2() | DBG.tde)
        arm()
        _ = callLower(body(at: addrDbgReadMDSCR()), 0)
        writeMDCR_EL2(readMDCR_EL2() & ~DBG.tde)
        expectTaken(el: 2, offset: 0x400, ec: DBG.sysreg)
        expect("ELR", taken.elr, addrDbgReadMDSCR())
        return 0
    }
    check("debug.tde-brk-el0", at: 2, needs: 2) {
        writeMDCR_EL2(readMDCR_EL2() | DBG.tde)
        arm()
        _ = run(at: 0, body(at: addrProbeBRK()))
        writeMDCR_EL2(readMDCR_EL2() & ~DBG.tde)
        expectTaken(el: 2, offset: 0x400, ec: EC.brk)
        return 0
    }
}
