import Foundation
import Testing
@testable import Simulator

/// The FP core against vectors recorded from QEMU (`qemu-aarch64 -cpu cortex-a53`) by
/// Tests/fp-oracle/gen.py: one instruction per vector, with its FPCR, operands, result and FPSR.
@Suite struct FPOracleTests {
    struct Vector {
        var kind: Substring
        var fpcr: UInt32
        var a: UInt64, b: UInt64, c: UInt64
        var result: UInt64
        var fpsr: UInt32
    }

    static func loadVectors() throws -> [Vector] {
        // FP_ORACLE_VECTORS names another vector file (e.g. a larger run of gen.py --scale N).
        let url = ProcessInfo.processInfo.environment["FP_ORACLE_VECTORS"].map { URL(fileURLWithPath: $0) }
            ?? URL(fileURLWithPath: #filePath).deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("fp-oracle/vectors.txt")
        let text = try String(contentsOf: url, encoding: .utf8)
        var out: [Vector] = []
        for line in text.split(separator: "\n") where !line.hasPrefix("#") {
            let f = line.split(separator: " ")
            guard f.count == 7 else { continue }
            out.append(Vector(kind: f[0], fpcr: UInt32(f[1], radix: 16)!, a: UInt64(f[2], radix: 16)!,
                              b: UInt64(f[3], radix: 16)!, c: UInt64(f[4], radix: 16)!,
                              result: UInt64(f[5], radix: 16)!, fpsr: UInt32(f[6], radix: 16)!))
        }
        return out
    }

    /// Evaluate one vector's instruction with the FP core: (result, FPSR).
    static func evaluate(_ v: Vector) -> (UInt64, UInt32) {
        var st = FPStatus(fpcr: v.fpcr)
        let parts = v.kind.split(separator: ".")
        let op = parts[0]
        let size: FPSize = parts.count > 1 && parts[1] == "d" ? .double : .single
        let mask: UInt64 = size == .double ? ~0 : 0xFFFF_FFFF
        let a = v.a & mask, b = v.b & mask, c = v.c & mask
        let r: UInt64
        switch op {
        case "fadd": r = FP.add(a, b, size, &st)
        case "fsub": r = FP.sub(a, b, size, &st)
        case "fabd": r = FP.abs(FP.sub(a, b, size, &st), size)
        case "fmul": r = FP.mul(a, b, size, &st)
        case "fnmul": r = FP.neg(FP.mul(a, b, size, &st), size)
        case "fmulx": r = FP.mulX(a, b, size, &st)
        case "fdiv": r = FP.div(a, b, size, &st)
        case "fmax": r = FP.max(a, b, size, &st)
        case "fmin": r = FP.min(a, b, size, &st)
        case "fmaxnm": r = FP.maxNum(a, b, size, &st)
        case "fminnm": r = FP.minNum(a, b, size, &st)
        case "frecps": r = FP.recipStep(a, b, size, &st)
        case "frsqrts": r = FP.rsqrtStep(a, b, size, &st)
        case "fmadd": r = FP.mulAdd(c, a, b, size, &st)
        case "fmsub": r = FP.mulAdd(c, FP.neg(a, size), b, size, &st)
        case "fnmadd": r = FP.mulAdd(FP.neg(c, size), FP.neg(a, size), b, size, &st)
        case "fnmsub": r = FP.mulAdd(FP.neg(c, size), a, b, size, &st)
        case "fsqrt": r = FP.sqrt(a, size, &st)
        case "frecpe": r = FP.recipEstimate(a, size, &st)
        case "frsqrte": r = FP.rsqrtEstimate(a, size, &st)
        case "frecpx": r = FP.recpX(a, size, &st)
        case "fabs": r = FP.abs(a, size)
        case "fneg": r = FP.neg(a, size)
        case "frintn": r = FP.roundInt(a, size, rounding: .tieEven, exact: false, &st)
        case "frintp": r = FP.roundInt(a, size, rounding: .posInf, exact: false, &st)
        case "frintm": r = FP.roundInt(a, size, rounding: .negInf, exact: false, &st)
        case "frintz": r = FP.roundInt(a, size, rounding: .zero, exact: false, &st)
        case "frinta": r = FP.roundInt(a, size, rounding: .tieAway, exact: false, &st)
        case "frintx": r = FP.roundInt(a, size, rounding: st.rounding, exact: true, &st)
        case "frinti": r = FP.roundInt(a, size, rounding: st.rounding, exact: false, &st)
        case "fcmp": r = UInt64(FP.compare(a, b, size, signalNaNs: false, &st))
        case "fcmpe": r = UInt64(FP.compare(a, b, size, signalNaNs: true, &st))
        case "fcmeq": r = FP.compareEQ(a, b, size, &st) ? mask : 0
        case "fcmge": r = FP.compareGE(a, b, size, &st) ? mask : 0
        case "fcmgt": r = FP.compareGT(a, b, size, &st) ? mask : 0
        case "facge": r = FP.compareGE(FP.abs(a, size), FP.abs(b, size), size, &st) ? mask : 0
        case "facgt": r = FP.compareGT(FP.abs(a, size), FP.abs(b, size), size, &st) ? mask : 0
        case "urecpe": r = UInt64(FP.unsignedRecipEstimate(UInt32(truncatingIfNeeded: v.a)))
        case "ursqrte": r = UInt64(FP.unsignedRSqrtEstimate(UInt32(truncatingIfNeeded: v.a)))
        case "fcvt", "fcvtxn":
            let sizes: [Character: FPSize] = ["h": .half, "s": .single, "d": .double]
            let to = sizes[parts[1].first!]!, from = sizes[parts[1].last!]!
            r = FP.convert(v.a & from.mask, from: from, to: to, rounding: op == "fcvtxn" ? .odd : st.rounding, &st)
        case "scvtf", "ucvtf":
            // scvtf.<t>.<w|x>.<fbits>
            let to: FPSize = parts[1] == "d" ? .double : .single
            r = FP.fromInt(v.a, intBits: parts[2] == "x" ? 64 : 32, signed: op == "scvtf", fbits: Int(parts[3])!,
                           to: to, rounding: st.rounding, &st)
        default:
            // fcvt<r><s|u>.<w|x>.<t>[.<fbits>]
            precondition(op.hasPrefix("fcvt") && op.count == 6, "unknown kind \(v.kind)")
            let chars = Array(op)
            let rounding: FPRounding
            switch chars[4] {
            case "n": rounding = .tieEven
            case "p": rounding = .posInf
            case "m": rounding = .negInf
            case "z": rounding = .zero
            default: rounding = .tieAway
            }
            let from: FPSize = parts[2] == "d" ? .double : .single
            r = FP.toInt(v.a & from.mask, from: from, signed: chars[5] == "s", intBits: parts[1] == "x" ? 64 : 32,
                         fbits: parts.count > 3 ? Int(parts[3])! : 0, rounding: rounding, &st)
        }
        return (r, st.fpsr)
    }

    @Test func qemuVectors() throws {
        let vectors = try Self.loadVectors()
        #expect(vectors.count > 10_000)
        var failures = 0
        var failuresByKind: [Substring: Int] = [:]
        for v in vectors {
            let (r, fpsr) = Self.evaluate(v)
            if r != v.result || fpsr != v.fpsr {
                failures += 1
                failuresByKind[v.kind, default: 0] += 1
                if failures <= 40 {
                    Issue.record("""
                        \(v.kind) fpcr=\(String(v.fpcr, radix: 16)) a=\(String(v.a, radix: 16)) \
                        b=\(String(v.b, radix: 16)) c=\(String(v.c, radix: 16)): got \(String(r, radix: 16)) \
                        fpsr \(String(fpsr, radix: 16)), expected \(String(v.result, radix: 16)) \
                        fpsr \(String(v.fpsr, radix: 16))
                        """)
                }
            }
        }
        if failures > 0 {
            let summary = failuresByKind.sorted { $0.value > $1.value }.map { "\($0.key): \($0.value)" }
            Issue.record("\(failures) of \(vectors.count) vectors differ: \(summary.joined(separator: ", "))")
        }
    }
}
