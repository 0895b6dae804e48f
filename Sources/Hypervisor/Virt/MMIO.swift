/// One guest MMIO access decoded from a stage-2 data abort's syndrome
/// (ESR ISV/SAS/SSE/SRT/SF/WnR) and the faulting IPA.
struct MMIOAccess {
    let ipa: UInt64
    let size: Int           // bytes: 1, 2, 4 or 8
    let isWrite: Bool
    let register: Int       // Xt/Wt; 31 is XZR
    let signExtend: Bool
    let sixtyFour: Bool

    init?(esr: ESR, ipa: UInt64) {
        guard esr.isv else { return nil }
        self.ipa = ipa
        size = 1 << esr.sas
        isWrite = esr.wnr
        register = esr.srt
        signExtend = esr.sse
        sixtyFour = esr.sf
    }

    /// The value a load returns, extended as the instruction asks (SSE, SF).
    func loadResult(_ raw: UInt64) -> UInt64 {
        let bits = size * 8
        var v = bits == 64 ? raw : raw & ((1 << UInt64(bits)) - 1)
        if signExtend && bits < 64 && v & (1 << UInt64(bits - 1)) != 0 {
            v |= ~((1 << UInt64(bits)) - 1)
        }
        return sixtyFour ? v : v & 0xFFFF_FFFF
    }

    /// The value a store writes, truncated to the access size.
    func storeValue(_ register: UInt64) -> UInt64 {
        size == 8 ? register : register & ((1 << UInt64(size * 8)) - 1)
    }
}

/// What an emulated device answered.
enum MMIOResult { case handled(UInt64), fault }
