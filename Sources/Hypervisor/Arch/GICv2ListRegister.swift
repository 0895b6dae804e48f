/// GICH_LR<n> (IHI 0048B 5.3.11) to and from the GICv3 layout the core uses (ListRegister):
/// VirtualID 9:0, PhysicalID 19:10 when HW (when not: EOI 19, an SGI's source CPUID 12:10, kept
/// in the core's vINTID bits 12:10), Priority 27:23 (its top five bits), State 29:28, Grp1 30,
/// HW 31. A GICv2 guest sees a GIC without Security Extensions and enables Group 0 only (Linux
/// writes GICC_CTLR = 1), so every entry is written Group 0; read back, entries say Group 1 as
/// the core wrote them.
extension ListRegister {
    init(gicv2 v: UInt32) {
        let hw = v & (1 << 31) != 0
        var raw = UInt64(v & 0x3FF) | UInt64((v >> 23) & 0x1F) << 51 | UInt64((v >> 28) & 3) << 62 | 1 << 60
        if hw {
            raw |= 1 << 61 | UInt64((v >> 10) & 0x3FF) << 32
        } else {
            raw |= UInt64((v >> 10) & 7) << 10
            if v & (1 << 19) != 0 { raw |= 1 << 41 }
        }
        self.init(rawValue: raw)
    }

    var gicv2Value: UInt32 {
        var v = (virtualID & 0x3FF) | UInt32((rawValue >> 51) & 0x1F) << 23 | UInt32(state.rawValue) << 28
        if hw {
            v |= 1 << 31 | physicalID << 10
        } else {
            if virtualID & 0x3FF < 16 { v |= ((virtualID >> 10) & 7) << 10 }
            if eoiMaintenance { v |= 1 << 19 }
        }
        return v
    }
}
