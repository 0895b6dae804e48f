extension Core {
    /// Under a debugger: the instruction at `pc` of `page`, decoded if it was not yet, alone in
    /// the debugger's scratch page, so the block runs it and stops at the next slot.
    func debugPage(_ page: UnsafeMutablePointer<Insn>, _ host: UnsafeMutableRawPointer, _ pc: UInt64) -> UnsafeMutablePointer<Insn> {
        let i = Int(truncatingIfNeeded: (pc & 0xFFF) &>> 2)
        if page[i].op == .undecoded { page[i] = decodeSlot(host, i) }
        return machine.debug.scratchPage(holding: page[i], at: i)
    }
}
