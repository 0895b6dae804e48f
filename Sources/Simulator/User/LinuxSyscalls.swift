import Foundation

/// Linux AArch64 system calls for `sim user` (numbers from the generic syscall table,
/// include/uapi/asm-generic/unistd.h). Results follow the kernel ABI: x0 = value or -errno.
extension UserProcess {
    enum Errno: Int64 {
        case EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EBADF = 9, EAGAIN = 11, ENOMEM = 12, EFAULT = 14, EEXIST = 17
        case EINVAL = 22, ENOTTY = 25, ENOSYS = 38
    }

    /// Handles an exception from EL0: SVC is a system call; anything else is the signal Linux
    /// sends for it (arch/arm64/mm/fault.c, traps.c), to a handler or fatal.
    func exception(_ ec: ExceptionClass, iss: UInt64, far: UInt64?, returnAddress: UInt64, core: Core) {
        let esr = ec.rawValue << 26 | 1 << 25 | iss
        let pc = returnAddress
        switch ec {
        case .svc:
            core.state.pointee.pc = returnAddress
            syscall(core)
            deliverPending()
        case .unknown where emulateIDRegister(core, pc: returnAddress):
            break
        case .brk: fault(Signal.trap, SignalInfo(code: 1, address: pc), pc: pc, esr: esr)            // TRAP_BRKPT
        case .pcAlignment: fault(Signal.bus, SignalInfo(code: 1, address: pc), pc: pc, esr: esr)      // BUS_ADRALN
        case .spAlignment: fault(Signal.bus, SignalInfo(code: 1, address: core.x[Reg.sp]), pc: pc, esr: esr)
        case .dataAbortLower, .dataAbortSame, .instructionAbortLower, .instructionAbortSame:
            // Alignment faults are SIGBUS; translation and permission faults SIGSEGV, MAPERR where
            // nothing is mapped, ACCERR where a mapping forbids the access. si_addr is untagged.
            let address = (far ?? pc) & 0x00FF_FFFF_FFFF_FFFF
            if iss & 0x3F == 0x21 {
                fault(Signal.bus, SignalInfo(code: 1, address: address), pc: pc, esr: esr)
            } else {
                let mapped = space.mapping(at: address) != nil
                fault(Signal.segv, SignalInfo(code: mapped ? 2 : 1, address: address), pc: pc, esr: esr)
            }
        default:
            fault(Signal.ill, SignalInfo(code: 1, address: pc), pc: pc, esr: esr)                      // ILL_ILLOPC
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

    /// Guest bytes [addr, addr+count) if the program has them mapped (else the call's EFAULT).
    func guestBytes(_ addr: UInt64, _ count: Int) -> UnsafeMutableRawPointer? {
        guard count >= 0, addr < UserProcess.spaceSize, UInt64(count) <= UserProcess.spaceSize - addr,
              count == 0 || space.allows(addr..<(addr + UInt64(count)), 0),
              let region = machine.memory.region(addr) else { return nil }
        return region.host + Int(addr - region.base)
    }

    func guestString(_ addr: UInt64, max: Int = 4096) -> String? {
        guard let p = guestBytes(addr, 1) else { return nil }
        var n = 0
        while n < max, addr + UInt64(n) < UserProcess.spaceSize, (addr + UInt64(n)) & 0xFFF != 0 || n == 0 || guestBytes(addr + UInt64(n), 1) != nil,
              p.load(fromByteOffset: n, as: UInt8.self) != 0 { n += 1 }
        return String(decoding: UnsafeRawBufferPointer(start: p, count: n), as: UTF8.self)
    }

    func syscall(_ core: Core) {
        let r = core.x
        let number = r[8]
        func ret(_ v: Int64) {
            r[0] = UInt64(bitPattern: v)
            if syscallTrace { FileHandle.standardError.write(Data("sim user:   = \(v)\n".utf8)) }
            // A write to a closed pipe raised the host's SIGPIPE: it is the guest's now, delivered
            // as the call returns, as Linux does.
            if v == -Int64(EPIPE) { takeHostSignals(wait: false) }
        }
        func fail(_ e: Errno) { ret(-e.rawValue) }
        if syscallTrace {
            let args = (0..<4).map { "0x" + String(r[$0], radix: 16) }.joined(separator: ", ")
            FileHandle.standardError.write(Data("sim user: syscall \(number)(\(args))\n".utf8))
        }
        if number == 139 {                                  // rt_sigreturn: the frame sets every register
            if !signalReturn() { terminate(by: Signal.segv, pc: core.state.pointee.pc, esr: nil) }
            return
        }
        for family in [memorySyscall, signalSyscall, threadSyscall, fileSyscall] {
            if let rc = family(number, r) { return rc == Self.noReturn ? () : ret(rc) }
        }
        if let rc = processSyscall(number, r, core: core) { return rc == Self.noReturn ? () : ret(rc) }
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
        case 172: ret(Int64(getpid())) // getpid
        case 173: ret(Int64(getppid()))
        case 174: ret(Int64(getuid()))
        case 175: ret(Int64(geteuid()))
        case 176: ret(Int64(getgid()))
        case 177: ret(Int64(getegid()))
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
            p.storeBytes(of: mmapTop - brk, toByteOffset: 40, as: UInt64.self)           // freeram: the heap's room
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
