// Calibration microbenchmarks for `--timing a53` (make calibrate): each runs a loop between two
// reads of PMCCNTR_EL0 and prints "<name> <cycles per operation x 100>" on the console;
// scripts/calibrate.py compares them with the published Cortex-A53 figures. Bare metal at EL2
// on the Raspberry Pi 3 board (RAM at 0, the mini UART's data register at -DUART_IO), with an
// identity map (2 MiB blocks: RAM Normal write-back, the peripherals Device) so unaligned and
// cacheable accesses behave as under Linux.

#ifndef UART_IO
#error "UART_IO must be defined"
#endif

#define ITER 4096
#define BUF  0x01000000                 // 16 MiB: pointer chases and copies live from here on

    .text
    .global _start
_start:
    mrs     x0, mpidr_el1
    and     x0, x0, #0xff
    cbnz    x0, park
    adr     x0, stack_top
    mov     sp, x0
    bl      mmu_on
    // PMU: enable the cycle counter, counting at EL2 (PMCCFILTR_EL0.NSH).
    mov     x0, #1
    msr     pmcr_el0, x0
    mov     x0, #(1 << 27)
    msr     pmccfiltr_el0, x0
    mov     x0, #(1 << 31)
    msr     pmcntenset_el0, x0
    isb
    bl      benchmarks
    adr     x0, msg_done
    bl      puts
park:
    wfe
    b       park

// ---------------------------------------------------------------------------------------------
// Identity map at EL2: TTBR0_EL2 -> level 1 (1 GiB per entry) -> level 2 (2 MiB blocks).
mmu_on:
    adr     x0, l2_table
    mov     x1, #0                      // block index
1:  lsl     x2, x1, #21
    cmp     x1, #504                    // 0x3F000000 and up: peripherals
    mov     x3, #0x705                  // AF, inner shareable, AttrIndx 1 (Normal), block
    mov     x4, #0x401                  // AF, AttrIndx 0 (Device), block
    csel    x3, x3, x4, lo
    orr     x2, x2, x3
    str     x2, [x0, x1, lsl #3]
    add     x1, x1, #1
    cmp     x1, #512
    b.lo    1b
    adr     x1, l1_table
    orr     x0, x0, #3                  // table descriptor
    str     x0, [x1]
    mov     x0, #0xFF00                 // MAIR: attr0 Device-nGnRnE, attr1 Normal WB
    msr     mair_el2, x0
    ldr     x0, =0x80803519             // TCR_EL2: RES1, T0SZ 25, WBWA, inner shareable, 4K
    msr     tcr_el2, x0
    msr     ttbr0_el2, x1
    isb
    mrs     x0, sctlr_el2
    orr     x0, x0, #1                  // M
    orr     x0, x0, #(1 << 2)           // C
    orr     x0, x0, #(1 << 12)          // I
    msr     sctlr_el2, x0
    isb
    ret

// ---------------------------------------------------------------------------------------------
// Console: puts(x0 = NUL-terminated string), putdec(x0).
puts:
    ldr     x1, =UART_IO
1:  ldrb    w2, [x0], #1
    cbz     w2, 2f
    str     w2, [x1]
    b       1b
2:  ret

putdec:                                 // x0 -> decimal, then newline
    adr     x1, numbuf + 31
    mov     w2, #10
    strb    wzr, [x1]
    sub     x1, x1, #1
    strb    w2, [x1]
1:  udiv    x3, x0, x2
    msub    x4, x3, x2, x0
    add     w4, w4, #'0'
    sub     x1, x1, #1
    strb    w4, [x1]
    mov     x0, x3
    cbnz    x0, 1b
    mov     x0, x1
    b       puts

// report(x0 = name, x1 = cycles, x2 = operations): "<name> <cycles * 100 / operations>"
report:
    stp     x29, x30, [sp, #-32]!
    stp     x1, x2, [sp, #16]
    bl      puts
    ldp     x1, x2, [sp, #16]
    mov     x3, #100
    mul     x1, x1, x3
    udiv    x0, x1, x2
    bl      putdec
    ldp     x29, x30, [sp], #32
    ret

.macro START
    isb
    mrs     x20, pmccntr_el0
.endm
// STOP name, operations (a register or immediate)
.macro STOP name, ops
    isb
    mrs     x21, pmccntr_el0
    sub     x1, x21, x20
    ldr     x2, =\ops
    adr     x0, \name
    bl      report
.endm
.macro ADD8
    add     x0, x0, #1
    add     x1, x1, #1
    add     x2, x2, #1
    add     x3, x3, #1
    add     x4, x4, #1
    add     x5, x5, #1
    add     x6, x6, #1
    add     x7, x7, #1
.endm
.macro COPY64                           // as a tuned memcpy does: four loads, then four stores
    ldp     x2, x3, [x1]
    ldp     x4, x5, [x1, #16]
    ldp     x6, x7, [x1, #32]
    ldp     x10, x11, [x1, #48]
    stp     x2, x3, [x0]
    stp     x4, x5, [x0, #16]
    stp     x6, x7, [x0, #32]
    stp     x10, x11, [x0, #48]
    add     x1, x1, #64
    add     x0, x0, #64
.endm
// BRANCH_LOOP op: ITER iterations of an LCG step and a TBZ on bit 40 of "op x8, x5, <x5 or xzr>":
// orr keeps the random bit, bic clears it (the same dependency chain either way); x1 = cycles.
.macro BRANCH_LOOP op
    mov     x9, #ITER
    START
1:  madd    x5, x5, x6, x7
    .ifc \op, orr
    orr     x8, x5, xzr
    .else
    bic     x8, x5, x5
    .endif
    tbz     x8, #40, 2f
    nop
2:  subs    x9, x9, #1
    b.ne    1b
    isb
    mrs     x21, pmccntr_el0
    sub     x1, x21, x20
.endm
.macro REPEAT n, insn:vararg
    .rept \n
    \insn
    .endr
.endm

// chase_setup x0 = base, x1 = lines, x2 = step (lines, coprime with x1), x3 = offset in line:
// line i holds the address of line (i + step) mod lines, at the same offset.
chase_setup:
    mov     x4, #0
1:  add     x5, x4, x2
    udiv    x6, x5, x1
    msub    x5, x6, x1, x5              // (i + step) mod lines
    add     x5, x0, x5, lsl #6
    add     x5, x5, x3
    add     x7, x0, x4, lsl #6
    add     x7, x7, x3
    str     x5, [x7]
    add     x4, x4, #1
    cmp     x4, x1
    b.lo    1b
    ret

// chase x0 = start, x1 = loads: x0 = [x0] repeated, 32 per loop (the loop's own cycles vanish
// in the rounding).
chase:
1:  REPEAT 32, ldr x0, [x0]
    subs    x1, x1, #32
    b.hi    1b
    ret

benchmarks:
    stp     x29, x30, [sp, #-16]!

    // Independent integer adds: 64 a loop.
    mov     x9, #ITER
    START
1:  REPEAT 8, ADD8
    subs    x9, x9, #1
    b.ne    1b
    STOP n_add, ITER * 64

    // Loads of one L1-resident doubleword, 32 a loop; then stores.
    adr     x8, scratch
    mov     x9, #ITER
    START
1:  REPEAT 32, ldr x0, [x8]
    subs    x9, x9, #1
    b.ne    1b
    STOP n_ldr, ITER * 32
    mov     x9, #ITER
    START
1:  REPEAT 32, str x0, [x8]
    subs    x9, x9, #1
    b.ne    1b
    STOP n_str, ITER * 32

    // Load-to-use: a pointer chasing itself (LDR X), an LDRSW chase, and an LDR X chase whose
    // pointer crosses a cache line.
    adr     x0, scratch
    str     x0, [x0]
    mov     x1, #ITER * 8
    START
    bl      chase
    STOP n_ldr_use, ITER * 8
    adr     x0, scratch
    str     w0, [x0]
    mov     x9, #ITER
    START
1:  REPEAT 32, ldrsw x0, [x0]
    subs    x9, x9, #1
    b.ne    1b
    STOP n_ldrsw_use, ITER * 32
    adr     x0, scratch + 60           // crosses into the next line
    str     x0, [x0]
    mov     x1, #ITER * 8
    START
    bl      chase
    STOP n_ldr_cross, ITER * 8

    // L2 hits: a 128 KiB chase (2048 lines, 97 lines apart).
    ldr     x0, =BUF
    mov     x1, #2048
    mov     x2, #97
    mov     x3, #0
    bl      chase_setup
    ldr     x0, =BUF
    mov     x1, #ITER * 8
    START
    bl      chase
    STOP n_l2, ITER * 8

    // DRAM: 2 MiB and 64 MiB chases (32768 and 1048576 lines).
    ldr     x0, =BUF
    mov     x1, #32768
    mov     x2, #97
    mov     x3, #8
    bl      chase_setup
    ldr     x0, =BUF + 8
    mov     x1, #ITER * 4
    START
    bl      chase
    STOP n_dram2, ITER * 4
    ldr     x0, =BUF
    mov     x1, #0x100000
    ldr     x2, =1531
    mov     x3, #16
    bl      chase_setup
    ldr     x0, =BUF + 16
    mov     x1, #ITER * 4
    START
    bl      chase
    STOP n_dram64, ITER * 4

    // Branch misprediction: a TBZ on a pseudo-random bit (an LCG's bit 40; the predictor gets about
    // half wrong) against the same loop on a bit that is always clear, computed just as late; twice
    // the difference per branch.
    ldr     x6, =6364136223846793005
    ldr     x7, =1442695040888963407
    mov     x5, #1
    BRANCH_LOOP orr
    mov     x22, x1
    BRANCH_LOOP bic
    mov     x21, x1
    sub     x1, x22, x21
    lsl     x1, x1, #1
    ldr     x2, =ITER
    adr     x0, n_mispredict
    bl      report

    // Calls: BL to a RET, 8 a loop; BLR likewise.
    mov     x9, #ITER
    START
1:  REPEAT 8, bl leaf
    subs    x9, x9, #1
    b.ne    1b
    STOP n_blret, ITER * 8
    adr     x10, leaf
    mov     x9, #ITER
    START
1:  REPEAT 8, blr x10
    subs    x9, x9, #1
    b.ne    1b
    STOP n_blrret, ITER * 8

    // Multiply and FP latencies: dependent chains of 16.
    mov     x1, #3
    mov     x2, #5
    mov     x9, #ITER
    START
1:  REPEAT 16, mul x0, x0, x1
    subs    x9, x9, #1
    b.ne    1b
    STOP n_mul, ITER * 16
    mov     x9, #ITER
    START
1:  REPEAT 16, madd x0, x0, x1, x2
    subs    x9, x9, #1
    b.ne    1b
    STOP n_madd, ITER * 16
    mov     x9, #ITER
    START
1:  REPEAT 16, umulh x0, x0, x1
    subs    x9, x9, #1
    b.ne    1b
    STOP n_umulh, ITER * 16
    fmov    d1, #1.0
    fmov    d2, #0.5
    mov     x9, #ITER
    START
1:  REPEAT 16, fadd d0, d0, d1
    subs    x9, x9, #1
    b.ne    1b
    STOP n_fadd, ITER * 16
    mov     x9, #ITER
    START
1:  REPEAT 16, fmul d0, d0, d1
    subs    x9, x9, #1
    b.ne    1b
    STOP n_fmul, ITER * 16
    mov     x9, #ITER
    START
1:  REPEAT 16, fmadd d0, d0, d1, d2
    subs    x9, x9, #1
    b.ne    1b
    STOP n_fmadd, ITER * 16

    // Bandwidth over 8 MiB: memset (STP of zero registers) and memcpy (LDP/STP), cycles per 64 bytes.
    ldr     x0, =BUF
    ldr     x9, =0x800000 / 64
    START
1:  REPEAT 4, stp xzr, xzr, [x0], #16
    subs    x9, x9, #1
    b.ne    1b
    STOP n_memset, 0x800000 / 64
    ldr     x0, =BUF
    ldr     x1, =BUF + 0x1000000
    ldr     x9, =0x800000 / 64
    START
1:  COPY64
    subs    x9, x9, #1
    b.ne    1b
    STOP n_memcpy, 0x800000 / 64

    ldp     x29, x30, [sp], #16
    ret

leaf:
    ret

    .section .rodata
n_add:       .asciz "add-throughput "
n_ldr:       .asciz "load-throughput "
n_str:       .asciz "store-throughput "
n_ldr_use:   .asciz "ldr-load-to-use "
n_ldrsw_use: .asciz "ldrsw-load-to-use "
n_ldr_cross: .asciz "ldr-line-crossing-load-to-use "
n_l2:        .asciz "l2-hit-load-to-use "
n_dram2:     .asciz "dram-2mib-load "
n_dram64:    .asciz "dram-64mib-load "
n_mispredict: .asciz "branch-mispredict "
n_blret:     .asciz "bl-ret "
n_blrret:    .asciz "blr-ret "
n_mul:       .asciz "mul-latency "
n_madd:      .asciz "madd-latency "
n_umulh:     .asciz "umulh-latency "
n_fadd:      .asciz "fadd-latency "
n_fmul:      .asciz "fmul-latency "
n_fmadd:     .asciz "fmadd-latency "
n_memset:    .asciz "memset-per-64-bytes "
n_memcpy:    .asciz "memcpy-per-64-bytes "
msg_done:    .asciz "calibrate: done\n"

    .data
    .balign 64
scratch:     .fill 32, 8, 0
numbuf:      .fill 32, 1, 0

    .bss
    .balign 4096
l1_table:    .skip 4096
l2_table:    .skip 4096
    .balign 16
stack:       .skip 8192
stack_top:
