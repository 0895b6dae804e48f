import Foundation

/// One mapping of the user address space, as Linux keeps a VMA: a page-aligned range and its
/// PROT_* bits (a PROT_NONE mapping reserves its range and faults on every access).
struct UserMapping {
    var range: Range<UInt64>
    var prot: Int32
}

/// The user address space as Linux manages it: the mappings, and the EL1 stage-1 page tables
/// that enforce them page by page (4 KiB pages, AP and UXN from PROT_*), so a NULL, unmapped or
/// PROT_NONE access, or a write to a read-only page, faults as on Linux. The tables have fixed
/// places in the table region (one level-1 table, four level-2 tables, a level-3 table per 2 MiB)
/// so no allocator is needed; only level-3 entries change.
final class UserAddressSpace {
    static let pageSize: UInt64 = 0x1000
    /// Linux's vm.mmap_min_addr: nothing is mapped below it, so NULL pointers fault.
    static let minAddress: UInt64 = 0x1_0000
    /// Bytes of table region: level 1, four level 2, 2048 level 3.
    static let tablesSize: UInt64 = (1 + 4 + 2048) * pageSize

    let tablesBase: UInt64
    let spaceSize: UInt64
    private let tables: UnsafeMutableRawPointer
    private let memory: PhysicalMemory
    /// Sorted by start, disjoint.
    private(set) var mappings: [UserMapping] = []

    init(memory: PhysicalMemory, tablesBase: UInt64, spaceSize: UInt64) throws {
        guard let region = memory.region(tablesBase), region.base == tablesBase, region.size >= Self.tablesSize else {
            throw SimError.config("sim user: no room for the page tables")
        }
        self.memory = memory
        self.tablesBase = tablesBase
        self.spaceSize = spaceSize
        tables = region.host
        // Level 1: four 1 GiB slots pointing at the level-2 tables; each level-2 entry at its
        // level-3 table. Table descriptors: bits 1:0 = 0b11.
        for i in 0..<4 { store(UInt64(i) * 8, tablesBase + UInt64(1 + i) * Self.pageSize | 3) }
        for k in 0..<2048 {
            let l2 = UInt64(1 + k / 512) * Self.pageSize + UInt64(k % 512) * 8
            store(l2, level3(UInt64(k)) | 3)
        }
    }

    private func store(_ offset: UInt64, _ value: UInt64) {
        tables.storeBytes(of: value.littleEndian, toByteOffset: Int(offset), as: UInt64.self)
    }

    /// The level-3 table for the 2 MiB block `k` (a physical address).
    private func level3(_ k: UInt64) -> UInt64 { tablesBase + (5 + k) * Self.pageSize }

    /// The page descriptor for `prot`: Normal memory (MAIR slot 0), inner shareable, AF, EL0
    /// access (AP[1]), read-only unless PROT_WRITE (AP[2]), never executable at EL1 (PXN) nor at
    /// EL0 without PROT_EXEC (UXN). PROT_NONE is an invalid entry.
    static func descriptor(_ va: UInt64, _ prot: Int32) -> UInt64 {
        guard prot & (PROT_READ | PROT_WRITE | PROT_EXEC) != 0 else { return 0 }
        var d = va | 3 | 1 << 10 | 3 << 8 | 1 << 6 | 1 << 53
        if prot & PROT_WRITE == 0 { d |= 1 << 7 }
        if prot & PROT_EXEC == 0 { d |= 1 << 54 }
        return d
    }

    private func setPages(_ range: Range<UInt64>, _ prot: Int32) {
        var va = range.lowerBound
        while va < range.upperBound {
            let offset = level3(va >> 21) - tablesBase + ((va >> 12) & 511) * 8
            store(offset, Self.descriptor(va, prot))
            va += Self.pageSize
        }
    }

    static func pageAligned(_ a: UInt64) -> Bool { a & (pageSize - 1) == 0 }
    static func roundUp(_ a: UInt64) -> UInt64 { (a &+ pageSize - 1) & ~(pageSize - 1) }

    // MARK: Queries

    func mapping(at address: UInt64) -> UserMapping? {
        mappings.first { $0.range.contains(address) }
    }

    func overlaps(_ range: Range<UInt64>) -> Bool { mappings.contains { $0.range.overlaps(range) } }

    /// Whether every byte of `range` is mapped with at least `prot`.
    func allows(_ range: Range<UInt64>, _ prot: Int32) -> Bool {
        var at = range.lowerBound
        for m in mappings where m.range.upperBound > at {
            guard m.range.lowerBound <= at, m.prot & prot == prot, m.prot != PROT_NONE else { return false }
            at = m.range.upperBound
            if at >= range.upperBound { return true }
        }
        return range.isEmpty
    }

    /// The highest free page-aligned range of `length` bytes that ends at or below `top`.
    func findFree(_ length: UInt64, below top: UInt64) -> UInt64? {
        var ceiling = top
        for m in mappings.reversed() {
            if m.range.lowerBound >= ceiling { continue }
            if m.range.upperBound <= ceiling, ceiling - m.range.upperBound >= length { return ceiling - length }
            ceiling = min(ceiling, m.range.lowerBound)
        }
        return ceiling >= Self.minAddress + length ? ceiling - length : nil
    }

    // MARK: Changes

    /// Maps `range` (page-aligned) with `prot`, replacing whatever was there; the pages read as
    /// zero unless `keepContents`.
    func map(_ range: Range<UInt64>, prot: Int32, keepContents: Bool = false) {
        unmap(range, release: !keepContents)
        let i = mappings.firstIndex { $0.range.lowerBound >= range.upperBound } ?? mappings.count
        mappings.insert(UserMapping(range: range, prot: prot), at: i)
        setPages(range, prot)
    }

    /// Removes `range` from every mapping (splitting those it cuts); its pages fault afterwards
    /// and, with `release`, read as zero when mapped again.
    func unmap(_ range: Range<UInt64>, release: Bool = true) {
        guard !range.isEmpty else { return }
        var kept: [UserMapping] = []
        for m in mappings {
            guard m.range.overlaps(range) else { kept.append(m); continue }
            if m.range.lowerBound < range.lowerBound { kept.append(UserMapping(range: m.range.lowerBound..<range.lowerBound, prot: m.prot)) }
            if m.range.upperBound > range.upperBound { kept.append(UserMapping(range: range.upperBound..<m.range.upperBound, prot: m.prot)) }
        }
        mappings = kept
        setPages(range, PROT_NONE)
        if release { zero(range) }
    }

    /// Changes the protection of `range`; false (ENOMEM) when part of it is not mapped.
    func protect(_ range: Range<UInt64>, prot: Int32) -> Bool {
        guard allowsAny(range) else { return false }
        var out: [UserMapping] = []
        for m in mappings {
            guard m.range.overlaps(range) else { out.append(m); continue }
            let lo = max(m.range.lowerBound, range.lowerBound), hi = min(m.range.upperBound, range.upperBound)
            if m.range.lowerBound < lo { out.append(UserMapping(range: m.range.lowerBound..<lo, prot: m.prot)) }
            out.append(UserMapping(range: lo..<hi, prot: prot))
            if hi < m.range.upperBound { out.append(UserMapping(range: hi..<m.range.upperBound, prot: m.prot)) }
        }
        mappings = out
        setPages(range, prot)
        return true
    }

    /// Whether `range` is covered by mappings of any protection (no holes).
    func allowsAny(_ range: Range<UInt64>) -> Bool {
        var at = range.lowerBound
        for m in mappings where m.range.upperBound > at {
            guard m.range.lowerBound <= at else { return false }
            at = m.range.upperBound
            if at >= range.upperBound { return true }
        }
        return range.isEmpty
    }

    /// Gives the host memory behind `range` back: it reads as zero afterwards, and no decoded
    /// instruction of it survives.
    func zero(_ range: Range<UInt64>) {
        guard let region = memory.region(range.lowerBound) else { return }
        let offset = Int(range.lowerBound - region.base), count = Int(range.upperBound - range.lowerBound)
        if madvise(region.host + offset, count, MADV_DONTNEED) != 0 { memset(region.host + offset, 0, count) }
        region.invalidateCode(range.lowerBound, count)
    }

    /// Moves the contents of `from` to `to` (same length, both page-aligned, `to` already mapped).
    func move(_ from: Range<UInt64>, to: UInt64) {
        guard let src = memory.region(from.lowerBound), let dst = memory.region(to) else { return }
        let count = Int(from.upperBound - from.lowerBound)
        memmove(dst.host + Int(to - dst.base), src.host + Int(from.lowerBound - src.base), count)
        dst.invalidateCode(to, count)
    }
}
