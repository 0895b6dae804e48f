// Entry and the code the "smctest" checks rewrite. Self-modifying code follows the architecture's
// recipe for instruction-cache coherency (Arm ARM B2.4.4): store, DC CVAU, DSB ISH, IC IVAU,
// DSB ISH, ISB. Cross-modifying code: the writing core does all but the ISB, then publishes a
// flag with a release store; the executing core sees the flag with an acquire load and runs an
// ISB before it executes the new code. Halt, PSCI and memset are in ../common/runtime.S.

#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    SINGLE_CPU_START stack_top, smctest_main                // never returns

    .text
    // patch_insn(addr, word): the word replaces the instruction at addr, made visible to this core.
    .global patch_insn
patch_insn:
    str     w1, [x0]
    dc      cvau, x0
    dsb     ish
    ic      ivau, x0
    dsb     ish
    isb
    ret

    // patched() -> w0: a function whose first instruction the checks rewrite.
    .global patched
patched:
    movz    w0, #0
    ret

    // patch_ahead(word) -> w0: rewrites an instruction further down its own straight-line run,
    // then runs into it.
    .global patch_ahead
patch_ahead:
    adr     x1, 1f
    str     w0, [x1]
    dc      cvau, x1
    dsb     ish
    ic      ivau, x1
    dsb     ish
    isb
1:  movz    w0, #0
    ret

    // count_loop(n) -> x0: runs the add at loop_add n times from 0 (a hot loop the checks rewrite).
    .global count_loop
    .global loop_add
count_loop:
    mov     x1, x0
    mov     x0, #0
loop_add:
    add     x0, x0, #1
    subs    x1, x1, #1
    b.ne    loop_add
    ret

    // cmp_branch(x) -> w0: 1 when x == 5, else 0; the checks rewrite the B.EQ after the compare.
    .global cmp_branch
    .global cmp_branch_site
cmp_branch:
    cmp     x0, #5
cmp_branch_site:
    b.eq    1f
    mov     w0, #0
    ret
1:  mov     w0, #1
    ret

    // xfunc() -> w0: the function the second core rewrites.
    .global xfunc
xfunc:
    movz    w0, #1
    ret

    // xmc_wait(max) -> w0: calls xfunc until the writer's flag is set (at most max times), then
    // ISB and one more call, whose result it returns; 0xffffffff when the flag never came.
    .global xmc_wait
xmc_wait:
    mov     x5, x0
    mov     x6, x30
    adrp    x2, xflag
    add     x2, x2, :lo12:xflag
1:  bl      xfunc
    ldar    w3, [x2]
    cbnz    w3, 2f
    subs    x5, x5, #1
    b.ne    1b
    mov     w0, #-1
    ret     x6
2:  isb
    bl      xfunc
    ret     x6

    // The second core's PSCI CPU_ON entry, x0 = the instruction word to write over xfunc's first.
    // It writes, cleans and invalidates (no ISB: it does not run the code), publishes the flag, parks.
    .global xmc_writer
xmc_writer:
    adr     x1, xfunc
    str     w0, [x1]
    dc      cvau, x1
    dsb     ish
    ic      ivau, x1
    dsb     ish
    adrp    x2, xflag
    add     x2, x2, :lo12:xflag
    mov     w3, #1
    stlr    w3, [x2]
    b       halt

    .bss
    .balign 16
xflag:  .skip 16
stack:  .skip 0x4000
stack_top:

    .text
    .global patched_address
patched_address:
    adr     x0, patched
    ret
    .global loop_add_address
loop_add_address:
    adr     x0, loop_add
    ret
    .global xmc_writer_address
xmc_writer_address:
    adr     x0, xmc_writer
    ret
    .global cmp_branch_site_address
cmp_branch_site_address:
    adr     x0, cmp_branch_site
    ret
