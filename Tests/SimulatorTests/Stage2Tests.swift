import Testing
@testable import Simulator

/// Stage-2 translation and EL2 traps: an EL2 snippet builds stage-2 tables, runs an EL1 payload
/// and logs every exception it takes (ESR_EL2, FAR_EL2, HPFAR_EL2) to memory.
@Suite struct Stage2Tests {
    func put(_ b: Bench, _ addr: UInt64, _ desc: UInt64) throws {
        try b.machine.memory.write((0..<8).map { UInt8(truncatingIfNeeded: desc >> UInt64(8 * $0)) }, at: addr)
    }

    func read64(_ b: Bench, _ addr: UInt64) -> UInt64 { b.machine.memory.read64(addr) ?? 0xBAD }

    /// An ESR value: EC, IL = 1 and the ISS fields given as (value, shift) pairs.
    func esr(_ ec: UInt64, _ fields: [(UInt64, UInt64)]) -> UInt64 {
        fields.reduce(ec << 26 | 1 << 25) { $0 | $1.0 << $1.1 }
    }

    /// The EL2 side: vectors that log (ESR, FAR, HPFAR) at x28 and step over the instruction;
    /// HVC #0x99 ends the payload. Then the EL1 payload given.
    func program(hcr: UInt64, vtcr: UInt64, payload: String) -> String {
        """
        b start
        .balign 2048
        vbar:
        .skip 0x400
        mrs x20, esr_el2
        lsr x21, x20, #26
        cmp x21, #0x16
        b.eq done
        mrs x21, far_el2
        mrs x22, hpfar_el2
        stp x20, x21, [x28], #16
        str x22, [x28], #8
        mrs x24, elr_el2
        add x24, x24, #4
        msr elr_el2, x24
        eret
        done:
        mov x0, #0
        msr hcr_el2, x0
        isb
        b finish
        start:
        adr x1, vbar
        msr vbar_el2, x1
        ldr x28, =0x42100000
        ldr x0, =0x42000000
        msr vttbr_el2, x0
        ldr x0, =\(vtcr)
        msr vtcr_el2, x0
        ldr x0, =0x12345678
        msr vpidr_el2, x0
        ldr x0, =\(hcr)
        msr hcr_el2, x0
        isb
        \(Bench.toEL1)
        \(payload)
        hvc #0x99
        finish:
        """
    }

    /// 4K granule, 32-bit IPA starting at level 1 (SL0 = 1): RAM by a 1 GiB block, IPA 0x09000000
    /// by a read-only 2 MiB block onto PA 0x43000000, IPA 0x80000000 unmapped.
    func tables(_ b: Bench) throws {
        let rw: UInt64 = 1 << 10 | 3 << 8 | 3 << 6 | 0xF << 2 | 1       // AF, ISH, S2AP RW, Normal WB, block
        try put(b, 0x4200_0008, 0x4000_0000 | rw)
        try put(b, 0x4200_0000, 0x4200_1000 | 3)
        try put(b, 0x4200_1000 + 8 * 72, 0x4300_0000 | (rw & ~(2 << 6)))   // S2AP read-only
        try b.machine.memory.write([0x34, 0x12, 0, 0], at: 0x4300_0000)
    }

    @Test func dataAbortsCarryTheInstructionSyndrome() throws {
        let b = try Bench()
        try tables(b)
        // HCR_EL2: VM, RW; VTCR_EL2: T0SZ 32, SL0 1, TG0 4K, PS 40 bits.
        try b.run(program(hcr: 1 | 1 << 31, vtcr: 32 | 1 << 6 | 2 << 16, payload: """
            ldr x1, =0x09000000
            ldr w2, [x1]
            mov w3, #7
            str w3, [x1, #8]
            ldr x5, =0x80000010
            ldrsh x6, [x5]
            ldp x7, x8, [x5]
            stlr x9, [x5]
            mrs x10, midr_el1
            """))
        #expect(b.x(2) == 0x1234, "read through a read-only stage-2 block")
        let log: UInt64 = 0x4210_0000
        // STR W3 to read-only: permission fault L2, ISV, SAS word, SRT 3, SF 0, WnR.
        #expect(read64(b, log) == esr(0x24, [(1, 24), (2, 22), (3, 16), (1, 6), (0x0E, 0)]))
        #expect(read64(b, log + 8) == 0x0900_0008)
        #expect(read64(b, log + 16) == 0x0900_0000 >> 8)
        // LDRSH X6: translation fault L1, ISV, SAS half, SSE, SRT 6, SF 1.
        #expect(read64(b, log + 24) == esr(0x24, [(1, 24), (1, 22), (1, 21), (6, 16), (1, 15), (0x05, 0)]))
        #expect(read64(b, log + 32) == 0x8000_0010)
        #expect(read64(b, log + 40) == 0x8000_0000 >> 8)
        // LDP: no instruction syndrome.
        #expect(read64(b, log + 48) == esr(0x24, [(0x05, 0)]))
        // STLR X9: AR, SF, SAS doubleword, WnR.
        #expect(read64(b, log + 72) == esr(0x24, [(1, 24), (3, 22), (9, 16), (1, 15), (1, 14), (1, 6), (0x05, 0)]))
        #expect(b.x(10) == 0x1234_5678, "MIDR_EL1 at EL1 reads VPIDR_EL2")
    }

    /// Stage-1 TTBR1 tables in an IPA stage 2 does not map: the walk faults with S1PTW and HPFAR
    /// names the table's page, for a load and for AT (which also sets CM).
    @Test func stageOneWalkFaultsAtStageTwo() throws {
        let b = try Bench()
        try tables(b)
        // Stage 1: TTBR0 identity-maps [0x40000000, 0x80000000) with a 1 GiB block.
        try put(b, 0x4220_0008, 0x4000_0000 | 1 << 10 | 3 << 8 | 1)
        try b.run(program(hcr: 1 | 1 << 31, vtcr: 32 | 1 << 6 | 2 << 16, payload: """
            mov x0, #0xff
            msr mair_el1, x0
            ldr x0, =(25 | 25 << 16 | 2 << 30)
            msr tcr_el1, x0
            ldr x0, =0x42200000
            msr ttbr0_el1, x0
            ldr x0, =0x80004000
            msr ttbr1_el1, x0
            isb
            mrs x0, sctlr_el1
            orr x0, x0, #1
            msr sctlr_el1, x0
            isb
            ldr x1, =0xffffff8000000000
            ldr x2, [x1]
            at s1e1r, x1
            """))
        let log: UInt64 = 0x4210_0000
        for entry in [log, log + 24] {
            let syndrome = read64(b, entry)
            #expect(syndrome >> 26 == 0x24 && syndrome & (1 << 7) != 0 && syndrome & (1 << 24) == 0 && syndrome & 0x3F == 0x05,
                    "S1PTW translation fault L1: \(String(syndrome, radix: 16))")
            #expect(read64(b, entry + 8) == 0xFFFF_FF80_0000_0000)
            #expect(read64(b, entry + 16) == 0x8000_4000 >> 8)
        }
        #expect(read64(b, log) & (1 << 8) == 0 && read64(b, log + 24) & (1 << 8) != 0, "only AT reports CM")
    }

    /// Concatenated start tables: a 40-bit IPA from level 1 resolves 10 bits there (two tables).
    @Test func concatenatedStartTables() throws {
        let b = try Bench()
        let rw: UInt64 = 1 << 10 | 3 << 8 | 3 << 6 | 0xF << 2 | 1
        try put(b, 0x4200_0008, 0x4000_0000 | rw)
        // IPA 0x80_4000_0000 selects entry 513, in the second concatenated table.
        try put(b, 0x4200_0000 + 8 * 513, 0x4000_0000 | rw)
        try b.machine.memory.write([0x78, 0x56, 0, 0], at: 0x4300_0000)
        try b.run(program(hcr: 1 | 1 << 31, vtcr: 24 | 1 << 6 | 2 << 16, payload: """
            ldr x1, =0x8043000000
            ldr w2, [x1]
            """))
        #expect(b.x(2) == 0x5678)
    }

    /// HCR_EL2 trap controls: TWI, TVM, TID3, TTLB, TDZ (and DCZID_EL0.DZP), each logged with its syndrome.
    @Test func hypervisorTraps() throws {
        let b = try Bench()
        try tables(b)
        let hcr: UInt64 = 1 | 1 << 31 | 1 << 13 | 1 << 26 | 1 << 18 | 1 << 25 | 1 << 28
        try b.run(program(hcr: hcr, vtcr: 32 | 1 << 6 | 2 << 16, payload: """
            wfi
            mrs x0, sctlr_el1
            msr sctlr_el1, x0
            mrs x12, id_aa64pfr0_el1
            tlbi vmalle1
            dc zva, x1
            mrs x13, dczid_el0
            """))
        let log: UInt64 = 0x4210_0000
        #expect(read64(b, log) == esr(0x01, [(1, 24), (0xE, 20)]), "WFI: TI 0")
        // MSR SCTLR_EL1, X0: op0 3, op2 0, op1 0, CRn 1, Rt 0, CRm 0, write.
        #expect(read64(b, log + 24) == esr(0x18, [(3, 20), (1, 10)]))
        // MRS X12, ID_AA64PFR0_EL1: CRm 4, Rt 12, read.
        #expect(read64(b, log + 48) == esr(0x18, [(3, 20), (12, 5), (4, 1), (1, 0)]))
        // TLBI VMALLE1: op0 1, op1 0, CRn 8, CRm 7, op2 0, Rt 31.
        #expect(read64(b, log + 72) == esr(0x18, [(1, 20), (8, 10), (31, 5), (7, 1)]))
        // DC ZVA, X1: op0 1, op1 3, CRn 7, CRm 4, op2 1.
        #expect(read64(b, log + 96) == esr(0x18, [(1, 20), (1, 17), (3, 14), (7, 10), (1, 5), (4, 1)]))
        #expect(b.x(13) == 0x14, "DCZID_EL0.DZP under HCR_EL2.TDZ")
    }
}
