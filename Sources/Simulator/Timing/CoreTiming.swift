/// Where `--timing a53` meets the core: slot costs from the static schedule at decode, and data
/// accesses through the memory hierarchy (A53Timing) on the slow path, which this mode makes
/// every load and store take (TLBEntry.slowPath). The functional mode (`--timing simple`) runs none of it.
extension Core {
    /// The a53 cost of slot `i` (holding `insn`, possibly a fused compare-and-branch): the cycles
    /// it adds to the straight-line run before it in the page, scheduled from that run's start (the
    /// slot after the last branch or serial instruction, where the pipeline's pairing state is
    /// known; at most `A53Schedule.reach` back).
    func a53SlotCost(_ host: UnsafeMutableRawPointer, _ page: UnsafeMutablePointer<Insn>?, _ i: Int, _ insn: Insn) -> UInt8 {
        func word(_ k: Int) -> UInt32 { (host + (k << 2)).load(as: UInt32.self) }
        var seq: [(Insn, UInt32)] = [(Decoder.shared.decode(word(i)), word(i))]
        var k = i - 1
        while k >= 0 && seq.count <= A53Schedule.reach {
            // Slots already decoded (straight-line code runs in order) need no second decode.
            let cached = page.map { $0[k] }
            let before = cached.map { $0.op == .undecoded ? Decoder.shared.decode(word(k)) : $0 } ?? Decoder.shared.decode(word(k))
            if before.op.isFusedCompareAndBranch { break }
            if A53Schedule.endsRun(before) { break }
            seq.append((before, word(k)))
            k -= 1
        }
        seq.reverse()
        let first = A53Schedule.cost(seq)
        guard insn.op.isFusedCompareAndBranch, i < 1023 else { return first }
        seq.append((Decoder.shared.decode(word(i + 1)), word(i + 1)))
        return first &+ A53Schedule.cost(seq)
    }

    /// The translation stages a data access of the current regime needs (0 with the MMU off):
    /// a TLB miss walks them.
    var a53Stages: Int {
        guard regimeSCTLR & 1 != 0 else { return 0 }
        return state.pointee.el < 2 && self[.hcrEL2] & 1 != 0 ? 2 : 1
    }

    /// The host and physical address of an access a slow-path-marked TLB entry serves (aligned,
    /// in one page), as the fast path would have served it, and its regime's translation stages.
    @inline(__always)
    func markedEntry(_ va: UInt64, _ size: Int, write: Bool) -> (UnsafeMutableRawPointer, UInt64, Int)? {
        let e = tlbCurrent + Int(truncatingIfNeeded: (va &>> 12) & UInt64(SoftTLB.entries - 1))
        let tag = write ? e.pointee.writeTag : e.pointee.readTag
        guard tag & ~TLBEntry.normalMemory == (va & ~0xFFF) | TLBEntry.slowPath else { return nil }
        // Unaligned: Normal memory only, within the page, and not with SCTLR_ELx.A set.
        if va & UInt64(size - 1) != 0 {
            guard tag & TLBEntry.normalMemory != 0, (va & 0xFFF) + UInt64(size) <= 0x1000, regimeSCTLR & 2 == 0 else { return nil }
        }
        return (UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: va &+ e.pointee.addend))!, e.pointee.physPage | (va & 0xFFF),
                Int(e.pointee.stages))
    }

    /// LDP/STP of X registers (8-byte aligned, one page): one access of 16 bytes, as the A53's
    /// 128-bit load/store path makes it (one LD_RETIRED or ST_RETIRED); the host pointer, or nil
    /// for the general pair handler.
    func a53Pair(_ va: UInt64, write: Bool) -> UnsafeMutableRawPointer? {
        guard let m = a53Ref, !debuggerWatching, va & 0xFFF <= 0xFF0,
              let (p, pa, stages) = markedEntry(va, 8, write: write), markedEntry(va &+ 8, 8, write: write) != nil else { return nil }
        m._withUnsafeGuaranteedRef { a in
            if write { a53Store(a, va: va, pa: pa, size: 16, stages: stages) }
            else { state.pointee.cycles &+= a.dataAccess(va: va, pa: pa, size: 16, write: false, stages: stages) }
        }
        return p
    }

    @inline(__always)
    func a53Read(_ a: A53Timing, _ va: UInt64, _ size: Int) -> UInt64? {
        guard let (p, pa, stages) = markedEntry(va, size, write: false) else { return nil }
        state.pointee.cycles &+= a.dataAccess(va: va, pa: pa, size: size, write: false, stages: stages)
        if debuggerWatching { machine.debug.noteAccess(core: index, pa: pa, size: size, write: false) }
        return Core.loadHost(p, size)
    }

    @inline(__always)
    func a53Write(_ a: A53Timing, _ va: UInt64, _ size: Int, _ value: UInt64) -> Bool {
        guard let (p, pa, stages) = markedEntry(va, size, write: true) else { return false }
        a53Store(a, va: va, pa: pa, size: size, stages: stages)
        if debuggerWatching { machine.debug.noteAccess(core: index, pa: pa, size: size, write: true) }
        Core.storeHost(p, size, value)
        return true
    }

    /// A store's cost, and the line leaving the other cores' L1Ds (coherence at line granularity).
    @inline(__always)
    func a53Store(_ a: A53Timing, va: UInt64, pa: UInt64, size: Int, stages: Int) {
        state.pointee.cycles &+= a.dataAccess(va: va, pa: pa, size: size, write: true, stages: stages)
        if a.multicore {
            for c in machine.cores where c !== self { c.a53?.invalidate(pa) }
        }
    }
}
