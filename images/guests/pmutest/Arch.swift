// pmu.S as Swift declarations: the PMU's registers (reads are preceded and writes followed by an
// ISB) and the measured code. The rest of the assembly layer is in ../common (Runtime.swift,
// Lower.swift, ELRegisters.swift, ICC.swift, Vectors.swift).

// PMU registers.
@_silgen_name("read_pmcr_el0") func readPMCR() -> UInt64
@_silgen_name("write_pmcr_el0") func writePMCR(_ v: UInt64)
@_silgen_name("write_pmcntenset_el0") func writePMCNTENSET(_ v: UInt64)
@_silgen_name("write_pmcntenclr_el0") func writePMCNTENCLR(_ v: UInt64)
@_silgen_name("read_pmovsset_el0") func readPMOVSSET() -> UInt64
@_silgen_name("write_pmovsclr_el0") func writePMOVSCLR(_ v: UInt64)
@_silgen_name("write_pmintenset_el1") func writePMINTENSET(_ v: UInt64)
@_silgen_name("write_pmintenclr_el1") func writePMINTENCLR(_ v: UInt64)
@_silgen_name("read_pmccntr_el0") func readPMCCNTR() -> UInt64
@_silgen_name("write_pmccntr_el0") func writePMCCNTR(_ v: UInt64)
@_silgen_name("write_pmccfiltr_el0") func writePMCCFILTR(_ v: UInt64)
@_silgen_name("write_pmuserenr_el0") func writePMUSERENR(_ v: UInt64)
@_silgen_name("read_pmceid0_el0") func readPMCEID0() -> UInt64
@_silgen_name("write_pmswinc_el0") func writePMSWINC(_ v: UInt64)
@_silgen_name("read_pmevcntr") func readPMEVCNTR(_ n: UInt64) -> UInt64
@_silgen_name("write_pmevcntr") func writePMEVCNTR(_ n: UInt64, _ v: UInt64)
@_silgen_name("write_pmevtyper") func writePMEVTYPER(_ n: UInt64, _ v: UInt64)

// Measured code (pmu.S); addresses for bodies run through `measure` or at EL0.
@_silgen_name("measure") func measure(_ mask: UInt64, _ fn: UInt64, _ arg: UInt64)
@_silgen_name("addr_nops_10") func addrNops10() -> UInt64
@_silgen_name("addr_nops_110") func addrNops110() -> UInt64
@_silgen_name("addr_loop3") func addrLoop3() -> UInt64
@_silgen_name("addr_load_loop") func addrLoadLoop() -> UInt64
@_silgen_name("addr_store_loop") func addrStoreLoop() -> UInt64
@_silgen_name("svc_round_trip") func svcRoundTrip()
@_silgen_name("hvc_round_trip") func hvcRoundTrip()
@_silgen_name("spin_irq") func spinIRQ(_ n: UInt64) -> UInt64
@_silgen_name("irq_seen") func irqSeen()
@_silgen_name("addr_el0_read_pmccntr") func addrEL0ReadPMCCNTR() -> UInt64
@_silgen_name("addr_el0_read_pmcr") func addrEL0ReadPMCR() -> UInt64
@_silgen_name("probe_read_pmevcntr3") func probeReadPMEVCNTR3() -> UInt64
