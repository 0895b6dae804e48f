/// Emulated GICv3 redistributor of one vCPU: RD_base and SGI_base frames
/// (GIC Architecture Specification, "The GIC Redistributor register map").
final class VirtualRedistributor {
    static let frameSize: UInt64 = 0x2_0000
    var enabled: UInt32 = 0                 // SGI/PPI enable bits
    var latched: UInt32 = 0                 // pending while disabled
    var priority = [UInt8](repeating: 0, count: 32)
    var icfgr1: UInt32 = 0
    var processorSleep = true

    let vcpu: VCPU
    init(vcpu: VCPU) { self.vcpu = vcpu }

    func access(offset: UInt64, size: Int, write: Bool, value: UInt64) -> MMIOResult {
        let v = UInt32(truncatingIfNeeded: value)
        let last = vcpu.index == vcpu.vm.vcpus.count - 1
        let typer = (UInt64(vcpu.index) << 32) | (UInt64(vcpu.index) << 8) | (last ? 1 << 4 : 0)
        switch offset {
        case 0x0000: return .handled(0)                         // GICR_CTLR
        case 0x0004: return .handled(0x43B)                     // GICR_IIDR
        case 0x0008: return .handled(size == 8 ? typer : typer & 0xFFFF_FFFF)
        case 0x000C: return .handled(typer >> 32)
        case 0x0014:                                            // GICR_WAKER
            if write { processorSleep = v & 2 != 0 }
            return .handled(processorSleep ? 6 : 0)
        case 0xFFE8: return .handled(0x3B)                      // GICR_PIDR2
        case 0x1_0080: return .handled(0xFFFF_FFFF)             // GICR_IGROUPR0: Group 1
        case 0x1_0100, 0x1_0180:                                // ISENABLER0 / ICENABLER0
            if write {
                if offset == 0x1_0100 {
                    enabled |= v
                    let release = latched & v
                    latched &= ~v
                    for i in 0..<32 where release & (1 << UInt32(i)) != 0 { vcpu.vm.queue(UInt32(i), on: vcpu) }
                    if v & (1 << board.virtTimerPPI) != 0 { hypervisor?.timerEnabled(vcpu) }
                } else {
                    enabled &= ~v
                }
            }
            return .handled(UInt64(enabled))
        case 0x1_0200:                                          // ISPENDR0
            if write { for i in 0..<32 where v & (1 << UInt32(i)) != 0 { vcpu.vm.raisePrivate(UInt32(i), on: vcpu) } }
            return .handled(UInt64(latched))
        case 0x1_0280:                                          // ICPENDR0
            if write { latched &= ~v }
            return .handled(UInt64(latched))
        case 0x1_0400..<0x1_0420:                               // GICR_IPRIORITYR0..7
            let first = Int(offset - 0x1_0400)
            var out: UInt64 = 0
            for i in 0..<size where first + i < 32 {
                if write { priority[first + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
                out |= UInt64(priority[first + i]) << UInt64(8 * i)
            }
            return .handled(out)
        case 0x1_0C00: return .handled(0xAAAA_AAAA)             // ICFGR0: SGIs are edge
        case 0x1_0C04:
            if write { icfgr1 = v }
            return .handled(UInt64(icfgr1))
        default: return .handled(0)
        }
    }
}
