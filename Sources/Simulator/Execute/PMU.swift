/// The PMUv3 of a Cortex-A53 (Arm ARM D7 "The Performance Monitors Extension"; A53 TRM 12):
/// PMCCNTR_EL0 and six event counters. Counting is folded in lazily: `pmuSync` adds what the
/// event sources advanced since the last fold to each counter that is enabled and not filtered
/// at the EL that ran, so it runs before every change of EL or of the PMU's controls, on every
/// PMU register access, and at each quantum boundary (the overflow interrupt). The interpreter's
/// hot path pays nothing.
///
/// Events counted: SW_INCR (0x00), INST_RETIRED (0x08), EXC_TAKEN (0x09), EXC_RETURN (0x0A),
/// CPU_CYCLES (0x11), BUS_CYCLES (0x1D, the core's clock here) and CHAIN (0x1E: an odd counter
/// counts the overflows of the even one below it), and under `--timing a53` the model's cache,
/// TLB, load/store and branch events (A53Timing.events). PMCEID0_EL0 advertises exactly these; a
/// counter programmed with any other event counts nothing, as the architecture allows for an
/// event PMCEID does not advertise.
public struct PMUState {
    public static let counters = 6
    /// PMEVCNTR<n>_EL0 (32 bits each) and PMEVTYPER<n>_EL0.
    var count = [UInt64](repeating: 0, count: counters)
    /// The totals of the events counted from a running total (`Core.eventTotal`) at the last fold.
    var lastTotal: [UInt64: UInt64] = [:]
    var type = [UInt64](repeating: 0, count: counters)
    /// PMCCNTR_EL0, and the cycles counted towards its next tick with PMCR_EL0.D (every 64th).
    var cycleCount: UInt64 = 0
    var dividedCycles: UInt64 = 0
    /// The event sources at the last fold.
    var lastCycles: UInt64 = 0
    var lastRetired: UInt64 = 0
    /// Some counter is enabled: folds have work to do (cleared by a fold that finds none).
    var active = false

    /// PMEVTYPER<n>_EL0 bits kept: the filters P, U, NSK, NSU, NSH, M and a 10-bit event number.
    static let typeMask: UInt64 = 0xFC00_03FF
    /// PMCNTEN/PMINTEN/PMOVS bits that exist: C (31) and one per event counter.
    static let counterBits: UInt64 = 0x8000_0000 | (1 << UInt64(counters)) - 1
}

extension Core {
    enum PMUEvent {
        static let softwareIncrement: UInt64 = 0x00, instructionRetired: UInt64 = 0x08, cpuCycles: UInt64 = 0x11
        static let exceptionTaken: UInt64 = 0x09, exceptionReturn: UInt64 = 0x0A, busCycles: UInt64 = 0x1D, chain: UInt64 = 0x1E
        /// Counted from running totals whatever the timing model.
        static let core: [UInt64] = [exceptionTaken, exceptionReturn]
    }

    /// The events this core's PMU counts (PMCEID0_EL0 bits).
    var implementedEvents: UInt64 {
        let base = [PMUEvent.softwareIncrement, PMUEvent.instructionRetired, PMUEvent.cpuCycles, PMUEvent.busCycles, PMUEvent.chain] + PMUEvent.core
        return (base + (a53 == nil ? [] : A53Timing.events)).reduce(0) { $0 | 1 << $1 }
    }

    /// The running total of an event counted from one (PMUEvent.core, the model's), or nil.
    func eventTotal(_ event: UInt64) -> UInt64? {
        switch event {
        case PMUEvent.exceptionTaken: return stats.exceptionsTaken
        case PMUEvent.exceptionReturn: return stats.exceptionReturns
        default: return a53.flatMap { A53Timing.events.contains(event) ? $0.eventCount(event) : nil }
        }
    }

    /// Event counters that EL0/EL1 see (PMCR_EL0.N): MDCR_EL2.HPMN below an enabled EL2.
    var visibleEventCounters: Int {
        belowEnabledEL2 ? min(Int(self[.mdcrEL2] & 0x1F), PMUState.counters) : PMUState.counters
    }

    /// Whether counter `n` (31: the cycle counter) counts: PMCNTENSET_EL0, then PMCR_EL0.E for
    /// counters below MDCR_EL2.HPMN and MDCR_EL2.HPME for those reserved to EL2.
    func pmuEnabled(_ n: Int) -> Bool {
        guard self[.pmcntenEL0] & (1 << UInt64(n)) != 0 else { return false }
        return pmuGloballyEnabled(n)
    }

    func pmuGloballyEnabled(_ n: Int) -> Bool {
        if n != 31 && n >= Int(self[.mdcrEL2] & 0x1F) { return self[.mdcrEL2] & (1 << 7) != 0 }
        return self[.pmcrEL0] & 1 != 0
    }

    /// Whether a counter with filter bits `t` (PMEVTYPER/PMCCFILTR 31:26) counts at the current EL
    /// and Security state: P/U filter EL1/EL0, NSK/NSU invert them in Non-secure state, NSH
    /// enables EL2, M inverts P at EL3.
    func pmuCountsHere(filter t: UInt64) -> Bool {
        let p = t >> 31 & 1, u = t >> 30 & 1, nsk = t >> 29 & 1, nsu = t >> 28 & 1, nsh = t >> 27 & 1, m = t >> 26 & 1
        let el = state.pointee.el
        let secure = el == 3 || self[.scrEL3] & 1 == 0
        switch el {
        case 0: return secure ? u == 0 : u ^ nsu == 0
        case 1: return secure ? p == 0 : p ^ nsk == 0
        case 2: return nsh == 1
        default: return p ^ m == 0
        }
    }

    /// Folds the cycles and instructions since the last fold into the counters, as counted at
    /// the current EL; raises overflow flags and the interrupt.
    func pmuSync() {
        let cycles = state.pointee.cycles
        let retired = state.pointee.retired &+ state.pointee.retiredInBlock &- state.pointee.faultedInstructions
        let dc = cycles &- pmu.lastCycles, di = retired &- pmu.lastRetired
        pmu.lastCycles = cycles
        pmu.lastRetired = retired
        // The events counted from running totals, since the last fold, by event number.
        var totalDelta: [UInt64: UInt64] = [:]
        for e in PMUEvent.core + (a53 == nil ? [] : A53Timing.events) {
            let now = eventTotal(e) ?? 0
            totalDelta[e] = now &- (pmu.lastTotal[e] ?? 0)
            pmu.lastTotal[e] = now
        }
        guard pmu.active else { return }
        var any = false
        if pmuEnabled(31) {
            any = true
            if dc != 0 && pmuCountsHere(filter: self[.pmccfiltrEL0]) { advanceCycleCounter(by: dc) }
        }
        for n in 0..<PMUState.counters where pmuEnabled(n) {
            any = true
            let t = pmu.type[n]
            guard pmuCountsHere(filter: t) else { continue }
            switch t & 0x3FF {
            case PMUEvent.cpuCycles, PMUEvent.busCycles: advanceEventCounter(n, by: dc)
            case PMUEvent.instructionRetired: advanceEventCounter(n, by: di)
            case let e: if let d = totalDelta[e] { advanceEventCounter(n, by: d) }
            }
        }
        pmu.active = any
        updatePMUInterrupt()
    }

    func advanceEventCounter(_ n: Int, by delta: UInt64) {
        guard delta != 0 else { return }
        let sum = pmu.count[n] &+ delta
        pmu.count[n] = sum & 0xFFFF_FFFF
        guard sum >> 32 != 0 else { return }
        self[.pmovsEL0] |= 1 << UInt64(n)
        // CHAIN: the odd counter above an even one counts its overflows (Arm ARM D7.4.1),
        // when it is enabled and its filter allows counting here.
        let odd = n + 1
        if n & 1 == 0, odd < PMUState.counters, pmuEnabled(odd), pmu.type[odd] & 0x3FF == PMUEvent.chain, pmuCountsHere(filter: pmu.type[odd]) {
            advanceEventCounter(odd, by: sum >> 32)
        }
    }

    /// PMCCNTR_EL0 ticks every cycle, or every 64th with PMCR_EL0.D; it overflows out of bit 31,
    /// or out of bit 63 with PMCR_EL0.LC.
    func advanceCycleCounter(by cycles: UInt64) {
        var ticks = cycles
        if self[.pmcrEL0] & 8 != 0 {
            let total = pmu.dividedCycles &+ cycles
            ticks = total >> 6
            pmu.dividedCycles = total & 63
        }
        guard ticks != 0 else { return }
        let old = pmu.cycleCount, new = old &+ ticks
        let longCounter = self[.pmcrEL0] & (1 << 6) != 0
        let overflowed = longCounter ? new < old : (old & 0xFFFF_FFFF) &+ ticks > 0xFFFF_FFFF
        if overflowed { self[.pmovsEL0] |= 1 << 31 }
        pmu.cycleCount = new
    }

    /// Applies a change to the PMU's controls: counting so far is folded in under the old ones.
    func changingPMU(_ change: () -> Void) {
        pmuSync()
        change()
        pmu.active = true
        pmuSync()
        pmuDeadline()
    }

    /// A counter armed (or moved) while the core runs: the run ends where it could first
    /// overflow, so the interrupt is timely (the machine does the same at each quantum's start).
    func pmuDeadline() {
        guard let left = cyclesToPMUOverflow else { return }
        state.pointee.deadline = min(state.pointee.deadline, state.pointee.cycles &+ max(left, 1))
    }

    /// PMUIRQ (Arm ARM D7.6): some counter has overflowed with its interrupt enabled, while the
    /// counter is enabled by PMCR_EL0.E (or MDCR_EL2.HPME). A level on the board's PMU PPI.
    func updatePMUInterrupt() {
        var pending = self[.pmovsEL0] & self[.pmintenEL1] & PMUState.counterBits
        for n in [31] + Array(0..<PMUState.counters) where pending & (1 << UInt64(n)) != 0 && !pmuGloballyEnabled(n) {
            pending &= ~(1 << UInt64(n))
        }
        if pending != 0 || pmuInterruptAsserted { machine.setPMUInterrupt(cpu: index, asserted: pending != 0) }
        pmuInterruptAsserted = pending != 0
    }

    /// Cycles until the first enabled counter with its overflow interrupt enabled could overflow
    /// (every instruction costs at least one cycle), so the machine ends the quantum there.
    var cyclesToPMUOverflow: UInt64? {
        guard pmu.active else { return nil }
        var soonest: UInt64?
        let armed = self[.pmintenEL1]
        if armed & (1 << 31) != 0 && pmuEnabled(31) {
            let limit: UInt64 = self[.pmcrEL0] & (1 << 6) != 0 ? .max : 0xFFFF_FFFF
            let left = limit - (pmu.cycleCount & limit) + 1
            let scaled = self[.pmcrEL0] & 8 != 0 ? left.multipliedReportingOverflow(by: 64).partialValue : left
            soonest = scaled
        }
        for n in 0..<PMUState.counters where armed & (1 << UInt64(n)) != 0 && pmuEnabled(n) {
            if let c = cyclesToOverflow(counter: n) { soonest = min(soonest ?? .max, c) }
        }
        return soonest
    }

    /// A lower bound on the cycles before event counter `n` overflows, or nil when its event
    /// cannot make it overflow (SW_INCR: the write raises the interrupt itself).
    private func cyclesToOverflow(counter n: Int) -> UInt64? {
        let left = 0x1_0000_0000 - pmu.count[n]
        switch pmu.type[n] & 0x3FF {
        case PMUEvent.cpuCycles, PMUEvent.busCycles: return left
        case PMUEvent.instructionRetired:
            // The a53 model issues up to two instructions a cycle; otherwise each costs one at least.
            return a53 == nil ? left : max(1, left / 2)
        case PMUEvent.chain:
            // Overflows with the even counter's next overflow, if it is one count from it.
            guard n & 1 == 1, left == 1, pmuEnabled(n - 1) else { return nil }
            return cyclesToOverflow(counter: n - 1)
        case let e where eventTotal(e) != nil:
            // An instruction raises a model event at most twice (a line-crossing access counts
            // both lines) and costs at least a cycle.
            return max(1, left / 2)
        default: return nil
        }
    }

    // MARK: Register views

    /// PMCR_EL0 as read: N is MDCR_EL2.HPMN below EL2; P and C read as zero.
    var pmcrValue: UInt64 {
        let n = UInt64(visibleEventCounters)
        return (self[.pmcrEL0] & ~0xF800 & ~0x6) | n << 11
    }

    /// PMCR_EL0 write: E, D, X, DP and LC are kept (N, IMP, IDCODE read-only); C resets the cycle
    /// counter; P the event counters (below EL2, only those not reserved to EL2 by HPMN).
    func writePMCR(_ value: UInt64) {
        changingPMU {
            self[.pmcrEL0] = (self[.pmcrEL0] & ~0x7F) | (value & 0x79)
            if value & 4 != 0 { pmu.cycleCount = 0; pmu.dividedCycles = 0 }
            if value & 2 != 0 {
                for n in 0..<visibleEventCounters { pmu.count[n] = 0 }
            }
        }
    }

    var cycleCounter: UInt64 {
        get { pmuSync(); return pmu.cycleCount }
        set { pmuSync(); pmu.cycleCount = newValue; pmuDeadline() }
    }

    /// The event counter PMSELR_EL0.SEL selects for PMXEVCNTR/PMXEVTYPER (31: the cycle counter's
    /// filter), or nil when it names none the current EL can see (UNDEFINED).
    var selectedCounter: Int? {
        let sel = Int(self[.pmselrEL0] & 0x1F)
        return sel == 31 || sel < visibleEventCounters ? sel : nil
    }

    /// Whether an access to PMU register `sp` names a counter the current EL can see.
    func pmuCounterExists(_ sp: SpecialReg) -> Bool {
        switch sp {
        case .pmevcntr(let n): return n < visibleEventCounters
        case .pmevtyper(let n): return n == 31 || n < visibleEventCounters
        case .pmxevtyper: return selectedCounter != nil
        case .pmxevcntr: return selectedCounter.map { $0 != 31 } ?? false
        default: return true
        }
    }

    func readEventCounter(_ n: Int) -> UInt64 { pmuSync(); return pmu.count[n] }

    func writeEventCounter(_ n: Int, _ value: UInt64) {
        pmuSync()
        pmu.count[n] = value & 0xFFFF_FFFF
        pmuDeadline()
    }

    func readEventType(_ n: Int) -> UInt64 { n == 31 ? self[.pmccfiltrEL0] : pmu.type[n] }

    func writeEventType(_ n: Int, _ value: UInt64) {
        changingPMU {
            if n == 31 { self[.pmccfiltrEL0] = value & 0xFC00_0000 } else { pmu.type[n] = value & PMUState.typeMask }
        }
    }

    /// PMSWINC_EL0: each set bit increments its counter if it is enabled, counts SW_INCR and is
    /// not filtered at this EL.
    func softwareIncrement(_ value: UInt64) {
        pmuSync()
        for n in 0..<visibleEventCounters where value & (1 << UInt64(n)) != 0 && pmuEnabled(n)
            && pmu.type[n] & 0x3FF == PMUEvent.softwareIncrement && pmuCountsHere(filter: pmu.type[n]) {
            advanceEventCounter(n, by: 1)
        }
        updatePMUInterrupt()
    }

    /// PMCNTENSET/CLR, PMINTENSET/CLR and PMOVSSET/CLR writes.
    func writePMUBits(_ reg: SysReg, set: Bool, _ value: UInt64) {
        changingPMU {
            let bits = value & PMUState.counterBits
            self[reg] = set ? self[reg] | bits : self[reg] & ~bits
        }
    }
}
