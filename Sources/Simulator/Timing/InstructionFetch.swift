/// `--timing a53`'s instruction side: where a block starts (a branch target, an exception vector,
/// the instruction after a cold one) the fetch unit looks the line up in the L1I and the page in
/// the instruction micro-TLB. A hit costs nothing beyond the static schedule's branch figures; a
/// miss stalls for the L2 or DRAM, and brings the next sequential line in too (the fetch unit's
/// next-line prefetch: its L2 traffic counts, its time does not). Straight-line code is not
/// looked up line by line: the prefetch is assumed to keep ahead of it.
extension A53Timing {
    @inline(__always)
    func fetch(va: UInt64, pa: UInt64, stages: Int) -> UInt64 {
        let line = pa >> 6
        if line == lastFetchLine { return 0 }
        lastFetchLine = line
        var cycles: UInt64 = 0
        if va >> 12 != lastFetchPage {
            lastFetchPage = va >> 12
            if stages != 0, !microI.lookup(va >> 12) {
                microIMisses &+= 1
                cycles = mainTLB(va, stages: stages)
            }
        }
        if !l1i.access(pa, write: false) {
            fetchMisses &+= 1
            cycles &+= UInt64(system.l2HitCycles) &+ (l2Lookup(pa, evictedFrom: l1i) ? 0 : dramCycles)
            let next = (pa | 63) &+ 1
            if next & 0xFFF != 0, l1i.fill(next) { _ = l2Lookup(next, evictedFrom: l1i) }
        }
        fetchStallCycles &+= cycles
        return cycles
    }
}

extension Core {
    /// The fetch cycles of a block starting at `va` (the exec TLB holds its page), called when
    /// `va` is not in the line of the previous lookup (`a53FetchLine`).
    @inline(never)
    func a53Fetch(_ va: UInt64) -> UInt64 {
        guard let m = a53Ref else { return 0 }
        return m._withUnsafeGuaranteedRef { a53Fetch($0, va) }
    }

    /// The same, for callers that hold the model (branches: one call instead of three).
    @inline(__always)
    func a53Fetch(_ m: A53Timing, _ va: UInt64) -> UInt64 {
        a53FetchLine = va &>> 6
        let te = tlbCurrent + Int(truncatingIfNeeded: (va &>> 12) & UInt64(SoftTLB.entries - 1))
        guard te.pointee.execTag == va & ~0xFFF else { return 0 }
        return m.fetch(va: va, pa: te.pointee.physPage | (va & 0xFFF), stages: Int(te.pointee.stages))
    }
}
