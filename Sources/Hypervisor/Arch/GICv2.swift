/// Where a GICv2's memory-mapped frames are (GIC Architecture Specification v2, IHI 0048B,
/// chapter 4 and 5.3): the CPU interface (GICC, banked per CPU), the virtual interface control
/// (GICH, banked per CPU) and the virtual CPU interface (GICV) the hypervisor maps at a guest's
/// GICC address.
struct GICv2Frames {
    let cpu: UInt64
    let hyp: UInt64
    let vcpu: UInt64
    /// GICC/GICV span: the interface at 0x0000 and GICC_DIR at 0x1000.
    static let cpuInterfaceSize: UInt64 = 0x2000
}

/// Host GICv2 driver (GIC-400): distributor with ITARGETSR routing and SGIs by CPU interface
/// number, the memory-mapped CPU interface, and GICH (list registers, maintenance state).
/// Without Security Extensions, or as their Non-secure view: either way GICD_CTLR bit 0 and
/// GICC_CTLR bit 0 enable the group the interrupts are in, and GICC_CTLR bit 9 is its EOImode.
struct GICv2 {
    let gicd: UInt64
    let frames: GICv2Frames

    enum GICD {
        static let ctlr: UInt64 = 0x000, typer: UInt64 = 0x004
        static let isenabler: UInt64 = 0x100, icenabler: UInt64 = 0x180
        static let isactiver: UInt64 = 0x300, icactiver: UInt64 = 0x380, ipriorityr: UInt64 = 0x400
        static let itargetsr: UInt64 = 0x800, icfgr: UInt64 = 0xC00, sgir: UInt64 = 0xF00
    }
    enum GICC {
        static let ctlr: UInt64 = 0x00, pmr: UInt64 = 0x04, iar: UInt64 = 0x0C, eoir: UInt64 = 0x10
        static let dir: UInt64 = 0x1000
        /// CTLR: the interrupts' group enabled (bit 0), EOImode (bit 9): EOIR drops priority only.
        static let enable: UInt32 = 1 << 0, eoiMode: UInt32 = 1 << 9
    }
    /// GICH registers (IHI 0048B 5.3): the same fields as the GICv3 ICH_*_EL2 registers, except
    /// VMCR's and the list registers' layouts.
    enum GICH {
        static let hcr: UInt64 = 0x00, vtr: UInt64 = 0x04, vmcr: UInt64 = 0x08, misr: UInt64 = 0x10
        static let eisr0: UInt64 = 0x20, elrsr0: UInt64 = 0x30, apr: UInt64 = 0xF0, lr0: UInt64 = 0x100
    }

    var spiCount: UInt32 { min(32 * ((Arch.read32(gicd + GICD.typer) & 0x1F) + 1), 1020) - 32 }

    /// Distributor, once on the boot CPU: every SPI disabled, inactive, not pending, at the
    /// hypervisor's priority, then enabled.
    func initDistributor() {
        Arch.write32(gicd + GICD.ctlr, 0)
        GICv3.quiesceSPIs(distributor: gicd, count: spiCount)
        Arch.write32(gicd + GICD.ctlr, 1)
    }

    /// This CPU's interface mask: GICD_ITARGETSR0..7 are banked and read as the reading CPU's bit.
    var ownTargetMask: UInt8 { UInt8(truncatingIfNeeded: Arch.read32(gicd + GICD.itargetsr)) }

    /// This CPU's banked SGIs and PPIs off and inactive, the CPU interface on with split EOI.
    func initCPU() {
        Arch.write32(gicd + GICD.icenabler, 0xFFFF_FFFF)
        Arch.write32(gicd + GICD.icactiver, 0xFFFF_FFFF)
        var n: UInt64 = 0
        while n < 32 { Arch.write32(gicd + GICD.ipriorityr + n, 0x0101_0101 * UInt32(GICv3.defaultPriority)); n += 4 }
        Arch.write32(frames.cpu + GICC.pmr, 0xFF)
        Arch.write32(frames.cpu + GICC.ctlr, GICC.enable | GICC.eoiMode)
    }

    func enablePrivate(_ intid: UInt32) { Arch.write32(gicd + GICD.isenabler, 1 << intid) }

    func setPrivateActive(_ intid: UInt32, active: Bool) {
        Arch.write32(gicd + (active ? GICD.isactiver : GICD.icactiver), 1 << intid)
    }

    /// Target an SPI at the CPU interfaces in `mask`, configure its trigger and enable it.
    func enableSPI(_ intid: UInt32, targets mask: UInt8, edge: Bool) {
        guard intid >= 32, intid < 32 + spiCount else { return }
        let cfg = gicd + GICD.icfgr + UInt64(intid / 16) * 4
        let shift = (intid % 16) * 2 + 1
        let old = Arch.read32(cfg)
        Arch.write32(cfg, edge ? old | (1 << shift) : old & ~(1 << shift))
        Arch.write8(gicd + GICD.itargetsr + UInt64(intid), mask)
        Arch.write32(gicd + GICD.isenabler + UInt64(intid / 32) * 4, 1 << (intid % 32))
    }

    func disableSPI(_ intid: UInt32) {
        guard intid >= 32, intid < 32 + spiCount else { return }
        Arch.write32(gicd + GICD.icenabler + UInt64(intid / 32) * 4, 1 << (intid % 32))
    }

    /// GICD_SGIR with TargetListFilter 0: SGI `intid` to the CPU interfaces in `mask`.
    func sendSGI(_ intid: UInt32, targets mask: UInt8) {
        Arch.write32(gicd + GICD.sgir, UInt32(mask) << 16 | (intid & 0xF))
    }
}
