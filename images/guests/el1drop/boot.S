// el1drop: entered at EL2, drops to EL1 with HCR_EL2.RW (EL1 in AArch64; QEMU resets HCR_EL2
// to 0) and an ERET -- no CNTHCTL_EL2, CPTR_EL2, MDCR_EL2, ICC_SRE_EL2 or stage-2 set-up -- and
// relies on the EL2 state firmware leaves (README, "Boot"). A trap to EL2 lands in an EL2 vector
// table that reports it.

#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    PARK_SECONDARIES
    adrp    x0, el2_vectors             // only to report an unexpected trap: not set-up EL1 needs
    add     x0, x0, :lo12:el2_vectors
    msr     vbar_el2, x0
    mov     x0, #(1 << 31)              // HCR_EL2.RW, nothing else
    msr     hcr_el2, x0
    adr     x0, el1_entry
    msr     elr_el2, x0
    mov     x0, #0x3c5                  // EL1h, DAIF masked
    msr     spsr_el2, x0
    eret

el1_entry:
    adrp    x0, stack_top
    add     x0, x0, :lo12:stack_top
    mov     sp, x0
    ZERO_BSS
    mov     x0, #(3 << 20)              // CPACR_EL1.FPEN: FP/SIMD at EL1 (the Swift code may use it)
    msr     cpacr_el1, x0
    isb
    bl      el1drop_main

    // An exception taken to EL2: report its ESR_EL2 and stop.
    .balign 2048
el2_vectors:
    .rept 16
    .balign 128
    mrs     x0, esr_el2
    mrs     x1, elr_el2
    b       el2_trap
    .endr
el2_trap:
    adrp    x2, stack_top
    add     x2, x2, :lo12:stack_top
    mov     sp, x2
    bl      el2_trapped                 // never returns

    // System registers EL1 reads (each may trap to EL2 if firmware left EL2 unprepared).
    .macro READER name, reg
    .global \name
\name:
    mrs     x0, \reg
    ret
    .endm
    READER read_cntp_ctl, cntp_ctl_el0
    READER read_cntpct, cntpct_el0
    READER read_cntvct, cntvct_el0
    READER read_midr, midr_el1
    READER read_mpidr, mpidr_el1
    READER read_pmcr, pmcr_el0
    READER read_icc_sre, S3_0_C12_C12_5
    READER read_current_el_raw, CurrentEL

    .global start_physical_timer        // CNTP_TVAL = x0, enabled, masked (polled, no GIC needed)
start_physical_timer:
    msr     cntp_tval_el0, x0
    mov     x0, #3
    msr     cntp_ctl_el0, x0
    isb
    ret

    .global stop_physical_timer
stop_physical_timer:
    msr     cntp_ctl_el0, xzr
    isb
    ret

    .global fp_add                      // FP/SIMD at EL1: d0 + d1 (CPTR_EL2.TFP must be clear)
fp_add:
    fmov    d0, x0
    fmov    d1, x1
    add     d0, d0, d1
    fmov    x0, d0
    ret

    .section .bss.stack, "aw", %nobits
    .balign 16
    .space  4096
stack_top:
