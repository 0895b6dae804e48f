/// Translates a run of one page's predecoded instructions into x86-64 that does what the
/// interpreter's hot loop does, cycle for cycle: the same per-instruction costs, the same deadline
/// test at in-page branches, the same lazily recorded flags, the same software-TLB fast paths.
/// Anything else — a TLB miss, a misaligned SP base, an instruction it does not translate —
/// leaves the unit *before* that instruction, so the interpreter runs it: translated code never
/// takes an exception, and the interpreter stays the reference for every architectural corner.
/// A unit runs straight on through untaken conditional branches and ends at an unconditional
/// one, at the page's end, or at the first instruction it leaves to the interpreter.
struct JITTranslator {
    typealias R = X86Assembler.R
    typealias CC = X86Assembler.CC

    /// Longest unit, in slots: bounds the code a long straight run costs.
    static let maxSlots = 96

    var a = X86Assembler()
    let core: Core
    let page: UnsafeMutablePointer<Insn>
    let host: UnsafeMutableRawPointer
    let entry: Int
    let exit: UInt
    /// Cycles of translated instructions not yet added to R13.
    private var pending: UInt64 = 0
    /// Instructions retired since the unit was entered (added to `retired` at each way out).
    private var count: UInt64 = 0
    /// The operation whose flags `CPUState` records, when an instruction of this unit set them.
    private var flags: FlagOp?
    private var body: X86Assembler.Label!
    /// The slot being translated, and `pending`/`count` before it (a side exit's figures).
    private var slot = 0
    private var slotPending: UInt64 = 0
    private var slotCount: UInt64 = 0
    private enum Stub {
        case side(X86Assembler.Label, slot: Int, pending: UInt64, count: UInt64)
        case taken(X86Assembler.Label, offset: Int64, count: UInt64)
    }
    private var stubs: [Stub] = []
    /// The last slot the translation covers (a fused compare's branch slot included).
    private(set) var lastSlot = 0

    init(core: Core, page: UnsafeMutablePointer<Insn>, host: UnsafeMutableRawPointer, entry: Int, exit: UInt) {
        self.core = core
        self.page = page
        self.host = host
        self.entry = entry
        self.exit = exit
    }

    /// What translating one slot did.
    private enum Step {
        case next(Int)
        case ended
        case unsupported
    }

    /// Translates from `entry`; false when its first instruction is left to the interpreter.
    mutating func translate() -> Bool {
        body = a.label()
        a.bind(body)
        var i = entry, translated = 0
        while true {
            if i >= 1024 {
                // The sentinel after the last slot: the block goes on in the next page.
                flushCycles()
                retire()
                breakTo(offset: 4096)
                break
            }
            var insn = page[i]
            if insn.op == .undecoded {
                page[i] = core.decodeSlot(host, i, page)
                insn = page[i]
            }
            slot = i; slotPending = pending; slotCount = count
            if translated == Self.maxSlots || !Self.translates(insn) {
                if translated == 0 { return false }
                flushCycles()
                retire()
                a.movImm(.rax, UInt64(i) | (translated == Self.maxSlots ? 0 : JITFrame.interpretBit))
                a.jmp(absolute: exit)
                break
            }
            pending &+= UInt64(insn.cost)
            translated += 1
            let coveredBefore = lastSlot
            lastSlot = insn.op.isFusedCompareAndBranch ? i + 1 : i
            switch emit(insn, i) {
            case .next(let k): i = k; continue
            case .ended: break
            case .unsupported:
                // Decided before any code for the slot: leave the unit there.
                pending = slotPending
                lastSlot = coveredBefore
                if translated == 1 { return false }
                flushCycles()
                retire()
                a.movImm(.rax, UInt64(i) | JITFrame.interpretBit)
                a.jmp(absolute: exit)
            }
            break
        }
        emitStubs()
        return a.resolve()
    }

    // MARK: Ways out

    private mutating func flushCycles() {
        if pending != 0 { a.lea(.r13, .r13, Int32(truncatingIfNeeded: pending)) }
        pending = 0
    }

    private mutating func retire(_ n: UInt64? = nil) {
        let n = n ?? count
        if n != 0 { a.aluMem(.add, .rbp, JITFrame.retired, imm: Int32(truncatingIfNeeded: n)) }
    }

    /// Ends the block with PC = the page's address + `offset`.
    private mutating func breakTo(offset: Int64) {
        a.load(.rax, .rsp, 0, size: 8)
        a.alu(.add, .rax, imm: Int32(truncatingIfNeeded: offset))
        a.store(.rax, .rbp, JITFrame.pc, size: 8)
        a.movImm(.rax, JITFrame.breakBit)
        a.jmp(absolute: exit)
    }

    /// A taken branch to the page's address + `offset`, `n` instructions retired, R13 current: in
    /// the page and before the deadline it goes on there (the interpreter's `continue inner`),
    /// otherwise the block ends.
    private mutating func taken(offset: Int64, retired n: UInt64) {
        retire(n)
        if offset >= 0 && offset < 4096 {
            let target = Int(offset >> 2), late = a.label()
            a.alu(.cmp, .r13, .r14)
            a.jcc(.ae, late)
            if target == entry {
                a.jmp(body)
            } else {
                let missing = a.label()
                a.load(.rax, .r15, Int32(target * 8), size: 8)
                a.alu(.cmp, .rax, imm: Int32(JITTable.interpret))
                a.jcc(.be, missing)
                a.jmp(.rax)
                a.bind(missing)
                a.movImm(.rax, UInt64(target))
                a.jmp(absolute: exit)
            }
            a.bind(late)
        }
        breakTo(offset: offset)
    }

    /// A label that leaves the unit before the current slot.
    mutating func sideExit() -> X86Assembler.Label {
        if case .side(let l, let s, _, _)? = stubs.last, s == slot { return l }
        let l = a.label()
        stubs.append(.side(l, slot: slot, pending: slotPending, count: slotCount))
        return l
    }

    private mutating func emitStubs() {
        for stub in stubs {
            switch stub {
            case .side(let l, let s, let p, let n):
                a.bind(l)
                if p != 0 { a.lea(.r13, .r13, Int32(truncatingIfNeeded: p)) }
                retire(n)
                a.movImm(.rax, UInt64(s) | JITFrame.interpretBit)
                a.jmp(absolute: exit)
            case .taken(let l, let offset, let n):
                a.bind(l)
                taken(offset: offset, retired: n)
            }
        }
    }

    // MARK: Operands

    @inline(__always) func at(_ r: UInt8) -> Int32 { Int32(r) * 8 }
    mutating func get(_ dst: R, _ r: UInt8, wide: Bool = true) { a.load(dst, .rbx, at(r), size: wide ? 8 : 4) }
    mutating func put(_ src: R, _ r: UInt8) { a.store(src, .rbx, at(r), size: 8) }

    /// dst op= imm at the width (64-bit immediates through R8).
    mutating func alu(_ op: X86Assembler.ALU, _ dst: R, imm: UInt64, wide: Bool) {
        if !wide || X86Assembler.fits32(imm) {
            a.alu(op, dst, imm: Int32(truncatingIfNeeded: imm), wide: wide)
        } else {
            a.movImm(.r8, imm)
            a.alu(op, dst, .r8)
        }
    }

    /// ShiftReg(): Rm at the width, shifted by type (LSL, LSR, ASR, ROR) and amount.
    mutating func shifted(_ dst: R, _ r: UInt8, type: UInt8, amount: UInt8, wide: Bool) {
        get(dst, r, wide: wide)
        guard amount != 0 else { return }
        let op: X86Assembler.Shift = [.shl, .shr, .sar, .ror][Int(type & 3)]
        a.shift(op, dst, amount, wide: wide)
    }

    /// ExtendReg(): option 0-3 zero-extends B/H/W/X, 4-7 sign-extends, then shifts left.
    mutating func extended(_ dst: R, _ r: UInt8, option: UInt8, shift: UInt8) {
        a.load(dst, .rbx, at(r), size: 1 << Int(option & 3), signed: option & 4 != 0)
        if shift != 0 { a.shift(.shl, dst, shift) }
    }

    mutating func recordFlags(_ op: FlagOp, a ra: R?, b rb: R?, result: R) {
        a.storeImm(.rbp, JITFrame.flagOp, Int32(op.rawValue), size: 1)
        if let ra { a.store(ra, .rbp, JITFrame.flagA, size: 8) }
        if let rb { a.store(rb, .rbp, JITFrame.flagB, size: 8) }
        a.store(result, .rbp, JITFrame.flagR, size: 8)
        flags = op
    }

    /// x86 conditions for A64's EQ...LE on flags of an addition or logical operation (C = CF),
    /// and of a subtraction (C = NOT CF); HI and LS have no single x86 form when C = CF.
    private static let direct: [CC?] = [.e, .ne, .b, .ae, .s, .ns, .o, .no, nil, nil, .ge, .l, .g, .le]
    private static let borrow: [CC?] = [.e, .ne, .ae, .b, .s, .ns, .o, .no, .a, .be, .ge, .l, .g, .le]

    /// Sets x86 flags so that the returned condition holds exactly when A64 condition `cond`
    /// does; nil for AL and NV (always). Clobbers RAX and the caller-saved registers.
    mutating func condition(_ cond: UInt8) -> CC? {
        guard cond < 14 else { return nil }
        switch flags {
        case .sub64?, .sub32?:
            let wide = flags == .sub64
            a.load(.rax, .rbp, JITFrame.flagA, size: wide ? 8 : 4)
            a.alu(.cmp, .rax, .rbp, JITFrame.flagB, wide: wide)
            return Self.borrow[Int(cond)]
        case .add64? where Self.direct[Int(cond)] != nil, .add32? where Self.direct[Int(cond)] != nil:
            let wide = flags == .add64
            a.load(.rax, .rbp, JITFrame.flagA, size: wide ? 8 : 4)
            a.alu(.add, .rax, .rbp, JITFrame.flagB, wide: wide)
            return Self.direct[Int(cond)]
        case .logic64? where Self.direct[Int(cond)] != nil, .logic32? where Self.direct[Int(cond)] != nil:
            let wide = flags == .logic64
            a.load(.rax, .rbp, JITFrame.flagR, size: wide ? 8 : 4)
            a.test(.rax, .rax, wide: wide)
            return Self.direct[Int(cond)]
        case .materialized?:
            // ConditionHolds() as data (Fusion.conditionMask): bit NZCV of the condition's mask.
            a.load(.rax, .rbp, JITFrame.nzcv, size: 4)
            a.shift(.shr, .rax, 28, wide: false)
            a.movImm(.rcx, UInt64(Fusion.conditionMask(cond)))
            a.bt(.rcx, bit: .rax)
            return .b
        default:
            a.mov(.rdi, .rbp)
            a.movImm(.rsi, UInt64(cond))
            a.movImm(.rax, UInt64(UInt(bitPattern: unsafeBitCast(jitConditionHolds, to: UnsafeRawPointer.self))))
            a.call(.rax)
            a.test(.rax, .rax, wide: false)
            return .ne
        }
    }

    /// NZCV (bits 31:28) into CPUState from the x86 flags of an addition (`borrow` false: C = CF)
    /// or subtraction (C = NOT CF), recorded as materialised. Clobbers RAX, RCX, RDX, R8.
    mutating func materializeFlags(borrow: Bool) {
        for r: R in [.rax, .rcx, .rdx, .r8] { a.movImm(r, 0) }
        a.setcc(.s, .rax)
        a.setcc(.e, .rcx)
        a.setcc(borrow ? .ae : .b, .rdx)
        a.setcc(.o, .r8)
        a.shift(.shl, .rax, 31, wide: false)
        a.shift(.shl, .rcx, 30, wide: false)
        a.shift(.shl, .rdx, 29, wide: false)
        a.shift(.shl, .r8, 28, wide: false)
        a.alu(.or, .rax, .rcx, wide: false)
        a.alu(.or, .rax, .rdx, wide: false)
        a.alu(.or, .rax, .r8, wide: false)
        a.store(.rax, .rbp, JITFrame.nzcv, size: 8)
        a.storeImm(.rbp, JITFrame.flagOp, Int32(FlagOp.materialized.rawValue), size: 1)
        flags = .materialized
    }

    /// A conditional branch at the current slot whose condition `cc` holds in the x86 flags (nil:
    /// always), `offset` bytes from the page's start, retiring `n` instructions.
    private mutating func branch(_ cc: CC?, offset: Int64, retiring n: UInt64, next: Int) -> Step {
        flushCycles()
        count &+= n
        guard let cc else { taken(offset: offset, retired: count); return .ended }
        let l = a.label()
        a.jcc(cc, l)
        stubs.append(.taken(l, offset: offset, count: count))
        return .next(next)
    }

    // MARK: Instructions

    static func translates(_ insn: Insn) -> Bool {
        switch insn.op {
        case .addImm64, .addImm32, .subImm64, .subImm32, .addsImm64, .addsImm32, .subsImm64, .subsImm32,
             .andImm64, .andImm32, .orrImm64, .orrImm32, .eorImm64, .eorImm32, .andsImm64, .andsImm32,
             .movConst, .movk64, .movk32, .adr, .adrp, .ubfx, .ubfiz, .sbfx, .sbfiz, .bfxil, .bfi, .extr64,
             .b, .bl, .bCond, .cbz64, .cbz32, .cbnz64, .cbnz32, .tbz, .tbnz, .br, .blr, .ret,
             .cmpImmBcc64, .cmpImmBcc32, .cmpRegBcc64, .cmpRegBcc32, .cmnImmBcc64, .cmnImmBcc32,
             .addReg64, .addReg32, .addsReg64, .addsReg32, .subReg64, .subReg32, .subsReg64, .subsReg32,
             .andReg64, .andReg32, .orrReg64, .orrReg32, .eorReg64, .eorReg32, .andsReg64, .andsReg32,
             .movReg64, .movReg32, .addExt, .addsExt, .subExt, .subsExt, .csel, .csinc, .csinv, .csneg,
             .madd64, .madd32, .msub64, .msub32, .smaddl, .smsubl, .umaddl, .umsubl, .smulh, .umulh,
             .udiv, .sdiv, .lslv, .lsrv, .asrv, .rorv, .clz,
             .ldrX, .ldrW, .ldrH, .ldrB, .ldrsw, .ldrshX, .ldrshW, .ldrsbX, .ldrsbW, .strX, .strW, .strB,
             .ldrXr, .ldrWr, .ldrBr, .strXr, .strWr, .strBr, .ldpX, .stpX, .nop, .barrier,
             .extr32, .adc, .adcs, .sbc, .sbcs, .ccmp, .ccmn:
            return true
        case .rev64: return true
        case .ldst: return insn.b <= AddrMode.register.rawValue && insn.a != LoadKind.prfm.rawValue
        case .ldp, .stp: return insn.b <= AddrMode.postIndex.rawValue
        default: return false
        }
    }

    private mutating func emit(_ insn: Insn, _ i: Int) -> Step {
        let rd = insn.rd, rn = insn.rn, rm = insn.rm, imm = insn.imm
        let next = Step.next(i + 1)
        switch insn.op {
        // MARK: Data processing (immediate)
        case .addImm64, .addImm32, .subImm64, .subImm32:
            let wide = insn.op == .addImm64 || insn.op == .subImm64
            get(.rax, rn)
            alu(insn.op == .addImm64 || insn.op == .addImm32 ? .add : .sub, .rax, imm: imm, wide: wide)
            put(.rax, rd)
        case .addsImm64, .addsImm32, .subsImm64, .subsImm32:
            let wide = insn.op == .addsImm64 || insn.op == .subsImm64
            let add = insn.op == .addsImm64 || insn.op == .addsImm32
            get(.rax, rn, wide: wide)
            a.movImm(.rcx, imm)
            a.store(.rax, .rbp, JITFrame.flagA, size: 8)
            a.alu(add ? .add : .sub, .rax, .rcx, wide: wide)
            recordFlags(add ? (wide ? .add64 : .add32) : (wide ? .sub64 : .sub32), a: nil, b: .rcx, result: .rax)
            put(.rax, rd)
        case .andImm64, .andImm32, .orrImm64, .orrImm32, .eorImm64, .eorImm32, .andsImm64, .andsImm32:
            let wide = [.andImm64, .orrImm64, .eorImm64, .andsImm64].contains(insn.op)
            let op: X86Assembler.ALU = [.orrImm64, .orrImm32].contains(insn.op) ? .or : ([.eorImm64, .eorImm32].contains(insn.op) ? .xor : .and)
            get(.rax, rn)
            alu(op, .rax, imm: imm, wide: wide)
            if insn.op == .andsImm64 || insn.op == .andsImm32 { recordFlags(wide ? .logic64 : .logic32, a: nil, b: nil, result: .rax) }
            put(.rax, rd)
        case .movConst:
            a.movImm(.rax, imm)
            put(.rax, rd)
        case .movk64, .movk32:
            let sh = UInt64(insn.a), keep: UInt64 = insn.op == .movk32 ? 0xFFFF_FFFF : ~0
            get(.rax, rn)
            alu(.and, .rax, imm: ~(0xFFFF &<< sh) & keep, wide: true)
            alu(.or, .rax, imm: (imm &<< sh) & keep, wide: true)
            put(.rax, rd)
        case .adr, .adrp:
            a.load(.rax, .rsp, 0, size: 8)
            let offset = insn.op == .adr ? UInt64(i << 2) &+ imm : imm
            alu(.add, .rax, imm: offset, wide: true)
            put(.rax, rd)
        case .ubfx:
            get(.rax, rn)
            if insn.a != 0 { a.shift(.shr, .rax, insn.a) }
            alu(.and, .rax, imm: imm, wide: true)
            put(.rax, rd)
        case .ubfiz:
            get(.rax, rn)
            alu(.and, .rax, imm: imm, wide: true)
            if insn.a != 0 { a.shift(.shl, .rax, insn.a) }
            if insn.ra != 0 { a.mov(.rax, .rax, wide: false) }
            put(.rax, rd)
        case .sbfx, .sbfiz:
            get(.rax, rn)
            if insn.op == .sbfx {
                let top = 64 - Int(insn.a) - Int(insn.b)
                if top != 0 { a.shift(.shl, .rax, UInt8(top)) }
                if top + Int(insn.a) != 0 { a.shift(.sar, .rax, UInt8(top + Int(insn.a))) }
            } else {
                let top = 64 - Int(insn.b)
                if top != 0 { a.shift(.shl, .rax, UInt8(top)); a.shift(.sar, .rax, UInt8(top)) }
                if insn.a != 0 { a.shift(.shl, .rax, insn.a) }
            }
            if insn.ra != 0 { a.mov(.rax, .rax, wide: false) }
            put(.rax, rd)
        case .bfxil, .bfi:
            get(.rax, rn)
            if insn.a != 0 { a.shift(insn.op == .bfxil ? .shr : .shl, .rax, insn.a) }
            alu(.and, .rax, imm: imm, wide: true)
            get(.rcx, rm)
            alu(.and, .rcx, imm: ~imm, wide: true)
            a.alu(.or, .rax, .rcx)
            if insn.ra != 0 { a.mov(.rax, .rax, wide: false) }
            put(.rax, rd)
        case .extr64:
            get(.rax, rm)
            if insn.a != 0 {
                a.shift(.shr, .rax, insn.a)
                get(.rcx, rn)
                a.shift(.shl, .rcx, 64 - insn.a)
                a.alu(.or, .rax, .rcx)
            }
            put(.rax, rd)

        case .extr32:
            get(.rax, rm, wide: false)
            get(.rcx, rn, wide: false)
            a.shift(.shl, .rcx, 32)
            a.alu(.or, .rax, .rcx)
            if insn.a != 0 { a.shift(.shr, .rax, insn.a) }
            a.mov(.rax, .rax, wide: false)
            put(.rax, rd)

        // MARK: Branches
        case .b:
            return branch(nil, offset: Int64(i << 2) &+ Int64(bitPattern: imm), retiring: 1, next: i + 1)
        case .bl:
            a.load(.rax, .rsp, 0, size: 8)
            a.alu(.add, .rax, imm: Int32((i << 2) + 4))
            put(.rax, 30)
            return branch(nil, offset: Int64(i << 2) &+ Int64(bitPattern: imm), retiring: 1, next: i + 1)
        case .bCond:
            let cc = condition(insn.a)
            return branch(cc, offset: Int64(i << 2) &+ Int64(bitPattern: imm), retiring: 1, next: i + 1)
        case .cbz64, .cbz32, .cbnz64, .cbnz32:
            let wide = insn.op == .cbz64 || insn.op == .cbnz64
            get(.rax, rn, wide: wide)
            a.test(.rax, .rax, wide: wide)
            let cc: CC = insn.op == .cbz64 || insn.op == .cbz32 ? .e : .ne
            return branch(cc, offset: Int64(i << 2) &+ Int64(bitPattern: imm), retiring: 1, next: i + 1)
        case .tbz, .tbnz:
            a.bt(.rbx, at(rn), bit: insn.a)
            return branch(insn.op == .tbz ? .ae : .b, offset: Int64(i << 2) &+ Int64(bitPattern: imm), retiring: 1, next: i + 1)
        case .cmpImmBcc64, .cmpImmBcc32, .cmpRegBcc64, .cmpRegBcc32, .cmnImmBcc64, .cmnImmBcc32:
            let word = (host + ((i + 1) << 2)).load(as: UInt32.self)
            let bcc = Decoder.shared.decode(word)
            guard bcc.op == .bCond else { return .unsupported }
            let wide = insn.op == .cmpImmBcc64 || insn.op == .cmpRegBcc64 || insn.op == .cmnImmBcc64
            let add = insn.op == .cmnImmBcc64 || insn.op == .cmnImmBcc32
            get(.rax, rn, wide: wide)
            if insn.op == .cmpRegBcc64 || insn.op == .cmpRegBcc32 { get(.rcx, rm, wide: wide) } else { a.movImm(.rcx, imm & 0xFFFF_FFFF) }
            a.store(.rax, .rbp, JITFrame.flagA, size: 8)
            a.alu(add ? .add : .sub, .rax, .rcx, wide: wide)
            // Stores leave the x86 flags of the compare for the branch.
            a.storeImm(.rbp, JITFrame.flagOp, Int32((add ? (wide ? FlagOp.add64 : .add32) : (wide ? FlagOp.sub64 : .sub32)).rawValue), size: 1)
            a.store(.rcx, .rbp, JITFrame.flagB, size: 8)
            a.store(.rax, .rbp, JITFrame.flagR, size: 8)
            put(.rax, rd)
            flags = add ? (wide ? .add64 : .add32) : (wide ? .sub64 : .sub32)
            let offset = Int64((i + 1) << 2) &+ (Int64(bitPattern: imm) >> 32)
            let cond = bcc.a
            let live = cond >= 14 ? nil : (add ? Self.direct[Int(cond)] : Self.borrow[Int(cond)])
            let cc = cond >= 14 || live != nil ? live : condition(cond)
            return branch(cc, offset: offset, retiring: 2, next: i + 2)
        case .br, .ret, .blr:
            get(.rax, rn)
            a.store(.rax, .rbp, JITFrame.pc, size: 8)
            if insn.op == .blr {
                a.load(.rcx, .rsp, 0, size: 8)
                a.alu(.add, .rcx, imm: Int32((i << 2) + 4))
                put(.rcx, 30)
            }
            flushCycles()
            count &+= 1
            retire()
            a.movImm(.rax, JITFrame.breakBit)
            a.jmp(absolute: exit)
            return .ended

        // MARK: Data processing (register)
        case .movReg64, .movReg32:
            get(.rax, rm, wide: insn.op == .movReg64)
            put(.rax, rd)
        case .addReg64, .addReg32, .subReg64, .subReg32, .addsReg64, .addsReg32, .subsReg64, .subsReg32:
            let wide = [.addReg64, .subReg64, .addsReg64, .subsReg64].contains(insn.op)
            let add = [.addReg64, .addReg32, .addsReg64, .addsReg32].contains(insn.op)
            let setsFlags = [.addsReg64, .addsReg32, .subsReg64, .subsReg32].contains(insn.op)
            shifted(.rcx, rm, type: insn.a, amount: insn.b, wide: wide)
            get(.rax, rn, wide: wide)
            if setsFlags { a.store(.rax, .rbp, JITFrame.flagA, size: 8) }
            a.alu(add ? .add : .sub, .rax, .rcx, wide: wide)
            if setsFlags { recordFlags(add ? (wide ? .add64 : .add32) : (wide ? .sub64 : .sub32), a: nil, b: .rcx, result: .rax) }
            put(.rax, rd)
        case .andReg64, .andReg32, .orrReg64, .orrReg32, .eorReg64, .eorReg32, .andsReg64, .andsReg32:
            let wide = [.andReg64, .orrReg64, .eorReg64, .andsReg64].contains(insn.op)
            let op: X86Assembler.ALU = [.orrReg64, .orrReg32].contains(insn.op) ? .or : ([.eorReg64, .eorReg32].contains(insn.op) ? .xor : .and)
            shifted(.rcx, rm, type: insn.a, amount: insn.b, wide: wide)
            if insn.ra != 0 { a.group3(2, .rcx, wide: wide) }
            get(.rax, rn, wide: wide)
            a.alu(op, .rax, .rcx, wide: wide)
            if insn.op == .andsReg64 || insn.op == .andsReg32 { recordFlags(wide ? .logic64 : .logic32, a: nil, b: nil, result: .rax) }
            put(.rax, rd)
        case .addExt, .subExt, .addsExt, .subsExt:
            let wide = insn.ra & 1 == 0
            let sub = insn.op == .subExt || insn.op == .subsExt
            extended(.rcx, rm, option: insn.a, shift: insn.b)
            if !wide { a.mov(.rcx, .rcx, wide: false) }
            get(.rax, rn, wide: wide)
            let setsFlags = insn.op == .addsExt || insn.op == .subsExt
            if setsFlags { a.store(.rax, .rbp, JITFrame.flagA, size: 8) }
            a.alu(sub ? .sub : .add, .rax, .rcx, wide: wide)
            if setsFlags { recordFlags(sub ? (wide ? .sub64 : .sub32) : (wide ? .add64 : .add32), a: nil, b: .rcx, result: .rax) }
            put(.rax, rd)
        case .csel, .csinc, .csinv, .csneg:
            let cc = condition(insn.a)
            if let cc { a.movImm(.r8, 0); a.setcc(cc, .r8) }
            get(.rax, rn)
            get(.rcx, rm)
            switch insn.op {
            case .csinc: a.lea(.rcx, .rcx, 1)
            case .csinv: a.group3(2, .rcx)
            case .csneg: a.group3(3, .rcx)
            default: break
            }
            if cc != nil {
                a.test(.r8, .r8, wide: false)
                a.cmov(.e, .rax, .rcx)
            }
            if insn.ra != 0 { a.mov(.rax, .rax, wide: false) }
            put(.rax, rd)
        case .adc, .adcs, .sbc, .sbcs:
            // AddWithCarry(Rn, Rm or NOT Rm, C): x86's ADC with CF = C gives the result and, for
            // the flag-setting forms, NZCV with C = CF.
            let wide = insn.ra & 1 == 0
            let cc = condition(2)!
            a.movImm(.r9, 0)
            a.setcc(cc, .r9)
            get(.rcx, rm, wide: wide)
            if insn.op == .sbc || insn.op == .sbcs { a.group3(2, .rcx, wide: wide) }
            get(.rax, rn, wide: wide)
            a.alu(.add, .r9, imm: -1, wide: false)     // CF = C
            a.alu(.adc, .rax, .rcx, wide: wide)
            a.mov(.rsi, .rax, wide: wide)
            if insn.op == .adcs || insn.op == .sbcs { materializeFlags(borrow: false) }
            put(.rsi, rd)
        case .ccmp, .ccmn:
            // NZCV of Rn - op2 (Rn + op2) when the condition holds, else the immediate nzcv.
            let wide = insn.ra & 1 == 0, sub = insn.op == .ccmp
            let cc = condition(insn.a)
            let otherwise = a.label(), done = a.label()
            if let cc { a.jcc(cc.inverted, otherwise) }
            get(.rax, rn, wide: wide)
            if insn.ra & 2 != 0 { a.movImm(.rcx, imm) } else { get(.rcx, rm, wide: wide) }
            a.alu(sub ? .cmp : .add, .rax, .rcx, wide: wide)
            materializeFlags(borrow: sub)
            a.jmp(done)
            a.bind(otherwise)
            a.movImm(.rax, UInt64(insn.b) << 28)
            a.store(.rax, .rbp, JITFrame.nzcv, size: 8)
            a.storeImm(.rbp, JITFrame.flagOp, Int32(FlagOp.materialized.rawValue), size: 1)
            a.bind(done)
            flags = .materialized
        case .madd64, .madd32, .msub64, .msub32:
            let wide = insn.op == .madd64 || insn.op == .msub64
            get(.rax, rn)
            get(.rcx, rm)
            a.imul(.rax, .rcx, wide: wide)
            get(.rcx, insn.ra)
            if insn.op == .madd64 || insn.op == .madd32 {
                a.alu(.add, .rax, .rcx, wide: wide)
                put(.rax, rd)
            } else {
                a.alu(.sub, .rcx, .rax, wide: wide)
                put(.rcx, rd)
            }
        case .smaddl, .smsubl, .umaddl, .umsubl:
            let signed = insn.op == .smaddl || insn.op == .smsubl
            a.load(.rax, .rbx, at(rn), size: 4, signed: signed)
            a.load(.rcx, .rbx, at(rm), size: 4, signed: signed)
            a.imul(.rax, .rcx)
            get(.rcx, insn.ra)
            if insn.op == .smaddl || insn.op == .umaddl {
                a.alu(.add, .rax, .rcx)
                put(.rax, rd)
            } else {
                a.alu(.sub, .rcx, .rax)
                put(.rcx, rd)
            }
        case .smulh, .umulh:
            get(.rax, rn)
            get(.rcx, rm)
            a.group3(insn.op == .smulh ? 5 : 4, .rcx)
            put(.rdx, rd)
        case .udiv, .sdiv:
            let wide = insn.ra & 1 == 0
            let done = a.label(), zero = a.label()
            get(.rax, rn, wide: wide)
            get(.rcx, rm, wide: wide)
            a.test(.rcx, .rcx, wide: wide)
            a.jcc(.e, zero)
            if insn.op == .udiv {
                a.alu(.xor, .rdx, .rdx, wide: false)
                a.group3(6, .rcx, wide: wide)
            } else {
                // INT_MIN / -1 traps on x86; A64 gives INT_MIN, which is the negation.
                let divide = a.label()
                a.alu(.cmp, .rcx, imm: -1, wide: wide)
                a.jcc(.ne, divide)
                a.group3(3, .rax, wide: wide)
                a.jmp(done)
                a.bind(divide)
                a.signExtendRAX(wide: wide)
                a.group3(7, .rcx, wide: wide)
            }
            a.jmp(done)
            a.bind(zero)
            a.alu(.xor, .rax, .rax, wide: false)
            a.bind(done)
            if !wide { a.mov(.rax, .rax, wide: false) }
            put(.rax, rd)
        case .lslv, .lsrv, .asrv, .rorv:
            let wide = insn.ra & 1 == 0
            get(.rcx, rm)
            get(.rax, rn, wide: wide)
            let op: X86Assembler.Shift = insn.op == .lslv ? .shl : (insn.op == .lsrv ? .shr : (insn.op == .asrv ? .sar : .ror))
            a.shiftCL(op, .rax, wide: wide)
            put(.rax, rd)
        case .clz:
            let wide = insn.ra & 1 == 0
            get(.rax, rn, wide: wide)
            a.movImm(.rdx, UInt64.max)
            a.bsr(.rcx, .rax, wide: wide)
            a.cmov(.e, .rcx, .rdx)
            a.movImm(.rax, wide ? 63 : 31)
            a.alu(.sub, .rax, .rcx)
            put(.rax, rd)
        case .rev64:
            let wide = insn.ra & 1 == 0
            get(.rax, rn, wide: wide)
            a.bswap(.rax, wide: wide)
            put(.rax, rd)

        // MARK: Loads and stores
        case .ldrX, .ldrW, .ldrH, .ldrB, .ldrsw, .ldrshX, .ldrshW, .ldrsbX, .ldrsbW, .strX, .strW, .strB,
             .ldrXr, .ldrWr, .ldrBr, .strXr, .strWr, .strBr, .ldst, .ldpX, .stpX, .ldp, .stp:
            guard memory(insn) else { return .unsupported }
        case .nop:
            break
        case .barrier:
            // ISB ends the block (context changes are seen at the next one); DMB and DSB order
            // nothing in a sequential model.
            if insn.a == 2 {
                flushCycles()
                count &+= 1
                retire()
                breakTo(offset: Int64((i << 2) + 4))
                return .ended
            }
        default:
            return .unsupported
        }
        count &+= 1
        return next
    }
}
