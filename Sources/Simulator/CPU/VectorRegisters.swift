/// Access to the SIMD&FP register file (Arm ARM C1.2.5 "Registers in AArch64 state: SIMD and
/// floating-point"). Writes of a scalar or 64-bit vector zero the rest of the 128-bit register.
extension Core {
    @inline(__always) public func vLow(_ n: Int) -> UInt64 { v[2 * n] }
    @inline(__always) public func vHigh(_ n: Int) -> UInt64 { v[2 * n + 1] }

    /// Writes a full 128-bit register.
    @inline(__always) public func setV(_ n: Int, _ lo: UInt64, _ hi: UInt64) {
        v[2 * n] = lo
        v[2 * n + 1] = hi
    }

    /// Writes a scalar of `bytes` (1, 2, 4, 8) zero-extended to 128 bits.
    @inline(__always) public func setScalar(_ n: Int, _ value: UInt64, bytes: Int) {
        let mask: UInt64 = bytes == 8 ? ~0 : (1 << UInt64(bytes * 8)) - 1
        v[2 * n] = value & mask
        v[2 * n + 1] = 0
    }

    /// The low `bytes` of register n.
    @inline(__always) public func scalar(_ n: Int, bytes: Int) -> UInt64 {
        let mask: UInt64 = bytes == 8 ? ~0 : (1 << UInt64(bytes * 8)) - 1
        return v[2 * n] & mask
    }

    /// Element `index` of `esize` bytes (1, 2, 4, 8) of register n.
    @inline(__always) public func element(_ n: Int, _ index: Int, _ esize: Int) -> UInt64 {
        let bit = index * esize * 8
        let word = v[2 * n + bit / 64]
        if esize == 8 { return word }
        let mask: UInt64 = (1 << UInt64(esize * 8)) - 1
        return (word >> UInt64(bit % 64)) & mask
    }

    /// Sets element `index` of `esize` bytes, leaving the other bits of the register unchanged.
    @inline(__always) public func setElement(_ n: Int, _ index: Int, _ esize: Int, _ value: UInt64) {
        let bit = index * esize * 8
        let slot = 2 * n + bit / 64
        if esize == 8 { v[slot] = value; return }
        let shift = UInt64(bit % 64)
        let mask: UInt64 = ((1 << UInt64(esize * 8)) - 1) << shift
        v[slot] = (v[slot] & ~mask) | ((value << shift) & mask)
    }
}
