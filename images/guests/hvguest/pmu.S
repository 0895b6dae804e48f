// hvguest's PMU accessors and the windows test=vpmu counts (VPMU.swift). Every PMU access from
// EL1 traps to the hypervisor, which emulates it against the VM's own virtual PMU. A window is
// straight assembly: each instruction in it is known, so a count can be checked exactly.

#include "sysreg.inc"
#include "addr.inc"

    SYSREG_RW dbgbcr0_el1
// The register accessors, measure() and the NOP windows: common/pmuregs.S.

    // hvc_nops(x0 = an SMCCC function): an HVC to the hypervisor, then nops_10: 12 instructions.
hvc_nops:
    hvc     #0
    .rept 10
    nop
    .endr
    ret
    ADDR hvc_nops

    // mrs_nops: an MRS the hypervisor traps and emulates (the EL1 physical timer's control),
    // then nops_10: 12 instructions.
mrs_nops:
    mrs     x1, cntp_ctl_el0
    .rept 10
    nop
    .endr
    ret
    ADDR mrs_nops

    // load_nops(x0 = an emulated device register): a load the hypervisor emulates (a stage-2
    // fault on the VM's PL011), then nops_10: 12 instructions.
load_nops:
    ldr     w1, [x0]
    .rept 10
    nop
    .endr
    ret
    ADDR load_nops

    // gap_loop(n) -> the largest step between two reads of CNTVCT_EL0 (time the vCPU did not run,
    // if it was descheduled): n iterations of 7 instructions, 7n + 4 in all.
gap_loop:
    mov     x5, #0
    mrs     x2, cntvct_el0
1:  mrs     x3, cntvct_el0
    sub     x4, x3, x2
    cmp     x4, x5
    csel    x5, x4, x5, hi
    mov     x2, x3
    subs    x0, x0, #1
    b.ne    1b
    mov     x0, x5
    ret
    ADDR gap_loop

    // spin_until_flag(n, flag address) -> iterations left: at most n iterations with IRQs
    // unmasked (4 instructions each), until the word at the address is non-zero.
    .global spin_until_flag
spin_until_flag:
    msr     daifclr, #2
1:  ldr     w2, [x1]
    cbnz    w2, 2f
    subs    x0, x0, #1
    b.ne    1b
2:  msr     daifset, #2
    ret

    // EL0 probes el0_read_pmccntr and el0_read_pmcr: common/pmuregs.S.
