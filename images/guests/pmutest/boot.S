// Entry for "pmutest". Stacks and the call-down trampoline (whose EL0 entry is straight
// assembly, so the instructions a body costs at EL0 are known exactly: Filtering.swift,
// elZeroOverhead), vectors, halt, PSCI and memset are in ../common; the PMU's accessors and
// windows in pmu.S.

#include "entry.inc"

    .section .text.boot, "ax"
    .global _start
_start:
    PER_EL_START pmutest_main           // never returns
