/// Less frequent integer data-processing instructions (Arm ARM C6.2, by encoding class).
extension Core {
    /// AddWithCarry() from the shared pseudocode for 64- or 32-bit operands; returns (result, nzcv).
    func addWithCarry(_ a: UInt64, _ b: UInt64, _ carry: UInt64, is32: Bool) -> (UInt64, UInt64) {
        if is32 {
            let x = UInt32(truncatingIfNeeded: a), y = UInt32(truncatingIfNeeded: b)
            let (s1, o1) = x.addingReportingOverflow(y)
            let (res, o2) = s1.addingReportingOverflow(UInt32(carry))
            let c: UInt64 = (o1 || o2) ? 1 : 0
            let v = UInt64(((x ^ res) & (y ^ res)) >> 31)
            return (UInt64(res), UInt64(res >> 31) << 31 | (res == 0 ? 1 << 30 : 0) | c << 29 | v << 28)
        }
        let (s1, o1) = a.addingReportingOverflow(b)
        let (res, o2) = s1.addingReportingOverflow(carry)
        let c: UInt64 = (o1 || o2) ? 1 : 0
        let v = ((a ^ res) & (b ^ res)) >> 63
        return (res, (res >> 63) << 31 | (res == 0 ? 1 << 30 : 0) | c << 29 | v << 28)
    }

    func integerCold(_ insn: Insn) {
        let r = x, s = state
        let rd = Int(insn.rd), rn = Int(insn.rn), rm = Int(insn.rm)
        let is32 = insn.ra & 1 != 0
        let mask: UInt64 = is32 ? 0xFFFF_FFFF : ~0
        switch insn.op {
        case .addExt, .addsExt, .subExt, .subsExt:
            let a = r[rn] & mask
            let b = extended(r[rm], insn.a, insn.b) & mask
            let sub = insn.op == .subExt || insn.op == .subsExt
            let (res, nzcv) = addWithCarry(a, sub ? ~b & mask : b, sub ? 1 : 0, is32: is32)
            if insn.op == .addsExt || insn.op == .subsExt { s.pointee.setFlags(nzcv) }
            r[rd] = res & mask
        case .adc, .adcs, .sbc, .sbcs:
            let carry = (s.pointee.flags() >> 29) & 1
            let sub = insn.op == .sbc || insn.op == .sbcs
            let b = sub ? ~r[rm] & mask : r[rm] & mask
            let (res, nzcv) = addWithCarry(r[rn] & mask, b, carry, is32: is32)
            if insn.op == .adcs || insn.op == .sbcs { s.pointee.setFlags(nzcv) }
            r[rd] = res & mask
        case .ccmn, .ccmp:
            if s.pointee.condition(insn.a) {
                let b = (insn.ra & 2 != 0 ? insn.imm : r[rm]) & mask
                let sub = insn.op == .ccmp
                let (_, nzcv) = addWithCarry(r[rn] & mask, sub ? ~b & mask : b, sub ? 1 : 0, is32: is32)
                s.pointee.setFlags(nzcv)
            } else {
                s.pointee.setFlags(UInt64(insn.b) << 28)
            }
        case .rbit:
            let v = r[rn]
            var out: UInt64 = 0
            for k in 0..<64 where v & (1 << UInt64(k)) != 0 { out |= 1 << UInt64(63 - k) }
            r[rd] = is32 ? out >> 32 : out
        case .rev16:
            let v = r[rn]
            r[rd] = (((v & 0x00FF_00FF_00FF_00FF) << 8) | ((v >> 8) & 0x00FF_00FF_00FF_00FF)) & mask
        case .rev32:
            let v = r[rn]
            r[rd] = UInt64(UInt32(truncatingIfNeeded: v).byteSwapped) | UInt64(UInt32(truncatingIfNeeded: v >> 32).byteSwapped) << 32
        case .rev64:
            r[rd] = is32 ? UInt64(UInt32(truncatingIfNeeded: r[rn]).byteSwapped) : r[rn].byteSwapped
        case .clz:
            r[rd] = is32 ? UInt64(UInt32(truncatingIfNeeded: r[rn]).leadingZeroBitCount) : UInt64(r[rn].leadingZeroBitCount)
        case .cls:
            if is32 {
                let v = UInt32(truncatingIfNeeded: r[rn])
                r[rd] = UInt64(((v ^ (v << 1)) | 1).leadingZeroBitCount)
            } else {
                let v = r[rn]
                r[rd] = UInt64(((v ^ (v << 1)) | 1).leadingZeroBitCount)
            }
        case .udiv:
            let a = r[rn] & mask, b = r[rm] & mask
            r[rd] = b == 0 ? 0 : a / b
        case .sdiv:
            if is32 {
                let a = Int32(truncatingIfNeeded: r[rn]), b = Int32(truncatingIfNeeded: r[rm])
                let q: Int32 = b == 0 ? 0 : (a == .min && b == -1 ? .min : a / b)
                r[rd] = UInt64(UInt32(bitPattern: q))
            } else {
                let a = Int64(bitPattern: r[rn]), b = Int64(bitPattern: r[rm])
                let q: Int64 = b == 0 ? 0 : (a == .min && b == -1 ? .min : a / b)
                r[rd] = UInt64(bitPattern: q)
            }
        case .lslv, .lsrv, .asrv, .rorv:
            let amount = UInt8(truncatingIfNeeded: r[rm] & (is32 ? 31 : 63))
            let type: UInt8 = insn.op == .lslv ? 0 : (insn.op == .lsrv ? 1 : (insn.op == .asrv ? 2 : 3))
            r[rd] = is32 ? shifted32(r[rn], type, amount) : shifted64(r[rn], type, amount)
        case .crc32:
            r[rd] = UInt64(CRC32.update(UInt32(truncatingIfNeeded: r[rn]), value: r[rm], bytes: 1 << Int(insn.a), castagnoli: insn.b == 1))
        case .smaddl, .smsubl:
            let p = UInt64(bitPattern: Int64(Int32(truncatingIfNeeded: r[rn])) &* Int64(Int32(truncatingIfNeeded: r[rm])))
            r[rd] = insn.op == .smaddl ? r[Int(insn.ra)] &+ p : r[Int(insn.ra)] &- p
        case .umaddl, .umsubl:
            let p = (r[rn] & 0xFFFF_FFFF) &* (r[rm] & 0xFFFF_FFFF)
            r[rd] = insn.op == .umaddl ? r[Int(insn.ra)] &+ p : r[Int(insn.ra)] &- p
        case .smulh:
            r[rd] = UInt64(bitPattern: Int64(bitPattern: r[rn]).multipliedFullWidth(by: Int64(bitPattern: r[rm])).high)
        case .umulh:
            r[rd] = r[rn].multipliedFullWidth(by: r[rm]).high
        default:
            break
        }
    }
}

/// CRC-32 (polynomial 0x04C11DB7, reflected) and CRC-32C (0x1EDC6F41, reflected), as the
/// CRC32*/CRC32C* instructions compute them: no pre/post inversion.
enum CRC32 {
    static let ieee = table(0xEDB8_8320)
    static let castagnoliTable = table(0x82F6_3B78)

    static func table(_ poly: UInt32) -> [UInt32] {
        (0..<256).map { i -> UInt32 in
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ poly : c >> 1 }
            return c
        }
    }

    static func update(_ crc: UInt32, value: UInt64, bytes: Int, castagnoli: Bool) -> UInt32 {
        let t = castagnoli ? castagnoliTable : ieee
        var c = crc
        for k in 0..<bytes {
            let byte = UInt8(truncatingIfNeeded: value >> UInt64(8 * k))
            c = t[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8)
        }
        return c
    }
}
