/// Dispatch for instructions kept out of the hot loop. Each handler returns true when control
/// left the straight line (branch, exception, wait), with `state.pc` set; `state.pc` holds the
/// instruction's own address on entry.
extension Core {
    @inline(never)
    func executeCold(_ insn: Insn) -> Bool {
        let pc = state.pointee.pc
        switch insn.op {
        case .undefined:
            undefined(pc: pc); return true
        case .addExt, .addsExt, .subExt, .subsExt, .adc, .adcs, .sbc, .sbcs, .ccmn, .ccmp,
             .rbit, .rev16, .rev32, .rev64, .clz, .cls, .udiv, .sdiv, .lslv, .lsrv, .asrv, .rorv, .crc32,
             .smaddl, .smsubl, .umaddl, .umsubl, .smulh, .umulh:
            integerCold(insn); return false
        case .ldrLit:
            let kind = LoadKind(rawValue: insn.a)!
            guard let v = load(kind, pc &+ insn.imm, pc: pc) else { return true }
            x[Int(insn.rd)] = v
            return false
        case .exclusive:
            return !exclusive(insn, pc: pc)
        case .fpLoad, .fpStore: return fpLoadStore(insn, pc: pc)
        case .fpLoadPair, .fpStorePair: return fpPair(insn, pc: pc)
        case .fpLoadLiteral: return fpLoadLiteral(insn, pc: pc)
        case .simdStructure: return simdStructure(insn, pc: pc)
        case .simd: return simdInstruction(insn, pc: pc)
        case .sysreg: return systemRegister(insn, pc: pc)
        case .sys: return systemInstruction(insn, pc: pc)
        case .msrImm: return msrImmediate(insn, pc: pc)
        case .exceptionGen: return exceptionGenerating(insn, pc: pc)
        case .eret: exceptionReturn(pc: pc); return true
        case .wait: return waitTrapped(event: insn.a == 1, pc: pc) || wait(event: insn.a == 1, pc: pc)
        case .hint: hint(Hint(rawValue: Int(insn.a))!); return false
        case .barrier:
            // ISB ends the block so that context changes (e.g. enabled interrupts) are seen.
            if insn.a == 2 { state.pointee.pc = pc &+ 4; return true }
            return false
        case .clrex: state.pointee.exclusiveAddr = .max; return false
        default:
            // Every hot op is handled by the interpreter; reaching here is a decoder bug, and the
            // guest sees UNDEFINED rather than the host crashing.
            undefined(pc: pc); return true
        }
    }
}
