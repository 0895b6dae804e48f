/// Why a debugged core stopped.
public enum DebugStop: Equatable {
    case breakpoint
    case step
    /// A watchpoint at this virtual address: written (its bytes changed), read, or either.
    case watchpoint(UInt64, WatchKind)
    /// The debugger asked (Ctrl-C), or the run is starting halted.
    case interrupt
}

/// What a debugger's watchpoint watches (gdb's Z2, Z3, Z4).
public enum WatchKind: Equatable {
    case write, read, access
}

/// Run control an attached debugger (the gdb stub) sets on the machine: breakpoints by virtual
/// address (any core, any EL, as QEMU's gdbstub has them), write watchpoints by physical address,
/// and single-stepping of one core. While any is set, the interpreter runs blocks of one
/// instruction and calls `beforeInstruction` before each; otherwise it pays one test per block. Guest-visible state is never touched: no
/// breakpoint instruction is written, and a stop pauses the run where it is, so the guest
/// computes exactly what it computes undebugged.
public final class DebugControl {
    public private(set) var breakpoints: Set<UInt64> = []

    struct Watchpoint {
        let va: UInt64, pa: UInt64, length: Int, kind: WatchKind
        var last: [UInt8]
    }
    private(set) var watchpoints: [Watchpoint] = []

    /// Read and access watchpoints see loads through the slow path: the soft TLB marks the tags
    /// of the pages they are in (TLBEntry.slowPath). So that the run stays the same, an access a
    /// marked entry serves costs what the fast path costs: no walk. Write watchpoints compare
    /// values instead.
    private(set) var accessWatching = false
    private(set) var watchedPages: Set<UInt64> = []
    /// A read or access watchpoint hit by the core's last instruction, reported before its next.
    private var pendingHit: (core: Int, va: UInt64, kind: WatchKind)?
    /// Set by the machine: marks (true) or unmarks (false) the tags of `watchedPages` in every
    /// core's soft TLB.
    var onWatchedPagesChanged: ((_ withhold: Bool) -> Void)?
    /// The core to stop after its next instruction; `stepArmed` once that instruction has begun.
    private var stepCore: Int?
    private var stepArmed = false

    /// Called when a core stops (at an instruction boundary, before the instruction at its PC);
    /// returns when the debugger resumes. The core's registers and PC may have been changed.
    public var onStop: ((Core, DebugStop) -> Void)?

    /// Cores run the debug variant of the interpreter.
    public private(set) var active = false

    let memory: PhysicalMemory

    init(memory: PhysicalMemory) { self.memory = memory }

    public func insertBreakpoint(_ va: UInt64) { breakpoints.insert(va) }
    public func removeBreakpoint(_ va: UInt64) { breakpoints.remove(va) }

    /// Watches [va, va + length) at the physical address it has now (false: not RAM there).
    public func insertWatchpoint(va: UInt64, pa: UInt64, length: Int, kind: WatchKind = .write) -> Bool {
        guard let bytes = memory.read(pa, count: length) else { return false }
        watchpoints.append(Watchpoint(va: va, pa: pa, length: length, kind: kind, last: bytes))
        updateWatchedPages()
        return true
    }

    public func removeWatchpoint(va: UInt64, length: Int, kind: WatchKind = .write) {
        watchpoints.removeAll { $0.va == va && $0.length == length && $0.kind == kind }
        updateWatchedPages()
    }

    public func removeAll() {
        breakpoints = []
        watchpoints = []
        stepCore = nil
        updateWatchedPages()
    }

    private func updateWatchedPages() {
        var pages: Set<UInt64> = []
        for w in watchpoints where w.kind != .write {
            for p in stride(from: w.pa & ~0xFFF, through: (w.pa &+ UInt64(w.length) &- 1) & ~0xFFF, by: 0x1000) { pages.insert(p) }
        }
        guard pages != watchedPages else { return }
        if accessWatching { onWatchedPagesChanged?(false) }
        watchedPages = pages
        accessWatching = !pages.isEmpty
        if accessWatching { onWatchedPagesChanged?(true) }
    }

    /// A slow-path access by `core` to [pa, pa + size): a read or access watchpoint it touches
    /// stops the core before its next instruction.
    func noteAccess(core: Int, pa: UInt64, size: Int, write: Bool) {
        for w in watchpoints where w.kind == .access || (w.kind == .read && !write) {
            if pa < w.pa &+ UInt64(w.length) && w.pa < pa &+ UInt64(size) {
                pendingHit = (core, w.va, w.kind)
                return
            }
        }
    }

    /// Sets what the cores do when the debugger resumes them: `step` names a core to stop after
    /// one instruction; `from` is the core stopped inside its instruction loop (nil: stopped
    /// between quanta), whose pending instruction is the one a step of it executes.
    public func resume(step: Int?, from: Int?) {
        stepCore = step
        stepArmed = step != nil && step == from
        for i in watchpoints.indices {
            watchpoints[i].last = memory.read(watchpoints[i].pa, count: watchpoints[i].length) ?? watchpoints[i].last
        }
        let wasActive = active
        active = !breakpoints.isEmpty || !watchpoints.isEmpty || stepCore != nil
        // Fused compare-and-branch slots would hide the branch from breakpoints and steps.
        if active && !wasActive { memory.forgetDecodedCode() }
    }

    /// Debug mode's one-instruction blocks: a page of `debugStop` slots holding one instruction.
    private let scratch: UnsafeMutablePointer<Insn> = {
        let p = UnsafeMutablePointer<Insn>.allocate(capacity: 1025)
        p.initialize(repeating: .debugStop, count: 1024)
        (p + 1024).initialize(to: .pageEnd)
        return p
    }()
    private var scratchSlot = 0
    /// The real page of the last one-instruction block (where a cut-short block goes on).
    var lastBlock: (core: Int, pageVA: UInt64, page: UnsafeMutablePointer<Insn>, host: UnsafeMutableRawPointer)?

    deinit { scratch.deallocate() }

    /// The scratch page with `insn` in slot `i` (and no other instruction).
    func scratchPage(holding insn: Insn, at i: Int) -> UnsafeMutablePointer<Insn> {
        scratch[scratchSlot] = .debugStop
        scratch[i] = insn
        scratchSlot = i
        return scratch
    }

    /// Asked by the interpreter before each instruction of `core` (at `state.pc`) while active:
    /// true when the core stopped and resumed here; its registers and PC may have changed.
    @discardableResult
    func beforeInstruction(_ core: Core) -> Bool {
        var reason: DebugStop?
        if stepCore == core.index {
            if stepArmed { reason = .step } else { stepArmed = true }
        }
        if reason == nil, breakpoints.contains(core.state.pointee.pc) { reason = .breakpoint }
        if reason == nil, let hit = pendingHit, hit.core == core.index {
            pendingHit = nil
            reason = .watchpoint(hit.va, hit.kind)
        }
        if reason == nil {
            for i in watchpoints.indices where watchpoints[i].kind == .write {
                let now = memory.read(watchpoints[i].pa, count: watchpoints[i].length) ?? watchpoints[i].last
                if now != watchpoints[i].last {
                    watchpoints[i].last = now
                    reason = .watchpoint(watchpoints[i].va, .write)
                    break
                }
            }
        }
        guard let reason, let onStop else { return false }
        stepCore = nil
        onStop(core, reason)
        return true
    }
}
