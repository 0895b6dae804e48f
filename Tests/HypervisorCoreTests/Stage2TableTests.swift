import Devices
import Testing
@testable import HypervisorCore
@testable import Simulator

/// The hypervisor's stage-2 tables, built by its own code against the host `Arch`, then walked
/// by the simulator's stage-2 walker with the VTCR_EL2 the hypervisor programs: two independent
/// implementations of the Arm ARM's translation rules must agree on every address.
@Suite(.serialized) struct Stage2TableTests {
    /// Where table pages come from, inside the simulated machine's RAM.
    static let pool: Range<UInt64> = 0x4100_0000..<0x4110_0000

    /// Maps `ranges` with `Stage2Table`, copies the tables into a simulated `virt` machine and
    /// returns it with the table and core 0 programmed with VTCR_EL2/VTTBR_EL2.
    func build(_ ranges: [(ipa: UInt64, pa: UInt64, size: UInt64, attributes: Stage2Attributes)],
               pages: Range<UInt64> = pool) throws -> (Stage2Table, Machine, [Bool]) {
        Arch.memory = [:]
        var allocator = PageAllocator()
        allocator.setUp(pages)
        let table = try #require(Stage2Table(vmid: 5, pages: &allocator))
        let results = ranges.map { table.map(ipa: $0.ipa, pa: $0.pa, size: $0.size, attributes: $0.attributes, pages: &allocator) }
        let machine = try Machine(MachineConfig(board: .virt, cpus: 1, memory: 64 << 20, entryEL: 2),
                                  console: SerialBackend(handle: nil, echo: false))
        for (address, word) in Arch.memory {
            try machine.memory.write((0..<8).map { UInt8(truncatingIfNeeded: word >> UInt64(8 * $0)) }, at: address)
        }
        let core = machine.cores[0]
        core[.vtcrEL2] = TranslationControl.vtcr(mmfr0: 2)    // the PARange our core reports: 40 bits
        core[.vttbrEL2] = table.vttbr
        return (table, machine, results)
    }

    func walk(_ machine: Machine, _ ipa: UInt64, _ access: AccessType = .read) -> Core.Stage2Result? {
        if case .success(let r) = machine.cores[0].stage2Translate(ipa, access, va: ipa, s1ptw: false) { return r }
        return nil
    }

    @Test func largestBlocksTheAlignmentAllows() throws {
        let (table, machine, ok) = try build([
            (0x8000_0000, 0x8000_0000, 0x4000_0000, .normal),      // one 1 GiB block
            (0x4020_0000, 0x6020_0000, 0x60_0000, .normal),        // three 2 MiB blocks
            (0x0900_0000, 0x0900_0000, 0x1000, .device),           // one page of MMIO
            (0x4080_3000, 0x5000_7000, 0x3000, .normal),           // pages, IPA and PA differently aligned
        ])
        #expect(ok == [true, true, true, true])
        let probes: [(UInt64, UInt64, UInt8)] = [
            (0x8000_0000, 0x8000_0000, 30), (0xBFFF_FFF8, 0xBFFF_FFF8, 30),
            (0x4020_0000, 0x6020_0000, 21), (0x407F_F000, 0x607F_F000, 21),
            (0x0900_0010, 0x0900_0010, 12),
            (0x4080_3000, 0x5000_7000, 12), (0x4080_5FFC, 0x5000_9FFC, 12),
        ]
        for (ipa, pa, bits) in probes {
            #expect(table.translate(ipa) == pa, "hypervisor walk of \(String(ipa, radix: 16))")
            let r = try #require(walk(machine, ipa), "simulator walk of \(String(ipa, radix: 16))")
            #expect(r.pa == pa && r.blockBits == bits, "IPA \(String(ipa, radix: 16)): PA \(String(r.pa, radix: 16)), 2^\(r.blockBits)")
            #expect(r.readable && r.writable)
        }
        let mmio = try #require(walk(machine, 0x0900_0000))
        #expect(mmio.device && !mmio.executable, "MMIO is Device memory and execute-never")
        let ram = try #require(walk(machine, 0x8000_1000))
        #expect(!ram.device && ram.executable)
    }

    @Test func unmappedAddressesFaultInBothWalks() throws {
        let (table, machine, _) = try build([(0x4000_0000, 0x4000_0000, 0x20_0000, .normal)])
        for ipa: UInt64 in [0x4020_0000, 0x3FFF_F000, 0x7F_FFFF_F000, 0x0] {
            #expect(table.translate(ipa) == nil)
            #expect(walk(machine, ipa) == nil)
        }
    }

    @Test func refusesWhatItCannotMap() throws {
        // Beyond the 39-bit IPA space.
        let (_, _, ok) = try build([(0x7F_FFE0_0000, 0x4000_0000, 0x40_0000, .normal)])
        #expect(ok == [false])
        // Out of table pages: the root takes the only page, 4 KiB mappings need two more.
        let (_, _, tight) = try build([(0x4000_1000, 0x4000_1000, 0x1000, .normal)], pages: 0x4100_0000..<0x4100_1000)
        #expect(tight == [false])
    }
}
