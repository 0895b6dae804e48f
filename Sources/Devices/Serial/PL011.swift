/// Arm PrimeCell UART (PL011) Technical Reference Manual, "Register descriptions".
/// Transmission is instantaneous (the TX FIFO is always empty); reception fills a 16-entry FIFO
/// (1 entry when LCR_H.FEN is clear) from the serial backend.
public final class PL011: MMIODevice {
    /// Register offsets from the TRM's summary table.
    enum Reg: UInt64 {
        case dr = 0x000, rsr = 0x004, fr = 0x018, ilpr = 0x020, ibrd = 0x024, fbrd = 0x028
        case lcrH = 0x02C, cr = 0x030, ifls = 0x034, imsc = 0x038, ris = 0x03C, mis = 0x040
        case icr = 0x044, dmacr = 0x048
    }

    /// UARTRIS/UARTIMSC bit positions.
    public struct Interrupts: OptionSet, Sendable {
        public let rawValue: UInt32
        public init(rawValue: UInt32) { self.rawValue = rawValue }
        public static let rx = Interrupts(rawValue: 1 << 4)
        public static let tx = Interrupts(rawValue: 1 << 5)
        public static let rxTimeout = Interrupts(rawValue: 1 << 6)
    }

    /// UARTFR bits.
    enum Flag {
        static let busy: UInt32 = 1 << 3, rxfe: UInt32 = 1 << 4, txff: UInt32 = 1 << 5
        static let rxff: UInt32 = 1 << 6, txfe: UInt32 = 1 << 7
    }

    /// PrimeCell peripheral and cell identification registers at 0xFE0..0xFFC.
    static let idBytes: [UInt32] = [0x11, 0x10, 0x14, 0x00, 0x0D, 0xF0, 0x05, 0xB1]

    public let backend: SerialBackend
    public let irq: Int
    public let clockHz: UInt32
    private let sink: InterruptSink

    private(set) var ris: Interrupts = []
    private(set) var imsc: Interrupts = []
    private var lcrH: UInt32 = 0
    private var cr: UInt32 = 0x300
    private var ifls: UInt32 = 0x12
    private var ibrd: UInt32 = 0, fbrd: UInt32 = 0, ilpr: UInt32 = 0, dmacr: UInt32 = 0
    private var rxFIFO: [UInt8] = []
    private var lineAsserted = false

    public init(name: String, backend: SerialBackend, irq: Int, clockHz: UInt32, sink: InterruptSink) {
        self.backend = backend
        self.irq = irq
        self.clockHz = clockHz
        self.sink = sink
        super.init(name: name, size: 0x1000)
    }

    private var fifoDepth: Int { lcrH & (1 << 4) != 0 ? 16 : 1 }

    /// RX trigger level from UARTIFLS.RXIFLSEL: 1/8, 1/4, 1/2, 3/4, 7/8 of the FIFO.
    private var rxTrigger: Int {
        guard fifoDepth > 1 else { return 1 }
        return [2, 4, 8, 12, 14][min(Int((ifls >> 3) & 7), 4)]
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        if offset >= 0xFE0 && offset < 0x1000 { return UInt64(Self.idBytes[Int((offset - 0xFE0) >> 2)]) }
        guard let reg = Reg(rawValue: offset) else { return 0 }
        switch reg {
        case .dr:
            pullInput()
            let byte = rxFIFO.isEmpty ? 0 : rxFIFO.removeFirst()
            updateRX()
            return UInt64(byte)
        case .rsr: return 0
        case .fr:
            pullInput()
            var fr = Flag.txfe
            if rxFIFO.isEmpty { fr |= Flag.rxfe }
            if rxFIFO.count >= fifoDepth { fr |= Flag.rxff }
            return UInt64(fr)
        case .ilpr: return UInt64(ilpr)
        case .ibrd: return UInt64(ibrd)
        case .fbrd: return UInt64(fbrd)
        case .lcrH: return UInt64(lcrH)
        case .cr: return UInt64(cr)
        case .ifls: return UInt64(ifls)
        case .imsc: return UInt64(imsc.rawValue)
        case .ris: return UInt64(ris.rawValue)
        case .mis: return UInt64(ris.intersection(imsc).rawValue)
        case .icr: return 0
        case .dmacr: return UInt64(dmacr)
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        guard let reg = Reg(rawValue: offset) else { return }
        let v = UInt32(truncatingIfNeeded: value)
        switch reg {
        case .dr:
            // Hardware drops data when the UART or its transmitter is disabled; firmware and
            // early consoles often skip enabling it, and QEMU transmits anyway, so we do too.
            backend.transmit(UInt8(truncatingIfNeeded: v))
            backend.claimInput(self)
            ris.insert(.tx)
        case .rsr: break
        case .ilpr: ilpr = v & 0xFF
        case .ibrd: ibrd = v & 0xFFFF
        case .fbrd: fbrd = v & 0x3F
        case .lcrH:
            if (lcrH ^ v) & (1 << 4) != 0 { rxFIFO.removeAll() }
            lcrH = v & 0xFF
        case .cr: cr = v & 0xFF87
        case .ifls: ifls = v & 0x3F
        case .imsc: imsc = Interrupts(rawValue: v & 0x7FF)
        case .icr: ris.subtract(Interrupts(rawValue: v & 0x7FF))
        case .dmacr: dmacr = v & 7
        case .fr, .ris, .mis: break
        }
        updateRX()
    }

    /// Moves received bytes from the backend into the FIFO while there is room.
    private func pullInput() {
        while rxFIFO.count < fifoDepth, let byte = backend.receive(for: self) { rxFIFO.append(byte) }
    }

    /// Recomputes receive interrupts and drives the interrupt line.
    private func updateRX() {
        if rxFIFO.count >= rxTrigger { ris.insert(.rx) } else { ris.remove(.rx) }
        // The receive timeout fires after 32 idle bit periods; we model the line as idle at once.
        if !rxFIFO.isEmpty { ris.insert(.rxTimeout) } else { ris.remove(.rxTimeout) }
        let asserted = !ris.intersection(imsc).isEmpty
        if asserted != lineAsserted {
            lineAsserted = asserted
            sink.setLevel(intid: irq, asserted: asserted)
        }
    }

    /// Polls the backend for input; called at block boundaries.
    public override func tick(now: UInt64) {
        if backend.hasInput(for: self) && rxFIFO.count < fifoDepth {
            pullInput()
            updateRX()
        }
    }

    public override func emitDeviceTree(_ dt: DeviceTreeWriter, base: UInt64, context: DeviceTreeContext) throws {
        try dt.beginNode("serial@\(String(base, radix: 16))")
        try dt.property("compatible", strings: ["arm,pl011", "arm,primecell"])
        try dt.property("reg", cells: context.reg(base, size))
        try dt.property("interrupts", cells: context.spi(irq, level: true))
        try dt.property("clocks", cells: [context.clockPhandle, context.clockPhandle])
        try dt.property("clock-names", strings: ["uartclk", "apb_pclk"])
        try dt.endNode()
    }
}
