import Testing
@testable import Simulator

/// The encoding table as data: well-formed, unambiguous, and each pattern's fields where the Arm ARM puts them.
@Suite struct DecoderTests {
    @Test func patternsAreUnambiguous() {
        let all = A64.encodings
        for (i, a) in all.enumerated() {
            for b in all[(i + 1)...] {
                let overlap = (a.value ^ b.value) & a.mask & b.mask == 0
                // Overlapping patterns must be ordered by specificity: one strictly more specific,
                // and its fixed bits a superset of the other's.
                if overlap {
                    let ordered = a.mask != b.mask && (a.mask & b.mask == b.mask || a.mask & b.mask == a.mask)
                    #expect(ordered, "\(a.name) and \(b.name) overlap without one refining the other")
                }
            }
        }
    }

    @Test func registerFieldsSitWhereTheArmARMSays() {
        for e in A64.encodings {
            for f in e.fields {
                switch f.name {
                case "Rd", "Rt": #expect(f.lo == 0 && f.width == 5, "\(e.name) \(f.name)")
                case "Rn": #expect(f.lo == 5 && f.width == 5, "\(e.name) Rn")
                case "Rm", "Rs": #expect(f.lo == 16 && f.width == 5, "\(e.name) \(f.name)")
                case "Ra", "Rt2": #expect(f.lo == 10 && f.width == 5, "\(e.name) \(f.name)")
                default: break
                }
            }
        }
    }

    @Test func knownWords() {
        let d = Decoder.shared
        #expect(d.decode(0xD503_201F).op == .nop)                  // NOP
        #expect(d.decode(0x0000_0000).op == .undefined)            // UDF #0
        #expect(d.decode(0x9100_0420).op == .addImm64)             // add x0, x1, #1
        #expect(d.decode(0xAA01_03E0).op == .movReg64)             // mov x0, x1
        #expect(d.decode(0xF840_0C20).op == .ldst)                 // ldr x0, [x1, #0]!
        #expect(d.decode(0x1E60_2820).op == .simd)                 // fadd d0, d1, d0
        #expect(d.decode(0x1EE0_2820).op == .undefined)            // fadd h0, h1, h0: ARMv8.2-FP16
        #expect(d.decode(0xF820_0020).op == .undefined)            // ldadd (ARMv8.1 LSE)
        #expect(d.decode(0xD69F_03E0).op == .eret)
        let insn = d.decode(0x9100_07E0)                           // add x0, sp, #1
        #expect(insn.rn == UInt8(Reg.sp) && insn.rd == 0)
        let cmp = d.decode(0xEB01_001F)                            // cmp x0, x1 (subs xzr, ...)
        #expect(cmp.op == .subsReg64 && cmp.rd == UInt8(Reg.sink))
    }

    /// The bitfield shapes the decoder splits UBFM/SBFM/BFM into agree with the Arm ARM pseudocode.
    @Test func bitfieldShapesMatchPseudocode() {
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<3000 {
            let sf = Bool.random(using: &rng)
            let size = sf ? 64 : 32
            let immr = Int.random(in: 0..<size, using: &rng), imms = Int.random(in: 0..<size, using: &rng)
            let opc = Int.random(in: 0...2, using: &rng)
            let src = UInt64.random(in: .min ... .max, using: &rng), dstIn = UInt64.random(in: .min ... .max, using: &rng)
            guard let (wmask, tmask) = decodeBitMasks(n: sf ? 1 : 0, imms: imms, immr: immr, immediate: false, dataSize: size) else { continue }
            // Reference: the pseudocode of SBFM/BFM/UBFM.
            let m = ones(size)
            let s = src & m, d = dstIn & m
            let ror = immr == 0 ? s : ((s >> UInt64(immr)) | (s << UInt64(size - immr))) & m
            let dst = opc == 1 ? d : 0
            let bot = (dst & ~wmask) | (ror & wmask)
            let top = opc == 0 ? ((s >> UInt64(imms)) & 1 == 1 ? m : 0) : dst
            let expected = ((top & ~tmask) | (bot & tmask)) & m

            let word = UInt32(sf ? 1 : 0) << 31 | UInt32(opc) << 29 | 0b100110 << 23 | UInt32(sf ? 1 : 0) << 22
                | UInt32(immr) << 16 | UInt32(imms) << 10 | 1 << 5 | 2
            let b = try? Bench()
            guard let b else { Issue.record("bench"); return }
            let insn = Decoder.shared.decode(word)
            b.core.x[1] = src
            b.core.x[2] = dstIn
            try? b.machine.memory.write([UInt8(truncatingIfNeeded: word), UInt8(truncatingIfNeeded: word >> 8),
                                         UInt8(truncatingIfNeeded: word >> 16), UInt8(truncatingIfNeeded: word >> 24),
                                         0x7F, 0x20, 0x03, 0xD5], at: Bench.base)
            b.machine.boot(entry: Bench.base, dtb: 0)
            b.core.x[1] = src
            b.core.x[2] = dstIn
            _ = b.machine.run(maxInstructions: 10)
            #expect(insn.op != .undefined)
            #expect(b.x(2) == expected, "opc \(opc) sf \(sf) immr \(immr) imms \(imms)")
            if b.x(2) != expected { return }
        }
    }
}
