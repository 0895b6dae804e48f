/// PMUv3 layouts (Arm ARM D7, "The Performance Monitors Extension"): what a vCPU's virtual PMU
/// keeps of each register, and the registers a trapped MRS/MSR names.

/// PMCR_EL0 (Arm ARM, "PMCR_EL0"): E, P, C, D, X, DP, LC; N (event counters) in [15:11].
enum PMCR {
    static let e: UInt64 = 1 << 0
    /// Write-only actions: reset the event counters (P), the cycle counter (C).
    static let p: UInt64 = 1 << 1, c: UInt64 = 1 << 2
    /// E, D, X, DP and LC: the bits a write keeps (N, IMP and IDCODE are read-only).
    static let kept: UInt64 = 0x79
    static let nShift: UInt64 = 11
    static func n(_ pmcr: UInt64) -> Int { Int((pmcr >> nShift) & 0x1F) }
}

/// PMEVTYPER<n>_EL0 and PMCCFILTR_EL0 (Arm ARM, "PMEVTYPER<n>_EL0"): the filters by Exception
/// level and the event number (10 bits in the ARMv8.0 PMUv3 of a Cortex-A53).
enum PMEVTYPER {
    /// P: no EL1; U: no EL0; NSK/NSU invert them in Non-secure state; NSH: count EL2; M: EL3 when equal to P.
    static let p: UInt64 = 1 << 31, u: UInt64 = 1 << 30, nsk: UInt64 = 1 << 29, nsu: UInt64 = 1 << 28
    static let nsh: UInt64 = 1 << 27, m: UInt64 = 1 << 26
    static let filters: UInt64 = 0xFC00_0000
    static let event: UInt64 = 0x3FF

    /// What a Non-secure guest's filter counts at its EL1 (`el1`) or EL0.
    static func counts(_ type: UInt64, el1: Bool) -> Bool {
        el1 ? (type & p != 0) == (type & nsk != 0) : (type & u != 0) == (type & nsu != 0)
    }

    /// The filter the hardware runs a guest's with: its EL1/EL0 choice (P, U, NSK, NSU) as written,
    /// never EL2 (NSH = 0) and never EL3 (M != P), so only the guest's own execution counts.
    static func hardware(_ type: UInt64) -> UInt64 {
        let guest = type & ~(nsh | m)
        return guest & p == 0 ? guest | m : guest
    }
}

/// PMUSERENR_EL0 (Arm ARM, "PMUSERENR_EL0"): which PMU accesses EL0 may make.
enum PMUSERENR {
    /// EN: all; SW: PMSWINC; CR: PMCCNTR reads; ER: event counter reads and PMSELR.
    static let en: UInt64 = 1 << 0, sw: UInt64 = 1 << 1, cr: UInt64 = 1 << 2, er: UInt64 = 1 << 3
    static let all: UInt64 = 0xF
}

/// Common event numbers (Arm ARM D7.10) the hypervisor acts on itself.
enum PMUEvent {
    static let softwareIncrement: UInt64 = 0x00, instructionRetired: UInt64 = 0x08, chain: UInt64 = 0x1E
}

/// PMCNTEN/PMINTEN/PMOVS bit of the cycle counter (event counter n is bit n).
let pmuCycleBit: UInt64 = 1 << 31

/// A PMU register an MRS/MSR named, decoded from its encoding (ESR_EL2 ISS of EC 0x18).
enum PMURegister: Equatable {
    case control, countEnableSet, countEnableClear, overflowClear, overflowSet, softwareIncrement
    case select, eventsImplemented0, eventsImplemented1, cycleCounter, selectedType, selectedCounter
    case userEnable, interruptEnableSet, interruptEnableClear
    /// PMEVCNTR<n>_EL0; PMEVTYPER<n>_EL0, where n = 31 is PMCCFILTR_EL0.
    case eventCounter(Int), eventType(Int)

    /// The counter an indexed register names.
    var counterIndex: Int? {
        switch self {
        case .eventCounter(let n), .eventType(let n): return n
        default: return nil
        }
    }

    init?(_ r: SysRegEncoding) {
        guard r.op0 == 3 else { return nil }
        switch (r.op1, r.crn, r.crm, r.op2) {
        case (3, 9, 12, 0): self = .control
        case (3, 9, 12, 1): self = .countEnableSet
        case (3, 9, 12, 2): self = .countEnableClear
        case (3, 9, 12, 3): self = .overflowClear
        case (3, 9, 12, 4): self = .softwareIncrement
        case (3, 9, 12, 5): self = .select
        case (3, 9, 12, 6): self = .eventsImplemented0
        case (3, 9, 12, 7): self = .eventsImplemented1
        case (3, 9, 13, 0): self = .cycleCounter
        case (3, 9, 13, 1): self = .selectedType
        case (3, 9, 13, 2): self = .selectedCounter
        case (3, 9, 14, 0): self = .userEnable
        case (3, 9, 14, 3): self = .overflowSet
        case (0, 9, 14, 1): self = .interruptEnableSet
        case (0, 9, 14, 2): self = .interruptEnableClear
        case (3, 14, 8...11, _): self = .eventCounter(Int((r.crm & 3) << 3 | r.op2))
        case (3, 14, 12...15, _): self = .eventType(Int((r.crm & 3) << 3 | r.op2))
        default: return nil
        }
    }

    /// Whether EL0 may make this access under PMUSERENR_EL0 `enable` (Arm ARM, the registers'
    /// EL0 accessibility): nil when EL0 never may (the hardware makes it UNDEFINED before EL2 sees it).
    func el0Allowed(read: Bool, enable: UInt64) -> Bool? {
        let en = enable & PMUSERENR.en != 0
        switch self {
        case .userEnable: return read ? true : nil
        case .interruptEnableSet, .interruptEnableClear: return nil
        case .softwareIncrement: return en || enable & PMUSERENR.sw != 0
        case .select: return en || enable & PMUSERENR.er != 0
        case .cycleCounter: return en || (read && enable & PMUSERENR.cr != 0)
        case .selectedCounter, .eventCounter: return en || (read && enable & PMUSERENR.er != 0)
        default: return en
        }
    }
}
