/// How a device's transaction goes through the SMMU: GBPA while it is off, else the stream
/// table's entry for the StreamID (IHI 0070 3.3): abort, bypass, stage 1 (the context
/// descriptor's tables), stage 2, or both nested (stage 1's table and CD fetches and its output
/// go through stage 2). Walk results are cached until TLBI commands.
extension SMMUv3 {
    /// The physical address for a device's access at `address` on stream `streamID`, or nil when
    /// the transaction is terminated (with an event when the architecture records one).
    public func translate(streamID: UInt32, address: UInt64, write: Bool) -> UInt64? {
        guard enabled else { return gbpa & SMMUGBPA.abort != 0 ? nil : address }
        guard let ste = streamTableEntry(streamID) else { return nil }
        switch ste.kind {
        case .abort: return nil
        case .bypass: return address
        case .stage2: return translateStage2(ste, streamID: streamID, ipa: address, write: write, input: address, faultClass: .input)
        case .stage1, .nested: return translateStage1(ste, streamID: streamID, va: address, write: write)
        }
    }

    /// Stage 2 for `ipa`: the transaction's output (`faultClass` .input), a stage-1 table
    /// descriptor (.tableWalk) or the CD (.contextDescriptor) of a nested stream; `input` is the
    /// address the device used and `transactionWrite` its direction, which a fault record carries
    /// (a fetch is checked as a read whatever the transaction is).
    func translateStage2(_ ste: StreamTableEntry, streamID: UInt32, ipa: UInt64, write: Bool,
                         input: UInt64, faultClass: SMMUEvent.FaultClass, transactionWrite: Bool? = nil) -> UInt64? {
        let recordRead = !(transactionWrite ?? write)
        let key = TLBKey(vmid: ste.vmid, asid: -1, page: ipa >> 12, privileged: false)
        let hit: CachedTranslation
        if let c = tlb[key] {
            hit = c
        } else {
            switch ste.walk(ipa, read: { a in self.read64(a) }) {
            case .ok(let pa, let r, let w, let bytes):
                hit = cache(key, ipa: ipa, pa: pa, bytes: bytes, readable: r, writable: w)
            case .fault(let kind, _):
                // CLASS names the access that faulted (the CD, a stage-1 table, the input), not
                // where in the walk the fault was found.
                if ste.recordFaults {
                    record(SMMUEvent(kind: kind, streamID: streamID, read: recordRead, stage2: true,
                                     faultClass: faultClass, inputAddress: input, address: ipa))
                }
                return nil
            case .walkAbort(let at):
                record(SMMUEvent(kind: .walkAbort, streamID: streamID, read: recordRead, stage2: true,
                                 faultClass: faultClass, inputAddress: input, address: at))
                return nil
            }
        }
        guard write ? hit.writable : hit.readable else {
            if ste.recordFaults {
                record(SMMUEvent(kind: .permission, streamID: streamID, read: recordRead, stage2: true,
                                 faultClass: faultClass, inputAddress: input, address: ipa))
            }
            return nil
        }
        return hit.pa | (ipa & 0xFFF)
    }

    private func translateStage1(_ ste: StreamTableEntry, streamID: UInt32, va: UInt64, write: Bool) -> UInt64? {
        guard let cd = contextDescriptor(ste, streamID: streamID, va: va, write: write) else { return nil }
        // Permissions depend on the transaction's privilege (PRIVCFG): cached per privilege.
        let key = TLBKey(vmid: ste.vmid, asid: Int32(cd.asid), page: va >> 12, privileged: ste.privileged)
        let hit: CachedTranslation
        if let c = tlb[key] {
            hit = c
        } else {
            var stage2Fault = false
            let result = cd.walk(va, privileged: ste.privileged) { a in
                guard ste.kind == .nested else { return self.read64(a) }
                // A stage-2 fault on a table fetch is recorded there; the walk just stops.
                guard let pa = self.translateStage2(ste, streamID: streamID, ipa: a, write: false, input: va,
                                                    faultClass: .tableWalk, transactionWrite: write) else {
                    stage2Fault = true
                    return nil
                }
                return self.read64(pa)
            }
            switch result {
            case .ok(let out, let r, let w, let bytes):
                hit = cache(key, ipa: va, pa: out, bytes: bytes, readable: r, writable: w)
            case .fault(let kind, _):
                if cd.recordFaults {
                    record(SMMUEvent(kind: kind, streamID: streamID, read: !write, stage2: false,
                                     faultClass: .input, inputAddress: va))
                }
                return nil
            case .walkAbort(let at):
                if !stage2Fault {
                    record(SMMUEvent(kind: .walkAbort, streamID: streamID, read: !write, stage2: false,
                                     faultClass: .input, inputAddress: va, address: at))
                }
                return nil
            }
        }
        guard write ? hit.writable : hit.readable else {
            if cd.recordFaults {
                record(SMMUEvent(kind: .permission, streamID: streamID, read: !write, stage2: false,
                                 faultClass: .input, inputAddress: va))
            }
            return nil
        }
        let out = hit.pa | (va & 0xFFF)
        guard ste.kind == .nested else { return out }
        return translateStage2(ste, streamID: streamID, ipa: out, write: write, input: va, faultClass: .input)
    }

    private func cache(_ key: TLBKey, ipa: UInt64, pa: UInt64, bytes: UInt64, readable: Bool, writable: Bool) -> CachedTranslation {
        let blockStart = ipa & ~(bytes - 1)
        let entry = CachedTranslation(block: blockStart..<(blockStart &+ bytes), pa: pa & ~0xFFF, readable: readable, writable: writable)
        if tlb.count >= Self.tlbCapacity { tlb.removeAll(keepingCapacity: true) }
        tlb[key] = entry
        return entry
    }

    /// The stream's context descriptor, from the configuration cache or fetched at the STE's
    /// S1ContextPtr (through stage 2 when nested); nil, with F_CD_FETCH or C_BAD_CD, when it
    /// cannot be read or is not valid here.
    private func contextDescriptor(_ ste: StreamTableEntry, streamID: UInt32, va: UInt64, write: Bool) -> ContextDescriptor? {
        if let cached = cdCache[streamID] { return cached }
        var at = ste.contextPointer
        if ste.kind == .nested {
            guard let pa = translateStage2(ste, streamID: streamID, ipa: at, write: false, input: va,
                                           faultClass: .contextDescriptor, transactionWrite: write) else { return nil }
            at = pa
        }
        guard let bytes = memory.dmaRead(at, count: 32) else {
            record(SMMUEvent(kind: .cdFetch, streamID: streamID, address: at))
            return nil
        }
        let dwords = (0..<4).map { i in bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) } }
        // Stage 1's output is an IPA when nested: capped at the SMMU's address size, so an IPA
        // beyond stage 2's input range is stage 2's fault.
        guard let cd = ContextDescriptor(dwords, oas: Self.oasBits) else {
            record(SMMUEvent(kind: .badCD, streamID: streamID))
            return nil
        }
        cdCache[streamID] = cd
        return cd
    }

    /// The STE for a stream, from the configuration cache or fetched (and cached when valid):
    /// linear (STRTAB_BASE_CFG.FMT 0, 2^LOG2SIZE entries) or 2-level (FMT 1: level-1 descriptors
    /// with L2Ptr 51:6 and Span 4:0 for StreamID >> SPLIT, 2^(Span-1) STEs each). nil, with the
    /// event, for a StreamID out of range, an unreadable table or an invalid or illegal STE.
    func streamTableEntry(_ sid: UInt32) -> StreamTableEntry? {
        if let cached = steCache[sid] { return cached }
        let log2Size = min(strtabBaseCfg & 0x3F, Self.streamIDBits)
        let base = strtabBase & 0x000F_FFFF_FFFF_FFC0
        guard UInt64(sid) >> UInt64(log2Size) == 0 else {
            badStreamID(sid)
            return nil
        }
        let steAddress: UInt64
        if (strtabBaseCfg >> 16) & 3 == 1 {
            let split = min((strtabBaseCfg >> 6) & 0x1F, log2Size)
            let l1 = base + UInt64(sid >> split) * 8
            guard let d = read64(l1) else {
                record(SMMUEvent(kind: .steFetch, streamID: sid, address: l1))
                return nil
            }
            let span = UInt32(d & 0x1F)
            guard span != 0, span <= split + 1, UInt64(sid & ((1 << split) - 1)) < 1 << UInt64(span - 1) else {
                badStreamID(sid)
                return nil
            }
            steAddress = (d & 0x000F_FFFF_FFFF_FFC0) + UInt64(sid & ((1 << split) - 1)) * 64
        } else {
            steAddress = base + UInt64(sid) * 64
        }
        guard let bytes = memory.dmaRead(steAddress, count: 32) else {
            record(SMMUEvent(kind: .steFetch, streamID: sid, address: steAddress))
            return nil
        }
        let dwords = (0..<4).map { i in bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8 * i, as: UInt64.self)) } }
        guard let ste = StreamTableEntry(dwords, oas: Self.oasBits, stages: stages) else {
            record(SMMUEvent(kind: .badSTE, streamID: sid))
            return nil
        }
        steCache[sid] = ste
        return ste
    }

    /// C_BAD_STREAMID is recorded only when CR2.RECINVSID asks for it.
    private func badStreamID(_ sid: UInt32) {
        if cr2 & 2 != 0 { record(SMMUEvent(kind: .badStreamID, streamID: sid)) }
    }

    func read64(_ address: UInt64) -> UInt64? {
        memory.dmaRead(address, count: 8).map { b in b.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) } }
    }
}

/// A device's view of memory through the SMMU: every DMA access is translated page by page on the
/// device's StreamID, and a terminated page fails the whole access (nothing is written then).
public final class SMMUStream: GuestMemory {
    public let smmu: SMMUv3
    public let streamID: UInt32
    let memory: GuestMemory

    public init(smmu: SMMUv3, streamID: UInt32, memory: GuestMemory) {
        self.smmu = smmu
        self.streamID = streamID
        self.memory = memory
    }

    /// The physical pieces of [address, address + count): contiguous runs within 4 KiB pages.
    private func pieces(_ address: UInt64, _ count: Int, write: Bool) -> [(pa: UInt64, count: Int)]? {
        var out: [(UInt64, Int)] = []
        var a = address, left = count
        while left > 0 {
            let n = min(left, Int(0x1000 - (a & 0xFFF)))
            guard let pa = smmu.translate(streamID: streamID, address: a, write: write) else { return nil }
            if let last = out.last, last.0 + UInt64(last.1) == pa { out[out.count - 1].1 += n } else { out.append((pa, n)) }
            a &+= UInt64(n); left -= n
        }
        return out
    }

    public func dmaRead(_ pa: UInt64, count: Int) -> [UInt8]? {
        guard let parts = pieces(pa, count, write: false) else { return nil }
        if parts.count == 1 { return memory.dmaRead(parts[0].pa, count: parts[0].count) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(count)
        for p in parts {
            guard let b = memory.dmaRead(p.pa, count: p.count) else { return nil }
            bytes.append(contentsOf: b)
        }
        return bytes
    }

    public func dmaWrite(_ pa: UInt64, _ bytes: [UInt8]) -> Bool {
        guard let parts = pieces(pa, bytes.count, write: true) else { return false }
        if parts.count == 1 { return memory.dmaWrite(parts[0].pa, bytes) }
        // Every piece must be in RAM before any is written.
        for p in parts where memory.dmaRead(p.pa, count: p.count) == nil { return false }
        var at = 0
        for p in parts {
            _ = memory.dmaWrite(p.pa, Array(bytes[at..<(at + p.count)]))
            at += p.count
        }
        return true
    }
}
