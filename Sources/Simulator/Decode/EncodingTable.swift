/// One A64 encoding: a name, its bit pattern with named operand fields, and how to build the
/// predecoded form. Patterns read most-significant bit first; tokens are literal bits (`0`, `1`)
/// or fields `name:width` (register fields `Rd Rn Rm Ra Rt Rt2 Rs` default to 5 bits, others to 1).
public struct Encoding {
    public let name: String
    public let pattern: String
    public let mask: UInt32
    public let value: UInt32
    /// Field name -> (low bit, width), for documentation, tests and traces.
    public let fields: [(name: String, lo: Int, width: Int)]
    public let build: (UInt32) -> Insn

    public init(_ name: String, _ pattern: String, _ build: @escaping (UInt32) -> Insn) {
        self.name = name
        self.pattern = pattern
        self.build = build
        var mask: UInt32 = 0, value: UInt32 = 0, fields: [(String, Int, Int)] = []
        var pos = 32
        for token in pattern.split(separator: " ") {
            if token.allSatisfy({ $0 == "0" || $0 == "1" }) {
                for ch in token {
                    pos -= 1
                    mask |= 1 << pos
                    if ch == "1" { value |= 1 << pos }
                }
            } else {
                let parts = token.split(separator: ":")
                let fname = String(parts[0])
                let width = parts.count > 1 ? Int(parts[1])! : (["Rd", "Rn", "Rm", "Ra", "Rt", "Rt2", "Rs"].contains(fname) ? 5 : 1)
                pos -= width
                fields.append((fname, pos, width))
            }
        }
        precondition(pos == 0, "encoding \(name): pattern is \(32 - pos) bits, not 32")
        self.mask = mask
        self.value = value
        self.fields = fields
    }

    @inline(__always) public func matches(_ word: UInt32) -> Bool { word & mask == value }

    /// Number of fixed bits; more specific patterns are tried first.
    public var specificity: Int { mask.nonzeroBitCount }
}

/// Decodes A64 words with the encoding table: bucketed by bits 31:21 (2048 buckets of the
/// encodings those bits allow), each bucket most-specific first, scanned over plain mask/value
/// arrays so a lookup touches no reference-counted data. Anything unmatched is UNDEFINED.
public struct Decoder {
    public static let shared = Decoder(encodings: A64.encodings)

    public let encodings: [Encoding]
    private let masks: [UInt32]
    private let values: [UInt32]
    private let buckets: [[Int32]]
    static let bucketShift: UInt32 = 21

    public init(encodings: [Encoding]) {
        self.encodings = encodings
        masks = encodings.map(\.mask)
        values = encodings.map(\.value)
        let order = encodings.indices.sorted { encodings[$0].specificity > encodings[$1].specificity }
        let top: UInt32 = ~0 << Decoder.bucketShift
        buckets = (0..<(1 << (32 - Int(Decoder.bucketShift)))).map { b in
            // An encoding lands in every bucket its fixed bits 31:21 allow.
            let g = UInt32(b) << Decoder.bucketShift
            return order.filter { (g ^ encodings[$0].value) & encodings[$0].mask & top == 0 }.map { Int32($0) }
        }
    }

    /// The first matching encoding, or nil (UNDEFINED).
    public func match(_ word: UInt32) -> Encoding? {
        for i in buckets[Int(word >> Decoder.bucketShift)] where word & masks[Int(i)] == values[Int(i)] { return encodings[Int(i)] }
        return nil
    }

    public func decode(_ word: UInt32) -> Insn {
        var insn = match(word)?.build(word) ?? Insn(.undefined, imm: UInt64(word))
        if insn.op == .undefined { insn.imm = UInt64(word) }
        insn.cost = CycleTable.cost(insn)
        return insn
    }
}

/// Field extraction and register-31 resolution used by the builders.
extension UInt32 {
    @inline(__always) func bits(_ hi: Int, _ lo: Int) -> Int { Int((self >> UInt32(lo)) & ((1 << UInt32(hi - lo + 1)) - 1)) }
    @inline(__always) func bit(_ n: Int) -> Int { Int((self >> UInt32(n)) & 1) }
    var rd: Int { bits(4, 0) }
    var rn: Int { bits(9, 5) }
    var rm: Int { bits(20, 16) }
    var ra: Int { bits(14, 10) }
    var rt2: Int { bits(14, 10) }
    var sf: Bool { self >> 31 != 0 }
}

/// Register 31 as a source: zero register.
@inline(__always) func src(_ r: Int) -> Int { r }
/// Register 31 as a source or destination meaning SP.
@inline(__always) func spReg(_ r: Int) -> Int { r == 31 ? Reg.sp : r }
/// Register 31 as a destination meaning XZR: the write is discarded.
@inline(__always) func dst(_ r: Int) -> Int { r == 31 ? Reg.sink : r }

/// Sign-extends the low `bits` bits of `v`.
@inline(__always) func sext(_ v: UInt64, _ bits: Int) -> UInt64 {
    UInt64(bitPattern: Int64(bitPattern: v << UInt64(64 - bits)) >> Int64(64 - bits))
}

/// All-ones in the low `n` bits (n in 0...64).
@inline(__always) func ones(_ n: Int) -> UInt64 { n >= 64 ? ~0 : (1 << UInt64(n)) - 1 }

/// DecodeBitMasks() from the Arm ARM's shared pseudocode: the (wmask, tmask) pair for logical
/// immediates and bitfield moves, or nil for reserved combinations.
func decodeBitMasks(n: Int, imms: Int, immr: Int, immediate: Bool, dataSize: Int) -> (UInt64, UInt64)? {
    let combined = (n << 6) | (~imms & 0x3F)
    guard combined != 0 else { return nil }
    let len = (Int.bitWidth - 1) - combined.leadingZeroBitCount
    guard len >= 1, (1 << len) <= dataSize else { return nil }
    let levels = (1 << len) - 1
    if immediate && (imms & levels) == levels { return nil }
    let s = imms & levels, r = immr & levels
    let diff = (s - r) & levels
    let esize = 1 << len
    let welem = ones(s + 1)
    let telem = ones(diff + 1)
    let wrot = r == 0 ? welem : ((welem >> UInt64(r)) | (welem << UInt64(esize - r))) & ones(esize)
    var wmask: UInt64 = 0, tmask: UInt64 = 0
    var i = 0
    while i < dataSize {
        wmask |= wrot << UInt64(i)
        tmask |= telem << UInt64(i)
        i += esize
    }
    return (wmask & ones(dataSize), tmask & ones(dataSize))
}
