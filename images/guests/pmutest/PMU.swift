// PMU field values (Arm ARM D7, PMCR_EL0, PMEVTYPER<n>_EL0, MDCR_EL2) and the measuring helpers
// the checks share.

enum PMU {
    /// Event counters the simulated Cortex-A53 has (PMCR_EL0.N).
    static let counters = 6
    /// Every event counter, and the cycle counter (C, bit 31) in PMCNTEN/PMINTEN/PMOVS.
    static let all: UInt64 = 0x3f, cycle: UInt64 = 1 << 31

    /// PMCR_EL0: E, P (reset event counters), C (reset the cycle counter); N in [15:11].
    static let e: UInt64 = 1, p: UInt64 = 2, c: UInt64 = 4
    static func n(_ pmcr: UInt64) -> UInt64 { (pmcr >> 11) & 0x1f }

    /// PMEVTYPER<n>_EL0 / PMCCFILTR_EL0 filters: P (no EL1), U (no EL0), NSH (EL2 too).
    static let noEL1: UInt64 = 1 << 31, noEL0: UInt64 = 1 << 30, el2: UInt64 = 1 << 27

    /// MDCR_EL2: HPMN [4:0], HPME [7].
    static let hpme: UInt64 = 1 << 7

    /// Common event numbers (Arm ARM D7.10).
    static let swIncr: UInt64 = 0x00, l1dCache: UInt64 = 0x04, ldRetired: UInt64 = 0x06
    static let stRetired: UInt64 = 0x07, instRetired: UInt64 = 0x08, excTaken: UInt64 = 0x09
    static let excReturn: UInt64 = 0x0a, cpuCycles: UInt64 = 0x11, chain: UInt64 = 0x1e
}

/// Stop and clear everything: counters disabled and zeroed, no overflow flags or interrupt
/// enables, the cycle counter counting at EL2 too. PMCR_EL0.E stays on.
func pmuReset() {
    writePMCNTENCLR(PMU.all | PMU.cycle)
    writePMINTENCLR(PMU.all | PMU.cycle)
    writePMOVSCLR(PMU.all | PMU.cycle)
    writePMCR(PMU.e | PMU.p | PMU.c)
    writePMCCFILTR(PMU.el2)
    for n in 0..<UInt64(PMU.counters) { writePMEVTYPER(n, PMU.el2 | PMU.instRetired) }
}

/// Counter `n` counts `event` with `filter`, from zero.
func program(_ n: UInt64, _ event: UInt64, filter: UInt64 = PMU.el2) {
    writePMEVTYPER(n, filter | event)
    writePMEVCNTR(n, 0)
}

/// What counter `n` counts while `fn(arg)` (an assembly function) runs, plus measure's overhead.
func measured(_ n: UInt64, _ fn: UInt64, _ arg: UInt64 = 0) -> UInt64 {
    writePMEVCNTR(n, 0)
    measure(1 << n, fn, arg)
    return readPMEVCNTR(n)
}

/// The six event counters' values.
struct Counts {
    var c0: UInt64 = 0, c1: UInt64 = 0, c2: UInt64 = 0, c3: UInt64 = 0, c4: UInt64 = 0, c5: UInt64 = 0

    static func read() -> Counts {
        Counts(c0: readPMEVCNTR(0), c1: readPMEVCNTR(1), c2: readPMEVCNTR(2),
               c3: readPMEVCNTR(3), c4: readPMEVCNTR(4), c5: readPMEVCNTR(5))
    }

    /// Each counter's increase from `base` (32-bit counters).
    func minus(_ base: Counts) -> Counts {
        Counts(c0: (c0 &- base.c0) & 0xffff_ffff, c1: (c1 &- base.c1) & 0xffff_ffff, c2: (c2 &- base.c2) & 0xffff_ffff,
               c3: (c3 &- base.c3) & 0xffff_ffff, c4: (c4 &- base.c4) & 0xffff_ffff, c5: (c5 &- base.c5) & 0xffff_ffff)
    }
}

/// Whether the model's memory events are there (--timing a53): PMCEID0_EL0 bit 4, L1D_CACHE.
var hasCacheEvents: Bool { readPMCEID0() & (1 << PMU.l1dCache) != 0 }
