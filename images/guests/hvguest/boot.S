// hvguest: the hypervisor's test guest. Runs at EL1 inside a Minos VM and
// picks its test from /chosen/bootargs in the device tree Minos built.
// Board facts from the guests Makefile: -DUART_BASE (the vUART), -DGICD_BASE,
// -DGICR_BASE; the pass-through test device (a virtio-mmio slot) follows from
// which board that UART is (0: the board has none).

#if !defined(UART_BASE) || !defined(GICD_BASE) || !defined(GICR_BASE) || !defined(LOCAL_INTC_BASE) || !defined(HV_IMAGE)
#error "UART_BASE, GICD_BASE, GICR_BASE, LOCAL_INTC_BASE and HV_IMAGE must be defined (-D...=0x...)"
#endif
#if UART_BASE == 0x09000000
#define VIRTIO_BASE 0x0A000000
#elif UART_BASE == 0x1C090000
#define VIRTIO_BASE 0x1C130000
#else
#define VIRTIO_BASE 0
#endif

#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:                                 // vCPU 0: x0 = device tree
    mov     x19, x0
    mov     x20, #0
    bl      setup_cpu
    ZERO_BSS
    mov     x0, x19
    bl      guest_main
    b       halt

    .global secondary_start             // PSCI CPU_ON entry: x0 = context = CPU index
secondary_start:
    mov     x20, x0
    bl      setup_cpu
    mov     x0, x20
    bl      guest_secondary
    b       halt

// sp = stacks + (x20 + 1) * 8 KiB; VBAR_EL1; FP enabled (CPACR_EL1.FPEN).
setup_cpu:
    adrp    x1, stacks
    add     x1, x1, :lo12:stacks
    add     x2, x20, #1
    add     x1, x1, x2, lsl #13
    mov     sp, x1
    adrp    x1, vectors
    add     x1, x1, :lo12:vectors
    msr     vbar_el1, x1
    mov     x1, #(3 << 20)
    msr     cpacr_el1, x1
    isb
    ret

    .text
    .global halt
halt:
    wfi
    b       halt

// ---- small accessors Swift calls (@_silgen_name) ----
    .global board_uart_base
board_uart_base:    ldr x0, =UART_BASE
                    ret
    .global board_gicd_base
board_gicd_base:    ldr x0, =GICD_BASE
                    ret
    .global board_gicr_base
board_gicr_base:    ldr x0, =GICR_BASE
                    ret
    .global board_gicc_base
board_gicc_base:    ldr x0, =GICC_BASE
                    ret
    .global board_gich_base
board_gich_base:    ldr x0, =GICH_BASE
                    ret
    .global board_local_intc_base
board_local_intc_base: ldr x0, =LOCAL_INTC_BASE
                    ret
    .global board_hv_image
board_hv_image:     ldr x0, =HV_IMAGE
                    ret
    .global board_virtio_base
board_virtio_base:  ldr x0, =VIRTIO_BASE
                    ret
    .global current_el
current_el:         mrs x0, CurrentEL
                    ubfx x0, x0, #2, #2
                    ret
    .global cpu_index
cpu_index:          mrs x0, mpidr_el1
                    and x0, x0, #0xff
                    ret
    .global hvc_call
hvc_call:           hvc #0
                    ret
    .global hvc1_call
hvc1_call:          hvc #1
                    ret
    .global smc_call
smc_call:           smc #0
                    ret
    .global read_cntvct
read_cntvct:        isb
                    mrs x0, cntvct_el0
                    ret
    .global read_cntfrq
read_cntfrq:        mrs x0, cntfrq_el0
                    ret
    .global vtimer_arm
vtimer_arm:         msr cntv_tval_el0, x0
                    mov x0, #1
                    msr cntv_ctl_el0, x0
                    isb
                    ret
    .global vtimer_stop
vtimer_stop:        msr cntv_ctl_el0, xzr
                    isb
                    ret
    .global ptimer_arm
ptimer_arm:         msr cntp_tval_el0, x0
                    mov x0, #1
                    msr cntp_ctl_el0, x0
                    isb
                    ret
    .global ptimer_stop
ptimer_stop:        msr cntp_ctl_el0, xzr
                    isb
                    ret
    .global gic_cpu_init
gic_cpu_init:       mrs x0, S3_0_C12_C12_5      // ICC_SRE_EL1.SRE
                    orr x0, x0, #1
                    msr S3_0_C12_C12_5, x0
                    isb
                    mov x0, #0xff
                    msr S3_0_C4_C6_0, x0        // ICC_PMR_EL1
                    mov x0, #1
                    msr S3_0_C12_C12_7, x0      // ICC_IGRPEN1_EL1
                    isb
                    ret
    .global gic_ack
gic_ack:            mrs x0, S3_0_C12_C12_0      // ICC_IAR1_EL1
                    ret
    .global gic_eoi
gic_eoi:            msr S3_0_C12_C12_1, x0      // ICC_EOIR1_EL1
                    isb
                    ret
    .global gic_send_sgi
gic_send_sgi:       msr S3_0_C12_C11_5, x0      // ICC_SGI1R_EL1
                    isb
                    ret
    .global irq_enable
irq_enable:         msr daifclr, #2
                    ret
    .global irq_disable
irq_disable:        msr daifset, #2
                    ret
    .global wait_for_interrupt
wait_for_interrupt: dsb sy
                    wfi
                    ret
    .global read_hcr_el2
read_hcr_el2:       mrs x0, hcr_el2             // UNDEFINED at EL1: must trap to our vector
                    ret
    .global fp_touch
fp_touch:           fmov d0, x0                 // first FP use: lazily switched by EL2
                    fadd d0, d0, d0
                    fmov x0, d0
                    ret

// ---- EL1 vectors: synchronous exceptions and IRQs go to Swift ----
.macro save_and_call handler
    sub     sp, sp, #192
    stp     x0, x1, [sp, #0]
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x30, [sp, #144]
    mrs     x0, esr_el1
    mrs     x1, elr_el1
    mrs     x2, far_el1
    bl      \handler                     // returns the ELR to resume at
    msr     elr_el1, x0
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x30, [sp, #144]
    add     sp, sp, #192
    eret
.endm

    .balign 2048
vectors:
    .balign 0x80
    b       unexpected                  // EL1t sync
    .balign 0x80
    b       unexpected
    .balign 0x80
    b       unexpected
    .balign 0x80
    b       unexpected
    .balign 0x80                        // EL1h sync
    save_and_call guest_sync
    .balign 0x80                        // EL1h IRQ
    save_and_call guest_irq
    .balign 0x80
    b       unexpected
    .balign 0x80
    b       unexpected
    .balign 0x80                        // lower EL (AArch64) sync: an EL0 body (run_el0)
    b       lower_sync
    .balign 0x80
unexpected:
    b       halt

// SVC #0xFFFF from EL0 ends run_el0's body; anything else from EL0 goes to guest_sync, which
// records it and steps over the instruction.
lower_sync:
    stp     x9, x10, [sp, #-16]!
    mrs     x9, esr_el1
    mov     x10, #0xffff
    movk    x10, #0x5600, lsl #16       // EC 0x15 (SVC), IL, imm16 0xFFFF
    cmp     x9, x10
    ldp     x9, x10, [sp], #16
    b.eq    el0_done
    save_and_call guest_sync

// run_el0(fn, arg) -> fn(arg) run at EL0 (EL0t, interrupts masked, its own stack), from EL1.
    .global run_el0
run_el0:
    stp     x29, x30, [sp, #-112]!
    stp     x19, x20, [sp, #16]
    stp     x21, x22, [sp, #32]
    stp     x23, x24, [sp, #48]
    stp     x25, x26, [sp, #64]
    stp     x27, x28, [sp, #80]
    mrs     x9, daif
    str     x9, [sp, #96]
    mrs     x9, mpidr_el1
    and     x9, x9, #0xff
    adrp    x10, el1_sp
    add     x10, x10, :lo12:el1_sp
    mov     x11, sp
    str     x11, [x10, x9, lsl #3]
    adrp    x10, el0_stacks
    add     x10, x10, :lo12:el0_stacks
    add     x9, x9, #1
    add     x10, x10, x9, lsl #10
    msr     sp_el0, x10
    adr     x10, el0_entry
    msr     elr_el1, x10
    mov     x10, #0x3c0                 // EL0t, DAIF masked
    msr     spsr_el1, x10
    mov     x9, x0
    mov     x0, x1
    mov     x1, x9
    eret
el0_entry:
    blr     x1
    svc     #0xffff
el0_done:                               // back at EL1 from the SVC: x0 is fn's result
    mrs     x9, mpidr_el1
    and     x9, x9, #0xff
    adrp    x10, el1_sp
    add     x10, x10, :lo12:el1_sp
    ldr     x11, [x10, x9, lsl #3]
    mov     sp, x11
    ldr     x9, [sp, #96]
    msr     daif, x9
    ldp     x19, x20, [sp, #16]
    ldp     x21, x22, [sp, #32]
    ldp     x23, x24, [sp, #48]
    ldp     x25, x26, [sp, #64]
    ldp     x27, x28, [sp, #80]
    ldp     x29, x30, [sp], #112
    ret
    .global run_el0_address
run_el0_address:
    adr     x0, run_el0
    ret

    .section .bss.stack, "aw", %nobits
    .balign 16
stacks:
    .space  8192 * 5

    .balign 16
el0_stacks:                             // run_el0: 1 KiB per vCPU
    .space  1024 * 9
el1_sp:                                 // run_el0: the caller's SP per vCPU
    .space  8 * 8

    .section .bss.shared, "aw", %nobits
    .balign 64
    .global shared_area
shared_area:
    .space  512
    .text
    .global shared_area_address
shared_area_address:
    adrp    x0, shared_area
    add     x0, x0, :lo12:shared_area
    ret
    .global secondary_start_address
secondary_start_address:
    adr     x0, secondary_start
    ret
    .global image_start_address
image_start_address:
    adr     x0, _start
    ret
    .global drop_vectors
drop_vectors:       msr vbar_el1, xzr           // no EL1 vector table any more
                    isb
                    ret

    .data
    .balign 8
reset_marker:                           // survives SYSTEM_RESET (images are not reloaded)
    .quad   0
    .text
    .global reset_marker_address
reset_marker_address:
    adrp    x0, reset_marker
    add     x0, x0, :lo12:reset_marker
    ret
