/// The BCM2835 AUX block with its mini UART (BCM2835 ARM Peripherals §2; Linux drives it with the
/// 8250 driver, registers 4 bytes apart from +0x40). A 16550-like subset: 8-deep receive FIFO,
/// instantaneous transmit, RX and TX-empty interrupts; baud settings are kept, not timed.
public final class BCM2835AuxUART: MMIODevice {
    public let backend: SerialBackend
    private let irq: Int
    private let sink: InterruptSink
    /// AUX_ENABLES bit 0: the Pi firmware leaves the mini UART on when it is the console
    /// (enable_uart=1), and U-Boot relies on that.
    private var enables: UInt32 = 1
    private var ier: UInt32 = 0       // bit 0 RX, bit 1 TX-empty interrupt enable
    private var lcr: UInt32 = 0, mcr: UInt32 = 0, scratch: UInt32 = 0
    private var cntl: UInt32 = 3      // receiver and transmitter enabled at reset
    private var baud: UInt32 = 0
    private var rx: [UInt8] = []
    private var lineAsserted = false

    public init(name: String, backend: SerialBackend, irq: Int, sink: InterruptSink) {
        self.backend = backend
        self.irq = irq
        self.sink = sink
        super.init(name: name, size: 0x100)
    }

    private var dlab: Bool { lcr & 0x80 != 0 }
    /// The receiver takes input only while the UART and its receiver are on.
    private var receiving: Bool { enables & 1 != 0 && cntl & 1 != 0 }
    private var rxPending: Bool { ier & 1 != 0 && !rx.isEmpty }
    private var txPending: Bool { ier & 2 != 0 }

    private func pull() {
        while receiving && rx.count < 8, let b = backend.receive(for: self) { rx.append(b) }
    }

    private func update() {
        let asserted = enables & 1 != 0 && (rxPending || txPending)
        if asserted != lineAsserted {
            lineAsserted = asserted
            sink.setLevel(intid: irq, asserted: asserted)
        }
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        pull()
        defer { update() }
        switch offset {
        case 0x00: return lineAsserted ? 1 : 0                  // AUX_IRQ
        case 0x04: return UInt64(enables)
        case 0x40:
            if dlab { return UInt64(baud & 0xFF) }
            return rx.isEmpty ? 0 : UInt64(rx.removeFirst())
        case 0x44: return dlab ? UInt64(baud >> 8) : UInt64(ier)
        case 0x48: // IIR: FIFOs on (bits 7:6), bit 0 clear while an interrupt is pending
            return 0xC0 | (rxPending ? 0x4 : txPending ? 0x2 : 0x1)
        case 0x4C: return UInt64(lcr)
        case 0x50: return UInt64(mcr)
        case 0x54: return 0x60 | (rx.isEmpty ? 0 : 1)           // LSR: TX empty and idle, data ready
        case 0x58: return 0x20                                   // MSR: CTS asserted
        case 0x5C: return UInt64(scratch)
        case 0x60: return UInt64(cntl)
        case 0x64: // STAT: symbol available, space available, RX idle, TX idle + empty, RX FIFO level
            return (rx.isEmpty ? 0 : 1) | 2 | 4 | 8 | 1 << 9 | UInt64(rx.count) << 16
        case 0x68: return UInt64(baud)
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x04: enables = v & 7
        case 0x40:
            if dlab { baud = baud & 0xFF00 | v & 0xFF } else {
                backend.transmit(UInt8(truncatingIfNeeded: v))
                backend.claimInput(self)
            }
        case 0x44:
            if dlab { baud = baud & 0xFF | (v & 0xFF) << 8 } else { ier = v & 3 }
        case 0x48: if v & 2 != 0 { rx.removeAll() }             // FCR: clear the receive FIFO
        case 0x4C: lcr = v & 0xFF
        case 0x50: mcr = v & 0xFF
        case 0x5C: scratch = v & 0xFF
        case 0x60: cntl = v & 0xFF
        case 0x68: baud = v & 0xFFFF
        default: return
        }
        update()
    }

    public override func tick(now: UInt64) {
        if backend.hasInput(for: self) && receiving && rx.count < 8 { pull(); update() }
    }
}
