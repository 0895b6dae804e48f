import Devices

/// The registry behind `BoardSpec.DeviceModel`: builds a board's device instances from its
/// description, wired to the board's interrupt controller and console.
enum BoardDevices {
    struct Context {
        let sink: InterruptSink
        let console: SerialBackend
        let memory: GuestMemory
        let cpuHz: UInt64
        /// The `--sd` card, which goes in the board's first SD slot (`sdSlot`); other slots are empty.
        let sdCard: SDCard?
        let sdSlot: UInt64?
        let spiFlash: SPINORFlash?
        let ramSize: UInt64
        let boardRevision: UInt32
        let powerOff: () -> Void
        let reset: () -> Void
    }

    static func make(_ d: BoardSpec.DeviceInstance, _ ctx: Context) -> MMIODevice {
        let name = "\(d.model.rawValue.split(separator: ",").last ?? "")@\(String(d.base, radix: 16))"
        let backend = d.console ? ctx.console : SerialBackend(handle: nil, echo: false)
        switch d.model {
        case .pl011:
            return PL011(name: name, backend: backend, irq: d.irq ?? 0, clockHz: 48_000_000, sink: ctx.sink)
        case .bcm2835AuxUART: return BCM2835AuxUART(name: name, backend: backend, irq: d.irq ?? 29, sink: ctx.sink)
        case .bcm2835SystemTimer: return BCM2835SystemTimer(cpuHz: ctx.cpuHz, sink: ctx.sink)
        case .bcm2835Mailbox:
            // The serial number and MAC are fixed, so runs (and golden logs) are reproducible.
            let fw = BCM2835Mailbox.Firmware(boardRevision: ctx.boardRevision, armMemory: UInt32(ctx.ramSize),
                                             vcMemory: UInt32(0x4000_0000 - min(ctx.ramSize, 0x4000_0000)),
                                             serial: 0x0000_0000_1234_5678, mac: [0xB8, 0x27, 0xEB, 0x12, 0x34, 0x56],
                                             revision: 0x5E0B_5A27)
            return BCM2835Mailbox(firmware: fw, memory: ctx.memory, irq: d.irq ?? 65, sink: ctx.sink)
        case .bcm2835GPIO: return BCM2835GPIO()
        case .bcm2835PM:
            let pm = BCM2835PM()
            pm.onPowerOff = ctx.powerOff
            pm.onReset = ctx.reset
            return pm
        case .bcm2835CPRMAN: return BCM2835CPRMAN()
        case .bcm2835RNG: return BCM2835RNG()
        case .bcm2835SDHost: return BCM2835SDHost(card: d.base == ctx.sdSlot ? ctx.sdCard : nil)
        case .syscon: return RegisterBank(name: name, size: d.size, values: d.values, readsOne: d.readsOne)
        case .armada3700UART:
            let l = d.lines + [Int](repeating: 0, count: max(0, 3 - d.lines.count))
            return Armada3700UART(name: name, backend: backend, lines: (l[0], l[1], l[2]), sink: ctx.sink)
        case .armada3700NBPinctrl:
            // GPIO input latch (0x10): the SD card-detect pin (GPIO 3, active low) reads high without a card.
            var values = d.values
            if ctx.sdCard == nil { values[0x10, default: 0] |= 1 << 3 }
            let bank = RegisterBank(name: name, size: d.size, values: values, readOnly: [0x08: ~0, 0x10: ~0])
            // NB warm reset (U-Boot's reset_cpu): the magic 0x1d1e in register 0x40.
            bank.onWrite = { offset, value in if offset == 0x40 && value == 0x1D1E { ctx.reset() } }
            return bank
        case .armada3700XOR: return Armada3700XOR(name: name, memory: ctx.memory, lines: d.lines, sink: ctx.sink)
        case .xenonSDHCI: return SDHCI(name: name, card: d.base == ctx.sdSlot ? ctx.sdCard : nil, memory: ctx.memory, irq: d.irq ?? 0, sink: ctx.sink)
        case .armada3700SPI: return Armada3700SPI(name: name, flash: ctx.spiFlash.map { [0: $0] } ?? [:])
        case .armada3700DecoderWindows:
            // Window 0 maps all the RAM to the DRAM target (0): CTRL enable, SIZE in 64 KiB units
            // minus one, BASE >> 16; the rest are off. 0xE0 and 0xF4 as TF-A leaves them.
            let values: [UInt64: UInt32] = [0x00: 1, 0x04: UInt32((ctx.ramSize >> 16) - 1), 0x08: 0, 0xE0: 0xFE0, 0xF4: 0xFFF]
            return RegisterBank(name: name, size: 0x100, values: values)
        }
    }
}
