/// Stage-2 translation of the EL1&0 regime (Arm ARM D5.2 "The VMSAv8-64 address translation
/// system", stage 2 controlled by VTCR_EL2/VTTBR_EL2): IPA to PA with S2AP/XN permissions,
/// MemAttr (Device or Normal), concatenated start tables and every granule.
extension Core {
    /// HCR_EL2 bits that shape EL1&0 translation.
    static let hcrVM: UInt64 = 1 << 0, hcrPTW: UInt64 = 1 << 2, hcrDC: UInt64 = 1 << 12, hcrTGE: UInt64 = 1 << 27

    /// Whether EL1&0 accesses go through stage 2: EL2 enabled (Non-secure), HCR_EL2.VM or DC set, TGE clear.
    @inline(__always) var stage2Active: Bool {
        let hcr = self[.hcrEL2]
        return hcr & (Core.hcrVM | Core.hcrDC) != 0 && hcr & Core.hcrTGE == 0 && self[.scrEL3] & 1 != 0
    }

    /// The stage-2 context that tags the EL1&0 TLB bank: VTTBR_EL2 (tables and VMID) and the
    /// HCR_EL2 bits that change EL1&0 translation (DC, PTW; TGE when stage 2 is off).
    var tlbKey: UInt64 {
        let hcr = self[.hcrEL2]
        if stage2Active {
            return self[.vttbrEL2] & 0x00FF_FFFF_FFFF_FFFF | (hcr & Core.hcrDC != 0 ? 1 << 56 : 0) | (hcr & Core.hcrPTW != 0 ? 1 << 57 : 0)
        }
        return 1 << 63 | (hcr & Core.hcrTGE != 0 ? 1 << 58 : 0)
    }

    /// Switches the EL1&0 TLB bank after a change of the stage-2 context.
    func reselectTLB() {
        if tlb.select(key: tlbKey) { tlbCurrent = tlb.table(el: state.pointee.el) }
    }

    /// The result of a stage-2 lookup: output address, S2AP/XN permissions and the MemAttr type.
    struct Stage2Result {
        var pa: UInt64
        var readable: Bool
        var writable: Bool
        var executable: Bool
        var device: Bool
        var blockBits: UInt8
    }

    /// Translates `ipa` through stage 2. `s1ptw` marks a stage-1 table walk access, which the
    /// syndrome reports and which HCR_EL2.PTW forbids on Device memory. `va` is the faulting VA.
    func stage2Translate(_ ipa: UInt64, _ access: AccessType, va: UInt64, s1ptw: Bool) -> Result<Stage2Result, TranslationFailure> {
        let vtcr = self[.vtcrEL2]
        let write = access == .write
        func fault(_ status: UInt64) -> Result<Stage2Result, TranslationFailure> {
            .failure(.fault(Fault(status: status, address: va, write: write, stage2: true, ipa: ipa, s1ptw: s1ptw)))
        }
        let g = Core.granuleTG0((vtcr >> 14) & 3), stride = g - 3
        let inputBits = 64 - min(max(Int(vtcr & 0x3F), 16), 39)
        let outputBits = Core.physicalSize(vtcr >> 16)
        // An IPA beyond the configured input range is a level-0 translation fault.
        guard ipa >> UInt64(inputBits) == 0 else { return fault(0x04) }
        // VTCR_EL2.SL0 names the start level; 4K counts down from level 2, 16K/64K from level 3.
        let sl0 = Int((vtcr >> 6) & 3)
        guard sl0 != 3 else { return fault(0x04) }
        let startLevel = g == 12 ? 2 - sl0 : 3 - sl0
        // Bits resolved at the start level: up to 4 more than a table holds, i.e. up to 16
        // concatenated tables. Anything else is an inconsistent configuration (a translation fault).
        let topBits = inputBits - (g + stride * (3 - startLevel))
        guard topBits > 0, topBits <= stride + 4, !(g == 16 && startLevel == 1 && outputBits < 52) else {
            return fault(0x04 + UInt64(max(startLevel, 0)))
        }
        var table = self[.vttbrEL2] & 0x0000_FFFF_FFFF_FFFE
        table &= ~((UInt64(1) << UInt64(max(topBits + 3, 6))) - 1)
        if table >> UInt64(outputBits) != 0 { return fault(UInt64(startLevel)) }
        var level = startLevel
        while true {
            let shift = g + stride * (3 - level)
            let bits = level == startLevel ? topBits : stride
            let index = (ipa >> UInt64(shift)) & ((1 << UInt64(bits)) - 1)
            guard let desc = memory.read64(table + index * 8) else { return fault(0x14 + UInt64(level)) }
            state.pointee.cycles &+= walkDescriptorCycles
            stats.walkCycles &+= walkDescriptorCycles
            if desc & 1 == 0 { return fault(0x04 + UInt64(level)) }
            if desc & 2 != 0 && level < 3 {
                let next = desc & 0x0000_FFFF_FFFF_F000 & ~((UInt64(1) << UInt64(g)) - 1)
                if next >> UInt64(outputBits) != 0 { return fault(UInt64(level)) }
                table = next
                level += 1
                continue
            }
            // Blocks: levels 1 and 2 with a 4K granule, level 2 with 16K/64K; pages at level 3.
            if level == 3 && desc & 2 == 0 { return fault(0x04 + 3) }
            if level < 3 && (level == 0 || (level == 1 && g != 12)) { return fault(0x04 + UInt64(level)) }
            let blockMask = (UInt64(1) << UInt64(shift)) - 1
            let oa = desc & 0x0000_FFFF_FFFF_F000 & ~blockMask
            if oa >> UInt64(outputBits) != 0 { return fault(UInt64(level)) }
            if desc & (1 << 10) == 0 { return fault(0x08 + UInt64(level)) }
            // S2AP[1] write, S2AP[0] read; XN (bit 54) forbids execution at EL1 and EL0.
            let s2ap = (desc >> 6) & 3
            let r = Stage2Result(pa: oa | (ipa & blockMask), readable: s2ap & 1 != 0, writable: s2ap & 2 != 0,
                                 executable: (desc >> 54) & 1 == 0, device: (desc >> 4) & 3 == 0, blockBits: UInt8(shift))
            // HCR_EL2.PTW: a stage-1 walk that lands on stage-2 Device memory is a permission fault.
            if s1ptw && r.device && self[.hcrEL2] & Core.hcrPTW != 0 { return fault(0x0C + UInt64(level)) }
            switch access {
            case .read where !r.readable, .write where !r.writable, .execute where !r.executable:
                return fault(0x0C + UInt64(level))
            default:
                return .success(r)
            }
        }
    }
}
