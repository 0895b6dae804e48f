/// Exception classes, ESR_ELx.EC (Arm ARM D17.2.37 "ESR_EL1, Exception Syndrome Register").
public enum ExceptionClass: UInt64 {
    case unknown = 0x00, wfx = 0x01, fpAccess = 0x07, illegalState = 0x0E
    case svc = 0x15, hvc = 0x16, smc = 0x17, sysreg = 0x18
    case instructionAbortLower = 0x20, instructionAbortSame = 0x21, pcAlignment = 0x22
    case dataAbortLower = 0x24, dataAbortSame = 0x25, spAlignment = 0x26
    case serror = 0x2F, brk = 0x3C
    /// Debug exceptions (self-hosted debug): from a lower EL, then from the same EL.
    case breakpointLower = 0x30, breakpointSame = 0x31, softwareStepLower = 0x32, softwareStepSame = 0x33
    case watchpointLower = 0x34, watchpointSame = 0x35
}

/// Kinds of exception by vector slot (offset within a vector group).
public enum VectorKind: UInt64 {
    case synchronous = 0x000, irq = 0x080, fiq = 0x100, serror = 0x180
}

/// A fault detected during an access, before it is turned into an exception.
public struct Fault {
    /// Fault status code (DFSC/IFSC), e.g. 0x10 synchronous external abort, 0x21 alignment.
    public var status: UInt64
    public var address: UInt64
    public var write: Bool
    /// A stage-2 fault: taken to EL2 with the IPA in HPFAR_EL2.
    public var stage2 = false
    public var ipa: UInt64 = 0
    /// The access was a stage-1 table walk (ISS.S1PTW).
    public var s1ptw = false

    public init(status: UInt64, address: UInt64, write: Bool, stage2: Bool = false, ipa: UInt64 = 0, s1ptw: Bool = false) {
        self.status = status
        self.address = address
        self.write = write
        self.stage2 = stage2
        self.ipa = ipa
        self.s1ptw = s1ptw
    }

    public static func externalAbort(_ va: UInt64, write: Bool) -> Fault { Fault(status: 0x10, address: va, write: write) }
    public static func alignment(_ va: UInt64, write: Bool) -> Fault { Fault(status: 0x21, address: va, write: write) }
    /// Address size fault at level 0 (an address beyond the implemented PA/VA range).
    public static func addressSize(_ va: UInt64, write: Bool) -> Fault { Fault(status: 0x00, address: va, write: write) }
}

/// Fields of SPSR_ELx / PSTATE as saved on exception entry (Arm ARM C5.2.18 "SPSR_EL1").
public struct SPSR {
    public var raw: UInt64
    public init(_ raw: UInt64) { self.raw = raw }
    public var el: Int { Int((raw >> 2) & 3) }
    public var spsel: Int { Int(raw & 1) }
    public var aarch32: Bool { raw & 0x10 != 0 }
    public var daif: UInt64 { raw & 0x3C0 }
    public var nzcv: UInt64 { raw & 0xF000_0000 }
    public var ss: UInt64 { (raw >> 21) & 1 }
    public var il: UInt64 { (raw >> 20) & 1 }
}
