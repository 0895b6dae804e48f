// EL2 exception vectors. Exceptions from the guest (lower EL) return to the
// Swift run loop through hv_guest_exit; exceptions at EL2 itself are bugs in
// the hypervisor and go to hv_hyp_fault, which reports them and stops the CPU.

// Guest register frame (Arch/GuestContext.swift, GuestRegisters): x0..x30 at
// 8*n, ELR_EL2 at 248, SPSR_EL2 at 256.
    .equ    REGS_ELR, 248
    .equ    HOST_FRAME, 112             // x19..x30 + the frame pointer slot

.macro hyp_vector kind
    .balign 0x80
    stp     x0, x1, [sp, #-16]!
    mov     x0, #\kind
    b       hyp_exception
.endm

.macro guest_vector kind
    .balign 0x80
    stp     x0, x1, [sp, #-16]!
    mov     x0, #\kind
    b       hv_guest_exit
.endm

    .text
    .balign 2048
    .global hv_vectors
hv_vectors:
    hyp_vector 8                        // current EL with SP_EL0: sync, irq, fiq, serror
    hyp_vector 9
    hyp_vector 10
    hyp_vector 11
    hyp_vector 12                       // current EL with SP_ELx
    hyp_vector 13
    hyp_vector 14
    hyp_vector 15
    guest_vector 0                      // lower EL, AArch64: sync, irq, fiq, serror
    guest_vector 1
    guest_vector 2
    guest_vector 3
    guest_vector 4                      // lower EL, AArch32 (not supported: the VM is stopped)
    guest_vector 5
    guest_vector 6
    guest_vector 7

// uint64_t hv_enter_guest(GuestRegisters *regs): runs the guest until its next
// exception to EL2 and returns that exception's kind (0 sync, 1 irq, 2 fiq, 3 serror).
    .global hv_enter_guest
hv_enter_guest:
    sub     sp, sp, #HOST_FRAME
    stp     x19, x20, [sp, #0]
    stp     x21, x22, [sp, #16]
    stp     x23, x24, [sp, #32]
    stp     x25, x26, [sp, #48]
    stp     x27, x28, [sp, #64]
    stp     x29, x30, [sp, #80]
    str     x0, [sp, #96]
    ldp     x1, x2, [x0, #REGS_ELR]
    msr     elr_el2, x1
    msr     spsr_el2, x2
    ldp     x2, x3, [x0, #16]
    ldp     x4, x5, [x0, #32]
    ldp     x6, x7, [x0, #48]
    ldp     x8, x9, [x0, #64]
    ldp     x10, x11, [x0, #80]
    ldp     x12, x13, [x0, #96]
    ldp     x14, x15, [x0, #112]
    ldp     x16, x17, [x0, #128]
    ldp     x18, x19, [x0, #144]
    ldp     x20, x21, [x0, #160]
    ldp     x22, x23, [x0, #176]
    ldp     x24, x25, [x0, #192]
    ldp     x26, x27, [x0, #208]
    ldp     x28, x29, [x0, #224]
    ldr     x30, [x0, #240]
    ldp     x0, x1, [x0]
    eret
    dsb     nsh                         // no speculation past eret
    isb

// x0 = kind, [sp] = the guest's x0/x1, above it the host frame of hv_enter_guest.
hv_guest_exit:
    ldr     x1, [sp, #16 + 96]
    stp     x2, x3, [x1, #16]
    stp     x4, x5, [x1, #32]
    stp     x6, x7, [x1, #48]
    stp     x8, x9, [x1, #64]
    stp     x10, x11, [x1, #80]
    stp     x12, x13, [x1, #96]
    stp     x14, x15, [x1, #112]
    stp     x16, x17, [x1, #128]
    stp     x18, x19, [x1, #144]
    stp     x20, x21, [x1, #160]
    stp     x22, x23, [x1, #176]
    stp     x24, x25, [x1, #192]
    stp     x26, x27, [x1, #208]
    stp     x28, x29, [x1, #224]
    str     x30, [x1, #240]
    ldp     x2, x3, [sp], #16
    stp     x2, x3, [x1]
    mrs     x2, elr_el2
    mrs     x3, spsr_el2
    stp     x2, x3, [x1, #REGS_ELR]
    ldp     x19, x20, [sp, #0]
    ldp     x21, x22, [sp, #16]
    ldp     x23, x24, [sp, #32]
    ldp     x25, x26, [sp, #48]
    ldp     x27, x28, [sp, #64]
    ldp     x29, x30, [sp, #80]
    add     sp, sp, #HOST_FRAME
    ret

// An exception taken at EL2: save x2..x30 next to the stashed x0/x1 and report.
hyp_exception:
    sub     sp, sp, #240
    stp     x2, x3, [sp, #0]
    stp     x29, x30, [sp, #16]
    mov     x1, sp
    bl      hv_hyp_fault                // never returns
1:  wfe
    b       1b
