/// The PMUv3 cycle counter (Arm ARM D11 "The Performance Monitors Extension"): PMCCNTR_EL0
/// counts simulated cycles while PMCR_EL0.E and PMCNTENSET_EL0[31] are set, every 64th cycle
/// with PMCR_EL0.D; PMCR_EL0.C resets it. While counting, the `pmccntrEL0` slot holds the
/// cycle count at which the counter read zero; while stopped, it holds the counter itself.
/// Event counters are not implemented (PMCR_EL0.N = 0). PMCCFILTR_EL0's EL filters are not applied.
extension Core {
    var cycleCounterRunning: Bool { self[.pmcrEL0] & 1 != 0 && self[.pmcntenEL0] & (1 << 31) != 0 }

    var cycleCounter: UInt64 {
        get {
            guard cycleCounterRunning else { return self[.pmccntrEL0] }
            let elapsed = state.pointee.cycles &- self[.pmccntrEL0]
            return self[.pmcrEL0] & 8 != 0 ? elapsed >> 6 : elapsed
        }
        set {
            guard cycleCounterRunning else { self[.pmccntrEL0] = newValue; return }
            self[.pmccntrEL0] = state.pointee.cycles &- (self[.pmcrEL0] & 8 != 0 ? newValue << 6 : newValue)
        }
    }

    /// Applies a change to PMCR_EL0 or the enable set, keeping the counter's value across it.
    func changingCycleCounterControl(_ change: () -> Void) {
        let value = cycleCounter
        change()
        cycleCounter = value
    }

    /// PMCR_EL0 write: E, D, LC and friends are kept (N, IMP, IDCODE read-only); C resets the
    /// cycle counter, P the (absent) event counters; both read as zero.
    func writePMCR(_ value: UInt64) {
        changingCycleCounterControl { self[.pmcrEL0] = (self[.pmcrEL0] & ~0x7F) | (value & 0x79) }
        if value & 4 != 0 { cycleCounter = 0 }
    }
}
