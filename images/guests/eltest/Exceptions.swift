// The Swift half of the vectors: record the exception a check armed for,
// decide where to resume, and report anything nobody expected.

/// Frame saved by vectors.S on SP_ELn, as 64-bit slots (FRAME_* there).
enum Slot {
    static let x30 = 30, elr = 31, spsr = 32, esr = 33, far = 34, offset = 35, el = 36
}

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

/// Where the vector returns after an armed exception.
enum Resume: UInt64 {
    /// The preferred return address: for SVC/HVC/SMC the next instruction
    /// (ELR unchanged), otherwise the instruction after the faulting one (ELR + 4).
    case next = 0
    /// The probe's caller (ELR = saved x30): for faults whose ELR is not an
    /// instruction we can step over, like a misaligned PC.
    case returnToCaller = 1
}

/// What the last armed exception looked like.
struct Taken {
    var el: UInt64 = 0, offset: UInt64 = 0, esr: UInt64 = 0, elr: UInt64 = 0, far: UInt64 = 0, spsr: UInt64 = 0
}

// Shared by every EL (one physical copy, MMU off or identity-mapped).
var armed = false
var resume = Resume.next
var takenCount: UInt64 = 0
var taken = Taken()
var unexpectedCount: UInt64 = 0

/// Expect exactly one exception from what follows.
func arm(_ mode: Resume = .next) {
    taken = Taken()
    takenCount = 0
    resume = mode
    armed = true
}

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
        armed = false
        takenCount &+= 1
        taken = Taken(el: frame[Slot.el], offset: offset, esr: syndrome.esr,
                      elr: frame[Slot.elr], far: frame[Slot.far], spsr: frame[Slot.spsr])
        switch resume {
        case .returnToCaller: frame[Slot.elr] = frame[Slot.x30]
        case .next: if !isCall { frame[Slot.elr] &+= 4 }
        }
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

// MARK: Expectations; the first failed one is the check's FAIL detail.

var checkFailed = false
var failWhat: StaticString = ""
var failGot: UInt64 = 0
var failWant: UInt64 = 0

func fail(_ what: StaticString, got: UInt64, want: UInt64) {
    if checkFailed { return }
    checkFailed = true
    failWhat = what
    failGot = got
    failWant = want
}

func expect(_ what: StaticString, _ got: UInt64, _ want: UInt64) {
    if got != want { fail(what, got: got, want: want) }
}

/// One exception was taken to `el` through vector `offset` with class `ec`.
func expectTaken(el: UInt64, offset: UInt64, ec: UInt64) {
    expect("exceptions taken", takenCount, 1)
    if takenCount == 0 { return }
    expect("taken to EL", taken.el, el)
    expect("vector offset", taken.offset, offset)
    expect("ESR.EC", Syndrome(esr: taken.esr).ec, ec)
    expect("ESR.IL", Syndrome(esr: taken.esr).il, 1)
}

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
