/// Dispatch of SIMD&FP data-processing instructions. The decoder leaves the word in `imm` and a
/// class number in `a`; handlers decode their fields at execute time (these instructions are cold).
/// Class numbers are allocated in ranges, one per family, each family owning its files:
///   0..<64    scalar floating point (FPScalar*.swift)
///   64..<192  Advanced SIMD integer, permute, copy and table forms (SIMDInteger*.swift)
///   192..<256 Advanced SIMD floating point, vector and scalar (SIMDFloat*.swift)
extension Core {
    func simdInstruction(_ insn: Insn, pc: UInt64) -> Bool {
        guard fpAccessAllowed(pc: pc) else { return true }
        let word = UInt32(truncatingIfNeeded: insn.imm)
        switch insn.a {
        case 0..<64: return fpScalar(insn.a, word, pc: pc)
        case 64..<192: return simdInteger(insn.a, word, pc: pc)
        default: return simdFloat(insn.a, word, pc: pc)
        }
    }
}
