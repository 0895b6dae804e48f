/// Exception entry and return (Arm ARM D1.10 "Exception entry", D1.11 "Exception return").
extension Core {
    /// The EL a synchronous exception from the current EL is taken to (no EL2 traps yet: M1.5).
    var syncTargetEL: Int {
        let el = state.pointee.el
        if el == 0 { return self[.hcrEL2] & (1 << 27) != 0 ? 2 : 1 } // HCR_EL2.TGE
        return el
    }

    /// Takes an exception to `target`. `returnAddress` becomes ELR; for synchronous exceptions
    /// `esr` is the full syndrome. Leaves the core ready to fetch from the vector.
    @inline(never)
    public func takeException(to target: Int, kind: VectorKind, esr: UInt64 = 0, far: UInt64? = nil, returnAddress: UInt64) {
        let fromEL = state.pointee.el
        if selfDebug.stepping { debugExceptionEntry(ec: kind == .synchronous ? esr >> 26 : nil) }
        let spsr = pstate
        trace?.exception(core: self, target: target, kind: kind, esr: esr, returnAddress: returnAddress)
        if let tl = machine.timeline, target == 2 { timelineExit(tl, from: fromEL, kind: kind, esr: esr, far: far, returnAddress: returnAddress) }
        let vbar: UInt64
        switch target {
        case 1:
            self[.spsrEL1] = spsr; self[.elrEL1] = returnAddress
            if kind == .synchronous || kind == .serror { self[.esrEL1] = esr }
            if let far { self[.farEL1] = far }
            vbar = self[.vbarEL1]
        case 2:
            self[.spsrEL2] = spsr; self[.elrEL2] = returnAddress
            if kind == .synchronous { self[.esrEL2] = esr }
            if let far { self[.farEL2] = far }
            vbar = self[.vbarEL2]
        default:
            self[.spsrEL3] = spsr; self[.elrEL3] = returnAddress
            if kind == .synchronous { self[.esrEL3] = esr }
            if let far { self[.farEL3] = far }
            vbar = self[.vbarEL3]
        }
        let group: UInt64 = fromEL < target ? 0x400 : (state.pointee.spsel == 1 ? 0x200 : 0)
        if kind == .synchronous {
            // SVC, HVC and SMC complete before their exception (the return address is the next
            // instruction): they retire at the EL they ran at. Other synchronous exceptions, and
            // an SMC trapped to EL2 (HCR_EL2.TSC: returning to the SMC itself), stop their
            // instruction, which does not retire. `pc` is the instruction's own address here.
            switch esr >> 26 {
            case 0x11, 0x12, 0x13, 0x15, 0x16, 0x17 where returnAddress != state.pointee.pc:
                state.pointee.retiredInBlock &+= 1
            default: state.pointee.instructionFaulted = true
            }
        }
        statsException(to: target, kind: kind, esr: esr)
        if pmu.active { pmuSync() }     // what ran so far counted at the EL it ran at
        state.pointee.daif = 0x3C0
        state.pointee.ss = 0
        state.pointee.il = 0
        state.pointee.exclusiveAddr = .max
        setMode(el: target, spsel: 1)
        state.pointee.pc = vbar &+ group &+ kind.rawValue
        state.pointee.cycles &+= 20
        if machine.timeline != nil { timelineEnter() }
    }

    /// A synchronous exception with syndrome (EC, IL = 1, ISS), routed by the usual rules unless `to` is given.
    @inline(never)
    public func synchronous(_ ec: ExceptionClass, iss: UInt64 = 0, far: UInt64? = nil, pc: UInt64, to target: Int? = nil) {
        if let user = machine.userProcess, state.pointee.el == 0 {
            user.exception(ec, iss: iss & 0x1FF_FFFF, far: far, returnAddress: pc, core: self)
            return
        }
        let esr = ec.rawValue << 26 | 1 << 25 | (iss & 0x1FF_FFFF)
        takeException(to: target ?? syncTargetEL, kind: .synchronous, esr: esr, far: far, returnAddress: pc)
    }

    /// UNDEFINED: the Unknown-reason exception.
    @inline(never)
    public func undefined(pc: UInt64) {
        synchronous(.unknown, pc: pc)
    }

    /// A data or instruction abort for `fault` at `pc`.
    @inline(never)
    public func abort(_ fault: Fault, instruction: Bool, pc: UInt64, iss extra: UInt64 = 0) {
        if fault.stage2 { stage2Abort(fault, instruction: instruction, pc: pc); return }
        let target = syncTargetEL
        let lower = target > state.pointee.el
        let ec: ExceptionClass = instruction ? (lower ? .instructionAbortLower : .instructionAbortSame)
                                             : (lower ? .dataAbortLower : .dataAbortSame)
        var iss = fault.status | extra
        if !instruction && fault.write { iss |= 1 << 6 }
        synchronous(ec, iss: iss, far: fault.address, pc: pc, to: target)
    }

    /// A stage-2 abort, always taken to EL2 from EL1 or EL0 with the IPA page in HPFAR_EL2
    /// (FIPA, bits 39:4) and, for single-register data accesses, the instruction syndrome.
    @inline(never)
    func stage2Abort(_ fault: Fault, instruction: Bool, pc: UInt64, cacheMaintenance: Bool = false) {
        var iss = fault.status
        if fault.s1ptw { iss |= 1 << 7 }
        if cacheMaintenance { iss |= 1 << 8 }
        if !instruction {
            if fault.write { iss |= 1 << 6 }
            if !fault.s1ptw, case .success(let t) = translate(pc, .execute),
               let word = memory.readPhysical(t.pa, size: 4),
               let syndrome = AbortSyndrome.validSyndrome(UInt32(truncatingIfNeeded: word)) {
                iss |= syndrome
            }
        }
        self[.hpfarEL2] = (fault.ipa >> 12) << 4
        synchronous(instruction ? .instructionAbortLower : .dataAbortLower, iss: iss, far: fault.address, pc: pc, to: 2)
    }

    /// ERET: restores PSTATE from SPSR_ELx and branches to ELR_ELx; an illegal return sets PSTATE.IL.
    @inline(never)
    func exceptionReturn(pc: UInt64) {
        let el = state.pointee.el
        if el == 0 { undefined(pc: pc); return }
        let spsr: SPSR, elr: UInt64
        switch el {
        case 1: spsr = SPSR(self[.spsrEL1]); elr = self[.elrEL1]
        case 2: spsr = SPSR(self[.spsrEL2]); elr = self[.elrEL2]
        default: spsr = SPSR(self[.spsrEL3]); elr = self[.elrEL3]
        }
        state.pointee.exclusiveAddr = .max
        // EL1 is AArch32 when Non-secure with HCR_EL2.RW clear (SCR_EL3.RW is RES1 here).
        let el1AArch32 = self[.scrEL3] & 1 != 0 && self[.hcrEL2] & (1 << 31) == 0
        if spsr.aarch32 {
            // The Cortex-A53 has AArch32 at EL0 and EL1 (ID_AA64PFR0_EL1); this model does not
            // execute it. A return that would legally enter it ends the run, saying so.
            let mode = spsr.raw & 0x1F
            let target = mode == 0x10 ? 0 : [0x11, 0x12, 0x13, 0x17, 0x1B, 0x1F].contains(mode) ? 1 : 4
            if target < el && (target == 0 || el1AArch32) {
                machine.limitation("exception return to AArch32 state (SPSR 0x\(String(spsr.raw, radix: 16))): AArch32 execution is not modelled", core: self)
                return
            }
        }
        // Illegal returns (Arm ARM D1.11.4): to a higher EL, to AArch32 where the register-width
        // controls forbid it, a reserved mode, EL0 with SP_ELx, to AArch64 EL1 while EL1 is AArch32,
        // or to EL2 when EL3 says EL2 is not in use (SCR.NS=0 without EL2).
        let illegal = spsr.aarch32 || spsr.el > el || (spsr.raw & 2) != 0 || (spsr.el == 0 && spsr.spsel == 1)
            || (spsr.el == 1 && el == 3 && self[.scrEL3] & (1 << 10) == 0) || (spsr.el == 1 && el >= 2 && el1AArch32)
        state.pointee.retiredInBlock &+= 1           // ERET retires at the EL it ran at
        statsExceptionReturn()
        if pmu.active { pmuSync() }
        state.pointee.setFlags(spsr.nzcv)
        state.pointee.daif = spsr.daif
        state.pointee.ss = debugReturnSS(spsr, el: spsr.el)
        if illegal {
            state.pointee.il = 1
        } else {
            state.pointee.il = spsr.il
            setMode(el: spsr.el, spsel: spsr.spsel)
        }
        state.pointee.pc = elr
        trace?.exceptionReturn(core: self, to: state.pointee.el, pc: elr)
        if machine.timeline != nil { timelineEnter() }
    }

    /// Takes a pending physical IRQ or FIQ if routing and masking allow; returns true if taken.
    func checkInterrupts() -> Bool {
        let el = state.pointee.el
        let scr = self[.scrEL3], hcr = self[.hcrEL2]
        // Virtual interrupts (HCR_EL2.VI/VF, or the GIC list registers) reach EL1/EL0 only when the
        // hypervisor routes the physical ones to EL2 (IMO/FMO) and TGE is clear; PSTATE masks them.
        if el <= 1 && hcr & (1 << 27) == 0 {
            let vfiq = (vfiqLine || hcr & (1 << 6) != 0) && hcr & (1 << 3) != 0
            let virq = (virqLine || hcr & (1 << 7) != 0) && hcr & (1 << 4) != 0
            // HCR_EL2.VSE with AMO: a virtual SError, masked by PSTATE.A; taking it clears VSE.
            // ARMv8.0 has no VSESR_EL2, so the syndrome is IMPLEMENTATION DEFINED: we report ISS 0.
            if hcr & (1 << 8) != 0 && hcr & (1 << 5) != 0 && state.pointee.daif & 0x100 == 0 {
                self[.hcrEL2] = hcr & ~(1 << 8)
                takeException(to: 1, kind: .serror, esr: ExceptionClass.serror.rawValue << 26 | 1 << 25, returnAddress: state.pointee.pc)
                return true
            }
            if vfiq && state.pointee.daif & 0x40 == 0 {
                takeException(to: 1, kind: .fiq, returnAddress: state.pointee.pc); return true
            }
            if virq && state.pointee.daif & 0x80 == 0 {
                takeException(to: 1, kind: .irq, returnAddress: state.pointee.pc); return true
            }
        }
        guard irqLine || fiqLine else { return false }
        // HCR_EL2.TGE routes physical interrupts to EL2 as IMO/FMO do.
        let tge = hcr & (1 << 27) != 0 && scr & 1 != 0
        for (line, routeEL3, routeEL2, maskBit, kind) in [(fiqLine, scr & 4 != 0, hcr & 8 != 0 || tge, UInt64(0x40), VectorKind.fiq),
                                                         (irqLine, scr & 2 != 0, hcr & 16 != 0 || tge, UInt64(0x80), VectorKind.irq)] where line {
            let target = routeEL3 ? 3 : (routeEL2 && el < 3 ? 2 : max(el, 1))
            if target < el { continue }
            // PSTATE masks interrupts taken to the current EL, and EL1 interrupts at EL0; routing to a
            // higher EL by HCR_EL2/SCR_EL3 is not masked by PSTATE.
            if (target == el || (target == 1 && el == 0)) && state.pointee.daif & maskBit != 0 { continue }
            takeException(to: target, kind: kind, returnAddress: state.pointee.pc)
            return true
        }
        return false
    }
}
