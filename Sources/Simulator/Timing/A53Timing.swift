/// The dynamic half of `--timing a53` for one core: its L1D and data TLBs, with the L2 the cluster
/// shares, charging a data access what its misses cost on top of the static schedule's L1-hit
/// figure (A53Schedule). Loads wait for their line; stores retire into the store buffer, so only
/// the DRAM bandwidth a store miss uses is charged. Sequential misses (a stream) are prefetched:
/// they cost the line's transfer, not the DRAM latency. Page-table walks after a main-TLB miss read
/// their level-2 and level-3 descriptors through the caches.
final class A53Timing {
    let l1d: CacheModel
    /// The instruction side: 32 KiB 2-way L1I and an instruction micro-TLB, the main TLB
    /// shared with data (InstructionFetch.swift).
    let l1i: CacheModel
    let microI = MicroTLB()
    /// The line and page of the previous fetch lookup.
    var lastFetchLine: UInt64 = .max, lastFetchPage: UInt64 = .max
    var fetchMisses: UInt64 = 0, fetchStallCycles: UInt64 = 0, microIMisses: UInt64 = 0
    /// Shared by the cores of the machine.
    let l2: CacheModel
    let system: MemorySystem
    /// DRAM latency, and one line's transfer in a read or a write stream, in core cycles.
    let dramCycles: UInt64, lineReadCycles: UInt64, lineWriteCycles: UInt64

    /// Micro-TLB (MicroTLB); main TLB: 512 entries, 4-way.
    private let micro = MicroTLB()
    /// The page and line of the previous access: most accesses repeat them, and both are then
    /// hits whose LRU state is already current.
    private var lastPage: UInt64 = .max, lastLine: UInt64 = .max
    let main: CacheModel
    /// The stream prefetcher: the last line of up to four streams (memcpy reads one and writes
    /// another); a miss on the line after one of them continues that stream.
    private var streams: (UInt64, UInt64, UInt64, UInt64) = (.max, .max, .max, .max)
    private var nextStream = 0

    let predictor = BranchPredictor()
    /// This core's share of the L2's traffic (the PMU's L2D_CACHE and L2D_CACHE_REFILL).
    var l2Accesses: UInt64 = 0, l2Refills: UInt64 = 0, l2Writebacks: UInt64 = 0
    var loads: UInt64 = 0, stores: UInt64 = 0
    /// The L1D's streaming-write detection: the last line a store missed on, and how many
    /// consecutive lines the run has; lines written in read-allocate mode.
    static let streamingAfter = 3
    var lastWriteMiss: UInt64 = .max, writeRun = 0, streamedLines: UInt64 = 0
    var microMisses: UInt64 = 0, mainMisses: UInt64 = 0, walkCycles: UInt64 = 0, prefetched: UInt64 = 0, stallCycles: UInt64 = 0

    /// Other cores' L1Ds see this one's stores (coherence).
    let multicore: Bool

    init(system: MemorySystem, l2: CacheModel, cpuHz: UInt64, multicore: Bool) {
        self.multicore = multicore
        self.system = system
        self.l2 = l2
        l1d = CacheModel(bytes: system.l1dBytes, ways: system.l1dWays)
        l1i = CacheModel(bytes: system.l1iBytes, ways: system.l1iWays)
        // The main TLB as a cache of 4 KiB "lines": 512 entries, 4-way.
        main = CacheModel(bytes: 512 << 12, ways: 4, lineBytes: 4096)
        dramCycles = UInt64(system.dramNanoseconds) * cpuHz / 1_000_000_000
        lineReadCycles = max(1, 64 * cpuHz / system.readStreamBytesPerSecond)
        lineWriteCycles = max(1, 64 * cpuHz / system.writeStreamBytesPerSecond)
    }

    /// The cycles an access to `pa` (virtual page of `va`) adds.
    @inline(__always)
    func dataAccess(va: UInt64, pa: UInt64, size: Int, write: Bool, stages: Int) -> UInt64 {
        if write { stores &+= 1 } else { loads &+= 1 }
        let crossing = (pa & 63) &+ UInt64(size) > 64
        // The previous access's page is the micro-TLB's most recent entry: a hit, LRU current.
        // With the MMU off there is no TLB lookup and no walk.
        var cycles: UInt64 = 0
        if va >> 12 != lastPage {
            lastPage = va >> 12
            if stages != 0 { cycles = translation(va, stages: stages) }
        }
        if pa >> 6 == lastLine && !crossing {
            l1d.repeatHit(write: write)
            stallCycles &+= cycles
            return cycles
        }
        // A run of stores that miss on consecutive lines (memset, a copy's destination) puts the
        // L1D in read-allocate mode: further lines of the run are written to the L2 without
        // allocating, so they evict nothing (Cortex-A53 TRM: streaming after 3 full lines).
        if write && writeRun >= A53Timing.streamingAfter && !crossing, pa >> 6 &- lastWriteMiss <= 1, !l1d.contains(pa) {
            let line = pa >> 6
            l1d.countStreamingWrite()
            lastLine = .max
            guard line != lastWriteMiss else { stallCycles &+= cycles; return cycles }   // merged in the store buffer
            lastWriteMiss = line
            writeRun &+= 1
            streamedLines &+= 1
            if !l2Write(pa) { cycles &+= lineWriteCycles }
            stallCycles &+= cycles
            return cycles
        }
        lastLine = pa >> 6
        // A load that crosses a line takes both, and two more cycles (measured on the A53).
        if crossing {
            if !write { cycles &+= 2 }
            _ = l1d.access(pa &+ UInt64(size) &- 1, write: write)
        }
        if !l1d.access(pa, write: write) {
            let line = pa >> 6
            if write {
                writeRun = line == lastWriteMiss &+ 1 ? writeRun &+ 1 : 1
                lastWriteMiss = line
            }
            let streaming = continuesStream(line)
            let inL2 = l2Lookup(pa, evictedFrom: l1d)
            if write {
                if streaming { prefetched &+= 1 }
                cycles &+= inL2 ? 0 : lineWriteCycles
            } else if streaming {
                prefetched &+= 1
                cycles &+= inL2 ? 0 : lineReadCycles
            } else {
                cycles &+= UInt64(system.l2HitCycles) &+ (inL2 ? 0 : dramCycles)
            }
        }
        stallCycles &+= cycles
        return cycles
    }

    private func continuesStream(_ line: UInt64) -> Bool {
        let before = line &- 1
        if streams.0 == before { streams.0 = line; return true }
        if streams.1 == before { streams.1 = line; return true }
        if streams.2 == before { streams.2 = line; return true }
        if streams.3 == before { streams.3 = line; return true }
        switch nextStream {
        case 0: streams.0 = line
        case 1: streams.1 = line
        case 2: streams.2 = line
        default: streams.3 = line
        }
        nextStream = (nextStream + 1) & 3
        return false
    }

    /// Micro-TLB hit: free; main-TLB hit: 2 cycles; miss: a walk whose level-2 and level-3
    /// descriptor reads go through the caches (modelled at addresses laid out like the tables).
    @inline(__always)
    func translation(_ va: UInt64, stages: Int) -> UInt64 {
        guard !micro.lookup(va >> 12) else { return 0 }
        microMisses &+= 1
        return mainTLB(va, stages: stages)
    }

    /// After a micro-TLB miss: the main TLB, then a walk.
    func mainTLB(_ va: UInt64, stages: Int) -> UInt64 {
        let page = va >> 12
        if main.access(va & 0x0000_FFFF_FFFF_F000, write: false) { return 2 }
        mainMisses &+= 1
        var walk = 20 &+ descriptorRead(0xFF_8000_0000 | (page & 0xF_FFFF_FFFF) << 3)
                      &+ descriptorRead(0xFF_C000_0000 | (page >> 9 & 0x3FF_FFFF) << 3)
        if stages == 2 {
            // Under a hypervisor the walk's table addresses and the page are IPAs: their stage-2
            // translations (the walk cache holds the upper levels) cost two more reads and a step.
            walk &+= 10 &+ descriptorRead(0xFE_8000_0000 | (page & 0xF_FFFF_FFFF) << 3)
                        &+ descriptorRead(0xFE_C000_0000 | (page >> 9 & 0x3FF_FFFF) << 3)
        }
        walkCycles &+= walk
        return walk
    }

    func descriptorRead(_ pa: UInt64) -> UInt64 {
        if l1d.access(pa, write: false) { return 0 }
        if l2Lookup(pa, evictedFrom: l1d) { return UInt64(system.l2HitCycles) }
        return UInt64(system.l2HitCycles) &+ dramCycles
    }

    /// A streaming store's line written into the L2 (allocating there, dirty); true on an L2 hit.
    func l2Write(_ pa: UInt64) -> Bool {
        let written = l2.writebacks
        let hit = l2.access(pa, write: true)
        l2Accesses &+= 1
        l2Writebacks &+= l2.writebacks &- written
        return hit
    }

    /// An L1 miss of `pa` (the L1D's, when `l1d` says which line it evicted dirty, or the L1I's)
    /// looks up the L2: the evicted dirty line is written back into it first (buffered: no
    /// stall), and a dirty L2 line it evicts goes to DRAM. True on an L2 hit.
    func l2Lookup(_ pa: UInt64, evictedFrom l1: CacheModel) -> Bool {
        let written = l2.writebacks
        if l1.evictedDirtyLine != .max {
            _ = l2.access(l1.evictedDirtyLine << 6, write: true)
            l2Accesses &+= 1
            l1.evictedDirtyLine = .max
        }
        let hit = l2.access(pa, write: false)
        l2Accesses &+= 1
        if !hit { l2Refills &+= 1 }
        l2Writebacks &+= l2.writebacks &- written
        return hit
    }

    /// The PMU's view: the Cortex-A53 common events this model counts (TRM chapter 12), by number.
    static let events: [UInt64] = [0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19]

    /// The running total of `event` (one of `events`).
    func eventCount(_ event: UInt64) -> UInt64 {
        switch event {
        case 0x01: return l1i.misses                        // L1I_CACHE_REFILL
        case 0x02: return microIMisses                      // L1I_TLB_REFILL
        case 0x03: return l1d.misses                        // L1D_CACHE_REFILL
        case 0x04: return l1d.accesses                      // L1D_CACHE
        case 0x05: return microMisses                       // L1D_TLB_REFILL
        case 0x06: return loads                             // LD_RETIRED
        case 0x07: return stores                            // ST_RETIRED
        case 0x10: return predictor.mispredictions          // BR_MIS_PRED
        case 0x12: return predictor.predictions             // BR_PRED
        case 0x13: return loads &+ stores                   // MEM_ACCESS
        case 0x14: return l1i.accesses                      // L1I_CACHE
        case 0x15: return l1d.writebacks                    // L1D_CACHE_WB
        case 0x16: return l2Accesses                        // L2D_CACHE
        case 0x17: return l2Refills                         // L2D_CACHE_REFILL
        case 0x18: return l2Writebacks                      // L2D_CACHE_WB
        case 0x19: return l2Refills &+ l2Writebacks         // BUS_ACCESS: line reads and writes to DRAM
        default: return 0
        }
    }

    /// TLBI: the page (by VA) or every translation leaves the micro and main TLBs. The model
    /// tags entries by page only, so by-ASID and by-VMID forms drop everything.
    func invalidateTLB(page va: UInt64?) {
        lastPage = .max
        lastFetchPage = .max
        if let va {
            micro.invalidate(page: va >> 12)
            microI.invalidate(page: va >> 12)
            main.invalidate(va & 0x0000_FFFF_FFFF_F000)
        } else {
            micro.invalidate(page: nil)
            microI.invalidate(page: nil)
            main.invalidateAll()
        }
    }

    /// Another core wrote `pa`: its line leaves this core's L1D.
    func invalidate(_ pa: UInt64) {
        l1d.invalidate(pa)
        if pa >> 6 == lastLine { lastLine = .max }
    }
}
