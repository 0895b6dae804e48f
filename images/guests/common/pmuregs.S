// The PMU's register accessors and measured windows, shared by the guests that drive it
// (pmutest bare-metal, hvguest under the hypervisor's virtual PMU). A window is straight
// assembly: every instruction in it is known, so a count can be checked exactly.

#include "sysreg.inc"
#include "addr.inc"

    SYSREG_RW pmcr_el0
    SYSREG_RW pmcntenset_el0
    SYSREG_RW pmcntenclr_el0
    SYSREG_RW pmovsset_el0
    SYSREG_RW pmovsclr_el0
    SYSREG_RW pmintenset_el1
    SYSREG_RW pmintenclr_el1
    SYSREG_RW pmccntr_el0
    SYSREG_RW pmccfiltr_el0
    SYSREG_RW pmuserenr_el0
    SYSREG_RW pmselr_el0
    SYSREG_RW pmxevcntr_el0
    SYSREG_RO pmceid0_el0
    SYSREG_WO pmswinc_el0

// PMEVCNTR<n>_EL0 / PMEVTYPER<n>_EL0 by number (n in x0, 0...5): a branch into a table of
// two-instruction entries, one per counter.
.macro BY_NUMBER name, insn
    .global \name
\name:
    isb
    adr     x9, 1f
    add     x9, x9, x0, lsl #3
    br      x9
1:
    .irp n,0,1,2,3,4,5
    \insn \n
    .endr
.endm
.macro RD_CNT n
    mrs     x0, pmevcntr\n\()_el0
    ret
.endm
.macro WR_CNT n
    msr     pmevcntr\n\()_el0, x1
    b       2f
.endm
.macro RD_TYPE n
    mrs     x0, pmevtyper\n\()_el0
    ret
.endm
.macro WR_TYPE n
    msr     pmevtyper\n\()_el0, x1
    b       2f
.endm
    BY_NUMBER read_pmevcntr, RD_CNT
    BY_NUMBER read_pmevtyper, RD_TYPE
    BY_NUMBER write_pmevcntr, WR_CNT
2:  isb
    ret
    BY_NUMBER write_pmevtyper, WR_TYPE
2:  isb
    ret

// measure(mask, fn, arg): counters in mask count fn(arg) and a fixed overhead (the enabling MSR's
// successors: ISB, MOV, BLR; under a hypervisor the trapped MSR it completes and counts).
// Stack use stays outside the window.
    .global measure
measure:
    stp     x19, x30, [sp, #-16]!
    mov     x19, x0
    msr     pmcntenset_el0, x19
    isb
    mov     x0, x2
    blr     x1
    msr     pmcntenclr_el0, x19
    isb
    ldp     x19, x30, [sp], #16
    ret

// Bodies of known length (any EL): nops_<k> is k NOPs and a RET.
.macro NOPS k
nops_\k:
    .rept \k
    nop
    .endr
    ret
    ADDR nops_\k
.endm
    NOPS 10
    NOPS 110

// EL0 probes (bodies run at EL0 by the guests' harnesses): one PMU read each, which the checks
// expect to succeed or trap as PMUSERENR_EL0 says.
el0_read_pmccntr:
    mrs     x0, pmccntr_el0
    ret
    ADDR el0_read_pmccntr
el0_read_pmcr:
    mrs     x0, pmcr_el0
    ret
    ADDR el0_read_pmcr
