/// A virtual CPU, pinned to one physical CPU (`vcpu_affinity`), so its
/// lazily switched FP state and list registers never migrate.
final class VCPU {
    let vm: VM
    let index: Int
    let pcpu: Int
    let regs: UnsafeMutablePointer<GuestRegisters>
    var el1 = EL1Context()
    let fpState: UnsafeMutableRawPointer
    var redistributor: VirtualRedistributor! = nil

    enum Power { case off, on }
    var power = Power.off
    /// In a trapped WFI (or CPU_SUSPEND) until it has an interrupt.
    var waiting = false
    /// Virtual interrupts not yet in a list register.
    var queued: [PendingInterrupt] = []
    /// List registers while not loaded on its pCPU.
    var savedLRs: [ListRegister] = []
    /// The hardware's EL1 context and list registers, if this vCPU is loaded
    /// somewhere, predate a reset: the next load must not keep or save them.
    var contextStale = false
    /// Virtual timer held at the source by the hypervisor (Hypervisor.holdTimer).
    enum TimerHold { case none, masked, release }
    var timerHold = TimerHold.none
    /// The trapped EL1 physical timer (CNTP_CTL/CVAL, counting the physical counter).
    var ptimerControl: UInt64 = 0
    var ptimerCompare: UInt64 = 0
    /// Its PMUv3 (Core/VirtualPMU.swift).
    var pmu: VirtualPMU

    init(vm: VM, index: Int, pcpu: Int, pmuCounters: Int) {
        self.vm = vm
        self.index = index
        self.pcpu = pcpu
        pmu = VirtualPMU(counters: pmuCounters)
        regs = UnsafeMutablePointer<GuestRegisters>.allocate(capacity: 1)
        regs.initialize(to: .zero)
        fpState = UnsafeMutableRawPointer.allocate(byteCount: fpStateSize, alignment: 16)
        fpState.initializeMemory(as: UInt8.self, repeating: 0, count: fpStateSize)
        var name = Array("schedule vm".utf8)
        VCPU.appendDecimal(&name, vm.config.vmid)
        name += Array(" vcpu".utf8)
        VCPU.appendDecimal(&name, index)
        name += Array(" (".utf8) + Array(vm.config.name.utf8) + Array(")".utf8) + [0]
        timelineName = name
        redistributor = VirtualRedistributor(vcpu: self)
    }

    /// The scheduler's `--timeline` marker when it switches to this vCPU, NUL-terminated.
    let timelineName: [UInt8]

    static func appendDecimal(_ out: inout [UInt8], _ n: Int) {
        if n >= 10 { appendDecimal(&out, n / 10) }
        out.append(UInt8(48 + n % 10))
    }

    /// Virtual MPIDR: Aff0 is the vCPU index (bit 31 RES1).
    var mpidr: UInt64 { (1 << 31) | UInt64(index) }

    var runnable: Bool { power == .on && !waiting && !vm.stopped }

    /// Its VM's `priority`: on its pCPU, only the highest runnable priority runs.
    var priority: Int { vm.config.priority }

    /// Reset to the Linux boot protocol state: MMU off, EL1h, DAIF masked, x0 = `x0`.
    func reset(entry: UInt64, x0: UInt64) {
        regs.pointee = .zero
        regs[x: 0] = x0
        regs.pointee.elr = entry
        regs.pointee.spsr = SPSR.el1h | SPSR.daifMasked
        el1 = EL1Context()
        queued.removeAll()
        savedLRs.removeAll()
        ptimerControl = 0
        ptimerCompare = 0
        pmu = VirtualPMU(counters: pmu.counters)
        waiting = false
        contextStale = true
        timerHold = .none
        redistributor = VirtualRedistributor(vcpu: self)
    }

    func wake() {
        guard waiting else { return }
        waiting = false
    }

    /// Counter value (physical) at which the trapped physical timer fires, if
    /// armed and not yet raised (ISTATUS set means PPI 30 was already delivered).
    var ptimerDeadline: UInt64? {
        ptimerControl & (TimerControl.enable | TimerControl.imask | TimerControl.istatus) == TimerControl.enable
            ? ptimerCompare : nil
    }

    /// Physical counter value at which the saved virtual timer fires, if armed.
    var savedVTimerDeadline: UInt64? {
        el1.cntvCtl & TimerControl.enable != 0 && el1.cntvCtl & TimerControl.imask == 0
            ? el1.cntvCval &+ vm.counterOffset : nil
    }
}
