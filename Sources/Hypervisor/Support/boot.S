// Entry of minos.bin: a Linux arm64 Image header (so u-boot's booti, ATF as
// BL33, QEMU -kernel and sim --kernel all start it the same way), then the
// primary and secondary CPU entries. Everything else is Swift.

    .section .text.head, "ax"
    .global _head
_head:
    b       primary_entry               // code0
    .long   0                           // code1
    .quad   0x80000                     // text_offset from the 2 MiB aligned RAM base
    .quad   __image_size                // image_size, bss, stacks and heap included
    .quad   0x2                         // flags: little endian, 4 KiB pages
    .quad   0, 0, 0                     // res2..res4
    .ascii  "ARM\x64"                   // magic
    .long   0                           // res5 (PE offset)

primary_entry:
    msr     daifset, #0xf
    mov     x19, x0                     // DTB physical address from the boot loader
    adrp    x1, hv_vectors
    add     x1, x1, :lo12:hv_vectors
    msr     vbar_el2, x1
    // Zero .bss in 8-byte steps (bounds are 16-byte aligned); stacks and heap are set up later.
    adrp    x0, __bss_start
    add     x0, x0, :lo12:__bss_start
    adrp    x1, __bss_end
    add     x1, x1, :lo12:__bss_end
1:  cmp     x0, x1
    b.hs    2f
    str     xzr, [x0], #8
    b       1b
2:  mov     x0, #0
    bl      set_stack
    mov     x0, x19
    bl      hv_primary_main             // never returns
    b       park

// PSCI CPU_ON target: x0 is the context id, our CPU index.
    .text
    .global hv_secondary_entry
hv_secondary_entry:
    msr     daifset, #0xf
    mov     x19, x0
    adrp    x1, hv_vectors
    add     x1, x1, :lo12:hv_vectors
    msr     vbar_el2, x1
    bl      set_stack
    mov     x0, x19
    bl      hv_secondary_main           // never returns
park:
    wfe
    b       park

// Spin-table release target (a device tree's cpu-release-addr): no context in x0, so the
// index comes from hv_spin_index[MPIDR.Aff0 & 7], written and cleaned to memory by the boot
// CPU before it releases this one (this CPU's MMU and caches are still off).
    .global hv_spin_entry
hv_spin_entry:
    mrs     x0, mpidr_el1
    and     x0, x0, #7
    adrp    x1, hv_spin_index
    add     x1, x1, :lo12:hv_spin_index
    ldr     x0, [x1, x0, lsl #3]
    b       hv_secondary_entry

    .data
    .balign 64
    .global hv_spin_index
hv_spin_index:
    .fill   8, 8, 0
    .text

// sp = __stacks_start + (x0 + 1) * 16 KiB (lr preserved, x1 clobbered)
set_stack:
    adrp    x1, __stacks_start
    add     x1, x1, :lo12:__stacks_start
    add     x0, x0, #1
    add     x1, x1, x0, lsl #14
    mov     sp, x1
    ret
