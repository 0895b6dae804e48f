/// One software-TLB entry: tags are the virtual page (low 12 bits clear) or `invalid`; a host
/// address is `va &+ addend`. An access hits when `va & (~0xFFF | (size - 1)) == tag`, so
/// misaligned accesses always take the slow path.
public struct TLBEntry {
    public var readTag: UInt64 = TLBEntry.invalid
    public var writeTag: UInt64 = TLBEntry.invalid
    public var execTag: UInt64 = TLBEntry.invalid
    public var addend: UInt64 = 0
    /// Predecoded page for instruction fetch (valid when `execTag` matches).
    public var code: UnsafeMutablePointer<Insn>? = nil
    public var physPage: UInt64 = 0
    /// log2 of the mapping size the entry's page belongs to (see `Translation.blockBits`).
    public var blockBits: UInt8 = 12
    /// The translation stages of the entry's regime, for the a53 model's TLB walks (0: MMU off).
    /// Fixed per table: SCTLR/HCR changes that alter it flush or switch the table.
    public var stages: UInt8 = 0

    /// Whether the entry translates a page of the mapping that holds `va` (VA bits 55:blockBits;
    /// the top byte is ignored as TLBI operands carry VA[55:12]).
    @inline(__always) func covers(_ va: UInt64) -> Bool {
        let mask: UInt64 = 0x00FF_FFFF_FFFF_FFFF & ~((1 << UInt64(blockBits)) - 1)
        return (readTag != TLBEntry.invalid && (readTag ^ va) & mask == 0)
            || (writeTag != TLBEntry.invalid && (writeTag ^ va) & mask == 0)
            || (execTag != TLBEntry.invalid && (execTag ^ va) & mask == 0)
    }

    public static let invalid: UInt64 = .max
    /// Marks a read or write tag that the fast path must not use (its compare keeps VA bit 11
    /// clear) while TLBI, flushes and `covers` still see the page: set when every access to the
    /// page must reach the slow path (the a53 timing model; a debugger's read watchpoint).
    public static let slowPath: UInt64 = 0x800
    /// With `slowPath`: the page is Normal memory (the a53 model serves unaligned accesses).
    public static let normalMemory: UInt64 = 0x400
}

/// A walk-cache entry: the level-3 table reached for a 2 MiB-aligned VA with a 4K granule, and
/// the hierarchical attributes gathered on the way (like a hardware walk cache).
public struct WalkCacheEntry {
    public var tag: UInt64 = .max
    public var table: UInt64 = 0
    public var apTable: UInt64 = 0
    public var xnTable = false
    public var pxnTable = false
}

/// What a TLBI drops: the EL1&0 entries of one stage-2 context, of all of them, or an EL2/EL3 regime.
public enum TLBIScope {
    case stage2Context(UInt64)
    case allEL1
    case regime(Int)
    /// By VA: the mapping holding `va` in the EL1&0 regime of a stage-2 context (`el` 1) or in
    /// the EL2/EL3 regime.
    case page(va: UInt64, el: Int, key: UInt64)
}

/// Software TLBs of one core: one direct-mapped table per EL, so EL changes need no flush.
/// The EL1&0 regime's tables (and its walk cache) come in banks tagged by the stage-2 context
/// (VTTBR_EL2 with its VMID, plus the HCR_EL2 bits that change EL1&0 translation), like a
/// VMID-tagged TLB: a hypervisor switching VMs, or rewriting HCR_EL2 on every entry, keeps
/// each VM's translations and its own EL2 ones.
public final class SoftTLB {
    public static let entries = 1024
    public static let walkEntries = 64
    public static let banks = 4
    /// Tables: EL2, EL3, then (EL0, EL1) per bank.
    public let base: UnsafeMutablePointer<TLBEntry>
    /// Walk caches: EL2 and EL3 regimes, then one per bank.
    public let walk: UnsafeMutablePointer<WalkCacheEntry>
    /// Stage-2 context key of each bank (`empty` when unused).
    private var keys = [UInt64](repeating: SoftTLB.empty, count: SoftTLB.banks)
    public private(set) var current = 0
    private var victim = 1
    static let empty: UInt64 = .max
    public static let tableCount = 2 + 2 * banks
    /// Per table: the blocks larger than 4 KiB it holds pages of, as `base | log2 size` (low 6
    /// bits), up to `maxBlocks`; `overflow` marks more. A TLBI by VA inside one of them drops the
    /// table; outside them it drops one slot.
    static let maxBlocks = 8
    private let blocks: UnsafeMutablePointer<UInt64>
    private let blockCount: UnsafeMutablePointer<Int>
    /// Per table: the slots filled since its last clear, up to `maxUsed` (more: `maxUsed + 1`), so
    /// a flush touches those slots rather than the whole table (an address-space switch flushes
    /// EL1&0, and most processes touch few pages between switches).
    static let maxUsed = entries / 4
    private let used: UnsafeMutablePointer<UInt16>
    private let usedCount: UnsafeMutablePointer<Int>

    public init() {
        base = .allocate(capacity: Self.tableCount * Self.entries)
        base.initialize(repeating: TLBEntry(), count: Self.tableCount * Self.entries)
        walk = .allocate(capacity: (1 + Self.banks) * Self.walkEntries)
        walk.initialize(repeating: WalkCacheEntry(), count: (1 + Self.banks) * Self.walkEntries)
        blocks = .allocate(capacity: Self.tableCount * Self.maxBlocks)
        blocks.initialize(repeating: 0, count: Self.tableCount * Self.maxBlocks)
        blockCount = .allocate(capacity: Self.tableCount)
        blockCount.initialize(repeating: 0, count: Self.tableCount)
        used = .allocate(capacity: Self.tableCount * Self.maxUsed)
        used.initialize(repeating: 0, count: Self.tableCount * Self.maxUsed)
        usedCount = .allocate(capacity: Self.tableCount)
        usedCount.initialize(repeating: 0, count: Self.tableCount)
    }

    /// Records that slot `index` of `table` went from empty to filled.
    @inline(__always) public func noteUsed(in table: UnsafeMutablePointer<TLBEntry>, index: Int) {
        let t = (table - base) / Self.entries
        let n = usedCount[t]
        if n < Self.maxUsed { used[t * Self.maxUsed + n] = UInt16(truncatingIfNeeded: index) }
        if n <= Self.maxUsed { usedCount[t] = n + 1 }
    }

    deinit {
        base.deallocate()
        walk.deallocate()
        blocks.deallocate()
        blockCount.deallocate()
        used.deallocate()
        usedCount.deallocate()
    }

    /// Records that `table` now holds a page of the block of 2^`bits` bytes holding `va`.
    public func noteBlock(in table: UnsafeMutablePointer<TLBEntry>, va: UInt64, bits: UInt8) {
        let t = (table - base) / Self.entries
        let n = blockCount[t]
        guard n <= Self.maxBlocks else { return }
        let key = (va & 0x00FF_FFFF_FFFF_FFFF & ~((1 << UInt64(bits)) - 1)) | UInt64(bits)
        let list = blocks + t * Self.maxBlocks
        for i in 0..<n where list[i] == key { return }
        if n < Self.maxBlocks { list[n] = key }
        blockCount[t] = n + 1
    }

    /// Whether `va` may lie in a block table `t` caches pages of.
    private func inCachedBlock(_ va: UInt64, table t: Int) -> Bool {
        let n = blockCount[t]
        if n > Self.maxBlocks { return true }
        let list = blocks + t * Self.maxBlocks
        for i in 0..<n {
            let bits = list[i] & 63
            if (va ^ list[i]) & 0x00FF_FFFF_FFFF_FFFF & ~((1 << bits) - 1) == 0 { return true }
        }
        return false
    }

    /// TLBI by VA: drops the entries translating the mapping that holds `va` and the walk-cache
    /// slot of its 2 MiB region, in the EL1&0 tables of bank `bank` (`el` 1) or the EL2/EL3 table.
    private func flushPage(_ va: UInt64, tables: [Int], walkCache w: Int) {
        for t in tables {
            let p = base + t * Self.entries
            if inCachedBlock(va, table: t) {
                clear(table: t)
            } else {
                let i = Int((va >> 12) & UInt64(Self.entries - 1))
                if p[i].covers(va) { p[i] = TLBEntry() }
            }
        }
        walk[w * Self.walkEntries + Int((va >> 21) & UInt64(Self.walkEntries - 1))].tag = .max
    }

    /// TLBI by VA in the EL1&0 regime of stage-2 context `key` (if this core holds it) or in EL2/EL3.
    public func flush(page va: UInt64, el: Int, key: UInt64) {
        if el >= 2 { flushPage(va, tables: [el - 2], walkCache: 0); return }
        guard let b = keys.firstIndex(of: key) else { return }
        flushPage(va, tables: [2 + 2 * b, 3 + 2 * b], walkCache: 1 + b)
    }

    /// The table for translations at `el` (EL0 and EL1 from the current bank).
    @inline(__always) public func table(el: Int) -> UnsafeMutablePointer<TLBEntry> {
        el >= 2 ? base + (el - 2) * Self.entries : base + (2 + 2 * current + el) * Self.entries
    }

    /// The walk cache for the regime of `el`.
    @inline(__always) public func walkCache(el: Int) -> UnsafeMutablePointer<WalkCacheEntry> {
        el >= 2 ? walk : walk + (1 + current) * Self.walkEntries
    }

    private func clear(table t: Int) {
        let p = base + t * Self.entries
        let n = usedCount[t]
        if n > Self.maxUsed {
            for i in 0..<Self.entries { p[i] = TLBEntry() }
        } else {
            let list = used + t * Self.maxUsed
            for k in 0..<n { p[Int(list[k])] = TLBEntry() }
        }
        usedCount[t] = 0
        blockCount[t] = 0
    }

    private func clear(walkCache w: Int) {
        let p = walk + w * Self.walkEntries
        for i in 0..<Self.walkEntries { p[i].tag = .max }
    }

    /// Makes the bank for stage-2 context `key` current (reusing the least recently claimed bank
    /// when none holds it); returns true when the current bank changed.
    @discardableResult
    public func select(key: UInt64) -> Bool {
        if keys[current] == key { return false }
        if let b = keys.firstIndex(of: key) { current = b; return true }
        current = victim
        victim = (victim + 1) % Self.banks
        keys[current] = key
        flushBank(current)
        return true
    }

    public func flushBank(_ b: Int) {
        clear(table: 2 + 2 * b)
        clear(table: 3 + 2 * b)
        clear(walkCache: 1 + b)
    }

    /// Drops the EL1&0 translations of the current stage-2 context.
    public func flushCurrent() { flushBank(current) }

    /// Drops the EL1&0 translations of stage-2 context `key`, if this core holds any.
    public func flush(key: UInt64) {
        if let b = keys.firstIndex(of: key) { flushBank(b) }
    }

    /// Drops the EL1&0 translations of every stage-2 context.
    public func flushAllBanks() {
        for b in 0..<Self.banks { flushBank(b) }
    }

    /// Drops the EL2 (`el` 2) or EL3 regime's translations.
    public func flushRegime(el: Int) {
        clear(table: el - 2)
        // EL2 and EL3 share one walk cache; its tags name the EL.
        clear(walkCache: 0)
    }

    public func flushAll() {
        for t in 0..<Self.tableCount { clear(table: t) }
        for w in 0...Self.banks { clear(walkCache: w) }
    }

    /// Drops write fast paths to a host page (it now holds predecoded code).
    /// Only the slots filled since each table's last clear can hold one (it is called for every page
    /// that code is first fetched from, so whole-table scans would cost as much as the fills).
    public func dropWrites(hostPage: UInt) {
        for t in 0..<Self.tableCount {
            let p = base + t * Self.entries
            let n = usedCount[t]
            if n > Self.maxUsed {
                for i in 0..<Self.entries { Self.dropWrite(p + i, hostPage) }
            } else {
                let list = used + t * Self.maxUsed
                for k in 0..<n { Self.dropWrite(p + Int(list[k]), hostPage) }
            }
        }
    }

    @inline(__always) private static func dropWrite(_ e: UnsafeMutablePointer<TLBEntry>, _ hostPage: UInt) {
        if e.pointee.writeTag != TLBEntry.invalid && UInt(truncatingIfNeeded: (e.pointee.writeTag & ~0xFFF) &+ e.pointee.addend) == hostPage {
            e.pointee.writeTag = TLBEntry.invalid
        }
    }
}
