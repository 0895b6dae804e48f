/// A Cortex-A53 micro-TLB: 10 pages, fully associative, LRU. A direct-mapped hint (page's low
/// bits → entry) finds a resident page without comparing all ten; it is only trusted after
/// checking the entry still holds the page, so replacement and invalidation need not update it.
final class MicroTLB {
    static let entries = 10
    private static let hintSlots = 64
    private let pages: UnsafeMutablePointer<UInt64>
    private let stamps: UnsafeMutablePointer<UInt64>
    private let hint: UnsafeMutablePointer<UInt8>
    private var clock: UInt64 = 0

    init() {
        pages = .allocate(capacity: Self.entries); pages.initialize(repeating: .max, count: Self.entries)
        stamps = .allocate(capacity: Self.entries); stamps.initialize(repeating: 0, count: Self.entries)
        hint = .allocate(capacity: Self.hintSlots); hint.initialize(repeating: 0, count: Self.hintSlots)
    }

    deinit { pages.deallocate(); stamps.deallocate(); hint.deallocate() }

    /// Looks `page` up; a miss replaces the least recently used entry. True on a hit.
    @inline(__always)
    func lookup(_ page: UInt64) -> Bool {
        clock &+= 1
        let h = Int(truncatingIfNeeded: page) & (Self.hintSlots - 1)
        let guess = Int(hint[h])
        if pages[guess] == page { stamps[guess] = clock; return true }
        return search(page, h)
    }

    /// The hint missed: every entry compared (no early exit: where the hit lies is unpredictable).
    private func search(_ page: UInt64, _ h: Int) -> Bool {
        var hits = 0
        var i = 0
        while i < Self.entries {
            hits |= (pages[i] == page ? 1 : 0) &<< i
            i &+= 1
        }
        if hits != 0 {
            stamps[hits.trailingZeroBitCount] = clock
            hint[h] = UInt8(hits.trailingZeroBitCount)
            return true
        }
        var lru = 0
        i = 1
        while i < Self.entries {
            if stamps[i] < stamps[lru] { lru = i }
            i &+= 1
        }
        pages[lru] = page
        stamps[lru] = clock
        hint[h] = UInt8(lru)
        return false
    }

    /// TLBI: drops `page`, or every page.
    func invalidate(page: UInt64?) {
        guard let page else { pages.update(repeating: .max, count: Self.entries); return }
        for i in 0..<Self.entries where pages[i] == page { pages[i] = .max }
    }
}
