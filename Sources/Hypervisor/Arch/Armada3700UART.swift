/// The Armada 3700 UART (the ESPRESSObin's console; Linux's mvebu-uart.c): TSH 0x04 to send,
/// RBR 0x00 to receive, CTRL 0x08 (bit 4: RX_RDY interrupt), STAT 0x0C (bit 11 TX FIFO full,
/// bit 4 RX ready).
struct Armada3700UART {
    let base: UInt64
    static let rbr: UInt64 = 0x00, tsh: UInt64 = 0x04, ctrl: UInt64 = 0x08, stat: UInt64 = 0x0C
    static let txFifoFull: UInt32 = 1 << 11, rxReady: UInt32 = 1 << 4, rxInterrupt: UInt32 = 1 << 4

    func put(_ byte: UInt8) {
        while Arch.read32(base + Self.stat) & Self.txFifoFull != 0 {}
        Arch.write32(base + Self.tsh, UInt32(byte))
    }

    func get() -> UInt8? {
        guard Arch.read32(base + Self.stat) & Self.rxReady != 0 else { return nil }
        return UInt8(truncatingIfNeeded: Arch.read32(base + Self.rbr))
    }

    func enableReceiveInterrupt() { Arch.write32(base + Self.ctrl, Arch.read32(base + Self.ctrl) | Self.rxInterrupt) }
}
