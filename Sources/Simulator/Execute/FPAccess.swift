/// Traps of SIMD&FP accesses (Arm ARM D1.11 "Configurable instruction enables and disables"):
/// CPACR_EL1.FPEN, then CPTR_EL2.TFP, then CPTR_EL3.TFP, reported with EC 0x07.
extension Core {
    /// True when the access may proceed; otherwise the trap has been taken.
    func fpAccessAllowed(pc: UInt64) -> Bool {
        let el = state.pointee.el
        // Syndrome as QEMU reports it for AArch64: CV = 1, COND = 0b1110.
        let iss: UInt64 = 1 << 24 | 0xE << 20
        if el <= 1 {
            let fpen = (self[.cpacrEL1] >> 20) & 3
            if fpen == 0 || fpen == 2 || (fpen == 1 && el == 0) {
                let tge = el == 0 && self[.hcrEL2] & (1 << 27) != 0
                synchronous(.fpAccess, iss: iss, pc: pc, to: tge ? 2 : 1)
                return false
            }
        }
        if el <= 2 && self[.cptrEL2] & (1 << 10) != 0 && self[.scrEL3] & 1 != 0 {
            synchronous(.fpAccess, iss: iss, pc: pc, to: 2)
            return false
        }
        if self[.cptrEL3] & (1 << 10) != 0 {
            synchronous(.fpAccess, iss: iss, pc: pc, to: 3)
            return false
        }
        return true
    }

    /// Reads 2^lg bytes (lg 0...4) as (low 64 bits, high 64 bits); nil after an exception.
    func readVector(_ va: UInt64, _ lg: Int, pc: UInt64) -> (UInt64, UInt64)? {
        if lg == 4 {
            // A 16-byte access to Device memory (MMU off) or with SCTLR.A must be 16-byte aligned.
            if va & 15 != 0 && (regimeSCTLR & 1 == 0 || regimeSCTLR & 2 != 0) && va & 7 == 0 {
                abort(.alignment(va, write: false), instruction: false, pc: pc); return nil
            }
            guard let lo = load(.ldrX, va, pc: pc), let hi = load(.ldrX, va &+ 8, pc: pc) else { return nil }
            return (lo, hi)
        }
        let kinds: [LoadKind] = [.ldrB, .ldrH, .ldrW, .ldrX]
        guard let v = load(kinds[lg], va, pc: pc) else { return nil }
        return (v, 0)
    }

    func writeVector(_ va: UInt64, _ lg: Int, _ lo: UInt64, _ hi: UInt64, pc: UInt64) -> Bool {
        if lg == 4 {
            if va & 15 != 0 && (regimeSCTLR & 1 == 0 || regimeSCTLR & 2 != 0) && va & 7 == 0 {
                abort(.alignment(va, write: true), instruction: false, pc: pc); return false
            }
            return store(8, va, lo, pc: pc) && store(8, va &+ 8, hi, pc: pc)
        }
        return store(1 << lg, va, lo, pc: pc)
    }
}
