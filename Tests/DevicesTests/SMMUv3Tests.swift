import Testing
@testable import Devices

/// The SMMUv3 model programmed as a driver would (IHI 0070): stream tables, STEs, context
/// descriptors, the stage-1, stage-2 and nested walks, the command and event queues, and what
/// malformed programming does.
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

        init(stages: SMMUStages = .both) {
            smmu = SMMUv3(name: "smmuv3", memory: ram, sink: sink, interrupts: Self.irqs, stages: stages)
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
        var records: [Record] { events.map(Record.init) }

        // MARK: Stage 1

        let cds: UInt64 = 0x4002_0000             // context descriptors, 64 bytes each
        var nextS1Table: UInt64 = 0x4004_0000     // stage-1 table pages

        /// A zeroed 4 KiB page for stage-1 tables (its PA).
        func s1Table() -> UInt64 {
            defer { nextS1Table += 0x1000 }
            return nextS1Table
        }
        func put(_ pa: UInt64, _ d: [UInt64]) { for (i, v) in d.enumerated() { put64(pa + UInt64(i) * 8, v) } }

        /// CD dwords 0-3 (IHI 0070 5.4): T0SZ 5:0, TG0 7:6 = 4 KiB, EPD1 30 (no TTB1 walks), V 31,
        /// IPS 34:32 = 40 bits, AFFD 35, AA64 41, R 45, A 46, ASID 63:48; dword 1 TTB0; dword 3 MAIR0.
        func cd(asid: UInt16, ttb0: UInt64, t0sz: UInt64 = 25, valid: Bool = true, aa64: Bool = true,
                record: Bool = true, affd: Bool = false) -> [UInt64] {
            let d0 = t0sz | 0 << 6 | 1 << 30 | (valid ? 1 << 31 : 0) | 2 << 32 | (affd ? 1 << 35 : 0)
                | (aa64 ? 1 << 41 : 0) | (record ? 1 << 45 : 0) | 1 << 46 | UInt64(asid) << 48
            return [d0, ttb0, 0, 0xFF]
        }
        /// A stage-1 STE (Config 0b101): S1ContextPtr, S1Fmt 0, S1CDMax 0; PRIVCFG (dword 1 49:48)
        /// 0b10 unprivileged, 0b11 privileged.
        func stage1STE(cd: UInt64, privcfg: UInt64 = 0b10) -> [UInt64] { [1 | 0b101 << 1 | cd, privcfg << 48, 0, 0] }
        /// A nested STE (Config 0b111): the stage-1 CD at IPA `cd`, and `stage2STE`'s stage 2.
        func nestedSTE(cd: UInt64, vmid: UInt16, privcfg: UInt64 = 0b10) -> [UInt64] {
            var d = stage2STE(vmid: vmid)
            d[0] = 1 | 0b111 << 1 | cd
            d[1] |= privcfg << 48
            return d
        }

        /// Maps `va` to `out` with a VMSAv8-64 stage-1 leaf (4 KiB granule) at `level` (3: page,
        /// 2: 2 MiB block, 1: 1 GiB block) in the tables under `root` (a PA) for a T0SZ of `t0sz`,
        /// creating table descriptors with APTable (62:61) `apTable` on the way. Leaf AP[2:1] (7:6)
        /// = `ap`, AF (10). Tables are seen by the SMMU at PA + `ipaOffset` (nested: their IPA).
        func s1Map(root: UInt64, t0sz: UInt64 = 25, va: UInt64, to out: UInt64, level leafLevel: Int = 3,
                   ap: UInt64 = 0b01, af: Bool = true, apTable: UInt64 = 0, ipaOffset: UInt64 = 0) {
            let inputBits = 64 - t0sz
            let start = 4 - Int((inputBits - 12 + 8) / 9)
            var table = root
            for level in start..<leafLevel {
                let shift = UInt64(12 + (3 - level) * 9)
                let slot = table + ((va >> shift) & 0x1FF) * 8
                var d = get64(slot)
                if d & 3 != 3 {
                    d = (s1Table() + ipaOffset) | 3 | apTable << 61
                    put64(slot, d)
                }
                table = (d & 0x0000_FFFF_FFFF_F000) - ipaOffset
            }
            let shift = UInt64(12 + (3 - leafLevel) * 9)
            let leaf = out | (leafLevel == 3 ? 3 : 1) | ap << 6 | (af ? 1 << 10 : 0)
            put64(table + ((va >> shift) & 0x1FF) * 8, leaf)
        }
    }

    /// An event record's fields (IHI 0070 7.3): type 7:0 and StreamID 63:32 of dword 0; RnW 35
    /// (1: read), S2 39 and CLASS 41:40 (0 CD, 1 TT, 2 IN) of dword 1; InputAddr, dword 2; the
    /// IPA 51:12 (or fetch address 51:3) of dword 3.
    struct Record {
        let d: [UInt64]
        var type: UInt64 { d[0] & 0xFF }
        var sid: UInt64 { d[0] >> 32 }
        var read: Bool { (d[1] >> 35) & 1 == 1 }
        var s2: Bool { (d[1] >> 39) & 1 == 1 }
        var cls: UInt64 { (d[1] >> 40) & 3 }
        var input: UInt64 { d[2] }
        var ipa: UInt64 { d[3] & 0x000F_FFFF_FFFF_F000 }
        var fetchAddress: UInt64 { d[3] & 0x000F_FFFF_FFFF_FFF8 }
        static let F_TRANSLATION: UInt64 = 0x10, F_ACCESS: UInt64 = 0x12, F_PERMISSION: UInt64 = 0x13
        static let C_BAD_STE: UInt64 = 0x04, F_CD_FETCH: UInt64 = 0x09, C_BAD_CD: UInt64 = 0x0A
        static let CD: UInt64 = 0, TT: UInt64 = 1, IN: UInt64 = 2
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
        let r = Rig(stages: .stage2)
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
        let r = Rig(stages: .stage2)
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

    // MARK: Stage 1 and nested translation

    @Test(arguments: zip([SMMUStages.stage1, .stage2, .both], [UInt32(0b10), 0b01, 0b11]))
    func identificationReportsTheStagesImplemented(_ stages: SMMUStages, _ s1pS2p: UInt32) {
        let r = Rig(stages: stages)
        #expect(r.r32(0x00) & 3 == s1pS2p)                  // IDR0.S1P bit 1, IDR0.S2P bit 0
        #expect((r.r32(0x00) >> 2) & 3 == 2)                // TTF: AArch64 tables
    }

    /// A stage-1 stream (STE Config 0b101) walks its CD's TTB0 tables: pages, 2 MiB and 1 GiB
    /// blocks, with a 39-bit (T0SZ 25, level-1 start) and a 48-bit (T0SZ 16, level-0 start) input.
    @Test(arguments: [SMMUStages.stage1, .both])
    func stage1TranslatesPagesAndBlocks(_ stages: SMMUStages) {
        let r = Rig(stages: stages)
        let root = r.s1Table()
        r.s1Map(root: root, va: 0x1000, to: 0x4020_3000)                           // read/write page
        r.s1Map(root: root, va: 0x2000, to: 0x4020_4000, ap: 0b11)                 // AP[2] = 1: read-only
        r.s1Map(root: root, va: 0x40_0000, to: 0x4060_0000, level: 2)              // 2 MiB block
        r.s1Map(root: root, va: 0x40_0000_0000, to: 0x8000_0000, level: 1)        // 1 GiB block
        r.put(r.cds, r.cd(asid: 1, ttb0: root))
        r.setSTE(2, r.stage1STE(cd: r.cds))
        func t(_ va: UInt64, write: Bool = false) -> UInt64? { r.smmu.translate(streamID: 2, address: va, write: write) }
        #expect(t(0x1234, write: true) == 0x4020_3234)
        #expect(t(0x1FFF) == 0x4020_3FFF)
        #expect(t(0x2010) == 0x4020_4010)
        #expect(t(0x41_2345, write: true) == 0x4061_2345)
        #expect(t(0x5F_FFF8) == 0x407F_FFF8)
        #expect(t(0x40_1234_5678, write: true) == 0x9234_5678)
        #expect(t(0x40_3FFF_FFF0) == 0xBFFF_FFF0)
        #expect(r.events.isEmpty)

        #expect(t(0x2010, write: true) == nil)              // a write to a read-only page
        #expect(t(0x3000) == nil)                           // no page at level 3
        #expect(t(0x60_0000_0000, write: true) == nil)      // no level-1 entry
        #expect(t(0x80_0000_0000) == nil)                   // beyond 39 bits, and TTB1 is off (EPD1)
        let e = r.records
        #expect(e.count == 4)
        if e.count == 4 {
            #expect(e[0].type == Record.F_PERMISSION && e[0].sid == 2)
            #expect(!e[0].read && !e[0].s2 && e[0].cls == Record.IN && e[0].input == 0x2010)
            for (rec, (va, read)) in zip(e[1...], [(UInt64(0x3000), true), (0x60_0000_0000, false), (0x80_0000_0000, true)]) {
                #expect(rec.type == Record.F_TRANSLATION && rec.sid == 2 && rec.input == va)
                #expect(rec.read == read && !rec.s2)
                #expect(rec.cls == Record.IN, "CLASS of a stage-1 fault on the device's address at 0x\(String(va, radix: 16))")
            }
        }

        // A 48-bit input: four levels from level 0.
        let root48 = r.s1Table()
        r.s1Map(root: root48, t0sz: 16, va: 0x8000_0000_1000, to: 0x4021_0000)
        r.s1Map(root: root48, t0sz: 16, va: 0x4000_0020_0000, to: 0x4080_0000, level: 2)
        r.s1Map(root: root48, t0sz: 16, va: 0x7000_4000_0000, to: 0xC000_0000, level: 1)
        r.put(r.cds + 64, r.cd(asid: 2, ttb0: root48, t0sz: 16))
        r.setSTE(3, r.stage1STE(cd: r.cds + 64))
        func t3(_ va: UInt64) -> UInt64? { r.smmu.translate(streamID: 3, address: va, write: true) }
        #expect(t3(0x8000_0000_1ABC) == 0x4021_0ABC)
        #expect(t3(0x4000_0031_2345) == 0x4091_2345)
        #expect(t3(0x7000_7FFF_FFFF) == 0xFFFF_FFFF)
        #expect(t3(0x1000) == nil)                          // not in this CD's tables
        #expect(t3(0x1_0000_0000_0000) == nil)              // beyond 48 bits
        #expect(r.records.dropFirst(4).map { [$0.type, $0.sid, $0.input] }
                == [[Record.F_TRANSLATION, 3, 0x1000], [Record.F_TRANSLATION, 3, 0x1_0000_0000_0000]])

        // CD.R = 0: stage-1 faults terminate the access but are not recorded.
        r.put(r.cds + 128, r.cd(asid: 3, ttb0: root, record: false))
        r.setSTE(4, r.stage1STE(cd: r.cds + 128))
        let recorded = r.events.count
        #expect(r.smmu.translate(streamID: 4, address: 0x1010, write: true) == 0x4020_3010)
        #expect(r.smmu.translate(streamID: 4, address: 0x3000, write: false) == nil)
        #expect(r.smmu.translate(streamID: 4, address: 0x2000, write: true) == nil)
        #expect(r.events.count == recorded)
    }

    @Test func stage1AccessFlag() {
        let r = Rig(stages: .stage1)
        let root = r.s1Table()
        r.s1Map(root: root, va: 0x5000, to: 0x4020_5000, af: false)
        r.put(r.cds, r.cd(asid: 1, ttb0: root))
        r.put(r.cds + 64, r.cd(asid: 2, ttb0: root, affd: true))
        r.setSTE(1, r.stage1STE(cd: r.cds))
        r.setSTE(2, r.stage1STE(cd: r.cds + 64))
        #expect(r.smmu.translate(streamID: 1, address: 0x5008, write: false) == nil)
        #expect(r.smmu.translate(streamID: 2, address: 0x5008, write: false) == 0x4020_5008)   // CD.AFFD
        let e = r.records
        #expect(e.count == 1)
        #expect(e.first?.type == Record.F_ACCESS && e.first?.input == 0x5008 && e.first?.s2 == false)
        #expect(e.first?.cls == Record.IN)
    }

    /// AP[2:1] (bits 7:6) and APTable (62:61) against the STE's PRIVCFG (dword 1, 49:48): 0b10
    /// unprivileged, 0b11 privileged. APTable[1] takes write access away below it for both,
    /// APTable[0] and AP[1] = 0 take all access away from unprivileged transactions.
    @Test func apTableAndPrivilege() {
        let r = Rig(stages: .stage1)
        let root = r.s1Table()
        r.s1Map(root: root, va: 0x4000_0000, to: 0x4020_0000, apTable: 0b10)   // APTable[1]: no writes below
        r.s1Map(root: root, va: 0x8000_0000, to: 0x4020_1000, apTable: 0b01)   // APTable[0]: privileged only below
        r.s1Map(root: root, va: 0xC000_0000, to: 0x4020_2000, ap: 0b00)        // privileged read/write
        r.s1Map(root: root, va: 0xC000_1000, to: 0x4020_3000, ap: 0b10)        // privileged read-only
        r.put(r.cds, r.cd(asid: 1, ttb0: root))
        r.put(r.cds + 64, r.cd(asid: 2, ttb0: root))
        r.setSTE(1, r.stage1STE(cd: r.cds, privcfg: 0b10))
        r.setSTE(2, r.stage1STE(cd: r.cds + 64, privcfg: 0b11))
        func t(_ sid: UInt32, _ va: UInt64, write: Bool) -> UInt64? { r.smmu.translate(streamID: sid, address: va, write: write) }

        #expect(t(1, 0x4000_0010, write: false) == 0x4020_0010)
        #expect(t(1, 0x4000_0010, write: true) == nil)
        #expect(t(1, 0x8000_0010, write: false) == nil)
        #expect(t(1, 0x8000_0010, write: true) == nil)
        #expect(t(1, 0xC000_0010, write: false) == nil)
        #expect(t(1, 0xC000_1010, write: false) == nil)

        #expect(t(2, 0x4000_0010, write: false) == 0x4020_0010)
        #expect(t(2, 0x4000_0010, write: true) == nil)
        #expect(t(2, 0x8000_0010, write: true) == 0x4020_1010)
        #expect(t(2, 0xC000_0010, write: true) == 0x4020_2010)
        #expect(t(2, 0xC000_0010, write: false) == 0x4020_2010)
        #expect(t(2, 0xC000_1010, write: false) == 0x4020_3010)
        #expect(t(2, 0xC000_1010, write: true) == nil)

        let e = r.records
        #expect(e.map(\.type) == Array(repeating: Record.F_PERMISSION, count: 7))
        #expect(e.map(\.sid) == [1, 1, 1, 1, 1, 2, 2])
        #expect(e.map(\.input) == [0x4000_0010, 0x8000_0010, 0x8000_0010, 0xC000_0010, 0xC000_1010, 0x4000_0010, 0xC000_1010])
        #expect(e.map(\.read) == [false, true, false, true, true, false, false])
        #expect(e.allSatisfy { !$0.s2 && $0.cls == Record.IN })
    }

    /// Two streams sharing a CD (one ASID, one set of tables) with different PRIVCFG: the
    /// translation may come from the TLB, but access permission is a property of each
    /// transaction and is checked against the cached AP bits every time.
    @Test func aCachedStage1WalkIsCheckedAgainstEachTransactionsPrivilege() {
        let r = Rig(stages: .stage1)
        let root = r.s1Table()
        r.s1Map(root: root, va: 0x1000, to: 0x4020_1000, ap: 0b00)             // privileged only
        r.s1Map(root: root, va: 0x2000, to: 0x4020_2000, ap: 0b00)
        r.put(r.cds, r.cd(asid: 9, ttb0: root))
        r.setSTE(1, r.stage1STE(cd: r.cds, privcfg: 0b11))
        r.setSTE(2, r.stage1STE(cd: r.cds, privcfg: 0b10))
        #expect(r.smmu.translate(streamID: 1, address: 0x1010, write: true) == 0x4020_1010)
        #expect(r.smmu.translate(streamID: 2, address: 0x1010, write: false) == nil, "an unprivileged stream reads a privileged-only page")
        #expect(r.smmu.translate(streamID: 2, address: 0x2010, write: false) == nil)
        #expect(r.smmu.translate(streamID: 1, address: 0x2010, write: false) == 0x4020_2010, "a privileged stream is refused a page it may read")
    }

    /// CD.V = 0 and CD.AA64 = 0 (AArch32 tables, which IDR0.TTF does not offer) are C_BAD_CD;
    /// a CD that cannot be read is F_CD_FETCH with its address.
    @Test func badAndUnreadableContextDescriptors() {
        let r = Rig(stages: .stage1)
        let root = r.s1Table()
        r.s1Map(root: root, va: 0x1000, to: 0x4020_0000)
        r.put(r.cds, r.cd(asid: 1, ttb0: root, valid: false))
        r.put(r.cds + 64, r.cd(asid: 1, ttb0: root, aa64: false))
        r.put(r.cds + 128, r.cd(asid: 1, ttb0: root))
        r.setSTE(1, r.stage1STE(cd: r.cds))
        r.setSTE(2, r.stage1STE(cd: r.cds + 64))
        r.setSTE(3, r.stage1STE(cd: 0x1000_0000))           // no RAM there
        r.setSTE(4, r.stage1STE(cd: r.cds + 128))
        #expect(r.smmu.translate(streamID: 1, address: 0x1000, write: false) == nil)
        #expect(r.smmu.translate(streamID: 2, address: 0x1000, write: false) == nil)
        #expect(r.smmu.translate(streamID: 3, address: 0x1000, write: false) == nil)
        #expect(r.smmu.translate(streamID: 4, address: 0x1000, write: false) == 0x4020_0000)
        let e = r.records
        #expect(e.map { [$0.type, $0.sid] } == [[Record.C_BAD_CD, 1], [Record.C_BAD_CD, 2], [Record.F_CD_FETCH, 3]])
        #expect(e.last?.fetchAddress == 0x1000_0000)
    }

    /// CDs and stage-1 translations are cached: a new TTB0 takes effect for the stream after
    /// CMD_CFGI_CD, and translations already cached for the ASID only after CMD_TLBI_NH_ASID;
    /// CMD_TLBI_NH_VA removes one page, CMD_TLBI_NH_ALL every stage-1 entry.
    @Test func stage1ChangesTakeEffectAfterInvalidation() {
        let r = Rig(stages: .stage1)
        let rootA = r.s1Table(), rootB = r.s1Table()
        r.s1Map(root: rootA, va: 0x1000, to: 0x4020_0000)
        r.s1Map(root: rootB, va: 0x1000, to: 0x4021_0000)
        r.s1Map(root: rootB, va: 0x5000, to: 0x4021_5000)
        r.put(r.cds, r.cd(asid: 5, ttb0: rootA))
        r.setSTE(1, r.stage1STE(cd: r.cds))
        func t(_ va: UInt64) -> UInt64? { r.smmu.translate(streamID: 1, address: va, write: false) }
        #expect(t(0x1008) == 0x4020_0008)
        r.put(r.cds, r.cd(asid: 5, ttb0: rootB))            // another TTB0, not yet invalidated
        #expect(t(0x1008) == 0x4020_0008)
        #expect(t(0x5008) == nil)                           // the cached CD still walks rootA
        r.command(0x05 | 1 << 32, 1)                        // CMD_CFGI_CD, StreamID 1, Leaf
        #expect(t(0x5008) == 0x4021_5008)                   // the new CD
        #expect(t(0x1008) == 0x4020_0008)                   // ASID 5's cached translation
        r.command(0x11 | 5 << 48)                           // CMD_TLBI_NH_ASID, ASID 5
        #expect(t(0x1008) == 0x4021_0008)
        #expect(t(0x5008) == 0x4021_5008)                   // walked again: both pages cached now

        r.s1Map(root: rootB, va: 0x1000, to: 0x4022_0000)   // both leaves change
        r.s1Map(root: rootB, va: 0x5000, to: 0x4022_5000)
        #expect(t(0x1008) == 0x4021_0008)
        #expect(t(0x5008) == 0x4021_5008)
        r.command(0x12 | 5 << 48, 0x5000 | 1)               // CMD_TLBI_NH_VA, ASID 5, VA 0x5000, Leaf
        #expect(t(0x5008) == 0x4022_5008)
        #expect(t(0x1008) == 0x4021_0008)
        r.command(0x10)                                     // CMD_TLBI_NH_ALL
        #expect(t(0x1008) == 0x4022_0008)
        #expect(r.r32(0x9C) == r.cmdIndex)                  // every command consumed, ERR = 0
        #expect(r.records.map { [$0.type, $0.input] } == [[Record.F_TRANSLATION, 0x5008]])
    }

    /// An STE for a stage the SMMU does not implement is C_BAD_STE (IHI 0070 5.2, Config).
    @Test func stesForMissingStagesAreBad() {
        let s2only = Rig(stages: .stage2)
        s2only.put(s2only.cds, s2only.cd(asid: 1, ttb0: s2only.s1Table()))
        s2only.setSTE(1, s2only.stage1STE(cd: s2only.cds))
        s2only.setSTE(2, s2only.nestedSTE(cd: s2only.cds, vmid: 1))
        #expect(s2only.smmu.translate(streamID: 1, address: 0, write: false) == nil)
        #expect(s2only.smmu.translate(streamID: 2, address: 0, write: false) == nil)
        #expect(s2only.records.map { [$0.type, $0.sid] } == [[Record.C_BAD_STE, 1], [Record.C_BAD_STE, 2]])

        let s1only = Rig(stages: .stage1)
        s1only.put(s1only.cds, s1only.cd(asid: 1, ttb0: s1only.s1Table()))
        s1only.setSTE(1, s1only.stage2STE(vmid: 1))
        s1only.setSTE(2, s1only.nestedSTE(cd: s1only.cds, vmid: 1))
        #expect(s1only.smmu.translate(streamID: 1, address: 0, write: false) == nil)
        #expect(s1only.smmu.translate(streamID: 2, address: 0, write: false) == nil)
        #expect(s1only.records.map { [$0.type, $0.sid] } == [[Record.C_BAD_STE, 1], [Record.C_BAD_STE, 2]])
    }

    /// Stage-1 TLB invalidations on an SMMU without stage 1 stop the queue with CERROR_ILL, as
    /// an unknown opcode does.
    @Test(arguments: [(UInt64(0x10), UInt64(0)), (0x11 | 1 << 48, 0), (0x12 | 1 << 48, 0x1001), (0x13, 0x1001)])
    func stage1InvalidationIsIllegalWithoutStage1(_ d0: UInt64, _ d1: UInt64) {
        let r = Rig(stages: .stage2)
        r.command(d0, d1)
        #expect(r.r32(0x9C) == 1 << 24 | 0)                 // CONS stays on it, ERR = CERROR_ILL
        #expect(r.r32(0x60) ^ r.r32(0x64) == 1)             // GERROR.CMDQ_ERR active
        let s1 = Rig(stages: .stage1)                       // where stage 1 exists, the same command runs
        s1.command(d0, d1)
        #expect(s1.r32(0x9C) == 1 && s1.r32(0x60) == s1.r32(0x64))
    }

    /// Likewise the stage-2 invalidations on an SMMU without stage 2 (QEMU's stage-1 SMMU agrees).
    @Test(arguments: [(UInt64(0x2A | 1 << 32), UInt64(0x1000)), (0x28 | 1 << 32, 0)])
    func stage2InvalidationIsIllegalWithoutStage2(_ d0: UInt64, _ d1: UInt64) {
        let r = Rig(stages: .stage1)
        r.command(d0, d1)
        #expect(r.r32(0x9C) == 1 << 24 | 0)
        #expect(r.r32(0x60) ^ r.r32(0x64) == 1)
        let s2 = Rig(stages: .stage2)
        s2.command(d0, d1)
        #expect(s2.r32(0x9C) == 1 && s2.r32(0x60) == s2.r32(0x64))
    }

    /// A stage-2 fault on the address a stage-2 stream's device used is CLASS IN (the class is
    /// the access that faulted, not where in the walk it was found), with the IPA in dword 3.
    @Test func stage2FaultsOnTheDevicesAddressAreClassIN() {
        let r = Rig(stages: .stage2)
        r.setSTE(3, r.stage2STE(vmid: 7))
        r.map(0x8000_1000, to: 0x4020_0000)
        #expect(r.smmu.translate(streamID: 3, address: 0x8000_2010, write: false) == nil)   // level 3 invalid
        #expect(r.smmu.translate(streamID: 3, address: 0x9000_0000, write: true) == nil)    // level 2 invalid
        let e = r.records
        #expect(e.map(\.type) == [Record.F_TRANSLATION, Record.F_TRANSLATION])
        #expect(e.map(\.s2) == [true, true])
        #expect(e.map(\.cls) == [Record.IN, Record.IN])
        #expect(e.map(\.ipa) == [0x8000_2000, 0x9000_0000])
    }

    /// Nested (Config 0b111): the CD pointer, TTB0 and the stage-1 table addresses are IPAs that
    /// stage 2 maps elsewhere, and stage 1's output IPA goes through stage 2. A stage-2 fault is
    /// recorded with S2 = 1 and the IPA, classed by what was being accessed: the CD (CD), a
    /// stage-1 table descriptor (TT) or the device's address (IN).
    @Test func nestedTranslationGoesThroughStage2() {
        let r = Rig()
        let ipaOffset: UInt64 = 0x4000_0000                 // stage-1 structures at IPA = PA + 1 GiB
        let cdPA: UInt64 = 0x4005_0000, cdIPA = cdPA + ipaOffset
        let root = r.s1Table()                                                        // PA 0x4004_0000
        r.s1Map(root: root, va: 0x1000, to: 0x9000_0000, ipaOffset: ipaOffset)        // tables 0x4004_1000, 0x4004_2000
        r.s1Map(root: root, va: 0x2000, to: 0x9100_0000, ipaOffset: ipaOffset)        // stage 2 maps no 0x9100_0000
        r.s1Map(root: root, va: 0x4000_0000, to: 0x9000_1000, ipaOffset: ipaOffset)   // level-2 table 0x4004_3000
        r.put(cdPA, r.cd(asid: 1, ttb0: root + ipaOffset))
        r.setSTE(5, r.nestedSTE(cd: cdIPA, vmid: 7))
        r.setSTE(6, r.nestedSTE(cd: 0x8800_0000, vmid: 7))  // a CD at an IPA stage 2 does not map
        r.map(cdIPA, to: cdPA)
        for pa in [root, root + 0x1000, root + 0x2000] { r.map(pa + ipaOffset, to: pa) }  // not 0x8004_3000
        r.map(0x9000_0000, to: 0x4030_0000)

        #expect(r.smmu.translate(streamID: 5, address: 0x1234, write: false) == 0x4030_0234)
        #expect(r.smmu.translate(streamID: 5, address: 0x1FF8, write: true) == 0x4030_0FF8)
        #expect(r.events.isEmpty)
        #expect(r.smmu.translate(streamID: 5, address: 0x2008, write: true) == nil)
        #expect(r.smmu.translate(streamID: 5, address: 0x4000_0010, write: false) == nil)
        #expect(r.smmu.translate(streamID: 6, address: 0x1000, write: false) == nil)
        let e = r.records
        #expect(e.count == 3)
        if e.count == 3 {
            #expect(e.map(\.type) == [Record.F_TRANSLATION, Record.F_TRANSLATION, Record.F_TRANSLATION])
            #expect(e.map(\.sid) == [5, 5, 6])
            #expect(e.map(\.s2) == [true, true, true])
            #expect(e.map(\.input) == [0x2008, 0x4000_0010, 0x1000])
            #expect(e.map(\.ipa) == [0x9100_0000, 0x8004_3000, 0x8800_0000])
            #expect(e[0].cls == Record.IN, "stage-2 fault on the output IPA")
            #expect(e[1].cls == Record.TT, "stage-2 fault fetching a stage-1 table descriptor")
            #expect(e[2].cls == Record.CD, "stage-2 fault fetching the CD")
            #expect(!e[0].read && e[1].read)
        }
    }

    /// In a nested stream, a stage-1 output IPA within CD.IPS (40 bits) but beyond stage 2's
    /// input range (S2T0SZ 32) is stage 2's translation fault (S2 = 1, CLASS IN), not a stage-1
    /// address size fault: stage 1 checks its output against its own IPS (capped at the SMMU's
    /// IAS), stage 2 checks its input against S2T0SZ.
    @Test func aNestedIPABeyondStage2sInputIsAStage2Fault() {
        let r = Rig()
        let ipaOffset: UInt64 = 0x4000_0000
        let root = r.s1Table()
        r.s1Map(root: root, va: 0x1000, to: 0x1_2000_0000, ipaOffset: ipaOffset)
        let cdPA: UInt64 = 0x4005_0000
        r.put(cdPA, r.cd(asid: 1, ttb0: root + ipaOffset))              // IPS 40 bits
        r.setSTE(5, r.nestedSTE(cd: cdPA + ipaOffset, vmid: 7))
        r.map(cdPA + ipaOffset, to: cdPA)
        for pa in [root, root + 0x1000, root + 0x2000] { r.map(pa + ipaOffset, to: pa) }
        #expect(r.smmu.translate(streamID: 5, address: 0x1010, write: false) == nil)
        let e = r.records
        #expect(e.count == 1)
        #expect(e.first?.type == Record.F_TRANSLATION)
        #expect(e.first?.s2 == true)
        #expect(e.first?.cls == Record.IN)
        #expect(e.first?.ipa == 0x1_2000_0000)
        #expect(e.first?.input == 0x1010)
    }

    /// RnW in a fault record is the incoming transaction's, also when the fault was stage 2's on
    /// fetching a stage-1 table descriptor (a read) for a device's write (IHI 0070 7.3).
    @Test func aStage2FaultOnATableFetchReportsTheTransactionsRnW() {
        let r = Rig()
        let ipaOffset: UInt64 = 0x4000_0000
        let root = r.s1Table()
        r.s1Map(root: root, va: 0x1000, to: 0x9000_0000, ipaOffset: ipaOffset)
        let cdPA: UInt64 = 0x4005_0000
        r.put(cdPA, r.cd(asid: 1, ttb0: root + ipaOffset))
        r.setSTE(5, r.nestedSTE(cd: cdPA + ipaOffset, vmid: 7))
        r.map(cdPA + ipaOffset, to: cdPA)
        r.map(root + ipaOffset, to: root)                               // not the level-2 and level-3 tables
        #expect(r.smmu.translate(streamID: 5, address: 0x1010, write: true) == nil)
        let e = r.records
        #expect(e.count == 1)
        #expect(e.first?.type == Record.F_TRANSLATION && e.first?.s2 == true && e.first?.cls == Record.TT)
        #expect(e.first?.read == false, "RnW of a device write")
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
