import Foundation
import Devices

/// `sim user`: runs a static AArch64 Linux executable at EL0, answering its system calls on the
/// host like qemu-user. The address space is 4 GiB identity-mapped by EL1 page tables (Normal
/// memory, EL0 read/write/execute) so EL0 runs with the MMU on as under Linux.
public final class UserProcess {
    /// The user address space: [0, 4 GiB), backed lazily by host memory.
    static let spaceSize: UInt64 = 4 << 30
    /// Page tables live in a region outside the mapped space, so the program cannot reach them.
    static let tablesBase: UInt64 = 4 << 30
    static let stackTop: UInt64 = 0xFFFF_0000
    static let stackSize: UInt64 = 8 << 20
    /// Where position-independent (ET_DYN) executables are placed.
    static let pieBase: UInt64 = 0x1000_0000

    public let machine: Machine
    let core: Core
    var brkStart: UInt64 = 0
    var brk: UInt64 = 0
    /// Next address handed out by anonymous mmap, growing down below the stack.
    var mmapNext: UInt64 = stackTop - stackSize - 0x10000
    public private(set) var exitStatus: Int32?
    /// The guest program's own path: what /proc/self/exe names for it (as qemu-user emulates it).
    let programPath: String
    /// Open directory streams for getdents64, by guest descriptor.
    var directories: [Int32: DirectoryStream] = [:]
    let syscallTrace: Bool

    static let board = BoardSpec(
        name: "user", model: "user", compatible: [],
        ramBanks: [BoardSpec.Bank(base: 0, size: spaceSize)], defaultRAM: spaceSize,
        flash: [], sram: [BoardSpec.Bank(base: tablesBase, size: 0x1_0000)], uarts: [], consoleUART: 0, uartClockHz: 0,
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
        var end: UInt64 = 0
        for s in image.segments {
            let at = s.address &+ bias
            guard at &+ s.size <= UserProcess.stackTop - UserProcess.stackSize else {
                throw SimError.file(path: path, problem: "segment at 0x\(String(at, radix: 16)) is outside the 4 GiB user space")
            }
            try machine.memory.write(s.bytes, at: at)
            end = max(end, at + s.size)
        }
        brkStart = (end + 0xFFF) & ~0xFFF
        brk = brkStart
        machine.userProcess = self
        let sp = try buildStack(path: path, argv0: argv0 ?? path, arguments: arguments, environment: environment, image: bytes, bias: bias, entry: image.entry &+ bias)
        // Boot first: it resets the system registers that setUpTranslation then configures.
        core.boot(entry: image.entry &+ bias, el: 1)
        try setUpTranslation()
        core.setMode(el: 0, spsel: 0)
        core.x[Reg.sp] = sp
    }

    /// EL1 state as Linux leaves it for EL0: MMU on, caches on, EL0 allowed CTR/DC ZVA/cache
    /// maintenance/WFI, FP enabled, the virtual counter readable.
    func setUpTranslation() throws {
        // Level-1 table of 1 GiB blocks: Normal memory (MAIR attr 0), AF, inner shareable, EL0 RW.
        var table = [UInt8](repeating: 0, count: 4096)
        for i in 0..<4 {
            let desc = UInt64(i) << 30 | 1 << 10 | 3 << 8 | 1 << 6 | 1
            for b in 0..<8 { table[i * 8 + b] = UInt8(truncatingIfNeeded: desc >> UInt64(8 * b)) }
        }
        try machine.memory.write(table, at: UserProcess.tablesBase)
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
            FileHandle.standardError.write(Data("sim user: --max-insns reached\n".utf8))
            return 3
        case .limitation(let what):
            FileHandle.standardError.write(Data("sim user: simulator limitation: \(what)\n".utf8))
            return 5
        default:
            return exitStatus ?? 1
        }
    }

    /// A synchronous exception from EL0 that Linux would turn into a fatal signal.
    func fatal(signal: Int32, name: String, core: Core, esr: UInt64, pc: UInt64) {
        FileHandle.standardError.write(Data("sim user: guest killed by signal \(signal) (\(name)) at pc 0x\(String(pc, radix: 16)), esr 0x\(String(esr, radix: 16))\n".utf8))
        exitStatus = 128 + signal
        machine.finish(.poweredOff)
    }

    func exit(_ status: Int32) {
        exitStatus = status
        machine.finish(.poweredOff)
    }
}
