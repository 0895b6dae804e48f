// Filtering by EL (Arm ARM D7.8, PMEVTYPER<n>_EL0.P/U/NSH): six INST_RETIRED counters with
// different filters watch one pass through EL2, EL1 and EL0 (Non-secure; NSK = NSU = 0). The
// pass runs a window of 10 or 110 NOPs at each EL; between two passes that differ at one EL,
// exactly the counters that count that EL differ, by exactly 100.

/// counter: EL2 EL1 EL0 counted
///    0      x   x   x    NSH
///    1              x    P
///    2          x        U
///    3      x            P, U, NSH
///    4          x   x    (none)
///    5                   P, U
func programFilters() {
    program(0, PMU.instRetired, filter: PMU.el2)
    program(1, PMU.instRetired, filter: PMU.noEL1)
    program(2, PMU.instRetired, filter: PMU.noEL0)
    program(3, PMU.instRetired, filter: PMU.el2 | PMU.noEL1 | PMU.noEL0)
    program(4, PMU.instRetired, filter: 0)
    program(5, PMU.instRetired, filter: PMU.noEL1 | PMU.noEL0)
}

var sweepEL1: Body? = nil
var sweepEL0: Body? = nil

/// One pass, from EL2: the EL2 window, then down to EL1 for its window, then to EL0 for its
/// (each an assembly function's address); the counters count from the enable to the disable.
func sweep(el2: UInt64, el1: UInt64, el0: UInt64) -> Counts {
    pmuReset()
    programFilters()
    let here = body(at: el2)
    sweepEL1 = body(at: el1)
    sweepEL0 = body(at: el0)
    writePMCNTENSET(PMU.all)
    _ = here()
    _ = run(at: 1) {
        _ = sweepEL1!()
        return run(at: 0, sweepEL0!)
    }
    writePMCNTENCLR(PMU.all)
    return Counts.read()
}

/// The base pass: 10 NOPs everywhere.
func baseSweep() -> Counts { sweep(el2: addrNops10(), el1: addrNops10(), el0: addrNops10()) }

/// Each counter's difference between a pass and the base pass.
func expectDelta(_ got: Counts, el2: UInt64, el1: UInt64, el0: UInt64) {
    expect("counter 0 (all ELs) delta", got.c0, el2 + el1 + el0)
    expect("counter 1 (EL0 only, P) delta", got.c1, el0)
    expect("counter 2 (EL1 only, U) delta", got.c2, el1)
    expect("counter 3 (EL2 only, P U NSH) delta", got.c3, el2)
    expect("counter 4 (EL1 and EL0) delta", got.c4, el1 + el0)
    expect("counter 5 (no EL, P U) delta", got.c5, 0)
}

/// Instructions EL0 runs around a body: lower_entry_el0's MOV, MOV, BLR, and the SVC #0xFFFF back
/// (an SVC is architecturally executed at the EL it is in; the ERETs in and out run at EL1).
let elZeroOverhead: UInt64 = 4

func filterChecks() {
    check("filter.el0-exact") {
        let base = baseSweep()
        expect("counter 1 (EL0 only): entry, 10 NOPs, RET, SVC", base.c1, elZeroOverhead + 10 + 1)
        expect("counter 5 (no EL)", base.c5, 0)
        return 0
    }
    check("filter.nsh-el2") {
        let base = baseSweep()
        expectDelta(sweep(el2: addrNops110(), el1: addrNops10(), el0: addrNops10()).minus(base), el2: 100, el1: 0, el0: 0)
        return 0
    }
    check("filter.p-el1") {
        let base = baseSweep()
        expectDelta(sweep(el2: addrNops10(), el1: addrNops110(), el0: addrNops10()).minus(base), el2: 0, el1: 100, el0: 0)
        return 0
    }
    check("filter.u-el0") {
        let base = baseSweep()
        expectDelta(sweep(el2: addrNops10(), el1: addrNops10(), el0: addrNops110()).minus(base), el2: 0, el1: 0, el0: 100)
        return 0
    }
}
