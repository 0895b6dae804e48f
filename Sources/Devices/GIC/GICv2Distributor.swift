/// GICv2 distributor (GICD, ARM IHI 0048B chapter 4.3) as on a GIC-400 without the Security
/// Extensions. Registers of INTIDs 0-31 (SGIs, PPIs) are banked: each CPU sees its own.
public final class GICv2Distributor: MMIODevice {
    unowned let gic: GICv3
    let currentCPU: () -> Int

    public init(gic: GICv3, currentCPU: @escaping () -> Int) {
        self.gic = gic
        self.currentCPU = currentCPU
        super.init(name: "gicd", size: 0x1000)
    }

    /// GIC-400's identification: IIDR, then PIDR0-7 and CIDR0-3 at 0xFD0-0xFFC (ArchRev 2 in PIDR2).
    static let iidr: UInt64 = 0x0200_143B
    static let ids: [UInt64: UInt64] = [0xFD0: 0x04, 0xFE0: 0x90, 0xFE4: 0xB4, 0xFE8: 0x2B,
                                        0xFF0: 0x0D, 0xFF4: 0xF0, 0xFF8: 0x05, 0xFFC: 0xB1]

    private var cpu: Int { min(currentCPU(), gic.cpuCount - 1) }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let off = Int(offset)
        switch off {
        case 0x000: return UInt64(gic.distributorControl)
        case 0x004:
            // ITLinesNumber (32 INTIDs per step, SGIs and PPIs included), CPUNumber; no SecurityExtn.
            return UInt64((gic.spiCount + 32) / 32 - 1) | UInt64(min(gic.cpuCount, 8) - 1) << 5
        case 0x008: return Self.iidr
        case 0x080..<0x100: return gic.readBits(.group, first: (off - 0x080) * 8, cpu: cpu)
        case 0x100..<0x180: return gic.readBits(.enable, first: (off - 0x100) * 8, cpu: cpu)
        case 0x180..<0x200: return gic.readBits(.enable, first: (off - 0x180) * 8, cpu: cpu)
        case 0x200..<0x280: return gic.readBits(.pending, first: (off - 0x200) * 8, cpu: cpu)
        case 0x280..<0x300: return gic.readBits(.pending, first: (off - 0x280) * 8, cpu: cpu)
        case 0x300..<0x380: return gic.readBits(.active, first: (off - 0x300) * 8, cpu: cpu)
        case 0x380..<0x400: return gic.readBits(.active, first: (off - 0x380) * 8, cpu: cpu)
        case 0x400..<0x800: return gic.readPriorities(first: off - 0x400, cpu: cpu, size: size)
        case 0x800..<0xC00: return readTargets(first: off - 0x800, size: size)
        case 0xC00..<0xD00: return gic.readConfig(first: (off - 0xC00) * 4, cpu: cpu)
        case 0xF10..<0xF20: return gic.readSGISources(cpu: cpu, first: off - 0xF10, size: size)
        case 0xF20..<0xF30: return gic.readSGISources(cpu: cpu, first: off - 0xF20, size: size)
        case 0xFD0..<0x1000: return Self.ids[UInt64(off)] ?? 0
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let off = Int(offset)
        switch off {
        case 0x000:
            gic.distributorControl = UInt32(value & 3)
            gic.update()
        case 0x080..<0x100: gic.writeBits(.group, first: (off - 0x080) * 8, cpu: cpu, value: value, set: nil)
        case 0x100..<0x180: gic.writeBits(.enable, first: (off - 0x100) * 8, cpu: cpu, value: value, set: true)
        case 0x180..<0x200: gic.writeBits(.enable, first: (off - 0x180) * 8, cpu: cpu, value: value, set: false)
        // SGIs' pending bits are read-only here: GICD_SPENDSGIR/CPENDSGIR set them per source.
        case 0x200..<0x280: gic.writeBits(.pending, first: (off - 0x200) * 8, cpu: cpu, value: withoutSGIs(off - 0x200, value), set: true)
        case 0x280..<0x300: gic.writeBits(.pending, first: (off - 0x280) * 8, cpu: cpu, value: withoutSGIs(off - 0x280, value), set: false)
        case 0x300..<0x380: gic.writeBits(.active, first: (off - 0x300) * 8, cpu: cpu, value: value, set: true)
        case 0x380..<0x400: gic.writeBits(.active, first: (off - 0x380) * 8, cpu: cpu, value: value, set: false)
        case 0x400..<0x800: gic.writePriorities(first: off - 0x400, cpu: cpu, size: size, value: value)
        case 0x800..<0xC00: writeTargets(first: off - 0x800, size: size, value: value)
        case 0xC00..<0xD00: gic.writeConfig(first: (off - 0xC00) * 4, cpu: cpu, value: value)
        case 0xF00: gic.generateSGIv2(from: cpu, value: value)
        case 0xF10..<0xF20: gic.writeSGISources(cpu: cpu, first: off - 0xF10, size: size, value: value, set: false)
        case 0xF20..<0xF30: gic.writeSGISources(cpu: cpu, first: off - 0xF20, size: size, value: value, set: true)
        default: break
        }
    }

    private func withoutSGIs(_ byteOffset: Int, _ value: UInt64) -> UInt64 {
        byteOffset == 0 ? value & ~0xFFFF : value
    }

    /// GICD_ITARGETSR: a byte per INTID. SGIs and PPIs read as the accessing CPU's own bit.
    private func readTargets(first: Int, size: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<size {
            let intid = first + k
            let byte: UInt8 = intid < 32 ? 1 << UInt8(cpu & 7) : (intid - 32 < gic.spiCount ? gic.targets[intid - 32] : 0)
            v |= UInt64(byte) << UInt64(8 * k)
        }
        return v
    }

    /// SPI targets keep the bits of CPU interfaces that exist.
    private func writeTargets(first: Int, size: Int, value: UInt64) {
        let present = UInt8(truncatingIfNeeded: (1 << min(gic.cpuCount, 8)) - 1)
        for k in 0..<size where first + k >= 32 && first + k - 32 < gic.spiCount {
            gic.targets[first + k - 32] = UInt8(truncatingIfNeeded: value >> UInt64(8 * k)) & present
        }
        gic.update()
    }

    public override func emitDeviceTree(_ dt: DeviceTreeWriter, base: UInt64, context: DeviceTreeContext) throws {}
}
