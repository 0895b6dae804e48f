/// The translator's loads and stores: the software TLB's fast path inline (the interpreter's
/// `fastRead`/`fastWrite` test, in x86), a side exit to the interpreter on a miss.
extension JITTranslator {
    /// RAX = guest VA becomes RAX = host address through the TLB fast path, or a side exit.
    /// Clobbers RCX, RDX.
    mutating func hostAddress(size: Int, write: Bool) {
        a.mov(.rcx, .rax)
        a.shift(.shr, .rcx, 12)
        a.alu(.and, .rcx, imm: Int32(SoftTLB.entries - 1))
        a.imul(.rcx, .rcx, imm8: Int8(JITFrame.tlbStride))
        a.alu(.add, .rcx, .r12)
        a.mov(.rdx, .rax)
        a.alu(.and, .rdx, imm: Int32(bitPattern: 0xFFFF_F000 | UInt32(size - 1)))
        a.alu(.cmp, .rdx, .rcx, write ? JITFrame.writeTag : JITFrame.readTag)
        a.jcc(.ne, sideExit())
        a.alu(.add, .rax, .rcx, JITFrame.addend)
    }

    /// Size, signedness (and to 64 bits), store, for a `LoadKind` raw value; nil for PRFM.
    static func access(_ raw: UInt8) -> (size: Int, signed: Bool, to64: Bool, store: Bool)? {
        guard let kind = LoadKind(rawValue: raw), kind != .prfm else { return nil }
        let signed = kind == .ldrsw || kind == .ldrshX || kind == .ldrshW || kind == .ldrsbX || kind == .ldrsbW
        return (kind.size, signed, kind != .ldrshW && kind != .ldrsbW, kind.isStore)
    }

    /// The access of `kind` at the VA in RAX, to or from register `rt`.
    mutating func transfer(_ kind: UInt8, _ rt: UInt8) {
        let k = Self.access(kind)!
        hostAddress(size: k.size, write: k.store)
        if k.store {
            get(.rdx, rt)
            a.store(.rdx, .rax, 0, size: k.size)
        } else {
            a.load(.rdx, .rax, 0, size: k.size, signed: k.signed, to64: k.to64)
            put(.rdx, rt)
        }
    }

    /// Leaves the unit when register `rn` is SP and holds a misaligned value (RAX = its value):
    /// the interpreter's general path then checks SP alignment.
    mutating func spCheck(_ rn: UInt8) {
        guard rn == UInt8(Reg.sp) else { return }
        a.test(.rax, imm: 15)
        a.jcc(.ne, sideExit())
    }

    /// A load or store of the translated kinds (`translates` said which); false, having emitted
    /// nothing, for any other instruction.
    mutating func memory(_ insn: Insn) -> Bool {
        let rd = insn.rd, rn = insn.rn, rm = insn.rm, imm = insn.imm
        switch insn.op {
        // (STRH with an immediate offset always takes the interpreter's general path, and so its
        // timing: the interpreter runs it.)
        case .ldrX, .ldrW, .ldrH, .ldrB, .ldrsw, .ldrshX, .ldrshW, .ldrsbX, .ldrsbW, .strX, .strW, .strB:
            get(.rax, rn)
            alu(.add, .rax, imm: imm, wide: true)
            transfer(UInt8(truncatingIfNeeded: insn.op.rawValue - Op.ldrX.rawValue), rd)
        case .ldrXr, .ldrWr, .ldrBr, .strXr, .strWr, .strBr:
            let kinds: [Op: LoadKind] = [.ldrXr: .ldrX, .ldrWr: .ldrW, .ldrBr: .ldrB, .strXr: .strX, .strWr: .strW, .strBr: .strB]
            extended(.rsi, rm, option: insn.ra, shift: insn.b)
            get(.rax, rn)
            a.alu(.add, .rax, .rsi)
            transfer(kinds[insn.op]!.rawValue, rd)
        case .ldst:
            let mode = insn.b
            get(.rax, rn)
            spCheck(rn)
            if mode == AddrMode.register.rawValue {
                extended(.rsi, rm, option: insn.ra, shift: UInt8(truncatingIfNeeded: imm))
                a.alu(.add, .rax, .rsi)
            } else if mode != AddrMode.postIndex.rawValue {
                alu(.add, .rax, imm: imm, wide: true)
            }
            a.mov(.rsi, .rax)
            transfer(insn.a, rd)
            if mode == AddrMode.preIndex.rawValue {
                put(.rsi, rn)
            } else if mode == AddrMode.postIndex.rawValue {
                alu(.add, .rsi, imm: imm, wide: true)
                put(.rsi, rn)
            }
        case .ldpX, .stpX, .ldp, .stp:
            // Pairs of X, W or SW registers in any mode: both elements through the fast path; a
            // second element in the next page takes the interpreter's path.
            let mode = insn.b, load = insn.op == .ldpX || insn.op == .ldp
            let size = insn.op == .ldpX || insn.op == .stpX || insn.a == PairKind.x.rawValue ? 8 : 4
            let signed = insn.op == .ldp && insn.a == PairKind.sw.rawValue
            get(.rax, rn)
            spCheck(rn)
            a.mov(.rsi, .rax)
            if mode != AddrMode.postIndex.rawValue { alu(.add, .rax, imm: imm, wide: true) }
            a.mov(.rdx, .rax)
            a.alu(.and, .rdx, imm: 0xFFF)
            a.alu(.cmp, .rdx, imm: Int32(0x1000 - size))
            a.jcc(.e, sideExit())
            hostAddress(size: size, write: !load)
            if load {
                a.load(.rcx, .rax, 0, size: size, signed: signed)
                a.load(.rdx, .rax, Int32(size), size: size, signed: signed)
                put(.rcx, rd)
                put(.rdx, rm)
            } else {
                get(.rcx, rd)
                get(.rdx, rm)
                a.store(.rcx, .rax, 0, size: size)
                a.store(.rdx, .rax, Int32(size), size: size)
            }
            if mode != AddrMode.offset.rawValue {
                alu(.add, .rsi, imm: imm, wide: true)
                put(.rsi, rn)
            }
        default:
            return false
        }
        return true
    }
}
