// The PMU's register accessors, and the code whose events the checks count. A measured window is
// straight assembly: every instruction in it is known, so a count can be checked exactly.

#include "sysreg.inc"
#include "addr.inc"

// The register accessors, measure() and the NOP windows: common/pmuregs.S.

    // loop3(n): 3n + 1 instructions.
loop3:
1:  add     x1, x1, #1
    subs    x0, x0, #1
    b.ne    1b
    ret
    ADDR loop3

    // load_loop(n): n 64-bit loads through pmu_array (n <= 64), 3n + 2 instructions.
load_loop:
    adr     x1, pmu_array
1:  ldr     x2, [x1], #8
    subs    x0, x0, #1
    b.ne    1b
    ret
    ADDR load_loop

    // store_loop(n): the same with stores.
store_loop:
    adr     x1, pmu_array
1:  str     x0, [x1], #8
    subs    x0, x0, #1
    b.ne    1b
    ret
    ADDR store_loop

    // Exception round trips the handler counts and returns from.
    .global svc_round_trip
svc_round_trip:
    svc     #0x100
    ret
    .global hvc_round_trip
hvc_round_trip:
    hvc     #0x101
    ret

    // spin_irq(n) -> iterations left: at most n iterations with IRQs unmasked (4 instructions
    // each), until the handler calls irq_seen.
    .global spin_irq
spin_irq:
    adr     x1, irq_flag
    str     wzr, [x1]
    msr     daifclr, #2
1:  ldr     w2, [x1]
    cbnz    w2, 2f
    subs    x0, x0, #1
    b.ne    1b
2:  msr     daifset, #2
    ret
    .global irq_seen
irq_seen:
    adr     x1, irq_flag
    mov     w2, #1
    str     w2, [x1]
    ret

    // Probes: single accesses the checks expect to trap (EL0/EL1 bodies: result in x0).
    // el0_read_pmccntr, el0_read_pmcr: common/pmuregs.S.
    .global probe_read_pmevcntr3
probe_read_pmevcntr3:
    mrs     x0, pmevcntr3_el0
    ret

    .data
    .balign 64
pmu_array:
    .fill   64, 8, 0
irq_flag:
    .word   0
