/// VMSAv8-64 translation table descriptors, 4 KiB granule (Arm ARM D8.3,
/// "Translation table descriptor formats").
struct Descriptor {
    var rawValue: UInt64

    static let invalid = Descriptor(rawValue: 0)
    static let validBit: UInt64 = 1 << 0
    static let tableOrPageBit: UInt64 = 1 << 1
    /// Access Flag, bit 10: set so no access-flag faults are taken.
    static let af: UInt64 = 1 << 10
    /// Inner Shareable, SH[9:8] = 0b11.
    static let innerShareable: UInt64 = 3 << 8
    /// Execute-never (stage 1 XN / stage 2 XN[1] bit 54).
    static let xn: UInt64 = 1 << 54
    static let addressMask: UInt64 = 0x0000_FFFF_FFFF_F000

    var isValid: Bool { rawValue & Self.validBit != 0 }
    var isTable: Bool { rawValue & 3 == 3 }
    var address: UInt64 { rawValue & Self.addressMask }

    static func table(_ pa: UInt64) -> Descriptor { Descriptor(rawValue: pa | 3) }

    /// Stage 1 EL2 block: AttrIndx[4:2] selects a MAIR_EL2 slot; AP[2:1] = 0 (RW at EL2).
    static func el2Block(_ pa: UInt64, attrIndex: UInt64, device: Bool) -> Descriptor {
        var v = pa | validBit | (attrIndex << 2) | af
        v |= device ? xn : innerShareable
        return Descriptor(rawValue: v)
    }

    /// Stage 2 block (levels 1-2) or page (level 3): MemAttr[5:2], S2AP[7:6] = RW.
    static func stage2(_ pa: UInt64, attributes: Stage2Attributes, page: Bool) -> Descriptor {
        var v = pa | validBit | (page ? tableOrPageBit : 0) | af | (3 << 6)
        switch attributes {
        case .normal: v |= (0xF << 2) | innerShareable        // Normal, Inner/Outer Write-Back
        case .device: v |= (0x1 << 2) | xn                    // Device-nGnRE, never executable
        }
        return Descriptor(rawValue: v)
    }

    /// Stage 1 block or page for an SMMU context descriptor's DMA tables: AttrIndx 0 (the CD's
    /// MAIR slot 0, Normal write-back), AP[2:1] = 0b01 (read/write, unprivileged too: device
    /// transactions arrive unprivileged), inner shareable, AF, nG (the entry belongs to the
    /// CD's ASID only).
    static func dmaStage1(_ pa: UInt64, page: Bool) -> Descriptor {
        Descriptor(rawValue: pa | validBit | (page ? tableOrPageBit : 0) | (1 << 6) | innerShareable | af | (1 << 11))
    }
}

enum Stage2Attributes { case normal, device }

/// MAIR_EL2 slots used by the EL2 identity map.
enum MAIR {
    static let normalIndex: UInt64 = 0      // 0xFF: Normal, Inner/Outer WB non-transient
    static let deviceIndex: UInt64 = 1      // 0x04: Device-nGnRE
    static let value: UInt64 = 0xFF | (0x04 << 8)
}

/// TCR_EL2 / VTCR_EL2 fields for a 39-bit address space starting at level 1
/// with 4 KiB pages (Arm ARM D13.2, "TCR_EL2", "VTCR_EL2").
enum TranslationControl {
    static let t0sz: UInt64 = 25
    static let walkCacheable: UInt64 = (1 << 8) | (1 << 10) | (3 << 12)  // IRGN0/ORGN0 WB-WA, SH0 inner

    /// Physical address size code (PS) from ID_AA64MMFR0_EL1.PARange, capped at 40 bits.
    static func physicalSize(_ mmfr0: UInt64) -> UInt64 { min(mmfr0 & 0xF, 2) }

    static func tcrEL2(mmfr0: UInt64) -> UInt64 {
        (1 << 31) | (1 << 23) | (physicalSize(mmfr0) << 16) | walkCacheable | t0sz
    }

    /// VTCR_EL2: SL0 = 1 (start at level 1), PS at [18:16].
    static func vtcr(mmfr0: UInt64) -> UInt64 {
        (1 << 31) | (physicalSize(mmfr0) << 16) | walkCacheable | (1 << 6) | t0sz
    }
}

/// Sizes a level-1/2/3 entry maps with a 4 KiB granule.
enum Granule {
    static let page: UInt64 = 0x1000
    static let level2Block: UInt64 = 0x20_0000
    static let level1Block: UInt64 = 0x4000_0000
}
