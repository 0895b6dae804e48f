/// Register-file slots. Register 31 is resolved at decode time to the zero register, SP, or a
/// write sink, so handlers never test for it.
public enum Reg {
    /// Reads as zero; never written.
    public static let zr = 31
    /// The stack pointer currently selected by PSTATE.{EL, SPSel}.
    public static let sp = 32
    /// Writes to XZR land here and are never read.
    public static let sink = 33
    public static let count = 34
}

/// Kind of last flag-setting operation, for lazily evaluated NZCV.
public enum FlagOp: UInt8 {
    /// NZCV holds the flags directly (bits 31:28).
    case materialized = 0
    case add64, add32, sub64, sub32, logic64, logic32
}

/// Architectural state of one core that the hot loop touches: plain data behind a pointer,
/// no references. System registers live in a separate flat table (see `SysReg`).
public struct CPUState {
    public var pc: UInt64 = 0
    /// Lazy NZCV: the last flag-setting operation and its operands/result.
    public var flagOp: FlagOp = .materialized
    public var flagA: UInt64 = 0
    public var flagB: UInt64 = 0
    public var flagR: UInt64 = 0
    /// NZCV in bits 31:28 when `flagOp == .materialized`.
    public var nzcv: UInt64 = 0
    /// PSTATE.EL (0...3).
    public var el: Int = 1
    /// PSTATE.SPSel: 1 selects SP_ELx, 0 selects SP_EL0.
    public var spsel: Int = 1
    /// PSTATE.{D,A,I,F} in SPSR bit positions 9:6.
    public var daif: UInt64 = 0x3C0
    /// PSTATE.SS and PSTATE.IL, kept to round-trip through SPSR.
    public var ss: UInt64 = 0
    public var il: UInt64 = 0
    /// Banked stack pointers SP_EL0...SP_EL3; the selected one is live in the register file.
    public var spEL: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
    /// Simulated cycles and instructions retired on this core.
    public var cycles: UInt64 = 0
    public var retired: UInt64 = 0
    /// Instructions of the running block retired before the current one, while a cold path runs
    /// (`retired` is added to at the block's end): the PMU's instruction count is the sum.
    public var retiredInBlock: UInt64 = 0
    /// The current instruction took an exception without completing: it does not retire
    /// architecturally (INST_RETIRED), though the run counts it (`retired`, which bounds
    /// `--max-insns` and fuzzing: a guest faulting in a loop still reaches the limit).
    public var instructionFaulted = false
    /// Such instructions so far: the PMU's INST_RETIRED is `retired` less these.
    public var faultedInstructions: UInt64 = 0
    /// A debugger's one-instruction block ended where an undebugged block would have gone on.
    public var midBlock = false
    /// The run loop returns to the machine when `cycles` reaches this (events, quantum end).
    public var deadline: UInt64 = 0
    /// Exclusive monitor: armed address (aligned down to 64 bytes granule) or `UInt64.max`.
    public var exclusiveAddr: UInt64 = .max
    public var exclusiveSize: Int = 0
    /// Element size of the exclusive load (half of `exclusiveSize` for pairs).
    public var exclusiveElement: Int = 0
    /// The values LDXR/LDXP read: STXR also fails if memory no longer holds them (another core's
    /// ordinary store, which does not pass through the monitors, changed the location).
    public var exclusiveValue: UInt64 = 0
    public var exclusiveValue2: UInt64 = 0
    /// Event register for WFE/SEV.
    public var eventRegister: Bool = false
    public init() {}
}

extension CPUState {
    /// NZCV in bits 31:28, evaluating lazily recorded flags.
    @inline(__always)
    public func flags() -> UInt64 {
        CPUState.nzcv(flagOp, a: flagA, b: flagB, r: flagR, materialized: nzcv)
    }

    /// NZCV from a recorded operation; static and field-wise so the hot loop can call it through
    /// a pointer without copying the state.
    @inline(__always)
    public static func nzcv(_ op: FlagOp, a: UInt64, b: UInt64, r: UInt64, materialized: UInt64) -> UInt64 {
        switch op {
        case .materialized: return materialized
        // One definition of the add/sub flags, shared with the fused compare-and-branch.
        case .add64: return Fusion.additionFlags(a, b, r, wide: true) << 28
        case .sub64: return Fusion.subtractionFlags(a, b, r, wide: true) << 28
        case .add32:
            return Fusion.additionFlags(a & 0xFFFF_FFFF, b & 0xFFFF_FFFF, r & 0xFFFF_FFFF, wide: false) << 28
        case .sub32:
            return Fusion.subtractionFlags(a & 0xFFFF_FFFF, b & 0xFFFF_FFFF, r & 0xFFFF_FFFF, wide: false) << 28
        case .logic64:
            return (r >> 63) << 31 | (r == 0 ? 1 << 30 : 0)
        case .logic32:
            let r = UInt32(truncatingIfNeeded: r)
            return UInt64(r >> 31) << 31 | (r == 0 ? 1 << 30 : 0)
        }
    }

    /// Sets NZCV directly (bits 31:28).
    @inline(__always)
    public mutating func setFlags(_ v: UInt64) {
        nzcv = v & 0xF000_0000
        flagOp = .materialized
    }

    /// ConditionHolds() from the Arm ARM's shared pseudocode, on the 4-bit condition field.
    @inline(__always)
    public func condition(_ cond: UInt8) -> Bool {
        CPUState.holds(cond, flags())
    }

    /// ConditionHolds() on NZCV in bits 31:28.
    @inline(__always)
    public static func holds(_ cond: UInt8, _ f: UInt64) -> Bool {
        let n = f & (1 << 31) != 0, z = f & (1 << 30) != 0, c = f & (1 << 29) != 0, v = f & (1 << 28) != 0
        let result: Bool
        switch cond >> 1 {
        case 0: result = z
        case 1: result = c
        case 2: result = n
        case 3: result = v
        case 4: result = c && !z
        case 5: result = n == v
        case 6: result = n == v && !z
        default: result = true
        }
        return (cond & 1 != 0 && cond != 15) ? !result : result
    }
}
