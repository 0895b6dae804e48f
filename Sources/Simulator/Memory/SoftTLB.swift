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

    public static let invalid: UInt64 = .max
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

/// Software TLBs of one core: one direct-mapped table per EL, so EL changes need no flush, and a
/// walk cache for the upper levels of stage-1 tables. Both are dropped together.
public struct SoftTLB {
    public static let entries = 256
    public static let walkEntries = 64
    public let base: UnsafeMutablePointer<TLBEntry>
    public let walk: UnsafeMutablePointer<WalkCacheEntry>

    public init() {
        base = .allocate(capacity: 4 * Self.entries)
        base.initialize(repeating: TLBEntry(), count: 4 * Self.entries)
        walk = .allocate(capacity: Self.walkEntries)
        walk.initialize(repeating: WalkCacheEntry(), count: Self.walkEntries)
    }

    @inline(__always) public func table(el: Int) -> UnsafeMutablePointer<TLBEntry> { base + el * Self.entries }

    public func flushAll() {
        for i in 0..<(4 * Self.entries) { base[i] = TLBEntry() }
        for i in 0..<Self.walkEntries { walk[i].tag = .max }
    }

    /// Drops write fast paths to a host page (it now holds predecoded code).
    public func dropWrites(hostPage: UInt) {
        for i in 0..<(4 * Self.entries) where base[i].writeTag != TLBEntry.invalid {
            if UInt(truncatingIfNeeded: base[i].writeTag &+ base[i].addend) == hostPage { base[i].writeTag = TLBEntry.invalid }
        }
    }
}
