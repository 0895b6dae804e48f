/// Configuration registers that keep what is written (an SoC's syscons: clock dividers, pin
/// muxing, power-management and address-decoder settings), with the values boot firmware leaves.
/// Drivers read back what they or the firmware set, so a model need only remember it. 32-bit
/// registers; narrower accesses read and merge into them. `readOnly` bits keep their reset value;
/// `readsOne` bits are status outputs that always read 1 (a PHY's PLL-locked and calibration-done
/// flags: the hardware sets them moments after power-up, and drivers poll for them).
/// `onWrite` sees every write (offset of the register, its new value) for registers with effects.
public final class RegisterBank: MMIODevice {
    private var words: [UInt32]
    private let readOnly: [UInt64: UInt32]
    private let readsOne: [UInt64: UInt32]
    public var onWrite: ((UInt64, UInt32) -> Void)?

    public init(name: String, size: UInt64, values: [UInt64: UInt32] = [:], readOnly: [UInt64: UInt32] = [:],
                readsOne: [UInt64: UInt32] = [:]) {
        words = [UInt32](repeating: 0, count: Int((size + 3) / 4))
        for (offset, v) in values where offset < size { words[Int(offset / 4)] = v }
        self.readOnly = readOnly
        self.readsOne = readsOne
        super.init(name: name, size: size)
    }

    /// The register at `offset` (a multiple of 4).
    public subscript(offset: UInt64) -> UInt32 {
        get { words[Int(offset / 4)] }
        set { words[Int(offset / 4)] = newValue }
    }

    private func value(_ reg: UInt64) -> UInt32 { words[Int(reg / 4)] | (readsOne[reg] ?? 0) }

    public override func read(offset: UInt64, size: Int) -> UInt64 {
        let reg = offset & ~3
        let word = UInt64(value(reg)) | (reg + 4 < self.size && size == 8 ? UInt64(value(reg + 4)) << 32 : 0)
        let shifted = word >> (8 * (offset & 3))
        return size >= 8 ? shifted : shifted & ((1 << (8 * UInt64(size))) - 1)
    }

    public override func write(offset: UInt64, size: Int, value: UInt64) {
        if size == 8 {
            write(offset: offset, size: 4, value: value & 0xFFFF_FFFF)
            if offset + 4 < self.size { write(offset: offset + 4, size: 4, value: value >> 32) }
            return
        }
        let reg = offset & ~3, shift = 8 * (offset & 3)
        let mask = UInt32(truncatingIfNeeded: ((1 << (8 * UInt64(size))) - 1) << shift)
        let fixed = readOnly[reg] ?? 0
        let old = words[Int(reg / 4)]
        let merged = (old & ~mask) | (UInt32(truncatingIfNeeded: value << shift) & mask)
        words[Int(reg / 4)] = (merged & ~fixed) | (old & fixed)
        onWrite?(reg, words[Int(reg / 4)])
    }
}
