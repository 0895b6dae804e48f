/// OASIS VIRTIO 1.2, "Virtio Over PCI Bus": a modern (non-transitional) virtio-pci function. Its
/// structures sit in one 64-bit memory BAR (4) as QEMU lays them out: common configuration at 0,
/// ISR status at 0x1000, device configuration at 0x2000, notifications at 0x3000 (4 bytes per
/// queue), each named by a vendor-specific capability. Interrupts are legacy INTx (no MSI-X).
/// The transport's state machine (status, feature negotiation, virtqueues, notify, interrupt
/// status) is the virtio-mmio transport's, driven through its register interface.
public final class VirtIOPCI: PCIFunction {
    public let config: PCIConfigSpace
    /// The state machine, whose interrupt output is this function's INTx line.
    public let transport: VirtIOMMIO
    private var queueSel = 0

    static let bar = 4
    enum Region { static let common: UInt64 = 0x0000, isr: UInt64 = 0x1000, device: UInt64 = 0x2000, notify: UInt64 = 0x3000 }
    static let notifyMultiplier: UInt32 = 4

    /// `intx`: the SPI the function's pin A reaches (the host bridge's swizzle for its slot).
    public init(name: String, device: VirtIODevice, memory: GuestMemory, intx: Int, sink: InterruptSink) {
        transport = VirtIOMMIO(name: name, device: device, memory: memory, irq: intx, sink: sink)
        // Modern device IDs are 0x1040 + the virtio device type; class codes as QEMU gives them.
        let classCode: UInt32
        switch device.deviceID {
        case VirtIODeviceID.block: classCode = 0x01_0000
        case VirtIODeviceID.net: classCode = 0x02_0000
        default: classCode = 0x07_8000
        }
        config = PCIConfigSpace(vendor: 0x1AF4, device: UInt16(0x1040 + device.deviceID), revision: 1, classCode: classCode,
                                subsystemVendor: 0x1AF4, subsystem: 0x1100, interruptPin: 1)
        config.memoryBAR(Self.bar, size: 0x4000, is64: true, prefetchable: true)
        func cap(_ type: UInt8, _ offset: UInt64, _ length: UInt32, extra: [UInt8] = []) -> [UInt8] {
            // cap_len, cfg_type, bar, id, padding[2], offset, length (+ notify_off_multiplier).
            [UInt8(16 + extra.count), type, UInt8(Self.bar), 0, 0, 0] + VirtIOLE.bytes(UInt32(offset)) + VirtIOLE.bytes(length) + extra
        }
        config.addCapability(id: 0x09, body: cap(1, Region.common, 0x1000))
        config.addCapability(id: 0x09, body: cap(3, Region.isr, 0x1000))
        config.addCapability(id: 0x09, body: cap(4, Region.device, 0x1000))
        config.addCapability(id: 0x09, body: cap(2, Region.notify, 0x1000, extra: VirtIOLE.bytes(Self.notifyMultiplier)))
    }

    public func barRead(_ bar: Int, offset: UInt64, size: Int) -> UInt64 {
        guard bar == Self.bar else { return 0 }
        switch offset {
        case Region.common..<Region.isr: return readCommon(offset, size)
        case Region.isr:
            // Reading ISR status acknowledges it (and drops INTx).
            let v = transport.interruptStatus
            transport.write(offset: VirtIOMMIO.Reg.interruptACK.rawValue, size: 4, value: UInt64(v))
            return UInt64(v)
        case Region.device..<Region.notify: return transport.read(offset: 0x100 + offset - Region.device, size: size)
        default: return 0
        }
    }

    public func barWrite(_ bar: Int, offset: UInt64, size: Int, value: UInt64) {
        guard bar == Self.bar else { return }
        switch offset {
        case Region.common..<Region.isr: writeCommon(offset, size, value)
        case Region.device..<Region.notify: transport.write(offset: 0x100 + offset - Region.device, size: size, value: value)
        case Region.notify..<(Region.notify + 0x1000):
            transport.write(offset: VirtIOMMIO.Reg.queueNotify.rawValue, size: 4, value: (offset - Region.notify) / UInt64(Self.notifyMultiplier))
        default: break
        }
    }

    private func mmio(_ r: VirtIOMMIO.Reg) -> UInt64 { transport.read(offset: r.rawValue, size: 4) }
    private func setMMIO(_ r: VirtIOMMIO.Reg, _ v: UInt64) { transport.write(offset: r.rawValue, size: 4, value: v & 0xFFFF_FFFF) }
    private var queue: Virtqueue? { queueSel < transport.queues.count ? transport.queues[queueSel] : nil }

    /// "Common configuration structure layout", field by field (64-bit fields as two halves).
    private func readCommon(_ offset: UInt64, _ size: Int) -> UInt64 {
        if size == 8 { return readCommon(offset, 4) | readCommon(offset + 4, 4) << 32 }
        switch offset {
        case 0x00: return mmio(.deviceFeaturesSel)
        case 0x04: return mmio(.deviceFeatures)
        case 0x08: return mmio(.driverFeaturesSel)
        case 0x0C:
            // The transport keeps the whole 64 bits; report the selected half.
            let sel = mmio(.driverFeaturesSel)
            return sel < 2 ? (transport.driverFeatures >> (32 * sel)) & 0xFFFF_FFFF : 0
        case 0x10, 0x1A: return 0xFFFF                      // config_msix_vector, queue_msix_vector: NO_VECTOR
        case 0x12: return UInt64(transport.queues.count)
        case 0x14: return mmio(.status)
        case 0x15: return mmio(.configGeneration) & 0xFF
        case 0x16: return UInt64(queueSel)
        case 0x18: return UInt64(queue.map { $0.ready ? UInt32($0.size) : $0.requestedSize } ?? 0)
        case 0x1C: return queue?.ready == true ? 1 : 0
        case 0x1E: return UInt64(queueSel)                  // queue_notify_off: one slot per queue
        case 0x20, 0x24: return half(queue?.descTable, offset - 0x20)
        case 0x28, 0x2C: return half(queue?.driverArea, offset - 0x28)
        case 0x30, 0x34: return half(queue?.deviceArea, offset - 0x30)
        default: return 0
        }
    }

    private func half(_ v: UInt64?, _ at: UInt64) -> UInt64 { ((v ?? 0) >> (8 * at)) & 0xFFFF_FFFF }

    private func writeCommon(_ offset: UInt64, _ size: Int, _ value: UInt64) {
        if size == 8 { writeCommon(offset, 4, value & 0xFFFF_FFFF); writeCommon(offset + 4, 4, value >> 32); return }
        switch offset {
        case 0x00: setMMIO(.deviceFeaturesSel, value)
        case 0x08: setMMIO(.driverFeaturesSel, value)
        case 0x0C: setMMIO(.driverFeatures, value)
        case 0x14:
            if value & 0xFF == 0 { queueSel = 0 }
            setMMIO(.status, value & 0xFF)
        case 0x16:
            queueSel = Int(value & 0xFFFF)
            setMMIO(.queueSel, value & 0xFFFF)
        case 0x18: setMMIO(.queueNum, value & 0xFFFF)
        case 0x1C: if value & 1 != 0 { setMMIO(.queueReady, 1) }   // writing 0 is not allowed (queue_reset is)
        case 0x20: setMMIO(.queueDescLow, value)
        case 0x24: setMMIO(.queueDescHigh, value)
        case 0x28: setMMIO(.queueDriverLow, value)
        case 0x2C: setMMIO(.queueDriverHigh, value)
        case 0x30: setMMIO(.queueDeviceLow, value)
        case 0x34: setMMIO(.queueDeviceHigh, value)
        default: break
        }
    }

    public func tick(now: UInt64) { transport.tick(now: now) }
    public func close() { transport.close() }
}
