extension A64 {
    static let dataProcessingRegister: [Encoding] = [
        Encoding("Logical (shifted register)", "sf opc:2 01010 shift:2 N Rm imm6:6 Rn Rd") { w in
            let amount = w.bits(15, 10)
            if !w.sf && amount >= 32 { return Insn(.undefined) }
            let opc = w.bits(30, 29), invert = w.bit(21), shift = w.bits(23, 22)
            // ORR Rd, XZR, Rm (MOV) is the commonest register move: give it its own handler.
            if opc == 1 && invert == 0 && amount == 0 && w.rn == 31 {
                return Insn(w.sf ? .movReg64 : .movReg32, rd: dst(w.rd), rm: src(w.rm))
            }
            let ops: [Op] = w.sf ? [.andReg64, .orrReg64, .eorReg64, .andsReg64] : [.andReg32, .orrReg32, .eorReg32, .andsReg32]
            return Insn(ops[opc], rd: dst(w.rd), rn: src(w.rn), rm: src(w.rm), ra: invert, a: shift, b: amount)
        },
        Encoding("ADD/SUB (shifted register)", "sf op S 01011 shift:2 0 Rm imm6:6 Rn Rd") { w in
            let shift = w.bits(23, 22), amount = w.bits(15, 10)
            if shift == 3 || (!w.sf && amount >= 32) { return Insn(.undefined) }
            let ops: [Op] = w.sf ? [.addReg64, .addsReg64, .subReg64, .subsReg64] : [.addReg32, .addsReg32, .subReg32, .subsReg32]
            return Insn(ops[w.bits(30, 29)], rd: dst(w.rd), rn: src(w.rn), rm: src(w.rm), a: shift, b: amount)
        },
        Encoding("ADD/SUB (extended register)", "sf op S 01011 00 1 Rm option:3 imm3:3 Rn Rd") { w in
            let shift = w.bits(12, 10)
            if shift > 4 { return Insn(.undefined) }
            let s = w.bit(29) == 1
            let op: Op = [.addExt, .addsExt, .subExt, .subsExt][w.bits(30, 29)]
            return Insn(op, rd: s ? dst(w.rd) : spReg(w.rd), rn: spReg(w.rn), rm: src(w.rm), ra: w.sf ? 0 : 1,
                        a: w.bits(15, 13), b: shift)
        },
        Encoding("ADC/SBC", "sf op S 11010000 Rm 000000 Rn Rd") { w in
            Insn([.adc, .adcs, .sbc, .sbcs][w.bits(30, 29)], rd: dst(w.rd), rn: src(w.rn), rm: src(w.rm), ra: w.sf ? 0 : 1)
        },
        Encoding("CCMN/CCMP (register)", "sf op 1 11010010 Rm cond:4 0 0 Rn 0 nzcv:4") { w in
            Insn(w.bit(30) == 0 ? .ccmn : .ccmp, rn: src(w.rn), rm: src(w.rm), ra: w.sf ? 0 : 1, a: w.bits(15, 12), b: w.bits(3, 0))
        },
        Encoding("CCMN/CCMP (immediate)", "sf op 1 11010010 imm5:5 cond:4 1 0 Rn 0 nzcv:4") { w in
            Insn(w.bit(30) == 0 ? .ccmn : .ccmp, rn: src(w.rn), ra: (w.sf ? 0 : 1) | 2, a: w.bits(15, 12), b: w.bits(3, 0),
                 imm: UInt64(w.bits(20, 16)))
        },
        Encoding("Conditional select", "sf op 0 11010100 Rm cond:4 0 o2 Rn Rd") { w in
            let op: Op = [.csel, .csinc, .csinv, .csneg][w.bit(30) << 1 | w.bit(10)]
            return Insn(op, rd: dst(w.rd), rn: src(w.rn), rm: src(w.rm), ra: w.sf ? 0 : 1, a: w.bits(15, 12))
        },
        Encoding("Data-processing (3 source)", "sf 00 11011 op31:3 Rm o0 Ra Rn Rd") { w in
            let op31 = w.bits(23, 21), o0 = w.bit(15)
            let op: Op
            switch (op31, o0, w.sf) {
            case (0, 0, true): op = .madd64
            case (0, 0, false): op = .madd32
            case (0, 1, true): op = .msub64
            case (0, 1, false): op = .msub32
            case (1, 0, true): op = .smaddl
            case (1, 1, true): op = .smsubl
            case (5, 0, true): op = .umaddl
            case (5, 1, true): op = .umsubl
            case (2, 0, true): op = .smulh
            case (6, 0, true): op = .umulh
            default: return Insn(.undefined)
            }
            return Insn(op, rd: dst(w.rd), rn: src(w.rn), rm: src(w.rm), ra: src(w.ra))
        },
        Encoding("Data-processing (2 source)", "sf 0 0 11010110 Rm opcode:6 Rn Rd") { w in
            let opcode = w.bits(15, 10), is32 = w.sf ? 0 : 1
            switch opcode {
            case 2, 3, 8, 9, 10, 11:
                let op: Op
                switch opcode {
                case 2: op = .udiv
                case 3: op = .sdiv
                case 8: op = .lslv
                case 9: op = .lsrv
                case 10: op = .asrv
                default: op = .rorv
                }
                return Insn(op, rd: dst(w.rd), rn: src(w.rn), rm: src(w.rm), ra: is32)
            case 16...23:
                let size = opcode & 3
                // CRC32X/CRC32CX need sf = 1; the byte/half/word forms need sf = 0.
                if (size == 3) != w.sf { return Insn(.undefined) }
                return Insn(.crc32, rd: dst(w.rd), rn: src(w.rn), rm: src(w.rm), a: size, b: (opcode >> 2) & 1)
            default: return Insn(.undefined)
            }
        },
        Encoding("Data-processing (1 source)", "sf 1 0 11010110 00000 opcode:6 Rn Rd") { w in
            let opcode = w.bits(15, 10), is32 = w.sf ? 0 : 1
            let op: Op
            switch (opcode, w.sf) {
            case (0, _): op = .rbit
            case (1, _): op = .rev16
            case (2, true): op = .rev32
            case (2, false), (3, true): op = .rev64
            case (4, _): op = .clz
            case (5, _): op = .cls
            default: return Insn(.undefined)
            }
            return Insn(op, rd: dst(w.rd), rn: src(w.rn), ra: is32)
        },
    ]
}
