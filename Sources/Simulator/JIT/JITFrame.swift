/// The register convention of translated code, and the trampoline that sets it up.
///
/// RBX = general registers (`Core.x`), RBP = `CPUState`, R12 = the current software TLB,
/// R13 = the cycle counter, R14 = the deadline, R15 = the page's translation entries
/// (`JITTable.entries`); [RSP] = the page's virtual address, [RSP+8] scratch. A unit returns (by
/// the shared exit) with RAX = the slot to go on at in the same page (with `interpretBit` when
/// the interpreter must run that slot), or `breakBit` when the block ended with `CPUState.pc`
/// set; it has added what it ran to `cycles` and `retired`.
enum JITFrame {
    static let breakBit: UInt64 = 1 << 63
    static let interpretBit: UInt64 = 1 << 62

    /// What the trampoline reads: filled by the core before each entry.
    struct Context {
        var registers: UnsafeMutableRawPointer
        var state: UnsafeMutableRawPointer
        var tlb: UnsafeMutableRawPointer
        var entries: UnsafeMutableRawPointer
        var pageVA: UInt64
    }

    static let cycles = Int32(MemoryLayout<CPUState>.offset(of: \CPUState.cycles)!)
    static let deadline = Int32(MemoryLayout<CPUState>.offset(of: \CPUState.deadline)!)
    static let retired = Int32(MemoryLayout<CPUState>.offset(of: \CPUState.retired)!)
    static let pc = Int32(MemoryLayout<CPUState>.offset(of: \CPUState.pc)!)
    static let flagOp = Int32(MemoryLayout<CPUState>.offset(of: \CPUState.flagOp)!)
    static let flagA = Int32(MemoryLayout<CPUState>.offset(of: \CPUState.flagA)!)
    static let flagB = Int32(MemoryLayout<CPUState>.offset(of: \CPUState.flagB)!)
    static let flagR = Int32(MemoryLayout<CPUState>.offset(of: \CPUState.flagR)!)
    static let nzcv = Int32(MemoryLayout<CPUState>.offset(of: \CPUState.nzcv)!)
    static let readTag = Int32(MemoryLayout<TLBEntry>.offset(of: \TLBEntry.readTag)!)
    static let writeTag = Int32(MemoryLayout<TLBEntry>.offset(of: \TLBEntry.writeTag)!)
    static let addend = Int32(MemoryLayout<TLBEntry>.offset(of: \TLBEntry.addend)!)
    static let tlbStride = MemoryLayout<TLBEntry>.stride

    private static let contextRegisters = Int32(MemoryLayout<Context>.offset(of: \Context.registers)!)
    private static let contextState = Int32(MemoryLayout<Context>.offset(of: \Context.state)!)
    private static let contextTLB = Int32(MemoryLayout<Context>.offset(of: \Context.tlb)!)
    private static let contextEntries = Int32(MemoryLayout<Context>.offset(of: \Context.entries)!)
    private static let contextPageVA = Int32(MemoryLayout<Context>.offset(of: \Context.pageVA)!)

    /// enter(context: RDI, code: RSI) -> RAX, a C function.
    static func emitTrampoline(_ a: inout X86Assembler) {
        for r: X86Assembler.R in [.rbx, .rbp, .r12, .r13, .r14, .r15] { a.push(r) }
        // Six pushes after the return address leave RSP 8 mod 16; 24 more bytes realign it for calls.
        a.alu(.sub, .rsp, imm: 24)
        a.load(.rbx, .rdi, contextRegisters, size: 8)
        a.load(.rbp, .rdi, contextState, size: 8)
        a.load(.r12, .rdi, contextTLB, size: 8)
        a.load(.r15, .rdi, contextEntries, size: 8)
        a.load(.rax, .rdi, contextPageVA, size: 8)
        a.store(.rax, .rsp, 0, size: 8)
        a.load(.r13, .rbp, cycles, size: 8)
        a.load(.r14, .rbp, deadline, size: 8)
        a.jmp(.rsi)
    }

    static func emitExit(_ a: inout X86Assembler) {
        a.store(.r13, .rbp, cycles, size: 8)
        a.alu(.add, .rsp, imm: 24)
        for r: X86Assembler.R in [.r15, .r14, .r13, .r12, .rbp, .rbx] { a.pop(r) }
        a.ret()
    }
}

/// ConditionHolds() for translated code whose flags were set before the unit began.
let jitConditionHolds: @convention(c) (UnsafeMutableRawPointer, UInt64) -> UInt64 = { s, cond in
    Core.conditionHolds(s.assumingMemoryBound(to: CPUState.self), UInt8(truncatingIfNeeded: cond)) ? 1 : 0
}
