// Per-EL stacks and the call-down trampoline, for the test guests that list common/lower.S (their
// _start is PER_EL_START of entry.inc). call_lower runs a function one EL down with ERET; the
// function comes back with "SVC/HVC/SMC #0xFFFF", which the guest's guest_exception answers with
// 1, so that vectors.S ends in call_return. Bodies at EL0 run exactly lower_entry_el0's
// instructions around them (pmutest counts them).

#include "addr.inc"

#define STACK_SIZE  0x4000          // per EL; stack for EL n is stacks[n]
#define JMPBUF_SIZE 0x80            // per EL; see call_lower

    .text
    // x0 = top of the stack for EL x1 (leaf, uses x0 and x1 only).
    .global stack_top_for
stack_top_for:
    adrp    x0, stacks
    add     x0, x0, :lo12:stacks
    add     x1, x1, #1
    add     x0, x0, x1, lsl #14         // STACK_SIZE
    ret

    .global el_stack_top                // Swift: elStackTop(el)
el_stack_top:
    mov     x1, x0
    b       stack_top_for

// ---------------------------------------------------------------------------
// call_lower(fn, arg) -> UInt64, at EL n >= 1: run fn(arg) at EL n-1 and
// return its result. Saves x19-x30 and SP in jmpbufs[n], sets SP_EL(n-1) to
// the top of that EL's stack, and ERETs (DAIF masked, SPx, or SP_EL0 for EL0)
// into lower_entry_el(n-1). That entry calls fn and then returns its result
// with "SVC/HVC/SMC #0xFFFF" (EL0/EL1/EL2); EL n's vector recognises the
// immediate and ends up in call_return, which restores the saved context.
// ---------------------------------------------------------------------------
    .global call_lower
call_lower:
    mrs     x9, CurrentEL
    ubfx    x9, x9, #2, #2
    adrp    x10, jmpbufs
    add     x10, x10, :lo12:jmpbufs
    add     x10, x10, x9, lsl #7        // JMPBUF_SIZE
    stp     x19, x20, [x10, #0]
    stp     x21, x22, [x10, #16]
    stp     x23, x24, [x10, #32]
    stp     x25, x26, [x10, #48]
    stp     x27, x28, [x10, #64]
    stp     x29, x30, [x10, #80]
    mov     x11, sp
    str     x11, [x10, #96]
    mov     x12, x0                     // fn
    mov     x13, x1                     // arg
    sub     x1, x9, #1
    bl      stack_top_for               // x0 = top of EL n-1 stack
    mov     x1, x13
    cmp     x9, #2
    b.eq    from_el2
    b.hi    from_el3
    // EL1 -> EL0t
    msr     sp_el0, x0
    adr     x0, lower_entry_el0
    msr     elr_el1, x0
    mov     x0, #0x3c0                  // DAIF masked, M = EL0t
    msr     spsr_el1, x0
    mov     x0, x12
    eret
from_el2:                               // EL2 -> EL1h
    msr     sp_el1, x0
    adr     x0, lower_entry_el1
    msr     elr_el2, x0
    mov     x0, #0x3c5                  // DAIF masked, M = EL1h
    msr     spsr_el2, x0
    mov     x0, x12
    eret
from_el3:                               // EL3 -> EL2h (Non-secure: SCR_EL3.NS is set)
    msr     sp_el2, x0
    adr     x0, lower_entry_el2
    msr     elr_el3, x0
    mov     x0, #0x3c9                  // DAIF masked, M = EL2h
    msr     spsr_el3, x0
    mov     x0, x12
    eret

lower_entry_el0:
    mov     x16, x0
    mov     x0, x1
    blr     x16
    svc     #0xffff
    b       .
lower_entry_el1:
    mov     x16, x0
    mov     x0, x1
    blr     x16
    hvc     #0xffff
    b       .
lower_entry_el2:
    mov     x16, x0
    mov     x0, x1
    blr     x16
    smc     #0xffff
    b       .

    // call_return: from a vector at EL x1 with the result in x0; longjmp to
    // the caller of call_lower at that EL (PSTATE is already EL n, SPx, DAIF masked).
    .global call_return
call_return:
    adrp    x10, jmpbufs
    add     x10, x10, :lo12:jmpbufs
    add     x10, x10, x1, lsl #7
    ldp     x19, x20, [x10, #0]
    ldp     x21, x22, [x10, #16]
    ldp     x23, x24, [x10, #32]
    ldp     x25, x26, [x10, #48]
    ldp     x27, x28, [x10, #64]
    ldp     x29, x30, [x10, #80]
    ldr     x11, [x10, #96]
    mov     sp, x11
    ret

    // Where software-step checks expect the entries' instructions.
    ADDR lower_entry_el0
    ADDR lower_entry_el1

    .section .bss.stacks, "aw", %nobits
    .balign 16
stacks:                                 // stacks[el], each STACK_SIZE, grows down
    .space  4 * STACK_SIZE
jmpbufs:                                // jmpbufs[el]: x19-x30, sp
    .space  4 * JMPBUF_SIZE
