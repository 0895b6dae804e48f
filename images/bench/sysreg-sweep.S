// System-register sweep (M2.12, first cut): at EL1 (entered at EL2, HCR_EL2 = RW only), for
// every op0 2/3 encoding, MRS then MSR of the value read (0 when the read faulted), each
// executed from a one-instruction slot rewritten in place. Prints one line per (op0, op1, CRn):
// 128 pairs of characters for CRm:op2, MRS then MSR: '.' completed, 'U' UNDEFINED at EL1
// (EC 0), '2' taken to EL2, or the hex digit of another EC at EL1 ('x' for EC >= 16). Run on
// sim and on QEMU (-cpu cortex-a53, virtualization=on) and diff: scripts/sysreg-sweep.sh.
    .global _start
    .equ UART, 0x09000000
_start:
    mov x0, #(1 << 31)                  // HCR_EL2.RW, no traps
    msr hcr_el2, x0
    msr cptr_el2, xzr
    mov x0, #3
    msr cnthctl_el2, x0
    adr x0, el2_vectors
    msr vbar_el2, x0
    adr x0, el1_vectors
    msr vbar_el1, x0
    mov x0, #(3 << 20)                  // CPACR_EL1.FPEN
    msr cpacr_el1, x0
    ldr x0, =0x40400000                 // EL1 stack
    msr sp_el1, x0
    mov x0, #0x3c5                      // EL1h, DAIF masked
    msr spsr_el2, x0
    adr x0, el1
    msr elr_el2, x0
    isb
    eret

el1:
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
    ldr x0, =0x84000008                 // PSCI SYSTEM_OFF (HVC at EL1 reaches EL2: do it from there)
    hvc #1

// Write w4 into the slot, make it visible to instruction fetch, call it. x20 = result code.
run_slot:
    adr x5, slot
    str w4, [x5]
    dc cvau, x5
    dsb ish
    ic ivau, x5
    dsb ish
    isb
    mov x20, #'.'
    mov x21, x30
    blr x5
    mov x30, x21
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

// EL1 synchronous exception: record 'U' for EC 0 or the EC's digit, skip the instruction.
    .balign 2048
el1_vectors:
    .skip 0x200
    mrs x10, esr_el1
    lsr x10, x10, #26
    mov x20, #'U'
    cbz x10, 1f
    mov x20, #'x'
    cmp x10, #16
    b.hs 1f
    cmp x10, #10
    add x11, x10, #'0'
    add x12, x10, #('a' - 10)
    csel x20, x11, x12, lo
1:  mrs x10, elr_el1
    add x10, x10, #4
    msr elr_el1, x10
    eret

// EL2: an access that trapped (the HVC that ends the run powers off from here).
    .balign 2048
el2_vectors:
    .skip 0x400
    mrs x10, esr_el2
    lsr x10, x10, #26
    cmp x10, #0x16                      // HVC: SYSTEM_OFF through firmware PSCI (SMC)
    b.ne 1f
    smc #0
    b .
1:  mov x20, #'2'
    mrs x10, elr_el2
    add x10, x10, #4
    msr elr_el2, x10
    eret
