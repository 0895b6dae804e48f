// The assembly layer (boot.S) as Swift declarations: system registers,
// barriers-included MMU/TLB helpers and the probes. Every MRS/MSR of this guest
// goes through here or through ../common (ELRegisters.swift, Lower.swift, Runtime.swift).

@_silgen_name("page_pool_base") func pagePoolBase() -> UInt64

// System registers (MRS/MSR; writes are followed by an ISB).
@_silgen_name("read_vbar_el3") func readVBAR_EL3() -> UInt64
@_silgen_name("write_vbar_el3") func writeVBAR_EL3(_ v: UInt64)
@_silgen_name("write_sctlr_el3") func writeSCTLR_EL3(_ v: UInt64)
@_silgen_name("write_scr_el3") func writeSCR_EL3(_ v: UInt64)
@_silgen_name("write_cptr_el3") func writeCPTR_EL3(_ v: UInt64)
@_silgen_name("write_mdcr_el3") func writeMDCR_EL3(_ v: UInt64)
@_silgen_name("write_tcr_el1") func writeTCR_EL1(_ v: UInt64)
@_silgen_name("write_tcr_el2") func writeTCR_EL2(_ v: UInt64)
@_silgen_name("write_ttbr0_el1") func writeTTBR0_EL1(_ v: UInt64)
@_silgen_name("write_ttbr1_el1") func writeTTBR1_EL1(_ v: UInt64)
@_silgen_name("write_ttbr0_el2") func writeTTBR0_EL2(_ v: UInt64)
@_silgen_name("write_mair_el1") func writeMAIR_EL1(_ v: UInt64)
@_silgen_name("write_mair_el2") func writeMAIR_EL2(_ v: UInt64)
@_silgen_name("write_par_el1") func writePAR_EL1(_ v: UInt64)
@_silgen_name("read_id_aa64mmfr0_el1") func readID_AA64MMFR0_EL1() -> UInt64
@_silgen_name("read_daif") func readDAIF() -> UInt64
@_silgen_name("read_spsel") func readSPSel() -> UInt64

// MMU on/off with TLB invalidation and barriers; TLBI and AT.
@_silgen_name("mmu_on_el1") func mmuOnEL1(sctlr: UInt64)
@_silgen_name("mmu_off_el1") func mmuOffEL1(sctlr: UInt64)
@_silgen_name("mmu_on_el2") func mmuOnEL2(sctlr: UInt64)
@_silgen_name("mmu_off_el2") func mmuOffEL2(sctlr: UInt64)
@_silgen_name("tlbi_vae1") func tlbiVAE1(_ va: UInt64)
@_silgen_name("at_s1e1r") func atS1E1R(_ va: UInt64) -> UInt64

// Probes: each provokes one exception (boot.S).
@_silgen_name("probe_svc") func probeSVC()
@_silgen_name("addr_probe_svc_next") func addrProbeSVCNext() -> UInt64
@_silgen_name("addr_probe_svc_el0") func addrProbeSVCEL0() -> UInt64
@_silgen_name("addr_probe_svc_el0_next") func addrProbeSVCEL0Next() -> UInt64
@_silgen_name("probe_hvc") func probeHVC()
@_silgen_name("addr_probe_hvc_next") func addrProbeHVCNext() -> UInt64
@_silgen_name("probe_smc") func probeSMC()
@_silgen_name("addr_probe_smc_next") func addrProbeSMCNext() -> UInt64
@_silgen_name("probe_brk") func probeBRK()
@_silgen_name("addr_probe_brk") func addrProbeBRK() -> UInt64
@_silgen_name("probe_undef") func probeUndef()
@_silgen_name("addr_probe_undef") func addrProbeUndef() -> UInt64
@_silgen_name("probe_load") func probeLoad(_ address: UInt64) -> UInt64
@_silgen_name("addr_probe_load") func addrProbeLoad() -> UInt64
@_silgen_name("probe_store") func probeStore(_ address: UInt64, _ value: UInt64)
@_silgen_name("addr_probe_store") func addrProbeStore() -> UInt64
@_silgen_name("probe_branch") func probeBranch(_ target: UInt64)
@_silgen_name("misaligned_pc") func misalignedPC() -> UInt64
@_silgen_name("probe_spsel") func probeSPSel(_ sp0: UInt64, _ out: UnsafeMutablePointer<UInt64>)
@_silgen_name("addr_el0_read_sp") func addrEL0ReadSP() -> UInt64
