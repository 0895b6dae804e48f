/// Hypervisor control registers of the GIC virtual CPU interface (ICH_*_EL2).
public enum ICHRegister: Sendable, Equatable {
    case hcr, vtr, vmcr, misr, eisr, elrsr, ap0r(Int), ap1r(Int), lr(Int)
}

/// The virtual CPU interface of one CPU (GICv3 specification, "Virtual CPU interface"): list
/// registers the hypervisor fills, the virtual machine control register, active priorities, and the
/// ICV_* view an EL1 guest gets when HCR_EL2.IMO/FMO redirect its ICC_* accesses. Four list
/// registers and five priority bits, as on a Cortex-A53's GIC-500.
public final class GICVirtualInterface {
    unowned let gic: GICv3
    let cpu: Int
    public static let listRegisters = 4
    /// ICH_HCR_EL2: En (0), UIE (1), LRENPIE (2), NPIE (3), VGrp0EIE..VGrp1DIE (4-7), TC (10), TALL0 (11), TALL1 (12), EOIcount (31:27).
    var hcr: UInt64 = 0
    /// ICH_HCR_EL2 as the CPU's trap logic reads it (TC, TALL0, TALL1, TDIR).
    public var controlRegister: UInt64 { hcr }
    /// ICH_VMCR_EL2: VENG0 (0), VENG1 (1), VCBPR (4), VEOIM (9), VBPR1 (20:18), VBPR0 (23:21), VPMR (31:24).
    var vmcr: UInt64 = 0
    var lr = [UInt64](repeating: 0, count: listRegisters)
    var ap0: UInt64 = 0, ap1: UInt64 = 0
    /// The virtual IRQ/FIQ outputs towards the CPU, recomputed on every change.
    public private(set) var virtualIRQ = false
    public private(set) var virtualFIQ = false
    var maintenanceAsserted = false

    init(gic: GICv3, cpu: Int) {
        self.gic = gic
        self.cpu = cpu
    }

    static let vtr: UInt64 = 4 << 29 | 4 << 26 | UInt64(listRegisters - 1)

    enum State { static let pending: UInt64 = 1 << 62, active: UInt64 = 1 << 63 }

    var enabled: Bool { hcr & 1 != 0 }
    var vpmr: UInt8 { UInt8(truncatingIfNeeded: vmcr >> 24) }
    var veoim: Bool { vmcr & (1 << 9) != 0 }

    static func priority(_ l: UInt64) -> UInt8 { UInt8(truncatingIfNeeded: l >> 48) & 0xF8 }
    static func group1(_ l: UInt64) -> Bool { l & (1 << 60) != 0 }
    static func hardware(_ l: UInt64) -> Bool { l & (1 << 61) != 0 }
    static func intid(_ l: UInt64) -> UInt64 { l & 0xFFFF_FFFF }

    var runningPriority: UInt8 {
        let all = UInt32(truncatingIfNeeded: ap0 | ap1)
        return all == 0 ? 0xFF : UInt8(all.trailingZeroBitCount << 3)
    }

    /// The highest-priority pending (not active) list register that the virtual interface could signal.
    func highestPending() -> Int? {
        var best: Int?
        for i in 0..<lr.count where lr[i] & State.pending != 0 && lr[i] & State.active == 0 {
            let g1 = Self.group1(lr[i])
            guard g1 ? vmcr & 2 != 0 : vmcr & 1 != 0 else { continue }
            if best == nil || Self.priority(lr[i]) < Self.priority(lr[best!]) { best = i }
        }
        return best
    }

    /// Recomputes the virtual IRQ/FIQ lines and the maintenance interrupt.
    func update() {
        var irq = false, fiq = false
        if enabled, let i = highestPending() {
            let p = Self.priority(lr[i])
            if p < vpmr && (runningPriority == 0xFF || p < runningPriority) {
                // GICv2: a virtual Group 0 interrupt is a vFIQ only with GICV_CTLR.FIQEn (VMCR bit 3).
                if Self.group1(lr[i]) || (gic.architecture == .v2 && vmcr & 8 == 0) { irq = true } else { fiq = true }
            }
        }
        virtualIRQ = irq
        virtualFIQ = fiq
        let m = enabled && misr != 0
        if m != maintenanceAsserted {
            maintenanceAsserted = m
            gic.setLevel(intid: gic.maintenanceIntid, cpu: cpu, asserted: m)
        }
        gic.output?.setVirtualInterruptLines(cpu: cpu, irq: virtualIRQ, fiq: virtualFIQ)
    }

    var eisr: UInt64 {
        var v: UInt64 = 0
        for i in 0..<lr.count where lr[i] >> 62 == 0 && !Self.hardware(lr[i]) && lr[i] & (1 << 41) != 0 { v |= 1 << UInt64(i) }
        return v
    }

    var elrsr: UInt64 {
        var v: UInt64 = 0
        for i in 0..<lr.count where lr[i] >> 62 == 0 && (Self.hardware(lr[i]) || lr[i] & (1 << 41) == 0) { v |= 1 << UInt64(i) }
        return v
    }

    /// ICH_MISR_EL2: EOI, U, LRENP, NP, VGrp0E, VGrp0D, VGrp1E, VGrp1D.
    var misr: UInt64 {
        var m: UInt64 = 0
        if eisr != 0 { m |= 1 }
        let valid = lr.filter { $0 >> 62 != 0 }.count
        if hcr & 2 != 0 && valid <= 1 { m |= 2 }
        if hcr & 4 != 0 && hcr >> 27 != 0 { m |= 4 }
        if hcr & 8 != 0 && !lr.contains(where: { $0 & State.pending != 0 }) { m |= 8 }
        if hcr & (1 << 4) != 0 && vmcr & 1 != 0 { m |= 1 << 4 }
        if hcr & (1 << 5) != 0 && vmcr & 1 == 0 { m |= 1 << 5 }
        if hcr & (1 << 6) != 0 && vmcr & 2 != 0 { m |= 1 << 6 }
        if hcr & (1 << 7) != 0 && vmcr & 2 == 0 { m |= 1 << 7 }
        return m
    }

    public func read(_ reg: ICHRegister) -> UInt64 {
        switch reg {
        case .hcr: return hcr
        case .vtr: return Self.vtr
        case .vmcr: return vmcr
        case .misr: return misr
        case .eisr: return eisr
        case .elrsr: return elrsr
        case .ap0r(let n): return n == 0 ? ap0 : 0
        case .ap1r(let n): return n == 0 ? ap1 : 0
        case .lr(let n): return n < lr.count ? lr[n] : 0
        }
    }

    public func write(_ reg: ICHRegister, _ value: UInt64) {
        switch reg {
        // TC, TALL0, TALL1 (bits 10-12) are kept; TDIR is RES0 without ICH_VTR_EL2.TDS, TSEI without SEIS.
        case .hcr: hcr = value & 0xF800_1CFF
        case .vmcr: vmcr = value & 0xFFFC_0213
        case .ap0r(let n): if n == 0 { ap0 = value & 0xFFFF_FFFF }
        case .ap1r(let n): if n == 0 { ap1 = value & 0xFFFF_FFFF }
        case .lr(let n): if n < lr.count { lr[n] = value & 0xFFFF_03FF_FFFF_FFFF | 0x0000_0000_0000_0000 }
        case .vtr, .misr, .eisr, .elrsr: break
        }
        update()
    }

    // MARK: The guest's view (ICV_*)

    public func readVirtual(_ reg: ICCRegister) -> UInt64 {
        switch reg {
        case .iar0, .iar1:
            let group1 = reg == .iar1
            guard let i = highestPending(), Self.group1(lr[i]) == group1 else { return GICCPUInterface.spurious }
            let p = Self.priority(lr[i])
            guard p < vpmr, runningPriority == 0xFF || p < runningPriority else { return GICCPUInterface.spurious }
            lr[i] = (lr[i] & ~State.pending) | State.active
            let bit = UInt64(1) << UInt64(p >> 3)
            if group1 { ap1 |= bit } else { ap0 |= bit }
            update()
            return Self.intid(lr[i])
        case .hppir0, .hppir1:
            guard let i = highestPending(), Self.group1(lr[i]) == (reg == .hppir1) else { return GICCPUInterface.spurious }
            return Self.intid(lr[i])
        case .pmr: return UInt64(vpmr)
        case .rpr: return UInt64(runningPriority)
        case .bpr0: return (vmcr >> 21) & 7
        case .bpr1: return (vmcr >> 18) & 7
        case .ap0r0: return ap0
        case .ap1r0: return ap1
        case .igrpen0: return vmcr & 1
        case .igrpen1: return (vmcr >> 1) & 1
        case .ctlr: return 4 << 8 | (veoim ? 2 : 0) | ((vmcr >> 4) & 1)
        default: return 0
        }
    }

    public func writeVirtual(_ reg: ICCRegister, _ value: UInt64) {
        switch reg {
        case .eoir0, .eoir1:
            if reg == .eoir1 { ap1 &= ap1 &- 1 } else { ap0 &= ap0 &- 1 }
            if !veoim { deactivate(value & 0xFF_FFFF) }
        case .dir: deactivate(value & 0xFF_FFFF)
        case .pmr: vmcr = (vmcr & ~(0xFF << 24)) | (value & 0xF8) << 24
        case .bpr0: vmcr = (vmcr & ~(7 << 21)) | (value & 7) << 21
        case .bpr1: vmcr = (vmcr & ~(7 << 18)) | (value & 7) << 18
        case .ap0r0: ap0 = value & 0xFFFF_FFFF
        case .ap1r0: ap1 = value & 0xFFFF_FFFF
        case .igrpen0: vmcr = (vmcr & ~1) | (value & 1)
        case .igrpen1: vmcr = (vmcr & ~2) | (value & 1) << 1
        case .ctlr: vmcr = (vmcr & ~(1 << 9 | 1 << 4)) | (value & 2) << 8 | (value & 1) << 4
        default: break
        }
        update()
    }

    /// Deactivates the list register holding `intid`; a hardware-linked one also deactivates its
    /// physical interrupt. With no matching list register, EOIcount counts the miss.
    func deactivate(_ intid: UInt64) {
        guard intid < 1020 else { return }
        if let i = lr.firstIndex(where: { Self.intid($0) == intid && $0 & State.active != 0 }) {
            lr[i] &= ~State.active
            if Self.hardware(lr[i]) {
                gic.interfaces[cpu].deactivate(Int((lr[i] >> 32) & 0x3FF))
            } else if lr[i] >> 62 == 0 && lr[i] & (1 << 41) != 0 {
                // EOI maintenance: reported through EISR/MISR.EOI until the hypervisor rewrites the LR.
            }
        } else {
            hcr = (hcr & 0x07FF_FFFF) | ((hcr >> 27 &+ 1) & 0x1F) << 27
        }
    }
}
