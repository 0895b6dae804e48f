// The assembly layer (boot.S) as Swift declarations. Every MRS/MSR of this
// guest goes through here or ../common (ELRegisters.swift, ICC.swift):
// read<REG>/write<REG> are the SYSREG_* accessors, one per register.

@_silgen_name("page_pool_base") func pagePoolBase() -> UInt64
@_silgen_name("code_page_base") func codePageBase() -> UInt64

/// Code run at EL1 by callEL1: argument in x0, result in x0.
typealias Body = @convention(c) (UInt64) -> UInt64

/// Run `fn(arg)` at EL1h (DAIF masked) and return its result: common/lower.S's call_lower, from EL2.
@_silgen_name("call_lower") func callEL1(_ fn: Body, _ arg: UInt64) -> UInt64

@_silgen_name("tlbi_alle1") func tlbiALLE1()
@_silgen_name("tlbi_ipa") func tlbiIPA(_ ipa: UInt64)
@_silgen_name("at_s12e1r") func atS12E1R(_ va: UInt64) -> UInt64
@_silgen_name("irq_unmask") func irqUnmask()
@_silgen_name("irq_mask") func irqMask()
@_silgen_name("fiq_unmask") func fiqUnmask()
@_silgen_name("serror_unmask") func serrorUnmask()
@_silgen_name("el1_hvc1") func el1HVC1()
@_silgen_name("el1_read_counters") func el1ReadCounters(_ out: UnsafeMutablePointer<UInt64>)

// System registers (MRS/MSR; reads are preceded and writes followed by an ISB).
@_silgen_name("read_vtcr_el2") func readVTCR_EL2() -> UInt64
@_silgen_name("write_vtcr_el2") func writeVTCR_EL2(_ v: UInt64)
@_silgen_name("read_vttbr_el2") func readVTTBR_EL2() -> UInt64
@_silgen_name("write_vttbr_el2") func writeVTTBR_EL2(_ v: UInt64)
@_silgen_name("read_hpfar_el2") func readHPFAR_EL2() -> UInt64
@_silgen_name("read_tcr_el1") func readTCR_EL1() -> UInt64
@_silgen_name("write_tcr_el1") func writeTCR_EL1(_ v: UInt64)
@_silgen_name("read_ttbr0_el1") func readTTBR0_EL1() -> UInt64
@_silgen_name("write_ttbr0_el1") func writeTTBR0_EL1(_ v: UInt64)
@_silgen_name("read_ttbr1_el1") func readTTBR1_EL1() -> UInt64
@_silgen_name("write_ttbr1_el1") func writeTTBR1_EL1(_ v: UInt64)
@_silgen_name("read_mair_el1") func readMAIR_EL1() -> UInt64
@_silgen_name("write_mair_el1") func writeMAIR_EL1(_ v: UInt64)
@_silgen_name("read_contextidr_el1") func readCONTEXTIDR_EL1() -> UInt64
@_silgen_name("write_contextidr_el1") func writeCONTEXTIDR_EL1(_ v: UInt64)
@_silgen_name("read_esr_el1") func readESR_EL1() -> UInt64
@_silgen_name("write_esr_el1") func writeESR_EL1(_ v: UInt64)
@_silgen_name("read_isr_el1") func readISR_EL1() -> UInt64
@_silgen_name("read_daif") func readDAIF() -> UInt64
@_silgen_name("write_daif") func writeDAIF(_ v: UInt64)
@_silgen_name("read_dczid_el0") func readDCZID_EL0() -> UInt64
@_silgen_name("read_id_aa64pfr0_el1") func readID_AA64PFR0_EL1() -> UInt64
@_silgen_name("read_midr_el1") func readMIDR_EL1() -> UInt64
@_silgen_name("read_mpidr_el1") func readMPIDR_EL1() -> UInt64
@_silgen_name("read_vpidr_el2") func readVPIDR_EL2() -> UInt64
@_silgen_name("write_vpidr_el2") func writeVPIDR_EL2(_ v: UInt64)
@_silgen_name("read_vmpidr_el2") func readVMPIDR_EL2() -> UInt64
@_silgen_name("write_vmpidr_el2") func writeVMPIDR_EL2(_ v: UInt64)
@_silgen_name("read_par_el1") func readPAR_EL1() -> UInt64
@_silgen_name("write_par_el1") func writePAR_EL1(_ v: UInt64)
@_silgen_name("read_cntfrq_el0") func readCNTFRQ_EL0() -> UInt64
@_silgen_name("read_cntpct_el0") func readCNTPCT_EL0() -> UInt64
@_silgen_name("read_cntvct_el0") func readCNTVCT_EL0() -> UInt64
@_silgen_name("read_cntv_ctl_el0") func readCNTV_CTL_EL0() -> UInt64
@_silgen_name("write_cntv_ctl_el0") func writeCNTV_CTL_EL0(_ v: UInt64)
@_silgen_name("read_cntv_cval_el0") func readCNTV_CVAL_EL0() -> UInt64
@_silgen_name("write_cntv_cval_el0") func writeCNTV_CVAL_EL0(_ v: UInt64)
@_silgen_name("read_cnthctl_el2") func readCNTHCTL_EL2() -> UInt64
@_silgen_name("write_cnthctl_el2") func writeCNTHCTL_EL2(_ v: UInt64)
@_silgen_name("read_cntvoff_el2") func readCNTVOFF_EL2() -> UInt64
@_silgen_name("write_cntvoff_el2") func writeCNTVOFF_EL2(_ v: UInt64)
@_silgen_name("read_cnthp_ctl_el2") func readCNTHP_CTL_EL2() -> UInt64
@_silgen_name("write_cnthp_ctl_el2") func writeCNTHP_CTL_EL2(_ v: UInt64)
@_silgen_name("read_cnthp_cval_el2") func readCNTHP_CVAL_EL2() -> UInt64
@_silgen_name("write_cnthp_cval_el2") func writeCNTHP_CVAL_EL2(_ v: UInt64)
@_silgen_name("read_cnthp_tval_el2") func readCNTHP_TVAL_EL2() -> UInt64
@_silgen_name("write_cnthp_tval_el2") func writeCNTHP_TVAL_EL2(_ v: UInt64)
@_silgen_name("read_ich_hcr_el2") func readICH_HCR_EL2() -> UInt64
@_silgen_name("write_ich_hcr_el2") func writeICH_HCR_EL2(_ v: UInt64)
@_silgen_name("read_ich_vtr_el2") func readICH_VTR_EL2() -> UInt64
@_silgen_name("read_ich_vmcr_el2") func readICH_VMCR_EL2() -> UInt64
@_silgen_name("write_ich_vmcr_el2") func writeICH_VMCR_EL2(_ v: UInt64)
@_silgen_name("read_ich_misr_el2") func readICH_MISR_EL2() -> UInt64
@_silgen_name("read_ich_eisr_el2") func readICH_EISR_EL2() -> UInt64
@_silgen_name("read_ich_elrsr_el2") func readICH_ELRSR_EL2() -> UInt64
@_silgen_name("read_ich_ap1r0_el2") func readICH_AP1R0_EL2() -> UInt64
@_silgen_name("write_ich_ap1r0_el2") func writeICH_AP1R0_EL2(_ v: UInt64)
@_silgen_name("read_ich_lr0_el2") func readICH_LR0_EL2() -> UInt64
@_silgen_name("write_ich_lr0_el2") func writeICH_LR0_EL2(_ v: UInt64)
@_silgen_name("read_ich_lr1_el2") func readICH_LR1_EL2() -> UInt64
@_silgen_name("write_ich_lr1_el2") func writeICH_LR1_EL2(_ v: UInt64)
@_silgen_name("read_ich_lr2_el2") func readICH_LR2_EL2() -> UInt64
@_silgen_name("write_ich_lr2_el2") func writeICH_LR2_EL2(_ v: UInt64)
@_silgen_name("read_ich_lr3_el2") func readICH_LR3_EL2() -> UInt64
@_silgen_name("write_ich_lr3_el2") func writeICH_LR3_EL2(_ v: UInt64)

/// The probes of boot.S, in the order of its probe_table (the order of the
/// PROBE* macros there). A different count stops the run at start; a
/// different order shows as ELR_EL2 failures on every target, QEMU included.
enum P: Int {
    case ldrb
    case ldrsb
    case ldrsh
    case ldrsw
    case ldrw
    case ldrx
    case strh
    case strx
    case strbXzr
    case ldar
    case stlr
    case ldp
    case ldrWback
    case ldxr
    case mmuLoad
    case wfi
    case wfe
    case smc
    case hvc
    case wSctlr
    case wTtbr0
    case wTcr
    case wMair
    case wContextidr
    case rTtbr1
    case rFar
    case rSctlr
    case rPfr0
    case rMmfr0
    case rRevidr
    case rAidr
    case rCtr
    case rCcsidr
    case rClidr
    case wCsselr
    case rActlr
    case wActlr
    case rCpacr
    case rMdscr
    case rPmcr
    case rDczid
    case rCntpct
    case rCntpCtl
    case wCntpCval
    case dcIsw
    case dcCsw
    case dcCisw
    case dcCivac
    case dcCvac
    case dcIvac
    case dcCvau
    case icIvau
    case icIallu
    case tlbiVmalle1
    case tlbiVae1
    case dcZva
    case fmov
    case rIccIar1
    case rIccPmr
}
let probeCount = 59

@_silgen_name("probe_table_base") func _probeTable() -> UInt64
@_silgen_name("probe_table_size") func probeTableSize() -> UInt64

/// (entry, probed instruction) of a probe; the table is (UInt64, UInt64) pairs.
func probeTable(_ p: P) -> (entry: UInt64, insn: UInt64) {
    let table = UnsafePointer<UInt64>(bitPattern: UInt(_probeTable()))!
    return (table[p.rawValue * 2], table[p.rawValue * 2 + 1])
}

/// A code address as a Body.
func body(at address: UInt64) -> Body { unsafeBitCast(UInt(address), to: Body.self) }

/// Run probe `p` at EL1 with argument `arg`.
func runProbe(_ p: P, _ arg: UInt64 = 0) -> UInt64 { callEL1(body(at: probeTable(p).entry), arg) }

/// The address of the instruction probe `p` provokes its exception with.
func insn(_ p: P) -> UInt64 { probeTable(p).insn }
