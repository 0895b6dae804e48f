import Devices

/// Why a core's run loop returned to the machine.
public enum StopReason {
    case deadline
    case waiting
    case halted
}

/// Power state of a core (PSCI).
public enum PowerState {
    case off, on
    /// In WFI/WFE, until an interrupt or event.
    case waitingForInterrupt, waitingForEvent
}

/// One AArch64 processing element: its state, software TLBs and the hooks it needs from the
/// machine. The hot loop is in `Interpreter.swift`; rare operations in the `Execute` files.
public final class Core {
    public let index: Int
    public let mpidr: UInt64
    public let state: UnsafeMutablePointer<CPUState>
    /// General registers x0...x30, then ZR, SP (current), write sink; see `Reg`.
    public let x: UnsafeMutablePointer<UInt64>
    public let sys: UnsafeMutablePointer<UInt64>
    /// SIMD&FP registers V0-V31, 128 bits each, little-endian: v[2n] bits 63:0, v[2n+1] bits 127:64.
    public let v: UnsafeMutablePointer<UInt64>
    public let tlb: SoftTLB
    /// Software TLB of the current EL.
    var tlbCurrent: UnsafeMutablePointer<TLBEntry>
    /// unowned(unsafe): the machine owns its cores and outlives them; a checked unowned reference
    /// costs two atomic operations on every access (counter and system-register reads).
    unowned(unsafe) let machine: Machine
    let memory: PhysicalMemory
    public internal(set) var power: PowerState = .off
    /// RMR_EL3.RR was written: the core resets at its next WFI (`Machine.warmReset`).
    var warmResetRequested = false
    /// Interrupt lines from the interrupt controller (physical IRQ/FIQ).
    public var irqLine = false
    public var fiqLine = false
    /// Virtual IRQ/FIQ from the GIC's virtual CPU interface.
    public var virqLine = false
    public var vfiqLine = false
    /// Any interrupt input or HCR_EL2.{VI, VF, VSE} request: the run loop checks exceptions when set.
    var interruptInputs: Bool { irqLine || fiqLine || virqLine || vfiqLine || self[.hcrEL2] & 0x1C0 != 0 }
    public var trace: Tracer?
    /// The PMU's event counters (PMU.swift), and whether this core drives its PMU interrupt.
    var pmu = PMUState()
    /// What `--stats` counts beyond the timing model (CoreStats).
    var stats = CoreStats()
    /// Self-hosted debug: what may fire, and the software-step state machine.
    var selfDebug = SelfHostedDebug()
    /// Set when the interpreter must switch to or from one-instruction blocks: the deadline to
    /// restore once the current run loop has returned.
    var debugModeSwitch: UInt64?
    /// `--timing a53`: this core's caches and TLBs (nil in the functional mode), owned by the
    /// machine (`timingModels`).
    unowned(unsafe) var a53: A53Timing? {
        didSet {
            a53Ref = a53.map { Unmanaged.passUnretained($0) }
            walkDescriptorCycles = a53 == nil ? 4 : 0
        }
    }
    /// What a descriptor read of the table walker costs on a miss in the simulator's own TLB:
    /// none under the a53 model, whose TLBs decide what a walk costs.
    var walkDescriptorCycles: UInt64 = 4
    /// `--timing a53`: the virtual line (VA >> 6) of the last instruction fetch lookup.
    var a53FetchLine: UInt64 = .max
    /// The same, for the memory and branch paths: used through `_withUnsafeGuaranteedRef`, it
    /// costs no reference counting (a strong binding of `a53` retained and released per access).
    private(set) var a53Ref: Unmanaged<A53Timing>?
    /// A debugger's read or access watchpoint is set (DebugControl.accessWatching, kept here so
    /// the memory slow paths test a flag of their own).
    var debuggerWatching = false
    var pmuInterruptAsserted = false
    /// The translator's code (`--engine jit`), or nil to interpret only.
    var jit: JITArena?
    /// What the translator's trampoline reads on each entry.
    let jitContext: UnsafeMutablePointer<JITFrame.Context>

    init(index: Int, mpidr: UInt64, machine: Machine) {
        self.index = index
        self.mpidr = mpidr
        self.machine = machine
        self.memory = machine.memory
        state = .allocate(capacity: 1)
        state.initialize(to: CPUState())
        x = .allocate(capacity: Reg.count)
        x.initialize(repeating: 0, count: Reg.count)
        sys = .allocate(capacity: SysReg.allCases.count)
        sys.initialize(repeating: 0, count: SysReg.allCases.count)
        v = .allocate(capacity: 64)
        v.initialize(repeating: 0, count: 64)
        tlb = SoftTLB()
        tlbCurrent = tlb.table(el: 1)
        jitContext = .allocate(capacity: 1)
        jitContext.initialize(to: JITFrame.Context(registers: UnsafeMutableRawPointer(x), state: UnsafeMutableRawPointer(state),
                                                   tlb: UnsafeMutableRawPointer(tlbCurrent), entries: UnsafeMutableRawPointer(x), pageVA: 0))
        resetSystemRegisters()
    }

    deinit {
        state.deallocate()
        x.deallocate()
        sys.deallocate()
        v.deallocate()
        jitContext.deallocate()
    }

    @inline(__always) public subscript(_ r: SysReg) -> UInt64 {
        get { sys[r.rawValue] }
        set { sys[r.rawValue] = newValue }
    }

    /// Architectural reset values that software relies on (Arm ARM: "reset to an architecturally UNKNOWN
    /// value" elsewhere; we choose zero).
    func resetSystemRegisters() {
        self[.sctlrEL1] = SysRegTable.sctlrEL1Res1
        self[.sctlrEL2] = SysRegTable.sctlrEL23Res1
        self[.sctlrEL3] = SysRegTable.sctlrEL23Res1
        self[.scrEL3] = 0x430
        self[.hcrEL2] = 1 << 31
        self[.cptrEL2] = 0x33FF
        self[.tcrEL2] = 0x8080_0000
        self[.tcrEL3] = 0x8080_0000
        self[.vtcrEL2] = 0x8000_0000
        self[.vpidrEL2] = 0x410F_D034
        self[.vmpidrEL2] = mpidr
        self[.cntfrqEL0] = machine.board.counterHz
        // Cortex-A53 TRM: IMP 0x41, IDCODE 0x03, N = 6 event counters; MDCR_EL2.HPMN = N.
        self[.pmcrEL0] = 0x4103_3000
        self[.mdcrEL2] = UInt64(PMUState.counters)
        pmu = PMUState()
        // OSLSR_EL1: OSLM = 0b10 (the OS lock is implemented); OSLK is set by a cold reset.
        self[.oslsrEL1] = 0b1010
        selfDebug = SelfHostedDebug()
        debugModeSwitch = nil
        self[.midrEL1] = 0x410F_D034
        self[.mpidrEL1] = mpidr
        // Cortex-A53 r0p4 TRM reset values; L2CTLR reports the cluster's core count.
        self[.cpuactlrEL1] = 0x090C_A000
        let cluster = (0..<machine.config.cpus).filter { machine.board.mpidr($0) >> 8 == mpidr >> 8 }.count
        self[.l2ctlrEL1] = UInt64(min(max(cluster, 1), 4) - 1) << 24
        self[.rmrEL3] = 1
        warmResetRequested = false
    }

    // MARK: PSTATE and stack pointer banking

    /// The SP bank selected by (EL, SPSel).
    @inline(__always) var spBank: Int { state.pointee.spsel == 0 ? 0 : state.pointee.el }

    func readSPBank(_ bank: Int) -> UInt64 {
        if bank == spBank { return x[Reg.sp] }
        switch bank {
        case 0: return state.pointee.spEL.0
        case 1: return state.pointee.spEL.1
        case 2: return state.pointee.spEL.2
        default: return state.pointee.spEL.3
        }
    }

    func writeSPBank(_ bank: Int, _ v: UInt64) {
        if bank == spBank { x[Reg.sp] = v; return }
        switch bank {
        case 0: state.pointee.spEL.0 = v
        case 1: state.pointee.spEL.1 = v
        case 2: state.pointee.spEL.2 = v
        default: state.pointee.spEL.3 = v
        }
    }

    /// Changes EL and SPSel, swapping the live SP with its bank and selecting the EL's TLB.
    func setMode(el: Int, spsel: Int) {
        let old = spBank
        let sp = x[Reg.sp]
        switch old {
        case 0: state.pointee.spEL.0 = sp
        case 1: state.pointee.spEL.1 = sp
        case 2: state.pointee.spEL.2 = sp
        default: state.pointee.spEL.3 = sp
        }
        state.pointee.el = el
        state.pointee.spsel = spsel
        switch spBank {
        case 0: x[Reg.sp] = state.pointee.spEL.0
        case 1: x[Reg.sp] = state.pointee.spEL.1
        case 2: x[Reg.sp] = state.pointee.spEL.2
        default: x[Reg.sp] = state.pointee.spEL.3
        }
        tlbCurrent = tlb.table(el: el)
    }

    /// PSTATE packed as an SPSR value.
    public var pstate: UInt64 {
        let s = state.pointee
        return s.flags() | s.ss << 21 | s.il << 20 | s.daif | UInt64(s.el) << 2 | UInt64(s.spsel)
    }

    // MARK: Reset and boot

    /// Puts the core in its boot state for a payload entered at `el` (MMU and caches off,
    /// higher ELs configured as firmware would leave them).
    public func boot(entry: UInt64, el: Int, x0: UInt64 = 0, x1: UInt64 = 0, x2: UInt64 = 0, x3: UInt64 = 0) {
        for i in 0..<Reg.count { x[i] = 0 }
        for i in 0..<64 { v[i] = 0 }
        state.pointee = CPUState()
        resetSystemRegisters()
        tlb.flushAll()
        // Firmware below the entry EL: EL3 hands over in Non-secure state with AArch64 lower ELs,
        // HVC enabled; EL2 (when skipped) runs EL1 in AArch64 with no traps.
        if el < 3 {
            self[.scrEL3] = 0x30 | 1 | (1 << 8) | (1 << 10)
            // As the Pi's armstub and TF-A's cores set-up leave it: lower ELs may write the
            // IMPLEMENTATION DEFINED controls, and the core takes part in coherency (SMPEN).
            self[.actlrEL3] = 0x73
            self[.cpuectlrEL1] = 1 << 6
        }
        if el < 2 { self[.actlrEL2] = 0x73 }
        // EL2 state the architecture leaves UNKNOWN, as firmware hands it to a non-secure EL2
        // image (TF-A's context management, also on CPU_ON) or as skipped EL2 leaves it: EL1 has
        // the physical counter and timer (CNTHCTL_EL2.EL1PCTEN/EL1PCEN), EL1 is AArch64
        // (HCR_EL2.RW), no stage 2, no traps, CNTVOFF_EL2 = 0. resetSystemRegisters already gives
        // VPIDR/VMPIDR = MIDR/MPIDR, MDCR_EL2.HPMN = PMCR_EL0.N, CPTR_EL2's RES1 bits and ICC_SRE_EL2.Enable.
        if el < 3 {
            self[.hcrEL2] = 1 << 31; self[.cnthctlEL2] = 3; self[.vttbrEL2] = 0; self[.hstrEL2] = 0
            machine.timers.virtualOffset[index] = 0
        }
        state.pointee.el = el
        state.pointee.spsel = 1
        tlb.select(key: tlbKey)
        tlbCurrent = tlb.table(el: el)
        state.pointee.daif = 0x3C0
        state.pointee.pc = entry
        x[0] = x0; x[1] = x1; x[2] = x2; x[3] = x3
        power = .on
    }
}
