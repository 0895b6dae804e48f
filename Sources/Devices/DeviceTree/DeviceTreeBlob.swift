import CFDT

/// An existing device tree blob opened read-write with libfdt, for the edits a boot loader makes
/// (`/chosen` bootargs, initrd range, stdout-path; `/memory`).
public struct DeviceTreeBlob {
    public private(set) var bytes: [UInt8]

    /// Validates `data` as a flattened device tree and opens it with `extra` bytes of room to grow.
    public init(_ data: [UInt8], extra: Int = 16 * 1024) throws {
        guard data.count >= 40 else { throw DeviceTreeError("too short to be a device tree blob (\(data.count) bytes)") }
        let rc = data.withUnsafeBytes { fdt_check_header($0.baseAddress) }
        try check(rc, "not a valid device tree blob")
        let total = data.withUnsafeBytes { Int(fdt_totalsize_of($0.baseAddress!)) }
        guard total <= data.count else { throw DeviceTreeError("truncated device tree blob (header says \(total) bytes, file has \(data.count))") }
        bytes = [UInt8](repeating: 0, count: total + extra)
        let size = Int32(bytes.count)
        let open = bytes.withUnsafeMutableBytes { dst in data.withUnsafeBytes { fdt_open_into($0.baseAddress, dst.baseAddress, size) } }
        try check(open, "cannot open device tree blob")
    }

    /// Offset of the node at `path`, creating it (and only it, under an existing parent) if asked.
    public mutating func node(_ path: String, create: Bool = false) throws -> Int32 {
        let found = bytes.withUnsafeBytes { fdt_path_offset($0.baseAddress, path) }
        if found >= 0 || !create { try check(found, "node \(path)"); return found }
        let slash = path.lastIndex(of: "/")!
        let parentPath = slash == path.startIndex ? "/" : String(path[..<slash])
        let name = String(path[path.index(after: slash)...])
        let parent = try node(parentPath)
        let made = bytes.withUnsafeMutableBytes { fdt_add_subnode($0.baseAddress, parent, name) }
        try check(made, "add node \(path)")
        return made
    }

    public mutating func set(_ path: String, _ name: String, bytes value: [UInt8]) throws {
        let off = try node(path, create: true)
        let rc = bytes.withUnsafeMutableBytes { fdt in value.withUnsafeBytes { fdt_setprop(fdt.baseAddress, off, name, $0.baseAddress, Int32($0.count)) } }
        try check(rc, "set \(path):\(name)")
    }

    public mutating func set(_ path: String, _ name: String, string: String) throws {
        try set(path, name, bytes: Array(string.utf8) + [0])
    }

    public mutating func set(_ path: String, _ name: String, cells: [UInt32]) throws {
        try set(path, name, bytes: cells.flatMap { c in (0..<4).map { UInt8(truncatingIfNeeded: c >> (24 - 8 * $0)) } })
    }

    public mutating func delete(_ path: String, _ name: String) throws {
        guard let off = try? node(path) else { return }
        _ = bytes.withUnsafeMutableBytes { fdt_delprop($0.baseAddress, off, name) }
    }

    /// Reads a property's raw bytes, or nil when absent.
    public func get(_ path: String, _ name: String) -> [UInt8]? {
        bytes.withUnsafeBytes { fdt -> [UInt8]? in
            let off = fdt_path_offset(fdt.baseAddress, path)
            guard off >= 0 else { return nil }
            var len: Int32 = 0
            guard let p = fdt_getprop(fdt.baseAddress, off, name, &len), len >= 0 else { return nil }
            return Array(UnsafeRawBufferPointer(start: p, count: Int(len)))
        }
    }

    /// Reads a property as 32-bit cells.
    public func cells(_ path: String, _ name: String) -> [UInt32]? {
        guard let b = get(path, name) else { return nil }
        return stride(from: 0, to: b.count & ~3, by: 4).map { i in
            UInt32(b[i]) << 24 | UInt32(b[i + 1]) << 16 | UInt32(b[i + 2]) << 8 | UInt32(b[i + 3])
        }
    }

    /// Adds a /memreserve/ entry: memory the kernel must leave alone (firmware, its mailboxes).
    public mutating func reserve(_ address: UInt64, size: UInt64) throws {
        let rc = bytes.withUnsafeMutableBytes { fdt_add_mem_rsv($0.baseAddress, address, size) }
        try check(rc, "add memory reservation")
    }

    /// The /memreserve/ entries, in order.
    public var reservations: [(address: UInt64, size: UInt64)] {
        bytes.withUnsafeBytes { raw in
            (0..<max(0, fdt_num_mem_rsv(raw.baseAddress))).compactMap { i -> (UInt64, UInt64)? in
                var a: UInt64 = 0, n: UInt64 = 0
                return fdt_get_mem_rsv(raw.baseAddress, i, &a, &n) == 0 ? (a, n) : nil
            }
        }
    }

    /// Full paths of the direct children of the node at `path` (empty when it does not exist).
    public func children(_ path: String) -> [String] {
        bytes.withUnsafeBytes { raw -> [String] in
            let fdt = raw.baseAddress
            let parent = fdt_path_offset(fdt, path)
            guard parent >= 0 else { return [] }
            var out: [String] = []
            var off = fdt_first_subnode(fdt, parent)
            while off >= 0 {
                if let name = fdt_get_name(fdt, off, nil) { out.append((path == "/" ? "" : path) + "/" + String(cString: name)) }
                off = fdt_next_subnode(fdt, off)
            }
            return out
        }
    }

    /// Packs the tree to its minimal size.
    public mutating func packed() -> [UInt8] {
        _ = bytes.withUnsafeMutableBytes { fdt_pack($0.baseAddress) }
        let size = bytes.withUnsafeBytes { Int(fdt_totalsize_of($0.baseAddress!)) }
        return Array(bytes[0..<size])
    }
}

extension DeviceTreeBlob {
    /// Full paths of nodes whose `compatible` lists `compatible`, with the first `reg` address.
    public func nodes(compatible: String) -> [(path: String, address: UInt64?)] {
        bytes.withUnsafeBytes { raw -> [(String, UInt64?)] in
            let fdt = raw.baseAddress
            let addressCells = { () -> Int in
                var len: Int32 = 0
                guard let p = fdt_getprop(fdt, 0, "#address-cells", &len), len == 4 else { return 2 }
                return Int(UInt32(bigEndian: p.loadUnaligned(as: UInt32.self)))
            }()
            var out: [(String, UInt64?)] = []
            var off = fdt_node_offset_by_compatible(fdt, -1, compatible)
            while off >= 0 {
                var path = [CChar](repeating: 0, count: 512)
                _ = fdt_get_path(fdt, off, &path, Int32(path.count))
                var len: Int32 = 0
                var address: UInt64?
                if let p = fdt_getprop(fdt, off, "reg", &len), Int(len) >= addressCells * 4 {
                    var a: UInt64 = 0
                    for k in 0..<addressCells { a = a << 32 | UInt64(UInt32(bigEndian: p.loadUnaligned(fromByteOffset: 4 * k, as: UInt32.self))) }
                    address = a
                }
                out.append((String(cString: path), address))
                off = fdt_node_offset_by_compatible(fdt, off, compatible)
            }
            return out
        }
    }
}
