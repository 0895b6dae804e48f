/// The command queue (IHI 0070 chapter 4): 16-byte commands, opcode in bits 7:0. The queue runs
/// while CR0.CMDQEN is set, GERROR.CMDQ_ERR is not active and it is not empty (SMMUEN need not
/// be set: drivers invalidate before enabling). An illegal command stops it there with
/// CMDQ_CONS.ERR = CERROR_ILL and GERROR.CMDQ_ERR; software fixes the entry (Linux writes a
/// CMD_SYNC over it) and acknowledges in GERRORN, and the queue resumes at CONS.
extension SMMUv3 {
    enum Opcode: UInt8 {
        case prefetchConfig = 0x01, prefetchAddress = 0x02
        case cfgiSTE = 0x03, cfgiSTERange = 0x04, cfgiCD = 0x05, cfgiCDAll = 0x06
        case tlbiNHAll = 0x10, tlbiNHASID = 0x11, tlbiNHVA = 0x12, tlbiNHVAA = 0x13
        case tlbiEL2All = 0x20, tlbiEL2ASID = 0x21, tlbiEL2VA = 0x22, tlbiEL2VAA = 0x23
        case tlbiS12VMAll = 0x28, tlbiS2IPA = 0x2A, tlbiNSNHAll = 0x30
        case resume = 0x44, stallTerm = 0x45, sync = 0x46
    }

    func processCommands() {
        while enabledQueueOn, (gerror ^ gerrorn) & SMMUIRQ.cmdqErr == 0, !cmdq.isEmpty {
            guard let bytes = memory.dmaRead(cmdq.slot(cmdq.cons), count: 16) else {
                stopQueue(.abort, "the command queue entry at 0x\(String(cmdq.slot(cmdq.cons), radix: 16)) is outside RAM")
                return
            }
            let d0 = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) }
            let d1 = bytes.withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) }
            guard execute(d0, d1) else {
                stopQueue(.illegal, "illegal command 0x\(String(d0 & 0xFF, radix: 16)) (0x\(String(d0, radix: 16)) 0x\(String(d1, radix: 16)))")
                return
            }
            cmdq.cons = cmdq.advanced(cmdq.cons)
        }
    }

    private var enabledQueueOn: Bool { cr0 & SMMUCR0.cmdqen != 0 }

    private func stopQueue(_ error: SMMUCommandError, _ why: String) {
        cmdq.cons = (cmdq.cons & ~(0x7F << 24)) | error.rawValue << 24
        log?("smmu: \(why); the command queue stops")
        raiseGlobalError(SMMUIRQ.cmdqErr)
    }

    /// Runs one command; false when it is illegal here (unknown, or for a feature not implemented).
    private func execute(_ d0: UInt64, _ d1: UInt64) -> Bool {
        guard let op = Opcode(rawValue: UInt8(d0 & 0xFF)) else { return false }
        let sid = UInt32(truncatingIfNeeded: d0 >> 32)
        let vmid = UInt16(truncatingIfNeeded: d0 >> 32)
        switch op {
        case .prefetchConfig, .prefetchAddress, .resume, .stallTerm:
            break                                               // nothing prefetched, nothing stalls
        case .cfgiSTE:
            steCache[sid] = nil
            cdCache[sid] = nil
        case .cfgiSTERange:
            // Range 4:0 of dword 1: 2^(Range+1) StreamIDs from SID aligned down; 31 is CFGI_ALL.
            let range = d1 & 0x1F
            if range >= 31 { steCache.removeAll(); cdCache.removeAll() } else {
                let span = UInt64(1) << (range + 1)
                let first = UInt64(sid) & ~(span - 1)
                steCache = steCache.filter { UInt64($0.key) < first || UInt64($0.key) >= first + span }
                cdCache = cdCache.filter { UInt64($0.key) < first || UInt64($0.key) >= first + span }
            }
        case .cfgiCD, .cfgiCDAll:
            cdCache[sid] = nil                                  // one CD per stream: no substreams
        case .tlbiNHAll, .tlbiNHASID, .tlbiNHVA, .tlbiNHVAA:
            guard stages.contains(.stage1) else { return false }
            // Stage-1 entries: all, an ASID's, or those holding the VA (any ASID: more than
            // TLBI_NH_VA asks, which the architecture allows).
            let asid = Int32(d0 >> 48)
            let va = d1 & ~0xFFF
            switch op {
            case .tlbiNHASID: tlb = tlb.filter { $0.key.asid != asid }
            case .tlbiNHVA, .tlbiNHVAA: tlb = tlb.filter { $0.key.asid < 0 || !$0.value.block.contains(va) }
            default: tlb = tlb.filter { $0.key.asid < 0 }
            }
        case .tlbiEL2All, .tlbiEL2ASID, .tlbiEL2VA, .tlbiEL2VAA:
            return false                                        // EL2 regimes: IDR0.HYP = 0
        case .tlbiS12VMAll:
            guard stages.contains(.stage2) else { return false }
            tlb = tlb.filter { $0.key.vmid != vmid }
        case .tlbiS2IPA:
            // The IPA's stage-2 entries, and every nested stage-1 entry of the VMID (they may
            // have combined with it).
            guard stages.contains(.stage2) else { return false }
            let ipa = d1 & 0x000F_FFFF_FFFF_F000
            tlb = tlb.filter { $0.key.vmid != vmid || ($0.key.asid < 0 && !$0.value.block.contains(ipa)) }
        case .tlbiNSNHAll:
            tlb.removeAll()
        case .sync:
            return sync(d0, d1)
        }
        return true
    }

    /// CMD_SYNC: every earlier command is complete here, so only its signal remains: CS 13:12 is
    /// 0 none, 1 an interrupt (the wired cmdq-sync line: IDR0.MSI = 0), 2 SEV (IDR0.SEV = 0: the
    /// completion is seen by polling CMDQ_CONS, which Linux does).
    private func sync(_ d0: UInt64, _ d1: UInt64) -> Bool {
        switch (d0 >> 12) & 3 {
        case 0, 2: return true
        case 1: pulse(interrupts.cmdqSync); return true
        default: return false
        }
    }
}
