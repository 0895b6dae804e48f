// Integer compute loop for `make bench` (a): ALU, multiply, loads and stores in a 4 KiB buffer,
// a conditional branch per iteration. Starts at EL2 (PSCI over SMC) and powers off at the end.
    .global _start
_start:
    ldr x0, =30000000
    mov x1, #1
    mov x2, #0
    adr x3, buf
1:  add x2, x2, x1
    eor x1, x1, x2, lsl #3
    mul x4, x1, x2
    and x5, x4, #0xff8
    ldr x6, [x3, x5]
    add x6, x6, x4
    str x6, [x3, x5]
    subs x0, x0, #1
    b.ne 1b
    movz x0, #0x8400, lsl #16
    add x0, x0, #8          // PSCI SYSTEM_OFF
    smc #0
    b .
    .balign 4096
buf: .skip 4096
