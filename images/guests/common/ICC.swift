// common/icc.S as Swift declarations: the GICv3 CPU interface's system registers (ICC_*; at EL1
// under HCR_EL2.IMO/FMO they reach the virtual interface, ICV_*).

@_silgen_name("read_icc_sre_el2") func readICC_SRE_EL2() -> UInt64
@_silgen_name("write_icc_sre_el2") func writeICC_SRE_EL2(_ v: UInt64)
@_silgen_name("read_icc_sre_el1") func readICC_SRE_EL1() -> UInt64
@_silgen_name("write_icc_sre_el1") func writeICC_SRE_EL1(_ v: UInt64)
@_silgen_name("read_icc_pmr_el1") func readICC_PMR_EL1() -> UInt64
@_silgen_name("write_icc_pmr_el1") func writeICC_PMR_EL1(_ v: UInt64)
@_silgen_name("read_icc_ctlr_el1") func readICC_CTLR_EL1() -> UInt64
@_silgen_name("write_icc_ctlr_el1") func writeICC_CTLR_EL1(_ v: UInt64)
@_silgen_name("read_icc_igrpen1_el1") func readICC_IGRPEN1_EL1() -> UInt64
@_silgen_name("write_icc_igrpen1_el1") func writeICC_IGRPEN1_EL1(_ v: UInt64)
@_silgen_name("read_icc_bpr1_el1") func readICC_BPR1_EL1() -> UInt64
@_silgen_name("write_icc_bpr1_el1") func writeICC_BPR1_EL1(_ v: UInt64)
@_silgen_name("read_icc_iar1_el1") func readICC_IAR1_EL1() -> UInt64
@_silgen_name("read_icc_rpr_el1") func readICC_RPR_EL1() -> UInt64
@_silgen_name("read_icc_hppir1_el1") func readICC_HPPIR1_EL1() -> UInt64
@_silgen_name("write_icc_eoir1_el1") func writeICC_EOIR1_EL1(_ v: UInt64)
@_silgen_name("write_icc_dir_el1") func writeICC_DIR_EL1(_ v: UInt64)
