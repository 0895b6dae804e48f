import Foundation

/// OASIS VIRTIO 1.2, "Virtio Over MMIO": the register window of one virtio-mmio transport, version 2
/// (or the legacy version 1 with QueuePFN, "Legacy interface"). Notifications are processed
/// synchronously when the driver writes QueueNotify, so runs stay deterministic. The interrupt line is
/// driven high while InterruptStatus is non-zero (until InterruptACK clears it). A transport without
/// a device has DeviceID 0, as QEMU leaves its unused virt slots.
public final class VirtIOMMIO: MMIODevice {
    public static let magicValue: UInt32 = 0x7472_6976   // "virt"
    /// VendorID: "MNOS" read as a little-endian word.
    public static let vendorID: UInt32 = 0x534F_4E4D
    public static let windowSize: UInt64 = 0x200

    /// Register offsets from "MMIO Device Register Layout" (and "Legacy interface").
    enum Reg: UInt64 {
        case magic = 0x000, version = 0x004, deviceID = 0x008, vendorID = 0x00C
        case deviceFeatures = 0x010, deviceFeaturesSel = 0x014
        case driverFeatures = 0x020, driverFeaturesSel = 0x024
        case guestPageSize = 0x028                      // legacy
        case queueSel = 0x030, queueNumMax = 0x034, queueNum = 0x038
        case queueAlign = 0x03C, queuePFN = 0x040       // legacy
        case queueReady = 0x044, queueNotify = 0x050
        case interruptStatus = 0x060, interruptACK = 0x064, status = 0x070
        case queueDescLow = 0x080, queueDescHigh = 0x084
        case queueDriverLow = 0x090, queueDriverHigh = 0x094
        case queueDeviceLow = 0x0A0, queueDeviceHigh = 0x0A4
        case shmSel = 0x0AC, shmLenLow = 0x0B0, shmLenHigh = 0x0B4, shmBaseLow = 0x0B8, shmBaseHigh = 0x0BC
        case queueReset = 0x0C0
        case configGeneration = 0x0FC
    }

    /// InterruptStatus bits.
    public enum Interrupt {
        public static let usedBuffer: UInt32 = 1
        public static let configChange: UInt32 = 2
    }

    public let device: VirtIODevice?
    /// 2, or 1 for the legacy interface.
    public let version: UInt32
    public let irq: Int
    private let memory: GuestMemory
    private let sink: InterruptSink

    /// Where guest programming errors are reported (default: standard error).
    public var log: ((String) -> Void)? = { FileHandle.standardError.write(Data(($0 + "\n").utf8)) }
    /// A message-signalled transport (virtio-pci with MSI-X) delivers an interrupt itself: called
    /// with the queue (nil: a configuration change), true when it did, so no INTx/ISR is raised.
    public var messageInterrupt: ((Int?) -> Bool)?
    /// The last guest programming error, for tests and diagnostics.
    public private(set) var lastError: String?

    public private(set) var status: UInt32 = 0
    public private(set) var interruptStatus: UInt32 = 0
    public private(set) var driverFeatures: UInt64 = 0
    public private(set) var configGeneration: UInt32 = 0
    public let queues: [Virtqueue]
    private var deviceFeaturesSel: UInt32 = 0
    private var driverFeaturesSel: UInt32 = 0
    private var queueSel: UInt32 = 0
    private var guestPageSize: UInt32 = 4096
    private var lineAsserted = false
    /// Queues notified before DRIVER_OK, served when it is set.
    private var deferredNotify: Set<Int> = []

    public init(name: String, device: VirtIODevice?, memory: GuestMemory, irq: Int, sink: InterruptSink, version: UInt32 = 2) {
        precondition(version == 1 || version == 2, "virtio-mmio version is 1 or 2")
        self.device = device
        self.version = version
        self.memory = memory
        self.irq = irq
        self.sink = sink
        queues = (device?.queueSizes ?? []).enumerated().map { Virtqueue(index: $0.offset, maxSize: $0.element, memory: memory) }
        super.init(name: name, size: Self.windowSize)
    }

    /// A transport with no device behind it (DeviceID 0): drivers probe it and skip it.
    public static func empty(name: String, memory: GuestMemory, irq: Int, sink: InterruptSink) -> VirtIOMMIO {
        VirtIOMMIO(name: name, device: nil, memory: memory, irq: irq, sink: sink)
    }

    /// Feature bits this transport offers: the device's own plus the ring features implemented here.
    public var offeredFeatures: UInt64 {
        guard let device else { return 0 }
        var f = device.features & 0x00FF_FFFF | VirtIOFeature.indirectDesc | VirtIOFeature.eventIdx
        if version == 2 { f |= VirtIOFeature.version1 } else { f &= 0xFFFF_FFFF }
        if version == 2 && memory is SMMUStream { f |= VirtIOFeature.accessPlatform }
        return f
    }

    /// Features both sides agreed on.
    public var negotiatedFeatures: UInt64 { driverFeatures & offeredFeatures }

    private var selectedQueue: Virtqueue? { queueSel < queues.count ? queues[Int(queueSel)] : nil }

    // MARK: Registers

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        if offset >= 0x100 { return readConfig(offset: Int(offset - 0x100), size: size) }
        guard size == 4, let reg = Reg(rawValue: offset) else { return 0 }
        switch reg {
        case .magic: return UInt64(Self.magicValue)
        case .version: return UInt64(version)
        case .deviceID: return UInt64(device?.deviceID ?? VirtIODeviceID.none)
        case .vendorID: return UInt64(Self.vendorID)
        default: break
        }
        guard device != nil else { return 0 }
        switch reg {
        case .deviceFeatures:
            let limit: UInt32 = version == 2 ? 2 : 1
            return deviceFeaturesSel < limit ? (offeredFeatures >> (32 * UInt64(deviceFeaturesSel))) & 0xFFFF_FFFF : 0
        case .queueNumMax: return UInt64(selectedQueue?.maxSize ?? 0)
        case .queuePFN: return version == 1 ? UInt64(selectedQueue?.legacyPFN ?? 0) : 0
        case .queueReady: return version == 2 && selectedQueue?.ready == true ? 1 : 0
        case .interruptStatus: return UInt64(interruptStatus)
        case .status: return UInt64(status)
        // No shared memory regions: length and base read as all ones ("Shared Memory Regions").
        case .shmLenLow, .shmLenHigh, .shmBaseLow, .shmBaseHigh: return version == 2 ? 0xFFFF_FFFF : 0
        case .configGeneration: return version == 2 ? UInt64(configGeneration) : 0
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        guard let device else { return }
        if offset >= 0x100 {
            let bytes = (0..<size).map { UInt8(truncatingIfNeeded: value >> (8 * $0)) }
            device.writeConfig(offset: Int(offset - 0x100), bytes: bytes)
            return
        }
        guard size == 4, let reg = Reg(rawValue: offset) else { return }
        let v = UInt32(truncatingIfNeeded: value)
        switch reg {
        case .deviceFeaturesSel: deviceFeaturesSel = v
        case .driverFeaturesSel: driverFeaturesSel = v
        case .driverFeatures:
            // Features are fixed once FEATURES_OK is set (or the legacy driver is running).
            guard status & (VirtIOStatus.featuresOK | VirtIOStatus.driverOK) == 0 else { return }
            switch (driverFeaturesSel, version) {
            case (0, _): driverFeatures = driverFeatures & ~0xFFFF_FFFF | UInt64(v)
            case (1, 2): driverFeatures = driverFeatures & 0xFFFF_FFFF | UInt64(v) << 32
            default: break
            }
        case .guestPageSize: if version == 1 { guestPageSize = v }
        case .queueSel: queueSel = v
        case .queueNum:
            if let q = selectedQueue, !q.ready { q.requestedSize = v }
        case .queueAlign:
            if version == 1, let q = selectedQueue, !q.ready { q.legacyAlign = v }
        case .queuePFN:
            guard version == 1, let q = selectedQueue else { return }
            applyRingFeatures(q)
            do { try q.enableLegacy(pfn: v, pageSize: guestPageSize) } catch { fail(error) }
        case .queueReady:
            guard version == 2, let q = selectedQueue else { return }
            if v & 1 == 0 { q.disable(); return }
            guard !q.ready else { return }
            applyRingFeatures(q)
            do { try q.enable() } catch { fail(error) }
        case .queueDescLow, .queueDescHigh, .queueDriverLow, .queueDriverHigh, .queueDeviceLow, .queueDeviceHigh:
            guard version == 2, let q = selectedQueue, !q.ready else { return }
            func set(_ field: inout UInt64) {
                field = offset & 4 == 0 ? field & ~0xFFFF_FFFF | UInt64(v) : field & 0xFFFF_FFFF | UInt64(v) << 32
            }
            switch reg {
            case .queueDescLow, .queueDescHigh: set(&q.descTable)
            case .queueDriverLow, .queueDriverHigh: set(&q.driverArea)
            default: set(&q.deviceArea)
            }
        case .queueNotify: notify(queue: v)
        case .interruptACK:
            interruptStatus &= ~v
            updateLine()
        case .status: writeStatus(v)
        default: break
        }
    }

    /// Device-specific configuration, little-endian, any access size; bytes past its end read as zero.
    private func readConfig(offset: Int, size: Int) -> UInt64 {
        guard let device else { return 0 }
        let config = device.configSpace
        var v: UInt64 = 0
        for i in 0..<size where offset + i < config.count {
            v |= UInt64(config[offset + i]) << (8 * UInt64(i))
        }
        return v
    }

    // MARK: Status and reset

    private func writeStatus(_ v: UInt32) {
        if v == 0 { reset(); return }
        var new = v & 0xFF & ~VirtIOStatus.deviceNeedsReset | status & VirtIOStatus.deviceNeedsReset
        if version == 2, new & VirtIOStatus.featuresOK != 0, status & VirtIOStatus.featuresOK == 0 {
            let unknown = driverFeatures & ~offeredFeatures
            if unknown != 0 || driverFeatures & VirtIOFeature.version1 == 0 {
                // FEATURES_OK does not stick; the driver reads Status back and gives up.
                report(unknown != 0 ? "driver accepted features 0x\(VirtIOLE.hex(unknown)) the device does not offer"
                                    : "driver did not accept VIRTIO_F_VERSION_1")
                new &= ~VirtIOStatus.featuresOK
            }
        }
        let starting = new & VirtIOStatus.driverOK != 0 && status & VirtIOStatus.driverOK == 0
        status = new
        if starting {
            for q in queues { applyRingFeatures(q) }
            device?.activate(features: negotiatedFeatures)
            let kicked = deferredNotify.sorted()
            deferredNotify.removeAll()
            for i in kicked { notify(queue: UInt32(i)) }
            tick(now: 0)
        }
    }

    /// Device reset: the state after power-on, with the interrupt line low.
    public func reset() {
        status = 0
        interruptStatus = 0
        driverFeatures = 0
        deviceFeaturesSel = 0
        driverFeaturesSel = 0
        queueSel = 0
        guestPageSize = 4096
        deferredNotify.removeAll()
        for q in queues { q.reset() }
        device?.reset()
        updateLine()
    }

    /// Flushes and releases the device's host resources (disk images); call at exit.
    public func close() { device?.close() }

    private func applyRingFeatures(_ q: Virtqueue) {
        q.eventIdx = negotiatedFeatures & VirtIOFeature.eventIdx != 0
        q.indirect = negotiatedFeatures & VirtIOFeature.indirectDesc != 0
    }

    /// The device model changed its configuration space (e.g. a console resize).
    public func configurationChanged() {
        configGeneration &+= 1
        if status & VirtIOStatus.driverOK != 0 { raise(Interrupt.configChange) }
    }

    // MARK: Notifications and interrupts

    private var running: Bool { status & (VirtIOStatus.deviceNeedsReset | VirtIOStatus.failed) == 0 }

    private func notify(queue v: UInt32) {
        guard let device, running else { return }
        guard v < queues.count else {
            fail(VirtIOError("notify of queue \(v), the device has \(queues.count)"))
            return
        }
        let q = queues[Int(v)]
        guard q.ready else { report("notify of queue \(v), which is not enabled (ignored)"); return }
        // "The device MUST NOT consume buffers ... before DRIVER_OK": keep the kick until then.
        guard status & VirtIOStatus.driverOK != 0 else { deferredNotify.insert(Int(v)); return }
        do {
            try device.queueNotified(q)
            // Input that arrived meanwhile (or that the notify produced: a reply to a transmitted frame).
            if device.hasPendingInput { try device.poll(queues) }
            for q in queues {
                try q.publishAvailEvent()
                try signalUsed(q)
            }
        } catch {
            fail(error)
        }
    }

    /// Lets the device deliver pending input (console receive); call at block boundaries.
    public override func tick(now: UInt64) {
        guard let device, device.hasPendingInput, status & VirtIOStatus.driverOK != 0, running else { return }
        do {
            try device.poll(queues)
            for q in queues {
                try q.publishAvailEvent()
                try signalUsed(q)
            }
        } catch {
            fail(error)
        }
    }

    private func signalUsed(_ q: Virtqueue) throws {
        if try q.shouldInterrupt() { raise(Interrupt.usedBuffer, queue: q.index) }
    }

    private func raise(_ bits: UInt32, queue: Int? = nil) {
        if let deliver = messageInterrupt, deliver(queue) { return }
        interruptStatus |= bits
        updateLine()
    }

    private func updateLine() {
        let asserted = interruptStatus != 0
        if asserted != lineAsserted {
            lineAsserted = asserted
            sink.setLevel(intid: irq, asserted: asserted)
        }
    }

    private func report(_ message: String) {
        lastError = message
        log?("\(name): \(message)")
    }

    /// A guest programming error: log it, set DEVICE_NEEDS_RESET and tell a running driver
    /// ("Device Status Field": the device sends a configuration change notification).
    private func fail(_ error: Error) {
        report("\(error); device needs reset")
        status |= VirtIOStatus.deviceNeedsReset
        if status & VirtIOStatus.driverOK != 0 { raise(Interrupt.configChange) }
    }

    // MARK: Device tree

    public override func emitDeviceTree(_ dt: DeviceTreeWriter, base: UInt64, context: DeviceTreeContext) throws {
        try dt.beginNode("virtio_mmio@\(VirtIOLE.hex(base))")
        try dt.property("compatible", string: "virtio,mmio")
        try dt.property("reg", cells: context.reg(base, size))
        try dt.property("interrupts", cells: context.spi(irq, level: false))
        try dt.property("dma-coherent")
        if let smmu = context.iommuPhandle, let stream = memory as? SMMUStream { try dt.property("iommus", cells: [smmu, stream.streamID]) }
        try dt.endNode()
    }
}
