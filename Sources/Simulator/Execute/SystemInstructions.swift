/// SYS (cache and TLB maintenance, address translation), PSTATE writes, exception-generating
/// instructions, WFI/WFE and hints (Arm ARM C5.3 and C6.2).
extension Core {
    /// SYS op1:CRn:CRm:op2 (14 bits) packed as in the instruction.
    static func sysKey(_ op1: Int, _ crn: Int, _ crm: Int, _ op2: Int) -> UInt64 {
        UInt64(op1 << 11 | crn << 7 | crm << 3 | op2)
    }

    func systemInstruction(_ insn: Insn, pc: UInt64) -> Bool {
        let key = insn.imm
        let op1 = Int(key >> 11) & 7, crn = Int(key >> 7) & 15, crm = Int(key >> 3) & 15, op2 = Int(key) & 7
        let el = state.pointee.el
        let minEL = [1, 1, 1, 0, 2, 2, 3, 3][op1]
        // SYSL has no ARMv8.0 allocations.
        guard insn.a == 0, el >= minEL else { undefined(pc: pc); return true }
        let value = x[Int(insn.rd)]
        if sysInstructionTrapsToEL2(op1: op1, crn: crn, crm: crm, op2: op2), !(el == 0 && sysTrapsToEL1(op1: op1, crm: crm, op2: op2)) {
            synchronous(.sysreg, iss: sysInstructionISS(op1: op1, crn: crn, crm: crm, op2: op2, rt: Int(insn.rd)), pc: pc, to: 2)
            return true
        }
        switch crn {
        case 7:
            return cacheOrAT(op1: op1, crm: crm, op2: op2, value: value, rt: Int(insn.rd), pc: pc)
        case 8:
            guard tlbiKnown(op1: op1, crm: crm, op2: op2) else { undefined(pc: pc); return true }
            // Each TLBI drops a superset of what it names: the whole regime, or the whole stage-2 context.
            // Inner Shareable forms (CRm 3, and CRm 0 for IPAS2*IS) reach every core; so do EL1 forms under HCR_EL2.FB.
            let broadcast = crm == 3 || crm == 0 || (el == 1 && self[.hcrEL2] & (1 << 9) != 0)
            let scope: TLBIScope
            // TLBI by VA (VAE1, VAAE1, VALE1, VAALE1; VAE2, VALE2; VAE3, VALE3): Xt[43:0] is VA[55:12].
            let va = (value & 0xFFF_FFFF_FFFF) << 12
            switch (op1, op2) {
            case (0, 1), (0, 3), (0, 5), (0, 7): scope = .page(va: va, el: 1, key: tlbKey)
            case (4, 1) where crm == 3 || crm == 7, (4, 5) where crm == 3 || crm == 7: scope = .page(va: va, el: 2, key: 0)
            case (6, 1), (6, 5): scope = .page(va: va, el: 3, key: 0)
            case (0, _): scope = .stage2Context(tlbKey)
            case (4, 4): scope = .allEL1                                  // ALLE1(IS)
            case (4, 6), (4, 1) where crm == 0 || crm == 4, (4, 5) where crm == 0 || crm == 4:
                scope = .stage2Context(tlbKey)                            // VMALLS12E1, IPAS2E1, IPAS2LE1
            case (4, _): scope = .regime(2)                               // ALLE2, VAE2, VALE2
            default: scope = .regime(3)
            }
            machine.flushTLBs(from: self, scope: scope, broadcast: broadcast)
            state.pointee.pc = pc &+ 4
            return true
        default:
            undefined(pc: pc); return true
        }
    }

    /// EL0 cache maintenance that SCTLR_EL1 traps to EL1 first (UCI for IC IVAU and DC C*VA*, DZE for DC ZVA).
    func sysTrapsToEL1(op1: Int, crm: Int, op2: Int) -> Bool {
        let sctlr = self[.sctlrEL1]
        switch (op1, crm, op2) {
        case (3, 5, 1), (3, 10, 1), (3, 11, 1), (3, 14, 1): return sctlr & (1 << 26) == 0
        case (3, 4, 1): return sctlr & (1 << 14) == 0
        default: return false
        }
    }

    /// TLBI encodings of ARMv8.0 (op1 0: EL1 forms, 4: EL2 and stage-2 forms, 6: EL3 forms).
    func tlbiKnown(op1: Int, crm: Int, op2: Int) -> Bool {
        switch (op1, crm) {
        case (0, 3), (0, 7): return op2 != 4 && op2 != 6
        case (4, 0), (4, 4): return op2 == 1 || op2 == 5
        case (4, 3), (4, 7): return op2 <= 1 || (4...6).contains(op2)
        case (6, 3), (6, 7): return op2 <= 1 || op2 == 5
        default: return false
        }
    }

    func cacheOrAT(op1: Int, crm: Int, op2: Int, value: UInt64, rt: Int, pc: UInt64) -> Bool {
        let el = state.pointee.el
        let sctlr = self[.sctlrEL1]
        // Trapped SYS: EC 0x18 with the instruction's encoding (op0 = 1, CRn = 7, write direction).
        func trapSys(pc: UInt64) -> Bool {
            synchronous(.sysreg, iss: sysregISS(UInt16(1 << 14 | op1 << 11 | 7 << 7 | crm << 3 | op2), rt: rt, read: false), pc: pc)
            return true
        }
        switch (op1, crm, op2) {
        case (0, 1, 0), (0, 5, 0):
            // IC IALLUIS / IC IALLU: predecoded code is invalidated on every write already.
            return false
        case (3, 5, 1):
            // IC IVAU: EL0 needs SCTLR_EL1.UCI.
            if el == 0 && sctlr & (1 << 26) == 0 { return trapSys(pc: pc) }
            return false
        case (0, 6, 1), (0, 6, 2), (0, 10, 2), (0, 14, 2):
            // DC IVAC / ISW / CSW / CISW: no caches are modelled; memory is always coherent.
            return false
        case (3, 10, 1), (3, 11, 1), (3, 14, 1):
            // DC CVAC / CVAU / CIVAC: allowed at EL0 when SCTLR_EL1.UCI is set.
            if el == 0 && sctlr & (1 << 26) == 0 { return trapSys(pc: pc) }
            return false
        case (3, 4, 1):
            // DC ZVA: zero the 64-byte block (DCZID_EL0.BS = 4); EL0 needs SCTLR_EL1.DZE.
            if el == 0 && sctlr & (1 << 14) == 0 { return trapSys(pc: pc) }
            let base = value & ~63
            for k in stride(from: 0, to: 64, by: 8) where !store(8, base &+ UInt64(k), 0, pc: pc) { return true }
            return false
        case (0, 8, 0...3), (4, 8, 0), (4, 8, 1), (4, 8, 4...7), (6, 8, 0), (6, 8, 1):
            return addressTranslate(op1: op1, op2: op2, va: value, pc: pc)
        default:
            undefined(pc: pc); return true
        }
    }

    /// AT S1E*/S12E*: translates in the named regime and writes PAR_EL1 (F = 0 with the PA, or
    /// F = 1 with FST, PTW and S). A stage-2 fault on the stage-1 walk of an AT executed at EL1
    /// is taken to EL2 instead (the hypervisor owns stage 2). Returns true if an exception was taken.
    func addressTranslate(op1: Int, op2: Int, va: UInt64, pc: UInt64) -> Bool {
        let access: AccessType = op2 & 1 == 1 ? .write : .read
        let el: Int, asEL0: Bool, stage2: Bool
        switch op1 {
        case 0: el = 1; asEL0 = op2 >= 2; stage2 = false
        case 4: el = op2 < 4 ? 2 : 1; asEL0 = op2 >= 6; stage2 = op2 >= 4
        default: el = 3; asEL0 = false; stage2 = false
        }
        switch translate(va, access, asEL0: asEL0, el: el, stage2Output: stage2) {
        case .success(let t): self[.parEL1] = t.pa & 0xFF_FFFF_F000
        case .failure(.fault(let f)):
            if f.stage2 && state.pointee.el == 1 { stage2Abort(f, instruction: false, pc: pc, cacheMaintenance: true); return true }
            self[.parEL1] = 1 | (f.status << 1) | (f.s1ptw ? 1 << 8 : 0) | (f.stage2 ? 1 << 9 : 0)
        }
        return false
    }

    func msrImmediate(_ insn: Insn, pc: UInt64) -> Bool {
        let crm = insn.imm
        switch (insn.a, insn.b) {
        case (0, 5):
            if state.pointee.el == 0 { undefined(pc: pc); return true }
            setMode(el: state.pointee.el, spsel: Int(crm & 1))
        case (3, 6), (3, 7):
            if state.pointee.el == 0 && self[.sctlrEL1] & (1 << 9) == 0 {
                let enc = UInt16(3 << 11 | 4 << 7 | Int(crm) << 3 | Int(insn.b))
                synchronous(.sysreg, iss: sysregISS(enc, rt: 31, read: false), pc: pc); return true
            }
            if insn.b == 6 { state.pointee.daif |= (crm & 0xF) << 6 } else { state.pointee.daif &= ~((crm & 0xF) << 6) }
        default:
            undefined(pc: pc); return true
        }
        state.pointee.pc = pc &+ 4
        return true
    }

    func exceptionGenerating(_ insn: Insn, pc: UInt64) -> Bool {
        let el = state.pointee.el
        let imm = insn.imm
        switch ExceptionGen(rawValue: Int(insn.a))! {
        case .svc:
            synchronous(.svc, iss: imm, pc: pc &+ 4)
        case .hvc:
            if let fw = machine.firmware, fw.conduit == .hvc, el >= 1, el < 2 || machine.entryEL < 2 {
                state.pointee.pc = pc &+ 4
                return fw.call(core: self)
            }
            if el == 0 || self[.scrEL3] & (1 << 8) == 0 { undefined(pc: pc); return true }
            synchronous(.hvc, iss: imm, pc: pc &+ 4, to: max(el, 2))
        case .smc:
            if el == 0 { undefined(pc: pc); return true }
            if el == 1 && self[.hcrEL2] & (1 << 19) != 0 {
                // HCR_EL2.TSC traps SMC to EL2 before EL3 sees it; ELR is the SMC itself.
                synchronous(.smc, iss: imm, pc: pc, to: 2); return true
            }
            if let fw = machine.firmware, fw.conduit == .smc {
                state.pointee.pc = pc &+ 4
                return fw.call(core: self)
            }
            if self[.scrEL3] & (1 << 7) != 0 { undefined(pc: pc); return true }
            synchronous(.smc, iss: imm, pc: pc &+ 4, to: 3)
        case .brk:
            // A debug exception: from EL0/EL1 it goes to EL2 under MDCR_EL2.TDE (or HCR_EL2.TGE).
            let tde = state.pointee.el <= 1 && belowEnabledEL2 && self[.mdcrEL2] & Core.MDCR.tde != 0
            synchronous(.brk, iss: imm, pc: pc, to: tde ? 2 : nil)
        case .hlt:
            // Halting debug is not enabled (EDSCR.HDE = 0), so HLT is UNDEFINED.
            undefined(pc: pc)
        }
        return true
    }

    /// WFI/WFE: returns true when the core stops to wait.
    func wait(event: Bool, pc: UInt64) -> Bool {
        state.pointee.pc = pc &+ 4
        if event {
            if state.pointee.eventRegister { state.pointee.eventRegister = false; return false }
            power = .waitingForEvent
        } else {
            if warmResetRequested { machine.warmReset(self); return true }
            if interruptPendingForWait { return false }
            power = .waitingForInterrupt
        }
        return true
    }

    func hint(_ h: Hint) {
        switch h {
        case .yield: break
        case .sev: machine.sendEvent()
        case .sevl: state.pointee.eventRegister = true
        case .timelineMarker: timelineMarker()
        }
    }
}
