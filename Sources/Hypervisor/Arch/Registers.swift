/// HCR_EL2, Hypervisor Configuration Register (Arm ARM D13.2, "HCR_EL2").
struct HCR: OptionSet {
    let rawValue: UInt64
    static let vm   = HCR(rawValue: 1 << 0)   // stage-2 translation
    static let swio = HCR(rawValue: 1 << 1)   // set/way invalidation override
    static let fmo  = HCR(rawValue: 1 << 3)   // physical FIQ to EL2, virtual FIQ enabled
    static let imo  = HCR(rawValue: 1 << 4)   // physical IRQ to EL2, virtual IRQ enabled
    static let amo  = HCR(rawValue: 1 << 5)   // SError to EL2, virtual SError enabled
    static let vf   = HCR(rawValue: 1 << 6)   // virtual FIQ pending (no GIC: software vIRQs)
    static let vi   = HCR(rawValue: 1 << 7)   // virtual IRQ pending
    static let vse  = HCR(rawValue: 1 << 8)   // virtual SError pending
    static let fb   = HCR(rawValue: 1 << 9)   // force broadcast of TLB/cache maintenance
    static let bsuInner = HCR(rawValue: 1 << 10)  // barrier shareability upgrade: inner shareable
    static let twi  = HCR(rawValue: 1 << 13)  // trap WFI
    static let twe  = HCR(rawValue: 1 << 14)  // trap WFE
    static let tsc  = HCR(rawValue: 1 << 19)  // trap SMC
    static let rw   = HCR(rawValue: 1 << 31)  // EL1 is AArch64

    /// What every guest runs with; `native_wfi` drops TWI/TWE. WFE is trapped
    /// only where it can hand the pCPU to another vCPU (`shared`): a guest
    /// spinning on a lock held by a vCPU on another pCPU otherwise exits, and
    /// takes the hypervisor's lock, on every WFE of its wait loop.
    static func guest(nativeWFI: Bool, shared: Bool) -> HCR {
        var h: HCR = [.vm, .swio, .fmo, .imo, .amo, .fb, .bsuInner, .tsc, .rw]
        if !nativeWFI { h.formUnion(shared ? [.twi, .twe] : [.twi]) }
        return h
    }
}

/// SCTLR_EL2 for the non-VHE EL2 regime (Arm ARM D13.2, "SCTLR_EL2").
enum SCTLREL2 {
    static let res1: UInt64 = 0x30C5_0830
    static let m: UInt64 = 1 << 0, a: UInt64 = 1 << 1, c: UInt64 = 1 << 2
    static let sa: UInt64 = 1 << 3, i: UInt64 = 1 << 12, wxn: UInt64 = 1 << 19
}

/// SCTLR_EL1 as a guest sees it after reset: MMU and caches off, RES1 bits set.
let sctlrEL1Reset: UInt64 = 0x30D0_0800

/// CPTR_EL2 (Arm ARM D13.2, "CPTR_EL2", non-VHE layout).
enum CPTR {
    static let res1: UInt64 = 0x33FF
    static let tfp: UInt64 = 1 << 10          // trap FP/SIMD at EL0-2
}

/// MDCR_EL2 (Arm ARM D13.3): HPMN (counters EL1 may use), and the traps of EL0/EL1 accesses to
/// the PMU (TPMCR, TPM) and to the debug registers (TDA; TDOSA for the OS lock; TDRA for MDRAR).
enum MDCR {
    static let hpmnMask: UInt64 = 0x1F
    static let tpmcr: UInt64 = 1 << 5, tpm: UInt64 = 1 << 6
    static let tda: UInt64 = 1 << 9, tdosa: UInt64 = 1 << 10, tdra: UInt64 = 1 << 11
}

/// CNTHCTL_EL2 (non-VHE): EL1PCTEN lets EL1 read CNTPCT; EL1PCEN clear traps CNTP_* to EL2.
enum CNTHCTL {
    static let el1pcten: UInt64 = 1 << 0
    static let el1pcen: UInt64 = 1 << 1
}

/// SPSR_EL2 M[3:0] and DAIF (Arm ARM C5.2, "SPSR_EL2").
enum SPSR {
    static let el1h: UInt64 = 0b0101
    static let daifMasked: UInt64 = 0xF << 6
    static let modeMask: UInt64 = 0x1F
}

/// Architectural Generic Timer control bits (CNTx_CTL): ENABLE, IMASK, ISTATUS.
enum TimerControl {
    static let enable: UInt64 = 1, imask: UInt64 = 2, istatus: UInt64 = 4
}
