/// One PCI function's configuration space (PCI Local Bus 3.0, "Configuration Space"; PCIe's
/// extended 4 KiB): a Type 0 header with up to six BARs, then capabilities. Registers the function
/// does not implement read as zero; only the writable fields below change on a write.
public final class PCIConfigSpace {
    public private(set) var bytes = [UInt8](repeating: 0, count: 4096)
    /// Per BAR: its size (a power of two; 0 = not implemented) and whether it is 64-bit (the next
    /// BAR holds the high half). Memory BARs only: virtio-pci and the host bridge need no I/O space.
    private var barSize = [UInt64](repeating: 0, count: 6)
    private var bar64 = [Bool](repeating: false, count: 6)
    private var barPrefetchable = [Bool](repeating: false, count: 6)
    /// The first free byte for the next capability, and the previous capability's next pointer.
    private var capabilityEnd = 0x40
    private var lastNext: Int? = nil

    public init(vendor: UInt16, device: UInt16, revision: UInt8, classCode: UInt32,
                subsystemVendor: UInt16 = 0, subsystem: UInt16 = 0, interruptPin: UInt8 = 0) {
        put16(0x00, vendor); put16(0x02, device)
        bytes[0x08] = revision
        bytes[0x09] = UInt8(truncatingIfNeeded: classCode); bytes[0x0A] = UInt8(truncatingIfNeeded: classCode >> 8)
        bytes[0x0B] = UInt8(truncatingIfNeeded: classCode >> 16)
        put16(0x2C, subsystemVendor); put16(0x2E, subsystem)
        bytes[0x3D] = interruptPin
    }

    public func put16(_ at: Int, _ v: UInt16) { bytes[at] = UInt8(truncatingIfNeeded: v); bytes[at + 1] = UInt8(truncatingIfNeeded: v >> 8) }
    public func put32(_ at: Int, _ v: UInt32) { for k in 0..<4 { bytes[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) } }
    func get32(_ at: Int) -> UInt32 { (0..<4).reduce(0) { $0 | UInt32(bytes[at + $1]) << (8 * UInt32($1)) } }

    /// Declares memory BAR `index` of `size` bytes (64-bit BARs take index and index + 1).
    public func memoryBAR(_ index: Int, size: UInt64, is64: Bool, prefetchable: Bool) {
        precondition(size >= 16 && size & (size - 1) == 0)
        barSize[index] = size
        bar64[index] = is64
        barPrefetchable[index] = prefetchable
        put32(0x10 + 4 * index, (is64 ? 4 : 0) | (prefetchable ? 8 : 0))
    }

    /// Appends a capability (ID, then `body` after the ID and next-pointer bytes); returns its offset.
    @discardableResult
    public func addCapability(id: UInt8, body: [UInt8]) -> Int {
        let at = capabilityEnd
        bytes[at] = id
        bytes[at + 1] = 0
        for (k, b) in body.enumerated() { bytes[at + 2 + k] = b }
        if let n = lastNext { bytes[n] = UInt8(at) } else { bytes[0x34] = UInt8(at); bytes[0x06] |= 0x10 }   // Status.CapList
        lastNext = at + 1
        capabilityEnd = (at + 2 + body.count + 3) & ~3
        return at
    }

    /// Bits of a 16-bit register beyond the header that software may write (a capability's control).
    private var writableMasks: [Int: UInt8] = [:]
    public func writable16(_ at: Int, mask: UInt16) {
        writableMasks[at] = UInt8(truncatingIfNeeded: mask)
        writableMasks[at + 1] = UInt8(truncatingIfNeeded: mask >> 8)
    }

    /// Command register: Memory Space enable (bit 1).
    public var memoryEnabled: Bool { bytes[0x04] & 2 != 0 }
    /// Command register: INTx disable (bit 10).
    public var intxDisabled: Bool { bytes[0x05] & 4 != 0 }

    /// Where BAR `index` is mapped, when memory decoding is on and the BAR is programmed.
    public func barAddress(_ index: Int) -> UInt64? {
        guard memoryEnabled, barSize[index] != 0 else { return nil }
        var a = UInt64(get32(0x10 + 4 * index) & ~0xF)
        if bar64[index] { a |= UInt64(get32(0x14 + 4 * index)) << 32 }
        return a == 0 ? nil : a
    }

    public func barSize(_ index: Int) -> UInt64 { barSize[index] }

    public func read(offset: Int, size: Int) -> UInt64 {
        guard offset >= 0, offset + size <= bytes.count else { return 0 }
        var v: UInt64 = 0
        for k in 0..<size { v |= UInt64(bytes[offset + k]) << UInt64(8 * k) }
        return v
    }

    public func write(offset: Int, size: Int, value: UInt64) {
        for k in 0..<size { writeByte(offset + k, UInt8(truncatingIfNeeded: value >> UInt64(8 * k))) }
    }

    private func writeByte(_ at: Int, _ b: UInt8) {
        switch at {
        case 0x04: bytes[at] = b & 0x46                   // memory space, bus master, parity error response
        case 0x05: bytes[at] = b & 0x05                   // SERR#, INTx disable
        case 0x0C, 0x0D, 0x3C: bytes[at] = b              // cache line size, latency timer, interrupt line
        case 0x10..<0x28: writeBARByte(at, b)
        default:
            if let m = writableMasks[at] { bytes[at] = (bytes[at] & ~m) | (b & m) }   // else read-only or not implemented
        }
    }

    /// BAR bits below the size are read-only (sizing: writing all ones reads back the size mask);
    /// the upper half of a 64-bit BAR is all address.
    private func writeBARByte(_ at: Int, _ b: UInt8) {
        let index = (at - 0x10) / 4
        let byte = (at - 0x10) % 4
        if index > 0, bar64[index - 1] { bytes[at] = b; return }
        let size = barSize[index]
        guard size != 0 else { return }
        let mask = ~(size - 1) & 0xFFFF_FFF0
        let low = UInt32((bar64[index] ? 4 : 0) | (barPrefetchable[index] ? 8 : 0))
        let keep = UInt8(truncatingIfNeeded: UInt64(low) >> UInt64(8 * byte))
        let writable = UInt8(truncatingIfNeeded: mask >> UInt64(8 * byte))
        bytes[at] = (b & writable) | keep
    }
}

/// A PCI function behind the host bridge: its configuration space and its BARs' registers.
public protocol PCIFunction: AnyObject {
    var config: PCIConfigSpace { get }
    func barRead(_ bar: Int, offset: UInt64, size: Int) -> UInt64
    func barWrite(_ bar: Int, offset: UInt64, size: Int, value: UInt64)
    /// Called at block boundaries (as MMIODevice.tick).
    func tick(now: UInt64)
    func close()
}

extension PCIFunction {
    public func barRead(_ bar: Int, offset: UInt64, size: Int) -> UInt64 { 0 }
    public func barWrite(_ bar: Int, offset: UInt64, size: Int, value: UInt64) {}
    public func tick(now: UInt64) {}
    public func close() {}
}

/// The host bridge's own function 00:00.0, as QEMU's generic PCIe host (Red Hat 1b36:0008).
public final class PCIHostBridgeFunction: PCIFunction {
    public let config = PCIConfigSpace(vendor: 0x1B36, device: 0x0008, revision: 0, classCode: 0x06_0000)
    public init() {}
}
