import ArgumentParser
import Devices
import Foundation
import Simulator

/// `sim [run] --board ... --kernel ...`: boot a payload on a board.
struct Run: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Boot a kernel or bare-metal program on a modelled board (default).")

    @Option(help: "Board model: virt (QEMU's map), fvp (FVP Base RevC), rpi3 (Raspberry Pi 3 B+, BCM2837) or espressobin (Armada 3720).")
    var board: BoardName = .virt

    @Option(help: "Number of CPUs.")
    var cpus: Int = 1

    @Option(help: "RAM size, e.g. 512M, 2G (a plain number is MiB). Default: the board's.")
    var memory: Size?

    @Option(help: "Kernel or program: an ELF executable or an arm64 Linux Image.")
    var kernel: String?

    @Option(help: "Device tree blob to patch and pass instead of the generated one.")
    var dtb: String?

    @Option(help: "Initial ramdisk, placed in RAM and named in /chosen.")
    var initrd: String?

    @Option(help: "Kernel command line (/chosen bootargs).")
    var append: String?

    @Option(help: "Load a raw file at a physical address (FILE@ADDR, repeatable).")
    var load: [LoadSpec] = []

    @Option(name: .customLong("entry-el"), help: "Exception level the payload starts in (1, 2 or 3; default 2).")
    var entryEL: Int?

    @Option(help: "Boot firmware (such as Debian's U-Boot qemu_arm64 u-boot.bin) placed in the board's flash at its base and started there at the reset EL, with the device tree at the start of RAM, as QEMU's -bios.")
    var bios: String?

    @Option(help: "EL3 firmware to boot the payload through: every core starts in it at EL3 and PSCI is the firmware's (rpi3: TF-A's rpi3/bl31.bin from Debian's arm-trusted-firmware, entered as TF-A's BL2 enters it).")
    var firmware: String?

    @Option(help: "Console: stdio or file:PATH.")
    var serial: SerialTarget = .stdio

    @Option(name: .customLong("max-insns"), help: "Stop after this many instructions (checked every 10,000 cycles).")
    var maxInsns: UInt64?

    @Option(help: "Exit 0 as soon as a console line matches this regular expression; repeatable: the run succeeds once every pattern has matched some line, in any order.")
    var expect: [String] = []

    @Option(name: .customLong("fail-on"), help: "Exit 1 as soon as a console line matches this regular expression.")
    var failOn: String?

    @Option(help: "Debug trace: exec, exc, mmio (comma-separated), optionally :FILE (default stderr).")
    var trace: TraceSpec?

    @Option(help: "A virtio-pci function behind the board's PCIe host bridge (virt): virtio-blk-pci,drive=FILE[,mode=ro|rw|snapshot], virtio-net-pci (the --net device on PCI) or virtio-console-pci (hvc0 on PCI). Repeatable.")
    var device: [DeviceSpec] = []

    @Flag(help: "Give virt's GICv3 its ITS (as QEMU's its=on): LPIs, and MSI-X for --device *-pci.")
    var its = false

    @Option(help: "An IOMMU for the board's DMA-capable devices: smmuv3 (virt: at QEMU's iommu=smmuv3 place, with every virtio-mmio and virtio-pci device behind it), with stages 1 and 2 (nested too) or only those smmuv3,stage=1|2 names (QEMU 7.2's SMMU has stage 1 only).")
    var iommu: String?

    @Option(help: "Interrupt controller: v3 (every board's default) or v2 (a GIC-400 with virtualization, virt only, as QEMU's gic-version=2).")
    var gic: GICVersion?

    @Option(help: "Timing model: simple (a fixed cost per instruction class; fastest) or a53 (Cortex-A53 dual issue, latencies, caches, TLBs).")
    var timing: TimingMode = .simple

    @Option(help: "Execution engine: 'jit' translates hot code to host code (x86-64 hosts), 'interpret' runs the reference interpreter; both give the same run, cycle for cycle. Default: jit, or $MINOS_ENGINE.")
    var engine: MachineConfig.Engine?

    @Option(name: .customLong("jit-cache"), help: "MiB of host memory for translated code (default 64); emptied whole when full.")
    var jitCache: Int?

    @Option(help: "Write statistics at the end to FILE ('-': stderr): instructions, cycles, CPI, time per EL and per VMID, exceptions by class, idle time, and with --timing a53 cache, TLB and branch counts.")
    var stats: String?

    @Option(name: .customLong("stats-format"), help: "Statistics as text ('key value # description', the default) or json.")
    var statsFormat: StatsFormat = .text

    @Option(name: .customLong("stats-interval"), help: "Also write a CSV row every N cycles to the --stats FILE with .csv appended.")
    var statsInterval: UInt64?

    @Option(help: "Write a timeline of the run (Chrome/Perfetto trace-event JSON, simulated time): what each core runs, exits to EL2, PSCI, list registers, console lines.")
    var timeline: String?

    @Option(help: "A virtio block device: file=PATH[,mode=ro|rw|snapshot] (default rw; repeatable).")
    var drive: [DriveSpec] = []

    @Option(help: "An SD card (boards with a slot: rpi3): file=PATH[,mode=ro|rw|snapshot] (default rw), a raw image.")
    var sd: DriveSpec?

    @Option(name: .customLong("spi-flash"), help: "The board's SPI NOR flash (espressobin): file=PATH[,mode=ro|rw|snapshot] (default rw), a raw 4, 8 or 16 MiB image; U-Boot keeps its environment there.")
    var spiFlash: DriveSpec?

    @Option(help: "User-mode networking as QEMU's -netdev user: user[,hostfwd=tcp:127.0.0.1:HOSTPORT-:GUESTPORT,...].")
    var net: String?

    @Option(name: .customLong("dump-dtb"), help: "Write the device tree the guest would get to FILE and exit (like QEMU's dumpdtb).")
    var dumpDTB: String?

    @Option(help: "Serve gdb's remote protocol: tcp::PORT or tcp:HOST:PORT (default host 127.0.0.1; port 0 picks one and says which on stderr).")
    var gdb: GDBSpec?

    @Flag(name: .customLong("gdb-wait"), help: "With --gdb: start halted and wait for gdb to connect and continue (QEMU's -S).")
    var gdbWait = false

    @Flag(help: "No summary line on stderr.")
    var quiet = false

    func regex(_ pattern: String?, option: String) throws -> NSRegularExpression? {
        guard let pattern else { return nil }
        do { return try NSRegularExpression(pattern: pattern) } catch {
            throw SimError.config("--\(option): invalid regular expression '\(pattern)'")
        }
    }

    func run() throws {
        let spec = try gic.map { try BoardSpec.all[board.rawValue]!.with(gic: $0.architecture) } ?? BoardSpec.all[board.rawValue]!
        let expectREs = try expect.map { try regex($0, option: "expect")! }, failRE = try regex(failOn, option: "fail-on")
        var unmatched = Array(expectREs.indices)

        // The Pi boots what its card says, as its GPU firmware does.
        let fromCard = kernel == nil && load.isEmpty && firmware == nil && bios == nil && spec.bootsFromCard ? sd : nil
        if kernel == nil && load.isEmpty && firmware == nil && bios == nil && dumpDTB == nil && fromCard == nil {
            try DefaultFlow.run(board: board.rawValue)
        }

        let consoleHandle: FileHandle
        switch serial {
        case .stdio: consoleHandle = .standardOutput
        case .file(let path):
            consoleHandle = try OutputFile.open(path, what: "serial output file")
        }
        let console = SerialBackend(handle: consoleHandle)
        if firmware != nil, entryEL != nil { throw SimError.config("--firmware starts at EL3 and enters the payload as the firmware does: --entry-el does not apply") }
        var config = MachineConfig(board: spec, cpus: cpus, memory: memory?.bytes, entryEL: firmware != nil ? 3 : entryEL ?? 2)
        config.drives = drive.map { ($0.path, $0.mode) }
        config.sd = sd.map { ($0.path, $0.mode) }
        config.spiFlash = spiFlash.map { ($0.path, $0.mode) }
        if let n = net {
            guard n == "user" || n.hasPrefix("user,") else { throw SimError.config("--net: only user-mode networking is supported (user[,hostfwd=...])") }
            config.net = n
        }
        config.timing = timing
        if let engine { config.engine = engine }
        if let jitCache {
            guard (1...4096).contains(jitCache) else { throw ValidationError("--jit-cache must be 1 to 4096 MiB") }
            config.jitCacheBytes = jitCache << 20
        }
        config.pciDevices = device.map(\.device)
        config.its = its
        if let iommu {
            switch iommu {
            case "smmuv3", "smmuv3,stage=nested": config.smmu = .both
            case "smmuv3,stage=1": config.smmu = .stage1
            case "smmuv3,stage=2": config.smmu = .stage2
            default: throw SimError.config("--iommu: unknown IOMMU '\(iommu)' (smmuv3, smmuv3,stage=1, smmuv3,stage=2, smmuv3,stage=nested)")
            }
        }
        let machine = try Machine(config, console: console)
        defer { machine.close() }
        if let t = trace {
            let handle: FileHandle
            if let path = t.path {
                handle = try OutputFile.open(path, what: "trace file")
            } else {
                handle = .standardError
            }
            machine.trace = Tracer(kinds: t.kinds, handle: handle)
        }
        if statsInterval != nil && (stats == nil || stats == "-") { throw SimError.config("--stats-interval needs --stats FILE (the rows go to FILE.csv)") }
        let statsFile = try stats.flatMap { $0 == "-" ? nil : try OutputFile.open($0, what: "statistics file") }
        if let n = statsInterval, let path = stats {
            machine.statsSampler = try StatsSampler(try OutputFile.open(path + ".csv", what: "statistics file"), interval: n)
        }
        if let path = timeline {
            machine.timeline = Timeline(handle: try OutputFile.open(path, what: "timeline file"), cpus: config.cpus, cpuHz: spec.cpuHz, board: spec.name)
        }

        var options = try fromCard.map { try PiFirmware.options(card: $0.path, board: spec) } ?? BootOptions()
        if fromCard != nil && (dtb != nil || initrd != nil || append != nil) {
            throw SimError.config("--sd boots what the card's config.txt says: --dtb, --initrd and --append do not apply (give --kernel to boot a file instead)")
        }
        options.kernel = kernel
        if fromCard == nil {
            options.dtb = dtb
            options.initrd = initrd
            options.append = append
            options.loads = load.map { ($0.path, $0.address) }
        }
        options.firmware = firmware
        options.bios = bios
        let plan = try BootLoader.load(options, into: machine)
        if let path = dumpDTB {
            let h = try OutputFile.open(path, what: "device tree file")
            guard OutputFile.write(h, plan.dtb) else { throw SimError.file(path: path, problem: "cannot write device tree") }
            return
        }
        guard let entry = plan.entry else { throw SimError.config("nothing to run: give --kernel FILE or --load FILE@ADDR") }

        let match: (String) -> Void = { [unowned machine] line in
            let range = NSRange(line.startIndex..., in: line)
            if let re = failRE, re.firstMatch(in: line, range: range) != nil { machine.finish(.failMatched(line)) }
            let before = unmatched.count
            unmatched.removeAll { expectREs[$0].firstMatch(in: line, range: range) != nil }
            if unmatched.isEmpty && before > 0 { machine.finish(.expectMatched(line)) }
        }
        let lines: (String) -> Void = { [unowned machine] line in
            machine.timeline?.consoleLine(line, at: machine.timelineNow)
            match(line)
        }
        console.onLine = lines
        machine.virtioConsole?.onLine = lines

        let terminal = serial.isStdio ? TerminalInput(backend: console) : nil
        terminal?.start()
        Signals.install()
        if let fw = plan.firmware {
            machine.bootFirmware(entry: fw.entry, x0: fw.x0, x1: fw.x1, mailbox: fw.mailbox)
        } else {
            machine.boot(entry: entry, dtb: plan.dtbAddress)
        }
        if gdbWait && gdb == nil { throw SimError.config("--gdb-wait needs --gdb") }
        let debugger = try gdb.map { try GDBServer(machine: machine, host: $0.host, port: $0.port) }
        if let d = debugger {
            FileHandle.standardError.write(Data("sim: gdb: listening on \(gdb!.host):\(d.port)\(gdbWait ? ", waiting for gdb to connect" : "")\n".utf8))
            if gdbWait { d.waitForDebugger() }
        }
        let started = DispatchTime.now()
        let outcome = machine.run(maxInstructions: maxInsns) {
            debugger?.poll()
            terminal?.poll()
            // A prompt has no newline: show partial lines too, as a terminal would.
            console.flush()
            machine.virtioConsole?.flush()
            if terminal?.quitRequested == true || Signals.interrupted { machine.finish(.interrupted) }
        }
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
        terminal?.stop()
        console.flush()
        machine.virtioConsole?.flush()
        machine.finishTimeline()
        machine.close()

        var (status, code) = Run.describe(outcome, expecting: !expectREs.isEmpty)
        if code == .guestFailure, !unmatched.isEmpty, !expectREs.isEmpty {
            status += " (unmatched: " + unmatched.map { "'\(expect[$0])'" }.joined(separator: ", ") + ")"
        }
        if !quiet {
            let insns = machine.retired
            let cycles = machine.cores.map { $0.state.pointee.cycles }.max() ?? 0
            let simulated = Double(cycles) / Double(spec.cpuHz)
            let mips = wall > 0 ? Double(insns) / wall / 1e6 : 0
            let allCycles = machine.cores.reduce(0) { $0 &+ $1.state.pointee.cycles }
            let cpi = insns == 0 ? 0 : Double(allCycles) / Double(insns)
            let line = String(format: "sim: %@; %llu instructions, %.6f s simulated, %.3f s host, %.1f MIPS, CPI %.3f", status, insns, simulated, wall, mips, cpi)
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        if stats != nil {
            let report = machine.statsReport(json: statsFormat == .json)
            if let f = statsFile {
                if !OutputFile.write(f, Array(report.utf8)) { FileHandle.standardError.write(Data("sim: --stats: cannot write \(stats!)\n".utf8)) }
            } else { FileHandle.standardError.write(Data(report.utf8)) }
        }
        Foundation.exit(code.rawValue)
    }

    static func describe(_ outcome: Outcome, expecting: Bool) -> (String, ExitCode32) {
        switch outcome {
        case .expectMatched(let line): return ("matched --expect: \(line)", .success)
        case .failMatched(let line): return ("matched --fail-on: \(line)", .guestFailure)
        case .poweredOff: return expecting ? ("powered off before --expect matched", .guestFailure) : ("powered off", .success)
        case .reset: return expecting ? ("reset before --expect matched", .guestFailure) : ("system reset", .success)
        case .instructionLimit: return expecting ? ("--max-insns reached before --expect matched", .guestFailure) : ("--max-insns reached", .instructionLimit)
        case .deadlock: return ("all CPUs wait with nothing to wake them", .deadlock)
        case .limitation(let what): return ("simulator limitation: \(what)", .limitation)
        case .interrupted: return ("interrupted", .interrupted)
        }
    }
}

extension SerialTarget {
    var isStdio: Bool { if case .stdio = self { return true } else { return false } }
}
