import Foundation

/// A process's action for one signal (the kernel's arm64 `struct sigaction`: handler, flags,
/// restorer, mask).
struct SignalAction {
    var handler: UInt64 = 0
    var flags: UInt64 = 0
    var restorer: UInt64 = 0
    var mask: UInt64 = 0

    static let ignore: UInt64 = 1
    /// SA_RESTORER: return through `restorer`; without it, through the kernel's trampoline
    /// (the vDSO's on Linux; glibc on arm64 relies on it).
    static let restorer: UInt64 = 0x0400_0000
    static let siginfo: UInt64 = 0x4, onStack: UInt64 = 0x0800_0000, restart: UInt64 = 0x1000_0000
    static let noDefer: UInt64 = 0x4000_0000, resetHand: UInt64 = 0x8000_0000
}

/// What a signal carries to its handler (`siginfo_t`): code, and the fault address or sender.
struct SignalInfo {
    var code: Int32
    var address: UInt64 = 0
    var pid: Int32 = 0
    var uid: UInt32 = 0
    var status: Int32 = 0
    /// si_value (sigqueue's payload), at the same place as SIGCHLD's status.
    var value: UInt64 = 0

    static let user: Int32 = 0, kernel: Int32 = 0x80, queue: Int32 = -1, tkill: Int32 = -6
}

/// Signals for `sim user` as Linux delivers them on arm64: actions, per-thread masks and pending
/// sets, the alternate stack, and the rt_sigframe (siginfo, ucontext with the sigcontext, an
/// FP/SIMD record and, for faults, an ESR record) that handlers see and rt_sigreturn restores.
extension UserProcess {
    enum Signal {
        static let ill: Int32 = 4, trap: Int32 = 5, abrt: Int32 = 6, bus: Int32 = 7, fpe: Int32 = 8, kill: Int32 = 9
        static let segv: Int32 = 11, alrm: Int32 = 14, chld: Int32 = 17, cont: Int32 = 18, stop: Int32 = 19
        static let count = 64
        /// Default action ignore: SIGCHLD, SIGCONT, SIGURG, SIGWINCH; stop signals cannot stop a
        /// simulated process, so they are ignored too.
        static func ignoredByDefault(_ s: Int32) -> Bool { [17, 18, 19, 20, 21, 22, 23, 28].contains(s) }
        static func bit(_ s: Int32) -> UInt64 { 1 << UInt64(s - 1) }
        static let unblockable = bit(kill) | bit(stop)
    }

    /// rt_sigframe layout (arch/arm64/kernel/signal.c): siginfo at 0, ucontext at 128 (its
    /// sigmask at +40, sigcontext at +176: fault address, x0-x30, sp, pc, pstate, then 4096
    /// reserved bytes of records from +288).
    enum Frame {
        static let size: UInt64 = 4688
        static let ucontext: UInt64 = 128, ucStack: UInt64 = 144, ucSigmask: UInt64 = 168
        static let faultAddress: UInt64 = 304, regs: UInt64 = 312, sp: UInt64 = 560, pc: UInt64 = 568, pstate: UInt64 = 576
        static let reserved: UInt64 = 592
        static let fpsimdMagic: UInt32 = 0x4650_8001, fpsimdSize: UInt32 = 528, esrMagic: UInt32 = 0x4553_5201
    }

    // MARK: Sending

    /// Makes `signal` pending on `thread` (the current one by default) with `info`.
    func post(_ signal: Int32, _ info: SignalInfo, to thread: UserThread? = nil) {
        let t = thread ?? currentThread
        if signal >= 32 { t.pendingInfo[Int(signal), default: []].append(info) }
        else if t.pending & Signal.bit(signal) == 0 { t.pendingInfo[Int(signal)] = [info] }
        t.pending |= Signal.bit(signal)
    }

    /// A signal for the whole process: the first thread that does not block it takes it.
    func postToProcess(_ signal: Int32, _ info: SignalInfo) {
        // A thread in sigwait for it first (it waits with the signal blocked), then one that does
        // not block it.
        let waiting = threads.first { t in
            if case .sigwait(let set, _) = t.wait, set & Signal.bit(signal) != 0, !t.exited { return true }
            return false
        }
        let t = waiting ?? threads.first { $0.blocked & Signal.bit(signal) == 0 && !$0.exited } ?? currentThread
        post(signal, info, to: t)
    }

    /// A synchronous fault: delivered now, or fatal when the program blocks or ignores it (as
    /// Linux forces it).
    func fault(_ signal: Int32, _ info: SignalInfo, pc: UInt64, esr: UInt64) {
        let a = actions[Int(signal)]
        if a.handler == 0 || a.handler == SignalAction.ignore || currentThread.blocked & Signal.bit(signal) != 0 {
            return terminate(by: signal, pc: pc, esr: esr)
        }
        deliver(signal, info, action: a, returnTo: pc, esr: esr)
    }

    /// Delivers the lowest pending signal the current thread does not block, if any; called where
    /// Linux would (returning from a system call, at a scheduling point).
    func deliverPending() {
        let t = currentThread
        let ready = t.pending & ~t.blocked
        guard ready != 0, exitStatus == nil else { return }
        let signal = Int32(ready.trailingZeroBitCount + 1)
        let info = t.dequeue(signal)
        let a = actions[Int(signal)]
        if a.handler == SignalAction.ignore || (a.handler == 0 && Signal.ignoredByDefault(signal)) { return deliverPending() }
        if a.handler == 0 { return terminate(by: signal, pc: core.state.pointee.pc, esr: nil) }
        deliver(signal, info, action: a, returnTo: core.state.pointee.pc, esr: nil)
    }

    /// The default action of a fatal signal: the process ends as killed by it.
    func terminate(by signal: Int32, pc: UInt64, esr: UInt64?) {
        if syscallTrace || [Signal.ill, Signal.trap, Signal.bus, Signal.fpe, Signal.segv].contains(signal) {
            let detail = esr.map { ", esr 0x" + String($0, radix: 16) } ?? ""
            UserProcess.note("sim user: guest killed by signal \(signal) at pc 0x\(String(pc, radix: 16))\(detail)\n")
        }
        killedBy = signal
        exit(128 + signal)
    }

    // MARK: The frame

    private func deliver(_ signal: Int32, _ info: SignalInfo, action a: SignalAction, returnTo pc: UInt64, esr: UInt64?) {
        let t = currentThread, x = core.x
        let sp = x[Reg.sp]
        var top = sp
        if a.flags & SignalAction.onStack != 0, t.altStackSize != 0, !onAltStack(sp) { top = t.altStackBase &+ t.altStackSize }
        guard top >= 32 + Frame.size else { return terminate(by: Signal.segv, pc: pc, esr: esr) }
        let record = (top - 16) & ~15
        let frame = (record - Frame.size) & ~15
        guard let f = guestBytes(frame, Int(top - frame)), space.allows(frame..<top, PROT_WRITE) else {
            return terminate(by: Signal.segv, pc: pc, esr: esr)
        }
        memset(f, 0, Int(record + 16 - frame))
        func put64(_ off: UInt64, _ v: UInt64) { f.storeBytes(of: v, toByteOffset: Int(off), as: UInt64.self) }
        func put32(_ off: UInt64, _ v: UInt32) { f.storeBytes(of: v, toByteOffset: Int(off), as: UInt32.self) }
        // siginfo
        put32(0, UInt32(bitPattern: signal)); put32(8, UInt32(bitPattern: info.code))
        if [Signal.ill, Signal.trap, Signal.bus, Signal.fpe, Signal.segv].contains(signal) && info.code > 0 {
            put64(16, info.address)
        } else {
            writeInfo(info, into: f)
        }
        // ucontext: the alternate stack, the mask to restore, the registers.
        put64(Frame.ucStack, t.altStackBase)
        put32(Frame.ucStack + 8, UInt32(t.altStackSize == 0 ? 2 : onAltStack(sp) ? 1 : 0))
        put64(Frame.ucStack + 16, t.altStackSize)
        put64(Frame.ucSigmask, t.maskAfterSuspend ?? t.blocked)
        t.maskAfterSuspend = nil
        put64(Frame.faultAddress, info.address)
        // An interrupted call that may restart: with SA_RESTART the handler returns to the SVC
        // again, its first argument back in x0 (Linux's -ERESTARTSYS).
        var resume = pc
        if restartable && Int64(bitPattern: x[0]) == -Errno.EINTR.rawValue && a.flags & SignalAction.restart != 0 {
            resume = pc &- 4
            x[0] = syscallArgument0
        }
        restartable = false
        for i in 0..<31 { put64(Frame.regs + UInt64(i) * 8, x[i]) }
        put64(Frame.sp, sp); put64(Frame.pc, resume); put64(Frame.pstate, core.state.pointee.flags() & 0xF000_0000)
        put32(Frame.reserved, Frame.fpsimdMagic); put32(Frame.reserved + 4, Frame.fpsimdSize)
        put32(Frame.reserved + 8, UInt32(truncatingIfNeeded: core[.fpsr])); put32(Frame.reserved + 12, UInt32(truncatingIfNeeded: core[.fpcr]))
        for i in 0..<64 { put64(Frame.reserved + 16 + UInt64(i) * 8, core.v[i]) }
        if let esr {
            let at = Frame.reserved + UInt64(Frame.fpsimdSize)
            put32(at, Frame.esrMagic); put32(at + 4, 16); put64(at + 8, esr)
        }
        // The frame record links the handler's frame to the interrupted one.
        f.storeBytes(of: x[29], toByteOffset: Int(record - frame), as: UInt64.self)
        f.storeBytes(of: x[30], toByteOffset: Int(record - frame + 8), as: UInt64.self)
        t.blocked = (t.blocked | a.mask) & ~Signal.unblockable
        if a.flags & SignalAction.noDefer == 0 { t.blocked |= Signal.bit(signal) }
        if a.flags & SignalAction.resetHand != 0 { actions[Int(signal)].handler = 0 }     // SIG_DFL; flags and mask stay
        x[0] = UInt64(signal)
        x[1] = frame
        x[2] = frame + Frame.ucontext
        x[29] = record
        x[30] = a.flags & SignalAction.restorer != 0 ? a.restorer : UserProcess.sigreturnTrampoline
        x[Reg.sp] = frame
        core.state.pointee.pc = a.handler
    }

    /// siginfo's sender fields: si_pid, si_uid, then si_status or si_value.
    func writeInfo(_ info: SignalInfo, into p: UnsafeMutableRawPointer) {
        p.storeBytes(of: info.pid, toByteOffset: 16, as: Int32.self)
        p.storeBytes(of: info.uid, toByteOffset: 20, as: UInt32.self)
        p.storeBytes(of: info.value | UInt64(UInt32(bitPattern: info.status)), toByteOffset: 24, as: UInt64.self)
    }

    func onAltStack(_ sp: UInt64) -> Bool {
        let t = currentThread
        return t.altStackSize != 0 && sp > t.altStackBase && sp - t.altStackBase <= t.altStackSize
    }

    /// rt_sigreturn: the registers, FP/SIMD state, mask and alternate stack from the frame at SP.
    func signalReturn() -> Bool {
        let x = core.x, frame = x[Reg.sp]
        guard let f = guestBytes(frame, Int(Frame.size)) else { return false }
        func get64(_ off: UInt64) -> UInt64 { f.load(fromByteOffset: Int(off), as: UInt64.self) }
        func get32(_ off: UInt64) -> UInt32 { f.load(fromByteOffset: Int(off), as: UInt32.self) }
        let pstate = get64(Frame.pstate)
        guard pstate & 0xF == 0, get32(Frame.reserved) == Frame.fpsimdMagic else { return false }
        for i in 0..<31 { x[i] = get64(Frame.regs + UInt64(i) * 8) }
        x[Reg.sp] = get64(Frame.sp)
        core.state.pointee.pc = get64(Frame.pc)
        core.state.pointee.flagOp = .materialized
        core.state.pointee.nzcv = pstate & 0xF000_0000
        core[.fpsr] = UInt64(get32(Frame.reserved + 8))
        core[.fpcr] = UInt64(get32(Frame.reserved + 12))
        for i in 0..<64 { core.v[i] = get64(Frame.reserved + 16 + UInt64(i) * 8) }
        currentThread.blocked = get64(Frame.ucSigmask) & ~Signal.unblockable
        return true
    }

    // MARK: System calls

    func signalSyscall(_ number: UInt64, _ r: UnsafeMutablePointer<UInt64>) -> Int64? {
        switch number {
        case 134: return sigaction(Int32(truncatingIfNeeded: r[0]), r[1], r[2], r[3])
        case 135: return sigprocmask(r[0], r[1], r[2], r[3])
        case 136: // rt_sigpending
            guard let p = guestBytes(r[0], 8, writable: true) else { return -Errno.EFAULT.rawValue }
            p.storeBytes(of: currentThread.pending & currentThread.blocked, as: UInt64.self)
            return 0
        case 132: return sigaltstack(r[0], r[1])
        case 138, 240: // rt_sigqueueinfo(pid, sig, info), rt_tgsigqueueinfo(pid, tid, sig, info): to this process
            let tgt = number == 138 ? nil : threads.first { $0.tid == Int32(truncatingIfNeeded: r[1]) && !$0.exited }
            let sig = Int32(truncatingIfNeeded: number == 138 ? r[1] : r[2])
            guard sig >= 1, sig <= Int32(Signal.count) else { return -Errno.EINVAL.rawValue }
            guard Int32(truncatingIfNeeded: r[0]) == getpid(), number == 138 || tgt != nil else { return -Errno.ESRCH.rawValue }
            guard let p = guestBytes(number == 138 ? r[2] : r[3], 32) else { return -Errno.EFAULT.rawValue }
            let info = SignalInfo(code: p.load(fromByteOffset: 8, as: Int32.self), pid: p.load(fromByteOffset: 16, as: Int32.self),
                                  uid: p.load(fromByteOffset: 20, as: UInt32.self), value: p.load(fromByteOffset: 24, as: UInt64.self))
            guard info.code < 0 else { return -Errno.EPERM.rawValue }     // only the kernel sends codes >= 0
            if let t = tgt { post(sig, info, to: t) } else { postToProcess(sig, info) }
            return 0
        case 137: return sigtimedwait(r[0], r[1], r[2], r[3])
        case 129: // kill: this process, or another (a host fork of the simulator) by host signal
            let pid = Int32(truncatingIfNeeded: r[0]), sig = Int32(truncatingIfNeeded: r[1])
            guard sig >= 0, sig <= Int32(Signal.count) else { return -Errno.EINVAL.rawValue }
            if pid == getpid() || pid == 0 {
                if sig != 0 { postToProcess(sig, SignalInfo(code: SignalInfo.user, pid: getpid(), uid: getuid())) }
                return 0
            }
            return Foundation.kill(pid, sig) < 0 ? -Int64(errno) : 0
        case 130, 131: // tkill(tid, sig), tgkill(tgid, tid, sig)
            let tid = Int32(truncatingIfNeeded: number == 130 ? r[0] : r[1])
            let sig = Int32(truncatingIfNeeded: number == 130 ? r[1] : r[2])
            guard sig >= 0, sig <= Int32(Signal.count) else { return -Errno.EINVAL.rawValue }
            guard let t = threads.first(where: { $0.tid == tid && !$0.exited }) else { return -Errno.ESRCH.rawValue }
            if sig != 0 { post(sig, SignalInfo(code: SignalInfo.tkill, pid: getpid(), uid: getuid()), to: t) }
            return 0
        default: return nil
        }
    }

    /// rt_sigtimedwait: takes a pending signal of the set (normally blocked) without running its
    /// handler, waiting for one up to the timeout (EAGAIN after it).
    private func sigtimedwait(_ setAddress: UInt64, _ infoAddress: UInt64, _ timeout: UInt64, _ size: UInt64) -> Int64 {
        guard size == 8 else { return -Errno.EINVAL.rawValue }
        guard let p = guestBytes(setAddress, 8) else { return -Errno.EFAULT.rawValue }
        let set = p.load(as: UInt64.self) & ~Signal.unblockable
        if let taken = takeWaited(set, info: infoAddress) { return taken }
        var deadline: UInt64? = nil
        if timeout != 0 {
            guard let ts = guestBytes(timeout, 16) else { return -Errno.EFAULT.rawValue }
            let sec = ts.load(as: Int64.self), nsec = ts.load(fromByteOffset: 8, as: Int64.self)
            guard sec >= 0, (0..<1_000_000_000).contains(nsec) else { return -Errno.EINVAL.rawValue }
            deadline = core.state.pointee.cycles &+ cycles(nanoseconds: UInt64(sec) &* 1_000_000_000 &+ UInt64(nsec))
        }
        core.x[0] = UInt64(bitPattern: -Errno.EAGAIN.rawValue)
        block(.sigwait(set: set, info: infoAddress), deadline: deadline)
        return Self.noReturn
    }

    /// The lowest pending signal of `set` for the current thread, dequeued, its siginfo written.
    func takeWaited(_ set: UInt64, info: UInt64, thread: UserThread? = nil) -> Int64? {
        let t = thread ?? currentThread
        let ready = t.pending & set
        guard ready != 0 else { return nil }
        let signal = Int32(ready.trailingZeroBitCount + 1)
        let i = t.dequeue(signal)
        if info != 0, let p = guestBytes(info, 128, writable: true) {
            memset(p, 0, 128)
            p.storeBytes(of: signal, as: Int32.self)
            p.storeBytes(of: i.code, toByteOffset: 8, as: Int32.self)
            writeInfo(i, into: p)
        }
        return Int64(signal)
    }

    private func sigaction(_ sig: Int32, _ act: UInt64, _ old: UInt64, _ size: UInt64) -> Int64 {
        guard size == 8, sig >= 1, sig <= Int32(Signal.count) else { return -Errno.EINVAL.rawValue }
        if act != 0 && (sig == Signal.kill || sig == Signal.stop) { return -Errno.EINVAL.rawValue }
        // The new action is read before the old one is written: they may be the same memory.
        var new: SignalAction? = nil
        if act != 0 {
            guard let p = guestBytes(act, 32) else { return -Errno.EFAULT.rawValue }
            new = SignalAction(handler: p.load(as: UInt64.self), flags: p.load(fromByteOffset: 8, as: UInt64.self),
                               restorer: p.load(fromByteOffset: 16, as: UInt64.self), mask: p.load(fromByteOffset: 24, as: UInt64.self))
        }
        if old != 0 {
            guard let p = guestBytes(old, 32, writable: true) else { return -Errno.EFAULT.rawValue }
            let a = actions[Int(sig)]
            for (i, v) in [a.handler, a.flags, a.restorer, a.mask].enumerated() { p.storeBytes(of: v, toByteOffset: i * 8, as: UInt64.self) }
        }
        if let n = new { actions[Int(sig)] = n }
        return 0
    }

    private func sigprocmask(_ how: UInt64, _ set: UInt64, _ old: UInt64, _ size: UInt64) -> Int64 {
        guard size == 8 else { return -Errno.EINVAL.rawValue }
        let t = currentThread
        var s: UInt64? = nil
        if set != 0 {
            guard how <= 2 else { return -Errno.EINVAL.rawValue }
            guard let p = guestBytes(set, 8) else { return -Errno.EFAULT.rawValue }
            s = p.load(as: UInt64.self) & ~Signal.unblockable
        }
        if old != 0 {
            guard let p = guestBytes(old, 8, writable: true) else { return -Errno.EFAULT.rawValue }
            p.storeBytes(of: t.blocked, as: UInt64.self)
        }
        guard let s else { return 0 }
        switch how {
        case 0: t.blocked |= s
        case 1: t.blocked &= ~s
        case 2: t.blocked = s
        default: return -Errno.EINVAL.rawValue
        }
        return 0
    }

    /// sigaltstack: stack_t is ss_sp, ss_flags (SS_ONSTACK 1, SS_DISABLE 2), ss_size.
    private func sigaltstack(_ new: UInt64, _ old: UInt64) -> Int64 {
        let t = currentThread, on = onAltStack(core.x[Reg.sp])
        if old != 0 {
            guard let p = guestBytes(old, 24, writable: true) else { return -Errno.EFAULT.rawValue }
            p.storeBytes(of: t.altStackBase, as: UInt64.self)
            p.storeBytes(of: Int32(t.altStackSize == 0 ? 2 : on ? 1 : 0), toByteOffset: 8, as: Int32.self)
            p.storeBytes(of: Int32(0), toByteOffset: 12, as: Int32.self)
            p.storeBytes(of: t.altStackSize, toByteOffset: 16, as: UInt64.self)
        }
        guard new != 0 else { return 0 }
        guard let p = guestBytes(new, 24) else { return -Errno.EFAULT.rawValue }
        guard !on else { return -Errno.EPERM.rawValue }
        let flags = p.load(fromByteOffset: 8, as: Int32.self)
        if flags & 2 != 0 { t.altStackBase = 0; t.altStackSize = 0; return 0 }
        guard flags == 0 else { return -Errno.EINVAL.rawValue }
        let size = p.load(fromByteOffset: 16, as: UInt64.self)
        guard size >= 5120 else { return -Errno.ENOMEM.rawValue }                // arm64 MINSIGSTKSZ
        t.altStackBase = p.load(as: UInt64.self)
        t.altStackSize = size
        return 0
    }
}
