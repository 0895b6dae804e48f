// Self-hosted debug for eltest (Debug.swift): the debug registers' accessors, the instructions
// breakpoints, watchpoints and software step are aimed at, and the variables they watch.

#include "sysreg.inc"

    SYSREG_RW mdscr_el1
    SYSREG_WO oslar_el1
    SYSREG_RO oslsr_el1
    SYSREG_RW osdlr_el1
    SYSREG_RW contextidr_el1
    SYSREG_RW dbgbvr0_el1
    SYSREG_RW dbgbcr0_el1
    SYSREG_RW dbgbvr4_el1
    SYSREG_RW dbgbcr4_el1
    SYSREG_RW dbgwvr0_el1
    SYSREG_RW dbgwcr0_el1

.macro ADDR label
    .global addr_\label
addr_\label:
    adrp    x0, \label
    add     x0, x0, :lo12:\label
    ret
.endm

    .text
    // Breakpoint target: the NOP at its start (any EL).
    .global dbg_nop
dbg_nop:
    nop
    mov     x0, #0
    ret
    ADDR dbg_nop

    // The same with PSTATE.D clear around the NOP (dbg_nop_unmasked + 4), for EL1 with KDE.
    .global dbg_nop_unmasked
dbg_nop_unmasked:
    msr     daifclr, #8
    nop
    msr     daifset, #8
    mov     x0, #0
    ret
    ADDR dbg_nop_unmasked

    // Watchpoint targets: one access to dbg_var (+ dbg_offset); the access is at label + 12.
    .global dbg_store_x
dbg_store_x:
    adrp    x1, dbg_var
    add     x1, x1, :lo12:dbg_var
    mov     x2, #0x55
    str     x2, [x1]
    mov     x0, #0
    ret
    ADDR dbg_store_x

    .global dbg_load_x
dbg_load_x:
    adrp    x1, dbg_var
    add     x1, x1, :lo12:dbg_var
    nop
    ldr     x0, [x1]
    ret
    ADDR dbg_load_x

    // STRB to dbg_var + dbg_offset.
    .global dbg_store_b
dbg_store_b:
    adrp    x1, dbg_offset
    ldr     x3, [x1, :lo12:dbg_offset]
    adrp    x1, dbg_var
    add     x1, x1, :lo12:dbg_var
    mov     w2, #0x66
    strb    w2, [x1, x3]
    mov     x0, #0
    ret
    ADDR dbg_store_b

    // Software-step bodies.
    .global dbg_step_body
dbg_step_body:
    mov     x0, #1
    add     x0, x0, #2
    add     x0, x0, #3
    ret
    ADDR dbg_step_body

    .global dbg_step_svc
dbg_step_svc:
    svc     #1
    mov     x0, #0
    ret
    ADDR dbg_step_svc

    .global dbg_step_ldxr
dbg_step_ldxr:
    adrp    x1, dbg_var
    add     x1, x1, :lo12:dbg_var
    ldxr    x2, [x1]
    clrex
    mov     x0, #0
    ret
    ADDR dbg_step_ldxr

    // EL1 probe for MDCR_EL2.TDE's trap of the debug registers.
    .global dbg_read_mdscr
dbg_read_mdscr:
    mrs     x0, mdscr_el1
    ret
    ADDR dbg_read_mdscr

    // The step log: syndromes and ELRs, in order.
    ADDR dbg_log_esr
    ADDR dbg_log_elr
    ADDR dbg_var

    .data
    .balign 64
    .global dbg_var
dbg_var:
    .fill 16, 8, 0
    .global dbg_offset
dbg_offset:
    .quad 0

    .bss
    .balign 8
dbg_log_esr:
    .fill 32, 8, 0
dbg_log_elr:
    .fill 32, 8, 0
