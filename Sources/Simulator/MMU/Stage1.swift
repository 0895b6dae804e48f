/// Stage-1 translation table walks (Arm ARM D5 "The AArch64 Virtual Memory System Architecture"):
/// 4K/16K/64K granules, every start level and block size, hierarchical APTable/XNTable/PXNTable,
/// AP/UXN/PXN/AF, MAIR attributes, address-size checks against the 40-bit PA range.
extension Core {
    /// The translation regime in force for an access at `el`.
    struct Regime {
        var ttbr: UInt64
        var tcr: UInt64
        var mair: UInt64
        var sctlr: UInt64
        /// Granule size as log2 (12, 14, 16).
        var granuleBits: Int
        /// Input address size (64 - TxSZ).
        var inputBits: Int
        /// Output address size from IPS/PS, capped at the implemented 40 bits.
        var outputBits: Int
        /// EL1&0 has two VA ranges and EL0 permissions; EL2/EL3 regimes have one range.
        var twoRanges: Bool
        var epd: Bool
    }

    /// TCR.{IPS,PS} encodings to address sizes, capped at the implemented PA range.
    @inline(__always) static func physicalSize(_ field: UInt64) -> Int {
        let bits: Int
        switch field & 7 {
        case 0: bits = 32
        case 1: bits = 36
        case 2: bits = 40
        case 3: bits = 42
        case 4: bits = 44
        case 5: bits = 48
        default: bits = 52
        }
        return min(bits, Int(Core.paBits))
    }

    /// TG0 encodings (00 4K, 01 64K, 10 16K) and TG1 encodings (01 16K, 10 4K, 11 64K) as log2 sizes.
    @inline(__always) static func granuleTG0(_ tg: UInt64) -> Int { tg == 1 ? 16 : (tg == 2 ? 14 : 12) }
    @inline(__always) static func granuleTG1(_ tg: UInt64) -> Int { tg == 1 ? 14 : (tg == 3 ? 16 : 12) }

    /// Chooses the TTBR and decodes TCR for `va` in the regime of `el`; nil is a level-0 translation fault.
    func regime(for va: UInt64, execute: Bool, el: Int) -> Regime? {
        switch el {
        case 0, 1:
            let tcr = self[.tcrEL1]
            let upper = (va >> 55) & 1 == 1
            let tbi = !execute && (tcr >> (upper ? 38 : 37)) & 1 == 1
            let txsz = Int((tcr >> (upper ? 16 : 0)) & 0x3F)
            let inputBits = 64 - min(max(txsz, 16), 39)
            // Bits above the input range must all equal bit 55 (with TBI the top byte is ignored).
            let v = tbi ? sext(va, 56) : va
            let high = UInt64(bitPattern: Int64(bitPattern: v) >> Int64(inputBits))
            guard high == (upper ? ~0 : 0) else { return nil }
            let tg = upper ? (tcr >> 30) & 3 : (tcr >> 14) & 3
            let granule = upper ? Core.granuleTG1(tg) : Core.granuleTG0(tg)
            let epd = (tcr >> (upper ? 23 : 7)) & 1 == 1
            return Regime(ttbr: upper ? self[.ttbr1EL1] : self[.ttbr0EL1], tcr: tcr, mair: self[.mairEL1], sctlr: self[.sctlrEL1],
                          granuleBits: granule, inputBits: inputBits,
                          outputBits: Core.physicalSize(tcr >> 32), twoRanges: true, epd: epd)
        default:
            let tcr = el == 2 ? self[.tcrEL2] : self[.tcrEL3]
            let tbi = !execute && (tcr >> 20) & 1 == 1
            let inputBits = 64 - min(max(Int(tcr & 0x3F), 16), 39)
            let check = tbi ? va & 0x00FF_FFFF_FFFF_FFFF : va
            guard check >> UInt64(inputBits) == 0 else { return nil }
            let granule = Core.granuleTG0((tcr >> 14) & 3)
            return Regime(ttbr: el == 2 ? self[.ttbr0EL2] : self[.ttbr0EL3], tcr: tcr,
                          mair: el == 2 ? self[.mairEL2] : self[.mairEL3], sctlr: el == 2 ? self[.sctlrEL2] : self[.sctlrEL3],
                          granuleBits: granule, inputBits: inputBits,
                          outputBits: Core.physicalSize(tcr >> 16), twoRanges: false, epd: false)
        }
    }

    /// Stage-1 walk in the regime of `el`. With `stage2`, table addresses are IPAs: each
    /// descriptor read is translated through stage 2 first (faults there report S1PTW).
    func stage1Walk(_ va: UInt64, _ access: AccessType, asEL0: Bool, el: Int, stage2: Bool) -> Result<Translation, TranslationFailure> {
        let write = access == .write
        func fault(_ status: UInt64) -> Result<Translation, TranslationFailure> {
            .failure(.fault(Fault(status: status, address: va, write: write)))
        }
        guard let rg = regime(for: va, execute: access == .execute, el: el), !rg.epd else { return fault(0x04) }
        let g = rg.granuleBits, stride = g - 3
        // Levels needed to resolve inputBits - g bits, stride bits per level, ending at level 3.
        let levels = (rg.inputBits - g + stride - 1) / stride
        var level = 4 - levels
        var table = rg.ttbr & 0x0000_FFFF_FFFF_FFFE
        let topBits = rg.inputBits - (g + stride * (3 - level))
        // The start table is aligned to its own size (at least 64 bytes); lower TTBR bits are ignored.
        table &= ~((UInt64(1) << UInt64(max(topBits + 3, 6))) - 1)
        if table >> UInt64(rg.outputBits) != 0 { return fault(UInt64(level)) }
        var apTable: UInt64 = 0, xnTable = false, pxnTable = false
        // 4K granule: the walk cache remembers the level-3 table for this 2 MiB of VA space.
        // The tag covers the regime (EL and TTBR half) and the VA bits above 21.
        let cacheable = g == 12 && level < 3
        let tag = (va >> 21) & 0x7_FFFF_FFFF | UInt64(el) << 56 | (va >> 55 & 1) << 58 | (asEL0 ? 1 << 59 : 0)
        let wc = tlb.walkCache(el: el) + Int((va >> 21) & UInt64(SoftTLB.walkEntries - 1))
        if cacheable && wc.pointee.tag == tag {
            table = wc.pointee.table
            apTable = wc.pointee.apTable
            xnTable = wc.pointee.xnTable
            pxnTable = wc.pointee.pxnTable
            level = 3
        }
        while true {
            let shift = g + stride * (3 - level)
            let bits = level == 4 - levels ? topBits : stride
            let index = (va >> UInt64(shift)) & ((1 << UInt64(bits)) - 1)
            var descPA = table + index * 8
            if stage2 {
                switch stage2Translate(descPA, .read, va: va, s1ptw: true) {
                case .failure(.fault(var f)):
                    // The syndrome's WnR follows the access that needed the walk.
                    f.write = write
                    return .failure(.fault(f))
                case .success(let r): descPA = r.pa
                }
            }
            guard let desc = memory.read64(descPA) else { return fault(0x14 + UInt64(max(level, 0))) }
            state.pointee.cycles &+= walkDescriptorCycles
            stats.walkCycles &+= walkDescriptorCycles
            if desc & 1 == 0 { return fault(0x04 + UInt64(level)) }
            let isTable = desc & 2 != 0 && level < 3
            if isTable {
                let next = desc & 0x0000_FFFF_FFFF_F000 & ~((UInt64(1) << UInt64(g)) - 1)
                if next >> UInt64(rg.outputBits) != 0 { return fault(UInt64(level)) }
                apTable |= (desc >> 61) & 3
                xnTable = xnTable || (desc >> 60) & 1 == 1
                pxnTable = pxnTable || (desc >> 59) & 1 == 1
                table = next
                level += 1
                if cacheable && level == 3 {
                    wc.pointee = WalkCacheEntry(tag: tag, table: table, apTable: apTable, xnTable: xnTable, pxnTable: pxnTable)
                }
                continue
            }
            // A block: allowed at level 1 (4K granule) and level 2; a page at level 3 needs bits 1:0 = 0b11.
            if level == 3 && desc & 2 == 0 { return fault(0x04 + 3) }
            if level < 3 && (level == 0 || (level == 1 && g != 12)) { return fault(0x04 + UInt64(level)) }
            let blockMask = (UInt64(1) << UInt64(shift)) - 1
            let oa = desc & 0x0000_FFFF_FFFF_F000 & ~blockMask
            if oa >> UInt64(rg.outputBits) != 0 { return fault(UInt64(level)) }
            if desc & (1 << 10) == 0 { return fault(0x08 + UInt64(level)) }
            let perms = permissions(desc, apTable: apTable, xnTable: xnTable, pxnTable: pxnTable, regime: rg, el0: asEL0 || el == 0)
            let attr = (rg.mair >> (8 * ((desc >> 2) & 7))) & 0xFF
            let device = attr & 0xF0 == 0
            let t = Translation(pa: oa | (va & blockMask), readable: perms.read, writable: perms.write,
                                executable: perms.execute && !device, device: device, blockBits: UInt8(shift))
            switch access {
            case .read where !t.readable, .write where !t.writable, .execute where !t.executable:
                return fault(0x0C + UInt64(level))
            default:
                return .success(t)
            }
        }
    }

    /// Access permissions of a leaf for EL0 (`el0`: EL0 or an unprivileged access) or the regime's EL.
    func permissions(_ desc: UInt64, apTable: UInt64, xnTable: Bool, pxnTable: Bool, regime rg: Regime, el0: Bool)
        -> (read: Bool, write: Bool, execute: Bool) {
        let ap = (desc >> 6) & 3
        let xn = (desc >> 54) & 1 == 1, pxn = (desc >> 53) & 1 == 1
        let wxn = rg.sctlr & (1 << 19) != 0
        if !rg.twoRanges {
            // EL2/EL3 regimes: AP[2] read-only, AP[1] ignored; APTable[1] read-only; XN only.
            let ro = ap & 2 != 0 || apTable & 2 != 0
            let exec = !xn && !xnTable && !(wxn && !ro)
            return (true, !ro, exec)
        }
        let ro = ap & 2 != 0 || apTable & 2 != 0
        let el0Access = ap & 1 != 0 && apTable & 1 == 0
        let el0Writable = el0Access && !ro
        if el0 {
            // EL0 execute permission depends on UXN only: AP[1] = 0 pages can be execute-only.
            let exec = !xn && !xnTable && !(wxn && el0Writable)
            return (el0Access, el0Writable, exec)
        }
        // EL1 never executes memory that EL0 can write (AArch64 EL1&0 regime rule).
        let exec = !pxn && !pxnTable && !el0Writable && !(wxn && !ro)
        return (true, !ro, exec)
    }
}
