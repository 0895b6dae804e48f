import Devices
import Testing
@testable import Simulator

/// The translator (`--engine jit`) against the reference interpreter: programs that exercise each
/// translated instruction class — flags from every kind of setter read by every condition, loops
/// that stay in a page (the deadline test), memory accesses that miss the TLB, cross pages or use
/// SP — must end in the same registers, flags, memory, cycle and instruction counts.
@Suite struct EngineTests {
    /// Runs `source` on a fresh machine with `engine`; registers x0-x30 and SP, NZCV, cycles,
    /// instructions, and the checksum of the 64 KiB scratch area at RAM + 1 MiB.
    func run(_ source: String, engine: MachineConfig.Engine, cpus: Int = 1, cacheBytes: Int = JITArena.defaultSize,
             resets: UnsafeMutablePointer<Int>? = nil) throws -> [UInt64] {
        var config = MachineConfig(board: .virt, cpus: cpus, memory: 64 << 20, entryEL: 2)
        config.engine = engine
        config.jitCacheBytes = cacheBytes
        let machine = try Machine(config, console: SerialBackend(handle: nil, echo: false))
        let code = try Assembler.assemble(source + "\n wfi\n b .\n")
        try machine.memory.write(code, at: Bench.base)
        machine.boot(entry: Bench.base, dtb: 0)
        _ = machine.run(maxInstructions: 50_000_000)
        let c = machine.cores[0]
        // The program ran to its final WFI (not into an exception, nor to the instruction limit).
        #expect(c.state.pointee.retired < 50_000_000 && c.state.pointee.el == 2, "\(engine): stopped at \(String(c.state.pointee.pc, radix: 16))")
        var out = (0..<33).map { c.x[$0] }
        out += [c.state.pointee.flags(), c.state.pointee.cycles, c.state.pointee.retired]
        let scratch = machine.memory.read(Bench.base + 0x10_0000, count: 0x1_0000) ?? []
        var sum: UInt64 = 0
        for (i, byte) in scratch.enumerated() { sum = sum &* 31 &+ UInt64(byte) &+ UInt64(i) }
        out.append(sum)
        resets?.pointee = machine.memory.jitArena?.resets ?? 0
        return out
    }

    func expectSame(_ source: String, cpus: Int = 1, cacheBytes: Int = JITArena.defaultSize, resets: UnsafeMutablePointer<Int>? = nil) throws {
        let jit = try run(source, engine: .jit, cpus: cpus, cacheBytes: cacheBytes, resets: resets)
        let interpreted = try run(source, engine: .interpret, cpus: cpus)
        for (i, (a, b)) in zip(jit, interpreted).enumerated() {
            #expect(a == b, "\(i < 33 ? "x\(i)" : ["nzcv", "cycles", "retired", "memory"][i - 33]): jit \(a), interpreter \(b)")
        }
        #expect(jit[35] > 1000, "the program ran (\(jit[35]) instructions)")
    }

    /// Every condition after each kind of flag setter, as CSET/CSINC/CSINV/CSNEG and B.cond.
    @Test func conditionsAfterEverySetter() throws {
        let conds = ["eq", "ne", "hs", "lo", "mi", "pl", "vs", "vc", "hi", "ls", "ge", "lt", "gt", "le", "al"]
        let setters = ["subs x1, x2, x3", "subs w1, w2, w3", "adds x1, x2, x3", "adds w1, w2, w3", "ands x1, x2, x3",
                       "ands w1, w2, w3", "cmp x2, #3", "cmn w2, #3", "tst x2, #0xff", "subs x1, x2, x3, lsl #3",
                       "adds x1, x2, w3, sxtw", "subs w1, w2, w3, uxtb #2"]
        var body = ""
        for (k, s) in setters.enumerated() {
            for (j, c) in conds.enumerated() {
                body += """
                    \(s)
                    csel x10, x4, x5, \(c)
                    csinc x11, x10, x6, \(c)
                    csinv w12, w11, w7, \(c)
                    csneg x13, x12, x8, \(c)
                    add x20, x20, x13
                    eor x20, x20, x20, ror #7
                    \(s)
                    b.\(c) 1f
                    add x21, x21, #\(k * 16 + j + 1)
                1:

                """
            }
        }
        // Operand values that reach every flag combination, then the same code after a branch
        // target (flags set before the translated run began).
        try expectSame("""
            mov x22, #0
            adr x23, values
        loop:
            ldr x2, [x23, x22, lsl #3]
            add x24, x22, #1
            and x24, x24, #7
            ldr x3, [x23, x24, lsl #3]
            mov x4, #0x1111
            mov x5, #0x2222
            mov x6, #-5
            mov x7, #0x7777
            mov x8, #0x8888
            cmp x2, x3
            b next
        next:
        \(body)
            add x22, x22, #1
            cmp x22, #8
            b.lo loop
            b done
            .balign 8
        values:
            .quad 0, 1, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x7fffffff, 0x80000000, 3
        done:
        """)
    }

    /// Data processing: shifts, extends, bitfields, multiplies, divides (by zero, INT_MIN / -1).
    @Test func dataProcessing() throws {
        // Each result is folded into x0 at once (then rotated), so every instruction counts.
        let ops = ["add x3, x1, x2, lsl #5", "sub w3, w1, w2, asr #3", "orn x3, x1, x2, ror #13", "bic w3, w1, w2, lsr #31",
                   "eon x3, x1, x2", "add x3, x1, w2, uxth #2", "sub x3, x1, w2, sxtb", "adds w3, w1, w2, uxtw #1",
                   "ubfx x3, x1, #7, #13", "sbfx w3, w2, #3, #9", "ubfiz x3, x1, #17, #20", "sbfiz w3, w2, #4, #6",
                   "sbfx x3, x1, #60, #4", "ubfx w3, w2, #0, #32", "mov x3, x0\n bfi x3, x1, #9, #11",
                   "mov x3, x0\n bfxil w3, w2, #5, #7", "extr x3, x1, x2, #23", "extr x3, x1, x2, #1", "ror x3, x1, #63",
                   "mov x3, x0\n movk x3, #0xbeef, lsl #32", "mov x3, x0\n movk w3, #0xbeef, lsl #16",
                   "madd x3, x1, x2, x0", "msub w3, w1, w2, w0", "smaddl x3, w1, w2, x0", "umsubl x3, w1, w2, x0",
                   "smulh x3, x1, x2", "umulh x3, x1, x2", "udiv x3, x1, x2", "udiv w3, w1, w2", "sdiv w3, w1, w2",
                   "sdiv x3, x1, x2", "lsl x3, x1, x2", "lsrv w3, w1, w2", "asr x3, x1, x2", "asrv w3, w1, w2",
                   "ror w3, w1, w2", "ror x3, x1, x2", "clz x3, x1", "clz w3, w2", "rev x3, x1", "rev w3, w2",
                   "mvn x3, x1", "neg w3, w2", "and x3, x1, #0xff00ff00ff00ff00", "orr w3, w2, #0x80000001",
                   "eor x3, x1, #0x5555555555555555", "ands w3, w2, #0xfffffff0", "adrp x3, values", "adr x3, values",
                   "extr w3, w1, w2, #5", "ror w3, w2, #31", "cmp x1, x2\n adc x3, x1, x2", "cmp w2, w1\n adcs w3, w1, w2\n cset x4, hs\n add x3, x3, x4",
                   "adds x4, x1, x2\n sbc x3, x1, x2", "subs w4, w1, w2\n sbcs x3, x2, x1\n csinc x3, x3, x1, vs",
                   "cmp x1, #1\n ccmp x1, x2, #0b1010, ne\n cset x3, gt", "tst w2, #1\n ccmn w1, #7, #3, eq\n csel x3, x1, x2, lo",
                   "ccmp x1, x2, #0, al\n cset x3, ls\n ccmp w1, w2, #15, hi\n adc x3, x3, xzr"]
        let body = ops.map { "\($0)\n eor x0, x0, x3\n ror x0, x0, #7\n" }.joined()
        try expectSame("""
            mov x19, #0
            mov x0, #0
            adr x23, values
        loop:
            and x24, x19, #7
            ldr x1, [x23, x24, lsl #3]
            lsr x24, x19, #3
            ldr x2, [x23, x24, lsl #3]
        \(body)
            add x19, x19, #1
            cmp x19, #64
            b.ne loop
            b done
            .balign 8
        values:
            .quad 0, 1, 0x7fffffffffffffff, 0x8000000000000000, 0xffffffffffffffff, 0x7fffffff, 0x80000000, 0xffffffff
        done:
        """)
    }

    /// Loads and stores of every size and extension, every addressing mode, pairs, SP bases, pairs
    /// across a page boundary, and first touches of pages (TLB misses).
    @Test func loadsAndStores() throws {
        try expectSame("""
            movz x1, #0x4010, lsl #16       // the scratch area, RAM + 1 MiB
            mov x2, #0
            mov x3, #0x1234
            movk x3, #0x89ab, lsl #48
            mov x5, sp
            add sp, x1, #0x8000
        loop:
            add x4, x1, x2, lsl #9
            str x3, [x4]
            strb w3, [x4, #9]
            strh w3, [x4, #12]
            str w3, [x4, #16]
            stp x3, x2, [x4, #32]
            stp x2, x3, [x4, #48]!
            stp x3, x3, [x4], #16
            ldr x6, [x4, #-64]
            ldrb w7, [x4, #-55]
            ldrsb x8, [x4, #-55]
            ldrsb w9, [x4, #-55]
            ldrh w10, [x4, #-52]
            ldrsh x11, [x4, #-52]
            ldrsh w12, [x4, #-52]
            ldrsw x13, [x4, #-48]
            ldr w14, [x4, #-48]
            ldp x15, x16, [x4, #-32]
            ldur w17, [x4, #-60]
            stur w17, [x4, #4]
            ldr x18, [x1, x2, lsl #3]
            str x6, [x1, x2, lsl #3]
            ldrb w19, [x1, w2, uxtw]
            strb w19, [x1, x2]
            ldr w20, [x1, w2, sxtw #2]
            str w20, [x1, x2, lsl #2]
            ldr x21, [x4], #8
            str x21, [x4, #8]!
            ldrb w22, [x4], #1
            ldrh w23, [x4, #1]!
            stp x6, x7, [sp, #-16]!
            ldp x24, x25, [sp], #16
            str x8, [sp, #-16]!
            ldr x26, [sp], #16
            add x27, x1, #0xff8              // a pair across the page boundary
            stp x3, x6, [x27]
            ldp x28, x29, [x27]
            add x26, x1, #0xc000
            add x26, x26, x2, lsl #4
            stp w3, w6, [x26, #8]
            ldp w7, w9, [x26, #8]
            ldpsw x10, x11, [x26, #8]
            stp w10, w9, [x26, #-8]!
            ldp w12, w14, [x26], #8
            ldpsw x15, x16, [x26, #-8]!
            add x27, x1, #0xffc              // a W pair across the page boundary
            stp w3, w6, [x27]
            ldp w28, w29, [x27]
            ldpsw x29, x30, [x27]
            add x3, x3, x10
            eor x3, x3, x11, lsl #3
            add x3, x3, x12
            eor x3, x3, x15, ror #3
            add x3, x3, x16
            add x3, x3, x6
            eor x3, x3, x13, ror #11
            add x2, x2, #1
            cmp x2, #100
            b.lo loop
            mov sp, x5
        """)
    }

    /// Branches: compare-and-branch, test-and-branch, calls and returns, indirect branches, and a
    /// loop long enough for several deadlines (the machine's quantum ends inside translated code).
    @Test func branchesAndLongLoops() throws {
        try expectSame("""
            mov x0, #0
            mov x1, #0
            movz x2, #0x93e0
            movk x2, #0x4, lsl #16
        loop:
            add x1, x1, #1
            tbz x1, #3, 1f
            add x0, x0, #3
        1:  tbnz x1, #5, 2f
            eor x0, x0, x1
        2:  cbz w0, 3f
            add x0, x0, x0, lsr #9
        3:  cbnz x1, 4f
            mov x0, #-1
        4:  bl fn
            adr x9, 5f
            br x9
        5:  adds w3, w1, #1
            b.eq 6f
            sub x2, x2, #1
            cbnz x2, loop
        6:  b done
        fn:
            ands x4, x1, #0xf0
            csinc x0, x0, x4, ne
            ret
        done:
        """)
    }

    /// Two cores sharing translated code, each with its own registers and the machine's quantum
    /// switching between them.
    @Test func twoCoresShareTranslations() throws {
        try expectSame("""
            mrs x0, mpidr_el1
            and x0, x0, #0xff
            cbnz x0, spin
            adr x1, spin
            movz w0, #0x0003
            movk w0, #0xC400, lsl #16
            mov x2, x1
            mov x1, #1
            mov x3, #0
            smc #0
            movz x9, #0x0d40
            movk x9, #0x3, lsl #16
            b work
        spin:
            movz x9, #0x86a0
            movk x9, #0x1, lsl #16
        work:
            mrs x10, mpidr_el1
            and x10, x10, #0xff
            movz x11, #0x4010, lsl #16
            add x11, x11, x10, lsl #12
        1:  ldr x12, [x11]
            add x12, x12, x9
            str x12, [x11]
            subs x9, x9, #1
            b.ne 1b
            cbnz x10, park
            b done
        park:
            wfi
            b park
        done:
        """, cpus: 2)
    }

    /// A translation cache too small for the program: emptied over and over while units chain
    /// into each other, with the same result.
    @Test func tinyCacheIsEmptiedAndRefilled() throws {
        var resets = 0
        let body = (0..<64).map { "add x0, x0, #\($0)\n eor x1, x1, x0, ror #\($0 % 63 + 1)\n cbz x3, 1f\n1:\n" }.joined()
        try expectSame("""
            mov x2, #200
        loop:
        \(body)
            subs x2, x2, #1
            b.ne loop
        """, cacheBytes: 4096, resets: &resets)
        #expect(resets > 10, "the cache was emptied \(resets) times")
    }
}
