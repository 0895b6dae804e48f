// virtio-blk over PCI (virtio 1.x "Virtio Over PCI Bus", modern interface only): the DMA attack
// test's second transport. No firmware has set the function up, so the probe finds it on bus 0
// through ECAM, assigns its memory BARs inside the 32-bit memory window itself, then drives the
// common configuration structure. Polled: no MSI-X, no INTx.
// Helpers live on one-word structs and the test takes the probe inout: -Osize copies a larger
// struct with a call to memcpy, which this guest does not link.
import _Volatile

/// One function's configuration space in ECAM (type 0 header).
struct PCIFunction {
    let config: UInt

    var vendor: UInt16 { reg16(config).load() }
    var device: UInt16 { reg16(config &+ 0x02).load() }
    var command: VolatileMappedRegister<UInt16> { reg16(config &+ 0x04) }
    /// Status.Capabilities List: a capability pointer at 0x34.
    var hasCapabilities: Bool { reg16(config &+ 0x06).load() & (1 << 4) != 0 }

    func bar(_ i: UInt8) -> UInt { config &+ 0x10 &+ UInt(i) &* 4 }
    static func is64Bit(_ low: UInt32) -> Bool { (low >> 1) & 3 == 2 }

    /// Where BAR `i` points (both halves of a 64-bit BAR).
    func barBase(_ i: UInt8) -> UInt {
        let low = reg32(bar(i)).load()
        let high = Self.is64Bit(low) ? UInt(reg32(bar(i) &+ 4).load()) : 0
        return high << 32 | UInt(low & ~0xF)
    }

    /// Sizes every memory BAR (all ones, read back, mask) and places it at the next multiple of its
    /// size from `window`, then enables Memory Space and Bus Master. All of them, not only those in
    /// `needed` (a bit per BAR): one left at 0 would claim bus address 0 once decoding is on (QEMU's
    /// MSI-X table BAR, say). Decoding stays off meanwhile so a half-written BAR claims nothing.
    /// False when a needed BAR is I/O space (no window for it here) or unimplemented.
    func assignBARs(needed: UInt8, from window: UInt) -> Bool {
        command.store(command.load() & ~3)                      // I/O and Memory Space off
        var next = window
        var following: UInt8 = 0
        while following < 6 {
            let i = following
            let original = reg32(bar(i)).load()
            let isMemory = original & 1 == 0, wide = isMemory && Self.is64Bit(original)
            following = wide ? i + 2 : i + 1                    // a 64-bit BAR's upper half is the next one
            let isNeeded = needed & (1 << i) != 0
            guard isMemory else { if isNeeded { return false }; continue }
            if wide && (i == 5 || needed & (2 << i) != 0) { return false }   // no upper half, or one named as a BAR
            reg32(bar(i)).store(~0)
            let low = reg32(bar(i)).load() & ~0xF
            var mask = UInt(low) | 0xFFFF_FFFF_0000_0000
            if wide {
                reg32(bar(i) &+ 4).store(~0)
                mask = UInt(reg32(bar(i) &+ 4).load()) << 32 | UInt(low)
            }
            guard wide ? mask != 0 : low != 0 else { if isNeeded { return false }; continue }   // not implemented
            let size = ~mask &+ 1
            let base = (next &+ size &- 1) & ~(size &- 1)
            reg32(bar(i)).store(UInt32(truncatingIfNeeded: base))
            if wide { reg32(bar(i) &+ 4).store(UInt32(truncatingIfNeeded: base >> 32)) }
            next = base &+ size
        }
        command.store(command.load() | 1 << 1 | 1 << 2)         // Memory Space, Bus Master
        return true
    }
}

/// A virtio structure a vendor capability names: which BAR, and where in it.
struct VirtIOPCIStructure {
    var bar: UInt8 = 0xFF                                       // 0xFF: no capability of this type
    var offset: UInt32 = 0
    var present: Bool { bar != 0xFF }
    var barMask: UInt8 { present ? 1 << bar : 0 }
}

/// The structures a function's vendor capabilities (ID 0x09) name, by cfg_type: 1 common,
/// 2 notify (with its multiplier at cap + 16), 3 ISR, 4 device. The first of each type wins, as
/// the spec asks.
struct VirtIOPCICapabilities {
    var common = VirtIOPCIStructure(), notify = VirtIOPCIStructure()
    var isr = VirtIOPCIStructure(), device = VirtIOPCIStructure()
    var notifyMultiplier: UInt32 = 0

    init(_ f: PCIFunction) {
        guard f.hasCapabilities else { return }
        let cfg = f.config
        var cap = UInt(reg8(cfg &+ 0x34).load() & 0xFC)
        var hops = 0
        while cap != 0 && hops < 48 {                           // 48: all a 256-byte space can chain
            hops += 1
            let next = UInt(reg8(cfg &+ cap &+ 1).load() & 0xFC)
            defer { cap = next }
            guard reg8(cfg &+ cap).load() == 0x09 else { continue }
            let bar = reg8(cfg &+ cap &+ 4).load()
            guard bar <= 5 else { continue }
            let found = VirtIOPCIStructure(bar: bar, offset: reg32(cfg &+ cap &+ 8).load())
            switch reg8(cfg &+ cap &+ 3).load() {
            case 1 where !common.present: common = found
            case 2 where !notify.present: notify = found; notifyMultiplier = reg32(cfg &+ cap &+ 16).load()
            case 3 where !isr.present: isr = found
            case 4 where !device.present: device = found
            default: break
            }
        }
    }
}

/// The common configuration structure (struct virtio_pci_common_cfg) at `base`.
struct VirtIOPCICommon {
    let base: UInt

    var deviceFeatureSelect: VolatileMappedRegister<UInt32> { reg32(base &+ 0x00) }
    var deviceFeature: VolatileMappedRegister<UInt32> { reg32(base &+ 0x04) }
    var driverFeatureSelect: VolatileMappedRegister<UInt32> { reg32(base &+ 0x08) }
    var driverFeature: VolatileMappedRegister<UInt32> { reg32(base &+ 0x0C) }
    var deviceStatus: VolatileMappedRegister<UInt8> { reg8(base &+ 0x14) }
    var queueSelect: VolatileMappedRegister<UInt16> { reg16(base &+ 0x16) }
    var queueSize: VolatileMappedRegister<UInt16> { reg16(base &+ 0x18) }
    var queueEnable: VolatileMappedRegister<UInt16> { reg16(base &+ 0x1C) }
    var queueNotifyOff: VolatileMappedRegister<UInt16> { reg16(base &+ 0x1E) }
    static let queueDesc: UInt = 0x20, queueDriver: UInt = 0x28, queueDevice: UInt = 0x30

    /// A 64-bit field as two 32-bit halves, low first (a device need take no wider access).
    func store64(_ off: UInt, _ v: UInt) {
        reg32(base &+ off).store(UInt32(truncatingIfNeeded: v))
        reg32(base &+ off &+ 4).store(UInt32(truncatingIfNeeded: v >> 32))
    }
}

struct VirtIOPCIBlockProbe: BlockProbe {
    let ecam: UInt
    let window: UInt
    var queue: BlockQueue
    /// Set by the first `start`, which finds the function and assigns its BARs (0 until then):
    /// the common configuration, the notify structure and its multiplier, queue 0's notify register.
    var common = VirtIOPCICommon(base: 0)
    var notifyBase: UInt = 0
    var notifyMultiplier: UInt32 = 0
    var notifyAddress: UInt = 0

    init(ecam: UInt, window: UInt, area: UInt) {
        self.ecam = ecam; self.window = window; queue = BlockQueue(area: area)
    }

    mutating func start() -> Bool {
        if common.base == 0 { guard setUp() else { return false } }
        let c = common
        c.deviceStatus.store(0)                                 // reset: done when it reads back 0
        let end = readCNTVCT() &+ readCNTFRQ()
        while c.deviceStatus.load() != 0 { if readCNTVCT() >= end { return false } }
        c.deviceStatus.store(1); c.deviceStatus.store(1 | 2)    // ACKNOWLEDGE, DRIVER
        c.deviceFeatureSelect.store(1)
        let high = c.deviceFeature.load()                       // features 63:32
        guard high & 1 != 0 else { return false }               // VERSION_1: a modern device must offer it
        c.driverFeatureSelect.store(0); c.driverFeature.store(0)
        c.driverFeatureSelect.store(1); c.driverFeature.store(high & 3)   // VERSION_1, ACCESS_PLATFORM when offered
        c.deviceStatus.store(1 | 2 | 8)                         // FEATURES_OK, then check it stuck
        guard c.deviceStatus.load() & 8 != 0 else { return false }
        queue.clear()
        c.queueSelect.store(0)
        guard c.queueSize.load() >= 4 else { return false }
        c.queueSize.store(4)                                    // writable down from the maximum
        c.store64(VirtIOPCICommon.queueDesc, queue.descriptors)
        c.store64(VirtIOPCICommon.queueDriver, queue.driverRing)
        c.store64(VirtIOPCICommon.queueDevice, queue.deviceRing)
        notifyAddress = notifyBase &+ UInt(c.queueNotifyOff.load()) &* UInt(notifyMultiplier)
        c.queueEnable.store(1)
        c.deviceStatus.store(1 | 2 | 8 | 4)                     // DRIVER_OK
        return true
    }

    func notify() { reg16(notifyAddress).store(0) }             // queue 0
    var needsReset: Bool { common.deviceStatus.load() & 0x40 != 0 }

    /// Bus 0, devices 0-31, function 0: the first virtio-blk (modern 0x1042 or transitional 0x1001)
    /// with common and notify capabilities; assigns its BARs and notes where the structures are.
    mutating func setUp() -> Bool {
        for dev in 0..<UInt(32) {
            let f = PCIFunction(config: ecam &+ dev << 15)
            guard f.vendor == 0x1AF4, f.device == 0x1042 || f.device == 0x1001 else { continue }
            let caps = VirtIOPCICapabilities(f)
            guard caps.common.present, caps.notify.present else { continue }
            let used = caps.common.barMask | caps.notify.barMask | caps.isr.barMask | caps.device.barMask
            guard f.assignBARs(needed: used, from: window) else { return false }
            common = VirtIOPCICommon(base: f.barBase(caps.common.bar) &+ UInt(caps.common.offset))
            notifyBase = f.barBase(caps.notify.bar) &+ UInt(caps.notify.offset)
            notifyMultiplier = caps.notifyMultiplier
            return true
        }
        return false
    }
}
