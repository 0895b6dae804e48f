// smmutest: entered at EL2 on sim virt with --iommu smmuv3 and a disk in virtio-mmio slot 31;
// MMU off, one CPU. Stack in .bss.
#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    SINGLE_CPU_START stack_top, smmutest_main

    .global read_cntpct
read_cntpct:
    isb
    mrs     x0, cntpct_el0
    ret
    .global read_cntfrq
read_cntfrq:
    mrs     x0, cntfrq_el0
    ret
    .global data_barrier
data_barrier:
    dsb     sy
    ret

    .section .bss
    .balign 16
    .space 16384
stack_top:
