// Accessors for the GICv3 CPU interface's system registers (ICC_*; Swift: ICC.swift), for the
// guests that take interrupts through a GICv3.

#include "sysreg.inc"

    SYSREG_RW icc_sre_el2
    SYSREG_RW icc_sre_el1
    SYSREG_RW icc_pmr_el1
    SYSREG_RW icc_ctlr_el1
    SYSREG_RW icc_igrpen1_el1
    SYSREG_RW icc_bpr1_el1
    SYSREG_RO icc_iar1_el1
    SYSREG_RO icc_rpr_el1
    SYSREG_RO icc_hppir1_el1
    SYSREG_WO icc_eoir1_el1
    SYSREG_WO icc_dir_el1
