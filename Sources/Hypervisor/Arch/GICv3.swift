/// Host GICv3 driver: distributor (GICD), this CPU's redistributor (GICR) and
/// the system-register CPU interface (ICC), per the GIC Architecture
/// Specification (IHI 0069), "Distributor/Redistributor register map".
struct GICv3 {
    let gicd: UInt64
    let gicrBase: UInt64
    let gicrStride: UInt64

    enum GICD {
        static let ctlr: UInt64 = 0x0000, typer: UInt64 = 0x0004
        static let igroupr: UInt64 = 0x0080, isenabler: UInt64 = 0x0100, icenabler: UInt64 = 0x0180
        static let icpendr: UInt64 = 0x0280, isactiver: UInt64 = 0x0300, icactiver: UInt64 = 0x0380
        static let ipriorityr: UInt64 = 0x0400, icfgr: UInt64 = 0x0C00, irouter: UInt64 = 0x6000
        /// CTLR: EnableGrp1(NS) bit 1, ARE(_NS) bit 4, RWP bit 31.
        static let enableGrp1: UInt32 = 1 << 1, are: UInt32 = 1 << 4, rwp: UInt32 = 1 << 31
    }
    enum GICR {
        static let typer: UInt64 = 0x0008, waker: UInt64 = 0x0014
        static let sgiFrame: UInt64 = 0x1_0000
        /// WAKER.ProcessorSleep bit 1, ChildrenAsleep bit 2; TYPER.Last bit 4.
        static let processorSleep: UInt32 = 1 << 1, childrenAsleep: UInt32 = 1 << 2, last: UInt64 = 1 << 4
    }

    /// Priority every interrupt the hypervisor owns runs at; the guest's own
    /// priorities live in its virtual interface only.
    static let defaultPriority: UInt8 = 0xA0

    var spiCount: UInt32 { min(32 * ((Arch.read32(gicd + GICD.typer) & 0x1F) + 1), 1020) - 32 }

    /// Distributor, once on the boot CPU: affinity routing, all SPIs Group 1, disabled.
    func initDistributor() {
        Arch.write32(gicd + GICD.ctlr, 0)
        waitForDistributor()
        Self.quiesceSPIs(distributor: gicd, count: spiCount)
        var n: UInt32 = 32
        while n < 32 + spiCount {
            Arch.write32(gicd + GICD.igroupr + UInt64(n / 8), 0xFFFF_FFFF)
            n += 32
        }
        Arch.write32(gicd + GICD.ctlr, GICD.are | GICD.enableGrp1)
        waitForDistributor()
    }

    /// Every SPI disabled, not pending, inactive, at the hypervisor's priority: the registers
    /// GICv2 and GICv3 distributors share (ICENABLER, ICPENDR, ICACTIVER, IPRIORITYR).
    static func quiesceSPIs(distributor gicd: UInt64, count: UInt32) {
        var n: UInt32 = 32
        while n < 32 + count {
            Arch.write32(gicd + GICD.icenabler + UInt64(n / 8), 0xFFFF_FFFF)
            Arch.write32(gicd + GICD.icpendr + UInt64(n / 8), 0xFFFF_FFFF)
            Arch.write32(gicd + GICD.icactiver + UInt64(n / 8), 0xFFFF_FFFF)
            n += 32
        }
        n = 32
        while n < 32 + count {
            Arch.write32(gicd + GICD.ipriorityr + UInt64(n), 0x0101_0101 * UInt32(defaultPriority))
            n += 4
        }
    }

    private func waitForDistributor() {
        while Arch.read32(gicd + GICD.ctlr) & GICD.rwp != 0 {}
    }

    /// This CPU's redistributor frame, found by matching GICR_TYPER.Affinity_Value with MPIDR.
    func redistributor(mpidr: UInt64) -> UInt64? {
        let aff = (mpidr & 0xFF_FFFF) | ((mpidr >> 8) & 0xFF00_0000)
        var frame = gicrBase
        for _ in 0..<64 {
            let typer = Arch.read64(frame + GICR.typer)
            if typer >> 32 == aff { return frame }
            if typer & GICR.last != 0 { return nil }
            frame += gicrStride
        }
        return nil
    }

    /// Wake this CPU's redistributor, make SGIs/PPIs Group 1, and enable the CPU interface.
    func initCPU(redistributor rd: UInt64) {
        Arch.write32(rd + GICR.waker, Arch.read32(rd + GICR.waker) & ~GICR.processorSleep)
        while Arch.read32(rd + GICR.waker) & GICR.childrenAsleep != 0 {}
        let sgi = rd + GICR.sgiFrame
        Arch.write32(sgi + GICD.icenabler, 0xFFFF_FFFF)
        Arch.write32(sgi + GICD.icactiver, 0xFFFF_FFFF)
        Arch.write32(sgi + GICD.igroupr, 0xFFFF_FFFF)
        var n: UInt64 = 0
        while n < 32 { Arch.write32(sgi + GICD.ipriorityr + n, 0x0101_0101 * UInt32(Self.defaultPriority)); n += 4 }

        Arch.enableSystemRegisterGIC()
        Arch.iccPMR = 0xFF
        Arch.iccCTLR = 1 << 1            // EOImode: EOIR drops priority, DIR (or a guest, via HW LRs) deactivates
        Arch.iccGroup1Enable = 1
    }

    /// Enable an SGI/PPI on this CPU.
    func enablePrivate(_ intid: UInt32, redistributor rd: UInt64) {
        Arch.write32(rd + GICR.sgiFrame + GICD.isenabler, 1 << intid)
    }

    /// Set or clear the active state of an SGI/PPI on this CPU (GICR_ISACTIVER0/ICACTIVER0):
    /// a vCPU's in-flight timer PPI follows the vCPU when the pCPU switches vCPUs.
    func setPrivateActive(_ intid: UInt32, redistributor rd: UInt64, active: Bool) {
        Arch.write32(rd + GICR.sgiFrame + (active ? GICD.isactiver : GICD.icactiver), 1 << intid)
    }

    /// Route an SPI to the CPU with `mpidr`, configure its trigger and enable it.
    func enableSPI(_ intid: UInt32, mpidr: UInt64, edge: Bool) {
        guard intid >= 32, intid < 32 + spiCount else { return }
        let cfg = gicd + GICD.icfgr + UInt64(intid / 16) * 4
        let shift = (intid % 16) * 2 + 1
        let old = Arch.read32(cfg)
        Arch.write32(cfg, edge ? old | (1 << shift) : old & ~(1 << shift))
        Arch.write64(gicd + GICD.irouter + UInt64(intid) * 8, mpidr & 0xFF_00FF_FFFF)
        Arch.write32(gicd + GICD.isenabler + UInt64(intid / 32) * 4, 1 << (intid % 32))
    }

    func disableSPI(_ intid: UInt32) {
        guard intid >= 32, intid < 32 + spiCount else { return }
        Arch.write32(gicd + GICD.icenabler + UInt64(intid / 32) * 4, 1 << (intid % 32))
    }

    /// ICC_SGI1R_EL1 value for one target (GIC spec, "ICC_SGI1R_EL1"): Aff3/2/1, TargetList bit Aff0.
    static func sgi1r(intid: UInt32, mpidr: UInt64) -> UInt64 {
        let aff0 = mpidr & 0xF
        let aff1 = (mpidr >> 8) & 0xFF, aff2 = (mpidr >> 16) & 0xFF, aff3 = (mpidr >> 32) & 0xFF
        return (aff3 << 48) | (aff2 << 32) | (UInt64(intid & 0xF) << 24) | (aff1 << 16) | (1 << aff0)
    }
}

/// Spurious INTID returned by ICC_IAR1_EL1 when nothing is pending.
let spuriousINTID: UInt32 = 1023
