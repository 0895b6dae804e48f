/// CPU-interface system registers (GICv3 specification, "AArch64 System register descriptions of
/// the GIC CPU interface"). The CPU model maps the ICC_* encodings onto these.
public enum ICCRegister: CaseIterable, Sendable {
    case pmr, iar0, eoir0, hppir0, bpr0, ap0r0, ap1r0
    case dir, rpr, sgi1r, asgi1r, sgi0r, iar1, eoir1, hppir1, bpr1, ctlr, sre, igrpen0, igrpen1
    case sreEL2, ctlrEL3, sreEL3, igrpen1EL3
}

/// One CPU interface: priority mask, binary points, group enables and the active-priority
/// registers. Five priority bits are implemented (priorities step by 8), as on Cortex-A53's GIC.
public final class GICCPUInterface {
    unowned let gic: GICv3
    let cpu: Int
    var pmr: UInt8 = 0
    var bpr0: UInt64 = 2
    var bpr1: UInt64 = 3
    var eoiMode = false
    var cbpr = false
    var groupEnable0 = false
    var groupEnable1 = false
    /// Active priorities of Group 0 and Group 1, one bit per priority level (priority >> 3).
    var ap0: UInt32 = 0
    var ap1: UInt32 = 0
    var sreEL1: UInt64 = 1, sreEL2: UInt64 = 1 | 8, sreEL3: UInt64 = 1 | 8
    /// GICv2 GICC_CTLR: AckCtl (IAR may acknowledge Group 1), FIQEn (Group 0 as FIQ), and the
    /// bypass-disable bits 8:5 (kept, no bypass signals here).
    var ackCtl = false, fiqEn = false, bypass: UInt64 = 0

    static let spurious: UInt64 = 1023

    init(gic: GICv3, cpu: Int) {
        self.gic = gic
        self.cpu = cpu
    }

    /// Running priority: the highest active priority, or idle (0xFF).
    var runningPriority: UInt8 {
        let all = ap0 | ap1
        return all == 0 ? 0xFF : UInt8(all.trailingZeroBitCount << 3)
    }

    /// Whether the highest-priority pending interrupt may be signalled, and as IRQ or FIQ.
    func signals() -> (irq: Bool, fiq: Bool) {
        guard let (_, priority, group1) = gic.highestPending(cpu: cpu) else { return (false, false) }
        guard priority < pmr, priority & 0xF8 < runningPriority & 0xF8 || runningPriority == 0xFF else { return (false, false) }
        if group1 { return (groupEnable1, false) }
        // GICv2: Group 0 is an IRQ unless GICC_CTLR.FIQEn (GICv3 system registers: always FIQ).
        if gic.architecture == .v2 && !fiqEn { return (groupEnable0, false) }
        return (false, groupEnable0)
    }

    /// Acknowledges the highest-priority pending interrupt of a group; 1023 if none qualifies.
    func acknowledge(group1: Bool) -> UInt64 {
        guard let (intid, priority, g1) = gic.highestPending(cpu: cpu), g1 == group1,
              priority < pmr, runningPriority == 0xFF || priority & 0xF8 < runningPriority,
              group1 ? groupEnable1 : groupEnable0 else { return Self.spurious }
        if intid >= LPIState.first {
            gic.lpis.pending[cpu].remove(intid)          // LPIs have no active state
        } else {
            _ = gic.withRecord(intid, cpu: cpu) { r in
                r.active = true
                r.latch = false
            }
        }
        let bit = UInt32(1) << UInt32(priority >> 3)
        if group1 { ap1 |= bit } else { ap0 |= bit }
        gic.update()
        return UInt64(intid)
    }

    /// EOI: drop the running priority; with EOImode 0 also deactivate the interrupt.
    func endOfInterrupt(_ intid: Int, group1: Bool) {
        if group1 { ap1 &= ap1 &- 1 } else { ap0 &= ap0 &- 1 }
        if !eoiMode { deactivate(intid) }
        gic.update()
    }

    func deactivate(_ intid: Int) {
        guard intid < 1020 else { return }
        _ = gic.withRecord(intid, cpu: cpu) { $0.active = false }
        gic.update()
    }

    public func read(_ reg: ICCRegister) -> UInt64 {
        switch reg {
        case .pmr: return UInt64(pmr)
        case .iar0: return acknowledge(group1: false)
        case .iar1: return acknowledge(group1: true)
        case .hppir0, .hppir1:
            guard let (intid, _, g1) = gic.highestPending(cpu: cpu), g1 == (reg == .hppir1) else { return Self.spurious }
            return UInt64(intid)
        case .bpr0: return bpr0
        case .bpr1: return cbpr ? min(bpr0 + 1, 7) : bpr1
        case .ap0r0: return UInt64(ap0)
        case .ap1r0: return UInt64(ap1)
        case .rpr: return UInt64(runningPriority)
        case .ctlr:
            // PRIbits = 4 (five bits), IDbits = 0 (16-bit INTIDs), EOImode, CBPR.
            return 4 << 8 | (eoiMode ? 2 : 0) | (cbpr ? 1 : 0)
        case .ctlrEL3: return 4 << 8 | (eoiMode ? 1 << 4 : 0) | 1 << 17 // EOImode_EL1NS, nDS
        case .sre: return sreEL1
        case .sreEL2: return sreEL2
        case .sreEL3: return sreEL3
        case .igrpen0: return groupEnable0 ? 1 : 0
        case .igrpen1: return groupEnable1 ? 1 : 0
        case .igrpen1EL3: return groupEnable1 ? 1 : 0
        case .eoir0, .eoir1, .dir, .sgi0r, .sgi1r, .asgi1r: return 0
        }
    }

    public func write(_ reg: ICCRegister, _ value: UInt64) {
        switch reg {
        case .pmr: pmr = UInt8(truncatingIfNeeded: value) & 0xF8; gic.update()
        case .eoir0: endOfInterrupt(Int(value & 0xFF_FFFF), group1: false)
        case .eoir1: endOfInterrupt(Int(value & 0xFF_FFFF), group1: true)
        case .dir: deactivate(Int(value & 0xFF_FFFF))
        case .bpr0: bpr0 = max(value & 7, 2)
        case .bpr1: if !cbpr { bpr1 = max(value & 7, 3) }
        case .ap0r0: ap0 = UInt32(truncatingIfNeeded: value); gic.update()
        case .ap1r0: ap1 = UInt32(truncatingIfNeeded: value); gic.update()
        case .ctlr: eoiMode = value & 2 != 0; cbpr = value & 1 != 0
        case .ctlrEL3: eoiMode = value & (1 << 4) != 0
        case .sre: sreEL1 = 1 | (value & 6)
        case .sreEL2: sreEL2 = 1 | (value & 0xE)
        case .sreEL3: sreEL3 = 1 | (value & 0xE)
        case .igrpen0: groupEnable0 = value & 1 != 0; gic.update()
        case .igrpen1, .igrpen1EL3: groupEnable1 = value & 1 != 0; gic.update()
        case .sgi0r: gic.generateSGI(from: cpu, value: value, group1: false)
        case .sgi1r: gic.generateSGI(from: cpu, value: value, group1: true)
        case .asgi1r: break // No secure state: the alternate group does not exist.
        case .iar0, .iar1, .hppir0, .hppir1, .rpr: break
        }
    }
}
