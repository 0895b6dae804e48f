/// A set-associative, write-back, write-allocate cache of physical lines with LRU replacement:
/// tags only, no data (the data lives in RAM; this decides hit or miss). Deterministic.
final class CacheModel {
    let sets: Int, ways: Int, lineBits: Int
    /// Sets are a power of two: the set is the line address's low bits.
    private let setMask: UInt64
    /// `lineBits` as a shift count (an Int count costs a sign check per shift).
    private let lineShift: UInt64
    /// Per way: the line address (PA >> lineBits) + 1, 0 when invalid.
    private let tags: UnsafeMutablePointer<UInt64>
    private let stamps: UnsafeMutablePointer<UInt64>
    private let dirty: UnsafeMutablePointer<Bool>
    /// Per set: the slot (set base + way) used last. Hitting it again changes no LRU order, so
    /// that hit (most of them: code and data stay in a line a while) skips the set search.
    private let mru: UnsafeMutablePointer<Int32>
    private var clock: UInt64 = 0
    /// The way the last access hit or filled.
    private var lastWay = 0
    var accesses: UInt64 = 0, misses: UInt64 = 0, writebacks: UInt64 = 0
    /// The line address a miss evicted dirty (to be written to the next level), or .max.
    var evictedDirtyLine: UInt64 = .max

    init(bytes: Int, ways: Int, lineBytes: Int = 64) {
        self.ways = ways
        lineBits = lineBytes.trailingZeroBitCount
        lineShift = UInt64(lineBits)
        sets = 1 << (max(1, bytes / lineBytes / ways).bitWidth - 1 - max(1, bytes / lineBytes / ways).leadingZeroBitCount)
        setMask = UInt64(sets - 1)
        tags = .allocate(capacity: sets * ways); tags.initialize(repeating: 0, count: sets * ways)
        stamps = .allocate(capacity: sets * ways); stamps.initialize(repeating: 0, count: sets * ways)
        dirty = .allocate(capacity: sets * ways); dirty.initialize(repeating: false, count: sets * ways)
        mru = .allocate(capacity: sets)
        for set in 0..<sets { (mru + set).initialize(to: Int32(set * ways)) }
    }

    deinit { tags.deallocate(); stamps.deallocate(); dirty.deallocate(); mru.deallocate() }

    /// Looks up (and on a miss fills) the line of `pa`; true on a hit.
    @inline(__always)
    func access(_ pa: UInt64, write: Bool) -> Bool {
        accesses &+= 1
        let line = pa &>> lineShift
        let set = Int(truncatingIfNeeded: line & setMask)
        let tag = line &+ 1
        let last = Int(truncatingIfNeeded: mru[set])
        if tags[last] == tag {
            if write { dirty[last] = true }
            lastWay = last
            return true
        }
        clock &+= 1
        let base = set &* ways
        // The set's ways compared without branching on each (which way hits is unpredictable on
        // the host), unrolled for the A53's 2- and 4-way arrays; the victim search is the miss's work.
        let hits: Int
        switch ways {
        case 2: hits = hitMask(base, tag, 2)
        case 4: hits = hitMask(base, tag, 4)
        default: hits = hitMask(base, tag, ways)
        }
        if hits != 0 {
            let way = base &+ hits.trailingZeroBitCount
            stamps[way] = clock
            if write { dirty[way] = true }
            lastWay = way
            mru[set] = Int32(truncatingIfNeeded: way)
            return true
        }
        misses &+= 1
        var victim = base
        var w = base
        while w < base &+ ways {
            if tags[w] == 0 { victim = w; break }
            if stamps[w] < stamps[victim] { victim = w }
            w &+= 1
        }
        if tags[victim] != 0 && dirty[victim] {
            writebacks &+= 1
            evictedDirtyLine = tags[victim] &- 1
        } else {
            evictedDirtyLine = .max
        }
        tags[victim] = tag
        stamps[victim] = clock
        dirty[victim] = write
        lastWay = victim
        mru[set] = Int32(truncatingIfNeeded: victim)
        return false
    }

    /// Bit w set when way w of the set at `base` holds `tag`.
    @inline(__always)
    private func hitMask(_ base: Int, _ tag: UInt64, _ count: Int) -> Int {
        var hits = 0
        var w = 0
        while w < count {
            hits |= (tags[base &+ w] == tag ? 1 : 0) &<< w
            w &+= 1
        }
        return hits
    }

    /// A store the L1D does not allocate (streaming mode): an access, not a refill.
    func countStreamingWrite() { accesses &+= 1 }

    /// The same line as the previous access again: a hit (its dirty bit set by a store), counted.
    @inline(__always)
    func repeatHit(write: Bool) {
        accesses &+= 1
        if write { dirty[lastWay] = true }
    }

    /// Drops the line of `pa` (another core wrote it).
    func invalidate(_ pa: UInt64) {
        let line = pa &>> lineShift
        let base = Int(truncatingIfNeeded: line & setMask) * ways
        for w in base..<(base + ways) where tags[w] == line &+ 1 { tags[w] = 0; dirty[w] = false }
    }

    /// Brings the line of `pa` in without counting an access (a prefetch); true if it was absent.
    func fill(_ pa: UInt64) -> Bool {
        guard !contains(pa) else { return false }
        let (a, m, w) = (accesses, misses, writebacks)
        _ = access(pa, write: false)
        (accesses, misses, writebacks) = (a, m, w)
        return true
    }

    func invalidateAll() {
        tags.update(repeating: 0, count: sets * ways)
        dirty.update(repeating: false, count: sets * ways)
    }

    func contains(_ pa: UInt64) -> Bool {
        let line = pa &>> lineShift
        let base = Int(truncatingIfNeeded: line & setMask) * ways
        for w in base..<(base + ways) where tags[w] == line &+ 1 { return true }
        return false
    }
}
