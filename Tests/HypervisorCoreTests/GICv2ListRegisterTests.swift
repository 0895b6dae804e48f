import Testing
@testable import HypervisorCore
@testable import Devices

/// The hypervisor's GICH_LR encoding (Arch/GICv2ListRegister.swift) against the simulator's GICH
/// model (Devices' GICv2ListRegister, written separately from IHI 0048B): what the hypervisor
/// writes must mean to the GIC what the core's GICv3-layout entry means.
@Suite struct GICv2ListRegisterTests {
    /// The fields of a GICv3-layout entry the simulator holds: vINTID, priority, state, HW, pINTID.
    func fields(_ ich: UInt64) -> (UInt64, UInt64, UInt64, UInt64, UInt64) {
        (ich & 0x3FF, ich >> 51 & 0x1F, ich >> 62, ich >> 61 & 1, ich >> 61 & 1 == 1 ? ich >> 32 & 0x3FF : 0)
    }

    @Test func softwareEntryIsGroup0WithItsPriorityAndState() {
        var lr = ListRegister(virtualID: 33, priority: 0xA8)
        lr.state = .pendingActive
        let v = UInt64(lr.gicv2Value)
        #expect(v & (1 << 30) == 0)                        // Group 0: what a GICv2 guest enables
        let (id, prio, state, hw, _) = fields(GICv2ListRegister.to(v))
        #expect(id == 33 && prio == 0xA8 >> 3 && state == 3 && hw == 0)
        #expect(ListRegister(gicv2: UInt32(v)).state == .pendingActive)
        #expect(ListRegister(gicv2: UInt32(v)).virtualID == 33)
    }

    @Test func hardwareEntryLinksItsPhysicalINTID() {
        let lr = ListRegister(virtualID: 27, priority: 0x80, physical: 27)
        let v = UInt64(lr.gicv2Value)
        let (id, _, state, hw, p) = fields(GICv2ListRegister.to(v))
        #expect(id == 27 && state == 1 && hw == 1 && p == 27)
        let back = ListRegister(gicv2: UInt32(v))
        #expect(back.hw && back.physicalID == 27 && back.virtualID == 27)
    }

    @Test func sgiCarriesItsSourceCPU() {
        let lr = ListRegister(virtualID: 2 | 3 << 10, priority: 0x80)      // SGI 2 from vCPU 3
        let ich = GICv2ListRegister.to(UInt64(lr.gicv2Value))
        #expect(ich & 0x3FF == 2)
        #expect(GICv2ListRegister.sourceCPU(ich) == 3)
        #expect(ListRegister(gicv2: lr.gicv2Value).virtualID == 2 | 3 << 10)
    }

    @Test func eoiMaintenanceSurvivesBothWays() {
        var lr = ListRegister(virtualID: 23, priority: 0x80)
        lr.eoiMaintenance = true
        let v = lr.gicv2Value
        #expect(v & (1 << 19) != 0)
        #expect(ListRegister(gicv2: v).eoiMaintenance)
        #expect(GICv2ListRegister.from(GICv2ListRegister.to(UInt64(v))) == UInt64(v))
    }
}
