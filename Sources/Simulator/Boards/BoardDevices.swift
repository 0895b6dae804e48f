import Devices

/// The registry behind `BoardSpec.DeviceModel`: builds a board's device instances from its
/// description, wired to the board's interrupt controller and console.
enum BoardDevices {
    struct Context {
        let sink: InterruptSink
        let console: SerialBackend
        let memory: GuestMemory
        let cpuHz: UInt64
        let sdCard: SDCard?
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
        case .bcm2835SDHost: return BCM2835SDHost(card: ctx.sdCard)
        }
    }
}
