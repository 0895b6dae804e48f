/// Emulated GICv3 distributor for one VM (GIC Architecture Specification,
/// "The GIC Distributor register map"), affinity routing always on (ARE = 1).
/// SPIs up to INTID 127; every interrupt is Group 1.
final class VirtualDistributor {
    static let intids = 128
    static let size: UInt64 = 0x1_0000

    var enableGroup1 = false
    /// GICv2's GICD_CTLR (EnableGrp0, EnableGrp1), as written (VirtualDistributorV2.swift).
    var groupEnables: UInt32 = 0
    var enabled = [Bool](repeating: false, count: intids)
    var latched = [Bool](repeating: false, count: intids)       // pending while disabled
    var priority = [UInt8](repeating: 0, count: intids)
    var config = [UInt8](repeating: 0, count: intids)           // 2-bit Int_config per INTID
    var route = [Int](repeating: 0, count: intids)              // target vCPU index (Aff0)
    /// SPIs linked to a physical SPI (pass-through): virtual INTID -> physical INTID.
    /// The physical SPI is enabled only while the guest has the virtual one enabled.
    var hardware = [UInt32?](repeating: nil, count: intids)

    let vm: VM
    init(vm: VM) { self.vm = vm }

    func access(offset: UInt64, size: Int, write: Bool, value: UInt64) -> MMIOResult {
        let v = UInt32(truncatingIfNeeded: value)
        switch offset {
        case 0x0000:                                            // GICD_CTLR
            if write { enableGroup1 = v & 2 != 0 }
            return .handled(UInt64((enableGroup1 ? 2 : 0) | (1 << 4)))
        case 0x0004:                                            // GICD_TYPER: ITLinesNumber, IDbits = 9
            return .handled(UInt64((Self.intids / 32 - 1) | (9 << 19)))
        case 0x0008: return .handled(0x43B)                     // GICD_IIDR: implementer Arm
        case 0x0080..<0x0100: return .handled(0xFFFF_FFFF)      // GICD_IGROUPR: Group 1, RAO/WI
        case 0x0100..<0x0180: return bits(offset - 0x100, write, v, set: true, enableOp: true)
        case 0x0180..<0x0200: return bits(offset - 0x180, write, v, set: false, enableOp: true)
        case 0x0200..<0x0280: return bits(offset - 0x200, write, v, set: true, enableOp: false)
        case 0x0280..<0x0300: return bits(offset - 0x280, write, v, set: false, enableOp: false)
        case 0x0400..<0x0800:                                   // GICD_IPRIORITYR, byte accessible
            let first = Int(offset - 0x400)
            var out: UInt64 = 0
            for i in 0..<size where first + i < Self.intids {
                if first + i >= 32 {
                    if write { priority[first + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
                    out |= UInt64(priority[first + i]) << UInt64(8 * i)
                }
            }
            return .handled(out)
        case 0x0C00..<0x0D00:                                   // GICD_ICFGR
            let first = Int(offset - 0xC00) * 4
            var out: UInt32 = 0
            for i in 0..<16 where first + i < Self.intids && first + i >= 32 {
                if write { config[first + i] = UInt8((v >> UInt32(2 * i)) & 3) }
                out |= UInt32(config[first + i]) << UInt32(2 * i)
            }
            return .handled(UInt64(out))
        case 0x6000..<0x8000:                                   // GICD_IROUTER<n>, 64-bit
            let n = Int((offset - 0x6000) / 8)
            guard n >= 32, n < Self.intids else { return .handled(0) }
            if offset % 8 == 0 {
                if write {
                    route[n] = Int(value & 0xFF) % max(1, vm.vcpus.count)
                    if hardware[n] != nil { vm.hardwareChanged(UInt32(n)) }
                }
                return .handled(UInt64(route[n]))
            }
            return .handled(0)
        case 0xFFE8: return .handled(0x3B)                      // GICD_PIDR2: ArchRev GICv3
        default: return .handled(0)                             // RAZ/WI
        }
    }

    /// ISENABLER/ICENABLER/ISPENDR/ICPENDR for SPIs (bank 0 is the redistributor's).
    private func bits(_ off: UInt64, _ write: Bool, _ v: UInt32, set: Bool, enableOp: Bool) -> MMIOResult {
        let base = Int(off) * 8
        guard base >= 32, base < Self.intids else { return .handled(0) }
        var out: UInt32 = 0
        for i in 0..<32 {
            let n = base + i
            if write && v & (1 << UInt32(i)) != 0 {
                if enableOp {
                    enabled[n] = set
                    if set && latched[n] { latched[n] = false; vm.deliverShared(UInt32(n)) }
                    if hardware[n] != nil { vm.hardwareChanged(UInt32(n)) }
                } else if set {
                    vm.raiseShared(UInt32(n))
                } else {
                    latched[n] = false
                }
            }
            if enableOp ? enabled[n] : latched[n] { out |= 1 << UInt32(i) }
        }
        return .handled(UInt64(out))
    }
}
