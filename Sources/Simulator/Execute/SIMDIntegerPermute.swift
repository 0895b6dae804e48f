/// Advanced SIMD copy, modified immediate, permute, extract and table lookup (Arm ARM C4.1.x).
extension Core {
    func simdCopy(_ w: UInt32) {
        let q = w.bit(30) == 1, imm5 = w.bits(20, 16), imm4 = w.bits(14, 11)
        let size = A64.copySize(w), eb = 8 << size, index = imm5 >> (size + 1)
        let d = w.rd, n = w.rn
        if w.bit(29) == 1 {
            // INS (element): Vd[index] = Vn[imm4 >> size]; the rest of Vd is kept.
            var r = vreg(d)
            r[index, eb] = vreg(n)[imm4 >> size, eb]
            setV(d, r, q: true)
            return
        }
        switch imm4 {
        case 0b0000, 0b0001:
            // DUP (element) / DUP (general): replicate one element.
            let value = imm4 == 0 ? vreg(n)[index, eb] : x[src(n)] & ones(eb)
            var r = V128.zero
            for e in 0..<(q ? 128 : 64) / eb { r[e, eb] = value }
            setV(d, r, q: q)
        case 0b0011:
            // INS (general).
            var r = vreg(d)
            r[index, eb] = x[src(n)] & ones(eb)
            setV(d, r, q: true)
        case 0b0101:
            // SMOV: sign-extended to 32 (Q = 0, upper 32 bits of Xd cleared) or 64 bits.
            let v = sext(vreg(n)[index, eb], eb)
            x[dst(d)] = q ? v : v & 0xFFFF_FFFF
        default:
            // UMOV.
            x[dst(d)] = vreg(n)[index, eb]
        }
    }

    /// AdvSIMDExpandImm(op, cmode, imm8) for cmode != 1111.
    static func expandSIMDImmediate(op: Int, cmode: Int, imm8: UInt64) -> UInt64 {
        func replicate(_ v: UInt64, _ bits: Int) -> UInt64 {
            var r: UInt64 = 0
            for i in stride(from: 0, to: 64, by: bits) { r |= v << UInt64(i) }
            return r
        }
        switch cmode >> 1 {
        case 0, 1, 2, 3: return replicate(imm8 << UInt64(8 * (cmode >> 1)), 32)
        case 4, 5: return replicate(imm8 << UInt64(8 * ((cmode >> 1) & 1)), 16)
        case 6: return replicate(cmode & 1 == 0 ? imm8 << 8 | 0xFF : imm8 << 16 | 0xFFFF, 32)
        default:
            if op == 0 { return replicate(imm8, 8) }
            var r: UInt64 = 0
            for i in 0..<8 where (imm8 >> UInt64(i)) & 1 != 0 { r |= 0xFF << UInt64(8 * i) }
            return r
        }
    }

    func simdModifiedImmediate(_ w: UInt32) {
        let q = w.bit(30) == 1, op = w.bit(29), cmode = w.bits(15, 12)
        let imm8 = UInt64(w.bits(18, 16) << 5 | w.bits(9, 5))
        let imm = Core.expandSIMDImmediate(op: op, cmode: cmode, imm8: imm8)
        let d = w.rd
        // ORR/BIC: cmode 0xx1 and 10x1; everything else moves (MVNI inverts when op = 1, except
        // the 64-bit MOVI at cmode 1110).
        let logical = cmode < 0b1100 && cmode & 1 == 1
        let r: UInt64
        if logical {
            if op == 0 { setV(d, vLow(d) | imm, q ? vHigh(d) | imm : 0) } else { setV(d, vLow(d) & ~imm, q ? vHigh(d) & ~imm : 0) }
            return
        }
        r = op == 1 && cmode != 0b1110 ? ~imm : imm
        setV(d, r, q ? r : 0)
    }

    func simdPermute(_ w: UInt32) {
        let q = w.bit(30) == 1, eb = 8 << w.bits(23, 22), opcode = w.bits(14, 12)
        let count = (q ? 128 : 64) / eb, half = count / 2
        let n = vreg(w.rn), m = vreg(w.rm)
        let second = opcode >> 2          // UZP2, TRN2, ZIP2
        var r = V128.zero
        for e in 0..<count {
            switch opcode & 3 {
            case 1:                       // UZP: even (odd) elements of Vm:Vn
                let i = 2 * e + second
                r[e, eb] = i < count ? n[i, eb] : m[i - count, eb]
            case 2:                       // TRN: Vn's even (odd) elements, interleaved with Vm's
                let i = (e & ~1) + second
                r[e, eb] = e & 1 == 0 ? n[i, eb] : m[i, eb]
            default:                      // ZIP: low (high) halves interleaved
                let i = e / 2 + second * half
                r[e, eb] = e & 1 == 0 ? n[i, eb] : m[i, eb]
            }
        }
        setV(w.rd, r, q: q)
    }

    func simdExtract(_ w: UInt32) {
        let q = w.bit(30) == 1, pos = w.bits(14, 11)
        if q {
            // (Vm:Vn) >> 8 * pos, low 128 bits.
            let n = UInt128(vHigh(w.rn)) << 64 | UInt128(vLow(w.rn)), m = UInt128(vHigh(w.rm)) << 64 | UInt128(vLow(w.rm))
            let r = pos == 0 ? n : n >> (8 * pos) | m << (128 - 8 * pos)
            setV(w.rd, UInt64(truncatingIfNeeded: r), UInt64(truncatingIfNeeded: r >> 64))
        } else {
            let n = vLow(w.rn), m = vLow(w.rm)
            setV(w.rd, pos == 0 ? n : n >> UInt64(8 * pos) | m << UInt64(64 - 8 * pos), 0)
        }
    }

    func simdTable(_ w: UInt32) {
        let q = w.bit(30) == 1, regs = w.bits(14, 13) + 1, tbx = w.bit(12) == 1
        let indices = vreg(w.rm)
        var r = tbx ? vreg(w.rd) : V128.zero
        for i in 0..<(q ? 16 : 8) {
            let index = Int(indices[i, 8])
            if index < 16 * regs { r[i, 8] = vreg((w.rn + index / 16) % 32)[index % 16, 8] }
        }
        setV(w.rd, r, q: q)
    }
}
