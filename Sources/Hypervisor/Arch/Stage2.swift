/// A VM's stage-2 translation tables (IPA -> PA), 39-bit IPA space starting
/// at level 1. Maps with the largest block the alignment allows.
/// The same layout in the stage-1 leaf format serves an SMMU that has no stage 2: a VM's DMA
/// tables (IOVA = IPA -> PA) behind a context descriptor (`dmaStage1`).
struct Stage2Table {
    enum Format { case stage2, dmaStage1 }

    let root: UInt64
    let vmid: UInt16
    let format: Format

    var vttbr: UInt64 { (UInt64(vmid) << 48) | root }

    init?(vmid: UInt16, pages: inout PageAllocator, format: Format = .stage2) {
        guard let root = pages.allocate() else { return nil }
        self.root = root
        self.vmid = vmid
        self.format = format
    }

    private func leaf(_ pa: UInt64, _ attributes: Stage2Attributes, page: Bool) -> Descriptor {
        format == .stage2 ? Descriptor.stage2(pa, attributes: attributes, page: page) : Descriptor.dmaStage1(pa, page: page)
    }

    /// Map [ipa, ipa+size) to [pa, ...). Returns false when out of table pages
    /// or the range leaves the 39-bit IPA space.
    func map(ipa: UInt64, pa: UInt64, size: UInt64, attributes: Stage2Attributes, pages: inout PageAllocator) -> Bool {
        guard ipa + size <= (1 << 39) else { return false }
        var offset: UInt64 = 0
        while offset < size {
            let i = ipa + offset, p = pa + offset, left = size - offset
            let step: UInt64
            if i % Granule.level1Block == 0 && p % Granule.level1Block == 0 && left >= Granule.level1Block {
                Arch.memoryWrite64(entryAddress(table: root, ipa: i, level: 1), leaf(p, attributes, page: false).rawValue)
                step = Granule.level1Block
            } else if i % Granule.level2Block == 0 && p % Granule.level2Block == 0 && left >= Granule.level2Block {
                guard let l2 = nextTable(root, ipa: i, level: 1, pages: &pages) else { return false }
                Arch.memoryWrite64(entryAddress(table: l2, ipa: i, level: 2), leaf(p, attributes, page: false).rawValue)
                step = Granule.level2Block
            } else {
                guard let l2 = nextTable(root, ipa: i, level: 1, pages: &pages),
                      let l3 = nextTable(l2, ipa: i, level: 2, pages: &pages) else { return false }
                Arch.memoryWrite64(entryAddress(table: l3, ipa: i, level: 3), leaf(p, attributes, page: true).rawValue)
                step = Granule.page
            }
            offset += step
        }
        Arch.barrier()
        return true
    }

    /// Walks the tables: the PA an IPA maps to, if any (used to reach guest memory safely).
    func translate(_ ipa: UInt64) -> UInt64? {
        var table = root
        var level = 1
        while true {
            let d = Descriptor(rawValue: Arch.memoryRead64(entryAddress(table: table, ipa: ipa, level: level)))
            guard d.isValid else { return nil }
            let span = blockSize(level)
            if level == 3 || !d.isTable { return d.address & ~(span - 1) | (ipa & (span - 1)) }
            table = d.address
            level += 1
        }
    }

    private func blockSize(_ level: Int) -> UInt64 {
        level == 1 ? Granule.level1Block : level == 2 ? Granule.level2Block : Granule.page
    }

    private func entryAddress(table: UInt64, ipa: UInt64, level: Int) -> UInt64 {
        let shift: UInt64 = level == 1 ? 30 : level == 2 ? 21 : 12
        return table + ((ipa >> shift) & 0x1FF) * 8
    }

    private func nextTable(_ table: UInt64, ipa: UInt64, level: Int, pages: inout PageAllocator) -> UInt64? {
        let slot = entryAddress(table: table, ipa: ipa, level: level)
        let d = Descriptor(rawValue: Arch.memoryRead64(slot))
        if d.isTable { return d.address }
        // A block already there is never split: configurations with overlapping ranges are rejected earlier.
        guard !d.isValid, let page = pages.allocate() else { return nil }
        Arch.memoryWrite64(slot, Descriptor.table(page).rawValue)
        return page
    }
}
