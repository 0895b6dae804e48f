/// One vCPU's PMUv3. The hardware counts: while the vCPU is loaded its counters, overflow flags
/// and enables are the physical PMU's, with its filters except that EL2 and EL3 never count
/// (PMEVTYPER.hardware), so only the vCPU's own EL1/EL0 execution is counted, never the
/// hypervisor's or another vCPU's. Every guest access traps (MDCR_EL2.TPM, TPMCR) and is
/// emulated (Core/PMUEmulation.swift); this struct keeps what the trapped accesses set and, while
/// the vCPU is not loaded, its counts.
///
/// The overflow interrupt is virtual: the physical one (PPI 23, or the Pi's local PMU input) is
/// taken at EL2, where the hypervisor masks, in hardware, the interrupt of every counter whose
/// overflow flag is already set (so the level drops) and raises the vCPU's own virtual line
/// while PMCR_EL0.E, PMINTENSET and the flags say it is high (`interruptLevel`).
struct VirtualPMU {
    /// Event counters every VM gets: the hardware's PMCR_EL0.N (MDCR_EL2.HPMN reserves none).
    let counters: Int
    /// PMCR_EL0's kept bits, PMCNTENSET, PMINTENSET, PMSELR, PMUSERENR, PMCCFILTR, PMEVTYPER<n>.
    var control: UInt64 = 0
    var countEnable: UInt64 = 0
    var interruptEnable: UInt64 = 0
    var select: UInt64 = 0
    var userEnable: UInt64 = 0
    var cycleFilter: UInt64 = 0
    var eventTypes: [UInt64]
    /// The counters and overflow flags while not loaded (in the hardware while loaded).
    var eventCounts: [UInt64]
    var cycleCount: UInt64 = 0
    var overflow: UInt64 = 0
    /// The guest has touched its PMU since reset: only then is there state to switch.
    var inUse = false
    /// The virtual overflow interrupt's level, as last computed on the vCPU's pCPU.
    var interruptLevel = false

    init(counters: Int) {
        self.counters = counters
        eventTypes = Array(repeating: 0, count: counters)
        eventCounts = Array(repeating: 0, count: counters)
    }

    /// PMCNTEN/PMINTEN/PMOVS bits that name a counter: C and one per event counter.
    var counterBits: UInt64 { pmuCycleBit | ((1 << UInt64(counters)) - 1) }

    /// Switch in: the hardware takes this vCPU's counts and controls, counting enabled last.
    func restore() {
        let all = counterBits
        Arch.pmuStop(counterBits: all)
        for n in 0..<counters {
            Arch.setPMUEventType(n, PMEVTYPER.hardware(eventTypes[n]))
            Arch.setPMUEventCounter(n, eventCounts[n])
        }
        Arch.pmuCycleFilter = PMEVTYPER.hardware(cycleFilter)
        Arch.pmuCycleCounter = cycleCount
        Arch.pmuSetOverflow(overflow)
        Arch.pmuEnableInterrupts(interruptEnable & ~overflow)
        Arch.pmuEnableCounters(countEnable)
        Arch.pmuUserEnable = userEnable
        Arch.pmuControl = control
    }

    /// Switch out: counting stops first, then the counts and flags are kept and the hardware left
    /// with nothing enabled or flagged.
    mutating func save() {
        Arch.pmuControl = 0
        for n in 0..<counters { eventCounts[n] = Arch.pmuEventCounter(n) }
        cycleCount = Arch.pmuCycleCounter
        overflow = Arch.pmuOverflow & counterBits
        Arch.pmuStop(counterBits: counterBits)
    }

    /// Loaded: the overflow flags or the interrupt controls changed. Counters already flagged get
    /// their physical interrupt masked (the line drops at once); the others keep the guest's
    /// enable, so a new overflow interrupts EL2 again. Returns the virtual level.
    mutating func refreshInterrupt() -> Bool {
        let flagged = Arch.pmuOverflow & counterBits
        Arch.pmuDisableInterrupts(flagged)
        Arch.pmuEnableInterrupts(interruptEnable & ~flagged)
        interruptLevel = control & PMCR.e != 0 && flagged & interruptEnable != 0
        return interruptLevel
    }
}

/// The pCPU side: switching vCPUs' PMUs and the overflow interrupt's delivery.
extension Hypervisor {
    /// Load time (VirtualCPUInterface.load): `old`'s PMU is saved, or dropped when it was reset
    /// since it was loaded (`stale`); `new`'s is restored if it has one.
    func switchPMU(from old: VCPU?, stale: Bool, to new: VCPU) {
        if let old, old.pmu.inUse || stale {
            if stale { Arch.pmuStop(counterBits: old.pmu.counterBits) } else { old.pmu.save() }
        }
        if new.pmu.inUse { new.pmu.restore() }
    }

    /// The physical PMU interrupt (taken at EL2): it belongs to the loaded vCPU, whose flagged
    /// counters are masked in hardware and whose virtual line follows. Any other owner is a
    /// leftover and is silenced.
    func physicalPMUInterrupt(_ cpu: PhysicalCPU) {
        guard let v = cpu.loaded, v.pmu.inUse else {
            Arch.pmuDisableInterrupts(pmuCycleBit | 0x7FFF_FFFF)
            return
        }
        pmuInterruptChanged(v)
    }

    /// Recompute loaded `v`'s virtual overflow line and present it to its interrupt controller.
    func pmuInterruptChanged(_ v: VCPU) {
        let was = v.pmu.interruptLevel
        let level = v.pmu.refreshInterrupt()
        guard board.hasGIC else {
            if level != was { softwareInterruptsChanged(v.vm) }
            return
        }
        if level { raisePMUInterrupt(v) } else if was { lowerPMUInterrupt(v) }
    }

    /// Before entering loaded `v` with its line high: one the guest acknowledged and ended while
    /// it stayed high is pending again (the list register asked for the EOI maintenance interrupt).
    func resamplePMUInterrupt(_ v: VCPU) {
        guard board.hasGIC, v.pmu.interruptLevel else { return }
        raisePMUInterrupt(v)
    }

    /// A level: pending once, however often it is raised while the guest has not ended it.
    private func raisePMUInterrupt(_ v: VCPU) {
        let intid = board.pmuInterrupt
        if v.queued.contains(where: { $0.intid == intid }) || v.redistributor.latched & (1 << intid) != 0 { return }
        for i in 0..<listRegisterCount {
            let lr = Arch.readLR(i)
            if lr.state != .invalid && lr.virtualID == intid { return }
        }
        v.vm.raisePrivate(intid, on: v)
    }

    /// The line dropped (the guest cleared the flags, the enables or PMCR_EL0.E): a pending
    /// interrupt is withdrawn; an active one ends with the guest's EOI.
    private func lowerPMUInterrupt(_ v: VCPU) {
        let intid = board.pmuInterrupt
        v.queued.removeAll { $0.intid == intid }
        v.redistributor.latched &= ~(1 << intid)
        for i in 0..<listRegisterCount {
            var lr = Arch.readLR(i)
            guard lr.virtualID == intid else { continue }
            if lr.state == .pending { Arch.writeLR(i, ListRegister(rawValue: 0)) }
            else if lr.state == .pendingActive { lr.state = .active; Arch.writeLR(i, lr) }
        }
    }
}
