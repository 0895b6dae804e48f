// test=vpmu: the VM's own PMUv3 under the hypervisor. Each vCPU checks that it starts with a
// reset PMU of its own, that INST_RETIRED counts exactly the instructions it ran at EL1 and EL0
// (NSH = 1 asked, yet the hypervisor's EL2 instructions never count) while an HVC, a trapped
// MRS, an emulated load and other vCPUs sharing its pCPU come between, that EL0's access follows
// its PMUSERENR_EL0, that PMSWINC_EL0 counts, and that an overflow interrupts it as virtual
// INTID 23. Exact counts by the two-window method: windows that differ by k instructions must
// differ by exactly k, and their fixed overhead must be the same.

import _Volatile

@_silgen_name("read_pmcr_el0") func readPMCR() -> UInt
@_silgen_name("write_pmcr_el0") func writePMCR(_ v: UInt)
@_silgen_name("read_pmcntenset_el0") func readPMCNTENSET() -> UInt
@_silgen_name("write_pmcntenset_el0") func writePMCNTENSET(_ v: UInt)
@_silgen_name("write_pmcntenclr_el0") func writePMCNTENCLR(_ v: UInt)
@_silgen_name("read_pmovsset_el0") func readPMOVSSET() -> UInt
@_silgen_name("write_pmovsclr_el0") func writePMOVSCLR(_ v: UInt)
@_silgen_name("read_pmintenset_el1") func readPMINTENSET() -> UInt
@_silgen_name("write_pmintenset_el1") func writePMINTENSET(_ v: UInt)
@_silgen_name("write_pmintenclr_el1") func writePMINTENCLR(_ v: UInt)
@_silgen_name("read_pmceid0_el0") func readPMCEID0() -> UInt
@_silgen_name("write_pmswinc_el0") func writePMSWINC(_ v: UInt)
@_silgen_name("read_dbgbcr0_el1") func readDBGBCR0() -> UInt
@_silgen_name("write_dbgbcr0_el1") func writeDBGBCR0(_ v: UInt)
@_silgen_name("read_pmevcntr") func readPMEVCNTR(_ n: UInt) -> UInt
@_silgen_name("write_pmevcntr") func writePMEVCNTR(_ n: UInt, _ v: UInt)
@_silgen_name("read_pmevtyper") func readPMEVTYPER(_ n: UInt) -> UInt
@_silgen_name("write_pmevtyper") func writePMEVTYPER(_ n: UInt, _ v: UInt)
/// measure(mask, fn, arg) -> fn(arg)'s result.
@_silgen_name("measure") func measure(_ mask: UInt, _ fn: UInt, _ arg: UInt) -> UInt
@_silgen_name("addr_nops_10") func addrNops10() -> UInt
@_silgen_name("addr_nops_110") func addrNops110() -> UInt
@_silgen_name("addr_hvc_nops") func addrHVCNops() -> UInt
@_silgen_name("addr_mrs_nops") func addrMRSNops() -> UInt
@_silgen_name("addr_load_nops") func addrLoadNops() -> UInt
@_silgen_name("addr_gap_loop") func addrGapLoop() -> UInt
@_silgen_name("write_pmuserenr_el0") func writePMUSERENR(_ v: UInt)
@_silgen_name("write_pmselr_el0") func writePMSELR(_ v: UInt)
@_silgen_name("read_pmxevcntr_el0") func readPMXEVCNTR() -> UInt
@_silgen_name("write_pmxevcntr_el0") func writePMXEVCNTR(_ v: UInt)
@_silgen_name("run_el0") func runEL0(_ fn: UInt, _ arg: UInt) -> UInt
@_silgen_name("run_el0_address") func runEL0Address() -> UInt
@_silgen_name("addr_el0_read_pmccntr") func addrEL0ReadPMCCNTR() -> UInt
@_silgen_name("addr_el0_read_pmcr") func addrEL0ReadPMCR() -> UInt
@_silgen_name("spin_until_flag") func spinUntilFlag(_ n: UInt, _ flag: UInt) -> UInt

/// PMU field values (Arm ARM D7): PMCR_EL0 E/P/C and N, filters, events, the overflow PPI.
enum PMU {
    static let e: UInt = 1, p: UInt = 2, c: UInt = 4
    static func n(_ pmcr: UInt) -> UInt { (pmcr >> 11) & 0x1F }
    static let noEL1: UInt = 1 << 31, noEL0: UInt = 1 << 30, el2: UInt = 1 << 27
    static let swIncr: UInt = 0x00, instRetired: UInt = 0x08, cpuCycles: UInt = 0x11
    static let intid: UInt32 = 23
    /// Loop window sizes (gap_loop iterations): several 10 ms slices of a 1 GHz core each.
    static let shortLoop: UInt = 2_500_000, longLoop: UInt = 5_000_000
}

/// The IRQ handler's record of the PMU interrupt, three shared slots per vCPU from Slot.pmu.
enum PMUIRQ {
    static func slot(_ cpu: UInt, _ k: Int) -> VolatileMappedRegister<UInt64> { shared(Slot.pmu + Int(cpu) * 3 + k) }
    static func count(_ cpu: UInt) -> VolatileMappedRegister<UInt64> { slot(cpu, 0) }
    static func overflow(_ cpu: UInt) -> VolatileMappedRegister<UInt64> { slot(cpu, 1) }
    static func flagAddress(_ cpu: UInt) -> UInt { sharedAreaAddress() &+ UInt((Slot.pmu + Int(cpu) * 3 + 2) * 8) }

    /// IRQ handler, INTID 23: note it and clear the overflow flags (the line drops).
    static func taken() {
        let cpu = cpuIndex()
        count(cpu).store(count(cpu).load() &+ 1)
        let flags = readPMOVSSET()
        overflow(cpu).store(UInt64(flags))
        writePMOVSCLR(flags)
        slot(cpu, 2).store(1)
    }
}

/// One vCPU's check: reports and counts a failure, returns whether it held.
func vpmuExpect(_ ok: Bool, _ what: StaticString, got: UInt, want: UInt) -> Bool {
    if !ok {
        Console.write("FAIL vpmu: vCPU "); Console.dec(cpuIndex()); Console.write(": "); Console.write(what)
        Console.write(": got "); Console.dec(got); Console.write(", want "); Console.dec(want); Console.end()
        shared(Slot.failures).store(shared(Slot.failures).load() &+ 1)
    }
    return ok
}

/// What counter `n` counts while `fn(arg)` runs, plus measure's overhead.
func measured(_ n: UInt, _ fn: UInt, _ arg: UInt = 0) -> UInt {
    writePMEVCNTR(n, 0)
    _ = measure(1 << n, fn, arg)
    return readPMEVCNTR(n)
}

/// Every vCPU of a test=vpmu VM runs this on itself.
func vpmuChecks() {
    let cpu = cpuIndex()
    func say(_ s: StaticString) { Console.write("vpmu: vCPU "); Console.dec(cpu); Console.write(": "); Console.write(s) }

    // A PMU of its own, reset: whatever other vCPUs and VMs on this pCPU programmed is not here.
    let n = PMU.n(readPMCR())
    guard vpmuExpect(n >= 3, "PMCR_EL0.N", got: n, want: 6),
          vpmuExpect(readPMCR() & PMU.e == 0 && readPMCNTENSET() == 0 && readPMINTENSET() == 0 && readPMOVSSET() == 0,
                     "PMCR_EL0.E, PMCNTENSET, PMINTENSET, PMOVSSET after reset (all zero)", got: readPMCNTENSET(), want: 0),
          vpmuExpect(readPMCEID0() & (1 << PMU.instRetired) != 0, "PMCEID0_EL0.INST_RETIRED", got: readPMCEID0(), want: 1 << 8)
    else { return }
    say("PMCR_EL0.N = "); Console.dec(n); Console.line(", a reset PMU of its own")

    // INST_RETIRED at EL1 and EL0, asking for EL2 too (NSH); an EL0-only and an EL2-only counter.
    writePMCR(PMU.e | PMU.p | PMU.c)
    writePMEVTYPER(0, PMU.el2 | PMU.instRetired)
    writePMEVTYPER(1, PMU.noEL1 | PMU.instRetired)
    writePMEVTYPER(2, PMU.noEL1 | PMU.noEL0 | PMU.el2 | PMU.instRetired)
    guard vpmuExpect(readPMEVTYPER(0) == PMU.el2 | PMU.instRetired, "PMEVTYPER0_EL0 as written", got: readPMEVTYPER(0), want: PMU.el2 | PMU.instRetired)
    else { return }
    let short = measured(0, addrNops10()), long = measured(0, addrNops110())
    guard vpmuExpect(long &- short == 100, "110-NOP window minus 10-NOP window", got: long &- short, want: 100) else { return }
    let overhead = short &- 11
    say("INST_RETIRED at EL1 and EL0 (NSH = 1 asked): 110 NOPs - 10 NOPs = 100\n")

    // The same windows at EL0 (run_el0: its BLR in, the body, its SVC out): counter 0 counts them
    // as well, the EL0-only counter 1 counts exactly them.
    writePMEVCNTR(0, 0)
    writePMEVCNTR(1, 0)
    _ = measure(3, runEL0Address(), addrNops10())
    let el0Short = readPMEVCNTR(1), bothShort = readPMEVCNTR(0)
    writePMEVCNTR(0, 0)
    writePMEVCNTR(1, 0)
    _ = measure(3, runEL0Address(), addrNops110())
    let el0Long = readPMEVCNTR(1), bothLong = readPMEVCNTR(0)
    guard vpmuExpect(el0Short == 13, "EL0-only counter over BLR, 10 NOPs, RET, SVC at EL0", got: el0Short, want: 13),
          vpmuExpect(el0Long &- el0Short == 100, "EL0-only counter: 110-NOP minus 10-NOP EL0 window", got: el0Long &- el0Short, want: 100),
          vpmuExpect(bothLong &- bothShort == 100, "EL1-and-EL0 counter: 110-NOP minus 10-NOP EL0 window", got: bothLong &- bothShort, want: 100)
    else { return }
    say("at EL0 too: the EL0-only counter counts 13 for a 10-NOP body, 100 more for 110\n")

    // EL0's access follows the VM's PMUSERENR_EL0: a denied read traps to the VM's EL1 (EC 0x18,
    // the MRS's syndrome), an allowed one reads its PMU.
    func el0Read(_ probe: UInt) -> (trapped: Bool, esr: UInt, value: UInt) {
        let before = shared(Slot.syncCount).load()
        let value = runEL0(probe, 0)
        return (shared(Slot.syncCount).load() != before, UInt(shared(Slot.lastESR).load()), value)
    }
    func mrsSyndrome(crm: UInt) -> UInt { 0x18 << 26 | 1 << 25 | 3 << 20 | 3 << 14 | 9 << 10 | crm << 1 | 1 }
    writePMUSERENR(0)
    let denied = el0Read(addrEL0ReadPMCCNTR())
    writePMUSERENR(4)                                           // CR: cycle counter reads only
    let cycles = el0Read(addrEL0ReadPMCCNTR()), control = el0Read(addrEL0ReadPMCR())
    writePMUSERENR(1)                                           // EN: everything
    let allowed = el0Read(addrEL0ReadPMCR())
    writePMUSERENR(0)
    guard vpmuExpect(denied.trapped && denied.esr == mrsSyndrome(crm: 13), "ESR_EL1 of EL0's PMCCNTR_EL0 read, PMUSERENR_EL0 = 0", got: denied.esr, want: mrsSyndrome(crm: 13)),
          vpmuExpect(!cycles.trapped, "EL0's PMCCNTR_EL0 read with PMUSERENR_EL0.CR trapped", got: 1, want: 0),
          vpmuExpect(control.trapped && control.esr == mrsSyndrome(crm: 12), "ESR_EL1 of EL0's PMCR_EL0 read, PMUSERENR_EL0.CR only", got: control.esr, want: mrsSyndrome(crm: 12)),
          vpmuExpect(!allowed.trapped && PMU.n(allowed.value) == n, "PMCR_EL0.N read at EL0 with PMUSERENR_EL0.EN", got: PMU.n(allowed.value), want: n)
    else { return }
    say("EL0 access as its PMUSERENR_EL0 says: denied reads trap to its EL1, allowed ones read its PMU\n")

    // An HVC to the hypervisor counts as the one instruction it is; nothing EL2 runs counts.
    let hvcWindow = measured(0, addrHVCNops(), 0x8400_0000)     // PSCI_VERSION
    // A trapped MRS and an emulated load count once each, as if they had run here.
    let mrsWindow = measured(0, addrMRSNops())
    let loadWindow = measured(0, addrLoadNops(), boardUARTBase() &+ 0x18)
    let hvcOK = vpmuExpect(hvcWindow &- short == 1, "HVC window minus 10-NOP window", got: hvcWindow &- short, want: 1)
    let mrsOK = vpmuExpect(mrsWindow &- short == 1, "trapped-MRS window minus 10-NOP window", got: mrsWindow &- short, want: 1)
    let loadOK = vpmuExpect(loadWindow &- short == 1, "emulated-load window minus 10-NOP window", got: loadWindow &- short, want: 1)
    if hvcOK && mrsOK && loadOK { say("an HVC counts 1, a trapped MRS and an emulated load 1 each\n") }

    // Long windows, other vCPUs running on this pCPU between: counter 0 counts exactly 7n + 4
    // plus the overhead; the EL0-only and EL2-only counters count nothing at all.
    var gap: UInt = 0, loopsOK = true
    for iterations in [PMU.shortLoop, PMU.longLoop] {
        for k: UInt in 0..<3 { writePMEVCNTR(k, 0) }
        let longest = measure(7, addrGapLoop(), iterations)
        let got = readPMEVCNTR(0), want = (overhead &+ 7 &* iterations &+ 4) & 0xFFFF_FFFF
        loopsOK = vpmuExpect(got == want, "INST_RETIRED over a loop window", got: got, want: want) && loopsOK
        loopsOK = vpmuExpect(readPMEVCNTR(1) == 0, "EL0-only counter over an EL1 window", got: readPMEVCNTR(1), want: 0) && loopsOK
        loopsOK = vpmuExpect(readPMEVCNTR(2) == 0, "EL2-only counter under the hypervisor", got: readPMEVCNTR(2), want: 0) && loopsOK
        gap = max(gap, longest)
    }
    let ms = gap &* 1000 / readCNTFRQ()
    if vpmuExpect(ms >= 5, "longest time descheduled inside the loop windows (ms; another vCPU must share the pCPU)", got: ms, want: 5) && loopsOK {
        say("7-instruction loops counted exactly, descheduled up to "); Console.dec(ms); Console.line(" ms inside them")
    }

    // PMSWINC_EL0, which the hypervisor applies itself: only the enabled SW_INCR counter counts.
    writePMEVTYPER(4, PMU.swIncr)
    writePMEVTYPER(5, PMU.swIncr)
    writePMEVCNTR(4, 0)
    writePMEVCNTR(5, 0)
    writePMCNTENSET(1 << 4)
    for _ in 0..<3 { writePMSWINC(3 << 4) }
    writePMCNTENCLR(1 << 4)
    guard vpmuExpect(readPMEVCNTR(4) == 3, "SW_INCR counter after 3 PMSWINC_EL0 writes", got: readPMEVCNTR(4), want: 3),
          vpmuExpect(readPMEVCNTR(5) == 0, "disabled SW_INCR counter", got: readPMEVCNTR(5), want: 0)
    else { return }
    say("PMSWINC_EL0 counts on the enabled SW_INCR counter only\n")

    // Counters it does not have, through PMSELR_EL0 (N and 31, the cycle counter's filter only):
    // UNDEFINED to the VM, whatever it writes; counter 5 through the same path is PMEVCNTR5_EL0.
    let before = shared(Slot.syncCount).load()
    for sel in [n, 31] {
        writePMSELR(sel)
        writePMXEVCNTR(0x1234)
        _ = readPMXEVCNTR()
    }
    let undefined = shared(Slot.syncCount).load() &- before, ec = UInt(shared(Slot.lastESR).load() >> 26)
    writePMSELR(5)
    writePMXEVCNTR(0x1234)
    guard vpmuExpect(undefined == 4 && ec == 0, "UNDEFINED accesses to counters beyond N (EC 0)", got: UInt(undefined), want: 4),
          vpmuExpect(readPMEVCNTR(5) == 0x1234, "PMEVCNTR5_EL0 written through PMSELR_EL0/PMXEVCNTR_EL0", got: readPMEVCNTR(5), want: 0x1234)
    else { return }
    say("counters beyond PMCR_EL0.N are UNDEFINED, PMXEVCNTR_EL0 reaches the selected one\n")

    // The overflow interrupt: CPU_CYCLES on counter 3, 2000 short of wrapping, interrupt enabled.
    writePMEVTYPER(3, PMU.cpuCycles)
    writePMEVCNTR(3, 0xFFFF_FFFF &- 2000)
    PMUIRQ.slot(cpu, 2).store(0)
    writePMINTENSET(1 << 3)
    writePMCNTENSET(1 << 3)
    let left = spinUntilFlag(10_000_000, PMUIRQ.flagAddress(cpu))
    writePMCNTENCLR(1 << 3)
    _ = spinUntilFlag(100_000, sharedAreaAddress() &+ UInt(Slot.never * 8))   // a second one would come here
    writePMINTENCLR(1 << 3)
    let count = UInt(PMUIRQ.count(cpu).load()), flags = UInt(PMUIRQ.overflow(cpu).load())
    guard vpmuExpect(left > 0 && count == 1, "overflow interrupts taken", got: count, want: 1),
          vpmuExpect(flags == 1 << 3, "PMOVSSET_EL0 in the handler", got: flags, want: 1 << 3),
          vpmuExpect(readPMOVSSET() == 0, "PMOVSSET_EL0 after the handler", got: readPMOVSSET(), want: 0)
    else { return }
    say("counter overflow interrupted as virtual INTID 23, once\n")
    writePMCR(0)
}
