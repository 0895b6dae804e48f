import HVArch

/// The physical PMU, as the hypervisor drives it for the loaded vCPU (Core/VirtualPMU.swift).
/// Accessed at EL2, where every counter is visible whatever MDCR_EL2.HPMN says.
extension Arch {
    static var pmuControl: UInt64 { get { hv_read_pmcr() } set { hv_write_pmcr(newValue); hv_isb() } }
    static var pmuCountEnable: UInt64 { hv_read_pmcntenset() }
    static func pmuEnableCounters(_ bits: UInt64) { hv_write_pmcntenset(bits) }
    static func pmuDisableCounters(_ bits: UInt64) { hv_write_pmcntenclr(bits) }
    static var pmuInterruptEnable: UInt64 { hv_read_pmintenset() }
    static func pmuEnableInterrupts(_ bits: UInt64) { hv_write_pmintenset(bits) }
    static func pmuDisableInterrupts(_ bits: UInt64) { hv_write_pmintenclr(bits) }
    static var pmuOverflow: UInt64 { hv_isb(); return hv_read_pmovsset() }
    static func pmuSetOverflow(_ bits: UInt64) { hv_write_pmovsset(bits) }
    static func pmuClearOverflow(_ bits: UInt64) { hv_write_pmovsclr(bits) }
    static var pmuUserEnable: UInt64 { get { hv_read_pmuserenr() } set { hv_write_pmuserenr(newValue) } }
    static var pmuCycleFilter: UInt64 { get { hv_read_pmccfiltr() } set { hv_write_pmccfiltr(newValue) } }
    static var pmuCycleCounter: UInt64 { get { hv_isb(); return hv_read_pmccntr() } set { hv_write_pmccntr(newValue) } }
    static var pmuEventsImplemented0: UInt64 { hv_read_pmceid0() }
    static var pmuEventsImplemented1: UInt64 { hv_read_pmceid1() }

    static func pmuEventCounter(_ n: Int) -> UInt64 {
        hv_write_pmselr(UInt64(n)); hv_isb()
        return hv_read_pmxevcntr()
    }
    static func setPMUEventCounter(_ n: Int, _ value: UInt64) {
        hv_write_pmselr(UInt64(n)); hv_isb()
        hv_write_pmxevcntr(value & 0xFFFF_FFFF)
    }
    static func setPMUEventType(_ n: Int, _ value: UInt64) {
        hv_write_pmselr(UInt64(n)); hv_isb()
        hv_write_pmxevtyper(value)
    }

    /// Nothing counts, interrupts or stays flagged, and EL0 has no access: a pCPU's PMU between
    /// vCPUs, or when the one loaded has never used its own.
    static func pmuStop(counterBits: UInt64) {
        pmuControl = 0
        pmuDisableCounters(counterBits)
        pmuDisableInterrupts(counterBits)
        pmuClearOverflow(counterBits)
        pmuUserEnable = 0
        hv_isb()
    }
}
