import Devices
import Testing
@testable import HypervisorCore
@testable import Simulator

/// The hypervisor's SMMU programming (Arch/StreamTableEntry.swift) against the simulator's
/// SMMUv3 model: a VM's own stage-2 tables, built by `Stage2Table`, and the STE the hypervisor
/// writes for its device must let the device reach exactly the VM's memory, as its CPUs do.
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

    @Test func theOutputSizeIsCappedAtTheSMMUs() {
        let ste = StreamTableEntryBuilder.stage2(vmid: 1, vtcr: 5 << 16 | 25, tableRoot: 0x1000, smmuOAS: 2)
        #expect((ste[2] >> 48) & 7 == 2)
        #expect((ste[2] >> 32) & 0x3F == 25)
        #expect(ste[0] == 0xD && ste[3] == 0x1000)
    }
}
