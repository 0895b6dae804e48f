import Devices
import Testing
@testable import Simulator

/// The espressobin board as its description builds it: GIC-500 placement and size, the syscons
/// firmware leaves set, PSCI 1.1 from the simulator, the NB warm-reset register.
@Suite struct EspressobinTests {
    func machine(cpus: Int = 2, memory: UInt64 = 1 << 30) throws -> Machine {
        try Machine(MachineConfig(board: .espressobin, cpus: cpus, memory: memory, entryEL: 2), console: SerialBackend(handle: nil, echo: false))
    }

    func run(_ m: Machine, _ source: String) throws -> Outcome {
        try m.memory.write(try Assembler.assemble(source + "\n wfi\n b .\n"), at: 0x100_0000)
        m.boot(entry: 0x100_0000, dtb: 0)
        return m.run(maxInstructions: 100_000)
    }

    @Test func gicDecoderWindowsAndPSCIAsFirmwareLeavesThem() throws {
        let m = try machine(memory: 512 << 20)
        _ = try run(m, """
            ldr x1, =0xd1d00004
            ldr w10, [x1]              // GICD_TYPER
            ldr x1, =0xd1d60008
            ldr x11, [x1]              // second redistributor's GICR_TYPER
            ldr x1, =0xd000cf00
            ldr w12, [x1]              // decoder window 0 control
            ldr w13, [x1, #4]          // its size
            ldr x1, =0xd0013808
            ldr w14, [x1]              // crystal strap: bit 9 clear = 25 MHz
            ldr x1, =0xd0012000
            ldr w15, [x1, #0x0c]       // UART STAT
            mrs x16, cntfrq_el0
            mov x0, #0x84000000        // PSCI_VERSION
            smc #0
            mov x17, x0
            """)
        let c = m.cores[0]
        #expect(c.x[10] & 0x1F == 6, "ITLinesNumber 6: INTIDs up to 223")
        #expect(c.x[11] >> 32 == 1 && c.x[11] & (1 << 4) != 0, "the second frame is CPU 1's and the last")
        #expect(c.x[12] & 1 == 1 && (c.x[12] >> 4) & 0xF == 0, "window 0 on, target DRAM")
        #expect(c.x[13] == ((512 << 20) >> 16) - 1, "window 0 covers the RAM fitted")
        #expect(c.x[14] & (1 << 9) == 0)
        #expect(c.x[15] & (1 << 13 | 1 << 6) == 1 << 13 | 1 << 6)
        #expect(c.x[16] == 12_500_000)
        #expect(c.x[17] == 0x1_0001, "PSCI 1.1, as Marvell's TF-A")
    }

    @Test func nbWarmResetRegisterResetsTheBoard() throws {
        let m = try machine()
        let outcome = try run(m, """
            ldr x1, =0xd0013840
            mov w0, #0x1d1e
            str w0, [x1]
            """)
        guard case .reset = outcome else { Issue.record("outcome \(outcome)"); return }
    }

    @Test func marvellSiPCallsAreNotSupported() throws {
        let m = try machine(cpus: 1)
        _ = try run(m, """
            ldr x0, =0x82000001        // comphy power-on SiP call
            smc #0
            mov x10, x0
            """)
        #expect(Int64(bitPattern: m.cores[0].x[10]) == -1)
    }
}
