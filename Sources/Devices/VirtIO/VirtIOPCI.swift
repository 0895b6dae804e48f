/// OASIS VIRTIO 1.2, "Virtio Over PCI Bus": a modern (non-transitional) virtio-pci function. Its
/// structures sit in one 64-bit memory BAR (4) as QEMU lays them out: common configuration at 0,
/// ISR status at 0x1000, device configuration at 0x2000, notifications at 0x3000 (4 bytes per
/// queue), each named by a vendor-specific capability. Interrupts are legacy INTx or, given an
/// MSI target (a GICv3 ITS), MSI-X: a vector per queue plus one for configuration changes, the
/// table and PBA in BAR 1 (QEMU's layout).
/// The transport's state machine (status, feature negotiation, virtqueues, notify, interrupt
/// status) is the virtio-mmio transport's, driven through its register interface.
public final class VirtIOPCI: PCIFunction {
    public let config: PCIConfigSpace
    /// The state machine, whose interrupt output is this function's INTx line.
    public let transport: VirtIOMMIO
    private var queueSel = 0
    /// MSI-X: where messages go (address, data), nil without an MSI controller; the table (address,
    /// data, vector control per vector), pending bits, and the vectors software chose.
    private let msi: ((UInt64, UInt32) -> Void)?
    private var table: [(address: UInt64, data: UInt32, masked: Bool)]
    private var pendingVectors: UInt64 = 0
    private var configVector: UInt16 = 0xFFFF
    private var queueVectors: [UInt16]
    private var msixCapability = 0
    static let msixBAR = 1

    static let bar = 4
    enum Region { static let common: UInt64 = 0x0000, isr: UInt64 = 0x1000, device: UInt64 = 0x2000, notify: UInt64 = 0x3000 }
    static let notifyMultiplier: UInt32 = 4

    /// `intx`: the SPI the function's pin A reaches (the host bridge's swizzle for its slot).
    public init(name: String, device: VirtIODevice, memory: GuestMemory, intx: Int, sink: InterruptSink,
                msi: ((UInt64, UInt32) -> Void)? = nil) {
        transport = VirtIOMMIO(name: name, device: device, memory: memory, irq: intx, sink: sink)
        self.msi = msi
        table = [(address: UInt64, data: UInt32, masked: Bool)](repeating: (0, 0, true), count: device.queueSizes.count + 1)
        queueVectors = [UInt16](repeating: 0xFFFF, count: device.queueSizes.count)
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
        if msi != nil {
            // MSI-X: Message Control (table size - 1), table at BAR 1 + 0, PBA at BAR 1 + 0x800.
            config.memoryBAR(Self.msixBAR, size: 0x1000, is64: false, prefetchable: false)
            msixCapability = config.addCapability(id: 0x11, body: VirtIOLE.bytes(UInt16(table.count - 1))
                + VirtIOLE.bytes(UInt32(Self.msixBAR)) + VirtIOLE.bytes(UInt32(0x800 | Self.msixBAR)))
            config.writable16(msixCapability + 2, mask: 0xC000)
            transport.messageInterrupt = { [unowned self] queue in self.signal(queue) }
        }
    }

    /// MSI-X Enable and Function Mask (Message Control bits 15 and 14).
    private var msixEnabled: Bool { msixCapability != 0 && config.read(offset: msixCapability + 2, size: 2) & 0x8000 != 0 }
    private var functionMasked: Bool { config.read(offset: msixCapability + 2, size: 2) & 0x4000 != 0 }

    /// Sends the vector of `queue` (nil: configuration) when MSI-X is on: true when handled here.
    private func signal(_ queue: Int?) -> Bool {
        guard msixEnabled else { return false }
        let v = Int(queue.map { $0 < queueVectors.count ? queueVectors[$0] : 0xFFFF } ?? configVector)
        guard v < table.count else { return true }       // NO_VECTOR: no interrupt at all
        if table[v].masked || functionMasked { pendingVectors |= 1 << UInt64(v) } else { msi?(table[v].address, table[v].data) }
        return true
    }

    private func tableWrite(_ offset: UInt64, _ size: Int, _ value: UInt64) {
        if size == 8 { tableWrite(offset, 4, value & 0xFFFF_FFFF); tableWrite(offset + 4, 4, value >> 32); return }
        let v = Int(offset / 16)
        guard v < table.count else { return }
        switch offset % 16 {
        case 0: table[v].address = table[v].address & ~0xFFFF_FFFF | (value & 0xFFFF_FFFF)
        case 4: table[v].address = table[v].address & 0xFFFF_FFFF | (value & 0xFFFF_FFFF) << 32
        case 8: table[v].data = UInt32(truncatingIfNeeded: value)
        case 12:
            table[v].masked = value & 1 != 0
            // Unmasked with its message pending: send it now.
            if !table[v].masked && !functionMasked && pendingVectors & (1 << UInt64(v)) != 0 {
                pendingVectors &= ~(1 << UInt64(v))
                msi?(table[v].address, table[v].data)
            }
        default: break
        }
    }

    private func tableRead(_ offset: UInt64, _ size: Int) -> UInt64 {
        if size == 8 { return tableRead(offset, 4) | tableRead(offset + 4, 4) << 32 }
        if offset >= 0x800 { return offset == 0x800 ? pendingVectors & 0xFFFF_FFFF : 0 }
        let v = Int(offset / 16)
        guard v < table.count else { return 0 }
        switch offset % 16 {
        case 0: return table[v].address & 0xFFFF_FFFF
        case 4: return table[v].address >> 32
        case 8: return UInt64(table[v].data)
        case 12: return table[v].masked ? 1 : 0
        default: return 0
        }
    }

    public func barRead(_ bar: Int, offset: UInt64, size: Int) -> UInt64 {
        if bar == Self.msixBAR && msixCapability != 0 { return tableRead(offset, size) }
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
        if bar == Self.msixBAR && msixCapability != 0 { tableWrite(offset, size, value); return }
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
        // config_msix_vector, queue_msix_vector: NO_VECTOR without MSI-X.
        case 0x10: return msixCapability != 0 ? UInt64(configVector) : 0xFFFF
        case 0x1A: return msixCapability != 0 && queueSel < queueVectors.count ? UInt64(queueVectors[queueSel]) : 0xFFFF
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
        // A vector the table does not have reads back as NO_VECTOR (the driver checks).
        case 0x10: if msixCapability != 0 { configVector = value & 0xFFFF < table.count ? UInt16(value & 0xFFFF) : 0xFFFF }
        case 0x1A:
            if msixCapability != 0 && queueSel < queueVectors.count {
                queueVectors[queueSel] = value & 0xFFFF < table.count ? UInt16(value & 0xFFFF) : 0xFFFF
            }
        case 0x14:
            if value & 0xFF == 0 {
                queueSel = 0
                configVector = 0xFFFF
                for i in queueVectors.indices { queueVectors[i] = 0xFFFF }
            }
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
