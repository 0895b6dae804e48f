// Entry and small helpers for "eltest". Only what Swift cannot express lives here:
// system-register accessors with their barriers, MMU and TLB maintenance, and the
// instructions the checks provoke exceptions with (probes). Stacks and the call-down
// trampoline, vectors, halt, PSCI calls and memset are in ../common (lower.S, vectors.S,
// runtime.S), the accessor macros in common/sysreg.inc.
// Board facts arrive as -DUART_BASE=<addr> at assemble time.

#ifndef UART_BASE
#error "UART_BASE must be defined (-DUART_BASE=0x...)"
#endif

#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    PER_EL_START eltest_main            // never returns

    .text
// ---------------------------------------------------------------------------
// System registers: read_<r>() -> UInt64 and write_<r>(v) (MSR then ISB);
// the EL1 and EL2 configuration registers are in common/elregs.S.
// ---------------------------------------------------------------------------
#include "sysreg.inc"

    SYSREG_RW vbar_el3
    SYSREG_RW sctlr_el3
    SYSREG_RW scr_el3
    SYSREG_RW cptr_el3
    SYSREG_RW mdcr_el3
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
#include "addr.inc"

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
    // Page tables and the pages they map: 64 KiB aligned so every granule's
    // tables and pages can be carved from it (layout in Swift, PagePool).
    .section .bss.pool, "aw", %nobits
    .balign 0x10000
page_pool:
    .space  0x50000
