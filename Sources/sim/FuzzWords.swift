import ArgumentParser
import Devices
import Foundation
import Simulator

/// `sim fuzz-words`: executes random 32-bit words at EL1 (fixed seed) to show that no word crashes
/// or hangs the host: each either executes or raises the architectural exception. Every round
/// fills 16 KiB of code with random words, randomises the registers (half of them pointing into
/// RAM) and runs a bounded number of instructions. The EL1 vectors step over the word that
/// trapped (ELR_EL1 += 4, ERET), so execution moves on through the random words.
struct FuzzWords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fuzz-words",
        abstract: "Execute random instruction words at EL1 (robustness test).")

    @Option(help: "Random seed.")
    var seed: UInt64 = 1

    @Option(help: "Total instructions to execute.")
    var steps: UInt64 = 10_000_000

    @Option(help: "Instructions per round before new random words are loaded.")
    var round: UInt64 = 2_000

    /// SplitMix64: a small deterministic generator, so a seed names the same run everywhere.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    /// mrs x30, elr_el1; add x30, x30, #4; msr elr_el1, x30; eret — in each of the 16 vectors.
    static let vectorTable: [UInt8] = {
        let handler: [UInt32] = [0xD538_403E, 0x9100_13DE, 0xD518_403E, 0xD69F_03E0]
        var table = [UInt8](repeating: 0, count: 0x800)
        for v in 0..<16 {
            for (k, w) in handler.enumerated() {
                for b in 0..<4 { table[v * 0x80 + k * 4 + b] = UInt8(truncatingIfNeeded: w >> UInt32(8 * b)) }
            }
        }
        return table
    }()

    func run() throws {
        var rng = SplitMix(state: seed)
        let machine = try Machine(MachineConfig(board: .virt, cpus: 1, memory: 64 << 20, entryEL: 1),
                                  console: SerialBackend(handle: nil, echo: false))
        let code: UInt64 = 0x4000_0000, vectors: UInt64 = 0x4001_0000
        var executed: UInt64 = 0, rounds = 0
        var outcomes: [String: Int] = [:]
        while executed < steps {
            var words = [UInt8](repeating: 0, count: 0x4000)
            for i in stride(from: 0, to: words.count, by: 8) {
                let v = rng.next()
                for b in 0..<8 { words[i + b] = UInt8(truncatingIfNeeded: v >> UInt64(8 * b)) }
            }
            try machine.memory.write(words, at: code)
            try machine.memory.write(FuzzWords.vectorTable, at: vectors)
            machine.rearm()
            machine.boot(entry: code, dtb: 0)
            let core = machine.cores[0]
            for r in 0..<31 {
                let v = rng.next()
                core.x[r] = r & 1 == 0 ? 0x4000_0000 + (v & 0x3FF_FFF8) : v
            }
            core.x[Reg.sp] = 0x4200_0000
            core.sys[SysReg.vbarEL1.rawValue] = vectors
            let before = machine.retired
            let outcome = machine.run(maxInstructions: before + round)
            executed += machine.retired - before
            if ProcessInfo.processInfo.environment["FUZZ_DEBUG"] != nil {
                print("round \(rounds): retired \(machine.retired) cycles \(core.state.pointee.cycles) pc 0x\(String(core.state.pointee.pc, radix: 16)) el \(core.state.pointee.el) \(outcome)")
            }
            outcomes["\(outcome)".split(separator: "(").first.map(String.init) ?? "?", default: 0] += 1
            rounds += 1
        }
        print("fuzz-words: seed \(seed): \(executed) instructions in \(rounds) rounds; round endings: "
              + outcomes.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        print("fuzz-words: 1 passed, 0 failed")
    }
}
