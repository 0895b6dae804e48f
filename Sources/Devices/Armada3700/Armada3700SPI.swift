/// The Armada 3700 SPI controller in its legacy (byte-at-a-time) mode, as U-Boot's
/// mvebu_a3700_spi drives it: CTRL 0x00 (chip selects in bits 19:16, XFER_RDY bit 1), CFG 0x04
/// (BYTE_LEN bit 5: two bytes per transfer; FIFO_FLUSH bit 9 completes at once; FIFO_EN bit 17),
/// DOUT 0x08 (writing starts a transfer), DIN 0x0C. Transfers complete at once. The FIFO mode
/// Linux's spi-armada-3700 uses is not modelled: its registers keep what is written.
public final class Armada3700SPI: MMIODevice {
    /// Devices on chip selects 0-3.
    private let flash: [Int: SPINORFlash]
    private var ctrl: UInt32 = 0
    private var cfg: UInt32 = 0
    private var din: UInt32 = 0
    private var other: [UInt64: UInt32] = [:]

    public init(name: String, flash: [Int: SPINORFlash]) {
        self.flash = flash
        super.init(name: name, size: 0xA00)
    }

    private var selected: SPINORFlash? {
        (0..<4).first { ctrl & (1 << (16 + UInt32($0))) != 0 }.flatMap { flash[$0] }
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case 0x00: return UInt64(ctrl | 1 << 1)            // XFER_RDY: the last transfer is done
        case 0x04: return UInt64(cfg)
        case 0x0C: return UInt64(din)
        default: return UInt64(other[offset & ~3] ?? 0)
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x00:
            let before = ctrl & 0xF_0000
            ctrl = v & ~2
            let after = ctrl & 0xF_0000
            for cs in 0..<4 {
                let bit = UInt32(1) << (16 + UInt32(cs))
                if before & bit == 0 && after & bit != 0 { flash[cs]?.select() }
                if before & bit != 0 && after & bit == 0 { flash[cs]?.deselect() }
            }
        case 0x04: cfg = v & ~(1 << 9)
        case 0x08:
            let device = selected
            let shift: (UInt8) -> UInt8 = { device?.transfer($0) ?? 0xFF }
            if cfg & (1 << 5) != 0 {
                din = UInt32(shift(UInt8(truncatingIfNeeded: v >> 8))) << 8 | UInt32(shift(UInt8(truncatingIfNeeded: v)))
            } else {
                din = UInt32(shift(UInt8(truncatingIfNeeded: v)))
            }
        default: other[offset & ~3] = v
        }
    }
}
