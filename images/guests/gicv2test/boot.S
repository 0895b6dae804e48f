// gicv2test's assembly: entry, the board's GICv2 bases, PSCI CPU_ON, ISR_EL1, and CPU 1's SGI
// loop. Stacks and the EL2 -> EL1 trampoline (call_lower), vectors, halt, PSCI SYSTEM_OFF and
// memset are in ../common. Board facts arrive at assemble time: -DGICD_BASE, -DGICC_BASE,
// -DGICH_BASE, -DGICV_BASE.

#if !defined(GICD_BASE) || !defined(GICC_BASE) || !defined(GICH_BASE) || !defined(GICV_BASE)
#error "GICD_BASE, GICC_BASE, GICH_BASE and GICV_BASE must be defined (-DGICC_BASE=0x...)"
#endif

#include "entry.inc"
#include "addr.inc"
#include "sysreg.inc"

// CPU 1's mailbox (Mailbox in SGI.swift): words CPU 1 writes and CPU 0 polls, and back.
#define MB_READY    0               // CPU 1's interface is up
#define MB_STOP     4               // CPU 0 asks CPU 1 to stop
#define MB_STOPPED  8               // CPU 1 has disabled its interface
#define MB_OTHER    12              // interrupts other than SGIs CPU 1 acknowledged
#define MB_TARGETS  16              // GICD_ITARGETSR0 as CPU 1 reads it
#define MB_COUNT    32              // [16] SGIs acknowledged, per SGI ID
#define MB_LAST     96              // [16] the last GICC_IAR value, per SGI ID
#define MB_SIZE     160

    .section .text.boot, "ax"
    .global _start
_start:
    PER_EL_START gicv2test_main         // never returns

    .text
    .global board_gicc_base
board_gicc_base:
    ldr     x0, =GICC_BASE
    ret
    .global board_gich_base
board_gich_base:
    ldr     x0, =GICH_BASE
    ret
    .global board_gicv_base
board_gicv_base:
    ldr     x0, =GICV_BASE
    ret

    // psci_cpu_on(mpidr, entry, context) -> PSCI status: CPU_ON (SMC64) over SMC.
    .global psci_cpu_on
psci_cpu_on:
    mov     x3, x2
    mov     x2, x1
    mov     x1, x0
    ldr     x0, =0xC4000003
    smc     #0
    ret

    .global mailbox_address
mailbox_address:
    adrp    x0, mailbox
    add     x0, x0, :lo12:mailbox
    ret

    SYSREG_RO isr_el1

// ---------------------------------------------------------------------------
// CPU 1 (PSCI CPU_ON entry, MMU off, DAIF masked, no stack): record what GICD_ITARGETSR0 reads
// as for it, open its own CPU interface, then acknowledge and EOI whatever it signals, counting
// SGIs per ID with their GICC_IAR value (source CPU in [12:10]). SGI 6 is a ping: CPU 1 answers
// with SGI 7 to CPU 0, so that CPU 0 sees an SGI whose source is CPU 1. Once idle with
// MB_STOP set, it disables its interface and waits forever.
// ---------------------------------------------------------------------------
    ADDR cpu1_entry
cpu1_entry:
    ldr     x19, =GICD_BASE
    ldr     x20, =GICC_BASE
    adrp    x21, mailbox
    add     x21, x21, :lo12:mailbox
    ldr     w0, [x19, #0x800]           // GICD_ITARGETSR0 (banked: CPU 1's mask)
    str     w0, [x21, #MB_TARGETS]
    mov     w0, #0xffff
    str     w0, [x19, #0x100]           // GICD_ISENABLER0: SGIs (where they can be disabled)
    mov     w0, #0xf0
    str     w0, [x20, #0x4]             // GICC_PMR
    mov     w0, #3
    str     w0, [x20, #0x0]             // GICC_CTLR: both groups (either view)
    dsb     sy
    mov     w0, #1
    str     w0, [x21, #MB_READY]
1:  ldr     w0, [x20, #0xc]             // GICC_IAR
    and     w1, w0, #0x3ff
    cmp     w1, #1020
    b.hs    3f                          // spurious: nothing signalled
    cmp     w1, #16
    b.hs    2f
    add     x4, x21, #MB_LAST
    str     w0, [x4, x1, lsl #2]
    add     x2, x21, #MB_COUNT
    ldr     w3, [x2, x1, lsl #2]
    add     w3, w3, #1
    dsb     sy                          // the IAR value before the count CPU 0 polls
    str     w3, [x2, x1, lsl #2]
    cmp     w1, #6
    b.ne    4f
    ldr     w5, =0x00010007             // GICD_SGIR: target list, CPU 0, SGI 7
    str     w5, [x19, #0xf00]
    b       4f
2:  ldr     w3, [x21, #MB_OTHER]
    add     w3, w3, #1
    str     w3, [x21, #MB_OTHER]
4:  str     w0, [x20, #0x10]            // GICC_EOIR
    b       1b
3:  ldr     w0, [x21, #MB_STOP]
    cbz     w0, 1b
    str     wzr, [x20, #0x0]            // GICC_CTLR = 0
    dsb     sy
    mov     w0, #1
    str     w0, [x21, #MB_STOPPED]
5:  wfi
    b       5b

    .section .bss.mailbox, "aw", %nobits
    .balign 16
mailbox:
    .space  MB_SIZE
