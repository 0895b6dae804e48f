/// The BCM2835 SD host controller ("sdhost", 0x3F202000; register layout from Linux's and
/// U-Boot's bcm2835 sdhost drivers), the Pi 3's SD card interface. Commands complete at once;
/// data moves through the 16-word SDDATA FIFO by PIO, its fill level and the transfer state
/// machine visible in SDEDM. Without a card every command times out.
public final class BCM2835SDHost: MMIODevice {
    enum Cmd {
        static let new: UInt32 = 0x8000, fail: UInt32 = 0x4000, busyWait: UInt32 = 0x800
        static let noResponse: UInt32 = 0x400, longResponse: UInt32 = 0x200
        static let write: UInt32 = 0x80, read: UInt32 = 0x40
    }
    enum Status {
        static let busy: UInt32 = 0x400, cmdTimeout: UInt32 = 0x40, fifoError: UInt32 = 0x08, data: UInt32 = 0x01
        static let clearable: UInt32 = 0x7F8
    }
    /// SDEDM transfer states.
    enum FSM {
        static let dataMode: UInt32 = 1, readData: UInt32 = 2, writeData: UInt32 = 3
    }

    public let card: SDCard?
    /// Whether the card's pins reach this controller (on the Pi, GPIO 48-53 in ALT0); the board
    /// wires it to its GPIO block. Always, when unwired.
    public var cardRouted: () -> Bool = { true }
    private var cmd: UInt32 = 0, arg: UInt32 = 0, timeout: UInt32 = 0, cdiv: UInt32 = 0
    private var response: [UInt32] = [0, 0, 0, 0]   // SDRSP0..3
    private var hsts: UInt32 = 0, vdd: UInt32 = 0, edm: UInt32 = 0, hcfg: UInt32 = 0
    private var byteCount: UInt32 = 0, blockCount: UInt32 = 0
    /// Read: the bytes behind the FIFO and how far the host has taken them; a multi-block read
    /// streams the next block in until CMD12 (as a card does: SDHBLC does not bound it).
    private var readBuffer: [UInt8] = []
    private var readOffset = 0
    private var nextReadBlock: UInt64? = nil
    /// Write: bytes received for the block they go to; a single-block write ends after one block.
    private var writeBuffer: [UInt8] = []
    private var writeBlock: UInt64 = 0
    private var singleBlockWrite = false
    private var fsm = FSM.dataMode

    public init(card: SDCard?) {
        self.card = card
        super.init(name: "bcm2835-sdhost@3f202000", size: 0x100)
    }

    private func execute() {
        let index = Int(cmd & 0x3F)
        readBuffer = []; readOffset = 0; nextReadBlock = nil; writeBuffer = []
        fsm = FSM.dataMode
        guard let card, vdd & 1 != 0, cardRouted() else { fail(); return }
        let (r, data) = card.command(index, argument: arg)
        switch r {
        case .timeout: fail(); return
        case .none: break
        case .short(let v): response[0] = v
        case .long(let w): response = [w[3], w[2], w[1], w[0]]
        }
        if cmd & Cmd.read != 0 {
            if let data {
                readBuffer = Array(data.prefix(Int(byteCount)))
            } else if index == 17 || index == 18 {
                if let block = card.readBlock(UInt64(arg)) { readBuffer = block } else { hsts |= Status.fifoError }
                if index == 18 { nextReadBlock = UInt64(arg) + 1 }
            }
            if !readBuffer.isEmpty { fsm = FSM.readData }
        } else if cmd & Cmd.write != 0 && (index == 24 || index == 25) {
            writeBlock = UInt64(arg)
            singleBlockWrite = index == 24
            fsm = FSM.writeData
        }
        if cmd & Cmd.busyWait != 0 { hsts |= Status.busy }
        cmd &= ~Cmd.new
    }

    private func fail() {
        hsts |= Status.cmdTimeout
        cmd = (cmd | Cmd.fail) & ~Cmd.new
    }

    /// Words in the FIFO as SDEDM shows them (at most 16).
    private var fifoFill: UInt32 {
        if fsm == FSM.readData { return UInt32(min(16, (readBuffer.count - readOffset + 3) / 4)) }
        return 0
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        switch offset {
        case 0x00: return UInt64(cmd)
        case 0x04: return UInt64(arg)
        case 0x08: return UInt64(timeout)
        case 0x0C: return UInt64(cdiv)
        case 0x10, 0x14, 0x18, 0x1C: return UInt64(response[Int(offset - 0x10) >> 2])
        case 0x20: return UInt64(hsts | (fifoFill > 0 ? Status.data : 0))
        case 0x30: return UInt64(vdd)
        case 0x34: return UInt64(edm & ~0x1FF | fifoFill << 4 | fsm)
        case 0x38: return UInt64(hcfg)
        case 0x3C: return UInt64(byteCount)
        case 0x40:
            guard fsm == FSM.readData, readOffset < readBuffer.count else { hsts |= Status.fifoError; return 0 }
            var word: UInt32 = 0
            for k in 0..<4 where readOffset + k < readBuffer.count { word |= UInt32(readBuffer[readOffset + k]) << (8 * UInt32(k)) }
            readOffset += 4
            if readOffset >= readBuffer.count {
                readBuffer = []; readOffset = 0
                if let n = nextReadBlock, let block = card?.readBlock(n) {
                    readBuffer = block; nextReadBlock = n + 1
                } else {
                    fsm = FSM.dataMode; nextReadBlock = nil
                }
            }
            return UInt64(word)
        case 0x50: return UInt64(blockCount)
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x00:
            cmd = v & 0xCFFF
            if v & Cmd.new != 0 { execute() }
        case 0x04: arg = v
        case 0x08: timeout = v
        case 0x0C: cdiv = v & 0x7FF
        case 0x20: hsts &= ~(v & Status.clearable)
        case 0x30: vdd = v & 1
        case 0x34:
            edm = v & 0x7FFE00
            if v & (1 << 19) != 0 { fsm = FSM.dataMode; readBuffer = []; nextReadBlock = nil }  // FORCE_DATA_MODE
        case 0x38: hcfg = v & 0x7FF
        case 0x3C: byteCount = v
        case 0x40:
            guard fsm == FSM.writeData, let card else { hsts |= Status.fifoError; return }
            for k in 0..<4 { writeBuffer.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(k)))) }
            if writeBuffer.count == 512 {
                if !card.writeBlock(writeBlock, writeBuffer) { hsts |= Status.fifoError }
                writeBuffer = []; writeBlock += 1
                if singleBlockWrite { fsm = FSM.dataMode }
            }
        case 0x50: blockCount = v & 0x1FF
        default: break
        }
    }
}
