/// A PL011 per VM (Arm PrimeCell UART PL011 TRM register map): transmit
/// bytes go to the physical console, one line at a time, prefixed with the
/// VM's tag; received bytes come from the console when the VM has focus.
/// Lines are assembled per vCPU, so vCPUs of a bare-metal guest printing at
/// once never mix mid-line. A Linux guest's output is one stream instead: the
/// kernel serialises its console writers itself (console and port locks), and
/// a shell's echo moves between vCPUs with the task, so one line can come
/// from two vCPUs.
final class VirtualUART {
    let prefix: String
    private var lines: [[UInt8]]
    private let linePerVCPU: Bool
    private var rx: [UInt8] = []
    private var imsc: UInt32 = 0, cr: UInt32 = 0x300, lcrh: UInt32 = 0, ibrd: UInt32 = 0, fbrd: UInt32 = 0, ifls: UInt32 = 0x12
    /// Raised when a receive interrupt should be delivered.
    var interruptLine: (() -> Void)? = nil

    static let size: UInt64 = 0x1000
    static let rxBits: UInt32 = (1 << 4) | (1 << 6)    // RXIS, RTIS
    /// PeriphID0..3 and PCellID0..3 of a PL011 r1p5, so drivers probing them find one.
    static let ids: [UInt32] = [0x11, 0x10, 0x34, 0x00, 0x0D, 0xF0, 0x05, 0xB1]

    init(prefix: String, vcpus: Int, linePerVCPU: Bool) {
        self.prefix = prefix
        self.linePerVCPU = linePerVCPU
        lines = [[UInt8]](repeating: [], count: linePerVCPU ? vcpus : 1)
    }

    /// Which line buffer a vCPU's bytes go to.
    private func slot(_ vcpu: Int) -> Int { linePerVCPU ? min(vcpu, lines.count - 1) : 0 }

    func access(offset: UInt64, write: Bool, value: UInt64, vcpu: Int) -> MMIOResult {
        let v = UInt32(truncatingIfNeeded: value)
        switch (offset, write) {
        case (0x000, true): transmit(UInt8(truncatingIfNeeded: v), vcpu: vcpu); return .handled(0)
        case (0x000, false): return .handled(rx.isEmpty ? 0 : UInt64(rx.removeFirst()))
        case (0x018, false):                                    // FR: TXFE always, RXFE when empty
            return .handled(UInt64((1 << 7) | (rx.isEmpty ? 1 << 4 : 0)))
        case (0x024, _): if write { ibrd = v }; return .handled(UInt64(ibrd))
        case (0x028, _): if write { fbrd = v }; return .handled(UInt64(fbrd))
        case (0x02C, _): if write { lcrh = v }; return .handled(UInt64(lcrh))
        case (0x030, _): if write { cr = v }; return .handled(UInt64(cr))
        case (0x034, _): if write { ifls = v }; return .handled(UInt64(ifls))
        case (0x038, _): if write { imsc = v; signal() }; return .handled(UInt64(imsc))
        case (0x03C, false): return .handled(UInt64(rawStatus))
        case (0x040, false): return .handled(UInt64(rawStatus & imsc))
        case (0x044, true): return .handled(0)                  // ICR: RX status follows the FIFO
        case (0xFE0...0xFFC, false): return .handled(UInt64(Self.ids[Int((offset - 0xFE0) / 4)]))
        case (_, true): return .handled(0)                      // other registers: write ignored
        default: return .handled(0)
        }
    }

    /// The interrupt output's level (masked receive status), for controllers that sample levels.
    var interruptLevel: Bool { rawStatus & imsc & Self.rxBits != 0 }

    private var rawStatus: UInt32 { (1 << 5) | (rx.isEmpty ? 0 : Self.rxBits) }  // TXIS always

    private func signal() {
        if rawStatus & imsc & Self.rxBits != 0 { interruptLine?() }
    }

    func receive(_ byte: UInt8) {
        rx.append(byte)
        signal()
    }

    private func transmit(_ byte: UInt8, vcpu cpu: Int) {
        let vcpu = slot(cpu)
        if byte == 10 || lines[vcpu].count >= 200 {
            flush(vcpu)
        } else if byte != 13 {
            lines[vcpu].append(byte)
        }
    }

    private func flush(_ vcpu: Int) {
        Console.vmLine(prefix: prefix, lines[vcpu], owner: ObjectIdentifier(self), vcpu: vcpu, complete: true)
        lines[vcpu].removeAll(keepingCapacity: true)
    }

    /// Show `vcpu`'s unfinished line now: the focused VM went idle, so the
    /// line is a prompt or echoed input that waits for the user.
    func showPartial(vcpu cpu: Int) {
        let vcpu = slot(cpu)
        guard !lines[vcpu].isEmpty else { return }
        Console.vmLine(prefix: prefix, lines[vcpu], owner: ObjectIdentifier(self), vcpu: vcpu, complete: false)
    }

    /// Emit pending partial lines (when the VM stops).
    func flushAll() {
        for i in 0..<lines.count where !lines[i].isEmpty { flush(i) }
    }
}
