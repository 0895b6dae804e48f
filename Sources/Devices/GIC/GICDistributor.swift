/// GICD (GICv3 specification, "The GIC Distributor register map"): SPI configuration and
/// routing. With affinity routing the SGI/PPI banks here are RAZ/WI; redistributors own them.
public final class GICDistributor: MMIODevice {
    unowned let gic: GICv3

    public init(gic: GICv3) {
        self.gic = gic
        super.init(name: "gicd", size: 0x1_0000)
    }

    /// Peripheral ID 2: ArchRev 3 (GICv3) in bits 7:4.
    static let pidr2: UInt64 = 0x3B

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let off = Int(offset)
        switch off {
        case 0x0000:
            // EnableGrp0/1, ARE (bit 4, RAO), DS (bit 6, RAO: single security state).
            return UInt64(gic.distributorControl) | 1 << 4 | 1 << 6
        case 0x0004:
            // ITLinesNumber, CPUNumber, IDbits = 9 (10-bit INTIDs), or with an ITS LPIS (bit 17) and
            // 16-bit INTIDs; no security extension.
            let ids: UInt64 = gic.hasLPIs ? 1 << 17 | UInt64(LPIState.idBits - 1) << 19 : 9 << 19
            return UInt64(gic.spiCount / 32) | UInt64(min(gic.cpuCount - 1, 7)) << 5 | ids
        case 0x0008: return 0x0300_043B // IIDR: implementer Arm, GICv3
        case 0x0080..<0x0100: return bank(.group, off - 0x80)
        case 0x0100..<0x0180: return bank(.enable, off - 0x100)
        case 0x0180..<0x0200: return bank(.enable, off - 0x180)
        case 0x0200..<0x0280: return bank(.pending, off - 0x200)
        case 0x0280..<0x0300: return bank(.pending, off - 0x280)
        case 0x0300..<0x0380: return bank(.active, off - 0x300)
        case 0x0380..<0x0400: return bank(.active, off - 0x380)
        case 0x0400..<0x0800:
            let first = off - 0x400
            return first < 32 ? 0 : gic.readPriorities(first: first, cpu: 0, size: size)
        case 0x0C00..<0x0D00:
            let first = (off - 0xC00) * 4
            return first < 32 ? 0 : gic.readConfig(first: first, cpu: 0)
        case 0x0D00..<0x0D80: return bank(.groupModifier, off - 0xD00)
        case 0x6100..<0x7FE0:
            let s = (off - 0x6100) / 8
            guard s < gic.spiCount else { return 0 }
            let v = gic.route[s]
            return off & 4 != 0 ? v >> 32 : (size == 8 ? v : v & 0xFFFF_FFFF)
        case 0xFFE8: return GICDistributor.pidr2
        default: return 0
        }
    }

    /// One-bit bank register `index` (byte offset within the bank); INTIDs below 32 are RAZ.
    private func bank(_ field: GICv3.BitField, _ byteOffset: Int) -> UInt64 {
        let first = byteOffset * 8
        return first < 32 ? 0 : gic.readBits(field, first: first, cpu: 0)
    }

    private func writeBank(_ field: GICv3.BitField, _ byteOffset: Int, _ value: UInt64, set: Bool?) {
        let first = byteOffset * 8
        if first >= 32 { gic.writeBits(field, first: first, cpu: 0, value: value, set: set) }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let off = Int(offset)
        switch off {
        case 0x0000:
            gic.distributorControl = UInt32(value & 3)
            gic.update()
        case 0x0040: // SETSPI_NSR
            gic.setLevel(intid: Int(value & 0x3FF), asserted: true)
        case 0x0048: // CLRSPI_NSR
            gic.setLevel(intid: Int(value & 0x3FF), asserted: false)
        case 0x0080..<0x0100: writeBank(.group, off - 0x80, value, set: nil)
        case 0x0100..<0x0180: writeBank(.enable, off - 0x100, value, set: true)
        case 0x0180..<0x0200: writeBank(.enable, off - 0x180, value, set: false)
        case 0x0200..<0x0280: writeBank(.pending, off - 0x200, value, set: true)
        case 0x0280..<0x0300: writeBank(.pending, off - 0x280, value, set: false)
        case 0x0300..<0x0380: writeBank(.active, off - 0x300, value, set: true)
        case 0x0380..<0x0400: writeBank(.active, off - 0x380, value, set: false)
        case 0x0400..<0x0800:
            let first = off - 0x400
            if first >= 32 { gic.writePriorities(first: first, cpu: 0, size: size, value: value) }
        case 0x0C00..<0x0D00:
            let first = (off - 0xC00) * 4
            if first >= 32 { gic.writeConfig(first: first, cpu: 0, value: value) }
        case 0x0D00..<0x0D80: writeBank(.groupModifier, off - 0xD00, value, set: nil)
        case 0x6100..<0x7FE0:
            let s = (off - 0x6100) / 8
            guard s < gic.spiCount else { return }
            // Aff3 in bits 39:32, IRM bit 31, Aff2:Aff1:Aff0 in 23:0.
            let mask: UInt64 = 0xFF_8000_0000 | 0xFF_FFFF
            if size == 8 { gic.route[s] = value & mask }
            else if off & 4 != 0 { gic.route[s] = (gic.route[s] & 0xFFFF_FFFF) | (value << 32 & mask) }
            else { gic.route[s] = (gic.route[s] & ~0xFFFF_FFFF) | (value & 0xFFFF_FFFF & mask) }
            gic.update()
        default:
            break
        }
    }

    public override func emitDeviceTree(_ dt: DeviceTreeWriter, base: UInt64, context: DeviceTreeContext) throws {}
}
