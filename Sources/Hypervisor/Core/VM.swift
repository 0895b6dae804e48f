/// A virtual machine: its configuration, stage-2 tables, vCPUs and the
/// virtual devices every VM gets (GIC distributor, PL011).
final class VM {
    let config: VMConfig
    let stage2: Stage2Table
    var vcpus: [VCPU] = []
    let vuart: VirtualUART
    var vdist: VirtualDistributor! = nil
    /// Boards without a GIC: the emulated BCM2836 local controller and armctrl (Core/SoftwareInterrupts.swift).
    var vbcm: VirtualBCM2836? = nil
    /// Each vCPU's spin-table release word, as the guest last wrote it.
    var spinRelease: [UInt64] = []
    /// The emulated devices data aborts dispatch to (`Traps.handleDataAbort`).
    var mmio = MMIORegistry<VM>()
    /// CNTVOFF_EL2: the VM's virtual counter starts near zero when it boots.
    var counterOffset: UInt64
    var stopped = false
    /// SMMU faults its devices caused (the first few are logged).
    var smmuFaults = 0
    /// The last SMMU fault shown: StreamID and 4 KiB page (a burst on one page is one line).
    var lastSMMUFault: (sid: UInt32, page: UInt64)? = nil
    /// The guest device tree as built at boot, restored on SYSTEM_RESET.
    var pristineDTB: [UInt8] = []

    var id: Int { config.vmid }
    var name: String { config.name }
    var label: String { "vm\(config.vmid) (\(config.name))" }

    init(config: VMConfig, stage2: Stage2Table) {
        self.config = config
        self.stage2 = stage2
        vuart = VirtualUART(prefix: "[vm\(config.vmid)] ", vcpus: config.vcpus, linePerVCPU: config.type != "linux")
        counterOffset = Arch.physicalCount
        vdist = VirtualDistributor(vm: self)
        if board.hasGIC { registerGIC() } else { registerBCM2836() }
        registerUART()
    }

    /// A GIC board's virtual devices: the GIC distributor and one redistributor frame per vCPU
    /// at the board's addresses (the guest's tree names the same ones). On a GICv2 only the
    /// distributor: the CPU interface is the hardware's GICV, mapped by stage 2 (Hypervisor.createVM).
    private func registerGIC() {
        let gicd = board.gicdBase, gicr = board.gicrBase, frame = VirtualRedistributor.frameSize
        if board.gicv2 != nil {
            _ = mmio.register("GIC distributor", gicd..<(gicd + VirtualDistributor.size)) { vm, off, size, write, value, vcpu in
                vm.vdist.accessV2(offset: off, size: size, write: write, value: value, vcpu: vcpu)
            }
            return
        }
        _ = mmio.register("GIC distributor", gicd..<(gicd + VirtualDistributor.size)) { vm, off, size, write, value, _ in
            vm.vdist.access(offset: off, size: size, write: write, value: value)
        }
        _ = mmio.register("GIC redistributors", gicr..<(gicr + frame * UInt64(config.vcpus))) { vm, off, size, write, value, _ in
            vm.vcpus[Int(off / VirtualRedistributor.frameSize)].redistributor.access(
                offset: off % VirtualRedistributor.frameSize, size: size, write: write, value: value)
        }
    }

    /// Every VM's PL011 console.
    private func registerUART() {
        let uart = board.vuartBase
        _ = mmio.register("PL011", uart..<(uart + VirtualUART.size)) { vm, off, _, write, value, vcpu in
            vm.vuart.access(offset: off, write: write, value: value, vcpu: vcpu)
        }
    }

    func owns(ipa: UInt64, size: UInt64 = 1) -> Bool {
        config.memory.contains { $0.lowerBound <= ipa && ipa + size <= $0.upperBound }
    }

    // MARK: Interrupt delivery (the vGIC's software side)

    /// An SPI was asserted by software (device model, ISPENDR write); latched while disabled.
    func raiseShared(_ intid: UInt32) {
        guard Int(intid) < VirtualDistributor.intids else { return }
        if vdist.enabled[Int(intid)] { deliverShared(intid) } else { vdist.latched[Int(intid)] = true }
    }

    /// Queue an SPI on the vCPU its IROUTER names. `physical` only when the
    /// physical INTID is active right now (taken from ICC_IAR1): then the list
    /// register is HW-linked and the guest's EOI deactivates it; a latched or
    /// software-raised SPI has no active physical side to deactivate.
    func deliverShared(_ intid: UInt32, physical: UInt32? = nil) {
        queue(intid, on: target(of: intid), physical: physical)
    }

    /// The guest enabled, disabled or re-routed a pass-through SPI: the physical one follows.
    func hardwareChanged(_ intid: UInt32) {
        hypervisor?.syncPassthrough(self, intid: intid)
    }

    /// The vCPU an SPI is routed to (GICD_IROUTER Aff0, clamped to the VM's vCPUs).
    func target(of intid: UInt32) -> VCPU {
        vcpus[min(vdist.route[Int(intid)], vcpus.count - 1)]
    }

    /// An SGI or PPI for one vCPU; latched while its redistributor has it disabled. `source`:
    /// a GICv2 SGI's sender, which the guest's GICV_IAR reports.
    func raisePrivate(_ intid: UInt32, on vcpu: VCPU, source: UInt32 = 0) {
        if vcpu.redistributor.enabled & (1 << intid) != 0 {
            queue(intid, on: vcpu, source: source)
        } else {
            vcpu.redistributor.latched |= 1 << intid
        }
    }

    /// Put a virtual interrupt on a vCPU's queue; the vCPU's pCPU moves it
    /// into a list register before it next enters the guest.
    func queue(_ intid: UInt32, on vcpu: VCPU, physical: UInt32? = nil, source: UInt32 = 0) {
        guard !stopped else { return }
        if !vcpu.queued.contains(where: { $0.intid == intid && $0.source == source }) {
            vcpu.queued.append(PendingInterrupt(intid: intid, physical: physical, source: source))
        }
        vcpu.wake()
        hypervisor?.kick(vcpu.pcpu)                 // a vCPU on another pCPU may be in the guest
    }

    func priority(of intid: UInt32, on vcpu: VCPU) -> UInt8 {
        intid < 32 ? vcpu.redistributor.priority[Int(intid)] : vdist.priority[Int(intid)]
    }
}

struct PendingInterrupt {
    let intid: UInt32
    let physical: UInt32?
    /// A GICv2 SGI's sending vCPU (0 otherwise): each source is pending on its own.
    var source: UInt32 = 0
    /// The list register's vINTID: a GICv2 SGI carries its source in bits 12:10 (Arch/GICv2.swift).
    var listID: UInt32 { intid | source << 10 }
}
