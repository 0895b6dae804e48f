/// The Cortex-A53's issue rules as a static schedule, computed when a slot is decoded under
/// `--timing a53` (timing issue M2.5): in order, two instructions a cycle, at most one of them a
/// load or store, one multiply/divide, one FP/NEON; an instruction waits for its operands (a
/// load's result after 3 cycles, 4 for sub-word and sign-extending loads, a multiply's after 3-6,
/// an FP add's after 4, FMADD's after 8); barriers, system instructions and exception
/// generation issue alone. A slot's cost is the cycles it adds to the straight-line code before it
/// in its page (Core.a53SlotCost): an L1-hit, predicted-branch figure, to which the memory
/// hierarchy (A53Timing) adds misses at run time. Sources: ../shared/timing-a53.md
/// (Cortex-A53 TRM, GCC's and LLVM's A53 models, measurements on a Raspberry Pi 3).
enum A53Schedule {
    enum Pipe: Int { case alu, multiply, divide, load, store, branch, fp, serial }

    /// One instruction's demands: pipe, result latency, cycles it holds its pipe, and its register
    /// reads and writes as masks (X0-X30 bits 0-30, SP bit 31, V0-V31 bits 32-63).
    struct Demand {
        var pipe: Pipe
        var latency: Int
        var occupancy = 1
        var reads: UInt64 = 0
        var writes: UInt64 = 0
        /// A serial instruction's cost (CycleTable), issued alone.
        var serialCost = 1
    }

    /// How far back a slot's schedule may start.
    static let reach = 256

    /// After a branch or a serial instruction the next slot starts a run from an idle pipeline.
    static func endsRun(_ insn: Insn) -> Bool {
        switch insn.op {
        case .b, .bl, .bCond, .cbz64, .cbz32, .cbnz64, .cbnz32, .tbz, .tbnz, .br, .blr, .ret, .predictedBranch, .predictedJump: return true
        default: return demand(insn, word: 0).pipe == .serial
        }
    }

    @inline(__always) static func x(_ r: UInt8) -> UInt64 {
        r < 31 ? 1 << UInt64(r) : (Int(r) == Reg.sp ? 1 << 31 : 0)
    }
    @inline(__always) static func v(_ r: UInt32) -> UInt64 { 1 << UInt64(32 + (r & 31)) }

    /// What `insn` (decoded from `word`) asks of the pipeline.
    static func demand(_ insn: Insn, word: UInt32) -> Demand {
        let rd = x(insn.rd), rn = x(insn.rn), rm = x(insn.rm), ra = x(insn.ra)
        switch insn.op {
        case .movConst, .adr, .adrp:
            return Demand(pipe: .alu, latency: 1, writes: rd)
        case .addImm64, .addImm32, .addsImm64, .addsImm32, .subImm64, .subImm32, .subsImm64, .subsImm32,
             .andImm64, .andImm32, .orrImm64, .orrImm32, .eorImm64, .eorImm32, .andsImm64, .andsImm32,
             .ubfx, .ubfiz, .sbfx, .sbfiz, .rbit, .rev16, .rev32, .rev64, .clz, .cls, .movReg64, .movReg32:
            return Demand(pipe: .alu, latency: 1, reads: rn, writes: rd)
        case .movk64, .movk32:
            return Demand(pipe: .alu, latency: 1, reads: rn | rd, writes: rd)
        case .bfxil, .bfi:
            return Demand(pipe: .alu, latency: 1, reads: rn | rm, writes: rd)
        case .addReg64, .addReg32, .addsReg64, .addsReg32, .subReg64, .subReg32, .subsReg64, .subsReg32,
             .andReg64, .andReg32, .orrReg64, .orrReg32, .eorReg64, .eorReg32, .andsReg64, .andsReg32:
            // A shifted operand takes the shifter: one more cycle of latency.
            return Demand(pipe: .alu, latency: insn.b != 0 ? 2 : 1, reads: rn | rm, writes: rd)
        case .addExt, .addsExt, .subExt, .subsExt, .lslv, .lsrv, .asrv, .rorv, .extr64, .extr32:
            return Demand(pipe: .alu, latency: 2, reads: rn | rm, writes: rd)
        case .adc, .adcs, .sbc, .sbcs, .csel, .csinc, .csinv, .csneg:
            return Demand(pipe: .alu, latency: 1, reads: rn | rm, writes: rd)
        case .ccmn, .ccmp:
            return Demand(pipe: .alu, latency: 1, reads: rn | rm)
        case .crc32:
            return Demand(pipe: .multiply, latency: 2, reads: rn | rm, writes: rd)
        case .madd64, .madd32, .msub64, .msub32:
            // MUL (no addend) 4 cycles, MADD 5, MSUB 4 (measured).
            let mul = Int(insn.ra) == Reg.zr
            return Demand(pipe: .multiply, latency: mul ? 4 : ((insn.op == .msub64 || insn.op == .msub32) ? 4 : 5),
                          reads: rn | rm | ra, writes: rd)
        case .smaddl, .smsubl, .umaddl, .umsubl:
            return Demand(pipe: .multiply, latency: Int(insn.ra) == Reg.zr ? 3 : 4, reads: rn | rm | ra, writes: rd)
        case .smulh, .umulh:
            return Demand(pipe: .multiply, latency: 6, occupancy: 2, reads: rn | rm, writes: rd)
        case .udiv, .sdiv:
            // Iterative: the divider is busy until the result (modelled by operand width).
            let cycles = word >> 31 != 0 ? 20 : 12
            return Demand(pipe: .divide, latency: cycles, occupancy: cycles, reads: rn | rm, writes: rd)
        case .ldrX, .ldrW:
            return Demand(pipe: .load, latency: 3, reads: rn, writes: rd)
        case .ldrH, .ldrB, .ldrsw, .ldrshX, .ldrshW, .ldrsbX, .ldrsbW:
            return Demand(pipe: .load, latency: 4, reads: rn, writes: rd)
        case .ldrXr, .ldrWr, .ldrBr:
            return Demand(pipe: .load, latency: insn.op == .ldrBr ? 4 : 3, reads: rn | rm, writes: rd)
        case .strX, .strW, .strH, .strB:
            return Demand(pipe: .store, latency: 1, reads: rn | rd)
        case .strXr, .strWr, .strBr:
            return Demand(pipe: .store, latency: 1, reads: rn | rm | rd)
        case .ldrLit:
            return Demand(pipe: .load, latency: 3, writes: rd)
        case .ldst:
            let kind = LoadKind(rawValue: insn.a)
            let mode = AddrMode(rawValue: insn.b & 0x7F)
            let index = mode == .register ? rm : 0
            let writeback = mode == .preIndex || mode == .postIndex ? rn : 0
            if kind?.isStore == true { return Demand(pipe: .store, latency: 1, reads: rn | index | rd, writes: writeback) }
            if kind == .prfm { return Demand(pipe: .load, latency: 1, reads: rn | index) }
            let wide = kind == .ldrX || kind == .ldrW
            return Demand(pipe: .load, latency: wide ? 3 : 4, reads: rn | index, writes: rd | writeback)
        case .ldp, .ldpX:
            // The second register a cycle after the first (LDP 3/4).
            let writeback = insn.b == AddrMode.offset.rawValue ? 0 : rn
            return Demand(pipe: .load, latency: 4, reads: rn, writes: rd | rm | writeback)
        case .stp, .stpX:
            let writeback = insn.b == AddrMode.offset.rawValue ? 0 : rn
            return Demand(pipe: .store, latency: 1, reads: rn | rd | rm, writes: writeback)
        case .exclusive:
            let kind = ExclusiveKind(rawValue: insn.a)
            switch kind {
            case .ldxr, .ldaxr, .ldar: return Demand(pipe: .load, latency: 4, reads: rn, writes: rd)
            case .ldxp, .ldaxp: return Demand(pipe: .load, latency: 4, reads: rn, writes: rd | ra)
            case .stxr, .stlxr: return Demand(pipe: .store, latency: 1, reads: rn | rd, writes: rm)
            case .stxp, .stlxp: return Demand(pipe: .store, latency: 1, reads: rn | rd | ra, writes: rm)
            default: return Demand(pipe: .store, latency: 1, reads: rn | rd)
            }
        case .fpLoad, .fpLoadLiteral:
            // 128-bit registers take the 64-bit load path twice.
            return Demand(pipe: .load, latency: 4, occupancy: word >> 30 == 0 && word & (1 << 23) != 0 ? 2 : 1,
                          reads: insn.op == .fpLoad ? x(insn.rn) : 0, writes: v(word))
        case .fpStore:
            return Demand(pipe: .store, latency: 1, occupancy: word >> 30 == 0 && word & (1 << 23) != 0 ? 2 : 1,
                          reads: x(insn.rn) | v(word))
        case .fpLoadPair:
            return Demand(pipe: .load, latency: 4, occupancy: 2, reads: x(insn.rn), writes: v(word) | v(word >> 10))
        case .fpStorePair:
            return Demand(pipe: .store, latency: 1, occupancy: 2, reads: x(insn.rn) | v(word) | v(word >> 10))
        case .simdStructure:
            return Demand(pipe: .load, latency: 4, occupancy: 2, reads: x(insn.rn) | v(word), writes: v(word))
        case .simd:
            return simd(word)
        case .b, .bCond:
            return Demand(pipe: .branch, latency: 1)
        case .predictedBranch:
            return Demand(pipe: .branch, latency: 1, reads: rn)
        case .predictedJump:
            return Demand(pipe: .branch, latency: 1, reads: rn, writes: 1 << 30)
        case .bl:
            return Demand(pipe: .branch, latency: 1, writes: 1 << 30)
        case .cbz64, .cbz32, .cbnz64, .cbnz32, .tbz, .tbnz:
            return Demand(pipe: .branch, latency: 1, reads: rd | rn)
        case .br, .ret:
            return Demand(pipe: .branch, latency: 1, reads: rn)
        case .blr:
            return Demand(pipe: .branch, latency: 1, reads: rn, writes: 1 << 30)
        case .cmpImmBcc64, .cmpImmBcc32, .cmnImmBcc64, .cmnImmBcc32, .cmpRegBcc64, .cmpRegBcc32:
            return Demand(pipe: .alu, latency: 1, reads: rn | rm)
        case .nop, .hint, .clrex:
            return Demand(pipe: .alu, latency: 1)
        default:
            return Demand(pipe: .serial, latency: 1, serialCost: Int(CycleTable.cost(insn)))
        }
    }

    /// FP and Advanced SIMD data processing by encoding group (Arm ARM C4.1): scalar FP 2-source
    /// and conversions 4 cycles, FMADD 8, divide and square root long and blocking; vector
    /// integer 2-4; 128-bit vectors hold the 64-bit NEON datapath two cycles.
    static func simd(_ w: UInt32) -> Demand {
        let rd = w & 31, rn = (w >> 5) & 31, rm = (w >> 16) & 31, ra = (w >> 10) & 31
        let double = (w >> 22) & 3 == 1
        if (w >> 24) & 0x1F == 0b11111 {                                  // FMADD/FMSUB/FNMADD/FNMSUB
            return Demand(pipe: .fp, latency: 8, reads: v(rn) | v(rm) | v(ra), writes: v(rd))
        }
        if (w >> 24) & 0x1F == 0b11110 && (w >> 30) & 1 == 0 {            // scalar FP
            if w & (1 << 21) != 0 && (w >> 10) & 0x3F == 0 {                // to/from general registers
                let toGeneral = (w >> 16) & 7 == 0b110 || (w >> 16) & 6 == 0 // FMOV to Xd, FCVT*
                return toGeneral ? Demand(pipe: .fp, latency: (w >> 16) & 7 == 0b110 ? 2 : 4, reads: v(rn), writes: x(UInt8(rd)))
                                 : Demand(pipe: .fp, latency: 4, reads: x(UInt8(rn)), writes: v(rd))
            }
            if (w >> 10) & 3 == 0b10 {                                      // 2-source
                switch (w >> 12) & 0xF {
                case 0b0001: return Demand(pipe: .fp, latency: double ? 33 : 18, occupancy: double ? 32 : 17,
                                           reads: v(rn) | v(rm), writes: v(rd))                    // FDIV
                default: return Demand(pipe: .fp, latency: 4, reads: v(rn) | v(rm), writes: v(rd))
                }
            }
            if (w >> 10) & 0x1F == 0b10000 && (w >> 15) & 0x3F == 0b000011 {  // FSQRT
                return Demand(pipe: .fp, latency: double ? 22 : 12, occupancy: double ? 21 : 11, reads: v(rn), writes: v(rd))
            }
            return Demand(pipe: .fp, latency: 4, reads: v(rn) | v(rm), writes: v(rd))
        }
        // Advanced SIMD: Q (bit 30) selects 128 bits.
        let q = (w >> 30) & 1 != 0 && w >> 31 == 0
        let occupancy = q ? 2 : 1
        if (w >> 24) & 0x1F == 0b01110 && (w >> 21) & 1 != 0 && (w >> 10) & 1 != 0 {   // three same
            let opcode = (w >> 11) & 0x1F
            let float = (w >> 23) & 1 == 0 && opcode >= 0b11000
            let latency = float ? 4 : (opcode == 0b10011 ? 4 : (opcode == 0b00001 || opcode == 0b00101 ? 3 : 2))
            return Demand(pipe: .fp, latency: latency, occupancy: occupancy, reads: v(rn) | v(rm), writes: v(rd))
        }
        if (w >> 24) & 0xFF == 0b0000_1110 && (w >> 21) & 7 == 0 && (w >> 10) & 1 != 0 { // copy (UMOV/SMOV/DUP/INS)
            let imm4 = (w >> 11) & 0xF
            if imm4 == 0b0101 || imm4 == 0b0111 { return Demand(pipe: .fp, latency: 5, reads: v(rn), writes: x(UInt8(rd))) }
            if imm4 == 0b0001 || imm4 == 0b0011 { return Demand(pipe: .fp, latency: 4, occupancy: occupancy, reads: x(UInt8(rn)) | v(rd), writes: v(rd)) }
        }
        return Demand(pipe: .fp, latency: 2, occupancy: occupancy, reads: v(rn) | v(rm), writes: v(rd))
    }

    /// The cycles instruction `last` of `seq` adds after the ones before it, issued in order from an
    /// empty pipeline. At least one for branches (a taken one refetches) and serial instructions.
    static func cost(_ seq: [(Insn, UInt32)]) -> UInt8 {
        var ready = [Int](repeating: 0, count: 64)   // cycle each register's value is ready
        var pipeFree = (0, 0, 0, 0, 0, 0, 0, 0)
        var cycle = 0, slots = 0, lastPipe: Pipe? = nil
        var previousIssue = 0, issue = 0
        for (n, (insn, word)) in seq.enumerated() {
            let d = demand(insn, word: word)
            var t = cycle
            var reads = d.reads
            while reads != 0 {
                let r = reads.trailingZeroBitCount
                t = max(t, ready[r])
                reads &= reads - 1
            }
            // Two ALUs, and branches pair with anything: only the single pipes are held.
            if d.pipe != .alu && d.pipe != .branch {
                t = max(t, withUnsafeBytes(of: &pipeFree) { $0.load(fromByteOffset: d.pipe.rawValue * 8, as: Int.self) })
            }
            if d.pipe == .serial {
                t = max(t, slots > 0 ? cycle + 1 : cycle)
            } else if t == cycle && slots > 0 {
                // Pairs: two at most, never two of the load/store, multiply/divide or FP pipes, and
                // nothing after a serial instruction.
                let clash = slots >= 2 || lastPipe == .serial
                    || (d.pipe == .load || d.pipe == .store) && (lastPipe == .load || lastPipe == .store)
                    || (d.pipe == .multiply || d.pipe == .divide) && (lastPipe == .multiply || lastPipe == .divide)
                    || d.pipe == .fp && lastPipe == .fp
                if clash { t += 1 }
            }
            if t > cycle { cycle = t; slots = 0 }
            slots += 1
            lastPipe = d.pipe
            var writes = d.writes
            while writes != 0 {
                let r = writes.trailingZeroBitCount
                ready[r] = t + d.latency
                writes &= writes - 1
            }
            withUnsafeMutableBytes(of: &pipeFree) { p in
                p.storeBytes(of: t + d.occupancy, toByteOffset: d.pipe.rawValue * 8, as: Int.self)
                // Loads and stores share the one load/store pipe.
                if d.pipe == .load { p.storeBytes(of: t + d.occupancy, toByteOffset: Pipe.store.rawValue * 8, as: Int.self) }
                if d.pipe == .store { p.storeBytes(of: t + d.occupancy, toByteOffset: Pipe.load.rawValue * 8, as: Int.self) }
            }
            if d.pipe == .serial {
                cycle = t + d.serialCost - 1
                slots = 2
            }
            previousIssue = issue
            issue = d.pipe == .serial ? t + d.serialCost - 1 : t
            if n == seq.count - 1 {
                let added = n == 0 ? max(1, issue - 0 + 1) : issue - previousIssue
                // A taken branch refetches: B/BL 2 cycles, indirect ones (BR, BLR, RET, through
                // the return stack or indirect predictor) 4, as BL+RET 6 and BLR+RET 8 measure;
                // conditional branches are charged as correctly predicted.
                let floor: Int
                switch insn.op {
                case .b, .bl: floor = 2
                case .br, .blr, .ret: floor = 4
                default: floor = d.pipe == .branch || d.pipe == .serial ? 1 : 0
                }
                return UInt8(clamping: max(added, floor))
            }
        }
        return 1
    }
}
