// The Swift half of the vectors: hand the exception a check armed for to
// ../common/ArmedException.swift, and report anything nobody expected.

/// Syndrome fields (Arm ARM, ESR_ELx): EC [31:26], IL [25], ISS [24:0];
/// for data aborts DFSC [5:0] and WnR [6].
struct Syndrome {
    let esr: UInt64
    var ec: UInt64 { (esr >> 26) & 0x3f }
    var il: UInt64 { (esr >> 25) & 1 }
    var imm16: UInt64 { esr & 0xffff }
    var dfsc: UInt64 { esr & 0x3f }
    var wnr: UInt64 { (esr >> 6) & 1 }
}

/// Exception classes used here (Arm ARM, ESR_ELx.EC).
enum EC {
    static let unknown: UInt64 = 0x00, svc: UInt64 = 0x15, hvc: UInt64 = 0x16, smc: UInt64 = 0x17
    static let dataAbortSameEL: UInt64 = 0x25, pcAlignment: UInt64 = 0x22, brk: UInt64 = 0x3c
}

var unexpectedCount: UInt64 = 0

/// Called by every vector entry with the saved frame; 1 means "a call_lower
/// body finished" (SVC/HVC/SMC #0xFFFF from the EL below), 0 means ERET.
@_cdecl("guest_exception")
func handleException(_ frame: UnsafeMutablePointer<UInt64>) -> UInt64 {
    let syndrome = Syndrome(esr: frame[Slot.esr])
    let offset = frame[Slot.offset]
    let isCall = syndrome.ec == EC.svc || syndrome.ec == EC.hvc || syndrome.ec == EC.smc
    if offset == 0x400 && isCall && syndrome.imm16 == 0xffff { return 1 }
    if logStep(frame) { return 0 }

    let synchronous = offset & 0x180 == 0
    if armed && synchronous {
        takeArmed(frame, isCall: isCall)
        return 0
    }

    // Nobody expected this: say so, fail the running check, step over it.
    unexpectedCount &+= 1
    write("eltest: unexpected exception at EL"); writeDecimal(frame[Slot.el])
    write(" vector +"); writeHex(offset)
    write(" ESR "); writeHex(syndrome.esr)
    write(" ELR "); writeHex(frame[Slot.elr])
    write(" FAR "); writeHex(frame[Slot.far])
    write(" SPSR "); writeHex(frame[Slot.spsr]); write("\n")
    fail("unexpected exception, ESR", got: syndrome.esr, want: 0)
    if unexpectedCount > 16 {
        write("eltest: too many unexpected exceptions, halting\n")
        halt()
    }
    if synchronous && !isCall { frame[Slot.elr] &+= 4 }
    return 0
}

// MARK: More expectations about the armed exception (expectTaken: ../common/ArmedException.swift).

/// SPSR.M[4:0]: AArch64, EL and SP (t = SP_EL0, h = SP_ELx).
func expectSPSRMode(el: UInt64, handler: Bool) {
    expect("SPSR.M", taken.spsr & 0x1f, el << 2 | (handler ? 1 : 0))
}

/// A data abort at EL1 from EL1 with fault status `dfsc` at `far`.
func expectDataAbort(dfsc: UInt64, far: UInt64, write: Bool) {
    expectTaken(el: 1, offset: 0x200, ec: EC.dataAbortSameEL)
    let syndrome = Syndrome(esr: taken.esr)
    expect("ESR.DFSC", syndrome.dfsc, dfsc)
    expect("FAR_EL1", taken.far, far)
    expect("ESR.WnR", syndrome.wnr, write ? 1 : 0)
    expect("ELR_EL1", taken.elr, write ? addrProbeStore() : addrProbeLoad())
}
