// eltest: exceptions, vectors, ERET between ELs and stage-1 translation,
// checked one small thing at a time. Starts at EL3, EL2 or EL1; checks that
// need a higher EL than the entry EL print SKIP. Each check prints
// "PASS <name>" or "FAIL <name>: <detail>"; the last line is
// "eltest: N passed, M failed".

/// The EL we started at: the highest one we control.
var topEL: UInt64 = 0
var passed: UInt64 = 0
var failed: UInt64 = 0

/// PSCI SYSTEM_OFF, SMC32 function id (Arm PSCI specification).
let psciSystemOff: UInt32 = 0x8400_0008

// MARK: Per-EL configuration

/// SCTLR_ELx with MMU, caches and alignment checks off: the RES1 bits of Armv8.0.
let sctlrEL1Base: UInt64 = 0x30d0_0800
let sctlrEL2Base: UInt64 = 0x30c5_0830   // also SCTLR_EL3

/// Configure the EL we run at (idempotent; done on every arrival from above).
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
        writeVBAR_EL1(vectorsEL1())
        writeSCTLR_EL1(sctlrEL1Base)
        writeCPACR_EL1(3 << 20)
    default:
        break
    }
}

// MARK: Running code at another EL

var pendingBody: Body? = nil
var pendingEL: UInt64 = 0

/// Run `body` at `el` (at most the current EL) and return its result:
/// ERET one EL at a time through call_lower, back up with SVC/HVC/SMC #0xFFFF.
func run(at el: UInt64, _ body: Body) -> UInt64 {
    pendingBody = body
    pendingEL = el
    return continueRun()
}

func continueRun() -> UInt64 {
    let here = readCurrentEL()
    let body = pendingBody!
    if here == pendingEL { return body() }
    if pendingEL == 0 && here == 1 { return callLower(body, 0) }
    return callLower({ initCurrentEL(); return continueRun() }, 0)
}

/// An assembly function's address as a Body (for code that must run at EL0).
func body(at address: UInt64) -> Body {
    unsafeBitCast(UInt(address), to: Body.self)
}

// MARK: Checks

/// Run one check at `el`; skip it unless we started at `needs` or above.
func check(_ name: StaticString, at el: UInt64, needs: UInt64 = 0, skipUnless supported: Bool = true,
           _ body: Body) {
    if el > topEL || needs > topEL || !supported {
        write("SKIP "); write(name); write("\n")
        return
    }
    checkFailed = false
    armed = false
    _ = run(at: el, body)
    armed = false
    if checkFailed {
        failed &+= 1
        write("FAIL "); write(name); write(": "); write(failWhat)
        write(": got "); writeHex(failGot); write(", want "); writeHex(failWant); write("\n")
    } else {
        passed &+= 1
        write("PASS "); write(name); write("\n")
    }
}

@_cdecl("eltest_main")
public func eltestMain() -> Never {
    topEL = readCurrentEL()
    initCurrentEL()
    write("eltest: started at EL"); writeDecimal(topEL); write("\n")

    exceptionChecks()
    translationChecks()
    debugChecks()

    write("eltest: "); writeDecimal(passed); write(" passed, "); writeDecimal(failed); write(" failed\n")
    // QEMU's convention: PSCI over SMC when EL2 exists, over HVC otherwise.
    switch topEL {
    case 3: break                           // we are the firmware: nobody to ask
    case 2: _ = psciSMC(psciSystemOff)
    default: _ = psciHVC(psciSystemOff)
    }
    halt()
}
