/// `--timing a53`'s branch predictors: 2048 two-bit counters for conditional branches (the A53's
/// 4 Kbit class) indexed by the branch's address, a 256-entry indirect predictor (the last target
/// of each BR/BLR by address) and an 8-entry return stack that BL/BLR push and RET pops. A
/// correctly predicted taken conditional branch refetches (one cycle more than the static
/// schedule's one; BR/BLR/RET's 4 are the schedule's); a misprediction costs the pipeline
/// refill, 8 cycles more (measured 7-9 on the A53: ../shared/timing-a53.md).
final class BranchPredictor {
    static let entries = 2048
    static let takenCycles: UInt64 = 1, mispredictCycles: UInt64 = 8
    private let counters: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: BranchPredictor.entries)
        p.initialize(repeating: 1, count: BranchPredictor.entries)
        return p
    }()
    var predictions: UInt64 = 0, mispredictions: UInt64 = 0
    var indirectMispredictions: UInt64 = 0, returnMispredictions: UInt64 = 0

    static let indirectEntries = 256, returnEntries = 8
    private let targets: UnsafeMutablePointer<UInt64> = {
        let p = UnsafeMutablePointer<UInt64>.allocate(capacity: BranchPredictor.indirectEntries)
        p.initialize(repeating: 0, count: BranchPredictor.indirectEntries)
        return p
    }()
    /// The return stack: a ring whose oldest entry a push past eight overwrites; `depth` says how
    /// many entries a RET can still pop.
    private var returns: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0)
    private var top = 0, depth = 0

    deinit { counters.deallocate(); targets.deallocate() }

    /// The cycles a BL, BLR, BR or RET at `pc` adds, its target known: BL/BLR push the return
    /// address; BR/BLR are predicted by their last target, RET by the return stack.
    func jump(_ kind: Jump, pc: UInt64, target: UInt64) -> UInt64 {
        var missed = false
        if kind == .br || kind == .blr {
            let i = Int(truncatingIfNeeded: (pc >> 2) ^ (pc >> 10)) & (BranchPredictor.indirectEntries - 1)
            missed = targets[i] != target
            targets[i] = target
            if missed { indirectMispredictions &+= 1 }
        }
        if kind == .ret {
            if depth > 0 {
                missed = withUnsafeBytes(of: returns) { $0.load(fromByteOffset: top * 8, as: UInt64.self) } != target
                top = (top &+ BranchPredictor.returnEntries &- 1) & (BranchPredictor.returnEntries - 1)
                depth &-= 1
            } else {
                missed = true
            }
            if missed { returnMispredictions &+= 1 }
        }
        if kind == .bl || kind == .blr {
            top = (top &+ 1) & (BranchPredictor.returnEntries - 1)
            withUnsafeMutableBytes(of: &returns) { $0.storeBytes(of: pc &+ 4, toByteOffset: top * 8, as: UInt64.self) }
            depth = min(depth &+ 1, BranchPredictor.returnEntries)
        }
        guard kind != .bl else { return 0 }
        predictions &+= 1
        guard missed else { return 0 }
        mispredictions &+= 1
        return BranchPredictor.mispredictCycles
    }

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

/// The branch a `predictedJump` slot holds (in `rm`).
enum Jump: UInt8 {
    case bl = 1, blr, br, ret

    init?(_ op: Op) {
        switch op {
        case .bl: self = .bl
        case .blr: self = .blr
        case .br: self = .br
        case .ret: self = .ret
        default: return nil
        }
    }
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
        a53Ref.unsafelyUnwrapped._withUnsafeGuaranteedRef { m in
            let cycles = m.predictor.resolve(pc: pc, taken: taken)
            guard taken && target &>> 6 != a53FetchLine else { return cycles }
            return cycles &+ a53Fetch(m, target)
        }
    }

    /// A BL/BLR/BR/RET at `pc` under the a53 model: the predictors' cycles and the target's fetch.
    @inline(never)
    func a53Jump(_ kind: UInt8, at pc: UInt64, target: UInt64) -> UInt64 {
        a53Ref.unsafelyUnwrapped._withUnsafeGuaranteedRef { m in
            let cycles = m.predictor.jump(Jump(rawValue: kind)!, pc: pc, target: target)
            guard target &>> 6 != a53FetchLine else { return cycles }
            return cycles &+ a53Fetch(m, target)
        }
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
