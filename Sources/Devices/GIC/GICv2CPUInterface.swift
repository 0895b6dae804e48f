/// GICv2 CPU interface (GICC, ARM IHI 0048B chapter 4.4), memory-mapped and banked: each CPU
/// reaches its own interface at the same address. Without the Security Extensions, as on QEMU's
/// non-secure virt: GICC_CTLR holds both group enables, AckCtl, FIQEn, CBPR and EOImode.
public final class GICv2CPUInterfaceFrame: MMIODevice {
    unowned let gic: GICv3
    /// The CPU making the access (the frame is banked).
    let currentCPU: () -> Int

    public init(gic: GICv3, currentCPU: @escaping () -> Int) {
        self.gic = gic
        self.currentCPU = currentCPU
        super.init(name: "gicc", size: 0x2000)
    }

    /// GIC-400 r0p1: product 0x02, implementer Arm (0x43B), architecture version 2.
    static let iidr: UInt64 = 0x0202_143B

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let c = gic.interfaces[min(currentCPU(), gic.cpuCount - 1)]
        switch offset {
        case 0x00: return c.controlV2
        case 0x04: return UInt64(c.pmr)
        case 0x08: return c.bpr0
        case 0x0C: return c.acknowledgeV2(aliased: false)
        case 0x14: return UInt64(c.runningPriority)
        case 0x18: return c.highestPendingV2(aliased: false)
        case 0x1C: return c.cbpr ? min(c.bpr0 + 1, 7) : c.bpr1
        case 0x20: return c.acknowledgeV2(aliased: true)
        case 0x28: return c.highestPendingV2(aliased: true)
        case 0xD0: return UInt64(c.ap0)
        case 0xE0: return UInt64(c.ap1)
        case 0xFC: return Self.iidr
        default: return 0
        }
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        let c = gic.interfaces[min(currentCPU(), gic.cpuCount - 1)]
        switch offset {
        case 0x00: c.controlV2 = value
        case 0x04: c.pmr = UInt8(truncatingIfNeeded: value) & 0xF8; gic.update()
        case 0x08: c.bpr0 = max(value & 7, 2)
        case 0x10, 0x24: c.endOfInterruptV2(value)
        case 0x1C: if !c.cbpr { c.bpr1 = max(value & 7, 3) }
        case 0xD0: c.ap0 = UInt32(truncatingIfNeeded: value); gic.update()
        case 0xE0: c.ap1 = UInt32(truncatingIfNeeded: value); gic.update()
        case 0x1000: c.deactivate(Int(value & 0x3FF))
        default: break
        }
    }
}

extension GICCPUInterface {
    /// GICC_CTLR without the Security Extensions: EnableGrp0 (0), EnableGrp1 (1), AckCtl (2),
    /// FIQEn (3), CBPR (4), bypass disables (8:5), EOImode (9).
    var controlV2: UInt64 {
        get {
            (groupEnable0 ? 1 : 0) | (groupEnable1 ? 2 : 0) | (ackCtl ? 4 : 0) | (fiqEn ? 8 : 0)
                | (cbpr ? 0x10 : 0) | bypass | (eoiMode ? 0x200 : 0)
        }
        set {
            groupEnable0 = newValue & 1 != 0
            groupEnable1 = newValue & 2 != 0
            ackCtl = newValue & 4 != 0
            fiqEn = newValue & 8 != 0
            cbpr = newValue & 0x10 != 0
            bypass = newValue & 0x1E0
            eoiMode = newValue & 0x200 != 0
            gic.update()
        }
    }

    /// The interrupt GICC_IAR (or, `aliased`, GICC_AIAR: Group 1 only) would return, without
    /// acknowledging it: 1023 when nothing may be signalled, 1022 for a Group 1 interrupt that
    /// GICC_IAR may not acknowledge (AckCtl clear).
    func highestPendingV2(aliased: Bool) -> UInt64 {
        guard let (intid, priority, g1) = gic.highestPending(cpu: cpu),
              aliased ? g1 : true,
              priority < pmr, runningPriority == 0xFF || priority & 0xF8 < runningPriority,
              g1 ? groupEnable1 : groupEnable0 else { return Self.spurious }
        if g1 && !aliased && !ackCtl { return 1022 }
        return UInt64(intid) | (intid < 16 ? UInt64(lowestSource(intid)) << 10 : 0)
    }

    private func lowestSource(_ sgi: Int) -> Int {
        gic.sgiSources[cpu * 16 + sgi].trailingZeroBitCount & 7
    }

    /// GICC_IAR/AIAR: acknowledges the highest-priority pending interrupt. An SGI's value carries
    /// its source CPU (bits 12:10); that source's copy stops pending, others stay pending.
    func acknowledgeV2(aliased: Bool) -> UInt64 {
        let value = highestPendingV2(aliased: aliased)
        let intid = Int(value & 0x3FF)
        guard intid < 1020, let (_, priority, g1) = gic.highestPending(cpu: cpu) else { return value }
        _ = gic.withRecord(intid, cpu: cpu) { r in
            r.active = true
            if intid < 16 {
                gic.sgiSources[cpu * 16 + intid] &= ~(1 << UInt8(value >> 10 & 7))
                r.latch = gic.sgiSources[cpu * 16 + intid] != 0
            } else {
                r.latch = false
            }
        }
        let bit = UInt32(1) << UInt32(priority >> 3)
        if g1 { ap1 |= bit } else { ap0 |= bit }
        gic.update()
        return value
    }

    /// GICC_EOIR/AEOIR: drops the highest active priority; with EOImode 0 also deactivates.
    func endOfInterruptV2(_ value: UInt64) {
        let highest = (ap0 | ap1) & ~((ap0 | ap1) &- 1)
        ap0 &= ~highest
        ap1 &= ~highest
        if !eoiMode { deactivate(Int(value & 0x3FF)) }
        gic.update()
    }
}
