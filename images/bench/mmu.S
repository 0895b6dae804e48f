// MMU workload for `make bench` (b): EL1 with 4 KiB pages over 64 MiB, strided accesses that
// miss any small TLB, and an SVC round trip every 16 accesses. Entered at EL2 (PSCI over SMC).
    .global _start
    .equ REGION, 0x42000000          // 64 MiB mapped with 4 KiB pages (fits QEMU's default 128 MiB)
    .equ TABLES, 0x40200000          // L1, L2 and 32 L3 tables
_start:
    // L1[1] -> L2; L2[0] -> 2 MiB block for code at 0x40000000; L2[8..39] -> L3 tables.
    ldr x0, =TABLES
    add x1, x0, #0x1000              // L2
    orr x2, x1, #3
    str x2, [x0, #8]
    ldr x2, =0x40000000 | 0x701      // block, AF, inner shareable, attr 0
    str x2, [x1]
    ldr x3, =TABLES + 0x2000         // first L3
    mov x4, #16                      // L2 index of REGION
    ldr x5, =REGION | 0x703          // page descriptor template
2:  orr x2, x3, #3
    str x2, [x1, x4, lsl #3]
    mov x6, #0
3:  str x5, [x3, x6, lsl #3]
    add x5, x5, #0x1000
    add x6, x6, #1
    cmp x6, #512
    b.ne 3b
    add x3, x3, #0x1000
    add x4, x4, #1
    cmp x4, #48
    b.ne 2b
    // Drop to EL1 (AArch64: HCR_EL2.RW) with the MMU on.
    mov x0, #(1 << 31)
    msr hcr_el2, x0
    adr x0, vectors
    msr vbar_el1, x0
    mov x0, #0xff
    msr mair_el1, x0
    ldr x0, =(32 | (1 << 23) | (2 << 32))   // T0SZ 32, EPD1, IPS 40 bits, 4K
    msr tcr_el1, x0
    ldr x0, =TABLES
    msr ttbr0_el1, x0
    ldr x0, =0x30d00801
    msr sctlr_el1, x0
    mov x0, #0x3c5
    msr spsr_el2, x0
    adr x0, el1
    msr elr_el2, x0
    eret
el1:
    ldr x0, =4000000                 // iterations
    ldr x1, =REGION
    mov x2, #0                       // offset
    ldr x3, =(7 * 4096 + 64)         // stride: a new page every access
    ldr x4, =0x3ffffff               // 64 MiB - 1
4:  ldr x5, [x1, x2]
    add x5, x5, x0
    str x5, [x1, x2]
    add x2, x2, x3
    and x2, x2, x4
    and x2, x2, #~7
    tst x0, #15
    b.ne 5f
    svc #0
5:  subs x0, x0, #1
    b.ne 4b
    movz x0, #0x8400, lsl #16
    add x0, x0, #8
    smc #0
    b .
    .balign 2048
vectors:
    .skip 0x200                      // only the current-EL, SP_ELx synchronous vector is used
    add x9, x9, #1                   // SVC from EL1
    eret
