/// The host stand-in for `Arch` (Arch/Arch.swift, the hypervisor's single door to the hardware),
/// so the hardware-independent core builds and runs under `swift test`: physical memory is a
/// sparse map of 64-bit words, barriers do nothing. Only what the host-built files call.
enum Arch {
    nonisolated(unsafe) static var memory: [UInt64: UInt64] = [:]

    static func memoryRead64(_ address: UInt64) -> UInt64 { memory[address] ?? 0 }
    static func memoryWrite64(_ address: UInt64, _ value: UInt64) { memory[address] = value }
    static func barrier() {}
}

