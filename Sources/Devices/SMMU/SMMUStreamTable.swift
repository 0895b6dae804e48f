/// The translation stages an SMMU implements (IDR0.S1P, IDR0.S2P); with both, nested STEs too.
public struct SMMUStages: OptionSet, Sendable {
    public let rawValue: UInt8
    public init(rawValue: UInt8) { self.rawValue = rawValue }
    public static let stage1 = SMMUStages(rawValue: 1)
    public static let stage2 = SMMUStages(rawValue: 2)
    public static let both: SMMUStages = [.stage1, .stage2]
}

/// A Stream Table Entry as this SMMU uses it (IHI 0070 5.2): 64 bytes, of which the valid bit,
/// Config, the stage-1 context pointer and privilege, and the stage-2 fields matter.
struct StreamTableEntry: Equatable {
    enum Kind: Equatable { case abort, bypass, stage1, stage2, nested }

    let kind: Kind
    let vmid: UInt16
    /// Stage 1: S1ContextPtr (the CD's address, an IPA when nested) and PRIVCFG = privileged.
    let contextPointer: UInt64
    let privileged: Bool
    /// Stage-2 translation: S2T0SZ, S2SL0, S2TG (granule as a shift), S2PS (output bits), S2AFFD,
    /// S2R (record faults), S2TTB.
    let t0sz: UInt32
    let sl0: UInt32
    let granuleShift: UInt32
    let outputBits: UInt32
    let accessFlagFaultDisabled: Bool
    let recordFaults: Bool
    let ttb: UInt64

    /// S2PS / VTCR_EL2.PS encodings: 32, 36, 40, 42, 44, 48, 52 bits.
    static let physicalSizes: [UInt32] = [32, 36, 40, 42, 44, 48, 52]

    var hasStage2: Bool { kind == .stage2 || kind == .nested }

    /// Decodes the first four doublewords; nil when the entry is not valid or its configuration
    /// is illegal for this SMMU (C_BAD_STE): a stage it does not implement, or unusable stage-2
    /// fields. `oas`: the SMMU's output size (IDR5.OAS) in bits.
    init?(_ d: [UInt64], oas: UInt32, stages: SMMUStages = .both) {
        guard d.count >= 4, d[0] & 1 != 0 else { return nil }
        let config = (d[0] >> 1) & 7
        switch config {
        case 0b000: kind = .abort
        case 0b100: kind = .bypass
        case 0b101 where stages.contains(.stage1): kind = .stage1
        case 0b110 where stages.contains(.stage2): kind = .stage2
        case 0b111 where stages == .both: kind = .nested
        default: return nil                                 // reserved, or a stage not implemented
        }
        contextPointer = d[0] & 0x000F_FFFF_FFFF_FFC0
        privileged = (d[1] >> 48) & 3 == 3
        vmid = UInt16(truncatingIfNeeded: d[2])
        t0sz = UInt32((d[2] >> 32) & 0x3F)
        sl0 = UInt32((d[2] >> 38) & 3)
        accessFlagFaultDisabled = (d[2] >> 53) & 1 != 0
        recordFaults = (d[2] >> 58) & 1 != 0
        ttb = d[3] & 0x000F_FFFF_FFFF_FFF0
        let ps = Int((d[2] >> 48) & 7)
        outputBits = min(ps < Self.physicalSizes.count ? Self.physicalSizes[ps] : 52, oas)
        let stage2 = config & 0b010 != 0
        switch (d[2] >> 46) & 3 {
        case 0: granuleShift = 12
        case 1: granuleShift = 16
        case 2: granuleShift = 14
        default: if stage2 { return nil } else { granuleShift = 12 }
        }
        guard stage2 else { return }
        // AArch64 tables (S2AA64), little-endian (S2ENDI = 0), and a walk that starts at a level
        // with at most 16 concatenated tables (the VTCR_EL2 rules).
        // S2TTB bits below the start table's size are ignored by the walk.
        guard (d[2] >> 51) & 1 == 1, (d[2] >> 52) & 1 == 0, startLevel != nil else { return nil }
    }

    var inputBits: UInt32 { 64 - t0sz }
    /// Bits each table level resolves (9, 11 or 13).
    var bitsPerLevel: UInt32 { granuleShift - 3 }

    /// The level the walk starts at (S2SL0 with the granule), when the input size leaves it a
    /// table of 2 to 16 granules' worth of entries.
    var startLevel: UInt32? {
        guard t0sz >= 16, t0sz <= 48 else { return nil }
        let level: UInt32
        switch (granuleShift, sl0) {
        case (12, 0): level = 2
        case (12, 1): level = 1
        case (12, 2): level = 0
        case (_, 0): level = 3
        case (_, 1): level = 2
        case (_, 2): level = 1
        default: return nil
        }
        let resolved = granuleShift + (3 - level) * bitsPerLevel
        guard inputBits > resolved, inputBits - resolved <= bitsPerLevel + 4 else { return nil }
        return level
    }

    /// log2 of the start-level table's size in bytes (concatenated tables included).
    var startTableBytesLog2: UInt32 {
        guard let l = startLevel else { return 0 }
        return inputBits - (granuleShift + (3 - l) * bitsPerLevel) + 3
    }
}

/// The checks of a VMSAv8-64 block or page descriptor that both stages make: a block needs level
/// 1 (4 KiB granule) or 2, a page is level 3 with bit 1 set; the output address must fit the
/// output size; AF must be set unless access-flag faults are disabled.
enum VMSALeaf {
    enum Outcome { case address(UInt64), fault(SMMUEvent.Kind) }

    static func output(_ d: UInt64, level: UInt64, granuleShift g: UInt64, shift: UInt64, outputMask: UInt64,
                       accessFlagFaultDisabled: Bool) -> Outcome {
        if level < 3 && (level == 0 || (level == 1 && g != 12)) { return .fault(.translation) }
        if level == 3 && d & 2 == 0 { return .fault(.translation) }
        let out = d & 0x0000_FFFF_FFFF_F000 & ~((1 << shift) - 1)
        guard out & ~outputMask == 0 else { return .fault(.addressSize) }
        if d & (1 << 10) == 0 && !accessFlagFaultDisabled { return .fault(.access) }
        return .address(out)
    }
}

/// The outcome of a stage-2 walk for one access.
enum SMMUWalkResult: Equatable {
    case ok(pa: UInt64, readable: Bool, writable: Bool, pageBytes: UInt64)
    /// A translation-table fault with the event type (F_TRANSLATION, F_ADDR_SIZE, F_ACCESS) and
    /// its class: the input address (CLASS IN) or a walk descriptor (CLASS TT).
    case fault(SMMUEvent.Kind, tableWalk: Bool)
    case walkAbort(descriptor: UInt64)
}

extension StreamTableEntry {
    /// Walks the stage-2 tables for `ipa` (IHI 0070 3.4, with the Arm ARM's VMSAv8-64 stage-2
    /// descriptors): table and block/page descriptors, S2AP 7:6 (bit 6 read, bit 7 write), AF 10.
    func walk(_ ipa: UInt64, read: (UInt64) -> UInt64?) -> SMMUWalkResult {
        guard let start = startLevel else { return .fault(.translation, tableWalk: false) }
        guard inputBits == 64 || ipa >> UInt64(inputBits) == 0 else { return .fault(.translation, tableWalk: false) }
        let g = UInt64(granuleShift), per = UInt64(bitsPerLevel)
        let outputMask: UInt64 = outputBits >= 64 ? ~0 : (1 << UInt64(outputBits)) - 1
        var table = ttb & ~((1 << UInt64(startTableBytesLog2)) - 1)
        var level = UInt64(start)
        while true {
            let shift = g + (3 - level) * per
            let indexBits = level == UInt64(start) ? UInt64(inputBits) - shift : per
            let index = (ipa >> shift) & ((1 << indexBits) - 1)
            let at = table + index * 8
            guard let d = read(at) else { return .walkAbort(descriptor: at) }
            guard d & 1 != 0 else { return .fault(.translation, tableWalk: true) }
            let address = d & 0x0000_FFFF_FFFF_F000 & ~((1 << g) - 1)
            let isTable = d & 2 != 0 && level < 3
            if isTable {
                guard address & ~outputMask == 0 else { return .fault(.addressSize, tableWalk: true) }
                table = address
                level += 1
                continue
            }
            let outAddress: UInt64
            switch VMSALeaf.output(d, level: level, granuleShift: g, shift: shift, outputMask: outputMask,
                                   accessFlagFaultDisabled: accessFlagFaultDisabled) {
            case .fault(let kind): return .fault(kind, tableWalk: true)
            case .address(let a): outAddress = a
            }
            let bytes: UInt64 = 1 << shift
            return .ok(pa: outAddress | (ipa & (bytes - 1)), readable: d & (1 << 6) != 0, writable: d & (1 << 7) != 0, pageBytes: bytes)
        }
    }
}
