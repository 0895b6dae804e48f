/// 4 KiB pages for translation tables and guest device trees, from the
/// linker-reserved pool. Pages are zeroed; freed pages are reused first.
struct PageAllocator {
    private var next: UInt64 = 0
    private var end: UInt64 = 0
    private var freeList: [UInt64] = []

    mutating func setUp(_ region: Range<UInt64>) {
        next = region.lowerBound
        end = region.upperBound
    }

    mutating func allocate(count: Int = 1) -> UInt64? {
        if count == 1, let page = freeList.popLast() {
            zero(page, bytes: Granule.page)
            return page
        }
        let bytes = UInt64(count) * Granule.page
        guard next + bytes <= end else { return nil }
        let page = next
        next += bytes
        zero(page, bytes: bytes)
        return page
    }

    mutating func free(_ page: UInt64) { freeList.append(page) }

    private func zero(_ address: UInt64, bytes: UInt64) {
        var a = address
        while a < address + bytes { Arch.memoryWrite64(a, 0); a += 8 }
    }
}
