// The Swift half of the vectors (../common/vectors.S): finish call_lower bodies, count the
// exception round trips the checks make, hand the one exception a check armed for to
// ../common/ArmedException.swift, and acknowledge the PMU's overflow interrupt.

/// Exception classes used here (Arm ARM, ESR_ELx.EC).
enum EC {
    static let unknown: UInt64 = 0x00, svc: UInt64 = 0x15, hvc: UInt64 = 0x16, smc: UInt64 = 0x17
    static let sysreg: UInt64 = 0x18
}

var roundTrips: UInt64 = 0
var unexpectedCount: UInt64 = 0

/// Called by every vector entry with the saved frame; 1 means "a call_lower body finished"
/// (SVC/HVC #0xFFFF from the EL below), 0 means ERET.
@_cdecl("guest_exception")
func handleException(_ frame: UnsafeMutablePointer<UInt64>) -> UInt64 {
    let offset = frame[Slot.offset]
    if offset & 0x180 == 0x80 { pmuInterrupt(); return 0 }
    let esr = frame[Slot.esr]
    let ec = (esr >> 26) & 0x3f, imm16 = esr & 0xffff
    let isCall = ec == EC.svc || ec == EC.hvc || ec == EC.smc
    if offset == 0x400 && isCall && imm16 == 0xffff { return 1 }
    // svc_round_trip and hvc_round_trip (pmu.S).
    if isCall && (imm16 == 0x100 || imm16 == 0x101) { roundTrips &+= 1; return 0 }
    if armed && offset & 0x180 == 0 {
        takeArmed(frame, isCall: isCall)
        return 0
    }
    // Nobody expected this: say so, fail the running check, step over it.
    unexpectedCount &+= 1
    write("pmutest: unexpected exception at EL"); writeDecimal(frame[Slot.el])
    write(" vector +"); writeHex(offset)
    write(" ESR "); writeHex(esr)
    write(" ELR "); writeHex(frame[Slot.elr]); write("\n")
    fail("unexpected exception, ESR", got: esr, want: 0)
    if unexpectedCount > 16 {
        write("pmutest: too many unexpected exceptions, halting\n")
        halt()
    }
    if offset & 0x180 == 0 && !isCall { frame[Slot.elr] &+= 4 }
    return 0
}
