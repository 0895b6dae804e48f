/// What `--stats` reports of one core beyond the timing model's own counters, and what the PMU's
/// EXC_TAKEN and EXC_RETURN events read. Cycles and instructions are attributed to where they
/// ran (EL, and the VMID below EL2 with stage 2 on) when that changes, at exception entry and
/// return, and at the end of the run: the interpreter's hot path does none of it.
struct CoreStats {
    /// Exceptions taken, by target EL and class: 0-63 the synchronous EC, then IRQ, FIQ, SError.
    static let classes = 67
    var exceptions = [UInt64](repeating: 0, count: 4 * CoreStats.classes)
    var exceptionsTaken: UInt64 = 0, exceptionReturns: UInt64 = 0
    /// Busy cycles (not waiting in WFI/WFE) and instructions, by EL and by VMID.
    var elCycles = [UInt64](repeating: 0, count: 4), elInstructions = [UInt64](repeating: 0, count: 4)
    var vmCycles = [UInt64](repeating: 0, count: 256), vmInstructions = [UInt64](repeating: 0, count: 256)
    /// Cycles spent waiting for an interrupt or event (WFI/WFE), and powered off.
    var idleCycles: UInt64 = 0, offCycles: UInt64 = 0
    /// Cycles the table walker charged on the simulator's own TLB misses (`--timing simple`;
    /// the a53 model charges its TLBs' misses instead: A53Timing.walkCycles).
    var walkCycles: UInt64 = 0
    /// The totals at the last attribution.
    var markCycles: UInt64 = 0, markRetired: UInt64 = 0, markIdle: UInt64 = 0, markOff: UInt64 = 0

    static func classIndex(_ kind: VectorKind, esr: UInt64) -> Int {
        switch kind {
        case .synchronous: return Int(truncatingIfNeeded: esr >> 26 & 0x3F)
        case .irq: return 64
        case .fiq: return 65
        case .serror: return 66
        }
    }

    /// A stats key for class `index`: the exception class's name, or its number in hex.
    static func className(_ index: Int) -> String {
        switch index {
        case 64: return "irq"
        case 65: return "fiq"
        case 66: return "serror"
        default:
            if let ec = ExceptionClass(rawValue: UInt64(index)) { return "\(ec)" }
            return "ec_0x" + String(index, radix: 16)
        }
    }
}

extension Core {
    /// Charges what ran since the last attribution to the current EL (and VMID), before that
    /// changes.
    func statsAttribute() {
        let cycles = state.pointee.cycles, retired = state.pointee.retired &+ state.pointee.retiredInBlock
        let busy = (cycles &- stats.markCycles) &- (stats.idleCycles &- stats.markIdle) &- (stats.offCycles &- stats.markOff)
        let insns = retired &- stats.markRetired
        stats.markCycles = cycles; stats.markRetired = retired; stats.markIdle = stats.idleCycles; stats.markOff = stats.offCycles
        guard busy != 0 || insns != 0 else { return }
        let el = state.pointee.el
        stats.elCycles[el] &+= busy
        stats.elInstructions[el] &+= insns
        if let vmid = currentVMID {
            stats.vmCycles[vmid] &+= busy
            stats.vmInstructions[vmid] &+= insns
        }
    }

    /// The VMID (VTTBR_EL2, 8 bits) of what runs now, when it runs below EL2 with stage 2 on.
    var currentVMID: Int? {
        guard state.pointee.el < 2, self[.hcrEL2] & 1 != 0, self[.scrEL3] & 1 != 0 else { return nil }
        return Int(truncatingIfNeeded: (self[.vttbrEL2] >> 48) & 0xFF)
    }

    /// An exception about to be taken to `target`: counted, what ran before it attributed.
    func statsException(to target: Int, kind: VectorKind, esr: UInt64) {
        statsAttribute()
        stats.exceptionsTaken &+= 1
        stats.exceptions[target &* CoreStats.classes &+ CoreStats.classIndex(kind, esr: esr)] &+= 1
    }

    func statsExceptionReturn() {
        statsAttribute()
        stats.exceptionReturns &+= 1
    }

    /// Time passes for a core that is not running (waiting, or off) up to cycle `t`.
    func passIdle(to t: UInt64) {
        let now = state.pointee.cycles
        guard now < t else { return }
        if power == .off { stats.offCycles &+= t &- now } else { stats.idleCycles &+= t &- now }
        state.pointee.cycles = t
    }
}
