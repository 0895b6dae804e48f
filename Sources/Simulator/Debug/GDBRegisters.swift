/// The register file gdb sees (its target description, `target.xml`): AArch64's core and FP/SIMD
/// features with gdb's own names and numbers, then the system registers a hypervisor developer
/// reads (EL1 and EL2 translation and exception state, the EL2 traps, stage 2), 64 bits each.
enum GDBRegisters {
    /// System registers by gdb name: a storage slot, or the banked stack pointers and CurrentEL.
    enum System {
        case slot(SysReg)
        case spBank(Int)
        case currentEL
    }

    static let system: [(name: String, reg: System)] = [
        ("CurrentEL", .currentEL), ("SP_EL0", .spBank(0)), ("SP_EL1", .spBank(1)), ("SP_EL2", .spBank(2)),
        ("SCTLR_EL1", .slot(.sctlrEL1)), ("TCR_EL1", .slot(.tcrEL1)), ("TTBR0_EL1", .slot(.ttbr0EL1)),
        ("TTBR1_EL1", .slot(.ttbr1EL1)), ("MAIR_EL1", .slot(.mairEL1)), ("VBAR_EL1", .slot(.vbarEL1)),
        ("ESR_EL1", .slot(.esrEL1)), ("FAR_EL1", .slot(.farEL1)), ("ELR_EL1", .slot(.elrEL1)),
        ("SPSR_EL1", .slot(.spsrEL1)), ("SCTLR_EL2", .slot(.sctlrEL2)), ("TCR_EL2", .slot(.tcrEL2)),
        ("TTBR0_EL2", .slot(.ttbr0EL2)), ("MAIR_EL2", .slot(.mairEL2)), ("VBAR_EL2", .slot(.vbarEL2)),
        ("ESR_EL2", .slot(.esrEL2)), ("FAR_EL2", .slot(.farEL2)), ("HPFAR_EL2", .slot(.hpfarEL2)),
        ("ELR_EL2", .slot(.elrEL2)), ("SPSR_EL2", .slot(.spsrEL2)), ("HCR_EL2", .slot(.hcrEL2)),
        ("VTTBR_EL2", .slot(.vttbrEL2)), ("VTCR_EL2", .slot(.vtcrEL2)), ("MDCR_EL2", .slot(.mdcrEL2)),
        ("CPTR_EL2", .slot(.cptrEL2)), ("CNTHCTL_EL2", .slot(.cnthctlEL2)), ("SCR_EL3", .slot(.scrEL3)),
        ("VBAR_EL3", .slot(.vbarEL3)), ("ELR_EL3", .slot(.elrEL3)), ("SPSR_EL3", .slot(.spsrEL3)),
        ("ESR_EL3", .slot(.esrEL3)),
    ]

    static let pc = 32, cpsr = 33, firstV = 34, fpsr = 66, fpcr = 67, firstSystem = 68
    static var count: Int { firstSystem + system.count }

    /// Size in bytes of register `n`.
    static func size(_ n: Int) -> Int {
        switch n {
        case cpsr, fpsr, fpcr: return 4
        case firstV..<firstV + 32: return 16
        default: return 8
        }
    }

    static let targetXML: String = {
        var xml = """
            <?xml version="1.0"?>
            <!DOCTYPE target SYSTEM "gdb-target.dtd">
            <target version="1.0">
            <architecture>aarch64</architecture>
            <feature name="org.gnu.gdb.aarch64.core">

            """
        for i in 0..<31 { xml += "<reg name=\"x\(i)\" bitsize=\"64\" type=\"int\" regnum=\"\(i)\"/>\n" }
        xml += """
            <reg name="sp" bitsize="64" type="data_ptr" regnum="31"/>
            <reg name="pc" bitsize="64" type="code_ptr" regnum="32"/>
            <reg name="cpsr" bitsize="32" type="int" regnum="33"/>
            </feature>
            <feature name="org.gnu.gdb.aarch64.fpu">
            <vector id="v2d" type="ieee_double" count="2"/>
            <vector id="v2u" type="uint64" count="2"/>
            <vector id="v4f" type="ieee_single" count="4"/>
            <vector id="v4u" type="uint32" count="4"/>
            <vector id="v8u" type="uint16" count="8"/>
            <vector id="v16u" type="uint8" count="16"/>
            <union id="aarch64v">
            <field name="d" type="v2d"/><field name="ud" type="v2u"/><field name="s" type="v4f"/>
            <field name="us" type="v4u"/><field name="h" type="v8u"/><field name="b" type="v16u"/>
            <field name="q" type="uint128"/>
            </union>

            """
        for i in 0..<32 { xml += "<reg name=\"v\(i)\" bitsize=\"128\" type=\"aarch64v\" regnum=\"\(firstV + i)\"/>\n" }
        xml += """
            <reg name="fpsr" bitsize="32" type="int" regnum="\(fpsr)"/>
            <reg name="fpcr" bitsize="32" type="int" regnum="\(fpcr)"/>
            </feature>
            <feature name="org.minos.sim.sysregs">

            """
        for (i, r) in system.enumerated() {
            xml += "<reg name=\"\(r.name)\" bitsize=\"64\" type=\"uint64\" group=\"system\" regnum=\"\(firstSystem + i)\"/>\n"
        }
        return xml + "</feature>\n</target>\n"
    }()

    /// Register `n` of `core` as little-endian bytes.
    static func read(_ n: Int, of core: Core) -> [UInt8] {
        func le(_ v: UInt64, _ size: Int) -> [UInt8] { (0..<size).map { UInt8(truncatingIfNeeded: v >> (8 * $0)) } }
        switch n {
        case 0..<31: return le(core.x[n], 8)
        case 31: return le(core.x[Reg.sp], 8)
        case pc: return le(core.state.pointee.pc, 8)
        case cpsr: return le(core.pstate, 4)
        case firstV..<firstV + 32:
            let v = n - firstV
            return le(core.v[2 * v], 8) + le(core.v[2 * v + 1], 8)
        case fpsr: return le(core[.fpsr], 4)
        case fpcr: return le(core[.fpcr], 4)
        default:
            switch system[n - firstSystem].reg {
            case .slot(let r): return le(core[r], 8)
            case .spBank(let el): return le(core.readSPBank(el), 8)
            case .currentEL: return le(UInt64(core.state.pointee.el) << 2, 8)
            }
        }
    }

    /// Writes register `n` from little-endian bytes; false for a read-only one (CurrentEL).
    static func write(_ n: Int, of core: Core, _ bytes: [UInt8]) -> Bool {
        let value = bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        switch n {
        case 0..<31: core.x[n] = value
        case 31: core.x[Reg.sp] = value
        case pc: core.state.pointee.pc = value
        case cpsr:
            // NZCV and DAIF; the EL and SP selection only to another AArch64 mode.
            core.state.pointee.setFlags(value & 0xF000_0000)
            core.state.pointee.daif = value & 0x3C0
            if value & 0x10 == 0 { core.setMode(el: Int((value >> 2) & 3), spsel: Int(value & 1)) }
        case firstV..<firstV + 32:
            let v = n - firstV
            core.v[2 * v] = value
            core.v[2 * v + 1] = bytes.dropFirst(8).prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * $1.offset) }
        case fpsr: core[.fpsr] = value & 0xFFFF_FFFF
        case fpcr: core[.fpcr] = value & 0xFFFF_FFFF
        default:
            switch system[n - firstSystem].reg {
            case .slot(let r):
                core[r] = value
                core.tlb.flushAll()                 // translation controls may have changed
                core.reselectTLB()
            case .spBank(let el): core.writeSPBank(el, value)
            case .currentEL: return false
            }
        }
        return true
    }
}
