/// The Stream Table Entries the hypervisor writes into an SMMUv3 (Arm IHI 0070 5.2), as
/// doublewords 0-3 (4-7 stay zero): a DMA master passed to a VM translates with that VM's own
/// stage-2 tables and VMID, so it reaches exactly the memory the VM's CPUs reach.
enum StreamTableEntryBuilder {
    /// V = 1, Config = 0b000: every transaction aborts (no event).
    static let abort: [UInt64] = [1, 0, 0, 0]

    /// A stage-2 STE (Config = 0b110, stage 1 bypassed): dword 0 V and Config; dword 1 SHCFG =
    /// "use incoming"; dword 2 S2VMID 15:0, the VTCR_EL2-format fields T0SZ/SL0/IRGN0/ORGN0/SH0/
    /// TG0/PS at 50:32 (PS capped at the SMMU's output size), S2AA64 51, S2PTW 54, S2R 58 (record
    /// faults); dword 3 S2TTB, the VTTBR's table address.
    static func stage2(vmid: UInt16, vtcr: UInt64, tableRoot: UInt64, smmuOAS: UInt64) -> [UInt64] {
        let ps = min((vtcr >> 16) & 7, smmuOAS)
        let fields = (vtcr & 0xFFFF) | ps << 16
        let d2 = UInt64(vmid) | fields << 32 | 1 << 51 | 1 << 54 | 1 << 58
        return [1 | 0b110 << 1, 1 << 44, d2, tableRoot & 0x000F_FFFF_FFFF_FFF0]
    }

    /// Level-1 descriptor of a 2-level stream table: L2Ptr 51:6, Span 4:0 (2^(Span-1) STEs).
    static func level1(table: UInt64, span: UInt64) -> UInt64 { table & 0x000F_FFFF_FFFF_FFC0 | span }

    // MARK: Commands (IHI 0070 4.3): 16 bytes, opcode 7:0, StreamID or VMID from bit 32.

    static func cfgiSTE(_ sid: UInt32) -> (UInt64, UInt64) { (0x03 | UInt64(sid) << 32, 1) }   // Leaf
    static let cfgiAll: (UInt64, UInt64) = (0x04, 31)                                        // CFGI_STE_RANGE, Range 31
    static func tlbiVMAll(_ vmid: UInt16) -> (UInt64, UInt64) { (0x28 | UInt64(vmid) << 32, 0) }
    static let tlbiNSNHAll: (UInt64, UInt64) = (0x30, 0)
    static let sync: (UInt64, UInt64) = (0x46, 0)                                             // CS = none: polled
}
