import Foundation

/// Time for `sim user`: the wall clocks (CLOCK_REALTIME and its variants, gettimeofday) come
/// from the host; every other clock, sleeps, interval timers and CPU-time accounting run on
/// simulated time (cycles at the board's clock), so a run's instruction count and output do not
/// depend on the host's speed.
extension UserProcess {
    func timeSyscall(_ number: UInt64, _ r: UnsafeMutablePointer<UInt64>) -> Int64? {
        switch number {
        case 113, 114: // clock_gettime, clock_getres
            let clock = Int32(truncatingIfNeeded: r[0])
            guard (0...11).contains(clock), clock != 10 else { return -Errno.EINVAL.rawValue }
            guard r[1] != 0 else { return 0 }
            guard let p = guestBytes(r[1], 16, writable: true) else { return -Errno.EFAULT.rawValue }
            let ns = number == 114 ? 1 : [0, 5, 8, 11].contains(clock) ? realtimeNanoseconds() : simulatedNanoseconds()
            p.storeBytes(of: Int64(ns / 1_000_000_000), as: Int64.self)
            p.storeBytes(of: Int64(ns % 1_000_000_000), toByteOffset: 8, as: Int64.self)
            return 0
        case 169: // gettimeofday
            if r[0] != 0 {
                guard let p = guestBytes(r[0], 16, writable: true) else { return -Errno.EFAULT.rawValue }
                let ns = realtimeNanoseconds()
                p.storeBytes(of: Int64(ns / 1_000_000_000), as: Int64.self)
                p.storeBytes(of: Int64(ns % 1_000_000_000 / 1000), toByteOffset: 8, as: Int64.self)
            }
            return 0
        case 101, 115: // nanosleep, clock_nanosleep: the thread sleeps in simulated time
            let ts = number == 101 ? r[0] : r[2]
            guard let p = guestBytes(ts, 16) else { return -Errno.EFAULT.rawValue }
            let sec = p.load(as: Int64.self), nsec = p.load(fromByteOffset: 8, as: Int64.self)
            guard sec >= 0, (0..<1_000_000_000).contains(nsec) else { return -Errno.EINVAL.rawValue }
            var ns = UInt64(sec).multipliedFullWidth(by: 1_000_000_000).low &+ UInt64(nsec)
            if number == 115 && r[1] & 1 != 0 {                 // TIMER_ABSTIME
                let now = [0, 5, 8, 11].contains(r[0]) ? realtimeNanoseconds() : simulatedNanoseconds()
                ns = ns > now ? ns - now : 0
            }
            core.x[0] = 0
            block(.sleep, deadline: core.state.pointee.cycles &+ cycles(nanoseconds: ns))
            return Self.noReturn
        case 165: // getrusage: user time is simulated time (the process runs all the time), the rest zero
            guard let p = guestBytes(r[1], 144, writable: true) else { return -Errno.EFAULT.rawValue }
            memset(p, 0, 144)
            if Int32(truncatingIfNeeded: r[0]) == 0 || Int32(truncatingIfNeeded: r[0]) == 1 {   // SELF, THREAD
                let us = simulatedNanoseconds() / 1000
                p.storeBytes(of: Int64(us / 1_000_000), as: Int64.self)
                p.storeBytes(of: Int64(us % 1_000_000), toByteOffset: 8, as: Int64.self)
            }
            return 0
        case 153: // times: clock ticks (100 Hz) of simulated time
            let ticks = Int64(simulatedNanoseconds() / 10_000_000)
            if r[0] != 0 {
                guard let p = guestBytes(r[0], 32, writable: true) else { return -Errno.EFAULT.rawValue }
                memset(p, 0, 32)
                p.storeBytes(of: ticks, as: Int64.self)
            }
            return ticks
        case 102, 103: return itimer(number == 103, which: r[0], new: r[1], old: r[2])
        default: return nil
        }
    }

    /// Cycles for a duration; saturating (a "forever" timeout of ~2^63 ns stays one).
    func cycles(nanoseconds ns: UInt64) -> UInt64 {
        let hz = machine.board.cpuHz
        guard ns / 1_000_000_000 < UInt64.max / 4 / max(hz, 1) else { return UInt64.max / 4 }
        return ns / 1_000_000_000 &* hz &+ ns % 1_000_000_000 &* hz / 1_000_000_000
    }

    func simulatedNanoseconds() -> UInt64 {
        let c = core.state.pointee.cycles, hz = machine.board.cpuHz
        return c / hz &* 1_000_000_000 &+ c % hz &* 1_000_000_000 / hz
    }

    func realtimeNanoseconds() -> UInt64 {
        var ts = timespec()
        clock_gettime(CLOCK_REALTIME, &ts)
        return UInt64(ts.tv_sec) &* 1_000_000_000 &+ UInt64(ts.tv_nsec)
    }

    /// Interval timers on simulated time: ITIMER_REAL (SIGALRM), ITIMER_VIRTUAL (SIGVTALRM) and
    /// ITIMER_PROF (SIGPROF) alike, since the simulated process runs all the time.
    /// `struct itimerval`: interval then value, each seconds and microseconds.
    func itimer(_ set: Bool, which: UInt64, new: UInt64, old: UInt64) -> Int64 {
        guard which < 3 else { return -Errno.EINVAL.rawValue }
        let now = core.state.pointee.cycles, hz = machine.board.cpuHz
        func microseconds(_ c: UInt64) -> (Int64, Int64) { let us = c / hz * 1_000_000 + c % hz * 1_000_000 / hz; return (Int64(us / 1_000_000), Int64(us % 1_000_000)) }
        let target = set ? old : new
        if target != 0 {
            guard let p = guestBytes(target, 32, writable: true) else { return -Errno.EFAULT.rawValue }
            let t = timers[Int(which)]
            let (isec, iusec) = microseconds(t.interval)
            let (vsec, vusec) = microseconds(t.deadline.map { $0 > now ? $0 - now : 1 } ?? 0)
            for (i, v) in [isec, iusec, vsec, vusec].enumerated() { p.storeBytes(of: v, toByteOffset: 8 * i, as: Int64.self) }
        }
        guard set else { return 0 }
        guard let p = guestBytes(new, 32) else { return -Errno.EFAULT.rawValue }
        let f = (0..<4).map { p.load(fromByteOffset: 8 * $0, as: Int64.self) }
        guard f.allSatisfy({ $0 >= 0 }), f[1] < 1_000_000, f[3] < 1_000_000 else { return -Errno.EINVAL.rawValue }
        func toCycles(_ sec: Int64, _ usec: Int64) -> UInt64 { cycles(nanoseconds: UInt64(sec) &* 1_000_000_000 &+ UInt64(usec) &* 1000) }
        let value = toCycles(f[2], f[3])
        timers[Int(which)] = IntervalTimer(deadline: value == 0 ? nil : now &+ value, interval: toCycles(f[0], f[1]))
        return 0
    }

    /// Posts the signals of the interval timers that expired (re-arming periodic ones).
    func checkTimers() {
        let now = core.state.pointee.cycles
        for (i, t) in timers.enumerated() {
            guard let d = t.deadline, d <= now else { continue }
            timers[i].deadline = t.interval == 0 ? nil : d &+ t.interval
            postToProcess([Signal.alrm, 26, 27][i], SignalInfo(code: SignalInfo.kernel))
        }
    }
}
