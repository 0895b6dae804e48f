import ArgumentParser
import Foundation
import Simulator

/// `sim decode-words FILE`: how our decoder classifies each little-endian 32-bit word of FILE,
/// one line per word: `WORD NAME` or `WORD UNDEFINED`. Used by the decoder cross-check against llvm-objdump.
struct DecodeWords: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "decode-words",
        abstract: "Classify 32-bit words with the A64 decoder (for decoder coverage tests).")

    @Argument(help: "File of little-endian 32-bit words.")
    var file: String

    func run() throws {
        guard let data = FileManager.default.contents(atPath: file) else { throw SimError.file(path: file, problem: "cannot read") }
        let bytes = [UInt8](data)
        var out = ""
        out.reserveCapacity(bytes.count * 6)
        for i in stride(from: 0, to: bytes.count & ~3, by: 4) {
            let w = UInt32(bytes[i]) | UInt32(bytes[i + 1]) << 8 | UInt32(bytes[i + 2]) << 16 | UInt32(bytes[i + 3]) << 24
            let insn = Decoder.shared.decode(w)
            let name = insn.op == .undefined ? "UNDEFINED" : (Decoder.shared.match(w)?.name ?? "?")
            out += String(format: "%08x ", w) + name + "\n"
        }
        FileHandle.standardOutput.write(Data(out.utf8))
    }
}
