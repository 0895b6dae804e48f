/// Trapped PMU accesses (MDCR_EL2.TPM, TPMCR) of the loaded vCPU, against its virtual PMU
/// (Core/VirtualPMU.swift): counters and overflow flags are read and written in the hardware,
/// which holds them while the vCPU runs; controls are kept and mirrored there. Whatever the guest
/// writes, the hardware never counts EL2 or EL3, and nothing a guest does here can stop the
/// hypervisor: out-of-range counters are UNDEFINED to the guest.
extension Hypervisor {
    /// Emulate a trapped MRS/MSR of PMU register `reg`. False when an exception was injected
    /// instead (the guest's PC must not advance).
    func emulatePMU(_ v: VCPU, _ reg: PMURegister, esr: ESR) -> Bool {
        let rt = esr.sysregRt, read = esr.sysregIsRead
        // EL0: PMUSERENR_EL0 traps to EL1 before MDCR_EL2.TPM traps to EL2 (Arm ARM, the PMU
        // registers' accessibility pseudocode); the hardware holds the guest's PMUSERENR_EL0 and
        // so does this itself. Checked again here, so a denied access can never be emulated.
        if v.regs.pointee.spsr & SPSR.modeMask == 0 {
            guard let allowed = reg.el0Allowed(read: read, enable: v.pmu.userEnable) else {
                injectUndefined(v, esr: esr); return false
            }
            if !allowed { injectSystemRegisterTrap(v, iss: esr.iss); return false }
        }
        // Write-only PMSWINC_EL0 and read-only PMCEID<n>_EL0 have no other direction.
        if read ? reg == .softwareIncrement : (reg == .eventsImplemented0 || reg == .eventsImplemented1) {
            injectUndefined(v, esr: esr); return false
        }
        if !v.pmu.inUse {
            v.pmu.inUse = true
            v.pmu.restore()                                  // the hardware may hold another vCPU's counts
        }
        let value = v.regs[x: rt]
        let bits = value & v.pmu.counterBits
        var result: UInt64 = 0
        switch reg {
        case .control:
            if read {
                result = Arch.pmuControl & 0xFFFF_0000 | UInt64(v.pmu.counters) << PMCR.nShift | v.pmu.control
            } else {
                v.pmu.control = value & PMCR.kept
                Arch.pmuControl = v.pmu.control | value & (PMCR.p | PMCR.c)
                pmuInterruptChanged(v)
            }
        case .countEnableSet, .countEnableClear:
            if !read {
                if reg == .countEnableSet { v.pmu.countEnable |= bits; Arch.pmuEnableCounters(bits) }
                else { v.pmu.countEnable &= ~bits; Arch.pmuDisableCounters(bits) }
            }
            result = v.pmu.countEnable
        case .interruptEnableSet, .interruptEnableClear:
            if !read {
                if reg == .interruptEnableSet { v.pmu.interruptEnable |= bits } else { v.pmu.interruptEnable &= ~bits }
                pmuInterruptChanged(v)
            }
            result = v.pmu.interruptEnable
        case .overflowSet, .overflowClear:
            if !read {
                if reg == .overflowSet { Arch.pmuSetOverflow(bits) } else { Arch.pmuClearOverflow(bits) }
                pmuInterruptChanged(v)
            }
            result = Arch.pmuOverflow & v.pmu.counterBits
        case .softwareIncrement:
            softwareIncrement(v, bits)
        case .select:
            if read { result = v.pmu.select } else { v.pmu.select = value & 0x1F }
        case .userEnable:
            if read { result = v.pmu.userEnable } else {
                v.pmu.userEnable = value & PMUSERENR.all
                Arch.pmuUserEnable = v.pmu.userEnable
            }
        case .eventsImplemented0: result = Arch.pmuEventsImplemented0
        case .eventsImplemented1: result = Arch.pmuEventsImplemented1
        case .cycleCounter:
            if read { result = Arch.pmuCycleCounter } else { Arch.pmuCycleCounter = value }
        case .eventCounter, .selectedCounter:
            // PMSELR_EL0.SEL = 31 names no event counter: CONSTRAINED UNPREDICTABLE, UNDEFINED here.
            let n = reg.counterIndex ?? Int(v.pmu.select)
            guard n < v.pmu.counters else { injectUndefined(v, esr: esr); return false }
            if read { result = Arch.pmuEventCounter(n) } else { Arch.setPMUEventCounter(n, value) }
        case .eventType, .selectedType:
            let n = reg.counterIndex ?? Int(v.pmu.select)
            guard n < v.pmu.counters || n == 31 else { injectUndefined(v, esr: esr); return false }
            if read { result = n == 31 ? v.pmu.cycleFilter : v.pmu.eventTypes[n] } else if n == 31 {
                v.pmu.cycleFilter = value & PMEVTYPER.filters
                Arch.pmuCycleFilter = PMEVTYPER.hardware(v.pmu.cycleFilter)
            } else {
                v.pmu.eventTypes[n] = value & (PMEVTYPER.filters | PMEVTYPER.event)
                Arch.setPMUEventType(n, PMEVTYPER.hardware(v.pmu.eventTypes[n]))
            }
        }
        if read { v.regs[x: rt] = result }
        return true
    }

    /// Whether counter `n` of loaded `v` counts `event` at the guest's current EL.
    private func counts(_ v: VCPU, _ n: Int, event: UInt64) -> Bool {
        let type = v.pmu.eventTypes[n]
        return v.pmu.control & PMCR.e != 0 && v.pmu.countEnable & (1 << UInt64(n)) != 0
            && type & PMEVTYPER.event == event && PMEVTYPER.counts(type, el1: v.regs.pointee.spsr & 0xC != 0)
    }

    /// PMSWINC_EL0: written at EL2 it would count under EL2's filter (never), so the increment
    /// is the hypervisor's, under the guest's filter for the EL that wrote it.
    private func softwareIncrement(_ v: VCPU, _ bits: UInt64) {
        var overflowed = false
        for n in 0..<v.pmu.counters where bits & (1 << UInt64(n)) != 0 && counts(v, n, event: PMUEvent.softwareIncrement) {
            overflowed = increment(v, n) || overflowed
        }
        if overflowed { pmuInterruptChanged(v) }
    }

    /// Add one to loaded `v`'s event counter `n`; a wrap sets its overflow flag and, for an even
    /// counter, counts on the odd one above it when that one counts CHAIN (Arm ARM D7.4).
    private func increment(_ v: VCPU, _ n: Int) -> Bool {
        let next = Arch.pmuEventCounter(n) &+ 1
        Arch.setPMUEventCounter(n, next)
        guard next > 0xFFFF_FFFF else { return false }
        Arch.pmuSetOverflow(1 << UInt64(n))
        if n & 1 == 0, n + 1 < v.pmu.counters, counts(v, n + 1, event: PMUEvent.chain) { _ = increment(v, n + 1) }
        return true
    }

    /// A guest instruction the hypervisor completed in the guest's place (a trapped register
    /// access, an emulated MMIO load or store, a trapped WFI or SMC) never retired in the
    /// hardware: it counts as INST_RETIRED once, at the guest's EL, as it would have unvirtualized.
    func countEmulatedInstruction(_ v: VCPU) {
        guard v.pmu.inUse, v.pmu.control & PMCR.e != 0, v.pmu.countEnable != 0 else { return }
        var overflowed = false
        for n in 0..<v.pmu.counters where counts(v, n, event: PMUEvent.instructionRetired) {
            overflowed = increment(v, n) || overflowed
        }
        if overflowed { pmuInterruptChanged(v) }
    }
}
