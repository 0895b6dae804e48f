/// Write access to the Cortex-A53's IMPLEMENTATION DEFINED control registers from lower ELs
/// (TRM 4.3.2 ACTLR_EL2, 4.3.3 ACTLR_EL3): each has an enable bit in both; clear, a write from
/// Non-secure EL1 traps to EL2 (ACTLR_EL2) and from EL1 or EL2 to EL3 (ACTLR_EL3). Reads are
/// never trapped. Both reset to 0, so only firmware that opens them lets a kernel write them.
extension Core {
    /// The enable bit in ACTLR_EL2/EL3 for a register encoding, or nil when none gates it.
    static func actlrEnableBit(_ e: UInt16) -> UInt64? {
        switch e {
        case enc(3, 1, 15, 2, 0): return 1 << 0   // CPUACTLR_EL1
        case enc(3, 1, 15, 2, 1): return 1 << 1   // CPUECTLR_EL1
        case enc(3, 1, 11, 0, 2): return 1 << 4   // L2CTLR_EL1
        case enc(3, 1, 11, 0, 3): return 1 << 5   // L2ECTLR_EL1
        case enc(3, 1, 15, 0, 0): return 1 << 6   // L2ACTLR_EL1
        default: return nil
        }
    }

    /// The EL a write to `e` traps to, or nil when the write is allowed.
    func impdefWriteTrap(_ e: UInt16) -> Int? {
        let el = state.pointee.el
        guard el < 3, let bit = Core.actlrEnableBit(e) else { return nil }
        if el == 1 && belowEnabledEL2 && self[.actlrEL2] & bit == 0 { return 2 }
        if self[.actlrEL3] & bit == 0 { return 3 }
        return nil
    }
}
