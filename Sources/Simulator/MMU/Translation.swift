/// Kinds of memory access, for permission checks and fault syndromes.
public enum AccessType {
    case read, write, execute
}

/// The outcome of translating a VA: the physical address and what the TLB may cache.
public struct Translation {
    public var pa: UInt64
    public var readable: Bool
    public var writable: Bool
    public var executable: Bool
    /// Device memory: no speculative or unaligned access; never cached in a fast path.
    public var device: Bool
}

extension Core {
    /// Physical address range implemented (ID_AA64MMFR0_EL1.PARange = 40 bits).
    static let paBits: UInt64 = 40

    /// SCTLR_ELx of the translation regime used at the current EL.
    var regimeSCTLR: UInt64 {
        switch state.pointee.el {
        case 0, 1: return self[.sctlrEL1]
        case 2: return self[.sctlrEL2]
        default: return self[.sctlrEL3]
        }
    }

    /// Translates `va` for the current EL (`asEL0` for unprivileged loads/stores).
    /// Stage 1 with the MMU off maps VA to PA one-to-one (data as Device-nGnRnE, instructions as
    /// Normal memory, Arm ARM D5.2.9 "The effects of disabling a stage of address translation").
    /// Stage 2 (M1.5) plugs in after stage 1 here.
    func translate(_ va: UInt64, _ access: AccessType, asEL0: Bool = false) -> Result<Translation, TranslationFailure> {
        let sctlr = regimeSCTLR
        if sctlr & 1 == 0 {
            guard va >> Core.paBits == 0 else { return .failure(.fault(.addressSize(va, write: access == .write))) }
            return .success(Translation(pa: va, readable: true, writable: true, executable: true, device: access != .execute))
        }
        return stage1Walk(va, access, asEL0: asEL0)
    }
}

/// Why a translation did not produce an address.
public enum TranslationFailure: Error {
    /// An architectural fault to report to the guest.
    case fault(Fault)
}
