/// Access to the one-bit-per-interrupt, two-bits-per-interrupt and byte-per-interrupt register
/// banks that the distributor and the redistributors' SGI frames share.
extension GICv3 {
    /// Bit fields of InterruptRecord exposed through a one-bit-per-interrupt register bank.
    enum BitField {
        case group, enable, pending, active, groupModifier
    }

    /// Reads 32 interrupts of `field` starting at `first`, for `cpu`'s view of SGIs/PPIs.
    func readBits(_ field: BitField, first: Int, cpu: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<32 {
            guard let r = record(first + k, cpu: cpu) else { break }
            let bit: Bool
            switch field {
            case .group: bit = r.group1
            case .enable: bit = r.enabled
            case .pending: bit = r.pending
            case .active: bit = r.active
            case .groupModifier: bit = r.groupModifier
            }
            if bit { v |= 1 << UInt64(k) }
        }
        return v
    }

    /// Writes a bank: `set` true for set-registers (ISxxx), false for clear-registers (ICxxx);
    /// nil `set` means a plain read/write register (IGROUPR, IGRPMODR).
    func writeBits(_ field: BitField, first: Int, cpu: Int, value: UInt64, set: Bool?) {
        for k in 0..<32 {
            let one = value & (1 << UInt64(k)) != 0
            if set != nil && !one { continue }
            _ = withRecord(first + k, cpu: cpu) { r in
                let on = set ?? one
                switch field {
                case .group: r.group1 = on
                case .enable: r.enabled = on
                case .pending:
                    r.latch = on
                case .active: r.active = on
                case .groupModifier: r.groupModifier = on
                }
            }
        }
        update()
    }

    /// IPRIORITYR: one byte per interrupt, five implemented bits.
    func readPriorities(first: Int, cpu: Int, size: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<size { v |= UInt64(record(first + k, cpu: cpu)?.priority ?? 0) << UInt64(8 * k) }
        return v
    }

    func writePriorities(first: Int, cpu: Int, size: Int, value: UInt64) {
        for k in 0..<size {
            _ = withRecord(first + k, cpu: cpu) { $0.priority = UInt8(truncatingIfNeeded: value >> UInt64(8 * k)) & 0xF8 }
        }
        update()
    }

    /// ICFGR: two bits per interrupt, bit 1 = edge-triggered. SGI configuration is read-only.
    func readConfig(first: Int, cpu: Int) -> UInt64 {
        var v: UInt64 = 0
        for k in 0..<16 where record(first + k, cpu: cpu)?.edge == true { v |= 2 << UInt64(2 * k) }
        return v
    }

    func writeConfig(first: Int, cpu: Int, value: UInt64) {
        for k in 0..<16 where first + k >= 16 {
            _ = withRecord(first + k, cpu: cpu) { $0.edge = value & (2 << UInt64(2 * k)) != 0 }
        }
        update()
    }
}
