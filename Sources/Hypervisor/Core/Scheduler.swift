/// The per-pCPU loop: pick a runnable vCPU (round robin among the vCPUs
/// pinned here, 10 ms slices, tickless when one or none is runnable), load
/// its context, run it until it exits, handle the exit. `bigLock` is held
/// everywhere except inside the guest and while idle.
extension Hypervisor {
    func runLoop(_ cpu: PhysicalCPU) -> Never {
        while true {
            wakeExpired(cpu)
            guard let v = pick(cpu) else {
                Arch.armHypTimer(at: nextDeadline(cpu, runnable: 0))
                bigLock.unlock()
                Arch.waitForInterrupt()
                bigLock.lock()
                handlePhysicalInterrupts(cpu)
                continue
            }
            load(v, on: cpu)
            flushListRegisters(v)
            let runnableCount = cpu.vcpus.reduce(0) { $0 + ($1.runnable ? 1 : 0) }
            Arch.armHypTimer(at: nextDeadline(cpu, runnable: runnableCount))
            Arch.cptr = CPTR.res1 | (cpu.fpOwner === v ? 0 : CPTR.tfp)
            bigLock.unlock()
            let kind = Arch.enterGuest(v.regs)
            bigLock.lock()
            handleExit(kind: kind, vcpu: v, cpu: cpu)
        }
    }

    /// Round robin: keep the current vCPU until its slice ends, then the next runnable one.
    private func pick(_ cpu: PhysicalCPU) -> VCPU? {
        let now = Arch.physicalCount
        let list = cpu.vcpus
        guard !list.isEmpty else { return nil }
        if let c = cpu.current, c.runnable, now &- cpu.sliceStart < sliceTicks { return c }
        let start = cpu.current.flatMap { c in list.firstIndex { $0 === c } }.map { $0 + 1 } ?? 0
        for k in 0..<list.count {
            let v = list[(start + k) % list.count]
            if v.runnable {
                if v !== cpu.current { cpu.sliceStart = now }
                else if now &- cpu.sliceStart >= sliceTicks { cpu.sliceStart = now }
                cpu.current = v
                return v
            }
        }
        cpu.current = nil
        return nil
    }

    /// Earliest counter value this pCPU must wake at: the slice end when
    /// vCPUs share it, and timers of vCPUs that are not loaded.
    private func nextDeadline(_ cpu: PhysicalCPU, runnable: Int) -> UInt64? {
        var best: UInt64? = nil
        func consider(_ d: UInt64?) { if let d, best == nil || d < best! { best = d } }
        if runnable > 1 { consider(cpu.sliceStart &+ sliceTicks) }
        for v in cpu.vcpus where v.power == .on && !v.vm.stopped {
            consider(v.ptimerDeadline)
            if v !== cpu.loaded && v.waiting { consider(v.savedVTimerDeadline) }  // runnable ones need no wake-up
        }
        return best
    }

    /// Timers that expired: the emulated physical timer raises PPI 30; a
    /// saved virtual timer only wakes its vCPU (the restored CNTV raises the
    /// real PPI 27 as soon as it is loaded).
    private func wakeExpired(_ cpu: PhysicalCPU) {
        let now = Arch.physicalCount
        for v in cpu.vcpus where v.power == .on && !v.vm.stopped {
            if let d = v.ptimerDeadline, now >= d, v.ptimerControl & TimerControl.istatus == 0 {
                v.ptimerControl |= TimerControl.istatus
                v.vm.raisePrivate(board.physTimerPPI, on: v)
            }
            if v !== cpu.loaded, let d = v.savedVTimerDeadline, now >= d { v.wake() }
            if !v.queued.isEmpty { v.wake() }
        }
    }

    /// Make `v`'s context the hardware's.
    private func load(_ v: VCPU, on cpu: PhysicalCPU) {
        guard cpu.loaded !== v else { return }
        if let old = cpu.loaded {
            Arch.saveEL1(&old.el1)
            old.savedLRs = (0..<listRegisterCount).map { Arch.readLR($0) }
        }
        Arch.hcr = .guest(nativeWFI: v.vm.config.nativeWFI)
        Arch.setStage2(vtcr: TranslationControl.vtcr(mmfr0: Arch.idAA64MMFR0), vttbr: v.vm.stage2.vttbr)
        Arch.vmpidr = v.mpidr
        Arch.virtualOffset = v.vm.counterOffset
        Arch.restoreEL1(v.el1)
        for i in 0..<listRegisterCount {
            Arch.writeLR(i, i < v.savedLRs.count ? v.savedLRs[i] : ListRegister(rawValue: 0))
        }
        cpu.loaded = v
    }

    /// Move queued virtual interrupts into free list registers; if some do
    /// not fit, ask for a maintenance interrupt when the LRs drain (UIE).
    func flushListRegisters(_ v: VCPU) {
        var rest: [PendingInterrupt] = []
        for irq in v.queued {
            var placed = false
            var free: Int? = nil
            for i in 0..<listRegisterCount {
                var lr = Arch.readLR(i)
                if lr.state == .invalid {
                    if free == nil { free = i }
                } else if lr.virtualID == irq.intid {
                    if lr.state == .active && !lr.hw { lr.state = .pendingActive; Arch.writeLR(i, lr) }
                    placed = true
                    break
                }
            }
            if !placed, let i = free {
                Arch.writeLR(i, ListRegister(virtualID: irq.intid, priority: v.vm.priority(of: irq.intid, on: v), physical: irq.physical))
                placed = true
            }
            if !placed { rest.append(irq) }
        }
        v.queued = rest
        Arch.ichHCR = ICHHCR.en | (rest.isEmpty ? 0 : ICHHCR.uie)
    }

    /// Does a loaded vCPU have something to wake for (pending LR, due CNTV)?
    func loadedHasInterrupt(_ v: VCPU) -> Bool {
        if !v.queued.isEmpty { return true }
        for i in 0..<listRegisterCount where Arch.readLR(i).state == .pending { return true }
        let ctl = Arch.virtTimerControl
        return ctl & TimerControl.enable != 0 && ctl & TimerControl.imask == 0 && ctl & TimerControl.istatus != 0
    }

    /// Drain ICC_IAR1: hypervisor interrupts end here, guest ones become virtual interrupts.
    func handlePhysicalInterrupts(_ cpu: PhysicalCPU) {
        while true {
            let intid = Arch.acknowledgeInterrupt()
            if intid >= spuriousINTID { return }
            Arch.endOfInterrupt(intid)                      // priority drop (EOImode = 1)
            if intid == board.virtTimerPPI, let v = cpu.loaded {
                if v.redistributor.enabled & (1 << intid) != 0 {
                    v.vm.queue(intid, on: v, physical: intid)   // the guest's EOI deactivates it
                    continue
                }
            } else if intid >= 32, let vm = vms.first(where: { !$0.stopped && Int(intid) < VirtualDistributor.intids && $0.vdist.hardware[Int(intid)] != nil }) {
                if vm.vdist.enabled[Int(intid)] { vm.deliverShared(intid); continue }
            } else if intid == 32 + board.uartSPI {
                while let byte = Console.uart.get() { consoleInput(byte) }
            } else if intid == board.hypTimerPPI {
                Arch.armHypTimer(at: nil)
            }
            Arch.deactivateInterrupt(intid)
        }
    }
}
