// codemod: entry, the patchable code and the cross-modifying writer (see Main.swift).

#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    PARK_SECONDARIES
    adrp    x0, stack_top
    add     x0, x0, :lo12:stack_top
    mov     sp, x0
    ZERO_BSS
    bl      codemod_main
    b       halt

    .text
    // call_at(address) -> x0: calls the code at `address`.
    .global call_at
call_at:
    mov     x16, x0
    br      x16

    // call_many(address, n) -> the sum of n calls' results: the callee's code runs hot.
    .global call_many
call_many:
    stp     x29, x30, [sp, #-32]!
    stp     x19, x20, [sp, #16]
    mov     x19, x0
    mov     x20, x1
    mov     x29, #0
1:  blr     x19
    add     x29, x29, x0
    subs    x20, x20, #1
    b.ne    1b
    mov     x0, x29
    ldp     x19, x20, [sp, #16]
    ldp     x29, x30, [sp], #32
    ret

    // patch(address, word): stores an instruction and makes it visible to instruction fetch
    // (the sequence the Arm ARM gives for self-modifying code).
    .global patch
patch:
    str     w1, [x0]
    dc      cvau, x0
    dsb     ish
    ic      ivau, x0
    dsb     ish
    isb
    ret

    // self_patch(word) -> x0: rewrites an instruction of its own straight-line run, then runs it.
    .global self_patch
self_patch:
    adr     x2, 1f
    str     w0, [x2]
    dc      cvau, x2
    dsb     ish
    ic      ivau, x2
    dsb     ish
    isb
1:  movz    x0, #0
    ret

    // loop_patch(n) -> the sum of i for i < n, where iteration i first rewrites the loop's own
    // ADD to add i: a loop that changes its body each time round, within one page.
    .global loop_patch
loop_patch:
    mov     x5, #0
    mov     x6, #0
    adr     x2, 2f
    ldr     w7, 2f                      // ADD X5, X5, #0 as assembled
1:  orr     w8, w7, w6, lsl #10         // imm12 is bits 21:10
    str     w8, [x2]
    dc      cvau, x2
    dsb     ish
    ic      ivau, x2
    dsb     ish
    isb
2:  add     x5, x5, #0
    add     x6, x6, #1
    cmp     x6, x0
    b.lo    1b
    mov     x0, x5
    ret

    // wait_done() -> x0: spins until the writer's done flag is set, then ISB (the observer's half
    // of cross-modification), and returns the patchable routine's result.
    .global wait_done
wait_done:
    adrp    x1, done_flag
    add     x1, x1, :lo12:done_flag
1:  ldr     w2, [x1]
    cbz     w2, 1b
    isb
    adrp    x16, patchable
    add     x16, x16, :lo12:patchable
    br      x16

    // The second CPU (PSCI CPU_ON, context id in x0 = the word to write): stores it over
    // `patchable`, cleans and invalidates, then sets the done flag and parks.
    .global writer_entry
writer_entry:
    adrp    x1, patchable
    add     x1, x1, :lo12:patchable
    str     w0, [x1]
    dc      cvau, x1
    dsb     ish
    ic      ivau, x1
    dsb     ish
    adrp    x2, done_flag
    add     x2, x2, :lo12:done_flag
    mov     w3, #1
    str     w3, [x2]
    dsb     ish
    b       halt

    // The routine the checks rewrite, alone in its page.
    .section .text.patchable, "ax"
    .balign 4096
    .global patchable
patchable:
    movz    x0, #1
    ret
    .balign 4096

    .bss
    .balign 8
    .global done_flag
done_flag:
    .word   0
    .word   0

    .section .bss.stack, "aw", %nobits
    .balign 16
    .skip   16384
stack_top:

    .text
    .global patchable_address
patchable_address:
    adrp    x0, patchable
    add     x0, x0, :lo12:patchable
    ret
    .global writer_address
writer_address:
    adrp    x0, writer_entry
    add     x0, x0, :lo12:writer_entry
    ret

    // cpu_on(mpidr, entry, context) -> x0: PSCI CPU_ON (SMC64) over SMC.
    .global cpu_on
cpu_on:
    mov     x3, x2
    mov     x2, x1
    mov     x1, x0
    movz    w0, #0x0003
    movk    w0, #0xC400, lsl #16
    smc     #0
    ret
