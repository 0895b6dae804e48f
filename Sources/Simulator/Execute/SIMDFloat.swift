/// Advanced SIMD floating point, vector and scalar (class numbers 192..<256, `SIMDFloatClass`),
/// element by element on the FP core, FPSR flags accumulated over all lanes.
extension Core {
    /// Elements of register n (count × esize bytes from bit 0).
    func lanes(_ n: Int, count: Int, esize: Int) -> [UInt64] { (0..<count).map { element(n, $0, esize) } }

    /// Writes `values` as the low lanes of register d; bits above are zeroed.
    func setLanes(_ d: Int, _ values: [UInt64], esize: Int) {
        var words: [UInt64] = [0, 0]
        for (i, v) in values.enumerated() {
            let bit = i * esize * 8
            let mask: UInt64 = esize == 8 ? ~0 : (1 << UInt64(esize * 8)) - 1
            words[bit / 64] |= (v & mask) << UInt64(bit % 64)
        }
        setV(d, words[0], words[1])
    }

    /// The reduction order of the Arm ARM's Reduce(): pairwise halving.
    func reduce(_ v: ArraySlice<UInt64>, _ op: (UInt64, UInt64) -> UInt64) -> UInt64 {
        if v.count == 1 { return v.first! }
        let half = v.startIndex + v.count / 2
        return op(reduce(v[v.startIndex..<half], op), reduce(v[half...], op))
    }

    func simdFloat(_ cls: UInt8, _ w: UInt32, pc: UInt64) -> Bool {
        guard let c = SIMDFloatClass(rawValue: cls) else { undefined(pc: pc); return true }
        let d = w.rd, n = w.rn, m = w.rm
        let q = w.bit(30) == 1, u = w.bit(29)
        var st = fpStatus
        let double = w.bit(22) == 1
        let size: FPSize = double ? .double : .single
        let esize = double ? 8 : 4
        let count = c == .scalarThreeSame || c == .scalarTwoMisc || c == .scalarByElement || c == .scalarFixedConvert ? 1 : (q ? 16 : 8) / esize
        let ones: UInt64 = double ? ~0 : 0xFFFF_FFFF
        let zero: UInt64 = 0
        switch c {
        case .threeSame, .scalarThreeSame:
            let key = u << 5 | w.bit(23) << 4 | w.bits(13, 11)
            let a = lanes(n, count: count, esize: esize), b = lanes(m, count: count, esize: esize)
            let acc = lanes(d, count: count, esize: esize)
            var r = [UInt64](repeating: 0, count: count)
            let pairwise: ((UInt64, UInt64) -> UInt64)?
            switch key {
            case 0b100_000: pairwise = { FP.maxNum($0, $1, size, &st) }
            case 0b100_010: pairwise = { FP.add($0, $1, size, &st) }
            case 0b100_110: pairwise = { FP.max($0, $1, size, &st) }
            case 0b110_000: pairwise = { FP.minNum($0, $1, size, &st) }
            case 0b110_110: pairwise = { FP.min($0, $1, size, &st) }
            default: pairwise = nil
            }
            if let op = pairwise {
                let concat = a + b
                for i in 0..<count { r[i] = op(concat[2 * i], concat[2 * i + 1]) }
            } else {
                for i in 0..<count {
                    let x = a[i], y = b[i]
                    switch key {
                    case 0b000_000: r[i] = FP.maxNum(x, y, size, &st)
                    case 0b000_001: r[i] = FP.mulAdd(acc[i], x, y, size, &st)
                    case 0b000_010: r[i] = FP.add(x, y, size, &st)
                    case 0b000_011: r[i] = FP.mulX(x, y, size, &st)
                    case 0b000_100: r[i] = FP.compareEQ(x, y, size, &st) ? ones : 0
                    case 0b000_110: r[i] = FP.max(x, y, size, &st)
                    case 0b000_111: r[i] = FP.recipStep(x, y, size, &st)
                    case 0b010_000: r[i] = FP.minNum(x, y, size, &st)
                    case 0b010_001: r[i] = FP.mulAdd(acc[i], FP.neg(x, size), y, size, &st)
                    case 0b010_010: r[i] = FP.sub(x, y, size, &st)
                    case 0b010_110: r[i] = FP.min(x, y, size, &st)
                    case 0b010_111: r[i] = FP.rsqrtStep(x, y, size, &st)
                    case 0b100_011: r[i] = FP.mul(x, y, size, &st)
                    case 0b100_100: r[i] = FP.compareGE(x, y, size, &st) ? ones : 0
                    case 0b100_101: r[i] = FP.compareGE(FP.abs(x, size), FP.abs(y, size), size, &st) ? ones : 0
                    case 0b100_111: r[i] = FP.div(x, y, size, &st)
                    case 0b110_010: r[i] = FP.abs(FP.sub(x, y, size, &st), size)
                    case 0b110_100: r[i] = FP.compareGT(x, y, size, &st) ? ones : 0
                    default: r[i] = FP.compareGT(FP.abs(x, size), FP.abs(y, size), size, &st) ? ones : 0 // FACGT
                    }
                }
            }
            setLanes(d, r, esize: esize)
        case .twoMisc, .scalarTwoMisc:
            let key = u << 6 | w.bit(23) << 5 | w.bits(16, 12)
            let a = lanes(n, count: count, esize: esize)
            let bits = esize * 8
            let r: [UInt64] = a.map { x in
                switch key {
                case 0b00_11000: return FP.roundInt(x, size, rounding: .tieEven, exact: false, &st)
                case 0b00_11001: return FP.roundInt(x, size, rounding: .negInf, exact: false, &st)
                case 0b00_11010: return FP.toInt(x, from: size, signed: true, intBits: bits, rounding: .tieEven, &st)
                case 0b00_11011: return FP.toInt(x, from: size, signed: true, intBits: bits, rounding: .negInf, &st)
                case 0b00_11100: return FP.toInt(x, from: size, signed: true, intBits: bits, rounding: .tieAway, &st)
                case 0b00_11101: return FP.fromInt(x, intBits: bits, signed: true, to: size, rounding: st.rounding, &st)
                case 0b01_01100: return FP.compareGT(x, zero, size, &st) ? ones : 0
                case 0b01_01101: return FP.compareEQ(x, zero, size, &st) ? ones : 0
                case 0b01_01110: return FP.compareGT(zero, x, size, &st) ? ones : 0
                case 0b01_01111: return FP.abs(x, size)
                case 0b01_11000: return FP.roundInt(x, size, rounding: .posInf, exact: false, &st)
                case 0b01_11001: return FP.roundInt(x, size, rounding: .zero, exact: false, &st)
                case 0b01_11010: return FP.toInt(x, from: size, signed: true, intBits: bits, rounding: .posInf, &st)
                case 0b01_11011: return FP.toInt(x, from: size, signed: true, intBits: bits, rounding: .zero, &st)
                case 0b01_11100: return UInt64(FP.unsignedRecipEstimate(UInt32(truncatingIfNeeded: x)))
                case 0b01_11101: return FP.recipEstimate(x, size, &st)
                case 0b01_11111: return FP.recpX(x, size, &st)
                case 0b10_11000: return FP.roundInt(x, size, rounding: .tieAway, exact: false, &st)
                case 0b10_11001: return FP.roundInt(x, size, rounding: st.rounding, exact: true, &st)
                case 0b10_11010: return FP.toInt(x, from: size, signed: false, intBits: bits, rounding: .tieEven, &st)
                case 0b10_11011: return FP.toInt(x, from: size, signed: false, intBits: bits, rounding: .negInf, &st)
                case 0b10_11100: return FP.toInt(x, from: size, signed: false, intBits: bits, rounding: .tieAway, &st)
                case 0b10_11101: return FP.fromInt(x, intBits: bits, signed: false, to: size, rounding: st.rounding, &st)
                case 0b11_01100: return FP.compareGE(x, zero, size, &st) ? ones : 0
                case 0b11_01101: return FP.compareGE(zero, x, size, &st) ? ones : 0
                case 0b11_01111: return FP.neg(x, size)
                case 0b11_11001: return FP.roundInt(x, size, rounding: st.rounding, exact: false, &st)
                case 0b11_11010: return FP.toInt(x, from: size, signed: false, intBits: bits, rounding: .posInf, &st)
                case 0b11_11011: return FP.toInt(x, from: size, signed: false, intBits: bits, rounding: .zero, &st)
                case 0b11_11100: return UInt64(FP.unsignedRSqrtEstimate(UInt32(truncatingIfNeeded: x)))
                case 0b11_11101: return FP.rsqrtEstimate(x, size, &st)
                default: return FP.sqrt(x, size, &st)
                }
            }
            setLanes(d, r, esize: esize)
        case .acrossLanes:
            let a = lanes(n, count: 4, esize: 4)
            let minimum = w.bit(23) == 1, numeric = w.bits(16, 12) == 0b01100
            let r = reduce(a[...]) { x, y in
                numeric ? (minimum ? FP.minNum(x, y, .single, &st) : FP.maxNum(x, y, .single, &st))
                        : (minimum ? FP.min(x, y, .single, &st) : FP.max(x, y, .single, &st))
            }
            setScalar(d, r, bytes: 4)
        case .scalarPairwise:
            let a = lanes(n, count: 2, esize: esize)
            let minimum = w.bit(23) == 1
            let r: UInt64
            switch w.bits(16, 12) {
            case 0b01100: r = minimum ? FP.minNum(a[0], a[1], size, &st) : FP.maxNum(a[0], a[1], size, &st)
            case 0b01101: r = FP.add(a[0], a[1], size, &st)
            default: r = minimum ? FP.min(a[0], a[1], size, &st) : FP.max(a[0], a[1], size, &st)
            }
            setScalar(d, r, bytes: esize)
        case .byElement, .scalarByElement:
            let index = double ? w.bit(11) : (w.bit(11) << 1 | w.bit(21))
            let rm = w.bit(20) << 4 | w.bits(19, 16)
            let e = element(rm, index, esize)
            let a = lanes(n, count: count, esize: esize), acc = lanes(d, count: count, esize: esize)
            let op = w.bits(15, 12)
            let r: [UInt64] = (0..<count).map { i in
                switch (op, u) {
                case (0b0001, _): return FP.mulAdd(acc[i], a[i], e, size, &st)
                case (0b0101, _): return FP.mulAdd(acc[i], FP.neg(a[i], size), e, size, &st)
                case (_, 0): return FP.mul(a[i], e, size, &st)
                default: return FP.mulX(a[i], e, size, &st)
                }
            }
            setLanes(d, r, esize: esize)
        case .moveImmediate:
            let imm8 = UInt8(w.bits(18, 16) << 5 | w.bits(9, 5))
            let dbl = u == 1
            let value = FP.expandImm(imm8, dbl ? .double : .single)
            let lane: UInt64 = dbl ? value : value | value << 32
            setV(d, lane, q ? lane : 0)
            return false
        case .fixedConvert, .scalarFixedConvert:
            let immh = w.bits(22, 19), shift = w.bits(22, 16)
            let dbl = immh >= 8
            let sz: FPSize = dbl ? .double : .single
            let es = dbl ? 8 : 4
            let fbits = (dbl ? 128 : 64) - shift
            let cnt = c == .scalarFixedConvert ? 1 : (q ? 16 : 8) / es
            let toFloat = w.bits(12, 11) == 0
            let r: [UInt64] = lanes(n, count: cnt, esize: es).map { x in
                toFloat ? FP.fromInt(x, intBits: es * 8, signed: u == 0, fbits: fbits, to: sz, rounding: st.rounding, &st)
                        : FP.toInt(x, from: sz, signed: u == 0, intBits: es * 8, fbits: fbits, rounding: .zero, &st)
            }
            setLanes(d, r, esize: es)
        case .convertNarrow:
            // FCVTN (double -> single, single -> half); FCVTXN rounds to odd; the "2" forms fill the upper half.
            let scalarForm = w.bit(28) == 1
            let from: FPSize = double ? .double : .single, to: FPSize = double ? .single : .half
            let cnt = scalarForm ? 1 : (double ? 2 : 4)
            let rounding: FPRounding = u == 1 ? .odd : st.rounding
            let r = lanes(n, count: cnt, esize: from.rawValue / 8).map { FP.convert($0, from: from, to: to, rounding: rounding, &st) }
            if scalarForm {
                setScalar(d, r[0], bytes: 4)
            } else {
                var packed: UInt64 = 0
                for (i, v) in r.enumerated() { packed |= v << UInt64(i * to.rawValue) }
                if q { setV(d, vLow(d), packed) } else { setV(d, packed, 0) }
            }
        case .convertLong:
            let from: FPSize = double ? .single : .half, to: FPSize = double ? .double : .single
            let cnt = double ? 2 : 4
            let source = q ? vHigh(n) : vLow(n)
            let r = (0..<cnt).map { i -> UInt64 in
                let v = (source >> UInt64(i * from.rawValue)) & ((1 << UInt64(from.rawValue)) - 1)
                return FP.convert(v, from: from, to: to, rounding: st.rounding, &st)
            }
            setLanes(d, r, esize: to.rawValue / 8)
        }
        commit(st)
        return false
    }
}
