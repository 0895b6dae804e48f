/// Self-hosted debug (Arm ARM D2, "AArch64 Self-hosted Debug"): breakpoint, watchpoint and
/// software-step exceptions, gated by the OS lock and double lock, MDSCR_EL1.{MDE,KDE,SS},
/// PSTATE.D and routed to EL2 by MDCR_EL2.TDE or HCR_EL2.TGE. BRK is in SystemInstructions.
///
/// Cost when unused: nothing per instruction. While a breakpoint or software step could fire,
/// the core runs the interpreter's one-instruction blocks (as under gdb) and `beforeInstruction`
/// looks before each; while a watchpoint could fire, the pages it covers stay out of the soft
/// TLB's fast path, so accesses to them reach `watchpointHit` in the slow path.
struct SelfHostedDebug {
    /// Breakpoints or software step may fire: run one-instruction blocks.
    var instructionChecks = false
    /// Watchpoints may fire: the enabled ones' VA ranges, kept out of the soft TLB.
    var watchedRanges: [(base: UInt64, size: UInt64)] = []
    /// The instruction now running was stepped (step active-not-pending at its start).
    var stepping = false
    var steppingExclusive = false
    /// The previous instruction completed while stepped: the step exception reports ISV = 1.
    var stepped = false
    var steppedExclusive = false
}

/// DBGBCR<n>_EL1 fields (Arm ARM D13.3, "DBGBCR<n>_EL1, Debug Breakpoint Control Registers").
struct BreakpointControl {
    let raw: UInt64
    var enabled: Bool { raw & 1 != 0 }
    var pmc: UInt64 { (raw >> 1) & 3 }
    var bas: UInt64 { (raw >> 5) & 0xF }
    var hmc: Bool { raw & (1 << 13) != 0 }
    var ssc: UInt64 { (raw >> 14) & 3 }
    var lbn: Int { Int((raw >> 16) & 0xF) }
    var type: UInt64 { (raw >> 20) & 0xF }
}

/// DBGWCR<n>_EL1 fields (Arm ARM D13.3, "DBGWCR<n>_EL1, Debug Watchpoint Control Registers").
struct WatchpointControl {
    let raw: UInt64
    var enabled: Bool { raw & 1 != 0 }
    var pac: UInt64 { (raw >> 1) & 3 }
    var lsc: UInt64 { (raw >> 3) & 3 }
    var bas: UInt64 { (raw >> 5) & 0xFF }
    var hmc: Bool { raw & (1 << 13) != 0 }
    var ssc: UInt64 { (raw >> 14) & 3 }
    var lbn: Int { Int((raw >> 16) & 0xF) }
    var linked: Bool { raw & (1 << 20) != 0 }
    var mask: UInt64 { (raw >> 24) & 0x1F }
}

extension Core {
    /// The Cortex-A53's comparators (ID_AA64DFR0_EL1: BRPs 5, WRPs 3, CTX_CMPs 1): breakpoints
    /// 4 and 5 are the context-aware ones.
    static let breakpointCount = 6, watchpointCount = 4, firstContextBreakpoint = 4
    static let debugFaultStatus: UInt64 = 0x22

    func breakpointControl(_ n: Int) -> BreakpointControl { BreakpointControl(raw: sys[SysReg.dbgbcr0.rawValue + n]) }
    func breakpointValue(_ n: Int) -> UInt64 { sys[SysReg.dbgbvr0.rawValue + n] }
    func watchpointControl(_ n: Int) -> WatchpointControl { WatchpointControl(raw: sys[SysReg.dbgwcr0.rawValue + n]) }
    func watchpointValue(_ n: Int) -> UInt64 { sys[SysReg.dbgwvr0.rawValue + n] }

    var mdscr: UInt64 { self[.mdscrEL1] }
    static let mdscrSS: UInt64 = 1, mdscrKDE: UInt64 = 1 << 13, mdscrMDE: UInt64 = 1 << 15

    /// OS lock or OS double lock set: no breakpoint, watchpoint or step exception (BRK still is).
    /// The register map has no DBGPRCR_EL1 (nor has QEMU 7.2's A53; the sysreg sweep agrees), so
    /// CORENPDRQ counts as 0 and OSDLR_EL1.DLK alone double-locks.
    var debugLocked: Bool { self[.oslsrEL1] & 2 != 0 || self[.osdlrEL1] & 1 != 0 }

    /// Whether the current state is Secure (EL3, or below it with SCR_EL3.NS clear).
    var isSecure: Bool { state.pointee.el == 3 || self[.scrEL3] & 1 == 0 }

    /// DebugTarget(): EL2 when it is enabled and MDCR_EL2.TDE or HCR_EL2.TGE routes debug there.
    var debugTargetEL: Int {
        !isSecure && (self[.mdcrEL2] & MDCR.tde != 0 || self[.hcrEL2] & Core.hcrTGE != 0) ? 2 : 1
    }

    /// AArch64.GenerateDebugExceptions(): from the current EL with PSTATE.D as the mask.
    var debugExceptionsEnabled: Bool {
        if debugLocked { return false }
        let el = state.pointee.el, target = debugTargetEL
        if el == 3 { return false }
        if isSecure && self[.mdcrEL3] & (1 << 16) != 0 { return false }        // MDCR_EL3.SDD
        if el == target { return mdscr & Core.mdscrKDE != 0 && state.pointee.daif & 0x200 == 0 }
        return target > el
    }

    /// Recomputes what may fire after a write to a register that controls it.
    func debugConfigurationChanged() {
        let md = mdscr, locked = debugLocked
        let breakpoints = md & Core.mdscrMDE != 0 && (0..<Core.breakpointCount).contains { breakpointControl($0).enabled }
        let checks = !locked && (breakpoints || md & Core.mdscrSS != 0)
        if checks != selfDebug.instructionChecks {
            selfDebug.instructionChecks = checks
            // The run loop picks its mode on entry: leave it at this block's end and come back.
            if debugModeSwitch == nil { debugModeSwitch = state.pointee.deadline }
            state.pointee.deadline = 0
        }
        var ranges: [(base: UInt64, size: UInt64)] = []
        if !locked && md & Core.mdscrMDE != 0 {
            for n in 0..<Core.watchpointCount where watchpointControl(n).enabled {
                let mask = watchpointControl(n).mask
                let bits: UInt64 = mask >= 3 ? mask : 3
                ranges.append((watchpointValue(n) & ~((1 << bits) - 1), 1 << bits))
            }
        }
        let before = selfDebug.watchedRanges
        selfDebug.watchedRanges = ranges
        // Pages cached before the watchpoints changed may bypass them: drop every table.
        if !ranges.isEmpty || !before.isEmpty { tlb.flushAll(); tlbCurrent = tlb.table(el: state.pointee.el) }
    }

    /// Whether the soft TLB may cache the page at `vpage` (no enabled watchpoint covers it).
    func pageUnwatched(_ vpage: UInt64) -> Bool {
        for r in selfDebug.watchedRanges where vpage < r.base &+ r.size && r.base < vpage &+ 0x1000 { return false }
        return true
    }

    /// AArch64.StateMatch(): the EL and Security state a comparator is programmed for, and its link.
    func debugStateMatch(ssc: UInt64, hmc: Bool, pxc: UInt64, linked: Bool, lbn: Int, breakpoint: Bool, privileged: Bool) -> Bool {
        let el3 = hmc && ssc & 1 == 0
        let el2 = (hmc && (ssc << 2 | pxc) != 0b1000) || ssc == 3
        let el1 = pxc & 1 != 0, el0 = pxc & 2 != 0
        let priv: Bool
        if !privileged && !breakpoint { priv = el0 } else {
            switch state.pointee.el {
            case 3: priv = el3
            case 2: priv = el2
            case 1: priv = el1
            default: priv = el0
            }
        }
        let security: Bool
        switch ssc {
        case 0: security = true
        case 1: security = !isSecure
        case 2: security = isSecure
        default: security = hmc || isSecure
        }
        guard priv && security else { return false }
        if !linked { return true }
        // A link to a comparator that is not context-aware matches nothing (one of the
        // CONSTRAINED UNPREDICTABLE choices).
        guard lbn >= Core.firstContextBreakpoint && lbn < Core.breakpointCount else { return false }
        return breakpointValueMatch(lbn, pc: 0, linkedTo: true)
    }

    /// AArch64.BreakpointValueMatch(): address, context ID or VMID comparison of breakpoint `n`.
    func breakpointValueMatch(_ n: Int, pc: UInt64, linkedTo: Bool) -> Bool {
        let c = breakpointControl(n)
        guard c.enabled else { return false }
        let type = c.type, contextAware = n >= Core.firstContextBreakpoint
        // Reserved types behave as disabled: 010x, the CONTEXTIDR_EL2 types (011x, 11xx: no VHE
        // here), and anything but address matching on a comparator that is not context-aware.
        let reserved = type & 0b1110 == 0b0100 || type & 0b1110 == 0b0110 || type & 0b1100 == 0b1100
            || (type & 0b1010 != 0 && !contextAware)
        if reserved { return false }
        let matchAddress = type & 0b1010 == 0
        let matchVMID = type & 0b1100 == 0b1000
        let matchContext = type & 0b1110 == 0b0010 || type & 0b1110 == 0b1010
        let linked = type & 1 != 0
        if linkedTo && (!linked || matchAddress) { return false }
        if !linkedTo && linked && !matchAddress { return false }
        var ok = true
        if matchAddress {
            // BVR bits [63:49] are a sign extension of bit 48; BAS bit 0 selects the A64 instruction.
            let bvr = UInt64(bitPattern: Int64(bitPattern: breakpointValue(n) << 15) >> 15)
            ok = c.bas & 1 != 0 && (pc ^ bvr) & ~3 == 0
        }
        if matchContext { ok = ok && UInt64(UInt32(truncatingIfNeeded: self[.contextidrEL1])) == breakpointValue(n) & 0xFFFF_FFFF }
        if matchVMID {
            let vmidApplies = !isSecure && state.pointee.el <= 1
            ok = ok && vmidApplies && (self[.vttbrEL2] >> 48) & 0xFF == (breakpointValue(n) >> 32) & 0xFF
        }
        return ok
    }

    /// The breakpoint `n` matches the instruction at `pc` (AArch64.BreakpointMatch()).
    func breakpointMatches(_ n: Int, pc: UInt64) -> Bool {
        let c = breakpointControl(n)
        guard c.enabled else { return false }
        // Linked context types only serve as link targets (breakpointValueMatch refuses them here).
        return breakpointValueMatch(n, pc: pc, linkedTo: false)
            && debugStateMatch(ssc: c.ssc, hmc: c.hmc, pxc: c.pmc, linked: c.type & 0b1011 == 0b0001, lbn: c.lbn,
                               breakpoint: true, privileged: state.pointee.el != 0)
    }

    /// AArch64.WatchpointByteMatch() for watchpoint `n` and the byte at `va`.
    func watchpointByteMatches(_ n: Int, _ va: UInt64) -> Bool {
        let c = watchpointControl(n), wvr = watchpointValue(n)
        let bottom: UInt64 = wvr & 4 != 0 ? 2 : 3
        var mask = c.mask
        if mask > 0 && mask <= 2 { mask = 0 }           // reserved: no masking (a permitted choice)
        let byteSelected = mask > 0 ? c.bas == 0xFF : (c.bas >> (va & ((1 << bottom) - 1))) & 1 != 0
        let low = mask > bottom ? mask : bottom
        // Compare VA[48:low] with the sign-extended WVR (its bits [63:49] are RESS).
        let wv = UInt64(bitPattern: Int64(bitPattern: wvr << 15) >> 15)
        return byteSelected && (va ^ wv) >> low == 0
    }

    /// The first watchpoint an access of `size` bytes at `va` hits, if debug exceptions are
    /// enabled (AArch64.CheckWatchpoint()); `unprivileged` for LDTR/STTR.
    func watchpointHit(_ va: UInt64, size: Int, write: Bool, unprivileged: Bool) -> Bool {
        guard mdscr & Core.mdscrMDE != 0, debugExceptionsEnabled else { return false }
        for n in 0..<Core.watchpointCount {
            let c = watchpointControl(n)
            guard c.enabled, c.lsc & (write ? 2 : 1) != 0 else { continue }
            guard debugStateMatch(ssc: c.ssc, hmc: c.hmc, pxc: c.pac, linked: c.linked, lbn: c.lbn, breakpoint: false,
                                  privileged: state.pointee.el != 0 && !unprivileged) else { continue }
            for k in 0..<UInt64(size) where watchpointByteMatches(n, va &+ k) { return true }
        }
        return false
    }

    /// A debug exception (breakpoint, software step, watchpoint) to the debug target EL, with the
    /// class for a lower EL (`lower`) or the same one.
    func debugException(_ lower: ExceptionClass, _ same: ExceptionClass, iss: UInt64, far: UInt64?, pc: UInt64) {
        let target = debugTargetEL, el = state.pointee.el
        synchronous(el == target ? same : lower, iss: iss, far: far, pc: pc, to: max(target, el))
    }

    /// Before each instruction while `instructionChecks`: a pending software step, then the
    /// breakpoints. True when an exception was taken instead of running the instruction.
    func selfHostedBeforeInstruction() -> Bool {
        let s = state
        let pc = s.pointee.pc
        // The instruction stepped last time completed here: the step becomes active-pending.
        if selfDebug.stepping {
            selfDebug.stepping = false
            s.pointee.ss = 0
            selfDebug.stepped = true
            selfDebug.steppedExclusive = selfDebug.steppingExclusive
        }
        let enabled = debugExceptionsEnabled
        let stepActive = enabled && mdscr & Core.mdscrSS != 0
        if stepActive && s.pointee.ss == 0 {
            // ISV (bit 24) with EX (bit 6) when an instruction was stepped; 0 when none was (an
            // exception return with SPSR.SS clear, or returning from an SVC/HVC/SMC).
            let iss = selfDebug.stepped ? 1 << 24 | (selfDebug.steppedExclusive ? 1 << 6 : 0) | Core.debugFaultStatus
                                        : Core.debugFaultStatus
            selfDebug.stepped = false
            debugException(.softwareStepLower, .softwareStepSame, iss: iss, far: nil, pc: pc)
            return true
        }
        selfDebug.stepped = false
        if enabled && mdscr & Core.mdscrMDE != 0 {
            for n in 0..<Core.breakpointCount where breakpointMatches(n, pc: pc) {
                debugException(.breakpointLower, .breakpointSame, iss: Core.debugFaultStatus, far: nil, pc: pc)
                return true
            }
        }
        if stepActive {
            selfDebug.stepping = true
            selfDebug.steppingExclusive = false
        }
        return false
    }

    /// Notes that the stepped instruction is a load-exclusive (the step syndrome's EX bit).
    func noteSteppedInstruction(_ insn: Insn) {
        guard selfDebug.stepping, insn.op == .exclusive, let k = ExclusiveKind(rawValue: insn.a) else { return }
        selfDebug.steppingExclusive = k == .ldxr || k == .ldaxr || k == .ldxp || k == .ldaxp
    }

    /// At exception entry: the stepped instruction did not complete, except SVC, HVC and SMC,
    /// which advance the step state first (SSAdvance()), so SPSR.SS records 0 for them.
    func debugExceptionEntry(ec: UInt64?) {
        guard selfDebug.stepping else { return }
        selfDebug.stepping = false
        if let ec, ec == ExceptionClass.svc.rawValue || ec == ExceptionClass.hvc.rawValue || ec == ExceptionClass.smc.rawValue {
            state.pointee.ss = 0
        }
    }

    /// DebugExceptionReturnSS(): PSTATE.SS after an exception return to `el` with SPSR `spsr`: SPSR.SS
    /// when stepping is enabled at the destination but not at the source, else 0.
    func debugReturnSS(_ spsr: SPSR, el: Int) -> UInt64 {
        guard mdscr & Core.mdscrSS != 0, !debugLocked else { return 0 }
        let atSource = debugExceptionsEnabled
        let target = debugTargetEL
        let secureDest = self[.scrEL3] & 1 == 0 || el == 3
        var atDest: Bool
        if el == 3 || (secureDest && self[.mdcrEL3] & (1 << 16) != 0) { atDest = false }
        else if el == target { atDest = mdscr & Core.mdscrKDE != 0 && spsr.daif & 0x200 == 0 }
        else { atDest = target > el }
        if secureDest && target == 2 { atDest = false }
        return !atSource && atDest ? spsr.ss : 0
    }
}
