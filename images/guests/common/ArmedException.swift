// The one exception a check arms for: the guest's guest_exception hands it to takeArmed, which
// records it and resumes where arm() asked; expectTaken checks the record.

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

/// Expect exactly one synchronous exception from what follows.
func arm(_ mode: Resume = .next) {
    taken = Taken()
    takenCount = 0
    resume = mode
    armed = true
}

/// From guest_exception, for the armed synchronous exception in `frame` (`isCall`: SVC/HVC/SMC,
/// whose ELR is already past them): record it, disarm, and resume as arm() asked.
func takeArmed(_ frame: UnsafeMutablePointer<UInt64>, isCall: Bool) {
    armed = false
    takenCount &+= 1
    taken = Taken(el: frame[Slot.el], offset: frame[Slot.offset], esr: frame[Slot.esr],
                  elr: frame[Slot.elr], far: frame[Slot.far], spsr: frame[Slot.spsr])
    switch resume {
    case .returnToCaller: frame[Slot.elr] = frame[Slot.x30]
    case .next: if !isCall { frame[Slot.elr] &+= 4 }
    }
}

/// One exception was taken to `el` through vector `offset` with class `ec`, for a 32-bit
/// instruction (ESR.IL; also RES1 for the classes without an instruction length).
func expectTaken(el: UInt64, offset: UInt64, ec: UInt64) {
    expect("exceptions taken", takenCount, 1)
    if takenCount == 0 { return }
    expect("taken to EL", taken.el, el)
    expect("vector offset", taken.offset, offset)
    expect("ESR.EC", (taken.esr >> 26) & 0x3f, ec)
    expect("ESR.IL", (taken.esr >> 25) & 1, 1)
}
