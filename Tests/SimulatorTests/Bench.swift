import Devices
import Foundation
@testable import Simulator

/// Assembles AArch64 source with the Swift toolchain's clang (the encodings come from an
/// assembler we did not write) and returns the raw .text bytes.
enum Assembler {
    static let toolDir: URL = {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        for dir in path.split(separator: ":") where FileManager.default.isExecutableFile(atPath: "\(dir)/swiftc") {
            return URL(fileURLWithPath: String(dir))
        }
        return URL(fileURLWithPath: "/opt/swift/usr/bin")
    }()

    static func run(_ tool: String, _ args: [String]) throws {
        let p = Process()
        p.executableURL = tool.hasPrefix("/") ? URL(fileURLWithPath: tool) : toolDir.appendingPathComponent(tool)
        p.arguments = args
        let err = Pipe()
        p.standardError = err
        try p.run()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            let msg = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            throw SimError.config("\(tool) failed: \(msg)")
        }
    }

    static func assemble(_ source: String) throws -> [UInt8] {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("minos-asm-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let s = dir.appendingPathComponent("t.s"), o = dir.appendingPathComponent("t.o"), bin = dir.appendingPathComponent("t.bin")
        try (".text\n" + source + "\n").write(to: s, atomically: true, encoding: .utf8)
        try run("clang", ["--target=aarch64-none-elf", "-march=armv8-a+crc", "-c", s.path, "-o", o.path])
        let objcopy = FileManager.default.isExecutableFile(atPath: toolDir.appendingPathComponent("llvm-objcopy").path)
            ? "llvm-objcopy" : "/usr/bin/llvm-objcopy"
        try run(objcopy, ["-O", "binary", "--only-section=.text", o.path, bin.path])
        return [UInt8](try Data(contentsOf: bin))
    }
}

/// A one- or two-core `virt` machine that runs an assembled snippet from RAM base at a chosen EL
/// until the snippet executes WFI with nothing pending (the machine then reports a deadlock).
final class Bench {
    let machine: Machine
    let console = SerialBackend(handle: nil, echo: false)
    var output = ""
    static let base: UInt64 = 0x4000_0000

    init(cpus: Int = 1, entryEL: Int = 2, timing: TimingMode = .simple) throws {
        var config = MachineConfig(board: .virt, cpus: cpus, memory: 64 << 20, entryEL: entryEL)
        config.timing = timing
        machine = try Machine(config, console: console)
        console.onLine = { [unowned self] in self.output += $0 + "\n" }
    }

    var core: Core { machine.cores[0] }

    /// Runs `source` (ending it with `wfi` is added); returns the outcome.
    @discardableResult
    func run(_ source: String, el: Int? = nil, maxInstructions: UInt64 = 1_000_000, setup: (Core) -> Void = { _ in }) throws -> Outcome {
        let code = try Assembler.assemble(source + "\n wfi\n b .\n")
        try machine.memory.write(code, at: Bench.base)
        machine.boot(entry: Bench.base, dtb: 0)
        if let el, el != machine.entryEL {
            core.setMode(el: el, spsel: el == 0 ? 0 : 1)
        }
        setup(core)
        return machine.run(maxInstructions: maxInstructions)
    }

    func x(_ n: Int) -> UInt64 { core.x[n] }

    /// Assembly that drops from EL2 to EL1 (EL1h, DAIF masked) and goes on at the label `el1:`.
    static let toEL1 = """
        mov x0, #0x3c5
        msr spsr_el2, x0
        adr x0, el1
        msr elr_el2, x0
        eret
        el1:

        """
}
