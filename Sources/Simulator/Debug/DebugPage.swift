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
