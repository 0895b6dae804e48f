/// The VideoCore mailbox (0x3F00B880; Linux's bcm2835-mailbox.c) with the firmware's property
/// channel 8 answered at once, as the Pi firmware would (tags from the raspberrypi firmware wiki
/// "Mailbox property interface" and Linux's raspberrypi-firmware.h). Mailbox 0 carries replies to
/// the ARM (ARM interrupt 1 while it holds data and CONFIG bit 0 is set); mailbox 1 takes requests.
public final class BCM2835Mailbox: MMIODevice {
    /// What the board's firmware reports.
    public struct Firmware {
        public var boardRevision: UInt32
        public var armMemory: UInt32
        public var vcMemory: UInt32
        public var serial: UInt64
        public var mac: [UInt8]
        /// The firmware's build time (seconds since 1970); Linux prints it as the firmware date.
        public var revision: UInt32
        public var commandLine: String
        public init(boardRevision: UInt32, armMemory: UInt32, vcMemory: UInt32, serial: UInt64, mac: [UInt8], revision: UInt32, commandLine: String = "") {
            self.boardRevision = boardRevision; self.armMemory = armMemory; self.vcMemory = vcMemory
            self.serial = serial; self.mac = mac; self.revision = revision; self.commandLine = commandLine
        }
    }

    public var firmware: Firmware
    private let memory: GuestMemory
    private let sink: InterruptSink
    private let irq: Int
    private var replies: [UInt32] = []
    /// Answers not yet delivered: the VideoCore takes a while, so they reach mailbox 0 at the next
    /// device tick rather than inside the ARM's write.
    private var inFlight: [UInt32] = []
    private var config: UInt32 = 0
    /// Clock rates by firmware clock id (EMMC 1, UART 2, ARM 3, CORE 4, ..., EMMC2 12).
    private var clockRates: [UInt32: UInt32] = [1: 50_000_000, 2: 48_000_000, 3: 1_200_000_000, 4: 400_000_000,
                                                5: 250_000_000, 6: 250_000_000, 7: 250_000_000, 8: 250_000_000,
                                                9: 250_000_000, 10: 250_000_000, 11: 250_000_000, 12: 100_000_000]
    private var powerStates: [UInt32: UInt32] = [:]

    public init(firmware: Firmware, memory: GuestMemory, irq: Int, sink: InterruptSink) {
        self.firmware = firmware
        self.memory = memory
        self.irq = irq
        self.sink = sink
        super.init(name: "bcm2835-mbox@3f00b880", size: 0x40)
    }

    public override func tick(now: UInt64) {
        guard !inFlight.isEmpty else { return }
        replies += inFlight
        inFlight.removeAll()
        update()
    }

    private func update() { sink.setLevel(intid: irq, asserted: config & 1 != 0 && !replies.isEmpty) }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case 0x00:
            defer { update() }
            return replies.isEmpty ? 0 : UInt64(replies.removeFirst())
        case 0x10: return UInt64(replies.first ?? 0)
        case 0x18: return replies.isEmpty ? 1 << 30 : 0        // MAIL0 status: EMPTY
        case 0x1C: return UInt64(config)
        case 0x38: return 1 << 30                                // MAIL1 status: always room
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x1C: config = v & 0x7
        case 0x20:
            let channel = v & 0xF
            if channel == 8 { property(bus: v & ~0xF) }
            inFlight.append(v)    // every channel answers with its own message (the buffer, done)
        default: return
        }
        update()
    }

    /// Bus addresses alias RAM at 0, 0x40000000, 0x80000000 and 0xC0000000.
    private func word(_ b: [UInt8], _ i: Int) -> UInt32 {
        UInt32(b[i]) | UInt32(b[i + 1]) << 8 | UInt32(b[i + 2]) << 16 | UInt32(b[i + 3]) << 24
    }

    /// Processes a property buffer: {size, code, tags..., 0}; each tag {id, value size, request/
    /// response size, value...}. Known tags get bit 31 of their length and their answer; unknown
    /// ones are left as they are, as the firmware does.
    private func property(bus: UInt32) {
        let pa = UInt64(bus & 0x3FFF_FFFF)
        guard let head = memory.dmaRead(pa, count: 8) else { return }
        let total = Int(word(head, 0))
        guard total >= 12, total <= 1 << 16, var buf = memory.dmaRead(pa, count: total & ~3) else { return }
        func put(_ i: Int, _ v: UInt32) {
            guard i + 4 <= buf.count else { return }
            for k in 0..<4 { buf[i + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
        }
        var i = 8
        while i + 12 <= buf.count {
            let tag = word(buf, i)
            if tag == 0 { break }
            let valueSize = Int(word(buf, i + 4))
            let value = i + 12
            guard value + valueSize <= buf.count else { break }
            let arg0 = valueSize >= 4 ? word(buf, value) : 0
            let arg1 = valueSize >= 8 ? word(buf, value + 4) : 0
            var answer: [UInt32]? = nil
            switch tag {
            case 0x0000_0001: answer = [firmware.revision]                           // firmware revision
            case 0x0001_0001: answer = [0]                                           // board model
            case 0x0001_0002: answer = [firmware.boardRevision]
            case 0x0001_0003:                                                        // MAC address (6 bytes)
                let m = firmware.mac + [0, 0]
                answer = [UInt32(m[0]) | UInt32(m[1]) << 8 | UInt32(m[2]) << 16 | UInt32(m[3]) << 24,
                          UInt32(m[4]) | UInt32(m[5]) << 8]
                put(i + 8, 0x8000_0006)
            case 0x0001_0004: answer = [UInt32(truncatingIfNeeded: firmware.serial), UInt32(firmware.serial >> 32)]
            case 0x0001_0005: answer = [0, firmware.armMemory]                       // ARM memory base, size
            case 0x0001_0006: answer = [firmware.armMemory, firmware.vcMemory]       // VC memory
            case 0x0002_0001: answer = [arg0, powerStates[arg0] ?? 0]                // power state
            case 0x0002_0002: answer = [arg0, 1000]                                  // timing (µs)
            case 0x0002_8001: powerStates[arg0] = arg1 & 1; answer = [arg0, arg1 & 1] // set power state: on at once
            case 0x0003_0001: answer = [arg0, 1]                                     // clock state: running
            case 0x0003_8001: answer = [arg0, arg1 & 1]
            case 0x0003_0002, 0x0003_0004, 0x0003_0007, 0x0003_0047:                 // clock rate, max, min, measured
                answer = [arg0, clockRates[arg0] ?? 0]
            case 0x0003_8002: clockRates[arg0] = arg1; answer = [arg0, arg1]         // set clock rate
            case 0x0003_8042: answer = [arg0, arg1, valueSize >= 12 ? word(buf, value + 8) : 0] // SET_SDHOST_CLOCK
            case 0x0003_0006: answer = [0, 45_000]                                   // temperature: 45 C
            case 0x0003_000A: answer = [0, 85_000]                                   // max temperature
            case 0x0003_0030: answer = [arg0, 1]                                     // domain state: on
            case 0x0003_8030: answer = [arg0, arg1]
            case 0x0006_0001: answer = [0x5FFF]                                      // DMA channels free to the ARM
            case 0x0005_0001:                                                        // command line
                let bytes = Array(firmware.commandLine.utf8.prefix(max(0, valueSize - 1))) + [0]
                for (k, b) in bytes.enumerated() where value + k < buf.count { buf[value + k] = b }
                put(i + 8, 0x8000_0000 | UInt32(bytes.count))
            default: break
            }
            if let a = answer, a.count * 4 <= valueSize {
                for (k, w) in a.enumerated() { put(value + 4 * k, w) }
                if tag != 0x0001_0003 { put(i + 8, 0x8000_0000 | UInt32(a.count * 4)) }
            }
            i = value + ((valueSize + 3) & ~3)
        }
        put(4, 0x8000_0000)   // request successful
        _ = memory.dmaWrite(pa, buf)
    }
}
