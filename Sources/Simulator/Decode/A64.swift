/// The A64 encoding table, assembled from one list per Arm ARM encoding class.
public enum A64 {
    public static let encodings: [Encoding] =
        dataProcessingImmediate + branchesAndSystem + dataProcessingRegister + loadsAndStores + fpLoadsAndStores + fpScalar + simdFloat + simdInteger + unallocatedLater

    /// Encodings of later architecture versions that a Cortex-A53 (ARMv8.0) does not implement.
    /// Listed so the table documents them; they decode to UNDEFINED.
    static let unallocatedLater: [Encoding] = [
        Encoding("CAS* (v8.1 LSE)", "size:2 0010001 L 1 Rs o0 11111 Rn Rt") { _ in Insn(.undefined) },
        Encoding("LDADD etc. (v8.1 LSE)", "size:2 111 0 00 A R 1 Rs o3 opc:3 00 Rn Rt") { _ in Insn(.undefined) },
        Encoding("LDRAA/LDRAB (v8.3 PAuth)", "11 111 0 00 M S 1 imm9:9 W 1 Rn Rt") { _ in Insn(.undefined) },
    ]
}

extension A64 {
    static let dataProcessingImmediate: [Encoding] = [
        Encoding("ADR", "0 immlo:2 10000 immhi:19 Rd") { w in
            Insn(.adr, rd: dst(w.rd), imm: sext(UInt64(w.bits(23, 5) << 2 | w.bits(30, 29)), 21))
        },
        Encoding("ADRP", "1 immlo:2 10000 immhi:19 Rd") { w in
            Insn(.adrp, rd: dst(w.rd), imm: sext(UInt64(w.bits(23, 5) << 2 | w.bits(30, 29)), 21) << 12)
        },
        Encoding("ADD/SUB (immediate)", "sf op S 100010 sh imm12:12 Rn Rd") { w in
            let imm = UInt64(w.bits(21, 10)) << (w.bit(22) == 1 ? 12 : 0)
            let s = w.bit(29) == 1, sub = w.bit(30) == 1
            let op: Op
            switch (sub, s, w.sf) {
            case (false, false, true): op = .addImm64
            case (false, false, false): op = .addImm32
            case (false, true, true): op = .addsImm64
            case (false, true, false): op = .addsImm32
            case (true, false, true): op = .subImm64
            case (true, false, false): op = .subImm32
            case (true, true, true): op = .subsImm64
            case (true, true, false): op = .subsImm32
            }
            return Insn(op, rd: s ? dst(w.rd) : spReg(w.rd), rn: spReg(w.rn), imm: imm)
        },
        Encoding("Logical (immediate)", "sf opc:2 100100 N immr:6 imms:6 Rn Rd") { w in
            if !w.sf && w.bit(22) == 1 { return Insn(.undefined) }
            guard let (wmask, _) = decodeBitMasks(n: w.bit(22), imms: w.bits(15, 10), immr: w.bits(21, 16),
                                                  immediate: true, dataSize: w.sf ? 64 : 32) else { return Insn(.undefined) }
            let ops: [Op] = w.sf ? [.andImm64, .orrImm64, .eorImm64, .andsImm64] : [.andImm32, .orrImm32, .eorImm32, .andsImm32]
            let opc = w.bits(30, 29)
            return Insn(ops[opc], rd: opc == 3 ? dst(w.rd) : spReg(w.rd), rn: src(w.rn), imm: wmask)
        },
        Encoding("Move wide (immediate)", "sf opc:2 100101 hw:2 imm16:16 Rd") { w in
            let opc = w.bits(30, 29), hw = w.bits(22, 21)
            if opc == 1 || (!w.sf && hw >= 2) { return Insn(.undefined) }
            let shift = hw * 16
            let imm = UInt64(w.bits(20, 5)) << UInt64(shift)
            switch opc {
            case 0: return Insn(.movConst, rd: dst(w.rd), imm: w.sf ? ~imm : UInt64(~UInt32(truncatingIfNeeded: imm)))
            case 2: return Insn(.movConst, rd: dst(w.rd), imm: imm)
            default: return Insn(w.sf ? .movk64 : .movk32, rd: dst(w.rd), rn: dst(w.rd) == Reg.sink ? Reg.zr : w.rd, a: shift, imm: UInt64(w.bits(20, 5)))
            }
        },
        Encoding("Bitfield", "sf opc:2 100110 N immr:6 imms:6 Rn Rd") { w in
            let opc = w.bits(30, 29), n = w.bit(22), immr = w.bits(21, 16), imms = w.bits(15, 10)
            let size = w.sf ? 64 : 32
            if opc == 3 || n != (w.sf ? 1 : 0) || (!w.sf && (immr >= 32 || imms >= 32)) { return Insn(.undefined) }
            return bitfield(opc: opc, rd: w.rd, rn: w.rn, immr: immr, imms: imms, size: size)
        },
        Encoding("EXTR", "sf 00 100111 N 0 Rm imms:6 Rn Rd") { w in
            let n = w.bit(22), imms = w.bits(15, 10)
            if n != (w.sf ? 1 : 0) || (!w.sf && imms >= 32) { return Insn(.undefined) }
            return Insn(w.sf ? .extr64 : .extr32, rd: dst(w.rd), rn: src(w.rn), rm: src(w.rm), a: imms)
        },
    ]

    /// Splits SBFM/BFM/UBFM into shapes that each run as a couple of shifts and a mask.
    /// ubfx: (x >> a) & imm; ubfiz: (x & imm) << a; sbfx: sext(x >> a, width b); sbfiz: sext(x, b) << a;
    /// bfxil/bfi: insert the field into Rd.
    static func bitfield(opc: Int, rd: Int, rn: Int, immr: Int, imms: Int, size: Int) -> Insn {
        let is32 = size == 32 ? 1 : 0
        let d = dst(rd)
        // BFM reads Rd; when Rd is XZR the result is discarded but the source is zero.
        let bfRead = rd
        if imms >= immr {
            let width = imms - immr + 1
            switch opc {
            case 0: return Insn(.sbfx, rd: d, rn: src(rn), ra: is32, a: immr, b: width)
            case 1: return Insn(.bfxil, rd: d, rn: src(rn), rm: bfRead, ra: is32, a: immr, b: width, imm: ones(width))
            default: return Insn(.ubfx, rd: d, rn: src(rn), ra: is32, a: immr, b: width, imm: ones(width))
            }
        } else {
            let width = imms + 1, lsb = size - immr
            switch opc {
            case 0: return Insn(.sbfiz, rd: d, rn: src(rn), ra: is32, a: lsb, b: width)
            case 1: return Insn(.bfi, rd: d, rn: src(rn), rm: bfRead, ra: is32, a: lsb, b: width, imm: ones(width) << UInt64(lsb))
            default: return Insn(.ubfiz, rd: d, rn: src(rn), ra: is32, a: lsb, b: width, imm: ones(width))
            }
        }
    }
}
