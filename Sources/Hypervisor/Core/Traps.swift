/// Guest exits: decode ESR_EL2 and dispatch. Whatever the guest did, the
/// result is emulation, an injected architectural exception, or that VM
/// stopping with a message; never a hypervisor panic.
extension Hypervisor {
    func handleExit(kind: UInt64, vcpu v: VCPU, cpu: PhysicalCPU) {
        switch kind {
        case 0: handleSync(v, cpu: cpu)
        case 1, 2: handlePhysicalInterrupts(cpu)
        case 3: stop(v.vm, reason: "SError from the guest at \(hex(v.regs.pointee.elr)) (ESR \(hex(Arch.esr.rawValue)))")
        default: stop(v.vm, reason: "exception from AArch32 state (32-bit guests are not supported)")
        }
    }

    private func handleSync(_ v: VCPU, cpu: PhysicalCPU) {
        let esr = Arch.esr
        switch esr.ec {
        case .wfx:
            advance(v)
            if esr.isWFE { cpu.sliceStart = 0; return }     // WFE: yield the rest of the slice
            idle(v)
        case .hvc64:
            handleHypercall(v, conduitSMC: false, immediate: esr.imm16)
        case .smc64:
            advance(v)                                      // trapped SMC returns to the SMC itself
            handleHypercall(v, conduitSMC: true, immediate: esr.imm16)
        case .sysreg64:
            handleSystemRegister(v, esr: esr)
        case .dataAbortLow:
            handleDataAbort(v, esr: esr)
        case .instrAbortLow:
            injectAbort(v, instruction: true, address: Arch.far)
        case .fpAccess:
            switchFP(to: v, cpu: cpu)
        default:
            injectUndefined(v, esr: esr)
        }
    }

    /// The trapped instruction at ELR was completed here: step over it, and let the guest's PMU
    /// count it as retired (Core/PMUEmulation.swift).
    func advance(_ v: VCPU) {
        v.regs.pointee.elr &+= 4
        countEmulatedInstruction(v)
    }

    // MARK: Lazy FP/SIMD

    private func switchFP(to v: VCPU, cpu: PhysicalCPU) {
        Arch.cptr = CPTR.res1                               // let EL2 touch the V registers
        if let owner = cpu.fpOwner, owner !== v { Arch.saveFP(owner.fpState) }
        Arch.restoreFP(v.fpState)
        cpu.fpOwner = v
    }

    // MARK: MMIO

    private func handleDataAbort(_ v: VCPU, esr: ESR) {
        let ipa = Arch.faultIPAPage | (Arch.far & 0xFFF)
        // Cache maintenance by VA on an emulated device (Linux cleans a spin-table release word
        // it wrote): nothing is cached there, so it completes as a no-op.
        if esr.cm && v.vm.mmio.handles(ipa: ipa) { advance(v); return }
        guard let access = MMIOAccess(esr: esr, ipa: ipa) else {
            injectAbort(v, instruction: false, address: Arch.far)
            return
        }
        let value = access.storeValue(v.regs[x: access.register])
        let result = v.vm.mmio.dispatch(v.vm, ipa: ipa, size: access.size, write: access.isWrite, value: value, vcpu: v.index)
        switch result {
        case .handled(let r):
            if !access.isWrite { v.regs[x: access.register] = access.loadResult(r) }
            advance(v)
        case .fault:
            injectAbort(v, instruction: false, address: Arch.far)
        }
    }

    // MARK: System registers (MSR/MRS traps)

    private func handleSystemRegister(_ v: VCPU, esr: ESR) {
        let reg = esr.sysreg
        let rt = esr.sysregRt
        let read = esr.sysregIsRead
        switch reg {
        case .iccSGI1R where !read:
            sendVirtualSGI(from: v, value: v.regs[x: rt])
        case .iccSGI1R, .iccASGI1R, .iccSGI0R:
            if read { v.regs[x: rt] = 0 }                   // write-only; Group 0/alias SGIs are ignored
        case .cntpCTL:
            if read { v.regs[x: rt] = v.ptimerControl | (ptimerExpired(v) ? TimerControl.istatus : 0) }
            else { setPTimer(v, control: v.regs[x: rt] & 3, compare: v.ptimerCompare) }
        case .cntpCVAL:
            if read { v.regs[x: rt] = v.ptimerCompare } else { setPTimer(v, control: v.ptimerControl & 3, compare: v.regs[x: rt]) }
        case .cntpTVAL:
            let now = Arch.physicalCount
            if read { v.regs[x: rt] = UInt64(UInt32(truncatingIfNeeded: v.ptimerCompare &- now)) }
            else { setPTimer(v, control: v.ptimerControl & 3, compare: now &+ UInt64(Int64(Int32(truncatingIfNeeded: v.regs[x: rt])))) }
        case _ where reg.isPMU:
            guard let pmu = PMURegister(reg) else { injectUndefined(v, esr: esr); return }
            guard emulatePMU(v, pmu, esr: esr) else { return }
        case _ where reg.isDebug:
            if read { v.regs[x: rt] = 0 }                   // no self-hosted debug: RAZ/WI
        default:
            injectUndefined(v, esr: esr)
            return
        }
        advance(v)
    }

    private func ptimerExpired(_ v: VCPU) -> Bool {
        v.ptimerControl & TimerControl.enable != 0 && Arch.physicalCount >= v.ptimerCompare
    }

    private func setPTimer(_ v: VCPU, control: UInt64, compare: UInt64) {
        v.ptimerControl = control
        v.ptimerCompare = compare
        // Rearming clears the raised state; the scheduler raises PPI 30 again when due.
        v.ptimerControl &= ~TimerControl.istatus
    }

    /// ICC_SGI1R_EL1 write (GIC spec, "ICC_SGI1R_EL1"): INTID[27:24], IRM[40], Aff1[23:16], TargetList[15:0].
    private func sendVirtualSGI(from v: VCPU, value: UInt64) {
        let intid = UInt32((value >> 24) & 0xF)
        let allOthers = value & (1 << 40) != 0
        let targetAff = ((value >> 16) & 0xFF) | ((value >> 32) & 0xFF) << 8 | ((value >> 48) & 0xFF) << 16
        let targetList = value & 0xFFFF
        for t in v.vm.vcpus where t.power == .on {
            let hit = allOthers ? t !== v : (targetAff == 0 && t.index < 16 && targetList & (1 << UInt64(t.index)) != 0)
            if hit {
                v.vm.raisePrivate(intid, on: t)
                kick(t.pcpu)
            }
        }
    }

    // MARK: Injected exceptions (Arm ARM D1.10, "Exception entry")

    /// ESR_EL1 for an abort taken from the guest's current EL: synchronous external abort.
    private func injectAbort(_ v: VCPU, instruction: Bool, address: UInt64) {
        let fromEL0 = v.regs.pointee.spsr & SPSR.modeMask == 0
        let ec: UInt64 = instruction ? (fromEL0 ? 0x20 : 0x21) : (fromEL0 ? 0x24 : 0x25)
        injectException(v, esr: (ec << 26) | (1 << 25) | 0x10, far: address)
    }

    func injectUndefined(_ v: VCPU, esr: ESR) {
        injectException(v, esr: 1 << 25, far: nil)          // EC 0: Unknown reason
    }

    /// A trapped MRS/MSR that the guest's own EL1 controls trap (EC 0x18, the same ISS).
    func injectSystemRegisterTrap(_ v: VCPU, iss: UInt32) {
        injectException(v, esr: 0x18 << 26 | 1 << 25 | UInt64(iss), far: nil)
    }

    /// Take a synchronous exception to the guest's EL1 vector table. A guest
    /// with no vector table inside its memory would loop forever: it is stopped instead.
    private func injectException(_ v: VCPU, esr: UInt64, far: UInt64?) {
        let vbar = Arch.guestVectorBase
        let pc = v.regs.pointee.elr, spsr = v.regs.pointee.spsr
        guard vbar % 0x800 == 0, let table = Arch.guestIPA(ofVA: vbar), v.vm.owns(ipa: table, size: 0x800) else {
            stop(v.vm, reason: "unhandled exception (ESR_EL1 \(hex(esr)), PC \(hex(pc))) and no EL1 vector table to report it to")
            return
        }
        let offset: UInt64
        switch spsr & SPSR.modeMask {
        case 0b0101: offset = 0x200                        // EL1h: current EL with SP_ELx
        case 0b0100: offset = 0x000                        // EL1t
        default: offset = 0x400                            // from EL0 (AArch64)
        }
        Arch.setGuestException(esr: esr, far: far, elr: pc, spsr: spsr)
        v.regs.pointee.elr = vbar + offset
        v.regs.pointee.spsr = SPSR.el1h | SPSR.daifMasked
    }
}
