import Devices
import Testing
@testable import Simulator

/// Boards built from their description alone: devices from the list, the BCM2836 controller
/// chained to the armctrl, the generic timer wired through the board, spin-table boot.
@Suite struct BoardTests {
    /// A small made-up board on the Pi's interrupt hardware: RAM at 0, one PL011 on GPU line 57
    /// at an address no real board uses, the local controller elsewhere, a peripheral window.
    static let board: BoardSpec = {
        var b = BoardSpec(name: "test", model: "test", compatible: ["test"], ramBanks: [.init(base: 0, size: 0x1000_0000)],
                          defaultRAM: 0x1000_0000, flash: [], sram: [], uarts: [], consoleUART: 0, uartClockHz: 1,
                          gic: nil, timer: .init(secure: 0, nonSecure: 1, virtual: 3, hypervisor: 2, flags: 0),
                          counterHz: 19_200_000, cpuHz: 1_200_000_000, maxCPUs: 2, affinity: { UInt64($0) },
                          multithreaded: false, placeholders: [], virtio: [])
        b.interruptController = .bcm2836(local: 0x2000_0000, armctrl: 0x1100_0200)
        b.devices = [.init(.pl011, at: 0x1100_1000, irq: 57, console: true)]
        b.peripheralWindow = .init(base: 0x1100_0000, size: 0x10_0000)
        b.boot = .spinTable(slots: [0xD8, 0xE0])
        return b
    }()

    func machine(cpus: Int = 1) throws -> (Machine, SerialBackend) {
        let console = SerialBackend(handle: nil, echo: false)
        return (try Machine(MachineConfig(board: Self.board, cpus: cpus, memory: 0x1000_0000, entryEL: 2), console: console), console)
    }

    func run(_ m: Machine, _ source: String, at base: UInt64 = 0x8_0000, insns: UInt64 = 200_000) throws -> Outcome {
        try m.memory.write(try Assembler.assemble(source), at: base)
        m.boot(entry: base, dtb: 0)
        return m.run(maxInstructions: insns)
    }

    @Test func devicesComeFromTheDescription() throws {
        let (m, _) = try machine()
        let names = m.memory.devices.map { ($0.base, $0.device.name) }
        #expect(names.contains { $0.0 == 0x1100_1000 && $0.1.hasPrefix("pl011") })
        #expect(names.contains { $0.0 == 0x2000_0000 && $0.1.hasPrefix("bcm2836") })
        #expect(names.contains { $0.0 == 0x1100_0200 && $0.1.hasPrefix("bcm2835-armctrl") })
        // The rest of the window reads as zero: [base, armctrl), between armctrl and the UART, after it.
        let window = m.memory.devices.filter { $0.base >= 0x1100_0000 && $0.base < 0x1110_0000 }
        #expect(window.reduce(0) { $0 + $1.device.size } == 0x10_0000)
        #expect(m.gic == nil && m.localIntc != nil && m.firmware == nil)
    }

    /// The PL011's RX interrupt reaches core 0 through armctrl (GPU 57, bank 2) and the local
    /// controller's GPU input; without a GIC the ICC registers are UNDEFINED and PFR0.GIC is 0.
    @Test func uartInterruptThroughArmctrlAndLocalController() throws {
        let (m, console) = try machine()
        console.enqueueInput([0x41])
        let outcome = try run(m, """
            ldr x1, =0x11000200
            mov w0, #(1 << 25)
            str w0, [x1, #0x14]        // armctrl: enable GPU 57 (bank 2 bit 25)
            ldr x1, =0x11001000
            mov w0, #0x10
            str w0, [x1, #0x38]        // PL011 IMSC: RX
            mov w0, #0x301
            str w0, [x1, #0x30]        // UARTEN | TXE | RXE
            mov w0, #0x5a
            str w0, [x1]               // transmit 'Z' (the keyboard then follows this UART)
            1:  ldr x2, =0x20000060
            ldr w3, [x2]               // core 0 IRQ source
            ldr x4, =0x11000200
            ldr w5, [x4]               // basic pending
            ldr w6, [x4, #0x8]         // pending 2
            tbz w3, #8, 1b
            mrs x7, id_aa64pfr0_el1
            wfi
            b .
            """)
        #expect(outcome == .deadlock || outcome == .instructionLimit)
        let c = m.cores[0]
        #expect(c.x[3] & (1 << 8) != 0)        // GPU source
        #expect(c.x[5] & (1 << 9) != 0)        // bank 2 pending
        #expect(c.x[5] & (1 << 19) != 0)       // GPU 57's shortcut bit
        #expect(c.x[6] == 1 << 25)
        #expect((c.x[7] >> 24) & 0xF == 0)
        #expect(c.irqLine)
    }

    /// The physical timer of core 0 raises local-controller source bit 1 once enabled there.
    @Test func genericTimerIsWiredThroughTheBoard() throws {
        let (m, _) = try machine()
        _ = try run(m, """
            ldr x1, =0x20000040
            mov w0, #2
            str w0, [x1]               // core 0: CNTPNS -> IRQ
            mrs x0, cntpct_el0
            add x0, x0, #100
            msr cntp_cval_el0, x0
            mov x0, #1
            msr cntp_ctl_el0, x0
            1:  ldr x2, =0x20000060
            ldr w3, [x2]
            tbz w3, #1, 1b
            wfi
            b .
            """)
        #expect(m.cores[0].x[3] & 2 != 0)
    }

    /// Spin table: core 1 waits until its release slot holds an address, then starts there.
    @Test func secondaryLeavesTheSpinTable() throws {
        let (m, _) = try machine(cpus: 2)
        try m.memory.write(try Assembler.assemble("mov x9, #0x1234\n wfi\n b ."), at: 0x9_0000)
        let outcome = try run(m, """
            ldr x1, =0xE0
            ldr x0, =0x90000
            str x0, [x1]
            sev
            wfi
            b .
            """)
        #expect(outcome == .deadlock)
        #expect(m.cores[1].x[9] == 0x1234)
        #expect(m.cores[1].state.pointee.el == 2)
    }

    /// ICC system registers do not exist without a GIC.
    @Test func noGICMeansNoCPUInterfaceRegisters() throws {
        let (m, _) = try machine()
        _ = try run(m, """
            adr x0, vectors
            msr vbar_el2, x0
            mrs x1, icc_sre_el2
            mov x2, #1
            wfi
            .balign 2048
            vectors:
            .skip 0x200                // current EL, SP_ELx: synchronous
            mrs x3, esr_el2
            wfi
            """)
        #expect(m.cores[0].x[2] == 0)              // the MRS never completed
        #expect(m.cores[0].x[3] >> 26 == 0)        // EC 0: unknown reason (UNDEFINED)
    }
}
