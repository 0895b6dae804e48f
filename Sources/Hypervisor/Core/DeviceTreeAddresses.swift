import CFDT

/// Addresses in a device tree as the CPU sees them: a node's `reg` is in its parent bus's
/// address space, and each bus above maps it on with `ranges` (Devicetree Specification 2.3.8;
/// an empty `ranges` is the identity, a missing one means the bus is not memory-mapped).
extension DeviceTree {
    func parent(_ node: Int32) -> Int32? {
        let p = fdt_parent_offset(blob, node)
        return p >= 0 ? p : nil
    }

    /// The node's full path, e.g. /soc/internal-regs@d0000000/mmc@d0000.
    func path(_ node: Int32) -> String? {
        var buf = [CChar](repeating: 0, count: 256)
        guard fdt_get_path(blob, node, &buf, Int32(buf.count)) == 0 else { return nil }
        return String(cString: buf)
    }

    /// `reg` as CPU physical (base, size) pairs, or nil when it is malformed or some range
    /// is not reachable from the CPU.
    func cpuRegions(_ node: Int32) -> [(base: UInt64, size: UInt64)]? {
        guard let bus = parent(node), let reg = cells(node, "reg") else { return nil }
        let ac = addressCells(bus), sc = sizeCells(bus)
        guard ac >= 1, ac <= 2, sc <= 2, reg.count > 0, reg.count % (ac + sc) == 0 else { return nil }
        var out: [(base: UInt64, size: UInt64)] = []
        var i = 0
        while i < reg.count {
            let local = combineCells(reg[i..<(i + ac)], width: ac)
            let size = sc == 0 ? 0 : combineCells(reg[(i + ac)..<(i + ac + sc)], width: sc)
            guard let cpu = translate(local, from: bus) else { return nil }
            out.append((base: cpu, size: size))
            i += ac + sc
        }
        return out
    }

    /// An address on `bus` (the child address space of that node), mapped up to the root.
    func translate(_ address: UInt64, from bus: Int32) -> UInt64? {
        var a = address, node = bus
        while let up = parent(node) {
            guard let ranges = property(node, "ranges") else { return nil }
            if ranges.count > 0 {
                guard let r = cells(node, "ranges") else { return nil }
                let cac = addressCells(node), pac = addressCells(up), csc = sizeCells(node)
                let width = cac + pac + csc
                guard cac <= 2, pac <= 2, csc <= 2, width > 0, r.count % width == 0 else { return nil }
                var mapped: UInt64? = nil
                var i = 0
                while i < r.count {
                    let child = combineCells(r[i..<(i + cac)], width: cac)
                    let parentBase = combineCells(r[(i + cac)..<(i + cac + pac)], width: pac)
                    let size = combineCells(r[(i + cac + pac)..<(i + width)], width: csc)
                    if a >= child && a - child < size { mapped = parentBase + (a - child); break }
                    i += width
                }
                guard let m = mapped else { return nil }
                a = m
            }
            node = up
        }
        return a
    }

    /// The node whose phandle is `phandle`.
    func node(phandle: UInt32) -> Int32? {
        let off = fdt_node_offset_by_phandle(blob, phandle)
        return off >= 0 ? off : nil
    }

    /// The interrupt controller a node's `interrupts` refer to (its own or the nearest ancestor's
    /// `interrupt-parent`).
    func interruptParent(_ node: Int32) -> Int32? {
        var n: Int32? = node
        while let cur = n {
            if let p = cells(cur, "interrupt-parent"), p.count == 1 { return self.node(phandle: p[0]) }
            n = parent(cur)
        }
        return nil
    }

    /// Does the node's compatible list hold `name`?
    func isCompatible(_ node: Int32, _ name: String) -> Bool {
        fdt_node_check_compatible(blob, node, name) == 0
    }

    /// Every node compatible with `name`, in tree order, whatever its status.
    func nodes(compatible name: String) -> [Int32] {
        var out: [Int32] = []
        var off = fdt_node_offset_by_compatible(blob, -1, name)
        while off >= 0 {
            out.append(off)
            off = fdt_node_offset_by_compatible(blob, off, name)
        }
        return out
    }
}
