/// `--timing a53`'s conditional branch predictor: 2048 two-bit counters (the A53's 4 Kbit class),
/// indexed by the branch's address. A correctly predicted taken branch refetches (one cycle more
/// than the static schedule's one); a misprediction costs the pipeline refill, 8 cycles more
/// (measured 7-9 on the A53: ../shared/timing-a53.md).
final class BranchPredictor {
    static let entries = 2048
    static let takenCycles: UInt64 = 1, mispredictCycles: UInt64 = 8
    private let counters: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: BranchPredictor.entries)
        p.initialize(repeating: 1, count: BranchPredictor.entries)
        return p
    }()
    var predictions: UInt64 = 0, mispredictions: UInt64 = 0

    deinit { counters.deallocate() }

    /// The cycles the branch at `pc` adds, its outcome now known; trains the counter.
    @inline(__always)
    func resolve(pc: UInt64, taken: Bool) -> UInt64 {
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
    var isConditionalBranch: Bool { ConditionalBranch(self) != .none }
}

/// The conditional branch a `predictedBranch` slot holds (in `rm`), as a small number the
/// interpreter switches on without converting an Op.
enum ConditionalBranch: UInt8 {
    case none, bCond, cbz64, cbz32, cbnz64, cbnz32, tbz, tbnz

    init(_ op: Op) {
        switch op {
        case .bCond: self = .bCond
        case .cbz64: self = .cbz64
        case .cbz32: self = .cbz32
        case .cbnz64: self = .cbnz64
        case .cbnz32: self = .cbnz32
        case .tbz: self = .tbz
        case .tbnz: self = .tbnz
        default: self = .none
        }
    }
}

extension Core {
    /// A conditional branch at `pc` under the a53 model: the predictor's cycles, and when taken
    /// the fetch of its target.
    @inline(never)
    func a53Branch(at pc: UInt64, taken: Bool, target: UInt64) -> UInt64 {
        var cycles = a53Ref.unsafelyUnwrapped._withUnsafeGuaranteedRef { $0.predictor.resolve(pc: pc, taken: taken) }
        if taken && target &>> 6 != a53FetchLine { cycles &+= a53Fetch(target) }
        return cycles
    }

    /// Whether the conditional branch a `predictedBranch` slot holds is taken.
    @inline(__always)
    static func conditionalBranchTaken(_ insn: Insn, _ r: UnsafeMutablePointer<UInt64>, _ s: UnsafeMutablePointer<CPUState>) -> Bool {
        let v = r[Int(insn.rn)]
        switch insn.rm {
        case ConditionalBranch.bCond.rawValue: return Core.conditionHolds(s, insn.a)
        case ConditionalBranch.cbz64.rawValue: return v == 0
        case ConditionalBranch.cbz32.rawValue: return v & 0xFFFF_FFFF == 0
        case ConditionalBranch.cbnz64.rawValue: return v != 0
        case ConditionalBranch.cbnz32.rawValue: return v & 0xFFFF_FFFF != 0
        case ConditionalBranch.tbz.rawValue: return (v &>> UInt64(insn.a)) & 1 == 0
        default: return (v &>> UInt64(insn.a)) & 1 != 0
        }
    }
}
