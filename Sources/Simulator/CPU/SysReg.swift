import Devices

/// Storage slots for system registers that hold state, in one flat table per core.
/// Banked registers of several ELs are separate slots (e.g. `elrEL1`, `elrEL2`, `elrEL3`).
public enum SysReg: Int, CaseIterable {
    case sctlrEL1, sctlrEL2, sctlrEL3, actlrEL1, actlrEL2, actlrEL3
    case cpacrEL1, cptrEL2, cptrEL3, hcrEL2, scrEL3, mdcrEL2, mdcrEL3, hstrEL2, hacrEL2, sder32EL3
    case ttbr0EL1, ttbr1EL1, tcrEL1, ttbr0EL2, tcrEL2, ttbr0EL3, tcrEL3, vttbrEL2, vtcrEL2
    case mairEL1, mairEL2, mairEL3, amairEL1, amairEL2, amairEL3
    case vbarEL1, vbarEL2, vbarEL3, elrEL1, elrEL2, elrEL3, spsrEL1, spsrEL2, spsrEL3
    case esrEL1, esrEL2, esrEL3, farEL1, farEL2, farEL3, hpfarEL2
    case afsr0EL1, afsr1EL1, afsr0EL2, afsr1EL2, afsr0EL3, afsr1EL3
    case parEL1, contextidrEL1, csselrEL1
    case tpidrEL0, tpidrroEL0, tpidrEL1, tpidrEL2, tpidrEL3
    case cntfrqEL0, cntkctlEL1, cnthctlEL2
    case vpidrEL2, vmpidrEL2, rvbarEL3
    case mdscrEL1, osdlrEL1, oslsrEL1, mdccintEL1, dbgclaim
    case spsrIrq, spsrAbt, spsrUnd, spsrFiq, dacr32EL2, ifsr32EL2, fpexc32EL2
    case pmcrEL0, pmcntenEL0, pmovsEL0, pmuserenrEL0, pmccfiltrEL0, pmselrEL0, pmintenEL1
    case fpcr, fpsr
    /// Breakpoint value/control (6) and watchpoint value/control (4) registers, as ID_AA64DFR0 advertises.
    case dbgbvr0, dbgbvr1, dbgbvr2, dbgbvr3, dbgbvr4, dbgbvr5
    case dbgbcr0, dbgbcr1, dbgbcr2, dbgbcr3, dbgbcr4, dbgbcr5
    case dbgwvr0, dbgwvr1, dbgwvr2, dbgwvr3
    case dbgwcr0, dbgwcr1, dbgwcr2, dbgwcr3
    case midrEL1, mpidrEL1
    /// The Cortex-A53's IMPLEMENTATION DEFINED control and error registers (TRM 4.3), and RMR_EL3.
    case cpuactlrEL1, cpuectlrEL1, cpumerrsrEL1, l2ctlrEL1, l2ectlrEL1, l2actlrEL1, l2merrsrEL1, rmrEL3
}

/// How an EL0 access to an EL0-accessible register is permitted (the controls that gate it).
public enum EL0Access {
    /// counterPhys gates CNTPCT (EL0PCTEN); frequency gates CNTFRQ (EL0PCTEN or EL0VCTEN).
    /// debugComms: the DCC registers, trapped to EL1 by MDSCR_EL1.TDCC. pmuUserEnable:
    /// PMUSERENR_EL0 itself, always readable at EL0 and never writable there. The PMU's own:
    /// PMUSERENR_EL0.EN opens all of them; ER event-counter reads and PMSELR, CR cycle-counter
    /// reads, SW PMSWINC writes.
    case never, always, ctr, daif, fp, counterPhys, counterVirt, frequency, timerPhys, timerVirt, tpidrro, debugComms
    case pmu, pmuUserEnable, pmuEventRead, pmuSelect, pmuCycleRead, pmuSoftwareIncrement
}

/// What a register encoding reads and writes.
public enum SysRegTarget {
    /// Read/write state in a slot; writes keep only `writable` bits and force `res1` bits set.
    case slot(SysReg, writable: UInt64, res1: UInt64)
    /// A read-only value (identification registers).
    case constant(UInt64)
    /// Computed on access (PSTATE fields, counters, SP_ELx, cache size selection).
    case special(SpecialReg)
}

/// Registers whose access is computed rather than stored.
public enum SpecialReg {
    case nzcv, daif, currentEL, spsel, spEL0, spEL1, spEL2
    case cntpct, cntvct, ccsidr, mpidr, midr, dczid, isr
    /// ID_AA64PFR0_EL1: its GIC field says whether the board wires a GICv3 CPU interface.
    case idAA64PFR0
    /// CBAR_EL1: the board's peripheral base, strapped at reset.
    case cbar
    /// Generic timer registers, held by the machine's timer device.
    case timerControl(GenericTimers.Kind), timerCompare(GenericTimers.Kind), timerValue(GenericTimers.Kind), cntvoff
    /// GIC CPU interface registers, held by the GIC model.
    case icc(ICCRegister)
    /// GIC virtual interface control registers (EL2).
    case ich(ICHRegister)
    case pmccntr, pmcr
    /// PMCEID0_EL0: the common events counted, more under the timing model.
    case pmceid0
    case osLock
    /// Set/clear views of PMU enable, interrupt-enable and overflow registers.
    case pmcntenset, pmcntenclr, pmintenset, pmintenclr, pmovsclr, pmovsset
    /// PMSWINC_EL0: increments the event counters counting SW_INCR.
    case pmswinc
    /// PMEVCNTR<n>_EL0, PMEVTYPER<n>_EL0, and the views through PMSELR_EL0.SEL.
    case pmevcntr(Int), pmevtyper(Int), pmxevcntr, pmxevtyper
}

/// One MRS/MSR-accessible register: its name and how an access to it behaves.
public struct SysRegDef {
    public let name: String
    public let access: SysRegAccess

    init(_ name: String, _ op0: Int, _ op1: Int, _ crn: Int, _ crm: Int, _ op2: Int, _ target: SysRegTarget,
         minEL: Int? = nil, el0: EL0Access = .never, readOnly: Bool = false, writeOnly: Bool = false) {
        self.name = name
        // The op1 field names the lowest EL allowed: 0-2 EL1, 3 EL0 (with controls), 4-5 EL2, 6-7 EL3.
        access = SysRegAccess(encoding: UInt16(op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2),
                              minEL: minEL ?? [1, 1, 1, 0, 2, 2, 3, 3][op1], target: target, el0: el0,
                              readOnly: readOnly, writeOnly: writeOnly)
    }
}

/// What executing an MRS/MSR needs of a register: everything but its name. Plain values only,
/// so the lookup every MRS/MSR makes copies no reference-counted String.
public struct SysRegAccess {
    /// op0:op1:CRn:CRm:op2 packed as in the MRS/MSR instruction bits 20:5.
    public let encoding: UInt16
    public let minEL: Int
    public let target: SysRegTarget
    public let el0: EL0Access
    public let readOnly: Bool
    public let writeOnly: Bool
}
