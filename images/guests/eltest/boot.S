// Entry, stacks, the call-down trampolines and small helpers for "eltest".
// Only what Swift cannot express lives here: SP setup, ERET to a lower EL,
// system-register accessors with their barriers, and the instructions the
// checks provoke exceptions with (probes). Vectors, halt, PSCI calls and memset are in
// ../common (vectors.S, runtime.S), the accessor macros in common/sysreg.inc.
// Board facts arrive as -DUART_BASE=<addr> at assemble time.

#ifndef UART_BASE
#error "UART_BASE must be defined (-DUART_BASE=0x...)"
#endif

#define STACK_SIZE  0x4000          // per EL; stack for EL n is stacks[n]
#define JMPBUF_SIZE 0x80            // per EL; see call_lower

#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    PARK_SECONDARIES
    // SP = top of this EL's stack (the entry EL is 1, 2 or 3).
    mrs     x1, CurrentEL
    ubfx    x1, x1, #2, #2
    bl      stack_top_for
    mov     sp, x0
    // Zero .bss (stacks and page-table pool included) in 8-byte steps; bounds are 16-byte aligned.
    ZERO_BSS
    bl      eltest_main                 // never returns
    // fall through

    .text
    // x0 = top of the stack for EL x1 (leaf, uses x0 and x1 only).
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

// ---------------------------------------------------------------------------
// System registers: read_<r>() -> UInt64 and write_<r>(v) (MSR then ISB).
// ---------------------------------------------------------------------------
#include "sysreg.inc"

    SYSREG_RW vbar_el1
    SYSREG_RW vbar_el2
    SYSREG_RW vbar_el3
    SYSREG_RW sctlr_el1
    SYSREG_RW sctlr_el2
    SYSREG_RW sctlr_el3
    SYSREG_RW scr_el3
    SYSREG_RW hcr_el2
    SYSREG_RW cptr_el2
    SYSREG_RW cptr_el3
    SYSREG_RW mdcr_el2
    SYSREG_RW mdcr_el3
    SYSREG_RW cpacr_el1
    SYSREG_RW tcr_el1
    SYSREG_RW tcr_el2
    SYSREG_RW ttbr0_el1
    SYSREG_RW ttbr1_el1
    SYSREG_RW ttbr0_el2
    SYSREG_RW mair_el1
    SYSREG_RW mair_el2
    SYSREG_RW par_el1
    SYSREG_RO id_aa64mmfr0_el1
    SYSREG_RO daif

    // SPSel.SP (bit 0).
    .global read_spsel
read_spsel:
    mrs     x0, spsel
    ret

// ---------------------------------------------------------------------------
// MMU and TLB maintenance with the barriers the architecture asks for.
// ---------------------------------------------------------------------------
    // mmu_on_el1(sctlr): tables written before this call become visible to the walker.
    .global mmu_on_el1
mmu_on_el1:
    dsb     ish
    tlbi    vmalle1
    dsb     ish
    isb
    msr     sctlr_el1, x0
    isb
    ret

    // mmu_off_el1(sctlr): SCTLR.M = 0, then forget every EL1&0 translation.
    .global mmu_off_el1
mmu_off_el1:
    msr     sctlr_el1, x0
    isb
    tlbi    vmalle1
    dsb     ish
    isb
    ret

    .global mmu_on_el2
mmu_on_el2:
    dsb     ish
    tlbi    alle2
    dsb     ish
    isb
    msr     sctlr_el2, x0
    isb
    ret

    .global mmu_off_el2
mmu_off_el2:
    msr     sctlr_el2, x0
    isb
    tlbi    alle2
    dsb     ish
    isb
    ret

    // tlbi_vae1(va): a PTE for va changed; drop its EL1&0 TLB entry (ASID 0).
    .global tlbi_vae1
tlbi_vae1:
    dsb     ishst
    lsr     x0, x0, #12                 // Xt[43:0] = VA[55:12], ASID = 0
    tlbi    vae1, x0
    dsb     ish
    isb
    ret

    // at_s1e1r(va) -> PAR_EL1
    .global at_s1e1r
at_s1e1r:
    at      s1e1r, x0
    isb
    mrs     x0, par_el1
    ret

// ---------------------------------------------------------------------------
// Probes: each provokes one exception; the vector resumes after it (or at the
// return address, see Swift's Resume). addr_<label>() gives a label's address.
// ---------------------------------------------------------------------------
.macro ADDR label
    .global addr_\label
addr_\label:
    adr     x0, \label
    ret
.endm

    ADDR vectors_el1
    ADDR vectors_el2
    ADDR vectors_el3
    ADDR lower_entry_el0
    ADDR lower_entry_el1

    .global probe_svc
probe_svc:
    svc     #0x1234
probe_svc_next:
    ret
    ADDR probe_svc_next

    .global probe_svc_el0               // run at EL0
probe_svc_el0:
    svc     #0x0770
probe_svc_el0_next:
    ret
    ADDR probe_svc_el0
    ADDR probe_svc_el0_next

    .global probe_hvc
probe_hvc:
    hvc     #0x2345
probe_hvc_next:
    ret
    ADDR probe_hvc_next

    .global probe_smc
probe_smc:
    smc     #0x3456
probe_smc_next:
    ret
    ADDR probe_smc_next

    .global probe_brk
probe_brk:
    brk     #0x4242
    ret
    ADDR probe_brk

    .global probe_undef
probe_undef:
    .inst   0x00000000                  // UDF #0: permanently UNDEFINED
    ret
    ADDR probe_undef

    // probe_load(addr) -> [addr] (64-bit); x0 unchanged if the load faults.
    .global probe_load
probe_load:
    ldr     x0, [x0]
    ret
    ADDR probe_load

    // probe_store(addr, value)
    .global probe_store
probe_store:
    str     x1, [x0]
    ret
    ADDR probe_store

    // probe_branch(target): BR to target; a misaligned target faults on the
    // fetch, and the vector resumes at our return address (x30).
    .global probe_branch
probe_branch:
    br      x0

    // An odd address for probe_branch's PC alignment fault: a real
    // instruction's address plus 1.
    .global misaligned_pc
misaligned_pc:
    adr     x0, probe_branch
    add     x0, x0, #1
    ret

    // EL0 body: returns the SP it runs on (SP_EL0, set by call_lower).
    .global el0_read_sp
el0_read_sp:
    mov     x0, sp
    ret
    ADDR el0_read_sp

    // probe_spsel(sp0, out): with SPSel = 0 take a BRK at the current EL.
    // out[0] = SP with SPSel=1 before, out[1] = SP after SPSel=0,
    // out[2] = SP after the BRK returned (still SPSel=0), out[3] = SP after SPSel=1 again.
    // SP_EL0 is restored on return. Uses no stack while SPSel = 0.
    .global probe_spsel
probe_spsel:
    mrs     x9, sp_el0
    msr     sp_el0, x0
    mov     x10, sp
    msr     spsel, #0
    mov     x11, sp
    brk     #0x5350
    mov     x12, sp
    msr     spsel, #1
    mov     x13, sp
    msr     sp_el0, x9
    stp     x10, x11, [x1]
    stp     x12, x13, [x1, #16]
    ret

    .global page_pool_base
page_pool_base:
    adrp    x0, page_pool
    add     x0, x0, :lo12:page_pool
    ret


// ---------------------------------------------------------------------------
    .section .bss.stacks, "aw", %nobits
    .balign 16
stacks:                                 // stacks[el], each STACK_SIZE, grows down
    .space  4 * STACK_SIZE
jmpbufs:                                // jmpbufs[el]: x19-x30, sp
    .space  4 * JMPBUF_SIZE

    // Page tables and the pages they map: 64 KiB aligned so every granule's
    // tables and pages can be carved from it (layout in Swift, PagePool).
    .section .bss.pool, "aw", %nobits
    .balign 0x10000
page_pool:
    .space  0x50000
