/// A small x86-64 assembler for the translator: the handful of instruction forms it emits, with
/// every memory operand as [base + disp32] (one encoding path, no special cases but RSP/R12's SIB
/// byte) and forward labels patched when the code is placed.
struct X86Assembler {
    /// General registers by their hardware number.
    enum R: UInt8 {
        case rax = 0, rcx, rdx, rbx, rsp, rbp, rsi, rdi, r8, r9, r10, r11, r12, r13, r14, r15
        var low: UInt8 { rawValue & 7 }
        var high: UInt8 { rawValue >> 3 }
    }

    /// Two-operand integer operations, by their ModRM /digit (the register form's opcode is 8 × that + 1).
    enum ALU: UInt8 { case add = 0, or = 1, adc = 2, sbb = 3, and = 4, sub = 5, xor = 6, cmp = 7 }
    enum Shift: UInt8 { case rol = 0, ror = 1, shl = 4, shr = 5, sar = 7 }

    /// Condition codes (the low nibble of Jcc/SETcc/CMOVcc).
    enum CC: UInt8 {
        case o = 0, no, b, ae, e, ne, be, a, s, ns, p, np, l, ge, le, g
        var inverted: CC { CC(rawValue: rawValue ^ 1)! }
    }

    struct Label { let id: Int }

    private(set) var bytes: [UInt8] = []
    private var labelPositions: [Int?] = []
    /// rel32 fields: (offset of the field, label); patched in `resolve`.
    private var fixups: [(at: Int, label: Int)] = []
    /// rel32 fields aimed at absolute addresses outside this code: (offset, target); patched in `place`.
    private(set) var externalFixups: [(at: Int, target: UInt)] = []

    var count: Int { bytes.count }

    mutating func label() -> Label { labelPositions.append(nil); return Label(id: labelPositions.count - 1) }
    mutating func bind(_ l: Label) { labelPositions[l.id] = bytes.count }

    // MARK: Encoding helpers

    private mutating func rex(w: Bool, reg: UInt8 = 0, base: UInt8 = 0, force: Bool = false) {
        let v: UInt8 = 0x40 | (w ? 8 : 0) | (reg >> 3) << 2 | (base >> 3)
        if v != 0x40 || force { bytes.append(v) }
    }

    /// ModRM (+ SIB) + disp32 for [base + disp].
    private mutating func mem(reg: UInt8, base: R, disp: Int32) {
        bytes.append(0x80 | (reg & 7) << 3 | base.low)
        if base.low == 4 { bytes.append(0x24) }
        append32(UInt32(bitPattern: disp))
    }

    private mutating func direct(reg: UInt8, rm: R) { bytes.append(0xC0 | (reg & 7) << 3 | rm.low) }

    private mutating func append32(_ v: UInt32) {
        bytes.append(UInt8(truncatingIfNeeded: v)); bytes.append(UInt8(truncatingIfNeeded: v >> 8))
        bytes.append(UInt8(truncatingIfNeeded: v >> 16)); bytes.append(UInt8(truncatingIfNeeded: v >> 24))
    }

    private mutating func append64(_ v: UInt64) {
        append32(UInt32(truncatingIfNeeded: v)); append32(UInt32(truncatingIfNeeded: v >> 32))
    }

    static func fits32(_ v: UInt64) -> Bool { Int64(bitPattern: v) == Int64(Int32(truncatingIfNeeded: v)) }

    // MARK: Moves

    /// dst = [base + disp], `size` bytes, zero-extended (or sign-extended to 32 or 64 bits).
    mutating func load(_ dst: R, _ base: R, _ disp: Int32, size: Int, signed: Bool = false, to64: Bool = true) {
        switch (size, signed) {
        case (8, _): rex(w: true, reg: dst.rawValue, base: base.rawValue); bytes.append(0x8B)
        case (4, false): rex(w: false, reg: dst.rawValue, base: base.rawValue); bytes.append(0x8B)
        case (4, true): rex(w: true, reg: dst.rawValue, base: base.rawValue); bytes.append(0x63)
        case (2, _): rex(w: signed && to64, reg: dst.rawValue, base: base.rawValue); bytes += [0x0F, signed ? 0xBF : 0xB7]
        default: rex(w: signed && to64, reg: dst.rawValue, base: base.rawValue); bytes += [0x0F, signed ? 0xBE : 0xB6]
        }
        mem(reg: dst.rawValue, base: base, disp: disp)
    }

    /// [base + disp] = the low `size` bytes of src.
    mutating func store(_ src: R, _ base: R, _ disp: Int32, size: Int) {
        if size == 2 { bytes.append(0x66) }
        rex(w: size == 8, reg: src.rawValue, base: base.rawValue, force: size == 1 && src.rawValue >= 4)
        bytes.append(size == 1 ? 0x88 : 0x89)
        mem(reg: src.rawValue, base: base, disp: disp)
    }

    /// [base + disp] = imm (sign-extended imm32 for 8 bytes), `size` 1, 4 or 8.
    mutating func storeImm(_ base: R, _ disp: Int32, _ imm: Int32, size: Int) {
        rex(w: size == 8, base: base.rawValue)
        bytes.append(size == 1 ? 0xC6 : 0xC7)
        mem(reg: 0, base: base, disp: disp)
        if size == 1 { bytes.append(UInt8(truncatingIfNeeded: imm)) } else { append32(UInt32(bitPattern: imm)) }
    }

    mutating func mov(_ dst: R, _ src: R, wide: Bool = true) {
        rex(w: wide, reg: src.rawValue, base: dst.rawValue); bytes.append(0x89); direct(reg: src.rawValue, rm: dst)
    }

    mutating func movImm(_ dst: R, _ imm: UInt64) {
        if imm >> 32 == 0 {
            rex(w: false, base: dst.rawValue); bytes.append(0xB8 | dst.low); append32(UInt32(imm))
        } else if Self.fits32(imm) {
            rex(w: true, base: dst.rawValue); bytes.append(0xC7); direct(reg: 0, rm: dst); append32(UInt32(truncatingIfNeeded: imm))
        } else {
            rex(w: true, base: dst.rawValue); bytes.append(0xB8 | dst.low); append64(imm)
        }
    }

    mutating func lea(_ dst: R, _ base: R, _ disp: Int32) {
        rex(w: true, reg: dst.rawValue, base: base.rawValue); bytes.append(0x8D); mem(reg: dst.rawValue, base: base, disp: disp)
    }

    // MARK: Arithmetic

    mutating func alu(_ op: ALU, _ dst: R, _ src: R, wide: Bool = true) {
        rex(w: wide, reg: src.rawValue, base: dst.rawValue); bytes.append(op.rawValue << 3 | 1); direct(reg: src.rawValue, rm: dst)
    }

    /// dst op= [base + disp].
    mutating func alu(_ op: ALU, _ dst: R, _ base: R, _ disp: Int32, wide: Bool = true) {
        rex(w: wide, reg: dst.rawValue, base: base.rawValue); bytes.append(op.rawValue << 3 | 3); mem(reg: dst.rawValue, base: base, disp: disp)
    }

    /// dst op= imm (sign-extended 32-bit immediate).
    mutating func alu(_ op: ALU, _ dst: R, imm: Int32, wide: Bool = true) {
        rex(w: wide, base: dst.rawValue)
        if imm >= -128 && imm < 128 { bytes.append(0x83); direct(reg: op.rawValue, rm: dst); bytes.append(UInt8(bitPattern: Int8(imm))) }
        else { bytes.append(0x81); direct(reg: op.rawValue, rm: dst); append32(UInt32(bitPattern: imm)) }
    }

    /// [base + disp] op= imm, 8 bytes.
    mutating func aluMem(_ op: ALU, _ base: R, _ disp: Int32, imm: Int32) {
        rex(w: true, base: base.rawValue); bytes.append(0x81); mem(reg: op.rawValue, base: base, disp: disp); append32(UInt32(bitPattern: imm))
    }

    mutating func shift(_ op: Shift, _ dst: R, _ amount: UInt8, wide: Bool = true) {
        rex(w: wide, base: dst.rawValue); bytes.append(0xC1); direct(reg: op.rawValue, rm: dst); bytes.append(amount)
    }

    /// dst shifted by CL (the count masked to the width, as A64's variable shifts).
    mutating func shiftCL(_ op: Shift, _ dst: R, wide: Bool = true) {
        rex(w: wide, base: dst.rawValue); bytes.append(0xD3); direct(reg: op.rawValue, rm: dst)
    }

    mutating func imul(_ dst: R, _ src: R, wide: Bool = true) {
        rex(w: wide, reg: dst.rawValue, base: src.rawValue); bytes += [0x0F, 0xAF]; direct(reg: dst.rawValue, rm: src)
    }

    /// One-operand group 3: 2 NOT, 3 NEG, 4 MUL, 5 IMUL (RDX:RAX), 6 DIV, 7 IDIV.
    mutating func group3(_ digit: UInt8, _ r: R, wide: Bool = true) {
        rex(w: wide, base: r.rawValue); bytes.append(0xF7); direct(reg: digit, rm: r)
    }

    /// CQO (64) or CDQ (32): sign-extend RAX into RDX.
    mutating func signExtendRAX(wide: Bool) { if wide { bytes.append(0x48) }; bytes.append(0x99) }

    mutating func test(_ a: R, _ b: R, wide: Bool = true) {
        rex(w: wide, reg: b.rawValue, base: a.rawValue); bytes.append(0x85); direct(reg: b.rawValue, rm: a)
    }

    /// CF = bit `bit` of the 8-byte [base + disp].
    mutating func bt(_ base: R, _ disp: Int32, bit: UInt8) {
        rex(w: true, base: base.rawValue); bytes += [0x0F, 0xBA]; mem(reg: 4, base: base, disp: disp); bytes.append(bit)
    }

    /// dst = src × imm8 (sign-extended).
    mutating func imul(_ dst: R, _ src: R, imm8: Int8) {
        rex(w: true, reg: dst.rawValue, base: src.rawValue); bytes.append(0x6B); direct(reg: dst.rawValue, rm: src)
        bytes.append(UInt8(bitPattern: imm8))
    }

    /// Flags of r & imm (sign-extended 32-bit immediate).
    mutating func test(_ r: R, imm: Int32, wide: Bool = true) {
        rex(w: wide, base: r.rawValue); bytes.append(0xF7); direct(reg: 0, rm: r); append32(UInt32(bitPattern: imm))
    }

    /// The low byte of r = 1 if cc holds, else 0.
    mutating func setcc(_ cc: CC, _ r: R) {
        rex(w: false, base: r.rawValue, force: r.rawValue >= 4); bytes += [0x0F, 0x90 | cc.rawValue]; direct(reg: 0, rm: r)
    }

    /// CF = bit `bit` (a register) of `r`.
    mutating func bt(_ r: R, bit: R) {
        rex(w: false, reg: bit.rawValue, base: r.rawValue); bytes += [0x0F, 0xA3]; direct(reg: bit.rawValue, rm: r)
    }

    mutating func cmov(_ cc: CC, _ dst: R, _ src: R, wide: Bool = true) {
        rex(w: wide, reg: dst.rawValue, base: src.rawValue); bytes += [0x0F, 0x40 | cc.rawValue]; direct(reg: dst.rawValue, rm: src)
    }

    /// BSR: dst = index of src's highest set bit (ZF when src is zero, dst then undefined).
    mutating func bsr(_ dst: R, _ src: R, wide: Bool = true) {
        rex(w: wide, reg: dst.rawValue, base: src.rawValue); bytes += [0x0F, 0xBD]; direct(reg: dst.rawValue, rm: src)
    }

    mutating func bswap(_ r: R, wide: Bool = true) { rex(w: wide, base: r.rawValue); bytes += [0x0F, 0xC8 | r.low] }

    // MARK: Control flow

    mutating func jcc(_ cc: CC, _ l: Label) {
        bytes += [0x0F, 0x80 | cc.rawValue]; fixups.append((bytes.count, l.id)); append32(0)
    }

    mutating func jmp(_ l: Label) { bytes.append(0xE9); fixups.append((bytes.count, l.id)); append32(0) }

    /// JMP rel32 to an absolute address outside this code (the shared exit).
    mutating func jmp(absolute target: UInt) { bytes.append(0xE9); externalFixups.append((bytes.count, target)); append32(0) }

    mutating func jmp(_ r: R) { rex(w: false, base: r.rawValue); bytes.append(0xFF); direct(reg: 4, rm: r) }
    mutating func call(_ r: R) { rex(w: false, base: r.rawValue); bytes.append(0xFF); direct(reg: 2, rm: r) }
    mutating func push(_ r: R) { rex(w: false, base: r.rawValue); bytes.append(0x50 | r.low) }
    mutating func pop(_ r: R) { rex(w: false, base: r.rawValue); bytes.append(0x58 | r.low) }
    mutating func ret() { bytes.append(0xC3) }

    /// Patches label references; false if a label was never bound.
    mutating func resolve() -> Bool {
        for f in fixups {
            guard let target = labelPositions[f.label] else { return false }
            let rel = UInt32(bitPattern: Int32(target - (f.at + 4)))
            for k in 0..<4 { bytes[f.at + k] = UInt8(truncatingIfNeeded: rel >> (8 * UInt32(k))) }
        }
        fixups.removeAll()
        return true
    }

    /// Copies the code to `address` (which must have room), patching external jumps for it.
    func place(at address: UnsafeMutableRawPointer) {
        var code = bytes
        let origin = UInt(bitPattern: address)
        for f in externalFixups {
            let rel = UInt32(bitPattern: Int32(truncatingIfNeeded: Int(bitPattern: f.target) - Int(bitPattern: origin + UInt(f.at + 4))))
            for k in 0..<4 { code[f.at + k] = UInt8(truncatingIfNeeded: rel >> (8 * UInt32(k))) }
        }
        code.withUnsafeBytes { address.copyMemory(from: $0.baseAddress!, byteCount: $0.count) }
    }
}
