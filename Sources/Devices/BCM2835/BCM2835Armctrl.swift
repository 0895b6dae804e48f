/// The BCM2835 ARM interrupt controller ("armctrl", BCM2835 ARM Peripherals §7; Linux's
/// irq-bcm2835.c): 64 GPU interrupts in two banks plus 8 ARM-side ones, enable/disable sets, one
/// FIQ source; its IRQ and FIQ outputs feed the BCM2836 local controller's GPU input.
/// Device lines: GPU interrupt n is `intid` n (0-63), ARM basic interrupt b is 64 + b.
public final class BCM2835Armctrl: MMIODevice, InterruptSink {
    /// GPU interrupts whose pending bit is mirrored in basic pending bits 10-20 (the shortcuts).
    static let shortcuts = [7, 9, 10, 18, 19, 53, 54, 55, 56, 57, 62]
    private var level: UInt64 = 0       // GPU 0-63
    private var basicLevel: UInt8 = 0   // ARM 0-7
    private var enable: UInt64 = 0
    private var basicEnable: UInt8 = 0
    private var fiqControl: UInt32 = 0
    private let local: BCM2836LocalIntc

    public init(local: BCM2836LocalIntc) {
        self.local = local
        super.init(name: "bcm2835-armctrl-ic@3f00b200", size: 0x200)
    }

    public func setLevel(intid: Int, asserted: Bool) {
        if intid < 64 {
            if asserted { level |= 1 << UInt64(intid) } else { level &= ~(1 << UInt64(intid)) }
        } else if intid < 72 {
            if asserted { basicLevel |= 1 << UInt8(intid - 64) } else { basicLevel &= ~(1 << UInt8(intid - 64)) }
        }
        update()
    }

    /// The FIQ source (0-63 GPU, 64-71 ARM) when FIQ control bit 7 is set; it leaves the IRQ path.
    private var fiqSource: Int? { fiqControl & 0x80 != 0 ? Int(fiqControl & 0x7F) : nil }

    /// Pending and enabled, as Linux reads them (the pending registers are masked by the enables).
    private var gpuPending: UInt64 {
        var p = level & enable
        if let f = fiqSource, f < 64 { p &= ~(1 << UInt64(f)) }
        return p
    }
    private var armPending: UInt32 {
        var p = UInt32(basicLevel & basicEnable)
        if let f = fiqSource, f >= 64 { p &= ~(1 << UInt32(f - 64)) }
        return p
    }

    private var basicPending: UInt32 {
        let g = gpuPending
        var v = armPending
        if g & 0xFFFF_FFFF != 0 { v |= 1 << 8 }
        if g >> 32 != 0 { v |= 1 << 9 }
        for (i, irq) in Self.shortcuts.enumerated() where g & (1 << UInt64(irq)) != 0 { v |= 1 << UInt32(10 + i) }
        return v
    }

    private func update() {
        let fiq: Bool
        if let f = fiqSource { fiq = f < 64 ? level & (1 << UInt64(f)) != 0 : basicLevel & (1 << UInt8(f - 64)) != 0 } else { fiq = false }
        local.setGPU(irq: gpuPending != 0 || armPending != 0, fiq: fiq)
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case 0x00: return UInt64(basicPending)
        case 0x04: return gpuPending & 0xFFFF_FFFF
        case 0x08: return gpuPending >> 32
        case 0x0C: return UInt64(fiqControl)
        case 0x10, 0x1C: return enable & 0xFFFF_FFFF
        case 0x14, 0x20: return enable >> 32
        case 0x18, 0x24: return UInt64(basicEnable)
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = value & 0xFFFF_FFFF
        switch offset {
        case 0x0C: fiqControl = UInt32(v & 0xFF)
        case 0x10: enable |= v
        case 0x14: enable |= v << 32
        case 0x18: basicEnable |= UInt8(truncatingIfNeeded: v)
        case 0x1C: enable &= ~v
        case 0x20: enable &= ~(v << 32)
        case 0x24: basicEnable &= ~UInt8(truncatingIfNeeded: v)
        default: return
        }
        update()
    }
}
