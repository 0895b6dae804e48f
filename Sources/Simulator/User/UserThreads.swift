import Foundation

/// One thread of a `sim user` process: its registers while another thread has the core, its
/// signal state, and what it waits for.
final class UserThread {
    let tid: Int32
    var blocked: UInt64 = 0
    var pending: UInt64 = 0
    /// What each pending signal carries: one for a standard signal (they do not queue), every
    /// instance for a real-time one (32-64), in order.
    var pendingInfo: [Int: [SignalInfo]] = [:]

    /// Takes the oldest instance of a pending signal; its pending bit clears with the last one.
    func dequeue(_ signal: Int32) -> SignalInfo {
        var queue = pendingInfo[Int(signal)] ?? []
        let info = queue.isEmpty ? SignalInfo(code: SignalInfo.user) : queue.removeFirst()
        pendingInfo[Int(signal)] = queue.isEmpty ? nil : queue
        if queue.isEmpty { pending &= ~(1 << UInt64(signal - 1)) }
        return info
    }
    var altStackBase: UInt64 = 0, altStackSize: UInt64 = 0
    /// CLONE_CHILD_CLEARTID / set_tid_address: zeroed and futex-woken when the thread exits.
    var clearChildTID: UInt64 = 0
    var exited = false
    /// Blocked in futex wait (address, bitset), sleeping, or in sigsuspend/pause; with an
    /// optional deadline in simulated cycles.
    enum Wait { case futex(address: UInt64, bitset: UInt32), sleep, signal, sigwait(set: UInt64, info: UInt64) }
    var wait: Wait?
    var deadline: UInt64?
    /// FIFO order among futex waiters.
    var waitSequence: UInt64 = 0
    /// sigsuspend's caller mask: what the frame of the signal that ends it restores.
    var maskAfterSuspend: UInt64?

    var x = [UInt64](repeating: 0, count: Reg.sp + 1)
    var v = [UInt64](repeating: 0, count: 64)
    var pc: UInt64 = 0, nzcv: UInt64 = 0, tpidr: UInt64 = 0, fpcr: UInt64 = 0, fpsr: UInt64 = 0

    init(tid: Int32) { self.tid = tid }
}

/// Threads for `sim user`: clone with a shared address space, futexes, and a deterministic
/// scheduler on the one simulated core (switches at blocking calls, sched_yield, thread exit,
/// and every `timeSlice` cycles), so the same program and input give the same run.
extension UserProcess {
    static let timeSlice: UInt64 = 200_000

    enum Clone {
        static let vm: UInt64 = 0x100, thread: UInt64 = 0x10000, setTLS: UInt64 = 0x80000
        static let parentSetTID: UInt64 = 0x10_0000, childClearTID: UInt64 = 0x20_0000, childSetTID: UInt64 = 0x100_0000
    }

    // MARK: Switching

    private func save(_ t: UserThread) {
        for i in 0...Reg.sp { t.x[i] = core.x[i] }
        for i in 0..<64 { t.v[i] = core.v[i] }
        t.pc = core.state.pointee.pc
        t.nzcv = core.state.pointee.flags()
        t.tpidr = core[.tpidrEL0]
        t.fpcr = core[.fpcr]
        t.fpsr = core[.fpsr]
    }

    private func load(_ t: UserThread) {
        for i in 0...Reg.sp { core.x[i] = t.x[i] }
        for i in 0..<64 { core.v[i] = t.v[i] }
        core.state.pointee.pc = t.pc
        core.state.pointee.flagOp = .materialized
        core.state.pointee.nzcv = t.nzcv
        core.state.pointee.exclusiveAddr = .max          // a context switch clears the monitor
        core[.tpidrEL0] = t.tpidr
        core[.fpcr] = t.fpcr
        core[.fpsr] = t.fpsr
    }

    /// Gives the core to the next runnable thread after the current one (round robin), waking
    /// sleepers whose deadline passed; when every thread waits, simulated time jumps to the
    /// earliest deadline, and with none the process is deadlocked (reported, status 1).
    func schedule() {
        // A loop, not recursion: a periodic timer nobody handles may tick many times.
        while exitStatus == nil {
            let now = core.state.pointee.cycles
            for t in threads where !t.exited && t.wait != nil {
                if case .sigwait(let set, let info) = t.wait, let signal = takeWaited(set, info: info, thread: t) {
                    finishWait(t, signal)
                } else if let d = t.deadline, d <= now { timeOut(t) }
                else if hasActionableSignal(t) { interrupt(t) }
            }
            let start = threads.firstIndex { $0 === currentThread } ?? 0
            for step in 1...threads.count {
                let t = threads[(start + step) % threads.count]
                if !t.exited && t.wait == nil {
                    if t !== currentThread {
                        if !currentThread.exited { save(currentThread) }
                        load(t)
                        currentThread = t
                    }
                    sliceEnd = core.state.pointee.cycles &+ Self.timeSlice
                    return deliverPending()
                }
            }
            // Nothing runs: time jumps to the next deadline, a waiting thread's or an interval timer's.
            let timer = timers.compactMap { $0.deadline }.min()
            let wake = threads.compactMap { $0.exited ? nil : $0.deadline }.min()
            if let t = timer, t <= (wake ?? .max) {
                core.state.pointee.cycles = max(now, t)
                checkTimers()
            } else if let w = wake {
                core.state.pointee.cycles = max(now, w)
            } else if hostSignals >= 0 {
                // Only a signal from outside can end the wait (a child's SIGCHLD, a kill): as
                // under Linux, the process sleeps until one comes.
                takeHostSignals(wait: true)
            } else {
                UserProcess.note("sim user: every thread waits and nothing can wake one (deadlock)\n")
                return exit(1)
            }
        }
    }

    /// A waiting thread's deadline passed: its call returns ETIMEDOUT (a sleep returns 0).
    private func timeOut(_ t: UserThread) {
        switch t.wait {
        case .sleep: finishWait(t, 0)
        case .signal:                                   // ppoll without descriptors: 0, its mask undone
            if let m = t.maskAfterSuspend { t.blocked = m; t.maskAfterSuspend = nil }
            finishWait(t, 0)
        case .sigwait: finishWait(t, -Errno.EAGAIN.rawValue)
        default: finishWait(t, -Int64(ETIMEDOUT))
        }
    }

    /// A signal arrived for a waiting thread: its call returns EINTR (sigsuspend's mask comes
    /// back when the handler returns, through the frame).
    private func interrupt(_ t: UserThread) {
        finishWait(t, -Errno.EINTR.rawValue)
    }

    private func finishWait(_ t: UserThread, _ result: Int64) {
        t.wait = nil
        t.deadline = nil
        if t === currentThread { core.x[0] = UInt64(bitPattern: result) } else { t.x[0] = UInt64(bitPattern: result) }
    }

    /// Blocks the current thread and runs another.
    func block(_ wait: UserThread.Wait, deadline: UInt64?) {
        currentThread.wait = wait
        currentThread.deadline = deadline
        waitCounter &+= 1
        currentThread.waitSequence = waitCounter
        schedule()
    }

    /// Called by the machine between quanta: timers, and preemption at the end of a slice.
    func quantumEnded() {
        guard exitStatus == nil else { return }
        checkTimers()
        quantaSinceSignals += 1
        if quantaSinceSignals >= 8 { quantaSinceSignals = 0; takeHostSignals(wait: false) }
        if core.state.pointee.cycles >= sliceEnd || threads.contains(where: { $0.wait != nil && ($0.deadline.map { $0 <= core.state.pointee.cycles } ?? false) }) {
            schedule()
        } else {
            deliverPending()
        }
    }

    // MARK: System calls

    func threadSyscall(_ number: UInt64, _ r: UnsafeMutablePointer<UInt64>) -> Int64? {
        switch number {
        case 98: return futex(r[0], op: r[1], value: UInt32(truncatingIfNeeded: r[2]), timeout: r[3], address2: r[4], value3: UInt32(truncatingIfNeeded: r[5]))
        case 96: currentThread.clearChildTID = r[0]; return Int64(currentThread.tid)   // set_tid_address
        case 178: return Int64(currentThread.tid)                                        // gettid
        case 124: core.x[0] = 0; schedule(); return Self.noReturn                          // sched_yield
        case 99: return 0                                                                 // set_robust_list
        case 133: // rt_sigsuspend: the mask replaced until a signal's handler returns
            guard r[1] == 8 else { return -Errno.EINVAL.rawValue }
            guard let p = guestBytes(r[0], 8) else { return -Errno.EFAULT.rawValue }
            currentThread.maskAfterSuspend = currentThread.blocked
            currentThread.blocked = p.load(as: UInt64.self) & ~Signal.unblockable
            core.x[0] = 0
            block(.signal, deadline: nil)
            return Self.noReturn
        default: return nil
        }
    }

    func cloneThread(_ r: UnsafeMutablePointer<UInt64>) -> Int64 {
        let flags = r[0]
        guard flags & Clone.vm != 0 else { return -Errno.EINVAL.rawValue }
        nextTID += 1
        let t = UserThread(tid: nextTID)
        save(t)
        t.x[0] = 0
        if r[1] != 0 { t.x[Reg.sp] = r[1] }
        if flags & Clone.setTLS != 0 { t.tpidr = r[3] }
        t.blocked = currentThread.blocked
        if flags & Clone.parentSetTID != 0, let p = guestBytes(r[2], 4, writable: true) { p.storeBytes(of: t.tid, as: Int32.self) }
        if flags & Clone.childSetTID != 0, let p = guestBytes(r[4], 4, writable: true) { p.storeBytes(of: t.tid, as: Int32.self) }
        if flags & Clone.childClearTID != 0 { t.clearChildTID = r[4] }
        threads.append(t)
        return Int64(t.tid)
    }

    /// exit: the thread ends (its clear-child-tid word zeroed and woken, as glibc's join needs);
    /// the last one ends the process.
    func exitThread(_ status: Int32) {
        let t = currentThread
        if t.clearChildTID != 0, let p = guestBytes(t.clearChildTID, 4, writable: true) {
            p.storeBytes(of: Int32(0), as: Int32.self)
            _ = wake(t.clearChildTID, count: 1, bitset: ~0)
        }
        t.exited = true
        guard threads.contains(where: { !$0.exited }) else { return exit(status) }
        schedule()
    }

    /// futex: WAIT(_BITSET), WAKE(_BITSET), REQUEUE, CMP_REQUEUE, WAKE_OP, on the user address
    /// (private and shared alike: there is one address space).
    private func futex(_ address: UInt64, op: UInt64, value: UInt32, timeout: UInt64, address2: UInt64, value3: UInt32) -> Int64 {
        let command = op & 127, realtime = op & 256 != 0
        guard address & 3 == 0 else { return -Errno.EINVAL.rawValue }
        guard let word = guestBytes(address, 4) else { return -Errno.EFAULT.rawValue }
        switch command {
        case 0, 9: // WAIT, WAIT_BITSET
            let bitset = command == 0 ? ~UInt32(0) : value3
            guard bitset != 0 else { return -Errno.EINVAL.rawValue }
            guard word.load(as: UInt32.self) == value else { return -Errno.EAGAIN.rawValue }
            var deadline: UInt64? = nil
            if timeout != 0 {
                guard let ts = guestBytes(timeout, 16) else { return -Errno.EFAULT.rawValue }
                let sec = ts.load(as: Int64.self), nsec = ts.load(fromByteOffset: 8, as: Int64.self)
                guard sec >= 0, (0..<1_000_000_000).contains(nsec) else { return -Errno.EINVAL.rawValue }
                var ns = UInt64(sec) &* 1_000_000_000 &+ UInt64(nsec)
                if command == 9 {                               // absolute, on CLOCK_MONOTONIC or REALTIME
                    let now = realtime ? realtimeNanoseconds() : simulatedNanoseconds()
                    ns = ns > now ? ns - now : 0
                }
                deadline = core.state.pointee.cycles &+ cycles(nanoseconds: ns)
            }
            core.x[0] = 0
            block(.futex(address: address, bitset: bitset), deadline: deadline)
            return Self.noReturn
        case 1, 10: // WAKE, WAKE_BITSET
            let bitset = command == 1 ? ~UInt32(0) : value3
            guard bitset != 0 else { return -Errno.EINVAL.rawValue }
            return Int64(wake(address, count: Int(value), bitset: bitset))
        case 3, 4: // REQUEUE, CMP_REQUEUE
            if command == 4 && word.load(as: UInt32.self) != value3 { return -Errno.EAGAIN.rawValue }
            let woken = wake(address, count: Int(value), bitset: ~0)
            var moved = 0
            for t in waiters(address) where moved < Int(UInt32(truncatingIfNeeded: timeout)) {
                t.wait = .futex(address: address2, bitset: ~0)
                moved += 1
            }
            return Int64(woken + moved)
        case 5: // WAKE_OP
            guard let word2 = guestBytes(address2, 4, writable: true) else { return -Errno.EFAULT.rawValue }
            let old = word2.load(as: Int32.self)
            var oparg = Int32(Int16(truncatingIfNeeded: (value3 >> 12 & 0xFFF) << 4) >> 4)
            let cmparg = Int32(Int16(truncatingIfNeeded: (value3 & 0xFFF) << 4) >> 4)
            if value3 >> 31 != 0 { oparg = 1 << (oparg & 31) }
            let new: Int32
            switch (value3 >> 28) & 7 {
            case 0: new = oparg
            case 1: new = old &+ oparg
            case 2: new = old | oparg
            case 3: new = old & ~oparg
            case 4: new = old ^ oparg
            default: return -Errno.ENOSYS.rawValue
            }
            word2.storeBytes(of: new, as: Int32.self)
            var woken = wake(address, count: Int(value), bitset: ~0)
            let hit: Bool
            switch (value3 >> 24) & 15 {
            case 0: hit = old == cmparg
            case 1: hit = old != cmparg
            case 2: hit = old < cmparg
            case 3: hit = old <= cmparg
            case 4: hit = old > cmparg
            case 5: hit = old >= cmparg
            default: return -Errno.ENOSYS.rawValue
            }
            if hit { woken += wake(address2, count: Int(UInt32(truncatingIfNeeded: timeout)), bitset: ~0) }
            return Int64(woken)
        default:
            return -Errno.ENOSYS.rawValue                        // priority-inheritance futexes
        }
    }

    /// Threads waiting on `address`, in the order they started waiting.
    private func waiters(_ address: UInt64, bitset: UInt32 = ~0) -> [UserThread] {
        threads.filter { t in
            if case .futex(let a, let b) = t.wait, a == address, b & bitset != 0 { return true }
            return false
        }.sorted { $0.waitSequence < $1.waitSequence }
    }

    /// Wakes up to `count` waiters of `address` whose bitset meets `bitset`; how many woke.
    func wake(_ address: UInt64, count: Int, bitset: UInt32) -> Int {
        let woken = waiters(address, bitset: bitset).prefix(max(count, 1))     // 0 wakes one, as Linux counts
        for t in woken { finishWait(t, 0) }
        return woken.count
    }

    // MARK: Time

    /// Whether a signal the thread does not block would do something (run a handler or end the
    /// process): what interrupts a wait.
    func hasActionableSignal(_ t: UserThread) -> Bool {
        var ready = t.pending & ~t.blocked
        while ready != 0 {
            let s = Int32(ready.trailingZeroBitCount + 1)
            let a = actions[Int(s)]
            if a.handler != SignalAction.ignore && !(a.handler == 0 && Signal.ignoredByDefault(s)) { return true }
            ready &= ready - 1
        }
        return false
    }

}
