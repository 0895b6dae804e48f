// common/elregs.S as Swift declarations (reads are preceded and writes followed by an ISB), the
// values guests run EL1 and EL2 with, and the EL1 setup they share.

@_silgen_name("read_vbar_el1") func readVBAR_EL1() -> UInt64
@_silgen_name("write_vbar_el1") func writeVBAR_EL1(_ v: UInt64)
@_silgen_name("read_vbar_el2") func readVBAR_EL2() -> UInt64
@_silgen_name("write_vbar_el2") func writeVBAR_EL2(_ v: UInt64)
@_silgen_name("read_sctlr_el1") func readSCTLR_EL1() -> UInt64
@_silgen_name("write_sctlr_el1") func writeSCTLR_EL1(_ v: UInt64)
@_silgen_name("read_sctlr_el2") func readSCTLR_EL2() -> UInt64
@_silgen_name("write_sctlr_el2") func writeSCTLR_EL2(_ v: UInt64)
@_silgen_name("read_hcr_el2") func readHCR_EL2() -> UInt64
@_silgen_name("write_hcr_el2") func writeHCR_EL2(_ v: UInt64)
@_silgen_name("read_cptr_el2") func readCPTR_EL2() -> UInt64
@_silgen_name("write_cptr_el2") func writeCPTR_EL2(_ v: UInt64)
@_silgen_name("read_mdcr_el2") func readMDCR_EL2() -> UInt64
@_silgen_name("write_mdcr_el2") func writeMDCR_EL2(_ v: UInt64)
@_silgen_name("read_cpacr_el1") func readCPACR_EL1() -> UInt64
@_silgen_name("write_cpacr_el1") func writeCPACR_EL1(_ v: UInt64)

/// SCTLR_ELx with MMU, caches and alignment checks off: the RES1 bits of Armv8.0.
let sctlrEL1Base: UInt64 = 0x30d0_0800
let sctlrEL2Base: UInt64 = 0x30c5_0830   // also SCTLR_EL3

/// EL1 as every check starts it: our vectors, MMU off, no FP/SIMD traps (CPACR_EL1.FPEN).
func initEL1() {
    writeVBAR_EL1(vectorsEL1())
    writeSCTLR_EL1(sctlrEL1Base)
    writeCPACR_EL1(3 << 20)
}
