/// The two entries of a cache or micro-TLB used last (key and slot): most accesses hit one of
/// them (a stack line and a data line, a code page and a data page), and then need no search.
/// A remembered slot is only trusted after checking that it still holds the key, so
/// replacement and invalidation need not tell this memo anything.
struct RecentEntries {
    private var key0: UInt64 = .max, slot0 = 0, key1: UInt64 = .max, slot1 = 0

    /// The slot remembered for `key`, if `holds(slot)` confirms it; the more recent first.
    @inline(__always)
    mutating func find(_ key: UInt64, _ holds: (Int) -> Bool) -> Int? {
        if key == key0 && holds(slot0) { return slot0 }
        if key == key1 && holds(slot1) {
            swap(&key0, &key1)
            swap(&slot0, &slot1)
            return slot0
        }
        return nil
    }

    /// `key` was just found (or placed) in `slot`.
    @inline(__always)
    mutating func note(_ key: UInt64, _ slot: Int) {
        key1 = key0; slot1 = slot0
        key0 = key; slot0 = slot
    }
}
