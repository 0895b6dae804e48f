// Entry, system-register accessors and the probes (single instructions the
// checks provoke traps and aborts with). Stacks and the EL2 -> EL1 trampoline
// (call_lower), vectors, halt, PSCI and memset are in ../common.
// Board facts arrive at assemble time: -DUART_BASE, -DGICD_BASE, -DGICR_BASE.

#if !defined(UART_BASE) || !defined(GICD_BASE) || !defined(GICR_BASE)
#error "UART_BASE, GICD_BASE and GICR_BASE must be defined (-DUART_BASE=0x...)"
#endif

#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    PER_EL_START el2test_main           // never returns

    .text
// ---------------------------------------------------------------------------
// System registers: read_<r>() -> UInt64, write_<r>(v) (MSR then ISB); the
// EL1/EL2 configuration and ICC_* registers are in common/elregs.S and icc.S.
// ---------------------------------------------------------------------------
#include "sysreg.inc"

    SYSREG_RW vtcr_el2
    SYSREG_RW vttbr_el2
    SYSREG_RO hpfar_el2
    SYSREG_RW tcr_el1
    SYSREG_RW ttbr0_el1
    SYSREG_RW ttbr1_el1
    SYSREG_RW mair_el1
    SYSREG_RW contextidr_el1
    SYSREG_RW esr_el1
    SYSREG_RO isr_el1
    SYSREG_RW daif
    SYSREG_RO dczid_el0
    SYSREG_RO id_aa64pfr0_el1
    SYSREG_RO midr_el1
    SYSREG_RO mpidr_el1
    SYSREG_RW vpidr_el2
    SYSREG_RW vmpidr_el2
    SYSREG_RW par_el1
    SYSREG_RO cntfrq_el0
    SYSREG_RO cntpct_el0
    SYSREG_RO cntvct_el0
    SYSREG_RW cntv_ctl_el0
    SYSREG_RW cntv_cval_el0
    SYSREG_RW cnthctl_el2
    SYSREG_RW cntvoff_el2
    SYSREG_RW cnthp_ctl_el2
    SYSREG_RW cnthp_cval_el2
    SYSREG_RW cnthp_tval_el2
    SYSREG_RW ich_hcr_el2
    SYSREG_RO ich_vtr_el2
    SYSREG_RW ich_vmcr_el2
    SYSREG_RO ich_misr_el2
    SYSREG_RO ich_eisr_el2
    SYSREG_RO ich_elrsr_el2
    SYSREG_RW ich_ap1r0_el2
    SYSREG_RW ich_lr0_el2
    SYSREG_RW ich_lr1_el2
    SYSREG_RW ich_lr2_el2
    SYSREG_RW ich_lr3_el2

    // After changing stage-2 tables or VTTBR: forget EL1&0 stage 1 and 2 entries.
    .global tlbi_alle1
tlbi_alle1:
    dsb     ish
    tlbi    alle1
    dsb     ish
    isb
    ret

    // A stage-2 entry for IPA x0 changed: TLBI IPAS2E1IS, then the combined
    // stage 1+2 entries of the current VMID (TLBI VMALLE1IS).
    .global tlbi_ipa
tlbi_ipa:
    dsb     ishst
    lsr     x0, x0, #12
    tlbi    ipas2e1is, x0
    dsb     ish
    tlbi    vmalle1is
    dsb     ish
    isb
    ret

    // at_s12e1r(va) -> PAR_EL1: stage 1 and 2 of the EL1&0 regime, from EL2.
    .global at_s12e1r
at_s12e1r:
    at      s12e1r, x0
    isb
    mrs     x0, par_el1
    ret

    .global irq_unmask              // PSTATE.I = 0 at the current EL
irq_unmask:
    msr     daifclr, #2
    isb
    ret
    .global irq_mask
irq_mask:
    msr     daifset, #2
    isb
    ret
    .global fiq_unmask
fiq_unmask:
    msr     daifclr, #1
    isb
    ret
    .global serror_unmask
serror_unmask:
    msr     daifclr, #4
    isb
    ret

// ---------------------------------------------------------------------------
// Probes, run at EL1 as callEL1 bodies: x0 = argument, result in x0.
// PROBE_INSN marks the instruction the checks expect in ELR; the table
// probe_table holds (entry, instruction) pairs in the order of this file,
// which is the order of Swift's enum P.
// ---------------------------------------------------------------------------
    .section .rodata.probes, "a"
    .balign 8
    .global probe_table
probe_table:
    .text

.macro PROBE_BEGIN name
    .global probe_\name
probe_\name:
.endm
.macro PROBE_INSN name
    .pushsection .rodata.probes, "a"
    .quad   probe_\name, .Linsn_\name
    .popsection
.Linsn_\name:
.endm
.macro PROBE name, insns:vararg         // one instruction, then return
    PROBE_BEGIN \name
    PROBE_INSN \name
    \insns
    ret
.endm
.macro PROBE_MRS name, reg              // read into x3 (a trap handler emulates Xt)
    PROBE_BEGIN \name
    mov     x3, xzr
    PROBE_INSN \name
    mrs     x3, \reg
    mov     x0, x3
    ret
.endm

    // Stage-2 data aborts: one access each, with fixed registers.
    PROBE_BEGIN ldrb
    mov     x5, #0x77
    PROBE_INSN ldrb
    ldrb    w5, [x0]
    mov     x0, x5
    ret
    PROBE_BEGIN ldrsb
    PROBE_INSN ldrsb
    ldrsb   w12, [x0]
    mov     x0, x12
    ret
    PROBE_BEGIN ldrsh
    PROBE_INSN ldrsh
    ldrsh   x6, [x0]
    mov     x0, x6
    ret
    PROBE_BEGIN ldrsw
    PROBE_INSN ldrsw
    ldrsw   x7, [x0]
    mov     x0, x7
    ret
    PROBE_BEGIN ldrw
    PROBE_INSN ldrw
    ldr     w3, [x0]
    mov     x0, x3
    ret
    PROBE_BEGIN ldrx
    PROBE_INSN ldrx
    ldr     x8, [x0]
    mov     x0, x8
    ret
    PROBE_BEGIN strh
    movz    w9, #0xbeef
    PROBE_INSN strh
    strh    w9, [x0]
    ret
    PROBE_BEGIN strx
    movz    x10, #0x5678
    movk    x10, #0x1234, lsl #16
    movk    x10, #0xcafe, lsl #48
    PROBE_INSN strx
    str     x10, [x0]
    ret
    PROBE strb_xzr, strb wzr, [x0]
    PROBE_BEGIN ldar
    PROBE_INSN ldar
    ldar    w10, [x0]
    mov     x0, x10
    ret
    PROBE_BEGIN stlr
    mov     x11, #0x42
    PROBE_INSN stlr
    stlr    x11, [x0]
    ret
    PROBE ldp, ldp x2, x3, [x0]
    PROBE ldr_wback, ldr x4, [x0, #8]!
    PROBE_BEGIN ldxr
    PROBE_INSN ldxr
    ldxr    x4, [x0]
    clrex
    ret

    // EL1 stage 1 on for one load: x0 = VA; TTBR0/TCR/MAIR_EL1 set by EL2.
    PROBE_BEGIN mmu_load
    mrs     x1, sctlr_el1
    orr     x2, x1, #1
    dsb     ish
    tlbi    vmalle1
    dsb     ish
    isb
    msr     sctlr_el1, x2
    isb
    PROBE_INSN mmu_load
    ldr     x0, [x0]
    msr     sctlr_el1, x1
    isb
    tlbi    vmalle1
    dsb     ish
    isb
    ret

    // WFI; WFE after SEVL + WFE (the event register is then clear); SMC; HVC.
    PROBE wfi, wfi
    PROBE_BEGIN wfe
    sevl
    wfe
    PROBE_INSN wfe
    wfe
    ret
    PROBE smc, smc #0x77
    PROBE_BEGIN hvc
    hvc     #0x1234
    PROBE_INSN hvc                      // the instruction after the HVC
    ret

    // System register and system instruction traps: Rt is x3 for reads, x0 otherwise.
    PROBE w_sctlr, msr sctlr_el1, x0
    PROBE w_ttbr0, msr ttbr0_el1, x0
    PROBE w_tcr, msr tcr_el1, x0
    PROBE w_mair, msr mair_el1, x0
    PROBE w_contextidr, msr contextidr_el1, x0
    PROBE_MRS r_ttbr1, ttbr1_el1
    PROBE_MRS r_far, far_el1
    PROBE_MRS r_sctlr, sctlr_el1
    PROBE_MRS r_pfr0, id_aa64pfr0_el1
    PROBE_MRS r_mmfr0, id_aa64mmfr0_el1
    PROBE_MRS r_revidr, revidr_el1
    PROBE_MRS r_aidr, aidr_el1
    PROBE_MRS r_ctr, ctr_el0
    PROBE_MRS r_ccsidr, ccsidr_el1
    PROBE_MRS r_clidr, clidr_el1
    PROBE w_csselr, msr csselr_el1, x0
    PROBE_MRS r_actlr, actlr_el1
    PROBE w_actlr, msr actlr_el1, x0
    PROBE_MRS r_cpacr, cpacr_el1
    PROBE_MRS r_mdscr, mdscr_el1
    PROBE_MRS r_pmcr, pmcr_el0
    PROBE_MRS r_dczid, dczid_el0
    PROBE_MRS r_cntpct, cntpct_el0
    PROBE_MRS r_cntp_ctl, cntp_ctl_el0
    PROBE w_cntp_cval, msr cntp_cval_el0, x0
    PROBE dc_isw, dc isw, x0
    PROBE dc_csw, dc csw, x0
    PROBE dc_cisw, dc cisw, x0
    PROBE dc_civac, dc civac, x0
    PROBE dc_cvac, dc cvac, x0
    PROBE dc_ivac, dc ivac, x0
    PROBE dc_cvau, dc cvau, x0
    PROBE ic_ivau, ic ivau, x0
    PROBE ic_iallu, ic iallu
    PROBE tlbi_vmalle1, tlbi vmalle1
    PROBE tlbi_vae1, tlbi vae1, x0
    PROBE dc_zva, dc zva, x0
    PROBE fmov, fmov d0, x0
    PROBE_MRS r_icc_iar1, icc_iar1_el1
    PROBE_MRS r_icc_pmr, icc_pmr_el1

    .section .rodata.probes, "a"
    .global probe_table_end
probe_table_end:
    .text

    // Ask EL2 for the armed action (the handler recognises HVC #1).
    .global el1_hvc1
el1_hvc1:
    hvc     #1
    ret

    // Code page for stage-2 instruction fetches (mapped at IPA window pages).
    .section .text.codepage, "ax"
    .balign 4096
    .global code_page
code_page:
    add     x0, x0, #1
    ret
    .balign 4096
    .text

    .global probe_table_base
probe_table_base:
    adrp    x0, probe_table
    add     x0, x0, :lo12:probe_table
    adrp    x1, probe_table_end
    add     x1, x1, :lo12:probe_table_end
    ret

    // Counters at EL1, each read ordered by an ISB: out[0] = CNTPCT,
    // out[1] = CNTVCT, out[2] = CNTPCT (x0 = out).
    .global el1_read_counters
el1_read_counters:
    isb
    mrs     x1, cntpct_el0
    isb
    mrs     x2, cntvct_el0
    isb
    mrs     x3, cntpct_el0
    stp     x1, x2, [x0]
    str     x3, [x0, #16]
    ret

    .global page_pool_base
page_pool_base:
    adrp    x0, page_pool
    add     x0, x0, :lo12:page_pool
    ret
    .global code_page_base
code_page_base:
    adrp    x0, code_page
    add     x0, x0, :lo12:code_page
    ret


// ---------------------------------------------------------------------------
    .section .bss.pool, "aw", %nobits
    .balign 0x10000
page_pool:                              // page tables and data pages (Swift: Pool)
    .space  0x20000

    .text
    .global probe_table_size            // bytes; 16 per probe
probe_table_size:
    adrp    x0, probe_table
    add     x0, x0, :lo12:probe_table
    adrp    x1, probe_table_end
    add     x1, x1, :lo12:probe_table_end
    sub     x0, x1, x0
    ret
