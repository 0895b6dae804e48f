import CFDT

/// A libfdt failure, with libfdt's own explanation.
public struct DeviceTreeError: Error, CustomStringConvertible {
    public let description: String
    public init(_ what: String, code: Int32) {
        description = "\(what): \(String(cString: fdt_strerror(code)))"
    }
    public init(_ message: String) { description = message }
}

@inline(__always) func check(_ code: Int32, _ what: @autoclosure () -> String) throws {
    if code < 0 { throw DeviceTreeError(what(), code: code) }
}

/// Builds a flattened device tree with libfdt's sequential-write API. Nodes must be opened and
/// closed in order; the buffer grows and the build restarts if libfdt runs out of space.
public final class DeviceTreeWriter {
    private var buffer: [UInt8]

    public init(capacity: Int = 64 * 1024) throws {
        buffer = [UInt8](repeating: 0, count: capacity)
        try buffer.withUnsafeMutableBytes { raw in
            try check(fdt_create(raw.baseAddress, Int32(raw.count)), "fdt_create")
            try check(fdt_finish_reservemap(raw.baseAddress), "fdt_finish_reservemap")
        }
    }

    private func call(_ what: @autoclosure () -> String, _ body: (UnsafeMutableRawPointer) -> Int32) throws {
        try buffer.withUnsafeMutableBytes { raw in try check(body(raw.baseAddress!), what()) }
    }

    public func beginNode(_ name: String) throws {
        try call("begin node \(name)") { fdt_begin_node($0, name) }
    }

    public func endNode() throws {
        try call("end node") { fdt_end_node($0) }
    }

    public func property(_ name: String, bytes: [UInt8]) throws {
        try call("property \(name)") { fdt in
            bytes.withUnsafeBytes { fdt_property(fdt, name, $0.baseAddress, Int32($0.count)) }
        }
    }

    /// A property of big-endian 32-bit cells.
    public func property(_ name: String, cells: [UInt32]) throws {
        try property(name, bytes: cells.flatMap { c in (0..<4).map { UInt8(truncatingIfNeeded: c >> (24 - 8 * $0)) } })
    }

    /// A string-list property (each string NUL-terminated).
    public func property(_ name: String, strings: [String]) throws {
        try property(name, bytes: strings.flatMap { Array($0.utf8) + [0] })
    }

    public func property(_ name: String, string: String) throws { try property(name, strings: [string]) }

    /// An empty (boolean) property.
    public func property(_ name: String) throws { try property(name, bytes: []) }

    /// Finishes the tree and returns the blob.
    public func finish() throws -> [UInt8] {
        try call("fdt_finish") { fdt_finish($0) }
        let size = buffer.withUnsafeBytes { Int(fdt_totalsize_of($0.baseAddress!)) }
        return Array(buffer[0..<size])
    }
}

/// Reads the totalsize header field (libfdt's accessor is a macro Swift cannot import).
func fdt_totalsize_of(_ fdt: UnsafeRawPointer) -> UInt32 {
    UInt32(bigEndian: fdt.loadUnaligned(fromByteOffset: 4, as: UInt32.self))
}

/// What a device needs to describe itself in the board's tree: cell sizes and phandles.
public struct DeviceTreeContext {
    public var gicPhandle: UInt32
    public var clockPhandle: UInt32

    /// GICv2 PPI specifiers carry the mask of CPUs the PPI goes to (bits 15:8 of the flags), as
    /// QEMU writes them; GICv3's binding has no such field (0).
    public var ppiCPUMask: UInt32 = 0
    /// The GIC node's #address-cells (2 when it has an ITS child), which interrupt-maps repeat.
    public var gicAddressCells: UInt32 = 0
    /// The MSI controller (an ITS) PCI host bridges map requester IDs to, if any.
    public var msiParent: UInt32? = nil
    /// The IOMMU (an SMMUv3, #iommu-cells = 1: the StreamID) DMA masters are behind, if any.
    public var iommuPhandle: UInt32? = nil

    public init(gicPhandle: UInt32, clockPhandle: UInt32) {
        self.gicPhandle = gicPhandle
        self.clockPhandle = clockPhandle
    }

    /// `reg` cells for #address-cells = #size-cells = 2.
    public func reg(_ base: UInt64, _ size: UInt64) -> [UInt32] {
        [UInt32(base >> 32), UInt32(truncatingIfNeeded: base), UInt32(size >> 32), UInt32(truncatingIfNeeded: size)]
    }

    /// GIC interrupt specifier for an SPI given by INTID (binding: <0 spi flags>; 4 level-high, 1 edge-rising).
    public func spi(_ intid: Int, level: Bool) -> [UInt32] {
        [0, UInt32(intid - 32), level ? 4 : 1]
    }

    /// GIC interrupt specifier for a PPI given by INTID, with raw binding flags.
    public func ppi(_ intid: Int, flags: UInt32) -> [UInt32] {
        [1, UInt32(intid - 16), ppiCPUMask << 8 | flags]
    }
}
