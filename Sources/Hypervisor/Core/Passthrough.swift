/// Pass-through SPIs: the physical SPI mirrors the guest's view of its
/// virtual twin. It is enabled only while the guest has it enabled (so a
/// level-triggered device the guest masked cannot storm the hypervisor), and
/// routed to the pCPU of the vCPU the guest's GICD_IROUTER names (so the
/// interrupt and the guest's EOI, which deactivates it through the HW list
/// register, happen on the same CPU interface).
extension Hypervisor {
    /// Link a VM's pass-through SPIs to their physical INTIDs (at creation and on SYSTEM_RESET);
    /// all start disabled until the guest enables them.
    func linkPassthrough(_ vm: VM) {
        guard board.hasGIC else { return }
        for d in vm.config.passthrough {
            for s in d.spis {
                vm.vdist.hardware[Int(s.intid)] = s.intid
                gic.disableSPI(s.intid)
            }
        }
    }

    func syncPassthrough(_ vm: VM, intid: UInt32) {
        guard let spi = vm.config.passthrough.lazy.flatMap({ $0.spis }).first(where: { $0.intid == intid }) else { return }
        if vm.stopped || !vm.vdist.enabled[Int(intid)] {
            gic.disableSPI(intid)
        } else {
            gic.enableSPI(intid, on: cpus[vm.target(of: intid).pcpu], edge: spi.edge)
        }
    }

    /// A physical pass-through SPI was acknowledged on this pCPU (priority
    /// already dropped). Returns false when the caller must deactivate it.
    func forwardPassthrough(_ intid: UInt32) -> Bool {
        guard Int(intid) < VirtualDistributor.intids,
              let vm = vms.first(where: { !$0.stopped && $0.vdist.hardware[Int(intid)] != nil }) else { return false }
        if vm.vdist.enabled[Int(intid)] {
            vm.deliverShared(intid, physical: intid)    // the guest's EOI deactivates it
            return true
        }
        // Raced with the guest disabling it: keep it pending in the virtual distributor.
        vm.vdist.latched[Int(intid)] = true
        return false
    }
}
