/// The Armada 3700's XOR DMA engine (Linux's mv_xor, "marvell,armada-3700-xor"): two channels
/// walking chains of 64-byte descriptors in guest memory (status, CRC, command, next, byte count,
/// destination, eight sources). The low window (0x000: CONFIG 0x10+4c, ACTIVATION 0x20+4c,
/// interrupt CAUSE 0x30 and MASK 0x40, 16 bits per channel) and the high one (0x200: NEXT_DESC
/// 0x00+4c, CURR_DESC 0x10+4c, then address windows) are one device. Activation runs the whole
/// chain at once: each descriptor's operation (from CONFIG, or from the descriptor's command bits
/// 26:24 in mode 7) is done, its status set to SUCCESS, the channel goes idle with end-of-chain
/// and stopped causes. CAUSE bits clear by writing 0. Memcpy and XOR; CRC32C is not modelled
/// (the descriptor completes with status 0, which the driver reports as an error).
public final class Armada3700XOR: MMIODevice {
    private let memory: GuestMemory
    private let sink: InterruptSink
    private let lines: [Int]
    private var regs = [UInt32](repeating: 0, count: 0x300 / 4)
    private var asserted = [false, false]

    enum Offset {
        static let config: UInt64 = 0x10, activation: UInt64 = 0x20, cause: UInt64 = 0x30, mask: UInt64 = 0x40
        static let nextDesc: UInt64 = 0x200, currentDesc: UInt64 = 0x210
    }
    static let success: UInt32 = 0x4000_0000
    static let endOfDesc: UInt32 = 1 << 0, endOfChain: UInt32 = 1 << 1, stopped: UInt32 = 1 << 2, decodeError: UInt32 = 1 << 4

    /// `lines`: the two channels' interrupts (INTIDs).
    public init(name: String, memory: GuestMemory, lines: [Int], sink: InterruptSink) {
        self.memory = memory
        self.sink = sink
        self.lines = lines
        super.init(name: name, size: 0x300)
    }

    private subscript(offset: UInt64) -> UInt32 {
        get { regs[Int(offset / 4)] }
        set { regs[Int(offset / 4)] = newValue }
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let word = UInt64(self[offset & ~3]) >> (8 * (offset & 3))
        return size >= 4 ? word : word & ((1 << (8 * UInt64(size))) - 1)
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let reg = offset & ~3
        var v = UInt32(truncatingIfNeeded: value << (8 * (offset & 3)))
        if size < 4 { let m = UInt32((1 << (8 * UInt64(size))) - 1) << (8 * UInt32(offset & 3)); v = self[reg] & ~m | v & m }
        switch reg {
        case Offset.cause: self[reg] &= v                                  // write 0 to clear
        case Offset.activation, Offset.activation + 4:
            let channel = Int((reg - Offset.activation) / 4)
            self[reg] = v & ~0x33                                         // idle (state 0 in bits 5:4)
            if v & 1 != 0 { run(channel) }
        default: self[reg] = v
        }
        updateLines()
    }

    private func word(_ bytes: [UInt8], _ i: Int) -> UInt32 {
        (0..<4).reduce(0) { $0 | UInt32(bytes[4 * i + $1]) << (8 * UInt32($1)) }
    }

    private func run(_ channel: Int) {
        let shift = UInt32(16 * channel)
        let mode = self[Offset.config + UInt64(4 * channel)] & 7
        var address = UInt64(self[Offset.nextDesc + UInt64(4 * channel)])
        var visited = 0
        while address != 0 && visited < 1 << 16 {
            visited += 1
            guard let d = memory.dmaRead(address, count: 64) else { raise(Self.decodeError << shift); break }
            let command = word(d, 2), next = UInt64(word(d, 3)), count = Int(word(d, 4)), dest = UInt64(word(d, 5))
            let op = mode == 7 ? (command >> 24) & 7 : mode
            var status: UInt32 = 0
            switch op {
            case 2:                                                         // memcpy from source 0
                if let src = memory.dmaRead(UInt64(word(d, 6)), count: count), memory.dmaWrite(dest, src) { status = Self.success }
            case 0:                                                         // XOR of the enabled sources
                var out = [UInt8](repeating: 0, count: count)
                var ok = true
                for s in 0..<8 where command & (1 << UInt32(s)) != 0 {
                    guard let src = memory.dmaRead(UInt64(word(d, 6 + s)), count: count) else { ok = false; break }
                    for i in 0..<count { out[i] ^= src[i] }
                }
                if ok && memory.dmaWrite(dest, out) { status = Self.success }
            default: break
            }
            if status == 0 { raise(Self.decodeError << shift) }
            _ = memory.dmaWrite(address, (0..<4).map { UInt8(truncatingIfNeeded: status >> (8 * UInt32($0))) })
            self[Offset.currentDesc + UInt64(4 * channel)] = UInt32(truncatingIfNeeded: address)
            if command & (1 << 31) != 0 { raise(Self.endOfDesc << shift) }
            address = next
        }
        raise((Self.endOfChain | Self.stopped) << shift)
    }

    private func raise(_ bits: UInt32) { self[Offset.cause] |= bits }

    private func updateLines() {
        let pending = self[Offset.cause] & self[Offset.mask]
        for c in 0..<min(2, lines.count) {
            let on = (pending >> UInt32(16 * c)) & 0xFFFF != 0
            if on != asserted[c] { asserted[c] = on; sink.setLevel(intid: lines[c], asserted: on) }
        }
    }
}
