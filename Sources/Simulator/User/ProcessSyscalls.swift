import Foundation

/// Process system calls for `sim user`, as qemu-user does them: fork is a host fork of the whole
/// simulator; execve re-executes the simulator on the new program; wait4 waits on host children.
extension UserProcess {
    /// The simulator binary, for execve.
    static var simulatorPath: String { (try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe")) ?? CommandLine.arguments[0] }

    /// Reads a NULL-terminated array of string pointers (argv/envp).
    func guestStrings(_ addr: UInt64) -> [String]? {
        guard addr != 0 else { return [] }
        var out: [String] = []
        var p = addr
        while true {
            guard let slot = guestBytes(p, 8) else { return nil }
            let s = slot.load(as: UInt64.self)
            if s == 0 { return out }
            guard let str = guestString(s, max: 1 << 16) else { return nil }
            out.append(str)
            p += 8
            if out.count > 65536 { return nil }
        }
    }

    func processSyscall(_ number: UInt64, _ r: UnsafeMutablePointer<UInt64>, core: Core) -> Int64? {
        switch number {
        case 220: // clone: a thread (UserThreads.swift), or a process as a host fork of the simulator
            let flags = r[0]
            if flags & Clone.thread != 0 { return cloneThread(r) }
            let pid = fork()
            if pid < 0 { return -Int64(errno) }
            if pid == 0 {
                // The child: CLONE_CHILD_SETTID stores its id; the new stack, if given, is used.
                if flags & 0x0100_0000 != 0, let p = guestBytes(r[4], 4, writable: true) { p.storeBytes(of: getpid(), as: Int32.self) }
                if r[1] != 0 { core.x[Reg.sp] = r[1] }
                // Only the calling thread lives on in the child, with the child's own id.
                nextTID = getpid()
                let t = UserThread(tid: nextTID)
                t.blocked = currentThread.blocked
                t.altStackBase = currentThread.altStackBase; t.altStackSize = currentThread.altStackSize
                if flags & 0x20_0000 != 0 { t.clearChildTID = r[4] }
                currentThread = t
                threads = [t]
                for i in timers.indices { timers[i] = IntervalTimer() }
                return 0
            }
            if flags & 0x0010_0000 != 0, let p = guestBytes(r[2], 4, writable: true) { p.storeBytes(of: pid, as: Int32.self) } // PARENT_SETTID
            return Int64(pid)
        case 221: // execve
            guard let path = guestPath(r[0]), let argv = guestStrings(r[1]), let envp = guestStrings(r[2]) else {
                return -Errno.EFAULT.rawValue
            }
            return execve(path: path, argv: argv, envp: envp)
        case 260: // wait4: a wait that signals can interrupt (a child's end arrives as SIGCHLD)
            var status: Int32 = 0
            let options = Int32(truncatingIfNeeded: r[2])
            var pid = wait4(Int32(truncatingIfNeeded: r[0]), &status, options | WNOHANG, nil)
            while pid == 0 && options & WNOHANG == 0 {
                if hasActionableSignal(currentThread) { restartable = true; return -Errno.EINTR.rawValue }
                takeHostSignals(wait: true)
                pid = wait4(Int32(truncatingIfNeeded: r[0]), &status, options | WNOHANG, nil)
            }
            if pid < 0 { return -Int64(errno) }
            if r[1] != 0, let p = guestBytes(r[1], 4, writable: true) { p.storeBytes(of: status, as: Int32.self) }
            if r[3] != 0, let p = guestBytes(r[3], 144, writable: true) { memset(p, 0, 144) }
            return Int64(pid)
        case 154: return setpgid(Int32(truncatingIfNeeded: r[0]), Int32(truncatingIfNeeded: r[1])) < 0 ? -Int64(errno) : 0
        case 155: let v = getpgid(Int32(truncatingIfNeeded: r[0])); return v < 0 ? -Int64(errno) : Int64(v)
        case 156: let v = getsid(Int32(truncatingIfNeeded: r[0])); return v < 0 ? -Int64(errno) : Int64(v)
        case 157: let v = setsid(); return v < 0 ? -Int64(errno) : Int64(v)
        case 158: // getgroups
            let n = Int(Int32(truncatingIfNeeded: r[0]))
            guard n >= 0 else { return -Errno.EINVAL.rawValue }
            guard n <= 65536 else { return -Errno.EINVAL.rawValue }             // NGROUPS_MAX
            var groups = [gid_t](repeating: 0, count: max(n, 1))
            let count = getgroups(Int32(n), &groups)
            if count < 0 { return -Int64(errno) }
            if n > 0 {
                guard let p = guestBytes(r[1], 4 * Int(count), writable: true) else { return -Errno.EFAULT.rawValue }
                for i in 0..<Int(count) { p.storeBytes(of: UInt32(groups[i]), toByteOffset: 4 * i, as: UInt32.self) }
            }
            return Int64(count)
        case 123: // sched_getaffinity: the process runs on the one simulated CPU
            let len = Int(truncatingIfNeeded: r[1])
            guard len >= 8, len & 7 == 0 else { return -Errno.EINVAL.rawValue }
            guard let p = guestBytes(r[2], 8, writable: true) else { return -Errno.EFAULT.rawValue }
            p.storeBytes(of: UInt64(1), as: UInt64.self)
            return 8
        case 93, 94: // exit (one thread while others live), exit_group
            if number == 93 && threads.filter({ !$0.exited }).count > 1 { exitThread(Int32(truncatingIfNeeded: r[0] & 0xFF)) }
            else { exit(Int32(truncatingIfNeeded: r[0] & 0xFF)) }
            return Self.noReturn
        case 160: // uname
            guard let p = guestBytes(r[0], 6 * 65, writable: true) else { return -Errno.EFAULT.rawValue }
            memset(p, 0, 6 * 65)
            for (i, s) in ["Linux", "minos", "6.1.0", "#1 SMP", "aarch64", "(none)"].enumerated() {
                let b = Array(s.utf8)
                (p + i * 65).copyMemory(from: b, byteCount: b.count)
            }
            return 0
        case 172: return Int64(getpid())
        case 173: return Int64(getppid())
        case 174: return Int64(getuid())
        case 175: return Int64(geteuid())
        case 176: return Int64(getgid())
        case 177: return Int64(getegid())
        case 179: // sysinfo: the simulated machine's view (deterministic: uptime from cycles, the user space as RAM)
            guard let p = guestBytes(r[0], 112, writable: true) else { return -Errno.EFAULT.rawValue }
            memset(p, 0, 112)
            p.storeBytes(of: simulatedNanoseconds() / 1_000_000_000, toByteOffset: 0, as: UInt64.self)   // uptime
            p.storeBytes(of: UserProcess.spaceSize, toByteOffset: 32, as: UInt64.self)   // totalram
            p.storeBytes(of: mmapTop - brk, toByteOffset: 40, as: UInt64.self)           // freeram: the heap's room
            p.storeBytes(of: UInt16(truncatingIfNeeded: threads.filter { !$0.exited }.count), toByteOffset: 80, as: UInt16.self)   // procs
            p.storeBytes(of: UInt32(1), toByteOffset: 104, as: UInt32.self)              // mem_unit
            return 0
        case 261: // prlimit64 on this process: the host's limits (the same resource numbers)
            guard r[0] == 0 || Int32(truncatingIfNeeded: r[0]) == getpid() else { return -Errno.ESRCH.rawValue }
            return limits(resource: r[1], new: r[2], old: r[3])
        case 163: return limits(resource: r[0], new: 0, old: r[1])          // getrlimit
        case 164: return limits(resource: r[0], new: r[1], old: 0)          // setrlimit
        case 293: return -Errno.ENOSYS.rawValue                              // rseq: glibc carries on without it
        case 278: // getrandom: a deterministic stream (runs must be reproducible; each draw differs)
            guard r[2] & ~7 == 0 else { return -Errno.EINVAL.rawValue }          // NONBLOCK, RANDOM, INSECURE
            guard let p = guestBytes(r[0], Int(truncatingIfNeeded: r[1]), writable: true) else { return -Errno.EFAULT.rawValue }
            for i in 0..<Int(r[1]) {
                // xorshift64*, seeded once per process
                randomState ^= randomState >> 12; randomState ^= randomState << 25; randomState ^= randomState >> 27
                p.storeBytes(of: UInt8(truncatingIfNeeded: (randomState &* 0x2545_F491_4F6C_DD1D) >> 56), toByteOffset: i, as: UInt8.self)
            }
            return Int64(r[1])
        case 92: // personality: Linux's only, PER_LINUX (0); querying (0xffffffff) or setting it
            return r[0] & 0xFFFF_FFFF == 0xFFFF_FFFF || r[0] == 0 ? 0 : -Errno.EINVAL.rawValue
        case 166: return Int64(umask(mode_t(r[0] & 0o777))) // umask
        case 167: // prctl: PR_SET_NAME/PR_GET_NAME are accepted; nothing else is modelled
            return r[0] == 15 || r[0] == 16 ? 0 : -Errno.EINVAL.rawValue
        default: return nil
        }
    }

    /// get/setrlimit through the host (struct rlimit64: current, maximum).
    func limits(resource: UInt64, new: UInt64, old: UInt64) -> Int64 {
        guard resource < 16 else { return -Errno.EINVAL.rawValue }
        let which = __rlimit_resource_t(resource)
        if old != 0 {
            var l = rlimit()
            guard getrlimit(which, &l) == 0 else { return -Int64(errno) }
            guard let p = guestBytes(old, 16, writable: true) else { return -Errno.EFAULT.rawValue }
            p.storeBytes(of: UInt64(l.rlim_cur), as: UInt64.self)
            p.storeBytes(of: UInt64(l.rlim_max), toByteOffset: 8, as: UInt64.self)
        }
        // Limits on memory (AS, DATA, STACK) would bind the simulator's own allocations: accepted
        // and not applied, as qemu-user does.
        if new != 0 && [2, 3, 9].contains(resource) {
            guard guestBytes(new, 16) != nil else { return -Errno.EFAULT.rawValue }
            return 0
        }
        if new != 0 {
            guard let p = guestBytes(new, 16) else { return -Errno.EFAULT.rawValue }
            var l = rlimit(rlim_cur: rlim_t(p.load(as: UInt64.self)), rlim_max: rlim_t(p.load(fromByteOffset: 8, as: UInt64.self)))
            guard setrlimit(which, &l) == 0 else { return -Int64(errno) }
        }
        return 0
    }

    /// Replaces this process with the simulator running `path` (following a `#!` line as the kernel does).
    func execve(path: String, argv: [String], envp: [String]) -> Int64 {
        // A regular file we may execute, as the kernel requires; its first bytes decide how.
        let fd = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard fd >= 0 else { return -Int64(errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0, st.st_mode & S_IFMT == S_IFREG, access(path, X_OK) == 0 else { return -Int64(EACCES) }
        var head = [UInt8](repeating: 0, count: 256)
        let got = head.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 256, 0) }
        head.removeLast(256 - max(got, 0))
        var program = path
        var args = Array(argv.dropFirst())
        if head.starts(with: [0x23, 0x21]) { // "#!"
            let line = String(decoding: head.dropFirst(2).prefix { $0 != 0x0A }, as: UTF8.self).trimmingCharacters(in: .whitespaces)
            let parts = line.split(separator: " ", maxSplits: 1).map(String.init)
            guard let interpreter = parts.first else { return -Int64(ENOEXEC) }
            program = interpreter
            args = Array(parts.dropFirst()) + [path] + args
        } else if !ELFLoader.isELF(head) {
            return -Int64(ENOEXEC)
        } else if head.count > 19 && (UInt16(head[18]) | UInt16(head[19]) << 8) != 183 {
            // Not an AArch64 program: the host kernel runs it, as under qemu-user.
            UserProcess.restoreHostSignals()
            let cArgs = argv.map { strdup($0) } + [nil]
            let cEnv = envp.map { strdup($0) } + [nil]
            Glibc.execve(path, cArgs, cEnv)
            return -Int64(errno)
        }
        let sim = UserProcess.simulatorPath
        let full = [sim, "user", "--argv0", argv.first ?? program, program] + args
        UserProcess.restoreHostSignals()
        let cArgs = full.map { strdup($0) } + [nil]
        let cEnv = envp.map { strdup($0) } + [nil]
        Glibc.execve(sim, cArgs, cEnv)
        return -Int64(errno)
    }
}
