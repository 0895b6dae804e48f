/// Load/store forms with writeback, register offsets, pairs and exclusives (Arm ARM C3.3).
/// Each returns false when an exception was taken; registers are then unchanged.
extension Core {
    /// SP alignment check (Arm ARM D1.8.2): with SCTLR_ELx.SA (SA0 at EL0), a load or store whose
    /// base register is a misaligned SP raises an SP alignment fault. Returns true if it did.
    @inline(__always)
    func spMisaligned(_ base: UInt8, pc: UInt64) -> Bool {
        guard base == UInt8(Reg.sp), x[Reg.sp] & 15 != 0 else { return false }
        let bit: UInt64 = state.pointee.el == 0 ? 1 << 4 : 1 << 3
        guard regimeSCTLR & bit != 0 else { return false }
        synchronous(.spAlignment, pc: pc)
        return true
    }

    func loadStore(_ insn: Insn, pc: UInt64) -> Bool {
        if spMisaligned(insn.rn, pc: pc) { return false }
        let r = x
        let kind = LoadKind(rawValue: insn.a)!
        let unprivileged = insn.b & 0x80 != 0 && state.pointee.el == 1
        let mode = AddrMode(rawValue: insn.b & 0x7F)!
        let base = r[Int(insn.rn)]
        let va: UInt64
        switch mode {
        case .offset, .preIndex: va = base &+ insn.imm
        case .postIndex: va = base
        case .register: va = base &+ extended(r[Int(insn.rm)], insn.ra, UInt8(insn.imm))
        }
        if kind.isStore {
            guard store(kind.size, va, r[Int(insn.rd)], pc: pc, asEL0: unprivileged) else { return false }
        } else {
            guard let v = load(kind, va, pc: pc, asEL0: unprivileged) else { return false }
            r[Int(insn.rd)] = v
        }
        switch mode {
        case .preIndex: r[Int(insn.rn)] = va
        case .postIndex: r[Int(insn.rn)] = base &+ insn.imm
        default: break
        }
        return true
    }

    func pair(_ insn: Insn, pc: UInt64) -> Bool {
        if spMisaligned(insn.rn, pc: pc) { return false }
        let r = x
        let kind = PairKind(rawValue: insn.a)!
        let mode = AddrMode(rawValue: insn.b)!
        let size = kind == .x ? 8 : 4
        let base = r[Int(insn.rn)]
        let va = mode == .postIndex ? base : base &+ insn.imm
        let second = va &+ UInt64(size)
        if insn.op == .stp {
            let v1 = r[Int(insn.rd)], v2 = r[Int(insn.rm)]
            // Check the second element first so that a fault on it leaves memory untouched
            // where possible (a fault on the first element is taken before any write).
            guard store(size, va, v1, pc: pc), store(size, second, v2, pc: pc) else { return false }
        } else {
            let k: LoadKind = kind == .x ? .ldrX : (kind == .w ? .ldrW : .ldrsw)
            guard let v1 = load(k, va, pc: pc), let v2 = load(k, second, pc: pc) else { return false }
            r[Int(insn.rd)] = v1
            r[Int(insn.rm)] = v2
        }
        if mode == .preIndex || mode == .postIndex { r[Int(insn.rn)] = base &+ insn.imm }
        return true
    }

    /// LDXR/STXR family and LDAR/STLR. Exclusives require natural alignment of the whole
    /// access whatever the memory type. The monitor succeeds when armed on this address and
    /// size; a successful store-exclusive or an exception clears it, and other cores' exclusive
    /// stores to the same address clear theirs (`Machine.clearExclusives`).
    func exclusive(_ insn: Insn, pc: UInt64) -> Bool {
        let r = x
        let kind = ExclusiveKind(rawValue: insn.a)!
        let sizeLog = Int(insn.b)
        let isPair: Bool
        switch kind { case .ldxp, .ldaxp, .stxp, .stlxp: isPair = true; default: isPair = false }
        let elem = isPair ? (sizeLog == 3 ? 8 : 4) : 1 << sizeLog
        let total = isPair ? elem * 2 : elem
        if spMisaligned(insn.rn, pc: pc) { return false }
        let va = r[Int(insn.rn)]
        let rt = Int(insn.rd), rt2 = Int(insn.ra), rs = Int(insn.rm)
        let isStore: Bool
        switch kind { case .stxr, .stlxr, .stxp, .stlxp, .stlr: isStore = true; default: isStore = false }
        if va & UInt64(total - 1) != 0 {
            abort(.alignment(va, write: isStore), instruction: false, pc: pc); return false
        }
        let ldKind: LoadKind = elem == 1 ? .ldrB : (elem == 2 ? .ldrH : (elem == 4 ? .ldrW : .ldrX))
        switch kind {
        case .ldar:
            guard let v = load(ldKind, va, pc: pc) else { return false }
            r[dst(rt)] = v
        case .stlr:
            guard store(elem, va, r[rt], pc: pc) else { return false }
        case .ldxr, .ldaxr, .ldxp, .ldaxp:
            guard let v1 = load(ldKind, va, pc: pc) else { return false }
            var v2: UInt64 = 0
            if isPair {
                guard let v = load(ldKind, va &+ UInt64(elem), pc: pc) else { return false }
                v2 = v
            }
            state.pointee.exclusiveAddr = va
            state.pointee.exclusiveSize = total
            state.pointee.exclusiveElement = elem
            state.pointee.exclusiveValue = v1
            state.pointee.exclusiveValue2 = v2
            r[dst(rt)] = v1
            if isPair { r[dst(rt2)] = v2 }
        case .stxr, .stlxr, .stxp, .stlxp:
            // The status register may not overlap the data or base (CONSTRAINED UNPREDICTABLE); we
            // follow the instruction as written.
            var armed = state.pointee.exclusiveAddr == va && state.pointee.exclusiveSize == total
            state.pointee.exclusiveAddr = .max
            if armed && machine.cores.count > 1 {
                // Compare with what LDXR saw (as QEMU's compare-and-swap does): a plain store by
                // another core since then makes the store-exclusive fail.
                guard let now1 = load(ldKind, va, pc: pc) else { return false }
                var now2: UInt64 = 0
                if isPair {
                    guard let v = load(ldKind, va &+ UInt64(elem), pc: pc) else { return false }
                    now2 = v
                }
                armed = now1 == state.pointee.exclusiveValue && now2 == state.pointee.exclusiveValue2
            }
            if armed {
                // Translate and check permissions first: a fault is reported even if the store would fail.
                if isPair {
                    let lo = r[rt] & ones(elem * 8), hi = r[rt2] & ones(elem * 8)
                    guard store(elem, va, lo, pc: pc), store(elem, va &+ UInt64(elem), hi, pc: pc) else { return false }
                } else {
                    guard store(elem, va, r[rt], pc: pc) else { return false }
                }
                machine.clearExclusives(pa: va, except: self)
            }
            r[dst(rs)] = armed ? 0 : 1
        }
        return true
    }
}

extension Core {
    /// Whether the location an exclusive load armed no longer holds what the load saw: another
    /// core wrote it, which clears this core's monitor and, architecturally, is a WFE wake-up
    /// event (Arm ARM D1.16.1, "the global monitor for the PE is cleared"). Stores through the
    /// soft TLB are not observed one by one, so waiting cores compare values instead.
    var exclusiveMonitorDisturbed: Bool {
        let s = state.pointee
        guard s.exclusiveAddr != .max, s.exclusiveElement > 0 else { return false }
        func read(_ va: UInt64) -> UInt64? {
            guard case .success(let t) = translate(va, .read), memory.range(t.pa) != nil else { return nil }
            return memory.readPhysical(t.pa, size: s.exclusiveElement)
        }
        if let v = read(s.exclusiveAddr), v != s.exclusiveValue { return true }
        if s.exclusiveSize != s.exclusiveElement, let v = read(s.exclusiveAddr &+ UInt64(s.exclusiveElement)), v != s.exclusiveValue2 {
            return true
        }
        return false
    }
}
