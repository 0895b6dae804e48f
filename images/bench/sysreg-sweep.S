// System-register sweep (M2.12): for every op0 2/3 encoding, MRS then MSR of the value read (0
// when the read faulted), each executed from a one-instruction slot rewritten in place, at the
// exception level and under the trap configuration that scripts/sysreg-sweep.sh passes in:
//   SWEEP_EL 0 or 1; HCR, MDCR, CPTR, CNTHCTL (EL2's traps); SCTLR, CNTKCTL, PMUSERENR, MDSCR,
//   CPACR (what EL1 opens to EL0). Everything is programmed from EL2, which then ERETs straight
// to the sweep at EL1 or EL0.
// Prints one line per (op0, op1, CRn): 128 pairs of characters for CRm:op2, MRS then MSR:
//   '.' completed;
//   taken to EL1: 'U' UNDEFINED (EC 0x00), 'S' trapped system register (EC 0x18), 'F' FP/SIMD
//   access trap (EC 0x07), 'x' anything else;
//   taken to EL2: '2' trapped system register (EC 0x18), 'f' FP/SIMD access trap, 'y' else;
//   '!' an EC 0x18 whose ISS does not describe the instruction (op0..op2, Rt, direction, IL).
// Run on sim and on QEMU (-cpu cortex-a53, virtualization=on) and diff: scripts/sysreg-sweep.sh.
    .global _start
    .equ UART, 0x09000000
// setreg REG, VALUE: a configuration register from a constant.
.macro setreg reg, value
    ldr x0, =\value
    msr \reg, x0
.endm

_start:
    setreg sctlr_el1, SCTLR
    setreg cntkctl_el1, CNTKCTL
    setreg pmuserenr_el0, PMUSERENR
    setreg mdscr_el1, MDSCR
    setreg cpacr_el1, CPACR
    setreg sp_el1, 0x40400000           // EL1 stack (the sweep itself uses none)
    adr x0, el1_vectors
    msr vbar_el1, x0
    adr x0, el2_vectors
    msr vbar_el2, x0
    setreg mdcr_el2, MDCR
    setreg cptr_el2, CPTR
    setreg cnthctl_el2, CNTHCTL
    setreg hcr_el2, HCR
    mov x0, #(0x3c0 | (SWEEP_EL << 2) | (SWEEP_EL & 1))   // EL1h or EL0t, DAIF masked
    msr spsr_el2, x0
    adr x0, sweep
    msr elr_el2, x0
    isb
    eret

sweep:
    mov x19, #0                         // encoding index: op0-2 (1 bit), op1, CRn, CRm, op2 = 15 bits
outer:
    // Line header: op0 op1 CRn as three hex digits and a space.
    and x0, x19, #0x7f                  // CRm:op2 == 0 starts a line
    cbnz x0, 1f
    lsr x0, x19, #14
    add x0, x0, #2
    bl puthex
    lsr x0, x19, #11
    and x0, x0, #7
    bl puthex
    lsr x0, x19, #7
    and x0, x0, #15
    bl puthex
    mov x0, #' '
    bl putc
1:  // MRS x1, <enc>: 0xD5300000 | op0bit << 19 | enc(op1:CRn:CRm:op2) << 5 | Rt 1
    lsr x2, x19, #14
    and x3, x19, #0x3fff
    ldr w4, =0xd5300001
    orr w4, w4, w2, lsl #19
    orr w4, w4, w3, lsl #5
    mov x1, #0
    bl run_slot
    bl putresult
    // MSR <enc>, x1: 0xD5100000 | ... (x1 holds what the MRS read, or 0)
    lsr x2, x19, #14
    and x3, x19, #0x3fff
    ldr w4, =0xd5100001
    orr w4, w4, w2, lsl #19
    orr w4, w4, w3, lsl #5
    bl run_slot
    bl putresult
    add x19, x19, #1
    and x0, x19, #0x7f
    cbnz x0, 2f
    mov x0, #'\n'
    bl putc
2:  mov x0, #0x8000
    cmp x19, x0
    b.lo outer
    mov x0, #'E'
    bl putc
    mov x0, #'\n'
    bl putc
#if SWEEP_EL == 0
    svc #2                              // EL1 asks EL2, which asks the firmware, to power off
#else
    ldr x0, =0x84000008                 // PSCI SYSTEM_OFF (HVC at EL1 reaches EL2: do it from there)
    hvc #1
#endif

// Write w4 into the slot and make it visible to instruction fetch (through EL1 when sweeping
// EL0, which may not be allowed to), then call it. x20 = result, x24 = the ISS a trap of this
// instruction must report: Op0, Op2, Op1, CRn, Rt, CRm, direction (Arm ARM D17.2.37, EC 0x18).
run_slot:
    ubfx x24, x4, #19, #2
    lsl x24, x24, #20
    ubfx x25, x4, #5, #3
    orr x24, x24, x25, lsl #17
    ubfx x25, x4, #16, #3
    orr x24, x24, x25, lsl #14
    ubfx x25, x4, #12, #4
    orr x24, x24, x25, lsl #10
    ubfx x25, x4, #0, #5
    orr x24, x24, x25, lsl #5
    ubfx x25, x4, #8, #4
    orr x24, x24, x25, lsl #1
    ubfx x25, x4, #21, #1
    orr x24, x24, x25
    orr x24, x24, #(1 << 25)            // IL: a 32-bit instruction
    adr x5, slot
#if SWEEP_EL == 0
    svc #1
#else
    mov x21, x30
    bl write_slot
    mov x30, x21
#endif
    mov x20, #'.'
    mov x21, x30
    blr x5
    mov x30, x21
    ret

write_slot:
    str w4, [x5]
    dc cvau, x5
    dsb ish
    ic ivau, x5
    dsb ish
    isb
    ret

// Print x20.
putresult:
    mov x22, x30
    mov x0, x20
    bl putc
    mov x30, x22
    ret

puthex:
    and x0, x0, #15
    cmp x0, #10
    add x1, x0, #'0'
    add x2, x0, #('a' - 10)
    csel x0, x1, x2, lo
putc:
    ldr x9, =UART
1:  ldr w10, [x9, #0x18]
    tbnz w10, #5, 1b
    str w0, [x9]
    ret

    .balign 64
slot:
    nop
    ret

// x20 = the letter for ESR x10 taken to EL1 (x11 = 'U', 'S', 'F', 'x') or EL2.
.macro classify undef, sys, fp, other
    lsr x11, x10, #26
    mov x20, #\undef
    cbz x11, 9f
    mov x20, #\fp
    cmp x11, #0x07
    b.eq 9f
    mov x20, #\other
    cmp x11, #0x18
    b.ne 9f
    mov x20, #\sys
    and x12, x10, #0x3ffffff
    cmp x12, x24
    b.eq 9f
    mov x20, #'!'
9:
.endm

// EL1 synchronous exceptions: from the sweep at EL1 (current EL) or at EL0 (lower EL, where an
// SVC is the sweep's own request: #1 write the slot, #2 power off). Record and skip the slot.
    .balign 2048
el1_vectors:
    .skip 0x200
    mrs x10, esr_el1
    b el1_record
    .balign 0x200
    mrs x10, esr_el1                    // lower EL, AArch64, synchronous
    lsr x11, x10, #26
    cmp x11, #0x15
    b.ne el1_record
    and x11, x10, #0xffff
    cmp x11, #2
    b.eq 1f
    mov x23, x30
    bl write_slot
    mov x30, x23
    eret
1:  ldr x0, =0x84000008
    hvc #1
el1_record:
    classify 'U', 'S', 'F', 'x'
    mrs x10, elr_el1
    add x10, x10, #4
    msr elr_el1, x10
    eret

// EL2: an access that trapped (the HVC that ends the run powers off from here).
    .balign 2048
el2_vectors:
    .skip 0x400
    mrs x10, esr_el2
    lsr x11, x10, #26
    cmp x11, #0x16                      // HVC: SYSTEM_OFF through firmware PSCI (SMC)
    b.ne 1f
    smc #0
    b .
1:  classify 'u', '2', 'f', 'y'
    mrs x10, elr_el2
    add x10, x10, #4
    msr elr_el2, x10
    eret
