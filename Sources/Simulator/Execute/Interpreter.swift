/// The hot loop: one function, one switch over predecoded instructions of the current page.
/// Register file and state are reached through raw pointers; memory accesses try the software
/// TLB's host-pointer fast path first. Rare instructions go to `@inline(never)` handlers.
extension Core {
    @_transparent func shifted64(_ v: UInt64, _ type: UInt8, _ amount: UInt8) -> UInt64 {
        // Bit tests rather than a switch: a four-way switch becomes a jump table, an indirect
        // branch per shifted-register instruction; LSL (mostly #0) comes first.
        let n = UInt64(amount)
        if type & 2 == 0 { return type & 1 == 0 ? v &<< n : v &>> n }
        if type & 1 == 0 { return UInt64(bitPattern: Int64(bitPattern: v) &>> Int64(n)) }
        return n == 0 ? v : (v &>> n) | (v &<< (64 &- n))
    }

    @_transparent func shifted32(_ v: UInt64, _ type: UInt8, _ amount: UInt8) -> UInt64 {
        let w = UInt32(truncatingIfNeeded: v), n = UInt32(amount)
        if type & 2 == 0 { return UInt64(type & 1 == 0 ? w &<< n : w &>> n) }
        if type & 1 == 0 { return UInt64(UInt32(bitPattern: Int32(bitPattern: w) &>> Int32(n))) }
        return UInt64(n == 0 ? w : (w &>> n) | (w &<< (32 &- n)))
    }

    /// ExtendReg(): option 0-3 zero-extend B/H/W/X, 4-7 sign-extend, then shift left. Computed
    /// with shifts (the field's width is 8 << size) rather than an eight-way switch, which would
    /// be a jump table: an indirect branch per register-offset access.
    @_transparent func extended(_ v: UInt64, _ option: UInt8, _ shift: UInt8) -> UInt64 {
        let unused = 64 &- (8 &<< UInt64(option & 3))
        let high = v &<< unused
        let e = option & 4 != 0 ? UInt64(bitPattern: Int64(bitPattern: high) &>> Int64(unused)) : high &>> unused
        return e &<< UInt64(shift)
    }

    /// Host pointer for a `mask+1`-byte aligned read at `va`, or nil (slow path).
    @_transparent func fastRead(_ va: UInt64, _ mask: UInt64) -> UnsafeMutableRawPointer? {
        let e = tlbCurrent + Int(truncatingIfNeeded: (va &>> 12) & UInt64(SoftTLB.entries - 1))
        if va & (~0xFFF | mask) == e.pointee.readTag { return UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: va &+ e.pointee.addend)) }
        return nil
    }

    @_transparent func fastWrite(_ va: UInt64, _ mask: UInt64) -> UnsafeMutableRawPointer? {
        let e = tlbCurrent + Int(truncatingIfNeeded: (va &>> 12) & UInt64(SoftTLB.entries - 1))
        if va & (~0xFFF | mask) == e.pointee.writeTag { return UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: va &+ e.pointee.addend)) }
        return nil
    }

    /// A single-register load of kind `kind` (LoadKind raw value, prefetch excluded) through the
    /// TLB fast path, extended as the kind says; nil when the slow path must decide.
    @_transparent func fastLoad(_ kind: UInt8, _ va: UInt64) -> UInt64? {
        switch kind {
        case LoadKind.ldrX.rawValue: return fastRead(va, 7)?.load(as: UInt64.self)
        case LoadKind.ldrW.rawValue: return fastRead(va, 3).map { UInt64($0.load(as: UInt32.self)) }
        case LoadKind.ldrH.rawValue: return fastRead(va, 1).map { UInt64($0.load(as: UInt16.self)) }
        case LoadKind.ldrB.rawValue: return fastRead(va, 0).map { UInt64($0.load(as: UInt8.self)) }
        case LoadKind.ldrsw.rawValue: return fastRead(va, 3).map { UInt64(bitPattern: Int64($0.load(as: Int32.self))) }
        case LoadKind.ldrshX.rawValue: return fastRead(va, 1).map { UInt64(bitPattern: Int64($0.load(as: Int16.self))) }
        case LoadKind.ldrshW.rawValue: return fastRead(va, 1).map { UInt64(UInt32(bitPattern: Int32($0.load(as: Int16.self)))) }
        case LoadKind.ldrsbX.rawValue: return fastRead(va, 0).map { UInt64(bitPattern: Int64($0.load(as: Int8.self))) }
        case LoadKind.ldrsbW.rawValue: return fastRead(va, 0).map { UInt64(UInt32(bitPattern: Int32($0.load(as: Int8.self)))) }
        default: return nil
        }
    }

    /// A single-register store of kind `kind` through the TLB fast path; false when the slow path must decide.
    @_transparent func fastStore(_ kind: UInt8, _ va: UInt64, _ v: UInt64) -> Bool {
        switch kind {
        case LoadKind.strX.rawValue:
            guard let p = fastWrite(va, 7) else { return false }
            p.storeBytes(of: v, as: UInt64.self)
        case LoadKind.strW.rawValue:
            guard let p = fastWrite(va, 3) else { return false }
            p.storeBytes(of: UInt32(truncatingIfNeeded: v), as: UInt32.self)
        case LoadKind.strH.rawValue:
            guard let p = fastWrite(va, 1) else { return false }
            p.storeBytes(of: UInt16(truncatingIfNeeded: v), as: UInt16.self)
        case LoadKind.strB.rawValue:
            guard let p = fastWrite(va, 0) else { return false }
            p.storeBytes(of: UInt8(truncatingIfNeeded: v), as: UInt8.self)
        default: return false
        }
        return true
    }

    /// Runs until `state.deadline` cycles, a wait, or a halt. Under a debugger (`DebugControl`)
    /// blocks are one instruction long (`debugPage`) and the debugger looks before each; a block
    /// cut short that way (`midBlock`) neither takes interrupts nor yields at the deadline, as
    /// the undebugged block would not have, so the run is the same.
    public func run() -> StopReason {
        while true {
            let stop = runBlocks()
            // Self-hosted debug started or stopped looking before each instruction: go on in the
            // other mode, to the deadline the machine gave.
            guard let deadline = debugModeSwitch else { return stop }
            debugModeSwitch = nil
            state.pointee.deadline = deadline
            if power != .on || machine.outcome != nil { return stop }
        }
    }

    @inline(never)
    func runBlocks() -> StopReason {
        let s = state, r = x
        let debugging = machine.debug.active || selfDebug.instructionChecks
        // Translated code mirrors this loop without its debugger and a53 hooks.
        let translating = jit != nil && !debugging && a53Ref == nil
        blocks: while s.pointee.cycles < s.pointee.deadline || (debugging && s.pointee.midBlock) {
            guard power == .on else { return .waiting }
            let startPC: UInt64, page: UnsafeMutablePointer<Insn>, host: UnsafeMutableRawPointer
            if _slowPath(debugging) {
                guard let b = debugBlockStart() else { continue }
                (startPC, page, host) = b
            } else {
                if interruptInputs && checkInterrupts() { continue }
                startPC = s.pointee.pc
                // The exec-TLB hit inline (every cross-page branch and return lands here); misses,
                // misaligned PCs and PSTATE.IL take fetchPage's checks.
                let te = tlbCurrent + Int(truncatingIfNeeded: (startPC &>> 12) & UInt64(SoftTLB.entries - 1))
                if te.pointee.execTag == startPC & ~0xFFF, startPC & 3 == 0, s.pointee.il == 0, let code = te.pointee.code {
                    page = code
                    host = UnsafeMutableRawPointer(bitPattern: UInt(truncatingIfNeeded: (startPC & ~0xFFF) &+ te.pointee.addend))!
                } else {
                    guard let (p, h) = fetchPage(startPC) else { continue }
                    page = p; host = h
                }
                if _slowPath(a53Ref != nil) && startPC &>> 6 != a53FetchLine { s.pointee.cycles &+= a53Fetch(startPC) }
            }
            let pageVA = startPC & ~0xFFF
            var i = Int(truncatingIfNeeded: (startPC & 0xFFF) &>> 2)
            // The cycle counter lives in a register while the block runs and is stored around every
            // call that may read or change it. Instructions retired are counted by position: a
            // straight run from `blockStart` to `i` retires i - blockStart + 1 instructions.
            var cycles = s.pointee.cycles, deadline = s.pointee.deadline
            var blockStart = i
            s.pointee.instructionFaulted = false     // set by an exception taken at the block's fetch
            // The slot after one translated code left to the interpreter: translated code goes on there.
            var resumeAt = Int.max
            dispatch: while true {
            if translating {
                s.pointee.cycles = cycles
                // The block may end in translated code, which has then counted what it ran.
                guard runTranslated(page, host, pageVA, &i) else { continue blocks }
                cycles = s.pointee.cycles
                blockStart = i
                resumeAt = i < 1023 ? i &+ 1 : Int.max
            }
            inner: while true {
                let insn = page + i
                cycles &+= UInt64(insn.pointee.cost)
                // (No SP alignment check here: the decoder gives SP-based loads and stores the
                // general `ldst` form, which makes it.)
                switch insn.pointee.op {
                case .undecoded:
                    page[i] = decodeSlot(host, i, page)
                    continue inner
                case .pageEnd:
                    // The sentinel is not an instruction: count up to the slot before it.
                    blockStart &+= 1
                    s.pointee.pc = pageVA &+ 0x1000
                    break inner
                case .debugStop:
                    // A debugger's one-instruction block ends where the undebugged one goes on.
                    blockStart &+= 1
                    s.pointee.pc = pageVA | UInt64(truncatingIfNeeded: i &<< 2)
                    s.pointee.midBlock = true
                    break inner

                // MARK: Data processing (immediate)
                case .addImm64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rn)] &+ insn.pointee.imm
                case .addImm32: r[Int(insn.pointee.rd)] = UInt64(UInt32(truncatingIfNeeded: r[Int(insn.pointee.rn)] &+ insn.pointee.imm))
                case .subImm64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rn)] &- insn.pointee.imm
                case .subImm32: r[Int(insn.pointee.rd)] = UInt64(UInt32(truncatingIfNeeded: r[Int(insn.pointee.rn)] &- insn.pointee.imm))
                case .addsImm64:
                    let a = r[Int(insn.pointee.rn)], res = a &+ insn.pointee.imm
                    s.pointee.flagOp = .add64; s.pointee.flagA = a; s.pointee.flagB = insn.pointee.imm; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .addsImm32:
                    let a = r[Int(insn.pointee.rn)] & 0xFFFF_FFFF, res = (a &+ insn.pointee.imm) & 0xFFFF_FFFF
                    s.pointee.flagOp = .add32; s.pointee.flagA = a; s.pointee.flagB = insn.pointee.imm; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .subsImm64:
                    let a = r[Int(insn.pointee.rn)], res = a &- insn.pointee.imm
                    s.pointee.flagOp = .sub64; s.pointee.flagA = a; s.pointee.flagB = insn.pointee.imm; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .subsImm32:
                    let a = r[Int(insn.pointee.rn)] & 0xFFFF_FFFF, res = (a &- insn.pointee.imm) & 0xFFFF_FFFF
                    s.pointee.flagOp = .sub32; s.pointee.flagA = a; s.pointee.flagB = insn.pointee.imm; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .andImm64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rn)] & insn.pointee.imm
                case .andImm32: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rn)] & insn.pointee.imm & 0xFFFF_FFFF
                case .orrImm64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rn)] | insn.pointee.imm
                case .orrImm32: r[Int(insn.pointee.rd)] = (r[Int(insn.pointee.rn)] | insn.pointee.imm) & 0xFFFF_FFFF
                case .eorImm64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rn)] ^ insn.pointee.imm
                case .eorImm32: r[Int(insn.pointee.rd)] = (r[Int(insn.pointee.rn)] ^ insn.pointee.imm) & 0xFFFF_FFFF
                case .andsImm64:
                    let res = r[Int(insn.pointee.rn)] & insn.pointee.imm
                    s.pointee.flagOp = .logic64; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .andsImm32:
                    let res = r[Int(insn.pointee.rn)] & insn.pointee.imm & 0xFFFF_FFFF
                    s.pointee.flagOp = .logic32; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .movConst: r[Int(insn.pointee.rd)] = insn.pointee.imm
                case .movk64:
                    let sh = UInt64(insn.pointee.a)
                    r[Int(insn.pointee.rd)] = (r[Int(insn.pointee.rn)] & ~(0xFFFF &<< sh)) | (insn.pointee.imm &<< sh)
                case .movk32:
                    let sh = UInt64(insn.pointee.a)
                    r[Int(insn.pointee.rd)] = ((r[Int(insn.pointee.rn)] & ~(0xFFFF &<< sh)) | (insn.pointee.imm &<< sh)) & 0xFFFF_FFFF
                case .adr: r[Int(insn.pointee.rd)] = pageVA &+ UInt64(truncatingIfNeeded: i &<< 2) &+ insn.pointee.imm
                case .adrp: r[Int(insn.pointee.rd)] = pageVA &+ insn.pointee.imm
                case .ubfx:
                    r[Int(insn.pointee.rd)] = (r[Int(insn.pointee.rn)] &>> UInt64(insn.pointee.a)) & insn.pointee.imm
                case .ubfiz:
                    let v = (r[Int(insn.pointee.rn)] & insn.pointee.imm) &<< UInt64(insn.pointee.a)
                    r[Int(insn.pointee.rd)] = insn.pointee.ra != 0 ? v & 0xFFFF_FFFF : v
                case .sbfx:
                    // Field [a + b - 1 : a] sign-extended.
                    let top = 64 &- UInt64(insn.pointee.a) &- UInt64(insn.pointee.b)
                    let v = UInt64(bitPattern: Int64(bitPattern: r[Int(insn.pointee.rn)] &<< top) &>> Int64(top &+ UInt64(insn.pointee.a)))
                    r[Int(insn.pointee.rd)] = insn.pointee.ra != 0 ? v & 0xFFFF_FFFF : v
                case .sbfiz:
                    let top = 64 &- UInt64(insn.pointee.b)
                    let v = UInt64(bitPattern: Int64(bitPattern: r[Int(insn.pointee.rn)] &<< top) &>> Int64(top)) &<< UInt64(insn.pointee.a)
                    r[Int(insn.pointee.rd)] = insn.pointee.ra != 0 ? v & 0xFFFF_FFFF : v
                case .bfxil:
                    let v = (r[Int(insn.pointee.rm)] & ~insn.pointee.imm) | ((r[Int(insn.pointee.rn)] &>> UInt64(insn.pointee.a)) & insn.pointee.imm)
                    r[Int(insn.pointee.rd)] = insn.pointee.ra != 0 ? v & 0xFFFF_FFFF : v
                case .bfi:
                    let v = (r[Int(insn.pointee.rm)] & ~insn.pointee.imm) | ((r[Int(insn.pointee.rn)] &<< UInt64(insn.pointee.a)) & insn.pointee.imm)
                    r[Int(insn.pointee.rd)] = insn.pointee.ra != 0 ? v & 0xFFFF_FFFF : v
                case .extr64:
                    let lsb = UInt64(insn.pointee.a)
                    r[Int(insn.pointee.rd)] = lsb == 0 ? r[Int(insn.pointee.rm)] : (r[Int(insn.pointee.rm)] &>> lsb) | (r[Int(insn.pointee.rn)] &<< (64 &- lsb))
                case .extr32:
                    let lsb = UInt64(insn.pointee.a), hi = r[Int(insn.pointee.rn)] & 0xFFFF_FFFF, lo = r[Int(insn.pointee.rm)] & 0xFFFF_FFFF
                    r[Int(insn.pointee.rd)] = ((hi &<< 32 | lo) &>> lsb) & 0xFFFF_FFFF

                // MARK: Branches
                case .b:
                    let t = pageVA &+ UInt64(truncatingIfNeeded: i &<< 2) &+ insn.pointee.imm
                    if t & ~0xFFF == pageVA && cycles < deadline {
                        s.pointee.retired &+= UInt64(truncatingIfNeeded: i &- blockStart &+ 1)
                        i = Int(truncatingIfNeeded: (t & 0xFFF) &>> 2); blockStart = i; continue inner
                    }
                    s.pointee.pc = t; break inner
                case .bl:
                    let here = pageVA &+ UInt64(truncatingIfNeeded: i &<< 2)
                    r[30] = here &+ 4
                    let t = here &+ insn.pointee.imm
                    if t & ~0xFFF == pageVA && cycles < deadline {
                        s.pointee.retired &+= UInt64(truncatingIfNeeded: i &- blockStart &+ 1)
                        i = Int(truncatingIfNeeded: (t & 0xFFF) &>> 2); blockStart = i; continue inner
                    }
                    s.pointee.pc = t; break inner
                case .bCond, .cbz64, .cbz32, .cbnz64, .cbnz32, .tbz, .tbnz:
                    let taken: Bool
                    switch insn.pointee.op {
                    case .bCond: taken = Core.conditionHolds(s, insn.pointee.a)
                    case .cbz64: taken = r[Int(insn.pointee.rn)] == 0
                    case .cbz32: taken = r[Int(insn.pointee.rn)] & 0xFFFF_FFFF == 0
                    case .cbnz64: taken = r[Int(insn.pointee.rn)] != 0
                    case .cbnz32: taken = r[Int(insn.pointee.rn)] & 0xFFFF_FFFF != 0
                    case .tbz: taken = (r[Int(insn.pointee.rn)] &>> UInt64(insn.pointee.a)) & 1 == 0
                    default: taken = (r[Int(insn.pointee.rn)] &>> UInt64(insn.pointee.a)) & 1 != 0
                    }
                    if taken {
                        let t = pageVA &+ UInt64(truncatingIfNeeded: i &<< 2) &+ insn.pointee.imm
                        if t & ~0xFFF == pageVA && cycles < deadline {
                        s.pointee.retired &+= UInt64(truncatingIfNeeded: i &- blockStart &+ 1)
                        i = Int(truncatingIfNeeded: (t & 0xFFF) &>> 2); blockStart = i; continue inner
                    }
                        s.pointee.pc = t; break inner
                    }
                case .predictedBranch:
                    // --timing a53 only: the branch (its op in rm) plus the predictor's cycles.
                    let here = pageVA &+ UInt64(truncatingIfNeeded: i &<< 2)
                    let taken = Core.conditionalBranchTaken(insn.pointee, r, s)
                    cycles &+= a53Branch(at: here, taken: taken, target: here &+ insn.pointee.imm)
                    if taken {
                        let t = here &+ insn.pointee.imm
                        if t & ~0xFFF == pageVA && cycles < deadline {
                            s.pointee.retired &+= UInt64(truncatingIfNeeded: i &- blockStart &+ 1)
                            i = Int(truncatingIfNeeded: (t & 0xFFF) &>> 2); blockStart = i; continue inner
                        }
                        s.pointee.pc = t; break inner
                    }
                case .predictedJump:
                    // --timing a53 only: BL/BLR/BR/RET as the cases above, plus the predictors' cycles.
                    let here = pageVA &+ UInt64(truncatingIfNeeded: i &<< 2)
                    let kind = insn.pointee.rm
                    let t = kind == Jump.bl.rawValue ? here &+ insn.pointee.imm : r[Int(insn.pointee.rn)]
                    if kind <= Jump.blr.rawValue { r[30] = here &+ 4 }
                    cycles &+= a53Jump(kind, at: here, target: t)
                    if kind == Jump.bl.rawValue && t & ~0xFFF == pageVA && cycles < deadline {
                        s.pointee.retired &+= UInt64(truncatingIfNeeded: i &- blockStart &+ 1)
                        i = Int(truncatingIfNeeded: (t & 0xFFF) &>> 2); blockStart = i; continue inner
                    }
                    s.pointee.pc = t; break inner
                case .cmpImmBcc64, .cmpImmBcc32, .cmpRegBcc64, .cmpRegBcc32, .cmnImmBcc64, .cmnImmBcc32:
                    // SUBS/ADDS then B.cond (Fusion): retires two instructions, skips the B.cond's slot.
                    let op = insn.pointee.op
                    let wide = op == .cmpImmBcc64 || op == .cmpRegBcc64 || op == .cmnImmBcc64
                    let add = op == .cmnImmBcc64 || op == .cmnImmBcc32
                    let mask: UInt64 = wide ? ~0 : 0xFFFF_FFFF
                    let a = r[Int(insn.pointee.rn)] & mask
                    let b = (op == .cmpRegBcc64 || op == .cmpRegBcc32 ? r[Int(insn.pointee.rm)] : insn.pointee.imm & 0xFFFF_FFFF) & mask
                    let res = (add ? a &+ b : a &- b) & mask
                    s.pointee.flagOp = add ? (wide ? .add64 : .add32) : (wide ? .sub64 : .sub32)
                    s.pointee.flagA = a; s.pointee.flagB = b; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                    i &+= 1
                    let holds = UInt64(insn.pointee.a) | UInt64(insn.pointee.b) &<< 8
                    let nzcv = add ? Fusion.additionFlags(a, b, res, wide: wide) : Fusion.subtractionFlags(a, b, res, wide: wide)
                    let taken = (holds &>> nzcv) & 1 != 0
                    if _slowPath(a53Ref != nil) {
                        let here = pageVA &+ UInt64(truncatingIfNeeded: i &<< 2)
                        cycles &+= a53Branch(at: here, taken: taken, target: here &+ UInt64(bitPattern: Int64(bitPattern: insn.pointee.imm) &>> 32))
                    }
                    if taken {
                        let offset = UInt64(bitPattern: Int64(bitPattern: insn.pointee.imm) &>> 32)
                        let t = pageVA &+ UInt64(truncatingIfNeeded: i &<< 2) &+ offset
                        if t & ~0xFFF == pageVA && cycles < deadline {
                            s.pointee.retired &+= UInt64(truncatingIfNeeded: i &- blockStart &+ 1)
                            i = Int(truncatingIfNeeded: (t & 0xFFF) &>> 2); blockStart = i; continue inner
                        }
                        s.pointee.pc = t; break inner
                    }
                case .br, .ret:
                    s.pointee.pc = r[Int(insn.pointee.rn)]; break inner
                case .blr:
                    let t = r[Int(insn.pointee.rn)]
                    r[30] = pageVA &+ UInt64(truncatingIfNeeded: i &<< 2) &+ 4
                    s.pointee.pc = t; break inner

                // MARK: Data processing (register)
                case .movReg64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rm)]
                case .movReg32: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rm)] & 0xFFFF_FFFF
                case .addReg64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rn)] &+ shifted64(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b)
                case .addReg32: r[Int(insn.pointee.rd)] = (r[Int(insn.pointee.rn)] &+ shifted32(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b)) & 0xFFFF_FFFF
                case .subReg64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.rn)] &- shifted64(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b)
                case .subReg32: r[Int(insn.pointee.rd)] = (r[Int(insn.pointee.rn)] &- shifted32(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b)) & 0xFFFF_FFFF
                case .addsReg64:
                    let a = r[Int(insn.pointee.rn)], b = shifted64(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b), res = a &+ b
                    s.pointee.flagOp = .add64; s.pointee.flagA = a; s.pointee.flagB = b; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .addsReg32:
                    let a = r[Int(insn.pointee.rn)] & 0xFFFF_FFFF, b = shifted32(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b), res = (a &+ b) & 0xFFFF_FFFF
                    s.pointee.flagOp = .add32; s.pointee.flagA = a; s.pointee.flagB = b; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .subsReg64:
                    let a = r[Int(insn.pointee.rn)], b = shifted64(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b), res = a &- b
                    s.pointee.flagOp = .sub64; s.pointee.flagA = a; s.pointee.flagB = b; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .subsReg32:
                    let a = r[Int(insn.pointee.rn)] & 0xFFFF_FFFF, b = shifted32(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b), res = (a &- b) & 0xFFFF_FFFF
                    s.pointee.flagOp = .sub32; s.pointee.flagA = a; s.pointee.flagB = b; s.pointee.flagR = res
                    r[Int(insn.pointee.rd)] = res
                case .andReg64, .orrReg64, .eorReg64, .andsReg64:
                    var b = shifted64(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b)
                    if insn.pointee.ra != 0 { b = ~b }
                    let a = r[Int(insn.pointee.rn)], res: UInt64
                    switch insn.pointee.op {
                    case .andReg64: res = a & b
                    case .orrReg64: res = a | b
                    case .eorReg64: res = a ^ b
                    default: res = a & b; s.pointee.flagOp = .logic64; s.pointee.flagR = res
                    }
                    r[Int(insn.pointee.rd)] = res
                case .andReg32, .orrReg32, .eorReg32, .andsReg32:
                    var b = shifted32(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b)
                    if insn.pointee.ra != 0 { b = ~b & 0xFFFF_FFFF }
                    let a = r[Int(insn.pointee.rn)] & 0xFFFF_FFFF, res: UInt64
                    switch insn.pointee.op {
                    case .andReg32: res = a & b
                    case .orrReg32: res = a | b
                    case .eorReg32: res = a ^ b
                    default: res = a & b; s.pointee.flagOp = .logic32; s.pointee.flagR = res
                    }
                    r[Int(insn.pointee.rd)] = res
                case .addExt, .subExt, .addsExt, .subsExt:
                    // Extended register (ADD Xd, Xn, Wm, UXTW #2 and friends); flags recorded lazily.
                    let wide = insn.pointee.ra & 1 == 0
                    let mask: UInt64 = wide ? ~0 : 0xFFFF_FFFF
                    let a = r[Int(insn.pointee.rn)] & mask
                    let b = extended(r[Int(insn.pointee.rm)], insn.pointee.a, insn.pointee.b) & mask
                    let sub = insn.pointee.op == .subExt || insn.pointee.op == .subsExt
                    let res = (sub ? a &- b : a &+ b) & mask
                    if insn.pointee.op == .addsExt || insn.pointee.op == .subsExt {
                        s.pointee.flagOp = sub ? (wide ? .sub64 : .sub32) : (wide ? .add64 : .add32)
                        s.pointee.flagA = a; s.pointee.flagB = b; s.pointee.flagR = res
                    }
                    r[Int(insn.pointee.rd)] = res
                case .csel, .csinc, .csinv, .csneg:
                    var v: UInt64
                    if Core.conditionHolds(s, insn.pointee.a) { v = r[Int(insn.pointee.rn)] } else {
                        v = r[Int(insn.pointee.rm)]
                        switch insn.pointee.op {
                        case .csinc: v = v &+ 1
                        case .csinv: v = ~v
                        case .csneg: v = 0 &- v
                        default: break
                        }
                    }
                    r[Int(insn.pointee.rd)] = insn.pointee.ra != 0 ? v & 0xFFFF_FFFF : v
                case .madd64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.ra)] &+ r[Int(insn.pointee.rn)] &* r[Int(insn.pointee.rm)]
                case .madd32: r[Int(insn.pointee.rd)] = (r[Int(insn.pointee.ra)] &+ r[Int(insn.pointee.rn)] &* r[Int(insn.pointee.rm)]) & 0xFFFF_FFFF
                case .msub64: r[Int(insn.pointee.rd)] = r[Int(insn.pointee.ra)] &- r[Int(insn.pointee.rn)] &* r[Int(insn.pointee.rm)]
                case .msub32: r[Int(insn.pointee.rd)] = (r[Int(insn.pointee.ra)] &- r[Int(insn.pointee.rn)] &* r[Int(insn.pointee.rm)]) & 0xFFFF_FFFF

                // MARK: Loads and stores (base + immediate)
                case .ldrX:
                    let va = r[Int(insn.pointee.rn)] &+ insn.pointee.imm
                    if let p = fastRead(va, 7) { r[Int(insn.pointee.rd)] = p.load(as: UInt64.self) } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let got = slowRead(va, 8, pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard let v = got else { break inner }
                        r[Int(insn.pointee.rd)] = v
                    }
                case .ldrW:
                    let va = r[Int(insn.pointee.rn)] &+ insn.pointee.imm
                    if let p = fastRead(va, 3) { r[Int(insn.pointee.rd)] = UInt64(p.load(as: UInt32.self)) } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let got = slowRead(va, 4, pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard let v = got else { break inner }
                        r[Int(insn.pointee.rd)] = v
                    }
                case .ldrB:
                    let va = r[Int(insn.pointee.rn)] &+ insn.pointee.imm
                    if let p = fastRead(va, 0) { r[Int(insn.pointee.rd)] = UInt64(p.load(as: UInt8.self)) } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let got = slowRead(va, 1, pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard let v = got else { break inner }
                        r[Int(insn.pointee.rd)] = v
                    }
                case .ldrH, .ldrsw, .ldrshX, .ldrshW, .ldrsbX, .ldrsbW:
                    let kind = UInt8(truncatingIfNeeded: insn.pointee.op.rawValue &- Op.ldrX.rawValue)
                    let va = r[Int(insn.pointee.rn)] &+ insn.pointee.imm
                    if let v = fastLoad(kind, va) { r[Int(insn.pointee.rd)] = v } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let got = load(LoadKind(rawValue: kind)!, va, pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard let v = got else { break inner }
                        r[Int(insn.pointee.rd)] = v
                    }
                case .strX:
                    let va = r[Int(insn.pointee.rn)] &+ insn.pointee.imm
                    if let p = fastWrite(va, 7) { p.storeBytes(of: r[Int(insn.pointee.rd)], as: UInt64.self) } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let ok = slowWrite(va, 8, r[Int(insn.pointee.rd)], pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard ok else { break inner }
                    }
                case .strW:
                    let va = r[Int(insn.pointee.rn)] &+ insn.pointee.imm
                    if let p = fastWrite(va, 3) { p.storeBytes(of: UInt32(truncatingIfNeeded: r[Int(insn.pointee.rd)]), as: UInt32.self) } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let ok = slowWrite(va, 4, r[Int(insn.pointee.rd)], pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard ok else { break inner }
                    }
                case .strB:
                    let va = r[Int(insn.pointee.rn)] &+ insn.pointee.imm
                    if let p = fastWrite(va, 0) { p.storeBytes(of: UInt8(truncatingIfNeeded: r[Int(insn.pointee.rd)]), as: UInt8.self) } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let ok = slowWrite(va, 1, r[Int(insn.pointee.rd)], pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard ok else { break inner }
                    }
                case .strH:
                    s.pointee.cycles = cycles
                    s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let ok = slowWrite(r[Int(insn.pointee.rn)] &+ insn.pointee.imm, 2, r[Int(insn.pointee.rd)], pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard ok else { break inner }
                case .ldrXr, .ldrWr, .ldrBr:
                    let va = r[Int(insn.pointee.rn)] &+ extended(r[Int(insn.pointee.rm)], insn.pointee.ra, insn.pointee.b)
                    let size = insn.pointee.op == .ldrXr ? 8 : (insn.pointee.op == .ldrWr ? 4 : 1)
                    if let p = fastRead(va, UInt64(size &- 1)) {
                        r[Int(insn.pointee.rd)] = size == 8 ? p.load(as: UInt64.self) : (size == 4 ? UInt64(p.load(as: UInt32.self)) : UInt64(p.load(as: UInt8.self)))
                    } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let got = slowRead(va, size, pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard let v = got else { break inner }
                        r[Int(insn.pointee.rd)] = v
                    }
                case .strXr, .strWr, .strBr:
                    let va = r[Int(insn.pointee.rn)] &+ extended(r[Int(insn.pointee.rm)], insn.pointee.ra, insn.pointee.b)
                    let size = insn.pointee.op == .strXr ? 8 : (insn.pointee.op == .strWr ? 4 : 1)
                    if let p = fastWrite(va, UInt64(size &- 1)) {
                        switch size {
                        case 8: p.storeBytes(of: r[Int(insn.pointee.rd)], as: UInt64.self)
                        case 4: p.storeBytes(of: UInt32(truncatingIfNeeded: r[Int(insn.pointee.rd)]), as: UInt32.self)
                        default: p.storeBytes(of: UInt8(truncatingIfNeeded: r[Int(insn.pointee.rd)]), as: UInt8.self)
                        }
                    } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        let ok = slowWrite(va, size, r[Int(insn.pointee.rd)], pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard ok else { break inner }
                    }
                case .ldpX, .stpX:
                    // Both halves through the TLB fast path, else the general pair handler.
                    let mode = insn.pointee.b
                    let base = r[Int(insn.pointee.rn)]
                    let va = mode == AddrMode.postIndex.rawValue ? base : base &+ insn.pointee.imm
                    let spOK = insn.pointee.rn != UInt8(Reg.sp) || r[Reg.sp] & 15 == 0
                    var done = false
                    if spOK {
                        if insn.pointee.op == .ldpX {
                            if let p1 = fastRead(va, 7), let p2 = fastRead(va &+ 8, 7) {
                                let v1 = p1.load(as: UInt64.self), v2 = p2.load(as: UInt64.self)
                                r[Int(insn.pointee.rd)] = v1
                                r[Int(insn.pointee.rm)] = v2
                                done = true
                            }
                        } else if let p1 = fastWrite(va, 7), let p2 = fastWrite(va &+ 8, 7) {
                            let v1 = r[Int(insn.pointee.rd)], v2 = r[Int(insn.pointee.rm)]
                            p1.storeBytes(of: v1, as: UInt64.self)
                            p2.storeBytes(of: v2, as: UInt64.self)
                            done = true
                        }
                    }
                    if !done && spOK && a53Ref != nil {
                        s.pointee.cycles = cycles
                        if insn.pointee.op == .ldpX, let p = a53Pair(va, write: false) {
                            r[Int(insn.pointee.rd)] = p.load(as: UInt64.self)
                            r[Int(insn.pointee.rm)] = (p + 8).load(as: UInt64.self)
                            done = true
                        } else if insn.pointee.op == .stpX, let p = a53Pair(va, write: true) {
                            p.storeBytes(of: r[Int(insn.pointee.rd)], as: UInt64.self)
                            (p + 8).storeBytes(of: r[Int(insn.pointee.rm)], as: UInt64.self)
                            done = true
                        }
                        cycles = s.pointee.cycles
                    }
                    if done {
                        if mode != AddrMode.offset.rawValue { r[Int(insn.pointee.rn)] = base &+ insn.pointee.imm }
                    } else {
                        s.pointee.cycles = cycles
                        s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                        var generic = insn.pointee
                        generic.op = generic.op == .ldpX ? .ldp : .stp
                        let ok = pair(generic, pc: pageVA | UInt64(i &<< 2))
                        cycles = s.pointee.cycles; deadline = s.pointee.deadline
                        s.pointee.retiredInBlock = 0
                        guard ok else { break inner }
                    }
                case .ldp, .stp:
                    s.pointee.cycles = cycles
                    s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                    let ok = pair(insn.pointee, pc: pageVA | UInt64(i &<< 2))
                    cycles = s.pointee.cycles; deadline = s.pointee.deadline
                    s.pointee.retiredInBlock = 0
                    guard ok else { break inner }
                case .ldst:
                    // Pre/post-index and register-offset forms through the TLB fast path when the
                    // base is not a misaligned SP; unprivileged forms (mode bit 7), prefetches and
                    // misses go to the general handler.
                    let mode = insn.pointee.b, kind = insn.pointee.a
                    let base = r[Int(insn.pointee.rn)]
                    if mode <= AddrMode.register.rawValue && kind != LoadKind.prfm.rawValue
                        && (insn.pointee.rn != UInt8(Reg.sp) || base & 15 == 0) {
                        let va: UInt64
                        switch mode {
                        case AddrMode.postIndex.rawValue: va = base
                        case AddrMode.register.rawValue:
                            va = base &+ extended(r[Int(insn.pointee.rm)], insn.pointee.ra, UInt8(truncatingIfNeeded: insn.pointee.imm))
                        default: va = base &+ insn.pointee.imm
                        }
                        var done = false
                        if kind >= LoadKind.strX.rawValue {
                            done = fastStore(kind, va, r[Int(insn.pointee.rd)])
                        } else if let v = fastLoad(kind, va) {
                            r[Int(insn.pointee.rd)] = v
                            done = true
                        }
                        if done {
                            // Writeback after the transfer, as the general handler does.
                            if mode == AddrMode.preIndex.rawValue { r[Int(insn.pointee.rn)] = va }
                            else if mode == AddrMode.postIndex.rawValue { r[Int(insn.pointee.rn)] = base &+ insn.pointee.imm }
                            i &+= 1
                            continue inner
                        }
                    }
                    s.pointee.cycles = cycles
                    s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                    let ok = loadStore(insn.pointee, pc: pageVA | UInt64(i &<< 2))
                    cycles = s.pointee.cycles; deadline = s.pointee.deadline
                    s.pointee.retiredInBlock = 0
                    guard ok else { break inner }
                case .nop:
                    break

                default:
                    // Cold instructions; true means control left the straight line (branch, exception, wait).
                    s.pointee.pc = pageVA | UInt64(i &<< 2)
                    s.pointee.cycles = cycles
                    // The block's instructions before this one have retired (the PMU reads it).
                    s.pointee.retiredInBlock = UInt64(truncatingIfNeeded: i &- blockStart)
                    let redirected = executeCold(insn.pointee)
                    s.pointee.retiredInBlock = 0
                    cycles = s.pointee.cycles; deadline = s.pointee.deadline
                    if redirected { break inner }
                }
                i &+= 1
                // Back to translated code after the instruction it left to this loop.
                if i == resumeAt {
                    s.pointee.retired &+= UInt64(truncatingIfNeeded: i &- blockStart)
                    continue dispatch
                }
            }
            break dispatch
            }
            s.pointee.cycles = cycles
            s.pointee.retired &+= UInt64(truncatingIfNeeded: i &- blockStart &+ 1)
            // An instruction that took an exception without completing (a fault, a trap, an
            // UNDEFINED) has not retired architecturally; SVC/HVC/SMC and ERET have (ExceptionEntry).
            if s.pointee.instructionFaulted {
                s.pointee.instructionFaulted = false
                s.pointee.faultedInstructions &+= 1
            }
        }
        return power == .on ? .deadline : .waiting
    }

    /// Runs translated code from slot `i` of the page for as long as there is some, translating
    /// slots on first use. False when the block ended in it (PC set, cycles and instructions
    /// counted); true with `i` the slot the interpreter goes on at.
    @inline(__always)
    func runTranslated(_ page: UnsafeMutablePointer<Insn>, _ host: UnsafeMutableRawPointer, _ pageVA: UInt64, _ i: inout Int) -> Bool {
        let entries = JITTable.entries(page), enter = jit.unsafelyUnwrapped.enter.unsafelyUnwrapped
        while true {
            var code = entries[i]
            if code == JITTable.none { code = translate(page, host, i) }
            if code == JITTable.interpret { return true }
            jitContext.pointee.tlb = UnsafeMutableRawPointer(tlbCurrent)
            jitContext.pointee.entries = UnsafeMutableRawPointer(entries)
            jitContext.pointee.pageVA = pageVA
            let next = enter(UnsafeMutableRawPointer(jitContext), UnsafeRawPointer(bitPattern: code).unsafelyUnwrapped)
            if next & JITFrame.breakBit != 0 { return false }
            i = Int(truncatingIfNeeded: next & 0xFFFF)
            if next & JITFrame.interpretBit != 0 { return true }
        }
    }

    /// Translates the run starting at slot `slot`; its entry (`JITTable.interpret` when the
    /// interpreter must run the slot).
    @inline(never)
    func translate(_ page: UnsafeMutablePointer<Insn>, _ host: UnsafeMutableRawPointer, _ slot: Int) -> UInt {
        guard let arena = jit else { return JITTable.interpret }
        var t = JITTranslator(core: self, page: page, host: host, entry: slot, exit: arena.exit)
        var entry = JITTable.interpret
        if t.translate() {
            var code = arena.place(t.a, for: page)
            if code == nil {
                arena.reset()
                code = arena.place(t.a, for: page)
            }
            if let code { entry = UInt(bitPattern: code) }
        }
        JITTable.set(page, slot, entry, end: entry == JITTable.interpret ? slot : t.lastSlot)
        return entry
    }

    @inline(never)
    func decodeSlot(_ host: UnsafeMutableRawPointer, _ i: Int, _ page: UnsafeMutablePointer<Insn>? = nil) -> Insn {
        let word = (host + (i << 2)).load(as: UInt32.self)
        let insn = Decoder.shared.decode(word)
        // A compare and the B.cond after it in the same page run as one slot (Fusion), except
        // under a debugger, which must see the branch as an instruction of its own.
        if i < 1023, !machine.debug.active, insn.op == .subsImm64 || insn.op == .subsImm32 || insn.op == .subsReg64 || insn.op == .subsReg32
                     || insn.op == .addsImm64 || insn.op == .addsImm32,
           var fused = Fusion.compareAndBranch(insn, next: Decoder.shared.decode((host + ((i + 1) << 2)).load(as: UInt32.self))) {
            if a53 != nil { fused.cost = a53SlotCost(host, page, i, fused) }
            return fused
        }
        if a53 != nil, insn.op != .pageEnd {
            var timed = insn
            timed.cost = a53SlotCost(host, page, i, insn)
            if insn.op.isConditionalBranch {
                // The predictor sees every conditional branch; rm says which kind it is.
                timed.op = .predictedBranch
                timed.rm = ConditionalBranch(insn.op).rawValue
            } else if let jump = Jump(insn.op) {
                timed.op = .predictedJump
                timed.rm = jump.rawValue
            }
            return timed
        }
        return insn
    }
}

extension Core {
    /// ConditionHolds() evaluated straight from the lazily recorded operation for the common
    /// compare and test cases, without materialising NZCV; the rest out of line. Kept small so it
    /// inlines into the hot loop.
    @_transparent
    static func conditionHolds(_ s: UnsafeMutablePointer<CPUState>, _ cond: UInt8) -> Bool {
        let op = s.pointee.flagOp, r = s.pointee.flagR
        let nzcv: UInt64
        if op == .sub64 {
            nzcv = Fusion.subtractionFlags(s.pointee.flagA, s.pointee.flagB, r, wide: true)
        } else if op == .sub32 {
            nzcv = Fusion.subtractionFlags(s.pointee.flagA & 0xFFFF_FFFF, s.pointee.flagB & 0xFFFF_FFFF, r & 0xFFFF_FFFF, wide: false)
        } else if op == .logic64 {
            nzcv = (r &>> 63) &<< 3 | (r == 0 ? 4 : 0)
        } else if op == .materialized {
            nzcv = (s.pointee.nzcv &>> 28) & 0xF
        } else {
            return conditionHoldsSlow(s, cond)
        }
        return Fusion.holds(cond, nzcv: nzcv)
    }

    @inline(never)
    static func conditionHoldsSlow(_ s: UnsafeMutablePointer<CPUState>, _ cond: UInt8) -> Bool {
        CPUState.holds(cond, CPUState.nzcv(s.pointee.flagOp, a: s.pointee.flagA, b: s.pointee.flagB, r: s.pointee.flagR,
                                           materialized: s.pointee.nzcv))
    }
}
