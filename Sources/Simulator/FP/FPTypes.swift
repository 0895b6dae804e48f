/// Floating-point formats, rounding modes, FPCR/FPSR state and the unpacked operand form used by the
/// software floating-point core (see README.md in this directory).

/// IEEE binary16/32/64. Values are passed as right-aligned bit patterns in a `UInt64`.
public enum FPSize: Int, Sendable {
    case half = 16, single = 32, double = 64

    @inline(__always) var bits: Int { rawValue }
    @inline(__always) var fracBits: Int {
        switch self { case .half: return 10; case .single: return 23; case .double: return 52 }
    }
    @inline(__always) var expBits: Int {
        switch self { case .half: return 5; case .single: return 8; case .double: return 11 }
    }
    /// Largest exponent field value (all ones).
    @inline(__always) var expMax: Int { (1 << expBits) - 1 }
    @inline(__always) var bias: Int { (1 << (expBits - 1)) - 1 }
    /// Unbiased exponent of the smallest normal number: -14, -126, -1022.
    @inline(__always) var minExp: Int { 1 - bias }
    @inline(__always) var mask: UInt64 { rawValue == 64 ? ~0 : (1 << UInt64(rawValue)) - 1 }
    @inline(__always) var signBit: UInt64 { 1 << UInt64(rawValue - 1) }
    @inline(__always) var fracMask: UInt64 { (1 << UInt64(fracBits)) - 1 }
    @inline(__always) var quietBit: UInt64 { 1 << UInt64(fracBits - 1) }
    @inline(__always) var infBits: UInt64 { UInt64(expMax) << UInt64(fracBits) }
    @inline(__always) var maxNormalBits: UInt64 { infBits - 1 }
    /// Arm's default NaN: 0x7E00, 0x7FC0_0000, 0x7FF8_0000_0000_0000.
    @inline(__always) var defaultNaN: UInt64 { infBits | quietBit }
}

/// Rounding modes. Raw values 0–3 are FPCR.RMode encodings.
public enum FPRounding: UInt8, Sendable {
    case tieEven = 0, posInf = 1, negInf = 2, zero = 3
    case tieAway = 4   // FCVTA*, FRINTA
    case odd = 5       // FCVTXN
}

/// FPSR cumulative exception flag bits.
public enum FPFlag {
    public static let ioc: UInt32 = 1 << 0
    public static let dzc: UInt32 = 1 << 1
    public static let ofc: UInt32 = 1 << 2
    public static let ufc: UInt32 = 1 << 3
    public static let ixc: UInt32 = 1 << 4
    public static let idc: UInt32 = 1 << 7
}

/// FPCR controls in, FPSR cumulative flags out (only bits 0–4 and 7 are ever set here).
public struct FPStatus: Sendable {
    public var fpcr: UInt32
    public var fpsr: UInt32

    public init(fpcr: UInt32 = 0, fpsr: UInt32 = 0) {
        self.fpcr = fpcr
        self.fpsr = fpsr
    }

    public static let fzBit: UInt32 = 1 << 24
    public static let dnBit: UInt32 = 1 << 25
    public static let ahpBit: UInt32 = 1 << 26

    /// FPCR.RMode (bits 23:22).
    @inline(__always) public var rounding: FPRounding { FPRounding(rawValue: UInt8((fpcr >> 22) & 3))! }
    @inline(__always) public var fz: Bool { fpcr & FPStatus.fzBit != 0 }
    @inline(__always) public var dn: Bool { fpcr & FPStatus.dnBit != 0 }
    @inline(__always) public var ahp: Bool { fpcr & FPStatus.ahpBit != 0 }
}

enum FPType { case zero, nonzero, infinity, qnan, snan }

/// FPUnpack result: for `.nonzero`, value = ±sig × 2^exp exactly (sig includes the implicit bit).
struct FPUnpacked {
    var type: FPType
    var sign: Bool
    var exp: Int
    var sig: UInt64

    @inline(__always) var isNaN: Bool { type == .qnan || type == .snan }
    @inline(__always) var isInf: Bool { type == .infinity }
    @inline(__always) var isZero: Bool { type == .zero }
    /// Unbiased exponent of the leading significand bit (valid for `.nonzero`).
    @inline(__always) var topExp: Int { exp + 63 - sig.leadingZeroBitCount }
}

/// An exact (or sticky-jammed) unrounded real: ±sig × 2^exp. When inexact, bit 0 of `sig` is a
/// sticky bit and the leading bit sits at least F+2 bits above it, so rounding decisions stay exact.
struct FPExact {
    var sign: Bool
    var exp: Int
    var sig: UInt128
}
