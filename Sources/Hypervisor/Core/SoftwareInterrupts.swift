/// Virtual interrupts on a board without a GIC (the Raspberry Pi 3): each VM gets the BCM2836
/// local controller and armctrl emulated (`VirtualBCM2836`), its vCPUs' pending state becomes
/// HCR_EL2.VI/VF on every entry, and a virtual spin table starts its secondary vCPUs.
///
/// Timer levels: a loaded vCPU's CNTV level is read from the hardware before each entry and
/// whenever the guest reads its controller. When it fires, the physical CNTV input is masked at
/// the local controller (CNTV_CTL stays the guest's own) until the level is seen low again, so
/// a level the guest has not yet handled cannot keep interrupting EL2. The trapped physical
/// timer's level comes from its emulated registers.
extension VM {
    /// The emulated local controller, armctrl and the spin-table page, at the board's addresses.
    func registerBCM2836() {
        guard case .bcm2836(let local, let armctrl) = board.chip else { return }
        vbcm = VirtualBCM2836(cpus: config.vcpus)
        spinRelease = Array(repeating: 0, count: config.vcpus)
        _ = mmio.register("BCM2836 local controller", local..<(local + VirtualBCM2836.localSize)) { vm, off, size, write, value, _ in
            vm.sampleInputs()
            let r = vm.vbcm!.accessLocal(offset: off, size: size, write: write, value: UInt32(truncatingIfNeeded: value))
            if write { hypervisor?.softwareInterruptsChanged(vm) }
            return r
        }
        _ = mmio.register("BCM2835 armctrl", armctrl..<(armctrl + VirtualBCM2836.armctrlSize)) { vm, off, size, write, value, _ in
            vm.sampleInputs()
            let r = vm.vbcm!.accessArmctrl(offset: off, size: size, write: write, value: UInt32(truncatingIfNeeded: value))
            if write { hypervisor?.softwareInterruptsChanged(vm) }
            return r
        }
        let spin = board.spinTableIPA
        _ = mmio.register("spin table", spin..<(spin + Granule.page)) { vm, off, size, write, value, _ in
            hypervisor?.spinTableAccess(vm, offset: off, size: size, write: write, value: value) ?? .fault
        }
    }

    /// Bring the controller's input levels up to date: the vUART's, and each vCPU's timers and PMU.
    func sampleInputs() {
        guard vbcm != nil else { return }
        vbcm!.setGPULine(Int(board.vuartIRQ), vuart.interruptLevel)
        for v in vcpus {
            vbcm!.timerLines[v.index] = timerLines(v)
            vbcm!.setPMULine(v.index, v.pmu.interruptLevel)
        }
    }

    /// Timer inputs of `v` (bit per kind: 1 CNTPNS, the trapped physical timer; 3 CNTV).
    private func timerLines(_ v: VCPU) -> UInt32 {
        let now = Arch.physicalCount
        var lines: UInt32 = 0
        let p = v.ptimerControl
        if p & TimerControl.enable != 0 && p & TimerControl.imask == 0 && now >= v.ptimerCompare {
            lines |= 1 << VirtualBCM2836.Timer.physical
        }
        let virtualLevel: Bool
        if let cpu = hypervisor?.thisCPU, cpu.loaded === v {
            let c = Arch.virtTimerControl
            virtualLevel = c & (TimerControl.enable | TimerControl.imask | TimerControl.istatus) == TimerControl.enable | TimerControl.istatus
        } else if let h = hypervisor, h.cpus[v.pcpu].loaded === v {
            // Loaded and running on another pCPU: that pCPU samples it; keep what was seen last.
            virtualLevel = vbcm!.timerLines[v.index] & (1 << VirtualBCM2836.Timer.virtual) != 0
        } else {
            virtualLevel = v.savedVTimerDeadline.map { now >= $0 } ?? false
        }
        if virtualLevel { lines |= 1 << VirtualBCM2836.Timer.virtual }
        return lines
    }
}

extension Hypervisor {
    var bcm: BCM2836? {
        guard case .bcm2836(let local, let armctrl) = board.chip else { return nil }
        return BCM2836(local: local, armctrl: armctrl)
    }

    /// Something a vCPU of `vm` may now see pending (mailbox write, enable, vUART input): wake
    /// and kick every vCPU with a pending IRQ or FIQ.
    func softwareInterruptsChanged(_ vm: VM) {
        guard !vm.stopped, vm.vbcm != nil else { return }
        vm.sampleInputs()
        for v in vm.vcpus where v.power == .on {
            if vm.vbcm!.irqSource(v.index) != 0 || vm.vbcm!.fiqSource(v.index) != 0 {
                v.wake()
                kick(v.pcpu)
            }
        }
    }

    /// Before entering loaded `v`: its CNTV level decides the physical mask, its sources VI/VF.
    func prepareSoftwareInterrupts(_ v: VCPU, cpu: PhysicalCPU) {
        guard let bcm, v.vm.vbcm != nil else { return }
        v.vm.sampleInputs()
        let cntvHigh = v.vm.vbcm!.timerLines[v.index] & (1 << VirtualBCM2836.Timer.virtual) != 0
        if cntvHigh != cpu.virtualTimerMasked {
            bcm.setVirtualTimerMasked(cpu.index, cntvHigh)
            cpu.virtualTimerMasked = cntvHigh
        }
        var hcr = Arch.hcr
        hcr.remove([.vi, .vf])
        if v.vm.vbcm!.irqSource(v.index) != 0 { hcr.insert(.vi) }
        if v.vm.vbcm!.fiqSource(v.index) != 0 { hcr.insert(.vf) }
        Arch.hcr = hcr
    }

    /// Has `v` (loaded or not) an IRQ or FIQ pending?
    func softwareInterruptPending(_ v: VCPU) -> Bool {
        guard v.vm.vbcm != nil else { return false }
        v.vm.sampleInputs()
        return v.vm.vbcm!.irqSource(v.index) != 0 || v.vm.vbcm!.fiqSource(v.index) != 0
    }

    /// This core's local-controller sources until none is left: the hypervisor timer, a fired
    /// CNTV (masked until sampled low), kicks, and armctrl (console input; anything else is
    /// nobody's and stays disabled).
    func handleLocalInterrupts(_ cpu: PhysicalCPU) {
        guard let bcm else { return }
        while true {
            let s = bcm.irqSource(cpu.index)
            if s == 0 { return }
            if s & BCM2836.Bit.cnthp != 0 { Arch.armHypTimer(at: nil) }
            if s & BCM2836.Bit.cntv != 0 {
                bcm.setVirtualTimerMasked(cpu.index, true)
                cpu.virtualTimerMasked = true
            }
            if s & BCM2836.Bit.mailbox0 != 0 { bcm.clearKick(cpu.index) }
            if s & BCM2836.Bit.pmu != 0 { physicalPMUInterrupt(cpu) }
            if s & BCM2836.Bit.gpu != 0 {
                let pending = bcm.gpuPending
                if pending & (1 << UInt64(board.uartSPI)) != 0 {
                    while let byte = Console.uart.get() { consoleInput(byte) }
                }
                var other = pending & ~(1 << UInt64(board.uartSPI))
                while other != 0 {
                    let irq = other.trailingZeroBitCount
                    bcm.disableGPU(irq)
                    other &= other - 1
                }
            }
            if s & ~(BCM2836.Bit.cnthp | BCM2836.Bit.cntv | BCM2836.Bit.mailbox0 | BCM2836.Bit.gpu | BCM2836.Bit.pmu) != 0 { return }
        }
    }

    /// The virtual spin table: 8-byte release words, one per vCPU. Writing vCPU n's word (an
    /// address inside the VM's memory) starts it there, as the Pi's armstub does with SEV.
    func spinTableAccess(_ vm: VM, offset: UInt64, size: Int, write: Bool, value: UInt64) -> MMIOResult {
        let n = Int(offset / 8)
        guard size == 8, offset % 8 == 0, n < vm.vcpus.count else { return .fault }
        guard write else { return .handled(vm.spinRelease[n]) }
        vm.spinRelease[n] = value
        let t = vm.vcpus[n]
        if t.power == .off && vm.owns(ipa: value, size: 4) {
            t.reset(entry: value, x0: 0)
            t.power = .on
            kick(t.pcpu)
        }
        return .handled(0)
    }
}
