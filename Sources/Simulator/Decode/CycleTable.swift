/// Per-class retirement costs in core cycles, loosely after the Cortex-A53 Software Optimization
/// Guide (in-order, dual-issue ignored). Cache and TLB penalties are added by the memory paths;
/// a later issue calibrates these numbers.
public enum CycleTable {
    /// The cost of a decoded instruction: by its class, and for the general load/store form by its
    /// kind, so a store costs the same whatever the addressing mode or base register.
    public static func cost(_ insn: Insn) -> UInt8 {
        if insn.op == .ldst, let kind = LoadKind(rawValue: insn.a), kind.isStore { return 1 }
        return cost(insn.op)
    }

    public static func cost(_ op: Op) -> UInt8 {
        switch op {
        case .madd64, .madd32, .msub64, .msub32, .smaddl, .smsubl, .umaddl, .umsubl: return 3
        case .smulh, .umulh: return 5
        case .udiv, .sdiv: return 12
        case .ldrX, .ldrW, .ldrH, .ldrB, .ldrsw, .ldrshX, .ldrshW, .ldrsbX, .ldrsbW, .ldrXr, .ldrWr, .ldrBr, .ldst, .ldrLit, .ldp, .ldpX: return 3
        case .exclusive: return 4
        case .stp, .stpX: return 2
        case .barrier: return 8
        case .sysreg, .sys, .msrImm: return 4
        case .exceptionGen, .eret, .undefined: return 20
        case .crc32: return 2
        default: return 1
        }
    }
}
