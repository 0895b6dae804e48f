// Accessors for the EL1 and EL2 configuration registers every guest that starts at EL2 or above
// sets up (Swift: ELRegisters.swift); the macros are in sysreg.inc.

#include "sysreg.inc"

    SYSREG_RW vbar_el1
    SYSREG_RW vbar_el2
    SYSREG_RW sctlr_el1
    SYSREG_RW sctlr_el2
    SYSREG_RW hcr_el2
    SYSREG_RW cptr_el2
    SYSREG_RW mdcr_el2
    SYSREG_RW cpacr_el1
