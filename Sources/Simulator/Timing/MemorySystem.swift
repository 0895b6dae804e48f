/// A board's memory system for `--timing a53` (board data): the Cortex-A53's L1s per core, the
/// shared L2, and DRAM. Defaults: the A53 as QEMU's cortex-a53 describes it (32 KiB L1s, 1 MiB L2).
public struct MemorySystem {
    public var l1iBytes = 32 << 10, l1iWays = 2
    public var l1dBytes = 32 << 10, l1dWays = 4
    public var l2Bytes = 1 << 20, l2Ways = 16
    /// Extra load-to-use cycles of an L1 miss that hits in L2 (≈15-16 in all, 3 of them the L1's).
    public var l2HitCycles = 12
    /// A random read that misses the L2, on top of it.
    public var dramNanoseconds = 100
    /// Sustained DRAM bandwidth (bytes per second) of a prefetched read stream, and of the line
    /// writes a store stream causes (fitted to the Pi 3's LPDDR2: memcpy ≈1.1 GB/s, memset ≈1.5 GB/s).
    public var readStreamBytesPerSecond: UInt64 = 4_000_000_000
    public var writeStreamBytesPerSecond: UInt64 = 1_800_000_000

    public init(l2Bytes: Int = 1 << 20, dramNanoseconds: Int = 100) {
        self.l2Bytes = l2Bytes
        self.dramNanoseconds = dramNanoseconds
    }
}

/// How simulated time advances: `simple` charges each instruction class a fixed cost (the
/// functional mode, fastest); `a53` models the Cortex-A53's dual issue, latencies, caches and TLBs.
public enum TimingMode: String, CaseIterable, Sendable {
    case simple, a53
}
