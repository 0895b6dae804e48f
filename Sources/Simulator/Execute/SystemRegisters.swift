import Devices

/// MRS/MSR (register) with the ARMv8.0 access rules: the encoding's op1 gives the lowest EL;
/// EL0 access is gated by the control the register names; EL2 traps arrive with M1.5.
extension Core {
    /// ISS of a trapped MRS/MSR (EC 0x18): Op0, Op2, Op1, CRn, Rt, CRm, direction.
    func sysregISS(_ enc: UInt16, rt: Int, read: Bool) -> UInt64 {
        let e = UInt64(enc)
        let op0 = e >> 14, op1 = (e >> 11) & 7, crn = (e >> 7) & 15, crm = (e >> 3) & 15, op2 = e & 7
        return op0 << 20 | op2 << 17 | op1 << 14 | crn << 10 | UInt64(rt & 31) << 5 | crm << 1 | (read ? 1 : 0)
    }

    /// Whether EL0 may access a register with control `c`; nil means UNDEFINED, false a trap to EL1.
    func el0Allowed(_ c: EL0Access, read: Bool) -> Bool? {
        let sctlr = self[.sctlrEL1], kctl = self[.cntkctlEL1], pmuserenr = self[.pmuserenrEL0]
        switch c {
        case .never: return nil
        case .always: return true
        case .ctr: return sctlr & (1 << 15) != 0
        case .daif: return sctlr & (1 << 9) != 0
        case .fp: return true           // CPACR_EL1.FPEN, with CPTR_EL2/EL3, at every EL: fpAccessAllowed
        case .counterPhys: return kctl & 1 != 0
        case .counterVirt: return kctl & 2 != 0
        // CNTFRQ_EL0 is writable only at the highest EL: an EL0 write is UNDEFINED before any trap.
        case .frequency: return read ? kctl & 3 != 0 : nil
        case .timerPhys: return kctl & (1 << 9) != 0
        case .timerVirt: return kctl & (1 << 8) != 0
        case .tpidrro: return read ? true : nil
        case .pmu: return pmuserenr & 1 != 0
        case .pmuUserEnable: return read ? true : nil
        case .pmuEventRead: return pmuserenr & 1 != 0 || (read && pmuserenr & 8 != 0)
        case .pmuSelect: return pmuserenr & 9 != 0
        case .pmuCycleRead: return pmuserenr & 1 != 0 || (read && pmuserenr & 4 != 0)
        case .pmuSoftwareIncrement: return pmuserenr & 3 != 0
        case .debugComms: return self[.mdscrEL1] & (1 << 12) == 0
        }
    }

    /// Whether an EL1 access to ICC register `reg` goes to the virtual CPU interface: group-1
    /// registers under HCR_EL2.IMO, group-0 registers under FMO, shared ones under either.
    func virtualizesICC(_ reg: ICCRegister) -> Bool {
        guard state.pointee.el == 1 else { return false }
        let hcr = self[.hcrEL2]
        let imo = hcr & (1 << 4) != 0, fmo = hcr & (1 << 3) != 0
        switch reg {
        case .iar1, .eoir1, .hppir1, .bpr1, .ap1r0, .igrpen1: return imo
        case .iar0, .eoir0, .hppir0, .bpr0, .ap0r0, .igrpen0: return fmo
        case .pmr, .rpr, .ctlr, .dir: return imo || fmo
        default: return false
        }
    }

    /// The count a guest's read observes. The system counter is one counter for all cores, but
    /// cores run their quanta in turn, so their cycle counts differ by up to a quantum: a read
    /// never returns less than any core has already seen (Linux's timekeeping takes a counter
    /// that goes backwards across CPUs for an interval of centuries and spins catching up).
    var observedCount: UInt64 {
        let v = max(physicalCount, machine.counterSeen)
        machine.counterSeen = v
        return v
    }

    /// The physical count: simulated cycles scaled to the board's counter frequency.
    public var physicalCount: UInt64 {
        let (hi, lo) = state.pointee.cycles.multipliedFullWidth(by: machine.board.counterHz)
        return machine.board.cpuHz.dividingFullWidth((hi, lo)).quotient
    }

    func systemRegister(_ insn: Insn, pc: UInt64) -> Bool {
        let enc = UInt16(truncatingIfNeeded: insn.imm)
        let read = insn.a == 1
        let rt = Int(insn.rd)
        let el = state.pointee.el
        guard let def = SysRegTable.lookup(enc), el >= def.minEL, !(def.readOnly && !read), !(def.writeOnly && read) else {
            // HCR_EL2.TIDCP traps the IMPLEMENTATION DEFINED space (CRn 11, 15) from EL1 even where nothing is allocated.
            let crn = (Int(enc) >> 7) & 15
            if el == 1, enc >> 14 == 3, crn == 11 || crn == 15, sysregTrapsToEL2(enc, read: read) {
                synchronous(.sysreg, iss: sysregISS(enc, rt: rt, read: read), pc: pc, to: 2); return true
            }
            undefined(pc: pc); return true
        }
        // Without a GICv3 (rpi3's BCM2836 controller, a GICv2) the CPU interface registers do not exist.
        if machine.gic?.architecture != .v3, case .special(let sp) = def.target {
            switch sp {
            case .icc, .ich: undefined(pc: pc); return true
            default: break
            }
        }
        if el == 0 {
            guard let ok = el0Allowed(def.el0, read: read) else { undefined(pc: pc); return true }
            if !ok {
                synchronous(.sysreg, iss: sysregISS(enc, rt: rt, read: read), pc: pc)
                return true
            }
        }
        // FPCR/FPSR are SIMD&FP state: CPACR_EL1.FPEN, CPTR_EL2.TFP and CPTR_EL3.TFP trap them (EC 0x07).
        if def.el0 == .fp, !fpAccessAllowed(pc: pc) { return true }
        switch timerAccessRestriction(enc, el: el, read: read) {
        case .undefined?: undefined(pc: pc); return true
        case .trapToEL3?: synchronous(.sysreg, iss: sysregISS(enc, rt: rt, read: read), pc: pc, to: 3); return true
        case nil: break
        }
        if el <= 1 && sysregTrapsToEL2(enc, read: read) {
            synchronous(.sysreg, iss: sysregISS(enc, rt: rt, read: read), pc: pc, to: 2)
            return true
        }
        if el == 1, case .special(.icc(let reg)) = def.target, iccTrapsToEL2(reg) {
            synchronous(.sysreg, iss: sysregISS(enc, rt: rt, read: read), pc: pc, to: 2)
            return true
        }
        // With HCR_EL2.IMO/FMO, EL1 SGI generation traps to EL2 (GICv3: ICC_SGI*R under virtualization).
        if el == 1, case .special(.icc(let reg)) = def.target, reg == .sgi0r || reg == .sgi1r || reg == .asgi1r,
           self[.hcrEL2] & 0x18 != 0 {
            synchronous(.sysreg, iss: sysregISS(enc, rt: rt, read: read), pc: pc, to: 2)
            return true
        }
        if !read, let target = impdefWriteTrap(enc) {
            synchronous(.sysreg, iss: sysregISS(enc, rt: rt, read: read), pc: pc, to: target)
            return true
        }
        // PMEVCNTR<n>, PMEVTYPER<n> and PMXEV* beyond the counters this EL sees (PMCR_EL0.N).
        if case .special(let sp) = def.target, !pmuCounterExists(sp) { undefined(pc: pc); return true }
        if read {
            x[rt] = readSysreg(def)
            return false
        }
        return writeSysreg(def, x[rt], pc: pc)
    }

    func readSysreg(_ def: SysRegAccess) -> UInt64 {
        switch def.target {
        case .constant(let v): return v
        case .slot(let reg, _, _): return self[reg]
        case .special(let sp):
            let s = state.pointee
            switch sp {
            case .nzcv: return s.flags()
            case .daif: return s.daif
            case .currentEL: return UInt64(s.el) << 2
            case .spsel: return UInt64(s.spsel)
            case .spEL0: return readSPBank(0)
            case .spEL1: return readSPBank(1)
            case .spEL2: return readSPBank(2)
            // Below EL2 the identification the hypervisor chose (VPIDR_EL2, VMPIDR_EL2).
            case .midr: return belowEnabledEL2 ? self[.vpidrEL2] : self[.midrEL1]
            case .mpidr: return belowEnabledEL2 ? self[.vmpidrEL2] : self[.mpidrEL1]
            case .isr:
                // ISR_EL1: at EL1 under HCR_EL2.{IMO, FMO, AMO} the virtual I/F/A pending state, else physical lines.
                let hcr = self[.hcrEL2]
                let virt = s.el == 1 && belowEnabledEL2 && hcr & Core.hcrTGE == 0
                let i = virt && hcr & (1 << 4) != 0 ? virqLine || hcr & (1 << 7) != 0 : irqLine
                let f = virt && hcr & (1 << 3) != 0 ? vfiqLine || hcr & (1 << 6) != 0 : fiqLine
                let a = virt && hcr & (1 << 5) != 0 && hcr & (1 << 8) != 0
                return (a ? 1 << 8 : 0) | (i ? 1 << 7 : 0) | (f ? 1 << 6 : 0)
            // EL0 and EL1 only; GIC = 1 (system-register interface) where the board has a GICv3.
            case .cbar: return machine.board.peripheralBase & 0xFF_FFFC_0000
            case .idAA64PFR0: return 0x0000_1122 | (machine.gic?.architecture == .v3 ? 0x0100_0000 : 0)
            case .dczid:
                // DZP: DC ZVA prohibited at this EL (SCTLR_EL1.DZE for EL0, HCR_EL2.TDZ below EL2); BS = 4 (64 bytes).
                let prohibited = (s.el == 0 && self[.sctlrEL1] & (1 << 14) == 0) || (belowEnabledEL2 && self[.hcrEL2] & HCR.tdz != 0)
                return 4 | (prohibited ? 1 << 4 : 0)
            case .cntpct: return observedCount
            case .cntvct: return observedCount &- machine.timers.virtualOffset[index]
            case .timerControl(let k): return machine.timers.control(k, cpu: index, physical: observedCount)
            case .timerCompare(let k): return machine.timers.compare(k, cpu: index)
            case .timerValue(let k): return machine.timers.timerValue(k, cpu: index, physical: observedCount)
            case .cntvoff: return machine.timers.virtualOffset[index]
            case .icc(let reg):
                if virtualizesICC(reg) { return machine.gic?.virtualInterfaces[index].readVirtual(reg) ?? 0 }
                return machine.gic?.interfaces[index].read(reg) ?? 0
            case .ich(let reg): return machine.gic?.virtualInterfaces[index].read(reg) ?? 0
            case .ccsidr:
                // Cortex-A53: L1D 32 KiB 4-way, L1I 32 KiB 2-way, L2 512 KiB 16-way, 64-byte lines.
                switch self[.csselrEL1] & 0xF {
                case 0: return 0x700F_E01A
                case 1: return 0x201F_E00A
                case 2: return 0x703F_E07A
                default: return 0
                }
            case .pmccntr: return cycleCounter
            case .pmcr: return pmcrValue
            case .pmceid0: return implementedEvents
            case .osLock: return 0
            case .pmcntenset, .pmcntenclr: return self[.pmcntenEL0]
            case .pmintenset, .pmintenclr: return self[.pmintenEL1]
            case .pmovsclr, .pmovsset: pmuSync(); return self[.pmovsEL0]
            case .pmswinc: return 0
            case .pmevcntr(let n): return readEventCounter(n)
            case .pmevtyper(let n): return readEventType(n)
            case .pmxevcntr: return readEventCounter(selectedCounter ?? 0)
            case .pmxevtyper: return readEventType(selectedCounter ?? 31)
            }
        }
    }

    /// Returns true when the write changed the execution context and the block must end.
    func writeSysreg(_ def: SysRegAccess, _ value: UInt64, pc: UInt64) -> Bool {
        switch def.target {
        case .constant: return false
        case .slot(let reg, let writable, let res1):
            // The PMU's enables, filters and counter reservation depend on these (HPME, HPMN, NS).
            if reg == .mdcrEL2 || reg == .scrEL3 {
                changingPMU { self[reg] = (value & writable) | res1 }
            }
            let old = self[reg]
            self[reg] = (value & writable) | res1
            let changed = self[reg] != old
            switch reg {
            case .hcrEL2, .vttbrEL2:
                // A new stage-2 context selects its own EL1&0 TLB bank (VMID-tagged); routing may change too.
                reselectTLB()
            case .sctlrEL1, .ttbr0EL1, .ttbr1EL1, .tcrEL1, .mairEL1, .vtcrEL2:
                // EL1&0 translation changed. Entries are not ASID-tagged, so they are dropped (TLBs may
                // cache less than the architecture allows, never more).
                if changed { tlb.flushCurrent() }
            case .sctlrEL2, .ttbr0EL2, .tcrEL2, .mairEL2:
                if changed { tlb.flushRegime(el: 2) }
            case .sctlrEL3, .ttbr0EL3, .tcrEL3, .mairEL3:
                if changed { tlb.flushRegime(el: 3) }
            case .rmrEL3:
                if value & 2 != 0 { warmResetRequested = true }
                return false
            case .mdscrEL1, .osdlrEL1, .dbgbcr0, .dbgbcr1, .dbgbcr2, .dbgbcr3, .dbgbcr4, .dbgbcr5,
                 .dbgwcr0, .dbgwcr1, .dbgwcr2, .dbgwcr3, .dbgwvr0, .dbgwvr1, .dbgwvr2, .dbgwvr3:
                // What may fire changed: the run loop picks its mode again at the block's end.
                debugConfigurationChanged()
            case .scrEL3:
                // NS decides whether EL2 and stage 2 apply.
                tlb.flushAll()
                reselectTLB()
                tlbCurrent = tlb.table(el: state.pointee.el)
            default: return false
            }
            // Re-fetch: the next instruction may translate differently.
            state.pointee.pc = pc &+ 4
            return true
        case .special(let sp):
            switch sp {
            case .nzcv: state.pointee.setFlags(value)
            case .daif:
                state.pointee.daif = value & 0x3C0
                state.pointee.pc = pc &+ 4
                return true
            case .spsel:
                setMode(el: state.pointee.el, spsel: Int(value & 1))
            case .spEL0: writeSPBank(0, value)
            case .spEL1: writeSPBank(1, value)
            case .spEL2: writeSPBank(2, value)
            case .timerControl(let k): machine.timers.setControl(k, cpu: index, value, physical: physicalCount)
            case .timerCompare(let k): machine.timers.setCompare(k, cpu: index, value, physical: physicalCount)
            case .timerValue(let k): machine.timers.setTimerValue(k, cpu: index, value, physical: observedCount)
            case .cntvoff:
                machine.timers.virtualOffset[index] = value
                machine.timers.update(cpu: index, physical: physicalCount)
            case .icc(let reg):
                if virtualizesICC(reg) {
                    machine.gic?.virtualInterfaces[index].writeVirtual(reg, value)
                } else {
                    machine.gic?.interfaces[index].write(reg, value)
                }
                // Writes can unmask or acknowledge interrupts: end the block so they are seen.
                state.pointee.pc = pc &+ 4
                return true
            case .ich(let reg):
                let old = machine.timeline != nil ? machine.gic?.virtualInterfaces[index].read(reg) : nil
                machine.gic?.virtualInterfaces[index].write(reg, value)
                if let tl = machine.timeline, let old, case .lr = reg { timelineListRegister(tl, old: old, value: value) }
                // Writes can unmask or acknowledge interrupts: end the block so they are seen.
                state.pointee.pc = pc &+ 4
                return true
            case .pmccntr: cycleCounter = value
            case .pmcr: writePMCR(value)
            case .osLock:
                self[.oslsrEL1] = (value & 1) << 1 | 0x8
                debugConfigurationChanged()
                state.pointee.pc = pc &+ 4
                return true
            case .pmcntenset: writePMUBits(.pmcntenEL0, set: true, value)
            case .pmcntenclr: writePMUBits(.pmcntenEL0, set: false, value)
            case .pmintenset: writePMUBits(.pmintenEL1, set: true, value)
            case .pmintenclr: writePMUBits(.pmintenEL1, set: false, value)
            case .pmovsclr: writePMUBits(.pmovsEL0, set: false, value)
            case .pmovsset: writePMUBits(.pmovsEL0, set: true, value)
            case .pmswinc: softwareIncrement(value)
            case .pmevcntr(let n): writeEventCounter(n, value)
            case .pmevtyper(let n): writeEventType(n, value)
            case .pmxevcntr: writeEventCounter(selectedCounter ?? 0, value)
            case .pmxevtyper: writeEventType(selectedCounter ?? 31, value)
            case .currentEL, .midr, .mpidr, .cntpct, .cntvct, .ccsidr, .dczid, .isr, .idAA64PFR0, .cbar, .pmceid0: break
            }
            return false
        }
    }
}

/// Timer registers whose access depends on the Exception level and Security state rather than on
/// a trap control (Arm ARM D13.8): CNTFRQ_EL0 is writable only at the highest implemented EL (EL3
/// here, ID_AA64PFR0_EL1.EL3 = 1); CNTPS_*_EL1 exist for EL3 and Secure EL1, which SCR_EL3.ST
/// traps to EL3 when clear; Non-secure EL1 and EL2 find them UNDEFINED.
extension Core {
    enum TimerAccessRestriction { case undefined, trapToEL3 }

    func timerAccessRestriction(_ enc: UInt16, el: Int, read: Bool) -> TimerAccessRestriction? {
        let e = Int(enc)
        guard e >> 14 == 3, (e >> 7) & 15 == 14, el < 3 else { return nil }
        let op1 = (e >> 11) & 7, crm = (e >> 3) & 15, op2 = e & 7
        if op1 == 3 && crm == 0 && op2 == 0 { return read ? nil : .undefined }            // CNTFRQ_EL0
        if op1 == 7 && crm == 2 && op2 <= 2 {                                             // CNTPS_{TVAL,CTL,CVAL}_EL1
            let secure = self[.scrEL3] & 1 == 0
            if el == 2 || !secure { return .undefined }
            return self[.scrEL3] & (1 << 11) == 0 ? .trapToEL3 : nil
        }
        return nil
    }
}
