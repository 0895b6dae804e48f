/// A PCI host bridge given whole to a VM (`device_type = "pci"`, e.g. virt's
/// pci-host-ecam-generic): the VM enumerates and programs its functions itself, through the
/// configuration space (`reg`) and the windows `ranges` opens onto the CPU's bus. Its functions'
/// DMA is confined by the SMMU StreamIDs `iommu-map` gives bus 0's requester IDs (bridges the
/// VM might add put functions on other buses, whose StreamIDs stay terminated).
struct PCIHostWindows {
    /// `ranges` as the guest tree carries it: (PCI flags, PCI address, CPU address, size), the
    /// windows stage 2 can map (inside its 39-bit IPA space) only.
    var ranges: [(flags: UInt32, pci: UInt64, cpu: UInt64, size: UInt64)] = []
    var busRange: [UInt32] = [0, 0xFF]

    /// The guest's `ranges` cells: 3 PCI address cells, 2 CPU address cells, 2 size cells.
    var rangesCells: [UInt32] {
        ranges.flatMap { r in
            [r.flags, UInt32(truncatingIfNeeded: r.pci >> 32), UInt32(truncatingIfNeeded: r.pci),
             UInt32(truncatingIfNeeded: r.cpu >> 32), UInt32(truncatingIfNeeded: r.cpu),
             UInt32(truncatingIfNeeded: r.size >> 32), UInt32(truncatingIfNeeded: r.size)]
        }
    }
}

extension VMConfigParser {
    /// The host bridge's windows and bus-0 StreamIDs, or why it cannot be given to a VM.
    func pciHost(_ node: Int32, path: String) -> Result<(PCIHostWindows, streamIDs: [UInt32]), Problem> {
        guard let bus = tree.parent(node), tree.addressCells(node) == 3, tree.sizeCells(node) == 2 else {
            return .failure(Problem(text: "PCI host \(path) does not use 3 address and 2 size cells"))
        }
        let pac = tree.addressCells(bus)
        let raw = tree.cells(node, "ranges") ?? []
        let width = 3 + pac + 2
        guard pac >= 1, pac <= 2, !raw.isEmpty, raw.count % width == 0 else {
            return .failure(Problem(text: "PCI host \(path) has no usable ranges"))
        }
        var host = PCIHostWindows()
        if let b = tree.cells(node, "bus-range"), b.count == 2 { host.busRange = b }
        var i = 0
        while i < raw.count {
            let pci = combineCells(raw[(i + 1)..<(i + 3)], width: 2)
            let size = combineCells(raw[(i + 3 + pac)..<(i + width)], width: 2)
            guard let cpu = tree.translate(combineCells(raw[(i + 3)..<(i + 3 + pac)], width: pac), from: bus),
                  size > 0, cpu &+ size > cpu else {
                return .failure(Problem(text: "PCI host \(path) has a window the CPU cannot reach"))
            }
            // A window beyond stage 2's IPA space (virt's 64-bit one at 512 GiB) is left out of
            // the guest's view: the VM assigns its BARs in the others.
            if cpu + size <= 1 << 39 { host.ranges.append((raw[i], pci, cpu, size)) }
            i += width
        }
        guard !host.ranges.isEmpty else { return .failure(Problem(text: "PCI host \(path) has no window a VM can reach")) }
        // iommu-map = <rid-base &smmu sid-base length>... (#iommu-cells = 1).
        var sids: [UInt32] = []
        let map = tree.cells(node, "iommu-map") ?? []
        var k = 0
        while k + 4 <= map.count {
            let ridBase = map[k], sidBase = map[k + 2], length = map[k + 3]
            if let smmu = iommuPhandle, map[k + 1] == smmu {
                let last = min(UInt64(ridBase) + UInt64(length), 0x100)
                var rid = UInt64(ridBase)
                while rid < last { sids.append(sidBase &+ UInt32(rid - UInt64(ridBase))); rid += 1 }
            }
            k += 4
        }
        return .success((host, sids))
    }
}
