/// Small BCM2835 peripherals Linux and U-Boot touch on a Raspberry Pi 3 (BCM2835 ARM Peripherals;
/// Linux's pinctrl-bcm2835.c, bcm2835_wdt.c, clk-bcm2835.c, bcm2835-rng.c).

/// GPIO (0x3F200000): function selects, set/clear, level; the rest of the window keeps what is written.
public final class BCM2835GPIO: MMIODevice {
    private var regs = [UInt32](repeating: 0, count: 0x100 / 4)
    private var output: UInt64 = 0

    public init() {
        super.init(name: "bcm2835-gpio@3f200000", size: 0x1000)
        // GPIO 14/15 in ALT5 (mini UART TXD1/RXD1) and 48-53 in ALT0 (sdhost), as the firmware leaves them.
        regs[1] = 2 << 12 | 2 << 15
        regs[4] = 4 << 24 | 4 << 27
        regs[5] = 4 | 4 << 3 | 4 << 6 | 4 << 9
    }

    /// GPFSEL function of a pin: 0 input, 1 output, 4 ALT0, 5 ALT1, 6 ALT2, 7 ALT3, 3 ALT4, 2 ALT5.
    public func function(pin: Int) -> UInt32 {
        guard (0..<54).contains(pin) else { return 0 }
        return regs[pin / 10] >> (3 * UInt32(pin % 10)) & 7
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case 0x34: return output & 0xFFFF_FFFF                 // GPLEV0: outputs read back
        case 0x38: return (output >> 32) & 0x3F_FFFF
        case 0x1C, 0x20, 0x28, 0x2C: return 0                   // set/clear are write-only
        default: return offset < 0x100 ? UInt64(regs[Int(offset >> 2)]) : 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = value & 0xFFFF_FFFF
        switch offset {
        case 0x1C: output |= v
        case 0x20: output |= (v & 0x3F_FFFF) << 32
        case 0x28: output &= ~v
        case 0x2C: output &= ~((v & 0x3F_FFFF) << 32)
        case 0x34, 0x38: break
        default: if offset < 0x100 { regs[Int(offset >> 2)] = UInt32(v) }
        }
    }
}

/// Power management and watchdog (0x3F100000). Writes need the password 0x5A in bits 31:24.
/// RSTC with WRCFG = full reset restarts the board, or powers it off when RSTS's partition bits
/// say 63 (0x555): the convention of the Pi firmware, TF-A and Linux's bcm2835_wdt.
public final class BCM2835PM: MMIODevice {
    private var regs = [UInt32](repeating: 0, count: 0x114 / 4)
    public var onPowerOff: (() -> Void)?
    public var onReset: (() -> Void)?

    public init() { super.init(name: "bcm2835-pm@3f100000", size: 0x114) }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        offset < 0x114 ? UInt64(regs[Int(offset >> 2)]) : 0
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        guard v >> 24 == 0x5A, offset < 0x114 else { return }   // no password: ignored, as on hardware
        regs[Int(offset >> 2)] = v & 0x00FF_FFFF
        if offset == 0x1C && v & 0x30 == 0x20 {                  // RSTC.WRCFG = full reset
            if regs[0x20 >> 2] & 0x555 == 0x555 { onPowerOff?() } else { onReset?() }
        }
    }
}

/// The clock manager (CPRMAN, 0x3F101000). Clock control/divider pairs keep what is written with
/// the password; the VPU and UART clocks start from the 19.2 MHz oscillator (source 1), enabled,
/// divider 1, so Linux's clock tree gives the mini UART and PL011 a non-zero rate.
public final class BCM2835CPRMAN: MMIODevice {
    private var regs = [UInt32](repeating: 0, count: 0x2000 / 4)

    public init() {
        super.init(name: "bcm2835-cprman@3f101000", size: 0x2000)
        for ctl in [0x008, 0x0F0] {                             // CM_VPUCTL, CM_UARTCTL
            regs[ctl >> 2] = 1 | 1 << 4                         // source oscillator, ENAB
            regs[(ctl + 4) >> 2] = 1 << 12                      // DIV: integer 1
        }
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        // BUSY (bit 7) follows ENAB (bit 4) at once for the CM_*CTL registers.
        guard offset < 0x2000 else { return 0 }
        if offset == 0x114 { return 0x1F00 }                     // CM_LOCK: PLLs A, B, C, D, H locked
        var v = regs[Int(offset >> 2)]
        if offset < 0x1000 && offset & 7 == 0 { v = v & ~0x80 | (v & 0x10) << 3 }
        return UInt64(v)
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        guard v >> 24 == 0x5A, offset < 0x2000 else { return }
        regs[Int(offset >> 2)] = v & 0x00FF_FFFF
    }
}

/// The hardware RNG (0x3F104000): a deterministic generator (runs must be reproducible) behind
/// the real register interface: CTRL, STATUS (words available in bits 31:24), DATA.
public final class BCM2835RNG: MMIODevice {
    private var ctrl: UInt32 = 0, status: UInt32 = 0, mask: UInt32 = 0
    private var state: UInt64 = 0x9E37_79B9_7F4A_7C15

    public init() { super.init(name: "bcm2835-rng@3f104000", size: 0x10) }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case 0x0: return UInt64(ctrl)
        case 0x4: return UInt64(status & 0xF_FFFF) | (ctrl & 1 != 0 ? 4 << 24 : 0)
        case 0x8:
            guard ctrl & 1 != 0 else { return 0 }
            state ^= state << 13; state ^= state >> 7; state ^= state << 17
            return state & 0xFFFF_FFFF
        case 0xC: return UInt64(mask)
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x0: ctrl = v
        case 0x4: status = v
        case 0xC: mask = v
        default: break
        }
    }
}
