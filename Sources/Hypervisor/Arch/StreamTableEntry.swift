/// The Stream Table Entries the hypervisor writes into an SMMUv3 (Arm IHI 0070 5.2), as
/// doublewords 0-3 (4-7 stay zero): a DMA master passed to a VM translates with that VM's own
/// stage-2 tables and VMID, so it reaches exactly the memory the VM's CPUs reach. An SMMU
/// with stage 1 only (QEMU 7.2's) gets the stage-1 form: a context descriptor per VM whose
/// tables map the VM's memory at IOVA = IPA.
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

    /// A stage-1 STE (Config = 0b101, stage 2 bypassed) with one context descriptor (S1Fmt 0,
    /// S1CDMax 0) at `cd`: dword 0 V, Config, S1ContextPtr 51:6; dword 1 S1CIR/S1COR write-back
    /// (3:2, 5:4), S1CSH inner shareable (7:6), SHCFG "use incoming" (45:44); no stalls (S1STALLD 0).
    static func stage1(contextDescriptor cd: UInt64) -> [UInt64] {
        [1 | 0b101 << 1 | cd & 0x000F_FFFF_FFFF_FFC0, 1 << 2 | 1 << 4 | 3 << 6 | 1 << 44, 0, 0]
    }

    /// A context descriptor (IHI 0070 5.4), dwords 0-3 of 8: dword 0 T0SZ 5:0 (the 39-bit space
    /// of `Stage2Table`), TG0 4 KiB, IRGN0/ORGN0 write-back (9:8, 11:10), SH0 inner (13:12), EPD1 30
    /// (no TTB1 walks), V 31, IPS 34:32 (the PA size, at most the SMMU's output size), AA64 41, R 45 (record faults),
    /// A 46 (abort faulting transactions), ASID 63:48; dword 1 TTB0; dword 3 MAIR0 with slot 0
    /// Normal write-back, slot 1 Device-nGnRE (the EL2 map's `MAIR.value`).
    static func contextDescriptor(asid: UInt16, tableRoot: UInt64, ips: UInt64) -> [UInt64] {
        let d0 = TranslationControl.t0sz | 1 << 8 | 1 << 10 | 3 << 12 | 1 << 30 | 1 << 31 | ips << 32
            | 1 << 41 | 1 << 45 | 1 << 46 | UInt64(asid) << 48
        return [d0, tableRoot & 0x000F_FFFF_FFFF_FFF0, 0, MAIR.value]
    }

    /// Level-1 descriptor of a 2-level stream table: L2Ptr 51:6, Span 4:0 (2^(Span-1) STEs).
    static func level1(table: UInt64, span: UInt64) -> UInt64 { table & 0x000F_FFFF_FFFF_FFC0 | span }

    // MARK: Commands (IHI 0070 4.3): 16 bytes, opcode 7:0, StreamID or VMID from bit 32.

    static func cfgiSTE(_ sid: UInt32) -> (UInt64, UInt64) { (0x03 | UInt64(sid) << 32, 1) }   // Leaf
    static let cfgiAll: (UInt64, UInt64) = (0x04, 31)                                        // CFGI_STE_RANGE, Range 31
    static func tlbiVMAll(_ vmid: UInt16) -> (UInt64, UInt64) { (0x28 | UInt64(vmid) << 32, 0) }
    static func cfgiCDAll(_ sid: UInt32) -> (UInt64, UInt64) { (0x06 | UInt64(sid) << 32, 0) }
    static func tlbiASID(_ asid: UInt16) -> (UInt64, UInt64) { (0x11 | UInt64(asid) << 48, 0) }  // TLBI_NH_ASID
    static let tlbiNSNHAll: (UInt64, UInt64) = (0x30, 0)
    static let sync: (UInt64, UInt64) = (0x46, 0)                                             // CS = none: polled
}
