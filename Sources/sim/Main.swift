import ArgumentParser
import Foundation
import Simulator

/// Exit codes, documented in `sim --help`.
enum ExitCode32: Int32 {
    case success = 0
    case guestFailure = 1
    case badInput = 2
    case instructionLimit = 3
    case deadlock = 4
    case limitation = 5
    case interrupted = 130
}

struct Sim: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sim",
        abstract: "A cycle-approximate ARMv8-A platform simulator.",
        discussion: """
        Boots a kernel or bare-metal program on a modelled board (virt: QEMU's map; fvp: Arm FVP Base RevC; rpi3: Raspberry Pi 3 Model B+; espressobin: Armada 3720; `sim boards` describes them). With no payload, `sim --board virt|fvp|espressobin` runs the default flow, as `make run`: the Minos hypervisor with two Linux VMs.

        Exit codes:
          0    every --expect matched, or (without --expect) the guest powered off or reset through PSCI
          1    --fail-on matched, or the run ended without the --expect line
          2    invalid options or input files (one line on stderr names the option or file)
          3    --max-insns reached (without --expect)
          4    every core waits and nothing can wake one
          5    the guest used a feature the simulator does not implement yet
          130  interrupted (Ctrl-A X or SIGINT)
        """,
        subcommands: [Run.self, User.self, Boards.self, DecodeWords.self, FuzzWords.self],
        defaultSubcommand: Run.self
    )
}

@main
enum Main {
    static func main() {
        do {
            var command = try Sim.parseAsRoot()
            try command.run()
        } catch {
            let code = Sim.exitCode(for: error)
            if code == .success {
                print(Sim.fullMessage(for: error))
                exit(0)
            }
            // Our own errors name the file or option; the parser's name the argument.
            let message = (error as? SimError)?.description ?? Sim.message(for: error)
            let line = message.split(separator: "\n").first.map(String.init) ?? "invalid arguments"
            FileHandle.standardError.write(Data("sim: \(line)\n".utf8))
            exit(ExitCode32.badInput.rawValue)
        }
    }
}
