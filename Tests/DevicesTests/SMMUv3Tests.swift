import Testing
@testable import Devices

/// The SMMUv3 model programmed as a driver would (IHI 0070): stream tables, STEs, the stage-2 walk,
/// the command and event queues, and what malformed programming does.
@Suite struct SMMUv3Tests {
    /// Test RAM from 0x4000_0000 (4 MiB), an SMMU on it, and where things are laid out.
    final class Rig {
        let ram = VirtIOTestRAM(base: 0x4000_0000, size: 4 << 20)
        let sink = VirtIOTestSink()
        let smmu: SMMUv3
        let strtab: UInt64 = 0x4000_0000          // linear, 256 STEs (16 KiB)
        let cmdq: UInt64 = 0x4000_8000            // 256 commands
        let eventq: UInt64 = 0x4000_A000          // 64 events
        let s2Root: UInt64 = 0x4001_0000          // level-1 table (T0SZ 32, SL0 1: 4 entries)
        var nextTable: UInt64 = 0x4001_1000
        var cmdIndex: UInt32 = 0
        static let irqs = SMMUv3.Interrupts(eventq: 106, priq: 107, cmdqSync: 108, gerror: 109)

        init() {
            smmu = SMMUv3(name: "smmuv3", memory: ram, sink: sink, interrupts: Self.irqs)
            w64(0x80, strtab)                     // STRTAB_BASE
            w32(0x88, 8)                          // STRTAB_BASE_CFG: linear, 2^8 entries
            w64(0x90, cmdq | 8)                   // CMDQ_BASE: 2^8 entries
            w64(0xA0, eventq | 6)                 // EVENTQ_BASE: 2^6 entries
            w32(0x2C, 2)                          // CR2.RECINVSID
            w32(0x50, 7)                          // IRQ_CTRL: all enables
            w32(0x20, 0xD)                        // CR0: SMMUEN, EVENTQEN, CMDQEN
        }

        func w32(_ off: UInt64, _ v: UInt32) { smmu.write(offset: off, size: 4, value: UInt64(v)) }
        func w64(_ off: UInt64, _ v: UInt64) { smmu.write(offset: off, size: 8, value: v) }
        func r32(_ off: UInt64) -> UInt32 { UInt32(smmu.read(offset: off, size: 4)) }
        func put64(_ pa: UInt64, _ v: UInt64) { ram.put(pa, withUnsafeBytes(of: v.littleEndian) { Array($0) }) }
        func get64(_ pa: UInt64) -> UInt64 { ram.get(pa, 8).withUnsafeBytes { UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)) } }

        /// STE words for a stage-2 stream: VMID, 4 KiB granule, T0SZ 32, SL0 1, PS 40 bits, AArch64, S2R.
        func stage2STE(vmid: UInt16, root: UInt64? = nil, record: Bool = true) -> [UInt64] {
            let vtcr: UInt64 = 32 | 1 << 6 | 2 << 16                          // T0SZ, SL0, PS (bits 50:32 of dword 2)
            return [1 | 0b110 << 1, 1 << 44, UInt64(vmid) | vtcr << 32 | 1 << 51 | (record ? 1 << 58 : 0), root ?? s2Root]
        }
        func setSTE(_ sid: UInt32, _ d: [UInt64], in table: UInt64? = nil) {
            for (i, v) in d.enumerated() { put64((table ?? strtab) + UInt64(sid) * 64 + UInt64(i) * 8, v) }
        }

        /// Maps one 4 KiB IPA page (levels 1, 2, 3) with S2AP read/write and AF as given.
        func map(_ ipa: UInt64, to pa: UInt64, read: Bool = true, write: Bool = true, af: Bool = true) {
            var table = s2Root
            for level in 1...2 {
                let shift = UInt64(12 + (3 - level) * 9)
                let slot = table + ((ipa >> shift) & 0x1FF) * 8
                var d = get64(slot)
                if d & 3 != 3 {
                    d = nextTable | 3
                    nextTable += 0x1000
                    put64(slot, d)
                }
                table = d & 0x0000_FFFF_FFFF_F000
            }
            let leaf = pa | 3 | (read ? 1 << 6 : 0) | (write ? 1 << 7 : 0) | (af ? 1 << 10 : 0)
            put64(table + ((ipa >> 12) & 0x1FF) * 8, leaf)
        }

        func command(_ d0: UInt64, _ d1: UInt64 = 0) {
            let slot = cmdq + UInt64(cmdIndex & 0xFF) * 16
            put64(slot, d0); put64(slot + 8, d1)
            cmdIndex = (cmdIndex + 1) & 0x1FF
            w32(0x98, cmdIndex)                   // CMDQ_PROD
        }

        /// The event records written so far (EVENTQ_PROD), each as its four doublewords.
        var events: [[UInt64]] {
            let prod = r32(0x100A8) & 0x7F
            return (0..<prod).map { i in (0..<4).map { get64(eventq + UInt64(i) * 32 + UInt64($0) * 8) } }
        }
    }

    @Test func offTheSMMUBypassesOrAbortsAsGBPASays() {
        let r = Rig()
        r.w32(0x20, 0)
        #expect(r.smmu.translate(streamID: 5, address: 0x1234_5678, write: true) == 0x1234_5678)
        r.w32(0x44, 1 << 20)                      // ABORT without UPDATE: ignored
        #expect(r.smmu.translate(streamID: 5, address: 0x1000, write: false) == 0x1000)
        r.w32(0x44, 1 << 31 | 1 << 20)
        #expect(r.r32(0x44) == 1 << 20)           // UPDATE done at once
        #expect(r.smmu.translate(streamID: 5, address: 0x1000, write: false) == nil)
        #expect(r.events.isEmpty)
    }

    @Test func identificationIsWhatLinuxProbesFor() {
        let r = Rig()
        #expect(r.r32(0x00) == 0x0D44_1019)       // S2P only, AArch64 tables, 2-level stream tables
        #expect(r.r32(0x04) & 0x3F == 16)         // SIDSIZE
        #expect(r.r32(0x04) >> 21 & 0x1F > 6)     // CMDQS
        #expect(r.r32(0x04) & (7 << 28) == 0)     // no preset tables or queues
        #expect(r.r32(0x24) == r.r32(0x20))       // CR0ACK follows CR0
        r.w32(0x28, 0xD75)                        // CR1 as Linux writes it: every field kept
        #expect(r.r32(0x28) == 0xD75)
    }

    @Test func stage2TranslatesAndFaultsAreRecorded() {
        let r = Rig()
        r.setSTE(3, r.stage2STE(vmid: 7))
        r.map(0x8000_1000, to: 0x4020_0000)
        r.map(0x8000_2000, to: 0x4020_1000, write: false)
        #expect(r.smmu.translate(streamID: 3, address: 0x8000_1234, write: true) == 0x4020_0234)
        #expect(r.smmu.translate(streamID: 3, address: 0x8000_2010, write: false) == 0x4020_1010)
        let rises = r.sink.rises
        #expect(r.smmu.translate(streamID: 3, address: 0x8000_2010, write: true) == nil)   // read-only
        #expect(r.smmu.translate(streamID: 3, address: 0x9000_0000, write: false) == nil)  // unmapped
        let e = r.events
        #expect(e.count == 2)
        #expect(e[0][0] == 0x13 | 3 << 32)                                                  // F_PERMISSION, SID 3
        #expect(e[0][1] & (1 << 39) != 0 && e[0][1] & (1 << 35) == 0)                       // stage 2, a write
        #expect(e[0][2] == 0x8000_2010 && e[0][3] == 0x8000_2000)
        #expect(e[1][0] & 0xFF == 0x10 && e[1][1] & (1 << 35) != 0)                         // F_TRANSLATION, a read
        #expect(r.sink.rises == rises + 2)                                                  // eventq interrupt each
    }

    @Test func accessFlagAndRecordingFollowTheSTE() {
        let r = Rig()
        r.setSTE(1, r.stage2STE(vmid: 1))
        r.map(0x1000, to: 0x4030_0000, af: false)
        #expect(r.smmu.translate(streamID: 1, address: 0x1000, write: false) == nil)
        #expect(r.events.last?[0] == 0x12 | 1 << 32)                                        // F_ACCESS
        r.setSTE(2, r.stage2STE(vmid: 2, record: false))
        #expect(r.smmu.translate(streamID: 2, address: 0x5000, write: false) == nil)
        #expect(r.events.count == 1)                                                        // S2R = 0: not recorded
    }

    @Test func configurationAndTranslationsAreCachedUntilInvalidated() {
        let r = Rig()
        r.setSTE(4, r.stage2STE(vmid: 9))
        r.map(0x2000, to: 0x4040_0000)
        #expect(r.smmu.translate(streamID: 4, address: 0x2008, write: false) == 0x4040_0008)
        r.map(0x2000, to: 0x4041_0000)            // remapped without TLBI: the old translation stays
        #expect(r.smmu.translate(streamID: 4, address: 0x2008, write: false) == 0x4040_0008)
        r.command(0x2A | 9 << 32, 0x2000)         // CMD_TLBI_S2_IPA, VMID 9
        #expect(r.smmu.translate(streamID: 4, address: 0x2008, write: false) == 0x4041_0008)
        r.setSTE(4, [1, 0, 0, 0])                 // abort STE, not yet invalidated
        #expect(r.smmu.translate(streamID: 4, address: 0x2008, write: false) == 0x4041_0008)
        r.command(0x03 | 4 << 32, 1)              // CMD_CFGI_STE
        #expect(r.smmu.translate(streamID: 4, address: 0x2008, write: false) == nil)
        #expect(r.events.isEmpty)                 // Config = abort records nothing
        r.setSTE(4, [1 | 0b100 << 1, 0, 0, 0])    // bypass
        r.command(0x04, 31)                       // CMD_CFGI_ALL
        #expect(r.smmu.translate(streamID: 4, address: 0x2008, write: false) == 0x2008)
    }

    @Test func twoLevelStreamTable() {
        let r = Rig()
        let l1: UInt64 = 0x4003_0000, l2: UInt64 = 0x4003_1000
        r.w32(0x20, 0)
        r.w64(0x80, l1)
        r.w32(0x88, 1 << 16 | 8 << 6 | 16)        // 2-level, SPLIT 8, 2^16 StreamIDs
        r.w32(0x20, 0xD)
        r.put64(l1 + 2 * 8, l2 | 5)               // StreamIDs 0x200-0x20F: Span 5, 16 STEs
        r.setSTE(3, [1 | 0b100 << 1, 0, 0, 0], in: l2)
        #expect(r.smmu.translate(streamID: 0x203, address: 0x7000, write: true) == 0x7000)
        #expect(r.smmu.translate(streamID: 0x210, address: 0x7000, write: true) == nil)      // beyond the span
        #expect(r.smmu.translate(streamID: 0x305, address: 0x7000, write: true) == nil)      // Span 0
        #expect(r.events.map { $0[0] } == [0x02 | 0x210 << 32, 0x02 | 0x305 << 32])         // C_BAD_STREAMID
    }

    @Test func illegalSTEsAndStreamIDsAreReported() {
        let r = Rig()
        r.setSTE(6, [1 | 0b101 << 1, 0, 0, 0])    // stage 1: not implemented
        #expect(r.smmu.translate(streamID: 6, address: 0, write: false) == nil)
        r.setSTE(7, [0, 0, 0, 0])                 // not valid
        #expect(r.smmu.translate(streamID: 7, address: 0, write: false) == nil)
        #expect(r.smmu.translate(streamID: 300, address: 0, write: false) == nil)          // beyond 2^8
        r.w32(0x2C, 0)                            // RECINVSID clear: C_BAD_STREAMID not recorded
        #expect(r.smmu.translate(streamID: 301, address: 0, write: false) == nil)
        #expect(r.events.map { $0[0] } == [0x04 | 6 << 32, 0x04 | 7 << 32, 0x02 | 300 << 32])
    }

    @Test func anIllegalCommandStopsTheQueueUntilAcknowledged() {
        let r = Rig()
        r.setSTE(4, [1 | 0b100 << 1, 0, 0, 0])
        _ = r.smmu.translate(streamID: 4, address: 0, write: false)     // cached: bypass
        r.setSTE(4, [1, 0, 0, 0])
        let rises = r.sink.rises
        r.command(0x7F)                           // no such opcode
        r.command(0x03 | 4 << 32, 1)              // CFGI_STE: waits behind the error
        #expect(r.r32(0x9C) == 1 << 24 | 0)       // CONS stays on it, ERR = CERROR_ILL
        #expect(r.r32(0x60) ^ r.r32(0x64) == 1)   // GERROR.CMDQ_ERR active
        #expect(r.sink.rises == rises + 1)
        #expect(r.smmu.translate(streamID: 4, address: 0, write: false) == 0)
        r.put64(r.cmdq, 0x46)                     // the driver replaces it with a CMD_SYNC
        r.w32(0x64, r.r32(0x60))                  // and acknowledges: the queue resumes
        #expect(r.r32(0x9C) & 0x1FF == 2)
        #expect(r.smmu.translate(streamID: 4, address: 0, write: false) == nil)
    }

    @Test func aStreamAccessIsAllOrNothing() {
        let r = Rig()
        r.setSTE(8, r.stage2STE(vmid: 3))
        r.map(0x10_0000, to: 0x4020_0000)
        r.map(0x10_1000, to: 0x4028_0000)        // not contiguous in PA
        let stream = SMMUStream(smmu: r.smmu, streamID: 8, memory: r.ram)
        #expect(stream.dmaWrite(0x10_0FFE, [1, 2, 3, 4]))
        #expect(r.ram.get(0x4020_0FFE, 2) == [1, 2] && r.ram.get(0x4028_0000, 2) == [3, 4])
        #expect(stream.dmaRead(0x10_0FFE, count: 4) == [1, 2, 3, 4])
        #expect(!stream.dmaWrite(0x10_1FFE, [9, 9, 9, 9]))                  // second page unmapped
        #expect(r.ram.get(0x4028_0FFE, 2) == [0, 0])                        // nothing written
    }

    /// Whatever a guest writes to the registers and the tables, the SMMU answers without trapping.
    @Test func malformedProgrammingNeverCrashes() {
        let r = Rig()
        var seed: UInt64 = 0x9E37_79B9_7F4A_7C15
        func next() -> UInt64 { seed ^= seed << 13; seed ^= seed >> 7; seed ^= seed << 17; return seed }
        for _ in 0..<4000 {
            let pa = 0x4000_0000 + (next() % 0x4_0000) & ~7
            r.put64(pa, next())
        }
        for i in 0..<3000 {
            let off = (next() % 0x2_0000) & ~3
            if i % 3 == 0 { r.w64(off & ~7, next()) } else { r.w32(off, UInt32(truncatingIfNeeded: next())) }
            _ = r.smmu.read(offset: (next() % 0x2_0000) & ~3, size: 4)
            _ = r.smmu.translate(streamID: UInt32(truncatingIfNeeded: next()), address: next(), write: next() & 1 == 0)
        }
    }
}
