// Exception vector tables for EL3, EL2 and EL1 (VBAR_ELn = vectors_eln, whose address Swift gets
// from addr_vectors_eln), shared by the test guests that list common/vectors.S in the guests
// Makefile.
// Every entry saves x0-x30 and ELR/SPSR/ESR/FAR in a Frame on SP_ELn and
// calls the guest's Swift guest_exception(frame), which returns
//   0: ERET with the (possibly edited) frame.elr and frame.spsr, or
//   1: a lower EL finished a call_lower body ("SVC/HVC/SMC #0xFFFF"):
//      go to call_return (common/lower.S) with the body's result (frame.x0).

#include "addr.inc"

#define FRAME_SIZE   320
#define FRAME_ELR    248
#define FRAME_SPSR   256
#define FRAME_ESR    264
#define FRAME_FAR    272
#define FRAME_OFFSET 280
#define FRAME_EL     288

// One 128-byte slot: room for the frame, then the slot's offset in x1.
.macro VENTRY el, offset
    .balign 0x80
    sub     sp, sp, #FRAME_SIZE
    stp     x0, x1, [sp, #0]
    mov     x1, #\offset
    b       exception_el\el
.endm

.macro VTABLE el
    .text
    .balign 0x800
    .global vectors_el\el
vectors_el\el:
    VENTRY \el, 0x000                   // current EL with SP_EL0: sync, IRQ, FIQ, SError
    VENTRY \el, 0x080
    VENTRY \el, 0x100
    VENTRY \el, 0x180
    VENTRY \el, 0x200                   // current EL with SP_ELx
    VENTRY \el, 0x280
    VENTRY \el, 0x300
    VENTRY \el, 0x380
    VENTRY \el, 0x400                   // lower EL, AArch64
    VENTRY \el, 0x480
    VENTRY \el, 0x500
    VENTRY \el, 0x580
    VENTRY \el, 0x600                   // lower EL, AArch32
    VENTRY \el, 0x680
    VENTRY \el, 0x700
    VENTRY \el, 0x780

exception_el\el:
    stp     x2, x3, [sp, #16]
    stp     x4, x5, [sp, #32]
    stp     x6, x7, [sp, #48]
    stp     x8, x9, [sp, #64]
    stp     x10, x11, [sp, #80]
    stp     x12, x13, [sp, #96]
    stp     x14, x15, [sp, #112]
    stp     x16, x17, [sp, #128]
    stp     x18, x19, [sp, #144]
    stp     x20, x21, [sp, #160]
    stp     x22, x23, [sp, #176]
    stp     x24, x25, [sp, #192]
    stp     x26, x27, [sp, #208]
    stp     x28, x29, [sp, #224]
    mrs     x2, elr_el\el
    stp     x30, x2, [sp, #240]         // x30, ELR
    mrs     x2, spsr_el\el
    mrs     x3, esr_el\el
    stp     x2, x3, [sp, #FRAME_SPSR]   // SPSR, ESR
    mrs     x2, far_el\el
    stp     x2, x1, [sp, #FRAME_FAR]    // FAR, vector offset
    mov     x2, #\el
    str     x2, [sp, #FRAME_EL]
    mov     x0, sp
    bl      guest_exception
    cbnz    x0, 1f
    ldp     x2, x3, [sp, #FRAME_ELR]    // ELR, SPSR
    msr     elr_el\el, x2
    msr     spsr_el\el, x3
    ldp     x0, x1, [sp, #0]
    ldp     x2, x3, [sp, #16]
    ldp     x4, x5, [sp, #32]
    ldp     x6, x7, [sp, #48]
    ldp     x8, x9, [sp, #64]
    ldp     x10, x11, [sp, #80]
    ldp     x12, x13, [sp, #96]
    ldp     x14, x15, [sp, #112]
    ldp     x16, x17, [sp, #128]
    ldp     x18, x19, [sp, #144]
    ldp     x20, x21, [sp, #160]
    ldp     x22, x23, [sp, #176]
    ldp     x24, x25, [sp, #192]
    ldp     x26, x27, [sp, #208]
    ldp     x28, x29, [sp, #224]
    ldr     x30, [sp, #240]
    add     sp, sp, #FRAME_SIZE
    eret
1:  ldr     x0, [sp, #0]                // the body's result
    mov     x1, #\el
    b       call_return

    ADDR vectors_el\el
.endm

    VTABLE 3
    VTABLE 2
    VTABLE 1
