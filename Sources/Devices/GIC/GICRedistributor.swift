/// The redistributors (GICv3 specification, "The GIC Redistributor register map"): one 128 KiB
/// frame pair per CPU (RD_base, then SGI_base), laid out contiguously; the last has TYPER.Last.
public final class GICRedistributors: MMIODevice {
    unowned let gic: GICv3
    static let stride: UInt64 = 0x2_0000

    public init(gic: GICv3) {
        self.gic = gic
        super.init(name: "gicr", size: UInt64(gic.cpuCount) * GICRedistributors.stride)
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let cpu = Int(offset / GICRedistributors.stride)
        let off = Int(offset % GICRedistributors.stride)
        switch off {
        case 0x0000: return gic.lpis.enabled[cpu] ? 1 : 0   // CTLR.EnableLPIs
        case 0x0004: return 0x0300_043B
        case 0x0008, 0x000C:
            // TYPER: affinity in 63:32, processor number 23:8, Last (bit 4).
            let a = gic.affinity[cpu]
            let aff = (a & 0xFF_FFFF) | ((a >> 32) & 0xFF) << 24
            // PLPIS (bit 0) with an ITS.
            let typer = aff << 32 | UInt64(cpu) << 8 | (cpu == gic.cpuCount - 1 ? 1 << 4 : 0) | (gic.hasLPIs ? 1 : 0)
            if size == 8 { return typer }
            return off == 0x8 ? typer & 0xFFFF_FFFF : typer >> 32
        case 0x0014: // WAKER: ChildrenAsleep follows ProcessorSleep
            return gic.processorSleep[cpu] ? 6 : 0
        case 0x0070, 0x0074: return half(gic.lpis.propBase[cpu], off - 0x70, size)
        case 0x0078, 0x007C: return half(gic.lpis.pendBase[cpu], off - 0x78, size)
        case 0xFFE8: return GICDistributor.pidr2
        case 0x1_0080: return gic.readBits(.group, first: 0, cpu: cpu)
        case 0x1_0100, 0x1_0180: return gic.readBits(.enable, first: 0, cpu: cpu)
        case 0x1_0200, 0x1_0280: return gic.readBits(.pending, first: 0, cpu: cpu)
        case 0x1_0300, 0x1_0380: return gic.readBits(.active, first: 0, cpu: cpu)
        case 0x1_0400..<0x1_0420: return gic.readPriorities(first: off - 0x1_0400, cpu: cpu, size: size)
        case 0x1_0C00: return gic.readConfig(first: 0, cpu: cpu)
        case 0x1_0C04: return gic.readConfig(first: 16, cpu: cpu)
        case 0x1_0D00: return gic.readBits(.groupModifier, first: 0, cpu: cpu)
        case 0x1_FFE8: return GICDistributor.pidr2
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let cpu = Int(offset / GICRedistributors.stride)
        let off = Int(offset % GICRedistributors.stride)
        switch off {
        case 0x0014:
            gic.processorSleep[cpu] = value & 2 != 0
        case 0x0000:
            guard gic.hasLPIs else { return }
            gic.lpis.enabled[cpu] = value & 1 != 0
            gic.update()
        // PROPBASER/PENDBASER: writable while LPIs are off (IDbits 4:0, address 51:12, attributes).
        case 0x0070, 0x0074:
            if gic.hasLPIs && !gic.lpis.enabled[cpu] { gic.lpis.propBase[cpu] = setHalf(gic.lpis.propBase[cpu], off - 0x70, size, value) }
        case 0x0078, 0x007C:
            if gic.hasLPIs && !gic.lpis.enabled[cpu] { gic.lpis.pendBase[cpu] = setHalf(gic.lpis.pendBase[cpu], off - 0x78, size, value) }
        case 0x1_0080: gic.writeBits(.group, first: 0, cpu: cpu, value: value, set: nil)
        case 0x1_0100: gic.writeBits(.enable, first: 0, cpu: cpu, value: value, set: true)
        case 0x1_0180: gic.writeBits(.enable, first: 0, cpu: cpu, value: value, set: false)
        case 0x1_0200: gic.writeBits(.pending, first: 0, cpu: cpu, value: value, set: true)
        case 0x1_0280: gic.writeBits(.pending, first: 0, cpu: cpu, value: value, set: false)
        case 0x1_0300: gic.writeBits(.active, first: 0, cpu: cpu, value: value, set: true)
        case 0x1_0380: gic.writeBits(.active, first: 0, cpu: cpu, value: value, set: false)
        case 0x1_0400..<0x1_0420: gic.writePriorities(first: off - 0x1_0400, cpu: cpu, size: size, value: value)
        case 0x1_0C04: gic.writeConfig(first: 16, cpu: cpu, value: value)
        case 0x1_0D00: gic.writeBits(.groupModifier, first: 0, cpu: cpu, value: value, set: nil)
        default: break
        }
    }

    /// A 64-bit register read as a whole or as its 32-bit half at `at` (0 or 4).
    private func half(_ v: UInt64, _ at: Int, _ size: Int) -> UInt64 {
        size == 8 ? v : (v >> UInt64(8 * at)) & 0xFFFF_FFFF
    }

    private func setHalf(_ old: UInt64, _ at: Int, _ size: Int, _ value: UInt64) -> UInt64 {
        if size == 8 { return value }
        return at == 0 ? (old & ~0xFFFF_FFFF) | (value & 0xFFFF_FFFF) : (old & 0xFFFF_FFFF) | (value << 32)
    }
}
