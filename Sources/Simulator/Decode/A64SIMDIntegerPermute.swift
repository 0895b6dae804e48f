/// Advanced SIMD data-movement encodings (Arm ARM C4.1.x: Advanced SIMD table lookup, permute,
/// extract, copy, scalar copy, modified immediate).
extension A64 {
    /// Copy: imm5 = x0000 is reserved; the element size is the lowest set bit of imm5.
    static func copyOK(_ w: UInt32) -> Bool { w.bits(20, 16) & 0xF != 0 }

    /// Lowest set bit of imm5 (0 = B ... 3 = D); 4 when imm5 is x0000.
    static func copySize(_ w: UInt32) -> Int { (w.bits(20, 16) | 0x10).trailingZeroBitCount }

    /// SMOV: to W from B or H (Q = 0), to X from B, H or S (Q = 1).
    static func smovOK(_ w: UInt32) -> Bool { copySize(w) < (w.bit(30) == 1 ? 3 : 2) }

    /// UMOV: to W from B, H or S (Q = 0), to X from D only (Q = 1).
    static func umovOK(_ w: UInt32) -> Bool { w.bit(30) == 1 ? copySize(w) == 3 : copySize(w) < 3 }

    /// The modified-immediate forms by cmode (bits 15:12), o2 = 0. cmode = 1111 is FMOV (vector,
    /// immediate) and belongs to the SIMD FP family; o2 = 1 is FMOV (FP16, ARMv8.2).
    static let modifiedImmediateNames: [String] = [
        "MOVI/MVNI (32-bit, LSL #0)", "ORR/BIC (vector, 32-bit, LSL #0)",
        "MOVI/MVNI (32-bit, LSL #8)", "ORR/BIC (vector, 32-bit, LSL #8)",
        "MOVI/MVNI (32-bit, LSL #16)", "ORR/BIC (vector, 32-bit, LSL #16)",
        "MOVI/MVNI (32-bit, LSL #24)", "ORR/BIC (vector, 32-bit, LSL #24)",
        "MOVI/MVNI (16-bit, LSL #0)", "ORR/BIC (vector, 16-bit, LSL #0)",
        "MOVI/MVNI (16-bit, LSL #8)", "ORR/BIC (vector, 16-bit, LSL #8)",
        "MOVI/MVNI (32-bit, MSL #8)", "MOVI/MVNI (32-bit, MSL #16)",
        "MOVI (8-bit; 64-bit byte mask)",
    ]

    static let simdModifiedImmediate: [Encoding] = modifiedImmediateNames.enumerated().map { cmode, name in
        let bits = String(cmode, radix: 2)
        let cmodeBits = String(repeating: "0", count: 4 - bits.count) + bits
        return Encoding(name, "0 Q op 0111100000 a b c \(cmodeBits) 0 1 d e f g h Rd") { w in si(.modifiedImmediate, w) }
    }

    static let simdPermuteAndCopy: [Encoding] = simdModifiedImmediate + [
        // Advanced SIMD table lookup: len + 1 consecutive table registers from Rn (modulo 32).
        Encoding("TBL", "0 Q 001110 00 0 Rm 0 len:2 0 00 Rn Rd") { w in si(.table, w) },
        Encoding("TBX", "0 Q 001110 00 0 Rm 0 len:2 1 00 Rn Rd") { w in si(.table, w) },

        // Advanced SIMD permute: size:Q = 110 reserved.
        Encoding("UZP1", "0 Q 001110 size:2 0 Rm 0 001 10 Rn Rd") { w in si(.permute, w, no1D(w)) },
        Encoding("TRN1", "0 Q 001110 size:2 0 Rm 0 010 10 Rn Rd") { w in si(.permute, w, no1D(w)) },
        Encoding("ZIP1", "0 Q 001110 size:2 0 Rm 0 011 10 Rn Rd") { w in si(.permute, w, no1D(w)) },
        Encoding("UZP2", "0 Q 001110 size:2 0 Rm 0 101 10 Rn Rd") { w in si(.permute, w, no1D(w)) },
        Encoding("TRN2", "0 Q 001110 size:2 0 Rm 0 110 10 Rn Rd") { w in si(.permute, w, no1D(w)) },
        Encoding("ZIP2", "0 Q 001110 size:2 0 Rm 0 111 10 Rn Rd") { w in si(.permute, w, no1D(w)) },

        // Advanced SIMD extract: with Q = 0 the byte index must be below 8.
        Encoding("EXT", "0 Q 101110 00 0 Rm 0 imm4:4 0 Rn Rd") { w in si(.extract, w, w.bit(30) == 1 || w.bit(14) == 0) },

        // Advanced SIMD copy.
        Encoding("DUP (element, vector)", "0 Q 0 01110000 imm5:5 0 0000 1 Rn Rd") { w in
            si(.copy, w, copyOK(w) && (copySize(w) < 3 || w.bit(30) == 1))
        },
        Encoding("DUP (general)", "0 Q 0 01110000 imm5:5 0 0001 1 Rn Rd") { w in
            si(.copy, w, copyOK(w) && (copySize(w) < 3 || w.bit(30) == 1))
        },
        Encoding("INS (general)", "0 1 0 01110000 imm5:5 0 0011 1 Rn Rd") { w in si(.copy, w, copyOK(w)) },
        Encoding("SMOV", "0 Q 0 01110000 imm5:5 0 0101 1 Rn Rd") { w in si(.copy, w, smovOK(w)) },
        Encoding("UMOV", "0 Q 0 01110000 imm5:5 0 0111 1 Rn Rd") { w in si(.copy, w, umovOK(w)) },
        Encoding("INS (element)", "0 1 1 01110000 imm5:5 0 imm4:4 1 Rn Rd") { w in si(.copy, w, copyOK(w)) },

        // Advanced SIMD scalar copy.
        Encoding("DUP (element, scalar)", "01 0 11110000 imm5:5 0 0000 1 Rn Rd") { w in si(.copyScalar, w, copyOK(w)) },
    ]
}
