/// OASIS VIRTIO 1.2, "Basic Facilities of a Virtio Device" and "Device Types": what a device model
/// (console, block, ...) provides to a transport. The transport (`VirtIOMMIO`) owns the registers,
/// feature negotiation, virtqueue setup and interrupts; the device only sees ready virtqueues.
public protocol VirtIODevice: AnyObject {
    /// Device ID from "Device Types" (`VirtIODeviceID`).
    var deviceID: UInt32 { get }
    /// Device-specific feature bits offered (bits 0..23). The transport adds the reserved bits it
    /// implements itself: VIRTIO_F_INDIRECT_DESC, VIRTIO_F_EVENT_IDX and VIRTIO_F_VERSION_1.
    var features: UInt64 { get }
    /// Maximum size of each virtqueue, in queue-index order (powers of two).
    var queueSizes: [UInt16] { get }
    /// The device-specific configuration space as little-endian bytes (read at 0x100 onwards).
    var configSpace: [UInt8] { get }
    /// A driver write into the configuration space (`bytes` little-endian, at `offset` from its start).
    func writeConfig(offset: Int, bytes: [UInt8])
    /// The driver set DRIVER_OK having accepted `features` (ring layouts and headers may depend on them).
    func activate(features: UInt64)
    /// The driver reset the device (status 0): forget in-flight state. Backing files stay open.
    func reset()
    /// The driver notified `queue` (which is ready); consume what it made available.
    /// Errors are guest programming errors: the transport sets DEVICE_NEEDS_RESET.
    func queueNotified(_ queue: Virtqueue) throws
    /// True when `poll` has something to do: input waiting for a receive queue, or (net) time to
    /// poll the host side. Asked at every transport tick and after every notify, so it must be cheap.
    var hasPendingInput: Bool { get }
    /// Delivers pending input into the device's queues (called when `hasPendingInput`, with DRIVER_OK).
    func poll(_ queues: [Virtqueue]) throws
    /// Releases host resources (flushes and unlocks disk images). Idempotent.
    func close()
}

extension VirtIODevice {
    public func writeConfig(offset: Int, bytes: [UInt8]) {}
    public func activate(features: UInt64) {}
    public func reset() {}
    public var hasPendingInput: Bool { false }
    public func poll(_ queues: [Virtqueue]) throws {}
    public func close() {}
}

/// Device IDs from "Device Types".
public enum VirtIODeviceID {
    public static let none: UInt32 = 0
    public static let net: UInt32 = 1
    public static let block: UInt32 = 2
    public static let console: UInt32 = 3
}

/// Reserved feature bits from "Reserved Feature Bits".
public enum VirtIOFeature {
    public static let indirectDesc: UInt64 = 1 << 28
    public static let eventIdx: UInt64 = 1 << 29
    public static let version1: UInt64 = 1 << 32
    /// VIRTIO_F_ACCESS_PLATFORM: the device's DMA goes through the platform's IOMMU, so the driver
    /// must give it addresses from the DMA API (IOVAs), not physical ones.
    public static let accessPlatform: UInt64 = 1 << 33
}

/// Device status field bits from "Device Status Field".
public enum VirtIOStatus {
    public static let acknowledge: UInt32 = 1
    public static let driver: UInt32 = 2
    public static let driverOK: UInt32 = 4
    public static let featuresOK: UInt32 = 8
    public static let deviceNeedsReset: UInt32 = 64
    public static let failed: UInt32 = 128
}

/// Something the guest driver did wrong (bad ring or descriptor, bad request framing). The
/// transport logs it and sets DEVICE_NEEDS_RESET; the host never traps on it.
public struct VirtIOError: Error, CustomStringConvertible {
    public let description: String
    public init(_ description: String) { self.description = description }
}

/// Little-endian field access for ring and request layouts, and hex for messages.
enum VirtIOLE {
    static func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) | UInt16(b[at + 1]) << 8 }
    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) | UInt32(b[at + 1]) << 8 | UInt32(b[at + 2]) << 16 | UInt32(b[at + 3]) << 24
    }
    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(b, at)) | UInt64(u32(b, at + 4)) << 32 }
    static func bytes<T: FixedWidthInteger>(_ v: T) -> [UInt8] {
        (0..<(T.bitWidth / 8)).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) }
    }
    static func hex(_ v: UInt64) -> String { String(v, radix: 16) }
}
