/// The GICv2 view of a VM's emulated distributor (GIC Architecture Specification v2, IHI 0048B,
/// 4.3), as a GIC-400 without Security Extensions: one group (Group 0, the one a GICv2 guest
/// enables), SPIs targeted by ITARGETSR, SGIs sent through GICD_SGIR with their source CPU. The
/// state is the GICv3 model's: SPIs in `VirtualDistributor`, and the registers GICv2 banks per
/// CPU for INTIDs 0-31 (ISENABLER0 ... ICFGR1) are the vCPU's `VirtualRedistributor`, whose
/// SGI_base frame has them at the same offsets. The guest's CPU interface is the hardware's
/// GICV, mapped by stage 2 at the guest's GICC address.
extension VirtualDistributor {
    func accessV2(offset: UInt64, size: Int, write: Bool, value: UInt64, vcpu: Int) -> MMIOResult {
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x000:                                             // GICD_CTLR: EnableGrp0, EnableGrp1
            if write { enableGroup1 = v & 3 != 0; groupEnables = v & 3 }
            return .handled(UInt64(groupEnables))
        case 0x004:                                             // GICD_TYPER: ITLinesNumber, CPUNumber
            return .handled(UInt64((Self.intids / 32 - 1) | (max(vm.vcpus.count, 1) - 1) << 5))
        case 0x008: return .handled(0x0200_143B)                // GICD_IIDR: GIC-400 r0p2 (Arm)
        case 0x080..<0x100: return .handled(0)                  // GICD_IGROUPR: Group 0, RAZ/WI
        case 0x100, 0x180, 0x200, 0x280, 0x400..<0x420, 0xC00, 0xC04:
            // Banked per CPU: the vCPU's SGI/PPI state, kept by its redistributor model.
            guard vcpu < vm.vcpus.count else { return .handled(0) }
            return vm.vcpus[vcpu].redistributor.access(offset: 0x1_0000 + offset, size: size, write: write, value: value)
        case 0x300..<0x400: return .handled(0)                  // active state lives in the LRs: RAZ/WI
        case 0x800..<0xC00: return targets(offset - 0x800, size: size, write: write, value: value, vcpu: vcpu)
        case 0xF00:                                             // GICD_SGIR, write-only
            if write { sendSGI(v, from: vcpu) }
            return .handled(0)
        case 0xFE8: return .handled(0x2B)                       // ICPIDR2: ArchRev 2
        case 0x6000..<0x8000: return .handled(0)                // no IROUTER on a GICv2
        default: return access(offset: offset, size: size, write: write, value: value)
        }
    }

    /// GICD_ITARGETSR, a byte per INTID: 0-31 read as the reading CPU's own bit; an SPI goes to
    /// the lowest vCPU of the mask written (delivery is to one vCPU, as the 1-of-N model allows).
    private func targets(_ first: UInt64, size: Int, write: Bool, value: UInt64, vcpu: Int) -> MMIOResult {
        var out: UInt64 = 0
        for i in 0..<size {
            let n = Int(first) + i
            guard n < Self.intids else { break }
            if n < 32 {
                out |= UInt64(1 << min(vcpu, 7)) << UInt64(8 * i)
                continue
            }
            let mask = UInt8(truncatingIfNeeded: value >> UInt64(8 * i))
            if write && mask != 0 {
                route[n] = min(mask.trailingZeroBitCount, max(vm.vcpus.count, 1) - 1)
                if hardware[n] != nil { vm.hardwareChanged(UInt32(n)) }
            }
            out |= UInt64(1 << min(route[n], 7)) << UInt64(8 * i)
        }
        return .handled(out)
    }

    /// GICD_SGIR: SGIINTID 3:0, CPUTargetList 23:16, TargetListFilter 25:24 (0 the list, 1 all
    /// but the sender, 2 the sender only).
    private func sendSGI(_ v: UInt32, from sender: Int) {
        let intid = v & 0xF
        let filter = (v >> 24) & 3, list = (v >> 16) & 0xFF
        for t in vm.vcpus where t.power == .on {
            let hit: Bool
            switch filter {
            case 0: hit = t.index < 8 && list & (1 << UInt32(t.index)) != 0
            case 1: hit = t.index != sender
            case 2: hit = t.index == sender
            default: hit = false
            }
            if hit { vm.raisePrivate(intid, on: t, source: UInt32(min(sender, 7))) }
        }
    }
}
