/// The BCM2835 system timer (BCM2835 ARM Peripherals §12): a free-running 1 MHz counter (CLO/CHI)
/// and four 32-bit compares; a compare matching sets its CS bit, which drives GPU interrupt n.
public final class BCM2835SystemTimer: MMIODevice {
    private let cpuHz: UInt64
    private let sink: InterruptSink
    private var cs: UInt32 = 0
    private var compare: [UInt32] = [0, 0, 0, 0]
    private var now: UInt64 = 0
    private var lastCount: UInt64 = 0

    public init(cpuHz: UInt64, sink: InterruptSink) {
        self.cpuHz = cpuHz
        self.sink = sink
        super.init(name: "bcm2835-system-timer@3f003000", size: 0x1000)
    }

    /// Microseconds of machine time.
    var count: UInt64 {
        let (hi, lo) = now.multipliedFullWidth(by: 1_000_000)
        return cpuHz.dividingFullWidth((hi, lo)).quotient
    }

    public override func tick(now: UInt64) {
        self.now = now
        let c = count
        // A compare fires when the low word passes it: (last, c] contains a value equal to it mod 2^32.
        if c > lastCount {
            for n in 0..<4 where cs & (1 << n) == 0 {
                let distance = UInt64(compare[n] &- UInt32(truncatingIfNeeded: lastCount &+ 1))
                if distance < c - lastCount { cs |= 1 << n; sink.setLevel(intid: n, asserted: true) }
            }
            lastCount = c
        }
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case 0x00: return UInt64(cs)
        case 0x04: return count & 0xFFFF_FFFF
        case 0x08: return count >> 32
        case 0x0C, 0x10, 0x14, 0x18: return UInt64(compare[Int(offset - 0x0C) >> 2])
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x00:
            for n in 0..<4 where v & (1 << n) != 0 && cs & (1 << n) != 0 {
                cs &= ~(1 << n); sink.setLevel(intid: n, asserted: false)
            }
        case 0x0C, 0x10, 0x14, 0x18: compare[Int(offset - 0x0C) >> 2] = v
        default: break
        }
    }
}
