import CFDT

/// Read-only view of a flattened device tree through libfdt. libfdt.a is
/// built with SIMD, so it is called only at boot, before any guest FP state exists.
struct DeviceTree {
    let blob: UnsafeRawPointer

    init?(address: UInt64) {
        guard address != 0, let p = UnsafeRawPointer(bitPattern: UInt(address)),
              fdt_check_header(p) == 0 else { return nil }
        blob = p
    }

    var totalSize: UInt32 { bigEndian32(blob + 4) }

    func node(_ path: String) -> Int32? {
        let off = fdt_path_offset(blob, path)
        return off >= 0 ? off : nil
    }

    func subnodes(of node: Int32) -> [Int32] {
        var result: [Int32] = []
        var off = fdt_first_subnode(blob, node)
        while off >= 0 {
            result.append(off)
            off = fdt_next_subnode(blob, off)
        }
        return result
    }

    func name(_ node: Int32) -> String {
        guard let p = fdt_get_name(blob, node, nil) else { return "?" }
        return String(cString: p)
    }

    func property(_ node: Int32, _ name: String) -> UnsafeRawBufferPointer? {
        var len: Int32 = 0
        guard let p = fdt_getprop(blob, node, name, &len), len >= 0 else { return nil }
        return UnsafeRawBufferPointer(start: p, count: Int(len))
    }

    /// Names of every property of a node, in order (to report unknown ones).
    func propertyNames(_ node: Int32) -> [String] {
        var names: [String] = []
        var off = fdt_first_property_offset(blob, node)
        while off >= 0 {
            var namePtr: UnsafePointer<CChar>? = nil
            var len: Int32 = 0
            if fdt_getprop_by_offset(blob, off, &namePtr, &len) != nil, let namePtr {
                names.append(String(cString: namePtr))
            }
            off = fdt_next_property_offset(blob, off)
        }
        return names
    }

    /// A property as big-endian 32-bit cells.
    func cells(_ node: Int32, _ name: String) -> [UInt32]? {
        guard let p = property(node, name), p.count % 4 == 0 else { return nil }
        var out: [UInt32] = []
        var i = 0
        while i < p.count { out.append(bigEndian32(p.baseAddress! + i)); i += 4 }
        return out
    }

    /// A NUL-terminated string property.
    func string(_ node: Int32, _ name: String) -> String? {
        guard let p = property(node, name), p.count > 0, p[p.count - 1] == 0 else { return nil }
        return String(decoding: UnsafeRawBufferPointer(rebasing: p[0..<(p.count - 1)]), as: UTF8.self)
    }

    /// `#address-cells`/`#size-cells` of a node (defaults 2 and 1 per the spec).
    func addressCells(_ node: Int32) -> Int { Int(cells(node, "#address-cells")?.first ?? 2) }
    func sizeCells(_ node: Int32) -> Int { Int(cells(node, "#size-cells")?.first ?? 1) }
}

func bigEndian32(_ p: UnsafeRawPointer) -> UInt32 {
    let b = p.assumingMemoryBound(to: UInt8.self)
    return UInt32(b[0]) << 24 | UInt32(b[1]) << 16 | UInt32(b[2]) << 8 | UInt32(b[3])
}

/// Combine big-endian cells into 64-bit numbers, `width` cells each (1 or 2).
func combineCells(_ cells: ArraySlice<UInt32>, width: Int) -> UInt64 {
    var v: UInt64 = 0
    for c in cells.prefix(width) { v = (v << 32) | UInt64(c) }
    return v
}
