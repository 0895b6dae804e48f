import ArgumentParser
import Foundation
import Simulator

/// `sim user ELF [args...]`: run a static AArch64 Linux executable at EL0 (like qemu-aarch64).
struct User: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a static AArch64 Linux executable with system-call emulation.",
        discussion: "Exits with the program's exit status, 128 + N when it is killed by signal N.")

    @Option(name: .customLong("max-insns"), help: "Stop after this many instructions (exit 3).")
    var maxInsns: UInt64?

    @Flag(name: .customLong("strace"), help: "Log each system call on stderr.")
    var strace = false

    @Flag(help: "At exit, one summary line on stderr: instructions retired and host MIPS.")
    var stats = false

    @Option(help: "argv[0] for the program (default: its path), as execve passes it.")
    var argv0: String?

    @Option(help: "Execution engine: jit (default on x86-64 hosts) or interpret, as for the system simulator; programs it runs by execve use the same.")
    var engine: MachineConfig.Engine?

    @Argument(help: "The executable.")
    var program: String

    @Argument(parsing: .captureForPassthrough, help: "Arguments for the program.")
    var arguments: [String] = []

    func run() throws {
        // Like qemu-user, the program gets the host environment.
        var env: [String] = []
        var p = environ
        while let entry = p.pointee { env.append(String(cString: entry)); p += 1 }
        // After the guest's copy: the choice reaches the simulators execve starts, not the program.
        if let engine { setenv("MINOS_ENGINE", engine.rawValue, 1) }
        let process = try UserProcess(path: program, argv0: argv0, arguments: arguments, environment: env, syscallTrace: strace)
        let started = DispatchTime.now()
        let status = process.run(maxInstructions: maxInsns)
        if stats {
            let wall = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            let insns = process.machine.retired
            let line = String(format: "sim user: %llu instructions, %.3f s host, %.1f MIPS", insns, wall, wall > 0 ? Double(insns) / wall / 1e6 : 0)
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
        // Killed by a signal: end the same way, so a parent sees WIFSIGNALED as under Linux and
        // qemu-user (no core file).
        if let signal = process.killedBy {
            var none = rlimit(rlim_cur: 0, rlim_max: 0)
            setrlimit(__rlimit_resource_t(RLIMIT_CORE.rawValue), &none)
            Foundation.signal(signal, SIG_DFL)
            UserProcess.restoreHostSignals()
            raise(signal)
        }
        Foundation.exit(status)
    }
}
