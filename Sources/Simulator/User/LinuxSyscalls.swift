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
        guard w & 0xFFF8_0000 == 0xD538_0000 else { return false } // MRS with op0 = 3
        let enc = UInt16((w >> 5) & 0xFFFF)
        guard (enc >> 11) & 7 == 0, (enc >> 7) & 15 == 0,
              let def = SysRegTable.lookup(enc) else { return false }
        core.x[dst(Int(w & 31))] = core.readSysreg(def)
        core.state.pointee.pc = pc &+ 4
        return true
    }

    /// Guest bytes [addr, addr+count) if the program has them mapped, and writable when the call
    /// stores into them (else the call's EFAULT, as the kernel's copy_to_user fails).
    func guestBytes(_ addr: UInt64, _ count: Int, writable: Bool = false) -> UnsafeMutableRawPointer? {
        guard count >= 0, addr < UserProcess.spaceSize, UInt64(count) <= UserProcess.spaceSize - addr,
              count == 0 || space.allows(addr..<(addr + UInt64(count)), writable ? PROT_WRITE : 0),
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
            if syscallTrace { UserProcess.note("sim user:   = \(v)\n") }
            // A write to a closed pipe raised the host's SIGPIPE: it is the guest's now, delivered
            // as the call returns, as Linux does.
            if v == -Int64(EPIPE) { takeHostSignals(wait: false) }
        }
        func fail(_ e: Errno) { ret(-e.rawValue) }
        if syscallTrace {
            let args = (0..<4).map { "0x" + String(r[$0], radix: 16) }.joined(separator: ", ")
            UserProcess.note("sim user: \(Self.syscalls[number]?.name ?? "syscall \(number)")(\(args))\n")
        }
        restartable = false
        syscallArgument0 = r[0]
        if number == 139 {                                  // rt_sigreturn: the frame sets every register
            if !signalReturn() { terminate(by: Signal.segv, pc: core.state.pointee.pc, esr: nil) }
            return
        }
        let result: Int64?
        switch Self.syscalls[number]?.family {
        case .files?: result = fileSyscall(number, r)
        case .memory?: result = memorySyscall(number, r)
        case .process?: result = processSyscall(number, r, core: core)
        case .threads?: result = threadSyscall(number, r)
        case .signals?: result = signalSyscall(number, r)
        case .time?: result = timeSyscall(number, r)
        case .misc?, nil: result = nil
        }
        guard let rc = result else {
            if warnedSyscalls.insert(number).inserted {
                UserProcess.note("sim user: unimplemented syscall \(number), returning -ENOSYS\n")
            }
            return fail(.ENOSYS)
        }
        if rc != Self.noReturn { ret(rc) }
    }
}
