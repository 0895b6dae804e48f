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
    /// log2 of the size of the mapping the address came from (12 for a page, 21 for a 2 MiB block,
    /// ...): a TLBI by VA must drop every cached page of the block.
    public var blockBits: UInt8 = 12
}

extension Core {
    /// Physical address range implemented (ID_AA64MMFR0_EL1.PARange = 40 bits).
    static let paBits: UInt64 = 40

    /// SCTLR_ELx of the translation regime used at the current EL.
    var regimeSCTLR: UInt64 {
        switch state.pointee.el {
        case 0, 1:
            // HCR_EL2.{TGE, DC} make EL1&0 behave as if SCTLR_EL1.M were 0.
            if self[.hcrEL2] & (Core.hcrTGE | Core.hcrDC) != 0 && self[.scrEL3] & 1 != 0 { return self[.sctlrEL1] & ~1 }
            return self[.sctlrEL1]
        case 2: return self[.sctlrEL2]
        default: return self[.sctlrEL3]
        }
    }

    /// Translates `va` for the current EL (`asEL0` for unprivileged loads/stores), both stages.
    @inline(__always)
    func translate(_ va: UInt64, _ access: AccessType, asEL0: Bool = false) -> Result<Translation, TranslationFailure> {
        translate(va, access, asEL0: asEL0, el: state.pointee.el, stage2Output: true)
    }

    /// Translates `va` in the regime of `el` (AT instructions name other regimes). When HCR_EL2
    /// enables stage 2, stage-1 table walks always go through it; the output address does when
    /// `stage2Output` is asked for (AT S1E1* stops at the IPA).
    /// Stage 1 with the MMU off maps VA to PA one-to-one (data as Device-nGnRnE, instructions as
    /// Normal memory, Arm ARM D5.2.9 "The effects of disabling a stage of address translation").
    /// HCR_EL2.TGE and HCR_EL2.DC disable EL1&0 stage 1; with DC the default type is Normal memory.
    func translate(_ va: UInt64, _ access: AccessType, asEL0: Bool, el: Int, stage2Output: Bool) -> Result<Translation, TranslationFailure> {
        let sctlr: UInt64 = el <= 1 ? self[.sctlrEL1] : (el == 2 ? self[.sctlrEL2] : self[.sctlrEL3])
        var s1Off = sctlr & 1 == 0, s2 = false, normal = false
        if el <= 1 && self[.scrEL3] & 1 != 0 {
            let hcr = self[.hcrEL2]
            if hcr & (Core.hcrTGE | Core.hcrDC) != 0 { s1Off = true; normal = hcr & Core.hcrDC != 0 && hcr & Core.hcrTGE == 0 }
            s2 = stage2Active
        }
        var t: Translation
        if s1Off {
            guard va >> Core.paBits == 0 else { return .failure(.fault(.addressSize(va, write: access == .write))) }
            t = Translation(pa: va, readable: true, writable: true, executable: true, device: access != .execute && !normal)
        } else {
            switch stage1Walk(va, access, asEL0: asEL0, el: el, stage2: s2) {
            case .failure(let f): return .failure(f)
            case .success(let s1): t = s1
            }
        }
        guard s2 && stage2Output else { return .success(t) }
        switch stage2Translate(t.pa, access, va: va, s1ptw: false) {
        case .failure(let f): return .failure(f)
        case .success(let r):
            return .success(Translation(pa: r.pa, readable: t.readable && r.readable, writable: t.writable && r.writable,
                                        executable: t.executable && r.executable, device: t.device || r.device,
                                        blockBits: min(t.blockBits, r.blockBits)))
        }
    }
}

/// Why a translation did not produce an address.
public enum TranslationFailure: Error {
    /// An architectural fault to report to the guest.
    case fault(Fault)
}
