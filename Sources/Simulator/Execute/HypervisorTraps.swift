import Devices

/// Traps of EL1 and EL0 operations to EL2 (Arm ARM D1.14 "Configurable instruction controls"):
/// HCR_EL2 (TWI, TWE, TVM, TRVM, TID1-3, TACR, TIDCP, TSW, TPC, TPU, TTLB, TDZ), MDCR_EL2 (TPMCR,
/// TPM, TDA, TDOSA, TDRA, TDE), CPTR_EL2.TCPAC and CNTHCTL_EL2 (EL1PCTEN, EL1PCEN). Each applies
/// only below EL2 with EL2 enabled (Non-secure), and after the EL1 controls of EL0 accesses.
extension Core {
    /// HCR_EL2 trap bits (Arm ARM D17.2.48 "HCR_EL2, Hypervisor Configuration Register").
    enum HCR {
        static let twi: UInt64 = 1 << 13, twe: UInt64 = 1 << 14
        static let tid1: UInt64 = 1 << 16, tid2: UInt64 = 1 << 17, tid3: UInt64 = 1 << 18
        static let tidcp: UInt64 = 1 << 20, tacr: UInt64 = 1 << 21, tsw: UInt64 = 1 << 22
        static let tpc: UInt64 = 1 << 23, tpu: UInt64 = 1 << 24, ttlb: UInt64 = 1 << 25
        static let tvm: UInt64 = 1 << 26, tdz: UInt64 = 1 << 28, trvm: UInt64 = 1 << 30
    }

    /// MDCR_EL2 trap bits (Arm ARM D17.3.13 "MDCR_EL2, Monitor Debug Configuration Register").
    enum MDCR {
        static let tpmcr: UInt64 = 1 << 5, tpm: UInt64 = 1 << 6, tde: UInt64 = 1 << 8
        static let tda: UInt64 = 1 << 9, tdosa: UInt64 = 1 << 10, tdra: UInt64 = 1 << 11
    }

    /// True below EL2 when EL2 is enabled in the current Security state (always Non-secure here).
    @inline(__always) var belowEnabledEL2: Bool { state.pointee.el <= 1 && self[.scrEL3] & 1 != 0 }

    /// Registers whose writes HCR_EL2.TVM traps and whose reads TRVM traps (the EL1&0 memory controls).
    static func isVirtualMemoryControl(_ e: UInt16) -> Bool {
        switch e {
        case enc(3, 0, 1, 0, 0), enc(3, 0, 2, 0, 0), enc(3, 0, 2, 0, 1), enc(3, 0, 2, 0, 2), enc(3, 0, 5, 1, 0),
             enc(3, 0, 5, 1, 1), enc(3, 0, 5, 2, 0), enc(3, 0, 6, 0, 0), enc(3, 0, 10, 2, 0), enc(3, 0, 10, 3, 0),
             enc(3, 0, 13, 0, 1):
            return true
        default:
            return false
        }
    }

    /// Any register-access trap control set (most of the time none is, and the checks are skipped).
    var sysregTrapControls: Bool {
        self[.hcrEL2] & (HCR.tvm | HCR.trvm | HCR.tid1 | HCR.tid2 | HCR.tid3 | HCR.tacr | HCR.tidcp) != 0
            || self[.mdcrEL2] & (MDCR.tpmcr | MDCR.tpm | MDCR.tde | MDCR.tda | MDCR.tdosa | MDCR.tdra) != 0
            || self[.cptrEL2] & (1 << 31) != 0 || self[.cnthctlEL2] & 3 != 3
    }

    @inline(__always) static func enc(_ op0: Int, _ op1: Int, _ crn: Int, _ crm: Int, _ op2: Int) -> UInt16 {
        UInt16(op0 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2)
    }

    /// Whether an MRS/MSR with encoding `e` at EL0/EL1 traps to EL2.
    func sysregTrapsToEL2(_ e: UInt16, read: Bool) -> Bool {
        guard belowEnabledEL2, sysregTrapControls else { return false }
        let hcr = self[.hcrEL2], mdcr = self[.mdcrEL2]
        let v = Int(e)
        let op0 = v >> 14, op1 = (v >> 11) & 7, crn = (v >> 7) & 15, crm = (v >> 3) & 15, op2 = v & 7
        let el1 = state.pointee.el == 1
        if Core.isVirtualMemoryControl(e) { return hcr & (read ? HCR.trvm : HCR.tvm) != 0 }
        switch e {
        case Core.enc(3, 0, 0, 0, 6), Core.enc(3, 1, 0, 0, 7): return hcr & HCR.tid1 != 0        // REVIDR, AIDR
        case Core.enc(3, 3, 0, 0, 1), Core.enc(3, 1, 0, 0, 0), Core.enc(3, 1, 0, 0, 1), Core.enc(3, 2, 0, 0, 0):
            return hcr & HCR.tid2 != 0                                                       // CTR, CCSIDR, CLIDR, CSSELR
        case Core.enc(3, 0, 1, 0, 1): return hcr & HCR.tacr != 0                               // ACTLR_EL1
        case Core.enc(3, 0, 1, 0, 2): return el1 && self[.cptrEL2] & (1 << 31) != 0           // CPACR_EL1: TCPAC
        case Core.enc(3, 3, 14, 0, 1): return self[.cnthctlEL2] & 1 == 0                       // CNTPCT_EL0: EL1PCTEN
        case Core.enc(3, 3, 14, 2, 0), Core.enc(3, 3, 14, 2, 1), Core.enc(3, 3, 14, 2, 2):
            return self[.cnthctlEL2] & 2 == 0                                                  // CNTP_*: EL1PCEN
        case Core.enc(3, 3, 9, 12, 0): return mdcr & (MDCR.tpmcr | MDCR.tpm) != 0              // PMCR_EL0
        default: break
        }
        if op0 == 3 && op1 == 0 && crn == 0 && (1...7).contains(crm) { return hcr & HCR.tid3 != 0 }
        if op0 == 3 && (crn == 11 || crn == 15) { return el1 && hcr & HCR.tidcp != 0 }
        // PMU: PMCR..PMUSERENR (CRn 9, CRm 12-14) and the event counter block (CRn 14, CRm 8-15).
        if op0 == 3 && ((crn == 9 && (12...14).contains(crm)) || (op1 == 3 && crn == 14 && crm >= 8)) {
            return mdcr & MDCR.tpm != 0
        }
        if op0 == 2 {
            let tde = mdcr & MDCR.tde != 0
            if op1 == 0 && crn == 1 && crm == 0 && op2 == 0 { return tde || mdcr & MDCR.tdra != 0 }   // MDRAR_EL1
            if op1 == 0 && crn == 1 && (crm <= 1 || crm == 3 || crm == 4) && op2 == 4 {                     // OSLAR, OSLSR, OSDLR, DBGPRCR
                return tde || mdcr & MDCR.tdosa != 0
            }
            return tde || mdcr & MDCR.tda != 0
        }
        return false
    }

    /// ICH_HCR_EL2 traps of EL1 ICC_* accesses while the hypervisor virtualizes interrupts
    /// (HCR_EL2.IMO or FMO): TC (common registers), TALL0, TALL1 (per group).
    func iccTrapsToEL2(_ reg: ICCRegister) -> Bool {
        guard belowEnabledEL2, self[.hcrEL2] & 0x18 != 0, let ich = machine.gic?.virtualInterfaces[index].controlRegister else { return false }
        switch reg {
        case .iar0, .eoir0, .hppir0, .bpr0, .ap0r0, .igrpen0: return ich & (1 << 11) != 0
        case .iar1, .eoir1, .hppir1, .bpr1, .ap1r0, .igrpen1: return ich & (1 << 12) != 0
        case .sgi0r, .sgi1r, .asgi1r, .ctlr, .dir, .pmr, .rpr: return ich & (1 << 10) != 0
        default: return false
        }
    }

    /// Whether a SYS instruction (cache, TLB maintenance) at EL0/EL1 traps to EL2.
    func sysInstructionTrapsToEL2(op1: Int, crn: Int, crm: Int, op2: Int) -> Bool {
        guard belowEnabledEL2 else { return false }
        let hcr = self[.hcrEL2]
        if crn == 8 { return op1 == 0 && hcr & HCR.ttlb != 0 }
        switch (op1, crm, op2) {
        case (0, 6, 2), (0, 10, 2), (0, 14, 2): return hcr & HCR.tsw != 0                 // DC ISW, CSW, CISW
        case (0, 6, 1), (3, 10, 1), (3, 14, 1): return hcr & HCR.tpc != 0                 // DC IVAC, CVAC, CIVAC
        case (3, 5, 1), (0, 5, 0), (0, 1, 0), (3, 11, 1): return hcr & HCR.tpu != 0       // IC IVAU, IALLU, IALLUIS, DC CVAU
        case (3, 4, 1): return hcr & HCR.tdz != 0                                         // DC ZVA
        default: return false
        }
    }

    /// ISS of a trapped SYS instruction (EC 0x18: op0 = 1, write direction).
    func sysInstructionISS(op1: Int, crn: Int, crm: Int, op2: Int, rt: Int) -> UInt64 {
        sysregISS(UInt16(1 << 14 | op1 << 11 | crn << 7 | crm << 3 | op2), rt: rt, read: false)
    }

    /// WFI/WFE traps (SCTLR_EL1.nTWI/nTWE for EL0, then HCR_EL2.TWI/TWE) for an instruction
    /// that would wait; returns true when the trap was taken. ISS: CV = 1, COND = 0b1110, TI.
    func waitTrapped(event: Bool, pc: UInt64) -> Bool {
        let el = state.pointee.el
        guard el <= 1 else { return false }
        let wouldWait = event ? !state.pointee.eventRegister : !interruptPendingForWait
        guard wouldWait else { return false }
        let iss: UInt64 = 1 << 24 | 0xE << 20 | (event ? 1 : 0)
        if el == 0 && self[.sctlrEL1] & (event ? 1 << 18 : 1 << 16) == 0 {
            synchronous(.wfx, iss: iss, pc: pc); return true
        }
        if belowEnabledEL2 && self[.hcrEL2] & (event ? HCR.twe : HCR.twi) != 0 {
            synchronous(.wfx, iss: iss, pc: pc, to: 2); return true
        }
        return false
    }

    /// An interrupt that would end a WFI at the current EL: physical lines, or virtual ones below EL2.
    var interruptPendingForWait: Bool {
        if irqLine || fiqLine { return true }
        guard state.pointee.el <= 1 else { return false }
        let hcr = self[.hcrEL2]
        return (virqLine || hcr & (1 << 7) != 0) && hcr & (1 << 4) != 0
            || (vfiqLine || hcr & (1 << 6) != 0) && hcr & (1 << 3) != 0
            || hcr & (1 << 8) != 0 && hcr & (1 << 5) != 0
    }
}
