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
            if a53Ref != nil && pc &>> 6 != a53FetchLine { s.pointee.cycles &+= a53Fetch(pc) }
        }
        machine.debug.lastBlock = (index, pc & ~0xFFF, page, host)
        let i = Int(truncatingIfNeeded: (pc & 0xFFF) &>> 2)
        if page[i].op == .undecoded { page[i] = decodeSlot(host, i, page) }
        var insn = page[i]
        // Another core may have fused this compare with the branch after it: run it alone.
        if insn.op.isFusedCompareAndBranch { insn = Decoder.shared.decode((host + (i << 2)).load(as: UInt32.self)) }
        noteSteppedInstruction(insn)
        return (pc, machine.debug.scratchPage(holding: insn, at: i), host)
    }
}

/// gdb's read and access watchpoints (DebugControl.watchedPages): the soft TLB marks those
/// pages' data tags slow-path-only, and these serve the accesses a marked entry serves, at the
/// fast path's cost (no walk), so the run is what it is without the debugger.
extension Core {
    func debuggerWatchedRead(_ va: UInt64, _ size: Int) -> UInt64? {
        guard let (_, pa, _) = markedEntry(va, size, write: false), let v = memory.readPhysical(pa, size: size) else { return nil }
        machine.debug.noteAccess(core: index, pa: pa, size: size, write: false)
        return v
    }

    func debuggerWatchedWrite(_ va: UInt64, _ size: Int, _ value: UInt64) -> Bool {
        guard let (_, pa, _) = markedEntry(va, size, write: true), memory.writePhysical(pa, size: size, value: value) else { return false }
        machine.debug.noteAccess(core: index, pa: pa, size: size, write: true)
        return true
    }

    /// Marks (or unmarks) the data tags of the debugger's watched pages in every table; under
    /// the a53 model every tag stays marked.
    func markWatchedPages(_ mark: Bool) {
        guard a53 == nil else { return }
        let pages = machine.debug.watchedPages
        for i in 0..<(SoftTLB.tableCount * SoftTLB.entries) {
            let e = tlb.base + i
            guard pages.contains(e.pointee.physPage) else { continue }
            for tag in [\TLBEntry.readTag, \TLBEntry.writeTag] where e.pointee[keyPath: tag] != TLBEntry.invalid {
                e.pointee[keyPath: tag] = mark ? e.pointee[keyPath: tag] | TLBEntry.slowPath : e.pointee[keyPath: tag] & ~TLBEntry.slowPath
            }
        }
    }
}
