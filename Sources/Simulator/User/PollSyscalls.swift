import Foundation

/// ppoll and pselect6 on host descriptors (guest descriptors are host ones). A call that has to
/// wait waits on the host, together with the signalfd of forwarded host signals, so a child's
/// SIGCHLD or a SIGINT ends it with EINTR as under Linux; the timeout is host time. Without
/// descriptors, ppoll is a pause in simulated time (its timeout too).
extension UserProcess {
    /// struct pollfd is { int fd; short events; short revents; } on both sides.
    func ppoll(_ r: UnsafeMutablePointer<UInt64>) -> Int64 {
        let count = Int(truncatingIfNeeded: r[1])
        guard count >= 0, count <= 4096 else { return -Errno.EINVAL.rawValue }
        var fds = [pollfd](repeating: pollfd(), count: count)
        if count > 0 {
            guard let p = guestBytes(r[0], 8 * count) else { return -Errno.EFAULT.rawValue }
            for i in 0..<count { fds[i] = p.load(fromByteOffset: 8 * i, as: pollfd.self) }
        }
        guard let timeout = timeoutNanoseconds(r[2]) else { return -Errno.EINVAL.rawValue }
        guard let mask = temporaryMask(r[3], size: r[4]) else { return -Errno.EFAULT.rawValue }
        if count == 0 {
            if let m = mask { currentThread.maskAfterSuspend = currentThread.blocked; currentThread.blocked = m }
            core.x[0] = 0
            block(.signal, deadline: timeout.map { core.state.pointee.cycles &+ cycles(nanoseconds: $0) })
            return Self.noReturn
        }
        let n = hostWait(&fds, timeout: timeout, mask: mask)
        if n >= 0, let p = guestBytes(r[0], 8 * count, writable: true) {
            for i in 0..<count { p.storeBytes(of: fds[i].revents, toByteOffset: 8 * i + 6, as: Int16.self) }
        }
        return n
    }

    /// pselect6(nfds, readfds, writefds, exceptfds, timeout, {sigmask*, size}): fd_sets are bit
    /// arrays of 64-bit words on both sides; answered through ppoll's wait.
    func pselect(_ r: UnsafeMutablePointer<UInt64>) -> Int64 {
        let nfds = Int(truncatingIfNeeded: r[0])
        guard nfds >= 0, nfds <= 1024 else { return -Errno.EINVAL.rawValue }
        let words = (nfds + 63) / 64
        var sets: [[UInt64]] = []
        for k in 1...3 {
            guard r[k] != 0 else { sets.append([UInt64](repeating: 0, count: words)); continue }
            guard let p = guestBytes(r[k], 8 * words) else { return -Errno.EFAULT.rawValue }
            sets.append((0..<words).map { p.load(fromByteOffset: 8 * $0, as: UInt64.self) })
        }
        var fds: [pollfd] = []
        for fd in 0..<nfds {
            let bit = UInt64(1) << UInt64(fd % 64)
            var events: Int16 = 0
            if sets[0][fd / 64] & bit != 0 { events |= Int16(POLLIN) }
            if sets[1][fd / 64] & bit != 0 { events |= Int16(POLLOUT) }
            if sets[2][fd / 64] & bit != 0 { events |= Int16(POLLPRI) }
            if events != 0 { fds.append(pollfd(fd: Int32(fd), events: events, revents: 0)) }
        }
        guard let timeout = timeoutNanoseconds(r[4]) else { return -Errno.EINVAL.rawValue }
        var mask: UInt64?? = .some(nil)
        if r[5] != 0 {
            guard let p = guestBytes(r[5], 16) else { return -Errno.EFAULT.rawValue }
            mask = temporaryMask(p.load(as: UInt64.self), size: p.load(fromByteOffset: 8, as: UInt64.self))
        }
        guard let m = mask else { return -Errno.EFAULT.rawValue }
        let n = hostWait(&fds, timeout: timeout, mask: m)
        guard n >= 0 else { return n }
        var out = [[UInt64]](repeating: [UInt64](repeating: 0, count: words), count: 3)
        var ready: Int64 = 0
        for f in fds {
            let w = Int(f.fd) / 64, bit = UInt64(1) << UInt64(f.fd % 64)
            if f.revents & Int16(POLLIN | POLLHUP | POLLERR) != 0 && f.events & Int16(POLLIN) != 0 { out[0][w] |= bit; ready += 1 }
            if f.revents & Int16(POLLOUT | POLLERR) != 0 && f.events & Int16(POLLOUT) != 0 { out[1][w] |= bit; ready += 1 }
            if f.revents & Int16(POLLPRI) != 0 && f.events & Int16(POLLPRI) != 0 { out[2][w] |= bit; ready += 1 }
        }
        for k in 1...3 where r[k] != 0 {
            guard let p = guestBytes(r[k], 8 * words, writable: true) else { return -Errno.EFAULT.rawValue }
            for i in 0..<words { p.storeBytes(of: out[k - 1][i], toByteOffset: 8 * i, as: UInt64.self) }
        }
        return ready
    }

    /// Before a host call that may block on `fd` (a pipe, a terminal): waits until it is ready, or
    /// until a signal the thread takes arrives — forwarded from the host, or raised by an interval
    /// timer, whose expiry in simulated time is waited for as host time — and then returns -EINTR
    /// (restarted after a handler with SA_RESTART, as Linux restarts such calls). nil: go ahead.
    func waitForDescriptor(_ fd: Int32, events: Int32) -> Int64? {
        var p = [pollfd(fd: fd, events: Int16(events), revents: 0)]
        if poll(&p, 1, 0) != 0 { return nil }                          // ready, or an error the call reports
        let flags = fcntl(fd, F_GETFL)
        if flags < 0 || flags & O_NONBLOCK != 0 { return nil }         // the call itself answers (EAGAIN)
        if hostSignals >= 0 { p.append(pollfd(fd: hostSignals, events: Int16(POLLIN), revents: 0)) }
        while true {
            if hasActionableSignal(currentThread) { restartable = true; return -Errno.EINTR.rawValue }
            let now = core.state.pointee.cycles
            let timer = timers.compactMap { $0.deadline }.min()
            let limit = timer.map { Int32(clamping: ($0 > now ? $0 - now : 0) / max(machine.board.cpuHz / 1000, 1)) } ?? -1
            let n = poll(&p, nfds_t(p.count), limit)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return nil }
            if p[0].revents != 0 { return nil }
            if p.count > 1 && p[1].revents != 0 { takeHostSignals(wait: false); p[1].revents = 0; continue }
            if n == 0, let t = timer { core.state.pointee.cycles = max(now, t); checkTimers() }
        }
    }

    /// A struct timespec timeout in nanoseconds; nil inside for "no timeout", nil outside when malformed.
    private func timeoutNanoseconds(_ address: UInt64) -> UInt64?? {
        guard address != 0 else { return .some(nil) }
        guard let p = guestBytes(address, 16) else { return nil }
        let sec = p.load(as: Int64.self), nsec = p.load(fromByteOffset: 8, as: Int64.self)
        guard sec >= 0, (0..<1_000_000_000).contains(nsec) else { return nil }
        return .some(UInt64(sec) &* 1_000_000_000 &+ UInt64(nsec))
    }

    /// The signal mask a call waits with (nil inside: the thread's own), nil outside when unreadable.
    private func temporaryMask(_ address: UInt64, size: UInt64) -> UInt64?? {
        guard address != 0 else { return .some(nil) }
        guard size == 8, let p = guestBytes(address, 8) else { return nil }
        return .some(p.load(as: UInt64.self) & ~Signal.unblockable)
    }

    /// Polls `fds` on the host, waiting up to `timeout` (nil: no limit) unless a signal the
    /// thread takes is pending or arrives (then -EINTR, the signal delivered as the call returns).
    private func hostWait(_ fds: inout [pollfd], timeout: UInt64?, mask: UInt64?) -> Int64 {
        let saved = currentThread.blocked
        if let m = mask { currentThread.blocked = m }
        defer {
            if hasActionableSignal(currentThread) && mask != nil { currentThread.maskAfterSuspend = saved } else { currentThread.blocked = saved }
        }
        var all = fds + (hostSignals >= 0 ? [pollfd(fd: hostSignals, events: Int16(POLLIN), revents: 0)] : [])
        let limit = timeout.map { Int32(clamping: $0 / 1_000_000 + ($0 % 1_000_000 == 0 ? 0 : 1)) } ?? -1
        while true {
            if hasActionableSignal(currentThread) { return -Errno.EINTR.rawValue }
            let n = poll(&all, nfds_t(all.count), limit)
            if n < 0 && errno == EINTR { continue }
            if n < 0 { return -Int64(errno) }
            for i in fds.indices { fds[i].revents = all[i].revents }
            // A timeout is a wait the program can measure: simulated time passes by it too.
            if n == 0, let t = timeout { core.state.pointee.cycles &+= cycles(nanoseconds: t) }
            let signalled = hostSignals >= 0 && all[all.count - 1].revents != 0
            if signalled {
                takeHostSignals(wait: false)
                all[all.count - 1].revents = 0
                let ready = fds.filter { $0.revents != 0 }.count
                if ready > 0 { return Int64(ready) }
                if hasActionableSignal(currentThread) { return -Errno.EINTR.rawValue }
                continue
            }
            return Int64(n)
        }
    }
}
