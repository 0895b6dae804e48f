/// ICH_LR<n>_EL2, a GICv3 List Register (GIC Architecture Specification,
/// "ICH_LR<n>_EL2"): one virtual interrupt presented to the running vCPU.
struct ListRegister: Equatable {
    var rawValue: UInt64

    enum State: UInt64 { case invalid = 0, pending = 1, active = 2, pendingActive = 3 }

    init(rawValue: UInt64) { self.rawValue = rawValue }

    /// A Group 1 virtual interrupt; `physical` links it to a hardware INTID
    /// the guest's deactivation also deactivates (HW = 1).
    init(virtualID: UInt32, priority: UInt8, physical: UInt32? = nil) {
        var v = UInt64(virtualID) | (UInt64(priority) << 48) | (1 << 60) | (State.pending.rawValue << 62)
        if let physical { v |= (1 << 61) | (UInt64(physical & 0x3FF) << 32) }
        rawValue = v
    }

    /// vINTID, ICH_LR[31:0].
    var virtualID: UInt32 { UInt32(truncatingIfNeeded: rawValue) }
    /// State, ICH_LR[63:62].
    var state: State {
        get { State(rawValue: rawValue >> 62)! }
        set { rawValue = (rawValue & ~(3 << 62)) | (newValue.rawValue << 62) }
    }
    /// HW, ICH_LR[61].
    var hw: Bool { rawValue & (1 << 61) != 0 }
    /// pINTID, ICH_LR[41:32]: the physical interrupt a HW = 1 entry deactivates.
    var physicalID: UInt32 { UInt32((rawValue >> 32) & 0x3FF) }
    /// EOI, ICH_LR[41] of a HW = 0 entry: the guest's deactivation raises an EOI maintenance
    /// interrupt (ICH_EISR_EL2 names the entry until it is rewritten).
    var eoiMaintenance: Bool {
        get { !hw && rawValue & (1 << 41) != 0 }
        set { rawValue = newValue ? rawValue | (1 << 41) : rawValue & ~(1 << 41) }
    }
}

/// ICH_HCR_EL2 fields (GIC Architecture Specification, "ICH_HCR_EL2").
enum ICHHCR {
    static let en: UInt64 = 1 << 0
    /// Underflow Interrupt Enable: maintenance interrupt when at most one LR is valid.
    static let uie: UInt64 = 1 << 1
    /// No Pending Interrupt Enable: maintenance interrupt when no LR is pending.
    static let npie: UInt64 = 1 << 3
}

/// ICH_VMCR_EL2.VENG1, the guest's virtual Group 1 enable, and VPMR (priority mask).
enum ICHVMCR {
    static let veng1: UInt64 = 1 << 1
}
