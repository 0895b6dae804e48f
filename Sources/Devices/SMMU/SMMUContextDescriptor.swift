/// A Context Descriptor (IHI 0070 5.4): the stage-1 translation regime of a stream, 64 bytes at
/// the STE's S1ContextPtr (no substreams: IDR1.SSIDSIZE = 0, so S1CDMax and S1Fmt are unused).
/// dword 0: T0SZ 5:0, TG0 7:6, EPD0 14, ENDI 15, T1SZ 21:16, TG1 23:22, EPD1 30, V 31, IPS 34:32,
/// AFFD 35, TBI 39:38, AA64 41, HD 42, HA 43, S 44, R 45, A 46, ASID 63:48; dword 1 TTB0 51:4;
/// dword 2 TTB1 51:4; dword 3 MAIR.
struct ContextDescriptor: Equatable {
    /// One of the two translation tables (TTB0 for the bottom of the input range, TTB1 the top).
    struct Table: Equatable {
        let enabled: Bool
        let t0sz: UInt32
        let granuleShift: UInt32
        let ttb: UInt64
        var inputBits: UInt32 { 64 - t0sz }
    }

    let asid: UInt16
    let tables: [Table]
    let outputBits: UInt32
    let accessFlagFaultDisabled: Bool
    let recordFaults: Bool
    /// TBI0, TBI1: the top byte is ignored when choosing and checking the table.
    let topByteIgnored: (Bool, Bool)

    static func == (a: Self, b: Self) -> Bool {
        a.asid == b.asid && a.tables == b.tables && a.outputBits == b.outputBits
            && a.accessFlagFaultDisabled == b.accessFlagFaultDisabled && a.recordFaults == b.recordFaults
            && a.topByteIgnored == b.topByteIgnored
    }

    /// Decodes the first four doublewords; nil (C_BAD_CD) when the CD is not valid or asks for what
    /// this SMMU does not have: AArch32 tables, big-endian tables, stalls, hardware AF/dirty
    /// updates (IDR0.HTTU = 0), or a table size or granule outside the architecture's range.
    init?(_ d: [UInt64], oas: UInt32) {
        guard d.count >= 4, (d[0] >> 31) & 1 == 1, (d[0] >> 41) & 1 == 1, (d[0] >> 15) & 1 == 0,
              (d[0] >> 44) & 1 == 0, (d[0] >> 42) & 3 == 0 else { return nil }
        asid = UInt16(truncatingIfNeeded: d[0] >> 48)
        let ips = Int((d[0] >> 32) & 7)
        outputBits = min(ips < StreamTableEntry.physicalSizes.count ? StreamTableEntry.physicalSizes[ips] : 52, oas)
        accessFlagFaultDisabled = (d[0] >> 35) & 1 != 0
        recordFaults = (d[0] >> 45) & 1 != 0
        topByteIgnored = ((d[0] >> 38) & 1 != 0, (d[0] >> 39) & 1 != 0)
        var tables: [Table] = []
        for i in 0..<2 {
            let shift = UInt64(16 * i)
            let enabled = (d[0] >> (i == 0 ? 14 : 30)) & 1 == 0
            let tsz = UInt32((d[0] >> shift) & 0x3F)
            let tg = (d[0] >> (shift + 6)) & 3
            // TG0: 0 4 KiB, 1 64 KiB, 2 16 KiB; TG1: 1 16 KiB, 2 4 KiB, 3 64 KiB.
            let granule: UInt32? = i == 0 ? [12, 16, 14, nil][Int(tg)] : [nil, 14, 12, 16][Int(tg)]
            if enabled {
                guard granule != nil, tsz >= 16, tsz <= 39 else { return nil }
            }
            tables.append(Table(enabled: enabled, t0sz: tsz, granuleShift: granule ?? 12,
                                ttb: d[1 + i] & 0x000F_FFFF_FFFF_FFF0))
        }
        self.tables = tables
    }

    /// The table that translates `va` and the address it walks (the top byte cleared when TBI
    /// ignores it), or nil when neither covers it (a translation fault).
    func table(for va: UInt64) -> (Table, UInt64)? {
        let top = (va >> 55) & 1 == 1
        let tbi = top ? topByteIgnored.1 : topByteIgnored.0
        let t = tables[top ? 1 : 0]
        guard t.enabled else { return nil }
        let bits = UInt64(t.inputBits)
        let checked = tbi ? 56 : 64
        // Every bit from the input size up to the checked top must equal bit 55's choice.
        for b in bits..<UInt64(checked) where (va >> b) & 1 != (top ? 1 : 0) { return nil }
        return (t, va & ((1 << bits) - 1))
    }
}

extension ContextDescriptor {
    /// Walks the stage-1 tables for `va` (VMSAv8-64 stage 1: table descriptors with APTable
    /// 62:61, blocks and pages with AP[2:1] 7:6 and AF 10). `read` fetches a descriptor at an
    /// address (in a nested configuration it goes through stage 2 first, and returns nil on a
    /// stage-2 fault, which the caller has recorded). Device accesses are unprivileged unless
    /// `privileged`. The result's `readable`/`writable` already apply AP and APTable.
    func walk(_ va: UInt64, privileged: Bool, read: (UInt64) -> UInt64?) -> SMMUWalkResult {
        guard let (t, address) = table(for: va) else { return .fault(.translation, tableWalk: false) }
        let g = UInt64(t.granuleShift), per = g - 3
        let inputBits = UInt64(t.inputBits)
        let levels = (inputBits - g + per - 1) / per
        let start = 4 - levels
        let outputMask: UInt64 = outputBits >= 64 ? ~0 : (1 << UInt64(outputBits)) - 1
        let startIndexBits = inputBits - (g + (3 - start) * per)
        var table = t.ttb & ~((1 << max(startIndexBits + 3, 6)) - 1)
        var level = start
        var noWrite = false, noUnprivileged = false
        while true {
            let shift = g + (3 - level) * per
            let indexBits = level == start ? startIndexBits : per
            let at = table + ((address >> shift) & ((1 << indexBits) - 1)) * 8
            guard let d = read(at) else { return .walkAbort(descriptor: at) }
            guard d & 1 != 0 else { return .fault(.translation, tableWalk: true) }
            let next = d & 0x0000_FFFF_FFFF_F000 & ~((1 << g) - 1)
            if d & 2 != 0 && level < 3 {
                guard next & ~outputMask == 0 else { return .fault(.addressSize, tableWalk: true) }
                noWrite = noWrite || (d >> 62) & 1 != 0
                noUnprivileged = noUnprivileged || (d >> 61) & 1 != 0
                table = next
                level += 1
                continue
            }
            let out: UInt64
            switch VMSALeaf.output(d, level: level, granuleShift: g, shift: shift, outputMask: outputMask,
                                   accessFlagFaultDisabled: accessFlagFaultDisabled) {
            case .fault(let kind): return .fault(kind, tableWalk: true)
            case .address(let a): out = a
            }
            let apUnprivileged = (d >> 6) & 1 != 0, apReadOnly = (d >> 7) & 1 != 0
            let allowed = privileged || (apUnprivileged && !noUnprivileged)
            let bytes: UInt64 = 1 << shift
            return .ok(pa: out | (address & (bytes - 1)), readable: allowed, writable: allowed && !apReadOnly && !noWrite, pageBytes: bytes)
        }
    }
}
