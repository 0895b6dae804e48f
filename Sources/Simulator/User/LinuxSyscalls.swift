import Foundation

/// Linux AArch64 system calls for `sim user` (numbers from the generic syscall table,
/// include/uapi/asm-generic/unistd.h). Results follow the kernel ABI: x0 = value or -errno.
extension UserProcess {
    enum Errno: Int64 {
        case EPERM = 1, ENOENT = 2, EBADF = 9, ENOMEM = 12, EFAULT = 14, EINVAL = 22, ENOTTY = 25, ENOSYS = 38
    }

    /// Handles an exception from EL0: SVC is a system call; anything else is a fatal signal, as
    /// Linux would deliver to a process without handlers.
    func exception(_ ec: ExceptionClass, iss: UInt64, far: UInt64?, returnAddress: UInt64, core: Core) {
        let esr = ec.rawValue << 26 | 1 << 25 | iss
        switch ec {
        case .svc:
            core.state.pointee.pc = returnAddress
            syscall(core)
        case .unknown where emulateIDRegister(core, pc: returnAddress):
            break
        case .unknown, .illegalState: fatal(signal: 4, name: "SIGILL", core: core, esr: esr, pc: returnAddress)
        case .brk: fatal(signal: 5, name: "SIGTRAP", core: core, esr: esr, pc: returnAddress)
        case .pcAlignment, .spAlignment: fatal(signal: 7, name: "SIGBUS", core: core, esr: esr, pc: returnAddress)
        case .dataAbortLower, .dataAbortSame, .instructionAbortLower, .instructionAbortSame:
            // Linux's fault table: alignment faults are SIGBUS, translation/permission faults SIGSEGV.
            if iss & 0x3F == 0x21 {
                fatal(signal: 7, name: "SIGBUS", core: core, esr: esr, pc: returnAddress)
            } else {
                fatal(signal: 11, name: "SIGSEGV", core: core, esr: esr, pc: returnAddress)
            }
        default:
            fatal(signal: 4, name: "SIGILL", core: core, esr: esr, pc: returnAddress)
        }
    }

    /// Linux's HWCAP_CPUID: an EL0 MRS of an ID register (op0 3, op1 0, CRn 0) traps to the kernel,
    /// which returns the value; we return our table's value and step over the instruction.
    func emulateIDRegister(_ core: Core, pc: UInt64) -> Bool {
        guard let p = guestBytes(pc, 4) else { return false }
        let w = p.load(as: UInt32.self)
        guard w & 0xFFF0_0000 == 0xD530_0000 else { return false } // MRS with op0 = 3
        let enc = UInt16((w >> 5) & 0xFFFF)
        guard (enc >> 11) & 7 == 0, (enc >> 7) & 15 == 0,
              let def = SysRegTable.lookup(enc) else { return false }
        core.x[dst(Int(w & 31))] = core.readSysreg(def)
        core.state.pointee.pc = pc &+ 4
        return true
    }

    /// Guest bytes [addr, addr+count) if they lie in the user space.
    func guestBytes(_ addr: UInt64, _ count: Int) -> UnsafeMutableRawPointer? {
        guard count >= 0, addr < UserProcess.spaceSize, UInt64(count) <= UserProcess.spaceSize - addr,
              let region = machine.memory.region(addr) else { return nil }
        return region.host + Int(addr - region.base)
    }

    func guestString(_ addr: UInt64, max: Int = 4096) -> String? {
        guard let p = guestBytes(addr, 1) else { return nil }
        var n = 0
        while n < max, addr + UInt64(n) < UserProcess.spaceSize, p.load(fromByteOffset: n, as: UInt8.self) != 0 { n += 1 }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func syscall(_ core: Core) {
        let r = core.x
        let number = r[8]
        func ret(_ v: Int64) {
            r[0] = UInt64(bitPattern: v)
            if syscallTrace { FileHandle.standardError.write(Data("sim user:   = \(v)\n".utf8)) }
        }
        func fail(_ e: Errno) { ret(-e.rawValue) }
        if syscallTrace {
            let args = (0..<4).map { "0x" + String(r[$0], radix: 16) }.joined(separator: ", ")
            FileHandle.standardError.write(Data("sim user: syscall \(number)(\(args))\n".utf8))
        }
        if let rc = fileSyscall(number, r) { return ret(rc) }
        if let rc = processSyscall(number, r, core: core) { return ret(rc) }
        switch number {
        case 63: // read
            guard let p = guestBytes(r[1], Int(truncatingIfNeeded: r[2])) else { return fail(.EFAULT) }
            let n = Foundation.read(Int32(truncatingIfNeeded: r[0]), p, Int(r[2]))
            ret(n < 0 ? -Int64(errno) : Int64(n))
            if n > 0 { machine.memory.region(r[1])?.invalidateCode(r[1], n) }
        case 64: // write
            guard let p = guestBytes(r[1], Int(truncatingIfNeeded: r[2])) else { return fail(.EFAULT) }
            let n = Foundation.write(Int32(truncatingIfNeeded: r[0]), p, Int(r[2]))
            ret(n < 0 ? -Int64(errno) : Int64(n))
        case 93, 94: // exit, exit_group
            exit(Int32(truncatingIfNeeded: r[0] & 0xFF))
        case 214: // brk
            let want = r[0]
            if want >= brkStart && want < mmapNext - 0x100_0000 {
                if want > brk, let p = guestBytes(brk, Int(want - brk)) { memset(p, 0, Int(want - brk)) }
                brk = want
            }
            ret(Int64(brk))
        case 222: // mmap: anonymous private mappings only
            let length = (r[1] + 0xFFF) & ~0xFFF, flags = r[3]
            guard flags & 0x20 != 0 else { return fail(.ENOSYS) }
            guard length > 0, length < mmapNext - brk else { return fail(.ENOMEM) }
            mmapNext -= length
            if let p = guestBytes(mmapNext, Int(length)) { memset(p, 0, Int(length)) }
            ret(Int64(mmapNext))
        case 215, 226: // munmap, mprotect: the space stays mapped read/write/execute
            ret(0)
        case 29: // ioctl
            if r[1] == 0x5401 { // TCGETS: only a terminal answers
                return isatty(Int32(truncatingIfNeeded: r[0])) != 0 ? ret(0) : fail(.ENOTTY)
            }
            fail(.ENOTTY)
        case 160: // uname
            guard let p = guestBytes(r[0], 6 * 65) else { return fail(.EFAULT) }
            memset(p, 0, 6 * 65)
            for (i, s) in ["Linux", "minos", "6.1.0", "#1 SMP", "aarch64", "(none)"].enumerated() {
                let b = Array(s.utf8)
                (p + i * 65).copyMemory(from: b, byteCount: b.count)
            }
            ret(0)
        case 96, 172, 178: ret(Int64(getpid())) // set_tid_address, getpid, gettid
        case 173: ret(Int64(getppid()))
        case 174: ret(Int64(getuid()))
        case 175: ret(Int64(geteuid()))
        case 176: ret(Int64(getgid()))
        case 177: ret(Int64(getegid()))
        case 134, 135: ret(0) // rt_sigaction, rt_sigprocmask: no signals are delivered
        case 99: ret(0) // set_robust_list: no threads
        case 113: // clock_gettime: wall clocks (REALTIME, _COARSE, _ALARM, TAI) from the host, the others simulated
            guard let p = guestBytes(r[1], 16) else { return fail(.EFAULT) }
            var sec: Int64, nsec: Int64
            if [0, 5, 8, 11].contains(r[0]) {
                var ts = timespec()
                clock_gettime(CLOCK_REALTIME, &ts)
                sec = Int64(ts.tv_sec); nsec = Int64(ts.tv_nsec)
            } else {
                let ns = core.state.pointee.cycles * 1_000_000_000 / machine.board.cpuHz
                sec = Int64(ns / 1_000_000_000); nsec = Int64(ns % 1_000_000_000)
            }
            p.storeBytes(of: sec, toByteOffset: 0, as: Int64.self)
            p.storeBytes(of: nsec, toByteOffset: 8, as: Int64.self)
            ret(0)
        case 179: // sysinfo: the simulated machine's view (deterministic: uptime from cycles, the user space as RAM)
            guard let p = guestBytes(r[0], 112) else { return fail(.EFAULT) }
            memset(p, 0, 112)
            let seconds = core.state.pointee.cycles / machine.board.cpuHz
            p.storeBytes(of: seconds, toByteOffset: 0, as: UInt64.self)                  // uptime
            p.storeBytes(of: UserProcess.spaceSize, toByteOffset: 32, as: UInt64.self)   // totalram
            p.storeBytes(of: mmapNext - brk, toByteOffset: 40, as: UInt64.self)          // freeram: the heap's room
            p.storeBytes(of: UInt16(1), toByteOffset: 80, as: UInt16.self)               // procs
            p.storeBytes(of: UInt32(1), toByteOffset: 104, as: UInt32.self)              // mem_unit
            ret(0)
        case 261: ret(-Errno.ENOSYS.rawValue) // prlimit64: callers fall back to defaults
        case 293: ret(-Errno.ENOSYS.rawValue) // rseq: glibc carries on without it
        case 278: // getrandom: deterministic bytes (runs must be reproducible)
            guard let p = guestBytes(r[0], Int(truncatingIfNeeded: r[1])) else { return fail(.EFAULT) }
            for i in 0..<Int(r[1]) { p.storeBytes(of: UInt8(truncatingIfNeeded: i &* 131 &+ 7), toByteOffset: i, as: UInt8.self) }
            ret(Int64(r[1]))
        default:
            FileHandle.standardError.write(Data("sim user: unimplemented syscall \(number), returning -ENOSYS\n".utf8))
            fail(.ENOSYS)
        }
    }
}
