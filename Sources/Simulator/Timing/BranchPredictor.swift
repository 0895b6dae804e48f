/// `--timing a53`'s conditional branch predictor: 2048 two-bit counters (the A53's 4 Kbit class),
/// indexed by the branch's address. A correctly predicted taken branch refetches (one cycle more
/// than the static schedule's one); a misprediction costs the pipeline refill, 8 cycles more
/// (measured 7-9 on the A53: ../shared/timing-a53.md).
struct BranchPredictor {
    static let entries = 2048
    static let takenCycles: UInt64 = 1, mispredictCycles: UInt64 = 8
    private var counters = [UInt8](repeating: 1, count: BranchPredictor.entries)
    var predictions: UInt64 = 0, mispredictions: UInt64 = 0

    /// The cycles the branch at `pc` adds, its outcome now known; trains the counter.
    mutating func resolve(pc: UInt64, taken: Bool) -> UInt64 {
        let i = Int(truncatingIfNeeded: (pc >> 2) ^ (pc >> 13)) & (BranchPredictor.entries - 1)
        let c = counters[i]
        predictions &+= 1
        counters[i] = taken ? min(c + 1, 3) : (c == 0 ? 0 : c - 1)
        if (c >= 2) != taken {
            mispredictions &+= 1
            return BranchPredictor.mispredictCycles
        }
        return taken ? BranchPredictor.takenCycles : 0
    }
}

extension Op {
    var isConditionalBranch: Bool {
        switch self {
        case .bCond, .cbz64, .cbz32, .cbnz64, .cbnz32, .tbz, .tbnz: return true
        default: return false
        }
    }
}

extension Core {
    /// A conditional branch under `--timing a53`: as the interpreter's, plus the predictor's cost.
    func predictedBranch(_ insn: Insn, pc: UInt64) -> Bool {
        let r = x
        let taken: Bool
        switch Op(rawValue: UInt16(insn.rm)) {
        case .bCond: taken = Core.conditionHolds(state, insn.a)
        case .cbz64: taken = r[Int(insn.rn)] == 0
        case .cbz32: taken = r[Int(insn.rn)] & 0xFFFF_FFFF == 0
        case .cbnz64: taken = r[Int(insn.rn)] != 0
        case .cbnz32: taken = r[Int(insn.rn)] & 0xFFFF_FFFF != 0
        case .tbz: taken = (r[Int(insn.rn)] &>> UInt64(insn.a)) & 1 == 0
        default: taken = (r[Int(insn.rn)] &>> UInt64(insn.a)) & 1 != 0
        }
        if let a = a53 { state.pointee.cycles &+= a.predictor.resolve(pc: pc, taken: taken) }
        guard taken else { return false }
        state.pointee.pc = pc &+ insn.imm
        return true
    }
}
