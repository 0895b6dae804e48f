/// A JEDEC SPI NOR flash (Macronix MX25L "D" family, chosen by image size: 4, 8 or 16 MiB),
/// backed by a file through `DiskImage` so writes persist (U-Boot's `saveenv`). Single-bit SPI,
/// 3-byte addresses. Programs and erases finish at once (WIP never reads busy); a page program only
/// clears bits, an erase sets them, as on NOR. Commands: RDID, RDSR, WREN, WRDI, WRSR, READ,
/// FAST_READ, PP, SE (4 KiB), BE (64 KiB), CE; others are ignored and read back 0xFF.
public final class SPINORFlash {
    public let image: DiskImage
    /// The JEDEC identification (manufacturer, memory type, capacity) for this size.
    public let jedecID: [UInt8]
    private var command: [UInt8] = []
    private var selected = false
    private var writeEnabled = false
    /// Bytes of a page program gathered until chip select goes high.
    private var programData: [UInt8] = []
    /// The image is read and written in whole sectors; the last one read is kept.
    private var cached: (index: UInt64, bytes: [UInt8])?
    static let sector = UInt64(DiskImage.sectorSize)

    static let parts: [UInt64: [UInt8]] = [4 << 20: [0xC2, 0x20, 0x16], 8 << 20: [0xC2, 0x20, 0x17], 16 << 20: [0xC2, 0x20, 0x18]]

    /// Nil when the image's size is none of the parts'.
    public init?(image: DiskImage) {
        guard let id = Self.parts[image.size] else { return nil }
        self.image = image
        jedecID = id
    }

    public static var sizes: [UInt64] { parts.keys.sorted() }

    public func select() {
        selected = true
        command.removeAll()
        programData.removeAll()
    }

    /// Chip select high: a page program or erase takes effect, as on the part.
    public func deselect() {
        guard selected else { return }
        selected = false
        guard let op = command.first, writeEnabled else { return }
        switch op {
        case 0x02 where command.count >= 4: program(at: address, programData)
        case 0x20 where command.count >= 4: erase(at: address & ~0xFFF, count: 0x1000)
        case 0xD8 where command.count >= 4: erase(at: address & ~0xFFFF, count: 0x1_0000)
        case 0xC7, 0x60: erase(at: 0, count: Int(image.size))
        case 0x01: break
        default: return
        }
        writeEnabled = false
    }

    private var address: UInt64 { UInt64(command[1]) << 16 | UInt64(command[2]) << 8 | UInt64(command[3]) }

    /// Shifts one byte out to the flash and returns the byte it shifts back.
    public func transfer(_ out: UInt8) -> UInt8 {
        guard selected else { return 0xFF }
        if command.isEmpty {
            command = [out]
            switch out {
            case 0x06: writeEnabled = true
            case 0x04: writeEnabled = false
            default: break
            }
            return 0xFF
        }
        let op = command[0]
        switch op {
        case 0x9F:
            let i = command.count - 1
            command.append(out)
            return i < jedecID.count ? jedecID[i] : 0
        case 0x05:
            return writeEnabled ? 0x02 : 0x00
        case 0x03, 0x0B:
            let header = op == 0x03 ? 4 : 5      // FAST_READ has a dummy byte after the address
            if command.count < header { command.append(out); return 0xFF }
            let offset = (address + UInt64(command.count - header)) % image.size
            command.append(0)
            return byte(at: offset)
        case 0x02:
            if command.count < 4 { command.append(out); return 0xFF }
            if programData.count < 256 { programData.append(out) }
            return 0xFF
        default:
            if command.count < 8 { command.append(out) }
            return 0xFF
        }
    }

    private func sector(_ index: UInt64) -> [UInt8]? {
        if let c = cached, c.index == index { return c.bytes }
        guard let bytes = try? image.read(at: index * Self.sector, count: Int(Self.sector)) else { return nil }
        cached = (index, bytes)
        return bytes
    }

    private func byte(at offset: UInt64) -> UInt8 {
        sector(offset / Self.sector)?[Int(offset % Self.sector)] ?? 0xFF
    }

    /// NOR programming: within one 256-byte page, wrapping at its end; bits only go from 1 to 0.
    private func program(at start: UInt64, _ data: [UInt8]) {
        guard !image.isReadOnly, !data.isEmpty else { return }
        let page = start & ~0xFF
        guard var bytes = sector(page / Self.sector) else { return }
        let base = page / Self.sector * Self.sector
        for (i, b) in data.enumerated() {
            let at = Int(page - base) + Int((start + UInt64(i)) & 0xFF)
            bytes[at] &= b
        }
        try? image.write(bytes, at: base)
        cached = (page / Self.sector, bytes)
    }

    private func erase(at start: UInt64, count: Int) {
        guard !image.isReadOnly, start < image.size else { return }
        try? image.write([UInt8](repeating: 0xFF, count: min(count, Int(image.size - start))), at: start)
        cached = nil
    }
}
