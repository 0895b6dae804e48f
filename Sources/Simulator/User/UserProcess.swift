import Foundation
import Devices

/// `sim user`: runs a static AArch64 Linux executable at EL0, answering its system calls on the
/// host like qemu-user. The address space is 4 GiB, identity-mapped page by page by EL1 page
/// tables that follow the program's mappings (UserMemory.swift), so EL0 runs with the MMU on and
/// faults where it would under Linux; threads share the one simulated core (UserThreads.swift).
public final class UserProcess {
    /// The user address space: [0, 4 GiB), backed lazily by host memory.
    static let spaceSize: UInt64 = 4 << 30
    /// Page tables live in a region outside the mapped space, so the program cannot reach them.
    static let tablesBase: UInt64 = 4 << 30
    static let stackTop: UInt64 = 0xFFFF_0000
    static let stackSize: UInt64 = 8 << 20
    /// A page above the stack holding the signal return trampoline.
    static let sigreturnTrampoline: UInt64 = 0xFFFF_F000
    /// Where position-independent (ET_DYN) executables are placed.
    static let pieBase: UInt64 = 0x1000_0000

    public let machine: Machine
    let core: Core
    var brkStart: UInt64 = 0
    var brk: UInt64 = 0
    /// mmap hands out addresses top-down from here (below the stack and a guard gap).
    let mmapTop: UInt64 = stackTop - stackSize - 0x10000
    var space: UserAddressSpace!
    /// Threads: the one on the core, and the others' saved state.
    var threads: [UserThread] = []
    var currentThread = UserThread(tid: 0)
    var nextTID: Int32 = 0
    var sliceEnd: UInt64 = 0
    var waitCounter: UInt64 = 0
    /// Signal actions by number (1...64; 0 unused).
    var actions = [SignalAction](repeating: SignalAction(), count: 65)
    /// ITIMER_REAL, ITIMER_VIRTUAL, ITIMER_PROF: next expiry in cycles and period.
    struct IntervalTimer { var deadline: UInt64? = nil; var interval: UInt64 = 0 }
    var timers = [IntervalTimer](repeating: IntervalTimer(), count: 3)
    /// The signal that ended the process, if one did (the simulator then ends the same way).
    public internal(set) var killedBy: Int32?
    /// A system call handler's result when it already set the registers (the thread blocked or
    /// exited, or a signal frame was restored).
    static let noReturn = Int64.min
    /// The signalfd host signals are read from (UserHostSignals.swift); -1 without one.
    var hostSignals: Int32 = -1
    var quantaSinceSignals = 0
    /// Unimplemented call numbers already warned about (one warning each).
    var warnedSyscalls: Set<UInt64> = []
    /// The current call ended with EINTR and may be restarted (read, write, wait4, futex without
    /// a timeout): a handler with SA_RESTART makes it run again.
    var restartable = false
    /// The call's first argument, which a restart needs back in x0.
    var syscallArgument0: UInt64 = 0
    /// getrandom's generator state: fixed, so runs are reproducible.
    var randomState: UInt64 = 0x9E37_79B9_7F4A_7C15
    public private(set) var exitStatus: Int32?
    /// The guest program's own path: what /proc/self/exe names for it (as qemu-user emulates it).
    let programPath: String
    /// Open directory streams for getdents64, by guest descriptor.
    var directories: [Int32: DirectoryStream] = [:]
    let syscallTrace: Bool

    static let board = BoardSpec(
        name: "user", model: "user", compatible: [],
        ramBanks: [BoardSpec.Bank(base: 0, size: spaceSize)], defaultRAM: spaceSize,
        flash: [], sram: [BoardSpec.Bank(base: tablesBase, size: UserAddressSpace.tablesSize)], uarts: [], consoleUART: 0, uartClockHz: 0,
        gic: nil, timer: BoardSpec.TimerPPIs(secure: 29, nonSecure: 30, virtual: 27, hypervisor: 26, flags: 4),
        counterHz: 62_500_000, cpuHz: 1_000_000_000, maxCPUs: 1, affinity: { UInt64($0) }, multithreaded: false, placeholders: [],
        virtio: [])

    public init(path: String, argv0: String? = nil, arguments: [String], environment: [String], syscallTrace: Bool = false) throws {
        self.syscallTrace = syscallTrace
        self.programPath = URL(fileURLWithPath: path).standardizedFileURL.path
        machine = try Machine(MachineConfig(board: UserProcess.board, cpus: 1, memory: UserProcess.spaceSize, entryEL: 1),
                              console: SerialBackend(handle: nil, echo: false))
        core = machine.cores[0]
        guard FileManager.default.fileExists(atPath: path), let data = FileManager.default.contents(atPath: path) else {
            throw SimError.file(path: path, problem: "no such file")
        }
        let bytes = [UInt8](data)
        guard ELFLoader.isELF(bytes) else { throw SimError.file(path: path, problem: "not an ELF executable") }
        let image = try ELFLoader.load(path: path, data: bytes)
        let isPIE = bytes.count > 17 && bytes[16] == 3
        let bias: UInt64 = isPIE ? UserProcess.pieBase : 0
        var last: UInt64 = 0
        space = try UserAddressSpace(memory: machine.memory, tablesBase: UserProcess.tablesBase, spaceSize: UserProcess.spaceSize)
        // Each PT_LOAD goes to its p_vaddr and maps its pages with its own permissions, as
        // Linux's ELF loader does.
        for s in image.segments {
            let start = s.virtualAddress &+ bias, (end, wrapped) = start.addingReportingOverflow(s.size)
            guard !wrapped, start >= UserAddressSpace.minAddress, end <= mmapTop else {
                throw SimError.file(path: path, problem: "segment at 0x\(String(start, radix: 16)) is outside the 4 GiB user space")
            }
            try machine.memory.write(s.bytes, at: start)
            last = max(last, end)
            let prot = (s.flags & 4 != 0 ? PROT_READ : 0) | (s.flags & 2 != 0 ? PROT_WRITE : 0) | (s.flags & 1 != 0 ? PROT_EXEC : 0)
            space.map((start & ~(UserAddressSpace.pageSize - 1))..<UserAddressSpace.roundUp(end), prot: prot, keepContents: true)
        }
        space.map((UserProcess.stackTop - UserProcess.stackSize)..<UserProcess.stackTop, prot: PROT_READ | PROT_WRITE, keepContents: true)
        // The signal return trampoline (Linux's vDSO sigreturn): mov x8, #139; svc #0.
        try machine.memory.write([0x68, 0x11, 0x80, 0xD2, 0x01, 0x00, 0x00, 0xD4], at: UserProcess.sigreturnTrampoline)
        space.map(UserProcess.sigreturnTrampoline..<(UserProcess.sigreturnTrampoline + UserAddressSpace.pageSize), prot: PROT_READ | PROT_EXEC, keepContents: true)
        nextTID = getpid()
        currentThread = UserThread(tid: nextTID)
        threads = [currentThread]
        brkStart = (last + 0xFFF) & ~0xFFF
        brk = brkStart
        machine.userProcess = self
        let sp = try buildStack(path: path, argv0: argv0 ?? path, arguments: arguments, environment: environment, image: bytes, bias: bias, entry: image.entry &+ bias)
        // Boot first: it resets the system registers that setUpTranslation then configures.
        core.boot(entry: image.entry &+ bias, el: 1)
        try setUpTranslation()
        core.setMode(el: 0, spsel: 0)
        core.x[Reg.sp] = sp
        setUpHostSignals()
    }

    /// EL1 state as Linux leaves it for EL0: MMU on, caches on, EL0 allowed CTR/DC ZVA/cache
    /// maintenance/WFI, FP enabled, the virtual counter readable.
    func setUpTranslation() throws {
        // The tables `space` keeps (Normal memory as MAIR slot 0).
        core[.ttbr0EL1] = UserProcess.tablesBase
        core[.mairEL1] = 0xFF
        // T0SZ = 32 (4 GiB), EPD1, IPS 40 bits, 4K granule, TBI0 (Linux's tagged-pointer ABI).
        core[.tcrEL1] = 32 | 1 << 23 | 2 << 32 | 1 << 37
        // M, C, SA0, I, DZE, UCT, nTWI, nTWE, UCI: as Linux sets SCTLR_EL1 for user space.
        core[.sctlrEL1] = SysRegTable.sctlrEL1Res1 | 1 | 1 << 2 | 1 << 4 | 1 << 12 | 1 << 14 | 1 << 15 | 1 << 16 | 1 << 18 | 1 << 26
        core[.cpacrEL1] = 3 << 20
        core[.cntkctlEL1] = 2
        core[.tpidrEL0] = 0
    }

    /// Linux's initial process stack: argc, argv, envp, auxv, then the strings and AT_RANDOM bytes.
    func buildStack(path: String, argv0: String, arguments: [String], environment: [String], image: [UInt8], bias: UInt64, entry: UInt64) throws -> UInt64 {
        var strings: [UInt8] = []
        var offsets: [Int] = []
        for s in [argv0] + arguments + environment {
            offsets.append(strings.count)
            strings += Array(s.utf8) + [0]
        }
        let random = (0..<16).map { UInt8(truncatingIfNeeded: $0 &* 37 &+ 11) } // fixed: runs are deterministic
        let platform = Array("aarch64".utf8) + [0]
        let stringsBase = (UserProcess.stackTop - UInt64(strings.count + random.count + platform.count) - 64) & ~15
        let randomAddr = stringsBase + UInt64(strings.count)
        let platformAddr = randomAddr + UInt64(random.count)
        try machine.memory.write(strings, at: stringsBase)
        try machine.memory.write(random, at: randomAddr)
        try machine.memory.write(platform, at: platformAddr)

        let phoff = ImageLoader.le64(image, 0x20)
        let phnum = UInt64(image[0x38]) | UInt64(image[0x39]) << 8
        let phdrAddr = phdrAddress(image: image, phoff: phoff) &+ bias
        let argc = 1 + arguments.count
        var words: [UInt64] = [UInt64(argc)]
        for i in 0..<argc { words.append(stringsBase + UInt64(offsets[i])) }
        words.append(0)
        for i in 0..<environment.count { words.append(stringsBase + UInt64(offsets[argc + i])) }
        words.append(0)
        let auxv: [(UInt64, UInt64)] = [
            (3, phdrAddr), (4, 56), (5, phnum), (6, 4096), (7, 0), (8, 0), (9, entry),
            // AT_HWCAP: FP, ASIMD, CRC32, CPUID (ID registers readable at EL0, emulated as Linux does).
            (11, 0), (12, 0), (13, 0), (14, 0), (16, 0x883), (17, 100), (23, 0),
            (25, randomAddr), (15, platformAddr), (0, 0),
        ]
        for (k, v) in auxv { words += [k, v] }
        let sp = (stringsBase - UInt64(words.count * 8)) & ~15
        var bytes: [UInt8] = []
        for w in words { for b in 0..<8 { bytes.append(UInt8(truncatingIfNeeded: w >> UInt64(8 * b))) } }
        try machine.memory.write(bytes, at: sp)
        return sp
    }

    /// The program headers' address in memory: inside the PT_LOAD segment covering file offset `phoff`.
    func phdrAddress(image: [UInt8], phoff: UInt64) -> UInt64 {
        let phnum = Int(image[0x38]) | Int(image[0x39]) << 8
        for i in 0..<phnum {
            let at = Int(phoff) + i * 56
            guard at + 56 <= image.count else { break }
            let type = UInt32(image[at]) | UInt32(image[at + 1]) << 8 | UInt32(image[at + 2]) << 16 | UInt32(image[at + 3]) << 24
            let offset = ImageLoader.le64(image, at + 8), vaddr = ImageLoader.le64(image, at + 16), filesz = ImageLoader.le64(image, at + 32)
            if type == 6 { return vaddr } // PT_PHDR
            if type == 1 && phoff >= offset && phoff < offset + filesz { return vaddr + (phoff - offset) }
        }
        return 0
    }

    /// Runs to exit; returns the exit status (128 + signal for a fatal exception).
    public func run(maxInstructions: UInt64? = nil) -> Int32 {
        let outcome = machine.run(maxInstructions: maxInstructions)
        switch outcome {
        case .poweredOff: return exitStatus ?? 0
        case .instructionLimit:
            UserProcess.note("sim user: --max-insns reached\n")
            return 3
        case .limitation(let what):
            UserProcess.note("sim user: simulator limitation: \(what)\n")
            return 5
        default:
            return exitStatus ?? 1
        }
    }

    /// A line on the simulator's stderr; never fails (the guest may have closed or broken it).
    static func note(_ line: String) {
        var bytes = Array(line.utf8)
        _ = bytes.withUnsafeMutableBytes { Glibc.write(2, $0.baseAddress, $0.count) }
    }

    func exit(_ status: Int32) {
        exitStatus = status
        machine.finish(.poweredOff)
    }
}
