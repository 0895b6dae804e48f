/// PL011 UART, the registers the console uses (Arm PrimeCell UART PL011 TRM).
struct PL011 {
    let base: UInt64
    static let dr: UInt64 = 0x00, fr: UInt64 = 0x18, imsc: UInt64 = 0x38, icr: UInt64 = 0x44
    /// FR.TXFF, transmit FIFO full; FR.RXFE, receive FIFO empty.
    static let txff: UInt32 = 1 << 5, rxfe: UInt32 = 1 << 4
    /// IMSC.RXIM | RTIM: receive and receive-timeout interrupts.
    static let rxInterrupts: UInt32 = (1 << 4) | (1 << 6)

    func put(_ byte: UInt8) {
        while Arch.read32(base + Self.fr) & Self.txff != 0 {}
        Arch.write32(base + Self.dr, UInt32(byte))
    }

    func get() -> UInt8? {
        guard Arch.read32(base + Self.fr) & Self.rxfe == 0 else { return nil }
        return UInt8(truncatingIfNeeded: Arch.read32(base + Self.dr))
    }

    func enableReceiveInterrupt() { Arch.write32(base + Self.imsc, Self.rxInterrupts) }
}
