import Devices

/// The MRS/MSR register table for an ARMv8.0 Cortex-A53-like core (Arm ARM chapter D13,
/// "AArch64 System Register Descriptions"). Identification values advertise exactly what
/// this simulator implements: no AArch32, no FP/SIMD yet (until M1.3), CRC32, 4K/16K/64K granules.
public enum SysRegTable {
    static let all: [SysRegDef] = identification + control + cortexA53 + exceptionState + memory + threadAndTimers + debugAndPMU + breakpoints + gicCPUInterface + gicVirtualControl
    /// Encoding -> index into `all` plus one (0: not allocated); a flat table, so an MRS/MSR costs
    /// no hashing (Linux at EL1 and a hypervisor at EL2 execute millions of them).
    static let indexByEncoding: [UInt16] = {
        var t = [UInt16](repeating: 0, count: 1 << 16)
        for (i, d) in all.enumerated() where t[Int(d.access.encoding)] == 0 { t[Int(d.access.encoding)] = UInt16(i + 1) }
        return t
    }()
    static let accesses: [SysRegAccess] = all.map { $0.access }

    /// How an encoding behaves, including the RAZ reserved ID space; nil when unallocated.
    public static func lookup(_ enc: UInt16) -> SysRegAccess? {
        let k = indexByEncoding[Int(enc)]
        return k != 0 ? accesses[Int(k) - 1] : reservedID(enc)?.access
    }

    /// Unallocated encodings of the ID register space (op0 3, op1 0, CRn 0, CRm 1-7) read as zero
    /// (Arm ARM D12.3.1 "Reserved encodings of the ID registers"), so software can probe them.
    static func reservedID(_ enc: UInt16) -> SysRegDef? {
        let e = Int(enc)
        guard e >> 14 == 3, (e >> 11) & 7 == 0, (e >> 7) & 15 == 0, (1...7).contains((e >> 3) & 15) else { return nil }
        return SysRegDef("ID (reserved)", 3, 0, 0, (e >> 3) & 15, e & 7, .constant(0), readOnly: true)
    }

    static let sctlrEL1Res1: UInt64 = 0x30D0_0800
    static let sctlrEL23Res1: UInt64 = 0x30C5_0830
    static let spsrMask: UInt64 = 0xF030_03DF
    static let any: UInt64 = ~0

    static func s(_ r: SysReg, _ writable: UInt64 = any, res1: UInt64 = 0) -> SysRegTarget { .slot(r, writable: writable, res1: res1) }

    static let identification: [SysRegDef] = [
        SysRegDef("MIDR_EL1", 3, 0, 0, 0, 0, .special(.midr), readOnly: true),
        SysRegDef("MPIDR_EL1", 3, 0, 0, 0, 5, .special(.mpidr), readOnly: true),
        SysRegDef("REVIDR_EL1", 3, 0, 0, 0, 6, .constant(0), readOnly: true),
        // AArch32 identification registers read as zero: no AArch32 support at any EL.
        SysRegDef("ID_PFR0_EL1", 3, 0, 0, 1, 0, .constant(0), readOnly: true),
        SysRegDef("ID_PFR1_EL1", 3, 0, 0, 1, 1, .constant(0), readOnly: true),
        SysRegDef("ID_DFR0_EL1", 3, 0, 0, 1, 2, .constant(0), readOnly: true),
        SysRegDef("ID_AFR0_EL1", 3, 0, 0, 1, 3, .constant(0), readOnly: true),
        SysRegDef("ID_MMFR0_EL1", 3, 0, 0, 1, 4, .constant(0), readOnly: true),
        SysRegDef("ID_MMFR1_EL1", 3, 0, 0, 1, 5, .constant(0), readOnly: true),
        SysRegDef("ID_MMFR2_EL1", 3, 0, 0, 1, 6, .constant(0), readOnly: true),
        SysRegDef("ID_MMFR3_EL1", 3, 0, 0, 1, 7, .constant(0), readOnly: true),
        SysRegDef("ID_ISAR0_EL1", 3, 0, 0, 2, 0, .constant(0), readOnly: true),
        SysRegDef("ID_ISAR1_EL1", 3, 0, 0, 2, 1, .constant(0), readOnly: true),
        SysRegDef("ID_ISAR2_EL1", 3, 0, 0, 2, 2, .constant(0), readOnly: true),
        SysRegDef("ID_ISAR3_EL1", 3, 0, 0, 2, 3, .constant(0), readOnly: true),
        SysRegDef("ID_ISAR4_EL1", 3, 0, 0, 2, 4, .constant(0), readOnly: true),
        SysRegDef("ID_ISAR5_EL1", 3, 0, 0, 2, 5, .constant(0), readOnly: true),
        SysRegDef("MVFR0_EL1", 3, 0, 0, 3, 0, .constant(0), readOnly: true),
        SysRegDef("MVFR1_EL1", 3, 0, 0, 3, 1, .constant(0), readOnly: true),
        SysRegDef("MVFR2_EL1", 3, 0, 0, 3, 2, .constant(0), readOnly: true),
        // EL0 and EL1 AArch64 and AArch32, EL2 and EL3 AArch64 (the A53 has AArch32 everywhere;
        // entering it ends a run as a limitation); FP and AdvSIMD (no FP16); GICv3 system registers.
        SysRegDef("ID_AA64PFR0_EL1", 3, 0, 0, 4, 0, .special(.idAA64PFR0), readOnly: true),
        SysRegDef("ID_AA64PFR1_EL1", 3, 0, 0, 4, 1, .constant(0), readOnly: true),
        // Cortex-A53 debug: DebugVer v8, PMUv3, 6 breakpoints, 4 watchpoints, 2 context comparators.
        SysRegDef("ID_AA64DFR0_EL1", 3, 0, 0, 5, 0, .constant(0x1030_5106), readOnly: true),
        SysRegDef("ID_AA64DFR1_EL1", 3, 0, 0, 5, 1, .constant(0), readOnly: true),
        SysRegDef("ID_AA64AFR0_EL1", 3, 0, 0, 5, 4, .constant(0), readOnly: true),
        SysRegDef("ID_AA64AFR1_EL1", 3, 0, 0, 5, 5, .constant(0), readOnly: true),
        // CRC32 only (no AES/SHA: the crypto extension is not implemented).
        SysRegDef("ID_AA64ISAR0_EL1", 3, 0, 0, 6, 0, .constant(0x0001_0000), readOnly: true),
        SysRegDef("ID_AA64ISAR1_EL1", 3, 0, 0, 6, 1, .constant(0), readOnly: true),
        // PARange 40 bits, 16-bit ASIDs, mixed-endian not supported, 4K/16K/64K granules.
        SysRegDef("ID_AA64MMFR0_EL1", 3, 0, 0, 7, 0, .constant(0x0010_1022), readOnly: true),
        SysRegDef("ID_AA64MMFR1_EL1", 3, 0, 0, 7, 1, .constant(0), readOnly: true),
        SysRegDef("ID_AA64MMFR2_EL1", 3, 0, 0, 7, 2, .constant(0), readOnly: true),
        SysRegDef("CCSIDR_EL1", 3, 1, 0, 0, 0, .special(.ccsidr), readOnly: true),
        // L1 I + D, unified L2; LoUIS 1, LoC 2, LoUU 1 (Cortex-A53 TRM).
        SysRegDef("CLIDR_EL1", 3, 1, 0, 0, 1, .constant(0x0A20_0023), readOnly: true),
        SysRegDef("AIDR_EL1", 3, 1, 0, 0, 7, .constant(0), readOnly: true),
        SysRegDef("CSSELR_EL1", 3, 2, 0, 0, 0, s(.csselrEL1, 0xF), minEL: 1),
        SysRegDef("CTR_EL0", 3, 3, 0, 0, 1, .constant(0x8444_8004), el0: .ctr, readOnly: true),
        SysRegDef("DCZID_EL0", 3, 3, 0, 0, 7, .special(.dczid), el0: .always, readOnly: true),
        SysRegDef("VPIDR_EL2", 3, 4, 0, 0, 0, s(.vpidrEL2, 0xFFFF_FFFF)),
        SysRegDef("VMPIDR_EL2", 3, 4, 0, 0, 5, s(.vmpidrEL2)),
    ]

    static let control: [SysRegDef] = [
        SysRegDef("SCTLR_EL1", 3, 0, 1, 0, 0, s(.sctlrEL1, 0x0C8C_DB3F | sctlrEL1Res1, res1: sctlrEL1Res1)),
        SysRegDef("ACTLR_EL1", 3, 0, 1, 0, 1, s(.actlrEL1)),
        SysRegDef("CPACR_EL1", 3, 0, 1, 0, 2, s(.cpacrEL1, 0x1030_0000)),
        SysRegDef("SCTLR_EL2", 3, 4, 1, 0, 0, s(.sctlrEL2, 0x0208_100F | sctlrEL23Res1, res1: sctlrEL23Res1)),
        SysRegDef("ACTLR_EL2", 3, 4, 1, 0, 1, s(.actlrEL2)),
        // SCR_EL3.RW is RES1: EL2 (and Secure EL1, which has no AArch32 payload here) is AArch64-only.
        SysRegDef("HCR_EL2", 3, 4, 1, 1, 0, s(.hcrEL2, 0x3_FFFF_FFFF)),
        SysRegDef("MDCR_EL2", 3, 4, 1, 1, 1, s(.mdcrEL2, 0xFFF)),
        SysRegDef("CPTR_EL2", 3, 4, 1, 1, 2, s(.cptrEL2, 0x8010_0400 | 0x33FF, res1: 0x33FF)),
        SysRegDef("HSTR_EL2", 3, 4, 1, 1, 3, s(.hstrEL2, 0xFFFF)),
        SysRegDef("HACR_EL2", 3, 4, 1, 1, 7, s(.hacrEL2)),
        SysRegDef("SCTLR_EL3", 3, 6, 1, 0, 0, s(.sctlrEL3, 0x0208_100F | sctlrEL23Res1, res1: sctlrEL23Res1)),
        SysRegDef("ACTLR_EL3", 3, 6, 1, 0, 1, s(.actlrEL3)),
        SysRegDef("SCR_EL3", 3, 6, 1, 1, 0, s(.scrEL3, 0x3FBF, res1: 0x430)),
        SysRegDef("SDER32_EL3", 3, 6, 1, 1, 1, s(.sder32EL3, 3)),
        SysRegDef("CPTR_EL3", 3, 6, 1, 1, 2, s(.cptrEL3, 0x8010_0400)),
        SysRegDef("MDCR_EL3", 3, 6, 1, 3, 1, s(.mdcrEL3, 0x001B_06C0)),
    ]

    /// The Cortex-A53's IMPLEMENTATION DEFINED registers (TRM 4.3.58-4.3.66). EL1 and EL2 may
    /// always read them; writes from below EL3 need the register's ACTLR_EL3 (and, from EL1,
    /// ACTLR_EL2) enable bit (`impdefWriteTrap`). RMR_EL1 does not exist: EL3 is implemented.
    static let cortexA53: [SysRegDef] = [
        SysRegDef("CPUACTLR_EL1", 3, 1, 15, 2, 0, s(.cpuactlrEL1)),
        // SMPEN (bit 6) and the retention controls; the rest is RES0.
        SysRegDef("CPUECTLR_EL1", 3, 1, 15, 2, 1, s(.cpuectlrEL1, 0x7F)),
        SysRegDef("CPUMERRSR_EL1", 3, 1, 15, 2, 2, s(.cpumerrsrEL1)),
        SysRegDef("L2MERRSR_EL1", 3, 1, 15, 2, 3, s(.l2merrsrEL1)),
        SysRegDef("L2ACTLR_EL1", 3, 1, 15, 0, 0, s(.l2actlrEL1)),
        // Number of cores (bits 25:24) is the cluster's configuration: read-only.
        SysRegDef("L2CTLR_EL1", 3, 1, 11, 0, 2, s(.l2ctlrEL1, 0xFFFF_FFFF & ~0x0300_0000)),
        SysRegDef("L2ECTLR_EL1", 3, 1, 11, 0, 3, s(.l2ectlrEL1, 0x4000_0007)),
        SysRegDef("CBAR_EL1", 3, 1, 15, 3, 0, .special(.cbar), readOnly: true),
    ]

    static let exceptionState: [SysRegDef] = [
        SysRegDef("SPSR_EL1", 3, 0, 4, 0, 0, s(.spsrEL1, spsrMask)),
        SysRegDef("ELR_EL1", 3, 0, 4, 0, 1, s(.elrEL1)),
        SysRegDef("SP_EL0", 3, 0, 4, 1, 0, .special(.spEL0)),
        SysRegDef("SPSel", 3, 0, 4, 2, 0, .special(.spsel)),
        SysRegDef("CurrentEL", 3, 0, 4, 2, 2, .special(.currentEL), readOnly: true),
        SysRegDef("NZCV", 3, 3, 4, 2, 0, .special(.nzcv), el0: .always),
        SysRegDef("DAIF", 3, 3, 4, 2, 1, .special(.daif), el0: .daif),
        SysRegDef("SPSR_EL2", 3, 4, 4, 0, 0, s(.spsrEL2, spsrMask)),
        SysRegDef("ELR_EL2", 3, 4, 4, 0, 1, s(.elrEL2)),
        SysRegDef("SP_EL1", 3, 4, 4, 1, 0, .special(.spEL1)),
        SysRegDef("SPSR_irq", 3, 4, 4, 3, 0, s(.spsrIrq, 0xFFFF_FFFF)),
        SysRegDef("SPSR_abt", 3, 4, 4, 3, 1, s(.spsrAbt, 0xFFFF_FFFF)),
        SysRegDef("SPSR_und", 3, 4, 4, 3, 2, s(.spsrUnd, 0xFFFF_FFFF)),
        SysRegDef("SPSR_fiq", 3, 4, 4, 3, 3, s(.spsrFiq, 0xFFFF_FFFF)),
        SysRegDef("SPSR_EL3", 3, 6, 4, 0, 0, s(.spsrEL3, spsrMask)),
        SysRegDef("ELR_EL3", 3, 6, 4, 0, 1, s(.elrEL3)),
        SysRegDef("SP_EL2", 3, 6, 4, 1, 0, .special(.spEL2)),
        SysRegDef("AFSR0_EL1", 3, 0, 5, 1, 0, s(.afsr0EL1)),
        SysRegDef("AFSR1_EL1", 3, 0, 5, 1, 1, s(.afsr1EL1)),
        SysRegDef("ESR_EL1", 3, 0, 5, 2, 0, s(.esrEL1, 0xFFFF_FFFF)),
        SysRegDef("FAR_EL1", 3, 0, 6, 0, 0, s(.farEL1)),
        SysRegDef("PAR_EL1", 3, 0, 7, 4, 0, s(.parEL1)),
        SysRegDef("VBAR_EL1", 3, 0, 12, 0, 0, s(.vbarEL1, ~0x7FF)),
        SysRegDef("ISR_EL1", 3, 0, 12, 1, 0, .special(.isr), readOnly: true),
        SysRegDef("DACR32_EL2", 3, 4, 3, 0, 0, s(.dacr32EL2, 0xFFFF_FFFF)),
        SysRegDef("IFSR32_EL2", 3, 4, 5, 0, 1, s(.ifsr32EL2, 0xFFFF_FFFF)),
        SysRegDef("AFSR0_EL2", 3, 4, 5, 1, 0, s(.afsr0EL2)),
        SysRegDef("AFSR1_EL2", 3, 4, 5, 1, 1, s(.afsr1EL2)),
        SysRegDef("ESR_EL2", 3, 4, 5, 2, 0, s(.esrEL2, 0xFFFF_FFFF)),
        SysRegDef("FPEXC32_EL2", 3, 4, 5, 3, 0, s(.fpexc32EL2, 0xFFFF_FFFF)),
        SysRegDef("FAR_EL2", 3, 4, 6, 0, 0, s(.farEL2)),
        SysRegDef("HPFAR_EL2", 3, 4, 6, 0, 4, s(.hpfarEL2, 0xF_FFFF_FFF0)),
        SysRegDef("VBAR_EL2", 3, 4, 12, 0, 0, s(.vbarEL2, ~0x7FF)),
        SysRegDef("RVBAR_EL2", 3, 4, 12, 0, 1, .constant(0), minEL: 2, readOnly: true),
        SysRegDef("AFSR0_EL3", 3, 6, 5, 1, 0, s(.afsr0EL3)),
        SysRegDef("AFSR1_EL3", 3, 6, 5, 1, 1, s(.afsr1EL3)),
        SysRegDef("ESR_EL3", 3, 6, 5, 2, 0, s(.esrEL3, 0xFFFF_FFFF)),
        SysRegDef("FAR_EL3", 3, 6, 6, 0, 0, s(.farEL3)),
        SysRegDef("VBAR_EL3", 3, 6, 12, 0, 0, s(.vbarEL3, ~0x7FF)),
        SysRegDef("RVBAR_EL3", 3, 6, 12, 0, 1, s(.rvbarEL3), readOnly: true),
        // RR requests a warm reset (taken at the next WFI); AA64 is RES1: there is no AArch32 to reset into.
        SysRegDef("RMR_EL3", 3, 6, 12, 0, 2, s(.rmrEL3, 3, res1: 1)),
    ]

    static let memory: [SysRegDef] = [
        SysRegDef("TTBR0_EL1", 3, 0, 2, 0, 0, s(.ttbr0EL1)),
        SysRegDef("TTBR1_EL1", 3, 0, 2, 0, 1, s(.ttbr1EL1)),
        SysRegDef("TCR_EL1", 3, 0, 2, 0, 2, s(.tcrEL1, 0x7F_FFFF_FFBF)),
        SysRegDef("MAIR_EL1", 3, 0, 10, 2, 0, s(.mairEL1)),
        SysRegDef("AMAIR_EL1", 3, 0, 10, 3, 0, s(.amairEL1)),
        SysRegDef("CONTEXTIDR_EL1", 3, 0, 13, 0, 1, s(.contextidrEL1, 0xFFFF_FFFF)),
        SysRegDef("TTBR0_EL2", 3, 4, 2, 0, 0, s(.ttbr0EL2)),
        SysRegDef("TCR_EL2", 3, 4, 2, 0, 2, s(.tcrEL2, 0x8080_0000 | 0x0017_FF3F, res1: 0x8080_0000)),
        SysRegDef("VTTBR_EL2", 3, 4, 2, 1, 0, s(.vttbrEL2)),
        SysRegDef("VTCR_EL2", 3, 4, 2, 1, 2, s(.vtcrEL2, 0x8000_0000 | 0x0007_FFFF, res1: 0x8000_0000)),
        SysRegDef("MAIR_EL2", 3, 4, 10, 2, 0, s(.mairEL2)),
        SysRegDef("AMAIR_EL2", 3, 4, 10, 3, 0, s(.amairEL2)),
        SysRegDef("TTBR0_EL3", 3, 6, 2, 0, 0, s(.ttbr0EL3)),
        SysRegDef("TCR_EL3", 3, 6, 2, 0, 2, s(.tcrEL3, 0x8080_0000 | 0x0017_FF3F, res1: 0x8080_0000)),
        SysRegDef("MAIR_EL3", 3, 6, 10, 2, 0, s(.mairEL3)),
        SysRegDef("AMAIR_EL3", 3, 6, 10, 3, 0, s(.amairEL3)),
    ]

    static let threadAndTimers: [SysRegDef] = [
        SysRegDef("TPIDR_EL0", 3, 3, 13, 0, 2, s(.tpidrEL0), el0: .always),
        SysRegDef("TPIDRRO_EL0", 3, 3, 13, 0, 3, s(.tpidrroEL0), el0: .tpidrro),
        SysRegDef("TPIDR_EL1", 3, 0, 13, 0, 4, s(.tpidrEL1)),
        SysRegDef("TPIDR_EL2", 3, 4, 13, 0, 2, s(.tpidrEL2)),
        SysRegDef("TPIDR_EL3", 3, 6, 13, 0, 2, s(.tpidrEL3)),
        // FPCR: AHP, DN, FZ, RMode, Stride, Len; the trap enables are RAZ/WI (Cortex-A53 does not trap FP exceptions).
        SysRegDef("FPCR", 3, 3, 4, 4, 0, s(.fpcr, 0x07F7_0000), el0: .fp),
        SysRegDef("FPSR", 3, 3, 4, 4, 1, s(.fpsr, 0xF800_009F), el0: .fp),
        SysRegDef("CNTFRQ_EL0", 3, 3, 14, 0, 0, s(.cntfrqEL0, 0xFFFF_FFFF), el0: .frequency),
        SysRegDef("CNTPCT_EL0", 3, 3, 14, 0, 1, .special(.cntpct), el0: .counterPhys, readOnly: true),
        SysRegDef("CNTVCT_EL0", 3, 3, 14, 0, 2, .special(.cntvct), el0: .counterVirt, readOnly: true),
        SysRegDef("CNTP_TVAL_EL0", 3, 3, 14, 2, 0, .special(.timerValue(.physical)), el0: .timerPhys),
        SysRegDef("CNTP_CTL_EL0", 3, 3, 14, 2, 1, .special(.timerControl(.physical)), el0: .timerPhys),
        SysRegDef("CNTP_CVAL_EL0", 3, 3, 14, 2, 2, .special(.timerCompare(.physical)), el0: .timerPhys),
        SysRegDef("CNTV_TVAL_EL0", 3, 3, 14, 3, 0, .special(.timerValue(.virtual)), el0: .timerVirt),
        SysRegDef("CNTV_CTL_EL0", 3, 3, 14, 3, 1, .special(.timerControl(.virtual)), el0: .timerVirt),
        SysRegDef("CNTV_CVAL_EL0", 3, 3, 14, 3, 2, .special(.timerCompare(.virtual)), el0: .timerVirt),
        SysRegDef("CNTKCTL_EL1", 3, 0, 14, 1, 0, s(.cntkctlEL1, 0x3FF)),
        SysRegDef("CNTHCTL_EL2", 3, 4, 14, 1, 0, s(.cnthctlEL2, 0xFF)),
        SysRegDef("CNTHP_TVAL_EL2", 3, 4, 14, 2, 0, .special(.timerValue(.hypervisor))),
        SysRegDef("CNTHP_CTL_EL2", 3, 4, 14, 2, 1, .special(.timerControl(.hypervisor))),
        SysRegDef("CNTHP_CVAL_EL2", 3, 4, 14, 2, 2, .special(.timerCompare(.hypervisor))),
        SysRegDef("CNTVOFF_EL2", 3, 4, 14, 0, 3, .special(.cntvoff)),
        SysRegDef("CNTPS_TVAL_EL1", 3, 7, 14, 2, 0, .special(.timerValue(.secure)), minEL: 1),
        SysRegDef("CNTPS_CTL_EL1", 3, 7, 14, 2, 1, .special(.timerControl(.secure)), minEL: 1),
        SysRegDef("CNTPS_CVAL_EL1", 3, 7, 14, 2, 2, .special(.timerCompare(.secure)), minEL: 1),
    ]

    /// DBGB{V,C}R<n>_EL1 and DBGW{V,C}R<n>_EL1 (op0 2, CRn 0, CRm n, op2 4-7); what they make
    /// fire is in SelfHostedDebug. A context-aware breakpoint's (4, 5) value holds a whole
    /// CONTEXTIDR in bits [31:0]; the others an instruction address with bits [1:0] RES0.
    static let breakpoints: [SysRegDef] = (0..<6).flatMap { n in [
        SysRegDef("DBGBVR\(n)_EL1", 2, 0, 0, n, 4, s(SysReg(rawValue: SysReg.dbgbvr0.rawValue + n)!, n >= 4 ? any : 0xFFFF_FFFF_FFFF_FFFC)),
        SysRegDef("DBGBCR\(n)_EL1", 2, 0, 0, n, 5, s(SysReg(rawValue: SysReg.dbgbcr0.rawValue + n)!, 0x00FF_E1E7)),
    ] } + (0..<4).flatMap { n in [
        SysRegDef("DBGWVR\(n)_EL1", 2, 0, 0, n, 6, s(SysReg(rawValue: SysReg.dbgwvr0.rawValue + n)!, 0xFFFF_FFFF_FFFF_FFFC)),
        SysRegDef("DBGWCR\(n)_EL1", 2, 0, 0, n, 7, s(SysReg(rawValue: SysReg.dbgwcr0.rawValue + n)!, 0x1F1F_FFFF)),
    ] }

    static let debugAndPMU: [SysRegDef] = [
        // MDSCR_EL1: SS, TDCC, KDE, HDE, MDE and the DCC status bits.
        SysRegDef("MDSCR_EL1", 2, 0, 0, 2, 2, s(.mdscrEL1, 0x0000_E800_F001)),
        SysRegDef("MDCCINT_EL1", 2, 0, 0, 2, 0, s(.mdccintEL1, 0x2000_0000)),
        SysRegDef("OSLAR_EL1", 2, 0, 1, 0, 4, .special(.osLock), writeOnly: true),
        // No memory-mapped debug ROM table: ROMADDR not valid (Valid = 0b00).
        SysRegDef("MDRAR_EL1", 2, 0, 1, 0, 0, .constant(0), readOnly: true),
        SysRegDef("OSLSR_EL1", 2, 0, 1, 1, 4, s(.oslsrEL1, 0), readOnly: true),
        SysRegDef("OSDLR_EL1", 2, 0, 1, 3, 4, s(.osdlrEL1, 1)),
        // No debug communications channel data ever: TXfull and RXfull clear.
        SysRegDef("MDCCSR_EL0", 2, 3, 0, 1, 0, .constant(0), minEL: 0, el0: .debugComms, readOnly: true),
        SysRegDef("DBGCLAIMSET_EL1", 2, 0, 7, 8, 6, .constant(0xFF)),
        SysRegDef("DBGCLAIMCLR_EL1", 2, 0, 7, 9, 6, s(.dbgclaim, 0xFF)),
        SysRegDef("PMCR_EL0", 3, 3, 9, 12, 0, .special(.pmcr), el0: .pmu),
        SysRegDef("PMCNTENSET_EL0", 3, 3, 9, 12, 1, .special(.pmcntenset), el0: .pmu),
        SysRegDef("PMCNTENCLR_EL0", 3, 3, 9, 12, 2, .special(.pmcntenclr), el0: .pmu),
        SysRegDef("PMOVSCLR_EL0", 3, 3, 9, 12, 3, .special(.pmovsclr), el0: .pmu),
        SysRegDef("PMSWINC_EL0", 3, 3, 9, 12, 4, .special(.pmswinc), el0: .pmuSoftwareIncrement, writeOnly: true),
        SysRegDef("PMOVSSET_EL0", 3, 3, 9, 14, 3, .special(.pmovsset), el0: .pmu),
        SysRegDef("PMSELR_EL0", 3, 3, 9, 12, 5, s(.pmselrEL0, 0x1F), el0: .pmuSelect),
        // Common events implemented (PMU.swift, Core.implementedEvents); with --timing a53 the model's too.
        SysRegDef("PMCEID0_EL0", 3, 3, 9, 12, 6, .special(.pmceid0), el0: .pmu, readOnly: true),
        SysRegDef("PMCEID1_EL0", 3, 3, 9, 12, 7, .constant(0), el0: .pmu, readOnly: true),
        SysRegDef("PMCCNTR_EL0", 3, 3, 9, 13, 0, .special(.pmccntr), el0: .pmuCycleRead),
        SysRegDef("PMXEVTYPER_EL0", 3, 3, 9, 13, 1, .special(.pmxevtyper), el0: .pmu),
        SysRegDef("PMXEVCNTR_EL0", 3, 3, 9, 13, 2, .special(.pmxevcntr), el0: .pmuEventRead),
        SysRegDef("PMUSERENR_EL0", 3, 3, 9, 14, 0, s(.pmuserenrEL0, 0xF), el0: .pmuUserEnable),
        SysRegDef("PMCCFILTR_EL0", 3, 3, 14, 15, 7, .special(.pmevtyper(31)), el0: .pmu),
        SysRegDef("PMINTENSET_EL1", 3, 0, 9, 14, 1, .special(.pmintenset)),
        SysRegDef("PMINTENCLR_EL1", 3, 0, 9, 14, 2, .special(.pmintenclr)),
    ] + (0..<PMUState.counters).flatMap { n in [
        SysRegDef("PMEVCNTR\(n)_EL0", 3, 3, 14, 8 + n >> 3, n & 7, .special(.pmevcntr(n)), el0: .pmuEventRead),
        SysRegDef("PMEVTYPER\(n)_EL0", 3, 3, 14, 12 + n >> 3, n & 7, .special(.pmevtyper(n)), el0: .pmu),
    ] }

    /// GICv3 CPU interface (ICC_*), all at EL1 or above; IAR/HPPIR/RPR are read-only, EOIR/DIR/SGI write-only.
    static let gicCPUInterface: [SysRegDef] = [
        SysRegDef("ICC_PMR_EL1", 3, 0, 4, 6, 0, .special(.icc(.pmr))),
        SysRegDef("ICC_IAR0_EL1", 3, 0, 12, 8, 0, .special(.icc(.iar0)), readOnly: true),
        SysRegDef("ICC_EOIR0_EL1", 3, 0, 12, 8, 1, .special(.icc(.eoir0)), writeOnly: true),
        SysRegDef("ICC_HPPIR0_EL1", 3, 0, 12, 8, 2, .special(.icc(.hppir0)), readOnly: true),
        SysRegDef("ICC_BPR0_EL1", 3, 0, 12, 8, 3, .special(.icc(.bpr0))),
        SysRegDef("ICC_AP0R0_EL1", 3, 0, 12, 8, 4, .special(.icc(.ap0r0))),
        SysRegDef("ICC_AP1R0_EL1", 3, 0, 12, 9, 0, .special(.icc(.ap1r0))),
        SysRegDef("ICC_DIR_EL1", 3, 0, 12, 11, 1, .special(.icc(.dir)), writeOnly: true),
        SysRegDef("ICC_RPR_EL1", 3, 0, 12, 11, 3, .special(.icc(.rpr)), readOnly: true),
        SysRegDef("ICC_SGI1R_EL1", 3, 0, 12, 11, 5, .special(.icc(.sgi1r)), writeOnly: true),
        SysRegDef("ICC_ASGI1R_EL1", 3, 0, 12, 11, 6, .special(.icc(.asgi1r)), writeOnly: true),
        SysRegDef("ICC_SGI0R_EL1", 3, 0, 12, 11, 7, .special(.icc(.sgi0r)), writeOnly: true),
        SysRegDef("ICC_IAR1_EL1", 3, 0, 12, 12, 0, .special(.icc(.iar1)), readOnly: true),
        SysRegDef("ICC_EOIR1_EL1", 3, 0, 12, 12, 1, .special(.icc(.eoir1)), writeOnly: true),
        SysRegDef("ICC_HPPIR1_EL1", 3, 0, 12, 12, 2, .special(.icc(.hppir1)), readOnly: true),
        SysRegDef("ICC_BPR1_EL1", 3, 0, 12, 12, 3, .special(.icc(.bpr1))),
        SysRegDef("ICC_CTLR_EL1", 3, 0, 12, 12, 4, .special(.icc(.ctlr))),
        SysRegDef("ICC_SRE_EL1", 3, 0, 12, 12, 5, .special(.icc(.sre))),
        SysRegDef("ICC_IGRPEN0_EL1", 3, 0, 12, 12, 6, .special(.icc(.igrpen0))),
        SysRegDef("ICC_IGRPEN1_EL1", 3, 0, 12, 12, 7, .special(.icc(.igrpen1))),
        SysRegDef("ICC_SRE_EL2", 3, 4, 12, 9, 5, .special(.icc(.sreEL2))),
        SysRegDef("ICC_CTLR_EL3", 3, 6, 12, 12, 4, .special(.icc(.ctlrEL3))),
        SysRegDef("ICC_SRE_EL3", 3, 6, 12, 12, 5, .special(.icc(.sreEL3))),
        SysRegDef("ICC_IGRPEN1_EL3", 3, 6, 12, 12, 7, .special(.icc(.igrpen1EL3))),
    ]

    /// ICH_*_EL2: four list registers (ICH_VTR_EL2.ListRegs = 3); LR4-LR15 are UNDEFINED. Five bits
    /// of priority and preemption (ICC_CTLR_EL1.PRIbits, ICH_VTR_EL2.PREbits = 4, as the A53's
    /// GIC CPU interface): only the first active-priorities register of each group exists, so
    /// ICC/ICV_AP{0,1}R{1-3}_EL1 and ICH_AP{0,1}R{1-3}_EL2 are UNDEFINED (GICv3 spec, "ICC_AP1R<n>_EL1").
    static let gicVirtualControl: [SysRegDef] = (0..<4).flatMap { n in [
        SysRegDef("ICH_LR\(n)_EL2", 3, 4, 12, 12, n, .special(.ich(.lr(n)))),
    ] } + [
        SysRegDef("ICH_AP0R0_EL2", 3, 4, 12, 8, 0, .special(.ich(.ap0r(0)))),
        SysRegDef("ICH_AP1R0_EL2", 3, 4, 12, 9, 0, .special(.ich(.ap1r(0)))),
        SysRegDef("ICH_HCR_EL2", 3, 4, 12, 11, 0, .special(.ich(.hcr))),
        SysRegDef("ICH_VTR_EL2", 3, 4, 12, 11, 1, .special(.ich(.vtr)), readOnly: true),
        SysRegDef("ICH_MISR_EL2", 3, 4, 12, 11, 2, .special(.ich(.misr)), readOnly: true),
        SysRegDef("ICH_EISR_EL2", 3, 4, 12, 11, 3, .special(.ich(.eisr)), readOnly: true),
        SysRegDef("ICH_ELRSR_EL2", 3, 4, 12, 11, 5, .special(.ich(.elrsr)), readOnly: true),
        SysRegDef("ICH_VMCR_EL2", 3, 4, 12, 11, 7, .special(.ich(.vmcr))),
    ]
}
