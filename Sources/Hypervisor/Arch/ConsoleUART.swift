/// The hypervisor's console: whichever UART the board has.
struct ConsoleUART {
    enum Kind { case pl011, armada3700, bcm2835Mini }
    let kind: Kind
    let base: UInt64

    func put(_ byte: UInt8) {
        switch kind {
        case .pl011: PL011(base: base).put(byte)
        case .armada3700: Armada3700UART(base: base).put(byte)
        case .bcm2835Mini: BCM2835MiniUART(base: base).put(byte)
        }
    }

    func get() -> UInt8? {
        switch kind {
        case .pl011: return PL011(base: base).get()
        case .armada3700: return Armada3700UART(base: base).get()
        case .bcm2835Mini: return BCM2835MiniUART(base: base).get()
        }
    }

    func enableReceiveInterrupt() {
        switch kind {
        case .pl011: PL011(base: base).enableReceiveInterrupt()
        case .armada3700: Armada3700UART(base: base).enableReceiveInterrupt()
        case .bcm2835Mini: BCM2835MiniUART(base: base).enableReceiveInterrupt()
        }
    }
}
