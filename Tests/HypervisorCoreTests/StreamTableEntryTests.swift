@testable import Devices
import Testing
@testable import HypervisorCore
@testable import Simulator

/// The hypervisor's SMMU programming (Arch/StreamTableEntry.swift) against the simulator's
/// SMMUv3 model: a VM's own stage-2 tables, built by `Stage2Table`, and the STE the hypervisor
/// writes for its device must let the device reach exactly the VM's memory, as its CPUs do.
/// On an SMMU with stage 1 only, the hypervisor's stage-1 STE, context descriptor and `.dmaStage1`
/// tables (as `confineDMA` combines them) must do the same at IOVA = IPA.
/// In Stage2TableTests' suite: both use the host `Arch`'s one memory, so they must not run at once.
extension Stage2TableTests {
    @Test func aDevicesSTETranslatesWithItsVMsStage2() throws {
        Arch.memory = [:]
        var pages = PageAllocator()
        pages.setUp(0x4100_0000..<0x4110_0000)
        let s2 = try #require(Stage2Table(vmid: 3, pages: &pages))
        #expect(s2.map(ipa: 0x5000_0000, pa: 0x5000_0000, size: 0x20_0000, attributes: .normal, pages: &pages))
        #expect(s2.map(ipa: 0x5800_0000, pa: 0x4200_0000, size: 0x1000, attributes: .normal, pages: &pages))

        var config = MachineConfig(board: .virt, cpus: 1, memory: 1 << 30, entryEL: 2)
        config.smmu = .stage2
        let machine = try Machine(config, console: SerialBackend(handle: nil, echo: false))
        let smmu = try #require(machine.smmu)
        // A linear stream table of 64 entries at 0x4120_0000; StreamID 9 gets the VM's STE.
        let strtab: UInt64 = 0x4120_0000
        let ste = StreamTableEntryBuilder.stage2(vmid: s2.vmid, vtcr: TranslationControl.vtcr(mmfr0: 2), tableRoot: s2.root, smmuOAS: 5)
        for (i, w) in ste.enumerated() { Arch.memory[strtab + 9 * 64 + UInt64(8 * i)] = w }
        Arch.memory[strtab + 10 * 64] = StreamTableEntryBuilder.abort[0]
        for (address, word) in Arch.memory {
            try machine.memory.write((0..<8).map { UInt8(truncatingIfNeeded: word >> UInt64(8 * $0)) }, at: address)
        }
        smmu.write(offset: 0x80, size: 8, value: strtab)
        smmu.write(offset: 0x88, size: 4, value: 6)                     // linear, 2^6 StreamIDs
        smmu.write(offset: 0x20, size: 4, value: 1)                     // SMMUEN

        #expect(smmu.translate(streamID: 9, address: 0x5000_1234, write: true) == 0x5000_1234)
        #expect(smmu.translate(streamID: 9, address: 0x501F_FFF8, write: false) == 0x501F_FFF8)
        #expect(smmu.translate(streamID: 9, address: 0x5800_0010, write: true) == 0x4200_0010)
        #expect(smmu.translate(streamID: 9, address: 0x5020_0000, write: false) == nil)   // past the VM's memory
        #expect(smmu.translate(streamID: 9, address: 0x4008_0000, write: false) == nil)   // the hypervisor
        #expect(smmu.translate(streamID: 10, address: 0x5000_0000, write: false) == nil)  // abort STE
    }

    @Test func aStage1OnlySMMUWalksTheVMsDMATables() throws {
        Arch.memory = [:]
        var pages = PageAllocator()
        pages.setUp(0x4100_0000..<0x4110_0000)
        // The VM's memory: two 2 MiB blocks and three pages, mapped at IOVA = IPA = PA as confineDMA does.
        let vm: Range<UInt64> = 0x4800_0000..<0x4840_3000
        let dma = try #require(Stage2Table(vmid: 4, pages: &pages, format: .dmaStage1))
        #expect(dma.map(ipa: vm.lowerBound, pa: vm.lowerBound, size: UInt64(vm.count), attributes: .normal, pages: &pages))
        let page = pages.allocate()
        let cd = try #require(page)
        let cdWords = StreamTableEntryBuilder.contextDescriptor(asid: dma.vmid, tableRoot: dma.root, ips: 2)
        for (i, d) in cdWords.enumerated() { Arch.memory[cd + UInt64(8 * i)] = d }
        let ste = StreamTableEntryBuilder.stage1(contextDescriptor: cd)

        var config = MachineConfig(board: .virt, cpus: 1, memory: 1 << 30, entryEL: 2)
        config.smmu = .stage1
        let machine = try Machine(config, console: SerialBackend(handle: nil, echo: false))
        let smmu = try #require(machine.smmu)
        let strtab: UInt64 = 0x4120_0000
        for (i, w) in ste.enumerated() { Arch.memory[strtab + 9 * 64 + UInt64(8 * i)] = w }
        for (address, word) in Arch.memory {
            try machine.memory.write((0..<8).map { UInt8(truncatingIfNeeded: word >> UInt64(8 * $0)) }, at: address)
        }
        var events: [SMMUEvent] = []
        smmu.onEvent = { events.append($0) }
        smmu.write(offset: 0x80, size: 8, value: strtab)
        smmu.write(offset: 0x88, size: 4, value: 6)                     // linear, 2^6 StreamIDs
        smmu.write(offset: 0x20, size: 4, value: 1)                     // SMMUEN

        for a: UInt64 in [vm.lowerBound, 0x4800_1234, 0x481F_FFF8, 0x4820_0000, 0x483F_FFFF, 0x4840_0000, 0x4840_2FFF] {
            #expect(smmu.translate(streamID: 9, address: a, write: false) == a, "read at 0x\(String(a, radix: 16))")
            #expect(smmu.translate(streamID: 9, address: a, write: true) == a, "write at 0x\(String(a, radix: 16))")
        }
        #expect(events.isEmpty)
        #expect(smmu.translate(streamID: 9, address: vm.upperBound, write: false) == nil)          // one byte past the end
        #expect(smmu.translate(streamID: 9, address: vm.lowerBound - 1, write: true) == nil)
        #expect(smmu.translate(streamID: 9, address: 0x4100_0000, write: false) == nil)            // the tables themselves
        #expect(events.map(\.kind) == [.translation, .translation, .translation])
        #expect(events.map(\.inputAddress) == [vm.upperBound, vm.lowerBound - 1, 0x4100_0000])
        #expect(events.map(\.stage2) == [false, false, false])
        #expect(events.map(\.faultClass) == [.input, .input, .input])     // CLASS IN: the device's own address

        // The CD as the architecture lays it out (IHI 0070 5.4), and as the model decodes it.
        let d0 = cdWords[0]
        #expect(d0 & 0x3F == 25)                                        // T0SZ: 39-bit IOVAs
        #expect((d0 >> 6) & 3 == 0)                                     // TG0: 4 KiB
        #expect((d0 >> 14) & 1 == 0 && (d0 >> 30) & 1 == 1)             // EPD0 clear, EPD1 set
        #expect((d0 >> 31) & 1 == 1 && (d0 >> 41) & 1 == 1)             // V, AA64
        #expect((d0 >> 15) & 1 == 0 && (d0 >> 44) & 1 == 0)             // little-endian tables, no stalls
        #expect((d0 >> 32) & 7 == 2)                                    // IPS: 40 bits
        #expect(d0 >> 48 == UInt64(dma.vmid))                           // ASID = the VMID
        #expect(cdWords[1] & 0x000F_FFFF_FFFF_FFF0 == dma.root)         // TTB0
        let decoded = try #require(ContextDescriptor(cdWords, oas: SMMUv3.oasBits))
        #expect(decoded.asid == 4)
        #expect(decoded.tables[0].enabled && decoded.tables[0].t0sz == 25 && decoded.tables[0].granuleShift == 12)
        #expect(!decoded.tables[1].enabled)
        #expect(decoded.outputBits == 40)
        // The STE: Config 0b101 (stage 1, stage 2 bypassed), S1ContextPtr, one CD (S1Fmt 0, S1CDMax 0).
        #expect(ste[0] & 1 == 1 && (ste[0] >> 1) & 7 == 0b101)
        #expect(ste[0] & 0x000F_FFFF_FFFF_FFC0 == cd)
        #expect((ste[0] >> 4) & 3 == 0 && ste[0] >> 59 == 0)
    }

    @Test func theOutputSizeIsCappedAtTheSMMUs() {
        let ste = StreamTableEntryBuilder.stage2(vmid: 1, vtcr: 5 << 16 | 25, tableRoot: 0x1000, smmuOAS: 2)
        #expect((ste[2] >> 48) & 7 == 2)
        #expect((ste[2] >> 32) & 0x3F == 25)
        #expect(ste[0] == 0xD && ste[3] == 0x1000)
    }
}
