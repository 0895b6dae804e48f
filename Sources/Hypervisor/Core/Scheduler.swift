/// The per-pCPU loop: pick a runnable vCPU (strict priority among the vCPUs
/// pinned here, round robin with 10 ms slices among those of the highest
/// runnable priority, tickless when at most one of them is runnable), load
/// its context, run it until it exits, handle the exit. `bigLock` is held
/// everywhere except inside the guest and while idle. Any wake-up re-picks:
/// one on this pCPU happens in the exit handling before the next pick, one
/// from another pCPU kicks this one (`kick`, physical SGI 0), which ends the
/// guest or the idle WFI, so a higher-priority vCPU that becomes runnable
/// preempts a lower one at once.
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
            if v !== cpu.loaded { v.timelineName.withUnsafeBufferPointer { Arch.timelineMarker($0.baseAddress!, UInt64(v.index)) } }
            load(v, on: cpu)
            releaseTimerHold(v)
            resamplePMUInterrupt(v)
            if board.hasGIC { flushListRegisters(v) } else { prepareSoftwareInterrupts(v, cpu: cpu) }
            // Lower-priority runnable vCPUs need no slice end: they wait until these block.
            let competing = cpu.vcpus.reduce(0) { $0 + ($1.runnable && $1.priority == v.priority ? 1 : 0) }
            Arch.armHypTimer(at: nextDeadline(cpu, runnable: competing))
            Arch.cptr = CPTR.res1 | (cpu.fpOwner === v ? 0 : CPTR.tfp)
            bigLock.unlock()
            let kind = Arch.enterGuest(v.regs)
            bigLock.lock()
            handleExit(kind: kind, vcpu: v, cpu: cpu)
        }
    }

    /// Only the highest runnable priority is eligible; among those, round robin:
    /// keep the current vCPU until its slice ends (or a higher priority becomes
    /// runnable), then the next eligible one after it in the pCPU's list.
    private func pick(_ cpu: PhysicalCPU) -> VCPU? {
        let now = Arch.physicalCount
        let list = cpu.vcpus
        var top = -1
        for v in list where v.runnable && v.priority > top { top = v.priority }
        guard top >= 0 else {
            cpu.current = nil
            return nil
        }
        if let c = cpu.current, c.runnable, c.priority == top, now &- cpu.sliceStart < sliceTicks { return c }
        let start = cpu.current.flatMap { c in list.firstIndex { $0 === c } }.map { $0 + 1 } ?? 0
        for k in 0..<list.count {
            let v = list[(start + k) % list.count]
            guard v.runnable, v.priority == top else { continue }
            if v !== cpu.current || now &- cpu.sliceStart >= sliceTicks { cpu.sliceStart = now }
            cpu.current = v
            return v
        }
        cpu.current = nil                       // unreachable: a vCPU of priority `top` is runnable
        return nil
    }

    /// Earliest counter value this pCPU must wake at: the slice end when
    /// several vCPUs of the running priority share it, and timers of vCPUs that are not loaded.
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
                if board.hasGIC { v.vm.raisePrivate(board.physTimerPPI, on: v) }
            }
            if v !== cpu.loaded, let d = v.savedVTimerDeadline, now >= d { v.wake() }
            if !v.queued.isEmpty { v.wake() }
            if !board.hasGIC && v.waiting && softwareInterruptPending(v) { v.wake() }
        }
    }

    /// A vCPU waits for an interrupt (WFI, CPU_SUSPEND). If it belongs to the
    /// VM console input goes to, its unfinished output line is a prompt or
    /// echoed input: show it now instead of at the next newline (not while
    /// the Minos shell has the keyboard).
    func idle(_ v: VCPU) {
        if !shell.active && v.vm === focusedVM { v.vm.vuart.showPartial(vcpu: v.index) }
        if !loadedHasInterrupt(v) { v.waiting = true }
    }

    /// Drain ICC_IAR1: hypervisor interrupts end here, guest ones become virtual interrupts.
    /// Level-triggered sources this loop deactivates without delivering must be
    /// quietened first, or the next acknowledge returns them again forever.
    func handlePhysicalInterrupts(_ cpu: PhysicalCPU) {
        guard board.hasGIC else { return handleLocalInterrupts(cpu) }
        while true {
            let iar = Arch.acknowledgeInterrupt()
            let intid = iar & 0x3FF
            if intid >= spuriousINTID { return }
            Arch.endOfInterrupt(iar)                        // priority drop (EOImode = 1)
            if intid == board.virtTimerPPI {
                if let v = cpu.loaded, v.power == .on, !v.vm.stopped, v.redistributor.enabled & (1 << intid) != 0 {
                    v.vm.queue(intid, on: v, physical: intid)   // the guest's EOI deactivates it
                    continue
                }
                holdTimer(cpu.loaded)
            } else if intid == board.maintenancePPI {
                // List registers drained (UIE): the run loop refills them and
                // recomputes ICH_HCR_EL2 before the guest runs again. An ended
                // level (EOI maintenance) is freed; the run loop resamples it.
                Arch.ichHCR &= ~ICHHCR.uie
                var ended = Arch.ichEISR
                while ended != 0 {
                    Arch.writeLR(ended.trailingZeroBitCount, ListRegister(rawValue: 0))
                    ended &= ended - 1
                }
            } else if intid == board.pmuInterrupt {
                physicalPMUInterrupt(cpu)
            } else if let s = smmu, intid == s.eventqIntid || intid == s.gerrorIntid {
                smmuInterrupt()
            } else if intid == 32 + board.uartSPI {
                while let byte = Console.uart.get() { consoleInput(byte) }
            } else if intid == board.hypTimerPPI {
                Arch.armHypTimer(at: nil)
            } else if intid >= 32 && forwardPassthrough(intid) {
                continue
            }
            Arch.deactivateInterrupt(iar)
        }
    }
}
