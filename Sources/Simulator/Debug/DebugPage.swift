extension Core {
    /// A block start under a debugger: the debugger looks first; then, as `run` would, pending
    /// interrupts and the page lookup, except where the previous one-instruction block was cut
    /// short (`midBlock`): that block goes on in the same page, with no interrupt check and no new
    /// lookup (a soft-TLB refill costs walk cycles), as the undebugged block would have. Returns
    /// Self-hosted debug's breakpoints and software step look at the same point. Returns
    /// the PC, the debugger's scratch page holding just that instruction, and the host page; nil
    /// when an exception or interrupt was taken instead, or the run ended.
    func debugBlockStart() -> (UInt64, UnsafeMutablePointer<Insn>, UnsafeMutableRawPointer)? {
        let s = state
        var continuing = s.pointee.midBlock
        s.pointee.midBlock = false
        machine.debug.beforeInstruction(self)
        if machine.outcome != nil { return nil }
        let pc = s.pointee.pc
        let memo = machine.debug.lastBlock
        continuing = continuing && memo?.core == index && pc & ~0xFFF == memo?.pageVA
        if !continuing && interruptInputs && checkInterrupts() { return nil }
        if selfDebug.instructionChecks && selfHostedBeforeInstruction() { return nil }
        let page: UnsafeMutablePointer<Insn>, host: UnsafeMutableRawPointer
        if continuing, let m = memo {
            page = m.page; host = m.host
        } else {
            guard let (p, h) = fetchPage(pc) else { return nil }
            page = p; host = h
        }
        machine.debug.lastBlock = (index, pc & ~0xFFF, page, host)
        let i = Int(truncatingIfNeeded: (pc & 0xFFF) &>> 2)
        if page[i].op == .undecoded { page[i] = decodeSlot(host, i) }
        var insn = page[i]
        // Another core may have fused this compare with the branch after it: run it alone.
        if insn.op.isFusedCompareAndBranch { insn = Decoder.shared.decode((host + (i << 2)).load(as: UInt32.self)) }
        noteSteppedInstruction(insn)
        return (pc, machine.debug.scratchPage(holding: insn, at: i), host)
    }
}

/// gdb's read and access watchpoints (DebugControl.watchedPages): the soft TLB withholds those
/// pages' data tags, and these serve the accesses the withheld entry would have served, at the
/// fast path's cost (no walk), so the run is what it is without the debugger.
extension Core {
    /// The withheld entry for `va`, if still in place and serving an aligned access of `size`.
    private func shadowEntry(_ va: UInt64, _ size: Int) -> (DebugControl.Shadow, UnsafeMutablePointer<TLBEntry>)? {
        guard va & UInt64(size - 1) == 0 else { return nil }
        let e = tlbCurrent + Int(truncatingIfNeeded: (va &>> 12) & UInt64(SoftTLB.entries - 1))
        guard let sh = machine.debug.shadows[Int(bitPattern: e)], sh.vpage == va & ~0xFFF,
              e.pointee.physPage == sh.ppage, e.pointee.addend == sh.addend else { return nil }
        return (sh, e)
    }

    func debuggerWatchedRead(_ va: UInt64, _ size: Int) -> UInt64? {
        guard let (sh, _) = shadowEntry(va, size), sh.readable else { return nil }
        let pa = sh.ppage | (va & 0xFFF)
        guard let v = memory.readPhysical(pa, size: size) else { return nil }
        machine.debug.noteAccess(core: index, pa: pa, size: size, write: false)
        return v
    }

    func debuggerWatchedWrite(_ va: UInt64, _ size: Int, _ value: UInt64) -> Bool {
        guard let (sh, _) = shadowEntry(va, size), sh.writable else { return false }
        let pa = sh.ppage | (va & 0xFFF)
        guard memory.writePhysical(pa, size: size, value: value) else { return false }
        machine.debug.noteAccess(core: index, pa: pa, size: size, write: true)
        return true
    }

    /// Withholds (or gives back) the data tags of the debugger's watched pages in every table.
    func withholdWatchedPages(_ withhold: Bool) {
        let d = machine.debug
        for i in 0..<(SoftTLB.tableCount * SoftTLB.entries) {
            let e = tlb.base + i
            let key = Int(bitPattern: e)
            if withhold {
                let vpage = e.pointee.readTag != TLBEntry.invalid ? e.pointee.readTag : e.pointee.writeTag
                guard vpage != TLBEntry.invalid, d.watchedPages.contains(e.pointee.physPage) else { continue }
                d.shadows[key] = DebugControl.Shadow(vpage: vpage, ppage: e.pointee.physPage, addend: e.pointee.addend,
                                                     readable: e.pointee.readTag != TLBEntry.invalid,
                                                     writable: e.pointee.writeTag != TLBEntry.invalid)
                e.pointee.readTag = TLBEntry.invalid
                e.pointee.writeTag = TLBEntry.invalid
            } else if let sh = d.shadows[key], e.pointee.physPage == sh.ppage, e.pointee.addend == sh.addend {
                if sh.readable { e.pointee.readTag = sh.vpage }
                if sh.writable { e.pointee.writeTag = sh.vpage }
            }
        }
    }
}
