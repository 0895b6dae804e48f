/// The hardware side of each vCPU's GIC virtual CPU interface: which vCPU's
/// EL1 context and list registers a pCPU holds, how queued virtual
/// interrupts enter list registers, and the virtual timer's PPI.
///
/// Invariant: every physical interrupt the hypervisor acknowledged for a guest
/// (virtual timer PPI, pass-through SPI) is either linked to exactly one list
/// register (HW = 1, deactivated by the guest's EOI) or deactivated by the
/// hypervisor. An active physical INTID nobody deactivates never fires again:
/// a vCPU whose timer PPI stays active sleeps forever.
extension Hypervisor {
    /// Make `v`'s context the hardware's. A vCPU reset since it was loaded
    /// (`contextStale`) gets its fresh context even on the same pCPU, and the
    /// hardware interrupts its old list registers held are deactivated.
    func load(_ v: VCPU, on cpu: PhysicalCPU) {
        guard cpu.loaded !== v || v.contextStale else { return }
        guard board.hasGIC else { return loadWithoutGIC(v, on: cpu) }
        let old = cpu.loaded, stale = old?.contextStale ?? false
        if let old {
            if old.contextStale {
                for i in 0..<listRegisterCount { deactivateLinked(Arch.readLR(i)) }
                Arch.virtTimerControl = 0
                old.contextStale = false
            } else {
                Arch.saveEL1(&old.el1)
                old.savedLRs = (0..<listRegisterCount).map { Arch.readLR($0) }
                // A PPI in flight for `old` (its timer) stays active in `old`'s list
                // register, not in this pCPU's redistributor, so the next vCPU's timer can fire.
                for lr in old.savedLRs where lr.hw && lr.state != .invalid && lr.physicalID < 32 {
                    gic.setPrivateActive(lr.physicalID, on: cpu, active: false)
                }
            }
        }
        Arch.hcr = .guest(nativeWFI: v.vm.config.nativeWFI, shared: cpu.vcpus.count > 1)
        Arch.setStage2(vtcr: TranslationControl.vtcr(mmfr0: Arch.idAA64MMFR0), vttbr: v.vm.stage2.vttbr)
        Arch.vmpidr = v.mpidr
        Arch.virtualOffset = v.vm.counterOffset
        Arch.restoreEL1(v.el1)
        switchPMU(from: old, stale: stale, to: v)
        for i in 0..<listRegisterCount {
            let lr = i < v.savedLRs.count ? v.savedLRs[i] : ListRegister(rawValue: 0)
            if lr.hw && lr.state != .invalid && lr.physicalID < 32 {
                gic.setPrivateActive(lr.physicalID, on: cpu, active: true)
            }
            Arch.writeLR(i, lr)
        }
        v.contextStale = false
        cpu.loaded = v
    }

    /// No list registers: only the EL1 context moves (interrupt state lives in the VM's
    /// emulated controller).
    private func loadWithoutGIC(_ v: VCPU, on cpu: PhysicalCPU) {
        let old = cpu.loaded, stale = old?.contextStale ?? false
        if let old {
            if old.contextStale { Arch.virtTimerControl = 0; old.contextStale = false } else { Arch.saveEL1(&old.el1) }
        }
        Arch.hcr = .guest(nativeWFI: v.vm.config.nativeWFI, shared: cpu.vcpus.count > 1)
        Arch.setStage2(vtcr: TranslationControl.vtcr(mmfr0: Arch.idAA64MMFR0), vttbr: v.vm.stage2.vttbr)
        Arch.vmpidr = v.mpidr
        Arch.virtualOffset = v.vm.counterOffset
        Arch.restoreEL1(v.el1)
        switchPMU(from: old, stale: stale, to: v)
        v.contextStale = false
        cpu.loaded = v
    }

    /// A list register being dropped still links an acknowledged physical interrupt: deactivate it.
    private func deactivateLinked(_ lr: ListRegister) {
        if lr.hw && lr.state != .invalid { Arch.deactivateInterrupt(lr.physicalID) }
    }

    /// Move queued virtual interrupts into list registers: merged into one
    /// already holding the same INTID, else into a free one; if some do not
    /// fit, ask for a maintenance interrupt when the LRs drain (UIE).
    func flushListRegisters(_ v: VCPU) {
        var rest: [PendingInterrupt] = []
        for irq in v.queued {
            var placed = false
            var free: Int? = nil
            for i in 0..<listRegisterCount {
                let lr = Arch.readLR(i)
                if lr.state == .invalid {
                    if free == nil { free = i }
                } else if lr.virtualID == irq.listID {
                    merge(irq, into: lr, at: i, vcpu: v)
                    placed = true
                    break
                }
            }
            if !placed, let i = free {
                var lr = ListRegister(virtualID: irq.listID, priority: v.vm.priority(of: irq.intid, on: v), physical: irq.physical)
                // The PMU's line is a level the hypervisor keeps: its end is resampled (resamplePMUInterrupt).
                if irq.intid == board.pmuInterrupt && irq.physical == nil { lr.eoiMaintenance = true }
                Arch.writeLR(i, lr)
                placed = true
            }
            if !placed { rest.append(irq) }
        }
        v.queued = rest
        Arch.ichHCR = ICHHCR.en | (rest.isEmpty ? 0 : ICHHCR.uie)
    }

    /// A second assertion of an interrupt a list register already holds.
    private func merge(_ irq: PendingInterrupt, into old: ListRegister, at i: Int, vcpu v: VCPU) {
        var lr = old
        if let p = irq.physical {
            if !lr.hw && lr.state == .pending {
                // Software-pended and now asserted by hardware: one pending interrupt, linked.
                Arch.writeLR(i, ListRegister(virtualID: irq.listID, priority: v.vm.priority(of: irq.intid, on: v), physical: p))
            } else {
                // Already linked (cannot happen while that physical INTID is active), or
                // active in software: HW = 1 has no pending-and-active state, so the
                // physical side ends here and the guest sees it pending again in software.
                Arch.deactivateInterrupt(p)
                if !lr.hw && lr.state == .active { lr.state = .pendingActive; Arch.writeLR(i, lr) }
            }
        } else if lr.state == .active && !lr.hw {
            lr.state = .pendingActive
            Arch.writeLR(i, lr)
        }
        // Software-raised while a linked one is pending or active: the guest's handler
        // for that one sees the device's state, so the two merge.
    }

    /// Does a loaded vCPU have something to wake for (pending LR, due CNTV)?
    func loadedHasInterrupt(_ v: VCPU) -> Bool {
        guard board.hasGIC else { return softwareInterruptPending(v) }
        if !v.queued.isEmpty { return true }
        for i in 0..<listRegisterCount where Arch.readLR(i).state == .pending { return true }
        let ctl = Arch.virtTimerControl
        return ctl & TimerControl.enable != 0 && ctl & TimerControl.imask == 0 && ctl & TimerControl.istatus != 0
    }

    // MARK: Virtual timer held while its PPI is disabled

    /// The loaded vCPU's virtual timer fired while the guest has PPI 27
    /// disabled (Linux arms the timer just before enabling it when a CPU comes
    /// up), or for a vCPU that is off or whose VM stopped. The level would fire
    /// again the moment it is deactivated, so it is held at the source,
    /// CNTV_CTL.IMASK, until the guest enables the PPI.
    func holdTimer(_ v: VCPU?) {
        Arch.virtTimerControl |= TimerControl.imask
        v?.timerHold = .masked
    }

    /// The guest enabled PPI 27 on `v` (VirtualRedistributor): let its timer fire again.
    func timerEnabled(_ v: VCPU) {
        guard v.timerHold == .masked else { return }
        v.timerHold = .release
        kick(v.pcpu)
    }

    /// Before entering `v` (loaded): undo a hold the guest has since released.
    func releaseTimerHold(_ v: VCPU) {
        guard v.timerHold == .release else { return }
        Arch.virtTimerControl &= ~TimerControl.imask
        v.timerHold = .none
    }
}
