/// The Armada 3700 UART, standard variant (Linux's mvebu-uart.c, U-Boot's serial_mvebu_a3700.c;
/// facts in shared/boards/espressobin.md): not a PL011 nor a 16550. RBR 0x00, TSH 0x04, CTRL 0x08,
/// STAT 0x0C, BRDV 0x10 (the divisor in [9:0]; the upper bits select the UART clock and belong to
/// the clock driver), OSAMP 0x14. Transmission is instantaneous, so the TX FIFO always reads empty
/// and idle (Linux's earlycon waits for TX_FIFO_EMP, U-Boot for TX_EMP); receive has a 32-byte FIFO.
/// Interrupt lines are levels: RX while data waits and CTRL.RX_RDY_INT is set, TX while CTRL.TX_RDY_INT
/// is set (the transmitter is always ready), the summary line while either is.
public final class Armada3700UART: MMIODevice {
    public let backend: SerialBackend
    private let sink: InterruptSink
    /// Summary, TX and RX interrupt lines (INTIDs).
    private let lines: (sum: Int, tx: Int, rx: Int)
    private var ctrl: UInt32 = 0
    private var brdv: UInt32
    private var osamp: UInt32 = 0
    /// Break/frame/parity/overrun status (STAT bits 3:0), write 1 to clear; never set by this model.
    private var errors: UInt32 = 0
    private var rx: [UInt8] = []
    private var asserted: (sum: Bool, tx: Bool, rx: Bool) = (false, false, false)
    static let fifoDepth = 32

    enum Stat {
        static let txFifoEmpty: UInt32 = 1 << 13, txFifoFull: UInt32 = 1 << 11
        static let txEmpty: UInt32 = 1 << 6, txReady: UInt32 = 1 << 5, rxReady: UInt32 = 1 << 4
    }

    enum Ctrl {
        static let softReset: UInt32 = 1 << 31, txFifoReset: UInt32 = 1 << 15, rxFifoReset: UInt32 = 1 << 14
        static let txReadyInt: UInt32 = 1 << 5, rxReadyInt: UInt32 = 1 << 4
    }

    /// `divisor`: the baud divisor the boot firmware leaves in BRDV (115200 baud from 25 MHz: 13).
    public init(name: String, backend: SerialBackend, lines: (sum: Int, tx: Int, rx: Int), sink: InterruptSink, divisor: UInt32 = 13) {
        self.backend = backend
        self.sink = sink
        self.lines = lines
        brdv = divisor
        super.init(name: name, size: 0x18)
    }

    private func pull() {
        while rx.count < Self.fifoDepth, let b = backend.receive(for: self) { rx.append(b) }
    }

    private func update() {
        let rxLine = ctrl & Ctrl.rxReadyInt != 0 && !rx.isEmpty
        let txLine = ctrl & Ctrl.txReadyInt != 0
        let sum = rxLine || txLine
        if rxLine != asserted.rx { sink.setLevel(intid: lines.rx, asserted: rxLine) }
        if txLine != asserted.tx { sink.setLevel(intid: lines.tx, asserted: txLine) }
        if sum != asserted.sum { sink.setLevel(intid: lines.sum, asserted: sum) }
        asserted = (sum, txLine, rxLine)
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        pull()
        defer { update() }
        switch offset {
        case 0x00: return rx.isEmpty ? 0 : UInt64(rx.removeFirst())
        case 0x08: return UInt64(ctrl)
        case 0x0C:
            return UInt64(Stat.txFifoEmpty | Stat.txEmpty | Stat.txReady | (rx.isEmpty ? 0 : Stat.rxReady) | errors)
        case 0x10: return UInt64(brdv)
        case 0x14: return UInt64(osamp)
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x04:
            backend.transmit(UInt8(truncatingIfNeeded: v))
            backend.claimInput(self)
        case 0x08:
            if v & (Ctrl.softReset | Ctrl.rxFifoReset) != 0 { rx.removeAll() }
            // Soft reset holds the UART in reset while set; its register settings are kept.
            ctrl = v
        case 0x0C: errors &= ~(v & 0xF)
        case 0x10: brdv = v
        case 0x14: osamp = v
        default: return
        }
        update()
    }

    public override func tick(now: UInt64) {
        if backend.hasInput(for: self) && rx.count < Self.fifoDepth { pull(); update() }
    }
}
