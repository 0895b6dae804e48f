/// The board's GIC, whichever version: the distributor-side operations the core needs, each
/// going to the GICv3 driver (redistributors, affinity routing) or the GICv2 one (banked
/// distributor registers, CPU interface numbers). The CPU interface and list registers are
/// behind `Arch` (system registers on a GICv3, GICC/GICH on a GICv2).
struct HostGIC {
    let v3 = GICv3(gicd: board.gicdBase, gicrBase: board.gicrBase, gicrStride: board.gicrStride)
    let v2: GICv2? = board.gicv2.map { GICv2(gicd: board.gicdBase, frames: $0) }

    func initDistributor() {
        if let v2 { v2.initDistributor() } else { v3.initDistributor() }
    }

    /// This CPU's side of the GIC (its redistributor, or its banked distributor registers and CPU
    /// interface); false when a GICv3 has no redistributor for it.
    func initCPU(_ cpu: PhysicalCPU) -> Bool {
        if let v2 {
            cpu.gicTargetMask = v2.ownTargetMask
            v2.initCPU()
            return true
        }
        guard let rd = v3.redistributor(mpidr: Arch.mpidr) else { return false }
        cpu.redistributor = rd
        v3.initCPU(redistributor: rd)
        return true
    }

    /// Enable an SGI/PPI on this CPU.
    func enablePrivate(_ intid: UInt32, on cpu: PhysicalCPU) {
        if let v2 { v2.enablePrivate(intid) } else { v3.enablePrivate(intid, redistributor: cpu.redistributor) }
    }

    /// Set or clear the active state of an SGI/PPI on this CPU.
    func setPrivateActive(_ intid: UInt32, on cpu: PhysicalCPU, active: Bool) {
        if let v2 { v2.setPrivateActive(intid, active: active) }
        else { v3.setPrivateActive(intid, redistributor: cpu.redistributor, active: active) }
    }

    /// Route an SPI to `cpu`, configure its trigger and enable it.
    func enableSPI(_ intid: UInt32, on cpu: PhysicalCPU, edge: Bool) {
        if let v2 { v2.enableSPI(intid, targets: cpu.gicTargetMask, edge: edge) }
        else { v3.enableSPI(intid, mpidr: cpu.mpidr, edge: edge) }
    }

    func disableSPI(_ intid: UInt32) {
        if let v2 { v2.disableSPI(intid) } else { v3.disableSPI(intid) }
    }

    /// Physical SGI 0 to `cpu`: it leaves the guest or its idle WFI and re-picks.
    func kick(_ cpu: PhysicalCPU) {
        if let v2 { v2.sendSGI(0, targets: cpu.gicTargetMask) }
        else { Arch.sendSGI(GICv3.sgi1r(intid: 0, mpidr: cpu.mpidr)) }
    }
}
