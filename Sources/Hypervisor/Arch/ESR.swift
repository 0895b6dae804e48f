/// ESR_EL2, Exception Syndrome Register (Arm ARM D13.2, "ESR_EL2"; ISS encodings in D13.2.37).
struct ESR {
    let rawValue: UInt64

    /// Exception Class, ESR[31:26].
    var ec: ExceptionClass { ExceptionClass(rawValue: UInt8((rawValue >> 26) & 0x3F)) }
    /// Instruction Length: 32-bit instruction trapped.
    var il: Bool { rawValue & (1 << 25) != 0 }
    var iss: UInt32 { UInt32(rawValue & 0x1FF_FFFF) }

    // Data abort ISS (EC 0x24).
    /// Instruction Syndrome Valid: SAS/SSE/SRT/SF/AR describe the access.
    var isv: Bool { iss & (1 << 24) != 0 }
    /// Syndrome Access Size: 1 << SAS bytes.
    var sas: Int { Int((iss >> 22) & 3) }
    /// Syndrome Sign Extend.
    var sse: Bool { iss & (1 << 21) != 0 }
    /// Syndrome Register Transfer: the Xt/Wt of the load or store.
    var srt: Int { Int((iss >> 16) & 0x1F) }
    /// Sixty-Four: the register is Xt rather than Wt.
    var sf: Bool { iss & (1 << 15) != 0 }
    /// Write not Read.
    var wnr: Bool { iss & (1 << 6) != 0 }
    /// Data abort ISS.CM: the fault came from a cache maintenance instruction (DC ..., IC IVAU).
    var cm: Bool { iss & (1 << 8) != 0 }
    /// Data/Instruction Fault Status Code, ISS[5:0].
    var dfsc: UInt32 { iss & 0x3F }
    /// DFSC is a translation fault at some level (the stage-2 walk found nothing).
    var isTranslationFault: Bool { (dfsc & 0x3C) == 0x04 }

    // MSR/MRS trap ISS (EC 0x18): Op0, Op2, Op1, CRn, Rt, CRm, Direction.
    var sysregIsRead: Bool { iss & 1 != 0 }
    var sysregRt: Int { Int((iss >> 5) & 0x1F) }
    /// The trapped register's encoding as (op0, op1, crn, crm, op2), packed like `SysRegEncoding`.
    var sysreg: SysRegEncoding {
        SysRegEncoding(op0: (iss >> 20) & 3, op1: (iss >> 14) & 7, crn: (iss >> 10) & 0xF,
                       crm: (iss >> 1) & 0xF, op2: (iss >> 17) & 7)
    }
    /// HVC/SMC immediate.
    var imm16: UInt32 { iss & 0xFFFF }
    /// WFx: 1 = WFE, 0 = WFI.
    var isWFE: Bool { iss & 1 != 0 }
}

/// ESR.EC values the hypervisor handles (Arm ARM D13.2.37).
struct ExceptionClass: Equatable {
    let rawValue: UInt8
    static let unknown       = ExceptionClass(rawValue: 0x00)
    static let wfx           = ExceptionClass(rawValue: 0x01)
    static let fpAccess      = ExceptionClass(rawValue: 0x07)
    static let illegalState  = ExceptionClass(rawValue: 0x0E)
    static let hvc64         = ExceptionClass(rawValue: 0x16)
    static let smc64         = ExceptionClass(rawValue: 0x17)
    static let sysreg64      = ExceptionClass(rawValue: 0x18)
    static let instrAbortLow = ExceptionClass(rawValue: 0x20)
    static let pcAlignment   = ExceptionClass(rawValue: 0x22)
    static let dataAbortLow  = ExceptionClass(rawValue: 0x24)
    static let spAlignment   = ExceptionClass(rawValue: 0x26)
    static let serror        = ExceptionClass(rawValue: 0x2F)
}

/// A system register encoding (op0, op1, CRn, CRm, op2).
struct SysRegEncoding: Equatable {
    let op0: UInt32, op1: UInt32, crn: UInt32, crm: UInt32, op2: UInt32

    static let iccSGI1R   = SysRegEncoding(op0: 3, op1: 0, crn: 12, crm: 11, op2: 5)
    static let iccASGI1R  = SysRegEncoding(op0: 3, op1: 0, crn: 12, crm: 11, op2: 6)
    static let iccSGI0R   = SysRegEncoding(op0: 3, op1: 0, crn: 12, crm: 11, op2: 7)
    static let cntpTVAL   = SysRegEncoding(op0: 3, op1: 3, crn: 14, crm: 2, op2: 0)
    static let cntpCTL    = SysRegEncoding(op0: 3, op1: 3, crn: 14, crm: 2, op2: 1)
    static let cntpCVAL   = SysRegEncoding(op0: 3, op1: 3, crn: 14, crm: 2, op2: 2)
    static let cntpct     = SysRegEncoding(op0: 3, op1: 3, crn: 14, crm: 0, op2: 1)

    /// The PMU's registers: PMCR_EL0..PMOVSSET_EL0 (CRn 9, CRm 12-14), PMINTEN*_EL1, and the event
    /// counter block (CRn 14, CRm 8-15), which MDCR_EL2.TPM/TPMCR trap.
    var isPMU: Bool {
        op0 == 3 && ((crn == 9 && (12...14).contains(crm) && (op1 == 3 || op1 == 0)) || (op1 == 3 && crn == 14 && crm >= 8))
    }

    /// The debug registers (op0 = 2), which MDCR_EL2.TDA/TDOSA/TDRA trap.
    var isDebug: Bool { op0 == 2 }
}
