import Foundation
import CHost

/// Host signals the simulated process receives — a child's SIGCHLD (children are host forks of
/// the simulator), SIGINT from the terminal, a kill from another process, SIGPIPE from a write to
/// a closed pipe — become guest signals. They stay blocked on the host and are read from a
/// signalfd between quanta and whenever every thread waits, so they arrive at the same kind of
/// point as the simulator's own signals and never interrupt the interpreter.
extension UserProcess {
    static let forwardedSignals: [Int32] = [SIGHUP, SIGINT, SIGQUIT, SIGUSR1, SIGUSR2, SIGPIPE, SIGTERM, SIGCHLD, SIGCONT, SIGWINCH]

    static var forwardedSet: sigset_t {
        var set = sigset_t()
        sigemptyset(&set)
        for s in forwardedSignals { sigaddset(&set, s) }
        return set
    }

    func setUpHostSignals() {
        var set = Self.forwardedSet
        sigprocmask(SIG_BLOCK, &set, nil)
        // High up, out of the way of the descriptors a program counts on; close and dup onto it
        // are refused (FileSyscalls).
        let fd = signalfd(-1, &set, Int32(SFD_NONBLOCK | SFD_CLOEXEC))
        guard fd >= 0 else { return }
        let high = fcntl(fd, F_DUPFD_CLOEXEC, 900)
        if high >= 0 { close(fd); hostSignals = high } else { hostSignals = fd }
    }

    /// Before the simulator leaves (execve of another program, ending by a signal): the host
    /// mask as it was.
    public static func restoreHostSignals() {
        var set = forwardedSet
        sigprocmask(SIG_UNBLOCK, &set, nil)
    }

    /// Posts the host signals that arrived; with `wait`, first waits for one. Returns whether any
    /// arrived.
    @discardableResult
    func takeHostSignals(wait: Bool) -> Bool {
        guard hostSignals >= 0 else { return false }
        if wait {
            var p = pollfd(fd: hostSignals, events: Int16(POLLIN), revents: 0)
            while poll(&p, 1, -1) < 0 && errno == EINTR {}
        }
        var any = false
        var info = signalfd_siginfo()
        while read(hostSignals, &info, MemoryLayout<signalfd_siginfo>.size) == MemoryLayout<signalfd_siginfo>.size {
            let signal = Int32(info.ssi_signo)
            postToProcess(signal, SignalInfo(code: info.ssi_code, pid: Int32(bitPattern: info.ssi_pid), uid: info.ssi_uid,
                                             status: signal == SIGCHLD ? info.ssi_status : 0))
            any = true
        }
        return any
    }
}
