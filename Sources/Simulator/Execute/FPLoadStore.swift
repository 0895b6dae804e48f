/// SIMD&FP loads and stores: single registers, pairs, literals and LD1-LD4/ST1-ST4 structures.
/// Each returns true when control left the straight line (an exception was taken).
extension Core {
    func fpLoadStore(_ insn: Insn, pc: UInt64) -> Bool {
        guard fpAccessAllowed(pc: pc) else { return true }
        if spMisaligned(insn.rn, pc: pc) { return true }
        let r = x
        let lg = Int(insn.a), t = Int(insn.rd)
        let mode = AddrMode(rawValue: insn.b)!
        let base = r[Int(insn.rn)]
        let va: UInt64
        switch mode {
        case .offset, .preIndex: va = base &+ insn.imm
        case .postIndex: va = base
        case .register: va = base &+ extended(r[Int(insn.rm)], insn.ra, UInt8(insn.imm))
        }
        if insn.op == .fpStore {
            guard writeVector(va, lg, vLow(t), vHigh(t), pc: pc) else { return true }
        } else {
            guard let (lo, hi) = readVector(va, lg, pc: pc) else { return true }
            setV(t, lo, hi)
        }
        if mode == .preIndex { r[Int(insn.rn)] = va }
        if mode == .postIndex { r[Int(insn.rn)] = base &+ insn.imm }
        return false
    }

    func fpLoadLiteral(_ insn: Insn, pc: UInt64) -> Bool {
        guard fpAccessAllowed(pc: pc) else { return true }
        guard let (lo, hi) = readVector(pc &+ insn.imm, Int(insn.a), pc: pc) else { return true }
        setV(Int(insn.rd), lo, hi)
        return false
    }

    func fpPair(_ insn: Insn, pc: UInt64) -> Bool {
        guard fpAccessAllowed(pc: pc) else { return true }
        if spMisaligned(insn.rn, pc: pc) { return true }
        let r = x
        let lg = Int(insn.a), t = Int(insn.rd), t2 = Int(insn.rm)
        let mode = AddrMode(rawValue: insn.b)!
        let base = r[Int(insn.rn)]
        let va = mode == .postIndex ? base : base &+ insn.imm
        let second = va &+ UInt64(1 << lg)
        if insn.op == .fpStorePair {
            guard writeVector(va, lg, vLow(t), vHigh(t), pc: pc),
                  writeVector(second, lg, vLow(t2), vHigh(t2), pc: pc) else { return true }
        } else {
            guard let (a0, a1) = readVector(va, lg, pc: pc), let (b0, b1) = readVector(second, lg, pc: pc) else { return true }
            setV(t, a0, a1)
            setV(t2, b0, b1)
        }
        if mode != .offset { r[Int(insn.rn)] = base &+ insn.imm }
        return false
    }

    /// LD1-LD4/ST1-ST4 (multiple structures, single structure, replicate), with post-index.
    func simdStructure(_ insn: Insn, pc: UInt64) -> Bool {
        guard fpAccessAllowed(pc: pc) else { return true }
        let w = UInt32(truncatingIfNeeded: insn.imm)
        let rn = w.rn, t = w.rd, q = w.bit(30), load = w.bit(22) == 1
        if spMisaligned(UInt8(spReg(rn)), pc: pc) { return true }
        let base = x[spReg(rn)]
        let postIndex = w.bit(23) == 1
        var transferred = 0
        if w.bit(24) == 0 {
            // Multiple structures: rpt registers of selem-element structures.
            let opcode = w.bits(15, 12), size = w.bits(11, 10)
            let (rpt, selem): (Int, Int) = [0b0000: (1, 4), 0b0010: (4, 1), 0b0100: (1, 3), 0b0110: (3, 1),
                                             0b0111: (1, 1), 0b1000: (1, 2), 0b1010: (2, 1)][opcode]!
            let esize = 1 << size, elements = (q == 1 ? 16 : 8) / esize
            // Loads go to a scratch copy so a fault leaves the registers unchanged.
            var regs = [(UInt64, UInt64)](repeating: (0, 0), count: 32)
            for k in 0..<(rpt * selem) { let n = (t + k) % 32; regs[n] = (vLow(n), vHigh(n)) }
            var addr = base
            for rep in 0..<rpt {
                for e in 0..<elements {
                    for s in 0..<selem {
                        let n = (t + rep + s) % 32
                        if load {
                            guard let (val, _) = readVector(addr, size, pc: pc) else { return true }
                            let bit = e * esize * 8
                            let mask: UInt64 = esize == 8 ? ~0 : ((1 << UInt64(esize * 8)) - 1) << UInt64(bit % 64)
                            if bit < 64 { regs[n].0 = (regs[n].0 & ~mask) | ((val << UInt64(bit % 64)) & mask) }
                            else { regs[n].1 = (regs[n].1 & ~mask) | ((val << UInt64(bit % 64)) & mask) }
                        } else {
                            guard writeVector(addr, size, element(n, e, esize), 0, pc: pc) else { return true }
                        }
                        addr &+= UInt64(esize)
                        transferred += esize
                    }
                }
            }
            if load {
                for k in 0..<(rpt * selem) {
                    let n = (t + k) % 32
                    // A 64-bit vector load clears the upper half.
                    setV(n, regs[n].0, q == 1 ? regs[n].1 : 0)
                }
            }
        } else {
            // Single structure (one lane) or replicate.
            let opcode = w.bits(15, 13), s = w.bit(12), size = w.bits(11, 10), r = w.bit(21)
            let selem = ((opcode & 1) << 1 | r) + 1
            var scale = opcode >> 1
            var index = 0
            let replicate = scale == 3
            switch scale {
            case 0: index = q << 3 | s << 2 | size
            case 1: index = q << 2 | s << 1 | (size >> 1)
            case 2:
                if size & 1 == 0 { index = q << 1 | s } else { index = q; scale = 3 }
            default: scale = size
            }
            let esize = 1 << scale
            var addr = base
            var values = [UInt64](repeating: 0, count: selem)
            for k in 0..<selem {
                let n = (t + k) % 32
                if load {
                    guard let (val, _) = readVector(addr, scale, pc: pc) else { return true }
                    values[k] = val
                } else {
                    guard writeVector(addr, scale, element(n, index, esize), 0, pc: pc) else { return true }
                }
                addr &+= UInt64(esize)
                transferred += esize
            }
            if load {
                for k in 0..<selem {
                    let n = (t + k) % 32
                    if replicate {
                        var lane: UInt64 = 0
                        for e in 0..<(8 / esize) { lane |= values[k] << UInt64(e * esize * 8) }
                        setV(n, lane, q == 1 ? lane : 0)
                    } else {
                        setElement(n, index, esize, values[k])
                    }
                }
            }
        }
        if postIndex {
            let rm = w.rm
            x[spReg(rn)] = base &+ (rm == 31 ? UInt64(transferred) : x[rm])
        }
        return false
    }
}
