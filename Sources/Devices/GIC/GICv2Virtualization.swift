/// The GICv2 virtualization extensions (ARM IHI 0048B chapter 5): the hypervisor's control
/// interface (GICH) and the virtual CPU interface a guest uses in place of GICC (GICV). Both are
/// views of the same per-CPU virtual interface state as the GICv3 ICH_*/ICV_* registers
/// (GICVirtualInterface): GICv2's list registers, VMCR and APR are translated to and from it.
public final class GICv2HypervisorInterface: MMIODevice {
    unowned let gic: GICv3
    let currentCPU: () -> Int

    public init(gic: GICv3, currentCPU: @escaping () -> Int) {
        self.gic = gic
        self.currentCPU = currentCPU
        super.init(name: "gich", size: 0x2000)
    }

    /// 0x0000-0x0FFF: the accessing CPU's interface; 0x1000 + n * 0x200: CPU n's (GIC-400).
    private func frame(_ offset: UInt64) -> (GICVirtualInterface, UInt64)? {
        if offset < 0x1000 { return (gic.virtualInterfaces[min(currentCPU(), gic.cpuCount - 1)], offset) }
        let n = Int((offset - 0x1000) / 0x200)
        guard n < gic.cpuCount else { return nil }
        return (gic.virtualInterfaces[n], (offset - 0x1000) % 0x200)
    }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        guard let (v, off) = frame(offset) else { return 0 }
        switch off {
        case 0x00: return v.hcr & 0xF800_00FF
        case 0x04: return GICVirtualInterface.vtr & 0xFFFF_FFFF
        case 0x08: return v.vmcr & 0xF8FC_021F
        case 0x10: return v.misr
        case 0x20: return v.eisr
        case 0x30: return v.elrsr
        case 0xF0: return (v.ap0 | v.ap1) & 0xFFFF_FFFF
        case 0x100..<0x110: return GICv2ListRegister.from(v.lr[Int(off - 0x100) / 4])
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        guard let (v, off) = frame(offset) else { return }
        switch off {
        case 0x00: v.hcr = value & 0xF800_00FF
        case 0x08: v.vmcr = value & 0xF8FC_021F
        // One active-priorities register for both groups (the virtual EOI drops the highest).
        case 0xF0: v.ap0 = value & 0xFFFF_FFFF; v.ap1 = 0
        case 0x100..<0x110: v.lr[Int(off - 0x100) / 4] = GICv2ListRegister.to(value)
        default: return
        }
        v.update()
    }
}

/// GICH_LR (32 bits): VirtualID 9:0, PhysicalID 19:10 (HW = 0: EOI 19, source CPUID 12:10),
/// Priority 27:23 (five bits), State 29:28, Grp1 30, HW 31. Held as an ICH_LR_EL2 value: the
/// source CPUID of a software LR goes in pINTID bits 2:0, which only hardware LRs use.
enum GICv2ListRegister {
    static func to(_ v: UInt64) -> UInt64 {
        let hw = v >> 31 & 1
        let physical = hw != 0 ? v >> 10 & 0x3FF : (v >> 19 & 1) << 9 | (v >> 10 & 7)
        return (v & 0x3FF) | physical << 32 | (v >> 23 & 0x1F) << 51 | (v >> 30 & 1) << 60 | hw << 61 | (v >> 28 & 3) << 62
    }

    static func from(_ l: UInt64) -> UInt64 {
        let hw = l >> 61 & 1
        let p = l >> 32 & 0x3FF
        let physical = hw != 0 ? p : (p >> 9 & 1) << 9 | (p & 7)
        return (l & 0x3FF) | physical << 10 | (l >> 51 & 0x1F) << 23 | (l >> 62 & 3) << 28 | (l >> 60 & 1) << 30 | hw << 31
    }

    /// A software LR's source CPU (for SGIs), as GICV_IAR reports it in bits 12:10.
    static func sourceCPU(_ l: UInt64) -> UInt64 { l >> 61 & 1 == 0 ? l >> 32 & 7 : 0 }
}

/// GICV: the guest's CPU interface, laid out as GICC (GICv2CPUInterfaceFrame) and banked per CPU.
public final class GICv2VirtualCPUInterfaceFrame: MMIODevice {
    unowned let gic: GICv3
    let currentCPU: () -> Int

    public init(gic: GICv3, currentCPU: @escaping () -> Int) {
        self.gic = gic
        self.currentCPU = currentCPU
        super.init(name: "gicv", size: 0x2000)
    }

    private var vif: GICVirtualInterface { gic.virtualInterfaces[min(currentCPU(), gic.cpuCount - 1)] }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let v = vif
        switch offset {
        case 0x00: return v.vmcr & 0x21F   // VMGrp0En, VMGrp1En, VMAckCtl, VMFIQEn, VMCBPR, VEM
        case 0x04: return UInt64(v.vpmr)
        case 0x08: return (v.vmcr >> 21) & 7
        case 0x0C: return v.acknowledgeV2(aliased: false)
        case 0x14: return UInt64(v.runningPriority)
        case 0x18: return v.highestPendingV2(aliased: false).value
        case 0x1C: return (v.vmcr >> 18) & 7
        case 0x20: return v.acknowledgeV2(aliased: true)
        case 0x28: return v.highestPendingV2(aliased: true).value
        case 0xD0: return (v.ap0 | v.ap1) & 0xFFFF_FFFF
        case 0xFC: return GICv2CPUInterfaceFrame.iidr
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let v = vif
        switch offset {
        case 0x00: v.vmcr = (v.vmcr & ~0x21F) | (value & 0x21F)
        case 0x04: v.vmcr = (v.vmcr & ~(0xFF << 24)) | (value & 0xF8) << 24
        case 0x08: v.vmcr = (v.vmcr & ~(7 << 21)) | (value & 7) << 21
        case 0x10, 0x24: v.endOfInterruptV2(value)
        case 0x1C: v.vmcr = (v.vmcr & ~(7 << 18)) | (value & 7) << 18
        case 0xD0: v.ap0 = value & 0xFFFF_FFFF; v.ap1 = 0
        case 0x1000: v.deactivate(value & 0x3FF)
        default: return
        }
        v.update()
    }
}

extension GICVirtualInterface {
    /// What GICV_IAR (or, `aliased`, GICV_AIAR: Group 1 only) would return, and the list register:
    /// 1023 when nothing may be signalled, 1022 for Group 1 without VMAckCtl.
    func highestPendingV2(aliased: Bool) -> (value: UInt64, lr: Int?) {
        guard let i = highestPending() else { return (GICCPUInterface.spurious, nil) }
        let g1 = Self.group1(lr[i])
        let p = Self.priority(lr[i])
        guard aliased ? g1 : true, p < vpmr, runningPriority == 0xFF || p < runningPriority else { return (GICCPUInterface.spurious, nil) }
        if g1 && !aliased && vmcr & 4 == 0 { return (1022, nil) }
        let id = Self.intid(lr[i])
        return (id | (id < 16 ? GICv2ListRegister.sourceCPU(lr[i]) << 10 : 0), i)
    }

    func acknowledgeV2(aliased: Bool) -> UInt64 {
        let (value, slot) = highestPendingV2(aliased: aliased)
        guard let i = slot else { return value }
        lr[i] = (lr[i] & ~State.pending) | State.active
        let bit = UInt64(1) << UInt64(Self.priority(lr[i]) >> 3)
        if Self.group1(lr[i]) { ap1 |= bit } else { ap0 |= bit }
        update()
        return value
    }

    /// GICV_EOIR/AEOIR: drops the highest active priority; without VEM also deactivates.
    func endOfInterruptV2(_ value: UInt64) {
        let all = ap0 | ap1
        let highest = all & ~(all &- 1)
        ap0 &= ~highest
        ap1 &= ~highest
        if !veoim { deactivate(value & 0x3FF) }
        update()
    }
}
