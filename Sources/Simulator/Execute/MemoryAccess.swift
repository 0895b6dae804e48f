/// Slow paths for memory access: translation, TLB fill, alignment, page-crossing and MMIO.
extension Core {
    /// Caches a RAM translation in the current EL's software TLB.
    func fillTLB(_ va: UInt64, _ t: Translation) {
        guard let region = memory.range(t.pa) else { return }
        let index = Int((va >> 12) & UInt64(SoftTLB.entries - 1))
        let e = tlbCurrent + index
        let vpage = va & ~0xFFF, ppage = t.pa & ~0xFFF
        if e.pointee.readTag == TLBEntry.invalid && e.pointee.writeTag == TLBEntry.invalid && e.pointee.execTag == TLBEntry.invalid {
            tlb.noteUsed(in: tlbCurrent, index: index)
        }
        if e.pointee.physPage != ppage || (e.pointee.readTag != vpage && e.pointee.writeTag != vpage && e.pointee.execTag != vpage) {
            e.pointee = TLBEntry()
        }
        let host = UInt64(UInt(bitPattern: region.pointee.host)) &+ (ppage - region.pointee.base)
        e.pointee.addend = host &- vpage
        e.pointee.physPage = ppage
        e.pointee.blockBits = t.blockBits
        if t.blockBits > 12 { tlb.noteBlock(in: tlbCurrent, va: va, bits: t.blockBits) }
        if a53 != nil { e.pointee.stages = UInt8(truncatingIfNeeded: a53Stages) }
        // Device memory may use the fast path too: it only serves naturally aligned accesses, and
        // alignment is all that distinguishes Device from Normal RAM here.
        // A page a self-hosted watchpoint covers keeps its data accesses on the slow path.
        if !selfDebug.watchedRanges.isEmpty && !pageUnwatched(vpage) { return }
        // Under the a53 timing model, or on a page a debugger's read watchpoint covers, every data
        // access must reach the slow path: the tags are marked so the fast path never matches.
        var slow = a53 != nil || (debuggerWatching && machine.debug.watchedPages.contains(ppage)) ? TLBEntry.slowPath : 0
        if a53 != nil && !t.device { slow |= TLBEntry.normalMemory }
        if t.readable { e.pointee.readTag = vpage | slow }
        if t.writable && region.pointee.writable && !region.pointee.hasCode(t.pa) { e.pointee.writeTag = vpage | slow }
    }

    /// Alignment check for data accesses: Device memory and SCTLR_ELx.A require natural alignment.
    @inline(__always) func misaligned(_ va: UInt64, _ size: Int, device: Bool) -> Bool {
        va & UInt64(size - 1) != 0 && (device || regimeSCTLR & 2 != 0)
    }

    /// A read of `size` bytes; nil means an exception was taken (state.pc is the vector). Under
    /// the a53 model most reads are served here, by a marked TLB entry, before the general path
    /// (a small function: its call costs little).
    @inline(never)
    func slowRead(_ va: UInt64, _ size: Int, pc: UInt64, asEL0: Bool = false) -> UInt64? {
        if let m = a53Ref, !asEL0, let v = m._withUnsafeGuaranteedRef({ a53Read($0, va, size) }) { return v }
        return generalRead(va, size, pc: pc, asEL0: asEL0)
    }

    @inline(never)
    func generalRead(_ va: UInt64, _ size: Int, pc: UInt64, asEL0: Bool) -> UInt64? {
        if (va & 0xFFF) + UInt64(size) > 0x1000 {
            // Crosses a page: byte by byte, each translated (unaligned Normal memory only).
            var v: UInt64 = 0
            for k in 0..<size {
                guard let b = slowRead(va &+ UInt64(k), 1, pc: pc, asEL0: asEL0) else { return nil }
                v |= b << UInt64(8 * k)
            }
            if case .success(let t) = translate(va, .read, asEL0: asEL0), misaligned(va, size, device: t.device) {
                abort(.alignment(va, write: false), instruction: false, pc: pc); return nil
            }
            return v
        }
        if debuggerWatching, !asEL0, let v = debuggerWatchedRead(va, size) { return v }
        switch translate(va, .read, asEL0: asEL0) {
        case .failure(.fault(let f)):
            abort(f, instruction: false, pc: pc); return nil
        case .success(let t):
            if misaligned(va, size, device: t.device) { abort(.alignment(va, write: false), instruction: false, pc: pc); return nil }
            if !selfDebug.watchedRanges.isEmpty && watchpointHit(va, size: size, write: false, unprivileged: asEL0) {
                debugException(.watchpointLower, .watchpointSame, iss: Core.debugFaultStatus, far: va, pc: pc); return nil
            }
            if !asEL0 { fillTLB(va, t) }
            guard let v = memory.readPhysical(t.pa, size: size) else {
                abort(.externalAbort(va, write: false), instruction: false, pc: pc); return nil
            }
            if debuggerWatching { machine.debug.noteAccess(core: index, pa: t.pa, size: size, write: false) }
            if let m = a53Ref, memory.range(t.pa) != nil {
                state.pointee.cycles &+= m._withUnsafeGuaranteedRef { $0.dataAccess(va: va, pa: t.pa, size: size, write: false, stages: a53Stages) }
            }
            state.pointee.cycles &+= t.device ? 10 : 0
            return v
        }
    }

    /// A write of `size` bytes; false means an exception was taken. The a53 model's first, as reads.
    @inline(never)
    func slowWrite(_ va: UInt64, _ size: Int, _ value: UInt64, pc: UInt64, asEL0: Bool = false) -> Bool {
        if let m = a53Ref, !asEL0, m._withUnsafeGuaranteedRef({ a53Write($0, va, size, value) }) { return true }
        return generalWrite(va, size, value, pc: pc, asEL0: asEL0)
    }

    @inline(never)
    func generalWrite(_ va: UInt64, _ size: Int, _ value: UInt64, pc: UInt64, asEL0: Bool) -> Bool {
        if (va & 0xFFF) + UInt64(size) > 0x1000 {
            if case .success(let t) = translate(va, .write, asEL0: asEL0), misaligned(va, size, device: t.device) {
                abort(.alignment(va, write: true), instruction: false, pc: pc); return false
            }
            // Translate both pages before writing anything, so a fault leaves memory unchanged.
            let second = (va | 0xFFF) &+ 1
            if case .failure(.fault(let f)) = translate(second, .write, asEL0: asEL0) {
                abort(f, instruction: false, pc: pc); return false
            }
            for k in 0..<size where !slowWrite(va &+ UInt64(k), 1, (value >> UInt64(8 * k)) & 0xFF, pc: pc, asEL0: asEL0) { return false }
            return true
        }
        if debuggerWatching, !asEL0, debuggerWatchedWrite(va, size, value) { return true }
        switch translate(va, .write, asEL0: asEL0) {
        case .failure(.fault(let f)):
            abort(f, instruction: false, pc: pc); return false
        case .success(let t):
            if misaligned(va, size, device: t.device) { abort(.alignment(va, write: true), instruction: false, pc: pc); return false }
            if !selfDebug.watchedRanges.isEmpty && watchpointHit(va, size: size, write: true, unprivileged: asEL0) {
                debugException(.watchpointLower, .watchpointSame, iss: 1 << 6 | Core.debugFaultStatus, far: va, pc: pc); return false
            }
            if !asEL0 { fillTLB(va, t) }
            guard memory.writePhysical(t.pa, size: size, value: value) else {
                abort(.externalAbort(va, write: true), instruction: false, pc: pc); return false
            }
            machine.didStore(pa: t.pa, size: size, by: self)
            if debuggerWatching { machine.debug.noteAccess(core: index, pa: t.pa, size: size, write: true) }
            if let m = a53Ref, memory.range(t.pa) != nil { m._withUnsafeGuaranteedRef { a53Store($0, va: va, pa: t.pa, size: size, stages: a53Stages) } }
            return true
        }
    }

    /// A single-register load of `kind`, extended as the kind says; nil means an exception was taken.
    @inline(__always)
    func load(_ kind: LoadKind, _ va: UInt64, pc: UInt64, asEL0: Bool = false) -> UInt64? {
        let size = kind.size
        let raw: UInt64
        if !asEL0, let p = fastRead(va, UInt64(size - 1)) {
            raw = Core.loadHost(p, size)
        } else {
            guard let v = slowRead(va, size, pc: pc, asEL0: asEL0) else { return nil }
            raw = v
        }
        switch kind {
        case .ldrsw: return sext(raw, 32)
        case .ldrshX: return sext(raw, 16)
        case .ldrshW: return sext(raw, 16) & 0xFFFF_FFFF
        case .ldrsbX: return sext(raw, 8)
        case .ldrsbW: return sext(raw, 8) & 0xFFFF_FFFF
        default: return raw
        }
    }

    /// A store of the low `size` bytes of `value`; false means an exception was taken.
    @inline(__always)
    func store(_ size: Int, _ va: UInt64, _ value: UInt64, pc: UInt64, asEL0: Bool = false) -> Bool {
        if !asEL0, let p = fastWrite(va, UInt64(size - 1)) {
            Core.storeHost(p, size, value)
            return true
        }
        return slowWrite(va, size, value, pc: pc, asEL0: asEL0)
    }

    /// The low `size` bytes of `value` to host memory (guest RAM behind a TLB entry).
    @inline(__always)
    static func storeHost(_ p: UnsafeMutableRawPointer, _ size: Int, _ value: UInt64) {
        switch size {
        case 1: p.storeBytes(of: UInt8(truncatingIfNeeded: value), as: UInt8.self)
        case 2: p.storeBytes(of: UInt16(truncatingIfNeeded: value), as: UInt16.self)
        case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: value), as: UInt32.self)
        default: p.storeBytes(of: value, as: UInt64.self)
        }
    }

    /// `size` bytes from host memory, zero-extended.
    @inline(__always)
    static func loadHost(_ p: UnsafeMutableRawPointer, _ size: Int) -> UInt64 {
        switch size {
        case 1: return UInt64(p.load(as: UInt8.self))
        case 2: return UInt64(p.load(as: UInt16.self))
        case 4: return UInt64(p.load(as: UInt32.self))
        default: return p.load(as: UInt64.self)
        }
    }

    /// Instruction fetch: the predecoded page holding `pc` and its host bytes, or nil after taking
    /// a PC-alignment, illegal-state or instruction-abort exception.
    @inline(never)
    func fetchPage(_ pc: UInt64) -> (UnsafeMutablePointer<Insn>, UnsafeMutableRawPointer)? {
        if state.pointee.il != 0 { synchronous(.illegalState, pc: pc); return nil }
        if pc & 3 != 0 { synchronous(.pcAlignment, far: pc, pc: pc); return nil }
        let e = tlbCurrent + Int((pc >> 12) & UInt64(SoftTLB.entries - 1))
        if e.pointee.execTag == pc & ~0xFFF, let code = e.pointee.code {
            return (code, UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: (pc & ~0xFFF) &+ e.pointee.addend))!)
        }
        switch translate(pc, .execute) {
        case .failure(.fault(let f)):
            abort(f, instruction: true, pc: pc); return nil
        case .success(let t):
            guard t.executable else { abort(Fault(status: 0x0F, address: pc, write: false), instruction: true, pc: pc); return nil }
            guard let region = memory.region(t.pa) else {
                abort(.externalAbort(pc, write: false), instruction: true, pc: pc); return nil
            }
            let (code, created) = region.codePage(t.pa)
            let host = region.host + Int((t.pa & ~0xFFF) - region.base)
            if created { memory.onNewCodePage?(host) }
            fillTLB(pc, t)
            e.pointee.execTag = pc & ~0xFFF
            e.pointee.code = code
            return (code, host)
        }
    }
}
