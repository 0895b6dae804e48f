/// Versatile Express motherboard (V2M-P1) system registers, as the Motherboard Express µATX
/// Technical Reference Manual's "System register summary" lays them out, and as FVP Base places
/// them at 0x1C010000. Modelled: SYS_ID, the switch/LED/flag registers, and the configuration
/// bus (SYS_CFGDATA/CTRL/STAT) that Linux's vexpress-config driver uses for oscillators, muxes,
/// shutdown and reboot. A configuration transfer completes at once; values written to a
/// function/site/position/device are what later reads of it return (0 before the first write);
/// SHUTDOWN and REBOOT call the board's hooks. Other registers (counters, MCI, ...) read as zero.
public final class V2MSysRegs: MMIODevice {
    enum Reg: UInt64 {
        case id = 0x000, sw = 0x004, led = 0x008, flags = 0x030, flagsClear = 0x034
        case cfgData = 0x0A0, cfgCtrl = 0x0A4, cfgStat = 0x0A8
    }

    /// SYS_CFGCTRL fields.
    enum Ctrl {
        static let start: UInt32 = 1 << 31, write: UInt32 = 1 << 30
        static func function(_ c: UInt32) -> UInt32 { (c >> 20) & 0x3F }
    }
    /// SYS_CFGCTRL.FUNCTION values with side effects.
    enum Function {
        static let shutdown: UInt32 = 8, reboot: UInt32 = 9
    }
    /// SYS_CFGSTAT bits.
    enum Stat {
        static let complete: UInt32 = 1 << 0
    }

    /// SYS_ID: V2M-P1 revision B, HBI-0190, build F, AXI bus.
    public static let defaultID: UInt32 = 0x1190_F500

    public var onShutdown: (() -> Void)?
    public var onReboot: (() -> Void)?
    /// Values of configuration functions, keyed by SYS_CFGCTRL without START and WRITE.
    public private(set) var config: [UInt32: UInt32] = [:]

    private var sw: UInt32 = 0, led: UInt32 = 0, flags: UInt32 = 0
    private var cfgData: UInt32 = 0, cfgCtrl: UInt32 = 0, cfgStat: UInt32 = 0

    public init(name: String = "v2m-sysregs") {
        super.init(name: name, size: 0x1000)
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        guard size == 4, let r = Reg(rawValue: offset) else { return 0 }
        switch r {
        case .id: return UInt64(Self.defaultID)
        case .sw: return UInt64(sw)
        case .led: return UInt64(led)
        case .flags: return UInt64(flags)
        case .flagsClear: return 0
        case .cfgData: return UInt64(cfgData)
        case .cfgCtrl: return UInt64(cfgCtrl)
        case .cfgStat: return UInt64(cfgStat)
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        guard size == 4, let r = Reg(rawValue: offset) else { return }
        let v = UInt32(truncatingIfNeeded: value)
        switch r {
        case .id: break
        case .sw: sw = v
        case .led: led = v & 0xFF
        case .flags: flags |= v
        case .flagsClear: flags &= ~v
        case .cfgData: cfgData = v
        case .cfgStat: cfgStat = v
        case .cfgCtrl:
            cfgCtrl = v
            guard v & Ctrl.start != 0 else { return }
            let key = v & ~(Ctrl.start | Ctrl.write)
            if v & Ctrl.write != 0 {
                config[key] = cfgData
                switch Ctrl.function(v) {
                case Function.shutdown: onShutdown?()
                case Function.reboot: onReboot?()
                default: break
                }
            } else {
                cfgData = config[key] ?? 0
            }
            cfgCtrl &= ~Ctrl.start
            cfgStat |= Stat.complete
        }
    }
}
